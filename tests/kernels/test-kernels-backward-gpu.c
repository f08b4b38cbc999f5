/* test-kernels-backward-gpu.c: the sparse backward (cw_backward_sparse_run)
 * against the float64 reference and against itself (suite gpu; exit 77
 * without a GPU).
 *
 * For each case (small and odd shapes, every h and d the kernels take, b > 1,
 * causal, compressed-causal and none, top_k above L(s) so rows are padded,
 * bf16 and fp8, ties in z: all-zero q rows and duplicate keys):
 *  1. idx comes from the forward lane (cw_fused_run on the same inputs); g
 *     is random in [-1, 1) on kept entries and NaN on the padding (it must
 *     never be read there);
 *  2. dq, dw, dk (poisoned with NaN bytes, the workspace too) against
 *     cw_reference_backward_sparse:
 *       |gpu - ref| <= TOL * mag + kink,  TOL = 3e-5,
 *     mag the reference's sum of |terms| of that output, kink its allowance
 *     for entries whose z lies within KINK_REL = 1e-5 of sum_i |q_i k_i| of
 *     relu's kink (an fp32 z of 128 exact products is within 127 * 2^-24 =
 *     7.6e-6 of that sum, so it may take the other side only there); every
 *     output written (finite);
 *  3. bit-identical across two runs and across budgets: 1 row per chunk, 5,
 *     37 (chunks crossing batch entries) and one chunk of every row (the
 *     fused backward, budget UINT64_MAX);
 *  4. captured in a CUDA graph (several chunks), replayed twice on poisoned
 *     outputs: equal to eager, bit for bit;
 *  5. refusals: a shape the kernels do not take (cudaErrorNotSupported), a
 *     misaligned workspace (cudaErrorInvalidValue).
 * Inputs are drawn from a seed printed at the start (CW_TEST_SEED overrides
 * it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cuda_runtime_api.h>

#include "cw-kernels.h"
#include "cw-reference.h"

#include "../cw-test.h"

#define TOL 3e-5
#define KINK_REL 1e-5

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

static uint64_t rng_state;

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

typedef struct {
  const char *name;
  CwKernelShape shape;
} Case;

/* Device inputs and outputs of one case, and the host copies. */
typedef struct {
  CwKernelShape s;
  size_t nq, nk, nw, ne, eb, ndq, ndw, ndk;
  void *q_h, *k_h;
  float *w_h, *g_h;
  int32_t *idx_h;
  void *q_d, *k_d;
  float *w_d, *g_d;
  int32_t *idx_d;
  float *dq_d, *dw_d, *dk_d;
} Bwd;

static void
make_inputs (const CwKernelShape *s, Bwd *x)
{
  const int fp8 = s->qk_dtype == CW_DTYPE_FP8_E4M3;

  x->s = *s;
  x->eb = fp8 ? 1 : 2;
  x->nq = s->b * s->sq * s->h * s->d;
  x->nk = s->b * s->sk * s->d;
  x->nw = s->b * s->sq * s->h;
  x->ne = s->b * s->sq * s->top_k;
  x->ndq = x->nq;
  x->ndw = x->nw;
  x->ndk = x->nk;
  x->q_h = xmalloc (x->nq * x->eb);
  x->k_h = xmalloc (x->nk * x->eb);
  x->w_h = xmalloc (x->nw * sizeof (float));
  x->g_h = xmalloc (x->ne * sizeof (float));
  x->idx_h = xmalloc (x->ne * sizeof (int32_t));
  for (size_t i = 0; i < x->nq; i++)
    {
      float v = (float) (2.0 * rnd () - 1.0);
      if ((i / (s->h * s->d)) % 7 == 3)
        v = 0.0f;                       /* all-zero row: every z is exactly 0 (relu'(0) = 0) */
      if (fp8)
        ((uint8_t *) x->q_h)[i] = cw_fp8_e4m3_from_float (v);
      else
        ((uint16_t *) x->q_h)[i] = cw_bf16_from_float (v);
    }
  for (size_t i = 0; i < x->nk; i++)
    {
      const uint64_t t = (i / s->d) % s->sk;
      float v = (float) (2.0 * rnd () - 1.0);
      if (fp8)
        ((uint8_t *) x->k_h)[i] = cw_fp8_e4m3_from_float (v);
      else
        ((uint16_t *) x->k_h)[i] = cw_bf16_from_float (v);
      if (t % 11 == 10)                 /* duplicate keys: equal z in every row */
        memcpy ((char *) x->k_h + i * x->eb, (char *) x->k_h + (i - s->d) * x->eb, x->eb);
    }
  for (size_t i = 0; i < x->nw; i++)
    x->w_h[i] = (float) ((i / s->h) % 7 == 5 ? -(0.1 + rnd ()) : 1.2 * rnd () - 0.2);
  x->q_d = dalloc (x->nq * x->eb);
  x->k_d = dalloc (x->nk * x->eb);
  x->w_d = dalloc (x->nw * sizeof (float));
  x->g_d = dalloc (x->ne * sizeof (float));
  x->idx_d = dalloc (x->ne * sizeof (int32_t));
  x->dq_d = dalloc (x->ndq * sizeof (float));
  x->dw_d = dalloc (x->ndw * sizeof (float));
  x->dk_d = dalloc (x->ndk * sizeof (float));
  CUDA_OK (cudaMemcpy (x->q_d, x->q_h, x->nq * x->eb, cudaMemcpyHostToDevice));
  CUDA_OK (cudaMemcpy (x->k_d, x->k_h, x->nk * x->eb, cudaMemcpyHostToDevice));
  CUDA_OK (cudaMemcpy (x->w_d, x->w_h, x->nw * sizeof (float), cudaMemcpyHostToDevice));
}

