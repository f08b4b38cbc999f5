/* cw-score-wgmma-ws.cu: the score tile on Hopper with warp specialization
 * (v10): one producer warpgroup loads key tiles, two consumer warpgroups
 * multiply and reduce them.
 *
 * Why (bench/NOTES-kernels.md, v10): the v9 kernel (cw-score-wgmma.cu) gives
 * each of its two warpgroups its own 4 query rows' worth of work on
 * alternate key tiles, so every 64-key tile is fetched from L2 for only
 * 4 x 64 query-heads: 256 useful FLOP per key byte, ~3 TB/s of L2 reads at
 * the matrix rate. Here a block holds 8 query rows (q [2 x 256 x d] in
 * shared memory); both consumer warpgroups read the SAME key tile, one with
 * rows 0-3, the other with rows 4-7, which halves the key traffic per FLOP
 * (v10a, with the producer split too, so the two are not told apart:
 * score 286.7 -> 240.7 ms at S=262,144 in one run).
 *   producer (warpgroup 0): one thread asks the tensor memory accelerator
 *     (TMA) for each key tile, into a 4-stage ring; the stage's "full"
 *     mbarrier completes when the tile's bytes have landed; the thread
 *     waits on the stage's "empty" mbarrier before reusing it. It starts
 *     while the consumers still load their q. (Until v16e the whole
 *     warpgroup issued cp.async 16-byte copies and fenced them for the
 *     async proxy; CwKernelOptions.ws_tma = false still runs that form: about 1 % slower at
 *     bf16, v16e/f. It is also the fallback where no tensor map can be made.)
 *   consumers (warpgroups 1, 2): load their own 4 rows of q and weights
 *     (the weights stay in registers: setmaxnreg moves registers from the
 *     producer, 40, to the consumers, 232, v12d), then per tile: wait
 *     "full", and multiply and reduce it in two m64n128 halves (queries 0-1,
 *     2-3) so that each half's relu.w epilogue runs while the other half is
 *     in the tensor cores: FlashAttention-3's intra-warpgroup overlap
 *     (consume_split_n, v17a/b: score 13.3-13.5 -> 12.1-12.7 ms at
 *     S=65,536, 659 -> 718 TFLOP/s at S=262,144). The two consumers run
 *     unordered. The wgmma descriptors are advanced in uniform registers
 *     (no rebuild between two wgmma, v12c).
 *     Until v17 each consumer issued 8 m64n256 wgmma on the tile, waited
 *     for them all, then ran its epilogue, and consumer 0 issued a tile
 *     before consumer 1 and consumer 1 before consumer 0's next
 *     (CW_WS_ORDER_ISSUE, FA3's ping-pong), so one consumer's epilogue ran
 *     under the other's matrix work only; ws_split_n = false still runs that
 *     consumer (A/B, and the CW_WS_PROBE timing build).
 *   key split: chosen per launch to trim the last wave (balanced_keys).
 * The accumulator layout, the epilogue and its head-sum order are those of
 * cw-score-wgmma.cu (cw-score-order.cuh), so scores are bit-identical to the
 * v9 and mma.sync kernels. TILE mode only: the materialize lane's SLAB mode
 * stays on the v9 kernel (same instruction, same products). */
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_runtime.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw-score-common.cuh"
#include "cw-score-order.cuh"
#include "cw-wgmma.cuh"
#include "cw-wgmma-smem.cuh"
#include "cw-wgmma-n128.cuh"

#define CW_WS_ROWS 8                 /* query rows per block, 4 per consumer */
#define CW_WS_KEY_TILE 64
#define CW_WS_STAGES 4
#define CW_WS_LAG 2                  /* producer signals tile j - LAG after issuing tile j */
#define CW_WS_KEYS_PER_BLOCK 8192         /* default key split (a multiple of the tile) */
/* Where a tile's wgmma split into two commit groups, in eighths of d: the
 * first group is what ORDER_HALF waits for before letting the other
 * consumer in. 4 (half) by default; a build may set it (A/B, v15f). */
#ifndef CW_WS_COMMIT_SPLIT
#define CW_WS_COMMIT_SPLIT 4
#endif
static_assert (CW_WS_COMMIT_SPLIT >= 1 && CW_WS_COMMIT_SPLIT <= 7, "CW_WS_COMMIT_SPLIT");

/* When a consumer lets the other issue its wgmma: CwWsOrder (cw-kernels.h). */
#define CW_WS_THREADS 384
/* Registers per thread after setmaxnreg (v12d): the producer warpgroup
 * gives back, the two consumer warpgroups take. Their sum must not exceed
 * what the block was launched with (launch_ws checks it). */
#define CW_WS_PRODUCER_REGS 40
#define CW_WS_CONSUMER_REGS 232

__device__ __forceinline__ void
mbar_init (uint32_t bar, uint32_t count)
{
  asm volatile ("mbarrier.init.shared::cta.b64 [%0], %1;\n" :: "r"(bar), "r"(count) : "memory");
}

