/* cw-topk.cu: exact per-row top-k, one block of 256 threads per row.
 *
 * A score becomes an order-preserving uint32 key (sign flipped for positives,
 * all bits flipped for negatives; -0 folded onto +0); an entry is the 64-bit
 * composite (key << 32 | (0xffffffff - index)), so a descending order of
 * composites is exactly the rule "larger score first, then smaller index".
 * Only the row's legal prefix is read. Steps:
 *  1. candidates into shared memory (at most CW_TOPK_CAP):
 *     - rows of at most CW_TOPK_CAP legal keys: all of them;
 *     - longer rows: a threshold from one sample per 64 keys (sorted up to
 *       256 samples, radix-selected above), aimed at ~3k keys above it,
 *       then one read collecting every key
 *       at or above it. That set holds the exact top-k whenever it has at
 *       least k and at most CW_TOPK_CAP members;
 *     - otherwise (unlucky sample, heavy ties): radix select on the row in
 *       global memory, 12 + 12 + 8 bits, until the keys at or above the
 *       prefix fit; if even the full 32-bit key has more ties than fit, the
 *       tied keys are taken in index order by a block-wide ordered scan;
 *  2. the k-th largest key among the candidates by radix passes of 8 bits
 *     in shared memory (the bits every candidate shares skipped), and the
 *     keys at or above it compacted (usually k);
 *  3. a bitonic sort of those, written out; rows with fewer than k legal keys
 *     are padded with -1 / -INFINITY.
 * No workspace in device memory: everything is in shared memory. */
#include <cuda_runtime.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw-kernels-private.h"

#define CW_TOPK_CAP 4096                /* candidates held in shared memory */
#define CW_TOPK_SAMPLES 2048            /* keys sampled for the threshold */

__device__ __forceinline__ uint32_t
score_key (float f)
{
  uint32_t u = __float_as_uint (f + 0.0f);   /* -0 + 0 = +0 */
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

__device__ __forceinline__ float
key_score (uint32_t key)
{
  return __uint_as_float ((key & 0x80000000u) ? (key & 0x7fffffffu) : ~key);
}

__device__ __forceinline__ uint64_t
composite (uint32_t key, uint32_t index)
{
  return ((uint64_t) key << 32) | (uint64_t) (0xffffffffu - index);
}

/* A candidate as collected: the score's bits where composite has the key;
 * convert_raw_entries makes it a composite. */
__device__ __forceinline__ uint64_t
raw_entry (float v, uint32_t index)
{
  return composite (__float_as_uint (v), index);
}

/* The traversal of a row's legal prefix that every pass shares: 16-byte
 * loads for the aligned body, body(x0, x1, t0, t1, ok0, ok1) once per
 * thread per 8 keys (x0 holds keys t0..t0+3, x1 keys t1..t1+3; ok says
 * whether the load was real), then tail(t, value, ok) once per thread for
 * the unaligned head and the tail (at most 3 + 3 keys). Control flow is
 * uniform across the block (every thread makes the same calls), so the
 * callbacks may use full-warp intrinsics. */
template <int NT, int DEPTH = 4, typename Body, typename Tail>
__device__ __forceinline__ void
scan_row_groups (const float *row, uint32_t L, Body &&body, Tail &&tail)
{
  static_assert (DEPTH >= 2 && DEPTH % 2 == 0, "loads come in pairs");
  const uint32_t mis = (uint32_t) (((uintptr_t) row >> 2) & 3);
  uint32_t head = mis ? 4 - mis : 0;
  if (head > L)
    head = L;
  const uint32_t nv = (L - head) >> 2;
  const float4 *v = (const float4 *) (row + head);
  /* DEPTH 16-byte loads in flight per thread before the first body call
   * (with two, a row of 8,192 keys waits on four round trips to memory, one
   * per iteration; 4 by default, 8 for the long rows of a launch with few
   * rows). */
  for (uint32_t base = 0; base < nv; base += DEPTH * NT)
    {
      float4 x[DEPTH];
      bool ok[DEPTH];
#pragma unroll
      for (int d = 0; d < DEPTH; d++)
        {
          const uint32_t i = base + threadIdx.x + (uint32_t) d * NT;
          ok[d] = i < nv;
          x[d] = ok[d] ? __ldg (&v[i]) : make_float4 (0.f, 0.f, 0.f, 0.f);
        }
      const uint32_t i0 = base + threadIdx.x;
      body (x[0], x[1], head + 4 * i0, head + 4 * (i0 + NT), ok[0], ok[1]);
#pragma unroll
      for (int d = 2; d < DEPTH; d += 2)
        if (base + (uint32_t) d * NT < nv)    /* uniform: this pair has a real load somewhere */
          body (x[d], x[d + 1], head + 4 * (i0 + (uint32_t) d * NT), head + 4 * (i0 + (uint32_t) (d + 1) * NT), ok[d],
                ok[d + 1]);
    }
  const uint32_t tail0 = head + 4 * nv, extra = head + (L - tail0);
  const uint32_t j = threadIdx.x;
  const bool ok = j < extra;
  const uint32_t t = j < head ? j : tail0 + (j - head);
  tail (t, ok ? row[t] : 0.0f, ok);
}

/* Calls f(t, value, ok) for every t < L of `row` (scan_row_groups, one
 * key at a time). */
template <int NT, int DEPTH = 4, typename F>
__device__ __forceinline__ void
scan_row (const float *row, uint32_t L, F &&f)
{
  scan_row_groups<NT, DEPTH> (
    row, L,
    [&] (const float4 &x0, const float4 &x1, uint32_t t0, uint32_t t1, bool ok0, bool ok1) {
      f (t0, x0.x, ok0); f (t0 + 1, x0.y, ok0); f (t0 + 2, x0.z, ok0); f (t0 + 3, x0.w, ok0);
      f (t1, x1.x, ok1); f (t1 + 1, x1.y, ok1); f (t1 + 2, x1.z, ok1); f (t1 + 3, x1.w, ok1);
    },
    f);
}

/* Appends the entries `m` marks to cand: bit e stands for v[e], the key at
 * index t0 + e for e < 4 and t1 + e - 4 above. Slots come from *n_cand with
 * one shared atomic per warp instead of one per warp per key (the
 * per-key form, which the compiler aggregates per warp but still runs
 * whenever any lane of the warp has a candidate, measured 43 % of the top-k's
 * instructions at S=262,144). Called by every lane of the warp (full-warp
 * shuffles). Slots past CW_TOPK_CAP are counted but not written (the
 * caller then falls back). The entries are raw (raw_entry): the
 * marked keys run every instruction of this loop for all lanes of the
 * warp, so the key transform waits for convert_raw_entries. */
__device__ __forceinline__ void
append_marked (uint32_t m, const float (&v)[8], uint32_t t0, uint32_t t1, uint64_t *cand, uint32_t *n_cand)
{
  const int lane = threadIdx.x & 31;
  if (__ballot_sync (0xffffffffu, m != 0) == 0)
    return;
  const uint32_t cnt = __popc (m);
  uint32_t incl = cnt;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1)
    {
      const uint32_t x = __shfl_up_sync (0xffffffffu, incl, o);
      if (lane >= o)
        incl += x;
    }
  uint32_t base = 0;
  if (lane == 31)
    base = atomicAdd (n_cand, incl);
  uint32_t slot = __shfl_sync (0xffffffffu, base, 31) + incl - cnt;
  if (m != 0)
#pragma unroll
    for (int e = 0; e < 8; e++)
      if ((m >> e) & 1u)
        {
          if (slot < CW_TOPK_CAP)
            cand[slot] = raw_entry (v[e], (e < 4 ? t0 : t1) + (uint32_t) (e & 3));
          slot++;
        }
}