/* idx from the forward lane; g random on kept entries, NaN on the padding. */
static void
forward_and_gradient (Bwd *x, cudaStream_t st)
{
  const CwKernelShape *s = &x->s;
  CwError error = CW_ERROR_INIT;
  uint64_t ws;
  void *work;
  uint64_t padding = 0;

  CHECK (cw_kernels_fused_workspace_bytes (s, &ws, &error), "fused workspace: %s", error.message);
  work = dalloc (ws);
  CUDA_OK (cw_fused_run (s, x->q_d, x->k_d, x->w_d, work, x->idx_d, NULL, st));
  CUDA_OK (cudaStreamSynchronize (st));
  CUDA_OK (cudaFree (work));
  CUDA_OK (cudaMemcpy (x->idx_h, x->idx_d, x->ne * sizeof (int32_t), cudaMemcpyDeviceToHost));
  for (size_t e = 0; e < x->ne; e++)
    {
      x->g_h[e] = x->idx_h[e] >= 0 ? (float) (2.0 * rnd () - 1.0) : NAN;
      padding += x->idx_h[e] < 0;
    }
  CUDA_OK (cudaMemcpy (x->g_d, x->g_h, x->ne * sizeof (float), cudaMemcpyHostToDevice));
  printf ("  idx from the fused forward: %llu of %llu entries are padding\n", (unsigned long long) padding,
          (unsigned long long) x->ne);
}

static void
free_bwd (Bwd *x)
{
  free (x->q_h);
  free (x->k_h);
  free (x->w_h);
  free (x->g_h);
  free (x->idx_h);
  CUDA_OK (cudaFree (x->q_d));
  CUDA_OK (cudaFree (x->k_d));
  CUDA_OK (cudaFree (x->w_d));
  CUDA_OK (cudaFree (x->g_d));
  CUDA_OK (cudaFree (x->idx_d));
  CUDA_OK (cudaFree (x->dq_d));
  CUDA_OK (cudaFree (x->dw_d));
  CUDA_OK (cudaFree (x->dk_d));
}

/* NaN bytes into the outputs (and the workspace, when given). */
static void
poison (const Bwd *x, void *work, uint64_t ws)
{
  CUDA_OK (cudaMemset (x->dq_d, 0xff, x->ndq * sizeof (float)));
  CUDA_OK (cudaMemset (x->dw_d, 0xff, x->ndw * sizeof (float)));
  CUDA_OK (cudaMemset (x->dk_d, 0xff, x->ndk * sizeof (float)));
  if (work != NULL)
    CUDA_OK (cudaMemset (work, 0xff, ws));
}

typedef struct {
  float *dq, *dw, *dk;
} Host;

static void
host_alloc (const Bwd *x, Host *h)
{
  h->dq = xmalloc (x->ndq * sizeof (float));
  h->dw = xmalloc (x->ndw * sizeof (float));
  h->dk = xmalloc (x->ndk * sizeof (float));
}

static void
host_free (Host *h)
{
  free (h->dq);
  free (h->dw);
  free (h->dk);
}

