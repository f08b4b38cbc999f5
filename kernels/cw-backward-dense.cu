/* cw-backward-dense.cu: the dense backward of the score (warm-up stage):
 * gradients of q, w and k for an upstream gradient over every legal key,
 * one chunk of rows per call (cw_backward_dense_chunk in cw-kernels.h), and
 * the synthetic upstream gradient that tests and the profiler feed it.
 *
 * Two kernels per chunk, both recomputing z = dot(q, k) tile by tile on the
 * CUDA cores in fp32 (fused multiply-adds, d ascending) from the dtype's
 * values widened exactly to fp32:
 *
 *   rows kernel  one block per row: its q [h, d] in shared memory, then tiles
 *                of BWD_KEYS keys in ascending order; per tile z [h, keys],
 *                then dw[h] += g relu(z) (one thread per head) and
 *                dq[h, :] += dz k (each thread owns fixed (h, i) outputs),
 *                t ascending. Writes the row's dq and dw once at the end.
 *   dk kernel    one block per tile of BWD_KEYS keys of one batch entry:
 *                the key tile in shared memory, then the chunk's rows of that
 *                entry in ascending order; per row z [h, keys] and the
 *                contribution c[t, :] = sum_h dz q (h ascending), added to
 *                an accumulator that starts from dk's stored value. Each
 *                (b, t) belongs to one block, so no atomics; a chunk adds its
 *                rows after the previous chunk's (same stream), so dk is the
 *                row-ordered sum for any chunking, bit for bit.
 *
 * Both kernels are bounded for one block per SM (__launch_bounds__ (256, 1)):
 * without it ptxas caps them at 64 or 128 registers and spills the
 * accumulators (h = 64, d = 128: the rows kernel's 32 dq values per thread
 * take 150 registers). Shared memory is static, at most 45,952 bytes.
 * Correctness and determinism first: z and the gradient sums run on the CUDA
 * cores; tensor cores would change the speed, not the contract.
 *
 * Nothing depends on the environment or the device beyond the launch; the
 * launch geometry comes from the shape and the chunk alone. */
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include "cw-kernels-private.h"
#include "cw-score-common.cuh"
#include "cw-synthetic-gradient.h"

#define BWD_DENSE_THREADS 256
#define BWD_KEYS 16             /* keys per shared-memory tile (both kernels) */
#define BWD_Z_LD (BWD_KEYS + 1) /* z's row stride: the dw threads (one per head) read a column */

/* Row, key and batch numbers fit in uint32 (cw_backward_dense_chunk checks
 * b*sq, sk and the ratio), so the kernels divide in 32 bits: a 64-bit
 * division is a call that spills the accumulators' registers. Element
 * offsets are formed in 64 bits. */
typedef struct {
  uint32_t sq, sk, ratio;
  int causal;
  uint32_t first_row, rows;
  uint64_t ld;
  uint32_t b_first;             /* first batch entry the chunk touches */
  uint32_t key_tiles;           /* dk kernel: key tiles per batch entry */
  const unsigned char *q, *k;
  const float *w, *G;
  float *dq, *dw, *dk;
} DenseParams;

/* ---- roles shared by both kernels ----------------------------------------- */

/* L(s) of cw-kernel-shape.h in 32 bits. */
__device__ __forceinline__ uint32_t
legal_keys32 (const DenseParams &p, uint32_t s)
{
  uint32_t l = p.causal == CW_CAUSAL_CAUSAL ? s + 1 : p.causal == CW_CAUSAL_COMPRESSED ? (s + 1) / p.ratio : p.sk;
  return l < p.sk ? l : p.sk;
}

template <bool FP8>
__device__ __forceinline__ float
widen (const unsigned char *base, uint64_t i)
{
  if (FP8)
    {
      __nv_fp8_e4m3 v;
      v.__x = base[i];
      return (float) v;
    }
  return __bfloat162float (reinterpret_cast<const __nv_bfloat16 *> (base)[i]);
}

