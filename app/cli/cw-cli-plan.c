/* cw-cli-plan.c: `cliffwatch-cli plan`: peak, phases and buffers of each profile. */
#include <stdlib.h>
#include <string.h>

#include "cw-cli-commands.h"
#include "cw-cli-config.h"

static void
print_help (void)
{
  fputs ("Usage: cliffwatch-cli plan [OPTIONS]\n"
         "Predicts the HBM residency of each profile at one configuration: live bytes\n"
         "per phase, the peak, every buffer, and whether it fits the GPU's usable bytes.\n"
         "With --training, a training step: the forward and the backward side by side\n"
         "(each group's peak and phases, and what the forward saves for the backward).\n"
         "  --list                list presets, engines, GPUs and profiles, then exit\n", stdout);
  cw_cli_setup_print_help (stdout);
}

static int
list_all (void)
{
  char **v;
  CwError e = CW_ERROR_INIT;

  fputs ("presets:\n", stdout);
  if ((v = cw_preset_list (&e)) == NULL)
    return cw_cli_fail (&e);
  for (char **q = v; *q; q++)
    {
      char *desc = cw_preset_dup_description (*q, NULL);
      printf ("  %-24s %s\n", *q, desc ? desc : "");
      free (desc);
    }
  cw_strv_free (v);
  fputs ("engines:\n", stdout);
  if ((v = cw_engine_list_names (&e)) == NULL)
    return cw_cli_fail (&e);
  for (char **q = v; *q; q++)
    {
      CwEngine *en = cw_engine_load (*q, &e);
      if (en == NULL)
        {
          cw_strv_free (v);
          return cw_cli_fail (&e);
        }
      printf ("  %-24s %s (profile %s%s%s)\n", *q, cw_engine_get_description (en), cw_engine_get_profile (en),
              cw_engine_get_preset (en) ? ", preset " : "", cw_engine_get_preset (en) ? cw_engine_get_preset (en) : "");
      cw_engine_free (en);
    }
  cw_strv_free (v);
  fputs ("GPUs:\n", stdout);
  if ((v = cw_gpu_list (&e)) == NULL)
    return cw_cli_fail (&e);
  for (char **q = v; *q; q++)
    {
      CwGpu *g = cw_gpu_lookup (*q, NULL);
      printf ("  %-24s %s\n", *q, g ? g->description : "(unreadable)");
      cw_gpu_free (g);
    }
  cw_strv_free (v);
  fputs ("profiles:\n", stdout);
  if ((v = cw_profile_list_names (&e)) == NULL)
    return cw_cli_fail (&e);
  for (char **q = v; *q; q++)
    {
      CwProfile *p = cw_profile_load (*q, &e);
      if (p == NULL)
        {
          cw_strv_free (v);
          return cw_cli_fail (&e);
        }
      printf ("  %-24s %s%s\n", *q, cw_profile_get_description (p),
              cw_profile_is_lane_step (p) ? " [lane: plans when named]"
              : cw_profile_is_training (p) ? " [training step: --training]" : "");
      cw_profile_free (p);
    }
  cw_strv_free (v);
  return 0;
}

static int
extra_option (int argc, char **argv, int *i, void *user_data, CwError *error)
{
  (void) argc; (void) error;
  if (strcmp (argv[*i], "--list") == 0)
    {
      *(bool *) user_data = true;
      return 1;
    }
  return 0;
}

