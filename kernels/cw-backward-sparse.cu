/* cw-backward-sparse.cu: the sparse backward of the score (cw-kernels.h,
 * cw_backward_sparse_run): gradients dq, dw, dk through the kept entries.
 *
 * Rows run in chunks of `rows` (cw_kernels_backward_sparse_rows), chunk after
 * chunk in row order on the caller's stream. Per chunk:
 *  1. rows (one block of 256 threads per row): q of the row widened to fp32
 *     in shared memory; the kept keys gathered tile by tile (32 keys, the
 *     next tile's bytes loaded into registers while the current one is
 *     computed); per tile z [h, 32] (fp32 fused multiply-adds, d ascending),
 *     dz = g * w * (z > 0), relu(z); dw chained over j ascending, dq chained
 *     in registers over j ascending, and the entries' contributions
 *     c[j, :] = sum_h dz[h, j] * q[h, :] (h ascending) written to the
 *     workspace. Each valid entry counts one for its key (integer atomics);
 *  2. group by key: exclusive scan of the per-key counts into offsets, a
 *     scatter into the key's segment (slot from an atomic decrement of the
 *     count, which leaves the counts at zero for the next chunk), and a rank
 *     pass that orders each segment by entry (row, then j): an entry's slot
 *     is the number of smaller entries in its segment, so the order does
 *     not depend on the scatter's;
 *  3. dk: one warp per key adds its segment's contributions, in order, to dk
 *     (zeroed once before the first chunk), so each dk[t, :] is one chain
 *     over rows ascending whatever the chunking: bit-identical across runs
 *     and budgets. No float atomics anywhere.
 * An entry is valid when 0 <= idx < L(s) of its row; others (the -1 padding)
 * contribute nothing and their g is not read.
 *
 * Workspace (cw-kernel-shape.h), in this order: c fp32 [rows, top_k, d],
 * list and sorted int32 [rows * top_k], counts uint32 [b*sk], offsets
 * uint32 [b*sk + 1], scan partials uint32 [ceil(b*sk / 4096)].
 *
 * NVTX ranges per chunk (cw-lanes.cu): "backward-rows", "backward-group",
 * "backward-dk". */
#include <cuda_fp8.h>
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>
#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>

#include "cw-kernels-private.h"

#define BWD_THREADS 256
#define BWD_TJ 32                        /* kept keys per tile */
#define BWD_PAD 4                        /* floats of padding per shared row */
#define SCAN_THREADS 256
#define SCAN_ITEMS (CW_BACKWARD_SCAN_TILE / SCAN_THREADS)

typedef struct {
  uint64_t sq, sk, ratio, top_k;
  int causal;
  uint64_t first_row, rows;              /* the chunk */
  uint64_t keys;                         /* b * sk */
  const unsigned char *q, *k;
  const float *w, *g;
  const int32_t *idx;
  float *dq, *dw, *dk;
  float *c;
  int32_t *list, *sorted;
  uint32_t *counts, *offsets, *partials;
} BwdParams;

/* ---- shared roles --------------------------------------------------------- */

__device__ __forceinline__ uint64_t
bwd_legal (const BwdParams &p, uint64_t s)
{
  uint64_t l = p.causal == CW_CAUSAL_CAUSAL ? s + 1 : p.causal == CW_CAUSAL_COMPRESSED ? (s + 1) / p.ratio : p.sk;
  return l < p.sk ? l : p.sk;
}

/* The key (b * sk + t) of entry j of global row `row`, or -1 when invalid. */
__device__ __forceinline__ int64_t
entry_key (const BwdParams &p, uint64_t row, uint64_t j)
{
  const int64_t t = p.idx[row * p.top_k + j];
  const uint64_t bi = row / p.sq;
  return t >= 0 && (uint64_t) t < bwd_legal (p, row % p.sq) ? (int64_t) (bi * p.sk + (uint64_t) t) : -1;
}

