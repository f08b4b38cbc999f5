#!/usr/bin/env python3
"""tests/cli: cliffwatch-cli bad inputs (exit 2 + one clear stderr line) and
good-path JSON/CSV checks. Usage: test-cli.py PATH/TO/cliffwatch-cli
CW_DATA_DIR must point at the tree's data/ (meson's test_env does that)."""
import json
import os
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
failures = []
checks = 0


def run(args, env=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([CLI] + args, capture_output=True, text=True, env=e, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


tmp = tempfile.mkdtemp(prefix="cw-test-cli-")


def profile_file(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# (args, substring of the single stderr line)
BAD = [
    ([], "no command given"),
    (["frobnicate"], "unknown command 'frobnicate'"),
    (["plan", "--bogus"], "plan: unknown option '--bogus'"),
    (["plan", "extra"], "plan: unexpected argument 'extra'"),
    (["plan", "--b"], "--b needs a value"),
    (["plan", "--b", "abc"], "--b: 'abc' is not a non-negative integer"),
    (["plan", "--b", "0"], "--b: must be at least 1, got 0"),
    (["plan", "--b", "-3"], "--b: '-3' is negative"),
    (["plan", "--b", "12x"], "--b: '12x' is not a non-negative integer"),
    (["plan", "--b", ""], "--b: empty value"),
    (["plan", "--b", "99999999999999999999"], "--b: '99999999999999999999' does not fit in 64 bits"),
    (["plan", "--b=1.5"], "--b: '1.5' is not a non-negative integer"),
    (["plan", "--h", "0"], "--h: must be at least 1"),
    (["plan", "--d", "x"], "--d: 'x' is not a non-negative integer"),
    (["plan", "--sq", "0"], "--sq: must be at least 1"),
    (["plan", "--sk", "-1"], "--sk: '-1' is negative"),
    (["plan", "--ratio", "0"], "--ratio: must be at least 1"),
    (["plan", "--k", "0"], "--k: must be at least 1"),
    (["plan", "--top-k", "many"], "--top-k: 'many' is not a non-negative integer"),
    (["plan", "--budget", "12Q"], "--budget: '12Q' is not a non-negative integer"),
    (["plan", "--budget", "99999999999T"], "--budget: '99999999999T' does not fit in 64 bits"),
    (["plan", "--granularity", "0"], "--granularity: must be at least 1"),
    (["plan", "--preset", "nope"], "unknown preset 'nope'"),
    (["plan", "--preset"], "--preset needs a value"),
    (["plan", "--preset", "v4-flash", "--preset", "v3.2"], "--preset given twice"),
    (["plan", "--gpu", "a100"], "unknown GPU 'a100'"),
    (["plan", "--gpu", "h100", "--reserve", "999G"], "--reserve: reserve 1072668082176 B is larger than the GPU's 85520809984 B"),
    (["plan", "--reserve", "lots"], "--reserve: 'lots' is not a non-negative integer"),
    (["plan", "--profile", "nope"], "unknown profile 'nope' (known: "),
    (["plan", "--profile", "../../etc/passwd"], "unknown profile '../../etc/passwd'"),
    (["plan", "--profile", "fused,,streaming"], "--profile: 'fused,,streaming' is not a profile name list"),
    (["plan", "--profile", "fused", "--profile", "fused"], "profile 'fused' given twice"),
    (["plan", "--profile-file", "/nonexistent/x.profile"], "cannot open profile '/nonexistent/x.profile'"),
    (["plan", "--format", "xml"], "--format: unknown format 'xml' (known: table, json, csv)"),
    (["plan", "--causal", "sometimes"], "--causal: unknown causal rule 'sometimes'"),
    (["plan", "--q-dtype", "fp7"], "--q-dtype: unknown dtype 'fp7'"),
    (["plan", "--index-dtype", ""], "--index-dtype: empty dtype name"),
    (["plan", "--preset", "v4-flash", "--sk", "100", "--ratio", "4"], "sk 100 conflicts with ratio 4"),
    (["plan", "--preset", "v4-flash", "--sk", "100"], "causal-compressed needs a compression ratio"),
    (["plan", "--preset", "v4-flash", "--sq", "3"], "sq 3 is smaller than ratio 4"),
    (["plan", "--b", "4294967296", "--sq", "4294967296", "--sk", "4294967296"], "b*sq*h*sk*d overflows 64 bits"),
    (["plan", "--param", "max_logits_mb"], "--param: 'max_logits_mb' is not NAME=VALUE"),
    (["plan", "--param", "=5"], "--param: '=5' is not NAME=VALUE"),
    (["plan", "--param", "nothing=5"], "--param: no selected profile has a param 'nothing'"),
    (["plan", "--profile", "vllm", "--param", "max_logits_mb=x"], "--param: 'x' is not a non-negative integer"),
    (["plan", "--profile", "fused", "--param", "max_logits_mb=5"], "no selected profile has a param 'max_logits_mb'"),
    (["plan", "--profile", "reference", "--sq", "1000000000", "--sk", "1000000", "--h", "64", "--b", "64", "--d", "1"],
     "reference.profile:19: let 'slab' overflows uint64 in nbytes"),
    (["cliff", "--gpu"], "--gpu needs a value"),
    (["cliff", "--bogus"], "cliff: unknown option '--bogus'"),
    (["cliff", "--gpu", "h200", "--reserve", "200G"], "is larger than the GPU's 150754820096 B"),
    (["sweep"], "sweep: --sq FROM:TO[:xFACTOR|+STEP] is required"),
    (["sweep", "--sq", "1:"], "--sq TO: empty value"),
    (["sweep", "--sq", "10:1"], "--sq: FROM 10 is larger than TO 1"),
    (["sweep", "--sq", "1:10:y3"], "--sq: '1:10:y3' is not FROM:TO[:xFACTOR|+STEP]"),
    (["sweep", "--sq", "1:10:x1"], "--sq: factor must be at least 2"),
    (["sweep", "--sq", "1:10:+0"], "--sq +STEP: must be at least 1"),
    (["sweep", "--sq", "0:10"], "--sq FROM: must be at least 1"),
    (["sweep", "--sq", "a:10"], "--sq FROM: 'a' is not a non-negative integer"),
    (["sweep", "--sq", "1:100000000000:+1"], "--sq: more than 10000000 points"),
    (["sweep", "--sq", "1:16", "--preset", "v4-flash"], "sq=1: sq 1 is smaller than ratio 4"),
    (["indexcache", "--preset", "v4-flash"], "indexcache: the number of layers is required (the preset has no layer count)"),
    (["indexcache", "--layers", "0"], "--layers: must be at least 1"),
    (["indexcache", "--layers", "8", "--stages", "9"], "stages must be between 1 and the number of layers (8)"),
    (["indexcache", "--layers", "8", "--every", "0"], "--every: must be at least 1"),
    (["indexcache", "--layers", "8", "--every", "2", "--full-layers", "0,4"], "give --every or --full-layers, not both"),
    (["indexcache", "--layers", "8", "--stages", "2", "--stage-starts", "0,4"], "give --stages or --stage-starts, not both"),
    (["indexcache", "--layers", "8", "--stage-starts", "1,4"], "the first stage must start at layer 0"),
    (["indexcache", "--layers", "8", "--stage-starts", "0,4,2"], "stage starts must be strictly ascending (2 after 4)"),
    (["indexcache", "--layers", "8", "--indexer-layers", "1,9"], "indexer layers: layer 9 is beyond the last layer (8 layers)"),
    (["indexcache", "--layers", "8", "--indexer-layers", "1,,2"], "--indexer-layers: '1,,2' is not a comma-separated list"),
    (["indexcache", "--layers", "8", "--indexer-layers", "1,3", "--full-layers", "2"], "full layer 2 carries no indexer"),
    (["indexcache", "--layers", "8", "--link-gbps", "0"], "--link-gbps: must be greater than 0"),
    (["indexcache", "--layers", "8", "--link-gbps", "fast"], "--link-gbps: 'fast' is not a finite number"),
    (["indexcache", "--layers", "8", "--tflops", "-5"], "--tflops: must be greater than 0"),
    (["indexcache", "--layers", "8", "--tflops", "inf"], "--tflops: 'inf' is not a finite number"),
    (["indexcache", "--layers", "5000"], "layers must be between 1 and 4096"),
    (["indexcache", "--layers", "8", "--index-heads", "0"], "--index-heads: must be at least 1"),
    (["indexcache", "--layers", "8", "--index-dtype", "fp4"], "index dtype fp4 is not a whole number of bytes"),
    # engines (data/engines) and one engine step (--prefix)
    (["plan", "--engine", "nope"], "unknown engine 'nope' (known: "),
    (["plan", "--engine"], "--engine needs a value"),
    (["plan", "--engine", "vllm-v3.2", "--engine", "sglang-v3.2"], "--engine given twice"),
    (["cliff", "--engine", "vllm-v3.2", "--profile", "fused"], "--engine vllm-v3.2 plans profile 'vllm'; --profile 'fused' is another one"),
    (["sweep", "--sq", "1024:4096", "--engine", "vllm-v3.2", "--profile", "vllm,sglang"], "--profile 'sglang' is another one"),
    (["plan", "--engine", "vllm-v3.2", "--param", "mem_fraction_static_permille=800"],
     "--param: no selected profile has a param 'mem_fraction_static_permille'"),
    (["plan", "--prefix", "x"], "--prefix: 'x' is not a non-negative integer"),
    (["plan", "--prefix", "-1"], "--prefix: '-1' is negative"),
    (["plan", "--preset", "v4-flash", "--prefix", "4", "--sk", "9"], "give --prefix or --sk, not both"),
    (["plan", "--preset", "v4-flash", "--prefix", "1", "--sq", "2"], "prefix 1 + sq 2 is smaller than ratio 4: no compressed key exists"),
    (["plan", "--prefix", "18446744073709551615", "--sq", "1"], "prefix 18446744073709551615 + sq 1 overflows 64 bits"),
]

# Bad profile files through --profile-file: the file:line message reaches the user.
BAD_FILES = [
    ("nophase.profile", "name t\nbuffer x = b live a\n", "nophase.profile:2: declare phases before buffers"),
    ("unknown.profile", "name t\nphase a\nbuffer x = q_bytes live a\n", "unknown.profile:3: buffer 'x': unknown name 'q_bytes'"),
    ("paren.profile", "name t\nphase a\nbuffer x = (b live a\n", "paren.profile:3: buffer 'x': missing ')'"),
    ("dup.profile", "name t\nphase a\nbuffer x = 1 live a\nbuffer x = 2 live a\n", "dup.profile:4: buffer 'x' declared twice"),
    ("noname.profile", "phase a\nbuffer x = 1 live a\n", "noname.profile:3: profile has no 'name'"),
    ("directive.profile", "name t\nbufer x = 1 live a\n", "directive.profile:2: unknown directive 'bufer'"),
    ("overflow.profile", "name t\nphase a\nbuffer x = sq * sq * sq * sq * sq * sq live a\n",
     "overflow.profile:3: buffer 'x' overflows uint64 in '*'"),
    ("below.profile", "name t\nphase a\nbuffer x = b - sq live a\n", "below.profile:3: buffer 'x' goes below zero in '-'"),
    ("divzero.profile", "name t\nphase a\nbuffer x = sq / (b - 2) live a\n", "divzero.profile:3: buffer 'x' divides by zero"),
    ("binary.profile", "name t\x00\n", "binary.profile: contains a NUL byte"),
]

for args, want in BAD:
    code, out, err = run(args)
    lines = [l for l in err.splitlines() if l.startswith("cliffwatch-cli: ")]
    check(code == 2, f"{args}: exit {code}, want 2 (stderr {err!r})")
    check(len(lines) == 1 and want in lines[0], f"{args}: stderr {err!r}, want {want!r}")
    check("Traceback" not in err and "AddressSanitizer" not in err and "runtime error" not in err, f"{args}: crash {err!r}")

for name, text, want in BAD_FILES:
    path = profile_file(name, text)
    code, out, err = run(["plan", "--profile-file", path, "--b", "2"])
    check(code == 2, f"{name}: exit {code}, want 2")
    check(err.startswith("cliffwatch-cli: ") and want in err and err.count("\n") == 1, f"{name}: stderr {err!r}, want {want!r}")

# A missing data directory is an error, not a crash.
code, out, err = run(["plan"], env={"CW_DATA_DIR": "/nonexistent-cw-data"})
check(code == 2 and "cliffwatch-cli: " in err, f"no data dir: {code} {err!r}")

# ---- good paths ------------------------------------------------------------
for args in (["--help"], ["plan", "--help"], ["cliff", "--help"], ["sweep", "--help"], ["indexcache", "--help"]):
    code, out, err = run(args)
    check(code == 0 and "Usage: cliffwatch-cli" in out and err == "", f"{args}: help {code} {err!r}")

# plan JSON: the shapes issue 2 names, and exact bytes.
code, out, err = run(["plan", "--preset", "v4-flash", "--gpu", "h200", "--format", "json"])
check(code == 0, f"plan json exit {code} {err}")
doc = json.loads(out)
names = [p["name"] for p in doc["profiles"]]
for want in ("reference", "materialize", "fused", "streaming", "vllm", "sglang", "deepgemm", "streamindex"):
    check(want in names, f"plan json lacks {want}")
prof = {p["name"]: p for p in doc["profiles"]}
mat = prof["materialize"]
check(set(("name", "peak_bytes", "fits", "phases", "buffers")) <= set(mat), f"plan keys {sorted(mat)}")
slab = [b for b in mat["buffers"] if b["name"] == "slab"][0]
check(slab["bytes"] == 274877906944, f"V4-Flash slab {slab['bytes']}")
check(mat["fits"] is False and prof["streaming"]["fits"] is True, "fits flags")
check(mat["peak_bytes"] == sum(b["bytes"] for b in mat["buffers"]), "materialize peak = sum of its buffers")
check(max(p["live_bytes"] for p in mat["phases"]) == mat["peak_bytes"], "peak = max phase")
check(doc["gpu"]["usable_bytes"] == 150754820096 - 1073741824, f"usable {doc['gpu']}")

code, out, err = run(["plan", "--preset", "megacpp-slab-example", "--profile", "reference", "--format", "json"])
ref = json.loads(out)["profiles"][0]
check([b["bytes"] for b in ref["buffers"] if b["name"] == "logits_slab"] == [17179869184], "slab example")

for preset, want in (("megacpp-bounded-65k", 384 << 20), ("megacpp-bounded-131k", 768 << 20)):
    code, out, err = run(["plan", "--preset", preset, "--profile", "bounded-outputs", "--format", "json"])
    check(code == 0 and json.loads(out)["profiles"][0]["peak_bytes"] == want, f"{preset}: {out[:200]} {err}")

# --param changes the vllm logits chunk; granularity rounds every buffer.
code, out, err = run(["plan", "--preset", "v4-flash", "--profile", "vllm", "--param", "max_logits_mb=256", "--format", "json"])
small = json.loads(out)["profiles"][0]
code, out, err = run(["plan", "--preset", "v4-flash", "--profile", "vllm", "--format", "json"])
big = json.loads(out)["profiles"][0]
lb = lambda p: [b["bytes"] for b in p["buffers"] if b["name"] == "logits"][0]
check(lb(small) < lb(big) <= 600 * 2**20, f"vllm logits {lb(small)} {lb(big)}")
code, out, err = run(["plan", "--preset", "v4-flash", "--profile", "fused", "--granularity", "2M", "--format", "json"])
check(all(b["bytes"] % (2 << 20) == 0 for b in json.loads(out)["profiles"][0]["buffers"]), "granularity")

# A user profile file works without recompiling.
path = profile_file("mine.profile", "name mine\nsource test\nphase a\nbuffer x = 2 * b * sq live a\n")
code, out, err = run(["plan", "--profile-file", path, "--b", "3", "--sq", "5", "--format", "json"])
check(code == 0 and json.loads(out)["profiles"][0]["peak_bytes"] == 30, f"user profile {out} {err}")

# cliff JSON: exact boundary, cross-checked with plan at max_sq and max_sq + 1.
code, out, err = run(["cliff", "--preset", "v4-flash", "--gpu", "h100", "--reserve", "2G", "--format", "json"])
check(code == 0, f"cliff {err}")
cl = json.loads(out)
for p in cl["profiles"]:
    check(set(("name", "max_sq", "max_b", "max_h", "limits")) <= set(p), f"cliff keys {p}")
    check(p["limits"]["sq"] in ("memory", "nothing-fits", "size-overflow"), f"cliff limit {p}")
usable = cl["gpu"]["usable_bytes"]
check(usable == 85520809984 - (2 << 30), f"usable {usable}")
for p in cl["profiles"]:
    if p["name"] not in ("materialize", "fused", "streaming", "reference"):
        continue
    m = p["max_sq"]
    _, o1, _ = run(["plan", "--preset", "v4-flash", "--gpu", "h100", "--reserve", "2G", "--profile", p["name"],
                    "--sq", str(m), "--format", "json"])
    _, o2, e2 = run(["plan", "--preset", "v4-flash", "--gpu", "h100", "--reserve", "2G", "--profile", p["name"],
                     "--sq", str(m + 1), "--format", "json"])
    check(json.loads(o1)["profiles"][0]["fits"] is True, f"{p['name']} fits at max_sq {m}")
    check(json.loads(o2)["profiles"][0]["fits"] is False, f"{p['name']} does not fit at max_sq+1 {m + 1}")

# sweep: one row per point per profile.
code, out, err = run(["sweep", "--preset", "v4-flash", "--sq", "4096:65536", "--profile", "materialize,streaming", "--format", "json"])
pts = json.loads(out)["points"]
check(len(pts) == 2 * 5, f"sweep points {len(pts)}")
check([p["sq"] for p in pts[:5]] == [4096, 8192, 16384, 32768, 65536] and pts[4]["sk"] == 16384, "sweep sq/sk")
check(pts[4]["peak_bytes"] == 280536023040, f"sweep peak {pts[4]}")
code, out, err = run(["sweep", "--preset", "v4-flash", "--sq", "4096:4106:+5", "--profile", "fused", "--format", "csv"])
rows = out.strip().splitlines()
check(rows[0] == "profile,sq,sk,peak_bytes,fits" and len(rows) == 4 and rows[2].startswith("fused,4101,1025,"), f"sweep csv {rows}")
code, out, err = run(["sweep", "--preset", "v4-flash", "--sq", "65536:68719476736:x1024", "--profile", "reference", "--format", "json"])
pts = json.loads(out)["points"]
check(code == 0 and pts[-1].get("overflow") is True and pts[-1]["peak_bytes"] is None, f"sweep overflow {pts}")

# indexcache: the MegaCpp payload, and fail-closed promotion at a boundary.
code, out, err = run(["indexcache", "--preset", "index-cache-example", "--layers", "8", "--every", "3", "--stages", "2",
                      "--link-gbps", "25", "--tflops", "100", "--format", "json"])
ic = json.loads(out)
check(ic["payload_bytes"] == 52428800000, f"payload {ic['payload_bytes']}")
roles = [l["role"] for l in ic["layers"]]
check(roles == ["full", "shared", "shared", "full", "promoted", "shared", "full", "shared"], f"roles {roles}")
b0 = ic["boundaries"][0]
check(b0["consumer"] == 4 and b0["decision"] == "recompute" and b0["payload_bytes"] == 52428800000, f"boundary {b0}")
check(abs(b0["transfer_s"] - 2.097152) < 1e-6 and abs(b0["recompute_s"] - 1.6384) < 1e-6, f"times {b0}")
code, out, err = run(["indexcache", "--preset", "v4-pro", "--stages", "4", "--format", "json"])
ic = json.loads(out)
check(len(ic["layers"]) == 61 and sum(l["role"] != "-" for l in ic["layers"]) == 30, "v4-pro layers")

# top level lists the subcommands and says which are not built.
code, out, err = run(["--help"])
check(all(c in out for c in ("plan", "cliff", "sweep", "indexcache", "receipts", "chart")), "top-level help")

# The GUI's no-display fallback prints the V4-Flash plan.
code, out, err = run(["plan", "--preset", "v4-flash", "--gpu", "h100-80gb"])
check(code == 0 and "deepseek-v4-flash" not in err and "274877906944 B (256.00 GiB, 274.88 GB)" in out, "table")

# ---- FIFOs and other non-regular files never block a loader --------------------
import shutil  # noqa: E402
fifo = os.path.join(tmp, "profile.fifo")
os.mkfifo(fifo)
try:
    code, out, err = run(["plan", "--preset", "v4-flash", "--profile-file", fifo])
    check(code == 2 and "not a regular file" in err and err.count("\n") == 1, f"--profile-file FIFO: {code} {err!r}")
    code, out, err = run(["plan", "--preset", "v4-flash", "--profile-file", tmp])
    check(code == 2 and "not a regular file" in err, f"--profile-file directory: {code} {err!r}")
    data = os.path.join(tmp, "data-with-fifos")
    shutil.copytree(os.environ["CW_DATA_DIR"], data, ignore=shutil.ignore_patterns("receipts"))
    os.mkfifo(os.path.join(data, "presets", "zz-fifo.preset"))
    os.mkfifo(os.path.join(data, "gpus", "zz-fifo.gpu"))
    os.mkfifo(os.path.join(data, "profiles", "zz-fifo.profile"))
    os.mkfifo(os.path.join(data, "engines", "zz-fifo.engine"))
    for args in (["plan", "--list"], ["plan", "--preset", "zz-fifo"], ["plan", "--preset", "v4-flash", "--gpu", "zz-fifo"],
                 ["plan", "--preset", "v4-flash", "--profile", "zz-fifo"], ["plan", "--engine", "vllm-v3.2"],
                 ["plan", "--engine", "zz-fifo"]):
        try:
            code, out, err = run(args, env={"CW_DATA_DIR": data})
            check(code in (0, 2), f"{args} with FIFOs in the data directory: exit {code} {err!r}")
            if code == 2:
                check(err.count("\n") == 1 and err.startswith("cliffwatch-cli: "), f"{args}: {err!r}")
        except subprocess.TimeoutExpired:
            check(False, f"{args} hung on a FIFO in the data directory")
except subprocess.TimeoutExpired:
    check(False, "--profile-file FIFO hung")

# ---- a profile error at a large size is an error, not a cliff ------------------
neg = profile_file("neg.profile", "name neg\ndescription below zero past sq 100000\nsource test\nphase a\n"
                   "buffer x = 100000000 - sq * 1000 live all\n")
code, out, err = run(["cliff", "--profile-file", neg, "--gpu", "h200", "--preset", "v4-flash"])
check(code == 2 and "goes below zero" in err and err.count("\n") == 1, f"cliff of a profile that errs: {code} {err!r}")

# ---- deep nesting is a parse error, not a stack overflow ----------------------
for n in (65, 2000, 100000):
    deep = profile_file(f"deep{n}.profile", "name deep\ndescription d\nsource t\nphase a\n"
                        "buffer x = " + "(" * n + "sq" + ")" * n + " live all\n")
    code, out, err = run(["plan", "--preset", "v4-flash", "--profile-file", deep])
    check(code == 2 and "deep" in err and ("nests deeper" in err or n > 2000) and err.count("\n") == 1,
          f"{n} nested parentheses: {code} {err[:200]!r}")
ok64 = profile_file("ok64.profile", "name okdeep\ndescription d\nsource t\nphase a\n"
                    "buffer x = " + "(" * 60 + "sq" + ")" * 60 + " live all\n")
code, out, err = run(["plan", "--preset", "v4-flash", "--profile-file", ok64])
check(code in (0, 1), f"60 nested parentheses still parse: {code} {err!r}")

# ---- rates above 2^63 B/s do not wrap; above 2^64 they are refused -------------
code, out, err = run(["indexcache", "--preset", "v3.2", "--sq", "131072", "--stages", "4", "--every", "4",
                      "--link-gbps", "1e10", "--format", "json"])
check(code == 0 and json.loads(out).get("link_bytes_per_s") == 10**19, f"--link-gbps 1e10: {code} {err!r}")
code, out, err = run(["indexcache", "--preset", "v3.2", "--sq", "131072", "--stages", "4", "--every", "4",
                      "--link-gbps", "2e10"])
check(code == 2 and "too large" in err and err.count("\n") == 1, f"--link-gbps 2e10: {code} {err!r}")

# ---- bounded work ------------------------------------------------------------
import time as _time  # noqa: E402
t0 = _time.monotonic()
code, out, err = run(["sweep", "--preset", "v3.2", "--sq", "1:10000000:+1"])
check(code == 2 and "rows" in err and len(out) == 0 and _time.monotonic() - t0 < 10,
      f"sweep of 10M points x every profile: {code} {err!r}")
code, out, err = run(["sweep", "--preset", "v3.2", "--profile", "fused", "--sq", "1:200000:+1", "--format", "csv"])
check(code == 0 and out.count("\n") == 200001, f"a 200,000-row sweep still runs: {code}")

# ---- chart files: well-formed with any title, atomic, no temporaries left --------
code, out, err = run(["chart", "--help"])
if code == 0:
    svg = os.path.join(tmp, "ctl.svg")
    # Control characters send fontconfig to its fallback lookup, whose cache
    # it never frees at exit (libfontconfig, not ours): no leak check here.
    code, out, err = run(["chart", "cliff", "--preset", "v4-flash", "--gpu", "h200", "--profile", "fused",
                          "--output", svg, "--title", "bad\x01title\x1b[31m"],
                         env={"ASAN_OPTIONS": "detect_leaks=0"})
    try:
        import xml.dom.minidom  # noqa: E402
        xml.dom.minidom.parse(svg)
        wellformed = True
    except Exception:  # noqa: BLE001
        wellformed = False
    check(code == 0 and wellformed, f"SVG with control characters in the title: {code} {err!r}")
    before = open(svg, "rb").read()
    code, out, err = run(["chart", "cliff", "--preset", "v4-flash", "--gpu", "h200", "--profile", "nosuch",
                          "--output", svg])
    check(code == 2 and open(svg, "rb").read() == before, "a failed chart command changed an existing file")
    check(not [f for f in os.listdir(tmp) if ".tmp-" in f], f"temporary chart files left: {os.listdir(tmp)}")

# ---- engines (data/engines): profile, params, dtypes, preset; explicit options win ----
def plan_json(args):
    code, out, err = run(["plan", "--format", "json"] + args)
    check(code == 0 and err == "", f"plan {args}: {code} {err!r}")
    return json.loads(out) if code == 0 else {"config": {}, "profiles": [{}], "preset": None, "engine": None}


code, out, err = run(["plan", "--list"])
check(code == 0 and "engines:" in out and all(f"  {n} " in out for n in
      ("vllm-v4-flash", "vllm-v3.2", "sglang-v3.2", "transformers")), f"plan --list engines: {code} {err!r}")
# vLLM serving V4-Flash, a chunk of 8192 after 65,536 cached tokens: sk = (65536 + 8192) / 4 = 18432,
# 1,499,097,104 B (tests/planner/test-engines.c derives it).
d = plan_json(["--engine", "vllm-v4-flash", "--sq", "8192", "--prefix", "65536"])
check(d["engine"] == "vllm-v4-flash" and d["preset"] == "deepseek-v4-flash", f"engine's preset: {d.get('preset')}")
check(d["config"].get("sk") == 18432 and d["config"].get("prefix") == 65536 and d["config"].get("ratio") == 4,
      f"engine step config: {d['config']}")
check(d["config"].get("q_dtype") == "fp8-e4m3" and d["config"].get("k_dtype") == "fp8-e4m3"
      and d["config"].get("w_dtype") == "fp32" and d["config"].get("index_dtype") == "int32", f"engine dtypes {d['config']}")
check([p.get("name") for p in d["profiles"]] == ["vllm"] and d["profiles"][0].get("peak_bytes") == 1499097104,
      f"engine step peak: {d['profiles']}")
# The engine is its options: the same plan spelled out gives the same bytes.
e = plan_json(["--preset", "v4-flash", "--profile", "vllm", "--param", "block_size=256", "--q-dtype", "fp8",
               "--k-dtype", "fp8", "--sq", "8192", "--prefix", "65536"])
check(e["engine"] is None and e["config"] == d["config"] and e["profiles"] == d["profiles"], "engine == explicit options")
# Explicit options win: --param over the engine's param, a dtype option over the engine's dtype,
# --preset over the engine's preset; --profile may repeat the engine's own profile.
f = plan_json(["--engine", "vllm-v4-flash", "--sq", "8192", "--prefix", "65536", "--param", "max_logits_mb=256",
               "--q-dtype", "bf16", "--profile", "vllm"])
check(f["config"].get("q_dtype") == "bf16" and f["config"].get("k_dtype") == "fp8-e4m3", f"dtype precedence {f['config']}")
check(f["profiles"][0].get("peak_bytes", 0) < d["profiles"][0]["peak_bytes"], "--param max_logits_mb=256 wins")
g = plan_json(["--engine", "vllm-v4-flash", "--preset", "v3.2", "--sq", "4096"])
check(g["preset"] == "v3.2" and g["config"].get("top_k") == 2048 and g["config"].get("q_dtype") == "fp8-e4m3",
      f"--preset wins over the engine's: {g.get('preset')} {g['config']}")
# V3.2 (ratio 1): a chunk of 4096 after 61,440 tokens is 4096 queries over 65,536 keys.
h1 = plan_json(["--engine", "vllm-v3.2", "--sq", "4096", "--prefix", "61440"])
h2 = plan_json(["--engine", "vllm-v3.2", "--sq", "4096", "--sk", "65536"])
check(h1["config"].get("sk") == 65536 and h1["profiles"][0].get("peak_bytes") == h2["profiles"][0].get("peak_bytes"),
      "prefix step == sq against sk")
# A decode step without a ratio: --sq 2 --prefix 99998 is 2 queries over 100,000 keys.
k = plan_json(["--profile", "fused", "--sq", "2", "--prefix", "99998"])
check(k["config"].get("sk") == 100000 and k["config"].get("ratio") == 0, f"decode step: {k['config']}")
code, out, err = run(["plan", "--engine", "transformers", "--sq", "1024", "--h", "16"])
check(code == 0 and out.startswith("engine: transformers\n") and "q=bf16" in out, f"transformers engine table: {code} {err!r}")
# cliff and sweep take the engine and the prefix: max_sq is the longest chunk after the prefix.
code, out, err = run(["cliff", "--engine", "vllm-v4-flash", "--prefix", "65536", "--gpu", "h100-80gb", "--format", "json"])
c = json.loads(out) if code == 0 else {"profiles": [{}]}
check(code == 0 and c.get("engine") == "vllm-v4-flash" and [p["name"] for p in c["profiles"]] == ["vllm"], f"cliff --engine: {code} {err!r}")
m = c["profiles"][0].get("max_sq", 0)
if m:
    usable = c["gpu"]["usable_bytes"]
    at = plan_json(["--engine", "vllm-v4-flash", "--prefix", "65536", "--sq", str(m)])["profiles"][0]["peak_bytes"]
    past = plan_json(["--engine", "vllm-v4-flash", "--prefix", "65536", "--sq", str(m + 1)])["profiles"][0]["peak_bytes"]
    check(at <= usable < past, f"cliff with a prefix: {m} fits ({at}), {m + 1} does not ({past}) at {usable}")
# cliff --prefix-axis: the longest context at this chunk size (max_prefix fits, max_prefix + 1 does not).
code, out, err = run(["cliff", "--engine", "vllm-v4-flash", "--sq", "8192", "--prefix-axis", "--gpu", "h200", "--format", "json"])
c = json.loads(out) if code == 0 else {"profiles": [{}], "gpu": {}}
mp = c["profiles"][0].get("max_prefix", 0)
check(code == 0 and mp > 0 and c["profiles"][0].get("prefix_limit") == "memory", f"cliff --prefix-axis: {code} {err!r}")
if mp:
    usable = c["gpu"]["usable_bytes"]
    at = plan_json(["--engine", "vllm-v4-flash", "--gpu", "h200", "--sq", "8192", "--prefix", str(mp)])["profiles"][0]["peak_bytes"]
    past = plan_json(["--engine", "vllm-v4-flash", "--gpu", "h200", "--sq", "8192", "--prefix", str(mp + 1)])["profiles"][0]["peak_bytes"]
    check(at == c["profiles"][0].get("peak_at_max_prefix") and at <= usable < past,
          f"max_prefix {mp}: {at} fits, {past} does not, at {usable}")
code, out, err = run(["cliff", "--engine", "vllm-v4-flash", "--sq", "8192", "--prefix-axis", "--format", "csv"])
check(code == 0 and out.splitlines()[0] == "profile,max_sq,max_b,max_h,max_prefix", f"cliff csv max_prefix: {out!r}")
code, out, err = run(["cliff", "--engine", "vllm-v4-flash", "--format", "csv"])
check(code == 0 and out.splitlines()[0] == "profile,max_sq,max_b,max_h", "cliff csv unchanged without --prefix-axis")
code, out, err = run(["sweep", "--engine", "vllm-v4-flash", "--prefix", "65536", "--sq", "4096:16384", "--format", "csv"])
rows = [l.split(",") for l in out.splitlines()[1:]]
check(code == 0 and [(r[0], r[1], r[2]) for r in rows] == [("vllm", "4096", "17408"), ("vllm", "8192", "18432"),
                                                           ("vllm", "16384", "20480")], f"sweep with a prefix: {code} {out!r} {err!r}")
check(rows[1][3] == "1499097104" if len(rows) > 1 else False, "sweep point = plan")
# Receipts store no prefix: profile refuses it (or, built without CUDA, refuses to run lanes at all).
for args, want in ((["profile", "--db", os.path.join(tmp, "never.db"), "--preset", "v4-flash", "--prefix", "5"],
                    "profile: --prefix is not stored in receipts"),
                   (["profile", "--exec", "--db", os.path.join(tmp, "never.db"), "--prefix", "5", "--", "true"],
                    "profile --exec: --prefix is not stored in receipts")):
    code, out, err = run(args)
    check(code == 2 and err.count("\n") == 1 and (want in err or "built without CUDA" in err)
          and not os.path.exists(os.path.join(tmp, "never.db")), f"{args}: {code} {err!r}")
# Bad engine files in a data directory: FILE:LINE, one line, exit 2.
data2 = os.path.join(tmp, "data-bad-engines")
shutil.copytree(os.environ["CW_DATA_DIR"], data2, ignore=shutil.ignore_patterns("receipts"))
for text, want in (("name bad\nprofile vllm\nparam nope = 1\n", "bad.engine:3: profile 'vllm' has no param 'nope'"),
                   ("name bad\nprofile vllm\nq_dtype fp7\n", "bad.engine:3: unknown dtype 'fp7'"),
                   ("name bad\nprofile vllm\nparam block_size = 64\nparam block_size = 1\n", "bad.engine:4: param 'block_size' set twice"),
                   ("name vllm-v3.2\nprofile vllm\n", "engine 'bad' is declared by both")):
    with open(os.path.join(data2, "engines", "bad.engine"), "w") as fh:
        fh.write(text)
    name = "vllm-v3.2" if "declared" in want else "bad"
    code, out, err = run(["plan", "--engine", name], env={"CW_DATA_DIR": data2})
    if "declared" in want:
        want = "engine 'vllm-v3.2' is declared by both bad.engine and vllm-v3.2.engine"
    check(code == 2 and want in err and err.count("\n") == 1 and err.startswith("cliffwatch-cli: "),
          f"bad engine file: {code} {err!r}, want {want!r}")

# A preset or GPU file dropped into the data directory cannot take over a
# shipped name, whichever sorts first (issue 17 item 16).
for sub, src, name, args in (("presets", "deepseek-v4-flash.preset", "deepseek-v3.2", ["plan", "--preset", "deepseek-v3.2"]),
                             ("gpus", "h100-80gb.gpu", "h200", ["plan", "--preset", "v3.2", "--gpu", "h200"])):
    if not os.path.exists(os.path.join(data2, sub, src)):
        continue
    with open(os.path.join(data2, sub, src)) as fh:
        text = "".join(("name " + name + "\n") if l.startswith("name ") else l for l in fh)
    clash = os.path.join(data2, sub, "aaa" + os.path.splitext(src)[1])
    with open(clash, "w") as fh:
        fh.write(text)
    code, out, err = run(args, env={"CW_DATA_DIR": data2})
    check(code == 2 and f"'{name}' is declared by both aaa" in err and err.count("\n") == 1,
          f"{sub} name clash: {code} {err!r}")
    os.unlink(clash)

# ---- write errors are failures ---------------------------------------------
if os.path.exists("/dev/full"):
    for args in (["plan", "--preset", "v4-flash"], ["sweep", "--preset", "v3.2", "--sq", "4096:65536"],
                 ["cliff", "--preset", "v4-flash", "--gpu", "h200"]):
        with open("/dev/full", "w") as full:
            p = subprocess.run([CLI] + args, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
        check(p.returncode == 1 and "cannot write the output" in p.stderr and p.stderr.count("\n") == 1,
              f"{args} > /dev/full: {p.returncode} {p.stderr!r}")

print(f"{checks} checks, {len(failures)} failures ({len(BAD) + len(BAD_FILES)} bad-input cases)")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
