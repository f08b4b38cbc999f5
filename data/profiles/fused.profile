# Our fused lane (kernels/, cw_fused_run): each head's q·k is computed and
# relu(·)*w accumulated straight into one fp32 [b, sq, sk] buffer; the head
# axis is never resident. Top-k selects in shared memory (no workspace).
#
# Must match kernels/cw-kernel-shape.h byte for byte:
#   cw_kernels_fused_workspace_bytes = 4*b*sq*sk
# Outputs are int32 indices + fp32 scores (literal 4s: the kernels' types).
name fused
description Our fused kernel: per-head accumulation into fp32 [b,sq,sk], then top-k
source kernels/cw-kernel-shape.h cw_kernels_fused_workspace_bytes (this repository)

phase score topk

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer scores_dense = 4 * b * sq * sk live all
buffer idx = 4 * b * sq * k live all
buffer scores = 4 * b * sq * k live all
