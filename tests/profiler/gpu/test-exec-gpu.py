#!/usr/bin/env python3
"""tests/profiler/gpu: `cliffwatch-cli profile --exec` on a real GPU through
libcliffwatch-inject.so (suite gpu; exits 77 without a GPU).
Usage: test-exec-gpu.py CLI INJECT-LIBRARY KNOWN-ALLOC-PROGRAM TORCH-PROGRAM.py

The known-allocation program's receipts must equal the bytes its header
states, exactly; the PyTorch program's likewise above its warm-up (skipped
where torch is not installed)."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

CLI, INJECT, KNOWN, TORCH_PROG = sys.argv[1:5]
MIB = 1 << 20
if shutil.which("nvidia-smi") is None or subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode != 0:
    print("no GPU: skipped")
    sys.exit(77)

failures = []
checks = 0
tmp = tempfile.mkdtemp(prefix="cw-test-exec-gpu-")
env = dict(os.environ)
env.pop("CUDA_INJECTION64_PATH", None)
env["TMPDIR"] = tmp


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def run(db, program, extra=(), timeout=300):
    args = [CLI, "profile", "--exec", "--db", db, "--inject-library", INJECT] + list(extra) + ["--"] + program
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    print(f"$ {' '.join(args)}\nexit {p.returncode}\n{p.stdout}{p.stderr}", flush=True)
    return p.returncode, p.stdout, p.stderr


def q(db, sql):
    if not os.path.exists(db):
        return []
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def ranges(db):
    return {(n, o): (peak, opn, st, k) for n, o, peak, opn, st, k in
            q(db, "SELECT range_name, range_occurrence, measured_peak_bytes, range_open_bytes, status, n_kernels "
                  "FROM receipts")}


GLOBS = ["--range", "setup", "--range", "step", "--range", "inner", "--range", "window", "--range", "huge"]

# ---- ok: every number of the header -------------------------------------------
db = os.path.join(tmp, "ok.db")
rc, out, err = run(db, [KNOWN, "ok"], GLOBS)
check(rc == 0, f"ok: exit {rc}")
r = ranges(db)
check(r.get(("", 0), (0,))[0] == 443547649, f"ok: process peak {r.get(('', 0))}")
check(r.get(("setup", 1)) == (67108864, 0, "ok", 0), f"ok: setup {r.get(('setup', 1))}")
check(r.get(("step", 1)) == (443547649, 67108864, "ok", 1), f"ok: step {r.get(('step', 1))}")
check(r.get(("inner", 1)) == (443547649, 338690049, "ok", 0), f"ok: inner {r.get(('inner', 1))}")
check(r.get(("window", 1)) == (103809024, 70254592, "ok", 0), f"ok: window {r.get(('window', 1))}")
dev = q(db, "SELECT gpu_name, hbm_total_bytes, dropped_records, cupti_version FROM receipts LIMIT 1")
check(dev and "H" in dev[0][0] and dev[0][1] > 0 and dev[0][2] == 0 and dev[0][3] > 0, f"ok: provenance {dev}")
ev = q(db, "SELECT kind, count(*) FROM trace_events WHERE receipt_id = (SELECT id FROM receipts WHERE range_name = '') "
           "GROUP BY kind ORDER BY kind")
ev = dict(ev)
check(ev.get("alloc") == 6 and ev.get("free") == 6 and ev.get("kernel") == 1 and ev.get("memcpy") == 1
      and ev.get("memset") == 1, f"ok: trace {ev}")

# ---- ok-early: a range pushed before CUDA starts is still seen ------------------
db = os.path.join(tmp, "early.db")
rc, out, err = run(db, [KNOWN, "ok-early"], GLOBS)
r = ranges(db)
check(rc == 0 and r.get(("setup", 1), (0,))[0] == 67108864, f"ok-early: {r}")

# ---- failures ---------------------------------------------------------------------
db = os.path.join(tmp, "segv.db")
rc, out, err = run(db, [KNOWN, "segv"], GLOBS)
r = q(db, "SELECT status, error_message, measured_peak_bytes FROM receipts WHERE range_name = ''")
check(rc == 1 and r and r[0][0] == "error" and "SIGSEGV" in r[0][1] and r[0][2] == 443547649, f"segv: {r}")

db = os.path.join(tmp, "oom.db")
rc, out, err = run(db, [KNOWN, "oom"], GLOBS)
r = q(db, "SELECT status, oom_request_bytes, oom_live_bytes FROM receipts WHERE range_name = 'huge'")
check(rc == 1 and r == [("oom", 1125899906842624, 70254592)], f"oom: {r}")
n = q(db, "SELECT count(*) FROM receipts WHERE status = 'oom'")
check(n == [(2,)], f"oom: {n}")

db = os.path.join(tmp, "hang.db")
rc, out, err = run(db, [KNOWN, "hang"], GLOBS + ["--timeout", "5"])
r = q(db, "SELECT status, error_message, measured_peak_bytes FROM receipts WHERE range_name = ''")
# The whole-program peak is the step's 423 MiB + 1 B, as for segv; A and C (70254592 B) are
# what is live while it hangs.
check(rc == 1 and r and r[0][0] == "error" and "timed out" in r[0][1] and r[0][2] == 443547649, f"hang: {r}")

db = os.path.join(tmp, "nocuda.db")
rc, out, err = run(db, [KNOWN, "nocuda"])
check(rc == 1 and "never initialised CUDA" in err and not os.path.exists(db), "nocuda")

# ---- a PyTorch program, tensor level ----------------------------------------------
db = os.path.join(tmp, "torch.db")
rc, out, err = run(db, [sys.executable, TORCH_PROG], ["--range", "torch:*", "--allocator", "tensor"])
if rc == 1 and "never initialised CUDA" in err:
    print("torch program: no torch or no GPU for torch; skipped")
else:
    check(rc == 0, f"torch: exit {rc}")
    r = ranges(db)
    s = r.get(("torch:setup", 1))
    t = r.get(("torch:step", 1))
    check(s is not None and s[0] - s[1] == 96 * MIB, f"torch: setup {s}")
    check(t is not None and t[1] == s[0] and t[0] - t[1] == (256 + 48) * MIB, f"torch: step {t}")
    check(q(db, "SELECT DISTINCT exec_allocator FROM receipts") == [("tensor",)], "torch: allocator")
    line = [l for l in out.splitlines() if l.startswith("{")]

shutil.rmtree(tmp, ignore_errors=True)
for f in failures:
    print("FAIL", f)
print(f"{checks} checks, {len(failures)} failed")
sys.exit(1 if failures else 0)