/* Folds each thread's [key_lo, key_hi] into the block's (*lo_s, *hi_s)
 * (set to 0xffffffff, 0 beforehand); visible after the next barrier. Called
 * by every thread (full-warp reductions). */
__device__ __forceinline__ void
block_key_range (uint32_t key_lo, uint32_t key_hi, uint32_t *lo_s, uint32_t *hi_s)
{
  key_lo = __reduce_min_sync (0xffffffffu, key_lo);
  key_hi = __reduce_max_sync (0xffffffffu, key_hi);
  if ((threadIdx.x & 31) == 0)
    {
      atomicMin (lo_s, key_lo);
      atomicMax (hi_s, key_hi);
    }
}

/* Every legal key of `row` at or above `threshold` into cand, as
 * composites; the count in *n_cand (may exceed CW_TOPK_CAP: then only the
 * first CW_TOPK_CAP are stored). The test is on floats: !(v < key_score
 * (threshold)) is key (v) >= threshold for every non-NaN v (-0 and +0
 * compare equal, as their keys are), true for a positive NaN (whose key is
 * above every number's, as in score_key), and true also for a negative NaN,
 * whose key is below: a superset, which the exact selection after it
 * tolerates. One compare per key instead of the key transform; the entries
 * are raw (convert_raw_entries makes them composites). */
template <int NT, int DEPTH>
__device__ void
collect_at_or_above (const float *row, uint32_t L, uint32_t threshold, uint64_t *cand, uint32_t *n_cand)
{
  const float thr = key_score (threshold);
  scan_row_groups<NT, DEPTH> (
    row, L,
    [&] (const float4 &x0, const float4 &x1, uint32_t t0, uint32_t t1, bool ok0, bool ok1) {
      const float v[8] = { x0.x, x0.y, x0.z, x0.w, x1.x, x1.y, x1.z, x1.w };
      uint32_t m = 0;
#pragma unroll
      for (int e = 0; e < 8; e++)
        if ((e < 4 ? ok0 : ok1) && !(v[e] < thr))
          m |= 1u << e;
      append_marked (m, v, t0, t1, cand, n_cand);
    },
    [&] (uint32_t t, float value, bool ok) {
      const float v[8] = { value, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f };
      append_marked (ok && !(value < thr) ? 1u : 0u, v, t, 0, cand, n_cand);
    });
}

/* The n raw entries of cand (raw_entry) made composites, and the range of
 * their keys folded into (*lo_s, *hi_s) (block_key_range). */
