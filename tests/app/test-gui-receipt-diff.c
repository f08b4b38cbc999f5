/* test-gui-receipt-diff.c: the Compare Receipts window under Xvfb (issue 16:
 * two receipts or two databases side by side), driven as a person does.
 *
 * On the committed V4-Flash receipts, receipt 17 (fused, sq 65,536) against
 * 27 (streaming, the same sq), at 800×600 and at 1280×800: the window shows
 * both ids, marks exactly the fields the store library's diff says differ
 * (lane, profile: the same cw-receipt-diff.h `receipts diff` prints), the
 * measured peaks' B − A human-readable and, with Exact Bytes, in exact
 * bytes; nothing is wider than the window; the chart exports with both
 * receipts and the database in its caption. Then B from another database
 * (V3.2 receipt 5, an OOM): the configuration fields differ and there is no
 * measured difference. Screenshots go to OUTDIR (argv[1]). */
#include "cw-build-config.h"

#include <adwaita.h>
#include <locale.h>
#include <string.h>

#include "cw-format.h"
#include "cw-receipt-database.h"
#include "cw-receipt-diff-window.h"
#include "cw-screenshot.h"

#include "../cw-test.h"

static CwReceiptDatabase *opened;

static void
opened_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  opened = cw_receipt_database_open_finish (result, &error);
  CHECK (opened != NULL, "%s", error != NULL ? error->message : "");
  *(gboolean *) user_data = TRUE;
}