static void
copy_back (const Bwd *x, Host *h)
{
  CUDA_OK (cudaMemcpy (h->dq, x->dq_d, x->ndq * sizeof (float), cudaMemcpyDeviceToHost));
  CUDA_OK (cudaMemcpy (h->dw, x->dw_d, x->ndw * sizeof (float), cudaMemcpyDeviceToHost));
  CUDA_OK (cudaMemcpy (h->dk, x->dk_d, x->ndk * sizeof (float), cudaMemcpyDeviceToHost));
}

static int
same (const Bwd *x, const Host *a, const Host *b)
{
  return memcmp (a->dq, b->dq, x->ndq * sizeof (float)) == 0 && memcmp (a->dw, b->dw, x->ndw * sizeof (float)) == 0
         && memcmp (a->dk, b->dk, x->ndk * sizeof (float)) == 0;
}

/* One eager run at `budget` into h (outputs and workspace poisoned first). */
static void
run_eager (const Bwd *x, uint64_t budget, cudaStream_t st, Host *h)
{
  CwError error = CW_ERROR_INIT;
  uint64_t ws;
  void *work;

  CHECK (cw_kernels_backward_sparse_workspace_bytes (&x->s, budget, &ws, &error), "workspace: %s", error.message);
  work = dalloc (ws);
  poison (x, work, ws);
  CUDA_OK (cw_backward_sparse_run (&x->s, budget, x->q_d, x->k_d, x->w_d, x->idx_d, x->g_d, work, x->dq_d, x->dw_d,
                                   x->dk_d, st));
  CUDA_OK (cudaStreamSynchronize (st));
  CUDA_OK (cudaFree (work));
  copy_back (x, h);
}

/* |gpu - ref| <= TOL * mag + kink over n values; returns the worst
 * |gpu - ref| / (TOL * mag + kink) (0 where both sides are 0). */
static double
compare (const char *name, const char *what, const float *gpu, const double *ref, const double *mag,
         const double *kink, size_t n)
{
  double worst = 0.0;
  int bad = 0;

  for (size_t i = 0; i < n; i++)
    {
      const double allowed = TOL * mag[i] + (kink != NULL ? kink[i] : 0.0), err = fabs ((double) gpu[i] - ref[i]);
      if (!isfinite (gpu[i]) || !(err <= allowed))
        {
          if (bad++ < 3)
            CHECK (0, "%s %s[%zu]: gpu %.9g ref %.9g (allowed %.3g)", name, what, i, (double) gpu[i], ref[i], allowed);
          continue;
        }
      if (allowed > 0 && err / allowed > worst)
        worst = err / allowed;
    }
  CHECK (bad == 0, "%s %s: %d values outside the tolerance", name, what, bad);
  return worst;
}

