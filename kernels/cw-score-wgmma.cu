/* cw-score-wgmma.cu: the score tile on Hopper's warpgroup matrix units.
 *
 * A block scores 4 query rows of one batch entry (h = 64: N = 4 x 64 = 256
 * query-heads) against a split of up to CW_WGMMA_KEYS_PER_BLOCK keys. The
 * block's q [256 x d] is loaded once into shared memory (128-byte swizzled,
 * K-major) and is the wgmma B operand. Two consumer warpgroups take
 * alternate 64-key tiles, each with its own 3-stage cp.async pipeline and
 * its own named barrier, so one warpgroup's epilogue (relu, w, head sum,
 * stores) overlaps the other's matrix work instead of running in lockstep.
 *   acc[key, qi*64 + head] = k[key, :] . q[qi, head, :]   (wgmma m64n256k16
 *                                                          bf16 / k32 e4m3)
 * SLAB mode writes the raw per-head products instead (materialize lane), so
 * the lanes share one matrix instruction (fp8 QGMMA accumulates differently
 * from the mma.sync path, bf16 does not).
 * The accumulator layout is the mma.m16n8 one per n8 block, so the head sum
 * is formed in exactly the order of cw-score-order.cuh: the wgmma and
 * mma.sync kernels give bit-identical scores. */
#include <cuda_runtime.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw-score-common.cuh"
#include "cw-score-order.cuh"
#include "cw-wgmma.cuh"
#include "cw-wgmma-smem.cuh"

#define CW_WGMMA_KEY_TILE 64
#define CW_WGMMA_STAGES 3
#define CW_WGMMA_KEYS_PER_BLOCK 8192
#define CW_WGMMA_THREADS 256

/* The block's named barriers (0 is __syncthreads): one per warpgroup. */
enum class WgBarrier : int {
  Warpgroup0 = 1,
  Warpgroup1 = 2,
};

__device__ __forceinline__ void
wg_barrier (WgBarrier id)
{
  asm volatile ("bar.sync %0, %1;\n" :: "r"((int) id), "r"(128) : "memory");
}

