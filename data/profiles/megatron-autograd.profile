# A training step by PyTorch autograd through Megatron-Core's _compute_index_scores (the statements of
# megatron.profile, grad enabled), with the sparse loss of the backward contract: top-k of the scores
# (the selection is not differentiated), L = sum(values * g), g [b,sq,K] fp32, then loss.backward().
# This is what bench/engines/cw_engines.py --engine megatron --backward runs (a transcription:
# Megatron-Core is not installed on the device), at tensor level (PYTORCH_NO_CUDA_MEMORY_CACHING=1).
# Megatron-Core's own indexer training does not do this: it wraps the same function in a custom
# autograd Function that saves only its inputs and recomputes (megatron-train.profile).
#
# Measured: H200, torch 2.11.0+cu130, bench/engines/h200-train-2026-12-03.jsonl with the allocation
# traces (h200-train-traces-2026-12-03.tgz), 6 shapes (b 1-4, h 16-64, d 64/128, sq 1000-8192):
# forward peak, boundary and backward peak equal this profile to the byte at every shape
# (cw_engines_predict.py --backward). The backward's buffers are the backward's allocations in those
# traces, one for one, each live from the phase that allocates it to the phase that frees it; the
# event order is the same at all 6 shapes, and every backward phase's live bytes equal the trace's
# (bench/engines/cw_train_trace_replay.py, meson test cli-train-trace-replay).
#
# What autograd saves, from PyTorch's derivative formulas (tools/autograd/derivatives.yaml):
#   bmm (einsum's two-operand path, sumproduct_pair):  self: grad.bmm(mat2.transpose(1, 2)),
#       mat2: self.transpose(1, 2).bmm(grad)  -> both fp32 operands: q.float() reshaped to
#       [b, sq*h, d] (for b > 1 the reshape's copy, and q.float() itself dies when einsum returns)
#       and k.float() permuted to [b, d, sk] (a view of k.float())
#   relu: self: threshold_backward(grad, result, 0) -> its output. The stored derivatives.yaml we
#       read (d327a787) still saved self; torch 2.11 saves result: the trace frees one slab at the
#       relu -> weighting step and holds exactly one slab across the boundary (saving self would
#       hold two)
#   mul: self: grad * other, other: grad * self -> the relu output (already saved) and the weights'
#       view (an input); the loss's mul saves g (g does not require grad, so values are not saved)
#   topk: self: value_selecting_reduction_backward(grad, dim, indices, self.sizes(), true) ->
#       the int64 indices (and sizes); sum: sizes only
# Forward (as megatron.profile, plus the saved tensors outliving their statement):
#   q_float k_float einsum_q_copy einsum relu weight head_sum: megatron.profile's phases
#   topk      values fp32 + int64 indices [b,sq,K] + torch.topk's multi-block radix-select workspace
#             (transformers.profile's lets, same CUDA kernel); the head sum dies after it
#   loss      g [b,sq,K] fp32 (torch.randn), values * g [b,sq,K] fp32, and the loss: sum() to a
#             4-byte fp32 scalar that lives until the harness's `del loss` after loss.backward()
#             returns (trace: allocated in the loss statement, freed last), so it crosses the boundary
# Boundary (saved): the fp32 q operand, k.float(), the relu slab, the indices, g; and the loss scalar
# (not an autograd saved tensor, but live across the boundary like one).
# Backward (the autograd engine, one node at a time). torch/csrc/autograd/engine.cpp
# (pytorch/pytorch e1253a956f6866469eafd88cc3bfb4627f4b1efc, older than 2.11; the order below is
# what the 2.11 traces show): call_function runs the node,
# `outputs = fn(std::move(inputs))` (apply takes the list by reference: the node's input gradient
# stays owned by call_function's `inputs` until it returns), then validate_outputs(next_edges,
# outputs) reduces each output to its edge's input shape, `grad = at::sum_to(std::move(grad),
# metadata.shape())` (newer: InputMetadata::maybe_reduce -> reduce_grad -> at::sum_to,
# torch/csrc/autograd/input_metadata.cpp at 272ebd32a3596bdefbeaaf63778f5f090cd50f53), and then
# casts it to the input's dtype, `grad = grad.to(metadata dtype)`, each replacing grads[i] (the
# old tensor freed as the new one is assigned); evaluate_function calls fn.release_variables()
# (the saved tensors) after call_function returns.
#   loss_bwd   torch.autograd.backward's _make_grads: torch.ones_like(loss), 4 B (torch/autograd/
#              __init__.py, pytorch/pytorch 92dbdea824134deb5ce1452dbbc8be4035d09016), held in
#              grad_tensors until backward() returns (trace: the first backward allocation, freed
#              after q's gradient); SumBackward0 expands it (a view); MulBackward0: grad * g ->
#              d values [b,sq,K] fp32; g released after the node
#   topk_bwd   TopkBackward0: value_selecting_reduction_backward_symint (aten/src/ATen/native/
#              ReduceOps.cpp, pytorch/pytorch 52881c8087c92f777a4b33f61bae8ad99279615d):
#              at::zeros_symint(sizes) then scatter_ in place (scatter out of place only for tensor
#              subclasses): one [b,sq,sk] fp32 (trace: one allocation); d values released after it
#   mul_bwd    MulBackward0 of the weighting (mul_tensor_backward: grad * other.conj(), no reduction
#              in the node, torch/csrc/autograd/FunctionsManual.cpp at d5913d4b15d73b0e89d873a9e786cf46da3f5644):
#              grad (expanded view of the [b,sq,sk] gradient) * weights -> fp32 slab (relu's
#              gradient); grad * relu -> fp32 slab at the full [sq,b,h,sk] shape; then
#              validate_outputs' sum_to to the weights' view [sq,b,h,1]: an fp32 [sq,b,h,1]
#              (tok*h*4) allocated while the unreduced slab still lives. Three slabs, the [b,sq,sk]
#              gradient and the fp32 sum: the step's peak (trace: the peak allocation is this sum)
#   mul_cast   validate_outputs goes on: the unreduced slab freed, the cast to bf16 (tok*h*2, the
#              weights' gradient, stolen by AccumulateGrad: no clone in the trace) allocated while
#              the fp32 sum lives, then the fp32 sum freed; the [b,sq,sk] gradient (the node's
#              input) freed when call_function returns
#   relu_bwd   threshold_backward(grad, relu, 0) -> fp32 slab; relu's gradient (its input) freed,
#              then the relu slab (released after it)
#   bmm_bwd    the einsum's permute/reshape backward give views of the gradient slab, no copy at
#              any b (trace: no slab allocated here at b = 1..4; that the slab keeps the einsum
#              output's layout through the elementwise backward is our reading of why, NOT verified
#              against TensorIterator's code); grad.bmm -> [b, sq*h, d] fp32 and
#              bmm -> [b, d, sk] fp32; the gradient slab and the fp32 operands freed after it
#   k_grad     k's branch first (its nodes were made after q's): the fp32 gradient cast to bf16 keeps
#              bmm's transposed strides, so AccumulateGrad clones it to k's layout (2 x [sk,b,d] bf16)
#   q_grad     q's: cast to bf16; for b > 1 the layout differs from q's and AccumulateGrad clones it
# Not modelled (no phase peak holds them): two transients inside the loss's sum() (trace: 2112 B and
# 4 B, allocated after the scalar and freed before sum() returns; by their sizes the global
# reduction's staging buffer and semaphores of ATen's CUDA reduction: NOT verified against its code),
# cuBLAS workspaces (warmed up before the range, per thread).
name megatron-autograd
description Autograd through Megatron-Core's _compute_index_scores + sparse loss: saves fp32 q/k and the relu slab; backward holds three fp32 slabs [sq,b,h,sk] (weights' mul); measured on the H200
source https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/experimental_attention_variant/dsa.py (_compute_index_scores, line 517)
source https://github.com/pytorch/pytorch/blob/d327a787782618826890c323f8d7e51f3d28ec13/tools/autograd/derivatives.yaml (bmm, mul, relu_, topk, sum; relu saving its result in torch 2.11: from the H200 trace)
source https://github.com/pytorch/pytorch/blob/e1253a956f6866469eafd88cc3bfb4627f4b1efc/torch/csrc/autograd/engine.cpp (call_function, validate_outputs: sum_to then the dtype cast after the node; evaluate_function: release_variables)
source https://github.com/pytorch/pytorch/blob/52881c8087c92f777a4b33f61bae8ad99279615d/aten/src/ATen/native/ReduceOps.cpp (value_selecting_reduction_backward_symint: zeros then scatter_)
source bench/engines/h200-train-2026-12-03.jsonl and h200-train-traces-2026-12-03.tgz (H200, torch 2.11: every buffer's allocation and free)
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
backward loss_bwd topk_bwd mul_bwd mul_cast relu_bwd bmm_bwd k_grad k_accum q_grad q_accum

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
buffer loss = 4 live loss..q_accum

buffer loss_grad = 4 live loss_bwd..q_accum
buffer grad_values = tok * ke * 4 live loss_bwd..topk_bwd
buffer grad_scores = tok * sk * 4 live topk_bwd..mul_cast
buffer grad_relu = slab live mul_bwd..relu_bwd
buffer grad_weights_slab = slab live mul_bwd
buffer grad_weights_f32 = tok * h * 4 live mul_bwd..mul_cast
buffer weights_grad = tok * h * 2 live mul_cast..q_accum
buffer grad_einsum = slab live relu_bwd..bmm_bwd
buffer grad_q_f32 = qf live bmm_bwd..q_grad
buffer grad_k_f32 = b * sk * d * 4 live bmm_bwd..k_grad
buffer grad_k_cast = b * sk * d * 2 live k_grad..k_accum
buffer k_grad = b * sk * d * 2 live k_accum..q_accum
buffer grad_q_cast = tok * h * d * 2 live q_grad..q_accum
buffer q_grad_clone = bn * tok * h * d * 2 live q_accum
