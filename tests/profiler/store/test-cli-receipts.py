#!/usr/bin/env python3
"""tests/profiler/store: `cliffwatch-cli receipts` against sample databases.
Usage: test-cli-receipts.py PATH/TO/cliffwatch-cli PATH/TO/cw-sample-receipts
Bad usage must exit 2 with one 'cliffwatch-cli: ...' line; runtime failures
exit 1; good paths are checked by value (JSON parsed, CSV parsed)."""
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

CLI, SAMPLE = sys.argv[1], sys.argv[2]
failures = []
checks = 0
tmp = tempfile.mkdtemp(prefix="cw-test-receipts-")


def run(args):
    p = subprocess.run([CLI] + args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def path(name):
    return os.path.join(tmp, name)


def sample(name, seed, n):
    subprocess.run([SAMPLE, path(name), str(seed), str(n)], check=True)
    return path(name)


a = sample("a.db", 1, 6)
b = sample("b.db", 2, 3)
with open(path("text.db"), "w") as f:
    f.write("not a database at all, just some text that is long enough\n")
newer = path("newer.db")
shutil.copy(a, newer)
# bump the schema version with sqlite3's C API via python's sqlite3 module
import sqlite3  # noqa: E402
con = sqlite3.connect(newer)
con.execute("PRAGMA user_version = 99")
con.commit()
con.close()

# ---- bad usage: exit 2, one line on stderr -----------------------------------
BAD = [
    (["receipts"], "receipts: a command is required"),
    (["receipts", "frob"], "receipts: unknown command 'frob'"),
    (["receipts", "list"], "receipts list: a database is required"),
    (["receipts", "list", a, "--bogus"], "receipts list: unknown option '--bogus'"),
    (["receipts", "list", a, "extra"], "receipts list: unexpected argument 'extra'"),
    (["receipts", "list", a, "--status", "fine"], "--status: 'fine' is not ok, oom, capture-failed or error"),
    (["receipts", "list", a, "--sort", "size"], "--sort: 'size' is not id"),
    (["receipts", "list", a, "--limit", "-1"], "--limit: '-1' is negative"),
    (["receipts", "list", a, "--limit", "x"], "--limit: 'x' is not a non-negative integer"),
    (["receipts", "list", a, "--offset", "99999999999999999999"], "does not fit in 64 bits"),
    (["receipts", "list", a, "--format", "xml"], "xml"),
    (["receipts", "list", a, "--lane"], "--lane needs a value"),
    (["receipts", "list", a, "--trace"], "--trace belongs to show and export"),
    (["receipts", "show", a], "receipts show: give exactly one receipt id or UUID"),
    (["receipts", "show", a, "1", "2"], "receipts show: give exactly one receipt id or UUID"),
    (["receipts", "show", a, "abc"], "'abc' is neither a receipt id nor a UUID"),
    (["receipts", "show", a, "0"], "'0' is neither a receipt id nor a UUID"),
    (["receipts", "show", a, "1", "--format", "csv"], "--format is table or json"),
    (["receipts", "export", a], "--format csv or --format json is required"),
    (["receipts", "export", a, "--format", "table"], "--format csv or --format json is required"),
    (["receipts", "merge", a], "receipts merge: --into OUT.db is required"),
    (["receipts", "merge", "--into", path("m.db")], "give at least one input database"),
    (["receipts", "merge", "--into", path("m.db"), a, "--lane", "fused"], "takes only --into"),
    (["receipts", "merge", "--into", path("m.db"), a, "--limit", "3"], "takes only --into"),
    (["receipts", "merge", "--into", path("m.db"), a, "--sort", "sq"], "takes only --into"),
    (["receipts", "merge", "--into", path("m.db"), a, "--desc"], "takes only --into"),
    (["receipts", "merge", "--into", path("m.db"), a, "--output", path("x.txt")], "takes only --into"),
    (["receipts", "merge", "--into", path("m.db"), "--db", a], "not --db"),
]
for args, needle in BAD:
    rc, out, err = run(args)
    lines = err.strip().splitlines()
    check(rc == 2, f"{args}: exit {rc}, expected 2 (stderr: {err.strip()!r})")
    check(len(lines) >= 1 and lines[-1].startswith("cliffwatch-cli: ") and needle in lines[-1],
          f"{args}: stderr {err.strip()!r} lacks {needle!r}")

# ---- runtime failures: exit 1, clear message, nothing overwritten ------------
before = open(path("text.db"), "rb").read()
for args, needle in [
    (["receipts", "list", path("missing.db")], "no such receipt database"),
    (["receipts", "list", path("text.db")], "not a SQLite database"),
    (["receipts", "list", newer], "newer than this Cliffwatch knows"),
    (["receipts", "show", a, "999"], "no receipt with id 999"),
    (["receipts", "show", a, "00000000-0000-4000-8000-000000000000"], "no receipt with UUID"),
    (["receipts", "merge", "--into", path("m2.db"), path("text.db")], "not a SQLite database"),
    (["receipts", "merge", "--into", path("text.db"), a], "not a SQLite database"),
    (["receipts", "export", a, "--format", "csv", "--output", path("no/such/dir.csv")], "cannot write"),
]:
    rc, out, err = run(args)
    check(rc == 1, f"{args}: exit {rc}, expected 1 (stderr {err.strip()!r})")
    check(needle in err and err.startswith("cliffwatch-cli: receipts: "), f"{args}: stderr {err!r} lacks {needle!r}")
check(open(path("text.db"), "rb").read() == before, "a refused file was modified")
check(not os.path.exists(path("missing.db")), "list created a missing database")

# ---- help ---------------------------------------------------------------------
rc, out, err = run(["receipts", "--help"])
check(rc == 0 and "Usage: cliffwatch-cli receipts" in out and "merge" in out, "receipts --help")
rc, out, err = run(["receipts", "list", "--help"])
check(rc == 0 and "Usage:" in out, "receipts list --help")

# ---- list ---------------------------------------------------------------------
rc, out, err = run(["receipts", "list", a, "--format", "json"])
check(rc == 0, f"list json exit {rc}: {err}")
doc = json.loads(out)
rs = doc["receipts"]
check(len(rs) == 6, f"list json: {len(rs)} receipts")
check([r["id"] for r in rs] == [1, 2, 3, 4, 5, 6], "list json order")
check(rs[0]["lane"] == "materialize" and rs[1]["lane"] == "fused" and rs[2]["lane"] == "streaming", "lanes")
check(rs[3]["config"]["sq"] == 4096 << 3, "config sq")
check(rs[4]["status"] == "oom" and rs[4]["oom_request_bytes"] == 274877906944, "oom receipt")
check(rs[0]["note"] == 'sample seed 1 index 0, "quoted", comma', "note escaping round trip")
check(rs[0]["provenance"]["gpu_name"] == "NVIDIA H200", "gpu name")

rc, out, err = run(["--db", a] if False else ["receipts", "list", "--db", a, "--lane", "fused", "--format", "json"])
check([r["id"] for r in json.loads(out)["receipts"]] == [2, 5], "--lane fused")
rc, out, err = run(["receipts", "list", a, "--status", "oom", "--format", "json"])
check([r["id"] for r in json.loads(out)["receipts"]] == [5], "--status oom")
rc, out, err = run(["receipts", "list", a, "--search", "index 3", "--format", "json"])
check([r["id"] for r in json.loads(out)["receipts"]] == [4], "--search")
rc, out, err = run(["receipts", "list", a, "--gpu", "h100", "--format", "json"])
check(json.loads(out)["receipts"] == [], "--gpu h100 matches nothing")
rc, out, err = run(["receipts", "list", a, "--sort", "sq", "--desc", "--limit", "2", "--format", "json"])
check([r["id"] for r in json.loads(out)["receipts"]] == [6, 5], "--sort sq --desc --limit 2")
rc, out, err = run(["receipts", "list", a, "--sort", "sq", "--offset", "4", "--format", "json"])
check([r["id"] for r in json.loads(out)["receipts"]] == [5, 6], "--offset 4")
rc, out, err = run(["receipts", "list", a])
check(rc == 0 and "6 receipt(s)" in out and "materialize" in out, "list table")
rc, out, err = run(["receipts", "list", a, "--format", "csv"])
rows = list(csv.DictReader(io.StringIO(out)))
check(len(rows) == 6 and rows[0]["lane"] == "materialize" and rows[4]["status"] == "oom", "list csv")
check(rows[0]["note"] == 'sample seed 1 index 0, "quoted", comma', "csv quoting round trip")

# ---- show ---------------------------------------------------------------------
rc, out, err = run(["receipts", "show", a, "3", "--format", "json", "--trace"])
check(rc == 0, f"show exit {rc}: {err}")
r3 = json.loads(out)
check(r3["id"] == 3 and r3["buffers"] == [{"name": "q", "bytes": 1000, "input": True}], "show buffers")
check(len(r3["trace"]) == 1 and r3["trace"][0]["name"] == "score_kernel", "show trace")
rc, out, err = run(["receipts", "show", a, r3["uuid"]])
check(rc == 0 and r3["uuid"] in out and "DISAGREES" in out, "show by uuid, table, disagreement shown")

# ---- export -------------------------------------------------------------------
rc, out, err = run(["receipts", "export", a, "--format", "json", "--output", path("e.json")])
check(rc == 0 and out == "", f"export json to file: {rc} {err}")
exp = json.load(open(path("e.json")))
check(len(exp["receipts"]) == 6 and exp["receipts"][2]["phases"][0]["live_bytes"] == 2000, "export json content")
rc, out, err = run(["receipts", "export", a, "--format", "csv", "--trace"])
trows = list(csv.DictReader(io.StringIO(out)))
check(len(trows) == 6 and trows[0]["kind"] == "kernel" and trows[0]["start_ns"] == "100", "export trace csv")

# ---- compare: receipt 3 disagrees on purpose ----------------------------------
rc, out, err = run(["receipts", "compare", a, "--format", "json"])
cmp = json.loads(out)
check(rc == 1 and cmp["checked"] == 5 and cmp["disagree"] == 1, f"compare: rc {rc}, {cmp.get('checked')}")
check([c["id"] for c in cmp["comparisons"] if not c["agrees"]] == [3], "compare finds receipt 3")
rc, out, err = run(["receipts", "compare", a, "--lane", "fused"])
check(rc == 0 and "1 checked, 0 disagree" in out, f"compare fused: {rc} {out}")

# ---- diff: two receipts, one database or two ---------------------------------
rc, out, err = run(["receipts", "diff", a, "1", "2", "--format", "json"])
try:
    dj = json.loads(out)
    differing = [f["key"] for f in dj["fields"] if f["differs"]]
    check(rc == 0 and dj["a"]["id"] == 1 and dj["b"]["id"] == 2 and dj["differing"] == len(differing),
          f"diff json: {rc} {out[:200]!r}")
except ValueError:
    check(False, f"diff --format json is not JSON: {out[:200]!r}")
rc, out, err = run(["receipts", "diff", a, "1", a, "1"])
check(rc == 0 and out.strip().endswith("0 of 26 fields differ"), f"diff of a receipt with itself: {rc} {out[-80:]!r}")
rc, out, err = run(["receipts", "diff", a, "2", b, "1", "--format", "csv"])
drows = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and [r["key"] for r in drows][:3] == ["lane", "profile", "status"]
      and drows[-1]["key"] == "measured_peak", f"diff across databases csv: {rc} {out[:120]!r}")
