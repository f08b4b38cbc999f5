/* test-kernels-gradcheck.c: the float64 backward reference (cw-reference.h)
 * against central finite differences of its own loss, as
 * torch.autograd.gradcheck does (suite kernels-cpu, runs in CI without CUDA).
 *
 * L = sum g * score over the kept entries (sparse) or the legal keys (dense,
 * g = the synthetic gradient). L is piecewise linear in every single
 * coordinate of q, k and w (relu of a dot product, times w), so a central
 * difference that crosses no kink of relu is exact up to rounding:
 *
 *   |(L(x + e) - L(x - e)) / 2e - dL/dx| <= 64 * DBL_EPSILON * loss_mag / e
 *
 * with e = 2^-10 and loss_mag = sum |g| sum_h |w| sum_i |q_i k_i|. A wrong
 * gradient term is off by O(1), eleven orders of magnitude above that.
 *
 * Kinks: a coordinate is skipped when its step can move some z it enters
 * across 0, i.e. |z| < 2 e |dz/dx| for a z that depends on it (q[s,h,i]:
 * the row's z[s,h,t_j], coefficient k[t_j,i]; k[t,i]: every z[s,h,t] of a row
 * keeping t, coefficient q[s,h,i]; w enters no z and is never skipped; a z
 * with coefficient 0 does not move, so it never causes a skip). One
 * head of one row has q = 0, so its z are exactly at the kink: the reference
 * must give dz = 0 there (relu'(0) = 0, dq = dw = 0 for that head) and the
 * rule must skip those q coordinates (the test asserts both). Skips beyond
 * that head stay under 2 % of the coordinates checked.
 *
 * Shapes are small and odd: b = 2, h = 16 and 64, d = 64, sq = 11 and 9,
 * compressed causal with ratio 4 (sk = 2, rows with no legal key) and causal
 * (sk = 9), top_k above L(s) so rows are padded; g is NaN on padding and G is
 * NaN past each row's legal prefix, so reading either shows as a NaN. The
 * sparse reference keeping every legal key must also equal the dense one
 * (different summation orders: within 1e-12 of the magnitudes). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-kernel-shape.h"
#include "cw-reference.h"
#include "cw-synthetic-gradient.h"

#include "../cw-test.h"

#define STEP 0x1p-10

static uint64_t rng_state;

static double
rnd (void)   /* uniform in [-1, 1) */
{
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (double) (rng_state >> 11) * 0x1p-52 - 1.0;
}

/* One case's inputs, already widened to double (bf16 or fp8 values). */
typedef struct {
  const char   *name;
  CwKernelShape shape;
  double       *q, *k, *w;
  int32_t      *idx;       /* sparse: the forward's top-k */
  float        *g;         /* sparse: [b*sq*top_k], NaN on padding */
  float        *G;         /* dense: [b*sq, ld], NaN past L(s) */
  uint64_t      ld;
  bool          dense;
  uint64_t      kink_row, kink_head;   /* q = 0 there */
} Case;