/* The key of chunk entry e (= local row * top_k + j), or -1. */
__device__ __forceinline__ int64_t
chunk_entry_key (const BwdParams &p, uint64_t e)
{
  return entry_key (p, p.first_row + e / p.top_k, e % p.top_k);
}

/* 16 bytes of q or k widened to fp32: 8 bf16 or 16 fp8 e4m3 values. */
template <bool FP8>
__device__ __forceinline__ void
widen16 (uint4 raw, float *out)
{
  const uint32_t words[4] = { raw.x, raw.y, raw.z, raw.w };
#pragma unroll
  for (int i = 0; i < 4; i++)
    {
      if (FP8)
        {
#pragma unroll
          for (int b = 0; b < 4; b++)
            {
              __nv_fp8_e4m3 v;
              v.__x = (__nv_fp8_storage_t) ((words[i] >> (8 * b)) & 0xffu);
              out[4 * i + b] = (float) v;
            }
        }
      else
        {
          out[2 * i] = __uint_as_float (words[i] << 16);
          out[2 * i + 1] = __uint_as_float (words[i] & 0xffff0000u);
        }
    }
}

/* ---- 1. rows: z, dw, dq, contributions -------------------------------------- */

/* The thread layouts of one block (H heads, D dims, 256 threads):
 *  z:  HPT heads (hg + NHG u) x JPT keys (jg + NJG i) per thread;
 *  dq: HQ consecutive heads x V float4 columns (dc + NDC/V v) per thread;
 *  c:  JC consecutive keys x 2 float4 columns per thread. */
template <int H, int D, bool FP8>
struct BwdRow
{
  static constexpr int EB = FP8 ? 1 : 2;
  static constexpr int QS = D + BWD_PAD;                  /* shared row stride of q and keys */
  static constexpr int ZS = H + BWD_PAD;                  /* dz^T row stride */
  static constexpr int RS = BWD_TJ + 1;                   /* relu(z) row stride */
  static constexpr int HPT = H == 64 ? 2 : 1;
  static constexpr int JPT = H == 16 ? 2 : 4;
  static constexpr int NHG = H / HPT;
  static constexpr int NJG = BWD_TJ / JPT;
  static constexpr int NDC = D / 4;                       /* float4 columns */
  static constexpr int V = (H == 16 && D == 64) ? 1 : 2;
  static constexpr int DQT = NDC / V;                     /* dq threads along d */
  static constexpr int HQ = H * DQT / BWD_THREADS;
  static constexpr int CT = NDC / 2;                      /* c threads along d */
  static constexpr int JC = BWD_TJ * CT / BWD_THREADS;
  static constexpr int CHUNKS = D * EB / 16;              /* 16-byte pieces of one key */
  static constexpr int LOADS = (BWD_TJ * CHUNKS + BWD_THREADS - 1) / BWD_THREADS;
  static constexpr int SMEM_FLOATS = H * QS + BWD_TJ * QS + BWD_TJ * ZS + H * RS + H + 2 * BWD_TJ;
  static_assert (NHG * NJG == BWD_THREADS, "z layout");
  static_assert (HQ >= 1 && (H / HQ) * DQT == BWD_THREADS, "dq layout");
  static_assert (JC >= 1 && (BWD_TJ / JC) * CT == BWD_THREADS, "c layout");

  float *qs, *ks, *dzt, *rz, *ws, *tg;
  int32_t *tkey;                                          /* key t of the tile's entries, -1 invalid */

  __device__ __forceinline__ void
  carve (float *smem)
  {
    qs = smem;
    ks = qs + H * QS;
    dzt = ks + BWD_TJ * QS;
    rz = dzt + BWD_TJ * ZS;
    ws = rz + H * RS;
    tg = ws + H;
    tkey = (int32_t *) (tg + BWD_TJ);
  }

