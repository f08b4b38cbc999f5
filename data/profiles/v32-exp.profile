# DeepSeek-V3.2-Exp inference Indexer.forward (inference/model.py), prefill from start_pos = 0, at
# tensor level (PYTORCH_NO_CUDA_MEMORY_CACHING=1, inference): sk = sq (end_pos), d a multiple of 128.
# Default dtype bf16 (generate.py), bf16 Linear weights (ModelArgs.dtype "bf16": F.linear; fp8
# weights would add act_quant temporaries). Statement by statement:
#  q = wq_b(qr); rearrange (view)       Q1 bf16 - alive to return through the split view q_nope
#  q_pe = apply_rotary_emb(q_pe, f)     fp32 copy + complex64 product + bf16 result (kept as q_pe)
#  q = cat([q_pe, q_nope])              Q2 bf16
#  k = wk(x); k = k_norm(k)             bf16 [b,sq,d]; LayerNorm: fp32 copy, fp32 out, fp32 mean/rstd,
#                                       bf16 result (kept via k_nope); the rest die
#  k_pe = apply_rotary_emb(...); k = cat(...)   small [b,sq,rope]/[b,sq,d] tensors
#  q = rotate_activation(q); k = ...    Hadamard outputs; Q2/K2 die at the rebinding
#  q_fp8, q_scale = act_quant(q, 128)   fp8 [b,sq,h,d] + fp32 [b,sq,h,d/128]; same for k (small)
#  k_cache/k_scale_cache[:b, 0:sq] = ...  in place (module buffers)
#  weights = weights_proj(x) * h**-0.5; weights = weights.unsqueeze(-1) * q_scale * softmax_scale
#                                       bf16, bf16, fp32, fp32 [b,sq,h,1]; earlier ones die
#  index_score = fp8_index(q_fp8.contiguous(), weights, k_cache[:b,:sq].contiguous(), ...)
#                                       [b,sq,sq] fp32 written directly (no [b,sq,h,sk] slab); the
#                                       .contiguous() calls copy only when the cache is longer than sq
#                                       and b > 1 (param cache_copy)
#  index_score += mask                  in place; the [sq,sq] mask (bf16, default dtype) is an input
#  topk_indices = index_score.topk(min(k, sq))[1]   fp32 values (die) + int64 indices + workspace
#  topk_indices_ = topk_indices.clone() int64; dist.broadcast in place
#  assert torch.all(topk_indices == topk_indices_)  bool [b,sq,k] + a 0-dim bool (+ reduce scratch)
# Every local (Q1, q_pe, q, k parts, q_fp8, q_scale, k_fp8, k_scale, weights, index_score) lives to
# return; the int64 indices outlive the range. Peak: the clone/compare phase (index_score + 8+8+1 B
# per kept entry) or the topk phase (4+8 B per entry + workspace), on top of ~49 KiB/token of
# projections at h=64, d=128.
# Not available on the device: the TileLang act_quant/fp8_index kernels and fast_hadamard_transform.
# cw_engines.py replaces them with code that allocates the same outputs in the same order, plus a
# bounded workspace for its fp8_index transcription (param transcription = 1; 0 = the real kernel,
# which needs none). fp8 rounding is skipped (scale 1), which changes values, not residency.
# No process group: dist.broadcast (a no-op with one rank) is skipped; NCCL would allocate its own
# buffers inside the range.
# Checked on the H200 (torch 2.11): every phase equals a live total of the replayed allocation
# trace, byte for byte, at 7 shapes (bench/engines/h200-trace-2026-12-03.jsonl).
name v32-exp
description DeepSeek-V3.2-Exp inference Indexer: q/k projections, rope, Hadamard, fp8 act_quant, fused fp8_index [b,sq,sk] fp32 (no head slab), mask added in place, topk int64 + clone + compare
source https://github.com/deepseek-ai/DeepSeek-V3.2-Exp/blob/3b99a5350d260b7c2a357e82362305509e2d0724/inference/model.py (Indexer.forward, apply_rotary_emb, LayerNorm, Transformer.forward mask)
source https://github.com/deepseek-ai/DeepSeek-V3.2-Exp/blob/3b99a5350d260b7c2a357e82362305509e2d0724/inference/kernel.py (act_quant, fp8_index wrappers)
source https://github.com/pytorch/pytorch/blob/6ed5926051796b052ead95341e8362d0273d525b/aten/src/ATen/native/cuda/TensorTopK.cu (topk workspace)
source bench/engines/cw_engines.py --engine v32-exp (the measured harness; a transcription)