static void
run_case (const Case *c)
{
  const CwKernelShape *s = &c->shape;
  const uint64_t per_row = s->top_k * (4 * s->d + 8);
  CwError error = CW_ERROR_INIT;
  cudaStream_t st;
  Bwd x;
  Host base, other;
  uint64_t ws1, fixed;

  printf ("case %s: b=%llu h=%llu d=%llu sq=%llu sk=%llu k=%llu causal=%d m=%llu %s\n", c->name,
          (unsigned long long) s->b, (unsigned long long) s->h, (unsigned long long) s->d, (unsigned long long) s->sq,
          (unsigned long long) s->sk, (unsigned long long) s->top_k, (int) s->causal, (unsigned long long) s->ratio,
          s->qk_dtype == CW_DTYPE_FP8_E4M3 ? "fp8-e4m3" : "bf16");
  CHECK (cw_kernel_shape_check (s, &error), "%s: shape: %s", c->name, error.message);
  /* a blocking stream: the poisoning cudaMemset calls are ordered before it */
  CUDA_OK (cudaStreamCreate (&st));
  make_inputs (s, &x);
  forward_and_gradient (&x, st);
  host_alloc (&x, &base);
  host_alloc (&x, &other);

  /* budgets by rows per chunk: fixed + rows * per_row */
  CHECK (cw_kernels_backward_sparse_workspace_bytes (s, 0, &ws1, &error), "one-row workspace");
  fixed = ws1 - per_row;
#define BUDGET(rows) (fixed + (uint64_t) (rows) * per_row)

  /* ---- against float64, run at 5 rows per chunk */
  run_eager (&x, BUDGET (5), st, &base);
  {
    CwReferenceBackward ref = { .kink_rel = KINK_REL };
    ref.dq = xmalloc (x.ndq * sizeof (double));
    ref.dw = xmalloc (x.ndw * sizeof (double));
    ref.dk = xmalloc (x.ndk * sizeof (double));
    ref.dq_mag = xmalloc (x.ndq * sizeof (double));
    ref.dw_mag = xmalloc (x.ndw * sizeof (double));
    ref.dk_mag = xmalloc (x.ndk * sizeof (double));
    ref.dq_kink = xmalloc (x.ndq * sizeof (double));
    ref.dk_kink = xmalloc (x.ndk * sizeof (double));
    CHECK (cw_reference_backward_sparse (s, x.q_h, x.k_h, x.w_h, x.idx_h, x.g_h, &ref, &error), "reference: %s",
           error.message);
    double wq = compare (c->name, "dq", base.dq, ref.dq, ref.dq_mag, ref.dq_kink, x.ndq);
    double ww = compare (c->name, "dw", base.dw, ref.dw, ref.dw_mag, NULL, x.ndw);
    double wk = compare (c->name, "dk", base.dk, ref.dk, ref.dk_mag, ref.dk_kink, x.ndk);
    printf ("  vs float64: worst |gpu - ref| / (%.0e mag + kink): dq %.3g, dw %.3g, dk %.3g (%llu entries x heads "
            "in the kink band)\n", TOL, wq, ww, wk, (unsigned long long) ref.kinks);
    free (ref.dq);
    free (ref.dw);
    free (ref.dk);
    free (ref.dq_mag);
    free (ref.dw_mag);
    free (ref.dk_mag);
    free (ref.dq_kink);
    free (ref.dk_kink);
  }

  /* ---- bit-identical: again, and under other chunkings */
  {
    const uint64_t budgets[] = { BUDGET (5), BUDGET (1), BUDGET (37), UINT64_MAX };
    const char *names[] = { "a second run", "1 row per chunk", "37 rows per chunk", "one chunk (fused)" };
    for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++)
      {
        run_eager (&x, budgets[i], st, &other);
        CHECK (same (&x, &base, &other), "%s: %s differs from 5 rows per chunk", c->name, names[i]);
      }
    printf ("  bit-identical: a second run, 1, 37 rows per chunk and one chunk of %llu rows\n",
            (unsigned long long) (s->b * s->sq));
  }

  /* ---- graph capture at 3 rows per chunk, replayed twice */
  {
    uint64_t ws;
    void *work;
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    CHECK (cw_kernels_backward_sparse_workspace_bytes (s, BUDGET (3), &ws, &error), "graph workspace");
    work = dalloc (ws);
    CUDA_OK (cudaStreamBeginCapture (st, cudaStreamCaptureModeGlobal));
    CUDA_OK (cw_backward_sparse_run (s, BUDGET (3), x.q_d, x.k_d, x.w_d, x.idx_d, x.g_d, work, x.dq_d, x.dw_d,
                                     x.dk_d, st));
    CUDA_OK (cudaStreamEndCapture (st, &graph));
    CUDA_OK (cudaGraphInstantiate (&exec, graph, 0));
    for (int replay = 0; replay < 2; replay++)
      {
        poison (&x, work, ws);
        CUDA_OK (cudaGraphLaunch (exec, st));
        CUDA_OK (cudaStreamSynchronize (st));
        copy_back (&x, &other);
        CHECK (same (&x, &base, &other), "%s: graph replay %d differs from eager", c->name, replay);
      }
    printf ("  graph: captured at 3 rows per chunk, two replays equal eager\n");
    CUDA_OK (cudaGraphExecDestroy (exec));
    CUDA_OK (cudaGraphDestroy (graph));
    CUDA_OK (cudaFree (work));
  }
#undef BUDGET

  host_free (&base);
  host_free (&other);
  free_bwd (&x);
  CUDA_OK (cudaStreamDestroy (st));
}

