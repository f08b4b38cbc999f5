/* test-chart-german.c: the chart labels a German reader sees (issue 16
 * item 8), through the real catalogue.
 *
 * The workbench installs a gettext() wrapper as the chart library's
 * translate hook and runs in the user's locale; this test does the same
 * with glibc's gettext, po/de.po compiled into the build tree and the
 * de_DE locale tests/app/meson.build compiles (LOCPATH). It checks that
 * counts in labels are grouped the German way ("sq 376.627"), that the
 * captions ("27 Messbelege, IDs 1–35") and the index-cache boundary notes
 * ("übertragen ...") are German, and that token ticks read "1K 4K 16K" as
 * in English, never "1,00K". Skips (77) without the locale or catalogue. */
#include "test-chart-util.h"

#include <libintl.h>
#include <locale.h>

#include "cw-chart-builder.h"
#include "cw-chart-i18n.h"
#include "cw-chart-kinds.h"
#include "cw-planner.h"
#include "cw-receipt-charts.h"

static const char *
translate (const char *msgid)
{
  return dgettext ("cliffwatch", msgid);
}

static CwChartLayer *
layer_starting (CwChart *chart, const char *prefix)
{
  for (size_t i = 0; i < cw_chart_get_n_layers (chart); i++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, i);
      const char *label = cw_chart_layer_get_label (layer);

      if (label != NULL && strncmp (label, prefix, strlen (prefix)) == 0)
        return layer;
    }
  return NULL;
}

/* The cliff chart's labels for the README's cliffs (fused 376627,
 * materialize 47827), and its sq ticks. */
static void
test_cliff (void)
{
  double sq[] = { 1024, 1048576 }, fused_peak[] = { 1e8, 1e12 }, mat_peak[] = { 1e9, 1e13 };
  CwChartCliffCurve curves[] = {
    { "fused", sq, fused_peak, 2, true, true, 376627 },
    { "materialize", sq, mat_peak, 2, true, true, 47827 },
  };
  CwChartCliffInput in = { NULL, 149681078272.0, "h200", curves, 2, NULL, 0, 65536 };
  CwError error = CW_ERROR_INIT;
  CwChart *chart = cw_chart_builder_cliff (&in, &error);
  size_t n_ticks = 0;
  CwChartText t;
  CwChartRect plot;

  CHECK (chart != NULL, "%s", error.message);
  if (chart == NULL)
    return;
  CHECK (layer_starting (chart, "fused (Klippe bei sq 376.627)") != NULL, "fused legend: '%s'",
         cw_chart_layer_get_label (cw_chart_get_layer (chart, 1)));
  CHECK (layer_starting (chart, "materialize-Klippe: sq 47.827") != NULL, "no 'materialize-Klippe: sq 47.827'");
  CHECK (layer_starting (chart, "nutzbarer HBM 139,4 GiB (h200)") != NULL, "usable line in German");
  CHECK (cw_chart_layout (chart, 1280, 800) && cw_chart_get_plot_area (chart, &plot), "layout");
  for (size_t i = 0; cw_chart_get_text (chart, i, &t); i++)
    if (t.kind == CW_CHART_TEXT_TICK_LABEL && t.box.y >= plot.y + plot.height)
      {
        n_ticks++;
        /* Powers of two: whole K and M, as English writes them. */
        CHECK (strchr (t.text, ',') == NULL && strchr (t.text, '.') == NULL, "sq tick '%s'", t.text);
      }
  CHECK (n_ticks >= 5, "%zu sq ticks", n_ticks);
  cw_chart_free (chart);
}