static void
make_case (Case *c, const char *name, CwKernelShape shape, bool dense)
{
  const uint64_t rows = shape.b * shape.sq, nq = rows * shape.h * shape.d, nk = shape.b * shape.sk * shape.d;
  const bool fp8 = shape.qk_dtype == CW_DTYPE_FP8_E4M3;
  void *q = malloc (nq * 2), *k = malloc (nk * 2);
  float *w = malloc (rows * shape.h * sizeof *w);
  double *scores = malloc (rows * shape.sk * sizeof *scores);
  CwError error = CW_ERROR_INIT;

  *c = (Case) { .name = name, .shape = shape, .dense = dense, .kink_row = rows - 2, .kink_head = 3 };
  rng_state = 0x5eed0000u + shape.h + shape.sq;
  for (uint64_t i = 0; i < nq; i++)
    {
      double v = (i / shape.d) == c->kink_row * shape.h + c->kink_head ? 0.0 : rnd ();
      if (fp8)
        ((uint8_t *) q)[i] = cw_fp8_e4m3_from_float ((float) (4.0 * v));
      else
        ((uint16_t *) q)[i] = cw_bf16_from_float ((float) v);
    }
  for (uint64_t i = 0; i < nk; i++)
    {
      double v = rnd ();
      if (fp8)
        ((uint8_t *) k)[i] = cw_fp8_e4m3_from_float ((float) (4.0 * v));
      else
        ((uint16_t *) k)[i] = cw_bf16_from_float ((float) v);
    }
  for (uint64_t i = 0; i < rows * shape.h; i++)
    w[i] = (float) rnd ();
  CHECK (cw_reference_widen (&shape, q, k, w, &c->q, &c->k, &c->w, &error), "%s: widen: %s", name, error.message);

  if (dense)
    {
      c->ld = shape.sk + 3;
      c->G = malloc (rows * c->ld * sizeof *c->G);
      for (uint64_t r = 0; r < rows; r++)
        for (uint64_t t = 0; t < c->ld; t++)
          c->G[r * c->ld + t] = t < cw_kernel_shape_legal_keys (&shape, r % shape.sq)
                                  ? cw_synthetic_gradient (r, t) : NAN;
    }
  else
    {
      c->idx = malloc (rows * shape.top_k * sizeof *c->idx);
      c->g = malloc (rows * shape.top_k * sizeof *c->g);
      CHECK (cw_reference_scores (&shape, q, k, w, scores, NULL, &error)
             && cw_reference_topk (&shape, scores, c->idx, NULL, &error), "%s: forward: %s", name, error.message);
      for (uint64_t i = 0; i < rows * shape.top_k; i++)
        c->g[i] = c->idx[i] >= 0 ? (float) rnd () : NAN;
    }
  free (q);
  free (k);
  free (w);
  free (scores);
}

static void
free_case (Case *c)
{
  free (c->q);
  free (c->k);
  free (c->w);
  free (c->idx);
  free (c->g);
  free (c->G);
}

static bool
run (const Case *c, CwReferenceBackward *out)
{
  CwError error = CW_ERROR_INIT;
  bool ok = c->dense ? cw_reference_backward_dense_f64 (&c->shape, c->q, c->k, c->w, c->G, c->ld, out, &error)
                     : cw_reference_backward_sparse_f64 (&c->shape, c->q, c->k, c->w, c->idx, c->g, out, &error);

  CHECK (ok, "%s: reference: %s", c->name, error.message);
  return ok;
}

static double
loss_at (const Case *c)
{
  CwReferenceBackward out = { 0 };

  return run (c, &out) ? out.loss : NAN;
}

/* Does row r keep key t (sparse: among idx; dense: legal)? */
static bool
keeps (const Case *c, uint64_t r, uint64_t t)
{
  if (c->dense)
    return t < cw_kernel_shape_legal_keys (&c->shape, r % c->shape.sq);
  for (uint64_t j = 0; j < c->shape.top_k; j++)
    if (c->idx[r * c->shape.top_k + j] == (int32_t) t)
      return true;
  return false;
}

static double
z_of (const Case *c, uint64_t r, uint64_t hh, uint64_t t)
{
  const uint64_t d = c->shape.d, bb = r / c->shape.sq;
  double z = 0.0;

  for (uint64_t i = 0; i < d; i++)
    z += c->q[(r * c->shape.h + hh) * d + i] * c->k[(bb * c->shape.sk + t) * d + i];
  return z;
}

/* The kink rule of the file comment for q[r, hh, i]. */
static bool
q_near_kink (const Case *c, uint64_t r, uint64_t hh, uint64_t i)
{
  const uint64_t bb = r / c->shape.sq;

  for (uint64_t t = 0; t < c->shape.sk; t++)
    if (keeps (c, r, t)
        && fabs (z_of (c, r, hh, t)) < 2.0 * STEP * fabs (c->k[(bb * c->shape.sk + t) * c->shape.d + i]))
      return true;
  return false;
}

