/* test-chart-frontends.c: the workbench and `cliffwatch-cli chart` say the
 * same thing about the same input (issue 16 item 4).
 *
 * Each chart kind is built twice from the bundled data: the way the
 * workbench builds it (app/gui/cw-gui-charts.c, from list models of
 * receipt rows) and the way the CLI does (cw_cli_chart with --output
 * FILE.svg). Both are exported as SVG at the CLI's default size, and the
 * <title> and <desc> of the two files (title, caption, axis titles with
 * their ticks, legend and rule labels) must be equal, line for line. The
 * titles are also checked against the expected text, so two empty titles
 * cannot pass. No display is needed. */
#include "cw-build-config.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cw-chart-kinds.h"
#include "cw-cli-commands.h"
#include "cw-cli-config.h"
#include "cw-cli-indexcache-options.h"
#include "cw-gui-charts.h"
#include "cw-index-cache-page.h"
#include "cw-receipt-charts.h"
#include "cw-receipt-diff.h"
#include "cw-receipt-row.h"
#include "cw-receipt-store.h"

#include "../cw-test.h"

static char tmpdir[] = "/tmp/cw-chart-frontends-XXXXXX";

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("CW_DATA_DIR");

  return g_build_filename (dir != NULL ? dir : "data", "receipts", name, NULL);
}

/* The <title> and <desc> of an SVG export, unescaped, as one text. */
static char *
svg_text (const char *path)
{
  g_autofree char *svg = NULL;
  const char *t0, *t1, *d0, *d1;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *joined = NULL;

  if (!g_file_get_contents (path, &svg, NULL, NULL))
    return NULL;
  t0 = strstr (svg, "<title>");
  t1 = t0 != NULL ? strstr (t0, "</title>") : NULL;
  d0 = strstr (svg, "<desc>");
  d1 = d0 != NULL ? strstr (d0, "</desc>") : NULL;
  if (t1 == NULL || d1 == NULL)
    return NULL;
  g_string_append_len (out, t0 + 7, t1 - (t0 + 7));
  g_string_append (out, "\n");
  g_string_append_len (out, d0 + 6, d1 - (d0 + 6));
  joined = g_string_free (g_steal_pointer (&out), FALSE);
  {
    static const char *const from[] = { "&lt;", "&gt;", "&quot;", "&amp;" }, *const to[] = { "<", ">", "\"", "&" };
    char *text = g_strdup (joined);

    for (size_t i = 0; i < G_N_ELEMENTS (from); i++)
      {
        g_auto(GStrv) parts = g_strsplit (text, from[i], -1);

        g_free (text);
        text = g_strjoinv (to[i], parts);
      }
    return text;
  }
}

static int
run_cli (const char *first, ...)
{
  char *argv[64];
  int argc = 0;
  va_list ap;

  argv[argc++] = (char *) first;
  va_start (ap, first);
  for (char *a; argc < 63 && (a = va_arg (ap, char *)) != NULL;)
    argv[argc++] = a;
  va_end (ap);
  argv[argc] = NULL;
  fflush (stdout);
  return cw_cli_chart (argc, argv);
}

/* Exports the workbench's chart like the CLI's and compares the texts. */
static void
check_same (const char *what, CwChart *gui, const char *cli_svg, const char *want_title, const char *want_caption)
{
  g_autofree char *gui_svg = tmp_path ("gui.svg");
  g_autofree char *a = NULL, *b = NULL;
  CwError error = CW_ERROR_INIT;

  CHECK (gui != NULL, "%s: the workbench built no chart", what);
  if (gui == NULL)
    return;
  CHECK (g_strcmp0 (cw_chart_get_title (gui), want_title) == 0, "%s: title '%s', want '%s'", what,
         cw_chart_get_title (gui), want_title);
  CHECK (cw_chart_get_caption (gui) != NULL && strstr (cw_chart_get_caption (gui), want_caption) != NULL,
         "%s: caption '%s' does not say '%s'", what, cw_chart_get_caption (gui), want_caption);
  CHECK (cw_chart_export (gui, gui_svg, 1280, 800, CW_CHART_STYLE_LIGHT, &error), "%s: %s", what, error.message);
  cw_chart_free (gui);
  a = svg_text (gui_svg);
  b = svg_text (cli_svg);
  CHECK (a != NULL && b != NULL, "%s: no <title>/<desc> in the exports", what);
  if (a == NULL || b == NULL)
    return;
  {
    g_auto(GStrv) la = g_strsplit (a, "\n", -1);
    g_auto(GStrv) lb = g_strsplit (b, "\n", -1);
    guint n = MAX (g_strv_length (la), g_strv_length (lb));
    gboolean axes = FALSE, caption = FALSE;

    for (guint i = 0; i < n; i++)
      {
        const char *x = i < g_strv_length (la) ? la[i] : "(none)";
        const char *y = i < g_strv_length (lb) ? lb[i] : "(none)";

        CHECK (strcmp (x, y) == 0, "%s, line %u:\n  workbench: %s\n  CLI:       %s", what, i, x, y);
        axes |= g_str_has_prefix (x, "y axis (");
        caption |= g_str_has_prefix (x, "caption: ");
      }
    CHECK (axes && caption, "%s: the description has no caption or axis titles:\n%s", what, a);
  }
}