template <int NT>
__device__ void
convert_raw_entries (uint64_t *cand, uint32_t n, uint32_t *lo_s, uint32_t *hi_s)
{
  uint32_t key_lo = 0xffffffffu, key_hi = 0;
  for (uint32_t i = threadIdx.x; i < n; i += NT)
    {
      const uint64_t c = cand[i];
      const uint32_t key = score_key (__uint_as_float ((uint32_t) (c >> 32)));
      key_lo = min (key_lo, key);
      key_hi = max (key_hi, key);
      cand[i] = ((uint64_t) key << 32) | (uint32_t) c;
    }
  block_key_range (key_lo, key_hi, lo_s, hi_s);
}

/* Block-wide inclusive scan of one value per thread; returns the inclusive
 * prefix, *total gets the block sum. `warp_sums` holds 32 entries. */
template <int NT>
__device__ uint32_t
block_inclusive_scan (uint32_t v, uint32_t *warp_sums, uint32_t *total)
{
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int nwarps = NT / 32;

#pragma unroll
  for (int o = 1; o < 32; o <<= 1)
    {
      uint32_t n = __shfl_up_sync (0xffffffffu, v, o);
      if (lane >= o)
        v += n;
    }
  if (lane == 31)
    warp_sums[warp] = v;
  __syncthreads ();
  if (warp == 0)
    {
      uint32_t x = lane < nwarps ? warp_sums[lane] : 0;
#pragma unroll
      for (int o = 1; o < 32; o <<= 1)
        {
          uint32_t n = __shfl_up_sync (0xffffffffu, x, o);
          if (lane >= o)
            x += n;
        }
      if (lane < nwarps)
        warp_sums[lane] = x;
    }
  __syncthreads ();
  uint32_t res = v + (warp > 0 ? warp_sums[warp - 1] : 0);
  *total = warp_sums[nwarps - 1];
  __syncthreads ();                    /* warp_sums is reused by the next scan */
  return res;
}

/* Finds bin B of `hist` (nbins bins) counting from the top such that
 * above(B) < need <= above(B) + hist[B]; writes B and above(B) to the
 * shared *bin_out / *above_out, visible after the call. Thread i owns
 * bins_per consecutive bins, thread 0 the highest. Needs sum(hist) >= need. */
template <int NT>
__device__ void
find_bin_from_top (const uint32_t *hist, uint32_t nbins, uint32_t need, uint32_t *warp_sums, uint32_t *bin_out,
                   uint32_t *above_out)
{
  const int tid = threadIdx.x;
  const uint32_t bins_per = nbins > NT ? nbins / NT : 1;
  uint32_t local = 0, total;
  const bool owns = (uint32_t) tid * bins_per < nbins;
  if (owns)
    for (uint32_t j = 0; j < bins_per; j++)
      local += hist[nbins - 1 - (tid * bins_per + j)];
  const uint32_t incl = block_inclusive_scan<NT> (local, warp_sums, &total);
  const uint32_t excl = incl - local;
  if (owns && excl < need && need <= incl)
    {
      uint32_t above = excl;
      for (uint32_t j = 0; j < bins_per; j++)
        {
          const uint32_t bin = nbins - 1 - (tid * bins_per + j), hcount = hist[bin];
          if (above + hcount >= need)
            {
              *bin_out = bin;
              *above_out = above;
              break;
            }
          above += hcount;
        }
    }
  __syncthreads ();
}

/* Finds, with one warp, bin B of a 256-bin histogram counting from the top
 * such that above(B) < need <= above(B) + hist[B]; writes B, above(B) and
 * hist[B] to res[0..2]. Lane l owns bins 255 - 8l down to 248 - 8l. Called
 * by the 32 lanes of one warp between two block barriers (a block-wide
 * scan costs four barriers per radix pass). hist is 16-byte
 * aligned; needs sum(hist) >= need. */
__device__ __forceinline__ void
find_bin_from_top_warp (const uint32_t *hist, uint32_t need, uint32_t *res)
{
  const int lane = threadIdx.x & 31;
  const uint4 hi4 = *(const uint4 *) &hist[252 - 8 * lane], lo4 = *(const uint4 *) &hist[248 - 8 * lane];
  const uint32_t h[8] = { hi4.w, hi4.z, hi4.y, hi4.x, lo4.w, lo4.z, lo4.y, lo4.x };
  uint32_t local = 0;
#pragma unroll
  for (int j = 0; j < 8; j++)
    local += h[j];
  uint32_t incl = local;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1)
    {
      const uint32_t x = __shfl_up_sync (0xffffffffu, incl, o);
      if (lane >= o)
        incl += x;
    }
  const uint32_t excl = incl - local;
  if (excl < need && need <= incl)
    {
      uint32_t above = excl;
#pragma unroll
      for (int j = 0; j < 8; j++)
        {
          if (above + h[j] >= need)
            {
              res[0] = 255u - 8u * (uint32_t) lane - (uint32_t) j;
              res[1] = above;
              res[2] = h[j];
              break;
            }
          above += h[j];
        }
    }
}

