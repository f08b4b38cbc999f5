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

/* The same combination done across the quad in registers: two butterfly
 * exchanges (lane ^ 1, then lane ^ 2) that add exactly as cw_quad_combine
 * does, (p0 + p1) + (p2 + p3) (IEEE addition commutes, so either partner's
 * order gives the same bits). Lane c of a quad holds vals[2 NB], its
 * partial sums of NB query blocks x 2 keys (vals[2 qb + key]), and ends
 * with fin[NB / 2], finished sums:
 *   NB = 4 (an m64n256 accumulator): query block 2 * (lane & 1) +
 *          ((lane >> 1) & 1), fin[key] for keys g and g + 8;
 *   NB = 2 (one m64n128 half): query block (lane & 1), fin[0] for key
 *          g + 8 * ((lane >> 1) & 1). */
template <int NB>
__device__ __forceinline__ void
cw_quad_reduce_scatter (const float (&vals)[2 * NB], int lane, float (&fin)[NB / 2])
{
  static_assert (NB == 2 || NB == 4, "cw_quad_reduce_scatter: 2 or 4 query blocks");
  const bool odd = lane & 1, hi = (lane >> 1) & 1;
  float keep[NB];

  /* lane ^ 1: even lanes keep the first half of vals, odd lanes the second */
#pragma unroll
  for (int i = 0; i < NB; i++)
    {
      float send = odd ? vals[i] : vals[NB + i];
      float recv = __shfl_xor_sync (0xffffffffu, send, 1);
      keep[i] = __fadd_rn (odd ? vals[NB + i] : vals[i], recv);
    }
  /* lane ^ 2: the same over what is kept */
#pragma unroll
  for (int i = 0; i < NB / 2; i++)
    {
      float send = hi ? keep[i] : keep[NB / 2 + i];
      float recv = __shfl_xor_sync (0xffffffffu, send, 2);
      fin[i] = __fadd_rn (hi ? keep[NB / 2 + i] : keep[i], recv);
    }
}
