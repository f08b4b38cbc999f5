/* cw-score-wgmma-ws.cu: the score tile (TILE mode, h = 64, 128- or
 * 256-byte rows) on Hopper with warp specialization: one producer
 * warpgroup loads key tiles, two consumer warpgroups multiply and reduce
 * them. AUTO's kernel wherever it can run (cw_score_wgmma_launch).
 *
 * A block holds 8 query rows (q [2 x 256 x d] in shared memory) and one
 * split of keys. Both consumers read the same key tile, consumer 0 with
 * rows 0-3, consumer 1 with rows 4-7, so each 64-key tile fetched from L2
 * serves 8 x 64 query-heads.
 *   producer (warpgroup 0, produce_tiles): one thread asks the tensor
 *     memory accelerator (TMA) for each key tile, into a 4-stage ring; the
 *     stage's "full" mbarrier completes when the tile's bytes have landed,
 *     and the thread waits on the stage's "empty" mbarrier before reusing
 *     it. It starts while the consumers still load their q. The producer
 *     gives registers back (setmaxnreg 40) to the consumers (232).
 *   consumers (warpgroups 1, 2; load_rows then consume_tiles): load their
 *     own 4 rows of q and weights (the weights stay in registers), then per
 *     tile: wait "full", multiply in two m64n128 halves (queries 0-1, 2-3)
 *     and run each half's relu.w epilogue (epilogue_half) while the other
 *     half is in the tensor cores (FlashAttention-3's intra-warpgroup
 *     overlap); arrive "empty". The two consumers run unordered. The wgmma
 *     descriptors advance in uniform registers.
 *   key split: chosen per launch to trim the last wave (balanced_keys).
 * The accumulator layout, the epilogue and its head-sum order are those of
 * cw-score-wgmma.cu (cw-score-order.cuh), so scores are bit-identical to
 * the plain wgmma and the mma.sync kernels. Measurements of this design and
 * of the forms it was chosen over: bench/NOTES-kernels.md. */
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_runtime.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw-score-common.cuh"
#include "cw-score-order.cuh"
#include "cw-wgmma-smem.cuh"
#include "cw-wgmma-n128.cuh"

#define CW_WS_ROWS 8                 /* query rows per block, 4 per consumer */
#define CW_WS_KEY_TILE 64
#define CW_WS_STAGES 4
#define CW_WS_KEYS_PER_BLOCK 8192    /* key split where the SM count is unknown (a multiple of the tile) */
#define CW_WS_THREADS 384
/* Registers per thread after setmaxnreg: the producer warpgroup gives
 * back, the two consumer warpgroups take. Their sum must not exceed what
 * the block was launched with (launch_ws checks it). */
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
  Consumer0Loaded = 1,   /* consumer 0's warpgroup (128): its q and weights are in shared memory */
  Consumer1Loaded = 2,   /* consumer 1's warpgroup (128) */
};

/* Within one consumer warpgroup (128 threads). */
__device__ __forceinline__ void
warpgroup_sync (WsBarrier id)
{
  asm volatile ("bar.sync %0, 128;\n" :: "r"((int) id) : "memory");
}

/* What one block scores and where its shared memory lies; the same for all
 * three warpgroups. */
struct WsBlock {
  uint64_t bi, s_begin, s_end;   /* batch entry, query rows [s_begin, s_end) */
  uint64_t kb0, kb1;             /* keys [kb0, kb1) of this split */
  int ntiles;
  uint32_t q_s, keys_s;          /* shared: q of both consumers, the key ring */
  uint32_t full0, empty0;        /* shared: the stages' mbarriers (8 bytes apart) */
};

