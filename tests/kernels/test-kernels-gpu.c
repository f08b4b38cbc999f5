/* test-kernels-gpu.c: the indexer kernels against the float64 reference, and
 * against each other (suite gpu; exit 77 without a GPU).
 *
 * For each case (small and odd shapes, b > 1, sk < top_k, all-tie rows,
 * all-negative-weight rows, plain and compressed causal, bf16 and fp8):
 *  1. fused lane: every legal score within fp32 tolerance of the float64
 *     reference computed from the same bf16/fp8 inputs:
 *       |gpu - ref| <= tol * mag,  mag = sum_h |w| sum_d |q k|;
 *     the GPU top-k equals, exactly, the top-k a CPU takes of the GPU's own
 *     fp32 scores under the rule (larger first, then smaller index);
 *     the GPU top-k set equals the reference top-k set, except where the
 *     reference itself cannot tell: a swap of x (reference) for y (GPU) is
 *     accepted only if ref[x] != ref[y] and |ref[x] - ref[y]| <= tol (mag[x] +
 *     mag[y]), i.e. a near-tie that fp32 rounding may order either way.
 *     Exact reference ties must follow the index rule. Swaps are counted and
 *     printed;
 *  2. streaming (several budgets, chunks crossing batch entries) and
 *     materialize give bit-identical idx and scores to fused;
 *  3. each lane captured in a CUDA graph and replayed equals eager;
 *  4. index-mask update (graph-safe) against a CPU mask, with garbage
 *     indices; the host-checked variant works eagerly and fails under capture;
 *  5. index-cache reuse: valid flag copies, invalid flag promotes to a
 *     recompute, the same captured graph doing either.
 * Outputs are poisoned (0xAB bytes) before every run and checked written.
 * Inputs are drawn fresh from a seed printed at the start (CW_TEST_SEED
 * overrides it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cuda_runtime_api.h>

#include "cw-kernels.h"
#include "cw-kernels-private.h"
#include "cw-reference.h"

#include "../cw-test.h"

/* Sets the kernel choice (cw_kernels_set_options); the defaults are
 * (AUTO, 0, 0). */
static void
set_kernels (CwScoreKernel score_kernel, unsigned topk_depth)
{
  CwKernelOptions ko;

  cw_kernel_options_init (&ko);
  ko.score_kernel = score_kernel;
  ko.topk_depth = topk_depth;
  if (cw_kernels_set_options (&ko) != cudaSuccess)
    {
      fprintf (stderr, "kernel options (%d, %u) refused\n", (int) score_kernel, topk_depth);
      exit (1);
    }
}

static uint64_t rng_state;

#define CUDA_OK(expr)                                                               \
  do {                                                                              \
    cudaError_t e_ = (expr);                                                        \
    if (e_ != cudaSuccess)                                                          \
      {                                                                             \
        fprintf (stderr, "FATAL %s:%d: %s: %s\n", __FILE__, __LINE__, #expr,       \
                 cudaGetErrorName (e_));                                            \
        exit (1);                                                                   \
      }                                                                             \
  } while (0)

static double
rnd (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double) (rng_state >> 11) / 9007199254740992.0;
}

static void *
dalloc (size_t n)
{
  void *p = NULL;
  CUDA_OK (cudaMalloc (&p, n ? n : 1));
  return p;
}

static void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  if (p == NULL)
    {
      fprintf (stderr, "FATAL: out of host memory\n");
      exit (1);
    }
  return p;
}

static uint32_t
fbits (float f)
{
  uint32_t u;
  memcpy (&u, &f, 4);
  return u;
}

/* ---- CPU top-k of fp32 rows under the rule (-0 folded onto +0) ---------- */

typedef struct {
  float v;
  int32_t i;
} FEntry;

static int
fentry_cmp (const void *a, const void *b)
{
  const FEntry *x = a, *y = b;
  float xv = x->v + 0.0f, yv = y->v + 0.0f;
  if (xv != yv)
    return xv > yv ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i);
}

static void
cpu_topk_f32 (const float *row, uint64_t legal, uint64_t k, int32_t *idx, float *sc)
{
  FEntry *e = xmalloc (legal * sizeof *e);
  for (uint64_t t = 0; t < legal; t++)
    e[t] = (FEntry) { row[t], (int32_t) t };
  qsort (e, legal, sizeof *e, fentry_cmp);
  for (uint64_t j = 0; j < k; j++)
    {
      idx[j] = j < legal ? e[j].i : -1;
      sc[j] = j < legal ? e[j].v + 0.0f : -INFINITY;
    }
  free (e);
}

/* ---- one case -------------------------------------------------------------- */

typedef struct {
  const char *name;
  CwKernelShape shape;
} Case;

typedef struct {
  CwKernelShape s;
  size_t nq, nk, nw, nout, eb;
  void *q_h, *k_h;
  float *w_h;
  void *q_d, *k_d;
  float *w_d;
} Inputs;

