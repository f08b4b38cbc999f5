/* cw-reference.h: the float64 CPU reference of the indexer score, top-k and
 * the score's backward, and the bf16 / fp8-e4m3 element conversions the tests feed both sides with.
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

/* ---- backward ----------------------------------------------------------
 *
 * Forward scores and the gradients dq, dw, dk of the score (formulas in
 * cw-kernels.h) in float64 from the same dtype values the kernels read, in
 * the kernels' fixed orders (j or t ascending in a row, h ascending, dk over
 * rows ascending). Selection is not differentiated: the sparse reference
 * takes idx as given (-1 = padding; g is not read there), the dense one reads
 * the legal prefix G[r*ld .. r*ld + L(s)) of every row r = b*sq + s.
 *
 * Beside each output the reference gives the sum of |terms| (the scale of a
 * kernel's fp32 rounding error, as cw_reference_scores' magnitude) and the
 * kink allowance: the sum of |terms| through entries whose z lies within
 * kink_rel * sum_i |q_i k_i| of relu's kink at 0, where an fp32 z may fall on
 * the other side than the float64 one and change dz by its full size. The
 * stated check of a kernel (cw-kernels.h): |gpu - ref| <= tol * mag + kink.
 *
 * Finite differences (tests/kernels/test-kernels-reference.c) check this
 * reference against central differences of `loss` within
 * 64 * DBL_EPSILON * loss_mag / step, skipping coordinates whose step can
 * move some z across 0. */
typedef struct {
  double  kink_rel;    /* in: the band of relu's kink, relative to sum_i |q_i k_i| (0: exact zeros only) */
  /* outputs; any may be NULL */
  double *score;       /* sparse [b*sq*top_k] (padding -INFINITY); dense [b*sq*sk] (illegal -INFINITY) */
  double *dq;          /* [b*sq*h*d] */
  double *dw;          /* [b*sq*h] */
  double *dk;          /* [b*sk*d] */
  double *dq_mag;      /* sum_j |g w k_i|       over entries with z > 0 or in the kink band */
  double *dw_mag;      /* sum_j |g| sum_i |q_i k_i|   over every entry */
  double *dk_mag;      /* sum_(s,h) |g w q_i|   over entries with z > 0 or in the kink band */
  double *dq_kink;     /* sum_j |g w k_i|       over entries in the kink band */
  double *dk_kink;     /* sum_(s,h) |g w q_i|   over entries in the kink band */
  double  loss;        /* out: L = sum g * score over the kept (or legal) entries */
  double  loss_mag;    /* out: sum |g| * sum_h |w| sum_i |q_i k_i|, the scale of L */
  uint64_t kinks;      /* out: (row, head, entry) triples in the kink band */
} CwReferenceBackward;

bool cw_reference_backward_sparse (const CwKernelShape *shape, const void *q, const void *k, const float *w,
                                   const int32_t *idx, const float *g, CwReferenceBackward *out, CwError *error);
bool cw_reference_backward_dense (const CwKernelShape *shape, const void *q, const void *k, const float *w,
                                  const float *G, uint64_t ld, CwReferenceBackward *out, CwError *error);

/* The same on inputs already widened to double (q [b*sq*h*d], k [b*sk*d],
 * w [b*sq*h]): what the finite-difference check perturbs. */
bool cw_reference_backward_sparse_f64 (const CwKernelShape *shape, const double *q, const double *k,
                                       const double *w, const int32_t *idx, const float *g,
                                       CwReferenceBackward *out, CwError *error);
bool cw_reference_backward_dense_f64 (const CwKernelShape *shape, const double *q, const double *k,
                                      const double *w, const float *G, uint64_t ld, CwReferenceBackward *out,
                                      CwError *error);

/* Widens q, k (shape's dtype) and w to double for the _f64 functions. */
bool cw_reference_widen (const CwKernelShape *shape, const void *q, const void *k, const float *w, double **qd,
                         double **kd, double **wd, CwError *error);

#ifdef __cplusplus
}
#endif