/* ---- consumer: overlapped split-N ----
 * The 256 query-heads of a consumer are two m64n128 halves, a (queries
 * 0-1) and b (queries 2-3), 64 accumulators each, and per tile j
 *     issue a(j) | epilogue b(j - 1) | issue b(j) | wait a(j) | epilogue a(j)
 *     | wait b(j) (drain), free the stage
 * so each half's epilogue runs while the other half is in the tensor cores.
 * The drain at the end of every tile keeps ptxas from serializing the
 * wgmma: every accumulator read then happens either before the wgmma that
 * overwrites it is issued (b(j - 1)) or after the wait that completes it
 * (a(j)), the pattern FA3's softmax / rescale follow; without it ptxas
 * serializes every wgmma (warning C7514). The key tile is read from shared
 * memory twice per tile (16 wgmma of k16 x n128). The quad combination
 * (p0 + p1) + (p2 + p3) of cw_quad_reduce_scatter<2> keeps the canonical
 * head-sum order. */
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
consume_tiles (const WsBlock &blk, uint32_t q_s, const float2 (&wreg)[4][8], const int (&left)[2],
               float *const (&out)[2])
{
  constexpr uint32_t TILE_BYTES = CW_WS_KEY_TILE * DB;
  const int lane = threadIdx.x & 31;
  const uint64_t da0 = cw_wgmma_smem_desc (blk.keys_s);
  const uint64_t dqa = cw_wgmma_smem_desc (q_s), dqb = cw_wgmma_smem_desc (q_s + 128 * 128);
  float acc_a[64], acc_b[64];

#pragma unroll
  for (int i = 0; i < 64; i++)
    acc_b[i] = 0.0f;                              /* read (and not stored) before the first tile */
  for (int j = 0; j < blk.ntiles; j++)
    {
      const int st = j % CW_WS_STAGES;
      mbar_wait (blk.full0 + 8 * st, (uint32_t) (j / CW_WS_STAGES) & 1);
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
        mbar_arrive (blk.empty0 + 8 * st);        /* this warp no longer reads the stage */
    }
  if (blk.ntiles > 0)
    epilogue_half<1> (acc_b, wreg, lane, (blk.ntiles - 1) * CW_WS_KEY_TILE, left[1], out[1]);
}

/* ---- producer ----
 * One thread asks the TMA for each tile (DB / 128 boxes of 64 keys x 128
 * bytes, 128-byte swizzle: the layout cw_wgmma_swizzled describes) and the
 * stage's full barrier counts its bytes. Keys past kb1 are real keys of the
 * next split (or zeros past the tensor): their products are never stored. */
template <int DB>
__device__ __forceinline__ void
produce_tiles (const WsBlock &blk, const ScoreParams &p, const CUtensorMap *keys_map)
{
  constexpr uint32_t TILE_BYTES = CW_WS_KEY_TILE * DB;

  for (int j = 0; j < blk.ntiles; j++)
    {
      const int st = j % CW_WS_STAGES;
      if (j >= CW_WS_STAGES)
        mbar_wait (blk.empty0 + 8 * st, (uint32_t) ((j / CW_WS_STAGES) + 1) & 1);
      mbar_arrive_expect_tx (blk.full0 + 8 * st, TILE_BYTES);
      const int y = (int) (blk.bi * p.sk + blk.kb0 + (uint64_t) j * CW_WS_KEY_TILE);
#pragma unroll
      for (int kb = 0; kb < DB / 128; kb++)
        tma_load_2d (blk.keys_s + (uint32_t) st * TILE_BYTES + (uint32_t) (kb * CW_WS_KEY_TILE * 128), keys_map,
                     128 * kb, y, blk.full0 + 8 * st);
    }
}

/* ---- consumer: its rows ----
 * Consumer `cons` loads rows r0 = s_begin + 4 cons .. r0 + 3 of q (zeros
 * past s_end) into its half of q_s and their weights into w_s; its own
 * named barrier makes both visible to its 128 threads, the proxy fence
 * makes q visible to wgmma. Then this lane's 16 heads of each row's weights
 * go to registers for the whole block (the epilogue issues no shared
 * loads), and each lane learns where its keys of each half are stored. */
