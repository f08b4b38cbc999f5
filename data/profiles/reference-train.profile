# A training step through the PyTorch-eager reference path (reference.profile's forward: one einsum
# "bshd,btd->bsht" slab [b,sq,h,sk], relu, * weights, head sum, torch.topk) with autograd on, and the
# sparse loss of the backward contract, L = sum(topk values * g), g [b,sq,k] fp32.
#
# What autograd saves (PyTorch tools/autograd/derivatives.yaml; commits in the source lines):
#   einsum -> bmm: both operands. "bshd,btd" reshapes q to [b, sq*h, d] (a view: contiguous) and
#     permutes k to [b, d, sk] (a view): no bytes beyond the inputs.
#   relu: its output (relu_: result; relu: result in newer versions, self in older ones): one slab.
#   mul (the weighting): both operands, the relu output (already saved) and the weights' view.
#   sum: sizes only. topk: its int64 indices. The loss's mul: g (values do not need saving: g does not
#     require grad).
# So with relu_inplace = 1 the einsum slab, relu'd in place, crosses the boundary; with 0 the relu
# output does and the einsum slab dies with the forward. The forward keeps every temporary named until
# the head sum returns, as reference.profile does (its forward group plans exactly reference's peak).
#
# Save vs recompute (param recompute): 0 = plain autograd, as above; 1 = activation checkpointing of
# the score path (torch.utils.checkpoint): the forward runs without saving (reference.profile's
# forward, nothing but the outputs and the inputs cross), and the backward first recomputes the
# forward with grad on (phases re_*), then runs the same backward.
# Backward, node by node: loss_bwd (grad * g -> d values), topk_bwd (zeros [b,sq,sk], scattered into
# a new [b,sq,sk]: out-of-place, as newer PyTorch writes value_selecting_reduction_backward; NOT
# verified against the CUDA build), mul_bwd (grad * weights and grad * relu: two slabs besides the
# saved one: the step's peak), relu_bwd (threshold_backward: one slab; the saved slab released),
# einsum_bwd (grad.bmm: [b,sq*h,d] and [b,d,sk] in the score dtype), grads (dq, dk, dw in the
# inputs' dtypes). The casts to the inputs' dtypes and AccumulateGrad's copy of k's transposed
# gradient are [b,sk,d]- or [b,sq,h,d]-sized transients, not modelled separately (the score dtype
# equal to the inputs' makes them disappear); the topk workspace is not modelled (as in
# reference.profile). Not measured: cw_engines.py measures the Megatron-Core form of this path
# (megatron-autograd.profile), whose statements differ (fp32 operand copies, [sq,b,h,sk] layout).
name reference-train
description Training step, PyTorch-eager reference + autograd: saves the relu slab (and int64 indices); backward holds three slabs (weighting's mul); param recompute = checkpointing
source DeepSeek-V3.2-Exp inference/model.py, DeepSeek-V4 reference (the forward, as reference.profile)
source https://github.com/pytorch/pytorch/blob/d327a787782618826890c323f8d7e51f3d28ec13/tools/autograd/derivatives.yaml (bmm, mul, relu_, sum, topk; relu saving its result: v2.9.1 d38164a545b4a4e4e0cf73ce67173f70574890b6 as quoted in public notes)
param relu_inplace = 1
param topk_index_bits = 64
# 1: torch.utils.checkpoint around the score path (recompute in the backward), 0: save
param recompute = 0

let slab = nbytes(b * sq * h * sk, bits_score)
let bsk = nbytes(b * sq * sk, bits_score)
let kept = nbytes(b * sq * k, bits_score)
let ip = min(relu_inplace, 1)
let rc = min(recompute, 1)
let keep = 1 - rc

phase einsum relu weight headsum topk loss
backward re_einsum re_relu re_weight re_headsum re_topk loss_bwd topk_bwd mul_bwd relu_bwd einsum_bwd grads

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
# the einsum slab: relu'd in place and saved (relu_inplace, no recompute), else dead after the forward
buffer logits_slab = slab * (1 - ip * keep) live einsum..headsum
buffer logits_slab_saved = slab * ip * keep live einsum..relu_bwd
buffer relu_out = slab * (1 - ip) * rc live relu..headsum
buffer relu_out_saved = slab * (1 - ip) * keep live relu..relu_bwd
buffer weighted = slab live weight..headsum
buffer head_sum = bsk live headsum..topk
buffer topk_values = kept live topk..loss
buffer topk_indices = nbytes(b * sq * k, topk_index_bits) live topk..grads
buffer g = 4 * b * sq * k live loss..loss_bwd
buffer loss_product = 4 * b * sq * k live loss
# recompute = 1: the forward again, with grad on, keeping what autograd saves
buffer re_logits = slab * rc * (1 - ip) live re_einsum..re_headsum
buffer re_logits_saved = slab * rc * ip live re_einsum..relu_bwd
buffer re_relu_saved = slab * rc * (1 - ip) live re_relu..relu_bwd
buffer re_weighted = slab * rc live re_weight..re_headsum
buffer re_head_sum = bsk * rc live re_headsum..re_topk
buffer re_topk_values = kept * rc live re_topk
buffer re_topk_indices = nbytes(b * sq * k, topk_index_bits) * rc live re_topk..topk_bwd
# the backward
buffer grad_values = kept live loss_bwd..topk_bwd
buffer grad_head_sum_zeros = bsk live topk_bwd
buffer grad_head_sum = bsk live topk_bwd..mul_bwd
buffer grad_relu = slab live mul_bwd..relu_bwd
buffer grad_weights_slab = slab live mul_bwd
buffer dw = nbytes(b * sq * h, bits_w) live mul_bwd..grads
buffer grad_logits = slab live relu_bwd..einsum_bwd
buffer dq_score = nbytes(b * sq * h * d, bits_score) live einsum_bwd
buffer dk_score = nbytes(b * sk * d, bits_score) live einsum_bwd
buffer dq = nbytes(b * sq * h * d, bits_q) live grads
buffer dk = nbytes(b * sk * d, bits_k) live grads