static void
print_table (const CwCliSetup *s, CwPlan **plans)
{
  char cfg[512], a[CW_BYTES_FORMAT_SIZE], b[CW_BYTES_FORMAT_SIZE], c[CW_BYTES_FORMAT_SIZE];

  cw_config_describe (&s->config, cfg, sizeof cfg);
  if (s->engine[0])
    printf ("engine: %s\n", s->engine);
  printf ("configuration: %s%s%s\n", s->preset[0] ? s->preset : "", s->preset[0] ? ": " : "", cfg);
  printf ("GPU: %s, total %s, reserve %s, usable %s\n\n", s->gpu->name,
          cw_bytes_format (s->gpu->total_bytes, a, sizeof a), cw_bytes_format (s->reserve_bytes, b, sizeof b),
          cw_bytes_format (s->usable_bytes, c, sizeof c));
  printf ("%-16s %-44s %-12s %-10s %s\n", "profile", "peak", "peak phase", "inputs", "fits");
  for (unsigned i = 0; i < s->n_profiles; i++)
    {
      const CwPlan *p = plans[i];
      printf ("%-16s %-44s %-12s %-10s %s\n", cw_profile_get_name (s->profiles[i]),
              cw_bytes_format (cw_plan_get_peak_bytes (p), a, sizeof a),
              cw_plan_get_phase_name (p, cw_plan_get_peak_phase (p)),
              cw_bytes_format_gib (cw_plan_get_input_bytes (p), b, sizeof b),
              cw_plan_get_peak_bytes (p) <= s->usable_bytes ? "yes" : "NO");
    }
  for (unsigned i = 0; i < s->n_profiles; i++)
    {
      const CwPlan *p = plans[i];

      printf ("\n%s: %s\n", cw_profile_get_name (s->profiles[i]), cw_profile_get_description (s->profiles[i]));
      for (unsigned j = 0; j < cw_plan_get_n_buffers (p); j++)
        {
          char live[256] = "";
          size_t len = 0;

          for (unsigned ph = 0; ph < cw_plan_get_n_phases (p) && len < sizeof live - 40; ph++)
            if (cw_plan_get_buffer_live_in (p, j, ph))
              len += (size_t) snprintf (live + len, sizeof live - len, "%s%s", len ? "," : "",
                                        cw_plan_get_phase_name (p, ph));
          printf ("  %-16s %-44s live %s%s\n", cw_plan_get_buffer_name (p, j),
                  cw_bytes_format (cw_plan_get_buffer_bytes (p, j), a, sizeof a), live,
                  cw_plan_get_buffer_is_input (p, j) ? " (input)" : "");
        }
      for (unsigned ph = 0; ph < cw_plan_get_n_phases (p); ph++)
        printf ("  phase %-10s %s%s\n", cw_plan_get_phase_name (p, ph),
                cw_bytes_format (cw_plan_get_phase_live_bytes (p, ph), a, sizeof a),
                ph == cw_plan_get_peak_phase (p) ? "  <- peak" : "");
    }
}

/* The phases of one group, "name bytes" each, for the side-by-side listing. */
static void
group_cell (const CwPlan *p, unsigned ph, bool backward, char *out, size_t size)
{
  char a[CW_BYTES_FORMAT_SIZE];
  unsigned peak = backward ? cw_plan_get_backward_peak_phase (p) : cw_plan_get_forward_peak_phase (p);

  snprintf (out, size, "%-14s %s%s", cw_plan_get_phase_name (p, ph),
            cw_bytes_format (cw_plan_get_phase_live_bytes (p, ph), a, sizeof a),
            ph == cw_plan_get_peak_phase (p) ? "  <- peak" : ph == peak ? "  <- group peak" : "");
}

/* The saved buffers' names. which: 0 every saved buffer, 1 those into the
 * backward's first phase only (cw_plan_get_buffer_is_saved_first_backward_phase_only),
 * 2 the others. Returns their bytes. */
static uint64_t
saved_list (const CwPlan *p, int which, char *out, size_t size)
{
  uint64_t bytes = 0;
  size_t len = 0;

  out[0] = '\0';
  for (unsigned j = 0; j < cw_plan_get_n_buffers (p) && len + 70 < size; j++)
    if (cw_plan_get_buffer_is_saved (p, j) &&
        (which == 0 || (which == 1) == cw_plan_get_buffer_is_saved_first_backward_phase_only (p, j)))
      {
        len += (size_t) snprintf (out + len, size - len, "%s%s", len ? ", " : "", cw_plan_get_buffer_name (p, j));
        bytes += cw_plan_get_buffer_bytes (p, j);
      }
  if (len == 0)
    snprintf (out, size, "nothing");
  return bytes;
}

