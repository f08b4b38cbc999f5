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
 * The backward (gradients of the score with respect to q, w and k, sparse
 * over the kept entries or dense over every legal key) is at the end.
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

/* ---- backward: gradients of the score with respect to q, w and k ------- */

/* The score's backward for a training step. Gradients flow through the
 * scores only; the top-k selection is not differentiated (idx is an input,
 * as the forward chose it). With an upstream gradient g on scores:
 *
 *   z[s,h,t]  = dot(q[s,h,:], k[t,:])   recomputed in fp32 from the dtype's
 *                                        values (nothing is saved from the
 *                                        forward but idx)
 *   dw[s,h]   = sum_j g[s,j] * relu(z[s,h,t_j])
 *   dz[s,h,j] = g[s,j] * w[s,h] * (z[s,h,t_j] > 0)      (relu'(0) = 0)
 *   dq[s,h,:] = sum_j dz[s,h,j] * k[t_j,:]
 *   dk[t,:]   = sum over rows s and entries j with t_j = t of
 *               sum_h dz[s,h,j] * q[s,h,:]
 *
 * (b omitted: rows of one batch entry only see that entry's keys.)
 * Outputs are fp32, caller-owned device buffers:
 *   dq [b, sq, h, d]   dw [b, sq, h]   dk [b, sk, d]
 *
 * Determinism: every sum runs in a fixed order (j, or t, ascending within a
 * row; h ascending; dk over rows s ascending across the whole sequence), and
 * no float atomics are used, so results are bit-identical from run to run
 * and across budgets or chunkings. The same rules as the forward lanes hold:
 * nothing allocated, freed or synchronized inside, all work on `stream`,
 * graph-capture safe, errors as cudaError_t. */

/* Sparse backward (training after warm-up): gradients through the kept
 * entries only. idx [b, sq, top_k] int32 is the forward's output (-1 =
 * padding); g [b, sq, top_k] fp32 is dLoss/dscore of each kept entry and is
 * not read where idx is -1 (it may hold anything there). For j over the row's
 * entries with t_j = idx[s, j] >= 0, the formulas above.
 * dq, dw, dk are fully overwritten (no need to pre-zero). Nothing of size
 * [sq, sk] exists: the rows run in chunks bounded by `budget`
 * (cw_kernels_backward_sparse_rows), chunk after chunk in row order; each
 * chunk recomputes z of its kept entries, writes dw and dq, groups its
 * entries by key and adds them to dk in row order. workspace:
 * cw_kernels_backward_sparse_workspace_bytes for the same budget (the fused
 * backward is budget = UINT64_MAX: one chunk of every row,
 * cw_kernels_backward_fused_workspace_bytes).
 * An entry counts when 0 <= idx < L(s) of its row; any other value is
 * padding (no key or g read through it). q, k, workspace, dq and dk must be
 * 16-byte aligned (cudaMalloc's are): cudaErrorInvalidValue otherwise, or
 * for a NULL buffer; a shape the kernels do not take as the lanes'.
 * z, dz and the sums run on the CUDA cores in fp32 (fused multiply-adds; z
 * over d ascending). Accuracy (tests/kernels/test-kernels-backward-gpu.c):
 * |gpu - float64| <= 3e-5 * sum|terms| of each output plus the kink
 * allowance of cw_reference_backward_sparse with a band of 1e-5 *
 * sum_i |q_i k_i| (an fp32 z of 128 exact products is within 7.6e-6 of that
 * sum), bf16 and fp8 alike. NVTX ranges per chunk: "backward-rows",
 * "backward-group", "backward-dk". */
cudaError_t cw_backward_sparse_run (const CwKernelShape *shape, uint64_t budget, const void *q, const void *k,
                                    const float *w, const int32_t *idx, const float *g, void *workspace,
                                    float *dq, float *dw, float *dk, cudaStream_t stream);

/* Dense backward (warm-up stage): the gradient over every legal key. The
 * upstream gradient exists per chunk of rows only: G [rows, ld] fp32 (device),
 * row i = global row r = first_row + i (s = r % sq), of which only the legal
 * prefix G[i, 0 .. L(s)) is read (the rest may hold anything). The formulas
 * above with j running over every legal key t < L(s) and g = G[i, t].
 * The caller produces each chunk (its loss, e.g. the KL gradient of the
 * warm-up) inside its chunk budget (cw_kernels_backward_dense_rows) and calls
 * this for chunks in row order: first_row = 0, then first_row + rows of the
 * previous call, until b*sq rows are done (any chunk sizes, b boundaries
 * included; ld >= the chunk's longest L(s)).
 *  - dq, dw: the chunk's rows are written (fully overwritten; rows with
 *    L(s) = 0 get zeros).
 *  - dk: a call with first_row == 0 zeroes all of dk (a memset node on
 *    `stream`), every call adds its rows' contributions in row order, so
 *    after the last chunk dk is complete; the caller never pre-zeroes it.
 *    Calls out of row order give a different (wrong) dk sum order, not an
 *    error.
 * z is recomputed tile by tile on the CUDA cores in fp32 (fused
 * multiply-adds, d ascending); nothing of size [rows, sk] per head exists.
 * dq and dw run one block per row over key tiles; dk runs one block per
 * tile of keys over the chunk's rows in ascending order, starting from dk's
 * stored value, so dk is bit-identical for any chunking.
 * workspace: cw_kernels_backward_dense_workspace_bytes (0 bytes: may be
 * NULL). cudaErrorInvalidValue for an empty or out-of-range chunk, a NULL
 * buffer or ld below the chunk's longest L(s); cudaErrorNotSupported for
 * b*sq above 2^31 - 1 (the kernels number rows in 32 bits). Accuracy: |gpu - float64| <= 3e-5 * sum|terms| of each output
 * (cw_reference_backward_dense's magnitudes), plus the full term of any
 * entry whose z lies within the fp32 rounding of relu's kink (there the
 * kernel may take either side), for bf16 and fp8 alike (inputs widen
 * exactly to fp32). */
cudaError_t cw_backward_dense_chunk (const CwKernelShape *shape, uint64_t first_row, uint64_t rows,
                                     const void *q, const void *k, const float *w, const float *G, uint64_t ld,
                                     void *workspace, float *dq, float *dw, float *dk, cudaStream_t stream);

/* A synthetic upstream gradient for tests and the profiler: fills the legal
 * prefix of G [rows, ld] (row i = global row r = first_row + i) with
 * G[i, t] = cw_synthetic_gradient (r, t) for t < L(s), and leaves
 * G[i, L(s) .. ld) untouched. The formula (cw-synthetic-gradient.h) is plain
 * integer hashing, exactly representable in fp32, so the CPU reference
 * reproduces every value bit for bit. */
cudaError_t cw_backward_dense_fill_gradient (const CwKernelShape *shape, uint64_t first_row, uint64_t rows,
                                             float *G, uint64_t ld, cudaStream_t stream);

#ifdef __cplusplus
}
#endif