static void
make_inputs (const CwKernelShape *s, Inputs *in)
{
  const int fp8 = s->qk_dtype == CW_DTYPE_FP8_E4M3;
  in->s = *s;
  in->eb = fp8 ? 1 : 2;
  in->nq = s->b * s->sq * s->h * s->d;
  in->nk = s->b * s->sk * s->d;
  in->nw = s->b * s->sq * s->h;
  in->nout = s->b * s->sq * s->top_k;
  in->q_h = xmalloc (in->nq * in->eb);
  in->k_h = xmalloc (in->nk * in->eb);
  in->w_h = xmalloc (in->nw * sizeof (float));
  for (size_t i = 0; i < in->nq; i++)
    {
      uint64_t row = i / (s->h * s->d);
      float v = (float) (2.0 * rnd () - 1.0);
      if (row % 7 == 3)
        v = 0.0f;                       /* all-tie row: every score is exactly 0 */
      if (fp8)
        ((uint8_t *) in->q_h)[i] = cw_fp8_e4m3_from_float (v);
      else
        ((uint16_t *) in->q_h)[i] = cw_bf16_from_float (v);
    }
  for (size_t i = 0; i < in->nk; i++)
    {
      uint64_t t = (i / s->d) % s->sk;
      float v = (float) (2.0 * rnd () - 1.0);
      if (fp8)
        ((uint8_t *) in->k_h)[i] = cw_fp8_e4m3_from_float (v);
      else
        ((uint16_t *) in->k_h)[i] = cw_bf16_from_float (v);
      if (t % 11 == 10)                 /* duplicate keys: exact ties in random rows */
        memcpy ((char *) in->k_h + i * in->eb, (char *) in->k_h + (i - s->d) * in->eb, in->eb);
    }
  for (size_t i = 0; i < in->nw; i++)
    {
      uint64_t row = i / s->h;
      in->w_h[i] = (float) (row % 7 == 5 ? -(0.1 + rnd ()) : 1.2 * rnd () - 0.2);   /* row%7==5: all negative */
    }
  in->q_d = dalloc (in->nq * in->eb);
  in->k_d = dalloc (in->nk * in->eb);
  in->w_d = dalloc (in->nw * sizeof (float));
  CUDA_OK (cudaMemcpy (in->q_d, in->q_h, in->nq * in->eb, cudaMemcpyHostToDevice));
  CUDA_OK (cudaMemcpy (in->k_d, in->k_h, in->nk * in->eb, cudaMemcpyHostToDevice));
  CUDA_OK (cudaMemcpy (in->w_d, in->w_h, in->nw * sizeof (float), cudaMemcpyHostToDevice));
}

static void
free_inputs (Inputs *in)
{
  free (in->q_h);
  free (in->k_h);
  free (in->w_h);
  cudaFree (in->q_d);
  cudaFree (in->k_d);
  cudaFree (in->w_d);
}

typedef struct {
  int32_t *idx_d;
  float *sc_d;
  void *ws_d;
  size_t ws_bytes;
} Outputs;

static void
poison (const Inputs *in, Outputs *o)
{
  CUDA_OK (cudaMemset (o->idx_d, 0xab, in->nout * sizeof (int32_t)));
  CUDA_OK (cudaMemset (o->sc_d, 0xab, in->nout * sizeof (float)));
}

/* The fused lane once more under another kernel choice (then back to the
 * defaults), poisoned first: its full score buffer, indices and scores in
 * full2, i2, s2 (host buffers of ws_f and in->nout * 4 bytes). */
static void
fused_with_kernels (const CwKernelShape *s, const Inputs *in, Outputs *fused, uint64_t ws_f, cudaStream_t st,
                    CwScoreKernel score_kernel, unsigned topk_depth, float *full2, int32_t *i2, float *s2)
{
  set_kernels (score_kernel, topk_depth);
  poison (in, fused);
  CUDA_OK (cudaMemset (fused->ws_d, 0xab, ws_f));
  CUDA_OK (cw_fused_run (s, in->q_d, in->k_d, in->w_d, fused->ws_d, fused->idx_d, fused->sc_d, st));
  CUDA_OK (cudaStreamSynchronize (st));
  set_kernels (CW_SCORE_KERNEL_AUTO, 0);
  CUDA_OK (cudaMemcpy (i2, fused->idx_d, in->nout * 4, cudaMemcpyDeviceToHost));
  CUDA_OK (cudaMemcpy (s2, fused->sc_d, in->nout * 4, cudaMemcpyDeviceToHost));
  CUDA_OK (cudaMemcpy (full2, fused->ws_d, ws_f, cudaMemcpyDeviceToHost));
}

static int
all_written (const int32_t *idx, const float *sc, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if ((uint32_t) idx[i] == 0xababababu || fbits (sc[i]) == 0xababababu)
      return 0;
  return 1;
}

static int
same_bits (const void *a, const void *b, size_t n)
{
  return memcmp (a, b, n) == 0;
}