  /* q of the row and its weights into shared memory, widened. */
  __device__ __forceinline__ void
  load_row (const BwdParams &p, uint64_t row)
  {
    const uint4 *src = (const uint4 *) (p.q + row * H * D * EB);
    constexpr int PER = 16 / EB;                          /* values per 16 bytes */
    for (int i = threadIdx.x; i < H * D / PER; i += BWD_THREADS)
      {
        float v[16];
        widen16<FP8> (src[i], v);
        const int h = i * PER / D, d0 = i * PER % D;
#pragma unroll
        for (int u = 0; u < PER; u += 4)
          *(float4 *) &qs[h * QS + d0 + u] = make_float4 (v[u], v[u + 1], v[u + 2], v[u + 3]);
      }
    for (int h = threadIdx.x; h < H; h += BWD_THREADS)
      ws[h] = p.w[row * H + h];
  }

  /* The raw bytes of tile `tile`'s keys into registers (invalid: zeros). */
  __device__ __forceinline__ void
  fetch_tile (const BwdParams &p, uint64_t row, uint64_t tile, uint4 (&raw)[LOADS])
  {
#pragma unroll
    for (int l = 0; l < LOADS; l++)
      {
        const int piece = threadIdx.x + l * BWD_THREADS, jj = piece / CHUNKS, part = piece % CHUNKS;
        const uint64_t j = tile * BWD_TJ + jj;
        raw[l] = make_uint4 (0, 0, 0, 0);
        if (piece < BWD_TJ * CHUNKS && j < p.top_k)
          {
            const int64_t key = entry_key (p, row, j);
            if (key >= 0)
              raw[l] = ((const uint4 *) (p.k + (uint64_t) key * D * EB))[part];
          }
      }
  }

  /* The fetched keys, widened, and the tile's entries (key, g) into shared
   * memory. */
  __device__ __forceinline__ void
  store_tile (const BwdParams &p, uint64_t row, uint64_t tile, const uint4 (&raw)[LOADS])
  {
    constexpr int PER = 16 / EB;
#pragma unroll
    for (int l = 0; l < LOADS; l++)
      {
        const int piece = threadIdx.x + l * BWD_THREADS, jj = piece / CHUNKS, part = piece % CHUNKS;
        if (piece < BWD_TJ * CHUNKS)
          {
            float v[16];
            widen16<FP8> (raw[l], v);
#pragma unroll
            for (int u = 0; u < PER; u += 4)
              *(float4 *) &ks[jj * QS + part * PER + u] = make_float4 (v[u], v[u + 1], v[u + 2], v[u + 3]);
          }
      }
    if (threadIdx.x < BWD_TJ)
      {
        const uint64_t j = tile * BWD_TJ + threadIdx.x;
        const int64_t key = j < p.top_k ? entry_key (p, row, j) : -1;
        tkey[threadIdx.x] = key >= 0 ? (int32_t) (key - (int64_t) (row / p.sq * p.sk)) : -1;
        tg[threadIdx.x] = key >= 0 ? p.g[row * p.top_k + j] : 0.0f;
      }
  }

  /* z of the tile; dz^T [j][h] and relu(z) [h][j] into shared memory. */
  __device__ __forceinline__ void
  tile_z (void)
  {
    const int jg = threadIdx.x % NJG, hg = threadIdx.x / NJG;
    float acc[HPT][JPT] = {};
#pragma unroll 4
    for (int d = 0; d < D; d += 4)
      {
        float4 qv[HPT], kv[JPT];
#pragma unroll
        for (int u = 0; u < HPT; u++)
          qv[u] = *(const float4 *) &qs[(hg + NHG * u) * QS + d];
#pragma unroll
        for (int i = 0; i < JPT; i++)
          kv[i] = *(const float4 *) &ks[(jg + NJG * i) * QS + d];
#pragma unroll
        for (int u = 0; u < HPT; u++)
#pragma unroll
          for (int i = 0; i < JPT; i++)
            {
              acc[u][i] = __fmaf_rn (qv[u].x, kv[i].x, acc[u][i]);
              acc[u][i] = __fmaf_rn (qv[u].y, kv[i].y, acc[u][i]);
              acc[u][i] = __fmaf_rn (qv[u].z, kv[i].z, acc[u][i]);
              acc[u][i] = __fmaf_rn (qv[u].w, kv[i].w, acc[u][i]);
            }
      }
#pragma unroll
    for (int u = 0; u < HPT; u++)
#pragma unroll
      for (int i = 0; i < JPT; i++)
        {
          const int h = hg + NHG * u, j = jg + NJG * i;
          const float z = acc[u][i];
          const bool live = tkey[j] >= 0;
          dzt[j * ZS + h] = live && z > 0.0f ? __fmul_rn (tg[j], ws[h]) : 0.0f;
          rz[h * RS + j] = live ? fmaxf (z, 0.0f) : 0.0f;
        }
  }

