# Our streaming lane (kernels/, cw_streaming_run): a tile of query rows is
# scored against all keys into an fp32 [rows, sk] tile bounded by the chunk
# budget, its top-k merged into the running outputs. [sq, sk] never exists.
#
# Must match kernels/cw-kernel-shape.h byte for byte:
#   cw_kernels_streaming_rows = clamp(floor(budget / (4*sk)), 1, b*sq)
#   cw_kernels_streaming_workspace_bytes = 4*rows*sk
# (the tile exceeds the budget only when one row alone does). Top-k merges in
# shared memory: no extra workspace. Outputs int32 + fp32 (literal 4s).
name streaming
description Our streaming kernel: fp32 tile [rows,sk] under the chunk budget, running top-k outputs [b,sq,k]
source kernels/cw-kernel-shape.h cw_kernels_streaming_workspace_bytes, cw_kernels_streaming_rows (this repository)

let rows = clamp(budget / (4 * sk), 1, b * sq)

phase stream

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer tile = 4 * rows * sk live all
buffer idx = 4 * b * sq * k live all
buffer scores = 4 * b * sq * k live all
