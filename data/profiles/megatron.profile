# Megatron-Core _compute_index_scores (DSA indexer, reference path) at tensor level
# (PYTORCH_NO_CUDA_MEMORY_CACHING=1, torch.no_grad): q [sq,b,h,d] bf16, weights [sq,b,h] bf16,
# k [sk,b,d] bf16 are the inputs; the function returns index scores [b,sq,sk] fp32 (a transposed view).
# Statement by statement (each rebinding of `index_scores` frees the tensor it held):
#  einsum('sbhd,tbd->sbht', q.float(), k.float())
#      q.float() [sq,b,h,d] fp32 and k.float() [sk,b,d] fp32 live for the call. einsum's
#      sumproduct_pair reshapes q to [b, sq*h, d]: sq and h cannot merge across the b stride, so for
#      b > 1 that reshape copies q once more (fp32); k's [b, d, sk] is a strided view cuBLAS takes as
#      is. bmm writes the slab [b, sq*h, sk] fp32 (viewed as [sq,b,h,sk]). The q copy and both fp32
#      operands die when einsum returns (no autograd keeps them under no_grad).
#  index_scores = torch.relu(index_scores)            a second slab; the first dies at the rebinding
#  index_scores = index_scores * weights.unsqueeze(-1)  a third slab while the second lives (bf16
#                                                     weights promote in the kernel, no cast copy)
#  index_scores = index_scores.sum(dim=2)             [sq,b,sk] fp32 while the weighted slab lives
#  index_scores.transpose(0, 1)                       a view; the [sq,b,sk] tensor outlives the range
# Peak: two slabs (relu and weight phases), or the einsum phase (one slab + fp32 q, its b>1 copy,
# fp32 k) when sk < ~2d. The fp32 copies of q and k are NOT alive with two slabs under no_grad
# (issue text said they were; with autograd enabled they would be saved for backward).
# Megatron-Core is not installed on the device: cw_engines.py runs our transcription of the function
# (same statements).
# Checked on the H200 (torch 2.11): every phase equals a live total of the replayed allocation
# trace, byte for byte, at 6 shapes (bench/engines/h200-trace-2026-12-03.jsonl).
name megatron
description Megatron-Core _compute_index_scores: fp32 q/k copies (+ q reshape copy for b>1), einsum fp32 slab [sq,b,h,sk], out-of-place relu (2 slabs), weighted slab, head sum [sq,b,sk]
source https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/experimental_attention_variant/dsa.py (_compute_index_scores, line 517)
source torch.einsum two-operand path: aten/src/ATen/native/Linear.cpp sumproduct_pair (permute, reshape, bmm)
source bench/engines/cw_engines.py --engine megatron (the measured harness; a transcription)

let tok = b * sq
let slab = tok * h * sk * 4

phase q_float k_float einsum_q_copy einsum relu weight head_sum

buffer q = tok * h * d * 2 live all input
buffer weights = tok * h * 2 live all input
buffer k = b * sk * d * 2 live all input

buffer q_f32 = tok * h * d * 4 live q_float..einsum
buffer k_f32 = b * sk * d * 4 live k_float..einsum
buffer q_reshape_copy = min(1, b - 1) * tok * h * d * 4 live einsum_q_copy..einsum
buffer slab_einsum = slab live einsum..relu
buffer slab_relu = slab live relu..weight
buffer slab_weighted = slab live weight..head_sum
buffer index_scores = tok * sk * 4 live head_sum