/* The k-th largest (1-based) of n uint32 values get(i), by radix passes of
 * at most 8 bits with a 256-bin shared histogram; far cheaper than sorting
 * them. Every value lies in [key_lo, key_hi] (0 and 0xffffffff when nothing
 * is known): the bits those two share are fixed before the first pass, so a
 * set of candidates whose scores share sign and exponent takes three passes
 * instead of four. The passes stop early once the bin they chose
 * holds exactly the keys still needed: then every key of that bin is taken
 * and the bin's lowest key is a threshold with exactly k keys at or above
 * it. Returns a key t with at least k values >= t and fewer than k > t, or
 * (early stop) exactly k >= t. hist2 holds two 256-bin histograms (16-byte
 * aligned), used in turn so one is cleared while the other fills: two block
 * barriers per pass instead of seven. res holds 3 words.
 * Per-value adds: a warp-aggregated histogram measured 8-16 % slower. */
template <int NT, typename Get>
__device__ uint32_t
select_kth_largest (Get get, uint32_t n, uint32_t k, uint32_t key_lo, uint32_t key_hi, uint32_t *hist2,
                    uint32_t *res)
{
  uint32_t fixed = key_lo == key_hi ? 32u : (uint32_t) __clz ((int) (key_lo ^ key_hi));
  if (fixed == 32)
    return key_hi;                      /* all equal (n >= k is the caller's) */
  uint32_t prefix = fixed > 0 ? key_hi >> (32 - fixed) : 0, need = k;
  for (uint32_t b = threadIdx.x; b < 256; b += NT)
    hist2[b] = 0;
  __syncthreads ();
  for (int buf = 0; fixed < 32; buf ^= 1)
    {
      const uint32_t bits = 32 - fixed < 8 ? 32 - fixed : 8, shift = 32 - fixed - bits;
      uint32_t *const h = hist2 + 256 * buf, *const h_next = hist2 + 256 * (buf ^ 1);
      for (uint32_t b = threadIdx.x; b < 256; b += NT)
        h_next[b] = 0;
      for (uint32_t i = threadIdx.x; i < n; i += NT)
        {
          const uint32_t key = get (i);
          if (fixed == 0 || (key >> (32 - fixed)) == prefix)
            atomicAdd (&h[(key >> shift) & ((1u << bits) - 1)], 1u);
        }
      __syncthreads ();
      if (threadIdx.x < 32)
        find_bin_from_top_warp (h, need, res);
      __syncthreads ();
      const uint32_t bin = res[0], above = res[1], in_bin = res[2];
      need -= above;
      prefix = (prefix << bits) | bin;
      fixed += bits;
      if (need == in_bin)
        return fixed == 32 ? prefix : prefix << (32 - fixed);
    }
  return prefix;
}

/* The r-th largest (1-based, r <= 256) of 256 keys held 8 per lane by one
 * warp (lane l holds entries 8l .. 8l + 7 in k[]), by a bitonic network in
 * registers: strides below 8 inside a lane, the others by one shuffle per
 * entry. Every lane gets the result. One warp and no barrier (the same
 * network in shared memory takes 4 warps and measured 15 % of the top-k's
 * warp time at S=65,536). */
template <uint32_t SIZE, uint32_t STRIDE>
__device__ __forceinline__ void
warp_bitonic_stage_256 (uint32_t (&k)[8], uint32_t lane)
{
  if constexpr (STRIDE < 8)
    {
#pragma unroll
      for (uint32_t j = 0; j < 8; j++)
        if ((j & STRIDE) == 0)
          {
            /* entry e = 8 lane + j; descending where (e & SIZE) == 0 */
            const bool desc = ((8 * lane + j) & SIZE) == 0;
            const uint32_t a = k[j], b = k[j | STRIDE];
            const uint32_t hi = max (a, b), lo = min (a, b);
            k[j] = desc ? hi : lo;
            k[j | STRIDE] = desc ? lo : hi;
          }
    }
  else
    {
      constexpr uint32_t LMASK = STRIDE / 8;
      const bool lower = (lane & LMASK) == 0, desc = ((8 * lane) & SIZE) == 0;
#pragma unroll
      for (uint32_t j = 0; j < 8; j++)
        {
          const uint32_t other = __shfl_xor_sync (0xffffffffu, k[j], LMASK);
          k[j] = lower == desc ? max (k[j], other) : min (k[j], other);
        }
    }
  if constexpr (STRIDE > 1)
    warp_bitonic_stage_256<SIZE, STRIDE / 2> (k, lane);
  else if constexpr (SIZE < 256)
    warp_bitonic_stage_256<SIZE * 2, SIZE> (k, lane);
}

__device__ __forceinline__ uint32_t
warp_kth_largest_256 (uint32_t (&k)[8], uint32_t r)
{
  const uint32_t lane = threadIdx.x & 31;
  warp_bitonic_stage_256<2, 1> (k, lane);
  /* entry r - 1: lane (r - 1) / 8, register (r - 1) % 8, picked by a tree
   * of selects (a loop over j compiles to a local-memory array) */
  const uint32_t e = r - 1;
  const bool b0 = e & 1, b1 = e & 2, b2 = e & 4;
  const uint32_t p01 = b0 ? k[1] : k[0], p23 = b0 ? k[3] : k[2], p45 = b0 ? k[5] : k[4], p67 = b0 ? k[7] : k[6];
  const uint32_t q03 = b1 ? p23 : p01, q47 = b1 ? p67 : p45;
  return __shfl_sync (0xffffffffu, b2 ? q47 : q03, e >> 3);
}

