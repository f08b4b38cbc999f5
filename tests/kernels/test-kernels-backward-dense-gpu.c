/* test-kernels-backward-dense-gpu.c: the dense backward
 * (cw_backward_dense_chunk) and its synthetic upstream gradient
 * (cw_backward_dense_fill_gradient) on the GPU, against the float64
 * reference (suite gpu; exit 77 without a GPU).
 *
 * For each case (small and odd shapes, b > 1, rows with no legal key under
 * compressed causal ratio 4, causal, no causal rule, h 16/32/64, d 64/128,
 * bf16 and fp8, a head with q = 0 so its z sit exactly on relu's kink):
 *  1. the fill helper writes G(r, t) = cw_synthetic_gradient (r, t) bit for
 *     bit on every legal prefix and leaves the rest of each row untouched
 *     (NaN before, NaN after);
 *  2. one chunk of every row: dq, dw, dk within the header's tolerance of the
 *     float64 reference from the same dtype values and G:
 *       |gpu - ref| <= 3e-5 * mag + kink
 *     (mag: the reference's sum |terms| of that output; kink: the terms
 *     through entries with |z| <= 1e-5 sum_i |q_i k_i|, which fp32 may put
 *     on either side of relu's kink); outputs with mag = kink = 0 (rows
 *     without a legal key, keys no row sees) must be exactly 0;
 *  3. the same chunking run twice is bit-identical, and so are chunkings of
 *     7 rows (the rows the budget 4*sk*7 gives; chunks cross batch entries)
 *     and of 1 row: dk is the row-ordered sum for any chunking;
 *  4. the chunk sequence captured in a CUDA graph (dk's memset included) and
 *     replayed gives the eager bits;
 *  5. bad arguments return cudaErrorInvalidValue / cudaErrorNotSupported.
 * Outputs are poisoned with NaN bytes (0xFF) before every run, so an output
 * left unwritten (dk not zeroed by the first chunk, a row skipped) fails.
 * G past each row's legal prefix is NaN: reading it fails too. Every CUDA
 * call's return code is checked. Inputs are drawn from a seed printed at the
 * start (CW_TEST_SEED overrides it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cuda_runtime_api.h>

#include "cw-kernels.h"
#include "cw-reference.h"
#include "cw-synthetic-gradient.h"

#include "../cw-test.h"

#define TOL 3e-5        /* the header's fp32 tolerance, relative to sum |terms| */
#define KINK_REL 1e-5   /* relu's kink band relative to sum_i |q_i k_i| (d <= 128 fp32 FMAs) */

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
rnd (void)   /* uniform in [0, 1) */
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
  const char   *name;
  CwKernelShape shape;
} Case;

/* Device inputs and outputs of one case. */
typedef struct {
  const CwKernelShape *shape;
  uint64_t rows, nq, nw, nk, ld;
  void *q, *k;
  float *w, *G, *dq, *dw, *dk;
  cudaStream_t stream;
} Bufs;

/* Host copies of the three gradients. */
typedef struct {
  float *dq, *dw, *dk;
} Grads;

static void
grads_alloc (const Bufs *bf, Grads *g)
{
  g->dq = xmalloc (bf->nq * sizeof (float));
  g->dw = xmalloc (bf->nw * sizeof (float));
  g->dk = xmalloc (bf->nk * sizeof (float));
}

static void
grads_free (Grads *g)
{
  free (g->dq);
  free (g->dw);
  free (g->dk);
}

static void
poison_outputs (const Bufs *bf)
{
  CUDA_OK (cudaMemsetAsync (bf->dq, 0xFF, bf->nq * sizeof (float), bf->stream));
  CUDA_OK (cudaMemsetAsync (bf->dw, 0xFF, bf->nw * sizeof (float), bf->stream));
  CUDA_OK (cudaMemsetAsync (bf->dk, 0xFF, bf->nk * sizeof (float), bf->stream));
  CUDA_OK (cudaStreamSynchronize (bf->stream));
}

/* Enqueues the whole backward in chunks of `chunk` rows (returns the first
 * error; no synchronization, so it can be captured). */