for bad, why in ((["receipts", "diff", a, "1"], "give DB ID1 [DB2] ID2"),
                 (["receipts", "diff", a, "x", "2"], "neither a receipt id"),
                 (["receipts", "diff", a, "1", "2", "--lane", "fused"], "takes DB ID1 [DB2] ID2")):
    rc, out, err = run(bad)
    check(rc == 2 and why in err and err.count("\n") == 1, f"diff usage {bad[2:]}: {rc} {err!r}")
rc, out, err = run(["receipts", "diff", a, "1", "999"])
check(rc == 1 and "999" in err and err.count("\n") == 1 and out == "", f"diff of a missing receipt: {rc} {err!r}")
rc, out, err = run(["receipts", "diff", a, "1", path("no-such.db"), "1"])
check(rc == 1 and err.count("\n") == 1 and out == "", f"diff with a missing database: {rc} {err!r}")

# ---- merge: no duplicates ------------------------------------------------------
m = path("merged.db")
rc, out, err = run(["receipts", "merge", "--into", m, a, b])
check(rc == 0 and "9 receipts (9 added, 0 skipped" in out, f"merge: {rc} {out} {err}")
rc, out, err = run(["receipts", "merge", "--into", m, b, a])
check(rc == 0 and "9 receipts (0 added, 9 skipped" in out, f"merge again: {rc} {out} {err}")
rc, out, err = run(["receipts", "list", m, "--format", "json"])
uuids = [r["uuid"] for r in json.loads(out)["receipts"]]
check(len(uuids) == 9 and len(set(uuids)) == 9, "merged uuids unique")

