#!/usr/bin/env python3
"""tests/profiler/store: `cliffwatch-cli calibrate` and `cliffwatch-cli indexcache --calibration`
against SYNTHETIC index-transfer receipts (test-calibrate-make-db; constructed
numbers, never measurements).
Usage: test-calibrate-cli.py CLI MAKE_DB SAMPLE_RECEIPTS
Bad usage exits 2, runtime failures exit 1, each with one 'cliffwatch-cli: ...'
line; good paths are checked by value against numbers computed here."""
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

CLI, MAKE_DB, SAMPLE = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []
checks = 0
tmp = tempfile.mkdtemp(prefix="cw-test-calibrate-")


def run(args):
    p = subprocess.run([CLI] + args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def close(got, want, rel=1e-6):
    return got is not None and abs(got - want) <= rel * abs(want)


def make(mode):
    path = os.path.join(tmp, mode + ".db")
    subprocess.run([MAKE_DB, path, mode], check=True)
    return path


def jrun(args):
    rc, out, err = run(args)
    check(rc == 0, f"{args}: exit {rc}: {err.strip()}")
    try:
        return json.loads(out)
    except ValueError:
        failures.append(f"{args}: not JSON: {out[:200]!r}")
        return None


# The planner's arithmetic, written out independently.
V4 = dict(b=1, h=64, d=128, ratio=4, top_k=512)
V32 = dict(b=1, h=64, d=128, ratio=1, top_k=2048)


def flops(cfg, sq):  # 2*b*sq*sk*h*d, halved (both presets are causal)
    return 2.0 * cfg["b"] * sq * (sq // cfg["ratio"]) * cfg["h"] * cfg["d"] / 2


def payload(cfg, sq):
    return cfg["b"] * sq * cfg["top_k"] * 4


def ns(seconds):  # receipts store whole ns
    return round(seconds * 1e9) * 1e-9


def recompute_wins(cfg, sq, bw, lat, rate):
    return not (lat + payload(cfg, sq) / bw < flops(cfg, sq) / rate)


nvlink = make("nvlink")
RUN_A = "00000000-0000-4000-8000-00000000000a"
RUN_B = "00000000-0000-4000-8000-00000000000b"

# ---- calibrate: the link fit recovers 100 GB/s and 10 us ----------------------
doc = jrun(["calibrate", "--db", nvlink, "--format", "json"])
if doc:
    link = doc["link"]
    check(close(link["gbps"], 100.0), f"bandwidth {link['gbps']} GB/s, want 100")
    check(close(link["bytes_per_s"], 100e9), "bytes_per_s")
    check(close(link["latency_s"], 10e-6), f"latency {link['latency_s']}, want 1e-5")
    check(link["fitted"] is True and len(link["points"]) == 5, "5 transfer points, fitted")
    sizes = sorted(p["payload_bytes"] for p in link["points"])
    want_sizes = sorted([payload(V4, s) for s in (32000, 128000, 512000)] + [payload(V32, s) for s in (32000, 128000)])
    check(sizes == want_sizes, f"payloads {sizes}")
    for p in link["points"]:
        check(close(p["gbps"], p["payload_bytes"] / p["seconds"] / 1e9, 1e-8), f"point gbps {p}")
        check(close(p["seconds"], 10e-6 + p["payload_bytes"] / 100e9, 1e-9), f"point seconds {p}")
    check(doc["gpu"] == "NVIDIA H200" and doc["link_name"] == "NVLink (P2P)", "gpu and link name")
    check(doc["runs"] == [RUN_A, RUN_B], f"runs {doc['runs']}")
    # throughput: V4 200/300/400, V3.2 500/500 TFLOP/s -> median 400
    rec = doc["recompute"]
    check(len(rec["points"]) == 5, "5 recompute points")
    check(close(rec["tflops"], 400.0), f"median {rec['tflops']} TFLOP/s, want 400")
    rates = sorted(round(p["tflops"]) for p in rec["points"])
    check(rates == [200, 300, 400, 500, 500], f"per-point rates {rates}")
    for p in rec["points"]:
        check(close(p["tflops"], p["flops"] / p["seconds"] / 1e12, 1e-8), f"point tflops {p}")
    # fit through the origin: sum(f*t)/sum(t^2), from the points as printed
    sft = sum(p["flops"] * p["seconds"] for p in rec["points"])
    stt = sum(p["seconds"] ** 2 for p in rec["points"])
    check(close(rec["tflops_fit"], sft / stt / 1e12, 1e-6), "throughput fit")
    check(doc["flags"] == "--link-gbps 100 --tflops 400", f"flags {doc['flags']!r}")

    # ---- crossover: per family, checked against the arithmetic above ----------
    fams = {f["preset"]: f for f in doc["crossover"]["families"]}
    check(sorted(fams) == ["deepseek-v3.2", "deepseek-v4-flash"], f"families {sorted(fams)}")
    for name, cfg, rate, sqs in (("deepseek-v4-flash", V4, 300e12, [32000, 128000, 512000]),
                                 ("deepseek-v3.2", V32, 500e12, [32000, 128000])):
        f = fams.get(name)
        if f is None:
            continue
        check(close(f["tflops"], rate / 1e12), f"{name}: family throughput {f['tflops']}")
        check(f["recompute_quadratic"] is True and f["recompute_wins"] == "below", f"{name}: kind")
        m = f["max_sq_recompute_wins"]
        # the family rate is a median of ns-rounded times: use the printed one
        r = f["tflops"] * 1e12
        check(recompute_wins(cfg, m, 100e9, 10e-6, r) and not recompute_wins(cfg, m + 1, 100e9, 10e-6, r),
              f"{name}: max sq {m} is the last sq where recompute wins")
        check(f["max_payload_bytes_recompute_wins"] == payload(cfg, m), f"{name}: payload at max sq")
        check("no payload size above which recompute wins" in f["verdict"], f"{name}: verdict {f['verdict']!r}")
        check([p["sq"] for p in f["points"]] == sqs, f"{name}: points {[p['sq'] for p in f['points']]}")
        for p, per in zip(f["points"], [200e12, 300e12, 400e12] if cfg is V4 else [500e12, 500e12]):
            sq = p["sq"]
            t = ns(10e-6 + payload(cfg, sq) / 100e9)
            rc_s = ns(flops(cfg, sq) / per)
            check(close(p["measured"]["transfer_s"], t, 1e-8), f"{name} sq {sq}: measured transfer")
            check(close(p["measured"]["recompute_s"], rc_s, 1e-8), f"{name} sq {sq}: measured recompute")
            check(p["measured"]["decision"] == ("transfer" if t < rc_s else "recompute"), f"{name} sq {sq}: decision")
            check(p["measured"]["decision"] == "transfer", f"{name} sq {sq}: transfer wins on this fast link")
            check(close(p["link_gbps_below_which_recompute_wins"], payload(cfg, sq) / (rc_s - 10e-6) / 1e9, 1e-6),
                  f"{name} sq {sq}: break-even bandwidth {p['link_gbps_below_which_recompute_wins']}")
            check(close(p["payload_bytes_above_which_recompute_wins"], 100e9 * (rc_s - 10e-6), 1e-6),
                  f"{name} sq {sq}: payload above which recompute wins")
            check(close(p["calibrated"]["recompute_s"], flops(cfg, sq) / r, 1e-7), f"{name} sq {sq}: calibrated recompute")
            check(close(p["calibrated"]["transfer_s"], 10e-6 + payload(cfg, sq) / 100e9, 1e-6),
                  f"{name} sq {sq}: calibrated transfer")

# --run selects one run; --gpu-filter is case-insensitive
doc = jrun(["calibrate", nvlink, "--run", RUN_B, "--format", "json"])
if doc:
    check(len(doc["link"]["points"]) == 2 and close(doc["recompute"]["tflops"], 500.0), "--run: V3.2 only")
    check(close(doc["link"]["gbps"], 100.0) and close(doc["link"]["latency_s"], 10e-6), "--run: fit")
doc = jrun(["calibrate", nvlink, "--gpu-filter", "h200", "--format", "json"])
check(doc is not None and len(doc["link"]["points"]) == 5, "--gpu-filter h200")

# table and csv carry the same numbers
rc, out, err = run(["calibrate", "--db", nvlink])
check(rc == 0 and "planner flags: --link-gbps 100 --tflops 400" in out, f"table flags: {out[-300:]!r}")
check("bandwidth 100.0000 GB/s, latency 10.00 us" in out, "table fit line")
check("There is no payload size above which recompute wins" in out, "table verdict")
rc, out, err = run(["calibrate", "--db", nvlink, "--format", "csv"])
rows = list(csv.DictReader(io.StringIO(out)))
kinds = [r["kind"] for r in rows]
check(rc == 0 and kinds.count("transfer") == 5 and kinds.count("recompute") == 5 and kinds.count("crossover") == 5,
      f"csv kinds {kinds}")
fit = [r for r in rows if r["kind"] == "link-fit"]
check(len(fit) == 1 and close(float(fit[0]["rate"]), 100.0) and close(float(fit[0]["seconds"]), 10e-6), "csv fit row")

# one payload size: bytes / time, latency 0
doc = jrun(["calibrate", make("one-size"), "--format", "json"])
if doc:
    p0 = payload(V4, 32000)
    want = 2 * p0 / (ns(10e-6 + p0 / 100e9) + ns(20e-6 + p0 / 100e9))
    check(doc["link"]["fitted"] is False and doc["link"]["latency_s"] == 0, "one size: latency 0, not fitted")
    check(close(doc["link"]["bytes_per_s"], want, 1e-9), f"one size: {doc['link']['bytes_per_s']} vs {want}")

# two GPU models: refused unless filtered
two = make("two-gpus")
rc, out, err = run(["calibrate", two])
check(rc == 1 and "more than one GPU model" in err and "--gpu-filter" in err, f"two gpus: {rc} {err!r}")
doc = jrun(["calibrate", two, "--gpu-filter", "H200", "--format", "json"])
check(doc is not None and len(doc["link"]["points"]) == 3 and close(doc["link"]["gbps"], 100.0), "two gpus filtered")
rc, out, err = run(["calibrate", make("two-links")])
check(rc == 1 and "more than one link" in err, f"two links: {rc} {err!r}")

# ---- runtime failures: exit 1 ------------------------------------------------
with open(os.path.join(tmp, "text.db"), "w") as f:
    f.write("not a database at all, just some text that is long enough\n")
sample = os.path.join(tmp, "sample.db")
subprocess.run([SAMPLE, sample, "1", "3"], check=True)
for args, needle in [
    (["calibrate", os.path.join(tmp, "missing.db")], "no such receipt database"),
    (["calibrate", os.path.join(tmp, "text.db")], "not a SQLite database"),
    (["calibrate", sample], "no ok index-transfer-recv receipts"),
    (["calibrate", nvlink, "--gpu-filter", "H100"], "no ok index-transfer-recv receipts on a GPU matching 'H100'"),
    (["calibrate", nvlink, "--run", "nope"], "in run nope"),
    (["calibrate", make("recv-only")], "no ok index-recompute receipts"),
    (["calibrate", make("no-flops")], "lacks a FLOP count"),
]:
    rc, out, err = run(args)
    check(rc == 1, f"{args}: exit {rc}, expected 1 ({err.strip()!r})")
    check(err.startswith("cliffwatch-cli: calibrate: ") and needle in err and len(err.strip().splitlines()) == 1,
          f"{args}: stderr {err!r} lacks {needle!r}")
check(not os.path.exists(os.path.join(tmp, "missing.db")), "calibrate created a missing database")

# ---- bad usage: exit 2 ---------------------------------------------------------
for args, needle in [
    (["calibrate"], "calibrate: a database is required (--db FILE)"),
    (["calibrate", nvlink, "--bogus"], "calibrate: unknown option '--bogus'"),
    (["calibrate", nvlink, "extra"], "calibrate: give the database once (--db FILE or an argument); unexpected 'extra'"),
    (["calibrate", nvlink, "--db", nvlink], "calibrate: give the database once"),
    (["calibrate", "--db", nvlink, nvlink], "calibrate: give the database once"),
    (["calibrate", "--db"], "--db needs a value"),
    (["calibrate", nvlink, "--format", "xml"], "xml"),
    (["calibrate", nvlink, "--gpu-filter", ""], "--gpu-filter: give 1 to 127 characters"),
    (["indexcache", "--layers", "8", "--calibration-gpu", "H200"], "--calibration-gpu needs --calibration DB"),
    (["indexcache", "--layers", "8", "--calibration"], "--calibration needs a value"),
]:
    rc, out, err = run(args)
    check(rc == 2, f"{args}: exit {rc}, expected 2 ({err.strip()!r})")
    check(err.strip().splitlines()[-1:] and err.strip().splitlines()[-1].startswith("cliffwatch-cli: ")
          and needle in err, f"{args}: stderr {err!r} lacks {needle!r}")
rc, out, err = run(["calibrate", "--help"])
check(rc == 0 and "Usage: cliffwatch-cli calibrate" in out, "calibrate --help")

# ---- indexcache --calibration ----------------------------------------------------
# V4-Flash, sq 32000, 8 layers, anchor every 8, 2 stages: layer 4 is the first
# consumer on stage 1. Assumed 50 GB/s, 100 TFLOP/s: transfer 1.31 ms < recompute
# 21 ms -> transfer. Calibrated on the slow link (1 GB/s + 50 us, 200 TFLOP/s):
# transfer 65.6 ms > recompute 10.5 ms -> recompute: the decision flips.
IC = ["indexcache", "--preset", "deepseek-v4-flash", "--sq", "32000", "--layers", "8", "--every", "8",
      "--stages", "2", "--format", "json"]
slow = make("slow")
doc = jrun(IC + ["--calibration", slow])
if doc:
    bnd = doc["boundaries"][0]
    p0, f0 = payload(V4, 32000), flops(V4, 32000)
    check(bnd["decision"] == "transfer" and close(bnd["transfer_s"], p0 / 50e9), f"assumed: {bnd}")
    check(close(bnd["recompute_s"], f0 / 100e12), "assumed recompute")
    cal = bnd["calibrated"]
    check(cal["decision"] == "recompute", f"calibrated decision flips: {cal}")
    check(close(cal["transfer_s"], 50e-6 + p0 / 1e9), f"calibrated transfer {cal['transfer_s']}")
    check(close(cal["recompute_s"], f0 / 200e12), f"calibrated recompute {cal['recompute_s']}")
    mea = bnd["measured"]
    check(mea is not None and mea["decision"] == "recompute" and mea["run_id"] == RUN_A, f"measured {mea}")
    check(mea is not None and close(mea["transfer_s"], ns(50e-6 + p0 / 1e9), 1e-9)
          and close(mea["recompute_s"], ns(f0 / 200e12), 1e-9), "measured times")
    c = doc["calibration"]
    check(c["flops_source"] == "family" and close(c["link_bytes_per_s"], 1e9) and close(c["latency_s"], 50e-6),
          f"calibration block {c}")
    check(c["transfer_receipts"] == 2 and c["recompute_receipts"] == 2 and c["gpu"] == "NVIDIA H200", "counts")
    check(doc["layers"][4]["role"] == "shared" and doc["layers"][4]["calibrated_role"] == "promoted",
          f"layer 4 roles {doc['layers'][4]}")
    check(doc["n_promoted"] == 0 and c["n_promoted"] == 1, "promoted counts")
# explicit --link-gbps overrides the calibrated bandwidth (the latency stays)
doc = jrun(IC + ["--calibration", slow, "--link-gbps", "1000"])
if doc:
    cal = doc["boundaries"][0]["calibrated"]
    check(close(doc["calibration"]["link_bytes_per_s"], 1e12) and cal["decision"] == "transfer"
          and close(cal["transfer_s"], 50e-6 + payload(V4, 32000) / 1e12), f"--link-gbps override {cal}")
doc = jrun(IC + ["--calibration", slow, "--tflops", "1000"])
check(doc is not None and doc["calibration"]["flops_source"] == "--tflops"
      and close(doc["boundaries"][0]["calibrated"]["recompute_s"], flops(V4, 32000) / 1000e12), "--tflops override")
# a configuration the database does not hold: no measured figures
doc = jrun(["indexcache", "--preset", "deepseek-v4-flash", "--sq", "64000", "--layers", "8", "--every", "8",
            "--stages", "2", "--format", "json", "--calibration", slow])
check(doc is not None and doc["boundaries"][0]["measured"] is None and doc["boundaries"][0]["calibrated"] is not None,
      "sq 64000: measured null")
# other dims than any receipt (top_k 1024): throughput from all receipts
doc = jrun(IC + ["--k", "1024", "--calibration", nvlink])
check(doc is not None and doc["calibration"]["flops_source"] == "all"
      and close(doc["calibration"]["flops_per_s"], 400e12), "top_k 1024: median of all receipts")
# V3.2 (61 layers) on the fast link: transfer everywhere, measured from run B
doc = jrun(["indexcache", "--preset", "deepseek-v3.2", "--sq", "128000", "--every", "61", "--stages", "2",
            "--format", "json", "--calibration", nvlink])
if doc:
    bnd = doc["boundaries"][0]
    check(bnd["calibrated"]["decision"] == "transfer" and bnd["measured"]["decision"] == "transfer"
          and bnd["measured"]["run_id"] == RUN_B, f"v3.2 boundary {bnd}")
    check(close(doc["calibration"]["flops_per_s"], 500e12), "v3.2: family throughput 500")
# without --calibration the new fields are null
doc = jrun(IC)
check(doc is not None and doc["calibration"] is None and doc["boundaries"][0]["calibrated"] is None
      and doc["boundaries"][0]["measured"] is None and "calibrated_role" not in doc["layers"][0], "no calibration")
# csv and table
rc, out, err = run(IC[:-2] + ["--format", "csv", "--calibration", slow])
rows = list(csv.DictReader(io.StringIO(out)))
b = [r for r in rows if r["kind"] == "boundary"]
check(rc == 0 and len(b) == 1 and b[0]["role_or_decision"] == "transfer"
      and b[0]["calibrated_role_or_decision"] == "recompute" and b[0]["measured_decision"] == "recompute", f"csv {b}")
rc, out, err = run(IC[:-2] + ["--calibration", slow])
check(rc == 0 and "calibrated from" in out and "measured for this configuration" in out
      and "| transfer" in out, f"table: {out[:400]!r}")
# runtime failure through --calibration
rc, out, err = run(IC + ["--calibration", os.path.join(tmp, "missing.db")])
check(rc == 1 and err.startswith("cliffwatch-cli: indexcache: --calibration: ") and "no such receipt database" in err,
      f"indexcache missing db: {rc} {err!r}")
rc, out, err = run(IC + ["--calibration", sample])
check(rc == 1 and "no ok index-transfer-recv receipts" in err, f"indexcache sample db: {rc} {err!r}")

shutil.rmtree(tmp)
print(f"{checks} checks, {len(failures)} failures")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
