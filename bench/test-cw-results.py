#!/usr/bin/env python3
"""test-cw-results.py: cw-results.py on kernels-backward records made up here (a temporary tree,
never bench/records): the backward's time and the forward's from the same run as two series of one
configuration, the peak above the inputs and the workspace as exact bytes on the backward's row
only, an OOM record with its status and no samples, and a record whose stored median disagrees
with its samples refused. Python 3 standard library only; exit 0 when every check passes."""
import importlib.util
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("cw_results", os.path.join(HERE, "cw-results.py"))
cw_results = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cw_results)

failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print(f"FAIL: {what}", file=sys.stderr)


def record(lane, status, samples, forward, **extra):
    rec = {"schema": 1, "benchmark": "kernels-backward", "command": "cw-bench-kernels --backward",
           "date": "2026-12-03T15:00:00Z", "source_revision": "0123456789ab", "source_revision_from": "env",
           "device": {"kind": "cuda", "name": "Test GPU", "driver_version": "1.2.3"},
           "kernel_options": {"score_kernel": "auto", "score_keys_per_block": 0, "topk_depth": 0},
           "config": {"lane": lane, "S": 65536, "dtype": "bf16", "forward_lane": "streaming",
                      "budget_bytes": 503316480},
           "status": status, "warmup_runs": 1, "unit": "ms", "samples": samples, "n": len(samples)}
    if samples:
        rec.update(median=sorted(samples)[len(samples) // 2], min=min(samples), max=max(samples))
    rec["forward_samples"] = forward
    if forward:
        rec.update(forward_median=sorted(forward)[len(forward) // 2], forward_min=min(forward),
                   forward_max=max(forward))
    rec.update(extra)
    return rec


def generate(records):
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "bench", "records"))
        with open(os.path.join(root, "bench", "records", "kernels.jsonl"), "w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec) + "\n")
        return cw_results.generate(root)


ok = record("streaming", "ok", [10.5, 10.25, 11.0], [13.75, 13.5, 14.0], peak_bytes=9126805504,
            workspace_bytes=503161092)
oom = record("fused", "oom", [], [13.5], refused_bytes=279174971652)
text = generate([ok, oom])
lines = text.splitlines()
head = next((l for l in lines if l.startswith("| configuration")), "")
check("| peak above inputs | workspace |" in head, f"byte columns in the header: {head}")
rows = [l for l in lines if l.startswith("| `lane=")]
check(len(rows) == 4, f"four rows (two lanes x two series), got {len(rows)}")
bwd = [l for l in rows if "lane=streaming" in l and "| time |" in l]
fwd = [l for l in rows if "lane=streaming" in l and "| forward time |" in l]
check(len(bwd) == 1 and "| 10.500 ms | 10.250–11.000 ms | 3 |" in bwd[0], f"backward row: {bwd}")
check(len(bwd) == 1 and "| 9,126,805,504 B (8.50 GiB) | 503,161,092 B (0.47 GiB) |" in bwd[0],
      f"peak and workspace exact on the backward row: {bwd}")
check(len(fwd) == 1 and "| 13.750 ms |" in fwd[0] and "| — | — |" in fwd[0], f"forward row, no bytes: {fwd}")
fused = [l for l in rows if "lane=fused" in l and "| time |" in l]
check(len(fused) == 1 and "| oom |" in fused[0] and "| — | — | 0 |" in fused[0], f"oom row: {fused}")
check("cw-bench-kernels --backward: the sparse backward" in text, "the section's description")

bad = dict(ok, median=10.25)
try:
    generate([bad])
    check(False, "a stored median that is not the samples' is refused")
except cw_results.RecordError as e:
    check("median" in str(e), f"the refusal names the median: {e}")

if failures:
    print(f"{failures} check(s) failed", file=sys.stderr)
    sys.exit(1)
print("cw-results kernels-backward: all checks passed")