/* Runs the main loop until done() or 20 s. */
static gboolean
wait_for (gboolean (*done) (gpointer), gpointer data)
{
  gint64 end = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  while (!done (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
  return done (data);
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gint64 want_second;

static gboolean
diff_shown (gpointer data)
{
  const CwReceiptDiff *d = cw_receipt_diff_window_get_diff (data);

  return d != NULL && cw_receipt_diff_get_id (d, true) == want_second;
}

static int settle_count;

static gboolean
settled (gpointer data)
{
  return ++settle_count > 60;
}

static void
settle (void)
{
  settle_count = 0;
  wait_for (settled, NULL);
}

static char *
keys_of (const CwReceiptDiff *d)
{
  GString *out = g_string_new (NULL);

  for (size_t i = 0; i < cw_receipt_diff_get_n_fields (d); i++)
    if (cw_receipt_diff_get_field (d, i)->differs)
      g_string_append_printf (out, "%s%s", out->len ? "," : "", cw_receipt_diff_get_field (d, i)->key);
  return g_string_free (out, FALSE);
}

static void
check_size (const char *outdir, const char *data, int width, int height)
{
  CwReceiptDiffWindow *win = cw_receipt_diff_window_new (NULL, opened, 17);
  g_autofree char *text = NULL, *keys = NULL, *want_keys = NULL, *svg_path = NULL, *svg = NULL, *shot = NULL;
  g_autofree char *exact = cw_format_size_exact (3758096384u);
  g_autofree char *human = cw_format_size (3758096384u);
  g_autofree char *want_delta = g_strdup_printf ("−%s (−66.42 %%)", human);
  g_autofree char *want_exact = g_strdup_printf ("−%s", exact);
  g_autoptr(GError) error = NULL;
  const CwReceiptDiff *d;

  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  want_second = 27;
  cw_receipt_diff_window_set_second (win, NULL, 27);
  CHECK (wait_for (diff_shown, win), "%dx%d: the comparison never showed", width, height);
  settle ();
  d = cw_receipt_diff_window_get_diff (win);
  if (d == NULL)
    return;
  text = cw_receipt_diff_window_dup_text (win);
  CHECK (strstr (text, "Receipt 17 (h200-deepseek-v4-flash.db) against receipt 27 (h200-deepseek-v4-flash.db): 2 of 26 fields differ") != NULL,
         "%dx%d: summary:\n%s", width, height, text);
  CHECK (strstr (text, "A: receipt 17") != NULL && strstr (text, "B: receipt 27") != NULL, "%s", text);
  keys = cw_receipt_diff_window_dup_differing_keys (win);
  want_keys = keys_of (d);
  CHECK (strcmp (keys, "lane,profile") == 0 && strcmp (keys, want_keys) == 0, "shown %s, library %s", keys, want_keys);
  CHECK (strstr (text, want_delta) != NULL, "%dx%d: no '%s' in:\n%s", width, height, want_delta, text);
  CHECK (strstr (text, want_exact) == NULL, "exact bytes shown before they were asked for");
  cw_receipt_diff_window_set_exact (win, TRUE);
  g_free (text);
  text = cw_receipt_diff_window_dup_text (win);
  CHECK (strstr (text, want_exact) != NULL, "%dx%d: Exact Bytes shows no '%s'", width, height, want_exact);
  cw_receipt_diff_window_set_exact (win, FALSE);
  settle ();

  /* Nothing wider than the window: the table and chart fit its width. */
  {
    int w = gtk_widget_get_width (GTK_WIDGET (win));
    int cw = gtk_widget_get_width (GTK_WIDGET (cw_receipt_diff_window_get_chart_view (win)));

    CHECK (w > 0 && w <= width + 1, "window %d wide, asked %d", w, width);
    CHECK (cw > 200 && cw <= w, "%dx%d: chart %d px in a %d px window", width, height, cw, w);
    g_printerr ("%dx%d: window %d, chart %d\n", width, height, w, cw);
  }
  /* Hover at 200 ms: both receipts' exact live bytes there, and B − A. */
  {
    CwChartView *view = cw_receipt_diff_window_get_chart_view (win);
    double px = 0, py = 0;
    g_autofree char *tip = NULL;
    g_autofree char *a_live = cw_format_size_exact (5658116096u);
    g_autofree char *b_live = cw_format_size_exact (1900019712u);
    g_autofree char *want_a = g_strdup_printf ("receipt 17, fused: %s", a_live);
    g_autofree char *want_b = g_strdup_printf ("receipt 27, streaming: %s", b_live);
    g_autofree char *want_d = g_strdup_printf ("B − A −%s", exact);

    CHECK (cw_chart_data_to_device (cw_chart_view_get_chart (view), 0.2, 1e9, &px, &py));
    tip = cw_chart_view_dup_tooltip_text_at (view, px, py);
    CHECK (tip != NULL && strstr (tip, want_a) != NULL && strstr (tip, want_b) != NULL && strstr (tip, want_d) != NULL,
           "%dx%d: hover at 200 ms says:\n%s", width, height, tip != NULL ? tip : "(nothing)");
  }
  shot = g_strdup_printf ("%s/receipt-diff-%dx%d.png", outdir, width, height);
  CHECK (cw_screenshot_save_png (adw_window_get_content (ADW_WINDOW (win)), shot, &error), "%s",
         error != NULL ? error->message : "");
  g_clear_error (&error);

  svg_path = g_strdup_printf ("%s/receipt-diff-%dx%d.svg", outdir, width, height);
  CHECK (cw_chart_view_export (cw_receipt_diff_window_get_chart_view (win), svg_path, 1280, 800, &error), "%s",
         error != NULL ? error->message : "");
  CHECK (g_file_get_contents (svg_path, &svg, NULL, NULL));
  CHECK (svg != NULL && strstr (svg, "database h200-deepseek-v4-flash.db, receipt 17 (fused, sq 65") != NULL
         && strstr (svg, "against database h200-deepseek-v4-flash.db, receipt 27 (streaming, sq 65") != NULL,
         "the export's caption names both receipts and the database");
  CHECK (svg != NULL && strstr (svg, "Memory timelines: receipt 17, fused and receipt 27, streaming") != NULL);

  if (width == 1280)
    {
      g_autofree char *other = g_build_filename (data, "receipts", "h200-deepseek-v3.2.db", NULL);
      const CwReceiptDiffPeak *mp;

      want_second = 5;
      cw_receipt_diff_window_set_second (win, other, 5);
      CHECK (wait_for (diff_shown, win), "the receipt of another database never showed");
      d = cw_receipt_diff_window_get_diff (win);
      if (d != NULL)
        {
          g_free (keys);
          keys = cw_receipt_diff_window_dup_differing_keys (win);
          CHECK (strcmp (keys, "lane,profile,status,sq,sk,ratio,top_k,causal,git_revision") == 0, "%s", keys);
          mp = cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_MEASURED);
          CHECK (!mp->has_delta);
          g_free (text);
          text = cw_receipt_diff_window_dup_text (win);
          CHECK (strstr (text, "against receipt 5 (h200-deepseek-v3.2.db)") != NULL, "%s", text);
        }
    }
  gtk_window_destroy (GTK_WINDOW (win));
  settle ();
}

int
main (int argc, char **argv)
{
  const char *data = g_getenv ("CW_DATA_DIR");
  g_autofree char *db = NULL;
  gboolean done = FALSE;

  setlocale (LC_ALL, "");
  if (argc != 2 || data == NULL)
    {
      g_printerr ("usage: CW_DATA_DIR=DIR test-gui-receipt-diff OUTDIR\n");
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("SKIP: no display\n");
      return 77;
    }
  adw_init ();
  g_mkdir_with_parents (argv[1], 0755);
  db = g_build_filename (data, "receipts", "h200-deepseek-v4-flash.db", NULL);
  cw_receipt_database_open_async (db, NULL, opened_cb, &done);
  CHECK (wait_for (flag_set, &done) && opened != NULL, "the database never opened");
  if (opened == NULL)
    return 1;
  check_size (argv[1], data, 800, 600);
  check_size (argv[1], data, 1280, 800);
  g_clear_object (&opened);
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
