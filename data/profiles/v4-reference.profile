# DeepSeek-V4 reference Indexer.forward (inference/model.py), prefill from start_pos = 0, at tensor
# level (PYTORCH_NO_CUDA_MEMORY_CACHING=1, inference): q [b,sq,h,d], compressed keys [b,sk,d] with
# sk = sq // 4 (indexers exist only in compress_ratio 4 layers), default dtype bf16 and default
# device cuda (generate.py), so the einsum slab is bf16 [b,sq,h,sk] (kv_cache is a bf16 buffer).
# Statement by statement:
#  q = wq_b(qr).unflatten(...)          Q1 bf16 (bf16 weights: F.linear; fp8 weights would add act_quant)
#  apply_rotary_emb(q[..., -rd:], ...)  in place: fp32 copy of the rope slice + complex64 product
#  q = rotate_activation(q)             Hadamard: a new q; Q1 dies at the rebinding
#  fp4_act_quant(q, 32, True)           in place: an output like q and an e8m0 scale [.., d/32], freed
#  self.compressor(x, 0)                fp32 x copy, wkv/wgate [b,sq,2d] fp32, ape sum, two overlap
#                                       windows [b,sk,8,d] fp32, softmax, product, sum [b,sk,d], RMSNorm,
#                                       rope, Hadamard, fp4, written into kv_cache; all die at return
#  weights = weights_proj(x) * c        bf16 [b,sq,h] (two, the first dies)
#  index_score = einsum("bshd,btd->bsht", q, kv_cache[:b, :sk])   slab bf16 (views, no copies)
#  index_score = (index_score.relu_() * weights.unsqueeze(-1)).sum(dim=2)
#                                       relu_ in place; the weighted product is a second slab; the head
#                                       sum [b,sq,sk] bf16 is allocated while both slabs live  <- peak
#                                       and, once the product holds > 2^30 elements (byte offsets
#                                       past int32), an fp32 [b,sq,sk] accumulation buffer too
#  mask = arange(sk).repeat(sq, 1) >= arange(1, sq+1).unsqueeze(1) // 4
#                                       int64 [sq,sk] repeat, int64 [sq,1], bool [sq,sk] (kept)
#  index_score += where(mask, -inf, 0)  bf16 [sq,sk] (default dtype), added in place
#  topk_idxs = index_score.topk(min(k, sk))[1]   bf16 values (die with the tuple) + int64 indices +
#                                       workspace; the [sq,sk] bool mask is still alive here
#  mask = topk_idxs >= arange(1, sq+1).unsqueeze(1) // 4    bool [b,sq,k]; the old mask dies
#  topk_idxs = where(mask, -1, topk_idxs + offset)          int64 temp + int64 result (outlives range)
# q, weights and index_score live to return. Not verified: the official code is on Hugging Face
# (deepseek-ai/DeepSeek-V4-*/inference/model.py), which these tools cannot reach; the source line
# cites a public GitHub mirror of it (commit below) whose Indexer.forward matches the text quoted by
# other public copies. fast_hadamard_transform and the TileLang fp4_act_quant are replaced in
# cw_engines.py by code with the same allocations (x @ H; empty_like + e8m0 scale), fp4 rounding
# skipped. StreamIndex's 129 GB at V4-Flash S=32768 is the fp32 slab; this code's slab is bf16.
# Checked on the H200 (torch 2.11): every phase below equals a live total of the replayed allocation
# trace, byte for byte, at 7 shapes (bench/engines/h200-trace-2026-12-03.jsonl).
name v4-reference
description DeepSeek-V4 reference Indexer (start_pos 0): Compressor temporaries, bf16 einsum slab, relu_ in place, weighted bf16 slab + head sum at the peak, [sq,sk] causal-compressed mask, topk
source https://github.com/Nicooo-Wang/DeepSeek-V4-Pro-code/blob/0ec3a03c2fc34f29b2e72696ceaed9ae7a373aeb/inference/model.py (Indexer.forward, Compressor.forward, apply_rotary_emb, RMSNorm; mirror of the Hugging Face deepseek-ai/DeepSeek-V4-Pro inference code)
source https://github.com/Nicooo-Wang/DeepSeek-V4-Pro-code/blob/0ec3a03c2fc34f29b2e72696ceaed9ae7a373aeb/inference/kernel_tilelang.py (fp4_act_quant wrapper allocations)
source https://github.com/pytorch/pytorch/blob/6ed5926051796b052ead95341e8362d0273d525b/aten/src/ATen/native/cuda/TensorTopK.cu (topk workspace)
source bench/engines/cw_engines.py --engine v4-reference (the measured harness; a transcription)

# engine dims, defaults = cw_engines.py defaults; plan with --ratio 4 (sk = sq / 4)
param hidden = 256
param q_lora = 256
param rope_max = 64
param offset = 128
param topk_sms = 132
param topk_blocks_per_sm = 6
# cub's inclusive_sum_by_key temp storage, measured on the H200 (torch 2.11, bench/engines/cw_topk_probe.py,
# 72 cases): 1279 B up to 60000 blocks, 1535 B at 65536, 1791 B at 131072 - 256 B more per 16 scan
# tiles of (inferred) 3840 items
param topk_cub_bytes = 1279

