# A training step through our materialize lane: the forward as materialize.profile (fp32 slab [sq,b,h,sk], reduced [b,sq,sk], then top-k),
# then the fused backward (cw_backward_sparse_run with every row in one chunk).
#
# Boundary: the forward's workspace is freed before the backward; what crosses it is idx (the kept
# keys) and the fp32 scores the caller's loss reads to produce g = dLoss/dscore [b, sq, k] fp32 (phase
# loss: scores and g together; the loss itself is the caller's). The backward keeps idx, g and the
# three fp32 gradients dq [b,sq,h,d], dw [b,sq,h], dk [b,sk,d] (caller-owned, fully overwritten) plus
# its workspace; z is recomputed per kept entry, never saved (no save-vs-recompute choice in the
# kernels, so no recompute param).
#
# Must match kernels/cw-kernel-shape.{h,c} byte for byte (tests/planner/test-kernel-agreement.c):
#   forward: cw_kernels_materialize_workspace_bytes
#   cw_kernels_backward_fused_workspace_bytes = b*sq * (4*d + 8) * k + 4 * (2*b*sk + 1 + ceil(b*sk / 4096))
#   which the kernels refuse when b*sq > floor(2147483647 / k) (one chunk's entries are int32): the
#   let fused_entries_exceed_int32 then overflows on purpose, so the plan fails with an overflow
#   error and the cliff solver stops below that size, as for any size beyond uint64.
name materialize-train
description Training step, our materialize lane: the forward's workspace, then the fused backward (every row in one chunk) with idx, g and fp32 dq/dw/dk
source kernels/cw-kernel-shape.h cw_kernels_materialize_workspace_bytes, cw_kernels_backward_fused_workspace_bytes (this repository)
source kernels/cw-kernels.h cw_backward_sparse_run (the backward's buffers)

let bw_keys = b * sk
let bw_per_row = (4 * d + 8) * k
let bw_fixed = 4 * (2 * bw_keys + 1 + ceil_div(bw_keys, 4096))
let fused_entries_exceed_int32 = 18446744073709551615 * lt(2147483647 / k, b * sq) * 2

phase score reduce topk
backward loss backward

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer slab = 4 * sq * b * h * sk live score..reduce
buffer reduced = 4 * b * sq * sk live reduce..topk
buffer idx = 4 * b * sq * k live all
buffer scores = 4 * b * sq * k live score..loss
buffer g = 4 * b * sq * k live loss..backward
buffer dq = 4 * b * sq * h * d live backward
buffer dw = 4 * b * sq * h live backward
buffer dk = 4 * b * sk * d live backward
buffer backward_workspace = b * sq * bw_per_row + bw_fixed + fused_entries_exceed_int32 live backward
