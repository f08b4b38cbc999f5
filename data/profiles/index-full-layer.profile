# Our index-cache anchor stage (profiler/transfer, rank 0 of the stage chain):
# the full indexer layer computes the top-k payload with the streaming lane,
# then sends it to the next pipeline stage. The same allocations are live for
# the index-full-layer and index-transfer-send receipts (a sender's peak).
#
# Must match profiler/transfer/cw-index-transfer.c cw_transfer_session_run
# byte for byte: q, k, w, idx, the two int32 flags (cache_valid, promoted),
# then the streaming workspace (4 * rows * sk, rows as in streaming.profile).
# No scores buffer: the stage passes NULL and keeps only indices.
name index-full-layer
description Our index-cache anchor stage: streaming top-k into the int32 payload [b,sq,k] it sends on
source profiler/transfer/cw-index-transfer.c cw_transfer_session_run; kernels/cw-kernel-shape.h cw_kernels_streaming_workspace_bytes (this repository)
scope lane

let rows = clamp(budget / (4 * sk), 1, b * sq)

phase compute send

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer idx = 4 * b * sq * k live all
buffer flags = 8 live all
buffer tile = 4 * rows * sk live compute