  /* dw[h] += g_j * relu(z[h, j]) over the tile's valid entries, j ascending. */
  __device__ __forceinline__ void
  tile_dw (float &dw)
  {
    if (threadIdx.x < H)
      for (int j = 0; j < BWD_TJ; j++)
        if (tkey[j] >= 0)
          dw = __fmaf_rn (tg[j], rz[threadIdx.x * RS + j], dw);
  }

  /* dq[h, :] += dz[h, j] * k[j, :], j ascending, in registers. */
  __device__ __forceinline__ void
  tile_dq (float4 (&dq)[HQ][V])
  {
    const int dc = threadIdx.x % DQT, h0 = threadIdx.x / DQT * HQ;
#pragma unroll 2
    for (int j = 0; j < BWD_TJ; j++)
      {
        float4 kv[V];
        float dz[HQ];
#pragma unroll
        for (int v = 0; v < V; v++)
          kv[v] = *(const float4 *) &ks[j * QS + 4 * (dc + DQT * v)];
#pragma unroll
        for (int u = 0; u < HQ; u++)
          dz[u] = dzt[j * ZS + h0 + u];
#pragma unroll
        for (int u = 0; u < HQ; u++)
#pragma unroll
          for (int v = 0; v < V; v++)
            {
              dq[u][v].x = __fmaf_rn (dz[u], kv[v].x, dq[u][v].x);
              dq[u][v].y = __fmaf_rn (dz[u], kv[v].y, dq[u][v].y);
              dq[u][v].z = __fmaf_rn (dz[u], kv[v].z, dq[u][v].z);
              dq[u][v].w = __fmaf_rn (dz[u], kv[v].w, dq[u][v].w);
            }
      }
  }

  /* c[e, :] = sum_h dz[h, j] * q[h, :], h ascending, for the tile's entries
   * e = local_row * top_k + j (written for every j < top_k; invalid
   * entries' are zeros and never read). */
  __device__ __forceinline__ void
  tile_contributions (const BwdParams &p, uint64_t local_row, uint64_t tile)
  {
    const int dc = threadIdx.x % CT, j0 = threadIdx.x / CT * JC;
    float4 acc[JC][2];
#pragma unroll
    for (int i = 0; i < JC; i++)
      acc[i][0] = acc[i][1] = make_float4 (0.0f, 0.0f, 0.0f, 0.0f);
#pragma unroll 4
    for (int h = 0; h < H; h++)
      {
        const float4 q0 = *(const float4 *) &qs[h * QS + 4 * dc], q1 = *(const float4 *) &qs[h * QS + 4 * (dc + CT)];
#pragma unroll
        for (int i = 0; i < JC; i++)
          {
            const float dz = dzt[(j0 + i) * ZS + h];
            acc[i][0].x = __fmaf_rn (dz, q0.x, acc[i][0].x);
            acc[i][0].y = __fmaf_rn (dz, q0.y, acc[i][0].y);
            acc[i][0].z = __fmaf_rn (dz, q0.z, acc[i][0].z);
            acc[i][0].w = __fmaf_rn (dz, q0.w, acc[i][0].w);
            acc[i][1].x = __fmaf_rn (dz, q1.x, acc[i][1].x);
            acc[i][1].y = __fmaf_rn (dz, q1.y, acc[i][1].y);
            acc[i][1].z = __fmaf_rn (dz, q1.z, acc[i][1].z);
            acc[i][1].w = __fmaf_rn (dz, q1.w, acc[i][1].w);
          }
      }
#pragma unroll
    for (int i = 0; i < JC; i++)
      {
        const uint64_t j = tile * BWD_TJ + j0 + i;
        if (j < p.top_k)
          {
            float4 *dst = (float4 *) (p.c + (local_row * p.top_k + j) * D);
            dst[dc] = acc[i][0];
            dst[dc + CT] = acc[i][1];
          }
      }
  }

