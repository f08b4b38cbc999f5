#!/usr/bin/env python3
"""Replays the allocation traces of cw_engines.py --engine megatron --backward --trace against
data/profiles/megatron-autograd.profile, phase by phase.

    python3 bench/engines/cw_train_trace_replay.py --cli BUILD/app/cli/cliffwatch-cli \\
        bench/engines/h200-train-traces-2026-12-03.tgz

Each trace (one JSON per shape: the record and the events, alloc / free_requested with the live
bytes after each) is first matched against the backward's expected allocation sequence, derived
from the shape: the loss's ones-like gradient, d values, g freed, the [b,sq,sk] gradient, the
weighting's two slabs and the fp32 [sq,b,h,1] sum, the unreduced slab freed, the bf16 cast, ... k's
and q's casts and AccumulateGrad clones (q's for b > 1 only). Only when every event's size and
action match does it split the events into the profile's backward phases and compare each phase's
largest live bytes with the plan's live bytes for that phase less the inputs. Prints one line per
phase; exits 1 on a mismatch, 2 on bad input.
"""
import argparse
import json
import subprocess
import sys
import tarfile


def expected_backward(r):
    """(action, size, phase) for each backward event, from the shape."""
    b, sq, h, d, kept = r["b"], r["sq"], r["h"], r["d"], r["kept"]
    sk, tok = r["sk"], r["b"] * r["sq"]
    slab, ks, gs = tok * h * sk * 4, tok * kept * 4, tok * sk * 4
    qf, kf, q2, k2 = tok * h * d * 4, b * sk * d * 4, tok * h * d * 2, b * sk * d * 2
    A, F = "alloc", "free_requested"
    ev = [(A, 4, "loss_bwd"), (A, ks, "loss_bwd"), (F, ks, "loss_bwd"),
          (A, gs, "topk_bwd"), (F, ks, "topk_bwd"),
          (A, slab, "mul_bwd"), (A, slab, "mul_bwd"), (A, tok * h * 4, "mul_bwd"),
          (F, slab, "mul_cast"), (A, tok * h * 2, "mul_cast"), (F, tok * h * 4, "mul_cast"), (F, gs, "mul_cast"),
          (A, slab, "relu_bwd"), (F, slab, "relu_bwd"), (F, slab, "relu_bwd"),
          (A, kf, "bmm_bwd"), (A, qf, "bmm_bwd"), (F, slab, "bmm_bwd"), (F, kf, "bmm_bwd"), (F, qf, "bmm_bwd"),
          (A, k2, "k_grad"), (F, kf, "k_grad"), (A, k2, "k_accum"), (F, k2, "k_accum"),
          (A, q2, "q_grad"), (F, qf, "q_grad")]
    if b > 1:
        ev += [(A, q2, "q_accum"), (F, q2, "q_accum")]
    return ev + [(F, 4, None), (F, 4, None)]      # after backward(): its gradient, then `del loss`


def plan(cli, r, profile_file):
    which = ["--profile-file", profile_file] if profile_file else ["--profile", "megatron-autograd"]
    args = [cli, "plan"] + which + ["--format", "json", "--gpu", "h200",
            "--b", str(r["b"]), "--sq", str(r["sq"]), "--sk", str(r["sk"]), "--h", str(r["h"]),
            "--d", str(r["d"]), "--k", str(r["top_k"]), "--causal", "causal",
            "--q-dtype", "bf16", "--k-dtype", "bf16", "--w-dtype", "bf16"]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip())
    prof = json.loads(p.stdout)["profiles"][0]
    return {ph["name"]: ph["live_bytes"] - prof["input_bytes"] for ph in prof["phases"] if ph["group"] == "backward"}


def replay(cli, name, trace, profile_file):
    r, events = trace["record"], trace["events"]
    first = next(i for i, e in enumerate(events) if e["half"] == "backward")
    back = events[first:]
    want = expected_backward(r)
    got = [(e["action"], e["size"]) for e in back]
    if got != [(a, s) for a, s, _ in want]:
        print("%s: the backward's events differ from the expected sequence: %s" % (name, got))
        return 1
    shape = "b%d sq%d h%d d%d k%d" % (r["b"], r["sq"], r["h"], r["d"], r["kept"])
    live = plan(cli, r, profile_file)
    bad = 0
    for phase in live:
        idx = [i for i, w in enumerate(want) if w[2] == phase]
        # a phase with no event of its own (q_accum at b = 1) holds what the previous one left
        m = max(back[i]["live"] for i in idx) if idx else back[[w[2] for w in want].index(None) - 1]["live"]
        ok = m == live[phase]
        bad += not ok
        print("%-28s %-9s trace %14d  profile %14d  %s" % (shape, phase, m, live[phase],
                                                          "ok" if ok else "diff %+d" % (m - live[phase])))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--profile-file", help="plan this profile file instead of megatron-autograd")
    ap.add_argument("traces", help="the .tgz of per-shape trace JSON files")
    a = ap.parse_args()
    try:
        tf = tarfile.open(a.traces)
        members = sorted((m for m in tf.getmembers() if m.isfile() and m.name.endswith(".json")),
                         key=lambda m: m.name)
        traces = [(m.name, json.load(tf.extractfile(m))) for m in members]
    except (OSError, tarfile.TarError, ValueError) as e:
        print("cw_train_trace_replay: %s: %s" % (a.traces, e), file=sys.stderr)
        return 2
    if not traces:
        print("cw_train_trace_replay: %s: no trace files" % a.traces, file=sys.stderr)
        return 2
    rc = 0
    for name, t in traces:
        try:
            rc |= replay(a.cli, name, t, a.profile_file)
        except (RuntimeError, KeyError, StopIteration) as e:
            print("cw_train_trace_replay: %s: %s" % (name, e), file=sys.stderr)
            return 2
    return rc


if __name__ == "__main__":
    sys.exit(main())
