/* cw-self-test.c: drive the real window like a user, and check what it shows.
 *
 * Runs on the main loop as a list of steps polled every 50 ms; a step
 * returns TRUE when done, FALSE to be polled again (e.g. until a database
 * has been read in its worker thread). It goes through actions and the
 * widgets' public setters, the same paths keyboard and mouse take:
 * open the sample database, change an input on the Plan page and check the
 * plan followed, export charts through win.export-chart-to, select a
 * receipt and wait for its trace, filter the list, pick a Compare point,
 * read the Index cache page, open a broken file and check the window kept
 * its database, and screenshot every page. Everything it saw goes to
 * DIR/report.txt; any failed check prints "self-test: FAIL: ..." and makes
 * the process exit 1. Owner: workbench. */
#include "cw-build-config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cw-compare-page.h"
#include "cw-engine.h"
#include "cw-format.h"
#include "cw-gpu.h"
#include "cw-help-window.h"
#include "cw-paths.h"
#include "cw-plan.h"
#include "cw-preferences-window.h"
#include "cw-index-cache-page.h"
#include "cw-plan-page.h"
#include "cw-receipt-charts.h"
#include "cw-receipt-diff-window.h"
#include "cw-receipt-row.h"
#include "cw-receipt-store.h"
#include "cw-receipts-page.h"
#include "cw-screenshot.h"
#include "cw-self-test.h"

#define POLL_MS        50
#define SHOT_DELAY_MS  400
#define STEP_TIMEOUT_S 60

typedef struct _SelfTest SelfTest;
typedef gboolean (*StepFunc) (SelfTest *t);

struct _SelfTest
{
  CwWindow          *window;
  char              *dir;
  GString           *report;
  guint              step;
  gint64             step_started;
  gboolean           step_entered;
  int                loaded;          /* -1 pending, 0 failed, 1 ok */
  CwReceiptDatabase *good_database;
  char              *plan_before;
  guint64            new_sq;
  guint              poll_id;
  gboolean           step_entered_page;
  char              *pending_shot;
  GtkWidget         *shot_widget;     /* NULL: the main window's content */
  gint64             shot_queued;
  GdkFrameClock     *shot_clock;      /* armed: the shot is taken after its next paint */
  gulong             shot_paint_id;
  gint64             started;
  gint64             load_us;
  gint64             last_tick;
  gint64             max_gap_us;
  guint              tick_id;
  gint64             expect_id;
  char              *pref_gpu;        /* the default GPU the preferences step chose */
  char              *pref_preset;
  char              *chosen_database;
  int                layout_width;    /* the window size asked for */
  int                layout_height;
  guint              layout_phase;
  gint64             layout_shown;
  gint64             diff_b;          /* the second receipt Compare Receipts shows */
  guint              diff_size;       /* which of diff_sizes is being checked */
  guint              gradcheck_case;  /* which of gradcheck_cases is shown */
};

static gboolean failed;

static gboolean tick_cb (gpointer user_data);
static GSettings *app_settings (SelfTest *t);

gboolean
cw_self_test_failed (void)
{
  return failed;
}

static void
fail (SelfTest *t, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
fail (SelfTest *t, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);

  g_printerr ("self-test: FAIL: %s\n", message);
  g_string_append_printf (t->report, "FAIL: %s\n", message);
  failed = TRUE;
}

static char *
out_path (SelfTest *t, const char *name)
{
  return g_build_filename (t->dir, name, NULL);
}

/* Screenshots are taken by poll_cb once the page switch has been laid out
 * and drawn (SHOT_DELAY_MS later), before the next step runs. */
static void
screenshot (SelfTest *t, const char *name)
{
  g_free (t->pending_shot);
  t->pending_shot = g_strdup (name);
  t->shot_queued = g_get_monotonic_time ();
  g_clear_object (&t->shot_widget);
}

/* A screenshot of another window's content (Help, Preferences). */
static void
screenshot_widget (SelfTest *t, GtkWidget *widget, const char *name)
{
  screenshot (t, name);
  t->shot_widget = g_object_ref (widget);
}

static void
take_screenshot (SelfTest *t, const char *name)
{
  g_autofree char *path = out_path (t, name);
  g_autoptr(GError) error = NULL;
  GtkWidget *widget = t->shot_widget != NULL ? t->shot_widget
                      : adw_application_window_get_content (ADW_APPLICATION_WINDOW (t->window));

  if (!cw_screenshot_save_png (widget, path, &error))
    fail (t, "screenshot %s: %s", name, error->message);
  else
    g_string_append_printf (t->report, "screenshot %s\n", name);
}

/* Checks the file exists, is non-empty and starts like its format. */
static void
check_export (SelfTest *t, const char *name)
{
  g_autofree char *path = out_path (t, name);
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *magic = g_str_has_suffix (name, ".png") ? "\x89PNG" :
                      g_str_has_suffix (name, ".pdf") ? "%PDF" : "<?xml";

  g_remove (path);
  /* The action Ctrl+E's dialog ends in, without the file chooser. */
  if (!gtk_widget_activate_action (GTK_WIDGET (t->window), "win.export-chart-to", "s", path))
    {
      fail (t, "win.export-chart-to is not an action of the window");
      return;
    }

  if (!g_file_get_contents (path, &contents, &length, NULL))
    {
      fail (t, "export %s: no file written", name);
      return;
    }
  if (length < 64 || !g_str_has_prefix (contents, magic))
    {
      fail (t, "export %s: %" G_GSIZE_FORMAT " bytes, does not start with the %s signature", name, length,
            g_str_has_suffix (name, ".png") ? "PNG" : g_str_has_suffix (name, ".pdf") ? "PDF" : "SVG");
      return;
    }
  g_string_append_printf (t->report, "export %s %" G_GSIZE_FORMAT " bytes\n", name, length);
}

static void
show_page (SelfTest *t, const char *name)
{
  gtk_widget_activate_action (GTK_WIDGET (t->window), "win.show-page", "s", name);
  if (g_strcmp0 (cw_window_get_page (t->window), name) != 0)
    fail (t, "win.show-page('%s') left page '%s' visible", name, cw_window_get_page (t->window));
}

/* ---- steps ------------------------------------------------------------------ */

/* Issue 16 item 7: pages with nothing to show say why and what to do
 * (AdwStatusPage in a GtkStack), not blank 0–1 axes. Fresh pages have no
 * database. */
static gboolean
step_empty_states (SelfTest *t)
{
  GtkWidget *receipts = g_object_ref_sink (g_object_new (CW_TYPE_RECEIPTS_PAGE, NULL));
  GtkWidget *compare = g_object_ref_sink (g_object_new (CW_TYPE_COMPARE_PAGE, NULL));
  const char *list = cw_receipts_page_get_list_state (CW_RECEIPTS_PAGE (receipts));
  const char *detail = cw_receipts_page_get_detail_state (CW_RECEIPTS_PAGE (receipts));
  const char *scatter = cw_compare_page_get_state (CW_COMPARE_PAGE (compare));

  g_string_append_printf (t->report, "empty-states receipts=%s detail=%s compare=%s\n", list, detail, scatter);
  if (g_strcmp0 (list, "no-database") != 0 || g_strcmp0 (detail, "empty") != 0)
    fail (t, "without a database the Receipts page shows %s / %s, not its status pages", list, detail);
  if (g_strcmp0 (scatter, "empty") != 0)
    fail (t, "without a database the Compare page shows %s, not its status page", scatter);
  g_object_unref (receipts);
  g_object_unref (compare);
  return TRUE;
}

/* Issue 16 item 8: no raw integer of five or more digits where people read
 * the plan ("fits up to sq = 36543232"); digits are grouped per locale. */
static void
check_no_raw_numbers (SelfTest *t, GtkWidget *widget, guint *n_rows)
{
  if (ADW_IS_EXPANDER_ROW (widget))
    {
      const char *subtitle = adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (widget));
      guint run = 0;

      (*n_rows)++;
      for (const char *p = subtitle; p != NULL && *p != '\0'; p++)
        {
          run = g_ascii_isdigit (*p) ? run + 1 : 0;
          if (run >= 5)
            {
              fail (t, "the plan breakdown shows a raw number: %s", subtitle);
              break;
            }
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    check_no_raw_numbers (t, child, n_rows);
}

/* Issue 16 item 8, on every page: no label shows a free-standing number of
 * five digits or more ungrouped (cw_format_group_numbers_in_text would
 * change it), except values shown as stored (.cw-verbatim: names, ids,
 * paths, command lines). Charts draw their own text. */
static void
check_readable_labels (SelfTest *t, GtkWidget *widget, const char *where, guint *n_labels)
{
  if (gtk_widget_has_css_class (widget, "cw-verbatim") || CW_IS_CHART_VIEW (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));
      g_autofree char *grouped = cw_format_group_numbers_in_text (text);

      (*n_labels)++;
      if (g_strcmp0 (grouped, text) != 0)
        fail (t, "%s shows a raw number: “%s”", where, text);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    check_readable_labels (t, child, where, n_labels);
}

static void
check_page_numbers (SelfTest *t, const char *page)
{
  guint n_labels = 0;

  check_readable_labels (t, cw_window_get_page_widget (t->window, page), page, &n_labels);
  g_string_append_printf (t->report, "readable numbers on %s: %u labels checked\n", page, n_labels);
}

static gboolean
step_wait_database (SelfTest *t)
{
  GListModel *rows;

  if (t->loaded < 0 || !gtk_widget_get_mapped (GTK_WIDGET (t->window)))
    return FALSE;
  if (t->loaded == 0 || cw_window_get_database (t->window) == NULL)
    {
      fail (t, "the sample database did not open");
      return TRUE;
    }

  rows = cw_receipt_database_get_rows (cw_window_get_database (t->window));
  g_string_append_printf (t->report, "database %s receipts=%u\n",
                          cw_receipt_database_get_path (cw_window_get_database (t->window)),
                          g_list_model_get_n_items (rows));
  g_string_append_printf (t->report, "first-load-ms=%.1f (includes the window's first frame)\n",
                          t->load_us / 1000.0);
  if (g_list_model_get_n_items (rows) == 0)
    fail (t, "the sample database has no receipts");

  /* The opened database heads the recent list. */
  {
    GSettings *settings = cw_application_get_settings (CW_APPLICATION (gtk_window_get_application (GTK_WINDOW (t->window))));
    g_auto(GStrv) recent = g_settings_get_strv (settings, "recent-databases");

    if (recent[0] == NULL ||
        g_strcmp0 (recent[0], cw_receipt_database_get_path (cw_window_get_database (t->window))) != 0)
      fail (t, "the opened database is not first in recent-databases");
    g_string_append_printf (t->report, "recent[0]=%s\n", recent[0] ? recent[0] : "(none)");
  }
  t->good_database = g_object_ref (cw_window_get_database (t->window));

  {
    GtkWidget *stack = gtk_widget_get_parent (cw_window_get_page_widget (t->window, "plan"));
    const char *names[] = { "plan", "receipts", "compare", "index-cache" };

    /* The page titles as shown (translated): the LANGUAGE=de test reads them. */
    g_string_append (t->report, "page-titles");
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        AdwViewStackPage *page = adw_view_stack_get_page (ADW_VIEW_STACK (stack),
                                                          cw_window_get_page_widget (t->window, names[i]));
        g_string_append_printf (t->report, " %s=%s", names[i], adw_view_stack_page_get_title (page));
      }
    g_string_append_c (t->report, '\n');
  }
  return TRUE;
}

/* Reload the database with the window up and idle, and measure how long
 * the main loop was ever blocked meanwhile: reading the store must happen
 * off the main thread. */
static gboolean
step_reload_start (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  GListModel *all = cw_receipt_database_get_rows (cw_window_get_database (t->window));

  /* Start from a settled window: the first load's rows all listed and
   * the deferred chart rebuilds done. */
  if (g_list_model_get_n_items (filtered) < g_list_model_get_n_items (all) ||
      g_get_monotonic_time () - t->step_started < 500 * G_TIME_SPAN_MILLISECOND)
    return FALSE;

  t->loaded = -1;
  t->load_us = 0;
  t->max_gap_us = 0;
  t->started = t->last_tick = g_get_monotonic_time ();
  g_clear_handle_id (&t->tick_id, g_source_remove);
  t->tick_id = g_timeout_add (5, tick_cb, t);
  gtk_widget_activate_action (GTK_WIDGET (t->window), "win.reload", NULL);
  return TRUE;
}

static gboolean
step_reload_wait (SelfTest *t)
{
  GListModel *rows;

  if (t->loaded < 0)
    return FALSE;
  if (t->loaded == 0)
    {
      fail (t, "reloading the database failed");
      return TRUE;
    }
  /* The callback that delivered the rows may have run since the last tick. */
  t->max_gap_us = MAX (t->max_gap_us, g_get_monotonic_time () - t->last_tick);
  rows = cw_receipt_database_get_rows (cw_window_get_database (t->window));
  g_string_append_printf (t->report, "reload receipts=%u reload-ms=%.1f max-main-loop-gap-during-reload-ms=%.1f\n",
                          g_list_model_get_n_items (rows), t->load_us / 1000.0, t->max_gap_us / 1000.0);
  g_object_unref (t->good_database);
  t->good_database = g_object_ref (cw_window_get_database (t->window));
  return TRUE;
}

/* Whether a shown label under widget reads `text` exactly. */
static gboolean
shows_label (GtkWidget *widget, const char *text)
{
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;
  return FALSE;
}

/* Issue 16 item 4: the open database's name is on screen in a wide window
 * too (the switcher title shows its subtitle only when narrow). */
static gboolean
step_database_named (SelfTest *t)
{
  g_autofree char *base = g_path_get_basename (cw_receipt_database_get_path (cw_window_get_database (t->window)));
  gboolean shown = shows_label (GTK_WIDGET (t->window), base);

  if (!shown && g_get_monotonic_time () - t->step_started < 2 * G_TIME_SPAN_SECOND)
    return FALSE;
  g_string_append_printf (t->report, "database named at %d px: %s\n", gtk_widget_get_width (GTK_WIDGET (t->window)),
                          shown ? base : "(nowhere)");
  if (!shown)
    fail (t, "at %d px no label shows the open database '%s'", gtk_widget_get_width (GTK_WIDGET (t->window)), base);
  return TRUE;
}

static gboolean
step_plan_change_input (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  CwConfig config;
  char text[32];

  show_page (t, "plan");
  if (!cw_plan_page_get_config (plan, &config))
    {
      g_autofree char *summary = cw_plan_page_dup_summary (plan);
      fail (t, "the Plan page has no valid plan for the preset: %s", summary);
      return TRUE;
    }

  t->plan_before = cw_plan_page_dup_summary (plan);
  {
    guint n_rows = 0;

    check_no_raw_numbers (t, GTK_WIDGET (plan), &n_rows);
    if (n_rows == 0)
      fail (t, "the plan breakdown has no profile rows");
  }
  g_string_append_printf (t->report, "plan-before sq=%" G_GUINT64_FORMAT "\n%s", config.sq, t->plan_before);

  /* Double the context, as a user typing into the sq field. */
  t->new_sq = config.sq * 2;
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, t->new_sq);
  cw_plan_page_set_field (plan, "sq", text);
  return TRUE;
}

static gboolean
step_plan_check (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  g_autofree char *after = NULL;
  CwConfig config;

  /* Let the debounced re-plan fire by itself, as it would while typing. */
  if (g_get_monotonic_time () - t->step_started < 300 * G_TIME_SPAN_MILLISECOND)
    return FALSE;

  after = cw_plan_page_dup_summary (plan);
  g_string_append_printf (t->report, "plan-after sq=%" G_GUINT64_FORMAT "\n%s", t->new_sq, after);

  /* Inputs persist: the typed value is in GSettings. */
  {
    GSettings *settings = cw_application_get_settings (CW_APPLICATION (gtk_window_get_application (GTK_WINDOW (t->window))));
    g_autofree char *stored = g_settings_get_string (settings, "sq");
    char expected[32];

    g_snprintf (expected, sizeof expected, "%" G_GUINT64_FORMAT, t->new_sq);
    if (g_strcmp0 (stored, expected) != 0)
      fail (t, "GSettings key sq holds '%s', not the typed '%s'", stored, expected);
    g_string_append_printf (t->report, "settings sq=%s\n", stored);
  }

  if (!cw_plan_page_get_config (plan, &config) || config.sq != t->new_sq)
    fail (t, "typing sq=%" G_GUINT64_FORMAT " did not re-plan (config sq=%" G_GUINT64_FORMAT ")",
          t->new_sq, config.sq);
  else if (g_strcmp0 (after, t->plan_before) == 0)
    fail (t, "doubling sq left every profile's peak unchanged");
  else if (strstr (after, "peak=") == NULL)
    fail (t, "the plan after the change has no profile: %s", after);

  check_page_numbers (t, "plan");
  check_export (t, "plan.png");
  check_export (t, "plan.svg");
  check_export (t, "plan.pdf");
  g_string_append_printf (t->report, "plan-chart-render-us=%" G_GINT64_FORMAT "\n",
                          cw_chart_view_get_last_render_us (cw_window_get_visible_chart_view (t->window)));
  screenshot (t, "page-plan.png");
  return TRUE;
}

/* Issue 16 item 9: while an input is wrong the results (chart, breakdown,
 * usable memory) are dimmed and insensitive, the Index cache page has no
 * configuration, and the Plan chart does not export; all come back once the
 * input is valid. */
/* The Plan page re-plans at once, the Index cache page on a short timer
 * (queue_replan): a fixed wait is too short on a loaded machine. Returns
 * FALSE (poll again) until the Index cache page agrees with `stale` (an
 * "error: " summary while the inputs are wrong, a plan when they are
 * right), at least 200 ms after the step started and at most 10 s. */
static gboolean
results_settled (SelfTest *t, gboolean stale)
{
  CwIndexCachePage *index_cache = CW_INDEX_CACHE_PAGE (cw_window_get_page_widget (t->window, "index-cache"));
  g_autofree char *ic = NULL;
  gint64 waited = g_get_monotonic_time () - t->step_started;

  if (waited < 200 * G_TIME_SPAN_MILLISECOND)
    return FALSE;
  if (waited > 10 * G_TIME_SPAN_SECOND)
    return TRUE;
  ic = cw_index_cache_page_dup_summary (index_cache);
  return g_str_has_prefix (ic, "error: ") == stale;
}

static void
check_results_stale (SelfTest *t, const char *what)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  CwIndexCachePage *index_cache = CW_INDEX_CACHE_PAGE (cw_window_get_page_widget (t->window, "index-cache"));
  g_autofree char *ic = cw_index_cache_page_dup_summary (index_cache);
  g_autofree char *path = out_path (t, "plan-stale.png");
  g_autoptr(GError) error = NULL;

  g_string_append_printf (t->report, "%s: results-current=%s index-cache=%s", what,
                          cw_plan_page_get_results_current (plan) ? "yes" : "no", ic);
  if (cw_plan_page_get_results_current (plan))
    fail (t, "with %s the Plan page's results are not dimmed", what);
  if (!g_str_has_prefix (ic, "error: "))
    g_string_append_c (t->report, '\n');
  if (gtk_widget_is_sensitive (GTK_WIDGET (cw_plan_page_get_chart_view (plan))))
    fail (t, "with %s the cliff chart still answers hover and clicks", what);
  if (!g_str_has_prefix (ic, "error: "))
    fail (t, "with %s the Index cache page still plans the old configuration", what);
  /* What win.export-chart-to and the export dialog call, without the toast
   * that would sit on the next screenshots. */
  g_remove (path);
  if (cw_window_export_chart (t->window, path, 640, 400, &error) || g_file_test (path, G_FILE_TEST_EXISTS))
    fail (t, "with %s the stale Plan chart was exported", what);
}