/* Compares GPU idx with the float64 reference under the near-tie rule. */
static void
check_against_reference (const char *name, const Inputs *in, const int32_t *gidx, const double *ref,
                         const double *mag, const int32_t *ridx, double tol, int *swaps)
{
  const CwKernelShape *s = &in->s;
  int32_t *miss = xmalloc (s->top_k * sizeof *miss), *extra = xmalloc (s->top_k * sizeof *extra);

  for (uint64_t row = 0; row < s->b * s->sq; row++)
    {
      const int32_t *g = gidx + row * s->top_k, *r = ridx + row * s->top_k;
      const double *rs = ref + row * s->sk, *ms = mag + row * s->sk;
      int nm = 0, ne = 0;

      for (uint64_t j = 0; j < s->top_k; j++)
        {
          int in_g = 0, in_r = 0;
          for (uint64_t l = 0; l < s->top_k; l++)
            {
              in_g |= g[l] == r[j];
              in_r |= r[l] == g[j];
            }
          if (!in_g)
            miss[nm++] = r[j];
          if (!in_r)
            extra[ne++] = g[j];
        }
      if (nm != ne)
        {
          CHECK (0, "%s row %llu: set sizes differ (%d missed, %d extra)", name, (unsigned long long) row, nm, ne);
          continue;
        }
      /* pair by reference score, descending (the lists are short) */
      for (int a = 0; a < nm; a++)
        for (int b = a + 1; b < nm; b++)
          {
            if (miss[b] >= 0 && (miss[a] < 0 || rs[miss[b]] > rs[miss[a]]))
              { int32_t t = miss[a]; miss[a] = miss[b]; miss[b] = t; }
            if (extra[b] >= 0 && (extra[a] < 0 || rs[extra[b]] > rs[extra[a]]))
              { int32_t t = extra[a]; extra[a] = extra[b]; extra[b] = t; }
          }
      for (int a = 0; a < nm; a++)
        {
          int32_t x = miss[a], y = extra[a];
          int ok = x >= 0 && y >= 0 && rs[x] != rs[y] && fabs (rs[x] - rs[y]) <= tol * (ms[x] + ms[y]);
          CHECK (ok, "%s row %llu: reference keeps %d (%.9g) where the GPU keeps %d (%.9g): not a near-tie",
                 name, (unsigned long long) row, x, x >= 0 ? rs[x] : NAN, y, y >= 0 ? rs[y] : NAN);
          if (ok)
            {
              (*swaps)++;
              if (*swaps <= 5)
                printf ("  near-tie swap %s row %llu: ref %d (%.9g) vs gpu %d (%.9g), tol %.3g\n", name,
                        (unsigned long long) row, x, rs[x], y, rs[y], tol * (ms[x] + ms[y]));
            }
        }
    }
  free (miss);
  free (extra);
}