# ---- a crafted trace depth is refused, not drawn as a 100 GB indent ---------
import time  # noqa: E402
for depth in (1073741823, 1073741824, -5):
    crafted = path(f"depth-{depth}.db")
    shutil.copy(a, crafted)
    con = sqlite3.connect(crafted)
    con.execute("UPDATE trace_events SET depth = ? WHERE receipt_id = (SELECT min(id) FROM receipts)", (depth,))
    con.commit()
    con.close()
    t0 = time.monotonic()
    rc, out, err = run(["receipts", "show", crafted, "1", "--trace"])
    check(rc == 1 and "depth" in err and err.count("\n") == 1 and len(out) < 10000 and time.monotonic() - t0 < 10,
          f"trace depth {depth}: {rc} {err!r} ({len(out)} B out)")

# ---- wrong-type values are a damaged receipt, never a silent number ---------
for column, value in (("sq", "abc"), ("sq", 2.7), ("measured_peak_bytes", "1e30"), ("b", None),
                      ("lane", b"\x00blob"), ("recall", "x")):
    crafted = path(f"type-{column}.db")
    shutil.copy(a, crafted)
    con = sqlite3.connect(crafted)
    con.execute("PRAGMA ignore_check_constraints = 1")
    try:
        con.execute(f"UPDATE receipts SET {column} = ? WHERE id = 2", (value,))
        con.commit()
    except sqlite3.IntegrityError:
        con.close()
        continue   # NOT NULL refuses it: nothing to read back
    con.close()
    rc, out, err = run(["receipts", "list", crafted])
    check(rc == 1 and "invalid" in err and column in err and err.count("\n") == 1,
          f"{column} = {value!r}: {rc} {err!r}")