  /* One count per valid entry of the row, for the grouping. */
  __device__ __forceinline__ void
  count_entries (const BwdParams &p, uint64_t row)
  {
    for (uint64_t j = threadIdx.x; j < p.top_k; j += BWD_THREADS)
      {
        const int64_t key = entry_key (p, row, j);
        if (key >= 0)
          atomicAdd (&p.counts[key], 1u);
      }
  }

  __device__ __forceinline__ void
  store_outputs (const BwdParams &p, uint64_t row, const float4 (&dq)[HQ][V], float dw)
  {
    const int dc = threadIdx.x % DQT, h0 = threadIdx.x / DQT * HQ;
#pragma unroll
    for (int u = 0; u < HQ; u++)
#pragma unroll
      for (int v = 0; v < V; v++)
        ((float4 *) (p.dq + (row * H + h0 + u) * D))[dc + DQT * v] = dq[u][v];
    if (threadIdx.x < H)
      p.dw[row * H + threadIdx.x] = dw;
  }
};

/* Does any entry of tile `tile` of the row hold a valid key? (Tiles of
 * padding only are skipped: they add nothing.) */
__device__ __forceinline__ bool
tile_has_entries (const BwdParams &p, uint64_t row, uint64_t tile)
{
  const uint64_t j = tile * BWD_TJ + threadIdx.x;
  const bool live = threadIdx.x < BWD_TJ && j < p.top_k && entry_key (p, row, j) >= 0;
  return __syncthreads_or (live) != 0;
}

template <int H, int D, bool FP8>
__global__ void __launch_bounds__ (BWD_THREADS, 1)
bwd_rows_kernel (BwdParams p)
{
  extern __shared__ __align__ (16) float smem[];
  using R = BwdRow<H, D, FP8>;
  R r;
  const uint64_t local = blockIdx.x, row = p.first_row + local;
  const uint64_t tiles = (p.top_k + BWD_TJ - 1) / BWD_TJ;
  float4 dq[R::HQ][R::V];
  float dw = 0.0f;
  uint4 raw[R::LOADS];

  r.carve (smem);
#pragma unroll
  for (int u = 0; u < R::HQ; u++)
#pragma unroll
    for (int v = 0; v < R::V; v++)
      dq[u][v] = make_float4 (0.0f, 0.0f, 0.0f, 0.0f);
  r.count_entries (p, row);
  r.load_row (p, row);
  r.fetch_tile (p, row, 0, raw);
  for (uint64_t tile = 0; tile < tiles; tile++)
    {
      if (!tile_has_entries (p, row, tile))
        {
          if (tile + 1 < tiles)
            r.fetch_tile (p, row, tile + 1, raw);
          continue;
        }
      r.store_tile (p, row, tile, raw);
      __syncthreads ();
      if (tile + 1 < tiles)
        r.fetch_tile (p, row, tile + 1, raw);
      r.tile_z ();
      __syncthreads ();
      r.tile_dw (dw);
      r.tile_dq (dq);
      r.tile_contributions (p, local, tile);
      /* the next tile_has_entries is the barrier before shared memory is
       * written again */
    }
  r.store_outputs (p, row, dq, dw);
}

/* ---- 2. group the chunk's entries by key ------------------------------------ */

