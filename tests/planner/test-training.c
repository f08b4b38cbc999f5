/* test-training.c: training steps in the profile format and the plan API
 * (planner/cw-profile.c 'backward', planner/cw-plan.c group peaks and saved
 * buffers), on small profiles written here, with exact values; then every
 * shipped training profile: its forward group plans exactly its path's
 * profile where the file says so, and the groups partition its phases. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cw-planner.h"

#include "../cw-test.h"

static const char *const good =
  "name t\n"
  "phase a b\n"
  "backward c d\n"
  "backward e\n"
  "buffer in = 1000 live all input\n"
  "buffer keep = 200 live a..c\n"        /* saved: live in b (last forward) and c (first backward) */
  "buffer fwd = 50 live a..b\n"
  "buffer late = 7 live b..e\n"          /* saved */
  "buffer zero = 0 live a..e\n"          /* 0 bytes: not listed as saved */
  "buffer skip = 3 live b,d\n"           /* not live in c: not saved */
  "buffer bw = 300 live d\n"
  "buffer tail = 100 live e\n";

static void
expect_parse_error (const char *text, const char *want)
{
  CwError e = CW_ERROR_INIT;
  CwProfile *p = cw_profile_load_data ("bad.profile", text, &e);

  CHECK (p == NULL && e.code == CW_ERROR_PARSE && strstr (e.message, want) != NULL,
         "'%s': got '%s', want '%s'", text, e.message, want);
  cw_profile_free (p);
}

