# A training step by PyTorch autograd through Megatron-Core's _compute_index_scores (the statements of
# megatron.profile, grad enabled), with the sparse loss of the backward contract: top-k of the scores
# (the selection is not differentiated), L = sum(values * g), g [b,sq,K] fp32, then loss.backward().
# This is what bench/engines/cw_engines.py --engine megatron --backward runs (a transcription:
# Megatron-Core is not installed on the device), at tensor level (PYTORCH_NO_CUDA_MEMORY_CACHING=1).
# Megatron-Core's own indexer training does not do this: it wraps the same function in a custom
# autograd Function that saves only its inputs and recomputes (megatron-train.profile).
#
# What autograd saves, from PyTorch's derivative formulas (tools/autograd/derivatives.yaml):
#   bmm (einsum's two-operand path, sumproduct_pair):  self: grad.bmm(mat2.transpose(1, 2)),
#       mat2: self.transpose(1, 2).bmm(grad)  -> both fp32 operands: q.float() reshaped to
#       [b, sq*h, d] (for b > 1 the reshape's copy, and q.float() itself dies when einsum returns)
#       and k.float() permuted to [b, d, sk] (a view of k.float())
#   relu: self: threshold_backward(grad, result, 0) -> its output (the stored version we read,
#       d327a787, still saved self; newer ones, v2.9.1 d38164a5 as quoted in public notes, save
#       result: NOT verified here against torch 2.11; the measurement decides: saving self instead
#       would keep the einsum slab too, one more slab across the boundary)
#   mul: self: grad * other, other: grad * self -> the relu output (already saved) and the weights'
#       view (an input); the loss's mul saves g (values do not require... g does not require grad,
#       so values are not saved)
#   topk: self: value_selecting_reduction_backward(grad, dim, indices, self.sizes(), true) ->
#       the int64 indices (and sizes); sum: sizes only
# Forward (as megatron.profile, plus the saved tensors outliving their statement):
#   q_float k_float einsum_q_copy einsum relu weight head_sum: megatron.profile's phases
#   topk      values fp32 + int64 indices [b,sq,K] + torch.topk's multi-block radix-select workspace
#             (transformers.profile's lets, same CUDA kernel); the head sum dies after it
#   loss      g [b,sq,K] fp32 (torch.randn), values * g [b,sq,K] fp32, loss (4 B, not modelled)
# Boundary (saved): the fp32 q operand, k.float(), the relu slab, the indices, g.
# Backward (the autograd engine, one node at a time; a node's input gradient lives until the node
# returns, its outputs are reduced or cast to the input's shape and dtype when it returns, saved
# tensors are released after it runs):
#   loss_bwd   MulBackward0: grad * g -> d values [b,sq,K] fp32; g released
#   topk_bwd   TopkBackward0: zeros [b,sq,sk] fp32, then scatter into a new [b,sq,sk] (an out-of-place
#              scatter: NOT verified; scatter_ in place would drop one [b,sq,sk])
#   mul_bwd    MulBackward0 of the weighting: grad (expanded view of the [b,sq,sk] gradient) * weights
#              -> fp32 slab; grad * relu -> fp32 slab, summed to [sq,b,h,1] fp32 and cast to bf16
#              (weights.grad). Three slabs live here: the step's peak.
#   relu_bwd   threshold_backward(grad, relu, 0) -> fp32 slab; the relu slab released after it
#   bmm_bwd    the einsum's view backward may copy the gradient slab for b > 1 (layout: NOT verified,
#              modelled as a copy), then grad.bmm -> [b, sq*h, d] fp32 and bmm -> [b, d, sk] fp32;
#              the fp32 operands released after it
#   k_grad     k's branch first (its nodes were made after q's): the fp32 gradient cast to bf16 keeps
#              bmm's transposed strides, so AccumulateGrad clones it to k's layout (2 x [sk,b,d] bf16)
#   q_grad     q's: cast to bf16; for b > 1 the layout differs from q's and AccumulateGrad clones it
# Not modelled: the 4-byte loss and its ones-like gradient, the fp32 [sq,b,h,1] sum before its cast
# (tok*h*4 B, transient), cuBLAS workspaces (warmed up before the range, per thread).
# Not measured yet: the harness above records the allocation trace with each half's peak and the
# live bytes at the boundary (trace_forward_peak_delta, trace_boundary_live, trace_backward_peak_delta)
# for the lead's H200 run; the items marked NOT verified are the ones the trace settles.
name megatron-autograd
description Autograd through Megatron-Core's _compute_index_scores + sparse loss: saves fp32 q/k and the relu slab; backward holds three fp32 slabs [sq,b,h,sk] (weights' mul)
source https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/experimental_attention_variant/dsa.py (_compute_index_scores, line 517)
source https://github.com/pytorch/pytorch/blob/d327a787782618826890c323f8d7e51f3d28ec13/tools/autograd/derivatives.yaml (bmm, mul, relu_, topk, sum; relu as of v2.9.1 d38164a545b4a4e4e0cf73ce67173f70574890b6 per public notes, not read here)
source bench/engines/cw_engines.py --engine megatron --backward (the harness; a transcription)
param topk_sms = 132
param topk_blocks_per_sm = 6
param topk_cub_bytes = 1279