/* Descending bitonic sort of n (a power of two) entries. */
template <int NT, typename T>
__device__ void
bitonic_sort_desc (T *c, uint32_t n)
{
  for (uint32_t size = 2; size <= n; size <<= 1)
    for (uint32_t stride = size >> 1; stride > 0; stride >>= 1)
      {
        for (uint32_t i = threadIdx.x; i < n / 2; i += NT)
          {
            uint32_t lo = 2 * i - (i & (stride - 1)), hi = lo + stride;
            bool desc = (lo & size) == 0;
            T a = c[lo], b = c[hi];
            if ((a < b) == desc)
              {
                c[lo] = b;
                c[hi] = a;
              }
          }
        __syncthreads ();
      }
}

/* The same network for a compile-time n (n / 2 <= NT), with
 * thread i doing pair i of every stage. Warp w then touches only entries
 * [64w, 64w + 64) in the stages of stride <= 32, so those need only a
 * __syncwarp; a block barrier is needed only around the stages of stride
 * >= 64: 9 block barriers for n = 512 instead of 45 (a plain bitonic sort
 * measured 31 % of the top-k's instructions at S=65,536, most of it
 * barrier and loop overhead). Same comparisons in the same order: the same result. */
template <int NT, uint32_t N, typename T>
__device__ __forceinline__ void
bitonic_sort_desc_n (T *c)
{
  static_assert (N / 2 <= NT && N >= 64, "bitonic_sort_desc_n size");
  const uint32_t i = threadIdx.x;
#pragma unroll
  for (uint32_t size = 2; size <= N; size <<= 1)
#pragma unroll
    for (uint32_t stride = size >> 1; stride > 0; stride >>= 1)
      {
        if (stride >= 64 && stride == size >> 1)
          __syncthreads ();                 /* pairs cross warps: everyone's last writes */
        if (i < N / 2)
          {
            const uint32_t lo = 2 * i - (i & (stride - 1)), hi = lo + stride;
            const bool desc = (lo & size) == 0;
            const T a = c[lo], b = c[hi];
            if ((a < b) == desc)
              {
                c[lo] = b;
                c[hi] = a;
              }
          }
        if (stride >= 64)
          __syncthreads ();
        else
          __syncwarp ();
      }
  __syncthreads ();
}

typedef struct {
  uint64_t sq, sk, ratio, ld, first_row, top_k;
  int causal;
  uint32_t sel_cap;     /* entries of sel: a power of two >= top_k, >= 256 */
  const float *scores;
  int32_t *idx;
  float *out_scores;
  const int32_t *skip_if_one;
} TopkParams;

/* Threads per row: 6 rows per SM for k <= 512 (shared memory is the
 * limit, 6 x 37 KB). */
#define CW_TOPK_THREADS 256

/* What one row's block keeps in shared memory besides the candidates. */
struct TopkShared {
  uint32_t warp_sums[32];
  uint32_t n_cand, n_sel, sel_bin, sel_above, sel_res[3];
  uint32_t cand_lo, cand_hi;   /* the range of the candidates' keys (widened) */
};

/* The dynamic shared memory of a row. cand: CW_TOPK_CAP candidates (its
 * first 16 KB doubles as the radix histogram of the row and holds the
 * samples of a long row); sel: the exact top-k compacted out of cand before
 * the sort (its first 2 KB double as the two 256-bin histograms of
 * select_kth_largest, read as uint4 by find_bin_from_top_warp: hence the
 * alignment). */
struct TopkSmem {
  uint64_t *cand, *sel;
  uint32_t *hist, *hist_sel;
  TopkShared *sh;
};

/* Step 1, rows of at most CW_TOPK_CAP legal keys: every legal key is a
 * candidate. */
template <int NT>
__device__ __forceinline__ void
collect_all (const float *row, uint32_t L, const TopkSmem &m)
{
  uint32_t key_lo = 0xffffffffu, key_hi = 0;
  for (uint32_t t = threadIdx.x; t < L; t += NT)
    {
      const uint32_t key = score_key (row[t]);
      key_lo = min (key_lo, key);
      key_hi = max (key_hi, key);
      m.cand[t] = composite (key, t);
    }
  block_key_range (key_lo, key_hi, &m.sh->cand_lo, &m.sh->cand_hi);
  if (threadIdx.x == 0)
    m.sh->n_cand = L;
}

/* Step 1, longer rows, the common case (about 1.25 reads of the row): the
 * r-th largest of n_s evenly spaced samples, r chosen so that about 3K keys
 * lie at or above it. If at least K and at most CW_TOPK_CAP keys do, they
 * contain the exact top-k (every key at or above the k-th is at or above
 * the threshold, ties included): true. Otherwise (unlucky sample,
 * adversarial row) false, with the candidates emptied for collect_exact. */
