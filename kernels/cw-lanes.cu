/* cw-lanes.cu: the three lanes end to end (materialize, fused, streaming).
 * Each is a fixed sequence of launches on the caller's stream over the
 * caller's buffers, so each can be captured in a CUDA graph.
 *
 * Each phase's launches sit inside an NVTX range named after the phase
 * ("score", "reduce", "topk"; streaming: one "score" and one "topk" per
 * chunk), so a profiler sees the phases as the library defines them rather
 * than guessing them from kernel names. NVTX is host-only (header-only nvtx3,
 * no CUDA call), so the ranges are legal during stream capture; without a
 * tool attached (no NVTX_INJECTION64_PATH) each push/pop is a no-op call.
 * The ranges mark when the host enqueued a phase, not when the GPU ran it:
 * the profiler projects them onto the GPU through CUPTI correlation ids. */
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include "cw-kernels-private.h"

cudaError_t
cw_materialize_run (const CwKernelShape *shape, const void *q, const void *k, const float *w, void *workspace,
                    int32_t *idx, float *scores, cudaStream_t stream)
{
  float *slab = (float *) workspace, *reduced;
  uint64_t total;

  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  total = shape->b * shape->sq;
  reduced = slab + shape->sq * shape->b * shape->h * shape->sk;
  CW_PHASE_TRY ("score", cw_score_launch (shape, CW_SCORE_SLAB, q, k, w, 0, total, slab, shape->sk, NULL, stream));
  CW_PHASE_TRY ("reduce", cw_slab_reduce_launch (shape, slab, w, reduced, stream));
  CW_PHASE_TRY ("topk", cw_topk_launch (shape, reduced, shape->sk, 0, total, idx, scores, NULL, stream));
  return cudaSuccess;
}

cudaError_t
cw_fused_run (const CwKernelShape *shape, const void *q, const void *k, const float *w, void *workspace,
              int32_t *idx, float *scores, cudaStream_t stream)
{
  float *full = (float *) workspace;
  uint64_t total;

  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  total = shape->b * shape->sq;
  CW_PHASE_TRY ("score", cw_score_launch (shape, CW_SCORE_TILE, q, k, w, 0, total, full, shape->sk, NULL, stream));
  CW_PHASE_TRY ("topk", cw_topk_launch (shape, full, shape->sk, 0, total, idx, scores, NULL, stream));
  return cudaSuccess;
}

/* Shared by cw_streaming_run and the promoted path of cw_index_cache_reuse. */
cudaError_t cw_streaming_run_gated (const CwKernelShape *shape, uint64_t budget, const void *q, const void *k,
                                    const float *w, void *workspace, int32_t *idx, float *scores,
                                    const int32_t *skip_if_one, cudaStream_t stream);

cudaError_t
cw_streaming_run_gated (const CwKernelShape *shape, uint64_t budget, const void *q, const void *k, const float *w,
                        void *workspace, int32_t *idx, float *scores, const int32_t *skip_if_one,
                        cudaStream_t stream)
{
  float *tile = (float *) workspace;
  uint64_t rows, total;
  CwError error = CW_ERROR_INIT;

  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  if (!cw_kernels_streaming_rows (shape, budget, &rows, &error))
    return cudaErrorInvalidValue;
  total = shape->b * shape->sq;
  /* Two ranges per chunk, as many as the chunk's two kernel launches: the
   * trace grows with the chunk count exactly as the kernel records do. */
  for (uint64_t r0 = 0; r0 < total; r0 += rows)
    {
      uint64_t n = total - r0 < rows ? total - r0 : rows;
      CW_PHASE_TRY ("score",
                    cw_score_launch (shape, CW_SCORE_TILE, q, k, w, r0, n, tile, shape->sk, skip_if_one, stream));
      CW_PHASE_TRY ("topk", cw_topk_launch (shape, tile, shape->sk, r0, n, idx + r0 * shape->top_k,
                                            scores != NULL ? scores + r0 * shape->top_k : NULL, skip_if_one,
                                            stream));
    }
  return cudaSuccess;
}

cudaError_t
cw_streaming_run (const CwKernelShape *shape, uint64_t budget, const void *q, const void *k, const float *w,
                  void *workspace, int32_t *idx, float *scores, cudaStream_t stream)
{
  return cw_streaming_run_gated (shape, budget, q, k, w, workspace, idx, scores, NULL, stream);
}
