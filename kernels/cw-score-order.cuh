/* cw-score-order.cuh: the one order in which fp32 head sums are formed.
 *
 * fp32 addition is not associative, so "the three lanes agree bit for bit"
 * needs every lane to add heads in the same order. The order is the one the
 * tensor-core epilogue gets for free from the mma.m16n8 accumulator layout:
 * quad lane c (0..3) owns heads 8j + 2c and 8j + 2c + 1 for j = 0 .. h/8-1 and
 * chains them with fused multiply-adds; the four quad partials are then
 * combined as (p0 + p1) + (p2 + p3). The materialize lane's reduce kernel
 * replays exactly this order from the slab. */
#pragma once

__device__ __forceinline__ float
cw_relu_w_fma (float dot, float w, float acc)
{
  return __fmaf_rn (fmaxf (dot, 0.0f), w, acc);
}

/* The final combination of the four quad partials. */
__device__ __forceinline__ float
cw_quad_combine (float p0, float p1, float p2, float p3)
{
  return __fadd_rn (__fadd_rn (p0, p1), __fadd_rn (p2, p3));
}