static GListModel *
rows_of (const char *db)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store = cw_receipt_store_open (db, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &error);
  GListStore *rows = g_list_store_new (CW_TYPE_RECEIPT_ROW);
  CwReceiptQuery query;
  CwReceiptList *list;

  CHECK (store != NULL, "%s: %s", db, error.message);
  if (store == NULL)
    return G_LIST_MODEL (rows);
  cw_receipt_query_init (&query);
  list = cw_receipt_store_query (store, &query, &error);
  CHECK (list != NULL, "%s: %s", db, error.message);
  /* As the workbench loads a database (cw-receipt-database.c). */
  for (size_t i = 0; list != NULL && i < cw_receipt_list_get_n_items (list); i++)
    {
      CwReceiptRow *row = cw_receipt_row_new_take (cw_receipt_list_steal (list, i));

      g_list_store_append (rows, row);
      g_object_unref (row);
    }
  cw_receipt_list_free (list);
  cw_receipt_store_close (store);
  return G_LIST_MODEL (rows);
}

static void
test_cliff (void)
{
  g_autofree char *db = data_path ("h200-deepseek-v4-flash.db");
  g_autofree char *svg = tmp_path ("cliff.svg");
  char *args[] = { "chart", "--preset", "deepseek-v4-flash", "--gpu", "h200", "--sq", "65536",
                   "--profile", "reference,materialize,fused,streaming", NULL };
  g_autoptr(GListModel) rows = rows_of (db);
  CwError error = CW_ERROR_INIT;
  CwPlanChartInput input = { 0 };
  CwCliSetup s;

  CHECK (run_cli ("chart", "cliff", "--preset", "deepseek-v4-flash", "--gpu", "h200", "--sq", "65536", "--profile",
                  "reference,materialize,fused,streaming", "--db", db, "--output", svg, NULL) == 0, "chart cliff");
  /* The Plan page's inputs: the same preset, GPU and profiles, planned. */
  CHECK (cw_cli_setup_parse (&s, G_N_ELEMENTS (args) - 1, args, NULL, NULL, &error), "%s", error.message);
  input.config = &s.config;
  input.usable_bytes = s.usable_bytes;
  input.gpu_name = s.gpu->name;
  input.preset = s.preset;
  input.engine = s.engine;
  input.profiles = (const CwProfile **) s.profiles;
  input.n_profiles = s.n_profiles;
  input.receipts = rows;
  input.database = db;
  {
    CwChart *chart = cw_gui_chart_cliff (&input);
    const char *caption = chart != NULL ? cw_chart_get_caption (chart) : NULL;

    /* Issue 16 item 4: the receipts drawn say where they come from. */
    CHECK (caption != NULL && strstr (caption, "; database h200-deepseek-v4-flash.db, ") != NULL
           && strstr (caption, " receipts, ids ") != NULL && strstr (caption, " \xc2\xb7 Cliffwatch ") != NULL,
           "cliff caption '%s' names no database and receipt ids", caption != NULL ? caption : "");
    check_same ("cliff", chart, svg, "Predicted peak memory against context length", "deepseek-v4-flash, GPU h200: b=1");
  }
  cw_cli_setup_clear (&s);
}

