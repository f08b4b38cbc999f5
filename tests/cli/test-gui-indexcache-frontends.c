/* test-gui-indexcache-frontends.c: the workbench's Index cache page and
 * `cliffwatch-cli indexcache` plan the same index cache for the same input,
 * with and without a calibration database.
 *
 * Workbench side: cw_index_cache_page_plan, the function the page's replan
 * calls (no display needed), with the page's rows and, calibrating, the
 * calibration the page reads from the chosen database. CLI side: the real
 * cliffwatch-cli binary, run with the same words a user would type, its
 * CSV read back. Per layer the role and resident bytes, per boundary the
 * payload, both times and the decision must agree; the payload carries the
 * preset's index heads, so a page that dropped them (issue 16 item 2)
 * fails here. A database with no index-transfer receipts: the CLI refuses
 * (exit 1) and the page cannot calibrate (it falls back to the assumed
 * plan and says so).
 *
 * Usage: test-gui-indexcache-frontends CLIFFWATCH-CLI (CW_DATA_DIR set). */
#include "cw-build-config.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-gui-charts.h"
#include "cw-index-cache-page.h"

#include "../cw-test.h"

static const char *cli;
static const char *data_dir;

/* Runs the CLI; returns its exit status and its stdout. */
static int
run_cli (GPtrArray *args, char **out)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_insert (args, 0, (char *) cli);
  g_ptr_array_add (args, NULL);
  if (!g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, out, NULL, &status,
                     &error))
    {
      CHECK (FALSE, "%s: %s", cli, error->message);
      return -1;
    }
  return g_spawn_check_wait_status (status, NULL) ? 0 : WEXITSTATUS (status);
}

static gboolean
close_enough (double a, double b)
{
  return fabs (a - b) <= 1e-8 * fmax (fabs (a), fabs (b)) + 1e-15;
}

/* The CLI's CSV against a plan; `calibrated` compares the calibrated
 * columns (roles and decisions, times), else the assumed ones. */
static void
compare_csv (const char *what, const char *csv, const CwIndexCachePlan *plan, gboolean calibrated)
{
  g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);
  uint64_t n_layers = 0, n_boundaries = 0;

  for (size_t i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      guint n = g_strv_length (f);
      uint64_t index = g_ascii_strtoull (f[1], NULL, 10);

      if (n < 7 || (calibrated && n < 10))
        {
          CHECK (FALSE, "%s: CSV line '%s'", what, lines[i]);
          continue;
        }
      if (strcmp (f[0], "layer") == 0 && index < cw_index_cache_plan_get_n_layers (plan))
        {
          n_layers++;
          CHECK (strcmp (calibrated ? f[7] : f[3],
                         cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (plan, index))) == 0,
                 "%s: layer %s role %s (cli) vs %s (workbench)", what, f[1], calibrated ? f[7] : f[3],
                 cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (plan, index)));
          if (!calibrated)
            CHECK (g_ascii_strtoull (f[4], NULL, 10) == cw_index_cache_plan_get_layer_resident_bytes (plan, index),
                   "%s: layer %s resident %s (cli)", what, f[1], f[4]);
        }
      else if (strcmp (f[0], "boundary") == 0 && index < cw_index_cache_plan_get_n_boundaries (plan))
        {
          double t = g_ascii_strtod (calibrated ? f[8] : f[5], NULL);
          double r = g_ascii_strtod (calibrated ? f[9] : f[6], NULL);

          n_boundaries++;
          CHECK (g_ascii_strtoull (f[4], NULL, 10) == cw_index_cache_plan_get_boundary_payload_bytes (plan, index),
                 "%s: boundary %s payload %s (cli) vs %" G_GUINT64_FORMAT " (workbench)", what, f[1], f[4],
                 cw_index_cache_plan_get_boundary_payload_bytes (plan, index));
          CHECK (strcmp (calibrated ? f[7] : f[3],
                         cw_boundary_decision_get_name (cw_index_cache_plan_get_boundary_decision (plan, index)))
                 == 0, "%s: boundary %s decision %s (cli)", what, f[1], calibrated ? f[7] : f[3]);
          CHECK (close_enough (t, cw_index_cache_plan_get_boundary_transfer_s (plan, index))
                 && close_enough (r, cw_index_cache_plan_get_boundary_recompute_s (plan, index)),
                 "%s: boundary %s times %g/%g (cli) vs %g/%g (workbench)", what, f[1], t, r,
                 cw_index_cache_plan_get_boundary_transfer_s (plan, index),
                 cw_index_cache_plan_get_boundary_recompute_s (plan, index));
        }
    }
  CHECK (n_layers == cw_index_cache_plan_get_n_layers (plan), "%s: %" G_GUINT64_FORMAT " layers in the CSV", what,
         n_layers);
  CHECK (n_boundaries == cw_index_cache_plan_get_n_boundaries (plan), "%s: %" G_GUINT64_FORMAT " boundaries", what,
         n_boundaries);
}

