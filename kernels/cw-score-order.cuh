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

/* The relu * w head sums of NQ queries out of a wgmma (m64nN) accumulator:
 * query qi's 64 heads are its n8 blocks qi*8 .. qi*8 + 7, of which this
 * thread holds heads 8j + 2c and 8j + 2c + 1 for key rows g and g + 8
 * (acc[4 (8 qi + j) + 0..3]). Writes vals[2 (Q0 + qi)] (row g) and
 * vals[2 (Q0 + qi) + 1] (row g + 8), each chained over the heads in the
 * canonical order. weight(qi, j) returns the float2 of those two heads'
 * weights. One body for every wgmma consumer, so their order cannot drift. */
template <int NQ, int Q0, int NACC, int NVALS, typename Weight>
__device__ __forceinline__ void
cw_relu_w_head_sums (const float (&acc)[NACC], Weight weight, float (&vals)[NVALS])
{
  static_assert (NQ * 32 <= NACC && 2 * (Q0 + NQ) <= NVALS, "cw_relu_w_head_sums sizes");
#pragma unroll
  for (int qi = 0; qi < NQ; qi++)
    {
      float p0 = 0.0f, p1 = 0.0f;
#pragma unroll
      for (int jj = 0; jj < 8; jj++)
        {
          const float2 wv = weight (qi, jj);
          const float *a4 = &acc[4 * (qi * 8 + jj)];
          p0 = cw_relu_w_fma (a4[0], wv.x, p0);
          p0 = cw_relu_w_fma (a4[1], wv.y, p0);
          p1 = cw_relu_w_fma (a4[2], wv.x, p1);
          p1 = cw_relu_w_fma (a4[3], wv.y, p1);
        }
      vals[2 * (Q0 + qi)] = p0;
      vals[2 * (Q0 + qi) + 1] = p1;
    }
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

/* The same combination for one m64n128 half: vals[4] = partial sums of 2
 * query blocks x 2 keys (vals[2 qi + key]); butterflies over lane ^ 1 then
 * lane ^ 2 leave each lane the finished sum of query block (lane & 1),
 * key ((lane >> 1) & 1), added as (p0 + p1) + (p2 + p3) (IEEE addition
 * commutes, so either partner's order gives the same bits). */
__device__ __forceinline__ float
cw_quad_reduce_scatter_half (const float vals[4], int lane)
{
  const bool odd = lane & 1, hi = (lane >> 1) & 1;
  float keep[2];

#pragma unroll
  for (int i = 0; i < 2; i++)
    {
      float send = odd ? vals[i] : vals[2 + i];
      float recv = __shfl_xor_sync (0xffffffffu, send, 1);
      keep[i] = __fadd_rn (odd ? vals[2 + i] : vals[i], recv);
    }
  float send = hi ? keep[0] : keep[1];
  float recv = __shfl_xor_sync (0xffffffffu, send, 2);
  return __fadd_rn (hi ? keep[1] : keep[0], recv);
}