template <int DB, bool FP8>
__device__ __forceinline__ void
consume_rows (const WsBlock &blk, const ScoreParams &p, int cons, float (&w_s)[CW_WS_ROWS][64])
{
  constexpr int H = 64, NQ = 4 * H, CHUNKS = DB / 16;
  constexpr uint32_t Q_BYTES = NQ * DB;
  const int wt = threadIdx.x & 127, lane = threadIdx.x & 31, wwarp = wt >> 5, g = lane >> 2, c = lane & 3;
  const uint32_t q_s = blk.q_s + (uint32_t) cons * Q_BYTES;
  const uint64_t r0 = blk.s_begin + 4 * cons;

  for (int id = wt; id < 4 * H * CHUNKS; id += 128)
    {
      const int n = id / CHUNKS, cc = id % CHUNKS, qi = n / H, head = n % H;
      const bool valid = r0 + qi < blk.s_end;
      const uint64_t row = blk.bi * p.sq + r0 + qi;
      const unsigned char *src = valid ? p.q + (row * H + head) * DB + cc * 16 : p.q;
      cp_async_16 (q_s + cw_wgmma_swizzled (n, cc, NQ), src, valid);
    }
  cp_async_commit ();
  for (int id = wt; id < 4 * H; id += 128)
    {
      const int qi = id / H;
      w_s[4 * cons + qi][id % H] = r0 + qi < blk.s_end ? p.w[(blk.bi * p.sq + r0 + qi) * H + id % H] : 0.0f;
    }
  cp_async_wait<0> ();
  asm volatile ("fence.proxy.async.shared::cta;\n" ::: "memory");
  warpgroup_sync (cons == 0 ? WsBarrier::Consumer0Loaded : WsBarrier::Consumer1Loaded);

  float2 wreg[4][8];
#pragma unroll
  for (int qi = 0; qi < 4; qi++)
#pragma unroll
    for (int jj = 0; jj < 8; jj++)
      wreg[qi][jj] = *(const float2 *) &w_s[4 * cons + qi][8 * jj + 2 * c];
  uint64_t l_row[4];
#pragma unroll
  for (int qi = 0; qi < 4; qi++)
    l_row[qi] = r0 + qi >= blk.s_end ? 0 : min (legal_keys (r0 + qi, p.sk, p.ratio, p.causal), blk.kb1);

  /* A lane stores one key of one query per half: query 2*half + (lane & 1),
   * key g + 8 * ((lane >> 1) & 1) of its warp's 16; left[h] counts its keys
   * still inside that row's legal prefix (< 2^31: keys_per_block). */
  int left[2];
  float *out[2];
  const uint64_t key_half = blk.kb0 + 16 * (uint64_t) wwarp + (uint64_t) g + 8 * (uint64_t) ((lane >> 1) & 1);
#pragma unroll
  for (int h = 0; h < 2; h++)
    {
      const int qh = 2 * h + (lane & 1);
      const uint64_t bound = qh == 0 ? l_row[0] : qh == 1 ? l_row[1] : qh == 2 ? l_row[2] : l_row[3];
      left[h] = bound > key_half ? (int) (bound - key_half) : 0;
      out[h] = left[h] > 0 ? p.out + (blk.bi * p.sq + r0 + qh - p.first_row) * p.ld + key_half : p.out;
    }
  consume_tiles<DB, FP8> (blk, q_s, wreg, left, out);
}

