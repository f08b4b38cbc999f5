#!/usr/bin/env python3
"""tests/profiler/gpu: `cliffwatch-cli profile` usage errors (suite 'profiler-cpu': needs the
CUDA build, not a GPU). Bad usage exits 2 with one 'cliffwatch-cli: ...' line and
creates no database; a run on a machine without a GPU exits 1 and says so.
Usage: test-profiler-cli.py PATH/TO/cliffwatch-cli"""
import os
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="cw-test-profile-")
db = os.path.join(tmp, "r.db")
failures = []


def run(args):
    p = subprocess.run([CLI, "profile"] + args, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


BAD = [
    ([], "profile: --db PATH is required"),
    (["--db", db], "profile: --lane NAME is required"),
    (["--lane", "fused"], "profile: --db PATH is required"),
    (["--db", db, "--lane", "bogus"], "--lane: unknown lane 'bogus'"),
    (["--db", db, "--lane", ""], "--lane: '' is not a lane list"),
    (["--db", db, "--lane", ","], "--lane: ',' names no lane"),
    (["--db", db, "--lane"], "--lane needs a value"),
    (["--db", "", "--lane", "fused"], "--db: empty path"),
    (["--db", db, "--lane", "fused", "--sweep-sq", "10"], "--sweep-sq: '10' is not FROM:TO"),
    (["--db", db, "--lane", "fused", "--sweep-sq", "10:5"], "--sweep-sq: FROM 10 is larger than TO 5"),
    (["--db", db, "--lane", "fused", "--sweep-sq", "0:5"], "--sweep-sq FROM: must be at least 1"),
    (["--db", db, "--lane", "fused", "--sweep-sq", "1:5:x1"], "factor must be at least 2"),
    (["--db", db, "--lane", "fused", "--sweep-sq", "1:5:y2"], "is not FROM:TO"),
    (["--db", db, "--lane", "fused", "--sweep-sq", "1:100000:+1"], "more than 4096 points"),
    (["--db", db, "--lane", "fused", "--overhead", "0"], "--overhead: must be at least 1"),
    (["--db", db, "--lane", "fused", "--overhead", "5000"], "--overhead: at most 1000 repeats"),
    (["--db", db, "--lane", "fused", "--device", "x"], "--device: 'x' is not a non-negative integer"),
    (["--db", db, "--lane", "fused", "--seed", "-1"], "--seed: '-1' is negative"),
    (["--db", db, "--lane", "fused", "--format", "json"], "--format is not supported"),
    (["--db", db, "--lane", "fused", "--preset", "nope"], "nope"),
    (["--db", db, "--lane", "fused", "--sq", "0"], "--sq: must be at least 1"),
    (["--db", db, "--lane", "fused", "--sq", "4096", "--ratio", "4", "--sk", "100"], "sk"),
    (["--db", db, "--lane", "fused", "--bogus"], "unknown option '--bogus'"),
    # training lanes (issue 18): names, and the gradcheck lanes' size limit, before any GPU
    (["--db", db, "--lane", "streaming-trian"], "--lane: unknown lane 'streaming-trian'"),
    (["--db", db, "--lane", "gradcheck"], "lane gradcheck: the float64 reference takes b*sq*sk*h*d <= 2^31"),
    (["--db", db, "--lane", "streaming,gradcheck-dense", "--preset", "v4-flash", "--sq", "4096"],
     "lane gradcheck-dense: the float64 reference"),
    (["--db", db, "--lane", "gradcheck", "--b", "2", "--h", "16", "--d", "64", "--sq", "333", "--ratio", "4",
      "--top-k", "64", "--sweep-sq", "333:1000000"], "sq="),
    (["--db", db, "--lane", "train", "--h", "48"], "h"),
]
for args, needle in BAD:
    rc, out, err = run(args)
    lines = err.strip().splitlines()
    if rc != 2 or not lines or not lines[-1].startswith("cliffwatch-cli: ") or needle not in lines[-1]:
        failures.append(f"{args}: rc {rc}, stderr {err.strip()!r}, wanted {needle!r}")
if os.path.exists(db):
    failures.append("a usage error created the database")

rc, out, err = run(["--help"])
if rc != 0 or "Usage: cliffwatch-cli profile" not in out or "--sweep-sq" not in out:
    failures.append(f"--help: rc {rc}")
for lane in ("streaming-train", "streaming-train-dense", "fused-train", "gradcheck", "gradcheck-dense"):
    if lane not in out:
        failures.append(f"--help does not name lane {lane}")

# Without a GPU the command says so (exit 1) and leaves no database behind.
if os.environ.get("CW_TEST_HAVE_GPU") != "1":
    rc, out, err = run(["--db", db, "--lane", "fused", "--preset", "v4-flash", "--sq", "4096"])
    if rc == 1:
        if "no CUDA device found" not in err or os.path.exists(db):
            failures.append(f"no-GPU run: {err!r}, db exists {os.path.exists(db)}")
    elif rc != 0:
        failures.append(f"run: rc {rc}: {err!r}")
    # Every training lane name parses, and a small gradcheck shape passes the size check:
    # each then stops at the missing GPU (exit 1), not at usage (exit 2).
    for lanes in ("streaming-train,streaming-train-dense,fused-train", "train", "gradcheck,gradcheck-dense",
                  "all"):
        rc, out, err = run(["--db", db, "--lane", lanes, "--b", "2", "--h", "16", "--d", "64", "--sq", "333",
                            "--ratio", "4", "--top-k", "64"])
        if rc != 1 or "no CUDA device found" not in err:
            failures.append(f"--lane {lanes} without a GPU: rc {rc}: {err!r}")

print(f"{len(BAD) + 6} cases, {len(failures)} failures")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
