/* cw-score-common.cuh: what the two score kernels (mma.sync in cw-score.cu,
 * wgmma in cw-score-wgmma.cu) share: launch parameters, the legal-prefix
 * rule on the device, the row-group mapping and cp.async helpers. */
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

#include "cw-kernels-private.h"

#define CW_SCORE_WARPS 8
#define CW_KEY_TILE 64
#define CW_STAGES 3
#define CW_KEYS_PER_BLOCK 2048

typedef struct {
  uint64_t batch, sq, sk, ratio;
  int causal;
  uint64_t first_row, rows, ld;
  uint64_t groups_first;     /* row groups in the first batch segment */
  const unsigned char *q;
  const unsigned char *k;
  const float *w;
  float *out;
  const int32_t *skip_if_one;
} ScoreParams;

__device__ __forceinline__ uint64_t
legal_keys (uint64_t s, uint64_t sk, uint64_t ratio, int causal)
{
  uint64_t l = causal == CW_CAUSAL_CAUSAL ? s + 1 : causal == CW_CAUSAL_COMPRESSED ? (s + 1) / ratio : sk;
  return l < sk ? l : sk;
}

__device__ __forceinline__ void
cp_async_16 (uint32_t dst, const void *src, bool valid)
{
  int n = valid ? 16 : 0;
  asm volatile ("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" :: "r"(dst), "l"(src), "r"(n));
}

__device__ __forceinline__ void
cp_async_commit (void)
{
  asm volatile ("cp.async.commit_group;\n" ::);
}

template <int N>
__device__ __forceinline__ void
cp_async_wait (void)
{
  asm volatile ("cp.async.wait_group %0;\n" :: "n"(N));
}

__device__ __forceinline__ void
ldmatrix_x4 (uint32_t addr, uint32_t &a0, uint32_t &a1, uint32_t &a2, uint32_t &a3)
{
  asm volatile ("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                : "=r"(a0), "=r"(a1), "=r"(a2), "=r"(a3) : "r"(addr));
}

template <bool FP8>
__device__ __forceinline__ void
mma (float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1)
{
  if (FP8)
    asm volatile ("mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 "
                  "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                  : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                  : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  else
    asm volatile ("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
                  "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                  : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                  : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

/* The rows [*s_begin, *s_end) of batch entry *bi that block `gi` scores:
 * groups of `per_block` rows, first the (possibly partial) first batch
 * segment of the chunk, then whole batch entries, then the last partial one;
 * a group never spans two batch entries, so its rows share one key tensor. */
__device__ __forceinline__ void
score_block_rows (const ScoreParams &p, uint64_t gi, uint64_t per_block, uint64_t *bi, uint64_t *s_begin,
                  uint64_t *s_end)
{
  uint64_t b0 = p.first_row / p.sq, s0 = p.first_row % p.sq, s_limit;
  uint64_t len0 = min (p.sq - s0, p.rows);
  if (gi < p.groups_first)
    {
      *bi = b0;
      *s_begin = s0 + gi * per_block;
      s_limit = s0 + len0;
    }
  else
    {
      uint64_t g2 = gi - p.groups_first, per = (p.sq + per_block - 1) / per_block;
      *bi = b0 + 1 + g2 / per;
      *s_begin = (g2 % per) * per_block;
      s_limit = min (p.sq, p.first_row + p.rows - *bi * p.sq);
    }
  *s_end = min (*s_begin + per_block, s_limit);
}

/* The wgmma kernels (sm_90a): in TILE mode with warp_specialized the
 * warp-specialized one where it can run, else the plain one.
 * cudaErrorNotSupported for shapes they do not take (h != 64, 64-byte rows);
 * the caller then uses the mma.sync kernel. */
cudaError_t cw_score_wgmma_launch (const CwKernelShape *shape, CwScoreMode mode, const ScoreParams &p,
                                   uint64_t l_max, cudaStream_t stream, bool warp_specialized);
#define CW_WGMMA_ROWS 4
