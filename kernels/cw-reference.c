/* cw-reference.c: float64 CPU reference of score, top-k and the score's
 * backward; bf16 and fp8 conversions. Slow on purpose: it is the thing the
 * kernels are checked against, so it stays the plain formula. */
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

/* ---- backward ------------------------------------------------------------ */

/* Where a row's upstream gradient comes from: the kept entries (idx, g) or
 * every legal key of a dense G. */
typedef struct {
  const int32_t *idx;   /* sparse: [b*sq*top_k]; NULL for dense */
  const float   *g;     /* sparse: [b*sq*top_k] */
  const float   *G;     /* dense: [b*sq, ld] */
  uint64_t       ld;
} Upstream;

/* Entries of row r: top_k slots (sparse) or L(s) keys (dense). */
static uint64_t
row_entries (const CwKernelShape *shape, const Upstream *up, uint64_t r)
{
  return up->idx != NULL ? shape->top_k : cw_kernel_shape_legal_keys (shape, r % shape->sq);
}

/* Entry j of row r: its key (false for padding) and upstream gradient. */
static bool
row_entry (const CwKernelShape *shape, const Upstream *up, uint64_t r, uint64_t j, uint64_t *t, double *g)
{
  if (up->idx == NULL)
    {
      *t = j;
      *g = up->G[r * up->ld + j];
      return true;
    }
  if (up->idx[r * shape->top_k + j] < 0)
    return false;
  *t = (uint64_t) up->idx[r * shape->top_k + j];
  *g = up->g[r * shape->top_k + j];
  return true;
}

static void
zero (double *p, uint64_t n)
{
  if (p != NULL)
    memset (p, 0, n * sizeof *p);
}

static void
add_at (double *p, uint64_t i, double v)
{
  if (p != NULL)
    p[i] += v;
}

static bool
backward_f64 (const CwKernelShape *shape, const double *q, const double *k, const double *w, const Upstream *up,
              CwReferenceBackward *out, CwError *error)
{
  const uint64_t h = shape->h, d = shape->d, sq = shape->sq, sk = shape->sk;
  const uint64_t rows = shape->b * sq, score_ld = up->idx != NULL ? shape->top_k : sk;
  double *c;

  if (!cw_kernel_shape_check (shape, error))
    return false;
  c = malloc (d * sizeof *c);
  if (c == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "reference: out of host memory");
      return false;
    }
  zero (out->dq, rows * h * d);
  zero (out->dq_mag, rows * h * d);
  zero (out->dq_kink, rows * h * d);
  zero (out->dw, rows * h);
  zero (out->dw_mag, rows * h);
  zero (out->dk, shape->b * sk * d);
  zero (out->dk_mag, shape->b * sk * d);
  zero (out->dk_kink, shape->b * sk * d);
  if (out->score != NULL)
    for (uint64_t i = 0; i < rows * score_ld; i++)
      out->score[i] = -INFINITY;
  out->loss = 0.0;
  out->loss_mag = 0.0;
  out->kinks = 0;

  /* Rows ascending, entries ascending, heads ascending: every sum (dk's
   * included, over rows) runs in the kernels' order. */
  for (uint64_t r = 0; r < rows; r++)
    {
      const uint64_t bb = r / sq, n = row_entries (shape, up, r);

      for (uint64_t j = 0; j < n; j++)
        {
          const double *kt;
          double g, score = 0.0;
          uint64_t t;

          if (!row_entry (shape, up, r, j, &t, &g))
            continue;
          kt = k + (bb * sk + t) * d;
          for (uint64_t i = 0; i < d; i++)
            c[i] = 0.0;
          for (uint64_t hh = 0; hh < h; hh++)
            {
              const double *qh = q + (r * h + hh) * d, wh = w[r * h + hh];
              double z = 0.0, zmag = 0.0, dz;
              bool active, kink;

              for (uint64_t i = 0; i < d; i++)
                {
                  z += qh[i] * kt[i];
                  zmag += fabs (qh[i] * kt[i]);
                }
              active = z > 0.0;                           /* relu'(0) = 0 */
              kink = fabs (z) <= out->kink_rel * zmag;
              dz = active ? g * wh : 0.0;
              score += wh * (active ? z : 0.0);
              out->loss_mag += fabs (g) * fabs (wh) * zmag;
              out->kinks += kink;
              add_at (out->dw, r * h + hh, g * (active ? z : 0.0));
              add_at (out->dw_mag, r * h + hh, fabs (g) * zmag);
              for (uint64_t i = 0; i < d; i++)
                {
                  const uint64_t qi = (r * h + hh) * d + i, ki = (bb * sk + t) * d + i;

                  add_at (out->dq, qi, dz * kt[i]);
                  c[i] += dz * qh[i];
                  if (active || kink)
                    {
                      add_at (out->dq_mag, qi, fabs (g * wh * kt[i]));
                      add_at (out->dk_mag, ki, fabs (g * wh * qh[i]));
                    }
                  if (kink)
                    {
                      add_at (out->dq_kink, qi, fabs (g * wh * kt[i]));
                      add_at (out->dk_kink, ki, fabs (g * wh * qh[i]));
                    }
                }
            }
          for (uint64_t i = 0; i < d; i++)
            add_at (out->dk, (bb * sk + t) * d + i, c[i]);
          if (out->score != NULL)
            out->score[r * score_ld + (up->idx != NULL ? j : t)] = score;
          out->loss += g * score;
        }
    }
  free (c);
  return true;
}