/* rows_out[r][i] = x[r*D + i] for r < n, 0 for n <= r < R (row stride D + 1:
 * threads reading one column of different rows hit different banks). */
template <int R, int D, bool FP8>
__device__ __forceinline__ void
load_rows (float (&out)[R][D + 1], const unsigned char *x, int n)
{
  for (int e = threadIdx.x; e < R * D; e += BWD_DENSE_THREADS)
    {
      int r = e / D, i = e % D;
      out[r][i] = r < n ? widen<FP8> (x, (uint64_t) r * D + i) : 0.0f;
    }
}

/* z[h][t] = dot(q[h], k[t]), i ascending, for every head and key of a tile. */
template <int H, int D>
__device__ __forceinline__ void
tile_dots (float (&z)[H][BWD_Z_LD], const float (&qs)[H][D + 1], const float (&ks)[BWD_KEYS][D + 1])
{
  for (int e = threadIdx.x; e < H * BWD_KEYS; e += BWD_DENSE_THREADS)
    {
      int h = e / BWD_KEYS, t = e % BWD_KEYS;
      float acc = 0.0f;
#pragma unroll 8
      for (int i = 0; i < D; i++)
        acc = fmaf (qs[h][i], ks[t][i], acc);
      z[h][t] = acc;
    }
}

/* dz of one entry: g w where z > 0 (relu'(0) = 0). */
__device__ __forceinline__ float
dz_of (float z, float g, float w)
{
  return z > 0.0f ? g * w : 0.0f;
}

/* ---- rows kernel: dq and dw ------------------------------------------------- */

template <int H, int D>
struct RowsSmem {
  float qs[H][D + 1];
  float ks[BWD_KEYS][D + 1];
  float z[H][BWD_Z_LD];
  float g[BWD_KEYS];
  float w[H];
};

/* The row's upstream gradient for keys [t0, t0 + n) into g (0 past n). */
__device__ __forceinline__ void
load_gradient_tile (float *g, const float *G_row, uint32_t t0, int n)
{
  if (threadIdx.x < BWD_KEYS)
    g[threadIdx.x] = (int) threadIdx.x < n ? G_row[t0 + threadIdx.x] : 0.0f;
}

/* dw[h] += g relu(z), t ascending: thread h owns head h. */
template <int H, int D>
__device__ __forceinline__ void
accumulate_dw (float &dw, const RowsSmem<H, D> &sm, int n)
{
  if (threadIdx.x < H)
    for (int t = 0; t < n; t++)
      dw = fmaf (sm.g[t], fmaxf (sm.z[threadIdx.x][t], 0.0f), dw);
}

/* dq[h, i] += dz k[t, i], t ascending: output e = threadIdx.x + m*threads. */
template <int H, int D>
__device__ __forceinline__ void
accumulate_dq (float (&dq)[H * D / BWD_DENSE_THREADS], const RowsSmem<H, D> &sm, int n)
{
#pragma unroll
  for (int m = 0; m < H * D / BWD_DENSE_THREADS; m++)
    {
      const int e = threadIdx.x + m * BWD_DENSE_THREADS, h = e / D, i = e % D;
      for (int t = 0; t < n; t++)
        dq[m] = fmaf (dz_of (sm.z[h][t], sm.g[t], sm.w[h]), sm.ks[t][i], dq[m]);
    }
}

