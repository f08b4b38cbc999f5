/* cw-window.c: the main window.
 *
 * Owns the open CwReceiptDatabase and hands it to the pages; owns the
 * window actions (open, open-sample, open-recent, reload, export-chart,
 * show-page, focus-search, clear-filters) and the recent-databases menu. Loading a database
 * never blocks: the window keeps showing the previous one until the new one
 * has been read, and a database that cannot be opened only costs a toast.
 * A database file dropped on the window is opened like one chosen.
 * Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>

#include "cw-compare-page.h"
#include "cw-export-dialog.h"
#include "cw-gerror.h"
#include "cw-index-cache-page.h"
#include "cw-paths.h"
#include "cw-plan-page.h"
#include "cw-receipt-database.h"
#include "cw-receipts-page.h"
#include "cw-window.h"

#define CW_MAX_RECENT 8

struct _CwWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  CwReceiptDatabase    *database;
  GCancellable         *load_cancellable;
  char                 *loading_path;
  GtkLabel             *database_label;   /* the open database's name, in the header bar */

  /* template children */
  AdwViewSwitcherTitle *switcher_title;
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *stack;
  GtkSpinner           *spinner;
  GMenu                *recent_section;
  CwPlanPage           *plan_page;
  CwReceiptsPage       *receipts_page;
  CwComparePage        *compare_page;
  CwIndexCachePage     *index_cache_page;
  GtkToggleButton      *inputs_button;
  AdwFlap              *inputs_flap;      /* the visible page's side bar, or NULL */
  GBinding             *inputs_binding;   /* its reveal-flap <-> inputs_button */
  guint                 inputs_idle;
};

enum {
  DATABASE_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CwWindow, cw_window, ADW_TYPE_APPLICATION_WINDOW)

static void cw_window_setup (CwWindow *self, CwApplication *app);

CwWindow *
cw_window_new (CwApplication *app)
{
  CwWindow *self = g_object_new (CW_TYPE_WINDOW, "application", app, NULL);

  /* Not in constructed(): GtkWindow attaches to the application only after
   * construction, so the settings are taken from `app` here. */
  cw_window_setup (self, app);
  return self;
}

void
cw_window_show_toast (CwWindow *self, const char *message)
{
  AdwToast *toast;

  g_return_if_fail (CW_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

CwReceiptDatabase *
cw_window_get_database (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return self->database;
}

gboolean
cw_window_is_loading (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), FALSE);
  return self->loading_path != NULL;
}

void
cw_window_show_page (CwWindow *self, const char *name)
{
  g_return_if_fail (CW_IS_WINDOW (self));

  if (adw_view_stack_get_child_by_name (self->stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, name);
}

const char *
cw_window_get_page (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

GtkWidget *
cw_window_get_page_widget (CwWindow *self, const char *name)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return adw_view_stack_get_child_by_name (self->stack, name);
}

CwChartView *
cw_window_get_visible_chart_view (CwWindow *self)
{
  const char *page = cw_window_get_page (self);

  if (g_strcmp0 (page, "receipts") == 0)
    return cw_receipts_page_get_chart_view (self->receipts_page);
  if (g_strcmp0 (page, "compare") == 0)
    return cw_compare_page_get_chart_view (self->compare_page);
  if (g_strcmp0 (page, "index-cache") == 0)
    return cw_index_cache_page_get_chart_view (self->index_cache_page);
  return cw_plan_page_get_chart_view (self->plan_page);
}

gboolean
cw_window_export_chart (CwWindow    *self,
                        const char  *path,
                        int          width,
                        int          height,
                        GError     **error)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), FALSE);

  /* A dimmed plan answers other inputs than the ones typed: it must not
   * leave the window as if it were the answer. */
  if (g_strcmp0 (cw_window_get_page (self), "plan") == 0 && !cw_plan_page_get_results_current (self->plan_page))
    {
      g_set_error_literal (error, CW_GERROR, CW_ERROR_INVALID,
                           _("The Plan page’s inputs are wrong; fix them to export the chart"));
      return FALSE;
    }
  return cw_chart_view_export (cw_window_get_visible_chart_view (self), path, width, height, error);
}