/* --training: forward and backward side by side, per profile. */
static void
print_training_table (const CwCliSetup *s, CwPlan **plans)
{
  char cfg[512], a[CW_BYTES_FORMAT_SIZE], b[CW_BYTES_FORMAT_SIZE], c[CW_BYTES_FORMAT_SIZE];
  char d[CW_BYTES_FORMAT_SIZE], e[CW_BYTES_FORMAT_SIZE];

  cw_config_describe (&s->config, cfg, sizeof cfg);
  if (s->engine[0])
    printf ("engine: %s\n", s->engine);
  printf ("configuration: %s%s%s\n", s->preset[0] ? s->preset : "", s->preset[0] ? ": " : "", cfg);
  printf ("GPU: %s, total %s, reserve %s, usable %s\n", s->gpu->name,
          cw_bytes_format (s->gpu->total_bytes, a, sizeof a), cw_bytes_format (s->reserve_bytes, b, sizeof b),
          cw_bytes_format (s->usable_bytes, c, sizeof c));
  printf ("training step: the forward, then the backward; saved = live across the boundary (in the forward's last\n"
          "phase and the backward's first)\n\n");
  printf ("%-20s %-44s %-11s %-11s %-11s %-11s %s\n", "profile", "step peak", "forward", "backward", "saved",
          "inputs", "fits");
  for (unsigned i = 0; i < s->n_profiles; i++)
    {
      const CwPlan *p = plans[i];
      bool t = cw_profile_is_training (s->profiles[i]);

      printf ("%-20s %-44s %-11s %-11s %-11s %-11s %s\n", cw_profile_get_name (s->profiles[i]),
              cw_bytes_format (cw_plan_get_peak_bytes (p), a, sizeof a),
              cw_bytes_format_gib (cw_plan_get_forward_peak_bytes (p), b, sizeof b),
              t ? cw_bytes_format_gib (cw_plan_get_backward_peak_bytes (p), c, sizeof c) : "-",
              t ? cw_bytes_format_gib (cw_plan_get_saved_bytes (p), d, sizeof d) : "-",
              cw_bytes_format_gib (cw_plan_get_input_bytes (p), e, sizeof e),
              cw_plan_get_peak_bytes (p) <= s->usable_bytes ? "yes" : "NO");
    }
  for (unsigned i = 0; i < s->n_profiles; i++)
    {
      const CwPlan *p = plans[i];
      unsigned nf = cw_plan_get_n_forward_phases (p), n = cw_plan_get_n_phases (p);
      unsigned nb = n - nf, rows = nf > nb ? nf : nb;
      char saved[1024];

      printf ("\n%s: %s\n", cw_profile_get_name (s->profiles[i]), cw_profile_get_description (s->profiles[i]));
      printf ("  %-72s %s\n", "forward", "backward");
      for (unsigned r = 0; r < rows; r++)
        {
          char fw[160] = "", bw[160] = "";

          if (r < nf)
            group_cell (p, r, false, fw, sizeof fw);
          if (r < nb)
            group_cell (p, nf + r, true, bw, sizeof bw);
          if (bw[0] != '\0')
            printf ("  %-72s %s\n", fw, bw);
          else
            printf ("  %s\n", fw);
        }
      saved_list (p, 0, saved, sizeof saved);
      printf ("  saved for the backward: %s: %s\n", cw_bytes_format (cw_plan_get_saved_bytes (p), a, sizeof a), saved);
      /* Where the backward begins with the loss, what crosses into the
       * loss only is not what the backward proper reads: say which is which. */
      if (cw_plan_get_saved_first_backward_phase_only_bytes (p) > 0)
        {
          printf ("    into %s only (freed after it): %s: %s\n", cw_plan_get_phase_name (p, nf),
                  cw_bytes_format (saved_list (p, 1, saved, sizeof saved), a, sizeof a), saved);
          printf ("    into %s and on into %s: %s: ", cw_plan_get_phase_name (p, nf), cw_plan_get_phase_name (p, nf + 1),
                  cw_bytes_format (saved_list (p, 2, saved, sizeof saved), a, sizeof a));
          printf ("%s\n", saved);
        }
      for (unsigned j = 0; j < cw_plan_get_n_buffers (p); j++)
        {
          char live[256] = "", mark[96];
          size_t len = 0;

          unsigned n_live = 0;

          for (unsigned ph = 0; ph < n; ph++)
            n_live += cw_plan_get_buffer_live_in (p, j, ph);
          for (unsigned ph = 0; ph < n && len < sizeof live - 40 && n_live < n; ph++)
            if (cw_plan_get_buffer_live_in (p, j, ph))
              len += (size_t) snprintf (live + len, sizeof live - len, "%s%s", len ? "," : "",
                                        cw_plan_get_phase_name (p, ph));
          if (n_live == n)
            snprintf (live, sizeof live, "all");
          if (!cw_plan_get_buffer_is_saved (p, j))
            mark[0] = '\0';
          else if (cw_plan_get_buffer_is_saved_first_backward_phase_only (p, j))
            snprintf (mark, sizeof mark, " (saved; into %s only)", cw_plan_get_phase_name (p, nf));
          else
            snprintf (mark, sizeof mark, " (saved)");
          printf ("  %-20s %-44s live %s%s%s\n", cw_plan_get_buffer_name (p, j),
                  cw_bytes_format (cw_plan_get_buffer_bytes (p, j), a, sizeof a), live,
                  cw_plan_get_buffer_is_input (p, j) ? " (input)" : "", mark);
        }
    }
}