static void
check_results_current (SelfTest *t, const char *what)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  CwIndexCachePage *index_cache = CW_INDEX_CACHE_PAGE (cw_window_get_page_widget (t->window, "index-cache"));
  g_autofree char *ic = cw_index_cache_page_dup_summary (index_cache);

  g_string_append_printf (t->report, "%s: results-current=%s\n", what,
                          cw_plan_page_get_results_current (plan) ? "yes" : "no");
  if (!cw_plan_page_get_results_current (plan)
      || !gtk_widget_is_sensitive (GTK_WIDGET (cw_plan_page_get_chart_view (plan))))
    fail (t, "%s, but the Plan page's results stay dimmed", what);
  if (g_str_has_prefix (ic, "error: "))
    fail (t, "%s, but the Index cache page has no configuration: %s", what, ic);
}

/* Bad input: a typo in a field says why, in one line, and keeps the last
 * good plan (dimmed); fixing it re-plans. */
static gboolean
step_plan_bad_input (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));

  cw_plan_page_set_field (plan, "sq", "12x");
  return TRUE;
}

static gboolean
step_plan_bad_input_check (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  g_autofree char *summary = NULL;
  CwConfig config;

  if (!results_settled (t, TRUE))
    return FALSE;

  summary = cw_plan_page_dup_summary (plan);
  g_string_append_printf (t->report, "bad-input sq=12x -> %s", summary);
  if (!g_str_has_prefix (summary, "error: ") || strstr (summary, "12x") == NULL)
    fail (t, "typing sq=12x did not report the bad value: %s", summary);
  if (!cw_plan_page_get_config (plan, &config) || config.sq != t->new_sq)
    fail (t, "a bad input lost the last good plan");
  check_results_stale (t, "sq=12x");
  screenshot (t, "page-plan-invalid.png");
  return TRUE;
}

/* The value is fixed: the results answer it again. */
static gboolean
step_plan_bad_input_fix (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, t->new_sq);
  cw_plan_page_set_field (plan, "sq", text);
  return TRUE;
}

static gboolean
step_plan_results_back (SelfTest *t)
{
  if (!results_settled (t, FALSE))
    return FALSE;
  check_results_current (t, "the inputs are valid again");
  return TRUE;
}

/* Issue 16 item 8: a reserve larger than the GPU is refused in sizes people
 * read ("Reserve 97.66 TiB is larger than the GPU’s 140.40 GiB"), not
 * "reserve 107374182400000 B is larger…". */
static gboolean
step_plan_big_reserve (SelfTest *t)
{
  cw_plan_page_set_field (CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan")), "reserve", "100000G");
  return TRUE;
}

static gboolean
step_plan_big_reserve_check (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  g_autofree char *summary = NULL;
  guint run = 0, longest = 0;

  if (!results_settled (t, TRUE))
    return FALSE;

  summary = cw_plan_page_dup_summary (plan);
  g_string_append_printf (t->report, "big-reserve reserve=100000G -> %s", summary);
  for (const char *p = summary; *p != '\0'; p++)
    {
      run = g_ascii_isdigit (*p) ? run + 1 : 0;
      longest = MAX (longest, run);
    }
  if (!g_str_has_prefix (summary, "error: ") || strstr (summary, "TiB") == NULL || longest >= 5)
    fail (t, "a reserve larger than the GPU is not refused in readable sizes: %s", summary);
  check_results_stale (t, "a reserve larger than the GPU");
  cw_plan_page_set_field (plan, "reserve", "");
  return TRUE;
}

/* Issue 16 item 8: the planner's own messages print plain integers; the
 * page shows them grouped. An sq of 1T overflows the element count. */
static gboolean
step_plan_huge_sq (SelfTest *t)
{
  cw_plan_page_set_field (CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan")), "sq", "1T");
  return TRUE;
}

static gboolean
step_plan_huge_sq_check (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  g_autofree char *summary = NULL;
  g_autofree char *grouped = NULL;
  char text[32];

  if (!results_settled (t, TRUE))
    return FALSE;
  summary = cw_plan_page_dup_summary (plan);
  grouped = cw_format_group_numbers_in_text (summary);
  g_string_append_printf (t->report, "huge-sq sq=1T -> %s", summary);
  if (!g_str_has_prefix (summary, "error: "))
    fail (t, "sq=1T was planned: %s", summary);
  else if (g_strcmp0 (grouped, summary) != 0)
    fail (t, "the planner's message is shown with raw numbers: %s", summary);
  check_results_stale (t, "sq=1T");
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, t->new_sq);
  cw_plan_page_set_field (plan, "sq", text);
  return TRUE;
}

/* Issue 15: an engine step in the workbench, as `plan --engine vllm-v3.2
 * --sq 8192 --prefix 131072` plans it: the engine's profile with its knobs,
 * first in the breakdown, byte for byte what the planner gives. */
static gboolean
step_plan_engine (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));

  show_page (t, "plan");
  if (!cw_plan_page_set_engine (plan, "vllm-v3.2"))
    {
      fail (t, "no engine vllm-v3.2 on the Plan page");
      return TRUE;
    }
  cw_plan_page_set_field (plan, "sq", "8192");
  cw_plan_page_set_field (plan, "prefix", "131072");
  return TRUE;
}

static gboolean
step_plan_engine_check (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  g_autofree char *summary = NULL;
  CwError error = { 0 };
  CwConfig config;
  CwEngine *engine;
  CwProfile *profile = NULL;
  CwPlan *expected = NULL;
  char line[128];

  if (g_get_monotonic_time () - t->step_started < 300 * G_TIME_SPAN_MILLISECOND)
    return FALSE;
  summary = cw_plan_page_dup_summary (plan);
  g_string_append_printf (t->report, "engine vllm-v3.2 sq=8192 prefix=131072\n%s", summary);
  engine = cw_engine_load ("vllm-v3.2", &error);
  if (engine != NULL)
    profile = cw_engine_load_profile (engine, &error);
  if (profile == NULL || !cw_plan_page_get_config (plan, &config))
    fail (t, "engine step: %s", error.message[0] ? error.message : summary);
  else if (config.prefix != 131072 || config.sq != 8192 || config.q_dtype != CW_DTYPE_FP8_E4M3)
    fail (t, "engine step: config prefix %" G_GUINT64_FORMAT " sq %" G_GUINT64_FORMAT " q %s", config.prefix,
          config.sq, cw_dtype_get_name (config.q_dtype));
  else if ((expected = cw_plan_new (profile, &config, &error)) == NULL)
    fail (t, "engine step: %s", error.message);
  else
    {
      g_snprintf (line, sizeof line, "vllm peak=%" G_GUINT64_FORMAT " ", cw_plan_get_peak_bytes (expected));
      if (!g_str_has_prefix (summary, line))
        fail (t, "engine step: expected '%s' first, got: %s", line, summary);
    }
  cw_plan_free (expected);
  cw_profile_free (profile);
  cw_engine_free (engine);
  /* Back to no engine and a whole prompt (the model stays the engine's). */
  cw_plan_page_set_engine (plan, "");
  cw_plan_page_set_field (plan, "prefix", "");
  {
    char text[32];

    g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, t->new_sq);
    cw_plan_page_set_field (plan, "sq", text);
  }
  return TRUE;
}

/* ---- the Training Step switch: Alt+T, and what crosses into the loss (issue 18) ---- */

/* The mnemonic shortcuts for `keyval` that Alt+keyval would run in the
 * window now: a GtkShortcutController runs those whose widget is mapped and
 * sensitive (gtkshortcutcontroller.c), the only one with the exclusive flag. */
static void
collect_mnemonics (GtkWidget *widget, guint keyval, GPtrArray *widgets, GPtrArray *shortcuts)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (controller)) != GTK_SHORTCUT_SCOPE_MANAGED)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_MNEMONIC_TRIGGER (trigger) &&
              gdk_keyval_to_lower (gtk_mnemonic_trigger_get_keyval (GTK_MNEMONIC_TRIGGER (trigger))) == keyval &&
              gtk_widget_get_mapped (widget) && gtk_widget_is_sensitive (widget))
            {
              g_ptr_array_add (widgets, widget);
              g_ptr_array_add (shortcuts, g_object_ref (shortcut));
            }
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_mnemonics (child, keyval, widgets, shortcuts);
}

/* The row titled `title` under widget. */
static GtkWidget *
find_row_titled (GtkWidget *widget, const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row_titled (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The letter underlined in the Training Step switch's title, as a lower-case keyval; 0 if none. */
static guint
training_mnemonic_keyval (void)
{
  const char *u = strchr (_("_Training Step"), '_');

  return u != NULL && u[1] != '\0' ? gdk_keyval_to_lower (gdk_unicode_to_keyval (g_utf8_get_char (u + 1))) : 0;
}

/* Alt+T as the window runs it: the one mnemonic for t on screen, activated
 * exclusively. Says what went wrong; TRUE when it ran. */
static gboolean
press_training_mnemonic (SelfTest *t)
{
  const char *title = _("_Training Step");
  guint keyval = training_mnemonic_keyval ();
  GtkWidget *row = find_row_titled (GTK_WIDGET (t->window), title);
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  g_autoptr(GPtrArray) shortcuts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (t->window));

  if (row == NULL || keyval != GDK_KEY_t)
    {
      fail (t, "the Plan page has no “%s” row with Alt+T (keyval %s)", title, keyval ? gdk_keyval_name (keyval) : "none");
      return FALSE;
    }
  /* The window's own shortcut controllers run mnemonics with Alt. */
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (controller) &&
          gtk_shortcut_controller_get_mnemonics_modifiers (GTK_SHORTCUT_CONTROLLER (controller)) != GDK_ALT_MASK)
        fail (t, "a shortcut controller of the window runs mnemonics with modifiers %#x, not Alt",
              gtk_shortcut_controller_get_mnemonics_modifiers (GTK_SHORTCUT_CONTROLLER (controller)));
    }
  collect_mnemonics (GTK_WIDGET (t->window), keyval, widgets, shortcuts);
  if (widgets->len != 1 || !gtk_widget_is_ancestor (g_ptr_array_index (widgets, 0), row))
    {
      fail (t, "Alt+T has %u mnemonics on screen, not the “%s” row's alone", widgets->len, title);
      return FALSE;
    }
  if (!gtk_shortcut_action_activate (gtk_shortcut_get_action (g_ptr_array_index (shortcuts, 0)),
                                     GTK_SHORTCUT_ACTION_EXCLUSIVE, g_ptr_array_index (widgets, 0),
                                     gtk_shortcut_get_arguments (g_ptr_array_index (shortcuts, 0))))
    {
      fail (t, "Alt+T did nothing");
      return FALSE;
    }
  return TRUE;
}

static gboolean
step_plan_training_on (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  AdwFlap *flap = cw_plan_page_get_flap (plan);

  if (!t->step_entered_page)
    {
      t->step_entered_page = TRUE;
      show_page (t, "plan");
      /* In a narrow window the switch is in the inputs: F9 first, as a person would. */
      if (adw_flap_get_folded (flap) && !adw_flap_get_reveal_flap (flap))
        gtk_widget_activate_action (GTK_WIDGET (t->window), "win.toggle-inputs", NULL);
    }
  /* Until the inputs are on screen. */
  if (g_get_monotonic_time () - t->step_started < 500 * G_TIME_SPAN_MILLISECOND)
    return FALSE;
  if (cw_plan_page_get_training (plan))
    fail (t, "the Training Step switch is on before Alt+T");
  press_training_mnemonic (t);
  return TRUE;
}

/* The switch animates before it flips: wait for it, then for the re-plan
 * (the breakdown lists the training steps). */
static gboolean
training_settled (SelfTest *t, gboolean on)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  g_autofree char *summary = cw_plan_page_dup_summary (plan);
  gboolean planned = strstr (summary, "streaming-train peak=") != NULL;

  if (cw_plan_page_get_training (plan) == on && planned == on && cw_plan_page_get_results_current (plan))
    return TRUE;
  if (g_get_monotonic_time () - t->step_started < 5 * G_TIME_SPAN_SECOND)
    return FALSE;
  fail (t, "Alt+T did not switch the Training Step %s (switch %s, streaming-train %s)", on ? "on" : "off",
        cw_plan_page_get_training (plan) ? "on" : "off", planned ? "planned" : "not planned");
  return TRUE;
}

/* Every row title, subtitle and label of the Plan page's breakdown. */
static void
collect_plan_text (GtkWidget *w, GString *out)
{
  if (GTK_IS_LABEL (w) && gtk_widget_get_visible (w))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (w)));
  if (ADW_IS_PREFERENCES_ROW (w))
    g_string_append_printf (out, "%s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)));
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_plan_text (c, out);
}

/* The breakdown of streaming's training step, as plan --training gives it:
 * scores cross into the loss only, idx on into the backward, with the bytes
 * the planner gives at the page's configuration. Then Alt+T again. */
static gboolean
step_plan_training_check (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  g_autoptr(GString) text = g_string_new (NULL);
  CwError error = { 0 };
  CwConfig config;
  CwProfile *profile;
  CwPlan *expected = NULL;

  if (!training_settled (t, TRUE))
    return FALSE;
  profile = cw_profile_load ("streaming-train", &error);
  if (profile == NULL || !cw_plan_page_get_config (plan, &config) ||
      (expected = cw_plan_new (profile, &config, &error)) == NULL)
    fail (t, "training step: %s", error.message[0] ? error.message : "no configuration on the Plan page");
  collect_plan_text (GTK_WIDGET (plan), text);
  if (expected != NULL)
    {
      const char *loss = cw_plan_get_phase_name (expected, cw_plan_get_n_forward_phases (expected));
      const char *next = cw_plan_get_phase_name (expected, cw_plan_get_n_forward_phases (expected) + 1);
      uint64_t scores = 0, idx = 0;
      g_autofree char *only = NULL, *on = NULL, *line = NULL;
      char bytes[CW_FORMAT_SIZE_EXACT_MAX];

      for (unsigned b = 0; b < cw_plan_get_n_buffers (expected); b++)
        {
          if (g_strcmp0 (cw_plan_get_buffer_name (expected, b), "scores") == 0)
            scores = cw_plan_get_buffer_bytes (expected, b);
          if (g_strcmp0 (cw_plan_get_buffer_name (expected, b), "idx") == 0)
            idx = cw_plan_get_buffer_bytes (expected, b);
        }
      only = g_strdup_printf (_("Into “%1$s” only (freed after it): %2$s"), loss, "scores");
      on = g_strdup_printf (_("Into “%1$s” and on into “%2$s”: %3$s"), loss, next, "idx");
      g_string_append_printf (t->report, "training step %s: %s; %s\n", cw_profile_get_name (profile), only, on);
      if (g_strcmp0 (loss, "loss") != 0 || scores == 0 || idx == 0)
        fail (t, "streaming-train: backward begins with '%s', scores %" G_GUINT64_FORMAT " B, idx %" G_GUINT64_FORMAT " B",
              loss, scores, idx);
      cw_format_size_exact_to_buffer (scores, bytes, sizeof bytes);
      line = g_strdup_printf ("\n%s\n%s\n%s\n", only, only, bytes);
      if (strstr (text->str, line) == NULL)
        fail (t, "the Plan page does not say scores cross into the loss only (%s beside “%s”)", bytes, only);
      g_free (line);
      cw_format_size_exact_to_buffer (idx, bytes, sizeof bytes);
      line = g_strdup_printf ("\n%s\n%s\n%s\n", on, on, bytes);
      if (strstr (text->str, line) == NULL)
        fail (t, "the Plan page does not say idx goes on into the backward (%s beside “%s”)", bytes, on);
      g_free (line);
      {
        g_autoptr(GString) phases = g_string_new (NULL);

        for (unsigned p = 0; p < cw_plan_get_n_phases (expected); p++)
          for (unsigned b = 0; b < cw_plan_get_n_buffers (expected); b++)
            if (g_strcmp0 (cw_plan_get_buffer_name (expected, b), "scores") == 0 && cw_plan_get_buffer_live_in (expected, b, p))
              g_string_append_printf (phases, "%s%s", phases->len ? ", " : "", cw_plan_get_phase_name (expected, p));
        line = g_strdup_printf (_("Buffer %1$s (saved; into “%2$s” only; live in %3$s)"), "scores", loss, phases->str);
        if (strstr (text->str, line) == NULL)
          fail (t, "the Plan page has no line “%s”", line);
      }
    }
  cw_plan_free (expected);
  cw_profile_free (profile);
  press_training_mnemonic (t);
  return TRUE;
}

static gboolean
step_plan_training_off (SelfTest *t)
{
  return training_settled (t, FALSE);
}

/* ---- the cliff chart's profiles and hover (issue 16 item 1) ---------------- */

/* The cliff chart's profile curves: line layers labelled "NAME (...)". */
static guint
count_profile_curves (CwChart *chart, const char *name, guint *n_lines)
{
  g_autofree char *prefix = name != NULL ? g_strdup_printf ("%s (", name) : NULL;
  guint n = 0;

  *n_lines = 0;
  for (size_t i = 0; chart != NULL && i < cw_chart_get_n_layers (chart); i++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, i);
      const char *label = cw_chart_layer_get_label (layer);

      if (g_strcmp0 (cw_chart_layer_get_kind (layer), "line") != 0)
        continue;
      (*n_lines)++;
      if (prefix != NULL && label != NULL && g_str_has_prefix (label, prefix))
        n++;
    }
  return n;
}

static const char *const default_profiles[] = { "reference", "materialize", "fused", "streaming" };

/* By default the chart draws the three paths and the reference (no engine
 * is chosen yet); another profile is one click away. */
static gboolean
step_plan_profiles_default (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  CwChart *chart;
  guint n_lines = 0, unused;

  show_page (t, "plan");
  if (!cw_plan_page_get_results_current (plan))
    {
      fail (t, "profiles: the Plan page has no current plan");
      return TRUE;
    }
  chart = cw_chart_view_get_chart (cw_plan_page_get_chart_view (plan));
  count_profile_curves (chart, NULL, &n_lines);
  g_string_append_printf (t->report, "plan-profiles default curves=%u\n", n_lines);
  for (guint i = 0; i < G_N_ELEMENTS (default_profiles); i++)
    if (count_profile_curves (chart, default_profiles[i], &unused) != 1)
      fail (t, "the cliff chart does not draw '%s' by default", default_profiles[i]);
  if (n_lines != G_N_ELEMENTS (default_profiles))
    fail (t, "the cliff chart draws %u curves by default, not the %u of the three paths and the reference",
          n_lines, (guint) G_N_ELEMENTS (default_profiles));
  if (count_profile_curves (chart, "vllm", &unused) != 0)
    fail (t, "the cliff chart draws 'vllm' by default");
  if (!cw_plan_page_set_profile_compared (plan, "vllm", TRUE))
    fail (t, "the Profiles group has no 'vllm' row");
  return TRUE;
}

static gboolean
step_plan_profiles_more (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  GSettings *settings = cw_application_get_settings (CW_APPLICATION (gtk_window_get_application (GTK_WINDOW (t->window))));
  g_auto(GStrv) stored = NULL;
  CwChart *chart;
  guint n_lines = 0;

  /* Let the debounced re-plan run by itself. */
  if (g_get_monotonic_time () - t->step_started < 300 * G_TIME_SPAN_MILLISECOND)
    return FALSE;
  cw_plan_page_get_results_current (plan);
  chart = cw_chart_view_get_chart (cw_plan_page_get_chart_view (plan));
  if (count_profile_curves (chart, "vllm", &n_lines) != 1)
    fail (t, "checking 'vllm' did not add its curve to the cliff chart");
  if (n_lines != G_N_ELEMENTS (default_profiles) + 1)
    fail (t, "with 'vllm' checked the cliff chart draws %u curves, not %u", n_lines,
          (guint) G_N_ELEMENTS (default_profiles) + 1);
  stored = g_settings_get_strv (settings, "profiles");
  if (!g_strv_contains ((const char * const *) stored, "vllm"))
    fail (t, "the GSettings key profiles does not hold the checked 'vllm'");
  g_string_append_printf (t->report, "plan-profiles with vllm curves=%u\n", n_lines);

  /* And back to the default, for the steps that follow. */
  cw_plan_page_set_profile_compared (plan, "vllm", FALSE);
  cw_plan_page_get_results_current (plan);
  chart = cw_chart_view_get_chart (cw_plan_page_get_chart_view (plan));
  if (count_profile_curves (chart, "vllm", &n_lines) != 0 || n_lines != G_N_ELEMENTS (default_profiles))
    fail (t, "clearing 'vllm' left %u curves on the cliff chart", n_lines);
  return TRUE;
}