int
main (void)
{
  CwError e = CW_ERROR_INIT;
  CwConfig c;
  CwProfile *p = cw_profile_load_data ("t.profile", good, &e);
  CwPlan *plan;

  cw_config_init_default (&c);
  CHECK (p != NULL, "%s", e.message);
  if (p == NULL)
    return 1;
  CHECK (cw_profile_is_training (p) && cw_profile_get_n_forward_phases (p) == 2, "a training step, 2 forward phases");
  plan = cw_plan_new (p, &c, &e);
  CHECK (plan != NULL, "%s", e.message);
  if (plan != NULL)
    {
      /* a: 1000+200+50+7*0+0 = 1250; b: 1000+200+50+7+3 = 1260; c: 1000+200+7 = 1207;
       * d: 1000+7+3+300 = 1310; e: 1000+7+100 = 1107 */
      const uint64_t want[] = { 1250, 1260, 1207, 1310, 1107 };

      for (unsigned i = 0; i < 5; i++)
        CHECK (cw_plan_get_phase_live_bytes (plan, i) == want[i], "phase %u: %" PRIu64, i,
               cw_plan_get_phase_live_bytes (plan, i));
      CHECK (cw_plan_get_n_phases (plan) == 5 && cw_plan_get_n_forward_phases (plan) == 2, "phases");
      CHECK (cw_plan_get_forward_peak_bytes (plan) == 1260 && cw_plan_get_forward_peak_phase (plan) == 1, "forward peak");
      CHECK (cw_plan_get_backward_peak_bytes (plan) == 1310 && cw_plan_get_backward_peak_phase (plan) == 3, "backward peak");
      CHECK (cw_plan_get_peak_bytes (plan) == 1310 && cw_plan_get_peak_phase (plan) == 3, "step peak");
      CHECK (cw_plan_get_saved_bytes (plan) == 207, "saved %" PRIu64, cw_plan_get_saved_bytes (plan));
      for (unsigned i = 0; i < cw_plan_get_n_buffers (plan); i++)
        {
          const char *n = cw_plan_get_buffer_name (plan, i);
          bool want_saved = strcmp (n, "keep") == 0 || strcmp (n, "late") == 0;

          CHECK (cw_plan_get_buffer_is_saved (plan, i) == want_saved, "%s saved", n);
          /* keep is live in c, not d: into the backward's first phase only; late goes on to e. */
          CHECK (cw_plan_get_buffer_is_saved_first_backward_phase_only (plan, i) == (strcmp (n, "keep") == 0),
                 "%s into the backward's first phase only", n);
        }
      CHECK (cw_plan_get_saved_first_backward_phase_only_bytes (plan) == 200, "first-phase-only bytes %" PRIu64,
             cw_plan_get_saved_first_backward_phase_only_bytes (plan));
      CHECK (!cw_plan_get_buffer_is_saved (plan, 99), "out of range");
      CHECK (!cw_plan_get_buffer_is_saved_first_backward_phase_only (plan, 99), "out of range");
      cw_plan_free (plan);
    }
  /* A tie inside a group: the first phase reaching it. */
  {
    CwProfile *t = cw_profile_load_data ("tie.profile",
                                         "name tie\nphase a b\nbackward c d\nbuffer x = 5 live all\n"
                                         "buffer y = 4 live c\nbuffer z = 4 live d\n", &e);
    CwPlan *tp = t ? cw_plan_new (t, &c, &e) : NULL;

    CHECK (tp != NULL && cw_plan_get_forward_peak_phase (tp) == 0 && cw_plan_get_backward_peak_phase (tp) == 2 &&
           cw_plan_get_peak_phase (tp) == 2 && cw_plan_get_saved_bytes (tp) == 5, "ties: %s", e.message);
    cw_plan_free (tp);
    cw_profile_free (t);
  }
  /* A backward of one phase: what is saved reaches all of it, none into its first phase only. */
  {
    CwProfile *o = cw_profile_load_data ("one.profile", "name one\nphase a\nbackward b\nbuffer s = 9 live a..b\n", &e);
    CwPlan *op = o ? cw_plan_new (o, &c, &e) : NULL;

    CHECK (op != NULL && cw_plan_get_buffer_is_saved (op, 0) && !cw_plan_get_buffer_is_saved_first_backward_phase_only (op, 0)
           && cw_plan_get_saved_first_backward_phase_only_bytes (op) == 0, "one backward phase: %s", e.message);
    cw_plan_free (op);
    cw_profile_free (o);
  }
  /* A forward-only profile: no backward, nothing saved. */
  {
    CwProfile *f = cw_profile_load ("streaming", &e);
    CwPlan *fp = f ? cw_plan_new (f, &c, &e) : NULL;

    CHECK (fp != NULL && !cw_profile_is_training (f) && cw_plan_get_n_forward_phases (fp) == cw_plan_get_n_phases (fp)
           && cw_plan_get_backward_peak_bytes (fp) == 0 && cw_plan_get_backward_peak_phase (fp) == cw_plan_get_n_phases (fp)
           && cw_plan_get_forward_peak_bytes (fp) == cw_plan_get_peak_bytes (fp) && cw_plan_get_saved_bytes (fp) == 0,
           "forward-only: %s", e.message);
    for (unsigned i = 0; fp != NULL && i < cw_plan_get_n_buffers (fp); i++)
      CHECK (!cw_plan_get_buffer_is_saved (fp, i), "forward-only buffer saved");
    cw_plan_free (fp);
    cw_profile_free (f);
  }
  cw_profile_free (p);

  expect_parse_error ("name x\nbackward a\nbuffer q = 1 live a\n", "bad.profile:2: 'backward' phases follow the forward's");
  expect_parse_error ("name x\nphase a\nbackward b\nphase c\nbuffer q = 1 live a\n",
                      "bad.profile:4: forward phases come before 'backward'");
  expect_parse_error ("name x\nphase a\nbackward\nbuffer q = 1 live a\n", "bad.profile:3: 'backward' needs at least one name");
  expect_parse_error ("name x\nphase a\nbackward a\nbuffer q = 1 live a\n", "bad.profile:3: phase 'a' declared twice");
  expect_parse_error ("name x\nphase a\nbuffer q = 1 live a\nbackward b\n", "bad.profile:4: phases must be declared before buffers");
  expect_parse_error ("name x\nphase a\nbackward all\nbuffer q = 1 live a\n", "'all' is reserved");
  expect_parse_error ("name x\nphase a\nfrobnicate\n", "known: name, description, source, scope, param, let, phase, backward, buffer");

  /* Every shipped training step: forward phases first, at least one backward phase; each
   * NAME-train whose path exists plans, at V4-Flash 8K, a forward peak no lower than the path's
   * where it says its forward is the path's (our lanes, reference: equal). */
  {
    char **names = cw_profile_list_names (&e);
    unsigned n_training = 0;
    const char *equal[] = { "reference", "materialize", "fused", "streaming" };

    CHECK (cw_preset_lookup ("v4-flash", &c, &e), "%s", e.message);
    c.sq = 8192;
    c.sk = 0;
    for (char **q = names; q != NULL && *q != NULL; q++)
      {
        CwProfile *t = cw_profile_load (*q, &e);

        if (t == NULL || !cw_profile_is_training (t))
          {
            cw_profile_free (t);
            continue;
          }
        n_training++;
        {
          CwPlan *tp = cw_plan_new (t, &c, &e);

          CHECK (tp != NULL && cw_plan_get_n_forward_phases (tp) > 0 &&
                 cw_plan_get_n_forward_phases (tp) < cw_plan_get_n_phases (tp), "%s: %s", *q, e.message);
          for (size_t i = 0; tp != NULL && i < sizeof equal / sizeof equal[0]; i++)
            {
              char tn[64];

              snprintf (tn, sizeof tn, "%s-train", equal[i]);
              if (strcmp (tn, *q) == 0)
                {
                  CwProfile *f = cw_profile_load (equal[i], &e);
                  CwPlan *fp = f ? cw_plan_new (f, &c, &e) : NULL;

                  CHECK (fp != NULL && cw_plan_get_forward_peak_bytes (tp) == cw_plan_get_peak_bytes (fp),
                         "%s forward %" PRIu64 " = %s peak", *q, cw_plan_get_forward_peak_bytes (tp), equal[i]);
                  cw_plan_free (fp);
                  cw_profile_free (f);
                }
            }
          cw_plan_free (tp);
        }
        cw_profile_free (t);
      }
    CHECK (n_training >= 6, "%u shipped training steps", n_training);
    cw_strv_free (names);
  }
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
