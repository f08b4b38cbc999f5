/* cw-score.cu: the tensor-core score kernel and the slab reduction.
 *
 * One kernel, two epilogues. A block holds 8 consecutive query rows of one
 * batch entry (one warp per row) and a split of up to CW_KEYS_PER_BLOCK keys.
 * Each warp keeps its row's q ([h, d], all heads) in registers as mma B
 * fragments; key tiles [64, d] stream through shared memory (cp.async, three
 * stages) and are the mma A operand, so the product is
 *   acc[key, head] = k[key, :] . q[head, :]      (mma.sync m16n8k16 bf16 or
 *                                                 m16n8k32 e4m3, fp32 acc).
 * TILE epilogue: relu, times w, summed over heads inside the warp in the order
 * of cw-score-order.cuh; key tiles past the row's legal prefix are skipped.
 * SLAB epilogue: the raw per-head dot products of every key go to the
 * materialize lane's [sq, b, h, sk] slab. */
#include <cuda_runtime.h>
#include <math.h>

#include "cw-kernels-private.h"
#include "cw-score-order.cuh"
#include "cw-score-common.cuh"

/* H heads, DB bytes per q/k row (d * element bytes), FP8 element type. */
template <int H, int DB, bool FP8, int MODE>
__global__ void __launch_bounds__ (CW_SCORE_WARPS * 32, 1)
score_kernel (ScoreParams p)
{
  constexpr int NB = H / 8;            /* n8 blocks of heads */
  constexpr int KSTEPS = DB / 32;      /* one mma consumes 32 bytes of d */
  constexpr int PITCH = DB + 16;       /* +16 B: ldmatrix rows hit distinct banks */
  constexpr int CHUNKS = DB / 16;      /* 16-byte cp.async chunks per key */
  extern __shared__ __align__ (16) unsigned char smem[];

  if (p.skip_if_one != NULL && *p.skip_if_one == 1)
    return;

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int g = lane >> 2, c = lane & 3;

  uint64_t bi, s_begin, s_end;
  score_block_rows (p, blockIdx.x, CW_SCORE_WARPS, &bi, &s_begin, &s_end);
  const uint64_t l_max = MODE == CW_SCORE_SLAB ? p.sk : legal_keys (s_end - 1, p.sk, p.ratio, p.causal);
  const uint64_t kb0 = (uint64_t) blockIdx.y * CW_KEYS_PER_BLOCK;
  if (kb0 >= l_max)
    return;                             /* fully masked split: block-uniform exit */
  const uint64_t kb1 = min (kb0 + CW_KEYS_PER_BLOCK, l_max);

  const uint64_t s = s_begin + warp;
  const bool active = s < s_end;
  const uint64_t row = bi * p.sq + s;
  const uint64_t l_row = !active ? 0 : MODE == CW_SCORE_SLAB ? p.sk : legal_keys (s, p.sk, p.ratio, p.causal);
  const uint64_t bound = min (l_row, kb1);

  uint32_t qf[NB][KSTEPS][2];
  float wv[NB][2];
#pragma unroll
  for (int j = 0; j < NB; j++)
    {
#pragma unroll
      for (int ks = 0; ks < KSTEPS; ks++)
        {
          if (active)
            {
              const unsigned char *qr = p.q + (row * H + 8 * j + g) * DB + ks * 32 + 4 * c;
              qf[j][ks][0] = *(const uint32_t *) qr;
              qf[j][ks][1] = *(const uint32_t *) (qr + 16);
            }
          else
            qf[j][ks][0] = qf[j][ks][1] = 0;
        }
      wv[j][0] = active ? p.w[row * H + 8 * j + 2 * c] : 0.0f;
      wv[j][1] = active ? p.w[row * H + 8 * j + 2 * c + 1] : 0.0f;
    }

  const uint32_t smem_base = (uint32_t) __cvta_generic_to_shared (smem);
  const unsigned char *kbase = p.k + bi * p.sk * DB;
  const int ntiles = (int) ((kb1 - kb0 + CW_KEY_TILE - 1) / CW_KEY_TILE);

  auto load_tile = [&] (int tile) {
    const uint64_t ts = kb0 + (uint64_t) tile * CW_KEY_TILE;
    const uint32_t dst0 = smem_base + (tile % CW_STAGES) * CW_KEY_TILE * PITCH;
    for (int id = threadIdx.x; id < CW_KEY_TILE * CHUNKS; id += CW_SCORE_WARPS * 32)
      {
        int key = id / CHUNKS, cc = id % CHUNKS;
        uint64_t t = ts + key;
        bool valid = t < kb1;
        const unsigned char *src = valid ? kbase + t * DB + cc * 16 : p.k;
        cp_async_16 (dst0 + key * PITCH + cc * 16, src, valid);
      }
  };

#pragma unroll
  for (int i = 0; i < CW_STAGES - 1; i++)
    {
      if (i < ntiles)
        load_tile (i);
      cp_async_commit ();
    }

  for (int tile = 0; tile < ntiles; tile++)
    {
      cp_async_wait<CW_STAGES - 2> ();
      __syncthreads ();
      if (tile + CW_STAGES - 1 < ntiles)
        load_tile (tile + CW_STAGES - 1);
      cp_async_commit ();

      const uint64_t ts = kb0 + (uint64_t) tile * CW_KEY_TILE;
      const uint32_t stage = smem_base + (tile % CW_STAGES) * CW_KEY_TILE * PITCH;
      float vals[8];

#pragma unroll
      for (int mb = 0; mb < 4; mb++)
        {
          const uint64_t t0 = ts + mb * 16;
          vals[2 * mb] = vals[2 * mb + 1] = 0.0f;
          if (t0 >= bound)              /* warp-uniform: past this row's legal prefix */
            continue;
          float acc[NB][4];
#pragma unroll
          for (int j = 0; j < NB; j++)
            acc[j][0] = acc[j][1] = acc[j][2] = acc[j][3] = 0.0f;
          const uint32_t arow = stage + (mb * 16 + (lane & 15)) * PITCH + (lane >> 4) * 16;
#pragma unroll
          for (int ks = 0; ks < KSTEPS; ks++)
            {
              uint32_t a[4];
              ldmatrix_x4 (arow + ks * 32, a[0], a[1], a[2], a[3]);
#pragma unroll
              for (int j = 0; j < NB; j++)
                mma<FP8> (acc[j], a, qf[j][ks][0], qf[j][ks][1]);
            }
          if (MODE == CW_SCORE_TILE)
            {
              float p0 = 0.0f, p1 = 0.0f;
#pragma unroll
              for (int j = 0; j < NB; j++)
                {
                  p0 = cw_relu_w_fma (acc[j][0], wv[j][0], p0);
                  p0 = cw_relu_w_fma (acc[j][1], wv[j][1], p0);
                  p1 = cw_relu_w_fma (acc[j][2], wv[j][0], p1);
                  p1 = cw_relu_w_fma (acc[j][3], wv[j][1], p1);
                }
              vals[2 * mb] = p0;
              vals[2 * mb + 1] = p1;
            }
          else
            {
              /* slab [sq, b, h, sk]: raw dot products, every key below sk. */
              const uint64_t ta = t0 + g, tb = t0 + g + 8;
#pragma unroll
              for (int j = 0; j < NB; j++)
                {
                  const uint64_t h0 = 8 * j + 2 * c;
                  float *base = p.out + ((s * p.batch + bi) * H + h0) * p.sk;
                  if (ta < bound)
                    {
                      base[ta] = acc[j][0];
                      base[p.sk + ta] = acc[j][1];
                    }
                  if (tb < bound)
                    {
                      base[tb] = acc[j][2];
                      base[p.sk + tb] = acc[j][3];
                    }
                }
            }
        }

      if (MODE == CW_SCORE_TILE && ts < bound)
        {
          /* Reduce-scatter over the quad: (p0 + p1) then (p0+p1) + (p2+p3),
           * each lane ending with one m16 block's two keys. */
          const bool odd = lane & 1, hi = (lane >> 1) & 1;
          float fin[2];
          cw_quad_reduce_scatter<4> (vals, lane, fin);
          const int mb = 2 * odd + hi;
          const uint64_t ta = ts + mb * 16 + g, tb = ta + 8;
          float *orow = p.out + (row - p.first_row) * p.ld;
          if (ta < bound)
            orow[ta] = fin[0];
          if (tb < bound)
            orow[tb] = fin[1];
        }
    }
  cp_async_wait<0> ();
}

