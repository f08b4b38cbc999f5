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

/* The same combination done across the quad in registers: lane c of a quad
 * holds vals[8] = partial sums for 4 query blocks x 2 keys; two butterfly
 * exchanges (lane ^ 1, then lane ^ 2) leave each lane with the finished sums
 * of one query block (2 * (lane & 1) + ((lane >> 1) & 1)) for its two keys,
 * added exactly as cw_quad_combine does: (p0 + p1) + (p2 + p3). */
__device__ __forceinline__ void
cw_quad_reduce_scatter (const float vals[8], int lane, float fin[2])
{
  const bool odd = lane & 1, hi = (lane >> 1) & 1;
  float keep[4];

#pragma unroll
  for (int i = 0; i < 4; i++)
    {
      float send = odd ? vals[i] : vals[4 + i];
      float recv = __shfl_xor_sync (0xffffffffu, send, 1);
      keep[i] = __fadd_rn (odd ? vals[4 + i] : vals[i], recv);
    }
#pragma unroll
  for (int i = 0; i < 2; i++)
    {
      float send = hi ? keep[i] : keep[2 + i];
      float recv = __shfl_xor_sync (0xffffffffu, send, 2);
      fin[i] = __fadd_rn (hi ? keep[2 + i] : keep[i], recv);
    }
}