template <int NT, int DEPTH>
__device__ __forceinline__ bool
collect_sampled (const float *row, uint32_t L, uint32_t K, const TopkSmem &m)
{
  const int tid = threadIdx.x;
  TopkShared &sh = *m.sh;
  bool sampled = false;

  /* One sample per 64 keys (256 bytes: the samples touch an eighth of the
   * row's sectors), between 128 and CW_TOPK_SAMPLES of them. */
  uint32_t n_s = L / 64;
  n_s = n_s < 128 ? 128 : n_s > CW_TOPK_SAMPLES ? CW_TOPK_SAMPLES : n_s;
  const uint32_t stride = L / n_s;
  const uint64_t r = (3ull * K * n_s + L - 1) / L;
  if (r < 1 || r > n_s / 2)
    return false;

  uint32_t threshold;
  if (n_s <= 256)
    {
      /* Rows of at most 16,384 keys: warp 0 loads the samples (padded with
       * key 0, the lowest, which r <= n_s / 2 never reaches), sorts them in
       * registers and takes the r-th; one barrier instead of four radix
       * passes. */
      if (tid < 32)
        {
          uint32_t k8[8];
#pragma unroll
          for (uint32_t j = 0; j < 8; j++)
            {
              const uint32_t i = 8 * (uint32_t) tid + j;
              k8[j] = i < n_s ? score_key (row[(uint64_t) i * stride]) : 0u;
            }
          const uint32_t t = warp_kth_largest_256 (k8, (uint32_t) r);
          if (tid == 0)
            sh.sel_res[0] = t;
        }
      __syncthreads ();
      threshold = sh.sel_res[0];
    }
  else
    {
      /* DEPTH strided loads in flight per thread */
      for (uint32_t i0 = tid; i0 < n_s; i0 += DEPTH * NT)
        {
          float sv[DEPTH];
#pragma unroll
          for (int d = 0; d < DEPTH; d++)
            {
              const uint32_t i = i0 + (uint32_t) d * NT;
              sv[d] = i < n_s ? __ldg (&row[(uint64_t) i * stride]) : 0.0f;
            }
#pragma unroll
          for (int d = 0; d < DEPTH; d++)
            {
              const uint32_t i = i0 + (uint32_t) d * NT;
              if (i < n_s)
                m.hist[i] = score_key (sv[d]);
            }
        }
      __syncthreads ();
      const uint32_t *hist = m.hist;
      threshold = select_kth_largest<NT> ([&] (uint32_t i) { return hist[i]; }, n_s, (uint32_t) r, 0u, 0xffffffffu,
                                          m.hist_sel, sh.sel_res);
      __syncthreads ();               /* every thread has its threshold before cand overwrites hist */
    }
  collect_at_or_above<NT, DEPTH> (row, L, threshold, m.cand, &sh.n_cand);
  __syncthreads ();
  const uint32_t got = sh.n_cand;
  if (got >= K && got <= CW_TOPK_CAP)
    {
      sampled = true;
      convert_raw_entries<NT> (m.cand, got, &sh.cand_lo, &sh.cand_hi);
    }
  __syncthreads ();
  if (!sampled && tid == 0)
    {
      sh.n_cand = 0;
      sh.cand_lo = 0;
      sh.cand_hi = 0xffffffffu;
    }
  __syncthreads ();
  return sampled;
}

/* Step 1, exact fallback for long rows: radix select on the row in global
 * memory, 12 + 12 + 8 bits, until the keys at or above the prefix fit; if
 * even the full 32-bit key has more ties than fit, the tied keys are taken
 * in index order by a block-wide ordered scan. */
template <int NT, int DEPTH>
__device__ __forceinline__ void
collect_exact (const float *row, uint32_t L, uint32_t K, const TopkSmem &m)
{
  const int tid = threadIdx.x;
  TopkShared &sh = *m.sh;
  uint32_t *const hist = m.hist;
  uint64_t *const cand = m.cand;
  uint32_t prefix = 0, need = K;
  int pbits = 0;
  bool fits = false;

  for (int level = 0; level < 3; level++)
    {
      const int bits = level < 2 ? 12 : 8, shift = 32 - pbits - bits;   /* 12 + 12 + 8 bits */
      const uint32_t nbins = 1u << bits;

      for (uint32_t b = tid; b < nbins; b += NT)
        hist[b] = 0;
      __syncthreads ();
      /* Scores of a row crowd into few bins, so lanes of a warp that hit
       * the same bin add once (match_any) instead of serializing. */
      scan_row<NT, DEPTH> (row, L, [&] (uint32_t, float v, bool ok) {
        const uint32_t key = score_key (v), bin = (key >> shift) & (nbins - 1);
        const bool act = ok && (pbits == 0 || (key >> (32 - (pbits & 31))) == prefix);
        const unsigned peers = __match_any_sync (0xffffffffu, act ? bin : 0xffffffffu);
        if (act && (threadIdx.x & 31) == (unsigned) (__ffs (peers) - 1))
          atomicAdd (&hist[bin], (uint32_t) __popc (peers));
      });
      __syncthreads ();

      find_bin_from_top<NT> (hist, nbins, need, sh.warp_sums, &sh.sel_bin, &sh.sel_above);
      const uint32_t bin = sh.sel_bin, above = sh.sel_above, in_bin = hist[bin];
      need -= above;
      prefix = (prefix << bits) | bin;
      pbits += bits;
      __syncthreads ();              /* everyone has read hist before it is reused */
      if ((K - need) + in_bin <= CW_TOPK_CAP)
        {
          fits = true;
          break;
        }
    }

  if (fits)
    {
      /* (K - need) keys lie strictly above the prefix and the prefix bin
       * holds the rest: together at most CW_TOPK_CAP. */
      scan_row<NT, DEPTH> (row, L, [&] (uint32_t t, float v, bool ok) {
        const uint32_t key = score_key (v);
        if (ok && (key >> (32 - pbits)) >= prefix)
          cand[atomicAdd (&sh.n_cand, 1u)] = composite (key, t);
      });
    }
  else
    {
      /* More exact ties at the full 32-bit key than fit: take every key
       * above it, then the `need` smallest indices among the ties, in index
       * order, by a block-wide ordered scan. */
      const uint32_t tie = prefix;          /* pbits == 32 here */
      for (uint32_t t = tid; t < L; t += NT)
        {
          uint32_t key = score_key (row[t]);
          if (key > tie)
            cand[atomicAdd (&sh.n_cand, 1u)] = composite (key, t);
        }
      __syncthreads ();
      uint32_t base = K - need, taken = 0;
      for (uint32_t t0 = 0; t0 < L && taken < need; t0 += NT)
        {
          uint32_t t = t0 + tid, tot;
          uint32_t flag = (t < L && score_key (row[t]) == tie) ? 1u : 0u;
          uint32_t incl = block_inclusive_scan<NT> (flag, sh.warp_sums, &tot);
          uint32_t rank = taken + incl - flag;
          if (flag && rank < need)
            cand[base + rank] = composite (tie, t);
          taken += tot;
        }
      if (tid == 0)
        sh.n_cand = K;
    }
}