let rope = min(rope_max, d / 2)
let tok = b * sq
let ke = min(k, sk)
let cut = 4 * sk
let qbf = tok * h * d * 2
let win = b * cut * 2 * d * 4
let slab = tok * h * sk * 2
let ktd = b * sk * d
let topk_elem = 2
# The bf16 head sum reduces a product whose byte offsets overflow int32 once it holds more than
# 2^30 elements; the CUDA reduction then accumulates in an fp32 buffer the size of the output
# (Reduce.cuh gpu_reduce_kernel: !can_use_32bit_indexing and bf16 output != float accumulator).
let hs_acc = min(1, (tok * h * sk) / (1073741824 + 1))
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

phase wq_b rope_q had_q fp4_q c_xf c_kv c_score c_state c_score_ape c_win_kv c_win_score c_softmax c_product c_sum c_bf16 c_norm c_rope c_had c_fp4 w_proj w_scale einsum weighted head_sum head_sum_acc mask_repeat mask_rhs mask_cmp mask_where topk mask2_rhs mask2_cmp where_add where_out

buffer x = tok * hidden * 2 live all input
buffer qr = tok * q_lora * 2 live all input
buffer kv_cache = ktd * 2 live all input

buffer q_lin = qbf live wq_b..had_q
buffer rq_f32 = tok * h * rope * 4 live rope_q
buffer rq_cplx = tok * h * rope * 4 live rope_q
buffer q = qbf live had_q..where_out
buffer fp4q_out = qbf live fp4_q
buffer fp4q_scale = tok * h * d / 32 live fp4_q

buffer c_x_f32 = tok * hidden * 4 live c_xf..c_fp4
buffer c_kv_lin = tok * 2 * d * 4 live c_kv..c_win_kv
buffer c_score_lin = tok * 2 * d * 4 live c_score..c_score_ape
buffer c_state_tmp = b * 4 * 2 * d * 4 live c_state
buffer c_score_ape_out = win live c_score_ape..c_win_score
buffer c_kv_win = win live c_win_kv..c_sum
buffer c_score_win = win live c_win_score..c_fp4
buffer c_softmax_out = win live c_softmax..c_product
buffer c_product_out = win live c_product..c_sum
buffer c_kv_sum = ktd * 4 live c_sum..c_norm
buffer c_kv_bf16 = ktd * 2 live c_bf16..c_norm
# RMSNorm: var [b,sk,1] fp32 is a named local (lives to its return); x*rsqrt and weight*x fp32
buffer c_norm_tmps = ktd * 8 + b * sk * 4 live c_norm
buffer c_kv_normed = ktd * 2 live c_norm..c_had
buffer c_rope_f32 = b * sk * rope * 4 live c_rope
buffer c_rope_cplx = b * sk * rope * 4 live c_rope
buffer c_kv_had = ktd * 2 live c_had..c_fp4
buffer c_fp4_out = ktd * 2 live c_fp4
buffer c_fp4_scale = ktd / 32 live c_fp4

buffer w_lin = tok * h * 2 live w_proj..w_scale
buffer weights = tok * h * 2 live w_scale..where_out
buffer slab_einsum = slab live einsum..head_sum_acc
buffer slab_weighted = slab live weighted..head_sum_acc
buffer head_sum_fp32_acc = hs_acc * tok * sk * 4 live head_sum_acc
buffer index_score = tok * sk * 2 live head_sum..where_out
buffer mask_arange = sk * 8 live mask_repeat
buffer mask_repeat_i64 = sq * sk * 8 live mask_repeat..mask_cmp
buffer mask_rhs_arange = sq * 8 live mask_rhs
buffer mask_rhs_div = sq * 8 live mask_rhs..mask_cmp
buffer mask = sq * sk live mask_cmp..mask2_cmp
buffer mask_where_bf16 = sq * sk * 2 live mask_where
# where()'s python scalars become 0-dim tensors on the default device (cuda): -inf and 0, bf16
buffer mask_where_scalars = 2 * 2 live mask_where
buffer topk_values = tok * ke * 2 live topk
buffer topk_indices = tok * ke * 8 live topk..where_out
buffer mask2_arange = sq * 8 live mask2_rhs
buffer mask2_div = sq * 8 live mask2_rhs..mask2_cmp
buffer mask2 = tok * ke live mask2_cmp..where_out
buffer idx_plus_offset = tok * ke * 8 live where_add..where_out
buffer topk_idxs_out = tok * ke * 8 live where_out
# the -1 of where(mask, -1, ...) as a 0-dim int64 tensor on cuda
buffer where_scalar = 8 live where_out
buffer topk_kth = tk_mb * tk_rows * topk_elem live topk
buffer topk_ks_to_find = tk_mb * 2 * tk_rows * 4 live topk
buffer topk_desired = tk_mb * 2 * tk_rows * 4 live topk
buffer topk_counts = tk_mb * tk_blocks * 256 * 2 live topk
buffer topk_digit_cumsum = tk_mb * tk_rows * 256 * 4 live topk
buffer topk_within_k = tk_mb * tk_blocks * 4 live topk
buffer topk_kth_counts = tk_mb * tk_blocks * 4 live topk
buffer topk_cub_temp = tk_mb * (topk_cub_bytes + 256 * ((ceil_div(tk_blocks, 3840) - 1) / 16)) live topk
