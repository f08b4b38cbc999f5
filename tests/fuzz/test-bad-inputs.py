#!/usr/bin/env python3
"""tests/fuzz: generated hostile inputs against cliffwatch-cli (issue 17).

Usage: test-bad-inputs.py CLIFFWATCH_CLI CW_SAMPLE_RECEIPTS [SEED]

Three generators, each seeded (the seed is printed so a failure replays):
  - profile files: the shipped profiles with random edits (characters
    deleted, inserted, lines duplicated or cut, numbers made huge) planned
    with --profile-file;
  - receipt databases: a sample database with bytes flipped, the file cut,
    or column values replaced through SQLite by wrong types, NULLs, blobs,
    huge and negative numbers and non-UTF-8 text, read by list, show,
    compare and export, and used as a merge source;
  - command lines: plan, cliff, sweep, receipts with hostile option values.
For every run it checks: no crash (no signal, no sanitizer report), a
non-zero exit carries exactly one line on stderr starting 'cliffwatch-cli:',
the run ends within its time limit, and the inputs it read are unchanged
(a failed merge leaves its target as it was). Runs under ASan/UBSan in CI."""
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

CLI, SAMPLE = sys.argv[1], sys.argv[2]
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else 20261203
rng = random.Random(SEED)
DATA = os.environ.get("CW_DATA_DIR", "")
tmp = tempfile.mkdtemp(prefix="cw-fuzz-")
failures, runs = [], 0
LIMIT_S = 20  # generous: sanitizer builds are slow; a hang is far longer


def digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


