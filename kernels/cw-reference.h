/* cw-reference.h: the float64 CPU reference of the indexer score and top-k,
 * and the bf16 / fp8-e4m3 element conversions the tests feed both sides with.
 *
 * Plain C, no CUDA. The reference reads the same bf16 (or fp8) inputs as the
 * kernels, widens every element exactly to double and sums in double, so the
 * only difference from a kernel is the kernel's fp32 accumulation. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"
#include "cw-kernel-shape.h"

#ifdef __cplusplus
extern "C" {
#endif

/* bf16: round to nearest even; NaN stays NaN. */
uint16_t cw_bf16_from_float (float f);
float cw_bf16_to_float (uint16_t b);

/* fp8 e4m3 (OCP "fn": bias 7, no infinities, 0x7f/0xff NaN, max 448):
 * round to nearest even, saturating to +-448; NaN to 0x7f. */
uint8_t cw_fp8_e4m3_from_float (float f);
float cw_fp8_e4m3_to_float (uint8_t b);

/* scores [b*sq*sk] in double: legal (s, t) get
 * sum_h w * max(0, dot(q, k)), illegal ones -INFINITY. `magnitude`, when not
 * NULL, receives sum_h |w| * sum_d |q*k| per entry (0 for illegal ones): the
 * scale that bounds a kernel's fp32 rounding error. q/k are bf16 or fp8 as
 * shape->qk_dtype says. */
bool cw_reference_scores (const CwKernelShape *shape, const void *q, const void *k, const float *w,
                          double *scores, double *magnitude, CwError *error);

/* Top-k of every row of `scores` ([b*sq*sk], legal prefix L(s) only) under
 * the kernels' rule: larger score first, then smaller index; rows with fewer
 * than top_k legal keys padded with -1 (and -INFINITY in `top`, which may be
 * NULL). idx is [b*sq*top_k]. */
bool cw_reference_topk (const CwKernelShape *shape, const double *scores, int32_t *idx, double *top,
                        CwError *error);

#ifdef __cplusplus
}
#endif