static cudaError_t
enqueue_backward (const Bufs *bf, uint64_t chunk)
{
  for (uint64_t r0 = 0; r0 < bf->rows; r0 += chunk)
    {
      uint64_t n = bf->rows - r0 < chunk ? bf->rows - r0 : chunk;
      cudaError_t e = cw_backward_dense_chunk (bf->shape, r0, n, bf->q, bf->k, bf->w, bf->G + r0 * bf->ld, bf->ld,
                                               NULL, bf->dq, bf->dw, bf->dk, bf->stream);
      if (e != cudaSuccess)
        return e;
    }
  return cudaSuccess;
}

static void
copy_back (const Bufs *bf, Grads *g)
{
  CUDA_OK (cudaStreamSynchronize (bf->stream));
  CUDA_OK (cudaMemcpy (g->dq, bf->dq, bf->nq * sizeof (float), cudaMemcpyDeviceToHost));
  CUDA_OK (cudaMemcpy (g->dw, bf->dw, bf->nw * sizeof (float), cudaMemcpyDeviceToHost));
  CUDA_OK (cudaMemcpy (g->dk, bf->dk, bf->nk * sizeof (float), cudaMemcpyDeviceToHost));
}

static void
run_eager (const Bufs *bf, uint64_t chunk, Grads *g)
{
  poison_outputs (bf);
  CUDA_OK (enqueue_backward (bf, chunk));
  CUDA_OK (cudaGetLastError ());
  copy_back (bf, g);
}

static void
run_graph (const Bufs *bf, uint64_t chunk, Grads *g)
{
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  cudaError_t e;

  poison_outputs (bf);
  CUDA_OK (cudaStreamBeginCapture (bf->stream, cudaStreamCaptureModeThreadLocal));
  e = enqueue_backward (bf, chunk);
  CUDA_OK (cudaStreamEndCapture (bf->stream, &graph));
  CUDA_OK (e);
  CUDA_OK (cudaGraphInstantiate (&exec, graph, 0));
  CUDA_OK (cudaGraphLaunch (exec, bf->stream));
  copy_back (bf, g);
  CUDA_OK (cudaGraphExecDestroy (exec));
  CUDA_OK (cudaGraphDestroy (graph));
}

/* Bit-identity of two runs; returns the count of differing values. */
static uint64_t
differ (const float *a, const float *b, uint64_t n)
{
  uint64_t d = 0;
  for (uint64_t i = 0; i < n; i++)
    d += memcmp (&a[i], &b[i], sizeof (float)) != 0;
  return d;
}

static void
check_identical (const char *name, const char *what, const Bufs *bf, const Grads *a, const Grads *b)
{
  uint64_t nq = differ (a->dq, b->dq, bf->nq), nw = differ (a->dw, b->dw, bf->nw), nk = differ (a->dk, b->dk, bf->nk);

  CHECK (nq == 0 && nw == 0 && nk == 0, "%s: %s: values differ in bits: dq %llu, dw %llu, dk %llu", name, what,
         (unsigned long long) nq, (unsigned long long) nw, (unsigned long long) nk);
}

/* |gpu - ref| <= TOL * mag + kink for every value of one output; returns the
 * worst |gpu - ref| / (TOL * mag + kink). */
static double
check_output (const char *name, const char *what, const float *gpu, const double *ref, const double *mag,
              const double *kink, uint64_t n)
{
  double worst = 0.0;
  uint64_t bad = 0;

  for (uint64_t i = 0; i < n; i++)
    {
      double allow = TOL * mag[i] + (kink != NULL ? kink[i] : 0.0), err = fabs ((double) gpu[i] - ref[i]);
      bool ok = allow == 0.0 ? gpu[i] == 0.0f : err <= allow;

      if (allow > 0.0 && err / allow > worst)
        worst = err / allow;
      if (!ok && bad++ < 5)
        CHECK (ok, "%s: %s[%llu] = %.9g, float64 %.17g, allowed %.3g", name, what, (unsigned long long) i,
               (double) gpu[i], ref[i], allow);
    }
  CHECK (bad == 0, "%s: %s: %llu values outside tolerance", name, what, (unsigned long long) bad);
  return worst;
}

