# Hugging Face transformers DeepseekV32Indexer.forward at tensor level (PYTORCH_NO_CUDA_MEMORY_CACHING=1,
# torch.no_grad), prefill with past_key_values=None: q [b,sq,h,d], keys [b,sk,d], sk = sq.
# One phase per allocation point, in statement order; a buffer is live from the statement that
# allocates it to the last statement at which a Python name still holds it (locals live to return).
#  q = wq_b(q_resid)                     Q1 bf16; stays alive to return through the split view q_pass
#  k = k_norm(wk(x)).unsqueeze(2)        wk out bf16 (dies after the statement), LayerNorm out bf16
#                                        (alive via k_pass), LayerNorm mean/rstd fp32 [b*sq] (die at once)
#  apply_rotary_pos_emb (half split)     q*cos, -x2, cat, rotate_half*sin, sum: at most 3 rope-sized
#                                        temporaries at once; q_embed/k_embed stay (names q_rot/k_rot)
#  q = cat([q_rot, q_pass])              Q2 bf16;  k = cat([k_rot, k_pass]).squeeze(2)  K2 bf16
#  scores = matmul(q.float(), k.transpose(-1,-2).float().unsqueeze(1)) * softmax_scale
#      q.float() fp32, k^T.float() fp32; matmul broadcasts [b,1,d,sk] against [b,sq] batches: for b > 1
#      its reshape of the expanded key copies [b*sq, d, sk] fp32 (b*sq*d*sk*4 B!) before the bmm output
#      slab [b,sq,h,sk] fp32; for b = 1 the expanded key is a stride-0 view (no copy). The copy and the
#      fp32 operands die when matmul returns; "* softmax_scale" makes a second slab, the first dies.
#  scores = F.relu(scores)               out of place: a third slab while the second lives; stays to return
#  weights = weights_proj(x).float() * h**-0.5     bf16, fp32, fp32 [b,sq,h]
#  index_scores = matmul(weights.unsqueeze(-2), scores).squeeze(-2)   [b,sq,sk] fp32 (views, no copies)
#  bool mask: index_scores.masked_fill(~mask, -inf)   ~mask bool [b,sq,sk] + a new [b,sq,sk] fp32
#  float mask: index_scores + mask                    a new [b,sq,sk] fp32
#  index_scores.topk(min(k, sk)).indices.to(int32)    values fp32 + int64 indices + topk workspace;
#                                        values die with the tuple, int64 dies after the int32 copy
# The int32 [b,sq,k] result outlives the range. Peak: the matmul phase for b > 1 (slab + key copy +
# fp32 q), else the scale/relu phases (two slabs) - all with q/k projections and rope outputs alive.
#
# Code: transformers 5.17.0 as installed on the device (modeling_deepseek_v32.py, md5
# 5d9d23748a15cbd25e58a3aef18558b1, dumped to bench/engines/upstream-dump/); its DeepseekV32Indexer.forward,
# apply_rotary_pos_emb and rotate_half read the same as the stored upstream commit cited below.
# use_kernel_forward_from_hub is a no-op there (no `kernels` package), so the Python rope runs.
# torch.topk's workspace is the torch 2.11 CUDA multi-block radix select (see the topk lets).
# Checked on the H200 (torch 2.11): every phase equals a live total of the replayed allocation
# trace, byte for byte, at 7 shapes (bench/engines/h200-trace-2026-12-03.jsonl).
name transformers
description HF transformers DeepseekV32Indexer (bf16 module): fp32 q/k copies, matmul key-broadcast copy (b>1), three fp32 [b,sq,h,sk] slabs (matmul, *scale, relu), head matmul, mask, topk int64 -> int32
source https://github.com/huggingface/transformers/blob/01f8fa55d98fbd77fb6461c47ae14fc6206f2f87/src/transformers/models/deepseek_v32/modeling_deepseek_v32.py (DeepseekV32Indexer.forward, apply_rotary_pos_emb, rotate_half)
source https://github.com/pytorch/pytorch/blob/6ed5926051796b052ead95341e8362d0273d525b/aten/src/ATen/native/cuda/TensorTopK.cu (mbtopk::launch workspace, should_use_multiblock); torch.matmul broadcast reshape copy: aten/src/ATen/native/LinearAlgebra.cpp _matmul_impl
source bench/engines/cw_engines.py --engine transformers (the measured harness)

