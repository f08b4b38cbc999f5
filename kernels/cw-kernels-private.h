/* cw-kernels-private.h: launchers shared between the kernels' .cu files.
 * Not installed; the public API is cw-kernels.h. */
#pragma once

#include "cw-kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns early from a launcher on the first CUDA error. */
#define CW_CUDA_TRY(expr)                 \
  do {                                    \
    cudaError_t cw_err_ = (expr);         \
    if (cw_err_ != cudaSuccess)           \
      return cw_err_;                     \
  } while (0)

/* Launch configuration checks go through cudaGetLastError after <<<>>>. */
#define CW_LAUNCH_TRY() CW_CUDA_TRY (cudaGetLastError ())

/* Runs one phase's launches inside an NVTX range; the range is closed on the
 * error path too, so a failed launch leaves the caller's nesting intact.
 * (Users include <nvtx3/nvToolsExt.h>.) */
#define CW_PHASE_TRY(name, expr)          \
  do {                                    \
    cudaError_t cw_phase_err_;            \
    nvtxRangePushA (name);                \
    cw_phase_err_ = (expr);               \
    nvtxRangePop ();                      \
    if (cw_phase_err_ != cudaSuccess)     \
      return cw_phase_err_;               \
  } while (0)

typedef enum {
  CW_SCORE_TILE = 0,   /* relu*w head sum of legal keys into out[(r - first_row) * ld + t] */
  CW_SCORE_SLAB = 1,   /* raw dot products of every key into slab [sq, b, h, sk] */
} CwScoreMode;

/* Scores rows [first_row, first_row + rows) of the flattened (b, s) axis.
 * skip_if_one: when not NULL and *skip_if_one == 1 the kernel does nothing
 * (index-cache reuse decides on the device). */
cudaError_t cw_score_launch (const CwKernelShape *shape, CwScoreMode mode, const void *q, const void *k,
                             const float *w, uint64_t first_row, uint64_t rows, float *out, uint64_t ld,
                             const int32_t *skip_if_one, cudaStream_t stream);

/* reduced [b, sq, sk] = canonical relu*w head sum of slab [sq, b, h, sk];
 * illegal keys -INFINITY. */
cudaError_t cw_slab_reduce_launch (const CwKernelShape *shape, const float *slab, const float *w, float *reduced,
                                   cudaStream_t stream);

cudaError_t cw_topk_launch (const CwKernelShape *shape, const float *scores, uint64_t ld, uint64_t first_row,
                            uint64_t rows, int32_t *idx, float *out_scores, const int32_t *skip_if_one,
                            cudaStream_t stream);

cudaError_t cw_kernels_check_shape_cuda (const CwKernelShape *shape);

/* The current device's SM count, read once (launchers size their grids and
 * choose variants by it); 0 where it cannot be read. */
int cw_kernels_sm_count (void);

/* The options in force (cw_kernels_set_options); launchers read them. */
const CwKernelOptions *cw_kernels_get_options (void);

#ifdef __cplusplus
}
#endif
