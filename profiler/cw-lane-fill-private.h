/* cw-lane-fill-private.h: random device inputs for profiled lanes (cw-lane-fill.cu). */
#pragma once

#include <stdint.h>

#include <cuda_runtime_api.h>

#include "cw-dtype.h"

#ifdef __cplusplus
extern "C" {
#endif

/* q or k elements: bf16 uniform in [-1, 1), or fp8 e4m3 with |x| in [2^-6, 4). */
cudaError_t cw_lane_fill_qk (void *dst, uint64_t n, CwDtype dtype, uint64_t seed, cudaStream_t stream);
/* fp32 uniform in [lo, hi). */
cudaError_t cw_lane_fill_f32 (float *dst, uint64_t n, uint64_t seed, float lo, float hi, cudaStream_t stream);
/* Top-k-like indices for the index-mask lanes: mostly in [0, sk), 1/16 the
 * -1 padding, 1/16 out of range (which a correct mask update sends to the sink). */
cudaError_t cw_lane_fill_indices (int32_t *idx, uint64_t n, uint64_t sk, uint64_t seed, cudaStream_t stream);

#ifdef __cplusplus
}
#endif