/* partials[blk] = sum of counts over the block's scan tile. */
__global__ void __launch_bounds__ (SCAN_THREADS)
bwd_scan_partials_kernel (BwdParams p)
{
  typedef cub::BlockReduce<uint32_t, SCAN_THREADS> Reduce;
  __shared__ typename Reduce::TempStorage tmp;
  const uint64_t base = (uint64_t) blockIdx.x * CW_BACKWARD_SCAN_TILE + threadIdx.x * SCAN_ITEMS;
  uint32_t sum = 0;

  for (int i = 0; i < SCAN_ITEMS; i++)
    sum += base + i < p.keys ? p.counts[base + i] : 0u;
  sum = Reduce (tmp).Sum (sum);
  if (threadIdx.x == 0)
    p.partials[blockIdx.x] = sum;
}

/* partials -> their exclusive prefix (one block); offsets[keys] = total. */
__global__ void __launch_bounds__ (1024)
bwd_scan_carry_kernel (BwdParams p, uint64_t n_partials)
{
  typedef cub::BlockScan<uint32_t, 1024> Scan;
  __shared__ typename Scan::TempStorage tmp;
  uint32_t running = 0;

  for (uint64_t base = 0; base < n_partials; base += 1024)
    {
      const uint64_t i = base + threadIdx.x;
      uint32_t v = i < n_partials ? p.partials[i] : 0u, prefix, total;
      Scan (tmp).ExclusiveSum (v, prefix, total);
      if (i < n_partials)
        p.partials[i] = running + prefix;
      running += total;
      __syncthreads ();                  /* tmp is reused */
    }
  if (threadIdx.x == 0)
    p.offsets[p.keys] = running;
}

/* offsets[key] = exclusive prefix of counts (the block's tile rescanned
 * from its partial). */
__global__ void __launch_bounds__ (SCAN_THREADS)
bwd_scan_apply_kernel (BwdParams p)
{
  typedef cub::BlockScan<uint32_t, SCAN_THREADS> Scan;
  __shared__ typename Scan::TempStorage tmp;
  const uint64_t base = (uint64_t) blockIdx.x * CW_BACKWARD_SCAN_TILE + threadIdx.x * SCAN_ITEMS;
  uint32_t v[SCAN_ITEMS], sum = 0, prefix;

  for (int i = 0; i < SCAN_ITEMS; i++)
    {
      v[i] = base + i < p.keys ? p.counts[base + i] : 0u;
      sum += v[i];
    }
  Scan (tmp).ExclusiveSum (sum, prefix);
  prefix += p.partials[blockIdx.x];
  for (int i = 0; i < SCAN_ITEMS; i++)
    if (base + i < p.keys)
      {
        p.offsets[base + i] = prefix;
        prefix += v[i];
      }
}

/* Every valid entry into its key's segment of `list` (any order); the
 * decrement returns each count to zero. */
__global__ void
bwd_scatter_kernel (BwdParams p, uint64_t entries)
{
  const uint64_t e = (uint64_t) blockIdx.x * blockDim.x + threadIdx.x;
  if (e >= entries)
    return;
  const int64_t key = chunk_entry_key (p, e);
  if (key >= 0)
    p.list[p.offsets[key] + atomicSub (&p.counts[key], 1u) - 1u] = (int32_t) e;
}

/* sorted[offset + rank] = entry, rank = entries of the same segment below it. */
__global__ void
bwd_rank_kernel (BwdParams p, uint64_t entries)
{
  const uint64_t slot = (uint64_t) blockIdx.x * blockDim.x + threadIdx.x;
  if (slot >= entries || slot >= p.offsets[p.keys])
    return;
  const int32_t e = p.list[slot];
  const int64_t key = chunk_entry_key (p, (uint64_t) e);
  const uint32_t lo = p.offsets[key], hi = p.offsets[key + 1];
  uint32_t rank = 0;
  for (uint32_t i = lo; i < hi; i++)
    rank += p.list[i] < e;
  p.sorted[lo + rank] = e;
}

/* ---- 3. dk += the chunk's contributions, key by key, in row order ------------ */

template <int PER>
__device__ __forceinline__ void
load_lane (const float *src, float (&v)[PER])
{
  if constexpr (PER == 4)
    {
      const float4 x = *(const float4 *) src;
      v[0] = x.x, v[1] = x.y, v[2] = x.z, v[3] = x.w;
    }
  else
    {
      const float2 x = *(const float2 *) src;
      v[0] = x.x, v[1] = x.y;
    }
}