/* ---- recent databases -------------------------------------------------- */

static void
update_recent_menu (CwWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-databases");

  g_menu_remove_all (self->recent_section);
  for (guint i = 0; recent[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (recent[i]);
      g_autoptr(GMenuItem) item = g_menu_item_new (base, NULL);

      g_menu_item_set_action_and_target_value (item, "win.open-recent", g_variant_new_string (recent[i]));
      g_menu_append_item (self->recent_section, item);
    }

  if (recent[0] == NULL)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No Recent Databases"), "win.none");
      g_menu_append_item (self->recent_section, item);
    }
}

static void
remember_recent (CwWindow *self, const char *path)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-databases");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; recent[i] != NULL && n < CW_MAX_RECENT; i++)
    if (g_strcmp0 (recent[i], path) != 0)
      {
        g_strv_builder_add (builder, recent[i]);
        n++;
      }

  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-databases", (const char * const *) updated);
}

/* ---- loading ------------------------------------------------------------ */

static void
set_database (CwWindow *self, CwReceiptDatabase *database)
{
  g_autofree char *base = NULL;

  g_set_object (&self->database, database);

  base = g_path_get_basename (cw_receipt_database_get_path (database));
  adw_view_switcher_title_set_subtitle (self->switcher_title, base);
  gtk_label_set_text (self->database_label, base);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->database_label), cw_receipt_database_get_path (database));

  cw_receipts_page_set_database (self->receipts_page, database);
  cw_plan_page_set_receipts (self->plan_page, cw_receipt_database_get_rows (database),
                             cw_receipt_database_get_path (database));
  cw_compare_page_set_database (self->compare_page, cw_receipt_database_get_path (database));
  cw_compare_page_set_all_rows (self->compare_page, cw_receipt_database_get_rows (database));
  cw_compare_page_set_model (self->compare_page, cw_receipts_page_get_filtered_model (self->receipts_page));
}

static void
open_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(CwWindow) self = user_data;
  g_autoptr(CwReceiptDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_steal_pointer (&self->loading_path);

  database = cw_receipt_database_open_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_spinner_stop (self->spinner);

  if (database == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);
      /* Translators: first %s is a file name, second the reason it could not be opened. */
      g_autofree char *message = g_strdup_printf (_("Could not open “%s”: %s"), base, error->message);

      g_warning ("%s", message);
      cw_window_show_toast (self, message);
      g_signal_emit (self, signals[DATABASE_LOADED], 0, FALSE);
      return;
    }

  set_database (self, database);
  remember_recent (self, path);
  g_settings_set_string (self->settings, "database", path);
  g_signal_emit (self, signals[DATABASE_LOADED], 0, TRUE);
}

static void
open_path (CwWindow *self, const char *path)
{
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  g_free (self->loading_path);
  self->loading_path = g_strdup (path);
  gtk_spinner_start (self->spinner);

  cw_receipt_database_open_async (path, self->load_cancellable, open_cb, g_object_ref (self));
}

void
cw_window_open_database (CwWindow *self, GFile *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CW_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("Could not open “%s”: only local files are supported"), uri);

      cw_window_show_toast (self, message);
      g_signal_emit (self, signals[DATABASE_LOADED], 0, FALSE);
      return;
    }

  open_path (self, path);
}

static void
open_sample (CwWindow *self)
{
  g_autofree char *sample = cw_paths_dup_sample_database ();

  if (sample == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("No sample database found in %s"),
                                                  cw_paths_get_data_dir ());
      cw_window_show_toast (self, message);
      g_signal_emit (self, signals[DATABASE_LOADED], 0, FALSE);
      return;
    }

  open_path (self, sample);
}