/* layers_preset: the page's "Layers from preset" (the CLI spells its
 * layers out, as a user would). */
static void
check_case (const char *preset, const char *layers_preset, uint64_t stages, const CwCalibration *calibration,
            const char *db)
{
  CwError e = CW_ERROR_INIT;
  CwConfig config;
  CwIndexCachePlan *assumed = NULL, *calibrated = NULL;
  CwCalibrationIndexCacheRates rates;
  CwIndexCachePageInput in = { &config, preset, layers_preset, 2, stages, 50, 400, calibration, NULL };
  g_autoptr(GString) indexer = g_string_new (NULL);
  char layers_text[32];
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (NULL);
  g_autofree char *out = NULL;
  g_autofree char *what = g_strdup_printf ("%s, %" G_GUINT64_FORMAT " stages%s", preset, stages,
                                           calibration ? ", calibrated" : "");
  char stages_text[32];
  int rc;

  CHECK (cw_preset_lookup (preset, &config, &e), "%s", e.message);
  CHECK (cw_index_cache_page_plan (&in, &assumed, &calibrated, &rates, &e), "%s: %s", what, e.message);
  if (assumed == NULL)
    return;
  g_snprintf (stages_text, sizeof stages_text, "%" G_GUINT64_FORMAT, stages);
  g_ptr_array_add (args, "indexcache");
  g_ptr_array_add (args, "--preset");
  g_ptr_array_add (args, (char *) preset);
  g_ptr_array_add (args, "--every");
  g_ptr_array_add (args, "2");
  g_ptr_array_add (args, "--stages");
  g_ptr_array_add (args, stages_text);
  g_ptr_array_add (args, "--format");
  g_ptr_array_add (args, "csv");
  if (strcmp (layers_preset, preset) != 0)
    {
      uint64_t n_layers = 0, *list = NULL, n_list = 0;

      CHECK (cw_preset_get_layers (layers_preset, &n_layers, &list, &n_list, &e), "%s", e.message);
      g_snprintf (layers_text, sizeof layers_text, "%" G_GUINT64_FORMAT, n_layers);
      for (uint64_t i = 0; i < n_list; i++)
        g_string_append_printf (indexer, "%s%" G_GUINT64_FORMAT, i ? "," : "", list[i]);
      free (list);
      g_ptr_array_add (args, "--layers");
      g_ptr_array_add (args, layers_text);
      if (n_list > 0)
        {
          g_ptr_array_add (args, "--indexer-layers");
          g_ptr_array_add (args, indexer->str);
        }
    }
  if (calibration != NULL)
    {
      /* The page calibrates both rates: no --link-gbps/--tflops. */
      g_ptr_array_add (args, "--calibration");
      g_ptr_array_add (args, (char *) db);
    }
  else
    {
      g_ptr_array_add (args, "--link-gbps");
      g_ptr_array_add (args, "50");
      g_ptr_array_add (args, "--tflops");
      g_ptr_array_add (args, "400");
    }
  rc = run_cli (args, &out);
  CHECK (rc == 0, "%s: cliffwatch-cli exited %d", what, rc);
  if (rc == 0)
    {
      CHECK (calibration == NULL || calibrated != NULL, "%s: the page did not calibrate", what);
      compare_csv (what, out, calibration != NULL ? calibrated : assumed, calibration != NULL);
      /* The payload both plan with carries the preset's index heads. */
      if (calibrated != NULL)
        CHECK (cw_index_cache_plan_get_payload_bytes (calibrated) == cw_index_cache_plan_get_payload_bytes (assumed),
               "%s: payload", what);
      /* Issue 16 item 4: the page's chart of a calibrated plan says where
       * its rates came from (the database's file name), before the version. */
      if (calibrated != NULL)
        {
          CwChart *chart = cw_gui_chart_index_cache_for (calibrated, &config, preset, NULL, db);
          g_autofree char *base = g_path_get_basename (db);
          g_autofree char *want = g_strdup_printf ("; rates calibrated from database %s \xc2\xb7 Cliffwatch ", base);
          const char *caption = chart != NULL ? cw_chart_get_caption (chart) : NULL;

          CHECK (caption != NULL && strstr (caption, want) != NULL, "%s: chart caption '%s' lacks '%s'", what,
                 caption != NULL ? caption : "", want);
          cw_chart_free (chart);
          chart = cw_gui_chart_index_cache_for (assumed, &config, preset, NULL, NULL);
          caption = chart != NULL ? cw_chart_get_caption (chart) : NULL;
          CHECK (caption != NULL && strstr (caption, "calibrated") == NULL, "%s: assumed chart caption '%s'", what,
                 caption != NULL ? caption : "");
          cw_chart_free (chart);
        }
    }
  cw_index_cache_plan_free (assumed);
  cw_index_cache_plan_free (calibrated);
}