template <int H, int DB, bool FP8, int MODE>
static cudaError_t
launch_one (const ScoreParams &p, dim3 grid, cudaStream_t stream)
{
  const int smem = CW_STAGES * CW_KEY_TILE * (DB + 16);
  CW_CUDA_TRY (cudaFuncSetAttribute (score_kernel<H, DB, FP8, MODE>,
                                     cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  score_kernel<H, DB, FP8, MODE><<<grid, CW_SCORE_WARPS * 32, smem, stream>>> (p);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

template <int MODE>
static cudaError_t
launch_mode (const CwKernelShape *shape, const ScoreParams &p, dim3 grid, cudaStream_t stream)
{
  const bool fp8 = shape->qk_dtype == CW_DTYPE_FP8_E4M3;
  const int db = (int) (shape->d * (fp8 ? 1 : 2));

#define CW_SCORE_CASE(h_, db_, fp8_) \
  if ((int) shape->h == h_ && db == db_ && fp8 == fp8_) \
    return launch_one<h_, db_, fp8_, MODE> (p, grid, stream);
  CW_SCORE_CASE (64, 256, false)
  CW_SCORE_CASE (64, 128, false)
  CW_SCORE_CASE (32, 256, false)
  CW_SCORE_CASE (32, 128, false)
  CW_SCORE_CASE (16, 256, false)
  CW_SCORE_CASE (16, 128, false)
  CW_SCORE_CASE (64, 128, true)
  CW_SCORE_CASE (64, 64, true)
  CW_SCORE_CASE (32, 128, true)
  CW_SCORE_CASE (32, 64, true)
  CW_SCORE_CASE (16, 128, true)
  CW_SCORE_CASE (16, 64, true)
#undef CW_SCORE_CASE
  return cudaErrorNotSupported;
}

cudaError_t
cw_kernels_check_shape_cuda (const CwKernelShape *shape)
{
  CwError error = CW_ERROR_INIT;

  if (cw_kernel_shape_check (shape, &error))
    return cudaSuccess;
  return error.code == CW_ERROR_UNSUPPORTED ? cudaErrorNotSupported : cudaErrorInvalidValue;
}

int
cw_kernels_sm_count (void)
{
  static int sms = -1;
  if (sms < 0)
    {
      int dev = 0, n = 0;
      if (cudaGetDevice (&dev) == cudaSuccess
          && cudaDeviceGetAttribute (&n, cudaDevAttrMultiProcessorCount, dev) == cudaSuccess && n > 0)
        sms = n;
      else
        {
          cudaGetLastError ();            /* not sticky: clear it for the caller's next check */
          sms = 0;
        }
    }
  return sms;
}

static CwKernelOptions options = { CW_SCORE_KERNEL_AUTO, 0, 0 };

void
cw_kernel_options_init (CwKernelOptions *o)
{
  *o = (CwKernelOptions) { CW_SCORE_KERNEL_AUTO, 0, 0 };
}

cudaError_t
cw_kernels_set_options (const CwKernelOptions *o)
{
  if (o == NULL || (unsigned) o->score_kernel > CW_SCORE_KERNEL_WGMMA
      || (o->score_keys_per_block != 0 && o->score_keys_per_block != 4096 && o->score_keys_per_block != 8192
          && o->score_keys_per_block != 16384)
      || (o->topk_depth != 0 && o->topk_depth != 4 && o->topk_depth != 8))
    return cudaErrorInvalidValue;
  options = *o;
  return cudaSuccess;
}

const CwKernelOptions *
cw_kernels_get_options (void)
{
  return &options;
}

static uint64_t
count_groups (const CwKernelShape *shape, uint64_t first_row, uint64_t rows, uint64_t per_block, uint64_t *first)
{
  uint64_t per = (shape->sq + per_block - 1) / per_block, len0, groups;

  len0 = shape->sq - first_row % shape->sq;
  if (len0 > rows)
    len0 = rows;
  groups = *first = (len0 + per_block - 1) / per_block;
  if (rows > len0)
    {
      uint64_t rem = rows - len0;
      groups += (rem / shape->sq) * per + (rem % shape->sq + per_block - 1) / per_block;
    }
  return groups;
}

cudaError_t
cw_score_launch (const CwKernelShape *shape, CwScoreMode mode, const void *q, const void *k, const float *w,
                 uint64_t first_row, uint64_t rows, float *out, uint64_t ld, const int32_t *skip_if_one,
                 cudaStream_t stream)
{
  ScoreParams p;
  uint64_t total = shape->b * shape->sq, groups, l_max;

  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  if (rows == 0 || first_row >= total || rows > total - first_row)
    return cudaErrorInvalidValue;
  l_max = mode == CW_SCORE_SLAB ? shape->sk : cw_kernel_shape_longest_legal (shape, first_row, rows);
  if (l_max == 0)
    return cudaSuccess;                 /* nothing legal: nothing to score */

  p.batch = shape->b;
  p.sq = shape->sq;
  p.sk = shape->sk;
  p.ratio = shape->ratio;
  p.causal = (int) shape->causal;
  p.first_row = first_row;
  p.rows = rows;
  p.ld = ld;
  p.q = (const unsigned char *) q;
  p.k = (const unsigned char *) k;
  p.w = w;
  p.out = out;
  p.skip_if_one = skip_if_one;

  const uint64_t row_bytes = shape->d * cw_kernel_shape_qk_bytes (shape);
  if (options.score_kernel != CW_SCORE_KERNEL_MMA_SYNC && shape->h == 64 && (row_bytes == 256 || row_bytes == 128))
    {
      count_groups (shape, first_row, rows, CW_WGMMA_ROWS, &p.groups_first);
      return cw_score_wgmma_launch (shape, mode, p, l_max, stream, options.score_kernel == CW_SCORE_KERNEL_AUTO);
    }

  groups = count_groups (shape, first_row, rows, CW_SCORE_WARPS, &p.groups_first);
  if (groups > 0x7fffffffu || (l_max + CW_KEYS_PER_BLOCK - 1) / CW_KEYS_PER_BLOCK > 65535)
    return cudaErrorInvalidConfiguration;
  dim3 grid ((unsigned) groups, (unsigned) ((l_max + CW_KEYS_PER_BLOCK - 1) / CW_KEYS_PER_BLOCK));
  if (mode == CW_SCORE_SLAB)
    return launch_mode<CW_SCORE_SLAB> (shape, p, grid, stream);
  return launch_mode<CW_SCORE_TILE> (shape, p, grid, stream);
}

/* ---- materialize: slab -> [b, sq, sk] in the canonical head order -------- */

template <int H>
__global__ void
slab_reduce_kernel (const float *slab, const float *w, float *reduced, uint64_t batch, uint64_t sq, uint64_t sk,
                    uint64_t ratio, int causal, uint64_t blocks_per_row)
{
  const uint64_t row = blockIdx.x / blocks_per_row;
  const uint64_t t = (blockIdx.x % blocks_per_row) * blockDim.x + threadIdx.x;
  if (t >= sk)
    return;
  const uint64_t bi = row / sq, s = row % sq;
  float *dst = reduced + row * sk + t;
  if (t >= legal_keys (s, sk, ratio, causal))
    {
      *dst = -INFINITY;
      return;
    }
  const float *col = slab + (s * batch + bi) * H * sk + t;
  const float *wr = w + row * H;
  float part[4];
#pragma unroll
  for (int c = 0; c < 4; c++)
    {
      float acc = 0.0f;
#pragma unroll
      for (int j = 0; j < H / 8; j++)
        {
          acc = cw_relu_w_fma (col[(uint64_t) (8 * j + 2 * c) * sk], wr[8 * j + 2 * c], acc);
          acc = cw_relu_w_fma (col[(uint64_t) (8 * j + 2 * c + 1) * sk], wr[8 * j + 2 * c + 1], acc);
        }
      part[c] = acc;
    }
  *dst = cw_quad_combine (part[0], part[1], part[2], part[3]);
}

cudaError_t
cw_slab_reduce_launch (const CwKernelShape *shape, const float *slab, const float *w, float *reduced,
                       cudaStream_t stream)
{
  const unsigned threads = 256;
  uint64_t per_row, blocks;

  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  per_row = (shape->sk + threads - 1) / threads;
  blocks = per_row * shape->b * shape->sq;
  if (blocks > 0x7fffffffu)
    return cudaErrorInvalidConfiguration;
#define CW_REDUCE_CASE(h_) \
  if (shape->h == h_) \
    slab_reduce_kernel<h_><<<(unsigned) blocks, threads, 0, stream>>> (slab, w, reduced, shape->b, shape->sq, \
                                                                   shape->sk, shape->ratio, (int) shape->causal, per_row);
  CW_REDUCE_CASE (64)
  else CW_REDUCE_CASE (32)
  else CW_REDUCE_CASE (16)
  else
    return cudaErrorNotSupported;
#undef CW_REDUCE_CASE
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}