# ---- a failed merge modifies nothing ----------------------------------------
target = path("target-delete-mode.db")
shutil.copy(b, target)
con = sqlite3.connect(target)
con.execute("PRAGMA journal_mode = DELETE")
con.close()
before = open(target, "rb").read()
rc, out, err = run(["receipts", "merge", "--into", target, a, path("text.db")])
check(rc == 1 and err.count("\n") == 1, f"merge with a bad input: {rc} {err!r}")
check(open(target, "rb").read() == before, "a failed merge changed the target (receipts or journal mode)")
check(not os.path.exists(target + "-wal"), "a failed merge left a -wal beside a DELETE-mode target")
fresh = path("fresh-target.db")
rc, out, err = run(["receipts", "merge", "--into", fresh, a, path("text.db")])
check(rc == 1 and not os.path.exists(fresh), f"a failed merge into a new path left a file: {rc}")
bad_uuid = path("bad-uuid.db")
shutil.copy(a, bad_uuid)
con = sqlite3.connect(bad_uuid)
con.execute("UPDATE receipts SET uuid = '' WHERE id = 1")
con.commit()
con.close()
rc, out, err = run(["receipts", "merge", "--into", path("bad-uuid-target.db"), bad_uuid])
check(rc == 1 and "UUID" in err and not os.path.exists(path("bad-uuid-target.db")),
      f"merge of an empty UUID: {rc} {err!r}")

# ---- compare escapes what came from the file ---------------------------------
odd = path("odd-lane.db")
shutil.copy(a, odd)
con = sqlite3.connect(odd)
con.execute("UPDATE receipts SET lane = ?", ('fu"sed,\\x',))
con.commit()
con.close()
rc, out, err = run(["receipts", "compare", odd, "--format", "json"])
try:
    lanes = {c["lane"] for c in json.loads(out)["comparisons"]}
    check(lanes == {'fu"sed,\\x'}, f"compare json lanes {lanes}")
except ValueError:
    check(False, f"compare --format json is not JSON: {out[:200]!r}")
rc, out, err = run(["receipts", "compare", odd, "--format", "csv"])
rows_ = list(csv.reader(io.StringIO(out)))
check(len(rows_) > 1 and all(r[1] == 'fu"sed,\\x' for r in rows_[1:]), f"compare csv {rows_[:2]}")

