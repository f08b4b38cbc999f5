/* fuzz-planner.c: a libFuzzer entry point over the planner's text inputs
 * (issue 17): profile files with their formula language, and the numbers
 * and sq ranges every front end parses. Besides "no crash, no sanitizer
 * report, no hang", it asserts what a user relies on: a profile that plans
 * gives the same peak through both plan paths, a training step's peak is
 * its larger pass's and what it saves fits either side of the boundary,
 * and a cliff the solver reports fits at its max (with the peak it reports
 * there).
 *
 * Input: the first byte picks what the rest is (even: a profile file; odd:
 * option values, one per line). Built two ways: with clang's
 * -fsanitize=fuzzer as `fuzz-planner` (not in CI: Debian's gcc has no
 * libFuzzer) and with fuzz-replay.c's main as `fuzz-planner-replay`, which
 * CI runs over the committed corpus and data/profiles under ASan/UBSan. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-planner.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A broken invariant is a finding: abort so the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond)                                                            \
  do {                                                                               \
    if (!(cond))                                                                     \
      {                                                                              \
        fprintf (stderr, "fuzz-planner: %s:%d: %s\n", __FILE__, __LINE__, #cond);   \
        abort ();                                                                    \
      }                                                                              \
  } while (0)

static void
fuzz_profile (const char *text)
{
  static const uint64_t sqs[] = { 1, 4096, 1u << 20 };
  static const CwCliffAxis axes[] = { CW_CLIFF_AXIS_SQ, CW_CLIFF_AXIS_B, CW_CLIFF_AXIS_H };
  const uint64_t usable = 141ull << 30;
  CwError error = CW_ERROR_INIT;
  CwProfile *profile = cw_profile_load_data ("fuzz.profile", text, &error);
  CwConfig config;

  if (profile == NULL)
    {
      FUZZ_ASSERT (error.message[0] != '\0' && strchr (error.message, '\n') == NULL);
      return;
    }
  cw_config_init_default (&config);
  for (size_t i = 0; i < sizeof sqs / sizeof sqs[0]; i++)
    {
      CwError e1 = CW_ERROR_INIT, e2 = CW_ERROR_INIT;
      CwPlan *plan;
      uint64_t peak = 0;
      bool ok;

      config.sq = config.sk = sqs[i];
      plan = cw_plan_new (profile, &config, &e1);
      ok = cw_plan_eval_peak (profile, &config, &peak, &e2);
      FUZZ_ASSERT ((plan != NULL) == ok);
      if (plan != NULL)
        {
          unsigned nf = cw_plan_get_n_forward_phases (plan), n = cw_plan_get_n_phases (plan);
          uint64_t fw = cw_plan_get_forward_peak_bytes (plan), bw = cw_plan_get_backward_peak_bytes (plan);

          FUZZ_ASSERT (cw_plan_get_peak_bytes (plan) == peak);
          /* A training step: the step's peak is the larger pass's, and what
           * the forward saves is live on both sides of the boundary. */
          FUZZ_ASSERT (nf >= 1 && nf <= n && (nf < n) == cw_profile_is_training (profile));
          FUZZ_ASSERT (peak == (fw > bw ? fw : bw) && fw == cw_plan_get_phase_live_bytes (plan, cw_plan_get_forward_peak_phase (plan)));
          FUZZ_ASSERT (nf == n ? bw == 0 && cw_plan_get_saved_bytes (plan) == 0
                               : bw == cw_plan_get_phase_live_bytes (plan, cw_plan_get_backward_peak_phase (plan))
                                 && cw_plan_get_saved_bytes (plan) <= cw_plan_get_phase_live_bytes (plan, nf - 1)
                                 && cw_plan_get_saved_bytes (plan) <= cw_plan_get_phase_live_bytes (plan, nf));
          cw_plan_free (plan);
        }
      else
        FUZZ_ASSERT (e1.message[0] != '\0' && strchr (e1.message, '\n') == NULL);
    }
  config.sq = config.sk = 4096;
  for (size_t a = 0; a < sizeof axes / sizeof axes[0]; a++)
    {
      CwError e = CW_ERROR_INIT;
      CwCliffResult r;

      if (!cw_cliff_solve (profile, &config, axes[a], usable, &r, &e))
        {
          FUZZ_ASSERT (e.message[0] != '\0' && strchr (e.message, '\n') == NULL);
          continue;
        }
      if (r.max > 0)
        {
          CwConfig at = config;
          uint64_t peak = 0;
          CwError e2 = CW_ERROR_INIT;

          if (axes[a] == CW_CLIFF_AXIS_SQ)
            at.sq = r.max;                /* sk held, as the solver does (ratio 0, no prefix) */
          else if (axes[a] == CW_CLIFF_AXIS_B)
            at.b = r.max;
          else
            at.h = r.max;
          FUZZ_ASSERT (cw_plan_eval_peak (profile, &at, &peak, &e2));
          FUZZ_ASSERT (peak <= usable && peak == r.peak_at_max);
        }
    }
  cw_profile_free (profile);
}

static void
fuzz_values (char *text)
{
  for (char *line = strtok (text, "\n"); line != NULL; line = strtok (NULL, "\n"))
    {
      CwError e = CW_ERROR_INIT;
      uint64_t v, *list = NULL, n = 0, sq;
      double dv;
      CwSqRange range;

      (void) cw_parse_u64 ("--x", line, true, &v, &e);
      (void) cw_parse_positive_u64 ("--x", line, false, &v, &e);
      (void) cw_parse_double ("--x", line, false, &dv, &e);
      if (cw_parse_u64_list ("--x", line, &list, &n, &e))
        free (list);
      if (cw_sq_range_parse ("--sq", line, 4096, &range, &e))
        {
          uint64_t count = 1, last = range.from;

          sq = range.from;
          while (cw_sq_range_next (&range, &sq))
            {
              FUZZ_ASSERT (sq > last && sq <= range.to);
              last = sq;
              FUZZ_ASSERT (++count <= cw_sq_range_get_n_points (&range));
            }
          FUZZ_ASSERT (count == cw_sq_range_get_n_points (&range) && count <= 4096);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text;

  if (size == 0 || size > (1u << 20))
    return 0;
  text = malloc (size);
  if (text == NULL)
    return 0;
  memcpy (text, data + 1, size - 1);
  text[size - 1] = '\0';
  if (data[0] % 2 == 0)
    fuzz_profile (text);
  else
    fuzz_values (text);
  free (text);
  return 0;
}
