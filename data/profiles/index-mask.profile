# Our index-mask lanes (kernels/, cw_index_mask_update and its host-checked
# form): the top-k indices of every query row are scattered into a byte mask
# over the keys. The mask has one extra column per row, the sink column sk
# where invalid entries (the -1 padding, or garbage) are redirected, so the
# update needs no branch on the host; their count goes to one 64-bit device
# counter.
#
# Must match profiler/cw-profiler.c lane_allocate (index-mask branch) byte for
# byte: idx int32 [b*sq, k], mask uint8 [b*sq, sk + 1], n_invalid 8 B.
name index-mask
description Our index-mask update: int32 top-k [b,sq,k] scattered into a byte mask [b,sq,sk+1]
source profiler/cw-profiler.c lane_allocate; kernels/cw-index-mask.h cw_index_mask_update (this repository)
scope lane

phase update

buffer idx = 4 * b * sq * k live all input
buffer mask = b * sq * (sk + 1) live all
buffer n_invalid = 8 live all