template <int H, int D, bool FP8>
__global__ void __launch_bounds__ (BWD_DENSE_THREADS, 1)
bwd_dense_rows_kernel (DenseParams p)
{
  __shared__ RowsSmem<H, D> sm;
  const uint32_t i_row = blockIdx.x, r = p.first_row + i_row, s = r % p.sq, b = r / p.sq;
  const uint32_t legal = legal_keys32 (p, s);
  const float *G_row = p.G + (uint64_t) i_row * p.ld;
  float dq[H * D / BWD_DENSE_THREADS] = {}, dw = 0.0f;

  load_rows<H, D, FP8> (sm.qs, p.q + (uint64_t) r * H * D * (FP8 ? 1 : 2), H);
  if (threadIdx.x < H)
    sm.w[threadIdx.x] = p.w[(uint64_t) r * H + threadIdx.x];
  for (uint32_t t0 = 0; t0 < legal; t0 += BWD_KEYS)
    {
      const int n = (int) min ((uint32_t) BWD_KEYS, legal - t0);

      load_rows<BWD_KEYS, D, FP8> (sm.ks, p.k + ((uint64_t) b * p.sk + t0) * D * (FP8 ? 1 : 2), n);
      load_gradient_tile (sm.g, G_row, t0, n);
      __syncthreads ();
      tile_dots<H, D> (sm.z, sm.qs, sm.ks);
      __syncthreads ();
      accumulate_dw<H, D> (dw, sm, n);
      accumulate_dq<H, D> (dq, sm, n);
      __syncthreads ();
    }
#pragma unroll
  for (int m = 0; m < H * D / BWD_DENSE_THREADS; m++)
    p.dq[(uint64_t) r * H * D + threadIdx.x + m * BWD_DENSE_THREADS] = dq[m];
  if (threadIdx.x < H)
    p.dw[(uint64_t) r * H + threadIdx.x] = dw;
}

/* ---- dk kernel ---------------------------------------------------------------- */

template <int H, int D>
struct KeysSmem {
  float ks[BWD_KEYS][D + 1];
  float qs[H][D + 1];
  float z[H][BWD_Z_LD];
  float g[BWD_KEYS];
  float w[H];
};

/* acc[t, i] += sum_h dz[h, t] q[h, i] (h ascending) for keys t < n of the
 * tile that the row may see; output e = threadIdx.x + m*threads. */
template <int H, int D>
__device__ __forceinline__ void
accumulate_dk (float (&acc)[BWD_KEYS * D / BWD_DENSE_THREADS], const KeysSmem<H, D> &sm, int n)
{
#pragma unroll
  for (int m = 0; m < BWD_KEYS * D / BWD_DENSE_THREADS; m++)
    {
      const int e = threadIdx.x + m * BWD_DENSE_THREADS, t = e / D, i = e % D;
      float c = 0.0f;

      if (t >= n)
        continue;
      for (int h = 0; h < H; h++)
        c = fmaf (dz_of (sm.z[h][t], sm.g[t], sm.w[h]), sm.qs[h][i], c);
      acc[m] += c;
    }
}

/* The chunk's rows of batch entry b, as [s_begin, s_end). */
__device__ __forceinline__ void
chunk_rows_of (const DenseParams &p, uint32_t b, uint32_t *s_begin, uint32_t *s_end)
{
  const uint32_t lo = max (p.first_row, b * p.sq), hi = min (p.first_row + p.rows, (b + 1) * p.sq);

  *s_begin = lo - b * p.sq;
  *s_end = hi - b * p.sq;
}