int
main (int argc, char **argv)
{
  /* The last has no layer list and 32 index heads: the page plans it over
   * V3.2's layers, with its own heads in the payload. */
  static const char *presets[][2] = { { "deepseek-v3.2", "deepseek-v3.2" },
                                      { "deepseek-v4-pro", "deepseek-v4-pro" },
                                      { "index-cache-example", "deepseek-v3.2" } };
  g_autofree char *db = NULL, *none = NULL;
  CwError e = CW_ERROR_INIT;
  CwCalibration *calibration;

  if (argc != 2 || (data_dir = g_getenv ("CW_DATA_DIR")) == NULL)
    {
      fprintf (stderr, "usage: CW_DATA_DIR=DIR %s CLIFFWATCH-CLI\n", argv[0]);
      return 2;
    }
  cli = argv[1];
  db = g_build_filename (data_dir, "receipts", "h200x2-index-transfer.db", NULL);
  none = g_build_filename (data_dir, "receipts", "h200-deepseek-v3.2.db", NULL);
  if (!g_file_test (db, G_FILE_TEST_EXISTS))
    {
      printf ("SKIP: %s is not in the tree\n", db);
      return 77;
    }
  calibration = cw_calibration_new_from_db (db, NULL, NULL, &e);
  CHECK (calibration != NULL, "%s: %s", db, e.message);

  for (size_t p = 0; p < G_N_ELEMENTS (presets); p++)
    for (uint64_t stages = 1; stages <= 4; stages += 3)
      {
        check_case (presets[p][0], presets[p][1], stages, NULL, NULL);
        if (calibration != NULL)
          check_case (presets[p][0], presets[p][1], stages, calibration, db);
      }
  cw_calibration_free (calibration);

  /* A database with no index-transfer receipts calibrates nothing, on
   * either side. */
  if (g_file_test (none, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autofree char *out = NULL;

      CHECK (cw_calibration_new_from_db (none, NULL, NULL, &e) == NULL && e.code == CW_ERROR_NOT_FOUND,
             "%s calibrated: %s", none, e.message);
      g_ptr_array_add (args, "indexcache");
      g_ptr_array_add (args, "--preset");
      g_ptr_array_add (args, "deepseek-v3.2");
      g_ptr_array_add (args, "--calibration");
      g_ptr_array_add (args, none);
      CHECK (run_cli (args, &out) == 1, "the CLI calibrated from %s", none);
    }
  printf ("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
