/* main.c: the `cliffwatch` entry point.
 *
 * Sets up gettext, then decides between the workbench and the no-display
 * fallback: the README's run command must do something useful on a headless
 * box, so without a display it prints the default preset's plan (the Plan
 * page's default profiles, planned by the planner library) instead of
 * failing. Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cw-application.h"
#include "cw-bytes.h"
#include "cw-gpu.h"
#include "cw-plan.h"
#include "cw-preset.h"
#include "cw-profile.h"

/* --help and --version need no display; everything else does. */
static gboolean
wants_display (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h") ||
        g_str_has_prefix (argv[i], "--help-") || g_str_equal (argv[i], "--version"))
      return FALSE;
  return TRUE;
}

/* The Plan page's defaults (the gschema's "profiles" key) on the default
 * preset and GPU: one line per profile, exact bytes. */
static int
print_default_plan (void)
{
  static const char *const profiles[] = { "reference", "materialize", "fused", "streaming" };
  const char *preset = "deepseek-v4-flash", *gpu_name = "h100-80gb";
  CwError error = { 0 };
  CwConfig config;
  CwGpu *gpu;
  uint64_t usable = 0;
  char bytes[CW_BYTES_FORMAT_SIZE];

  if (!cw_preset_lookup (preset, &config, &error) || (gpu = cw_gpu_lookup (gpu_name, &error)) == NULL)
    {
      fprintf (stderr, "cliffwatch: %s\n", error.message);
      return 1;
    }
  if (!cw_gpu_usable_bytes (gpu->total_bytes, gpu->reserve_bytes, &usable, &error))
    {
      cw_gpu_free (gpu);
      fprintf (stderr, "cliffwatch: %s\n", error.message);
      return 1;
    }
  printf ("%s on %s, sq %" G_GUINT64_FORMAT ", usable %s\n", preset, gpu_name, config.sq,
          cw_bytes_format (usable, bytes, sizeof bytes));
  for (size_t i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      CwProfile *profile = cw_profile_load (profiles[i], &error);
      CwPlan *plan = profile != NULL ? cw_plan_new (profile, &config, &error) : NULL;

      if (plan == NULL)
        {
          cw_profile_free (profile);
          cw_gpu_free (gpu);
          fprintf (stderr, "cliffwatch: %s\n", error.message);
          return 1;
        }
      printf ("%-12s %s  %s\n", profiles[i], cw_bytes_format (cw_plan_get_peak_bytes (plan), bytes, sizeof bytes),
              cw_plan_get_peak_bytes (plan) <= usable ? "fits" : "does not fit");
      cw_plan_free (plan);
      cw_profile_free (profile);
    }
  cw_gpu_free (gpu);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(CwApplication) app = NULL;
  int status;

  cw_application_init_i18n ();

  if (wants_display (argc, argv) && !gtk_init_check ())
    {
      /* stderr, so stdout carries only the plan itself. */
      fprintf (stderr, "%s\n", _("no display; printing the plan for the default preset"));
      return print_default_plan ();
    }

  app = cw_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  return status;
}