static void
print_json (const CwCliSetup *s, CwPlan **plans)
{
  printf ("{\"preset\":");
  if (s->preset[0])
    cw_cli_json_string (stdout, s->preset);
  else
    fputs ("null", stdout);
  printf (",\"engine\":");
  if (s->engine[0])
    cw_cli_json_string (stdout, s->engine);
  else
    fputs ("null", stdout);
  printf (",\"config\":");
  cw_cli_config_json (stdout, &s->config);
  printf (",\"gpu\":{\"name\":");
  cw_cli_json_string (stdout, s->gpu->name);
  printf (",\"total_bytes\":%llu,\"reserve_bytes\":%llu,\"usable_bytes\":%llu},\"profiles\":[",
          (unsigned long long) s->gpu->total_bytes, (unsigned long long) s->reserve_bytes,
          (unsigned long long) s->usable_bytes);
  for (unsigned i = 0; i < s->n_profiles; i++)
    {
      const CwPlan *p = plans[i];
      bool training = cw_profile_is_training (s->profiles[i]);

      printf ("%s{\"name\":", i ? "," : "");
      cw_cli_json_string (stdout, cw_profile_get_name (s->profiles[i]));
      printf (",\"peak_bytes\":%llu,\"peak_phase\":", (unsigned long long) cw_plan_get_peak_bytes (p));
      cw_cli_json_string (stdout, cw_plan_get_phase_name (p, cw_plan_get_peak_phase (p)));
      printf (",\"input_bytes\":%llu,\"fits\":%s", (unsigned long long) cw_plan_get_input_bytes (p),
              cw_plan_get_peak_bytes (p) <= s->usable_bytes ? "true" : "false");
      if (training)
        {
          printf (",\"training\":true,\"forward\":{\"peak_bytes\":%llu,\"peak_phase\":",
                  (unsigned long long) cw_plan_get_forward_peak_bytes (p));
          cw_cli_json_string (stdout, cw_plan_get_phase_name (p, cw_plan_get_forward_peak_phase (p)));
          printf ("},\"backward\":{\"peak_bytes\":%llu,\"peak_phase\":",
                  (unsigned long long) cw_plan_get_backward_peak_bytes (p));
          cw_cli_json_string (stdout, cw_plan_get_phase_name (p, cw_plan_get_backward_peak_phase (p)));
          printf ("},\"saved_bytes\":%llu,\"saved\":[", (unsigned long long) cw_plan_get_saved_bytes (p));
          for (unsigned j = 0, n = 0; j < cw_plan_get_n_buffers (p); j++)
            if (cw_plan_get_buffer_is_saved (p, j))
              {
                fputs (n++ ? "," : "", stdout);
                cw_cli_json_string (stdout, cw_plan_get_buffer_name (p, j));
              }
          /* Of those, the ones the backward's first phase alone reads (our
           * lanes' scores, read by the loss and freed after it). */
          printf ("],\"saved_first_backward_phase_only\":[");
          for (unsigned j = 0, n = 0; j < cw_plan_get_n_buffers (p); j++)
            if (cw_plan_get_buffer_is_saved_first_backward_phase_only (p, j))
              {
                fputs (n++ ? "," : "", stdout);
                cw_cli_json_string (stdout, cw_plan_get_buffer_name (p, j));
              }
          printf ("]");
        }
      printf (",\"phases\":[");
      for (unsigned ph = 0; ph < cw_plan_get_n_phases (p); ph++)
        {
          printf ("%s{\"name\":", ph ? "," : "");
          cw_cli_json_string (stdout, cw_plan_get_phase_name (p, ph));
          printf (",\"live_bytes\":%llu", (unsigned long long) cw_plan_get_phase_live_bytes (p, ph));
          if (training)
            printf (",\"group\":\"%s\"", ph < cw_plan_get_n_forward_phases (p) ? "forward" : "backward");
          printf ("}");
        }
      printf ("],\"buffers\":[");
      for (unsigned j = 0; j < cw_plan_get_n_buffers (p); j++)
        {
          bool first = true;

          printf ("%s{\"name\":", j ? "," : "");
          cw_cli_json_string (stdout, cw_plan_get_buffer_name (p, j));
          printf (",\"bytes\":%llu,\"input\":%s,\"live\":[", (unsigned long long) cw_plan_get_buffer_bytes (p, j),
                  cw_plan_get_buffer_is_input (p, j) ? "true" : "false");
          for (unsigned ph = 0; ph < cw_plan_get_n_phases (p); ph++)
            if (cw_plan_get_buffer_live_in (p, j, ph))
              {
                if (!first)
                  fputc (',', stdout);
                cw_cli_json_string (stdout, cw_plan_get_phase_name (p, ph));
                first = false;
              }
          printf ("]%s}", training ? (cw_plan_get_buffer_is_saved (p, j) ? ",\"saved\":true" : ",\"saved\":false") : "");
        }
      printf ("]}");
    }
  printf ("]}\n");
}