static void
run_case (const Case *c)
{
  const CwKernelShape *s = &c->shape;
  const int fp8 = s->qk_dtype == CW_DTYPE_FP8_E4M3;
  const double tol = fp8 ? 5e-4 : 3e-5;
  Inputs in;
  Outputs fused = { 0 }, other = { 0 };
  uint64_t ws_f, ws_m, rows_total = s->b * s->sq;
  CwError error = CW_ERROR_INIT;
  cudaStream_t st;
  int swaps = 0;

  printf ("case %s: b=%llu h=%llu d=%llu sq=%llu sk=%llu k=%llu causal=%d m=%llu %s\n", c->name,
          (unsigned long long) s->b, (unsigned long long) s->h, (unsigned long long) s->d,
          (unsigned long long) s->sq, (unsigned long long) s->sk, (unsigned long long) s->top_k, (int) s->causal,
          (unsigned long long) s->ratio, fp8 ? "fp8-e4m3" : "bf16");
  CHECK (cw_kernel_shape_check (s, &error), "%s: shape: %s", c->name, error.message);
  make_inputs (s, &in);
  /* A blocking stream: the poisoning cudaMemset calls (legacy default
   * stream) are ordered before the kernels under test. */
  CUDA_OK (cudaStreamCreate (&st));

  /* ---- reference */
  double *ref = xmalloc (rows_total * s->sk * sizeof *ref), *mag = xmalloc (rows_total * s->sk * sizeof *mag);
  int32_t *ridx = xmalloc (in.nout * sizeof *ridx);
  CHECK (cw_reference_scores (s, in.q_h, in.k_h, in.w_h, ref, mag, &error), "reference: %s", error.message);
  CHECK (cw_reference_topk (s, ref, ridx, NULL, &error), "reference topk: %s", error.message);

  /* ---- fused */
  CHECK (cw_kernels_fused_workspace_bytes (s, &ws_f, &error), "fused ws");
  fused.idx_d = dalloc (in.nout * 4);
  fused.sc_d = dalloc (in.nout * 4);
  fused.ws_d = dalloc (ws_f);
  fused.ws_bytes = ws_f;
  poison (&in, &fused);
  CUDA_OK (cw_fused_run (s, in.q_d, in.k_d, in.w_d, fused.ws_d, fused.idx_d, fused.sc_d, st));
  CUDA_OK (cudaStreamSynchronize (st));
  int32_t *fidx = xmalloc (in.nout * 4);
  float *fsc = xmalloc (in.nout * 4), *full = xmalloc (ws_f);
  CUDA_OK (cudaMemcpy (fidx, fused.idx_d, in.nout * 4, cudaMemcpyDeviceToHost));
  CUDA_OK (cudaMemcpy (fsc, fused.sc_d, in.nout * 4, cudaMemcpyDeviceToHost));
  CUDA_OK (cudaMemcpy (full, fused.ws_d, ws_f, cudaMemcpyDeviceToHost));
  CHECK (all_written (fidx, fsc, in.nout), "%s fused: outputs not all written", c->name);

  /* scores against float64 */
  double worst = 0.0;
  for (uint64_t row = 0; row < rows_total; row++)
    {
      uint64_t legal = cw_kernel_shape_legal_keys (s, row % s->sq);
      for (uint64_t t = 0; t < legal; t++)
        {
          double g = full[row * s->sk + t], r = ref[row * s->sk + t], m = mag[row * s->sk + t];
          double err = fabs (g - r);
          if (!(err <= tol * m) && !(m == 0.0 && g == 0.0))
            {
              CHECK (0, "%s score row %llu t %llu: gpu %.9g ref %.9g mag %.3g", c->name,
                     (unsigned long long) row, (unsigned long long) t, g, r, m);
              goto scores_done;
            }
          if (m > 0 && err / m > worst)
            worst = err / m;
        }
    }
scores_done:
  printf ("  fused scores: max |gpu - ref| / mag = %.3g (tolerance %.1g)\n", worst, tol);

  /* top-k exact against the GPU's own fp32 scores */
  {
    int32_t *ci = xmalloc (s->top_k * 4);
    float *cs = xmalloc (s->top_k * 4);
    int bad = 0;
    for (uint64_t row = 0; row < rows_total && bad < 3; row++)
      {
        cpu_topk_f32 (full + row * s->sk, cw_kernel_shape_legal_keys (s, row % s->sq), s->top_k, ci, cs);
        if (!same_bits (ci, fidx + row * s->top_k, s->top_k * 4) || !same_bits (cs, fsc + row * s->top_k, s->top_k * 4))
          {
            bad++;
            CHECK (0, "%s fused row %llu: GPU top-k differs from the exact top-k of its own scores (first %d vs %d)",
                   c->name, (unsigned long long) row, fidx[row * s->top_k], ci[0]);
          }
      }
    free (ci);
    free (cs);
  }
  check_against_reference (c->name, &in, fidx, ref, mag, ridx, tol, &swaps);

  /* The two score kernels (wgmma where h = 64, mma.sync always) must agree
   * bit for bit: same products, same head-sum order. */
  {
    float *full2 = xmalloc (ws_f);
    int32_t *i2 = xmalloc (in.nout * 4);
    float *s2 = xmalloc (in.nout * 4);
    fused_with_kernels (s, &in, &fused, ws_f, st, CW_SCORE_KERNEL_MMA_SYNC, 0, full2, i2, s2);
    /* bf16: the wgmma and mma.sync products are exact in fp32 and summed in
     * one order: bit-identical. fp8 on Hopper: the fp8 wgmma (QGMMA)
     * accumulates with less precision than the mma.sync path (which widens
     * to f16), so there the two must agree only within the fp8 tolerance. */
    const int exact = !(fp8 && s->h == 64 && s->d == 128);   /* fp8 d=64 uses mma.sync on both sides */
    int same = 1, rows_differ = 0;
    double worst2 = 0.0;
    for (uint64_t row = 0; row < rows_total; row++)
      for (uint64_t t = 0; t < cw_kernel_shape_legal_keys (s, row % s->sq); t++)
        {
          double a = full2[row * s->sk + t], b = full[row * s->sk + t], m = mag[row * s->sk + t];
          if (exact)
            same &= fbits (full2[row * s->sk + t]) == fbits (full[row * s->sk + t]);
          else if (fabs (a - b) > tol * m && !(m == 0.0 && a == b))
            same = 0;
          if (m > 0 && fabs (a - b) / m > worst2)
            worst2 = fabs (a - b) / m;
        }
    if (exact)
      same &= same_bits (i2, fidx, in.nout * 4) && same_bits (s2, fsc, in.nout * 4);
    else
      for (uint64_t row = 0; row < rows_total; row++)
        rows_differ += !same_bits (i2 + row * s->top_k, fidx + row * s->top_k, s->top_k * 4);
    CHECK (same, "%s: mma.sync and default score kernels differ", c->name);
    printf ("  score kernels (default %s vs mma.sync): %s (max diff / mag %.3g; top-k rows differing %d)\n",
            s->h == 64 && !(fp8 && s->d == 64) ? "wgmma" : "mma.sync",
            same ? (exact ? "bit-identical" : "agree within tolerance") : "DIFFER", worst2, rows_differ);
    free (full2);
    free (i2);
    free (s2);
  }

  /* The other kernels AUTO may choose must agree with it bit for bit: the
   * plain wgmma kernel (AUTO's fallback where no TMA tensor map can be made
   * for k) and the top-k with 8 loads in flight per thread (AUTO's choice
   * for launches of few long rows, which these shapes are not). Same
   * instruction, same products, same head-sum order, same selection. */
  {
    float *full2 = xmalloc (ws_f);
    int32_t *i2 = xmalloc (in.nout * 4);
    float *s2 = xmalloc (in.nout * 4);
    fused_with_kernels (s, &in, &fused, ws_f, st, CW_SCORE_KERNEL_WGMMA, 8, full2, i2, s2);
    int same = 1;
    for (uint64_t row = 0; row < rows_total; row++)
      for (uint64_t t = 0; t < cw_kernel_shape_legal_keys (s, row % s->sq); t++)
        same &= fbits (full2[row * s->sk + t]) == fbits (full[row * s->sk + t]);
    same &= same_bits (i2, fidx, in.nout * 4) && same_bits (s2, fsc, in.nout * 4);
    CHECK (same, "%s: plain wgmma / top-k depth 8 differ from the default kernels", c->name);
    printf ("  plain wgmma score + top-k depth 8 vs default: bit-identical\n");
    free (full2);
    free (i2);
    free (s2);
  }
  printf ("  top-k vs float64 reference: %d near-tie swap(s) accepted over %llu rows\n", swaps,
          (unsigned long long) rows_total);

  /* ---- streaming at several budgets: bit-identical to fused */
  other.idx_d = dalloc (in.nout * 4);
  other.sc_d = dalloc (in.nout * 4);
  int32_t *oidx = xmalloc (in.nout * 4);
  float *osc = xmalloc (in.nout * 4);
  const uint64_t budgets[] = { 1, 5 * s->sk * 4, 37 * s->sk * 4 + 3, UINT64_MAX / 2 };
  for (size_t bi = 0; bi < sizeof budgets / sizeof budgets[0]; bi++)
    {
      uint64_t ws, rows;
      CHECK (cw_kernels_streaming_workspace_bytes (s, budgets[bi], &ws, &error), "streaming ws");
      CHECK (cw_kernels_streaming_rows (s, budgets[bi], &rows, &error), "streaming rows");
      void *tile = dalloc (ws);
      poison (&in, &other);
      CUDA_OK (cw_streaming_run (s, budgets[bi], in.q_d, in.k_d, in.w_d, tile, other.idx_d, other.sc_d, st));
      CUDA_OK (cudaStreamSynchronize (st));
      CUDA_OK (cudaMemcpy (oidx, other.idx_d, in.nout * 4, cudaMemcpyDeviceToHost));
      CUDA_OK (cudaMemcpy (osc, other.sc_d, in.nout * 4, cudaMemcpyDeviceToHost));
      CHECK (all_written (oidx, osc, in.nout), "%s streaming rows=%llu: not all written", c->name,
             (unsigned long long) rows);
      CHECK (same_bits (oidx, fidx, in.nout * 4) && same_bits (osc, fsc, in.nout * 4),
             "%s streaming rows=%llu differs from fused", c->name, (unsigned long long) rows);
      printf ("  streaming rows=%llu: %s\n", (unsigned long long) rows,
              same_bits (oidx, fidx, in.nout * 4) && same_bits (osc, fsc, in.nout * 4) ? "identical to fused" : "DIFFERS");

      if (bi == 2)
        {
          /* graph capture of the streaming lane: replay equals eager */
          cudaGraph_t graph;
          cudaGraphExec_t exec;
          CUDA_OK (cudaStreamBeginCapture (st, cudaStreamCaptureModeGlobal));
          CUDA_OK (cw_streaming_run (s, budgets[bi], in.q_d, in.k_d, in.w_d, tile, other.idx_d, other.sc_d, st));
          CUDA_OK (cudaStreamEndCapture (st, &graph));
          CUDA_OK (cudaGraphInstantiate (&exec, graph, 0));
          /* Twice: a replay must not depend on what the previous one left
           * in the workspace or the outputs (poisoned again). */
          int replays_equal = 1;
          for (int rep = 0; rep < 2; rep++)
            {
              poison (&in, &other);
              CUDA_OK (cudaGraphLaunch (exec, st));
              CUDA_OK (cudaStreamSynchronize (st));
              CUDA_OK (cudaMemcpy (oidx, other.idx_d, in.nout * 4, cudaMemcpyDeviceToHost));
              CUDA_OK (cudaMemcpy (osc, other.sc_d, in.nout * 4, cudaMemcpyDeviceToHost));
              replays_equal &= same_bits (oidx, fidx, in.nout * 4) && same_bits (osc, fsc, in.nout * 4);
            }
          CHECK (replays_equal, "%s streaming graph replay differs from eager", c->name);
          printf ("  streaming graph replay (x2): %s\n", replays_equal ? "equals eager" : "DIFFERS");
          cudaGraphExecDestroy (exec);
          cudaGraphDestroy (graph);
        }
      cudaFree (tile);
    }

  /* ---- fused graph replay */
  {
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    CUDA_OK (cudaStreamBeginCapture (st, cudaStreamCaptureModeGlobal));
    CUDA_OK (cw_fused_run (s, in.q_d, in.k_d, in.w_d, fused.ws_d, other.idx_d, other.sc_d, st));
    CUDA_OK (cudaStreamEndCapture (st, &graph));
    CUDA_OK (cudaGraphInstantiate (&exec, graph, 0));
    poison (&in, &other);
    CUDA_OK (cudaGraphLaunch (exec, st));
    CUDA_OK (cudaStreamSynchronize (st));
    CUDA_OK (cudaMemcpy (oidx, other.idx_d, in.nout * 4, cudaMemcpyDeviceToHost));
    CUDA_OK (cudaMemcpy (osc, other.sc_d, in.nout * 4, cudaMemcpyDeviceToHost));
    CHECK (same_bits (oidx, fidx, in.nout * 4) && same_bits (osc, fsc, in.nout * 4), "%s fused graph replay differs",
           c->name);
    printf ("  fused graph replay: %s\n", same_bits (oidx, fidx, in.nout * 4) ? "equals eager" : "DIFFERS");
    cudaGraphExecDestroy (exec);
    cudaGraphDestroy (graph);
  }

  /* ---- materialize: eager and graph, bit-identical to fused */
  CHECK (cw_kernels_materialize_workspace_bytes (s, &ws_m, &error), "materialize ws");
  {
    void *mws = dalloc (ws_m);
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    float *reduced = xmalloc (ws_f);
    poison (&in, &other);
    CUDA_OK (cw_materialize_run (s, in.q_d, in.k_d, in.w_d, mws, other.idx_d, other.sc_d, st));
    CUDA_OK (cudaStreamSynchronize (st));
    CUDA_OK (cudaMemcpy (oidx, other.idx_d, in.nout * 4, cudaMemcpyDeviceToHost));
    CUDA_OK (cudaMemcpy (osc, other.sc_d, in.nout * 4, cudaMemcpyDeviceToHost));
    CUDA_OK (cudaMemcpy (reduced, (char *) mws + (ws_m - ws_f), ws_f, cudaMemcpyDeviceToHost));
    int same_scores = 1;
    for (uint64_t row = 0; row < rows_total; row++)
      for (uint64_t t = 0; t < cw_kernel_shape_legal_keys (s, row % s->sq); t++)
        same_scores &= fbits (reduced[row * s->sk + t]) == fbits (full[row * s->sk + t]);
    CHECK (same_scores, "%s materialize's reduced scores differ from fused scores", c->name);
    CHECK (all_written (oidx, osc, in.nout), "%s materialize: not all written", c->name);
    CHECK (same_bits (oidx, fidx, in.nout * 4) && same_bits (osc, fsc, in.nout * 4), "%s materialize differs from fused",
           c->name);
    printf ("  materialize: scores %s, top-k %s\n", same_scores ? "bit-identical to fused" : "DIFFER",
            same_bits (oidx, fidx, in.nout * 4) ? "identical to fused" : "DIFFERS");
    CUDA_OK (cudaStreamBeginCapture (st, cudaStreamCaptureModeGlobal));
    CUDA_OK (cw_materialize_run (s, in.q_d, in.k_d, in.w_d, mws, other.idx_d, other.sc_d, st));
    CUDA_OK (cudaStreamEndCapture (st, &graph));
    CUDA_OK (cudaGraphInstantiate (&exec, graph, 0));
    poison (&in, &other);
    CUDA_OK (cudaGraphLaunch (exec, st));
    CUDA_OK (cudaStreamSynchronize (st));
    CUDA_OK (cudaMemcpy (oidx, other.idx_d, in.nout * 4, cudaMemcpyDeviceToHost));
    CHECK (same_bits (oidx, fidx, in.nout * 4), "%s materialize graph replay differs", c->name);
    cudaGraphExecDestroy (exec);
    cudaGraphDestroy (graph);
    cudaFree (mws);
    free (reduced);
  }

  /* ---- index mask update: graph-safe vs CPU, garbage entries, host-checked */
  {
    const uint64_t mcols = s->sk + 1, mbytes = rows_total * mcols;
    uint8_t *mask_d = dalloc (mbytes), *mask_h = xmalloc (mbytes), *want = xmalloc (mbytes);
    unsigned long long *ninv_d = dalloc (sizeof (unsigned long long)), ninv = 0, want_inv = 0;
    int32_t *bad_idx = xmalloc (in.nout * 4), *bad_d = dalloc (in.nout * 4);

    memcpy (bad_idx, fidx, in.nout * 4);
    for (uint64_t e = 0; e < in.nout; e += 13)
      {
        uint64_t row = e / s->top_k;
        const int32_t garbage[] = { -7, (int32_t) s->sk + 5, 1 << 30,
                                    (int32_t) cw_kernel_shape_legal_keys (s, row % s->sq) };
        bad_idx[e] = garbage[(e / 13) % 4];
      }
    memset (want, 0, mbytes);
    for (uint64_t e = 0; e < in.nout; e++)
      {
        uint64_t row = e / s->top_k, legal = cw_kernel_shape_legal_keys (s, row % s->sq);
        int64_t t = bad_idx[e];
        int valid = t >= 0 && (uint64_t) t < legal;
        want[row * mcols + (valid ? (uint64_t) t : s->sk)] = 1;
        want_inv += !valid;
      }
    CUDA_OK (cudaMemcpy (bad_d, bad_idx, in.nout * 4, cudaMemcpyHostToDevice));
    CUDA_OK (cudaMemset (mask_d, 0xab, mbytes));
    CUDA_OK (cw_index_mask_update (s, bad_d, mask_d, ninv_d, st));
    CUDA_OK (cudaStreamSynchronize (st));
    CUDA_OK (cudaMemcpy (mask_h, mask_d, mbytes, cudaMemcpyDeviceToHost));
    CUDA_OK (cudaMemcpy (&ninv, ninv_d, sizeof ninv, cudaMemcpyDeviceToHost));
    CHECK (same_bits (mask_h, want, mbytes), "%s index mask differs from the CPU mask", c->name);
    CHECK (ninv == want_inv, "%s invalid count %llu, expected %llu", c->name, ninv, want_inv);

    CUDA_OK (cudaMemset (mask_d, 0xab, mbytes));
    CUDA_OK (cw_index_mask_update_host_checked (s, bad_d, mask_d, ninv_d, st));
    CUDA_OK (cudaStreamSynchronize (st));
    CUDA_OK (cudaMemcpy (mask_h, mask_d, mbytes, cudaMemcpyDeviceToHost));
    CHECK (same_bits (mask_h, want, mbytes), "%s host-checked mask differs (eager)", c->name);

    /* graph-safe one captures and replays */
    {
      cudaGraph_t graph;
      cudaGraphExec_t exec;
      CUDA_OK (cudaStreamBeginCapture (st, cudaStreamCaptureModeGlobal));
      CUDA_OK (cw_index_mask_update (s, bad_d, mask_d, ninv_d, st));
      CUDA_OK (cudaStreamEndCapture (st, &graph));
      CUDA_OK (cudaGraphInstantiate (&exec, graph, 0));
      CUDA_OK (cudaMemset (mask_d, 0xab, mbytes));
      CUDA_OK (cudaGraphLaunch (exec, st));
      CUDA_OK (cudaStreamSynchronize (st));
      CUDA_OK (cudaMemcpy (mask_h, mask_d, mbytes, cudaMemcpyDeviceToHost));
      CHECK (same_bits (mask_h, want, mbytes), "%s index mask graph replay differs", c->name);
      cudaGraphExecDestroy (exec);
      cudaGraphDestroy (graph);
    }
    /* the host-checked one cannot be captured */
    {
      cudaGraph_t graph = NULL;
      cudaError_t e1, e2;
      CUDA_OK (cudaStreamBeginCapture (st, cudaStreamCaptureModeGlobal));
      e1 = cw_index_mask_update_host_checked (s, bad_d, mask_d, ninv_d, st);
      e2 = cudaStreamEndCapture (st, &graph);
      if (graph != NULL)
        cudaGraphDestroy (graph);
      (void) cudaGetLastError ();      /* clear the sticky-free capture error */
      CHECK (e1 != cudaSuccess, "%s host-checked update captured without error", c->name);
      CHECK (e2 != cudaSuccess, "%s capture with a host sync ended without error", c->name);
      printf ("  index mask: %llu invalid -> sink; host-checked under capture: %s, end capture: %s\n",
              ninv, cudaGetErrorName (e1), cudaGetErrorName (e2));
    }
    cudaFree (mask_d);
    cudaFree (ninv_d);
    cudaFree (bad_d);
    free (mask_h);
    free (want);
    free (bad_idx);
  }

  /* ---- index cache reuse: one captured graph, the flag decides on the device */
  {
    uint64_t ws;
    CHECK (cw_kernels_streaming_workspace_bytes (s, 37 * s->sk * 4, &ws, &error), "cache ws");
    void *tile = dalloc (ws);
    int32_t *cache_h = xmalloc (in.nout * 4), *cache_d = dalloc (in.nout * 4), *flag_d = dalloc (4), *prom_d = dalloc (4);
    int32_t prom = -1;
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    for (uint64_t e = 0; e < in.nout; e++)
      cache_h[e] = (int32_t) ((e * 7919) % (s->sk + 3)) - 1;
    CUDA_OK (cudaMemcpy (cache_d, cache_h, in.nout * 4, cudaMemcpyHostToDevice));
    CUDA_OK (cudaStreamBeginCapture (st, cudaStreamCaptureModeGlobal));
    CUDA_OK (cw_index_cache_reuse (s, 37 * s->sk * 4, cache_d, flag_d, in.q_d, in.k_d, in.w_d, tile, other.idx_d,
                                   other.sc_d, prom_d, st));
    CUDA_OK (cudaStreamEndCapture (st, &graph));
    CUDA_OK (cudaGraphInstantiate (&exec, graph, 0));
    const int32_t flags[] = { 1, 0, 5 };
    for (int f = 0; f < 3; f++)
      {
        CUDA_OK (cudaMemcpy (flag_d, &flags[f], 4, cudaMemcpyHostToDevice));
        poison (&in, &other);
        CUDA_OK (cudaGraphLaunch (exec, st));
        CUDA_OK (cudaStreamSynchronize (st));
        CUDA_OK (cudaMemcpy (oidx, other.idx_d, in.nout * 4, cudaMemcpyDeviceToHost));
        CUDA_OK (cudaMemcpy (&prom, prom_d, 4, cudaMemcpyDeviceToHost));
        if (flags[f] == 1)
          CHECK (prom == 0 && same_bits (oidx, cache_h, in.nout * 4), "%s cache valid: not reused (promoted %d)",
                 c->name, prom);
        else
          CHECK (prom == 1 && same_bits (oidx, fidx, in.nout * 4), "%s cache flag %d: not recomputed (promoted %d)",
                 c->name, flags[f], prom);
      }
    printf ("  index cache: one graph; flag 1 reuses, flags 0 and 5 promote to a recompute equal to fused\n");
    cudaGraphExecDestroy (exec);
    cudaGraphDestroy (graph);
    cudaFree (tile);
    cudaFree (cache_d);
    cudaFree (flag_d);
    cudaFree (prom_d);
    free (cache_h);
  }

  CUDA_OK (cudaStreamDestroy (st));
  cudaFree (fused.idx_d);
  cudaFree (fused.sc_d);
  cudaFree (fused.ws_d);
  cudaFree (other.idx_d);
  cudaFree (other.sc_d);
  free (fidx);
  free (fsc);
  free (full);
  free (oidx);
  free (osc);
  free (ref);
  free (mag);
  free (ridx);
  free_inputs (&in);
}