template <int D>
__global__ void
bwd_dk_kernel (BwdParams p)
{
  constexpr int PER = D / 32;            /* floats per lane: 4 or 2 */
  const int lane = threadIdx.x % 32;
  const uint64_t warps = (uint64_t) gridDim.x * (blockDim.x / 32);

  for (uint64_t key = (uint64_t) blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32; key < p.keys; key += warps)
    {
      const uint32_t lo = p.offsets[key], hi = p.offsets[key + 1];
      if (lo == hi)
        continue;
      float acc[PER], *dst = p.dk + key * D + lane * PER;
#pragma unroll
      for (int i = 0; i < PER; i++)
        acc[i] = dst[i];
      uint32_t s = lo;
      for (; s + 4 <= hi; s += 4)          /* four loads in flight, added in order */
        {
          float v[4][PER];
#pragma unroll
          for (int u = 0; u < 4; u++)
            load_lane<PER> (p.c + (uint64_t) p.sorted[s + u] * D + lane * PER, v[u]);
#pragma unroll
          for (int u = 0; u < 4; u++)
#pragma unroll
            for (int i = 0; i < PER; i++)
              acc[i] = __fadd_rn (acc[i], v[u][i]);
        }
      for (; s < hi; s++)
        {
          float v[PER];
          load_lane<PER> (p.c + (uint64_t) p.sorted[s] * D + lane * PER, v);
#pragma unroll
          for (int i = 0; i < PER; i++)
            acc[i] = __fadd_rn (acc[i], v[i]);
        }
#pragma unroll
      for (int i = 0; i < PER; i++)
        dst[i] = acc[i];
    }
}

/* ---- launchers ------------------------------------------------------------- */