static void
print_csv (const CwCliSetup *s, CwPlan **plans)
{
  printf ("profile,kind,name,bytes,fits\n");
  for (unsigned i = 0; i < s->n_profiles; i++)
    {
      const CwPlan *p = plans[i];
      const char *name = cw_profile_get_name (s->profiles[i]);

      cw_cli_csv_field (stdout, name);
      printf (",peak,");
      cw_cli_csv_field (stdout, cw_plan_get_phase_name (p, cw_plan_get_peak_phase (p)));
      printf (",%llu,%s\n", (unsigned long long) cw_plan_get_peak_bytes (p),
              cw_plan_get_peak_bytes (p) <= s->usable_bytes ? "true" : "false");
      for (unsigned ph = 0; ph < cw_plan_get_n_phases (p); ph++)
        {
          cw_cli_csv_field (stdout, name);
          printf (",phase,");
          cw_cli_csv_field (stdout, cw_plan_get_phase_name (p, ph));
          printf (",%llu,\n", (unsigned long long) cw_plan_get_phase_live_bytes (p, ph));
        }
      for (unsigned j = 0; j < cw_plan_get_n_buffers (p); j++)
        {
          cw_cli_csv_field (stdout, name);
          printf (",buffer,");
          cw_cli_csv_field (stdout, cw_plan_get_buffer_name (p, j));
          printf (",%llu,\n", (unsigned long long) cw_plan_get_buffer_bytes (p, j));
        }
      if (!cw_profile_is_training (s->profiles[i]))
        continue;
      /* A training step: each group's peak and what crosses the boundary. */
      for (int g = 0; g < 2; g++)
        {
          unsigned ph = g ? cw_plan_get_backward_peak_phase (p) : cw_plan_get_forward_peak_phase (p);

          cw_cli_csv_field (stdout, name);
          printf (",%s,", g ? "backward_peak" : "forward_peak");
          cw_cli_csv_field (stdout, cw_plan_get_phase_name (p, ph));
          printf (",%llu,\n", (unsigned long long) (g ? cw_plan_get_backward_peak_bytes (p)
                                                      : cw_plan_get_forward_peak_bytes (p)));
        }
      for (unsigned j = 0; j < cw_plan_get_n_buffers (p); j++)
        if (cw_plan_get_buffer_is_saved (p, j))
          {
            cw_cli_csv_field (stdout, name);
            printf (",saved,");
            cw_cli_csv_field (stdout, cw_plan_get_buffer_name (p, j));
            printf (",%llu,\n", (unsigned long long) cw_plan_get_buffer_bytes (p, j));
          }
    }
}

static bool
any_training (const CwCliSetup *s)
{
  for (unsigned i = 0; i < s->n_profiles; i++)
    if (cw_profile_is_training (s->profiles[i]))
      return true;
  return false;
}

static int
run_plan (CwCliSetup *s)
{
  CwPlan *plans[CW_CLI_MAX_PROFILES] = { 0 };
  CwError e = CW_ERROR_INIT;
  int status = 0;

  for (unsigned i = 0; i < s->n_profiles; i++)
    if ((plans[i] = cw_plan_new (s->profiles[i], &s->config, &e)) == NULL)
      {
        status = cw_cli_fail (&e);
        goto out;
      }
  if (s->format == CW_CLI_FORMAT_JSON)
    print_json (s, plans);
  else if (s->format == CW_CLI_FORMAT_CSV)
    print_csv (s, plans);
  else if (s->training || any_training (s))
    print_training_table (s, plans);
  else
    print_table (s, plans);
out:
  for (unsigned i = 0; i < s->n_profiles; i++)
    cw_plan_free (plans[i]);
  return status;
}

int
cw_cli_plan (int argc, char **argv)
{
  CwCliSetup s;
  CwError e = CW_ERROR_INIT;
  bool list = false;
  int status;

  for (int i = 1; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      {
        print_help ();
        return 0;
      }
  if (!cw_cli_setup_parse (&s, argc, argv, extra_option, &list, &e))
    return cw_cli_fail (&e);
  if (list)
    status = list_all ();
  else
    status = run_plan (&s);
  cw_cli_setup_clear (&s);
  return status;
}