/* ---- the kernel: which rows and keys, the barriers, the roles ---- */
template <int DB, bool FP8>
__global__ void __launch_bounds__ (CW_WS_THREADS, 1)
score_wgmma_ws_kernel (ScoreParams p, uint32_t keys_per_block, const __grid_constant__ CUtensorMap keys_map)
{
  constexpr uint32_t Q_BYTES = 4 * 64 * DB;      /* one consumer's q */
  extern __shared__ __align__ (16) unsigned char smem_raw[];
  __shared__ float w_s[CW_WS_ROWS][64];
  __shared__ __align__ (8) uint64_t full_bar[CW_WS_STAGES], empty_bar[CW_WS_STAGES];
  WsBlock blk;

  if (p.skip_if_one != NULL && *p.skip_if_one == 1)
    return;

  /* Row groups in reverse: blocks are handed out in blockIdx order, and
   * under a causal mask the last row groups have the most keys, so each
   * key-split pass starts with its longest blocks and its last wave is
   * short blocks. */
  score_block_rows (p, gridDim.x - 1 - blockIdx.x, CW_WS_ROWS, &blk.bi, &blk.s_begin, &blk.s_end);
  const uint64_t l_max = legal_keys (blk.s_end - 1, p.sk, p.ratio, p.causal);
  blk.kb0 = (uint64_t) blockIdx.y * keys_per_block;
  if (blk.kb0 >= l_max)
    return;                                       /* fully masked split (the whole block leaves) */
  blk.kb1 = min (blk.kb0 + keys_per_block, l_max);
  blk.ntiles = (int) ((blk.kb1 - blk.kb0 + CW_WS_KEY_TILE - 1) / CW_WS_KEY_TILE);
  blk.q_s = ((uint32_t) __cvta_generic_to_shared (smem_raw) + 1023u) & ~1023u;
  blk.keys_s = blk.q_s + 2 * Q_BYTES;
  blk.full0 = (uint32_t) __cvta_generic_to_shared (&full_bar[0]);
  blk.empty0 = (uint32_t) __cvta_generic_to_shared (&empty_bar[0]);

  /* The mbarriers first; q and weights are loaded by the consumers after
   * the split, so the producer's first key tiles are in flight while q
   * lands. */
  const int tid = threadIdx.x, wg = tid >> 7;
  if (tid == 0)
    {
      for (int s = 0; s < CW_WS_STAGES; s++)
        {
          mbar_init (blk.full0 + 8 * s, 1);       /* the TMA thread */
          mbar_init (blk.empty0 + 8 * s, 8);      /* every consumer warp */
        }
      asm volatile ("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
  __syncthreads ();

  if (wg == 0)
    {
      /* 40 x 128 + 232 x 256 = 64,512 registers: the 168 x 384 of the launch */
      asm volatile ("setmaxnreg.dec.sync.aligned.u32 %0;\n" :: "n"(CW_WS_PRODUCER_REGS) : "memory");
      if ((tid & 127) == 0)
        produce_tiles<DB> (blk, p, &keys_map);
    }
  else
    {
      /* read through a shuffle so the compiler knows it is warp-uniform and
       * keeps the wgmma descriptors in uniform registers */
      const int cons = __shfl_sync (0xffffffffu, wg - 1, 0);
      asm volatile ("setmaxnreg.inc.sync.aligned.u32 %0;\n" :: "n"(CW_WS_CONSUMER_REGS) : "memory");
      consume_rows<DB, FP8> (blk, p, cons, w_s);
    }
}

/* The key tensor as TMA sees it: rows of DB bytes (uint8), b * sk of them;
 * boxes of 128 bytes x 64 rows, 128-byte swizzle. False where the driver
 * has no encoder, the row count does not fit the TMA's int32 coordinates,
 * k is not 16-byte aligned, or the encoder refuses: then the plain wgmma
 * kernel runs (same scores). */
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

template <int DB, bool FP8>
static cudaError_t
launch_ws (const ScoreParams &p, dim3 grid, uint32_t keys_per_block, cudaStream_t stream)
{
  const int smem = 1024 + 2 * 4 * 64 * DB + CW_WS_STAGES * CW_WS_KEY_TILE * DB;
  /* setmaxnreg.inc waits until the registers it asks for are free: if a
   * compiler ever launched this kernel with fewer registers than the
   * consumers take after the producer's give-back, they would wait forever.
   * Then say "not supported", and the caller runs the plain wgmma kernel
   * (same scores, bit for bit). Read once per instantiation. */
  static int launch_regs = -1;
  if (launch_regs < 0)
    {
      cudaFuncAttributes attr;
      CW_CUDA_TRY (cudaFuncGetAttributes (&attr, score_wgmma_ws_kernel<DB, FP8>));
      launch_regs = attr.numRegs;
    }
  if ((long) launch_regs * CW_WS_THREADS < (long) CW_WS_PRODUCER_REGS * 128 + (long) CW_WS_CONSUMER_REGS * 256)
    return cudaErrorNotSupported;
  CUtensorMap keys_map;
  memset (&keys_map, 0, sizeof keys_map);
  if (!encode_keys_map (&keys_map, p.k, p.batch * p.sk, DB))
    return cudaErrorNotSupported;
  CW_CUDA_TRY (cudaFuncSetAttribute (score_wgmma_ws_kernel<DB, FP8>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  score_wgmma_ws_kernel<DB, FP8><<<grid, CW_WS_THREADS, smem, stream>>> (p, keys_per_block, keys_map);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

/* The key split of one launch. Blocks are handed to SMs as they free up,
 * so what a split size costs is its last wave (SMs idle while the last
 * blocks finish) and one q prologue per block. Modelled time:
 *   waves(n) * (keys_per_block(n) + CW_WS_PROLOGUE_KEYS)
 * over n = ceil(l_max / 16384) .. ceil(l_max / 4096) splits; the smallest
 * n wins ties. Fixed splits of 4096, 8192 and 16384 keys measured within
 * ~1 % of each other (bench/NOTES-kernels.md), so this only trims the last
 * wave. */
#define CW_WS_PROLOGUE_KEYS 256

static uint32_t
balanced_keys (uint64_t groups, uint64_t l_max, uint64_t sms)
{
  if (sms == 0)
    return CW_WS_KEYS_PER_BLOCK;
  const uint64_t n_lo = (l_max + 16383) / 16384, n_hi = (l_max + 4095) / 4096;
  uint64_t best_keys = CW_WS_KEYS_PER_BLOCK;
  double best = 0;
  for (uint64_t n = n_lo > 0 ? n_lo : 1; n <= n_hi; n++)
    {
      const uint64_t keys = ((l_max + n - 1) / n + CW_WS_KEY_TILE - 1) / CW_WS_KEY_TILE * CW_WS_KEY_TILE;
      const uint64_t blocks = groups * ((l_max + keys - 1) / keys);
      const double cost = (double) ((blocks + sms - 1) / sms) * (double) (keys + CW_WS_PROLOGUE_KEYS);
      if (best == 0 || cost < best)
        {
          best = cost;
          best_keys = keys;
        }
    }
  return (uint32_t) best_keys;
}

/* TILE mode, h = 64, rows of 128 or 256 bytes. p.groups_first is
 * recomputed here for 8-row groups. cudaErrorNotSupported where this kernel
 * cannot run (see launch_ws and encode_keys_map). */
cudaError_t
cw_score_wgmma_ws_launch (const CwKernelShape *shape, const ScoreParams &p_in, uint64_t l_max, cudaStream_t stream)
{
  const bool fp8 = shape->qk_dtype == CW_DTYPE_FP8_E4M3;
  const uint64_t db = shape->d * (fp8 ? 1 : 2);
  const uint64_t per = (shape->sq + CW_WS_ROWS - 1) / CW_WS_ROWS;
  const uint32_t fixed_keys = cw_kernels_get_options ()->score_keys_per_block;
  uint64_t len0, groups;
  ScoreParams p = p_in;

  if (shape->h != 64)
    return cudaErrorNotSupported;
  len0 = shape->sq - p.first_row % shape->sq;
  if (len0 > p.rows)
    len0 = p.rows;
  p.groups_first = (len0 + CW_WS_ROWS - 1) / CW_WS_ROWS;
  groups = p.groups_first;
  if (p.rows > len0)
    groups += ((p.rows - len0) / shape->sq) * per + ((p.rows - len0) % shape->sq + CW_WS_ROWS - 1) / CW_WS_ROWS;
  if (groups > 0x7fffffffu)
    return cudaErrorInvalidConfiguration;
  const uint32_t keys = fixed_keys != 0 ? fixed_keys : balanced_keys (groups, l_max, (uint64_t) cw_kernels_sm_count ());
  if ((l_max + keys - 1) / keys > 65535)
    return cudaErrorInvalidConfiguration;
  dim3 grid ((unsigned) groups, (unsigned) ((l_max + keys - 1) / keys));
  if (db == 256 && !fp8)
    return launch_ws<256, false> (p, grid, keys, stream);
  if (db == 128 && !fp8)
    return launch_ws<128, false> (p, grid, keys, stream);
  if (db == 128 && fp8)
    return launch_ws<128, true> (p, grid, keys, stream);
  return cudaErrorNotSupported;
}