template <int H, int D, bool FP8>
static cudaError_t
launch_rows_hd (const BwdParams &p, cudaStream_t stream)
{
  const size_t smem = (size_t) BwdRow<H, D, FP8>::SMEM_FLOATS * sizeof (float);

  CW_CUDA_TRY (cudaFuncSetAttribute (bwd_rows_kernel<H, D, FP8>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     (int) smem));
  bwd_rows_kernel<H, D, FP8><<<(unsigned) p.rows, BWD_THREADS, smem, stream>>> (p);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

template <bool FP8>
static cudaError_t
launch_rows_dtype (const CwKernelShape *shape, const BwdParams &p, cudaStream_t stream)
{
  if (shape->d == 128)
    return shape->h == 64 ? launch_rows_hd<64, 128, FP8> (p, stream)
           : shape->h == 32 ? launch_rows_hd<32, 128, FP8> (p, stream) : launch_rows_hd<16, 128, FP8> (p, stream);
  return shape->h == 64 ? launch_rows_hd<64, 64, FP8> (p, stream)
         : shape->h == 32 ? launch_rows_hd<32, 64, FP8> (p, stream) : launch_rows_hd<16, 64, FP8> (p, stream);
}

static cudaError_t
launch_rows (const CwKernelShape *shape, const BwdParams &p, cudaStream_t stream)
{
  return shape->qk_dtype == CW_DTYPE_FP8_E4M3 ? launch_rows_dtype<true> (shape, p, stream)
                                               : launch_rows_dtype<false> (shape, p, stream);
}

static unsigned
blocks_for (uint64_t n, unsigned threads)
{
  return (unsigned) ((n + threads - 1) / threads);
}

static cudaError_t
launch_group (const BwdParams &p, cudaStream_t stream)
{
  const uint64_t n_partials = (p.keys + CW_BACKWARD_SCAN_TILE - 1) / CW_BACKWARD_SCAN_TILE;
  const uint64_t entries = p.rows * p.top_k;

  bwd_scan_partials_kernel<<<(unsigned) n_partials, SCAN_THREADS, 0, stream>>> (p);
  CW_LAUNCH_TRY ();
  bwd_scan_carry_kernel<<<1, 1024, 0, stream>>> (p, n_partials);
  CW_LAUNCH_TRY ();
  bwd_scan_apply_kernel<<<(unsigned) n_partials, SCAN_THREADS, 0, stream>>> (p);
  CW_LAUNCH_TRY ();
  bwd_scatter_kernel<<<blocks_for (entries, 256), 256, 0, stream>>> (p, entries);
  CW_LAUNCH_TRY ();
  bwd_rank_kernel<<<blocks_for (entries, 256), 256, 0, stream>>> (p, entries);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

static cudaError_t
launch_dk (const CwKernelShape *shape, const BwdParams &p, cudaStream_t stream)
{
  const uint64_t blocks = (p.keys + 7) / 8;               /* 8 warps per block, one key each */
  const unsigned grid = (unsigned) (blocks < 65535u * 16u ? blocks : 65535u * 16u);

  if (shape->d == 128)
    bwd_dk_kernel<128><<<grid, 256, 0, stream>>> (p);
  else
    bwd_dk_kernel<64><<<grid, 256, 0, stream>>> (p);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

static bool
aligned16 (const void *ptr)
{
  return ((uintptr_t) ptr & 15u) == 0;
}

cudaError_t
cw_backward_sparse_run (const CwKernelShape *shape, uint64_t budget, const void *q, const void *k, const float *w,
                        const int32_t *idx, const float *g, void *workspace, float *dq, float *dw, float *dk,
                        cudaStream_t stream)
{
  CwError error = CW_ERROR_INIT;
  uint64_t rows, total, chunk_entries, n_partials;
  BwdParams p;

  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  if (!cw_kernels_backward_sparse_rows (shape, budget, &rows, &error))
    return cudaErrorInvalidValue;
  if (q == NULL || k == NULL || w == NULL || idx == NULL || g == NULL || workspace == NULL || dq == NULL
      || dw == NULL || dk == NULL || !aligned16 (q) || !aligned16 (k) || !aligned16 (workspace)
      || !aligned16 (dq) || !aligned16 (dk))
    return cudaErrorInvalidValue;
  total = shape->b * shape->sq;
  chunk_entries = rows * shape->top_k;
  n_partials = (shape->b * shape->sk + CW_BACKWARD_SCAN_TILE - 1) / CW_BACKWARD_SCAN_TILE;
  if (rows > 0x7fffffffu || n_partials > 0x7fffffffu)
    return cudaErrorInvalidConfiguration;

  p.sq = shape->sq;
  p.sk = shape->sk;
  p.ratio = shape->ratio;
  p.top_k = shape->top_k;
  p.causal = (int) shape->causal;
  p.keys = shape->b * shape->sk;
  p.q = (const unsigned char *) q;
  p.k = (const unsigned char *) k;
  p.w = w;
  p.g = g;
  p.idx = idx;
  p.dq = dq;
  p.dw = dw;
  p.dk = dk;
  p.c = (float *) workspace;
  p.list = (int32_t *) (p.c + chunk_entries * shape->d);
  p.sorted = p.list + chunk_entries;
  p.counts = (uint32_t *) (p.sorted + chunk_entries);
  p.offsets = p.counts + p.keys;
  p.partials = p.offsets + p.keys + 1;

  CW_CUDA_TRY (cudaMemsetAsync (dk, 0, p.keys * shape->d * sizeof (float), stream));
  CW_CUDA_TRY (cudaMemsetAsync (p.counts, 0, p.keys * sizeof (uint32_t), stream));
  for (uint64_t r0 = 0; r0 < total; r0 += rows)
    {
      p.first_row = r0;
      p.rows = total - r0 < rows ? total - r0 : rows;
      CW_PHASE_TRY ("backward-rows", launch_rows (shape, p, stream));
      CW_PHASE_TRY ("backward-group", launch_group (p, stream));
      CW_PHASE_TRY ("backward-dk", launch_dk (shape, p, stream));
    }
  return cudaSuccess;
}