__device__ __forceinline__ void
mbar_arrive (uint32_t bar)
{
  asm volatile ("mbarrier.arrive.shared::cta.b64 _, [%0];\n" :: "r"(bar) : "memory");
}

__device__ __forceinline__ void
mbar_wait (uint32_t bar, uint32_t parity)
{
  asm volatile ("{\n"
                ".reg .pred ready;\n"
                "cw_wait:\n"
                "mbarrier.try_wait.parity.shared::cta.b64 ready, [%0], %1;\n"
                "@!ready bra cw_wait;\n"
                "}\n" :: "r"(bar), "r"(parity) : "memory");
}

/* The full barrier expects `bytes` more from the tensor memory accelerator;
 * counts as this thread's arrival. */
__device__ __forceinline__ void
mbar_arrive_expect_tx (uint32_t bar, uint32_t bytes)
{
  asm volatile ("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" :: "r"(bar), "r"(bytes) : "memory");
}

/* One 2D box of the key tensor (x: byte within the row, y: key row) into
 * shared memory, completing on mbarrier `bar`. */
__device__ __forceinline__ void
tma_load_2d (uint32_t dst, const CUtensorMap *map, int x, int y, uint32_t bar)
{
  asm volatile ("cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];\n"
                :: "r"(dst), "l"((uint64_t) map), "r"(x), "r"(y), "r"(bar) : "memory");
}

/* The block's named barriers (0 is __syncthreads). */
enum class WsBarrier : int {
  Consumer0Turn = 1,     /* both consumers (256 threads): consumer 0 may issue its next tile */
  Consumer1Turn = 2,     /* both consumers: consumer 1 may issue */
  Consumer0Loaded = 3,   /* consumer 0's warpgroup (128): its q and weights are in shared memory */
  Consumer1Loaded = 4,   /* consumer 1's warpgroup (128) */
};

/* Between the two consumer warpgroups (256 threads): one side arrives
 * without waiting, the other waits. */
__device__ __forceinline__ void
pair_wait (WsBarrier id)
{
  asm volatile ("bar.sync %0, 256;\n" :: "r"((int) id) : "memory");
}

__device__ __forceinline__ void
pair_signal (WsBarrier id)
{
  asm volatile ("bar.arrive %0, 256;\n" :: "r"((int) id) : "memory");
}

/* Within one consumer warpgroup (128 threads). */
__device__ __forceinline__ void
warpgroup_sync (WsBarrier id)
{
  asm volatile ("bar.sync %0, 128;\n" :: "r"((int) id) : "memory");
}

/* Turn order between the two consumers (any order but NONE): consumer 0
 * issues tile j after consumer 1 issued tile j - 1; consumer 1 issues tile
 * j after consumer 0 did. turn_wait before a consumer's issue of tile j,
 * turn_signal after it. */
__device__ __forceinline__ void
turn_wait (int order, int cons, int j)
{
  if (order == CW_WS_ORDER_NONE)
    return;
  if (cons == 0)
    {
      if (j > 0)
        pair_wait (WsBarrier::Consumer0Turn);
    }
  else
    pair_wait (WsBarrier::Consumer1Turn);
}

__device__ __forceinline__ void
turn_signal (int order, int cons, int j, int ntiles)
{
  if (order == CW_WS_ORDER_NONE)
    return;
  if (cons == 0)
    pair_signal (WsBarrier::Consumer1Turn);
  else if (j + 1 < ntiles)
    pair_signal (WsBarrier::Consumer0Turn);
}

/* ---- overlapped split-N consumer (the default since v17b; v17a) ----
 * The m64n256 consumer waits for all 8 of its wgmma before its
 * epilogue, so the tensor cores see its next tile only once its epilogue is
 * done; only the other consumer can fill that gap (ping-pong). Here each
 * consumer keeps its own tensor work in flight under its own epilogue, as
 * FlashAttention-3's intra-warpgroup overlap does: the 256 query-heads are
 * two m64n128 halves, a (queries 0-1) and b (queries 2-3), 64 accumulators
 * each (the same 128 registers as one m64n256), and per tile j
 *     issue a(j) | epilogue b(j - 1) | issue b(j) | wait a(j) | epilogue a(j)
 *     | wait b(j) (drain), free the stage
 * so each half's epilogue runs while the other half is in the tensor cores.
 * The drain at the end of every tile is what keeps ptxas from serializing
 * the wgmma: every accumulator read then happens either before the wgmma
 * that overwrites it is issued (b(j - 1)) or after the wait that completes
 * it (a(j)), the pattern FA3's softmax / rescale follow. (The v10d form
 * without the drain, one pipeline stage that never ended, made ptxas
 * serialize every wgmma: C7514.) Cost: the key tile is read from shared
 * memory twice per tile (16 wgmma of k16 x n128 instead of 8 of n256).
 * Same products and head-sum order as the m64n256 consumer, and the quad
 * combination (p0 + p1) + (p2 + p3) of cw_quad_reduce_scatter<2>, so
 * scores are bit-identical to it (GPU tests; ws_split_n = false runs the other).
 * The v10d/v11a consumer this replaces drained after each half with no
 * cross-tile overlap and reloaded weights from shared memory: 5 % slower. */