# engine dims, defaults = cw_engines.py defaults
param hidden = 256
param q_lora = 256
param rope_max = 64
# 1 = cw_engines.py's fp8_index transcription workspace, 0 = the TileLang kernel (none)
param transcription = 1
param chunk_mib = 64
# 1 when the k cache is longer than sq and b > 1 (cw_engines.py --max-seq-len > sq)
param cache_copy = 0
param topk_sms = 132
param topk_blocks_per_sm = 6
# cub's inclusive_sum_by_key temp storage, measured on the H200 (torch 2.11, bench/engines/cw_topk_probe.py,
# 72 cases): 1279 B up to 60000 blocks, 1535 B at 65536, 1791 B at 131072 - 256 B more per 16 scan
# tiles of (inferred) 3840 items
param topk_cub_bytes = 1279
# torch.all's global reduction (Reduce.cuh): one bool per CTA plus a 4 B semaphore, CTAs =
# min(ceil(n / (512 threads * 16)), 132 SMs * 4 blocks) when more than one; measured 256+4 B at
# n = 2M and 528+4 B at n >= 16M (H200, torch 2.11)
param reduce_ctas_max = 528

let rope = min(rope_max, d / 2)
let tok = b * sq
let ke = min(k, sk)
let qbf = tok * h * d * 2
let nblk = d / 128
let chunk_rows = clamp(chunk_mib * MiB / (h * sk * 4), 1, sq)
let topk_elem = 4
let all_ctas = min(ceil_div(tok * ke, 8192), reduce_ctas_max)
# --- torch.topk's workspace (PyTorch CUDA build, aten/src/ATen/native/cuda/TensorTopK.cu) ------------
# rows = b*sq slices of sk. should_use_multiblock(rows, sk) picks the multi-block radix select, whose
# launch() allocates, all live together until it returns: kthValues rows*elem, ks_to_find 2*rows*4,
# desired 2*rows*4, counts blocks*256*2, digit_cum_sum rows*256*4, withinKCounts blocks*4,
# kthCounts blocks*4, plus cub's inclusive_sum_by_key temp storage (two calls, one at a time).
# blocks = rows * ceil(sk / (ipt*256)), ipt = clamp(ceil(rows*sk / (SMs * blocks_per_SM * 256)), 4, 64),
# blocks_per_SM = min(regs_per_SM / (40*256), 32) = 6 on an H200 (132 SMs). The single-block path
# allocates nothing; values and indices (int64) come first, sorting k <= 4096 is in place.
let tk_rows = b * sq
let tk_r1 = 1 - min(1, tk_rows / 21)
let tk_r2 = min(1, tk_rows / 21) * (1 - min(1, tk_rows / 41))
let tk_r3 = min(1, tk_rows / 41) * (1 - min(1, tk_rows / 81))
let tk_r4 = min(1, tk_rows / 81) * (1 - min(1, tk_rows / 200))
let tk_r5 = min(1, tk_rows / 200) * (1 - min(1, tk_rows / 800))
let tk_r6 = min(1, tk_rows / 800) * (1 - min(1, tk_rows / 4001))
let tk_r7 = min(1, tk_rows / 4001)
let tk_mb = min(1, tk_r1 * min(1, sk / 20000) + tk_r2 * min(1, sk / 10000) + tk_r3 * min(1, sk / 8000) + tk_r4 * min(1, sk / 5000) + tk_r5 * min(1, sk / 3000) + tk_r6 * min(1, sk / 800) + tk_r7 * min(1, sk / 400))
let tk_ipt = clamp(ceil_div(tk_rows * sk, topk_sms * topk_blocks_per_sm * 256), 4, 64)
let tk_blocks = tk_rows * ceil_div(sk, tk_ipt * 256)