def run(args, inputs=(), what=""):
    """Runs the CLI; checks the contract; returns (rc, stdout, stderr)."""
    global runs
    runs += 1
    before = {p: digest(p) for p in inputs}
    try:
        p = subprocess.run([CLI] + args, capture_output=True, timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        failures.append(f"{what}: timed out after {LIMIT_S} s: {args}")
        return None, b"", b""
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0 or p.returncode >= 128:
        failures.append(f"{what}: killed by signal / crashed (rc {p.returncode}): {args}\n{err[-2000:]}")
    if "Sanitizer" in err or "runtime error:" in err:
        failures.append(f"{what}: sanitizer report: {args}\n{err[-3000:]}")
    if p.returncode not in (0,) and 0 < p.returncode < 128:
        lines = [l for l in err.splitlines() if l.strip()]
        # progress lines of long commands are allowed before the error; the
        # error itself is the last line and the only 'cliffwatch-cli:' one
        errs = [l for l in lines if l.startswith("cliffwatch-cli:")]
        if len(errs) != 1 or lines[-1] != errs[0]:
            failures.append(f"{what}: exit {p.returncode} without exactly one error line: {args}\n{err[-2000:]}")
    for path, d in before.items():
        if digest(path) != d:
            failures.append(f"{what}: {path} was modified by a read ({args})")
    return p.returncode, p.stdout, p.stderr


# ---- 1. profile files ---------------------------------------------------------------
ALPHABET = "()+-*/%,=#_ \n\t0123456789abcdefghijklmnopqrstuvwxyzMKGiB.:\x00\xff"
profiles = sorted(f for f in os.listdir(os.path.join(DATA, "profiles")) if f.endswith(".profile"))


def mutate_text(text):
    b = bytearray(text.encode())
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        if not b:
            b = bytearray(b"x")
        i = rng.randrange(len(b))
        if op == 0:
            del b[i]
        elif op == 1:
            b[i:i] = rng.choice(ALPHABET).encode("latin-1")
        elif op == 2:  # duplicate a line
            lines = b.split(b"\n")
            j = rng.randrange(len(lines))
            lines.insert(j, lines[j])
            b = bytearray(b"\n".join(lines))
        elif op == 3:  # cut the file
            b = b[:i]
        elif op == 4:  # a huge number
            b[i:i] = rng.choice([b"18446744073709551615", b"99999999999999999999999", b"4294967296"])
        else:  # deep nesting
            n = rng.choice([10, 70, 5000])
            b[i:i] = b"(" * n + b"1" + b")" * n
    return bytes(b)


for n in range(160):
    src = rng.choice(profiles)
    with open(os.path.join(DATA, "profiles", src), encoding="utf-8") as f:
        text = f.read()
    path = os.path.join(tmp, f"fuzz-{n}.profile")
    with open(path, "wb") as f:
        f.write(mutate_text(text))
    sq = rng.choice(["4096", "65536", "1048576", "4294967296"])
    run(["plan", "--profile-file", path, "--preset", rng.choice(["v3.2", "v4-flash"]), "--sq", sq],
        [path], f"profile {src} #{n}")
    if n % 4 == 0:
        run(["cliff", "--profile-file", path, "--preset", "v3.2", "--gpu", "h200"], [path], f"cliff {src} #{n}")

# ---- 2. receipt databases -------------------------------------------------------------
base = os.path.join(tmp, "base.db")
subprocess.run([SAMPLE, base, "7", "12"], check=True)
COLUMNS = ["sq", "b", "h", "d", "sk", "ratio", "top_k", "predicted_peak_bytes", "measured_peak_bytes",
           "lane_ns", "status", "lane", "uuid", "causal", "q_dtype", "gpu_name", "note", "recall",
           "memgetinfo_delta_bytes", "granularity", "chunk_budget_bytes"]
VALUES = [None, "abc", "", "1e30", 2.7, -1, -9223372036854775808, 9223372036854775807, b"\x00\xffblob",
          "\xff\xfe".encode("latin-1"), "ok\x1b[31m", "9" * 40]


def corrupt_db(path, n):
    kind = n % 3
    if kind == 0:  # flip bytes past the header
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            for _ in range(rng.randint(1, 8)):
                f.seek(rng.randrange(100, size))
                f.write(bytes([rng.randrange(256)]))
    elif kind == 1:  # cut
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.truncate(rng.randrange(0, size))
    else:  # wrong-typed values through SQLite, in the receipt rows and their children
        con = sqlite3.connect(path)
        for _ in range(rng.randint(1, 3)):
            table = rng.choice(["receipts", "receipts", "receipt_buffers", "receipt_phases", "trace_events"])
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            if not cols:
                continue
            col = rng.choice([c for c in COLUMNS if c in cols] or cols) if table == "receipts" else rng.choice(cols)
            key = "id" if table == "receipts" else "receipt_id"
            val = rng.choice(VALUES)
            try:
                if isinstance(val, bytes) and rng.random() < 0.5:
                    con.execute(f"UPDATE {table} SET {col} = CAST(? AS TEXT) WHERE {key} = ?",
                                (val, rng.randint(1, 12)))
                else:
                    con.execute(f"UPDATE {table} SET {col} = ? WHERE {key} = ?", (val, rng.randint(1, 12)))
            except sqlite3.Error:
                pass  # the schema's own constraints refused it: a good outcome, nothing to read
        con.commit()
        con.execute("PRAGMA journal_mode=DELETE")
        con.close()


for n in range(90):
    path = os.path.join(tmp, f"fuzz-{n}.db")
    shutil.copy(base, path)
    corrupt_db(path, n)
    for args in (["receipts", "list", path], ["receipts", "show", path, str(rng.randint(1, 12))],
                 ["receipts", "compare", path, "--format", rng.choice(["table", "json", "csv"])],
                 ["receipts", "export", path, "--format", rng.choice(["json", "csv"])]):
        run(args, [path], f"db #{n} {args[1]}")
    # An export that fails leaves an existing output file as it was.
    out = os.path.join(tmp, f"out-{n}.json")
    with open(out, "w") as fh:
        fh.write("previous\n")
    rc, _, _ = run(["receipts", "export", path, "--format", "json", "--output", out], [path], f"export file #{n}")
    with open(out, "rb") as fh:
        kept = fh.read()
    if rc not in (0, None) and kept != b"previous\n":
        failures.append(f"export file #{n}: exit {rc} but the output file changed")
    if rc == 0:
        # What an export writes is valid UTF-8 JSON, or it fails.
        try:
            json.loads(kept.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            failures.append(f"export file #{n}: exit 0 but the output is not valid UTF-8 JSON: {e}")
    # A merge that fails leaves its target exactly as it was.
    target = os.path.join(tmp, f"target-{n}.db")
    shutil.copy(base, target)
    rc, _, _ = run(["receipts", "merge", "--into", target, path], [path], f"merge #{n}")
    if rc not in (0, None) and digest(target) != digest(base):
        failures.append(f"merge #{n}: exit {rc} but the target changed")

# ---- 3. command lines -----------------------------------------------------------------
HOSTILE = ["", "-1", "0", "1e3", "0x10", "18446744073709551616", "99999999999999999999", "4k", "1.5",
           "nan", "inf", " 5", "5 ", "\x1b[2J", "\xff", "--sq", "1:10000000:+1", "1:2:*0", "64K:1:*2",
           "a" * 5000]
COMMANDS = {
    "plan": ["--sq", "--sk", "--b", "--h", "--d", "--top-k", "--ratio", "--prefix", "--reserve", "--budget",
             "--granularity", "--preset", "--gpu", "--profile", "--engine", "--param", "--format"],
    "cliff": ["--sq", "--b", "--ratio", "--prefix", "--gpu", "--preset", "--param-axis", "--step-axis", "--format"],
    "sweep": ["--sq", "--b", "--preset", "--profile", "--format"],
}
for n in range(260):
    cmd = rng.choice(sorted(COMMANDS))
    args = [cmd]
    for _ in range(rng.randint(1, 3)):
        opt = rng.choice(COMMANDS[cmd])
        args += [opt, rng.choice(HOSTILE)]
    if rng.random() < 0.2:
        args.append(rng.choice(["--bogus", "extra", "--sq"]))
    run(args, [], f"args #{n}")

shutil.rmtree(tmp, ignore_errors=True)
print(f"seed {SEED}: {runs} runs, {len(failures)} failure(s)")
for f in failures[:30]:
    print("FAIL", f)
sys.exit(1 if failures else 0)
