#!/usr/bin/env python3
"""tests/profiler/exec: `cliffwatch-cli profile --exec` end to end, without a GPU.
Usage: test-exec-cli.py PATH/TO/cliffwatch-cli PATH/TO/cw-fake-cuda-program

The stand-in program writes the spool the injection library would write
(tests/profiler/exec/cw-test-spool.h) and ends as its mode says; the test checks the
receipts by value, the exit statuses, the one-line errors, and that a failed
command stores nothing."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

CLI, FAKE = sys.argv[1], sys.argv[2]
MIB = 1024 * 1024
failures = []
checks = 0
tmp = tempfile.mkdtemp(prefix="cw-test-exec-cli-")
env = dict(os.environ)
env.pop("CUDA_INJECTION64_PATH", None)
env["TMPDIR"] = tmp


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def path(name):
    return os.path.join(tmp, name)


def exec_run(db, mode, extra=(), run_env=None, timeout=60):
    args = [CLI, "profile", "--exec", "--db", db, "--inject-library", FAKE] + list(extra) + ["--", FAKE, mode]
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=run_env or env)
    return p.returncode, p.stdout, p.stderr


def receipts(db):
    if not os.path.exists(db):
        return []
    p = subprocess.run([CLI, "receipts", "list", db, "--format", "json"], capture_output=True, text=True,
                       env=env)
    check(p.returncode == 0, f"receipts list {db}: {p.stderr}")
    return json.loads(p.stdout) if p.returncode == 0 else []


def rows(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def one_line_error(err, needle, what):
    lines = [l for l in err.strip().splitlines() if l.startswith("cliffwatch-cli:")]
    check(len(lines) == 1 and needle in lines[0], f"{what}: expected one 'cliffwatch-cli:' line with {needle!r}, got {err!r}")


def spools_left():
    return [d for d in os.listdir(tmp) if d.startswith("cliffwatch-spool-")]


# ---- ok: whole program + two occurrences of "step" with a prediction -----------
db = path("ok.db")
rc, out, err = exec_run(db, "ok", ["--range", "step", "--profile", "reference", "--preset", "v4-flash",
                                   "--sq", "1024"])
check(rc == 0, f"ok: exit {rc}: {err}")
check("3 receipt(s) from 1 process(es)" in out, f"ok: summary missing: {out}")
rs = rows(db, "SELECT lane, range_name, range_occurrence, measured_peak_bytes, range_open_bytes, status, "
              "profile, predicted_peak_bytes, exec_allocator, exec_program, n_kernels, exec_pid, gpu_name "
              "FROM receipts ORDER BY id")
check(len(rs) == 3, f"ok: {len(rs)} receipts")
if len(rs) == 3:
    whole, s1, s2 = rs
    check(whole[0] == "exec" and whole[1] == "" and whole[3] == 423 * MIB + 1, f"ok: whole {whole}")
    check(whole[6] == "" and whole[7] == 0, f"ok: the whole program carries no prediction with --range: {whole}")
    check(s1[1] == "step" and s1[2] == 1 and s1[3] == 423 * MIB + 1 and s1[4] == 64 * MIB, f"ok: step 1 {s1}")
    check(s2[2] == 2 and s2[3] == 352 * MIB + 1 and s2[4] == 320 * MIB + 1, f"ok: step 2 {s2}")
    check(s1[6] == "reference" and s1[7] > 0, f"ok: prediction missing {s1}")
    check(all(r[5] == "ok" and r[8] == "tensor" for r in rs), "ok: status/allocator")
    check(s1[9].endswith(" ok") and "cw-fake-cuda-program" in s1[9], f"ok: program {s1[9]}")
    check(s1[10] == 1 and s2[10] == 0, f"ok: kernels {s1[10]} {s2[10]}")
    check(whole[12] == "NVIDIA H200", "ok: gpu name")
check(spools_left() == [], f"ok: spool directory left behind: {spools_left()}")
# The same prediction the planner makes for that configuration.
p = subprocess.run([CLI, "plan", "--profile", "reference", "--preset", "v4-flash", "--sq", "1024", "--format",
                    "json"], capture_output=True, text=True, env=env)
plan = json.loads(p.stdout)
peak = plan["profiles"][0]["peak_bytes"] if "profiles" in plan else None
check(len(rs) == 3 and peak == rs[1][7], f"ok: stored prediction {rs[1][7] if rs else None} != plan {peak}")
# receipts show / compare know the exec lane
p = subprocess.run([CLI, "receipts", "compare", db], capture_output=True, text=True, env=env)
check(p.returncode == 1 and "disagree" in p.stderr, f"compare: the fake's bytes are not V4's: {p.returncode} {p.stderr}")

# ---- allocator level and the child's environment ------------------------------
for level, expect in (("tensor", "1"), ("reserved", "<unset>")):
    db = path(f"env-{level}.db")
    e2 = dict(env)
    e2["PYTORCH_NO_CUDA_MEMORY_CACHING"] = "1"
    rc, out, err = exec_run(db, "env", ["--allocator", level], run_env=e2)
    check(rc == 0, f"env {level}: exit {rc} {err}")
    check(f"PYTORCH_NO_CUDA_MEMORY_CACHING={expect}\n" in out, f"env {level}: {out}")
    check(f"CUDA_INJECTION64_PATH={os.path.realpath(FAKE)}\n" in out, f"env {level}: injection path {out}")
    check(f"NVTX_INJECTION64_PATH=" in out and "CW_SPOOL_DIR=" + tmp in out, f"env {level}: {out}")
    check(rows(db, "SELECT exec_allocator FROM receipts") == [(level,)], f"env {level}: allocator not stored")

# ---- failures that still are measurements: stored, exit 1 ---------------------
db = path("segv.db")
rc, out, err = exec_run(db, "segv", ["--range", "step"])
check(rc == 1, f"segv: exit {rc}")
r = rows(db, "SELECT status, error_message, exit_signal FROM receipts WHERE range_name = ''")
check(r and r[0][0] == "error" and "SIGSEGV" in r[0][1] and r[0][2] == signal.SIGSEGV, f"segv: {r}")
r = rows(db, "SELECT status FROM receipts WHERE range_name = 'step'")
check(r == [("ok",), ("ok",)], f"segv: ranges closed before the crash are ok: {r}")

db = path("kill.db")
rc, out, err = exec_run(db, "kill", ["--range", "step"])
check(rc == 1, f"kill: exit {rc}")
r = rows(db, "SELECT range_name, status, error_message, measured_peak_bytes FROM receipts ORDER BY id")
check(len(r) == 2 and r[0][1] == "error" and "SIGKILL" in r[0][2], f"kill: {r}")
check(len(r) == 2 and r[1][1] == "error" and "never closed" in r[1][2] and r[1][3] == 30 * MIB, f"kill: range {r}")

db = path("truncated.db")
rc, out, err = exec_run(db, "truncated", ["--range", "step"])
check(rc == 1 and "cut off" in err, f"truncated: exit {rc} {err}")
r = rows(db, "SELECT status, error_message FROM receipts WHERE range_name = ''")
check(r and r[0][0] == "error" and "cut off" in r[0][1], f"truncated: {r}")

db = path("exit1.db")
rc, out, err = exec_run(db, "exit1")
check(rc == 1, f"exit1: exit {rc}")
r = rows(db, "SELECT status, error_message, exit_code FROM receipts")
check(r == [("error", "exited with status 1", 1)], f"exit1: {r}")

db = path("oom.db")
rc, out, err = exec_run(db, "oom", ["--range", "huge"])
check(rc == 1, f"oom: exit {rc}")
r = rows(db, "SELECT range_name, status, oom_request_bytes, oom_live_bytes FROM receipts ORDER BY id")
check(r == [("", "oom", 1 << 50, 10 * MIB), ("huge", "oom", 1 << 50, 10 * MIB)], f"oom: {r}")

db = path("timeout.db")
t0 = time.monotonic()
rc, out, err = exec_run(db, "hang", ["--range", "step", "--timeout", "1"])
dt = time.monotonic() - t0
check(rc == 1 and dt < 30, f"timeout: exit {rc} after {dt:.1f} s")
r = rows(db, "SELECT status, error_message FROM receipts ORDER BY id")
check(len(r) == 2 and "timed out after 1 s" in r[0][1] and r[1][0] == "error", f"timeout: {r}")

db = path("fork.db")
rc, out, err = exec_run(db, "fork")
check(rc == 0 and "2 process(es)" in out, f"fork: exit {rc} {out} {err}")
r = rows(db, "SELECT exec_pid, measured_peak_bytes, status FROM receipts ORDER BY measured_peak_bytes")
check(len(r) == 2 and r[0][1] == 5 * MIB and r[1][1] == 423 * MIB + 1 and r[0][0] != r[1][0], f"fork: {r}")

# A forwarded signal: SIGTERM to cliffwatch-cli reaches the program's group.
db = path("sigterm.db")
args = [CLI, "profile", "--exec", "--db", db, "--inject-library", FAKE, "--", FAKE, "hang"]
proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
time.sleep(1.0)
proc.send_signal(signal.SIGTERM)
try:
    out, err = proc.communicate(timeout=30)
    check(proc.returncode == 1, f"sigterm: exit {proc.returncode} {err}")
    r = rows(db, "SELECT status, error_message FROM receipts")
    check(r and r[0][0] == "error" and "SIGTERM" in r[0][1], f"sigterm: {r}")
except subprocess.TimeoutExpired:
    proc.kill()
    check(False, "sigterm: the program was not stopped")

# A failed device query costs a provenance detail, not the measurement.
db = path("devwarn.db")
rc, out, err = exec_run(db, "devwarn")
check(rc == 0 and "warning: process" in err and "CUresult 4" in err, f"devwarn: exit {rc} {err}")
check(len(rows(db, "SELECT id FROM receipts")) == 1, "devwarn: receipt not stored")

# ---- nothing measured: exit 1, no receipt, no database left behind -------------
for mode, needle in (("nocuda", "never initialised CUDA"), ("subscriber", "another CUPTI subscriber"),
                     ("corrupt", "unknown record type 77")):
    db = path(f"{mode}.db")
    before = set(spools_left())
    rc, out, err = exec_run(db, mode)
    check(rc == 1, f"{mode}: exit {rc}")
    one_line_error(err, needle, mode)
    check(not os.path.exists(db), f"{mode}: a database was left behind")
    kept = set(spools_left()) - before
    check((len(kept) == 1) == (mode != "nocuda"), f"{mode}: spool kept for inspection: {kept}")
    for k in kept:
        shutil.rmtree(os.path.join(tmp, k))

# An existing database is untouched by a failed run.
db = path("ok.db")
n_before = len(rows(db, "SELECT id FROM receipts"))
rc, out, err = exec_run(db, "corrupt")
check(rc == 1 and len(rows(db, "SELECT id FROM receipts")) == n_before, "corrupt: existing database changed")
for k in spools_left():
    shutil.rmtree(os.path.join(tmp, k))

# ---- bad usage: exit 2, one line, nothing run ----------------------------------
noexec = path("not-executable")
with open(noexec, "w") as f:
    f.write("#!/bin/sh\n")
BAD = [
    (["--db", path("u.db")], "give the program after '--'"),
    (["--db", path("u.db"), "--"], "give the program after '--'"),
    (["--", FAKE, "ok"], "--db PATH is required"),
    (["--db", path("u.db"), "--", "no-such-program-cw"], "command not found"),
    (["--db", path("u.db"), "--", noexec], "is not executable"),
    (["--db", path("u.db"), "--", tmp], "is a directory"),
    (["--db", path("u.db"), "--allocator", "cached", "--", FAKE], "--allocator: 'cached'"),
    (["--db", path("u.db"), "--timeout", "0", "--", FAKE], "--timeout"),
    (["--db", path("u.db"), "--timeout", "-3", "--", FAKE], "--timeout"),
    (["--db", path("u.db"), "--profile", "reference,fused", "--", FAKE], "takes one profile"),
    (["--db", path("u.db"), "--profile", "nosuch", "--", FAKE], "nosuch"),
    (["--db", path("u.db"), "--range", "", "--", FAKE], "--range"),
    (["--db", path("u.db"), "--inject-library", path("missing.so"), "--", FAKE], "--inject-library"),
    (["--db", path("u.db"), "--bogus", "--", FAKE], "--bogus"),
]
for extra, needle in BAD:
    args = [CLI, "profile", "--exec"] + extra
    if "--inject-library" not in extra:
        args = [CLI, "profile", "--exec", "--inject-library", FAKE] + extra
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=30)
    check(p.returncode == 2, f"bad {extra}: exit {p.returncode}: {p.stderr}")
    one_line_error(p.stderr, needle, f"bad {extra}")
check(not os.path.exists(path("u.db")), "bad usage created a database")
e2 = dict(env)
e2["CUDA_INJECTION64_PATH"] = "/opt/nsight/libToolsInjection64.so"
rc, out, err = exec_run(path("u.db"), "ok", run_env=e2)
check(rc == 2, f"under another injection: exit {rc}")
one_line_error(err, "CUDA_INJECTION64_PATH is already set", "under another injection")
p = subprocess.run([CLI, "profile", "--exec", "--help"], capture_output=True, text=True, env=env)
check(p.returncode == 0 and "--allocator" in p.stdout and "--range" in p.stdout, "help")

shutil.rmtree(tmp, ignore_errors=True)
for f in failures:
    print("FAIL", f)
print(f"{checks} checks, {len(failures)} failed")
sys.exit(1 if failures else 0)
