/* test-train-agreement.c: the training-step profiles of our lanes
 * (data/profiles/{materialize,fused,streaming}-train.profile) must reproduce
 * the kernels' own backward workspace formulas (kernels/cw-kernel-shape.c,
 * plain C) byte for byte, their forwards the forward profiles' buffers, and
 * the agreed backward buffers (idx, g, fp32 dq/dw/dk), over a grid of shapes
 * and budgets, including budgets around the sparse backward's fixed part and
 * shapes where the fused backward's one chunk exceeds int32 entries (the
 * kernels refuse it; the profile's plan must fail with an overflow error).
 * Any drift on either side fails here. */
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

static bool
saved (const CwPlan *p, const char *name)
{
  for (unsigned i = 0; i < cw_plan_get_n_buffers (p); i++)
    if (strcmp (cw_plan_get_buffer_name (p, i), name) == 0)
      return cw_plan_get_buffer_is_saved (p, i);
  return false;
}

static void
expect (uint64_t got, uint64_t want, const char *what, const CwConfig *c)
{
  CHECK (got == want, "%s: profile %" PRIu64 ", kernels %" PRIu64 " (b=%" PRIu64 " h=%" PRIu64 " d=%" PRIu64
         " sq=%" PRIu64 " sk=%" PRIu64 " k=%" PRIu64 " budget=%" PRIu64 ")", what, got, want, c->b, c->h, c->d,
         c->sq, cw_config_get_sk (c), c->top_k, c->chunk_budget_bytes);
}

/* The backward's agreed buffers and the boundary, for any of the three. */
static void
expect_backward_buffers (const CwPlan *p, const CwKernelShape *s, const CwConfig *c, bool sparse)
{
  uint64_t entries = s->b * s->sq * s->top_k;

  expect (buffer (p, "idx"), entries * 4, "idx", c);
  expect (buffer (p, "g"), sparse ? entries * 4 : 0, "g", c);
  expect (buffer (p, "dq"), s->b * s->sq * s->h * s->d * 4, "dq fp32", c);
  expect (buffer (p, "dw"), s->b * s->sq * s->h * 4, "dw fp32", c);
  expect (buffer (p, "dk"), s->b * s->sk * s->d * 4, "dk fp32", c);
  /* Across the boundary: idx and the scores the loss reads, nothing of the
   * forward's workspace; the inputs stay live and are not counted. */
  CHECK (saved (p, "idx") && saved (p, "scores") && !saved (p, "q") && !saved (p, "tile") &&
         !saved (p, "scores_dense") && !saved (p, "slab") && !saved (p, "reduced"),
         "saved across the boundary: idx and scores only (b=%" PRIu64 " sq=%" PRIu64 ")", c->b, c->sq);
  expect (cw_plan_get_saved_bytes (p), 2 * entries * 4, "saved bytes", c);
}