/* The kink rule for k[bb, t, i]. */
static bool
k_near_kink (const Case *c, uint64_t bb, uint64_t t, uint64_t i)
{
  for (uint64_t s = 0; s < c->shape.sq; s++)
    {
      const uint64_t r = bb * c->shape.sq + s;

      if (!keeps (c, r, t))
        continue;
      for (uint64_t hh = 0; hh < c->shape.h; hh++)
        if (fabs (z_of (c, r, hh, t)) < 2.0 * STEP * fabs (c->q[(r * c->shape.h + hh) * c->shape.d + i]))
          return true;
    }
  return false;
}

typedef struct {
  uint64_t checked, skipped, skipped_kink_head;
  double   worst;   /* max |fd - grad| / tolerance */
} FdStats;

/* Central differences over every stride-th coordinate of x[0 .. n). which:
 * 0 q, 1 k, 2 w. */
static void
fd_tensor (const Case *c, double *x, uint64_t n, uint64_t stride, const double *grad, double tol, int which,
           FdStats *st)
{
  const CwKernelShape *sh = &c->shape;

  for (uint64_t ci = (stride / 2) % n; ci < n; ci += stride)
    {
      double saved = x[ci], lp, lm, fd;
      bool skip = false;

      if (which == 0)
        {
          uint64_t r = ci / (sh->h * sh->d), hh = ci / sh->d % sh->h;
          skip = q_near_kink (c, r, hh, ci % sh->d);
          if (skip && r == c->kink_row && hh == c->kink_head)
            st->skipped_kink_head++;
        }
      else if (which == 1)
        skip = k_near_kink (c, ci / (sh->sk * sh->d), ci / sh->d % sh->sk, ci % sh->d);
      if (skip)
        {
          st->skipped++;
          continue;
        }
      x[ci] = saved + STEP;
      lp = loss_at (c);
      x[ci] = saved - STEP;
      lm = loss_at (c);
      x[ci] = saved;
      fd = (lp - lm) / (2.0 * STEP);
      st->checked++;
      if (fabs (fd - grad[ci]) / tol > st->worst)
        st->worst = fabs (fd - grad[ci]) / tol;
      CHECK (fabs (fd - grad[ci]) <= tol, "%s: d%s[%llu]: finite difference %.17g, reference %.17g (tolerance %.3g)",
             c->name, which == 0 ? "q" : which == 1 ? "k" : "w", (unsigned long long) ci, fd, grad[ci], tol);
    }
}

