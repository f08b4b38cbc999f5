/* cw-reference.c: float64 CPU reference of score and top-k; bf16 and fp8
 * conversions. Slow on purpose: it is the thing the kernels are checked
 * against, so it stays the plain formula. */
#include "cw-reference.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint16_t
cw_bf16_from_float (float f)
{
  uint32_t u;

  memcpy (&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return (uint16_t) ((u >> 16) | 0x0040u);   /* quiet NaN */
  u += 0x7fffu + ((u >> 16) & 1u);             /* round to nearest even */
  return (uint16_t) (u >> 16);
}

float
cw_bf16_to_float (uint16_t b)
{
  uint32_t u = (uint32_t) b << 16;
  float f;

  memcpy (&f, &u, sizeof f);
  return f;
}

float
cw_fp8_e4m3_to_float (uint8_t b)
{
  int sign = b >> 7, exp = (b >> 3) & 0xf, man = b & 7;
  float v;

  if (exp == 0xf && man == 7)
    return NAN;
  if (exp == 0)
    v = ldexpf ((float) man, -9);               /* subnormal: man/8 * 2^-6 */
  else
    v = ldexpf (1.0f + (float) man / 8.0f, exp - 7);
  return sign ? -v : v;
}

uint8_t
cw_fp8_e4m3_from_float (float f)
{
  uint8_t sign = signbit (f) ? 0x80 : 0;
  float a = fabsf (f);
  int lo = 0, hi = 0x7e;

  if (isnan (f))
    return 0x7f;
  if (a >= 448.0f)
    return sign | 0x7e;
  /* Codes 0x00..0x7e are increasing in value: binary search the largest
   * code whose value is <= a, then round to the nearer of it and the next. */
  while (lo < hi)
    {
      int mid = (lo + hi + 1) / 2;
      if (cw_fp8_e4m3_to_float ((uint8_t) mid) <= a)
        lo = mid;
      else
        hi = mid - 1;
    }
  if (lo < 0x7e)
    {
      float below = cw_fp8_e4m3_to_float ((uint8_t) lo);
      float above = cw_fp8_e4m3_to_float ((uint8_t) (lo + 1));
      if (a - below > above - a || (a - below == above - a && (lo & 1)))
        lo++;
    }
  return sign | (uint8_t) lo;
}

static double
element (const CwKernelShape *shape, const void *base, uint64_t i)
{
  if (shape->qk_dtype == CW_DTYPE_FP8_E4M3)
    return cw_fp8_e4m3_to_float (((const uint8_t *) base)[i]);
  return cw_bf16_to_float (((const uint16_t *) base)[i]);
}

bool
cw_reference_scores (const CwKernelShape *shape, const void *q, const void *k, const float *w,
                     double *scores, double *magnitude, CwError *error)
{
  uint64_t h = shape->h, d = shape->d, sk = shape->sk, sq = shape->sq;
  double *kd, *qd;

  if (!cw_kernel_shape_check (shape, error))
    return false;
  kd = malloc (sk * d * sizeof *kd);
  qd = malloc (h * d * sizeof *qd);
  if (kd == NULL || qd == NULL)
    {
      free (kd);
      free (qd);
      cw_error_set (error, CW_ERROR_OOM, "reference: out of host memory");
      return false;
    }
  for (uint64_t b = 0; b < shape->b; b++)
    {
      for (uint64_t i = 0; i < sk * d; i++)
        kd[i] = element (shape, k, b * sk * d + i);
      for (uint64_t s = 0; s < sq; s++)
        {
          uint64_t row = b * sq + s, legal = cw_kernel_shape_legal_keys (shape, s);
          const float *wr = w + row * h;

          for (uint64_t i = 0; i < h * d; i++)
            qd[i] = element (shape, q, row * h * d + i);
          for (uint64_t t = 0; t < sk; t++)
            {
              double acc = 0.0, mag = 0.0;

              if (t >= legal)
                {
                  scores[row * sk + t] = -INFINITY;
                  if (magnitude != NULL)
                    magnitude[row * sk + t] = 0.0;
                  continue;
                }
              for (uint64_t hh = 0; hh < h; hh++)
                {
                  double dot = 0.0, adot = 0.0;
                  for (uint64_t i = 0; i < d; i++)
                    {
                      double p = qd[hh * d + i] * kd[t * d + i];
                      dot += p;
                      adot += fabs (p);
                    }
                  acc += (double) wr[hh] * (dot > 0.0 ? dot : 0.0);
                  mag += fabs ((double) wr[hh]) * adot;
                }
              scores[row * sk + t] = acc;
              if (magnitude != NULL)
                magnitude[row * sk + t] = mag;
            }
        }
    }
  free (kd);
  free (qd);
  return true;
}

typedef struct {
  double score;
  int32_t index;
} Entry;

static int
entry_compare (const void *a, const void *b)
{
  const Entry *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

bool
cw_reference_topk (const CwKernelShape *shape, const double *scores, int32_t *idx, double *top, CwError *error)
{
  uint64_t sk = shape->sk, kk = shape->top_k;
  Entry *entries;

  if (!cw_kernel_shape_check (shape, error))
    return false;
  entries = malloc (sk * sizeof *entries);
  if (entries == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "reference: out of host memory");
      return false;
    }
  for (uint64_t row = 0; row < shape->b * shape->sq; row++)
    {
      uint64_t legal = cw_kernel_shape_legal_keys (shape, row % shape->sq);

      for (uint64_t t = 0; t < legal; t++)
        {
          entries[t].score = scores[row * sk + t];
          entries[t].index = (int32_t) t;
        }
      qsort (entries, legal, sizeof *entries, entry_compare);
      for (uint64_t j = 0; j < kk; j++)
        {
          idx[row * kk + j] = j < legal ? entries[j].index : -1;
          if (top != NULL)
            top[row * kk + j] = j < legal ? entries[j].score : -INFINITY;
        }
    }
  free (entries);
  return true;
}