void
cw_window_open_initial_database (CwWindow *self)
{
  g_autofree char *mode = NULL;
  g_autofree char *last = NULL;

  g_return_if_fail (CW_IS_WINDOW (self));

  mode = g_settings_get_string (self->settings, "startup-database");
  if (g_str_equal (mode, "sample"))
    {
      open_sample (self);
      return;
    }
  if (g_str_equal (mode, "file"))
    {
      g_autofree char *chosen = g_settings_get_string (self->settings, "startup-database-path");

      /* A file the user chose in Preferences that is gone is worth saying,
       * unlike last session's. */
      if (chosen[0] != '\0' && g_file_test (chosen, G_FILE_TEST_IS_REGULAR))
        {
          open_path (self, chosen);
          return;
        }
      if (chosen[0] != '\0')
        {
          g_autofree char *base = g_path_get_basename (chosen);
          /* Translators: %s is a file name chosen in Preferences */
          g_autofree char *message = g_strdup_printf (_("The database chosen in Preferences, “%s”, is not there; "
                                                        "the sample is open instead"), base);

          cw_window_show_toast (self, message);
        }
      open_sample (self);
      return;
    }

  /* A database that was moved away since last time is not an error worth a
   * toast on start: fall back to the sample quietly. */
  last = g_settings_get_string (self->settings, "database");
  if (last[0] != '\0' && g_file_test (last, G_FILE_TEST_IS_REGULAR))
    open_path (self, last);
  else
    open_sample (self);
}

/* ---- actions ------------------------------------------------------------ */

static void
file_chooser_response_cb (GtkNativeDialog *native, int response, gpointer user_data)
{
  CwWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      cw_window_open_database (self, file);
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
open_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CwWindow *self = CW_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) db_filter = cw_receipt_database_new_file_filter ();
  g_autoptr(GtkFileFilter) all_filter = gtk_file_filter_new ();

  native = gtk_file_chooser_native_new (_("Open a Receipts Database"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));

  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), db_filter);

  gtk_file_filter_set_name (all_filter, _("All files"));
  gtk_file_filter_add_pattern (all_filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all_filter);

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (file_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
open_sample_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  open_sample (CW_WINDOW (widget));
}

static void
open_recent_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  open_path (CW_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
reload_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CwWindow *self = CW_WINDOW (widget);

  if (self->database != NULL)
    open_path (self, cw_receipt_database_get_path (self->database));
}

static void
export_chart_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CwWindow *self = CW_WINDOW (widget);

  cw_export_dialog_present (self, self->settings);
}

/* win.export-chart-to('PATH'): export without a dialog, at the remembered
 * size. Scripts and the self-test use it. */
static void
export_chart_to_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CwWindow *self = CW_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  const char *path = g_variant_get_string (param, NULL);

  if (!cw_window_export_chart (self, path,
                               g_settings_get_int (self->settings, "export-width"),
                               g_settings_get_int (self->settings, "export-height"),
                               &error))
    {
      g_autofree char *message = g_strdup_printf (_("Export failed: %s"), error->message);
      cw_window_show_toast (self, message);
    }
}

static void
show_page_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cw_window_show_page (CW_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
focus_search_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CwWindow *self = CW_WINDOW (widget);

  cw_window_show_page (self, "receipts");
  cw_receipts_page_focus_search (self->receipts_page);
}

/* win.clear-filters: the Receipts page's search and filters, from wherever
 * they empty a page (the Compare page's status page offers it). */
static void
clear_filters_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cw_receipts_page_clear_filters (CW_WINDOW (widget)->receipts_page);
}

/* A receipt point on the Plan or Compare chart: open it. */
static void
receipt_activated_cb (CwWindow *self, gint64 id, GtkWidget *page)
{
  cw_window_show_page (self, "receipts");
  cw_receipts_page_select_id (self->receipts_page, id);
}

/* The Index cache page plans the Plan page's configuration; while the Plan
 * page's inputs are wrong it has none, and says so. */