/* The fill helper: legal prefixes get the formula's bits, the rest of each
 * row stays as it was (NaN). Fills in two pieces to cover first_row > 0. */
static void
check_fill (const Case *c, Bufs *bf, float *G_host)
{
  const CwKernelShape *s = &c->shape;
  const uint64_t half = bf->rows / 2 + 1;
  uint64_t wrong = 0;

  CUDA_OK (cudaMemsetAsync (bf->G, 0xFF, bf->rows * bf->ld * sizeof (float), bf->stream));
  CUDA_OK (cw_backward_dense_fill_gradient (s, 0, half, bf->G, bf->ld, bf->stream));
  if (half < bf->rows)
    CUDA_OK (cw_backward_dense_fill_gradient (s, half, bf->rows - half, bf->G + half * bf->ld, bf->ld, bf->stream));
  CUDA_OK (cudaStreamSynchronize (bf->stream));
  CUDA_OK (cudaMemcpy (G_host, bf->G, bf->rows * bf->ld * sizeof (float), cudaMemcpyDeviceToHost));
  for (uint64_t r = 0; r < bf->rows; r++)
    {
      uint64_t legal = cw_kernel_shape_legal_keys (s, r % s->sq);
      for (uint64_t t = 0; t < bf->ld; t++)
        {
          float v = G_host[r * bf->ld + t], want = cw_synthetic_gradient (r, t);
          wrong += t < legal ? memcmp (&v, &want, sizeof v) != 0 : !isnan (v);
        }
    }
  CHECK (wrong == 0, "%s: the fill helper wrote %llu values wrong (or past a legal prefix)", c->name,
         (unsigned long long) wrong);
}

static void
check_errors (const Case *c, const Bufs *bf)
{
  CwKernelShape bad = c->shape;
  const uint64_t l_last = cw_kernel_shape_legal_keys (&c->shape, c->shape.sq - 1);

  CHECK (cw_backward_dense_chunk (&c->shape, 0, 0, bf->q, bf->k, bf->w, bf->G, bf->ld, NULL, bf->dq, bf->dw, bf->dk,
                                  bf->stream) == cudaErrorInvalidValue, "%s: rows = 0", c->name);
  CHECK (cw_backward_dense_chunk (&c->shape, bf->rows - 1, 2, bf->q, bf->k, bf->w, bf->G, bf->ld, NULL, bf->dq,
                                  bf->dw, bf->dk, bf->stream) == cudaErrorInvalidValue, "%s: rows past the end",
         c->name);
  if (l_last > 0)
    CHECK (cw_backward_dense_chunk (&c->shape, 0, bf->rows, bf->q, bf->k, bf->w, bf->G, l_last - 1, NULL, bf->dq,
                                    bf->dw, bf->dk, bf->stream) == cudaErrorInvalidValue, "%s: ld below L", c->name);
  CHECK (cw_backward_dense_chunk (&c->shape, 0, bf->rows, bf->q, bf->k, bf->w, bf->G, bf->ld, NULL, NULL, bf->dw,
                                  bf->dk, bf->stream) == cudaErrorInvalidValue, "%s: no dq", c->name);
  bad.h = 48;
  CHECK (cw_backward_dense_chunk (&bad, 0, bf->rows, bf->q, bf->k, bf->w, bf->G, bf->ld, NULL, bf->dq, bf->dw,
                                  bf->dk, bf->stream) == cudaErrorNotSupported, "%s: h = 48", c->name);
  CHECK (cw_backward_dense_fill_gradient (&c->shape, 0, 0, bf->G, bf->ld, bf->stream) == cudaErrorInvalidValue,
         "%s: fill rows = 0", c->name);
  CUDA_OK (cudaGetLastError ());
}

