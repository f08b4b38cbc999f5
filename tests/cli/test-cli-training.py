#!/usr/bin/env python3
"""tests/cli: `--training` (a training step: forward and backward side by side) in
plan, cliff and sweep. Every expected number is derived here from the kernels'
formulas (kernels/cw-kernel-shape.h) independently of the profiles, and every bad
input is exit 2 with one stderr line.
Usage: test-cli-training.py PATH/TO/cliffwatch-cli (CW_DATA_DIR: the tree's data/)."""
import json
import subprocess
import sys

CLI = sys.argv[1]
failures = []
checks = 0


def run(args):
    p = subprocess.run([CLI] + args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def ceil_div(a, b):
    return -(-a // b)


# V4-Flash at 64K on an H200 (data/presets/deepseek-v4-flash.preset): b 1, h 64, d 128,
# sq 65,536, ratio 4 (sk 16,384), top-k 512, bf16 q/k, fp32 w, budget 512 MiB.
b, h, d, sq, sk, k, budget = 1, 64, 128, 65536, 16384, 512, 512 << 20
q_b, k_b, w_b = b * sq * h * d * 2, b * sk * d * 2, b * sq * h * 4
inputs = q_b + k_b + w_b
idx = scores = g = b * sq * k * 4
dq, dw, dk = b * sq * h * d * 4, b * sq * h * 4, b * sk * d * 4
per_row = (4 * d + 8) * k
fixed = 4 * (2 * b * sk + 1 + ceil_div(b * sk, 4096))
rows_bw = min(max((budget - fixed) // per_row, 1), b * sq, (2 ** 31 - 1) // k)
rows_fw = min(max(budget // (4 * sk), 1), b * sq)
expect = {
    "streaming-train": {
        "forward": inputs + 4 * rows_fw * sk + idx + scores,
        "backward": inputs + idx + g + dq + dw + dk + rows_bw * per_row + fixed,
    },
    "fused-train": {
        "forward": inputs + 4 * b * sq * sk + idx + scores,
        "backward": inputs + idx + g + dq + dw + dk + b * sq * per_row + fixed,
    },
    "materialize-train": {
        "forward": inputs + 4 * sq * b * h * sk + 4 * b * sq * sk + idx + scores,
        "backward": inputs + idx + g + dq + dw + dk + b * sq * per_row + fixed,
    },
}
# the worked numbers, written out once, so a change of the derivation shows here too
check(expect["streaming-train"]["forward"] == 1900019712, "streaming forward = the README's streaming peak")
check(expect["streaming-train"]["backward"] == 4072402964, "streaming backward %d" % expect["streaming-train"]["backward"])

base = ["--preset", "v4-flash", "--gpu", "h200"]
rc, out, err = run(["plan"] + base + ["--training", "--format", "json"])
check(rc == 0 and err == "", "plan --training json: rc %d %s" % (rc, err))
doc = json.loads(out) if rc == 0 else {"profiles": []}
names = [p["name"] for p in doc["profiles"]]
for n in expect:
    check(n in names, "default --training list has %s: %s" % (n, names))
check(all(p.get("training") for p in doc["profiles"]), "every profile of plan --training is a training step")
for p in doc["profiles"]:
    if p["name"] not in expect:
        continue
    e = expect[p["name"]]
    check(p["forward"]["peak_bytes"] == e["forward"], "%s forward %d != %d" % (p["name"], p["forward"]["peak_bytes"], e["forward"]))
    check(p["backward"]["peak_bytes"] == e["backward"], "%s backward %d != %d" % (p["name"], p["backward"]["peak_bytes"], e["backward"]))
    check(p["peak_bytes"] == max(e["forward"], e["backward"]), "%s step peak" % p["name"])
    check(p["saved_bytes"] == idx + scores and p["saved"] == ["idx", "scores"], "%s saved %s" % (p["name"], p["saved"]))
    check(p["input_bytes"] == inputs, "%s inputs" % p["name"])
    groups = [ph["group"] for ph in p["phases"]]
    check(groups == sorted(groups, key=lambda x: x != "forward") and "backward" in groups,
          "%s phases: forward first, then backward: %s" % (p["name"], groups))
    check(p["fits"] == (p["peak_bytes"] <= doc["gpu"]["usable_bytes"]), "%s fits" % p["name"])
    check([bf["name"] for bf in p["buffers"] if bf["saved"]] == p["saved"], "%s buffer saved flags" % p["name"])
    check(p["saved_first_backward_phase_only"] == ["scores"],
          "%s: scores cross into the loss only: %s" % (p["name"], p.get("saved_first_backward_phase_only")))

# The forward of a training step plans exactly the forward profile.
rc, out, _ = run(["plan"] + base + ["--profile", "streaming,fused,materialize", "--format", "json"])
fw = {p["name"]: p["peak_bytes"] for p in json.loads(out)["profiles"]} if rc == 0 else {}
for n in ("streaming", "fused", "materialize"):
    check(fw.get(n) == expect[n + "-train"]["forward"], "%s peak %s = training forward" % (n, fw.get(n)))

# Without --training the training profiles stay out of the default list, and plan only when named.
rc, out, _ = run(["plan"] + base + ["--format", "json"])
check(rc == 0 and not any(p["name"].endswith("-train") or p.get("training") for p in json.loads(out)["profiles"]),
      "plan without --training lists no training step")
rc, out, _ = run(["plan"] + base + ["--profile", "streaming-train", "--format", "json"])
check(rc == 0 and json.loads(out)["profiles"][0]["backward"]["peak_bytes"] == expect["streaming-train"]["backward"],
      "a training profile named without --training plans as a training step")

# --training resolves a named path to its training step; the table shows both groups side by side.
rc, out, err = run(["plan"] + base + ["--training", "--profile", "streaming"])
check(rc == 0, "plan --training --profile streaming: %s" % err)
lines = out.splitlines()
check(any(l.startswith("streaming-train ") and "3.79 GiB" in l and "1.77 GiB" in l and "256.00 MiB" in l and l.endswith("yes")
          for l in lines), "summary row: step peak, forward 1.77 GiB, backward 3.79 GiB, saved 256 MiB:\n" + out)
check(any(l.split()[:2] == ["forward", "backward"] for l in lines), "side-by-side header")
check(any(l.split()[:3] == ["stream", "1900019712", "B"] and "<- group peak" in l and "loss           1497366528 B" in l
          for l in lines), "the forward's stream phase beside the backward's first phase")
check(any(l.split()[:3] == ["backward", "4072402964", "B"] and l.endswith("<- peak") for l in lines),
      "the backward's phase, the step's peak")
check(any("saved for the backward: 268435456 B" in l and l.endswith("idx, scores") for l in lines), "saved line")
# Our lanes' backward group begins with the loss: scores (live stream..loss) cross into the loss
# only and are freed before the backward kernels; idx goes on into them. The saved total stays
# the boundary's (idx + scores), and the two lines add up to it.
check(any(l.strip() == "into loss only (freed after it): %d B (128.00 MiB, 134.22 MB): scores" % scores for l in lines),
      "scores cross into the loss only:\n" + out)
check(any(l.strip() == "into loss and on into backward: %d B (128.00 MiB, 134.22 MB): idx" % idx for l in lines),
      "idx goes on into the backward proper:\n" + out)
check(any(l.split()[:2] == ["scores", str(scores)] and l.endswith("live stream,loss (saved; into loss only)")
          for l in lines) and any(l.split()[:2] == ["idx", str(idx)] and l.endswith("live all (saved)") for l in lines),
      "buffer lines: scores into the loss only, idx saved:\n" + out)
# A training step whose saved buffers all reach past its backward's first phase has no split.
for prof in ("reference", "megatron"):
    rc, out2, err2 = run(["plan"] + base + ["--training", "--profile", prof])
    check(rc == 0 and "saved for the backward:" in out2 and " only (freed after it)" not in out2
          and "(saved; into " not in out2, "%s-train: no split of its saved buffers: %s" % (prof, err2))
    rc, out2, err2 = run(["plan"] + base + ["--training", "--profile", prof, "--format", "json"])
    check(rc == 0 and json.loads(out2)["profiles"][0]["saved"]
          and json.loads(out2)["profiles"][0]["saved_first_backward_phase_only"] == [],
          "%s-train json: every saved buffer reaches past the backward's first phase: %s" % (prof, err2))
check(not any(l != l.rstrip() for l in lines), "no trailing spaces")

# csv: each group's peak and the saved buffers
rc, out, _ = run(["plan"] + base + ["--training", "--profile", "fused", "--format", "csv"])
rows = [l.split(",") for l in out.splitlines()]
check(["fused-train", "forward_peak", "score", str(expect["fused-train"]["forward"]), ""] in rows, "csv forward_peak")
check(["fused-train", "backward_peak", "backward", str(expect["fused-train"]["backward"]), ""] in rows, "csv backward_peak")
check(["fused-train", "saved", "idx", str(idx), ""] in rows and ["fused-train", "saved", "scores", str(scores), ""] in rows,
      "csv saved rows")

# The warm-up stage (dense backward): no g, the caller's G chunk [rows, sk] fp32, workspace 0.
rc, out, _ = run(["plan"] + base + ["--training", "--profile", "streaming", "--param", "dense=1", "--format", "json"])
p = json.loads(out)["profiles"][0] if rc == 0 else {"backward": {"peak_bytes": -1}}
check(p["backward"]["peak_bytes"] == inputs + idx + dq + dw + dk + 4 * rows_fw * sk,
      "dense warm-up backward %d" % p["backward"]["peak_bytes"])

# The cliff of a training step: max_sq fits, max_sq + 1 does not (checked through plan).
rc, out, err = run(["cliff"] + base + ["--training", "--profile", "streaming,fused", "--format", "json"])
check(rc == 0, "cliff --training: %s" % err)
for c in (json.loads(out)["profiles"] if rc == 0 else []):
    m = c["max_sq"]
    check(c["name"] in ("streaming-train", "fused-train") and m > 0, "cliff %s %s" % (c["name"], m))
    for sqv, fits in ((m, True), (m + 1, False)):
        rc2, out2, _ = run(["plan"] + base + ["--profile", c["name"], "--sq", str(sqv), "--format", "json"])
        got = json.loads(out2)["profiles"][0]["fits"] if rc2 == 0 else None
        check(got == fits, "%s at sq %d fits=%s, expected %s" % (c["name"], sqv, got, fits))
# fused's training cliff is its forward cliff (376,627 in the README): there the fp32 [b,sq,sk] of the
# forward outweighs the fused backward's one chunk; streaming's drops from 7,170,694 (the forward) to
# where the backward's fp32 dq [b,sq,h,d] and chunk fill the GPU.
cl = {c["name"]: c["max_sq"] for c in (json.loads(out)["profiles"] if rc == 0 else [])}
check(cl.get("fused-train") == 376627, "fused-train cliff %s" % cl.get("fused-train"))
check(cl.get("streaming-train") == 2764390, "streaming-train cliff %s" % cl.get("streaming-train"))
rc, out, _ = run(["cliff"] + base + ["--training"])
check(rc == 0 and any(l.startswith("materialize-train 47827          does not fit") for l in out.splitlines()),
      "cliff table: a wider profile column for NAME-train:\n" + out)

# sweep --training: every point's peak of the training step
rc, out, err = run(["sweep"] + base + ["--training", "--profile", "streaming", "--sq", "65536:65536", "--format", "csv"])
check(rc == 0 and str(expect["streaming-train"]["backward"]) in out, "sweep --training: %s %s" % (out[:200], err))

# The kernels refuse one fused chunk of more than INT32_MAX entries; so does the plan (an overflow),
# and the cliff stops below it.
rc, out, err = run(["plan", "--preset", "v3.2", "--training", "--profile", "fused", "--sq", "1048576"])
check(rc == 2 and "fused_entries_exceed_int32" in err and err.count("\n") == 1, "fused refusal: %d %s" % (rc, err))

# Autograd through Megatron-Core's score function (megatron-autograd, the harness's --backward):
# b 1, sq = sk 4096, h 64, d 128, k 2048, bf16 q/k/weights. Saved: the fp32 q operand, k.float(), the
# relu slab, int64 indices, g, and the 4-byte loss (live until after loss.backward()); the backward's
# peak is the weights' multiplication: three slabs, the [b,sq,sk] gradient, and the weights' gradient
# still fp32 [sq,b,h,1] (autograd's validate_outputs sums it to the input's shape before casting it to
# bf16, in mul_cast), plus the loss and its ones-like gradient. The H200 trace measured these bytes.
tok, H, D, S, K = 4096, 64, 128, 4096, 2048
slab, qf, kf, bsk = tok * H * S * 4, tok * H * D * 4, S * D * 4, tok * S * 4
ins = tok * H * D * 2 + tok * H * 2 + S * D * 2
saved = qf + kf + slab + tok * K * 8 + tok * K * 4 + 4
mul_bwd = ins + qf + kf + slab + tok * K * 8 + bsk + 2 * slab + tok * H * 4 + 4 + 4
mul_cast = ins + qf + kf + slab + tok * K * 8 + bsk + slab + tok * H * 4 + tok * H * 2 + 4 + 4
mflags = ["--gpu", "h200", "--b", "1", "--sq", "4096", "--sk", "4096", "--h", "64", "--d", "128", "--k", "2048",
          "--causal", "causal", "--q-dtype", "bf16", "--k-dtype", "bf16", "--w-dtype", "bf16"]
rc, out, err = run(["plan", "--profile", "megatron-autograd", "--format", "json"] + mflags)
p = json.loads(out)["profiles"][0] if rc == 0 else {}
check(rc == 0 and p["saved_bytes"] == saved == 4531945476, "megatron-autograd saved %s: %s" % (p.get("saved_bytes"), err))
check(rc == 0 and p["peak_bytes"] == mul_bwd == 13225164808 and p["backward"]["peak_phase"] == "mul_bwd",
      "megatron-autograd peak %s at %s" % (p.get("peak_bytes"), p.get("backward")))
check(rc == 0 and [ph["live_bytes"] for ph in p["phases"] if ph["name"] == "mul_cast"] == [mul_cast],
      "megatron-autograd mul_cast (the bf16 cast beside the fp32 sum): %s" % [ph for ph in p.get("phases", []) if ph["name"] == "mul_cast"])
check(rc == 0 and p["saved"] == ["q_f32_saved", "k_f32", "slab_relu", "topk_indices", "g", "loss"],
      "megatron-autograd saved buffers (b = 1: q.float() itself): %s" % p.get("saved"))
# The harness's training shapes: every one but the last fits an H200 (the last must OOM).
import os  # noqa: E402
harness = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "engines", "cw_engines.py")
lines = subprocess.run([sys.executable, harness, "--plan", "--backward"], capture_output=True, text=True).stdout.splitlines()
check(len(lines) == 7 and all(l.endswith(" --backward") for l in lines), "harness --plan --backward: %s" % lines)
for n, l in enumerate(lines):
    a = l.split()
    v = {a[i][2:]: a[i + 1] for i in range(0, len(a) - 1, 2) if a[i].startswith("--") and a[i] != "--backward"}
    rc, out, err = run(["plan", "--profile", "megatron-autograd", "--format", "json", "--gpu", "h200", "--b", v["b"],
                        "--sq", v["sq"], "--sk", v["sq"], "--h", v["h"], "--d", v["d"], "--k", v["top-k"]])
    fits = json.loads(out)["profiles"][0]["fits"] if rc == 0 else None
    check(fits == (n < len(lines) - 1), "harness shape %s fits=%s (%s)" % (l, fits, err))

# reference-train: its forward plans exactly reference (both relu forms); the boundary carries the relu'd
# slab, the int64 indices and g; with recompute (checkpointing) only the indices and g.
for ip in (0, 1):
    a = ["plan", "--preset", "v4-flash", "--gpu", "h200", "--sq", "8192", "--param", "relu_inplace=%d" % ip, "--format", "json"]
    rc1, o1, _ = run(a + ["--profile", "reference"])
    for rcp in (0, 1):
        rc2, o2, e2 = run(a + ["--profile", "reference-train", "--param", "recompute=%d" % rcp])
        if rc1 or rc2:
            check(False, "reference-train plan: %s" % e2)
            continue
        fwd, tr = json.loads(o1)["profiles"][0], json.loads(o2)["profiles"][0]
        slab = 8192 * 64 * 2048 * 4
        idx8, g4 = 8192 * 512 * 8, 8192 * 512 * 4
        check(tr["forward"]["peak_bytes"] == fwd["peak_bytes"], "reference-train forward = reference (relu_inplace %d)" % ip)
        check(tr["saved_bytes"] == (0 if rcp else slab) + idx8 + g4,
              "reference-train saved (relu_inplace %d, recompute %d): %s" % (ip, rcp, tr["saved"]))
        # the backward's peak: the weighting's multiplication, three slabs and the [b,sq,sk] gradient
        # (with an out-of-place relu, recomputing holds three slabs at the head sum too)
        mul = [ph["live_bytes"] for ph in tr["phases"] if ph["name"] == "mul_bwd"]
        check(mul == [tr["input_bytes"] + 3 * slab + idx8 + 8192 * 2048 * 4 + 8192 * 64 * 4] and
              tr["backward"]["peak_bytes"] == max(ph["live_bytes"] for ph in tr["phases"] if ph["group"] == "backward")
              and (tr["backward"]["peak_phase"] == "mul_bwd" or (ip == 0 and rcp == 1)),
              "reference-train backward (relu_inplace %d, recompute %d): %s %s" % (ip, rcp, tr["backward"], mul))

# megatron-train (FusedDSAIndexerLoss): only the int64 top-k crosses; the peak is masked_softmax over the
# main attention's fp32 [b, np, sq, sk]: 4 A + Ab besides what the loss keeps (V3.2, sq 4096, np 128, hn 192).
A, Ab, Mv, V = 128 * 4096 * 4096 * 4, 128 * 4096 * 4096, 4096 * 4096 * 4, 4096 * 4096
ins = 4096 * 64 * 128 * 2 + 4096 * 64 * 2 + 4096 * 128 * 2 + 2 * 4096 * 128 * 192 * 2
for sp in (0, 1):
    rc, out, err = run(["plan", "--preset", "v3.2", "--gpu", "h200", "--sq", "4096", "--training", "--profile", "megatron",
                        "--param", "sparse_loss=%d" % sp, "--format", "json"])
    p = json.loads(out)["profiles"][0] if rc == 0 else {}
    want = ins + 3 * Mv + 4096 * 2048 * 8 + V + 4 * A + Ab + sp * 4096 * 4096
    check(rc == 0 and p["name"] == "megatron-train" and p["saved"] == ["topk_indices"] and
          p["saved_bytes"] == 4096 * 2048 * 8, "megatron-train saves the indices only: %s %s" % (p.get("saved"), err))
    check(rc == 0 and p["peak_bytes"] == want and p["forward"]["peak_phase"] == "f_softmax"
          and p["backward"]["peak_phase"] == "b_softmax",
          "megatron-train (sparse_loss %d) peak %s, expected %d" % (sp, p.get("peak_bytes"), want))
    check(sp or p["peak_bytes"] == 37263769600, "megatron-train peak, written out")
rc, out, _ = run(["cliff", "--preset", "v3.2", "--gpu", "h200", "--training", "--profile", "megatron", "--format", "json"])
check(rc == 0 and json.loads(out)["profiles"][0]["max_sq"] == 8239, "megatron-train cliff: %s" % out[-200:])

BAD = [
    (["plan", "--training", "--profile", "vllm"],
     "--training: profile 'vllm' has no training step (no 'vllm-train' profile; training profiles: "),
    (["plan", "--training", "--engine", "vllm-v3.2"],
     "--training: profile 'vllm' has no training step (no 'vllm-train' profile; training profiles: "),
    (["plan", "--training", "--profile", "streaming,streaming-train"],
     "profile 'streaming-train' given twice"),
    (["plan", "--training", "--param", "max_logits_mb=1"], "--param: no selected profile has a param 'max_logits_mb'"),
    (["indexcache", "--preset", "v3.2", "--training"], "indexcache: --training is not an indexcache option"),
]
for args, want in BAD:
    rc, out, err = run(args)
    check(rc == 2 and want in err and err.count("\n") == 1 and out == "",
          "%s: rc %d, stderr %r" % (" ".join(args), rc, err))

# help and --list name it
rc, out, _ = run(["plan", "--help"])
check(rc == 0 and "--training" in out and "side by side" in out, "plan --help mentions --training")
rc, out, _ = run(["plan", "--list"])
check(rc == 0 and any(l.split()[:1] == ["streaming-train"] and "[training step: --training]" in l for l in out.splitlines()),
      "plan --list tags training steps")

for f in failures:
    print("FAIL:", f)
print("%d checks, %d failures" % (checks, len(failures)))
sys.exit(1 if failures or checks < 40 else 0)