/* Step 2: usually there are more candidates than K. Sorting them all is
 * what costs (shared-memory bound), so first find the K-th largest key
 * among them (8-bit radix passes in shared memory) and compact the keys at
 * or above it into sel; only those are sorted. Many exact ties at the K-th
 * key can leave more than fit in sel: then all candidates are sorted.
 * Returns what to sort and *n_sorted its length. */
template <int NT>
__device__ __forceinline__ uint64_t *
select_top (uint32_t K, uint32_t sel_cap, const TopkSmem &m, uint32_t *n_sorted)
{
  TopkShared &sh = *m.sh;
  const uint64_t *const cand = m.cand;
  const uint32_t n = sh.n_cand;

  *n_sorted = n;
  if (n <= K)
    return m.cand;
  const uint32_t kth = select_kth_largest<NT> ([&] (uint32_t i) { return (uint32_t) (cand[i] >> 32); }, n, K,
                                               sh.cand_lo, sh.cand_hi, m.hist_sel, sh.sel_res);
  if (threadIdx.x == 0)
    sh.n_sel = 0;
  __syncthreads ();
  for (uint32_t i = threadIdx.x; i < n; i += NT)
    if ((uint32_t) (cand[i] >> 32) >= kth)
      {
        const uint32_t slot = atomicAdd (&sh.n_sel, 1u);
        if (slot < sel_cap)
          m.sel[slot] = cand[i];
      }
  __syncthreads ();
  if (sh.n_sel > sel_cap)
    return m.cand;
  *n_sorted = sh.n_sel;
  return m.sel;
}

/* Step 3: a descending bitonic sort, padded to a power of two with 0
 * (which sorts last). */
template <int NT>
__device__ __forceinline__ void
sort_top (uint64_t *sorted, uint32_t n_sorted)
{
  uint32_t n2 = 1;
  while (n2 < n_sorted)
    n2 <<= 1;
  for (uint32_t j = n_sorted + threadIdx.x; j < n2; j += NT)
    sorted[j] = 0;
  __syncthreads ();
  switch (n2)
    {
    case 64: bitonic_sort_desc_n<NT, 64> (sorted); break;
    case 128: bitonic_sort_desc_n<NT, 128> (sorted); break;
    case 256: bitonic_sort_desc_n<NT, 256> (sorted); break;
    case 512: bitonic_sort_desc_n<NT, 512> (sorted); break;
    default: bitonic_sort_desc<NT> (sorted, n2); break;
    }
}

/* The row's K entries; rows with fewer than K legal keys are padded with
 * -1 / -INFINITY. */
template <int NT>
__device__ __forceinline__ void
write_top (const uint64_t *sorted, uint32_t n_sorted, uint32_t K, int32_t *idx, float *out)
{
  for (uint32_t j = threadIdx.x; j < K; j += NT)
    {
      if (j < n_sorted)
        {
          uint64_t cv = sorted[j];
          idx[j] = (int32_t) (0xffffffffu - (uint32_t) cv);
          if (out != NULL)
            out[j] = key_score ((uint32_t) (cv >> 32));
        }
      else
        {
          idx[j] = -1;
          if (out != NULL)
            out[j] = -INFINITY;
        }
    }
}

/* One block per row. DEPTH: 16-byte loads in flight per thread in the row
 * scans (4; 8 for launches of few long rows, at 4 rows per SM:
 * cw_topk_launch). */