/* Hovering the cliff chart at the current sq says each curve's peak there,
 * in units and exact grouped bytes, as the planner computes it. */
static gboolean
step_plan_hover (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  CwChartView *view = cw_plan_page_get_chart_view (plan);
  CwChart *chart;
  CwChartRect area;
  CwConfig config;
  CwError error = { 0 };
  CwProfile *fused;
  uint64_t peak = 0;
  double px, unused;
  g_autofree char *size = NULL, *exact = NULL, *sq_text = NULL, *found = NULL;

  if (!cw_plan_page_get_results_current (plan) || !cw_plan_page_get_config (plan, &config))
    {
      fail (t, "hover: the Plan page has no current plan");
      return TRUE;
    }
  fused = cw_profile_load ("fused", &error);
  if (config.ratio != 0 || config.prefix != 0)
    config.sk = 0;
  if (fused == NULL || !cw_plan_eval_peak (fused, &config, &peak, &error))
    {
      fail (t, "hover: planning 'fused' failed: %s", error.message);
      cw_profile_free (fused);
      return TRUE;
    }
  cw_profile_free (fused);
  size = cw_format_size (peak);
  exact = cw_format_count (peak);
  sq_text = cw_format_count (config.sq);

  /* Lays the chart out for the widget, as drawing does. */
  g_free (cw_chart_view_dup_tooltip_text_at (view, 0, 0));
  chart = cw_chart_view_get_chart (view);
  if (chart == NULL || !cw_chart_get_plot_area (chart, &area)
      || !cw_chart_data_to_device (chart, (double) config.sq, (double) peak, &px, &unused)
      || px < area.x || px > area.x + area.width)
    {
      fail (t, "hover: sq %s is not on the cliff chart's x axis", sq_text);
      return TRUE;
    }
  /* Down the pointer's column until the text is the plot's, not a receipt's. */
  for (int k = 1; k < 16 && found == NULL; k++)
    {
      g_autofree char *text = cw_chart_view_dup_tooltip_text_at (view, px, area.y + area.height * k / 16.0);

      if (text != NULL && strstr (text, sq_text) != NULL && strstr (text, "fused") != NULL)
        found = g_steal_pointer (&text);
    }
  g_string_append_printf (t->report, "plan-hover sq=%" G_GUINT64_FORMAT " fused peak=%" G_GUINT64_FORMAT "\n%s\n",
                          config.sq, peak, found != NULL ? found : "(no text)");
  /* On the fused curve itself (a curve has no tooltip of its own): the
   * same numbers, or a receipt's where one sits on the curve. */
  {
    double on_x, on_y;
    g_autofree char *on_curve = NULL;

    if (cw_chart_data_to_device (chart, (double) config.sq, (double) peak, &on_x, &on_y))
      on_curve = cw_chart_view_dup_tooltip_text_at (view, on_x, on_y);
    if (on_curve == NULL)
      fail (t, "hovering the fused curve at sq %s says nothing", sq_text);
  }
  if (found == NULL)
    fail (t, "hovering the cliff chart at sq %s says nothing of 'fused'", sq_text);
  else
    {
      g_autofree char *bytes = g_strdup_printf ("%s B", exact);
      g_autofree char *line = g_strdup (strstr (found, "\nfused: "));

      if (line != NULL && strchr (line + 1, '\n') != NULL)
        *strchr (line + 1, '\n') = '\0';
      if (line == NULL || strstr (line, size) == NULL || strstr (line, bytes) == NULL)
        fail (t, "hovering at sq %s does not give 'fused' as %s (%s): %s", sq_text, size, bytes, found);
    }
  return TRUE;
}

/* The plan chart's receipts are reachable by keyboard too: an arrow key
 * onto the first receipt point opens it on the Receipts page. */
static gboolean
step_plan_receipt (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));

  if (!cw_chart_view_step_point (cw_plan_page_get_chart_view (plan), 1))
    {
      /* Only a failure when the sample has receipts of this configuration. */
      g_string_append (t->report, "plan-chart: no receipt point to step onto\n");
      return TRUE;
    }
  if (g_strcmp0 (cw_window_get_page (t->window), "receipts") != 0)
    fail (t, "activating a receipt on the cliff chart did not open the Receipts page");
  return TRUE;
}

static gboolean
step_plan_receipt_detail (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));

  if (g_strcmp0 (cw_window_get_page (t->window), "receipts") != 0)
    return TRUE;
  if (cw_receipts_page_get_detail_id (page) == 0)
    return FALSE;
  g_string_append_printf (t->report, "plan-chart receipt -> receipts page detail id=%" G_GINT64_FORMAT "\n",
                          cw_receipts_page_get_detail_id (page));
  return TRUE;
}

static gboolean
step_receipts_select (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  GListModel *all = cw_receipt_database_get_rows (cw_window_get_database (t->window));

  if (!t->step_entered_page)
    {
      show_page (t, "receipts");
      t->step_entered_page = TRUE;
    }
  /* The filter runs incrementally: wait until every row has passed it. */
  if (g_list_model_get_n_items (filtered) < g_list_model_get_n_items (all))
    return FALSE;
  cw_receipts_page_select (page, 0);
  {
    g_autoptr(CwReceiptRow) row = g_list_model_get_item (filtered, 0);
    t->expect_id = cw_receipt_row_get_receipt (row)->id;
  }
  return TRUE;
}

static gboolean
step_receipts_detail (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  gint64 id = cw_receipts_page_get_detail_id (page);

  if (id != t->expect_id)
    return FALSE;   /* the trace is still loading in its worker thread */

  g_string_append_printf (t->report, "receipt-detail id=%" G_GINT64_FORMAT " shown=%u\n", id,
                          g_list_model_get_n_items (filtered));
  if (g_strcmp0 (cw_receipts_page_get_list_state (page), "list") != 0
      || g_strcmp0 (cw_receipts_page_get_detail_state (page), "detail") != 0)
    fail (t, "a selected receipt shows %s / %s, not the list and its detail",
          cw_receipts_page_get_list_state (page), cw_receipts_page_get_detail_state (page));
  /* Issue 16 item 3: what a reader compares is on screen without scrolling. */
  {
    g_autofree char *visible = cw_receipts_page_dup_visible_columns (page);
    int width = gtk_widget_get_width (GTK_WIDGET (t->window));

    g_auto(GStrv) shown = g_strsplit (visible, ",", -1);
    const char *needed[] = { _("Predicted"), _("Measured"), _("Error") };

    g_string_append_printf (t->report, "receipt-columns width=%d visible=%s\n", width, visible);
    /* The three a reader compares a receipt by, at 1280 (the default). */
    for (guint i = 0; i < G_N_ELEMENTS (needed) && width >= 1200; i++)
      if (!g_strv_contains ((const char *const *) shown, needed[i]))
        fail (t, "at %d px the %s column is off-screen (visible: %s)", width, needed[i], visible);
  }
  check_page_numbers (t, "receipts");
  check_export (t, "timeline.png");
  screenshot (t, "page-receipts.png");
  return TRUE;
}


/* ---- the memory timeline and the detail pane (issue 16 item 3) ------------- */

static gboolean
same_range (double a0, double a1, double b0, double b1)
{
  double tol = 1e-9 * fmax (fabs (a1 - a0), 1e-300);

  return fabs (a0 - b0) <= tol && fabs (a1 - b1) <= tol;
}

/* Presses a key on the widget's key controller, as the keyboard would. */
static gboolean
press_key (GtkWidget *widget, guint keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (c))
        {
          g_signal_emit_by_name (c, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
          break;
        }
    }
  return handled;
}

static const CwReceipt *
shown_row_receipt (SelfTest *t, CwReceiptsPage *page, CwReceiptRow **row_out)
{
  GListModel *all = cw_receipt_database_get_rows (cw_window_get_database (t->window));

  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      CwReceiptRow *row = g_list_model_get_item (all, i);

      if (cw_receipt_row_get_receipt (row)->id == cw_receipts_page_get_detail_id (page))
        {
          *row_out = row;
          return cw_receipt_row_get_receipt (row);
        }
      g_object_unref (row);
    }
  *row_out = NULL;
  return NULL;
}

/* The timeline takes the pane's width and a readable height; zooming
 * narrows the visible time range around the centre, panning moves it, an
 * export of the zoomed chart shows that range, and hovering the plot tells
 * the exact live bytes (the measured peak where it is). */
static gboolean
step_timeline (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  CwChartView *view = cw_receipts_page_get_chart_view (page);
  CwChart *chart = cw_chart_view_get_chart (view);
  GtkWidget *pane = gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_STACK);
  int win_w = gtk_widget_get_width (GTK_WIDGET (t->window));
  int cw = gtk_widget_get_width (GTK_WIDGET (view)), ch = gtk_widget_get_height (GTK_WIDGET (view));
  g_autoptr(CwReceiptRow) row = NULL;
  const CwReceipt *r = shown_row_receipt (t, page, &row);
  double min0, max0, min1, max1, min2, max2, emin, emax;
  CwChartRect plot = { 0 };
  guint n_text = 0, n_columns = 0, n_gaps = 0, n_null_run = 0;
  gboolean saw_peak = FALSE, saw_range = FALSE;
  g_autofree char *peak = NULL;
  g_autofree char *example = NULL;

  if (chart == NULL || r == NULL || pane == NULL)
    {
      fail (t, "no timeline to check (chart %p, receipt %p)", (void *) chart, (void *) r);
      return TRUE;
    }
  if (!cw_chart_layout (chart, cw, ch) || !cw_chart_get_plot_area (chart, &plot))
    fail (t, "the timeline has no plot at %dx%d", cw, ch);
  g_string_append_printf (t->report, "timeline size=%dx%d pane=%d plot=%.0fx%.0f window=%d\n", cw, ch,
                          gtk_widget_get_width (pane), plot.width, plot.height, win_w);
  if (cw < gtk_widget_get_width (pane) - 48)
    fail (t, "the timeline is %d px wide in a %d px detail pane", cw, gtk_widget_get_width (pane));
  if (win_w >= 1200 && (ch < 320 || plot.width < 0.7 * cw || plot.height < 150))
    fail (t, "at %d px the timeline is %dx%d with a %.0fx%.0f plot: too small to read", win_w, cw, ch,
          plot.width, plot.height);

  /* Zoom and pan. */
  if (!cw_chart_view_get_visible_x_range (view, &min0, &max0))
    fail (t, "the timeline has no x range");
  if (!cw_chart_view_zoom_x (view, 2.0, -1) || !cw_chart_view_get_visible_x_range (view, &min1, &max1))
    fail (t, "zooming into the timeline changed nothing");
  else if (!(max1 - min1 < 0.6 * (max0 - min0)) || min1 < min0 || max1 > max0)
    fail (t, "zoom in: %g..%g s became %g..%g s", min0, max0, min1, max1);
  if (!cw_chart_view_pan_x (view, 0.25) || !cw_chart_view_get_visible_x_range (view, &min2, &max2))
    fail (t, "panning the zoomed timeline changed nothing");
  else if (!(min2 > min1 + 0.2 * (max1 - min1)) || fabs ((max2 - min2) - (max1 - min1)) > 1e-9 * (max1 - min1))
    fail (t, "pan: %g..%g s became %g..%g s", min1, max1, min2, max2);
  g_string_append_printf (t->report, "timeline x %g..%g zoom %g..%g pan %g..%g\n", min0, max0, min1, max1,
                          min2, max2);

  /* An export of the zoomed timeline shows the zoomed range. */
  check_export (t, "timeline-zoomed.png");
  if (!cw_chart_get_axis_range (chart, CW_CHART_AXIS_X, &emin, &emax) || !same_range (min2, max2, emin, emax))
    fail (t, "the zoomed timeline (%g..%g s) exported as %g..%g s", min2, max2, emin, emax);

  /* Hover, every pixel column of the whole lane: the exact live bytes. */
  cw_chart_view_reset_zoom (view);
  peak = cw_format_size_exact (r->status == CW_RECEIPT_STATUS_OOM ? r->oom_live_bytes : r->measured_peak_bytes);
  cw_chart_layout (chart, cw, ch);
  cw_chart_get_plot_area (chart, &plot);
  for (double px = plot.x + 0.5; px < plot.x + plot.width; px += 1.0, n_columns++)
    {
      g_autofree char *text = cw_chart_view_dup_tooltip_text_at (view, px, plot.y + plot.height * 0.8);

      /* Past the lane's end there is nothing to say; before it, always. */
      if (text == NULL)
        {
          n_null_run += n_text > 0;
          continue;
        }
      n_gaps += n_null_run;
      n_null_run = 0;
      n_text++;
      saw_peak |= strstr (text, peak) != NULL;
      saw_range |= strstr (text, "NVTX") != NULL;
      if (example == NULL && px > plot.x + plot.width / 2)
        example = g_strdup (text);
    }
  g_string_append_printf (t->report, "timeline hover %u/%u columns, peak %s %s, example: %s\n", n_text, n_columns,
                          peak, saw_peak ? "found" : "MISSING", example != NULL ? example : "(none)");
  if (n_text < n_columns / 2 || n_gaps > 0)
    fail (t, "hovering the timeline says something over %u of %u pixel columns, with %u silent between",
          n_text, n_columns, n_gaps);
  if (!saw_peak)
    fail (t, "no hover on the timeline of receipt %" G_GINT64_FORMAT " shows its peak %s", r->id, peak);
  if (r->n_events > 0 && !saw_range)
    g_string_append (t->report, "timeline hover: no NVTX range under the pointer\n");

  /* Left zoomed for the screenshot; the next step zooms out by keys. */
  cw_chart_view_zoom_x (view, 4.0, plot.x + plot.width * 0.1);
  screenshot (t, "page-receipts-timeline-zoomed.png");
  return TRUE;
}

static gboolean
step_timeline_keys (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  CwChartView *view = cw_receipts_page_get_chart_view (page);
  double min0, max0, min1, max1, min2, max2;

  if (!press_key (GTK_WIDGET (view), GDK_KEY_Home) || cw_chart_view_get_zoomed (view))
    fail (t, "Home on the timeline does not show the whole lane");
  cw_chart_view_get_visible_x_range (view, &min0, &max0);
  press_key (GTK_WIDGET (view), GDK_KEY_plus);
  press_key (GTK_WIDGET (view), GDK_KEY_plus);
  cw_chart_view_get_visible_x_range (view, &min1, &max1);
  if (!(max1 - min1 < 0.8 * (max0 - min0)))
    fail (t, "+ on the timeline did not zoom in (%g..%g s, then %g..%g s)", min0, max0, min1, max1);
  press_key (GTK_WIDGET (view), GDK_KEY_Right);
  cw_chart_view_get_visible_x_range (view, &min2, &max2);
  if (!(min2 > min1))
    fail (t, "Right on the zoomed timeline did not pan (%g..%g s, then %g..%g s)", min1, max1, min2, max2);
  for (int i = 0; i < 4; i++)
    press_key (GTK_WIDGET (view), GDK_KEY_minus);
  cw_chart_view_get_visible_x_range (view, &min2, &max2);
  if (cw_chart_view_get_zoomed (view) || !same_range (min0, max0, min2, max2))
    fail (t, "- on the timeline does not come back to the whole lane (%g..%g s, not %g..%g s)", min2, max2, min0,
          max0);
  return TRUE;
}

/* ---- two receipts side by side (issue 16) ----------------------------------- */

static CwReceiptDiffWindow *
find_diff_window (void)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = 0, n = g_list_model_get_n_items (tops); i < n; i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (tops, i);

      if (CW_IS_RECEIPT_DIFF_WINDOW (w))
        return CW_RECEIPT_DIFF_WINDOW (w);
    }
  return NULL;
}

/* The shown receipt's Compare With… (Ctrl+D), then as B the first listed
 * receipt of another lane that ran to the end. */
static gboolean
step_diff_open (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  gint64 a = cw_receipts_page_get_detail_id (page);
  const char *lane_a = NULL;
  CwReceiptDiffWindow *win;

  if (find_diff_window () == NULL)
    gtk_widget_activate_action (GTK_WIDGET (t->window), "app.compare-receipts", NULL);
  win = find_diff_window ();
  if (a <= 0 || win == NULL)
    {
      fail (t, "Compare With… on receipt %" G_GINT64_FORMAT " opened no Compare Receipts window", a);
      return TRUE;
    }
  t->diff_b = 0;
  for (guint i = 0, n = g_list_model_get_n_items (filtered); i < n; i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (filtered, i);
      const CwReceipt *r = row != NULL ? cw_receipt_row_get_receipt (row) : NULL;

      if (r != NULL && r->id == a)
        lane_a = cw_receipt_row_get_receipt (row)->lane;
    }
  for (guint i = 0, n = g_list_model_get_n_items (filtered); i < n && lane_a != NULL && t->diff_b == 0; i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (filtered, i);
      const CwReceipt *r = row != NULL ? cw_receipt_row_get_receipt (row) : NULL;

      if (r != NULL && r->status == CW_RECEIPT_STATUS_OK && r->measured_peak_bytes > 0 && strcmp (r->lane, lane_a) != 0)
        t->diff_b = r->id;
    }
  if (t->diff_b == 0)
    {
      fail (t, "no receipt of another lane than %s to compare with", lane_a != NULL ? lane_a : "?");
      return TRUE;
    }
  cw_receipt_diff_window_set_second (win, NULL, t->diff_b);
  t->expect_id = a;
  t->diff_size = 0;
  return TRUE;
}

static const int diff_sizes[][2] = { { 800, 600 }, { 1280, 800 } };

/* Both ids, the fields the library's diff marks (and only those), the
 * measured peaks' B − A, at 800x600 and 1280x800; the chart exported with
 * both receipts in its caption. */