/* cw_topk_rows alone on crafted fp32 rows (long rows take the radix path;
 * heavy ties take the ordered tie path), compared exactly with the CPU. */
static void
run_topk_crafted (void)
{
  const CwKernelShape shapes[] = {
    { .b = 1, .h = 64, .d = 128, .sq = 12, .sk = 20011, .top_k = 777, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 },
    { .b = 1, .h = 64, .d = 128, .sq = 12, .sk = 9000, .top_k = 2048, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 },
    /* k = 512 (the indexer's): the sampled path and the 512-entry sort */
    { .b = 1, .h = 64, .d = 128, .sq = 18, .sk = 16411, .top_k = 512, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 },
    { .b = 2, .h = 64, .d = 128, .sq = 6000, .sk = 6000, .top_k = 100, .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_BF16 },
    /* k = 512 on rows of up to 16,384 keys (the S=65,536 lane's): sampled
     * rows, and the exact paths the patterns force (ties, plateaus); added
     * with v16h's one-warp-per-row kernel, kept for the block kernel */
    { .b = 1, .h = 64, .d = 128, .sq = 36, .sk = 16384, .top_k = 512, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 },
    { .b = 2, .h = 64, .d = 128, .sq = 3000, .sk = 9000, .top_k = 512, .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_BF16 },
  };
  for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
    {
      const CwKernelShape *s = &shapes[si];
      const uint64_t rows = s->b * s->sq, n = rows * s->sk, nout = rows * s->top_k;
      float *sc = xmalloc (n * 4), *gs = xmalloc (nout * 4), *cs = xmalloc (s->top_k * 4);
      int32_t *gi = xmalloc (nout * 4), *ci = xmalloc (s->top_k * 4);
      float *sc_d = dalloc (n * 4), *out_d = dalloc (nout * 4);
      int32_t *idx_d = dalloc (nout * 4);
      int bad = 0;

      for (uint64_t r = 0; r < rows; r++)
        for (uint64_t t = 0; t < s->sk; t++)
          {
            float v;
            switch (r % 6)
              {
              case 0: v = (float) (rnd () * 2 - 1); break;                          /* random */
              case 1: v = 1.5f; break;                                              /* all ties */
              case 2: { const float set[] = { -1.0f, 0.0f, -0.0f, 2.0f }; v = set[(int) (rnd () * 4)]; } break;
              case 3: v = rnd () < 0.01 ? (float) (2.0 + rnd ()) : 1.0f; break;      /* few above a plateau */
              case 4: v = (float) (-1e-3 - rnd ()); break;                          /* all negative */
              default: v = 1.0f + (float) (int) (rnd () * 5000) * 1.1920929e-7f; break; /* dense in one bin */
              }
            sc[r * s->sk + t] = v;
          }
      CUDA_OK (cudaMemcpy (sc_d, sc, n * 4, cudaMemcpyHostToDevice));
      CUDA_OK (cudaMemset (idx_d, 0xab, nout * 4));
      CUDA_OK (cudaMemset (out_d, 0xab, nout * 4));
      CUDA_OK (cw_topk_rows (s, sc_d, s->sk, 0, rows, idx_d, out_d, 0));
      CUDA_OK (cudaDeviceSynchronize ());
      CUDA_OK (cudaMemcpy (gi, idx_d, nout * 4, cudaMemcpyDeviceToHost));
      CUDA_OK (cudaMemcpy (gs, out_d, nout * 4, cudaMemcpyDeviceToHost));
      CHECK (all_written (gi, gs, nout), "crafted top-k %zu: not all written", si);
      for (uint64_t r = 0; r < rows && bad < 3; r++)
        {
          cpu_topk_f32 (sc + r * s->sk, cw_kernel_shape_legal_keys (s, r % s->sq), s->top_k, ci, cs);
          if (!same_bits (ci, gi + r * s->top_k, s->top_k * 4) || !same_bits (cs, gs + r * s->top_k, s->top_k * 4))
            {
              bad++;
              CHECK (0, "crafted top-k shape %zu row %llu (pattern %llu) differs from the CPU", si,
                     (unsigned long long) r, (unsigned long long) (r % 6));
            }
        }
      printf ("crafted top-k: %llu rows of up to %llu keys, k=%llu: %s\n", (unsigned long long) rows,
              (unsigned long long) s->sk, (unsigned long long) s->top_k, bad ? "DIFFERS" : "exact");
      free (sc);
      free (gs);
      free (cs);
      free (gi);
      free (ci);
      cudaFree (sc_d);
      cudaFree (out_d);
      cudaFree (idx_d);
    }
}