static void
plan_config_changed_cb (CwWindow *self, CwPlanPage *plan_page)
{
  CwConfig config;

  if (cw_plan_page_get_results_current (plan_page) && cw_plan_page_get_config (plan_page, &config))
    cw_index_cache_page_set_config (self->index_cache_page, &config, cw_plan_page_get_preset (plan_page),
                                    cw_plan_page_get_gpu_name (plan_page));
  else
    cw_index_cache_page_set_config (self->index_cache_page, NULL, NULL, NULL);
}

static void
plan_results_current_cb (CwWindow *self, GParamSpec *pspec, CwPlanPage *plan_page)
{
  plan_config_changed_cb (self, plan_page);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void
cw_window_setup (CwWindow *self, CwApplication *app)
{
  g_autofree char *page = NULL;

  self->settings = g_object_ref (cw_application_get_settings (app));

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (self->settings, "changed::recent-databases",
                           G_CALLBACK (update_recent_menu), self, G_CONNECT_SWAPPED);
  update_recent_menu (self);

  {
    CwChartView *views[] = {
      cw_plan_page_get_chart_view (self->plan_page),
      cw_receipts_page_get_chart_view (self->receipts_page),
      cw_compare_page_get_chart_view (self->compare_page),
      cw_index_cache_page_get_chart_view (self->index_cache_page),
    };

    for (guint i = 0; i < G_N_ELEMENTS (views); i++)
      g_settings_bind (self->settings, "chart-style", views[i], "chart-style", G_SETTINGS_BIND_GET);
  }

  g_settings_bind (self->settings, "compare-view", self->compare_page, "view", G_SETTINGS_BIND_DEFAULT);
  cw_plan_page_bind_settings (self->plan_page, self->settings);
  cw_index_cache_page_bind_settings (self->index_cache_page, self->settings);
  cw_receipts_page_bind_settings (self->receipts_page, self->settings);
  g_signal_connect_object (self->plan_page, "receipt-activated",
                           G_CALLBACK (receipt_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->compare_page, "receipt-activated",
                           G_CALLBACK (receipt_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->plan_page, "config-changed",
                           G_CALLBACK (plan_config_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->plan_page, "notify::results-current",
                           G_CALLBACK (plan_results_current_cb), self, G_CONNECT_SWAPPED);
  plan_config_changed_cb (self, self->plan_page);

  page = g_settings_get_string (self->settings, "visible-page");
  cw_window_show_page (self, page);
}

static gboolean
cw_window_close_request (GtkWindow *window)
{
  CwWindow *self = CW_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_set_string (self->settings, "visible-page", cw_window_get_page (self));

  return GTK_WINDOW_CLASS (cw_window_parent_class)->close_request (window);
}

/* ---- the inputs side bar in a narrow window ------------------------------ */

/* The Plan and Index cache pages keep their inputs in a side bar (an
 * AdwFlap) that folds away in a narrow window; the header bar's Inputs
 * button (F9) then slides it in and out, for the page shown. */
static AdwFlap *
visible_page_flap (CwWindow *self)
{
  const char *page = cw_window_get_page (self);

  if (g_strcmp0 (page, "plan") == 0)
    return cw_plan_page_get_flap (self->plan_page);
  if (g_strcmp0 (page, "index-cache") == 0)
    return cw_index_cache_page_get_flap (self->index_cache_page);
  return NULL;
}

static void
update_inputs_button (CwWindow *self)
{
  AdwFlap *flap = visible_page_flap (self);

  if (flap != self->inputs_flap)
    {
      g_clear_pointer (&self->inputs_binding, g_binding_unbind);
      self->inputs_flap = flap;
      if (flap != NULL)
        self->inputs_binding = g_object_bind_property (flap, "reveal-flap", self->inputs_button, "active",
                                                       G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->inputs_button), flap != NULL && adw_flap_get_folded (flap));
}

/* A flap folds while it is being allocated: showing the button then
 * would resize the header bar in the middle of the layout. */
static gboolean
update_inputs_button_idle (gpointer user_data)
{
  CwWindow *self = user_data;

  self->inputs_idle = 0;
  update_inputs_button (self);
  return G_SOURCE_REMOVE;
}

static void
flap_folded_cb (CwWindow *self)
{
  if (self->inputs_idle == 0)
    self->inputs_idle = g_idle_add_full (G_PRIORITY_DEFAULT, update_inputs_button_idle, self, NULL);
}

static void
toggle_inputs_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  AdwFlap *flap = visible_page_flap (self);

  if (flap != NULL && adw_flap_get_folded (flap))
    adw_flap_set_reveal_flap (flap, !adw_flap_get_reveal_flap (flap));
}

gboolean
cw_window_get_inputs_button_shown (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->inputs_button));
}

static void
cw_window_dispose (GObject *object)
{
  CwWindow *self = CW_WINDOW (object);

  g_clear_handle_id (&self->inputs_idle, g_source_remove);
  g_clear_pointer (&self->inputs_binding, g_binding_unbind);
  self->inputs_flap = NULL;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->database);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->loading_path, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_WINDOW);

  G_OBJECT_CLASS (cw_window_parent_class)->dispose (object);
}