template <int DB, bool FP8>
__device__ __forceinline__ void
issue_half (float (&acc)[64], uint64_t da_tile, uint64_t db_half)
{
  constexpr int KSTEPS = DB / 32;
  asm volatile ("wgmma.fence.sync.aligned;\n" ::: "memory");
#pragma unroll
  for (int ks = 0; ks < KSTEPS; ks++)
    {
      const uint64_t da = cw_wgmma_desc_advance (da_tile, (ks >> 2) * CW_WS_KEY_TILE * 128 + (ks & 3) * 32);
      const uint64_t db = cw_wgmma_desc_advance (db_half, (ks >> 2) * 256 * 128 + (ks & 3) * 32);
      if (FP8)
        cw_wgmma_m64n128k32_e4m3 (acc, da, db, ks > 0);
      else
        cw_wgmma_m64n128k16_bf16 (acc, da, db, ks > 0);
    }
  asm volatile ("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}

/* Pins the accumulator registers at this point of the program: the waits
 * and fences around it (asm with only a memory clobber) do not order
 * register reads, so without this the compiler may move epilogue reads of
 * a half across the wgmma issue or wait that bounds them, and ptxas then
 * serializes every wgmma (C7514). CUTLASS's warpgroup_fence_operand does
 * the same. */
__device__ __forceinline__ void
fence_acc (float (&acc)[64])
{
#pragma unroll
  for (int i = 0; i < 64; i++)
    asm volatile ("" : "+f"(acc[i]) :: "memory");
}

/* One half's epilogue: relu * w head sums of queries 2*HALF, 2*HALF + 1 in
 * the canonical order, combined across the quad; this lane stores query
 * 2*HALF + (lane & 1), key g + 8 * ((lane >> 1) & 1) of the warp's 16, at
 * key offset t_off of its row (nothing when t_off is outside [0, left)). */
template <int HALF>
__device__ __forceinline__ void
epilogue_half (const float (&acc)[64], const float2 (&wreg)[4][8], int lane, int t_off, int left, float *out)
{
  float vals[4], fin[1];
  cw_relu_w_head_sums<2, 0> (acc, [&] (int qi, int jj) { return wreg[2 * HALF + qi][jj]; }, vals);
  cw_quad_reduce_scatter<2> (vals, lane, fin);
  if ((unsigned) t_off < (unsigned) left)
    out[t_off] = fin[0];
}

template <int DB, bool FP8>
__device__ __forceinline__ void
consume_split_n (uint32_t q_s, uint32_t keys_s, uint32_t full0, uint32_t empty0, int ntiles, int cons, int order,
                 const float2 (&wreg)[4][8], const int (&left)[2], float *const (&out)[2])
{
  constexpr uint32_t TILE_BYTES = CW_WS_KEY_TILE * DB;
  const int lane = threadIdx.x & 31;
  const uint64_t da0 = cw_wgmma_smem_desc (keys_s);
  const uint64_t dqa = cw_wgmma_smem_desc (q_s), dqb = cw_wgmma_smem_desc (q_s + 128 * 128);
  float acc_a[64], acc_b[64];

#pragma unroll
  for (int i = 0; i < 64; i++)
    acc_b[i] = 0.0f;                              /* read (and not stored) before the first tile */
  for (int j = 0; j < ntiles; j++)
    {
      const int st = j % CW_WS_STAGES;
      mbar_wait (full0 + 8 * st, (uint32_t) (j / CW_WS_STAGES) & 1);
      turn_wait (order, cons, j);
      const uint64_t da_tile = cw_wgmma_desc_advance (da0, (uint32_t) st * TILE_BYTES);
      /* Nothing is in flight here (the previous tile drained); this wait
       * says so to ptxas, which does not carry the drain across the loop's
       * back edge and otherwise injects a wait before epilogue b below
       * (C7517), which would put half b's epilogue back behind a. */
      asm volatile ("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
      fence_acc (acc_b);
      fence_acc (acc_a);
      issue_half<DB, FP8> (acc_a, da_tile, dqa);
      fence_acc (acc_a);
      turn_signal (order, cons, j, ntiles);
      /* b of the previous tile (drained at its end) under a of this one;
       * at j = 0 the offset is negative and nothing is stored */
      epilogue_half<1> (acc_b, wreg, lane, (j - 1) * CW_WS_KEY_TILE, left[1], out[1]);
      fence_acc (acc_b);
      issue_half<DB, FP8> (acc_b, da_tile, dqb);
      fence_acc (acc_b);
      asm volatile ("wgmma.wait_group.sync.aligned 1;\n" ::: "memory");      /* a of tile j done */
      fence_acc (acc_a);
      epilogue_half<0> (acc_a, wreg, lane, j * CW_WS_KEY_TILE, left[0], out[0]);
      asm volatile ("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");      /* b of tile j done */
      fence_acc (acc_b);
      if (lane == 0)
        mbar_arrive (empty0 + 8 * st);            /* this warp no longer reads the stage */
    }
  if (ntiles > 0)
    epilogue_half<1> (acc_b, wreg, lane, (ntiles - 1) * CW_WS_KEY_TILE, left[1], out[1]);
}

template <int DB, bool FP8, bool SPLIT_N>
__global__ void __launch_bounds__ (CW_WS_THREADS, 1)
score_wgmma_ws_kernel (ScoreParams p, uint32_t keys_per_block, int order, const __grid_constant__ CUtensorMap keys_map,
                       int use_tma)
{
  constexpr int H = 64, NQ = 4 * H;               /* query-heads per consumer: wgmma N */
  constexpr int CHUNKS = DB / 16;
  constexpr int KSTEPS = DB / 32;                 /* each wgmma consumes 32 bytes of d */
  constexpr uint32_t Q_BYTES = NQ * DB;           /* one consumer's q */
  constexpr uint32_t TILE_BYTES = CW_WS_KEY_TILE * DB;
  extern __shared__ __align__ (16) unsigned char smem_raw[];
  __shared__ float w_s[CW_WS_ROWS][H];
  __shared__ __align__ (8) uint64_t full_bar[CW_WS_STAGES], empty_bar[CW_WS_STAGES];

  if (p.skip_if_one != NULL && *p.skip_if_one == 1)
    return;

  uint64_t bi, s_begin, s_end;
  /* Row groups in reverse: blocks are handed out in blockIdx order, and
   * under a causal mask the last row groups have the most keys, so each
   * key-split pass starts with its longest blocks and ends with its shortest
   * (longest first): the launch's last wave is short blocks, not long ones
   * (v15c). Which block computes what is unchanged. */
  score_block_rows (p, gridDim.x - 1 - blockIdx.x, CW_WS_ROWS, &bi, &s_begin, &s_end);
  const uint64_t l_max = legal_keys (s_end - 1, p.sk, p.ratio, p.causal);
  const uint64_t kb0 = (uint64_t) blockIdx.y * keys_per_block;
  if (kb0 >= l_max)
    return;                                       /* fully masked split (the whole block leaves) */
  const uint64_t kb1 = min (kb0 + keys_per_block, l_max);
  const int ntiles = (int) ((kb1 - kb0 + CW_WS_KEY_TILE - 1) / CW_WS_KEY_TILE);

  const int tid = threadIdx.x, wg = tid >> 7, wt = tid & 127;
  const uint32_t base = ((uint32_t) __cvta_generic_to_shared (smem_raw) + 1023u) & ~1023u;
  const uint32_t keys_s = base + 2 * Q_BYTES;
  const uint32_t full0 = (uint32_t) __cvta_generic_to_shared (&full_bar[0]);
  const uint32_t empty0 = (uint32_t) __cvta_generic_to_shared (&empty_bar[0]);

  /* The mbarriers first; q and weights are loaded by the consumers after
   * the split, so the producer's first key tiles are in flight while q
   * lands (v10a loaded q with all threads and started the keys after it). */
  if (tid == 0)
    {
      for (int s = 0; s < CW_WS_STAGES; s++)
        {
          mbar_init (full0 + 8 * s, use_tma ? 1 : 128);   /* the TMA thread, or every producer thread */
          mbar_init (empty0 + 8 * s, 8);                  /* every consumer warp */
        }
      asm volatile ("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
  __syncthreads ();

  if (wg == 0)
    {
      /* ---- producer ---- */
      /* v12d: the producer needs few registers; give them to the consumers
       * (40 x 128 + 232 x 256 = 64,512: the 168 x 384 of the launch). */
      asm volatile ("setmaxnreg.dec.sync.aligned.u32 %0;\n" :: "n"(CW_WS_PRODUCER_REGS) : "memory");
      if (use_tma)
        {
          /* v16e: one thread asks the tensor memory accelerator for each
           * tile (DB / 128 boxes of 64 keys x 128 bytes, 128-byte swizzle:
           * the layout cw_wgmma_swizzled describes) and the stage's full
           * barrier counts its bytes; the other 127 producer threads have
           * nothing to issue. Keys past kb1 are real keys of the next split
           * (or zeros past the tensor): their products are never stored. */
          if (wt == 0)
            for (int j = 0; j < ntiles; j++)
              {
                const int st = j % CW_WS_STAGES;
                if (j >= CW_WS_STAGES)
                  mbar_wait (empty0 + 8 * st, (uint32_t) ((j / CW_WS_STAGES) + 1) & 1);
                mbar_arrive_expect_tx (full0 + 8 * st, TILE_BYTES);
                const int y = (int) (bi * p.sk + kb0 + (uint64_t) j * CW_WS_KEY_TILE);
#pragma unroll
                for (int kb = 0; kb < DB / 128; kb++)
                  tma_load_2d (keys_s + (uint32_t) st * TILE_BYTES + (uint32_t) (kb * CW_WS_KEY_TILE * 128), &keys_map,
                               128 * kb, y, full0 + 8 * st);
              }
        }
      else
        {
          /* Thread wt copies chunk cc of keys kq, kq + KPP, ... of every tile:
           * KPP = 128 / CHUNKS is a multiple of 8, so those keys share one
           * swizzle phase and their destinations are KPP rows apart: one add
           * per copy instead of the divide, swizzle and 64-bit address of a
           * generic loop (v12c: the producer's warps share the schedulers with
           * the consumers' epilogues). */
          constexpr int KPP = 128 / CHUNKS, PASSES = CW_WS_KEY_TILE / KPP;
          static_assert (KPP % 8 == 0 && CW_WS_KEY_TILE % KPP == 0, "producer layout");
          const int kq = wt / CHUNKS, cc = wt % CHUNKS;
          const uint32_t dst_thread = cw_wgmma_swizzled ((uint32_t) kq, (uint32_t) cc, CW_WS_KEY_TILE);
          const unsigned char *src_thread = p.k + (bi * p.sk + kb0 + (uint64_t) kq) * DB + cc * 16;
          for (int j = 0; j < ntiles; j++)
            {
              const int st = j % CW_WS_STAGES;
              if (j >= CW_WS_STAGES)
                mbar_wait (empty0 + 8 * st, (uint32_t) ((j / CW_WS_STAGES) + 1) & 1);
              const uint32_t dst = keys_s + (uint32_t) st * TILE_BYTES + dst_thread;
              const uint64_t t0 = kb0 + (uint64_t) j * CW_WS_KEY_TILE + (uint64_t) kq;
              const unsigned char *src = src_thread + (uint64_t) j * CW_WS_KEY_TILE * DB;
#pragma unroll
              for (int i = 0; i < PASSES; i++)
                {
                  const bool valid = t0 + (uint64_t) (KPP * i) < kb1;
                  cp_async_16 (dst + (uint32_t) (KPP * i * 128), valid ? src + KPP * i * DB : p.k, valid);
                }
              cp_async_commit ();
              if (j >= CW_WS_LAG)
                {
                  /* tile j - LAG has landed: make it visible to wgmma (async
                   * proxy), then release it to the consumers. */
                  cp_async_wait<CW_WS_LAG> ();
                  asm volatile ("fence.proxy.async.shared::cta;\n" ::: "memory");
                  mbar_arrive (full0 + 8 * ((j - CW_WS_LAG) % CW_WS_STAGES));
                }
            }
          cp_async_wait<0> ();
          asm volatile ("fence.proxy.async.shared::cta;\n" ::: "memory");
          for (int j = ntiles > CW_WS_LAG ? ntiles - CW_WS_LAG : 0; j < ntiles; j++)
            mbar_arrive (full0 + 8 * (j % CW_WS_STAGES));
        }
    }
  else
    {
      /* ---- consumers ---- */
      /* rows 4*cons .. 4*cons+3; read through a shuffle so the compiler
       * knows it is warp-uniform and keeps the descriptors below in
       * uniform registers (v12c). */
      const int cons = __shfl_sync (0xffffffffu, wg - 1, 0);
      asm volatile ("setmaxnreg.inc.sync.aligned.u32 %0;\n" :: "n"(CW_WS_CONSUMER_REGS) : "memory");
      const int lane = tid & 31, wwarp = wt >> 5, g = lane >> 2, c = lane & 3;
      const uint32_t q_s = base + (uint32_t) cons * Q_BYTES;
      const uint64_t r0 = s_begin + 4 * cons;

      /* This consumer's 4 rows of q (zeros past s_end) and their weights;
       * its own named barrier (3 or 4) makes both visible to its 128
       * threads, the proxy fence makes q visible to wgmma. */
      for (int id = wt; id < 4 * H * CHUNKS; id += 128)
        {
          const int n = id / CHUNKS, cc = id % CHUNKS, qi = n / H, head = n % H;
          const bool valid = r0 + qi < s_end;
          const uint64_t row = bi * p.sq + r0 + qi;
          const unsigned char *src = valid ? p.q + (row * H + head) * DB + cc * 16 : p.q;
          cp_async_16 (q_s + cw_wgmma_swizzled (n, cc, NQ), src, valid);
        }
      cp_async_commit ();
      for (int id = wt; id < 4 * H; id += 128)
        {
          const int qi = id / H;
          w_s[4 * cons + qi][id % H] = r0 + qi < s_end ? p.w[(bi * p.sq + r0 + qi) * H + id % H] : 0.0f;
        }
      cp_async_wait<0> ();
      asm volatile ("fence.proxy.async.shared::cta;\n" ::: "memory");
      warpgroup_sync (cons == 0 ? WsBarrier::Consumer0Loaded : WsBarrier::Consumer1Loaded);
      /* This lane's 16 heads of each of its 4 rows' weights, in registers
       * for the whole block (v12d: the epilogue's 32 shared loads per tile
       * were its largest source of waits). */
      float2 wreg[4][8];
#pragma unroll
      for (int qi = 0; qi < 4; qi++)
#pragma unroll
        for (int jj = 0; jj < 8; jj++)
          wreg[qi][jj] = *(const float2 *) &w_s[4 * cons + qi][8 * jj + 2 * c];
      uint64_t l_row[4];
#pragma unroll
      for (int qi = 0; qi < 4; qi++)
        l_row[qi] = r0 + qi >= s_end ? 0 : min (legal_keys (r0 + qi, p.sk, p.ratio, p.causal), kb1);

      if constexpr (SPLIT_N)
        {
          /* the overlapped split-N consumer's lanes store one key of one
           * query per half: query 2*half + (lane & 1), key g + 8 * hi */
          int left[2];
          float *out[2];
          const uint64_t key_half = kb0 + 16 * (uint64_t) wwarp + (uint64_t) g + 8 * (uint64_t) ((lane >> 1) & 1);
#pragma unroll
          for (int h = 0; h < 2; h++)
            {
              const int qh = 2 * h + (lane & 1);
              const uint64_t bound = qh == 0 ? l_row[0] : qh == 1 ? l_row[1] : qh == 2 ? l_row[2] : l_row[3];
              left[h] = bound > key_half ? (int) (bound - key_half) : 0;
              out[h] = left[h] > 0 ? p.out + (bi * p.sq + r0 + qh - p.first_row) * p.ld + key_half : p.out;
            }
          consume_split_n<DB, FP8> (q_s, keys_s, full0, empty0, ntiles, cons, order, wreg, left, out);
        }
      else
        {
          /* the m64n256 consumer (ws_split_n = false; the default until v17b) */
          float acc[128];
          const uint64_t da0 = cw_wgmma_smem_desc (keys_s), db0 = cw_wgmma_smem_desc (q_s);
          /* Where this lane's two scores of a tile go: query 2*odd + hi of the
           * quad reduce-scatter, keys g and g + 8 of the warp's 16; fixed for
           * the block, so the tile loop only adds the tile offset (v13f).
           * out_left: this lane's keys still inside its row's legal prefix,
           * counted from the block's first key (< 2^31: keys_per_block). */
          const int q_lane = 2 * (lane & 1) + ((lane >> 1) & 1);
          const uint64_t key_lane = kb0 + 16 * (uint64_t) wwarp + (uint64_t) g;
          const uint64_t bound_lane =
            q_lane == 0 ? l_row[0] : q_lane == 1 ? l_row[1] : q_lane == 2 ? l_row[2] : l_row[3];
          const int out_left = bound_lane > key_lane ? (int) (bound_lane - key_lane) : 0;
          float *const out_lane =
            out_left > 0 ? p.out + (bi * p.sq + r0 + q_lane - p.first_row) * p.ld + key_lane : p.out;
          for (int j = 0; j < ntiles; j++)
            {
              const int st = j % CW_WS_STAGES;
              mbar_wait (full0 + 8 * st, (uint32_t) (j / CW_WS_STAGES) & 1);
              turn_wait (order, cons, j);
              const uint64_t da_tile = cw_wgmma_desc_advance (da0, (uint32_t) st * TILE_BYTES);
              asm volatile ("wgmma.fence.sync.aligned;\n" ::: "memory");
              /* Two commit groups (first and second half of d), so that with
               * ORDER_HALF the other consumer is let in once our first half
               * has completed: its wgmma then queue behind our second half
               * instead of interleaving with all of ours. */
#pragma unroll
              for (int ks = 0; ks < KSTEPS; ks++)
                {
                  const uint64_t da = cw_wgmma_desc_advance (da_tile, (ks >> 2) * CW_WS_KEY_TILE * 128 + (ks & 3) * 32);
                  const uint64_t db = cw_wgmma_desc_advance (db0, (ks >> 2) * NQ * 128 + (ks & 3) * 32);
                  if (FP8)
                    cw_wgmma_m64n256k32_e4m3 (acc, da, db, ks > 0);
                  else
                    cw_wgmma_m64n256k16_bf16 (acc, da, db, ks > 0);
                  if (ks == KSTEPS * CW_WS_COMMIT_SPLIT / 8 - 1)
                    asm volatile ("wgmma.commit_group.sync.aligned;\n" ::: "memory");
                }
              asm volatile ("wgmma.commit_group.sync.aligned;\n" ::: "memory");
              if (order == CW_WS_ORDER_HALF)
                asm volatile ("wgmma.wait_group.sync.aligned 1;\n" ::: "memory");
              else if (order == CW_WS_ORDER_DONE)
                asm volatile ("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
              turn_signal (order, cons, j, ntiles);
              asm volatile ("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
              if (lane == 0)
                mbar_arrive (empty0 + 8 * st);        /* this warp no longer reads the stage */

              /* relu * w summed over heads in the canonical order (as in
               * cw-score-wgmma.cu); one value per (query, key row) per lane. */
              float vals[8];
#if defined(CW_WS_PROBE) && CW_WS_PROBE == 1
              /* Timing probe, never in a normal build (git show 564e0ad:bench/logs/kernels-v12b-ncu.sh
               * builds it with -DCW_WS_PROBE=1 in a separate build directory):
               * no relu.w epilogue, so the scores are WRONG; it measures what the
               * matrix pipeline and the stores cost without it. */
#pragma unroll
              for (int i = 0; i < 8; i++)
                vals[i] = acc[16 * i];
              if (false)
#endif
              cw_relu_w_head_sums<4, 0> (acc, [&] (int qi, int jj) { return wreg[qi][jj]; }, vals);
              /* quad reduce-scatter: lane ends with query 2*odd + hi, keys g and g+8 */
              float fin[2];
              cw_quad_reduce_scatter<4> (vals, lane, fin);
              const int t_off = j * CW_WS_KEY_TILE;
              if (t_off < out_left)
                out_lane[t_off] = fin[0];
              if (t_off + 8 < out_left)
                out_lane[t_off + 8] = fin[1];
            }
        }
    }
}

/* The key tensor as TMA sees it: rows of DB bytes (uint8), b * sk of them;
 * boxes of 128 bytes x 64 rows, 128-byte swizzle. False where the driver
 * has no encoder, the row count does not fit the TMA's int32 coordinates,
 * or the encoder refuses (then the cp.async producer runs). */
static bool
encode_keys_map (CUtensorMap *map, const void *k, uint64_t rows, uint64_t db)
{
  static PFN_cuTensorMapEncodeTiled_v12000 encode = NULL;
  static int looked = 0;
  if (!looked)
    {
      cudaDriverEntryPointQueryResult q;
      void *fn = NULL;
      looked = 1;
      if (cudaGetDriverEntryPointByVersion ("cuTensorMapEncodeTiled", &fn, 12000, cudaEnableDefault, &q) == cudaSuccess
          && q == cudaDriverEntryPointSuccess)
        encode = (PFN_cuTensorMapEncodeTiled_v12000) fn;
      else
        cudaGetLastError ();
    }
  if (encode == NULL || rows == 0 || rows > 0x7fffffffu || ((uintptr_t) k & 15) != 0)
    return false;
  const cuuint64_t dims[2] = { db, rows }, strides[1] = { db };
  const cuuint32_t box[2] = { 128, CW_WS_KEY_TILE }, estr[2] = { 1, 1 };
  return encode (map, CU_TENSOR_MAP_DATA_TYPE_UINT8, 2, (void *) k, dims, strides, box, estr,
                 CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                 CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE) == CUDA_SUCCESS;
}

template <int DB, bool FP8, bool SPLIT_N>
static cudaError_t
launch_ws (const ScoreParams &p, dim3 grid, uint32_t keys_per_block, int order, bool tma, cudaStream_t stream)
{
  const int smem = 1024 + 2 * 4 * 64 * DB + CW_WS_STAGES * CW_WS_KEY_TILE * DB;
  /* setmaxnreg.inc waits until the registers it asks for are free: if a
   * compiler ever launched this kernel with fewer registers than the
   * consumers take after the producer's give-back, they would wait forever.
   * Then say "not supported", and the caller runs the v9 kernel (same
   * scores, bit for bit). Read once per instantiation. */
  static int launch_regs = -1;
  if (launch_regs < 0)
    {
      cudaFuncAttributes attr;
      CW_CUDA_TRY (cudaFuncGetAttributes (&attr, score_wgmma_ws_kernel<DB, FP8, SPLIT_N>));
      launch_regs = attr.numRegs;
    }
  if ((long) launch_regs * CW_WS_THREADS < (long) CW_WS_PRODUCER_REGS * 128 + (long) CW_WS_CONSUMER_REGS * 256)
    return cudaErrorNotSupported;
  CW_CUDA_TRY (cudaFuncSetAttribute (score_wgmma_ws_kernel<DB, FP8, SPLIT_N>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  CUtensorMap keys_map;
  memset (&keys_map, 0, sizeof keys_map);
  const int use_tma = tma && encode_keys_map (&keys_map, p.k, p.batch * p.sk, DB);
  score_wgmma_ws_kernel<DB, FP8, SPLIT_N><<<grid, CW_WS_THREADS, smem, stream>>> (p, keys_per_block, order, keys_map,
                                                                                 use_tma);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

/* The forms in force (CwKernelOptions, cw-kernels.h), read at each launch.
 * The default order: NONE for the split-N consumer (v17b: 12.1-12.7 vs
 * 12.5-12.7 ms at S=65,536, 195.6-196.2 vs 202.4-202.5 ms at S=262,144),
 * ISSUE for the m64n256 one (v12d: 209.8 vs 217-219 ms unordered at
 * S=262,144); the split-N consumer takes any order but NONE as turns at its
 * half-a issue. */
static uint32_t ws_fixed_keys = 0;
static bool ws_split_n = true, ws_tma = true;
static int ws_order = CW_WS_ORDER_NONE;
static uint64_t ws_sms = 0;

static void
read_knobs (void)
{
  const CwKernelOptions *o = cw_kernels_get_options ();

  ws_tma = o->ws_tma;
  ws_fixed_keys = o->ws_keys_per_block;
  ws_sms = (uint64_t) cw_kernels_sm_count ();
  ws_split_n = o->ws_split_n;
  ws_order = o->ws_order != CW_WS_ORDER_DEFAULT ? (int) o->ws_order
             : ws_split_n                        ? (int) CW_WS_ORDER_NONE
                                                 : (int) CW_WS_ORDER_ISSUE;
}

/* The key split of one launch. Blocks are handed to SMs as they free up,
 * so what a split size costs is its last wave (SMs idle while the last
 * blocks finish) and one q prologue per block. Modelled time:
 *   waves(n) * (keys_per_block(n) + CW_WS_PROLOGUE_KEYS)
 * over n = ceil(l_max / 16384) .. ceil(l_max / 4096) splits; the smallest
 * n wins ties. The A/B in v10b measured 4096, 8192 and 16384 within ~1 %
 * of each other, so this only trims the last wave. */
#define CW_WS_PROLOGUE_KEYS 256

static uint32_t
balanced_keys (uint64_t groups, uint64_t l_max)
{
  if (ws_sms == 0)
    return CW_WS_KEYS_PER_BLOCK;
  const uint64_t n_lo = (l_max + 16383) / 16384, n_hi = (l_max + 4095) / 4096;
  uint64_t best_keys = CW_WS_KEYS_PER_BLOCK;
  double best = 0;
  for (uint64_t n = n_lo > 0 ? n_lo : 1; n <= n_hi; n++)
    {
      const uint64_t keys = ((l_max + n - 1) / n + CW_WS_KEY_TILE - 1) / CW_WS_KEY_TILE * CW_WS_KEY_TILE;
      const uint64_t blocks = groups * ((l_max + keys - 1) / keys);
      const double cost = (double) ((blocks + ws_sms - 1) / ws_sms) * (double) (keys + CW_WS_PROLOGUE_KEYS);
      if (best == 0 || cost < best)
        {
          best = cost;
          best_keys = keys;
        }
    }
  return (uint32_t) best_keys;
}

/* TILE mode, h = 64, rows of 128 or 256 bytes. p.groups_first is
 * recomputed here for 8-row groups. */
cudaError_t
cw_score_wgmma_ws_launch (const CwKernelShape *shape, const ScoreParams &p_in, uint64_t l_max, cudaStream_t stream)
{
  const bool fp8 = shape->qk_dtype == CW_DTYPE_FP8_E4M3;
  const uint64_t db = shape->d * (fp8 ? 1 : 2);
  const uint64_t per = (shape->sq + CW_WS_ROWS - 1) / CW_WS_ROWS;
  uint64_t len0, groups;
  ScoreParams p = p_in;

  if (shape->h != 64)
    return cudaErrorNotSupported;
  read_knobs ();
  len0 = shape->sq - p.first_row % shape->sq;
  if (len0 > p.rows)
    len0 = p.rows;
  p.groups_first = (len0 + CW_WS_ROWS - 1) / CW_WS_ROWS;
  groups = p.groups_first;
  if (p.rows > len0)
    groups += ((p.rows - len0) / shape->sq) * per + ((p.rows - len0) % shape->sq + CW_WS_ROWS - 1) / CW_WS_ROWS;
  if (groups > 0x7fffffffu)
    return cudaErrorInvalidConfiguration;
  const uint32_t ws_keys = ws_fixed_keys != 0 ? ws_fixed_keys : balanced_keys (groups, l_max);
  if ((l_max + ws_keys - 1) / ws_keys > 65535)
    return cudaErrorInvalidConfiguration;
  dim3 grid ((unsigned) groups, (unsigned) ((l_max + ws_keys - 1) / ws_keys));
  if (db == 256 && !fp8)
    return ws_split_n ? launch_ws<256, false, true> (p, grid, ws_keys, ws_order, ws_tma, stream)
                      : launch_ws<256, false, false> (p, grid, ws_keys, ws_order, ws_tma, stream);
  if (db == 128 && !fp8)
    return ws_split_n ? launch_ws<128, false, true> (p, grid, ws_keys, ws_order, ws_tma, stream)
                      : launch_ws<128, false, false> (p, grid, ws_keys, ws_order, ws_tma, stream);
  if (db == 128 && fp8)
    return ws_split_n ? launch_ws<128, true, true> (p, grid, ws_keys, ws_order, ws_tma, stream)
                      : launch_ws<128, true, false> (p, grid, ws_keys, ws_order, ws_tma, stream);
  return cudaErrorNotSupported;
}