static void
test_compare (const char *name, gboolean error_view)
{
  g_autofree char *db = data_path (name);
  g_autofree char *svg = tmp_path ("compare.svg");
  g_autoptr(GListModel) rows = rows_of (db);
  g_autofree char *what = g_strdup_printf ("compare%s %s", error_view ? " --error" : "", name);
  g_autofree char *want_caption = g_strdup_printf ("database %s, ", name);

  if (error_view)
    CHECK (run_cli ("chart", "compare", "--db", db, "--error", "--output", svg, NULL) == 0, "%s", what);
  else
    CHECK (run_cli ("chart", "compare", "--db", db, "--output", svg, NULL) == 0, "%s", what);
  check_same (what, error_view ? cw_gui_chart_compare_error (rows, db) : cw_gui_chart_compare (rows, db), svg,
              error_view ? "Error of the measured peak against the prediction" : "Measured against predicted peak",
              want_caption);
}

static void
test_timeline (void)
{
  g_autofree char *db = data_path ("h200-deepseek-v4-flash.db");
  g_autofree char *svg = tmp_path ("timeline.svg");
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store = cw_receipt_store_open (db, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &error);
  CwReceipt *r = NULL;
  char id[32];

  /* The first receipt with a trace, loaded as the Receipts page loads it. */
  for (int64_t i = 1; store != NULL && i < 200 && r == NULL; i++)
    {
      r = cw_receipt_store_load (store, i, NULL);
      if (r != NULL && r->n_events == 0)
        g_clear_pointer (&r, cw_receipt_free);
    }
  cw_receipt_store_close (store);
  CHECK (r != NULL, "no receipt with a trace in %s", db);
  if (r == NULL)
    return;
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, r->id);
  CHECK (run_cli ("chart", "timeline", "--db", db, "--receipt", id, "--output", svg, NULL) == 0, "chart timeline");
  {
    g_autofree char *want_title = g_strdup_printf ("Memory timeline: receipt %s, %s, sq ", id, r->lane);
    CwChart *chart = cw_gui_chart_timeline_in (r, db);

    /* The title goes on with the grouped sq and the status. */
    CHECK (chart != NULL && g_str_has_prefix (cw_chart_get_title (chart), want_title), "timeline title '%s'",
           chart != NULL ? cw_chart_get_title (chart) : "-");
    check_same ("timeline", chart, svg, chart != NULL ? cw_chart_get_title (chart) : "", "database h200-deepseek");
  }
  cw_receipt_free (r);
}

/* Two receipts side by side: the CLI's `chart timeline --against` and the
 * Compare Receipts window's chart say the same, and `receipts diff` prints
 * the fields and verdicts of the store library's diff (cw-receipt-diff.h),
 * which the window shows (tests/app/test-gui-receipt-diff.c). */