static void
run_case (const Case *c)
{
  const CwKernelShape *s = &c->shape;
  const bool fp8 = s->qk_dtype == CW_DTYPE_FP8_E4M3;
  const size_t eb = fp8 ? 1 : 2;
  Bufs bf = { .shape = s };
  void *q, *k;
  float *w, *G_host;
  double *ref[3], *mag[3], *kink[2];
  CwReferenceBackward out;
  CwError error = CW_ERROR_INIT;
  Grads one, again, seven, single, graph;
  uint64_t rows7 = 0, zero_row, zero_head;
  double worst[3];

  bf.rows = s->b * s->sq;
  bf.nw = bf.rows * s->h;
  bf.nq = bf.nw * s->d;
  bf.nk = s->b * s->sk * s->d;
  bf.ld = cw_kernel_shape_legal_keys (s, s->sq - 1) + 5;   /* odd padding past the longest prefix */
  q = xmalloc (bf.nq * eb);
  k = xmalloc (bf.nk * eb);
  w = xmalloc (bf.nw * sizeof (float));
  G_host = xmalloc (bf.rows * bf.ld * sizeof (float));
  zero_row = bf.rows - 1 - bf.rows / 3;
  zero_head = s->h / 2 + 1;
  for (uint64_t i = 0; i < bf.nq; i++)
    {
      float v = (i / s->d == zero_row * s->h + zero_head) ? 0.0f : (float) (2.0 * rnd () - 1.0);
      if (fp8)
        ((uint8_t *) q)[i] = cw_fp8_e4m3_from_float (4.0f * v);
      else
        ((uint16_t *) q)[i] = cw_bf16_from_float (v);
    }
  for (uint64_t i = 0; i < bf.nk; i++)
    {
      float v = (float) (2.0 * rnd () - 1.0);
      if (fp8)
        ((uint8_t *) k)[i] = cw_fp8_e4m3_from_float (4.0f * v);
      else
        ((uint16_t *) k)[i] = cw_bf16_from_float (v);
    }
  for (uint64_t i = 0; i < bf.nw; i++)
    w[i] = (float) (2.0 * rnd () - 1.0);

  CUDA_OK (cudaStreamCreateWithFlags (&bf.stream, cudaStreamNonBlocking));
  bf.q = dalloc (bf.nq * eb);
  bf.k = dalloc (bf.nk * eb);
  bf.w = dalloc (bf.nw * sizeof (float));
  bf.G = dalloc (bf.rows * bf.ld * sizeof (float));
  bf.dq = dalloc (bf.nq * sizeof (float));
  bf.dw = dalloc (bf.nw * sizeof (float));
  bf.dk = dalloc (bf.nk * sizeof (float));
  CUDA_OK (cudaMemcpy (bf.q, q, bf.nq * eb, cudaMemcpyHostToDevice));
  CUDA_OK (cudaMemcpy (bf.k, k, bf.nk * eb, cudaMemcpyHostToDevice));
  CUDA_OK (cudaMemcpy (bf.w, w, bf.nw * sizeof (float), cudaMemcpyHostToDevice));

  /* 1. the synthetic gradient (G stays on the device for the runs) */
  check_fill (c, &bf, G_host);

  /* the float64 reference on the same values */
  for (int i = 0; i < 3; i++)
    {
      uint64_t n = i == 0 ? bf.nq : i == 1 ? bf.nw : bf.nk;
      ref[i] = xmalloc (n * sizeof (double));
      mag[i] = xmalloc (n * sizeof (double));
    }
  kink[0] = xmalloc (bf.nq * sizeof (double));
  kink[1] = xmalloc (bf.nk * sizeof (double));
  out = (CwReferenceBackward) { .kink_rel = KINK_REL, .dq = ref[0], .dw = ref[1], .dk = ref[2], .dq_mag = mag[0],
                                .dw_mag = mag[1], .dk_mag = mag[2], .dq_kink = kink[0], .dk_kink = kink[1] };
  CHECK (cw_reference_backward_dense (s, q, k, w, G_host, bf.ld, &out, &error), "%s: reference: %s", c->name,
         error.message);

  grads_alloc (&bf, &one);
  grads_alloc (&bf, &again);
  grads_alloc (&bf, &seven);
  grads_alloc (&bf, &single);
  grads_alloc (&bf, &graph);

  /* 2. one chunk of every row against float64 */
  run_eager (&bf, bf.rows, &one);
  worst[0] = check_output (c->name, "dq", one.dq, ref[0], mag[0], kink[0], bf.nq);
  worst[1] = check_output (c->name, "dw", one.dw, ref[1], mag[1], NULL, bf.nw);
  worst[2] = check_output (c->name, "dk", one.dk, ref[2], mag[2], kink[1], bf.nk);
  for (uint64_t i = 0; i < s->d; i++)
    CHECK (one.dq[(zero_row * s->h + zero_head) * s->d + i] == 0.0f, "%s: dq of the q = 0 head", c->name);
  CHECK (one.dw[zero_row * s->h + zero_head] == 0.0f, "%s: dw of the q = 0 head", c->name);

  /* 3. determinism: again, 7-row chunks from the budget, 1-row chunks */
  run_eager (&bf, bf.rows, &again);
  check_identical (c->name, "run twice", &bf, &one, &again);
  CHECK (cw_kernels_backward_dense_rows (s, 4 * s->sk * 7, &rows7, &error) && rows7 == (bf.rows < 7 ? bf.rows : 7),
         "%s: dense rows for 7 G rows = %llu", c->name, (unsigned long long) rows7);
  run_eager (&bf, rows7, &seven);
  check_identical (c->name, "7-row chunks vs one chunk", &bf, &one, &seven);
  if (bf.rows <= 512)
    {
      run_eager (&bf, 1, &single);
      check_identical (c->name, "1-row chunks vs one chunk", &bf, &one, &single);
    }

  /* 4. captured and replayed */
  run_graph (&bf, rows7, &graph);
  check_identical (c->name, "graph replay vs eager", &bf, &one, &graph);

  /* 5. bad arguments */
  check_errors (c, &bf);

  printf ("  %-28s dq %.3g  dw %.3g  dk %.3g of the tolerance (worst), %llu entries in the kink band\n", c->name,
          worst[0], worst[1], worst[2], (unsigned long long) out.kinks);

  grads_free (&one);
  grads_free (&again);
  grads_free (&seven);
  grads_free (&single);
  grads_free (&graph);
  for (int i = 0; i < 3; i++)
    {
      free (ref[i]);
      free (mag[i]);
    }
  free (kink[0]);
  free (kink[1]);
  CUDA_OK (cudaFree (bf.q));
  CUDA_OK (cudaFree (bf.k));
  CUDA_OK (cudaFree (bf.w));
  CUDA_OK (cudaFree (bf.G));
  CUDA_OK (cudaFree (bf.dq));
  CUDA_OK (cudaFree (bf.dw));
  CUDA_OK (cudaFree (bf.dk));
  CUDA_OK (cudaStreamDestroy (bf.stream));
  free (q);
  free (k);
  free (w);
  free (G_host);
}