static void
cw_window_class_init (CwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cw_window_dispose;
  window_class->close_request = cw_window_close_request;

  /**
   * CwWindow::database-loaded:
   * @ok: whether the database was opened
   *
   * Emitted when an asynchronous open finishes (not when cancelled).
   */
  signals[DATABASE_LOADED] = g_signal_new ("database-loaded", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (CW_TYPE_PLAN_PAGE);
  g_type_ensure (CW_TYPE_RECEIPTS_PAGE);
  g_type_ensure (CW_TYPE_COMPARE_PAGE);
  g_type_ensure (CW_TYPE_INDEX_CACHE_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cliffwatch/Cliffwatch/cw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CwWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, recent_section);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, plan_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, receipts_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, compare_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, index_cache_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, inputs_button);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-sample", NULL, open_sample_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.export-chart", NULL, export_chart_action);
  gtk_widget_class_install_action (widget_class, "win.export-chart-to", "s", export_chart_to_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.focus-search", NULL, focus_search_action);
  gtk_widget_class_install_action (widget_class, "win.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-inputs", NULL, toggle_inputs_action);
}

/* Dropping a database file on the window opens it. */
static gboolean
drop_cb (GtkDropTarget *target, const GValue *value, double x, double y, CwWindow *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  cw_window_open_database (self, files->data);
  g_slist_free (files);
  return TRUE;
}

/* The database's name takes room in the header only in a wide window; a
 * narrow one shows it as the switcher title's subtitle. Decided by the
 * window's width, never by what the header shows, so the two cannot chase
 * each other. */
#define DATABASE_LABEL_MIN_WIDTH 1000

static void
window_width_cb (CwWindow *self)
{
  int width = 0, height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  gtk_widget_set_visible (GTK_WIDGET (self->database_label), width >= DATABASE_LABEL_MIN_WIDTH);
}

static void
cw_window_init (CwWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The open database's name, beside the open buttons at every width: the
   * switcher title's subtitle shows only in a narrow window (a wide one
   * shows the page switcher in its place). Always shown, so the header's
   * room, which decides between switcher and title, does not depend on
   * which of them is shown; it shortens in the middle when room runs out. */
  self->database_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_ellipsize (self->database_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (self->database_label, 32);
  gtk_widget_add_css_class (GTK_WIDGET (self->database_label), "dim-label");
  adw_header_bar_pack_start (ADW_HEADER_BAR (gtk_widget_get_ancestor (GTK_WIDGET (self->switcher_title),
                                                                      ADW_TYPE_HEADER_BAR)),
                             GTK_WIDGET (self->database_label));
  g_signal_connect (self, "notify::default-width", G_CALLBACK (window_width_cb), NULL);
  window_width_cb (self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (update_inputs_button), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (cw_plan_page_get_flap (self->plan_page), "notify::folded",
                           G_CALLBACK (flap_folded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (cw_index_cache_page_get_flap (self->index_cache_page), "notify::folded",
                           G_CALLBACK (flap_folded_cb), self, G_CONNECT_SWAPPED);
  update_inputs_button (self);
}