template <int H, int D, bool FP8>
__global__ void __launch_bounds__ (BWD_DENSE_THREADS, 1)
bwd_dense_dk_kernel (DenseParams p)
{
  __shared__ KeysSmem<H, D> sm;
  constexpr int PER = BWD_KEYS * D / BWD_DENSE_THREADS;
  const uint32_t b = p.b_first + blockIdx.x / p.key_tiles, t0 = (blockIdx.x % p.key_tiles) * BWD_KEYS;
  const int n_keys = (int) min ((uint32_t) BWD_KEYS, p.sk - t0);
  float *dk_tile = p.dk + ((uint64_t) b * p.sk + t0) * D;
  uint32_t s_begin, s_end;
  float acc[PER];

#pragma unroll
  for (int m = 0; m < PER; m++)
    {
      const int e = threadIdx.x + m * BWD_DENSE_THREADS;
      acc[m] = e / D < n_keys ? dk_tile[e] : 0.0f;
    }
  load_rows<BWD_KEYS, D, FP8> (sm.ks, p.k + ((uint64_t) b * p.sk + t0) * D * (FP8 ? 1 : 2), n_keys);
  chunk_rows_of (p, b, &s_begin, &s_end);
  for (uint32_t s = s_begin; s < s_end; s++)
    {
      const uint32_t legal = legal_keys32 (p, s), r = b * p.sq + s;
      const int n = legal > t0 ? (int) min ((uint32_t) n_keys, legal - t0) : 0;

      if (n == 0)
        continue;                       /* uniform over the block: L(s) is the row's */
      load_rows<H, D, FP8> (sm.qs, p.q + (uint64_t) r * H * D * (FP8 ? 1 : 2), H);
      if (threadIdx.x < H)
        sm.w[threadIdx.x] = p.w[(uint64_t) r * H + threadIdx.x];
      load_gradient_tile (sm.g, p.G + (uint64_t) (r - p.first_row) * p.ld, t0, n);
      __syncthreads ();
      tile_dots<H, D> (sm.z, sm.qs, sm.ks);
      __syncthreads ();
      accumulate_dk<H, D> (acc, sm, n);
      __syncthreads ();
    }
#pragma unroll
  for (int m = 0; m < PER; m++)
    {
      const int e = threadIdx.x + m * BWD_DENSE_THREADS;
      if (e / D < n_keys)
        dk_tile[e] = acc[m];
    }
}

/* ---- synthetic upstream gradient -------------------------------------------- */

__global__ void __launch_bounds__ (BWD_DENSE_THREADS)
fill_gradient_kernel (uint64_t sq, uint64_t sk, uint64_t ratio, int causal, uint64_t first_row, uint64_t rows,
                      float *G, uint64_t ld)
{
  for (uint64_t i = blockIdx.x; i < rows; i += gridDim.x)
    {
      const uint64_t r = first_row + i, legal = legal_keys (r % sq, sk, ratio, causal);
      for (uint64_t t = threadIdx.x; t < legal; t += BWD_DENSE_THREADS)
        G[i * ld + t] = cw_synthetic_gradient (r, t);
    }
}

/* ---- launchers ----------------------------------------------------------- */

typedef enum { BWD_DENSE_ROWS, BWD_DENSE_DK } DenseKernel;