template <int DB, bool FP8, int MODE>
__global__ void __launch_bounds__ (CW_WGMMA_THREADS, 1)
score_wgmma_kernel (ScoreParams p)
{
  constexpr int H = 64, N = CW_WGMMA_ROWS * H;
  constexpr int CHUNKS = DB / 16;
  constexpr int KSTEPS = DB / 32;                  /* each wgmma consumes 32 bytes of d */
  constexpr uint32_t Q_BYTES = N * DB;
  constexpr uint32_t TILE_BYTES = CW_WGMMA_KEY_TILE * DB;
  extern __shared__ __align__ (16) unsigned char smem_raw[];
  __shared__ float w_s[CW_WGMMA_ROWS][H];

  if (p.skip_if_one != NULL && *p.skip_if_one == 1)
    return;

  uint64_t bi, s_begin, s_end;
  score_block_rows (p, blockIdx.x, CW_WGMMA_ROWS, &bi, &s_begin, &s_end);
  const uint64_t l_max = MODE == CW_SCORE_SLAB ? p.sk : legal_keys (s_end - 1, p.sk, p.ratio, p.causal);
  const uint64_t kb0 = (uint64_t) blockIdx.y * CW_WGMMA_KEYS_PER_BLOCK;
  if (kb0 >= l_max)
    return;                                        /* fully masked split */
  const uint64_t kb1 = min (kb0 + CW_WGMMA_KEYS_PER_BLOCK, l_max);

  const int tid = threadIdx.x, wg = tid >> 7, wt = tid & 127;
  const int lane = tid & 31, wwarp = wt >> 5, g = lane >> 2, c = lane & 3;
  const uint32_t base = ((uint32_t) __cvta_generic_to_shared (smem_raw) + 1023u) & ~1023u;
  const uint32_t q_s = base;
  const uint32_t keys_s = base + Q_BYTES + (uint32_t) wg * CW_WGMMA_STAGES * TILE_BYTES;

  /* q of the block's rows (zeros for rows past s_end) and their weights. */
  for (int id = tid; id < N * CHUNKS; id += CW_WGMMA_THREADS)
    {
      const int n = id / CHUNKS, cc = id % CHUNKS, qi = n / H, head = n % H;
      const bool valid = s_begin + qi < s_end;
      const uint64_t row = bi * p.sq + s_begin + qi;
      const unsigned char *src = valid ? p.q + (row * H + head) * DB + cc * 16 : p.q;
      cp_async_16 (q_s + cw_wgmma_swizzled (n, cc, N), src, valid);
    }
  cp_async_commit ();
  for (int id = tid; id < CW_WGMMA_ROWS * H; id += CW_WGMMA_THREADS)
    {
      const int qi = id / H;
      w_s[qi][id % H] = s_begin + qi < s_end ? p.w[(bi * p.sq + s_begin + qi) * H + id % H] : 0.0f;
    }

  const unsigned char *kbase = p.k + bi * p.sk * DB;
  const int ntiles = (int) ((kb1 - kb0 + CW_WGMMA_KEY_TILE - 1) / CW_WGMMA_KEY_TILE);
  const int my_tiles = ntiles > wg ? (ntiles - wg + 1) / 2 : 0;

  auto load_tile = [&] (int j) {
    const uint64_t ts = kb0 + (uint64_t) (wg + 2 * j) * CW_WGMMA_KEY_TILE;
    const uint32_t dst = keys_s + (uint32_t) (j % CW_WGMMA_STAGES) * TILE_BYTES;
    for (int id = wt; id < CW_WGMMA_KEY_TILE * CHUNKS; id += 128)
      {
        const int key = id / CHUNKS, cc = id % CHUNKS;
        const uint64_t t = ts + key;
        const bool valid = t < kb1;
        cp_async_16 (dst + cw_wgmma_swizzled (key, cc, CW_WGMMA_KEY_TILE), valid ? kbase + t * DB + cc * 16 : p.k, valid);
      }
  };

#pragma unroll
  for (int j = 0; j < CW_WGMMA_STAGES - 1; j++)
    {
      if (j < my_tiles)
        load_tile (j);
      cp_async_commit ();
    }
  /* q (the oldest group) must be complete and visible to the async proxy in
   * both warpgroups before the first wgmma. */
  cp_async_wait<CW_WGMMA_STAGES - 2> ();
  asm volatile ("fence.proxy.async.shared::cta;\n" ::: "memory");
  __syncthreads ();

  uint64_t l_row[CW_WGMMA_ROWS];
#pragma unroll
  for (int qi = 0; qi < CW_WGMMA_ROWS; qi++)
    l_row[qi] = s_begin + qi >= s_end ? 0
                : MODE == CW_SCORE_SLAB ? kb1 : min (legal_keys (s_begin + qi, p.sk, p.ratio, p.causal), kb1);

  /* TILE: this thread's 64 head weights (4 queries x 8 n8 blocks x 2) in
   * registers, so the epilogue issues no shared loads (read from w_s every
   * tile they were a fifth of a tile's shared-memory wavefronts). */
  constexpr bool W_REGS = MODE == CW_SCORE_TILE;
  float wr[W_REGS ? CW_WGMMA_ROWS : 1][8][2];
  if constexpr (W_REGS)
    {
#pragma unroll
      for (int qi = 0; qi < CW_WGMMA_ROWS; qi++)
#pragma unroll
        for (int jj = 0; jj < 8; jj++)
          {
            wr[qi][jj][0] = w_s[qi][8 * jj + 2 * c];
            wr[qi][jj][1] = w_s[qi][8 * jj + 2 * c + 1];
          }
    }

  float acc[128];
#pragma unroll
  for (int i = 0; i < 128; i++)
    acc[i] = 0.0f;

  for (int j = 0; j < my_tiles; j++)
    {
      cp_async_wait<CW_WGMMA_STAGES - 2> ();
      asm volatile ("fence.proxy.async.shared::cta;\n" ::: "memory");
      wg_barrier (wg == 0 ? WgBarrier::Warpgroup0 : WgBarrier::Warpgroup1);
      if (j + CW_WGMMA_STAGES - 1 < my_tiles)
        load_tile (j + CW_WGMMA_STAGES - 1);
      cp_async_commit ();

      const uint64_t ts = kb0 + (uint64_t) (wg + 2 * j) * CW_WGMMA_KEY_TILE;
      const uint32_t a_s = keys_s + (uint32_t) (j % CW_WGMMA_STAGES) * TILE_BYTES;

      asm volatile ("wgmma.fence.sync.aligned;\n" ::: "memory");
#pragma unroll
      for (int ks = 0; ks < KSTEPS; ks++)
        {
          const uint64_t da = cw_wgmma_smem_desc (a_s + (ks >> 2) * CW_WGMMA_KEY_TILE * 128 + (ks & 3) * 32);
          const uint64_t db = cw_wgmma_smem_desc (q_s + (ks >> 2) * N * 128 + (ks & 3) * 32);
          if (FP8)
            cw_wgmma_m64n256k32_e4m3 (acc, da, db, ks > 0);
          else
            cw_wgmma_m64n256k16_bf16 (acc, da, db, ks > 0);
        }
      asm volatile ("wgmma.commit_group.sync.aligned;\n" ::: "memory");
      asm volatile ("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");

      if constexpr (MODE == CW_SCORE_SLAB)
        {
          /* slab [sq, b, h, sk]: the raw per-head dot products. */
          const uint64_t ta = ts + 16 * wwarp + g, tb = ta + 8;
#pragma unroll
          for (int qi = 0; qi < CW_WGMMA_ROWS; qi++)
            {
              const uint64_t bound = qi == 0 ? l_row[0] : qi == 1 ? l_row[1] : qi == 2 ? l_row[2] : l_row[3];
              float *sl = p.out + ((s_begin + qi) * p.batch + bi) * H * p.sk;
#pragma unroll
              for (int jj = 0; jj < 8; jj++)
                {
                  const float *a4 = &acc[4 * (qi * 8 + jj)];
                  float *h0 = sl + (uint64_t) (8 * jj + 2 * c) * p.sk;
                  if (ta < bound)
                    {
                      h0[ta] = a4[0];
                      h0[p.sk + ta] = a4[1];
                    }
                  if (tb < bound)
                    {
                      h0[tb] = a4[2];
                      h0[p.sk + tb] = a4[3];
                    }
                }
            }
        }
      else
        {
          /* relu * w summed over heads in the canonical order; one value per
           * (query, key row) for this thread's quad lane. */
          float vals[2 * CW_WGMMA_ROWS];
          cw_relu_w_head_sums<CW_WGMMA_ROWS, 0> (
            acc,
            [&] (int qi, int jj) { return make_float2 (wr[qi][jj][0], wr[qi][jj][1]); },
            vals);
          /* quad reduce-scatter: lane ends with query 2*odd + hi, keys g and g+8 */
          const bool odd = lane & 1, hi = (lane >> 1) & 1;
          float fin[2];
          cw_quad_reduce_scatter<4> (vals, lane, fin);
          const int qi = 2 * odd + hi;
          const uint64_t bound = qi == 0 ? l_row[0] : qi == 1 ? l_row[1] : qi == 2 ? l_row[2] : l_row[3];
          const uint64_t ta = ts + 16 * wwarp + g, tb = ta + 8;
          float *orow = p.out + (bi * p.sq + s_begin + qi - p.first_row) * p.ld;
          if (ta < bound)
            orow[ta] = fin[0];
          if (tb < bound)
            orow[tb] = fin[1];
        }
    }
  cp_async_wait<0> ();
}

