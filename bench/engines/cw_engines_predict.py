#!/usr/bin/env python3
"""Predict every planned engine shape with its profile, and compare with measured JSON lines if given.

    python3 bench/engines/cw_engines_predict.py [--cli build/app/cli/cliffwatch-cli] [MEASURED.jsonl ...]

For each line of `cw_engines.py --plan` it runs `cliffwatch-cli plan --profile-file
data/profiles/ENGINE.profile` with the flags printed in the table (dtype flags only label the
receipt: these profiles fix their internal dtypes to the engine's code) and prints the prediction
(peak phase live bytes minus the input buffers, which is what the profiler reports: the peak inside
the range minus the bytes live when it opened). MEASURED files hold cw_engines.py output lines
(`trace_peak_delta`, else `torch_peak_delta`, or "oom") or profiler receipts turned into the same
keys (engine, b, sq, h, d, top_k, measured_delta); matching rows get the difference and the verdict
against the tolerance max(0.5 %, 8 MiB).

    python3 bench/engines/cw_engines_predict.py --backward [--cli CLI] [MEASURED.jsonl ...]

does the same for the training shapes (`cw_engines.py --plan --backward`) with the training profile
(megatron -> megatron-autograd.profile): the step's peak above the inputs, and, where the measured
lines carry them (cw_engines.py --backward --trace), the forward's peak, the live bytes at the
boundary (what autograd saved, against the profile's saved bytes) and the backward's peak, each
with its own verdict.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import cw_engines  # noqa: E402

DTYPES = {
    "transformers": "--q-dtype bf16 --k-dtype bf16 --w-dtype fp32 --score-dtype fp32 --index-dtype int32",
    "megatron": "--q-dtype bf16 --k-dtype bf16 --w-dtype bf16 --score-dtype fp32 --index-dtype int64",
    "v4-reference": "--q-dtype bf16 --k-dtype bf16 --w-dtype bf16 --score-dtype bf16 --index-dtype int64",
    "v32-exp": "--q-dtype fp8-e4m3 --k-dtype fp8-e4m3 --w-dtype fp32 --score-dtype fp32 --index-dtype int64",
}


def plan_flags(engine, b, sq, h, d, k, ratio=None):
    f = f"--gpu h200 --b {b} --sq {sq} --h {h} --d {d} --k {k} "
    if engine == "v4-reference":
        f += f"--ratio {ratio or 4} --causal causal-compressed "
    else:
        f += f"--sk {sq} --causal causal "
    return f + DTYPES[engine]


TRAINING_PROFILE = {"megatron": "megatron-autograd"}


def predict(cli, engine, flags):
    cmd = [cli, "plan", "--profile-file", os.path.join(ROOT, "data", "profiles", f"{engine}.profile"),
           "--format", "json"] + flags.split()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    p = json.loads(r.stdout)["profiles"][0]
    return p, None


def key(rec):
    return (rec["engine"], rec["b"], rec["sq"], rec["h"], rec["d"], rec["top_k"])


def verdict(measured, predicted):
    if measured is None:
        return "", "", ""
    diff = measured - predicted
    tol = max(0.005 * max(measured, 1), 8 * 1024 * 1024)
    return str(measured), f"{diff:+d}", "ok" if abs(diff) <= tol else "MISS"


def main_backward(cli, files):
    """The training shapes: step peak, and the forward / boundary / backward where measured."""
    measured = {}
    for fn in files:
        with open(fn) as f:
            for line in f:
                if line.strip().startswith("{"):
                    rec = json.loads(line)
                    if rec.get("backward"):
                        measured[key(rec)] = rec
    print(f"{'engine':13} {'b':>2} {'sq':>6} {'h':>3} {'d':>4} {'k':>5}  {'what':9} {'predicted B':>14}  "
          f"{'measured B':>14}  {'diff':>12}  verdict")
    bad = 0
    for eng, rows in cw_engines.PLAN_BACKWARD.items():
        for b, sq, h, d, k in rows:
            p, err = predict(cli, TRAINING_PROFILE[eng], plan_flags(eng, b, sq, h, d, k))
            if p is None:
                print(f"{eng:13} {b:>2} {sq:>6} {h:>3} {d:>4} {k:>5}  ERROR {err}")
                bad += 1
                continue
            inp = p["input_bytes"]
            m = measured.get((eng, b, sq, h, d, k), {})
            rows_out = [("step", p["peak_bytes"] - inp, m.get("trace_peak_delta", m.get("measured_delta"))),
                        ("forward", p["forward"]["peak_bytes"] - inp, m.get("trace_forward_peak_delta")),
                        ("saved", p["saved_bytes"], m.get("trace_boundary_live")),
                        ("backward", p["backward"]["peak_bytes"] - inp, m.get("trace_backward_peak_delta"))]
            for what, pred, meas in rows_out:
                if m.get("oom"):
                    mt, dt, v = "oom", "", "ok" if not p["fits"] else "MISS"
                else:
                    mt, dt, v = verdict(meas, pred)
                bad += v == "MISS"
                print(f"{eng:13} {b:>2} {sq:>6} {h:>3} {d:>4} {k:>5}  {what:9} {pred:>14}  {mt:>14}  {dt:>12}  {v}")
    print("\nprofile: data/profiles/megatron-autograd.profile; flags as for the forward (--sk SQ --causal causal "
          "and the megatron dtypes); saved = the live bytes at the boundary less the inputs")
    return 1 if bad else 0


def main(argv):
    cli = os.path.join(ROOT, "build", "app", "cli", "cliffwatch-cli")
    files = []
    backward = False
    i = 0
    while i < len(argv):
        if argv[i] == "--cli":
            cli = argv[i + 1]
            i += 2
        elif argv[i] == "--backward":
            backward = True
            i += 1
        else:
            files.append(argv[i])
            i += 1
    measured = {}
    for fn in files:
        with open(fn) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                rec = json.loads(line)
                if rec.get("oom"):
                    measured[key(rec)] = "oom"
                else:
                    for fld in ("measured_delta", "trace_peak_delta", "torch_peak_delta"):
                        if rec.get(fld) is not None:
                            measured[key(rec)] = rec[fld]
                            break
    if backward:
        return main_backward(cli, files)
    print(f"{'engine':13} {'b':>2} {'sq':>6} {'h':>3} {'d':>4} {'k':>5}  {'predicted delta B':>17}  "
          f"{'GiB':>8}  {'peak phase':12} {'fits':4}  {'measured B':>14}  {'diff':>10}  verdict")
    bad = 0
    for eng in cw_engines.ENGINES:
        for row in cw_engines.PLAN[eng]:
            b, sq, h, d, k = row[:5]
            ratio = row[5] if len(row) > 5 else None
            flags = plan_flags(eng, b, sq, h, d, k, ratio)
            p, err = predict(cli, eng, flags)
            if p is None:
                print(f"{eng:13} {b:>2} {sq:>6} {h:>3} {d:>4} {k:>5}  ERROR {err}")
                bad += 1
                continue
            delta = p["peak_bytes"] - p["input_bytes"]
            fits = "yes" if p["fits"] else "no"
            m = measured.get((eng, b, sq, h, d, k))
            mtxt, dtxt, verdict = "", "", ""
            if m == "oom":
                mtxt, verdict = "oom", ("ok" if fits == "no" else "MISS")
            elif m is not None:
                diff = m - delta
                tol = max(0.005 * max(m, 1), 8 * 1024 * 1024)
                mtxt, dtxt = str(m), f"{diff:+d}"
                verdict = "ok" if abs(diff) <= tol and fits == "yes" else "MISS"
            if verdict == "MISS":
                bad += 1
            print(f"{eng:13} {b:>2} {sq:>6} {h:>3} {d:>4} {k:>5}  {delta:>17}  {delta / 2**30:8.3f}  "
                  f"{p['peak_phase']:12} {fits:4}  {mtxt:>14}  {dtxt:>10}  {verdict}")
    print("\nflags: cliffwatch-cli plan --profile-file data/profiles/ENGINE.profile --gpu h200 "
          "--b B --sq SQ --h H --d D --k K, plus")
    for eng in cw_engines.ENGINES:
        extra = "--ratio 4 --causal causal-compressed" if eng == "v4-reference" else "--sk SQ --causal causal"
        print(f"  {eng:13} {extra} {DTYPES[eng]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
