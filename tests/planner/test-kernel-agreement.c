/* test-kernel-agreement.c: our kernel profiles (data/profiles/materialize,
 * fused, streaming) must reproduce the kernels' own workspace formulas
 * (kernels/cw-kernel-shape.c, plain C) byte for byte, and the agreed
 * input/output buffers, over a grid of shapes and budgets. Any drift on either
 * side fails here before the profiler's predicted-vs-measured check would. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cw-kernel-shape.h"
#include "cw-planner.h"

#include "../cw-test.h"

static uint64_t
buffer (const CwPlan *p, const char *name)
{
  for (unsigned i = 0; i < cw_plan_get_n_buffers (p); i++)
    if (strcmp (cw_plan_get_buffer_name (p, i), name) == 0)
      return cw_plan_get_buffer_bytes (p, i);
  return UINT64_MAX;
}

static void
expect (uint64_t got, uint64_t want, const char *what, const CwConfig *c)
{
  CHECK (got == want, "%s: profile %" PRIu64 ", kernels %" PRIu64 " (b=%" PRIu64 " h=%" PRIu64 " sq=%" PRIu64
         " sk=%" PRIu64 " k=%" PRIu64 " budget=%" PRIu64 ")", what, got, want, c->b, c->h, c->sq,
         cw_config_get_sk (c), c->top_k, c->chunk_budget_bytes);
}

int
main (void)
{
  CwError e = CW_ERROR_INIT;
  CwProfile *mat = cw_profile_load ("materialize", &e);
  CwProfile *fus = cw_profile_load ("fused", &e);
  CwProfile *str = cw_profile_load ("streaming", &e);
  const uint64_t bs[] = { 1, 3 }, hs[] = { 16, 64 }, ds[] = { 64, 128 }, sqs[] = { 1, 7, 4096, 65536, 1048576 };
  const uint64_t ratios[] = { 0, 1, 4 }, ks[] = { 1, 512, 2048 };
  const uint64_t budgets[] = { 1, 4096, 480ull << 20, 512ull << 20, 1ull << 40 };
  const CwDtype dts[] = { CW_DTYPE_BF16, CW_DTYPE_FP8_E4M3 };

  if (mat == NULL || fus == NULL || str == NULL)
    {
      fprintf (stderr, "cannot load profiles: %s\n", e.message);
      return 1;
    }
  for (size_t bi = 0; bi < 2; bi++) for (size_t hi = 0; hi < 2; hi++) for (size_t di = 0; di < 2; di++)
  for (size_t si = 0; si < 5; si++) for (size_t ri = 0; ri < 3; ri++) for (size_t ki = 0; ki < 3; ki++)
  for (size_t ti = 0; ti < 2; ti++)
    {
      CwConfig c;
      CwKernelShape shape;
      CwPlan *pm, *pf;
      uint64_t ws;

      cw_config_init_default (&c);
      c.b = bs[bi]; c.h = hs[hi]; c.d = ds[di]; c.sq = sqs[si]; c.ratio = ratios[ri];
      c.sk = c.ratio ? 0 : 8192;
      c.top_k = ks[ki];
      c.q_dtype = c.k_dtype = dts[ti];
      c.causal = c.ratio > 1 ? CW_CAUSAL_COMPRESSED : CW_CAUSAL_CAUSAL;
      if (c.ratio > c.sq)
        continue;
      if (!cw_kernel_shape_from_config (&c, &shape, &e))
        {
          fprintf (stderr, "FAIL shape: %s\n", e.message);
          failures++;
          continue;
        }
      pm = cw_plan_new (mat, &c, &e);
      pf = cw_plan_new (fus, &c, &e);
      if (pm == NULL || pf == NULL)
        {
          fprintf (stderr, "FAIL plan: %s\n", e.message);
          failures++;
          cw_plan_free (pm);
          cw_plan_free (pf);
          continue;
        }
      if (cw_kernels_materialize_workspace_bytes (&shape, &ws, &e))
        expect (buffer (pm, "slab") + buffer (pm, "reduced"), ws, "materialize workspace", &c);
      if (cw_kernels_fused_workspace_bytes (&shape, &ws, &e))
        expect (buffer (pf, "scores_dense"), ws, "fused workspace", &c);
      /* Agreed buffers: q [b,sq,h,d], k [b,sk,d] in the qk dtype, w [b,sq,h]
       * fp32, idx int32 and scores fp32 [b,sq,k]. */
      expect (buffer (pm, "q"), shape.b * shape.sq * shape.h * shape.d * cw_kernel_shape_qk_bytes (&shape), "q", &c);
      expect (buffer (pm, "k"), shape.b * shape.sk * shape.d * cw_kernel_shape_qk_bytes (&shape), "k", &c);
      expect (buffer (pm, "w"), shape.b * shape.sq * shape.h * 4, "w", &c);
      expect (buffer (pm, "idx"), shape.b * shape.sq * shape.top_k * 4, "idx", &c);
      expect (buffer (pf, "scores"), shape.b * shape.sq * shape.top_k * 4, "scores", &c);
      for (size_t gi = 0; gi < 5; gi++)
        {
          CwPlan *ps;

          c.chunk_budget_bytes = budgets[gi];
          ps = cw_plan_new (str, &c, &e);
          if (ps == NULL)
            {
              fprintf (stderr, "FAIL plan: %s\n", e.message);
              failures++;
              continue;
            }
          if (cw_kernels_streaming_workspace_bytes (&shape, budgets[gi], &ws, &e))
            expect (buffer (ps, "tile"), ws, "streaming workspace", &c);
          cw_plan_free (ps);
        }
      cw_plan_free (pm);
      cw_plan_free (pf);
    }
  cw_profile_free (mat);
  cw_profile_free (fus);
  cw_profile_free (str);
  printf ("%d checks, %d failures\n", checks, failures);
  return failures == 0 && checks > 1000 ? 0 : 1;
}