static void
gradcheck (const char *name, CwKernelShape shape, bool dense)
{
  const uint64_t rows = shape.b * shape.sq, nq = rows * shape.h * shape.d, nk = shape.b * shape.sk * shape.d,
                 nw = rows * shape.h;
  double *dq = malloc (nq * sizeof *dq), *dk = malloc (nk * sizeof *dk), *dw = malloc (nw * sizeof *dw);
  CwReferenceBackward out = { .kink_rel = 0.0, .dq = dq, .dk = dk, .dw = dw };
  FdStats st = { 0 };
  double tol;
  Case c;
  bool finite = true;

  make_case (&c, name, shape, dense);
  if (!run (&c, &out))
    goto done;
  tol = 64.0 * DBL_EPSILON * out.loss_mag / STEP;

  /* Padding's g and G past L(s) are NaN: never read. */
  for (uint64_t i = 0; i < nq; i++)
    finite &= isfinite (dq[i]);
  for (uint64_t i = 0; i < nk; i++)
    finite &= isfinite (dk[i]);
  for (uint64_t i = 0; i < nw; i++)
    finite &= isfinite (dw[i]);
  CHECK (finite && isfinite (out.loss), "%s: a gradient is not finite (padding or illegal G read?)", name);

  /* The zero head sits exactly at the kink: dz = 0 there. */
  CHECK (out.kinks >= 1, "%s: the zero head's entries are counted at the kink (%llu)", name,
         (unsigned long long) out.kinks);
  CHECK (dw[c.kink_row * shape.h + c.kink_head] == 0.0, "%s: dw of the zero head = %g", name,
         dw[c.kink_row * shape.h + c.kink_head]);
  for (uint64_t i = 0; i < shape.d; i++)
    CHECK (dq[(c.kink_row * shape.h + c.kink_head) * shape.d + i] == 0.0, "%s: dq of the zero head [%llu] = %g",
           name, (unsigned long long) i, dq[(c.kink_row * shape.h + c.kink_head) * shape.d + i]);

  fd_tensor (&c, c.q, nq, nq / 150 | 1, dq, tol, 0, &st);
  fd_tensor (&c, c.k, nk, nk / 150 | 1, dk, tol, 1, &st);
  fd_tensor (&c, c.w, nw, nw / 150 | 1, dw, tol, 2, &st);
  CHECK (st.checked >= 300, "%s: %llu coordinates checked", name, (unsigned long long) st.checked);
  CHECK (st.skipped - st.skipped_kink_head <= st.checked / 50, "%s: %llu coordinates skipped near a kink", name,
         (unsigned long long) (st.skipped - st.skipped_kink_head));
  printf ("  %s: %llu coordinates within %.2g (worst %.2g of it), %llu skipped at relu's kink, L = %.6g\n", name,
          (unsigned long long) st.checked, tol, st.worst, (unsigned long long) st.skipped, out.loss);
done:
  free_case (&c);
  free (dq);
  free (dk);
  free (dw);
}

/* The zero head's q coordinates are all skipped by the kink rule (its z are
 * exactly 0, wherever its row keeps a key). */
static void
kink_rule_skips_zero_head (void)
{
  CwKernelShape shape = { .b = 2, .h = 16, .d = 64, .sq = 11, .sk = 2, .top_k = 3, .ratio = 4,
                          .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 };
  Case c;
  uint64_t skipped = 0;

  make_case (&c, "kink", shape, false);
  for (uint64_t i = 0; i < shape.d; i++)
    skipped += q_near_kink (&c, c.kink_row, c.kink_head, i);
  CHECK (skipped == shape.d, "the zero head's %llu q coordinates skipped, of %llu", (unsigned long long) skipped,
         (unsigned long long) shape.d);
  free_case (&c);
}

/* Sparse keeping every legal key (top_k = sk, g = G at the kept keys) is the
 * dense backward summed in another order. */
static void
sparse_all_keys_is_dense (CwKernelShape shape)
{
  const uint64_t rows = shape.b * shape.sq, nq = rows * shape.h * shape.d, nk = shape.b * shape.sk * shape.d,
                 nw = rows * shape.h;
  double *a[3], *b[3], *m[3];
  const uint64_t n[3] = { nq, nk, nw };
  CwReferenceBackward sp, de;
  Case c;
  CwError error = CW_ERROR_INIT;

  shape.top_k = shape.sk;
  make_case (&c, "dense", shape, true);
  c.idx = malloc (rows * shape.top_k * sizeof *c.idx);
  c.g = malloc (rows * shape.top_k * sizeof *c.g);
  {
    /* idx from the forward, g = G at those keys */
    Case f;
    make_case (&f, "sparse", shape, false);
    memcpy (c.idx, f.idx, rows * shape.top_k * sizeof *c.idx);
    free_case (&f);
  }
  for (uint64_t r = 0; r < rows; r++)
    for (uint64_t j = 0; j < shape.top_k; j++)
      c.g[r * shape.top_k + j] = c.idx[r * shape.top_k + j] >= 0 ? c.G[r * c.ld + c.idx[r * shape.top_k + j]] : NAN;
  for (int i = 0; i < 3; i++)
    {
      a[i] = malloc (n[i] * sizeof (double));
      b[i] = malloc (n[i] * sizeof (double));
      m[i] = malloc (n[i] * sizeof (double));
    }
  sp = (CwReferenceBackward) { .dq = a[0], .dk = a[1], .dw = a[2] };
  de = (CwReferenceBackward) { .dq = b[0], .dk = b[1], .dw = b[2], .dq_mag = m[0], .dk_mag = m[1], .dw_mag = m[2] };
  CHECK (cw_reference_backward_sparse_f64 (&shape, c.q, c.k, c.w, c.idx, c.g, &sp, &error)
         && cw_reference_backward_dense_f64 (&shape, c.q, c.k, c.w, c.G, c.ld, &de, &error), "%s", error.message);
  for (int i = 0; i < 3; i++)
    for (uint64_t e = 0; e < n[i]; e++)
      CHECK (fabs (a[i][e] - b[i][e]) <= 1e-12 * m[i][e], "sparse over every legal key vs dense: %s[%llu] %.17g vs %.17g",
             i == 0 ? "dq" : i == 1 ? "dk" : "dw", (unsigned long long) e, a[i][e], b[i][e]);
  CHECK (fabs (sp.loss - de.loss) <= 1e-12 * de.loss_mag, "loss %.17g vs %.17g", sp.loss, de.loss);
  for (int i = 0; i < 3; i++)
    {
      free (a[i]);
      free (b[i]);
      free (m[i]);
    }
  free_case (&c);
}