bool
cw_reference_widen (const CwKernelShape *shape, const void *q, const void *k, const float *w, double **qd,
                    double **kd, double **wd, CwError *error)
{
  uint64_t nq, nk, nw;

  *qd = *kd = *wd = NULL;
  if (!cw_kernel_shape_check (shape, error))
    return false;
  nw = shape->b * shape->sq * shape->h;
  nq = nw * shape->d;
  nk = shape->b * shape->sk * shape->d;
  *qd = malloc (nq * sizeof **qd);
  *kd = malloc (nk * sizeof **kd);
  *wd = malloc (nw * sizeof **wd);
  if (*qd == NULL || *kd == NULL || *wd == NULL)
    {
      free (*qd);
      free (*kd);
      free (*wd);
      *qd = *kd = *wd = NULL;
      cw_error_set (error, CW_ERROR_OOM, "reference: out of host memory");
      return false;
    }
  for (uint64_t i = 0; i < nq; i++)
    (*qd)[i] = element (shape, q, i);
  for (uint64_t i = 0; i < nk; i++)
    (*kd)[i] = element (shape, k, i);
  for (uint64_t i = 0; i < nw; i++)
    (*wd)[i] = w[i];
  return true;
}

bool
cw_reference_backward_sparse_f64 (const CwKernelShape *shape, const double *q, const double *k, const double *w,
                                  const int32_t *idx, const float *g, CwReferenceBackward *out, CwError *error)
{
  const Upstream up = { .idx = idx, .g = g };

  if (!cw_kernel_shape_check (shape, error))
    return false;
  /* Validate idx before indexing k with it. */
  for (uint64_t r = 0; r < shape->b * shape->sq; r++)
    for (uint64_t j = 0; j < shape->top_k; j++)
      {
        int32_t t = idx[r * shape->top_k + j];
        if (t < -1 || (t >= 0 && (uint64_t) t >= cw_kernel_shape_legal_keys (shape, r % shape->sq)))
          {
            cw_error_set (error, CW_ERROR_INVALID, "reference: idx[%llu, %llu] = %d is not a legal key or -1",
                          (unsigned long long) r, (unsigned long long) j, (int) t);
            return false;
          }
      }
  return backward_f64 (shape, q, k, w, &up, out, error);
}

bool
cw_reference_backward_dense_f64 (const CwKernelShape *shape, const double *q, const double *k, const double *w,
                                 const float *G, uint64_t ld, CwReferenceBackward *out, CwError *error)
{
  const Upstream up = { .G = G, .ld = ld };

  if (!cw_kernel_shape_check (shape, error))
    return false;
  if (ld < cw_kernel_shape_legal_keys (shape, shape->sq - 1))
    {
      cw_error_set (error, CW_ERROR_INVALID, "reference: G's row stride %llu is shorter than the longest legal prefix %llu",
                    (unsigned long long) ld, (unsigned long long) cw_kernel_shape_legal_keys (shape, shape->sq - 1));
      return false;
    }
  return backward_f64 (shape, q, k, w, &up, out, error);
}

bool
cw_reference_backward_sparse (const CwKernelShape *shape, const void *q, const void *k, const float *w,
                              const int32_t *idx, const float *g, CwReferenceBackward *out, CwError *error)
{
  double *qd, *kd, *wd;
  bool ok;

  if (!cw_reference_widen (shape, q, k, w, &qd, &kd, &wd, error))
    return false;
  ok = cw_reference_backward_sparse_f64 (shape, qd, kd, wd, idx, g, out, error);
  free (qd);
  free (kd);
  free (wd);
  return ok;
}

bool
cw_reference_backward_dense (const CwKernelShape *shape, const void *q, const void *k, const float *w,
                             const float *G, uint64_t ld, CwReferenceBackward *out, CwError *error)
{
  double *qd, *kd, *wd;
  bool ok;

  if (!cw_reference_widen (shape, q, k, w, &qd, &kd, &wd, error))
    return false;
  ok = cw_reference_backward_dense_f64 (shape, qd, kd, wd, G, ld, out, error);
  free (qd);
  free (kd);
  free (wd);
  return ok;
}