template <int H, int D, bool FP8>
static cudaError_t
launch_one (DenseKernel which, const DenseParams &p, uint64_t batches, cudaStream_t stream)
{
  if (which == BWD_DENSE_ROWS)
    bwd_dense_rows_kernel<H, D, FP8><<<(unsigned) p.rows, BWD_DENSE_THREADS, 0, stream>>> (p);
  else
    bwd_dense_dk_kernel<H, D, FP8><<<(unsigned) (batches * p.key_tiles), BWD_DENSE_THREADS, 0, stream>>> (p);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

template <int H, int D>
static cudaError_t
launch_dtype (const CwKernelShape *shape, DenseKernel which, const DenseParams &p, uint64_t batches,
              cudaStream_t stream)
{
  return shape->qk_dtype == CW_DTYPE_FP8_E4M3 ? launch_one<H, D, true> (which, p, batches, stream)
                                              : launch_one<H, D, false> (which, p, batches, stream);
}

template <int H>
static cudaError_t
launch_d (const CwKernelShape *shape, DenseKernel which, const DenseParams &p, uint64_t batches,
          cudaStream_t stream)
{
  return shape->d == 64 ? launch_dtype<H, 64> (shape, which, p, batches, stream)
                        : launch_dtype<H, 128> (shape, which, p, batches, stream);
}

/* One of the chunk's two kernels at the shape's (h, d, dtype): the rows
 * kernel over the chunk's rows, or the dk kernel over the chunk's batch
 * entries times the key tiles its longest legal prefix covers. */
static cudaError_t
launch_dense (const CwKernelShape *shape, DenseKernel which, const DenseParams &p, uint64_t batches,
              cudaStream_t stream)
{
  switch (shape->h)
    {
    case 16:
      return launch_d<16> (shape, which, p, batches, stream);
    case 32:
      return launch_d<32> (shape, which, p, batches, stream);
    default:
      return launch_d<64> (shape, which, p, batches, stream);
    }
}

cudaError_t
cw_backward_dense_chunk (const CwKernelShape *shape, uint64_t first_row, uint64_t rows, const void *q, const void *k,
                         const float *w, const float *G, uint64_t ld, void *workspace, float *dq, float *dw,
                         float *dk, cudaStream_t stream)
{
  DenseParams p;
  uint64_t total, l_max, batches;

  (void) workspace;                     /* 0 bytes: cw_kernels_backward_dense_workspace_bytes */
  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  total = shape->b * shape->sq;
  if (total > (uint64_t) INT32_MAX || shape->ratio > (uint64_t) INT32_MAX)
    return cudaErrorNotSupported;       /* 32-bit row numbers; more rows than a GPU holds */
  if (rows == 0 || first_row >= total || rows > total - first_row
      || q == NULL || k == NULL || w == NULL || G == NULL || dq == NULL || dw == NULL || dk == NULL)
    return cudaErrorInvalidValue;
  l_max = cw_kernel_shape_longest_legal (shape, first_row, rows);
  if (ld < l_max)
    return cudaErrorInvalidValue;
  batches = (first_row + rows - 1) / shape->sq - first_row / shape->sq + 1;
  p.sq = (uint32_t) shape->sq;
  p.sk = (uint32_t) shape->sk;
  p.ratio = (uint32_t) shape->ratio;
  p.causal = (int) shape->causal;
  p.first_row = (uint32_t) first_row;
  p.rows = (uint32_t) rows;
  p.ld = ld;
  p.b_first = (uint32_t) (first_row / shape->sq);
  p.key_tiles = (uint32_t) ((l_max + BWD_KEYS - 1) / BWD_KEYS);
  p.q = (const unsigned char *) q;
  p.k = (const unsigned char *) k;
  p.w = w;
  p.G = G;
  p.dq = dq;
  p.dw = dw;
  p.dk = dk;
  if (batches * p.key_tiles > (uint64_t) INT32_MAX)
    return cudaErrorNotSupported;
  if (first_row == 0)
    CW_CUDA_TRY (cudaMemsetAsync (dk, 0, shape->b * shape->sk * shape->d * sizeof (float), stream));
  /* One range per kernel launch, as the other lanes' phases. */
  CW_PHASE_TRY ("backward-rows", launch_dense (shape, BWD_DENSE_ROWS, p, batches, stream));
  if (p.key_tiles > 0)                  /* else no row of the chunk has a legal key */
    CW_PHASE_TRY ("backward-dk", launch_dense (shape, BWD_DENSE_DK, p, batches, stream));
  return cudaSuccess;
}

cudaError_t
cw_backward_dense_fill_gradient (const CwKernelShape *shape, uint64_t first_row, uint64_t rows, float *G,
                                 uint64_t ld, cudaStream_t stream)
{
  uint64_t total, blocks;

  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  total = shape->b * shape->sq;
  if (rows == 0 || first_row >= total || rows > total - first_row || G == NULL
      || ld < cw_kernel_shape_longest_legal (shape, first_row, rows))
    return cudaErrorInvalidValue;
  blocks = rows < 65536 ? rows : 65536;
  fill_gradient_kernel<<<(unsigned) blocks, BWD_DENSE_THREADS, 0, stream>>> (
    shape->sq, shape->sk, shape->ratio, (int) shape->causal, first_row, rows, G, ld);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}