static gboolean
step_diff_check (SelfTest *t)
{
  CwReceiptDiffWindow *win = find_diff_window ();
  const CwReceiptDiff *d = win != NULL ? cw_receipt_diff_window_get_diff (win) : NULL;
  int want_w = diff_sizes[t->diff_size][0], want_h = diff_sizes[t->diff_size][1];
  g_autofree char *text = NULL, *keys = NULL, *shot = NULL;
  g_autoptr(GString) want_keys = g_string_new (NULL);
  char a[32], b[32];

  if (win == NULL)
    {
      fail (t, "the Compare Receipts window went away");
      return TRUE;
    }
  if (d == NULL || cw_receipt_diff_get_id (d, true) != t->diff_b || !gtk_widget_get_mapped (GTK_WIDGET (win)))
    return FALSE;   /* B loads in a worker thread; the window maps */
  if (!t->step_entered_page)
    {
      gtk_window_set_default_size (GTK_WINDOW (win), want_w, want_h);
      t->step_entered_page = TRUE;
      t->step_started = g_get_monotonic_time ();
      return FALSE;
    }
  /* Wait for the resize (up to 5 s), asking again each second (a request
   * that crosses the window's first configure is lost); then half a second
   * more to settle. */
  if (gtk_widget_get_width (GTK_WIDGET (win)) > want_w
      && g_get_monotonic_time () - t->step_started < 5 * G_TIME_SPAN_SECOND)
    {
      gint64 waited = g_get_monotonic_time () - t->step_started;

      if (waited / G_TIME_SPAN_SECOND != (waited - POLL_MS * G_TIME_SPAN_MILLISECOND) / G_TIME_SPAN_SECOND)
        {
          gtk_window_set_default_size (GTK_WINDOW (win), want_w - 1, want_h - 1);
          gtk_window_set_default_size (GTK_WINDOW (win), want_w, want_h);
        }
      return FALSE;
    }
  if (t->diff_b > 0 && g_object_get_data (G_OBJECT (win), "cw-self-test-sized") == NULL)
    {
      g_object_set_data (G_OBJECT (win), "cw-self-test-sized", GINT_TO_POINTER (1));
      t->step_started = g_get_monotonic_time ();
      return FALSE;
    }
  if (g_get_monotonic_time () - t->step_started < 500 * G_TIME_SPAN_MILLISECOND)
    return FALSE;
  g_object_set_data (G_OBJECT (win), "cw-self-test-sized", NULL);

  g_snprintf (a, sizeof a, "%" G_GINT64_FORMAT, t->expect_id);
  g_snprintf (b, sizeof b, "%" G_GINT64_FORMAT, t->diff_b);
  text = cw_receipt_diff_window_dup_text (win);
  keys = cw_receipt_diff_window_dup_differing_keys (win);
  for (size_t i = 0; i < cw_receipt_diff_get_n_fields (d); i++)
    if (cw_receipt_diff_get_field (d, i)->differs)
      g_string_append_printf (want_keys, "%s%s", want_keys->len ? "," : "", cw_receipt_diff_get_field (d, i)->key);
  g_string_append_printf (t->report, "receipt-diff %dx%d (window %dx%d) %s vs %s: differing %s\n", want_w, want_h,
                          gtk_widget_get_width (GTK_WIDGET (win)), gtk_widget_get_height (GTK_WIDGET (win)), a, b,
                          keys);
  if (cw_receipt_diff_get_id (d, false) != t->expect_id)
    fail (t, "Compare Receipts shows receipt %" G_GINT64_FORMAT " as A, not the one shown (%s)",
          cw_receipt_diff_get_id (d, false), a);
  {
    g_autofree char *ra = g_strdup_printf (_("A: receipt %s"), a);
    g_autofree char *rb = g_strdup_printf (_("B: receipt %s"), b);

    if (strstr (text, ra) == NULL || strstr (text, rb) == NULL)
      fail (t, "Compare Receipts does not name both receipts ('%s', '%s'):\n%s", ra, rb, text);
  }
  if (strcmp (keys, want_keys->str) != 0 || strstr (keys, "lane") == NULL)
    fail (t, "Compare Receipts marks '%s' as differing; the diff says '%s'", keys, want_keys->str);
  {
    const CwReceiptDiffPeak *p = cw_receipt_diff_get_peak (d, CW_RECEIPT_DIFF_MEASURED);
    g_autofree char *size = p->has_delta ? cw_format_size (p->delta) : NULL;
    g_autofree char *want = size != NULL ? g_strdup_printf ("%s%s", p->sign < 0 ? "−" : p->sign > 0 ? "+" : "", size)
                                         : NULL;

    if (want == NULL || strstr (text, want) == NULL)
      fail (t, "Compare Receipts shows no measured B − A '%s':\n%s", want != NULL ? want : "(none)", text);
  }
  {
    int w = gtk_widget_get_width (GTK_WIDGET (win));
    int cw = gtk_widget_get_width (GTK_WIDGET (cw_receipt_diff_window_get_chart_view (win)));

    if (w > want_w + 1 || cw <= 200 || cw > w)
      fail (t, "Compare Receipts at %dx%d: window %d px wide, its chart %d px", want_w, want_h, w, cw);
  }
  shot = g_strdup_printf ("receipt-diff-%dx%d.png", want_w, want_h);
  screenshot_widget (t, adw_window_get_content (ADW_WINDOW (win)), shot);
  if (t->diff_size == 1)
    {
      g_autofree char *path = out_path (t, "receipt-diff.svg");
      g_autofree char *svg = NULL;
      g_autoptr(GError) error = NULL;

      if (!cw_chart_view_export (cw_receipt_diff_window_get_chart_view (win), path, 1280, 800, &error))
        fail (t, "export of the comparison: %s", error->message);
      else if (!g_file_get_contents (path, &svg, NULL, NULL))
        fail (t, "export of the comparison: no file");
      else
        {
          g_autofree char *ra = g_strdup_printf ("receipt %s (", a);
          g_autofree char *rb = g_strdup_printf ("receipt %s (", b);

          /* German labels in the German run: the ids and the file name stand in both. */
          if ((strstr (svg, ra) == NULL && strstr (svg, a) == NULL) || strstr (svg, b) == NULL
              || strstr (svg, ".db") == NULL)
            fail (t, "the exported comparison's caption does not name both receipts and the database");
          g_string_append_printf (t->report, "export receipt-diff.svg\n");
        }
    }
  t->diff_size++;
  t->step_entered_page = FALSE;
  if (t->diff_size < G_N_ELEMENTS (diff_sizes))
    return FALSE;
  return TRUE;
}

static gboolean
step_diff_close (SelfTest *t)
{
  CwReceiptDiffWindow *win = find_diff_window ();

  if (win != NULL)
    gtk_window_destroy (GTK_WINDOW (win));
  return TRUE;
}

/* Another receipt is read from the top of the pane. */
static gboolean
step_detail_scroll (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  g_autoptr(CwReceiptRow) row = NULL;

  cw_receipts_page_set_detail_scroll (page, 400.0);
  g_string_append_printf (t->report, "detail scrolled to %.0f\n", cw_receipts_page_get_detail_scroll (page));
  if (cw_receipts_page_get_detail_scroll (page) < 100.0)
    fail (t, "the detail pane does not scroll (%.0f)", cw_receipts_page_get_detail_scroll (page));
  if (g_list_model_get_n_items (filtered) < 2)
    {
      fail (t, "fewer than two receipts to choose from");
      return TRUE;
    }
  row = g_list_model_get_item (filtered, 1);
  t->expect_id = cw_receipt_row_get_receipt (row)->id;
  cw_receipts_page_select (page, 1);
  return TRUE;
}

static gboolean
step_detail_scroll_check (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));

  if (cw_receipts_page_get_detail_id (page) != t->expect_id)
    return FALSE;
  if (cw_receipts_page_get_detail_scroll (page) > 0.5)
    fail (t, "receipt %" G_GINT64_FORMAT " opened %.0f px down, at the last receipt's scroll", t->expect_id,
          cw_receipts_page_get_detail_scroll (page));
  return TRUE;
}

/* A search that removes the shown receipt (others still matching) empties
 * the detail pane. */
static gboolean
step_detail_filter (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *all = cw_receipt_database_get_rows (cw_window_get_database (t->window));
  g_autoptr(CwReceiptRow) shown_row = NULL;
  const CwReceipt *shown = shown_row_receipt (t, page, &shown_row);

  if (shown == NULL)
    {
      fail (t, "no receipt shown before filtering");
      return TRUE;
    }
  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (all, i);
      const char *lane = cw_receipt_row_get_receipt (row)->lane;

      if (strstr (lane, shown->lane) == NULL && strstr (shown->lane, lane) == NULL)
        {
          g_string_append_printf (t->report, "filter out receipt %" G_GINT64_FORMAT " (%s) with '%s'\n", shown->id,
                                  shown->lane, lane);
          t->expect_id = shown->id;
          cw_receipts_page_set_search_text (page, lane);
          return TRUE;
        }
    }
  g_string_append (t->report, "filter: the sample has one lane only\n");
  t->expect_id = 0;
  return TRUE;
}

static gboolean
step_detail_filter_check (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  GListModel *all = cw_receipt_database_get_rows (cw_window_get_database (t->window));
  guint n = g_list_model_get_n_items (filtered);

  if (t->step_entered_page)
    /* Wait for the list to refill, so the next steps start from it all. */
    return n == g_list_model_get_n_items (all) || g_get_monotonic_time () - t->step_started > 5 * G_TIME_SPAN_SECOND;

  if (t->expect_id != 0)
    {
      gboolean still = FALSE;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CwReceiptRow) row = g_list_model_get_item (filtered, i);
          still |= cw_receipt_row_get_receipt (row)->id == t->expect_id;
        }
      if ((n == 0 || still) && g_get_monotonic_time () - t->step_started < 2 * G_TIME_SPAN_SECOND)
        return FALSE;
      g_string_append_printf (t->report, "filtered: %u shown, detail %s id=%" G_GINT64_FORMAT "\n", n,
                              cw_receipts_page_get_detail_state (page), cw_receipts_page_get_detail_id (page));
      if (g_strcmp0 (cw_receipts_page_get_detail_state (page), "empty") != 0
          || cw_receipts_page_get_detail_id (page) != 0)
        fail (t, "the search removed receipt %" G_GINT64_FORMAT " from the list but the detail pane shows %s "
              "(receipt %" G_GINT64_FORMAT ")", t->expect_id, cw_receipts_page_get_detail_state (page),
              cw_receipts_page_get_detail_id (page));
    }
  cw_receipts_page_set_search_text (page, "");
  t->step_entered_page = TRUE;
  return FALSE;
}

/* A search nothing matches empties the list; clearing it restores it. */
static gboolean
step_receipts_search_start (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);

  g_string_append_printf (t->report, "search-all=%u\n", g_list_model_get_n_items (filtered));
  cw_receipts_page_set_search_text (page, "no-such-receipt-anywhere");
  return TRUE;
}

static gboolean
step_receipts_search (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  guint n = g_list_model_get_n_items (filtered);

  /* The filter runs incrementally: wait until it has emptied the list. */
  if (n != 0 && g_get_monotonic_time () - t->step_started < 5 * G_TIME_SPAN_SECOND)
    return FALSE;
  if (n != 0)
    fail (t, "a search that matches nothing still shows %u receipts", n);
  else if (g_strcmp0 (cw_receipts_page_get_list_state (page), "no-match") != 0
           || g_strcmp0 (cw_receipts_page_get_detail_state (page), "empty") != 0)
    fail (t, "a search that matches nothing shows %s / %s, not the no-match status",
          cw_receipts_page_get_list_state (page), cw_receipts_page_get_detail_state (page));
  g_string_append_printf (t->report, "search-none=%u\n", n);
  /* Issue 16 item 3: "fused" finds fused receipts, not a materialize one
   * whose note (its command line) names fused. */
  cw_receipts_page_set_search_text (page, "fused");
  return TRUE;
}

static gboolean
step_receipts_search_lane (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  guint n = g_list_model_get_n_items (filtered), wrong = 0;

  if (n == 0 && g_get_monotonic_time () - t->step_started < 2 * G_TIME_SPAN_SECOND)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (filtered, i);
      const CwReceipt *r = cw_receipt_row_get_receipt (row);

      wrong += strstr (r->lane, "fused") == NULL && strstr (r->profile, "fused") == NULL
               && strstr (cw_receipt_status_get_name (r->status), "fused") == NULL;
    }
  if (wrong > 0)
    fail (t, "searching 'fused' shows %u receipt(s) that are not fused", wrong);
  g_string_append_printf (t->report, "search-fused=%u\n", n);
  cw_receipts_page_set_search_text (page, "");
  return TRUE;
}

static gboolean check_status_page (SelfTest *t, const char *page, const char *title, gboolean report_failure);

/* The shown button under widget that activates `action`, or NULL. */
static GtkWidget *
find_action_button (GtkWidget *widget, const char *action)
{
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return NULL;
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Issue 16 item 7: a search that hides every receipt leaves Compare with
 * nothing to draw; its status page says the filters are why and offers
 * Clear Filters, which clears them (a click, as a person does) and brings
 * the chart back. */
static gboolean
step_compare_filtered (SelfTest *t)
{
  CwReceiptsPage *receipts = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  CwComparePage *page = CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare"));
  gboolean timed_out = g_get_monotonic_time () - t->step_started > 5 * G_TIME_SPAN_SECOND;
  GtkWidget *button;

  if (!t->step_entered_page)
    {
      cw_receipts_page_set_search_text (receipts, "no-such-receipt-anywhere");
      show_page (t, "compare");
      t->step_entered_page = TRUE;
      return FALSE;
    }
  if (g_list_model_get_n_items (cw_receipts_page_get_filtered_model (receipts)) != 0 && !timed_out)
    return FALSE;
  if (!check_status_page (t, "compare", _("No Receipt Matches the Filters"), timed_out))
    return timed_out;
  button = find_action_button (cw_window_get_page_widget (t->window, "compare"), "win.clear-filters");
  g_string_append_printf (t->report, "compare-filtered state=%s clear-filters=%s\n", cw_compare_page_get_state (page),
                          button != NULL ? gtk_button_get_label (GTK_BUTTON (button)) : "(none)");
  if (button == NULL)
    {
      fail (t, "Compare emptied by the filters offers no Clear Filters button");
      cw_receipts_page_set_search_text (receipts, "");
      return TRUE;
    }
  screenshot (t, "page-compare-filtered.png");
  gtk_widget_activate (button);
  return TRUE;
}

static gboolean
step_compare_filters_cleared (SelfTest *t)
{
  CwReceiptsPage *receipts = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  CwComparePage *page = CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare"));
  GListModel *all = cw_receipt_database_get_rows (cw_window_get_database (t->window));
  guint n = g_list_model_get_n_items (cw_receipts_page_get_filtered_model (receipts));
  gboolean done = n == g_list_model_get_n_items (all) && g_strcmp0 (cw_compare_page_get_state (page), "content") == 0;

  if (!done && g_get_monotonic_time () - t->step_started < 5 * G_TIME_SPAN_SECOND)
    return FALSE;
  g_string_append_printf (t->report, "clear-filters: %u of %u listed, compare %s, page %s\n", n,
                          g_list_model_get_n_items (all), cw_compare_page_get_state (page),
                          cw_window_get_page (t->window));
  if (!done)
    fail (t, "Clear Filters left %u of %u receipts listed and Compare showing '%s'", n,
          g_list_model_get_n_items (all), cw_compare_page_get_state (page));
  else if (g_strcmp0 (cw_window_get_page (t->window), "compare") != 0)
    fail (t, "Clear Filters left the Compare page for '%s'", cw_window_get_page (t->window));
  cw_receipts_page_set_search_text (receipts, "");
  show_page (t, "receipts");
  return TRUE;
}

/* An OOM receipt's timeline shows the line the lane could not cross. */
static gboolean
step_oom_select (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  g_autoptr(CwReceiptRow) row = NULL;

  if (!t->step_entered_page)
    {
      cw_receipts_page_set_search_text (page, "oom");
      t->step_entered_page = TRUE;
      return FALSE;
    }
  if (g_list_model_get_n_items (filtered) == 0)
    {
      if (g_get_monotonic_time () - t->step_started < 2 * G_TIME_SPAN_SECOND)
        return FALSE;
      g_string_append (t->report, "oom: the sample has no OOM receipt\n");
      t->expect_id = 0;
      return TRUE;
    }
  row = g_list_model_get_item (filtered, 0);
  t->expect_id = cw_receipt_row_get_receipt (row)->id;
  cw_receipts_page_select (page, 0);
  return TRUE;
}

static gboolean
step_oom_detail (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));

  if (t->expect_id != 0)
    {
      if (cw_receipts_page_get_detail_id (page) != t->expect_id)
        return FALSE;
      g_string_append_printf (t->report, "oom receipt id=%" G_GINT64_FORMAT "\n", t->expect_id);
      check_page_numbers (t, "receipts");
      check_export (t, "timeline-oom.png");
    }
  cw_receipts_page_set_search_text (page, "");
  return TRUE;
}

static gboolean
step_compare (SelfTest *t)
{
  CwReceiptsPage *receipts = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *rows = cw_receipts_page_get_filtered_model (receipts);
  GListModel *all = cw_receipt_database_get_rows (cw_window_get_database (t->window));

  /* Wait until the cleared search has listed every receipt again. */
  if (g_list_model_get_n_items (rows) < g_list_model_get_n_items (all) &&
      g_get_monotonic_time () - t->step_started < 10 * G_TIME_SPAN_SECOND)
    return FALSE;

  show_page (t, "compare");
  screenshot (t, "page-compare.png");
  return TRUE;
}

static gboolean
step_compare_keys (SelfTest *t)
{
  CwComparePage *page = CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare"));
  CwReceiptsPage *receipts = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  guint n = g_list_model_get_n_items (cw_receipts_page_get_filtered_model (receipts));

  /* The keyboard path: an arrow key onto the first point activates it:
   * its error line here, and its receipt opens on the Receipts page
   * (issue 16 item 9; the next step waits for its detail). */
  if (!cw_chart_view_step_point (cw_compare_page_get_chart_view (page), 1))
    fail (t, "the arrow keys reach no point on the Compare chart");
  else if (cw_compare_page_get_point_text (page) == NULL)
    fail (t, "stepping onto a Compare point showed no error line");
  else if (g_strcmp0 (cw_window_get_page (t->window), "receipts") != 0)
    fail (t, "activating a Compare point did not open its receipt on the Receipts page");
  g_string_append_printf (t->report, "compare-rows=%u first-point: %s\n", n,
                          cw_compare_page_get_point_text (page) ? cw_compare_page_get_point_text (page) : "(none)");
  return TRUE;
}

static gboolean
step_compare_receipt (SelfTest *t)
{
  CwComparePage *page = CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare"));
  CwReceiptsPage *receipts = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  const char *point = cw_compare_page_get_point_text (page);

  gint64 want = cw_compare_page_get_point_id (page);

  if (point != NULL && want > 0 && g_strcmp0 (cw_window_get_page (t->window), "receipts") == 0)
    {
      /* The detail loads off the main loop: wait for this receipt's. */
      if (cw_receipts_page_get_detail_id (receipts) != want
          && g_get_monotonic_time () - t->step_started < 5 * G_TIME_SPAN_SECOND)
        return FALSE;
      if (cw_receipts_page_get_detail_id (receipts) != want)
        fail (t, "the Compare point for receipt %" G_GINT64_FORMAT " opened receipt %" G_GINT64_FORMAT, want,
              cw_receipts_page_get_detail_id (receipts));
      g_string_append_printf (t->report, "compare point -> receipts page detail id=%" G_GINT64_FORMAT "\n",
                              cw_receipts_page_get_detail_id (receipts));
    }
  else if (point != NULL)
    fail (t, "the Compare point has no receipt id");
  show_page (t, "compare");
  if (g_strcmp0 (cw_compare_page_get_state (page), "content") != 0)
    fail (t, "the Compare page shows its status page (%s)", cw_compare_page_get_state (page));
  check_page_numbers (t, "compare");
  check_export (t, "compare.svg");
  return TRUE;
}

/* Issue 16 item 9: a click on a Compare point opens its receipt. The
 * click goes through the chart view's click gesture at the pixel of the
 * chart's last point (another receipt than the keyboard step opened), so
 * the hit test on the laid-out chart is what finds the receipt. */
static gboolean
step_compare_click (SelfTest *t)
{
  CwComparePage *page = CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare"));
  GListModel *rows = cw_receipts_page_get_filtered_model (
                       CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts")));
  CwChartView *view = cw_compare_page_get_chart_view (page);
  GtkWidget *widget = GTK_WIDGET (view);
  CwChart *chart = cw_chart_view_get_chart (view);
  g_autoptr(GListModel) controllers = NULL;
  g_autoptr(CwReceiptRow) row = NULL;
  double px = NAN, py = NAN;
  gboolean clicked = FALSE;
  CwChartHit hit;

  t->expect_id = 0;
  if (chart == NULL || !gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) < 100)
    {
      if (g_get_monotonic_time () - t->step_started < 5 * G_TIME_SPAN_SECOND)
        return FALSE;
      fail (t, "the Compare chart is not on screen to click");
      return TRUE;
    }
  /* The layout the view draws and hit-tests with (an export may have laid
   * the chart out at another size since). */
  cw_chart_layout (chart, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  for (size_t l = cw_chart_get_n_layers (chart); l-- > 0 && isnan (px);)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, l);
      size_t n = cw_chart_layer_get_n_items (layer);
      double x, y;

      if (g_strcmp0 (cw_chart_layer_get_kind (layer), "point") == 0 && n > 0
          && cw_chart_point_layer_get_point (layer, n - 1, &x, &y) && !cw_chart_data_to_device (chart, x, y, &px, &py))
        px = NAN;
    }
  if (isnan (px) || !cw_chart_hit_test (chart, px, py, 4, &hit)
      || (row = g_list_model_get_item (rows, (guint) hit.tag)) == NULL)
    {
      fail (t, "no Compare point to click (%.1f, %.1f)", px, py);
      return TRUE;
    }
  t->expect_id = cw_receipt_row_get_receipt (row)->id;
  controllers = gtk_widget_observe_controllers (widget);
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !clicked; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (c))
        {
          g_signal_emit_by_name (c, "pressed", 1, px, py);
          clicked = TRUE;
        }
    }
  if (!clicked)
    fail (t, "the Compare chart has no click gesture");
  g_string_append_printf (t->report, "compare click at %.0f,%.0f -> receipt %" G_GINT64_FORMAT "\n", px, py,
                          t->expect_id);
  return TRUE;
}