int
main (int argc, char **argv)
{
  int ndev = 0;
  const char *seed_env = getenv ("CW_TEST_SEED");

  (void) argv;
  if (argc > 1)
    {
      fprintf (stderr, "usage: test-kernels-backward-dense-gpu (CW_TEST_SEED=N for a fixed seed)\n");
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
    { "compressed-m4-b2", { .b = 2, .h = 64, .d = 128, .sq = 203, .sk = 50, .top_k = 1, .ratio = 4,
                            .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 } },
    { "causal-b3-h16-d64", { .b = 3, .h = 16, .d = 64, .sq = 37, .sk = 37, .top_k = 1,
                             .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_BF16 } },
    { "none-b2-h32-odd", { .b = 2, .h = 32, .d = 128, .sq = 19, .sk = 101, .top_k = 1,
                           .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_BF16 } },
    { "fp8-causal-b2-h64-d64", { .b = 2, .h = 64, .d = 64, .sq = 45, .sk = 45, .top_k = 1,
                                 .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
    { "fp8-compressed-m4-h16", { .b = 2, .h = 16, .d = 128, .sq = 61, .sk = 15, .top_k = 1, .ratio = 4,
                                 .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_FP8_E4M3 } },
    { "compressed-m4-long", { .b = 1, .h = 64, .d = 128, .sq = 1030, .sk = 257, .top_k = 1, .ratio = 4,
                              .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 } },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run_case (&cases[i]);

  if (failures)
    {
      fprintf (stderr, "%d of %d check(s) failed (seed %s)\n", failures, checks, seed_env ? seed_env : "above");
      return 1;
    }
  printf ("kernels backward dense gpu: %d checks passed\n", checks);
  return 0;
}