static void
run_refusals (void)
{
  CwKernelShape s = { .b = 1, .h = 64, .d = 128, .sq = 8, .sk = 8, .top_k = 4, .causal = CW_CAUSAL_CAUSAL,
                      .qk_dtype = CW_DTYPE_BF16 };
  CwError error = CW_ERROR_INIT;
  uint64_t ws;
  char *work;
  Bwd x;
  cudaError_t e;

  make_inputs (&s, &x);
  CHECK (cw_kernels_backward_sparse_workspace_bytes (&s, 0, &ws, &error), "refusals workspace");
  work = dalloc (ws + 16);
  CUDA_OK (cudaMemset (x.idx_d, 0xff, x.ne * sizeof (int32_t)));
  CUDA_OK (cudaMemset (x.g_d, 0, x.ne * sizeof (float)));
  e = cw_backward_sparse_run (&s, 0, x.q_d, x.k_d, x.w_d, x.idx_d, x.g_d, work + 4, x.dq_d, x.dw_d, x.dk_d, 0);
  CHECK (e == cudaErrorInvalidValue, "misaligned workspace: %s", cudaGetErrorName (e));
  s.h = 48;
  e = cw_backward_sparse_run (&s, 0, x.q_d, x.k_d, x.w_d, x.idx_d, x.g_d, work, x.dq_d, x.dw_d, x.dk_d, 0);
  CHECK (e == cudaErrorNotSupported, "h = 48: %s", cudaGetErrorName (e));
  (void) cudaGetLastError ();
  /* every entry padding: all three gradients are zeros */
  s.h = 64;
  poison (&x, NULL, 0);
  e = cw_backward_sparse_run (&s, 0, x.q_d, x.k_d, x.w_d, x.idx_d, x.g_d, work, x.dq_d, x.dw_d, x.dk_d, 0);
  CHECK (e == cudaSuccess, "all padding: %s", cudaGetErrorName (e));
  CUDA_OK (cudaDeviceSynchronize ());
  {
    Host h;
    int zeros = 1;
    host_alloc (&x, &h);
    copy_back (&x, &h);
    for (size_t i = 0; i < x.ndq; i++)
      zeros &= h.dq[i] == 0.0f;
    for (size_t i = 0; i < x.ndw; i++)
      zeros &= h.dw[i] == 0.0f;
    for (size_t i = 0; i < x.ndk; i++)
      zeros &= h.dk[i] == 0.0f;
    CHECK (zeros, "all padding: gradients are not all zero");
    host_free (&h);
  }
  printf ("refusals: misaligned workspace %s, h = 48 %s; all-padding idx gives zeros\n",
          cudaGetErrorName (cudaErrorInvalidValue), cudaGetErrorName (cudaErrorNotSupported));
  CUDA_OK (cudaFree (work));
  free_bwd (&x);
}

int
main (int argc, char **argv)
{
  int ndev = 0;
  const char *seed_env = getenv ("CW_TEST_SEED");

  (void) argv;
  if (argc > 1)
    {
      fprintf (stderr, "usage: test-kernels-backward-gpu (CW_TEST_SEED=N for a fixed seed)\n");
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
    { "compressed-m4-k>L", { .b = 1, .h = 64, .d = 128, .sq = 203, .sk = 50, .top_k = 64, .ratio = 4, .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 } },
    { "none-odd-b3-h32-d64", { .b = 3, .h = 32, .d = 64, .sq = 45, .sk = 130, .top_k = 20, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 } },
    { "causal-h16-d128-k>L", { .b = 2, .h = 16, .d = 128, .sq = 33, .sk = 33, .top_k = 40, .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_BF16 } },
    { "none-h16-d64", { .b = 1, .h = 16, .d = 64, .sq = 31, .sk = 97, .top_k = 33, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 } },
    { "causal-h64-d64-b2", { .b = 2, .h = 64, .d = 64, .sq = 101, .sk = 101, .top_k = 35, .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_BF16 } },
    { "compressed-h32-d128", { .b = 2, .h = 32, .d = 128, .sq = 150, .sk = 37, .top_k = 24, .ratio = 4, .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 } },
    { "fp8-compressed-m4-b2", { .b = 2, .h = 64, .d = 128, .sq = 150, .sk = 37, .top_k = 24, .ratio = 4, .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
    { "fp8-causal-h32-d64", { .b = 1, .h = 32, .d = 64, .sq = 70, .sk = 70, .top_k = 50, .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
    { "fp8-none-h16-d128", { .b = 2, .h = 16, .d = 128, .sq = 20, .sk = 61, .top_k = 9, .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
    /* V4-Flash dims with many chunks and keys shared by hundreds of rows */
    { "v4-dims-compressed", { .b = 1, .h = 64, .d = 128, .sq = 1200, .sk = 300, .top_k = 128, .ratio = 4, .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 } },
    { "fp8-v4-dims-k512", { .b = 1, .h = 64, .d = 128, .sq = 700, .sk = 175, .top_k = 512, .ratio = 4, .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run_case (&cases[i]);
  run_refusals ();

  if (failures)
    {
      fprintf (stderr, "%d of %d check(s) failed (seed %s)\n", failures, checks, seed_env ? seed_env : "above");
      return 1;
    }
  printf ("kernels backward gpu: all %d checks passed\n", checks);
  return 0;
}