static void
test_receipts_diff (void)
{
  g_autofree char *db = data_path ("h200-deepseek-v4-flash.db");
  g_autofree char *db2 = data_path ("h200-deepseek-v3.2.db");
  g_autofree char *svg = tmp_path ("pair.svg");
  g_autofree char *csv_path = tmp_path ("diff.csv");
  g_autofree char *csv = NULL;
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store = cw_receipt_store_open (db, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &error);
  CwReceiptStore *store2 = cw_receipt_store_open (db2, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &error);
  CwReceipt *a = store != NULL ? cw_receipt_store_load (store, 17, &error) : NULL;
  CwReceipt *b = store != NULL ? cw_receipt_store_load (store, 27, &error) : NULL;
  CwReceipt *c = store2 != NULL ? cw_receipt_store_load (store2, 5, &error) : NULL;
  CwReceiptDiff *d;
  GString *want = g_string_new ("key,a,b,differs,difference_bytes\n");

  cw_receipt_store_close (store);
  cw_receipt_store_close (store2);
  CHECK (a != NULL && b != NULL && c != NULL, "%s", error.message);
  if (a == NULL || b == NULL || c == NULL)
    return;
  CHECK (run_cli ("chart", "timeline", "--db", db, "--receipt", "17", "--against", "27", "--output", svg, NULL) == 0,
         "chart timeline --against");
  check_same ("timeline pair", cw_gui_chart_timeline_pair (a, db, b, db), svg,
              "Memory timelines: receipt 17, fused and receipt 27, streaming",
              "database h200-deepseek-v4-flash.db, receipt 17 (fused, sq ");

  /* receipts diff DB 17 DB2 5 --format csv, against the library's fields. */
  d = cw_receipt_diff_new (a, c, &error);
  CHECK (d != NULL, "%s", error.message);
  for (size_t i = 0; d != NULL && i < cw_receipt_diff_get_n_fields (d); i++)
    {
      const CwReceiptDiffField *f = cw_receipt_diff_get_field (d, i);
      char x[CW_RECEIPT_DIFF_VALUE_MAX], y[CW_RECEIPT_DIFF_VALUE_MAX];

      g_string_append_printf (want, "%s,%s,%s,%s,\n", f->key, cw_receipt_diff_field_text (f, false, x, sizeof x),
                              cw_receipt_diff_field_text (f, true, y, sizeof y), f->differs ? "yes" : "no");
    }
  g_string_append (want, "predicted_peak,5658116096,157852631040,yes,152194514944\nmeasured_peak,5658116096,,,\n");
  {
    int saved = dup (fileno (stdout));
    int status;
    char *argv[] = { "receipts", "diff", db, "17", db2, "5", "--format", "csv", NULL };

    fflush (stdout);
    CHECK (freopen (csv_path, "w", stdout) != NULL);
    status = cw_cli_receipts (8, argv);
    fflush (stdout);
    dup2 (saved, fileno (stdout));
    close (saved);
    CHECK (status == 0, "receipts diff exited %d", status);
  }
  CHECK (g_file_get_contents (csv_path, &csv, NULL, NULL));
  CHECK (csv != NULL && strcmp (csv, want->str) == 0, "receipts diff --format csv:\n%s\nwant:\n%s", csv, want->str);
  g_string_free (want, TRUE);
  cw_receipt_diff_free (d);
  cw_receipt_free (a);
  cw_receipt_free (b);
  cw_receipt_free (c);
}

static int
ic_option (int argc, char **argv, int *i, void *user_data, CwError *error)
{
  return cw_cli_indexcache_options_parse (user_data, argc, argv, i, error);
}

static void
test_indexcache (void)
{
  g_autofree char *svg = tmp_path ("indexcache.svg");
  char *args[] = { "chart", "--preset", "deepseek-v4-pro", "--gpu", "h200", "--sq", "131072", "--stages", "4", NULL };
  CwCliIndexCacheOptions ic;
  CwError error = CW_ERROR_INIT;
  CwIndexCachePlan *plan = NULL;
  CwCliSetup s;

  CHECK (run_cli ("chart", "indexcache", "--preset", "deepseek-v4-pro", "--gpu", "h200", "--sq", "131072",
                  "--stages", "4", "--output", svg, NULL) == 0, "chart indexcache");
  cw_cli_indexcache_options_init (&ic);
  CHECK (cw_cli_setup_parse (&s, G_N_ELEMENTS (args) - 1, args, ic_option, &ic, &error)
         && cw_cli_indexcache_options_resolve (&ic, s.preset, "test", &error)
         && (plan = cw_index_cache_plan_new (&s.config, &ic.ic, &error)) != NULL, "%s", error.message);
  if (plan != NULL)
    {
      /* The page's own chart function, given what the page is given: the
       * Plan page's configuration, preset and GPU. */
      CwIndexCachePageInput input = { .config = &s.config, .preset = s.preset, .gpu_name = s.gpu->name };

      check_same ("indexcache", cw_index_cache_page_chart (&input, plan, NULL), svg,
                  "Index cache across layers and pipeline stages", "deepseek-v4-pro, GPU h200: b=1");
    }
  cw_index_cache_plan_free (plan);
  cw_cli_setup_clear (&s);
  cw_cli_indexcache_options_clear (&ic);
}

int
main (void)
{
  setlocale (LC_ALL, "C");
  if (mkdtemp (tmpdir) == NULL)
    {
      perror ("mkdtemp");
      return 1;
    }
  test_cliff ();
  test_compare ("h200-deepseek-v4-flash.db", FALSE);
  test_compare ("h200-deepseek-v4-flash.db", TRUE);
  test_compare ("h200-engines.db", FALSE);
  test_compare ("h200-engines.db", TRUE);
  test_timeline ();
  test_receipts_diff ();
  test_indexcache ();
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmpdir, name, NULL);
        unlink (path);
      }
    rmdir (tmpdir);
  }
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
