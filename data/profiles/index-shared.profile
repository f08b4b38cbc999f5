# Our index-cache consumer stage (profiler/transfer, ranks > 0): it receives
# the anchor's payload into cache_idx and reuses it (cw_index_cache_reuse with
# cache_valid = 1 copies it into idx). This is what the index-transfer-recv
# and index-shared receipts hold. The streaming workspace that the promoted
# branch needs is not part of it: see index-recompute.profile.
#
# Must match profiler/transfer/cw-index-transfer.c cw_transfer_session_run
# byte for byte: q, k, w (every stage holds its own inputs: a consumer that
# recomputes needs them), idx, the two int32 flags, cache_idx.
name index-shared
description Our index-cache consumer stage: received payload [b,sq,k] int32 reused, no score workspace
source profiler/transfer/cw-index-transfer.c cw_transfer_session_run; kernels/cw-kernels.h cw_index_cache_reuse (this repository)
scope lane

phase receive reuse

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer idx = 4 * b * sq * k live all
buffer flags = 8 live all
buffer cache_idx = 4 * b * sq * k live all
