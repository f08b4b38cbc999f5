/* cw-kernels.h: the C API of the indexer kernels (score, top-k, index mask,
 * index cache) for the three code paths: materialize, fused, streaming.
 *
 * Contract for every step below:
 *  - all buffers are device memory owned by the caller; nothing is allocated,
 *    freed or synchronized inside a step, and all work goes to `stream`
 *    (never the legacy default stream), so every lane can be captured in a
 *    CUDA graph and replayed;
 *  - the host-side arguments (shape, budget) fix the launch geometry; the
 *    data-dependent decisions (index validity, cache validity) are taken on
 *    the device;
 *  - a step returns cudaSuccess, or the first CUDA error it met (a launch
 *    error is checked with cudaGetLastError after every launch), or
 *    cudaErrorInvalidValue / cudaErrorNotSupported for a shape the kernels
 *    do not take (cw_kernel_shape_check says why, in words).
 *
 * Layouts (row-major, innermost last; "row" = one (b, s) pair, r = b*sq + s):
 *   q       [b, sq, h, d]  bf16 (CW_DTYPE_BF16) or fp8 e4m3 (CW_DTYPE_FP8_E4M3)
 *   k       [b, sk, d]     same dtype as q (one key per position, shared by heads)
 *   w       [b, sq, h]     fp32 per-head weights
 *   idx     [b, sq, top_k] int32   (output)
 *   scores  [b, sq, top_k] fp32    (output; optional: may be NULL)
 *
 * score[b,s,t] = sum_h w[b,s,h] * relu(dot(q[b,s,h,:], k[b,t,:])), accumulated
 * in fp32 from bf16 (or fp8) products on the tensor cores: wgmma (sm_90a) for
 * h = 64 with 128- or 256-byte rows (bf16 d = 64/128, fp8 d = 128), mma.sync
 * otherwise. fp8 wgmma accumulates with less precision than bf16 (measured
 * max |score - float64| / sum|terms| ~1e-5 against ~1e-8); every lane of one
 * shape uses the same instruction, so lanes still agree bit for bit.
 *
 * Legal keys of row (b, s) are the prefix t < L(s) (cw-kernel-shape.h).
 *
 * Top-k rule (every lane, identical output): the selected entries of a row
 * are written in order of larger score first, then smaller key index on equal
 * scores; illegal keys are never selected; a row with fewer than top_k legal
 * keys is padded with index -1 and score -INFINITY. Every lane forms the fp32
 * head sum in the same fixed order (cw-score-order.cuh), so the three lanes
 * given the same inputs produce bit-identical idx and scores.
 *
 * Shapes, the legal-prefix rule L(s) and the exact workspace formulas of
 * each lane are in cw-kernel-shape.h (plain C, usable without CUDA). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cuda_runtime_api.h>

#include "cw-kernel-shape.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- kernel choice ------------------------------------------------------ */

/* Which score kernel runs, and the two launch parameters a caller may fix
 * instead of leaving them to the launch heuristics. Process-wide; set before
 * launching (not thread-safe); nothing is read from the environment. Every
 * choice gives bit-identical bf16 scores (fp8: wgmma and mma.sync agree
 * within the fp8 tolerance stated above), so tests and benchmarks switch
 * them to compare the kernels, never to change a result. */
typedef enum {
  /* The heuristic: h = 64 with 128- or 256-byte rows of q and k runs the
   * warp-specialized wgmma kernel (a TMA producer warpgroup, two consumer
   * warpgroups), or the plain wgmma kernel where no TMA tensor map can be
   * made for k (no encoder in the driver, more than 2^31 - 1 key rows, k not
   * 16-byte aligned); every other shape runs mma.sync. The materialize
   * lane's slab of raw products always runs the plain wgmma kernel (h = 64,
   * 128/256-byte rows) or mma.sync. */
  CW_SCORE_KERNEL_AUTO = 0,
  CW_SCORE_KERNEL_MMA_SYNC = 1,   /* always mma.sync */
  CW_SCORE_KERNEL_WGMMA = 2,      /* the plain wgmma kernel where AUTO would run either wgmma kernel */
} CwScoreKernel;

typedef struct {
  CwScoreKernel score_kernel;
  /* Keys per block of the warp-specialized kernel: 0 = balanced for the
   * launch and the SM count; else 4096, 8192 or 16384. */
  uint32_t      score_keys_per_block;
  /* 16-byte loads in flight per top-k thread: 0 = 8 for launches of at most
   * 4 rows per SM longer than 32,768 keys, else 4; or 4 or 8. */
  unsigned      topk_depth;
} CwKernelOptions;

