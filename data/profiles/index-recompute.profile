# Our index-cache consumer stage when the cache is not valid (fail closed):
# cw_index_cache_reuse with cache_valid = 0 promotes the layer and recomputes
# idx with the streaming lane, next to the received (stale) cache_idx. This is
# the index-recompute receipt: index-shared plus the streaming workspace.
#
# Must match profiler/transfer/cw-index-transfer.c cw_transfer_session_run
# byte for byte (the workspace is allocated after the shared buffers).
name index-recompute
description Our index-cache consumer promoted to full: index-shared plus the streaming tile [rows,sk]
source profiler/transfer/cw-index-transfer.c cw_transfer_session_run; kernels/cw-kernels.h cw_index_cache_reuse (this repository)
scope lane

let rows = clamp(budget / (4 * sk), 1, b * sq)

phase receive recompute

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer idx = 4 * b * sq * k live all
buffer flags = 8 live all
buffer cache_idx = 4 * b * sq * k live all
buffer tile = 4 * rows * sk live recompute