let tok = b * sq
let slab = tok * h * sk * 4
let ke = min(k, sk)
let qf = tok * h * d * 4
let b1 = 1 - min(1, b - 1)
let bn = min(1, b - 1)
# torch.topk's workspace (transformers.profile: aten/src/ATen/native/cuda/TensorTopK.cu, mbtopk)
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

phase q_float k_float einsum_q_copy einsum relu weight head_sum topk loss
backward loss_bwd topk_bwd mul_bwd relu_bwd bmm_bwd k_grad k_accum q_grad q_accum

buffer q = tok * h * d * 2 live all input
buffer weights = tok * h * 2 live all input
buffer k = b * sk * d * 2 live all input

# fp32 operands: q.float() (saved itself for b = 1), its reshape copy (saved for b > 1), k.float()
buffer q_f32 = qf live q_float..einsum
buffer q_f32_saved = b1 * qf live relu..bmm_bwd
buffer q_reshape_copy = bn * qf live einsum_q_copy..bmm_bwd
buffer k_f32 = b * sk * d * 4 live k_float..bmm_bwd
buffer slab_einsum = slab live einsum..relu
buffer slab_relu = slab live relu..relu_bwd
buffer slab_weighted = slab live weight..head_sum
buffer index_scores = tok * sk * 4 live head_sum..topk
buffer topk_values = tok * ke * 4 live topk..loss
buffer topk_indices = tok * ke * 8 live topk..q_accum
buffer topk_kth = tk_mb * tk_rows * 4 live topk
buffer topk_ks_to_find = tk_mb * 2 * tk_rows * 4 live topk
buffer topk_desired = tk_mb * 2 * tk_rows * 4 live topk
buffer topk_counts = tk_mb * tk_blocks * 256 * 2 live topk
buffer topk_digit_cumsum = tk_mb * tk_rows * 256 * 4 live topk
buffer topk_within_k = tk_mb * tk_blocks * 4 live topk
buffer topk_kth_counts = tk_mb * tk_blocks * 4 live topk
buffer topk_cub_temp = tk_mb * (topk_cub_bytes + 256 * ((ceil_div(tk_blocks, 3840) - 1) / 16)) live topk
buffer g = tok * ke * 4 live loss..loss_bwd
buffer loss_product = tok * ke * 4 live loss

buffer grad_values = tok * ke * 4 live loss_bwd..topk_bwd
buffer grad_scores_zeros = tok * sk * 4 live topk_bwd
buffer grad_scores = tok * sk * 4 live topk_bwd..mul_bwd
buffer grad_relu = slab live mul_bwd..relu_bwd
buffer grad_weights_slab = slab live mul_bwd
buffer weights_grad = tok * h * 2 live mul_bwd..q_accum
buffer grad_einsum = slab live relu_bwd..bmm_bwd
buffer grad_reshape_copy = bn * slab live bmm_bwd
buffer grad_q_f32 = qf live bmm_bwd..q_grad
buffer grad_k_f32 = b * sk * d * 4 live bmm_bwd..k_grad
buffer grad_k_cast = b * sk * d * 2 live k_grad..k_accum
buffer k_grad = b * sk * d * 2 live k_accum..q_accum
buffer grad_q_cast = tok * h * d * 2 live q_grad..q_accum
buffer q_grad_clone = bn * tok * h * d * 2 live q_accum