static gboolean
step_compare_click_receipt (SelfTest *t)
{
  CwReceiptsPage *receipts = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  gboolean there = g_strcmp0 (cw_window_get_page (t->window), "receipts") == 0
                   && cw_receipts_page_get_detail_id (receipts) == t->expect_id;

  if (t->expect_id == 0)
    return TRUE;
  if (!there && g_get_monotonic_time () - t->step_started < 5 * G_TIME_SPAN_SECOND)
    return FALSE;
  if (!there)
    fail (t, "clicking the Compare point of receipt %" G_GINT64_FORMAT " left the %s page showing receipt %"
          G_GINT64_FORMAT, t->expect_id, cw_window_get_page (t->window), cw_receipts_page_get_detail_id (receipts));
  return TRUE;
}

/* Issue 16 item 9: an error view on the Compare page. Every sample point
 * sits on y = x, so the Error toggle draws each receipt's signed error
 * against its predicted peak, with the tolerance band around 0. */
static int
compare_xy (gconstpointer a, gconstpointer b)
{
  const double *p = a, *q = b;

  return p[0] != q[0] ? (p[0] > q[0]) - (p[0] < q[0]) : (p[1] > q[1]) - (p[1] < q[1]);
}

static gboolean
step_compare_error (SelfTest *t)
{
  CwComparePage *page = CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare"));
  GListModel *rows = cw_receipts_page_get_filtered_model (
                       CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts")));
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (double) * 2);
  g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (double) * 2);
  g_autofree char *stored = NULL;
  CwChartView *view;
  CwChart *chart;
  double y_min = 0, y_max = 0;
  gboolean have_band = FALSE;

  show_page (t, "compare");
  cw_compare_page_set_view (page, "error");
  stored = g_settings_get_string (app_settings (t), "compare-view");
  if (g_strcmp0 (cw_compare_page_get_view (page), "error") != 0 || g_strcmp0 (stored, "error") != 0)
    fail (t, "the Error toggle left the view '%s' (stored '%s')", cw_compare_page_get_view (page), stored);

  view = cw_compare_page_get_chart_view (page);
  chart = cw_chart_view_get_chart (view);
  if (chart == NULL || g_strcmp0 (cw_chart_get_title (chart), _("Error of the measured peak against the prediction")) != 0)
    {
      fail (t, "the Error view shows the chart “%s”", chart != NULL ? cw_chart_get_title (chart) : "(none)");
      return TRUE;
    }

  /* Every receipt with both peaks is a point at (predicted, signed error %). */
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (rows, i);
      CwChartComparePoint point;
      const char *key;
      double xy[2];

      if (cw_receipt_chart_compare_point (cw_receipt_row_get_receipt (row), &point, &key) != CW_RECEIPT_CHART_DRAWN)
        continue;
      xy[0] = point.predicted_bytes;
      xy[1] = 100.0 * (point.measured_bytes - point.predicted_bytes) / point.predicted_bytes;
      g_array_append_val (want, xy);
    }
  for (size_t l = 0; l < cw_chart_get_n_layers (chart); l++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, l);

      have_band |= g_strcmp0 (cw_chart_layer_get_kind (layer), "area") == 0;
      if (g_strcmp0 (cw_chart_layer_get_kind (layer), "point") != 0)
        continue;
      for (size_t i = 0; i < cw_chart_layer_get_n_items (layer); i++)
        {
          double xy[2];

          if (cw_chart_point_layer_get_point (layer, i, &xy[0], &xy[1]))
            g_array_append_val (got, xy);
        }
    }
  g_array_sort (want, compare_xy);
  g_array_sort (got, compare_xy);
  if (want->len == 0 || got->len != want->len)
    fail (t, "the Error view has %u points for %u receipts with both peaks", got->len, want->len);
  for (guint i = 0; i < MIN (got->len, want->len); i++)
    {
      const double *g = &g_array_index (got, double, 2 * i), *w = &g_array_index (want, double, 2 * i);

      if (g[0] != w[0] || fabs (g[1] - w[1]) > 1e-9)
        {
          fail (t, "an Error view point is at (%g B, %g %%), its receipt at (%g B, %g %%)", g[0], g[1], w[0], w[1]);
          break;
        }
    }

  /* The band is drawn and the y axis shows its 1 % either side of 0. */
  if (!have_band)
    fail (t, "the Error view has no tolerance band");
  if (!cw_chart_layout (chart, MAX (gtk_widget_get_width (GTK_WIDGET (view)), 320),
                        MAX (gtk_widget_get_height (GTK_WIDGET (view)), 240))
      || !cw_chart_get_axis_range (chart, CW_CHART_AXIS_Y, &y_min, &y_max)
      || !(y_min <= -1.0 && y_max >= 1.0))
    fail (t, "the Error view's y axis [%g, %g] does not show the ±1 %% band", y_min, y_max);
  g_string_append_printf (t->report, "compare error view: %u points, y from %g to %g %%\n", got->len, y_min, y_max);

  check_page_numbers (t, "compare");
  check_export (t, "compare-error.svg");
  screenshot (t, "page-compare-error.png");
  return TRUE;
}

/* Its points open their receipts as on the y = x view; then back to it. */
static gboolean
step_compare_error_keys (SelfTest *t)
{
  CwComparePage *page = CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare"));
  g_autofree char *stored = NULL;

  if (!cw_chart_view_step_point (cw_compare_page_get_chart_view (page), 1) || cw_compare_page_get_point_text (page) == NULL)
    fail (t, "the arrow keys reach no point on the Error view");
  else if (g_strcmp0 (cw_window_get_page (t->window), "receipts") != 0)
    fail (t, "activating an Error view point did not open its receipt");
  show_page (t, "compare");
  cw_compare_page_set_view (page, "scatter");
  stored = g_settings_get_string (app_settings (t), "compare-view");
  if (g_strcmp0 (cw_chart_get_title (cw_chart_view_get_chart (cw_compare_page_get_chart_view (page))),
                 _("Measured against predicted peak")) != 0 || g_strcmp0 (stored, "scatter") != 0)
    fail (t, "the Measured vs Predicted toggle did not bring back the y = x chart");
  return TRUE;
}

static gboolean
step_index_cache (SelfTest *t)
{
  CwIndexCachePage *page = CW_INDEX_CACHE_PAGE (cw_window_get_page_widget (t->window, "index-cache"));
  g_autofree char *summary = NULL;

  /* The Compare chart has been drawn for the screenshot by now. */
  g_string_append_printf (t->report, "compare-chart-render-us=%" G_GINT64_FORMAT "\n",
                          cw_chart_view_get_last_render_us (
                            cw_compare_page_get_chart_view (
                              CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare")))));
  show_page (t, "index-cache");
  summary = cw_index_cache_page_dup_summary (page);
  g_string_append_printf (t->report, "index-cache\n%s", summary);
  if (g_str_has_prefix (summary, "error:"))
    fail (t, "the Index cache page shows an error for the default preset: %s", summary);
  /* Issue 16: the caption names the Plan page's GPU, as the CLI's does. */
  {
    CwChart *chart = cw_chart_view_get_chart (cw_index_cache_page_get_chart_view (page));
    const char *gpu = cw_plan_page_get_gpu_name (CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan")));
    const char *caption = chart != NULL ? cw_chart_get_caption (chart) : NULL;
    g_autofree char *want = g_strdup_printf (", GPU %s", gpu != NULL ? gpu : "?");

    g_string_append_printf (t->report, "index-cache-caption=%s\n", caption != NULL ? caption : "(none)");
    if (gpu == NULL || caption == NULL || strstr (caption, want) == NULL)
      fail (t, "the Index cache chart's caption '%s' does not name the GPU (%s)", caption ? caption : "(none)",
            gpu ? gpu : "none chosen");
  }
  check_page_numbers (t, "index-cache");
  check_export (t, "indexcache.png");
  screenshot (t, "page-index-cache.png");
  return TRUE;
}

static gboolean
step_open_bad_database (SelfTest *t)
{
  g_autofree char *path = out_path (t, "not-a-database.db");
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_file_set_contents (path, "this is not an SQLite database, but it is called .db\n", -1, NULL);
  t->loaded = -1;
  cw_window_open_database (t->window, file);
  return TRUE;
}

static gboolean
step_check_bad_database (SelfTest *t)
{
  if (t->loaded < 0)
    return FALSE;
  if (t->loaded != 0)
    fail (t, "a text file opened as a receipts database");
  if (cw_window_get_database (t->window) != t->good_database)
    fail (t, "a failed open replaced the database the window was showing");
  g_string_append_printf (t->report, "bad-database refused=%s kept-previous=%s\n",
                          t->loaded == 0 ? "yes" : "no",
                          cw_window_get_database (t->window) == t->good_database ? "yes" : "no");
  return TRUE;
}

/* Ctrl+E, Ctrl+? and F1 open their windows: each must build from its
 * template and come up, then closes again. */
static GtkWindow *
find_window_of_type (SelfTest *t, GType type)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

/* ---- menus, windows and shortcuts (issue 16 item 9) ------------------------ */

/* Every action a menu model (sections and submenus included) activates. */
static void
collect_menu_actions (GMenuModel *model, GPtrArray *actions)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *action = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autoptr(GMenuModel) submenu = g_menu_model_get_item_link (model, i, G_MENU_LINK_SUBMENU);

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &action))
        g_ptr_array_add (actions, g_steal_pointer (&action));
      if (section != NULL)
        collect_menu_actions (section, actions);
      if (submenu != NULL)
        collect_menu_actions (submenu, actions);
    }
}

static GtkMenuButton *
find_primary_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return GTK_MENU_BUTTON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkMenuButton *found = find_primary_menu_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* What the primary menu offers, as detailed action names. */
static GPtrArray *
dup_primary_menu_actions (SelfTest *t)
{
  GPtrArray *actions = g_ptr_array_new_with_free_func (g_free);
  GtkMenuButton *button = find_primary_menu_button (GTK_WIDGET (t->window));

  if (button != NULL && gtk_menu_button_get_menu_model (button) != NULL)
    collect_menu_actions (gtk_menu_button_get_menu_model (button), actions);
  return actions;
}

static gboolean
strv_has (GPtrArray *array, const char *s)
{
  for (guint i = 0; i < array->len; i++)
    if (g_strcmp0 (g_ptr_array_index (array, i), s) == 0)
      return TRUE;
  return FALSE;
}

/* "win.show-page::plan" and "win.show-page('plan')" name one action. */
static gboolean
same_detailed_action (const char *a, const char *b)
{
  g_autofree char *name_a = NULL, *name_b = NULL;
  g_autoptr(GVariant) target_a = NULL;
  g_autoptr(GVariant) target_b = NULL;

  if (!g_action_parse_detailed_name (a, &name_a, &target_a, NULL)
      || !g_action_parse_detailed_name (b, &name_b, &target_b, NULL))
    return FALSE;
  if (g_strcmp0 (name_a, name_b) != 0 || (target_a == NULL) != (target_b == NULL))
    return FALSE;
  return target_a == NULL || g_variant_equal (target_a, target_b);
}

static gboolean
has_action (GPtrArray *actions, const char *detailed)
{
  for (guint i = 0; i < actions->len; i++)
    if (same_detailed_action (g_ptr_array_index (actions, i), detailed))
      return TRUE;
  return FALSE;
}

static void
collect_shortcut_actions (GtkWidget *widget, GPtrArray *actions)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *action = NULL;

      g_object_get (widget, "action-name", &action, NULL);
      if (action != NULL)
        g_ptr_array_add (actions, g_steal_pointer (&action));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_shortcut_actions (child, actions);
}

/* The shortcuts window's entry titled `title`. */
static GtkWidget *
find_shortcut_titled (GtkWidget *widget, const char *title)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *have = NULL;

      g_object_get (widget, "title", &have, NULL);
      if (g_strcmp0 (have, title) == 0)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_shortcut_titled (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* ---- Preferences (issue 16 item 9) ------------------------------------------ */

static GSettings *
app_settings (SelfTest *t)
{
  return cw_application_get_settings (CW_APPLICATION (gtk_window_get_application (GTK_WINDOW (t->window))));
}

static CwPreferencesWindow *
find_preferences (SelfTest *t)
{
  GtkWindow *window = find_window_of_type (t, CW_TYPE_PREFERENCES_WINDOW);

  return window != NULL ? CW_PREFERENCES_WINDOW (window) : NULL;
}

/* The charts of all four pages. */
static CwChartView *
page_chart_view (SelfTest *t, guint i)
{
  switch (i)
    {
    case 0: return cw_plan_page_get_chart_view (CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan")));
    case 1: return cw_receipts_page_get_chart_view (CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts")));
    case 2: return cw_compare_page_get_chart_view (CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare")));
    default: return cw_index_cache_page_get_chart_view (CW_INDEX_CACHE_PAGE (cw_window_get_page_widget (t->window, "index-cache")));
    }
}

static void
check_chart_styles (SelfTest *t, CwChartStyleKind want, const char *why)
{
  for (guint i = 0; i < 4; i++)
    if (cw_chart_view_get_style (page_chart_view (t, i)) != want)
      fail (t, "%s: chart %u is drawn in the %s style, not %s", why, i,
            cw_chart_style_get (cw_chart_view_get_style (page_chart_view (t, i)))->name,
            cw_chart_style_get (want)->name);
}

/* Ctrl+, opens Preferences, which the primary menu offers too. */
static gboolean
step_prefs_open (SelfTest *t)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (t->window));
  g_auto(GStrv) actions = gtk_application_get_actions_for_accel (app, "<Control>comma");
  g_autoptr(GPtrArray) menu = dup_primary_menu_actions (t);
  CwPreferencesWindow *prefs;

  show_page (t, "plan");
  g_string_append_printf (t->report, "Ctrl+comma -> %s\n", actions[0] != NULL ? actions[0] : "(nothing)");
  if (actions[0] == NULL || g_strcmp0 (actions[0], "app.preferences") != 0)
    fail (t, "Ctrl+, does not open Preferences");
  if (!strv_has (menu, "app.preferences"))
    fail (t, "the primary menu has no Preferences");
  if (actions[0] != NULL && g_str_has_prefix (actions[0], "app."))
    g_action_group_activate_action (G_ACTION_GROUP (app), actions[0] + 4, NULL);
  prefs = find_preferences (t);
  if (prefs == NULL)
    {
      fail (t, "Ctrl+, opened no Preferences window");
      return TRUE;
    }
  screenshot_widget (t, adw_window_get_content (ADW_WINDOW (prefs)), "preferences.png");
  return TRUE;
}

/* The chart style and the windows' colour scheme are honoured by every
 * chart (and so by PNG and SVG exports, which draw in the view's style). */
static gboolean
step_prefs_style (SelfTest *t)
{
  CwPreferencesWindow *prefs = find_preferences (t);
  g_autofree char *stored = NULL;

  if (prefs == NULL)
    return TRUE;
  if (!cw_preferences_window_select (prefs, "chart-style", "print"))
    fail (t, "Preferences offer no Print chart style");
  stored = g_settings_get_string (app_settings (t), "chart-style");
  if (g_strcmp0 (stored, "print") != 0)
    fail (t, "choosing the Print chart style stored '%s'", stored);
  check_chart_styles (t, CW_CHART_STYLE_PRINT, "chart style Print");

  if (!cw_preferences_window_select (prefs, "color-scheme", "dark")
      || !cw_preferences_window_select (prefs, "chart-style", "system"))
    fail (t, "Preferences offer no dark windows or no system chart style");
  if (!adw_style_manager_get_dark (adw_style_manager_get_default ()))
    fail (t, "choosing dark windows left them light");
  check_chart_styles (t, CW_CHART_STYLE_DARK, "dark windows, charts like the windows");
  g_string_append_printf (t->report, "preferences: chart style print, then dark windows: plan chart %s\n",
                          cw_chart_style_get (cw_chart_view_get_style (page_chart_view (t, 0)))->name);
  screenshot (t, "page-plan-dark.png");
  return TRUE;
}

/* The default GPU, preset and reserve: a bad reserve is marked where it is
 * typed, and Reset Inputs on the Plan page plans with the defaults. */
static gboolean
step_prefs_defaults (SelfTest *t)
{
  CwPreferencesWindow *prefs = find_preferences (t);
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  g_autofree char *gpu = g_settings_get_string (app_settings (t), "gpu");
  g_autofree char *preset = g_settings_get_string (app_settings (t), "preset");
  CwError error = { 0 };
  char **gpus, **presets;
  GtkWidget *reserve;

  if (prefs == NULL)
    return TRUE;
  cw_preferences_window_select (prefs, "color-scheme", "follow");
  check_chart_styles (t, CW_CHART_STYLE_LIGHT, "windows following the (light) system");

  gpus = cw_gpu_list (&error);
  presets = cw_preset_list (&error);
  for (guint i = 0; gpus != NULL && gpus[i] != NULL && t->pref_gpu == NULL; i++)
    if (g_strcmp0 (gpus[i], gpu) != 0)
      t->pref_gpu = g_strdup (gpus[i]);
  for (guint i = 0; presets != NULL && presets[i] != NULL && t->pref_preset == NULL; i++)
    if (g_strcmp0 (presets[i], preset) != 0)
      t->pref_preset = g_strdup (presets[i]);
  cw_strv_free (gpus);
  cw_strv_free (presets);
  if (t->pref_gpu == NULL || t->pref_preset == NULL)
    {
      fail (t, "the data directory has only one GPU or one preset");
      return TRUE;
    }
  if (!cw_preferences_window_select (prefs, "default-gpu", t->pref_gpu)
      || !cw_preferences_window_select (prefs, "default-preset", t->pref_preset))
    fail (t, "Preferences do not offer GPU %s or preset %s as defaults", t->pref_gpu, t->pref_preset);

  reserve = cw_preferences_window_get_row (prefs, "default-reserve");
  gtk_editable_set_text (GTK_EDITABLE (reserve), "12x");
  if (!gtk_widget_has_css_class (reserve, "error"))
    fail (t, "a default reserve of '12x' is not marked as wrong");
  gtk_editable_set_text (GTK_EDITABLE (reserve), "8G");
  if (gtk_widget_has_css_class (reserve, "error"))
    fail (t, "a default reserve of '8G' is marked as wrong");

  gtk_widget_activate_action (GTK_WIDGET (plan), "plan.reset-inputs", NULL);
  return TRUE;
}

static gboolean
step_prefs_defaults_check (SelfTest *t)
{
  CwPlanPage *plan = CW_PLAN_PAGE (cw_window_get_page_widget (t->window, "plan"));
  GSettings *settings = app_settings (t);
  g_autofree char *gpu = g_settings_get_string (settings, "gpu");
  g_autofree char *preset = g_settings_get_string (settings, "preset");
  g_autofree char *reserve = g_settings_get_string (settings, "reserve");
  g_autofree char *summary = NULL;
  CwError error = { 0 };
  CwGpu *expected_gpu;
  CwConfig config, expected;

  if (t->pref_gpu == NULL)
    return TRUE;
  if (g_get_monotonic_time () - t->step_started < 300 * G_TIME_SPAN_MILLISECOND)
    return FALSE;

  summary = cw_plan_page_dup_summary (plan);
  g_string_append_printf (t->report, "reset inputs: gpu=%s preset=%s reserve=%s usable=%" G_GUINT64_FORMAT "\n",
                          gpu, preset, reserve, cw_plan_page_get_usable_bytes (plan));
  if (g_strcmp0 (gpu, t->pref_gpu) != 0 || g_strcmp0 (preset, t->pref_preset) != 0 || g_strcmp0 (reserve, "8G") != 0)
    fail (t, "Reset Inputs did not take the default GPU %s, preset %s and reserve 8G", t->pref_gpu, t->pref_preset);
  expected_gpu = cw_gpu_lookup (t->pref_gpu, &error);
  if (expected_gpu == NULL || cw_plan_page_get_usable_bytes (plan) != expected_gpu->total_bytes - (8ull << 30))
    fail (t, "after Reset Inputs the usable HBM is not %s's total less 8 GiB: %s", t->pref_gpu, summary);
  cw_gpu_free (expected_gpu);
  if (!cw_preset_lookup (t->pref_preset, &expected, &error) || !cw_plan_page_get_config (plan, &config)
      || config.sq != expected.sq || config.h != expected.h || config.prefix != 0)
    fail (t, "after Reset Inputs the plan is not preset %s's: %s", t->pref_preset, summary);

  /* Back to the built-in defaults, and the page to them. */
  g_settings_reset (settings, "default-gpu");
  g_settings_reset (settings, "default-preset");
  g_settings_reset (settings, "default-reserve");
  cw_plan_page_reset_inputs (plan);
  return TRUE;
}

/* The database a window opens on start: a chosen file, the sample. */
static gboolean
step_prefs_startup_file (SelfTest *t)
{
  CwPreferencesWindow *prefs = find_preferences (t);
  g_autofree char *sample = cw_paths_dup_sample_database ();
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (prefs == NULL)
    return TRUE;
  /* A copy, so the open database really changes. */
  t->chosen_database = out_path (t, "chosen-on-start.db");
  if (sample == NULL || !g_file_get_contents (sample, &contents, &length, NULL)
      || !g_file_set_contents (t->chosen_database, contents, (gssize) length, NULL))
    {
      fail (t, "could not copy the sample database to %s", t->chosen_database);
      return TRUE;
    }
  g_settings_set_string (app_settings (t), "startup-database-path", t->chosen_database);
  if (!cw_preferences_window_select (prefs, "startup-database", "file"))
    fail (t, "Preferences offer no chosen file to open on start");
  t->loaded = -1;
  cw_window_open_initial_database (t->window);
  return TRUE;
}

static gboolean
step_prefs_startup_file_check (SelfTest *t)
{
  CwPreferencesWindow *prefs = find_preferences (t);
  const char *path;

  if (prefs == NULL || t->chosen_database == NULL)
    return TRUE;
  if (t->loaded < 0)
    return FALSE;
  path = cw_window_get_database (t->window) != NULL ? cw_receipt_database_get_path (cw_window_get_database (t->window)) : "";
  g_string_append_printf (t->report, "start database 'file' -> %s\n", path);
  if (g_strcmp0 (path, t->chosen_database) != 0)
    fail (t, "with a chosen start database the window opened %s", path);
  cw_preferences_window_select (prefs, "startup-database", "sample");
  t->loaded = -1;
  cw_window_open_initial_database (t->window);
  return TRUE;
}

static gboolean
step_prefs_startup_sample_check (SelfTest *t)
{
  CwPreferencesWindow *prefs = find_preferences (t);
  g_autofree char *sample = cw_paths_dup_sample_database ();
  const char *path;

  if (prefs == NULL)
    return TRUE;
  if (t->loaded < 0)
    return FALSE;
  path = cw_window_get_database (t->window) != NULL ? cw_receipt_database_get_path (cw_window_get_database (t->window)) : "";
  g_string_append_printf (t->report, "start database 'sample' -> %s\n", path);
  if (g_strcmp0 (path, sample) != 0)
    fail (t, "with the sample as start database the window opened %s", path);
  cw_preferences_window_select (prefs, "startup-database", "last");
  gtk_window_destroy (GTK_WINDOW (prefs));
  return TRUE;
}

/* ---- Help ---------------------------------------------------------------- */

/* F1 is Help (GNOME HIG), About lives in the primary menu only. F1 is
 * followed as the key would be: through the application's accelerators. */
static gboolean
step_help_open (SelfTest *t)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (t->window));
  g_auto(GStrv) f1 = gtk_application_get_actions_for_accel (app, "F1");
  g_auto(GStrv) about_accels = gtk_application_get_accels_for_action (app, "app.about");
  g_autoptr(GPtrArray) menu = dup_primary_menu_actions (t);
  GtkWindow *help;

  g_string_append_printf (t->report, "F1 -> %s\n", f1[0] != NULL ? f1[0] : "(nothing)");
  if (f1[0] == NULL || g_strcmp0 (f1[0], "app.help") != 0 || f1[1] != NULL)
    fail (t, "F1 does not open Help alone (it activates %s)", f1[0] != NULL ? f1[0] : "nothing");
  if (about_accels[0] != NULL)
    fail (t, "About has an accelerator (%s); it belongs in the primary menu only", about_accels[0]);
  if (!strv_has (menu, "app.help") || !strv_has (menu, "app.about") || !strv_has (menu, "win.show-help-overlay"))
    fail (t, "the primary menu lacks Help, Keyboard Shortcuts or About");

  if (f1[0] != NULL && g_str_has_prefix (f1[0], "app."))
    g_action_group_activate_action (G_ACTION_GROUP (app), f1[0] + 4, NULL);
  help = find_window_of_type (t, CW_TYPE_HELP_WINDOW);
  if (help == NULL)
    {
      fail (t, "F1 opened no Help window");
      return TRUE;
    }
  cw_help_window_set_topic (CW_HELP_WINDOW (help), "pages");
  screenshot_widget (t, adw_window_get_content (ADW_WINDOW (help)), "help-pages.png");
  return TRUE;
}

