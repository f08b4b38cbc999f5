# Our materialize lane (kernels/, cw_materialize_run): builds the fp32 slab
# once, applies relu and weights in place, reduces over heads into an fp32
# [b, sq, sk] buffer, then takes top-k in shared memory (no top-k workspace).
#
# Must match kernels/cw-kernel-shape.h byte for byte:
#   cw_kernels_materialize_workspace_bytes = 4*sq*b*h*sk + 4*b*sq*sk
# The kernels compute and store in fp32 and write int32 indices + fp32 scores
# whatever the configured score/index dtypes, so those are literal 4s here.
# All buffers are caller-owned and allocated before the lane starts, so the
# peak is their sum (reached in the reduce phase).
name materialize
description Our materialize kernel: fp32 slab [sq,b,h,sk] built once, epilogue in place, reduced [b,sq,sk], top-k
source kernels/cw-kernel-shape.h cw_kernels_materialize_workspace_bytes (this repository)

phase score reduce topk

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer slab = 4 * sq * b * h * sk live score..reduce
buffer reduced = 4 * b * sq * sk live reduce..topk
buffer idx = 4 * b * sq * k live all
buffer scores = 4 * b * sq * k live all