/* The synthetic gradient: in [-1, 1), and the values the header's formula
 * gives (the 24-bit integers worked out with Python's integers). */
#define G24(m) ((float) ((double) (m) * 0x1p-23 - 1.0))
static void
synthetic_gradient_values (void)
{
  double lo = 1.0, hi = -1.0;

  for (uint64_t r = 0; r < 64; r++)
    for (uint64_t t = 0; t < 64; t++)
      {
        float v = cw_synthetic_gradient (r, t);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
      }
  CHECK (lo >= -1.0 && hi < 1.0 && lo < -0.9 && hi > 0.9, "synthetic gradient range [%g, %g]", lo, hi);
  CHECK (cw_synthetic_gradient (0, 0) == -1.0f, "G(0, 0) = %.9g", cw_synthetic_gradient (0, 0));
  CHECK (cw_synthetic_gradient (0, 1) == G24 (5673494), "G(0, 1) = %.9g", cw_synthetic_gradient (0, 1));
  CHECK (cw_synthetic_gradient (5, 7) == G24 (7590715), "G(5, 7) = %.9g", cw_synthetic_gradient (5, 7));
  CHECK (cw_synthetic_gradient (1048575, 262143) == G24 (13559129), "G(1048575, 262143) = %.9g",
         cw_synthetic_gradient (1048575, 262143));
}

int
main (void)
{
  const CwKernelShape compressed = { .b = 2, .h = 16, .d = 64, .sq = 11, .sk = 2, .top_k = 3, .ratio = 4,
                                     .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 };
  const CwKernelShape causal = { .b = 2, .h = 64, .d = 64, .sq = 9, .sk = 9, .top_k = 4, .ratio = 1,
                                 .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_BF16 };
  CwKernelShape causal_fp8 = causal;

  causal_fp8.qk_dtype = CW_DTYPE_FP8_E4M3;
  synthetic_gradient_values ();
  kink_rule_skips_zero_head ();
  gradcheck ("sparse h16 compressed m4 sq11 K3", compressed, false);
  gradcheck ("sparse h64 causal sq9 K4", causal, false);
  gradcheck ("sparse h64 causal sq9 K4 fp8", causal_fp8, false);
  gradcheck ("dense h16 compressed m4 sq11", compressed, true);
  gradcheck ("dense h64 causal sq9", causal, true);
  sparse_all_keys_is_dense (compressed);
  sparse_all_keys_is_dense (causal);
  if (failures)
    {
      fprintf (stderr, "%d of %d check(s) failed\n", failures, checks);
      return 1;
    }
  printf ("kernels gradcheck: %d checks passed\n", checks);
  return 0;
}