/* The Help explains every page of the window (by its title as shown, so
 * in German too) and states the agreement rule the store applies. */
static gboolean
step_help_topics (SelfTest *t)
{
  GtkWindow *help = find_window_of_type (t, CW_TYPE_HELP_WINDOW);
  GtkWidget *stack = gtk_widget_get_parent (cw_window_get_page_widget (t->window, "plan"));
  const char *pages[] = { "plan", "receipts", "compare", "index-cache" };
  const char *topics[] = { "pages", "charts", "terms", "keys" };
  g_autofree char *pages_text = NULL;
  g_autofree char *terms_text = NULL;
  g_autofree char *floor_text = NULL;
  g_autofree char *lane_share = NULL;
  g_autofree char *exec_share = NULL;
  g_autofree char *exec_share_comma = NULL;
  const uint64_t big = 1ull << 40;

  if (help == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    {
      g_autofree char *text = cw_help_window_dup_text (CW_HELP_WINDOW (help), topics[i]);

      if (!cw_help_window_set_topic (CW_HELP_WINDOW (help), topics[i]) || text == NULL || strlen (text) < 200)
        fail (t, "the Help has no topic '%s' worth reading", topics[i]);
      g_string_append_printf (t->report, "help topic %s: %" G_GSIZE_FORMAT " characters\n", topics[i],
                              text != NULL ? strlen (text) : 0);
    }

  pages_text = cw_help_window_dup_text (CW_HELP_WINDOW (help), "pages");
  for (guint i = 0; pages_text != NULL && i < G_N_ELEMENTS (pages); i++)
    {
      AdwViewStackPage *page = adw_view_stack_get_page (ADW_VIEW_STACK (stack),
                                                        cw_window_get_page_widget (t->window, pages[i]));
      const char *title = adw_view_stack_page_get_title (page);

      if (strstr (pages_text, title) == NULL)
        fail (t, "the Help does not explain the page “%s”", title);
    }
  /* Issue 18: the Plan page's Training Step switch, by its label. */
  {
    g_autofree char *training = g_strdup (_("_Training Step"));
    char *u = strchr (training, '_');

    if (u != NULL)
      memmove (u, u + 1, strlen (u));
    if (pages_text == NULL || strstr (pages_text, training) == NULL || strstr (pages_text, "gradcheck") == NULL)
      fail (t, "the Help does not explain the Plan page's “%s” switch and the training lanes", training);
  }

  /* "1 %", "0.5 %" and "8 MiB" as the store computes them (the decimal
   * sign follows the locale, as the translation writes it). */
  terms_text = cw_help_window_dup_text (CW_HELP_WINDOW (help), "terms");
  floor_text = g_strdup_printf ("%" G_GUINT64_FORMAT " MiB", cw_receipt_peak_tolerance_bytes (0) >> 20);
  lane_share = g_strdup_printf ("%g %%", 100.0 * (double) cw_receipt_peak_tolerance_bytes (big) / (double) big);
  exec_share = g_strdup_printf ("%g %%", 100.0 * (double) cw_receipt_exec_tolerance_bytes (big) / (double) big);
  /* The translation writes the decimal sign of its language ("0,5 %"),
   * whatever LC_NUMERIC the test runs under. */
  g_strdelimit (exec_share, ",", '.');
  exec_share_comma = g_strdelimit (g_strdup (exec_share), ".", ',');
  if (terms_text == NULL || strstr (terms_text, floor_text) == NULL || strstr (terms_text, lane_share) == NULL
      || (strstr (terms_text, exec_share) == NULL && strstr (terms_text, exec_share_comma) == NULL))
    fail (t, "the Help's tolerance band is not the store's: max(%s, %s), programs max(%s, %s)",
          lane_share, floor_text, exec_share, floor_text);

  cw_help_window_set_topic (CW_HELP_WINDOW (help), "terms");
  screenshot_widget (t, adw_window_get_content (ADW_WINDOW (help)), "help-terms.png");
  return TRUE;
}

/* The Keyboard topic opens the shortcuts window, which lists every
 * accelerator the application sets (by action, so never a stale key). */
static gboolean
step_help_keys (SelfTest *t)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (t->window));
  GtkWindow *help = find_window_of_type (t, CW_TYPE_HELP_WINDOW);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (t->window));
  g_auto(GStrv) described = gtk_application_list_action_descriptions (app);
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func (g_free);

  if (help == NULL)
    return TRUE;
  cw_help_window_set_topic (CW_HELP_WINDOW (help), "keys");
  if (overlay != NULL)
    gtk_widget_set_visible (GTK_WIDGET (overlay), FALSE);
  gtk_widget_activate_action (GTK_WIDGET (help), "help.show-shortcuts", NULL);
  if (overlay == NULL || !gtk_widget_get_visible (GTK_WIDGET (overlay)))
    fail (t, "the Help's Keyboard Shortcuts button did not open the shortcuts window");

  if (overlay != NULL)
    collect_shortcut_actions (GTK_WIDGET (overlay), listed);
  for (guint i = 0; described[i] != NULL; i++)
    if (!has_action (listed, described[i]))
      fail (t, "the shortcuts window does not list %s", described[i]);
  g_string_append_printf (t->report, "shortcuts window lists %u actions, the application sets accelerators for %u\n",
                          listed->len, g_strv_length (described));
  /* The Plan page's Training Step switch: its mnemonic, listed with the letter its title underlines. */
  {
    GtkWidget *entry = overlay != NULL ? find_shortcut_titled (GTK_WIDGET (overlay),
                                                               _("Training Step on or off (Plan page)"))
                                       : NULL;
    g_autofree char *accel = NULL;
    guint key = 0;
    GdkModifierType mods = 0;

    if (entry != NULL)
      g_object_get (entry, "accelerator", &accel, NULL);
    if (accel != NULL)
      gtk_accelerator_parse (accel, &key, &mods);
    if (entry == NULL)
      fail (t, "the shortcuts window does not list the Training Step switch");
    else if (gdk_keyval_to_lower (key) != training_mnemonic_keyval () || mods != GDK_ALT_MASK || key == 0)
      fail (t, "the shortcuts window lists the Training Step switch as '%s', not Alt and the letter of “%s”",
            accel ? accel : "(none)", _("_Training Step"));
    else
      g_string_append_printf (t->report, "shortcuts window: Training Step switch %s\n", accel);
  }
  if (overlay != NULL && gtk_widget_get_visible (GTK_WIDGET (overlay)))
    screenshot_widget (t, gtk_window_get_child (GTK_WINDOW (overlay)), "shortcuts.png");
  return TRUE;
}

static gboolean
step_help_close (SelfTest *t)
{
  GtkWindow *help = find_window_of_type (t, CW_TYPE_HELP_WINDOW);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (t->window));

  if (overlay != NULL)
    gtk_widget_set_visible (GTK_WIDGET (overlay), FALSE);
  if (help != NULL)
    gtk_window_destroy (help);
  return TRUE;
}

static gboolean
step_dialogs (SelfTest *t)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (t->window));
  static const struct {
    const char *action;   /* on the window; "app." ones on the application */
    const char *type_name;
  } dialogs[] = {
    { "win.export-chart", "CwExportDialog" },
    { "win.show-help-overlay", "GtkShortcutsWindow" },
    { "app.about", "AdwAboutWindow" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dialogs); i++)
    {
      GtkWindow *window = NULL;
      GType type;

      if (g_str_has_prefix (dialogs[i].action, "app."))
        g_action_group_activate_action (G_ACTION_GROUP (app), dialogs[i].action + 4, NULL);
      else
        gtk_widget_activate_action (GTK_WIDGET (t->window), dialogs[i].action, NULL);

      /* Looked up after the action: a type is registered on first use. */
      type = g_type_from_name (dialogs[i].type_name);
      if (type != G_TYPE_INVALID)
        window = find_window_of_type (t, type);
      /* The shortcuts window is owned by the main window, not the app. */
      if (window == NULL && type == GTK_TYPE_SHORTCUTS_WINDOW)
        window = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (t->window))
                 ? GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (t->window)))
                 : NULL;

      if (window == NULL || !gtk_widget_get_visible (GTK_WIDGET (window)))
        fail (t, "%s did not open a %s", dialogs[i].action, dialogs[i].type_name);
      else
        {
          g_string_append_printf (t->report, "dialog %s -> %s \"%s\"\n", dialogs[i].action, dialogs[i].type_name,
                                  gtk_window_get_title (window) ? gtk_window_get_title (window) : "");
          if (type == GTK_TYPE_SHORTCUTS_WINDOW)
            gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
          else
            gtk_window_destroy (window);
        }
    }
  return TRUE;
}

/* The README's screenshot: the Plan page at the preset's own inputs. */
static gboolean
step_readme_screenshot (SelfTest *t)
{
  show_page (t, "plan");
  screenshot (t, "screenshot.png");
  return TRUE;
}

static gboolean
step_final_screenshot (SelfTest *t)
{
  show_page (t, "plan");
  screenshot (t, "page-bad-database.png");
  return TRUE;
}

/* ---- window sizes: one column when narrow (issue 16 item 5) ---------------- */

static const char *const layout_pages[] = { "plan", "receipts", "compare", "index-cache" };

/* Asks for width x height and waits until the window has it (TRUE), or
 * fails after 5 s. A window whose content needs more than that comes out
 * larger: what fits no longer would be cut off. */
static gboolean
resize_window (SelfTest *t, int width, int height)
{
  t->layout_width = width;
  t->layout_height = height;
  t->layout_phase = 0;
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (t->window));
  int w = gtk_widget_get_width (content), h = gtk_widget_get_height (content);

  if (!t->step_entered_page)
    {
      t->step_entered_page = TRUE;
      if (gtk_window_is_maximized (GTK_WINDOW (t->window)))
        gtk_window_unmaximize (GTK_WINDOW (t->window));
      gtk_window_set_default_size (GTK_WINDOW (t->window), width, height);
      return FALSE;
    }
  /* The content is the window less its frame (a few pixels of CSD). */
  if ((w > width || w < width - 24 || h > height || h < height - 24)
      && g_get_monotonic_time () - t->step_started < 5 * G_TIME_SPAN_SECOND)
    return FALSE;
  g_string_append_printf (t->report, "window %dx%d: content %dx%d\n", width, height, w, h);
  if (w > width || h > height)
    fail (t, "asked for a %dx%d window, the content needs %dx%d", width, height, w, h);
  else if (w < width - 24 || h < height - 24)
    fail (t, "asked for a %dx%d window, got %dx%d of content", width, height, w, h);
  return TRUE;
}

/* Nothing is cut off: the page gets at least the size it needs (else the
 * window edge cuts it), and no pane of a GtkPaned is dragged or squeezed
 * below the size its content needs. */
static void
check_panes (SelfTest *t, GtkWidget *widget, const char *where, guint *n_checked)
{
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget) || !gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_PANED (widget))
    {
      GtkOrientation orientation = gtk_orientable_get_orientation (GTK_ORIENTABLE (widget));
      GtkWidget *children[] = { gtk_paned_get_start_child (GTK_PANED (widget)),
                                gtk_paned_get_end_child (GTK_PANED (widget)) };

      for (guint i = 0; i < G_N_ELEMENTS (children); i++)
        {
          int size, min;

          if (children[i] == NULL || !gtk_widget_get_visible (children[i]))
            continue;
          size = orientation == GTK_ORIENTATION_HORIZONTAL ? gtk_widget_get_width (children[i])
                                                          : gtk_widget_get_height (children[i]);
          gtk_widget_measure (children[i], orientation,
                              orientation == GTK_ORIENTATION_HORIZONTAL ? -1 : gtk_widget_get_width (children[i]),
                              &min, NULL, NULL, NULL);
          (*n_checked)++;
          if (size + 1 < min)
            fail (t, "%s: the %s pane of a %s divider is %d px, its content needs %d (cut off)", where,
                  i == 0 ? "first" : "second", orientation == GTK_ORIENTATION_HORIZONTAL ? "vertical" : "horizontal",
                  size, min);
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_panes (t, child, where, n_checked);
}

/* The page at the window's current size: shown, laid out, nothing cut off. */
static void
check_page_layout (SelfTest *t, const char *name)
{
  GtkWidget *page = cw_window_get_page_widget (t->window, name);
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (t->window));
  g_autofree char *where = g_strdup_printf ("%s at %dx%d", name, gtk_widget_get_width (content),
                                            gtk_widget_get_height (content));
  guint n_checked = 0;
  int min_w, min_h;

  gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  gtk_widget_measure (page, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (page), &min_h, NULL, NULL, NULL);
  if (min_w > gtk_widget_get_width (page) || min_h > gtk_widget_get_height (page))
    fail (t, "%s: the page is %dx%d, it needs %dx%d (cut off)", where, gtk_widget_get_width (page),
          gtk_widget_get_height (page), min_w, min_h);
  check_panes (t, page, where, &n_checked);
  g_string_append_printf (t->report, "layout %s: page %dx%d (needs %dx%d), %u panes checked\n", where,
                          gtk_widget_get_width (page), gtk_widget_get_height (page), min_w, min_h, n_checked);
}

static GtkWidget *
find_descendant (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
timeline_plot (SelfTest *t, CwReceiptsPage *page, CwChartRect *plot)
{
  CwChartView *view = cw_receipts_page_get_chart_view (page);
  CwChart *chart = cw_chart_view_get_chart (view);

  return chart != NULL
         && cw_chart_layout (chart, gtk_widget_get_width (GTK_WIDGET (view)), gtk_widget_get_height (GTK_WIDGET (view)))
         && cw_chart_get_plot_area (chart, plot);
}

static gboolean
step_narrow_resize (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));

  if (!t->step_entered_page)
    {
      show_page (t, "receipts");
      cw_receipts_page_select (page, 0);
    }
  return resize_window (t, 800, 600);
}

/* At 800x600 the list and the detail do not fit side by side: the page
 * shows one of them. The receipt open before the window narrowed stays in
 * view; Back leaves it for the list (and clears the selection). */
static gboolean
step_narrow_receipts (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  const char *pane = cw_receipts_page_get_visible_pane (page);

  g_string_append_printf (t->report, "narrow receipts: folded=%d pane=%s detail=%" G_GINT64_FORMAT "\n",
                          cw_receipts_page_get_folded (page), pane, cw_receipts_page_get_detail_id (page));
  if (!cw_receipts_page_get_folded (page))
    fail (t, "at 800x600 the Receipts page shows the list and the detail side by side");
  if (g_strcmp0 (pane, "detail") != 0)
    fail (t, "at 800x600 the receipt open before is not in view (pane %s)", pane);
  if (!cw_receipts_page_navigate_back (page))
    fail (t, "at 800x600 the Receipts detail has no way back to the list");
  return TRUE;
}