static void
test_captions (void)
{
  char caption[512];

  cw_receipt_chart_receipts_caption ("/data/h200-deepseek-v4-flash.db", 27, 1, 35, caption, sizeof caption);
  CHECK (strncmp (caption, "Datenbank h200-deepseek-v4-flash.db, 27 Messbelege, IDs 1\xe2\x80\x93" "35 \xc2\xb7 Cliffwatch ",
                  strlen ("Datenbank h200-deepseek-v4-flash.db, 27 Messbelege, IDs 1\xe2\x80\x93" "35 \xc2\xb7 Cliffwatch "))
         == 0, "receipts caption '%s'", caption);
  cw_receipt_chart_receipts_caption (NULL, 12345, 1, 20000, caption, sizeof caption);
  CHECK (strncmp (caption, "12.345 Messbelege, IDs 1\xe2\x80\x93" "20000 ", strlen ("12.345 Messbelege, IDs 1\xe2\x80\x93" "20000 "))
         == 0, "grouped count '%s'", caption);
  {
    CwConfig config;
    CwChartPlanSource source = { &config, NULL, NULL, "h200", NULL, false };

    cw_config_init_default (&config);
    config.prefix = 65536;
    cw_chart_plan_caption (&source, caption, sizeof caption);
    CHECK (strncmp (caption, "eigene Konfiguration, GPU h200: b=", strlen ("eigene Konfiguration, GPU h200: b=")) == 0
           && strstr (caption, " prefix=65.536 ") != NULL, "plan caption '%s'", caption);
    /* The index cache's rates calibrated from receipts (issue 16 item 4). */
    source.database = "/data/h200x2-index-transfer.db";
    source.calibrated = true;
    cw_chart_plan_caption (&source, caption, sizeof caption);
    CHECK (strstr (caption, "; Raten kalibriert aus der Datenbank h200x2-index-transfer.db \xc2\xb7 Cliffwatch ") != NULL,
           "calibrated caption '%s'", caption);
  }
}

/* A boundary that ships its payload and one that recomputes it. */
static void
test_indexcache (void)
{
  static const struct { uint64_t link; const char *want; } cases[] = {
    { 1, "neu berechnen: " },
    { 1000000000000000000ull, "übertragen " },
  };

  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    {
      CwError error = CW_ERROR_INIT;
      CwIndexCacheConfig ic;
      CwIndexCachePlan *plan;
      CwConfig config;
      CwChart *chart;
      size_t n_notes = 0;

      cw_config_init_default (&config);
      cw_index_cache_config_init (&ic);
      ic.n_layers = 8;
      ic.every_n = 3;
      ic.n_stages = 2;
      ic.link_bytes_per_s = cases[c].link;
      ic.flops_per_s = 1000000000ull;
      plan = cw_index_cache_plan_new (&config, &ic, &error);
      chart = plan != NULL ? cw_chart_kind_indexcache (plan, NULL, &error) : NULL;
      CHECK (chart != NULL, "%s", error.message);
      CHECK (chart == NULL || strcmp (cw_chart_get_title (chart), "Index-Cache über Schichten und Pipeline-Stufen") == 0,
             "index-cache title '%s'", chart != NULL ? cw_chart_get_title (chart) : "-");
      for (size_t i = 0; chart != NULL && i < cw_chart_get_n_layers (chart); i++)
        {
          CwChartLayer *layer = cw_chart_get_layer (chart, i);

          if (strcmp (cw_chart_layer_get_kind (layer), "note") != 0)
            continue;
          n_notes++;
          CHECK (strncmp (cw_chart_layer_get_label (layer), cases[c].want, strlen (cases[c].want)) == 0,
                 "boundary note '%s', want '%s...'", cw_chart_layer_get_label (layer), cases[c].want);
          CHECK (strstr (cw_chart_layer_get_label (layer), "transfer") == NULL
                 && strstr (cw_chart_layer_get_label (layer), "recompute") == NULL,
                 "English in '%s'", cw_chart_layer_get_label (layer));
        }
      CHECK (n_notes == 1, "%zu boundary notes", n_notes);
      cw_chart_free (chart);
      cw_index_cache_plan_free (plan);
    }
}

int
main (void)
{
  static const char *const names[] = { "de_DE.UTF-8", "de_DE.utf8" };
  const char *dir = getenv ("CW_LOCALE_DIR");
  const char *set = NULL;

  for (size_t i = 0; i < sizeof names / sizeof names[0] && set == NULL; i++)
    set = setlocale (LC_ALL, names[i]);
  if (set == NULL || dir == NULL)
    {
      printf ("# no German locale (localedef) or no CW_LOCALE_DIR: skipped\n");
      return 77;
    }
  /* LANGUAGE would override the locale's language for gettext. */
  unsetenv ("LANGUAGE");
  bindtextdomain ("cliffwatch", dir);
  bind_textdomain_codeset ("cliffwatch", "UTF-8");
  if (strcmp (dgettext ("cliffwatch", "layer"), "Schicht") != 0)
    {
      printf ("# the German catalogue is not in %s: skipped\n", dir);
      return 77;
    }
  cw_chart_set_translate_func (translate);
  test_cliff ();
  test_captions ();
  test_indexcache ();
  cw_chart_set_translate_func (NULL);
  setlocale (LC_ALL, "C");
  return test_finish ("test-chart-german");
}