phase wq_b rope_q cat_q wk ln ln_cast rope_k cat_k had_q had_k aq_q aq_k w_proj w_scale1 w_scale2 w_scale3 fp8_index fp8_index_ws topk clone compare

buffer x = tok * hidden * 2 live all input
buffer qr = tok * q_lora * 2 live all input
buffer freqs_cis = sq * rope * 4 live all input
buffer mask = sq * sk * 2 live all input
buffer k_cache = b * sk * d live all input
buffer k_scale_cache = b * sk * nblk * 4 live all input

buffer q_lin = qbf live wq_b..compare
buffer rq_f32 = tok * h * rope * 4 live rope_q
buffer rq_cplx = tok * h * rope * 4 live rope_q
buffer q_pe = tok * h * rope * 2 live rope_q..compare
buffer q_cat = qbf live cat_q..had_q
buffer k_lin = tok * d * 2 live wk..ln_cast
# the x.float() argument dies when F.layer_norm returns, before .type_as
buffer ln_x_f32 = tok * d * 4 live ln
buffer ln_out = tok * d * 4 live ln..ln_cast
buffer ln_mean = tok * 4 live ln
buffer ln_rstd = tok * 4 live ln
buffer k_normed = tok * d * 2 live ln_cast..compare
buffer rk_f32 = tok * rope * 4 live rope_k
buffer rk_cplx = tok * rope * 4 live rope_k
buffer k_pe = tok * rope * 2 live rope_k..compare
buffer k_cat = tok * d * 2 live cat_k..had_k
buffer q_had = qbf live had_q..compare
buffer k_had = tok * d * 2 live had_k..compare
buffer q_fp8 = tok * h * d live aq_q..compare
buffer q_scale = tok * h * nblk * 4 live aq_q..compare
buffer k_fp8 = tok * d live aq_k..compare
buffer k_scale = tok * nblk * 4 live aq_k..compare
buffer w_lin = tok * h * 2 live w_proj..w_scale1
buffer w_bf16 = tok * h * 2 live w_scale1..w_scale3
buffer w_f32_a = tok * h * nblk * 4 live w_scale2..w_scale3
buffer weights = tok * h * nblk * 4 live w_scale3..compare
buffer k_cache_copy = cache_copy * b * sk * d live fp8_index..fp8_index_ws
buffer k_scale_copy = cache_copy * b * sk * nblk * 4 live fp8_index..fp8_index_ws
buffer index_score = tok * sk * 4 live fp8_index..compare
buffer ws_k_f32 = transcription * sk * d * 4 live fp8_index_ws
buffer ws_q_f32 = transcription * chunk_rows * h * d * 4 live fp8_index_ws
buffer ws_logits = transcription * chunk_rows * h * sk * 4 live fp8_index_ws
buffer topk_values = tok * ke * 4 live topk
buffer topk_indices = tok * ke * 8 live topk..compare
buffer topk_clone = tok * ke * 8 live clone..compare
buffer eq_bool = tok * ke live compare
buffer all_out = 1 live compare
buffer all_scratch = min(1, all_ctas - 1) * all_ctas live compare
buffer all_semaphore = min(1, all_ctas - 1) * 4 live compare
buffer topk_kth = tk_mb * tk_rows * topk_elem live topk
buffer topk_ks_to_find = tk_mb * 2 * tk_rows * 4 live topk
buffer topk_desired = tk_mb * 2 * tk_rows * 4 live topk
buffer topk_counts = tk_mb * tk_blocks * 256 * 2 live topk
buffer topk_digit_cumsum = tk_mb * tk_rows * 256 * 4 live topk
buffer topk_within_k = tk_mb * tk_blocks * 4 live topk
buffer topk_kth_counts = tk_mb * tk_blocks * 4 live topk
buffer topk_cub_temp = tk_mb * (topk_cub_bytes + 256 * ((ceil_div(tk_blocks, 3840) - 1) / 16)) live topk