static gboolean
step_narrow_list (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);
  const char *pane = cw_receipts_page_get_visible_pane (page);

  g_string_append_printf (t->report, "narrow back: pane=%s detail=%" G_GINT64_FORMAT "\n", pane,
                          cw_receipts_page_get_detail_id (page));
  if (g_strcmp0 (pane, "list") != 0)
    fail (t, "Back on the Receipts detail at 800x600 shows the %s, not the list", pane);
  if (cw_receipts_page_get_detail_id (page) != 0)
    fail (t, "Back on the Receipts detail left receipt %" G_GINT64_FORMAT " selected",
          cw_receipts_page_get_detail_id (page));
  check_page_layout (t, "receipts");
  screenshot (t, "narrow-receipts-list.png");
  if (g_list_model_get_n_items (filtered) < 1)
    {
      fail (t, "no receipt listed at 800x600");
      return TRUE;
    }
  {
    g_autoptr(CwReceiptRow) row = g_list_model_get_item (filtered, 0);
    t->expect_id = cw_receipt_row_get_receipt (row)->id;
  }
  return TRUE;
}

/* Choosing a receipt in the one-column list opens its detail, with a
 * timeline plot of at least 200 px: a chart one can read. */
static gboolean
step_narrow_detail (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  CwChartView *view = cw_receipts_page_get_chart_view (page);
  CwChartRect plot = { 0 };

  if (!t->step_entered_page)
    {
      t->step_entered_page = TRUE;
      cw_receipts_page_select (page, 0);
      return FALSE;
    }
  if (cw_receipts_page_get_detail_id (page) != t->expect_id || gtk_widget_get_height (GTK_WIDGET (view)) == 0)
    return FALSE;
  if (!timeline_plot (t, page, &plot))
    fail (t, "the timeline of receipt %" G_GINT64_FORMAT " has no plot at 800x600", t->expect_id);
  g_string_append_printf (t->report, "narrow detail: pane=%s timeline=%dx%d plot=%.0fx%.0f\n",
                          cw_receipts_page_get_visible_pane (page), gtk_widget_get_width (GTK_WIDGET (view)),
                          gtk_widget_get_height (GTK_WIDGET (view)), plot.width, plot.height);
  if (g_strcmp0 (cw_receipts_page_get_visible_pane (page), "detail") != 0)
    fail (t, "choosing a receipt at 800x600 shows the %s, not its detail", cw_receipts_page_get_visible_pane (page));
  if (plot.height < 200 || plot.width < 500)
    fail (t, "at 800x600 the timeline's plot is %.0fx%.0f px: too small to read (at least 500x200)", plot.width,
          plot.height);
  check_page_layout (t, "receipts");
  screenshot (t, "narrow-receipts-detail.png");
  return TRUE;
}

/* The Receipts list's column menu: a check item per optional column; its
 * action shows and hides the column, and the choice is kept in GSettings.
 * Leaves the columns as they were. */
static void
check_column_menu (SelfTest *t, CwReceiptsPage *page)
{
  GtkWidget *button = find_descendant (GTK_WIDGET (page), GTK_TYPE_MENU_BUTTON);
  GMenuModel *menu = button != NULL ? gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button)) : NULL;
  GSettings *settings = app_settings (t);
  const char *wanted = "receipts.column-lane-time";
  gboolean listed = FALSE;

  /* The items are in the menu's first section. */
  if (menu != NULL && g_menu_model_get_n_items (menu) > 0)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);

      for (int i = 0; section != NULL && i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *action = NULL;

          if (g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action)
              && g_strcmp0 (action, wanted) == 0)
            listed = TRUE;
        }
    }
  if (!listed)
    fail (t, "the Receipts list's column menu has no %s item", wanted);
  for (int round = 0; round < 2; round++)
    {
      gboolean on = round == 0;
      g_autofree char *shown = NULL;
      g_auto(GStrv) names = NULL;

      gtk_widget_activate_action (GTK_WIDGET (page), wanted, NULL);
      shown = cw_receipts_page_dup_shown_columns (page);
      names = g_strsplit (shown, ",", -1);
      g_string_append_printf (t->report, "column menu: lane time %s: key=%d shown=%s\n", on ? "on" : "off",
                              g_settings_get_boolean (settings, "receipts-column-lane-time"), shown);
      if (g_strv_contains ((const char *const *) names, _("Lane time")) != on
          || g_settings_get_boolean (settings, "receipts-column-lane-time") != on)
        fail (t, "turning the Lane time column %s in the column menu: shown %s, the setting %d", on ? "on" : "off",
              shown, g_settings_get_boolean (settings, "receipts-column-lane-time"));
    }
}

/* Every page at the window's size: nothing cut off. At 800x600 the
 * Receipts page is in one column; from 1280 px on, the list and the detail
 * are side by side, each a usable width. At 1280x800 the pages are
 * screenshot for the README (docs-PAGE.png; tools/update-screenshots.sh
 * copies them into docs/screenshots). */
static gboolean
step_layout_pages (SelfTest *t)
{
  guint i = t->layout_phase / 2;
  const char *name;

  if (i >= G_N_ELEMENTS (layout_pages))
    return TRUE;
  name = layout_pages[i];
  if (t->layout_phase % 2 == 0)
    {
      show_page (t, name);
      /* At 1920 the Receipts list has room for GPU and lane time too. */
      if (g_strcmp0 (name, "receipts") == 0 && t->layout_width >= 1900)
        {
          g_settings_set_boolean (app_settings (t), "receipts-column-gpu", TRUE);
          g_settings_set_boolean (app_settings (t), "receipts-column-lane-time", TRUE);
        }
      t->layout_phase++;
      t->layout_shown = g_get_monotonic_time ();
      return FALSE;
    }
  /* Laid out at the window's size (a hidden page keeps its old size). */
  {
    GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (t->window));
    GtkWidget *widget = cw_window_get_page_widget (t->window, name);

    gint64 waited = g_get_monotonic_time () - t->layout_shown;

    AdwFlap *flap = CW_IS_PLAN_PAGE (widget) ? cw_plan_page_get_flap (CW_PLAN_PAGE (widget))
                    : CW_IS_INDEX_CACHE_PAGE (widget) ? cw_index_cache_page_get_flap (CW_INDEX_CACHE_PAGE (widget))
                    : NULL;
    gboolean settled = gtk_widget_get_width (widget) == gtk_widget_get_width (content)
                       && (flap == NULL || adw_flap_get_folded (flap) == cw_window_get_inputs_button_shown (t->window));

    /* Folding and unfolding animate (AdwLeaflet, AdwFlap: 250 ms); the
     * header bar's Inputs button follows in the next main-loop turn. */
    if (waited < 400 * G_TIME_SPAN_MILLISECOND || (!settled && waited < 2 * G_TIME_SPAN_SECOND))
      return FALSE;
  }
  t->layout_phase++;
  check_page_layout (t, name);
  if (g_strcmp0 (name, "receipts") == 0)
    {
      CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, name));
      GtkWidget *detail = GTK_WIDGET (cw_receipts_page_get_chart_view (page));
      GtkWidget *list = find_descendant (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW);
      int list_w = list != NULL && gtk_widget_get_mapped (list) ? gtk_widget_get_width (list) : 0;
      int detail_w = gtk_widget_get_mapped (detail) ? gtk_widget_get_width (detail) : 0;
      gboolean narrow = t->layout_width < 900;

      g_string_append_printf (t->report, "receipts at %dx%d: folded=%d pane=%s list=%d timeline=%d\n",
                              t->layout_width, t->layout_height, cw_receipts_page_get_folded (page),
                              cw_receipts_page_get_visible_pane (page), list_w, detail_w);
      if (narrow != cw_receipts_page_get_folded (page))
        fail (t, "at %dx%d the Receipts page is %s", t->layout_width, t->layout_height,
              narrow ? "not in one column" : "in one column");
      if (!narrow && (list_w < 400 || detail_w < 400))
        fail (t, "at %dx%d the Receipts list is %d px and the timeline %d px wide: both should show",
              t->layout_width, t->layout_height, list_w, detail_w);
      /* Issue 16 item 3: beside the detail, every column shown fits
       * without scrolling sideways (lane time was off-screen at 1280):
       * the default ones (with predicted, measured and error) at 1280, and
       * at 1920 also GPU and lane time, turned on in the column menu. */
      if (!narrow)
        {
          g_autofree char *visible = cw_receipts_page_dup_visible_columns (page);
          g_autofree char *shown = cw_receipts_page_dup_shown_columns (page);
          g_auto(GStrv) fit = g_strsplit (visible, ",", -1);
          const char *needed[] = { _("Predicted"), _("Measured"), _("Error"), _("Configuration"), _("GPU"),
                                   _("Lane time") };
          guint n_needed = t->layout_width >= 1900 ? G_N_ELEMENTS (needed) : 4;

          g_string_append_printf (t->report, "receipt columns at %dx%d: shown %s, fit %s\n", t->layout_width,
                                  t->layout_height, shown, visible);
          if (g_strcmp0 (visible, shown) != 0)
            fail (t, "at %dx%d not every Receipts column shown fits the list (shown: %s; fit: %s)",
                  t->layout_width, t->layout_height, shown, visible);
          for (guint k = 0; k < n_needed; k++)
            if (!g_strv_contains ((const char *const *) fit, needed[k]))
              fail (t, "at %dx%d the %s column does not fit (visible: %s)", t->layout_width, t->layout_height,
                    needed[k], visible);
          if (t->layout_width >= 1900)
            {
              g_settings_reset (app_settings (t), "receipts-column-gpu");
              g_settings_reset (app_settings (t), "receipts-column-lane-time");
            }
          else
            check_column_menu (t, page);
        }
    }
  if (g_strcmp0 (name, "plan") == 0 || g_strcmp0 (name, "index-cache") == 0)
    {
      AdwFlap *flap = g_strcmp0 (name, "plan") == 0
                      ? cw_plan_page_get_flap (CW_PLAN_PAGE (cw_window_get_page_widget (t->window, name)))
                      : cw_index_cache_page_get_flap (CW_INDEX_CACHE_PAGE (cw_window_get_page_widget (t->window, name)));
      GtkWidget *inputs = adw_flap_get_flap (flap), *results = adw_flap_get_content (flap);
      gboolean narrow = t->layout_width < 900;

      g_string_append_printf (t->report, "%s at %dx%d: folded=%d inputs-button=%d inputs=%d results=%d\n", name,
                              t->layout_width, t->layout_height, adw_flap_get_folded (flap),
                              cw_window_get_inputs_button_shown (t->window), gtk_widget_get_width (inputs),
                              gtk_widget_get_width (results));
      if (narrow != adw_flap_get_folded (flap) || narrow != cw_window_get_inputs_button_shown (t->window))
        fail (t, "at %dx%d the %s page's inputs are %s, the Inputs button %s", t->layout_width, t->layout_height,
              name, adw_flap_get_folded (flap) ? "folded away" : "beside the results",
              cw_window_get_inputs_button_shown (t->window) ? "shown" : "hidden");
      if (narrow)
        {
          /* The results take the whole width; F9 slides the inputs in. */
          if (gtk_widget_get_width (results) < t->layout_width - 24 || adw_flap_get_reveal_flap (flap))
            fail (t, "at %dx%d the %s results are %d px wide with the inputs %s", t->layout_width,
                  t->layout_height, name, gtk_widget_get_width (results),
                  adw_flap_get_reveal_flap (flap) ? "over them" : "away");
          gtk_widget_activate_action (GTK_WIDGET (t->window), "win.toggle-inputs", NULL);
          if (!adw_flap_get_reveal_flap (flap))
            fail (t, "F9 (win.toggle-inputs) does not show the %s page's inputs at %dx%d", name,
                  t->layout_width, t->layout_height);
        }
      else if (gtk_widget_get_width (inputs) < 300 || gtk_widget_get_width (results) < 560
               || !adw_flap_get_reveal_flap (flap))
        fail (t, "at %dx%d the %s inputs are %d px and the results %d px wide: both should show", t->layout_width,
              t->layout_height, name, gtk_widget_get_width (inputs), gtk_widget_get_width (results));
    }
  {
    g_autofree char *shot = t->layout_width == 1280 && t->layout_height == 800
                            ? g_strdup_printf ("docs-%s.png", name)
                            : g_strdup_printf ("size-%dx%d-%s.png", t->layout_width, t->layout_height, name);

    screenshot (t, shot);
  }
  return FALSE;
}

static gboolean
step_layout_1280 (SelfTest *t)
{
  return resize_window (t, 1280, 800);
}

static gboolean
step_layout_1920 (SelfTest *t)
{
  return resize_window (t, 1920, 1080);
}

/* Back to the size the window started at, for the steps after. */
static gboolean
step_layout_restore (SelfTest *t)
{
  GSettings *settings = app_settings (t);

  return resize_window (t, g_settings_get_int (settings, "window-width"), g_settings_get_int (settings, "window-height"));
}

/* ---- empty states with a database (issue 16 item 7) ------------------------ */

/* The AdwStatusPages a person sees under widget: those whose ancestors up
 * to widget are all shown (a GtkStack hides its other pages as
 * child-invisible). A list and its detail side by side can show one each. */
static void
find_shown_status_pages (GtkWidget *widget, GPtrArray *found)
{
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;
  if (ADW_IS_STATUS_PAGE (widget))
    {
      g_ptr_array_add (found, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_shown_status_pages (child, found);
}

/* Fails unless page (a window page's name) shows a status page titled
 * title (translated); returns whether it does. */
static gboolean
check_status_page (SelfTest *t, const char *page, const char *title, gboolean report_failure)
{
  g_autoptr(GPtrArray) pages = g_ptr_array_new ();
  AdwStatusPage *status = NULL;
  const char *shown = NULL;

  find_shown_status_pages (cw_window_get_page_widget (t->window, page), pages);
  for (guint i = 0; i < pages->len && status == NULL; i++)
    if (g_strcmp0 (adw_status_page_get_title (pages->pdata[i]), title) == 0)
      status = pages->pdata[i];
  if (status == NULL && pages->len > 0)
    shown = adw_status_page_get_title (pages->pdata[0]);

  if (status != NULL)
    {
      const char *description = adw_status_page_get_description (status);

      shown = adw_status_page_get_title (status);
      if (description == NULL || strlen (description) < 40)
        fail (t, "the %s page's status page '%s' does not say why and what to do ('%s')", page, title,
              description ? description : "");
      g_string_append_printf (t->report, "status-page %s: %s\n", page, shown);
      return TRUE;
    }
  if (report_failure)
    fail (t, "the %s page shows %s%s%s, not the status page '%s'", page, shown ? "the status page '" : "no status page",
          shown ? shown : "", shown ? "'" : "", title);
  return FALSE;
}

/* A receipts database the store writes with no receipt in it. */
static gboolean
step_empty_db_open (SelfTest *t)
{
  g_autofree char *path = out_path (t, "empty-receipts.db");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  CwError error = { 0 };
  CwReceiptStore *store;

  g_remove (path);
  store = cw_receipt_store_open (path, CW_RECEIPT_STORE_CREATE, &error);
  if (store == NULL)
    {
      fail (t, "could not write an empty receipts database: %s", error.message);
      return TRUE;
    }
  cw_receipt_store_close (store);
  t->loaded = -1;
  cw_window_open_database (t->window, file);
  show_page (t, "receipts");
  return TRUE;
}

static gboolean
step_empty_db_receipts (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));

  if (t->loaded < 0)
    return FALSE;
  if (t->loaded != 1)
    {
      fail (t, "an empty receipts database did not open");
      return TRUE;
    }
  g_string_append_printf (t->report, "empty-database receipts=%s detail=%s\n", cw_receipts_page_get_list_state (page),
                          cw_receipts_page_get_detail_state (page));
  if (g_strcmp0 (cw_receipts_page_get_list_state (page), "no-receipts") != 0)
    fail (t, "an empty database shows the list state '%s', not 'no-receipts'", cw_receipts_page_get_list_state (page));
  check_status_page (t, "receipts", _("No Receipts Yet"), TRUE);
  screenshot (t, "page-receipts-empty.png");
  return TRUE;
}

/* Compare with nothing in the list: its status page, not a chart. The page
 * rebuilds on a short timer after the list changes. */
static gboolean
step_empty_db_compare (SelfTest *t)
{
  CwComparePage *page = CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare"));
  gboolean timed_out = g_get_monotonic_time () - t->step_started > 5 * G_TIME_SPAN_SECOND;

  if (!t->step_entered_page)
    {
      show_page (t, "compare");
      t->step_entered_page = TRUE;
      return FALSE;
    }
  if (!check_status_page (t, "compare", _("No Receipts in the List"), timed_out))
    return timed_out;
  if (g_strcmp0 (cw_compare_page_get_state (page), "empty") != 0)
    fail (t, "Compare on an empty database shows '%s', not its status page", cw_compare_page_get_state (page));
  if (find_action_button (cw_window_get_page_widget (t->window, "compare"), "win.clear-filters") != NULL)
    fail (t, "Compare on an empty database offers Clear Filters, but no filter hides anything");
  screenshot (t, "page-compare-empty.png");
  return TRUE;
}

/* One receipt of a run that ran out of memory: no measured peak, no trace. */
static gboolean
step_notrace_db_open (SelfTest *t)
{
  g_autofree char *path = out_path (t, "oom-only-receipts.db");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  CwError error = { 0 };
  CwReceiptStore *store;
  CwReceipt *r;
  CwConfig config;
  gint64 id = 0;

  g_remove (path);
  if (!cw_preset_lookup ("deepseek-v4-flash", &config, &error))
    {
      fail (t, "no preset for the trace-less receipt: %s", error.message);
      return TRUE;
    }
  store = cw_receipt_store_open (path, CW_RECEIPT_STORE_CREATE, &error);
  if (store == NULL)
    {
      fail (t, "could not write a receipts database: %s", error.message);
      return TRUE;
    }
  r = cw_receipt_new ();
  CW_RECEIPT_SET (r->lane, "materialize");
  CW_RECEIPT_SET (r->profile, "materialize");
  r->config = config;
  CW_RECEIPT_SET (r->provenance.gpu_name, "synthetic test GPU (not a measurement)");
  CW_RECEIPT_SET (r->provenance.host, "cw-self-test");
  CW_RECEIPT_SET (r->note, "SYNTHETIC: an OOM receipt without a trace, for the empty-state tests");
  r->provenance.hbm_total_bytes = 150ull << 30;
  r->provenance.time_unix_ns = 1795000000000000000ll;
  r->predicted_peak_bytes = 200ull << 30;
  r->status = CW_RECEIPT_STATUS_OOM;
  r->oom_request_bytes = 100ull << 30;
  r->oom_live_bytes = 40ull << 30;
  CW_RECEIPT_SET (r->error_message, "synthetic out-of-memory");
  id = cw_receipt_store_insert (store, r, &error);
  cw_receipt_free (r);
  cw_receipt_store_close (store);
  if (id <= 0)
    {
      fail (t, "could not store the trace-less receipt: %s", error.message);
      return TRUE;
    }
  t->expect_id = id;
  t->loaded = -1;
  cw_window_open_database (t->window, file);
  return TRUE;
}

static gboolean
step_notrace_select (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));

  if (t->loaded < 0)
    return FALSE;
  if (t->loaded != 1)
    {
      fail (t, "a database with one receipt did not open");
      return TRUE;
    }
  if (!t->step_entered_page)
    {
      show_page (t, "receipts");
      t->step_entered_page = TRUE;
      return FALSE;
    }
  if (g_list_model_get_n_items (cw_receipts_page_get_filtered_model (page)) == 0)
    return FALSE;
  cw_receipts_page_select (page, 0);
  return TRUE;
}