template <int DB, bool FP8, int MODE>
static cudaError_t
launch_wgmma (const ScoreParams &p, dim3 grid, cudaStream_t stream)
{
  const int smem = 1024 + CW_WGMMA_ROWS * 64 * DB + 2 * CW_WGMMA_STAGES * CW_WGMMA_KEY_TILE * DB;
  CW_CUDA_TRY (cudaFuncSetAttribute (score_wgmma_kernel<DB, FP8, MODE>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  score_wgmma_kernel<DB, FP8, MODE><<<grid, CW_WGMMA_THREADS, smem, stream>>> (p);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

cudaError_t cw_score_wgmma_ws_launch (const CwKernelShape *shape, const ScoreParams &p, uint64_t l_max,
                                      cudaStream_t stream);

cudaError_t
cw_score_wgmma_launch (const CwKernelShape *shape, CwScoreMode mode, const ScoreParams &p, uint64_t l_max,
                       cudaStream_t stream, bool warp_specialized)
{
  const bool fp8 = shape->qk_dtype == CW_DTYPE_FP8_E4M3;
  const uint64_t db = shape->d * (fp8 ? 1 : 2);
  uint64_t first, groups, per = (shape->sq + CW_WGMMA_ROWS - 1) / CW_WGMMA_ROWS, len0;

  if (shape->h != 64)
    return cudaErrorNotSupported;
  if (mode == CW_SCORE_TILE && warp_specialized)
    {
      const cudaError_t e = cw_score_wgmma_ws_launch (shape, p, l_max, stream);
      if (e != cudaErrorNotSupported)
        return e;
      /* no tensor map for k, or too few registers: this file's kernel (same scores) */
    }
  len0 = shape->sq - p.first_row % shape->sq;
  if (len0 > p.rows)
    len0 = p.rows;
  first = (len0 + CW_WGMMA_ROWS - 1) / CW_WGMMA_ROWS;
  groups = first;
  if (p.rows > len0)
    groups += ((p.rows - len0) / shape->sq) * per + ((p.rows - len0) % shape->sq + CW_WGMMA_ROWS - 1) / CW_WGMMA_ROWS;
  if (groups > 0x7fffffffu || (l_max + CW_WGMMA_KEYS_PER_BLOCK - 1) / CW_WGMMA_KEYS_PER_BLOCK > 65535)
    return cudaErrorInvalidConfiguration;
  dim3 grid ((unsigned) groups, (unsigned) ((l_max + CW_WGMMA_KEYS_PER_BLOCK - 1) / CW_WGMMA_KEYS_PER_BLOCK));
#define CW_WGMMA_CASE(db_, fp8_) \
  if (db == db_ && fp8 == fp8_) \
    return mode == CW_SCORE_SLAB ? launch_wgmma<db_, fp8_, CW_SCORE_SLAB> (p, grid, stream) \
                                 : launch_wgmma<db_, fp8_, CW_SCORE_TILE> (p, grid, stream);
  CW_WGMMA_CASE (256, false)
  CW_WGMMA_CASE (128, false)
  CW_WGMMA_CASE (128, true)
#undef CW_WGMMA_CASE
  return cudaErrorNotSupported;        /* 64-byte rows (fp8, d = 64): no 128-byte swizzle atom */
}