int
main (void)
{
  CwError e = CW_ERROR_INIT;
  const char *names[] = { "materialize-train", "fused-train", "streaming-train", "materialize", "fused", "streaming" };
  CwProfile *prof[6];
  const uint64_t bs[] = { 1, 3 }, hs[] = { 16, 64 }, ds[] = { 64, 128 };
  const uint64_t sqs[] = { 1, 7, 4097, 65536, 1048576, 4194304 };
  const uint64_t ratios[] = { 0, 1, 4 }, ks[] = { 1, 512, 2048 };
  const CwDtype dts[] = { CW_DTYPE_BF16, CW_DTYPE_FP8_E4M3 };
  unsigned refused = 0, budget_cases = 0;

  for (int i = 0; i < 6; i++)
    if ((prof[i] = cw_profile_load (names[i], &e)) == NULL)
      {
        fprintf (stderr, "cannot load profile %s: %s\n", names[i], e.message);
        return 1;
      }
  CHECK (cw_profile_is_training (prof[0]) && cw_profile_is_training (prof[1]) && cw_profile_is_training (prof[2])
         && !cw_profile_is_training (prof[3]) && !cw_profile_is_training (prof[5]), "training flags");

  for (size_t bi = 0; bi < 2; bi++) for (size_t hi = 0; hi < 2; hi++) for (size_t di = 0; di < 2; di++)
  for (size_t si = 0; si < 6; si++) for (size_t ri = 0; ri < 3; ri++) for (size_t ki = 0; ki < 3; ki++)
  for (size_t ti = 0; ti < 2; ti++)
    {
      CwConfig c;
      CwKernelShape shape;
      uint64_t ws, fixed, per_row;
      CwError fe = CW_ERROR_INIT;
      bool fused_ok;

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
      /* The sparse backward's fixed and per-row parts, read back from the
       * kernels' formula at two budgets (rows 1 and 2 when they fit). */
      per_row = (4 * shape.d + 8) * shape.top_k;
      fixed = 4 * (2 * shape.b * shape.sk + 1 + (shape.b * shape.sk + 4095) / 4096);

      fused_ok = cw_kernels_backward_fused_workspace_bytes (&shape, &ws, &fe);
      for (int li = 0; li < 2; li++)
        {
          CwError pe = CW_ERROR_INIT;
          CwPlan *pt = cw_plan_new (prof[li], &c, &pe);
          CwPlan *pf = cw_plan_new (prof[li + 3], &c, &e);

          if (!fused_ok)
            {
              /* The kernels refuse one chunk of more than INT32_MAX entries;
               * so does the plan, with an overflow (a size beyond reach). */
              CHECK (fe.code == CW_ERROR_UNSUPPORTED && pt == NULL && pe.code == CW_ERROR_OVERFLOW &&
                     strstr (pe.message, "fused_entries_exceed_int32") != NULL,
                     "%s refuses b*sq=%" PRIu64 " k=%" PRIu64 " like the kernels: %s", names[li],
                     c.b * c.sq, c.top_k, pe.message);
              refused++;
              cw_plan_free (pt);
              cw_plan_free (pf);
              continue;
            }
          if (pt == NULL || pf == NULL)
            {
              fprintf (stderr, "FAIL plan %s: %s %s\n", names[li], pe.message, e.message);
              failures++;
              cw_plan_free (pt);
              cw_plan_free (pf);
              continue;
            }
          expect (buffer (pt, "backward_workspace"), ws, "fused backward workspace", &c);
          expect (buffer (pt, "backward_workspace"), shape.b * shape.sq * per_row + fixed, "fused formula", &c);
          /* The forward group plans exactly the forward profile. */
          expect (cw_plan_get_forward_peak_bytes (pt), cw_plan_get_peak_bytes (pf), "forward peak = forward profile", &c);
          expect_backward_buffers (pt, &shape, &c, true);
          cw_plan_free (pt);
          cw_plan_free (pf);
        }

      {
        const uint64_t budgets[] = { 1, fixed, fixed + per_row - 1, fixed + per_row, fixed + 2 * per_row + 5,
                                     480ull << 20, 512ull << 20, 1ull << 40, UINT64_MAX };
        for (size_t gi = 0; gi < sizeof budgets / sizeof budgets[0]; gi++)
          for (uint64_t dense = 0; dense < 2; dense++)
            {
              CwPlan *ps, *pfw;
              uint64_t rows;

              c.chunk_budget_bytes = budgets[gi];
              if (!cw_profile_set_param (prof[2], "dense", dense, &e))
                {
                  fprintf (stderr, "FAIL param: %s\n", e.message);
                  return 1;
                }
              ps = cw_plan_new (prof[2], &c, &e);
              pfw = cw_plan_new (prof[5], &c, &e);
              if (ps == NULL || pfw == NULL)
                {
                  fprintf (stderr, "FAIL plan streaming-train: %s\n", e.message);
                  failures++;
                  cw_plan_free (ps);
                  cw_plan_free (pfw);
                  continue;
                }
              if (!dense)
                {
                  if (cw_kernels_backward_sparse_workspace_bytes (&shape, budgets[gi], &ws, &e) &&
                      cw_kernels_backward_sparse_rows (&shape, budgets[gi], &rows, &e))
                    {
                      expect (buffer (ps, "backward_workspace"), ws, "sparse backward workspace", &c);
                      expect (buffer (ps, "backward_workspace"), rows * per_row + fixed, "sparse rows * per_row + fixed", &c);
                      expect (buffer (ps, "dense_gradient_chunk"), 0, "no G chunk", &c);
                      budget_cases++;
                    }
                }
              else
                {
                  if (cw_kernels_backward_dense_rows (&shape, budgets[gi], &rows, &e) &&
                      cw_kernels_backward_dense_workspace_bytes (&shape, budgets[gi], &ws, &e))
                    {
                      expect (buffer (ps, "dense_gradient_chunk"), 4 * rows * shape.sk, "dense G chunk", &c);
                      expect (buffer (ps, "backward_workspace"), ws, "dense workspace (0)", &c);
                    }
                }
              expect (buffer (ps, "tile"), buffer (pfw, "tile"), "forward tile = streaming", &c);
              expect (cw_plan_get_forward_peak_bytes (ps), cw_plan_get_peak_bytes (pfw), "forward peak = streaming", &c);
              expect_backward_buffers (ps, &shape, &c, !dense);
              cw_plan_free (ps);
              cw_plan_free (pfw);
            }
        cw_profile_set_param (prof[2], "dense", 0, NULL);
      }
    }
  /* The grid must reach the refusal (sq 1,048,576 x k 2048 and beyond). */
  CHECK (refused >= 8, "fused backward refusals seen: %u", refused);
  CHECK (budget_cases > 1000, "sparse budget cases: %u", budget_cases);
  for (int i = 0; i < 6; i++)
    cw_profile_free (prof[i]);
  printf ("%d checks, %d failures\n", checks, failures);
  return failures == 0 && checks > 10000 ? 0 : 1;
}