# ---- a database cut short by a few bytes is damaged, not read ---------------
for cut in (1, 7, 10, 4096):
    short = path(f"short-{cut}.db")
    data = open(a, "rb").read()
    with open(short, "wb") as f:
        f.write(data[:-cut])
    rc, out, err = run(["receipts", "list", short])
    check(rc == 1 and "cut short" in err and err.count("\n") == 1, f"cut by {cut} B: {rc} {err!r}")

# ---- receipts check: the whole file on request; open checks only small files --
rc, out, err = run(["receipts", "check", a])
check(rc == 0 and out.strip().endswith("ok, schema version %s, 6 receipts" % out.split("schema version ")[-1].split(",")[0])
      and err == "", f"check good: {rc} {out!r} {err!r}")
rc, out, err = run(["receipts", "check", a, "--format", "json"])
check(rc == 2 and "receipts check: takes one database" in err, f"check usage: {rc} {err!r}")
# A file past the open-time quick_check limit (256 MiB) with one page of a
# filler blob's overflow chain zeroed: list still reads the receipts (no
# whole-file scan on open), check finds the damage.
big = path("big.db")
shutil.copy(a, big)
con = sqlite3.connect(big)
con.execute("CREATE TABLE filler (x BLOB)")
con.execute("INSERT INTO filler VALUES (zeroblob(260 * 1024 * 1024))")
con.commit()
page = con.execute("PRAGMA page_size").fetchone()[0]
npages = con.execute("PRAGMA page_count").fetchone()[0]
con.close()
with open(big, "r+b") as f:
    f.seek((npages // 2) * page)
    f.write(b"\xff" * page)
rc, out, err = run(["receipts", "list", big, "--format", "json"])
check(rc == 0 and len(json.loads(out)["receipts"]) == 6, f"list of a large file: {rc} {err!r}")
rc, out, err = run(["receipts", "check", big])
check(rc == 1 and "database is damaged" in err and err.count("\n") == 1, f"check damaged: {rc} {out!r} {err!r}")
os.unlink(big)

# ---- export without --trace reads no trace, and says how many there are -------
rc, out_plain, err = run(["receipts", "export", a, "--format", "json"])
rc2, out_trace, err2 = run(["receipts", "export", a, "--format", "json", "--trace"])
if rc == 0 and rc2 == 0:
    plain = json.loads(out_plain)["receipts"]
    traced = json.loads(out_trace)["receipts"]
    check(all("trace" not in r for r in plain), "export without --trace has no trace arrays")
    check([r["n_trace_events"] for r in plain] == [len(r["trace"]) for r in traced]
          and any(r["n_trace_events"] > 0 for r in plain)
          and [r["buffers"] for r in plain] == [r["buffers"] for r in traced]
          and [r["phases"] for r in plain] == [r["phases"] for r in traced],
          "export without --trace: counts, buffers and phases as with it")
else:
    check(False, f"export: {rc} {err!r} / {rc2} {err2!r}")

# ---- training lanes (issue 18): the gradient check shown, exported, listed, compared --
train = path("train.db")
shutil.copy(a, train)
con = sqlite3.connect(train)
con.execute("UPDATE receipts SET lane = 'gradcheck-dense', gradcheck = 'failed', gradcheck_worst = 1.75, "
            "gradcheck_worst_at = 'dk[12]' WHERE id = 1")
con.execute("UPDATE receipts SET lane = 'streaming-train', gradcheck = 'ok', gradcheck_worst = 0.25, "
            "gradcheck_worst_at = 'dq[3]' WHERE id = 2")
# A non-finite GPU value: the store keeps the worst error as +infinity.
con.execute("UPDATE receipts SET lane = 'gradcheck', gradcheck = 'failed', gradcheck_worst = 9e999, "
            "gradcheck_worst_at = 'dw[0]' WHERE id = 4")
con.commit()
con.close()
rc, out, err = run(["receipts", "show", train, "1"])
check(rc == 0 and "gradcheck      failed: worst |gpu - float64| 1.75 of the allowed" in out and "at dk[12]" in out,
      f"show gradcheck: {rc} {out!r} {err!r}")
rc, out, err = run(["receipts", "show", train, "3"])
check(rc == 0 and "gradcheck" not in out, f"show without a gradcheck: {rc} {err!r}")
rc, out, err = run(["receipts", "export", train, "--format", "json"])
try:
    got = {r["id"]: r["gradcheck"] for r in json.loads(out)["receipts"]}
    check(got[1] == {"status": "failed", "worst": 1.75, "worst_at": "dk[12]"}
          and got[2] == {"status": "ok", "worst": 0.25, "worst_at": "dq[3]"} and got[3] is None,
          f"export json gradcheck: {got}")
except (ValueError, KeyError) as e:
    check(False, f"export json: {rc} {e} {err!r}")
# CSV: the check's three columns come last, after every column CSV readers
# had before them (the old header is the new one's prefix), empty without a check.
old_header = ("id,uuid,sweep_id,lane,profile,status,b,h,d,sq,sk,ratio,top_k,causal,q_dtype,k_dtype,w_dtype,"
              "score_dtype,index_dtype,chunk_budget_bytes,granularity,gpu_name,gpu_uuid,hbm_total_bytes,"
              "driver_version,cuda_driver_version,cuda_runtime_version,cupti_version,host,cliffwatch_version,"
              "git_revision,time,predicted_peak_bytes,measured_peak_bytes,memgetinfo_delta_bytes,"
              "oom_request_bytes,oom_live_bytes,lane_ns,kernel_ns,unprofiled_lane_ns,tflops,recall,dropped_records,"
              "captured,instantiated,replayed,matched,capture_error,error,note")
for cmd in (["receipts", "export", train, "--format", "csv"], ["receipts", "list", train, "--format", "csv"]):
    rc, out, err = run(cmd)
    header = out.splitlines()[0] if out else ""
    check(rc == 0 and header == old_header + ",gradcheck,gradcheck_worst,gradcheck_worst_at",
          f"{cmd[1]} csv header: {rc} {header!r} {err!r}")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    got = {i: (rows[i]["gradcheck"], rows[i]["gradcheck_worst"], rows[i]["gradcheck_worst_at"])
           for i in ("1", "2", "3", "4")} if all(i in rows for i in ("1", "2", "3", "4")) else rows
    check(got == {"1": ("failed", "1.75", "dk[12]"), "2": ("ok", "0.25", "dq[3]"), "3": ("", "", ""),
                  "4": ("failed", "inf", "dw[0]")}
          and float(got["4"][1]) == math.inf and float(got["1"][1]) == 1.75,
          f"{cmd[1]} csv gradcheck: {got}")
    # Every row has as many fields as the header: nothing shifted under the old columns.
    check(all(len(r) == len(header.split(",")) for r in csv.reader(io.StringIO(out))),
          f"{cmd[1]} csv: a row's field count differs from the header's")
    check(rows.get("3", {}).get("note") == 'sample seed 1 index 2, "quoted", comma' and rows.get("3", {}).get("lane"),
          f"{cmd[1]} csv: the note column is still the note: {rows.get('3', {}).get('note')!r}")
rc, out, err = run(["receipts", "list", train, "--lane", "streaming-train"])
check(rc == 0 and "streaming-train" in out and "1 receipt(s)" in out, f"list --lane streaming-train: {rc} {out!r}")
rc, out, err = run(["receipts", "compare", train])
rows = [line.split() for line in out.splitlines()]
check(any(r[:2] == ["1", "gradcheck-dense"] for r in rows) and any(r[:2] == ["2", "streaming-train"] for r in rows),
      f"compare lists the training lanes: {out!r}")

# ---- a locked database fails after one busy wait, not two ----------------------
locked = path("locked.db")
shutil.copy(a, locked)
con = sqlite3.connect(locked, isolation_level=None)
con.execute("PRAGMA journal_mode = DELETE")
con.execute("BEGIN EXCLUSIVE")
t0 = time.monotonic()
rc, out, err = run(["receipts", "list", locked])
dt = time.monotonic() - t0
con.execute("ROLLBACK")
con.close()
check(rc == 1 and "locked by another process" in err and err.count("\n") == 1 and dt < 15,
      f"locked database: {rc} after {dt:.1f} s {err!r}")

shutil.rmtree(tmp)
print(f"{checks} checks, {len(failures)} failures")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