int
main (int argc, char **argv)
{
  int ndev = 0;
  const char *seed_env = getenv ("CW_TEST_SEED");

  (void) argv;
  if (argc > 1)
    {
      fprintf (stderr, "usage: test-kernels-gpu (CW_TEST_SEED=N for a fixed seed)\n");
      return 2;
    }
  if (cudaGetDeviceCount (&ndev) != cudaSuccess || ndev == 0)
    {
      printf ("no CUDA device: skipping\n");
      return 77;
    }
  rng_state = seed_env != NULL ? strtoull (seed_env, NULL, 0) : (uint64_t) time (NULL) * 2654435761u + 1;
  if (rng_state == 0)
    rng_state = 1;
  printf ("seed %llu\n", (unsigned long long) rng_state);

  const Case cases[] = {
    { "causal-b2", { .b = 2, .h = 64, .d = 128, .sq = 77, .sk = 77, .top_k = 16, .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_BF16 } },
    { "compressed-m4-sk<k", { .b = 1, .h = 64, .d = 128, .sq = 203, .sk = 50, .top_k = 64, .ratio = 4, .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 } },
    { "none-odd-b3", { .b = 3, .h = 32, .d = 64, .sq = 45, .sk = 130, .top_k = 20, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 } },
    { "long-rows-radix", { .b = 1, .h = 16, .d = 64, .sq = 30, .sk = 9001, .top_k = 300, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 } },
    { "k2048-radix", { .b = 1, .h = 64, .d = 128, .sq = 15, .sk = 6000, .top_k = 2048, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 } },
    { "compressed-m4-b2", { .b = 2, .h = 64, .d = 128, .sq = 1030, .sk = 257, .top_k = 128, .ratio = 4, .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 } },
    { "fp8-compressed-m4", { .b = 1, .h = 64, .d = 128, .sq = 203, .sk = 50, .top_k = 64, .ratio = 4, .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
    { "fp8-causal-b2", { .b = 2, .h = 32, .d = 128, .sq = 150, .sk = 150, .top_k = 40, .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
    { "h64-d64-causal (wgmma 128-byte rows)", { .b = 2, .h = 64, .d = 64, .sq = 301, .sk = 301, .top_k = 33, .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_BF16 } },
    { "fp8-h64-d64 (mma.sync fallback)", { .b = 1, .h = 64, .d = 64, .sq = 90, .sk = 211, .top_k = 50, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
    { "fp8-long-rows", { .b = 1, .h = 64, .d = 128, .sq = 9, .sk = 5003, .top_k = 512, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run_case (&cases[i]);
  run_topk_crafted ();

  if (failures)
    {
      fprintf (stderr, "%d check(s) failed (seed %s)\n", failures, seed_env ? seed_env : "above");
      return 1;
    }
  printf ("kernels gpu: all checks passed\n");
  return 0;
}