template <int NT, int DEPTH>
__global__ void __launch_bounds__ (NT, DEPTH > 4 ? 4 : 6)
topk_kernel (TopkParams p)
{
  extern __shared__ __align__ (16) uint64_t topk_dyn[];
  __shared__ TopkShared sh;
  const TopkSmem m = { topk_dyn, topk_dyn + CW_TOPK_CAP, (uint32_t *) topk_dyn,
                       (uint32_t *) (topk_dyn + CW_TOPK_CAP), &sh };

  if (p.skip_if_one != NULL && *p.skip_if_one == 1)
    return;

  /* Rows in reverse: under a causal mask the last rows are the longest, so
   * the launch starts with them and its last wave is short rows. */
  const uint64_t i_row = gridDim.x - 1 - blockIdx.x;
  const uint64_t s = (p.first_row + i_row) % p.sq;
  uint64_t legal = p.causal == CW_CAUSAL_CAUSAL ? s + 1 : p.causal == CW_CAUSAL_COMPRESSED ? (s + 1) / p.ratio : p.sk;
  if (legal > p.sk)
    legal = p.sk;
  const uint32_t L = (uint32_t) legal, K = (uint32_t) p.top_k;
  const float *row = p.scores + i_row * p.ld;

  if (threadIdx.x == 0)
    {
      sh.n_cand = 0;
      sh.cand_lo = 0xffffffffu;
      sh.cand_hi = 0;
    }
  __syncthreads ();

  if (L <= CW_TOPK_CAP)
    collect_all<NT> (row, L, m);
  else if (!collect_sampled<NT, DEPTH> (row, L, K, m))
    collect_exact<NT, DEPTH> (row, L, K, m);
  __syncthreads ();

  uint32_t n_sorted;
  uint64_t *sorted = select_top<NT> (K, p.sel_cap, m, &n_sorted);
  sort_top<NT> (sorted, n_sorted);
  write_top<NT> (sorted, n_sorted, K, p.idx + i_row * K, p.out_scores != NULL ? p.out_scores + i_row * K : NULL);
}

cudaError_t
cw_topk_launch (const CwKernelShape *shape, const float *scores, uint64_t ld, uint64_t first_row, uint64_t rows,
                int32_t *idx, float *out_scores, const int32_t *skip_if_one, cudaStream_t stream)
{
  TopkParams p;

  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  if (rows == 0)
    return cudaSuccess;
  if (rows > 0x7fffffffu || first_row + rows > shape->b * shape->sq || ld < shape->sk)
    return cudaErrorInvalidValue;
  p.sq = shape->sq;
  p.sk = shape->sk;
  p.ratio = shape->ratio;
  p.ld = ld;
  p.first_row = first_row;
  p.top_k = shape->top_k;
  p.causal = (int) shape->causal;
  p.scores = scores;
  p.idx = idx;
  p.out_scores = out_scores;
  p.skip_if_one = skip_if_one;
  /* sel holds the compacted top-k before the sort, padded to a power of
   * two, and its first 2 KB double as two 256-bin histograms. Sized by this
   * k, not the largest k: 36 KB instead of 48 KB for k = 512, so 6 rows of
   * 256 threads fit per SM instead of 4. More ties at the k-th key than fit: all candidates are
   * sorted instead (exact either way). */
  p.sel_cap = 256;
  while (p.sel_cap < p.top_k)
    p.sel_cap <<= 1;
  const int smem = (CW_TOPK_CAP + (int) p.sel_cap) * (int) sizeof (uint64_t);
  /* Loads in flight: a launch of few long rows (S=1M: 480 rows of up to
   * 262,144 keys, 3.6 per SM) leaves DRAM half idle at 4 loads per thread,
   * so where the launch has at most 4 rows per SM and rows longer than
   * 32,768 keys each thread keeps 8 loads in flight (4 rows per SM fit:
   * 64 registers). CwKernelOptions.topk_depth fixes one. */
  const unsigned depth = cw_kernels_get_options ()->topk_depth;
  const uint64_t sms = (uint64_t) cw_kernels_sm_count ();   /* 0: unknown, keep the default depth */
  const bool deep = depth == 8
                    || (depth == 0 && rows <= 4 * sms && cw_kernel_shape_longest_legal (shape, first_row, rows) > 32768);
  if (deep)
    {
      CW_CUDA_TRY (cudaFuncSetAttribute (topk_kernel<CW_TOPK_THREADS, 8>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
      topk_kernel<CW_TOPK_THREADS, 8><<<(unsigned) rows, CW_TOPK_THREADS, smem, stream>>> (p);
    }
  else
    {
      CW_CUDA_TRY (cudaFuncSetAttribute (topk_kernel<CW_TOPK_THREADS, 4>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
      topk_kernel<CW_TOPK_THREADS, 4><<<(unsigned) rows, CW_TOPK_THREADS, smem, stream>>> (p);
    }
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

cudaError_t
cw_topk_rows (const CwKernelShape *shape, const float *scores, uint64_t ld, uint64_t first_row, uint64_t rows,
              int32_t *idx, float *out_scores, cudaStream_t stream)
{
  return cw_topk_launch (shape, scores, ld, first_row, rows, idx, out_scores, NULL, stream);
}
