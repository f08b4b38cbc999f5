# A training step through our streaming lane: the forward (kernels/, cw_streaming_run) as
# streaming.profile, then the backward (cw_backward_sparse_run, or cw_backward_dense_chunk in the
# warm-up stage) in row chunks under the same chunk budget. [sq, sk] never exists, in either pass.
#
# Boundary: the forward's tile is freed before the backward; what crosses it is idx (the kept keys)
# and the fp32 scores the caller's loss reads to produce g = dLoss/dscore [b, sq, k] fp32 (phase
# loss: scores and g together; the loss itself is the caller's and allocates nothing modelled here).
# The backward keeps idx, g and the three fp32 gradients dq [b,sq,h,d], dw [b,sq,h], dk [b,sk,d]
# (caller-owned, fully overwritten) plus its workspace. z is recomputed per kept entry, never saved:
# the kernels have no save-vs-recompute choice, so this profile has no recompute param.
#
# Must match kernels/cw-kernel-shape.{h,c} byte for byte (tests/planner/test-kernel-agreement.c):
#   sparse backward, per chunk of rows:  per_row = (4*d + 8) * k   (contributions c[r,j,:] fp32 plus
#                                        8 B per entry for the grouping by key)
#                                        fixed   = 4 * (2*b*sk + 1 + ceil(b*sk / 4096))  (per-key
#                                        counts and offsets, the scan's partials)
#     cw_kernels_backward_sparse_rows  = min(clamp(floor((budget - fixed) / per_row), 1, b*sq),
#                                            floor(2147483647 / k))   (0 rows when budget <= fixed: 1)
#     cw_kernels_backward_sparse_workspace_bytes = rows * per_row + fixed
#   dense backward (param dense = 1, the warm-up stage: the gradient over every legal key):
#     workspace 0 (cw_kernels_backward_dense_workspace_bytes); the caller's upstream gradient chunk
#     G fp32 [rows, sk], rows = clamp(floor(budget / (4*sk)), 1, b*sq) (cw_kernels_backward_dense_rows,
#     the streaming tile's rule); no g [b,sq,k].
name streaming-train
description Training step, our streaming lane: forward tile [rows,sk]; backward keeps idx, g, fp32 dq/dw/dk and the sparse backward's chunk workspace (or the dense warm-up's G chunk)
source kernels/cw-kernel-shape.h cw_kernels_streaming_workspace_bytes, cw_kernels_backward_sparse_rows, cw_kernels_backward_sparse_workspace_bytes, cw_kernels_backward_dense_rows (this repository)
source kernels/cw-kernels.h cw_backward_sparse_run, cw_backward_dense_chunk (the backward's buffers)

# 1: the warm-up stage (dense backward over every legal key), 0: sparse (after warm-up)
param dense = 0

let sparse = 1 - min(dense, 1)
let rows = clamp(budget / (4 * sk), 1, b * sq)
let bw_keys = b * sk
let bw_per_row = (4 * d + 8) * k
let bw_fixed = 4 * (2 * bw_keys + 1 + ceil_div(bw_keys, 4096))
let bw_rows = min(clamp((budget - min(bw_fixed, budget)) / bw_per_row, 1, b * sq), 2147483647 / k)

phase stream
backward loss backward

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer tile = 4 * rows * sk live stream
buffer idx = 4 * b * sq * k live all
buffer scores = 4 * b * sq * k live stream..loss
buffer g = sparse * 4 * b * sq * k live loss..backward
buffer dq = 4 * b * sq * h * d live backward
buffer dw = 4 * b * sq * h live backward
buffer dk = 4 * b * sk * d live backward
buffer backward_workspace = sparse * (bw_rows * bw_per_row + bw_fixed) live backward
buffer dense_gradient_chunk = (1 - sparse) * 4 * rows * sk live backward