# engine dims, defaults = cw_engines.py defaults
param hidden = 256
param q_lora = 256
param rope_max = 64
# 1 = bool attention mask (sdpa; cw_engines.py --mask bool, the default), 0 = additive float mask (eager)
param mask_bool = 1
param topk_sms = 132
param topk_blocks_per_sm = 6
# cub's inclusive_sum_by_key temp storage, measured on the H200 (torch 2.11, bench/engines/cw_topk_probe.py,
# 72 cases): 1279 B up to 60000 blocks, 1535 B at 65536, 1791 B at 131072 - 256 B more per 16 scan
# tiles of (inferred) 3840 items
param topk_cub_bytes = 1279

let rope = min(rope_max, d / 2)
let tok = b * sq
let ke = min(k, sk)
let qbf = tok * h * d * 2
let rq = tok * h * rope * 2
let rk = tok * rope * 2
let slab = tok * h * sk * 4
let bsk = tok * sk
let topk_elem = 4
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

phase wq_b wk k_norm rope_q1 rope_q2 rope_q3 rope_k1 rope_k2 rope_k3 cat_q cat_k q_float k_float mm_key_copy mm scale relu w_proj w_float w_scale head_mm mask_not mask_fill topk to_int32

buffer hidden_states = tok * hidden * 2 live all input
buffer q_resid = tok * q_lora * 2 live all input
buffer cos = tok * rope * 2 live all input
buffer sin = tok * rope * 2 live all input
buffer attention_mask = bsk * (1 + 1 - mask_bool) live all input
buffer position_ids = sq * 8 live all input

buffer q_lin = qbf live wq_b..to_int32
buffer k_lin = tok * d * 2 live wk..k_norm
buffer k_normed = tok * d * 2 live k_norm..to_int32
buffer ln_mean = tok * 4 live k_norm
buffer ln_rstd = tok * 4 live k_norm
buffer rq_cos = rq live rope_q1..rope_q3
buffer rq_neg = rq / 2 live rope_q1
buffer rq_cat = rq live rope_q1..rope_q2
buffer rq_sin = rq live rope_q2..rope_q3
buffer q_rot = rq live rope_q3..to_int32
buffer rk_cos = rk live rope_k1..rope_k3
buffer rk_neg = rk / 2 live rope_k1
buffer rk_cat = rk live rope_k1..rope_k2
buffer rk_sin = rk live rope_k2..rope_k3
buffer k_rot = rk live rope_k3..to_int32
buffer q_cat = qbf live cat_q..to_int32
buffer k_cat = b * sk * d * 2 live cat_k..to_int32
buffer q_f32 = tok * h * d * 4 live q_float..mm
buffer kt_f32 = b * sk * d * 4 live k_float..mm
buffer key_broadcast_copy = min(1, b - 1) * tok * d * sk * 4 live mm_key_copy..mm
buffer slab_matmul = slab live mm..scale
buffer slab_scaled = slab live scale..relu
buffer slab_relu = slab live relu..to_int32
buffer w_bf16 = tok * h * 2 live w_proj..w_float
buffer w_f32 = tok * h * 4 live w_float..w_scale
buffer weights = tok * h * 4 live w_scale..to_int32
buffer index_scores = bsk * 4 live head_mm..mask_fill
buffer not_mask = mask_bool * bsk live mask_not..mask_fill
buffer index_scores_masked = bsk * 4 live mask_fill..to_int32
buffer topk_values = tok * ke * 4 live topk
buffer topk_indices = tok * ke * 8 live topk..to_int32
buffer indices_int32 = tok * ke * 4 live to_int32
buffer topk_kth = tk_mb * tk_rows * topk_elem live topk
buffer topk_ks_to_find = tk_mb * 2 * tk_rows * 4 live topk
buffer topk_desired = tk_mb * 2 * tk_rows * 4 live topk
buffer topk_counts = tk_mb * tk_blocks * 256 * 2 live topk
buffer topk_digit_cumsum = tk_mb * tk_rows * 256 * 4 live topk
buffer topk_within_k = tk_mb * tk_blocks * 4 live topk
buffer topk_kth_counts = tk_mb * tk_blocks * 4 live topk
buffer topk_cub_temp = tk_mb * (topk_cub_bytes + 256 * ((ceil_div(tk_blocks, 3840) - 1) / 16)) live topk