/* The defaults: AUTO, 0, 0. */
void        cw_kernel_options_init (CwKernelOptions *options);
/* cudaErrorInvalidValue (nothing changed) for a value not listed above. */
cudaError_t cw_kernels_set_options (const CwKernelOptions *options);

/* ---- lanes: q, k, w in; idx (and optionally scores) out ---------------- */

/* Builds the [sq, b, h, sk] fp32 slab of raw dot products (every key, as the
 * reference einsum does), reduces relu*w over heads into [b, sq, sk] (illegal
 * keys -INFINITY), then takes top-k. workspace: materialize bytes. */
cudaError_t cw_materialize_run (const CwKernelShape *shape, const void *q, const void *k, const float *w,
                                void *workspace, int32_t *idx, float *scores, cudaStream_t stream);

/* Scores every legal (s, t) with all heads fused in registers straight into
 * one [b, sq, sk] fp32 buffer (fully masked tiles skipped), then top-k.
 * workspace: fused bytes. */
cudaError_t cw_fused_run (const CwKernelShape *shape, const void *q, const void *k, const float *w,
                          void *workspace, int32_t *idx, float *scores, cudaStream_t stream);

/* Chunks of `rows` query rows (rows from the budget): fused score tile
 * [rows, sk] then exact top-k per row, chunk after chunk on `stream`.
 * workspace: streaming bytes for the same budget. */
cudaError_t cw_streaming_run (const CwKernelShape *shape, uint64_t budget, const void *q, const void *k,
                              const float *w, void *workspace, int32_t *idx, float *scores,
                              cudaStream_t stream);

/* ---- building blocks ---------------------------------------------------- */

/* Exact top-k of `rows` score rows: row i (global row first_row + i, i.e.
 * s = (first_row + i) % sq) reads scores[i*ld .. i*ld + L(s)) and writes
 * idx[i*top_k ..] (and out_scores, if not NULL) under the rule above. Only the
 * legal prefix of each row is read. */
cudaError_t cw_topk_rows (const CwKernelShape *shape, const float *scores, uint64_t ld, uint64_t first_row,
                          uint64_t rows, int32_t *idx, float *out_scores, cudaStream_t stream);

/* Index-mask update after top-k, branchless and capture-safe: clears the
 * uint8 mask [b*sq, sk + 1] and sets mask[r, t] = 1 for every entry t of
 * idx[r, :]. Each entry is validated on the device (0 <= t < L(s));
 * invalid ones (the -1 padding, or garbage) are redirected to the sink
 * column sk (address clamped, never out of bounds). *n_invalid (device
 * int64, may be NULL) receives the number of redirected entries. */
cudaError_t cw_index_mask_update (const CwKernelShape *shape, const int32_t *idx, uint8_t *mask,
                                  unsigned long long *n_invalid, cudaStream_t stream);

/* The counter-example (the seed's pattern), kept so the profiler can show
 * why it is not graph-safe: counts invalid entries on the device, copies the
 * count to the host, synchronizes the stream and branches on it on the host
 * (clamping kernel only when the count is non-zero). Eager it works and gives
 * the same mask as cw_index_mask_update; under stream capture the
 * synchronization fails with cudaErrorStreamCaptureUnsupported, which this
 * function returns (the capture is then invalidated). `n_invalid` is device
 * scratch (required here). */
cudaError_t cw_index_mask_update_host_checked (const CwKernelShape *shape, const int32_t *idx, uint8_t *mask,
                                               unsigned long long *n_invalid, cudaStream_t stream);

/* Index-cache reuse for a shared layer: when *cache_valid == 1 (device int32)
 * the prior layer's indices `cache_idx` ([b, sq, top_k] int32) are copied to
 * idx; otherwise the layer promotes itself and recomputes idx with the
 * streaming lane (q, k, w, workspace, budget as cw_streaming_run). Decided on
 * the device: every kernel is launched either way and reads the flag, so the
 * step captures into one graph. *promoted (device int32, may be NULL)
 * receives 1 when recomputed, 0 when reused. `scores`, when not NULL, is
 * written only by a recompute. */
cudaError_t cw_index_cache_reuse (const CwKernelShape *shape, uint64_t budget, const int32_t *cache_idx,
                                  const int32_t *cache_valid, const void *q, const void *k, const float *w,
                                  void *workspace, int32_t *idx, float *scores, int32_t *promoted,
                                  cudaStream_t stream);

#ifdef __cplusplus
}
#endif