static gboolean
step_notrace_timeline (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));

  if (cw_receipts_page_get_detail_id (page) != t->expect_id)
    return FALSE;   /* loading in its worker thread */
  g_string_append_printf (t->report, "no-trace receipt id=%" G_GINT64_FORMAT " timeline=%s\n", t->expect_id,
                          cw_receipts_page_get_timeline_state (page));
  if (g_strcmp0 (cw_receipts_page_get_detail_state (page), "detail") != 0)
    fail (t, "the trace-less receipt shows no detail (%s)", cw_receipts_page_get_detail_state (page));
  if (g_strcmp0 (cw_receipts_page_get_timeline_state (page), "no-trace") != 0)
    fail (t, "a receipt without a trace shows the timeline '%s', not its status page",
          cw_receipts_page_get_timeline_state (page));
  check_status_page (t, "receipts", _("No Memory Timeline"), TRUE);
  if (gtk_widget_get_mapped (GTK_WIDGET (cw_receipts_page_get_chart_view (page))))
    fail (t, "a receipt without a trace still shows the timeline's axes");
  screenshot (t, "page-receipts-no-trace.png");
  return TRUE;
}

/* Receipts in the list but none comparable (the OOM run has no measured
 * peak): Compare shows its status page, not a chart. */
static gboolean
step_notrace_compare (SelfTest *t)
{
  CwComparePage *page = CW_COMPARE_PAGE (cw_window_get_page_widget (t->window, "compare"));
  gboolean timed_out = g_get_monotonic_time () - t->step_started > 5 * G_TIME_SPAN_SECOND;

  if (!t->step_entered_page)
    {
      show_page (t, "compare");
      t->step_entered_page = TRUE;
      return FALSE;
    }
  if (!check_status_page (t, "compare", _("No Measured Peaks"), timed_out))
    return timed_out;
  if (g_strcmp0 (cw_compare_page_get_state (page), "empty") != 0)
    fail (t, "Compare with no comparable receipt shows '%s', not its status page", cw_compare_page_get_state (page));
  if (gtk_widget_get_mapped (GTK_WIDGET (cw_compare_page_get_chart_view (page))))
    fail (t, "Compare with no comparable receipt still shows a chart");
  if (find_action_button (cw_window_get_page_widget (t->window, "compare"), "win.clear-filters") != NULL)
    fail (t, "Compare with its one receipt listed offers Clear Filters, but no filter hides anything");
  screenshot (t, "page-compare-no-peaks.png");
  return TRUE;
}

/* ---- a training lane's gradient check in the detail pane (issue 18) ------ */

/* The receipts `test-gui-make-db --training` writes (synthetic: the check's
 * values are invented), by lane: what the detail pane must show. */
static const struct {
  const char *lane;
  gboolean    has_check;
  gboolean    ok;
  double      worst;
  const char *worst_at;
} gradcheck_cases[] = {
  { "gradcheck", TRUE, TRUE, 0.25, "dq[3]" },
  { "gradcheck-dense", TRUE, FALSE, 1.75, "dk[12]" },
  { "streaming-train", FALSE, FALSE, 0.0, "" },
};

static GtkWidget *
find_group (GtkWidget *widget, const char *title)
{
  if (ADW_IS_PREFERENCES_GROUP (widget) && gtk_widget_get_visible (widget)
      && g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), title) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_group (c, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The detail pane's value label of a row (its suffix, marked numeric);
 * the row's own title labels are not. */
static GtkWidget *
find_value_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "numeric"))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_value_label (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The value shown beside the row titled `title` under `widget` ("" when none). */
static const char *
row_value (GtkWidget *widget, const char *title)
{
  if (ADW_IS_ACTION_ROW (widget) && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    {
      GtkWidget *label = find_value_label (widget);

      return label != NULL ? gtk_label_get_text (GTK_LABEL (label)) : "";
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      const char *v = row_value (c, title);

      if (v != NULL)
        return v;
    }
  return NULL;
}

static gboolean
select_lane (SelfTest *t, CwReceiptsPage *page, const char *lane)
{
  GListModel *filtered = cw_receipts_page_get_filtered_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (filtered); i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (filtered, i);

      if (g_strcmp0 (cw_receipt_row_get_receipt (row)->lane, lane) == 0)
        {
          t->expect_id = cw_receipt_row_get_receipt (row)->id;
          cw_receipts_page_select (page, i);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
step_gradcheck_db_open (SelfTest *t)
{
  const char *path = g_getenv ("CW_SELF_TEST_TRAINING_DB");
  g_autoptr(GFile) file = NULL;

  if (path == NULL || *path == '\0')
    {
      fail (t, "no training-lane database (CW_SELF_TEST_TRAINING_DB: test-gui-make-db --training)");
      t->gradcheck_case = G_N_ELEMENTS (gradcheck_cases);
      return TRUE;
    }
  file = g_file_new_for_path (path);
  t->gradcheck_case = 0;
  t->expect_id = 0;
  t->loaded = -1;
  cw_window_open_database (t->window, file);
  return TRUE;
}

/* Each receipt in turn: the check's group with its result, the worst error
 * as a multiple of the tolerance and its element; none without a check. */
static gboolean
step_gradcheck_detail (SelfTest *t)
{
  CwReceiptsPage *page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (t->window, "receipts"));
  GtkWidget *group;
  char num[32];
  g_autofree char *want_worst = NULL;
  const char *want_result, *result, *worst, *element;

  if (t->gradcheck_case >= G_N_ELEMENTS (gradcheck_cases))
    return TRUE;
  if (t->loaded < 0)
    return FALSE;
  if (t->loaded != 1)
    {
      fail (t, "the training-lane database did not open");
      return TRUE;
    }
  if (!t->step_entered_page)
    {
      show_page (t, "receipts");
      t->step_entered_page = TRUE;
      return FALSE;
    }
  if (t->expect_id == 0)
    {
      if (g_list_model_get_n_items (cw_receipts_page_get_filtered_model (page)) < G_N_ELEMENTS (gradcheck_cases))
        return FALSE;
      if (!select_lane (t, page, gradcheck_cases[t->gradcheck_case].lane))
        {
          fail (t, "the training-lane database has no %s receipt", gradcheck_cases[t->gradcheck_case].lane);
          return TRUE;
        }
      return FALSE;
    }
  if (cw_receipts_page_get_detail_id (page) != t->expect_id)
    return FALSE;   /* loading in its worker thread */

  group = find_group (GTK_WIDGET (page), _("Gradient check"));
  if (group != NULL && gtk_widget_get_width (group) == 0)
    return FALSE;   /* not laid out yet */
  if (!gradcheck_cases[t->gradcheck_case].has_check)
    {
      g_string_append_printf (t->report, "gradcheck-detail lane=%s group=%s\n", gradcheck_cases[t->gradcheck_case].lane,
                              group != NULL ? "shown" : "none");
      if (group != NULL)
        fail (t, "a receipt without a gradient check (%s) shows the group", gradcheck_cases[t->gradcheck_case].lane);
    }
  else
    {
      g_snprintf (num, sizeof num, "%.3g", gradcheck_cases[t->gradcheck_case].worst);
      want_worst = g_strdup_printf (_("%s × the tolerance"), num);
      want_result = gradcheck_cases[t->gradcheck_case].ok ? _("passed: every gradient within the tolerance")
                                                          : _("failed: a gradient beyond the tolerance");
      result = group != NULL ? row_value (group, _("Result")) : NULL;
      worst = group != NULL ? row_value (group, _("Worst error")) : NULL;
      element = group != NULL ? row_value (group, _("Worst element")) : NULL;
      g_string_append_printf (t->report, "gradcheck-detail lane=%s group=%s result=%s worst=%s element=%s\n",
                              gradcheck_cases[t->gradcheck_case].lane, group != NULL ? _("Gradient check") : "none",
                              result ? result : "(none)", worst ? worst : "(none)", element ? element : "(none)");
      if (group == NULL)
        fail (t, "the %s receipt's detail has no gradient check", gradcheck_cases[t->gradcheck_case].lane);
      else if (g_strcmp0 (result, want_result) != 0 || g_strcmp0 (worst, want_worst) != 0
               || g_strcmp0 (element, gradcheck_cases[t->gradcheck_case].worst_at) != 0)
        fail (t, "the %s receipt's gradient check shows '%s', '%s', '%s', not '%s', '%s', '%s'",
              gradcheck_cases[t->gradcheck_case].lane, result ? result : "(none)", worst ? worst : "(none)",
              element ? element : "(none)", want_result, want_worst, gradcheck_cases[t->gradcheck_case].worst_at);
      if (!gradcheck_cases[t->gradcheck_case].ok)
        {
          graphene_point_t at;

          /* The group scrolled to the top of the detail for the screenshot. */
          if (group != NULL && gtk_widget_compute_point (group, gtk_widget_get_parent (group),
                                                         &GRAPHENE_POINT_INIT (0, 0), &at))
            cw_receipts_page_set_detail_scroll (page, at.y);
          screenshot (t, "receipt-gradcheck.png");
        }
    }
  check_page_numbers (t, "receipts");
  t->gradcheck_case++;
  t->expect_id = 0;
  return t->gradcheck_case >= G_N_ELEMENTS (gradcheck_cases);
}

static const struct {
  const char *name;
  StepFunc    func;
} steps[] = {
  { "empty states without a database", step_empty_states },
  { "wait for the sample database", step_wait_database },
  { "reload the database", step_reload_start },
  { "wait for the reload", step_reload_wait },
  { "the open database is named on screen", step_database_named },
  { "800x600: a receipt open", step_narrow_resize },
  { "the Receipts page in one column, back to the list", step_narrow_receipts },
  { "the list alone", step_narrow_list },
  { "a receipt from the list: its detail and timeline", step_narrow_detail },
  { "every page at 800x600", step_layout_pages },
  { "1280x800", step_layout_1280 },
  { "every page at 1280x800, screenshots for the README", step_layout_pages },
  { "1920x1080", step_layout_1920 },
  { "every page at 1920x1080", step_layout_pages },
  { "back to the first size", step_layout_restore },
  { "screenshot for the README", step_readme_screenshot },
  { "change sq on the Plan page", step_plan_change_input },
  { "check the re-plan and export", step_plan_check },
  { "type a bad value", step_plan_bad_input },
  { "check it is refused with its reason, the results dimmed", step_plan_bad_input_check },
  { "fix the value", step_plan_bad_input_fix },
  { "check the results are back", step_plan_results_back },
  { "type a reserve larger than the GPU", step_plan_big_reserve },
  { "check it is refused in readable sizes", step_plan_big_reserve_check },
  { "check the results are back after the reserve", step_plan_results_back },
  { "type an sq too large to count", step_plan_huge_sq },
  { "check the planner's refusal reads", step_plan_huge_sq_check },
  { "check the results are back after sq", step_plan_results_back },
  { "the cliff chart's default profiles; check another", step_plan_profiles_default },
  { "check its curve is drawn, then clear it", step_plan_profiles_more },
  { "hover the cliff chart at the current sq", step_plan_hover },
  { "a receipt on the cliff chart, by keyboard", step_plan_receipt },
  { "its detail on the Receipts page", step_plan_receipt_detail },
  { "select a receipt", step_receipts_select },
  { "wait for its detail", step_receipts_detail },
  { "the timeline: size, zoom, pan, export, hover", step_timeline },
  { "the timeline by keyboard", step_timeline_keys },
  { "compare the shown receipt with another", step_diff_open },
  { "both side by side at 800x600 and 1280x800, exported", step_diff_check },
  { "close the comparison", step_diff_close },
  { "scroll the detail, select another receipt", step_detail_scroll },
  { "check it starts at the top", step_detail_scroll_check },
  { "filter out the shown receipt", step_detail_filter },
  { "check the detail pane emptied", step_detail_filter_check },
  { "search for nothing", step_receipts_search_start },
  { "check the list emptied", step_receipts_search },
  { "search a lane", step_receipts_search_lane },
  { "filter everything out: Compare offers Clear Filters", step_compare_filtered },
  { "check Clear Filters brought the receipts back", step_compare_filters_cleared },
  { "select an OOM receipt", step_oom_select },
  { "its timeline", step_oom_detail },
  { "compare", step_compare },
  { "compare with the keyboard", step_compare_keys },
  { "its receipt on the Receipts page", step_compare_receipt },
  { "click another Compare point", step_compare_click },
  { "its receipt on the Receipts page, from the click", step_compare_click_receipt },
  { "the error view of Compare", step_compare_error },
  { "its points, and back to y = x", step_compare_error_keys },
  { "index cache", step_index_cache },
  { "an engine step (vLLM, chunk over a cached prefix)", step_plan_engine },
  { "check it plans the engine's profile", step_plan_engine_check },
  { "Alt+T switches the Plan page's Training Step on", step_plan_training_on },
  { "scores cross into the loss only, idx on into the backward; Alt+T again", step_plan_training_check },
  { "check Alt+T switched it off", step_plan_training_off },
  { "open a broken file", step_open_bad_database },
  { "check it was refused", step_check_bad_database },
  { "the refusal as the user sees it", step_final_screenshot },
  { "Ctrl+, opens Preferences", step_prefs_open },
  { "chart style and dark windows", step_prefs_style },
  { "default GPU, preset and reserve; Reset Inputs", step_prefs_defaults },
  { "check the plan took the defaults", step_prefs_defaults_check },
  { "a chosen database on start", step_prefs_startup_file },
  { "the bundled sample on start", step_prefs_startup_file_check },
  { "check and close Preferences", step_prefs_startup_sample_check },
  { "F1 opens Help", step_help_open },
  { "Help explains every page and term", step_help_topics },
  { "Help's keyboard topic and the shortcuts window", step_help_keys },
  { "close Help", step_help_close },
  { "export dialog, shortcuts, about", step_dialogs },
  { "an empty receipts database", step_empty_db_open },
  { "its Receipts page says there are none", step_empty_db_receipts },
  { "and Compare has nothing to compare", step_empty_db_compare },
  { "a database with one trace-less OOM receipt", step_notrace_db_open },
  { "select it", step_notrace_select },
  { "its timeline says there is no trace", step_notrace_timeline },
  { "Compare says no receipt has a measured peak", step_notrace_compare },
  { "a database of training-lane receipts (synthetic)", step_gradcheck_db_open },
  { "each one's gradient check in the detail pane", step_gradcheck_detail },
};

static void
finish (SelfTest *t)
{
  g_autofree char *path = out_path (t, "report.txt");

  g_string_append_printf (t->report, "result %s\n", failed ? "FAIL" : "PASS");
  g_file_set_contents (path, t->report->str, t->report->len, NULL);
  g_print ("%s", t->report->str);

  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (t->window))));
}

static void
self_test_free (SelfTest *t)
{
  g_clear_handle_id (&t->poll_id, g_source_remove);
  g_clear_handle_id (&t->tick_id, g_source_remove);
  g_clear_object (&t->good_database);
  g_string_free (t->report, TRUE);
  g_free (t->plan_before);
  g_free (t->pending_shot);
  g_clear_signal_handler (&t->shot_paint_id, t->shot_clock);
  g_clear_object (&t->shot_clock);
  g_clear_object (&t->shot_widget);
  g_free (t->pref_gpu);
  g_free (t->pref_preset);
  g_free (t->chosen_database);
  g_free (t->dir);
  g_free (t);
}

static void
window_finalized_cb (gpointer user_data, GObject *where_the_window_was)
{
  self_test_free (user_data);
}

static void
shot_after_paint_cb (SelfTest *t)
{
  g_clear_signal_handler (&t->shot_paint_id, t->shot_clock);
  g_clear_object (&t->shot_clock);
  if (t->pending_shot != NULL)
    take_screenshot (t, t->pending_shot);
  g_clear_pointer (&t->pending_shot, g_free);
  g_clear_object (&t->shot_widget);
}

static gboolean
poll_cb (gpointer user_data)
{
  SelfTest *t = user_data;

  if (t->pending_shot != NULL)
    {
      GtkWidget *widget = t->shot_widget != NULL ? t->shot_widget
                          : adw_application_window_get_content (ADW_APPLICATION_WINDOW (t->window));
      gint64 waited = g_get_monotonic_time () - t->shot_queued;

      if (waited < SHOT_DELAY_MS * G_TIME_SPAN_MILLISECOND)
        return G_SOURCE_CONTINUE;
      /* Taken right after a frame has been laid out and painted: a timer
       * between frames can find a resize queued (a status page shown, a
       * button revealed) and the widgets without an allocation. */
      if (t->shot_paint_id == 0 && gtk_widget_get_frame_clock (widget) != NULL
          && waited < 3 * SHOT_DELAY_MS * G_TIME_SPAN_MILLISECOND)
        {
          t->shot_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
          t->shot_paint_id = g_signal_connect_swapped (t->shot_clock, "after-paint", G_CALLBACK (shot_after_paint_cb), t);
          gtk_widget_queue_draw (widget);
          return G_SOURCE_CONTINUE;
        }
      if (t->shot_paint_id != 0 && waited < 4 * SHOT_DELAY_MS * G_TIME_SPAN_MILLISECOND)
        return G_SOURCE_CONTINUE;
      /* No frame came: take it as it is. */
      g_clear_signal_handler (&t->shot_paint_id, t->shot_clock);
      g_clear_object (&t->shot_clock);
      take_screenshot (t, t->pending_shot);
      g_clear_pointer (&t->pending_shot, g_free);
      g_clear_object (&t->shot_widget);
    }

  if (t->step >= G_N_ELEMENTS (steps))
    {
      t->poll_id = 0;
      finish (t);
      return G_SOURCE_REMOVE;
    }

  if (!t->step_entered)
    {
      t->step_entered = TRUE;
      t->step_entered_page = FALSE;
      t->step_started = g_get_monotonic_time ();
      g_string_append_printf (t->report, "# %s\n", steps[t->step].name);
    }

  if (steps[t->step].func (t))
    {
      t->step++;
      t->step_entered = FALSE;
    }
  else if (g_get_monotonic_time () - t->step_started > STEP_TIMEOUT_S * G_TIME_SPAN_SECOND)
    {
      fail (t, "step '%s' timed out after %d s", steps[t->step].name, STEP_TIMEOUT_S);
      t->poll_id = 0;
      finish (t);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
database_loaded_cb (CwWindow *window, gboolean ok, SelfTest *t)
{
  t->loaded = ok ? 1 : 0;
  if (t->load_us == 0)
    t->load_us = g_get_monotonic_time () - t->started;
}

/* While the first database loads, a 5 ms timer measures the longest gap
 * between its ticks: how long the main loop was ever blocked. */
static gboolean
tick_cb (gpointer user_data)
{
  SelfTest *t = user_data;
  gint64 now = g_get_monotonic_time ();

  if (g_getenv ("GAPDEBUG") && now - t->last_tick > 20000)
    g_printerr ("gap %.1f ms at +%.1f ms\n", (now - t->last_tick) / 1000.0, (t->last_tick - t->started) / 1000.0);
  t->max_gap_us = MAX (t->max_gap_us, now - t->last_tick);
  t->last_tick = now;
  if (t->loaded >= 0)
    {
      t->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

void
cw_self_test_start (CwWindow *window, const char *output_dir)
{
  SelfTest *t = g_new0 (SelfTest, 1);

  if (g_mkdir_with_parents (output_dir, 0755) != 0)
    g_printerr ("self-test: cannot create %s: %s\n", output_dir, g_strerror (errno));

  t->window = window;
  t->dir = g_strdup (output_dir);
  t->report = g_string_new (NULL);
  t->loaded = -1;

  g_signal_connect (window, "database-loaded", G_CALLBACK (database_loaded_cb), t);
  /* The window outlives the test: the test quits the application itself. */
  g_object_weak_ref (G_OBJECT (window), window_finalized_cb, t);
  t->poll_id = g_timeout_add (POLL_MS, poll_cb, t);
  t->started = t->last_tick = g_get_monotonic_time ();
  t->tick_id = g_timeout_add (5, tick_cb, t);
}
