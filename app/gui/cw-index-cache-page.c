/* cw-index-cache-page.c: the Index cache page.
 *
 * Plans the cross-layer index cache for the Plan page's configuration and
 * the preset's indexer layers, with an every-n anchor schedule over evenly
 * split pipeline stages; the setup is resolved by the planner
 * (cw-index-cache-setup.h), as the CLI resolves it. The planner decides each
 * boundary (transfer the cache or promote the first consumer and recompute);
 * this page shows the decision and both times so the user can see by how
 * much it won. With "Calibrate from receipts" on, the link and the indexer
 * throughput come from the index-transfer receipts of a database (the open
 * one unless another is chosen), as `cliffwatch-cli indexcache
 * --calibration DB` takes them (cw_calibration_plan_index_cache); the page
 * says what was calibrated, or why it could not and that the assumed
 * values stand.
 * Owner: workbench. */
#include "cw-build-config.h"

#include <adwaita.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "cw-parse.h"
#include "cw-seconds.h"
#include "cw-gui-charts.h"
#include "cw-format.h"
#include "cw-index-cache-page.h"
#include "cw-receipt-database.h"

struct _CwIndexCachePage
{
  GtkWidget    parent_instance;

  GSettings   *settings;
  gboolean     have_config;
  CwConfig     config;
  char        *preset;
  char        *gpu_name;
  char        *summary;
  guint        replan_id;
  GPtrArray   *boundary_rows;

  char       **layer_presets;   /* [0] is "same as the Plan page" */
  AdwFlap     *flap;
  AdwComboRow *layers_row;
  AdwEntryRow *every_n_row;
  AdwEntryRow *stages_row;
  AdwEntryRow *link_row;
  AdwEntryRow *tflops_row;
  AdwActionRow *calibrate_row;
  GtkSwitch   *calibrate_switch;
  AdwActionRow *calibration_db_row;
  GtkButton   *open_db_button;
  GtkButton   *choose_db_button;
  GtkLabel    *calibration_label;
  GtkLabel    *summary_label;
  GtkStack    *chart_stack;
  AdwStatusPage *chart_error_page;
  CwChartView *chart_view;
  GtkListBox  *boundary_list;

  char        *calibration_db;      /* chosen; NULL or "": the open database */
  char        *loaded_path;         /* what `calibration` (or the error) was read from */
  CwCalibration *calibration;
  char        *calibration_error;
};

G_DEFINE_FINAL_TYPE (CwIndexCachePage, cw_index_cache_page, GTK_TYPE_WIDGET)

static void
clear_boundaries (CwIndexCachePage *self)
{
  for (guint i = 0; i < self->boundary_rows->len; i++)
    gtk_list_box_remove (self->boundary_list, g_ptr_array_index (self->boundary_rows, i));
  g_ptr_array_set_size (self->boundary_rows, 0);
}

static void
fail (CwIndexCachePage *self, const char *text)
{
  /* The planner's messages print plain integers; people read them here. */
  g_autofree char *message = cw_format_group_numbers_in_text (text);

  clear_boundaries (self);
  gtk_label_set_text (self->summary_label, message);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_label), NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "error");
  cw_chart_view_set_chart (self->chart_view, cw_gui_chart_message (message));
  /* Say what is wrong where the chart would be, not in small grey text. */
  adw_status_page_set_description (self->chart_error_page, message);
  gtk_stack_set_visible_child_name (self->chart_stack, "error");
  g_free (self->summary);
  self->summary = g_strdup_printf ("error: %s\n", message);
}

static gboolean
parse_row (AdwEntryRow *row, const char *label, gboolean integer, double *out, CwError *error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  gboolean ok;

  if (integer)
    {
      uint64_t v = 0;

      ok = cw_parse_positive_u64 (label, text, false, &v, error);
      *out = (double) v;
    }
  else
    ok = cw_parse_double (label, text, true, out, error);

  if (ok)
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  return ok;
}

static gboolean
preset_has_layers (const char *preset)
{
  uint64_t n_layers = 0, n_indexer = 0;
  uint64_t *indexer_layers = NULL;
  gboolean has;

  has = cw_preset_get_layers (preset, &n_layers, &indexer_layers, &n_indexer, NULL) && n_layers > 0;
  free (indexer_layers);
  return has;
}

/* The preset whose layer list is planned over. "Same as the Plan page"
 * falls back to the first preset with layers when the Plan page's preset
 * has none (V4-Flash publishes no CSA layer list), and says so. */
static const char *
layers_preset_name (CwIndexCachePage *self, char **note)
{
  guint selected = adw_combo_row_get_selected (self->layers_row);

  if (selected != GTK_INVALID_LIST_POSITION && selected > 0 && selected < g_strv_length (self->layer_presets))
    return self->layer_presets[selected];

  if (self->preset != NULL && preset_has_layers (self->preset))
    return self->preset;

  if (self->layer_presets[1] == NULL)
    return NULL;

  /* Translators: first %s is the Plan page's preset, second the preset whose layers are used instead. */
  *note = g_strdup_printf (_("“%s” has no layer list; using the layers of “%s”."),
                           self->preset ? self->preset : "", self->layer_presets[1]);
  return self->layer_presets[1];
}

/* The planner's one duration format (cw-seconds.h), as a new string. */
static char *
format_seconds (double s)
{
  char buf[CW_SECONDS_FORMAT_SIZE];

  return g_strdup (cw_seconds_format (s, buf, sizeof buf));
}

gboolean
cw_index_cache_page_plan (const CwIndexCachePageInput *input, CwIndexCachePlan **assumed,
                          CwIndexCachePlan **calibrated, CwCalibrationIndexCacheRates *rates, CwError *error)
{
  CwIndexCacheSetup *setup;
  CwIndexCacheConfig ic;
  gboolean ok = FALSE;

  *assumed = NULL;
  if (calibrated != NULL)
    *calibrated = NULL;
  setup = cw_index_cache_setup_new ();
  if (setup == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return FALSE;
    }
  /* The planner resolves the setup as `cliffwatch-cli indexcache` does: the
   * Plan page's preset supplies the index heads; the layer list comes from it,
   * or, when another preset's layers are used, is given explicitly as
   * --layers/--indexer-layers would give it. */
  if (input->layers_preset != NULL && g_strcmp0 (input->layers_preset, input->preset) != 0
      && !cw_index_cache_setup_set_layers_from_preset (setup, input->layers_preset, error))
    goto out;
  cw_index_cache_setup_set_every_n (setup, input->every_n);
  cw_index_cache_setup_set_n_stages (setup, input->n_stages);
  cw_index_cache_setup_set_link_bytes_per_s (setup, input->link_gbps * 1e9);
  cw_index_cache_setup_set_flops_per_s (setup, input->tflops * 1e12);
  if (!cw_index_cache_setup_resolve (setup, input->preset, &ic, error)
      || (*assumed = cw_index_cache_plan_new (input->config, &ic, error)) == NULL)
    goto out;
  /* Calibrated: as `indexcache --calibration DB` with no rates given. */
  if (input->calibration != NULL && calibrated != NULL
      && (*calibrated = cw_calibration_plan_index_cache (input->calibration, input->config, &ic, 0, 0, rates,
                                                         error)) == NULL)
    {
      g_clear_pointer (assumed, cw_index_cache_plan_free);
      goto out;
    }
  ok = TRUE;
out:
  cw_index_cache_setup_free (setup);
  return ok;
}

CwChart *
cw_index_cache_page_chart (const CwIndexCachePageInput *input, const CwIndexCachePlan *plan,
                           const char *calibration_db)
{
  return cw_gui_chart_index_cache_for (plan, input->config, input->preset, input->gpu_name, calibration_db);
}

/* The database calibration reads: the chosen one, else the open one. */
static char *
dup_calibration_path (CwIndexCachePage *self)
{
  if (self->calibration_db != NULL && self->calibration_db[0] != '\0')
    return g_strdup (self->calibration_db);
  if (self->settings != NULL)
    {
      g_autofree char *open = g_settings_get_string (self->settings, "database");

      if (open[0] != '\0')
        return g_steal_pointer (&open);
    }
  return NULL;
}

/* Reads the calibration when the database changed; NULL (with
 * calibration_error set) when it cannot calibrate. */
static const CwCalibration *
ensure_calibration (CwIndexCachePage *self)
{
  g_autofree char *path = dup_calibration_path (self);
  CwError error = CW_ERROR_INIT;

  if (path != NULL && self->loaded_path != NULL && strcmp (path, self->loaded_path) == 0)
    return self->calibration;
  g_clear_pointer (&self->calibration, cw_calibration_free);
  g_clear_pointer (&self->calibration_error, g_free);
  g_free (self->loaded_path);
  self->loaded_path = g_strdup (path);
  if (path == NULL)
    {
      self->calibration_error = g_strdup (_("no database is open"));
      return NULL;
    }
  self->calibration = cw_calibration_new_from_db (path, NULL, NULL, &error);
  if (self->calibration == NULL)
    self->calibration_error = error.code == CW_ERROR_NOT_FOUND && g_file_test (path, G_FILE_TEST_EXISTS)
                              ? g_strdup (_("it holds no index-transfer receipts (a transfer and a recompute "
                                            "receipt are needed)"))
                              : g_strdup (error.message);
  return self->calibration;
}

static void
show_calibration (CwIndexCachePage *self, gboolean on, const CwCalibrationIndexCacheRates *rates,
                  GString *report)
{
  g_autofree char *path = dup_calibration_path (self);
  g_autofree char *base = path != NULL ? g_path_get_basename (path) : g_strdup (_("No database is open"));
  g_autofree char *text = NULL;

  adw_action_row_set_subtitle (self->calibration_db_row, base);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->calibration_db_row), path);
  gtk_widget_set_visible (GTK_WIDGET (self->open_db_button),
                          self->calibration_db != NULL && self->calibration_db[0] != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->calibration_label), on);
  gtk_widget_remove_css_class (GTK_WIDGET (self->calibration_label), "warning");
  if (!on)
    {
      adw_action_row_set_subtitle (self->calibrate_row, _("Off: the assumed link and throughput"));
      return;
    }
  if (self->calibration == NULL)
    {
      /* Translators: first %s is a database file name, second the reason */
      text = g_strdup_printf (_("“%s” cannot calibrate: %s. The plan uses the assumed link and throughput."),
                              base, self->calibration_error ? self->calibration_error : "");
      gtk_widget_add_css_class (GTK_WIDGET (self->calibration_label), "warning");
      adw_action_row_set_subtitle (self->calibrate_row, _("Not calibrated: the assumed values stand"));
      g_string_append_printf (report, "calibration=none reason=%s\n", self->calibration_error);
    }
  else
    {
      const CwCalibration *c = self->calibration;
      g_autofree char *n = cw_format_count (cw_calibration_get_n_transfer (c) + cw_calibration_get_n_recompute (c));
      g_autofree char *latency = format_seconds (rates->latency_s);
      char gbps[32], tflops[32];

      g_snprintf (gbps, sizeof gbps, "%.4g", rates->bytes_per_s / 1e9);
      g_snprintf (tflops, sizeof tflops, "%.4g", rates->flops_per_s / 1e12);
      /* Translators: link GB/s, latency, TFLOP/s, receipt count, GPU name, database file name */
      text = g_strdup_printf (_("Calibrated: link %s GB/s + %s latency, indexer %s TFLOP/s, from %s receipts on %s "
                                "in “%s”."), gbps, latency, tflops, n, cw_calibration_get_gpu_name (c), base);
      if (rates->n_family == 0)
        {
          char *joined = g_strconcat (text, " ", _("No receipt has this configuration's dimensions: the "
                                                   "throughput is the median of all of them."), NULL);
          g_free (text);
          text = joined;
        }
      adw_action_row_set_subtitle (self->calibrate_row, _("On: link and throughput from the receipts"));
      g_string_append_printf (report, "calibration=%s gpu=%s receipts=%zu link_bytes_per_s=%.9g latency_s=%.9g "
                              "flops_per_s=%.9g\n", path, cw_calibration_get_gpu_name (c),
                              cw_calibration_get_n_transfer (c) + cw_calibration_get_n_recompute (c),
                              rates->bytes_per_s, rates->latency_s, rates->flops_per_s);
    }
  gtk_label_set_text (self->calibration_label, text);
}

static void
replan (CwIndexCachePage *self)
{
  CwError error = { 0 };
  CwIndexCachePlan *plan, *assumed = NULL, *calibrated = NULL;
  CwCalibrationIndexCacheRates rates = { 0 };
  double every_n, stages, link_gbps, tflops;
  char payload[CW_FORMAT_SIZE_EXACT_MAX];
  g_autofree char *summary = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  g_autofree char *fallback_note = NULL;
  const char *layers_preset;
  CwIndexCachePageInput input;

  if (!self->have_config || self->preset == NULL)
    {
      fail (self, _("Fix the inputs on the Plan page first"));
      return;
    }

  if (!parse_row (self->every_n_row, "every n", TRUE, &every_n, &error) ||
      !parse_row (self->stages_row, "stages", TRUE, &stages, &error) ||
      !parse_row (self->link_row, "link GB/s", FALSE, &link_gbps, &error) ||
      !parse_row (self->tflops_row, "TFLOP/s", FALSE, &tflops, &error))
    {
      fail (self, error.message);
      return;
    }

  layers_preset = layers_preset_name (self, &fallback_note);
  if (layers_preset == NULL)
    {
      fail (self, _("No preset has a layer list"));
      return;
    }
  {
    input = (CwIndexCachePageInput) { &self->config, self->preset, layers_preset, (uint64_t) every_n,
                                      (uint64_t) stages, link_gbps, tflops, NULL, self->gpu_name };
    gboolean calibrate = gtk_switch_get_active (self->calibrate_switch);

    if (calibrate)
      input.calibration = ensure_calibration (self);
    if (!cw_index_cache_page_plan (&input, &assumed, &calibrated, &rates, &error))
      {
        show_calibration (self, FALSE, &rates, report);
        fail (self, error.message);
        return;
      }
    show_calibration (self, calibrate, &rates, report);
    /* Calibrated rates replace the assumed ones: their rows say so by
     * being insensitive. */
    gtk_widget_set_sensitive (GTK_WIDGET (self->link_row), calibrated == NULL);
    gtk_widget_set_sensitive (GTK_WIDGET (self->tflops_row), calibrated == NULL);
    plan = calibrated != NULL ? calibrated : assumed;
  }

  gtk_widget_remove_css_class (GTK_WIDGET (self->summary_label), "error");
  /* The size as people read it; the exact bytes on hover. */
  cw_format_size_exact_to_buffer (cw_index_cache_plan_get_payload_bytes (plan), payload, sizeof payload);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_label), payload);
  {
    g_autofree char *layers = cw_format_count (cw_index_cache_plan_get_n_layers (plan));
    g_autofree char *full = cw_format_count (cw_index_cache_plan_get_n_full (plan));
    g_autofree char *promoted = cw_format_count (cw_index_cache_plan_get_n_promoted (plan));
    g_autofree char *size = cw_format_size (cw_index_cache_plan_get_payload_bytes (plan));

    /* Translators: layer count, full count, promoted count, payload size */
    summary = g_strdup_printf (_("%s layers: %s full, %s promoted. One index cache is %s."),
                               layers, full, promoted, size);
  }
  if (fallback_note != NULL)
    {
      char *joined = g_strconcat (fallback_note, " ", summary, NULL);
      g_free (summary);
      summary = joined;
    }
  gtk_label_set_text (self->summary_label, summary);
  g_string_append_printf (report, "layers-from=%s\n", layers_preset);
  g_string_append_printf (report, "layers=%" G_GUINT64_FORMAT " full=%" G_GUINT64_FORMAT
                          " promoted=%" G_GUINT64_FORMAT " payload=%" G_GUINT64_FORMAT "\n",
                          cw_index_cache_plan_get_n_layers (plan), cw_index_cache_plan_get_n_full (plan),
                          cw_index_cache_plan_get_n_promoted (plan), cw_index_cache_plan_get_payload_bytes (plan));

  clear_boundaries (self);
  for (uint64_t b = 0; b < cw_index_cache_plan_get_n_boundaries (plan); b++)
    {
      uint64_t consumer = cw_index_cache_plan_get_boundary_consumer (plan, b);
      CwBoundaryDecision decision = cw_index_cache_plan_get_boundary_decision (plan, b);
      g_autofree char *transfer = format_seconds (cw_index_cache_plan_get_boundary_transfer_s (plan, b));
      g_autofree char *recompute = format_seconds (cw_index_cache_plan_get_boundary_recompute_s (plan, b));
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      char bytes[CW_BYTES_FORMAT_SIZE], from[32], to[32], layer[32];
      const char *verdict;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *label;

      g_snprintf (from, sizeof from, "%" G_GUINT64_FORMAT, b);
      g_snprintf (to, sizeof to, "%" G_GUINT64_FORMAT, b + 1);
      /* Translators: stage numbers on either side of a pipeline boundary */
      title = g_strdup_printf (_("Stage %s → %s"), from, to);
      cw_bytes_format_gib (cw_index_cache_plan_get_boundary_payload_bytes (plan, b), bytes, sizeof bytes);
      if (consumer == UINT64_MAX)
        subtitle = g_strdup (_("No indexer layer on the next stage"));
      else if (decision == CW_BOUNDARY_NOTHING)
        {
          g_snprintf (layer, sizeof layer, "%" G_GUINT64_FORMAT, consumer);
          /* Translators: %s is a layer number */
          subtitle = g_strdup_printf (_("First consumer: layer %s, a full layer: nothing to carry"), layer);
        }
      else
        {
          g_snprintf (layer, sizeof layer, "%" G_GUINT64_FORMAT, consumer);
          /* Translators: layer number, payload size, transfer time, recompute time */
          subtitle = g_strdup_printf (_("First consumer: layer %s. Payload %s: transfer %s, recompute %s"),
                                      layer, bytes, transfer, recompute);
        }

      switch (decision)
        {
        case CW_BOUNDARY_RECOMPUTE: verdict = _("recompute"); break;
        case CW_BOUNDARY_TRANSFER: verdict = _("transfer"); break;
        case CW_BOUNDARY_NOTHING:
        default: verdict = _("nothing crosses"); break;
        }

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (consumer != UINT64_MAX && decision != CW_BOUNDARY_NOTHING)
        {
          char exact[CW_FORMAT_SIZE_EXACT_MAX];

          cw_format_size_exact_to_buffer (cw_index_cache_plan_get_boundary_payload_bytes (plan, b), exact,
                                          sizeof exact);
          gtk_widget_set_tooltip_text (row, exact);
        }
      if (calibrated != NULL && consumer != UINT64_MAX)
        {
          CwBoundaryDecision was = cw_index_cache_plan_get_boundary_decision (assumed, b);
          /* Translators: appended to a boundary's details on the Index cache page; %s is a decision */
          g_autofree char *note = g_strdup_printf (_(" (assumed values: %s)"),
                                                   was == CW_BOUNDARY_TRANSFER ? _("transfer")
                                                   : was == CW_BOUNDARY_RECOMPUTE ? _("recompute")
                                                                                  : _("nothing crosses"));
          char *joined = g_strconcat (subtitle, note, NULL);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), joined);
          g_free (joined);
        }
      label = gtk_label_new (verdict);
      gtk_widget_add_css_class (label, "heading");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->boundary_list, row);
      g_ptr_array_add (self->boundary_rows, row);

      g_string_append_printf (report, "boundary %" G_GUINT64_FORMAT " consumer=%" G_GINT64_FORMAT " decision=%s\n",
                              b, consumer == UINT64_MAX ? (gint64) -1 : (gint64) consumer,
                              cw_boundary_decision_get_name (decision));
    }

  /* A calibrated chart names the database its rates came from. */
  cw_chart_view_set_chart (self->chart_view, cw_index_cache_page_chart (&input, plan,
                                                                        calibrated != NULL ? self->loaded_path : NULL));
  gtk_stack_set_visible_child_name (self->chart_stack, "chart");
  cw_index_cache_plan_free (assumed);
  cw_index_cache_plan_free (calibrated);

  g_free (self->summary);
  self->summary = g_string_free (g_steal_pointer (&report), FALSE);
}

static gboolean
replan_timeout (gpointer user_data)
{
  CwIndexCachePage *self = user_data;

  self->replan_id = 0;
  replan (self);
  return G_SOURCE_REMOVE;
}

static void queue_replan (CwIndexCachePage *self);

static void
layers_selected_cb (CwIndexCachePage *self)
{
  guint selected = adw_combo_row_get_selected (self->layers_row);

  if (self->settings != NULL)
    g_settings_set_string (self->settings, "ic-layers-preset",
                           selected > 0 && selected < g_strv_length (self->layer_presets)
                           ? self->layer_presets[selected] : "");
  queue_replan (self);
}

static void
queue_replan (CwIndexCachePage *self)
{
  g_clear_handle_id (&self->replan_id, g_source_remove);
  self->replan_id = g_timeout_add (60, replan_timeout, self);
}

static void
set_calibration_db (CwIndexCachePage *self, const char *path)
{
  g_free (self->calibration_db);
  self->calibration_db = g_strdup (path != NULL ? path : "");
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "ic-calibration-db", self->calibration_db);
  queue_replan (self);
}

static void
choose_db_response_cb (GtkNativeDialog *native, int response, gpointer user_data)
{
  CwIndexCachePage *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          set_calibration_db (self, path);
          gtk_switch_set_active (self->calibrate_switch, TRUE);
        }
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
  g_object_unref (self);
}

static void
choose_db_clicked_cb (CwIndexCachePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = cw_receipt_database_new_file_filter ();

  native = gtk_file_chooser_native_new (_("Calibrate from a Receipts Database"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Calibrate"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (choose_db_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
open_db_clicked_cb (CwIndexCachePage *self)
{
  set_calibration_db (self, NULL);
}

void
cw_index_cache_page_bind_settings (CwIndexCachePage *self, GSettings *settings)
{
  g_return_if_fail (CW_IS_INDEX_CACHE_PAGE (self));

  g_set_object (&self->settings, settings);
  {
    g_autofree char *layers = g_settings_get_string (settings, "ic-layers-preset");

    for (guint i = 1; layers[0] != '\0' && self->layer_presets[i] != NULL; i++)
      if (g_strcmp0 (self->layer_presets[i], layers) == 0)
        adw_combo_row_set_selected (self->layers_row, i);
  }
  g_settings_bind (settings, "ic-every-n", self->every_n_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "ic-stages", self->stages_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "ic-link-gbps", self->link_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "ic-tflops", self->tflops_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "ic-calibrate", self->calibrate_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_free (self->calibration_db);
  self->calibration_db = g_settings_get_string (settings, "ic-calibration-db");
  /* "The open database" follows the window's. */
  g_signal_connect_object (settings, "changed::database", G_CALLBACK (queue_replan), self, G_CONNECT_SWAPPED);
  queue_replan (self);
}

void
cw_index_cache_page_set_config (CwIndexCachePage *self, const CwConfig *config, const char *preset,
                                const char *gpu_name)
{
  g_return_if_fail (CW_IS_INDEX_CACHE_PAGE (self));

  self->have_config = config != NULL;
  if (config != NULL)
    self->config = *config;
  g_free (self->preset);
  self->preset = g_strdup (preset);
  g_free (self->gpu_name);
  self->gpu_name = g_strdup (gpu_name);
  queue_replan (self);
}

CwChartView *
cw_index_cache_page_get_chart_view (CwIndexCachePage *self)
{
  g_return_val_if_fail (CW_IS_INDEX_CACHE_PAGE (self), NULL);
  return self->chart_view;
}

AdwFlap *
cw_index_cache_page_get_flap (CwIndexCachePage *self)
{
  g_return_val_if_fail (CW_IS_INDEX_CACHE_PAGE (self), NULL);
  return self->flap;
}

char *
cw_index_cache_page_dup_summary (CwIndexCachePage *self)
{
  g_return_val_if_fail (CW_IS_INDEX_CACHE_PAGE (self), NULL);

  if (self->replan_id != 0)
    {
      g_clear_handle_id (&self->replan_id, g_source_remove);
      replan (self);
    }
  return g_strdup (self->summary ? self->summary : "");
}

static void
cw_index_cache_page_dispose (GObject *object)
{
  CwIndexCachePage *self = CW_INDEX_CACHE_PAGE (object);

  g_clear_handle_id (&self->replan_id, g_source_remove);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->boundary_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_INDEX_CACHE_PAGE);

  G_OBJECT_CLASS (cw_index_cache_page_parent_class)->dispose (object);
}

static void
cw_index_cache_page_finalize (GObject *object)
{
  CwIndexCachePage *self = CW_INDEX_CACHE_PAGE (object);

  g_free (self->preset);
  g_free (self->gpu_name);
  g_free (self->summary);
  g_strfreev (self->layer_presets);
  g_free (self->calibration_db);
  g_free (self->loaded_path);
  g_free (self->calibration_error);
  g_clear_pointer (&self->calibration, cw_calibration_free);
  G_OBJECT_CLASS (cw_index_cache_page_parent_class)->finalize (object);
}

static void
cw_index_cache_page_class_init (CwIndexCachePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_index_cache_page_dispose;
  object_class->finalize = cw_index_cache_page_finalize;

  g_type_ensure (CW_TYPE_CHART_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cliffwatch/Cliffwatch/cw-index-cache-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, flap);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, layers_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, every_n_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, stages_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, link_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, tflops_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, calibrate_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, calibrate_switch);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, calibration_db_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, open_db_button);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, choose_db_button);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, calibration_label);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, chart_stack);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, chart_error_page);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, chart_view);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, boundary_list);
}

static void
cw_index_cache_page_init (CwIndexCachePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->boundary_rows = g_ptr_array_new ();

  {
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    g_autoptr(GtkStringList) model = NULL;
    char **presets = cw_preset_list (NULL);

    g_strv_builder_add (builder, _("Same as the Plan page"));
    for (guint i = 0; presets != NULL && presets[i] != NULL; i++)
      if (preset_has_layers (presets[i]))
        g_strv_builder_add (builder, presets[i]);
    if (presets != NULL)
      cw_strv_free (presets);
    self->layer_presets = g_strv_builder_end (builder);
    model = gtk_string_list_new ((const char * const *) self->layer_presets);
    adw_combo_row_set_model (self->layers_row, G_LIST_MODEL (model));
  }

  g_signal_connect_object (self->layers_row, "notify::selected", G_CALLBACK (layers_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->every_n_row, "changed", G_CALLBACK (queue_replan), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stages_row, "changed", G_CALLBACK (queue_replan), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->link_row, "changed", G_CALLBACK (queue_replan), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tflops_row, "changed", G_CALLBACK (queue_replan), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->calibrate_switch, "notify::active", G_CALLBACK (queue_replan), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->choose_db_button, "clicked", G_CALLBACK (choose_db_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->open_db_button, "clicked", G_CALLBACK (open_db_clicked_cb), self,
                           G_CONNECT_SWAPPED);
}
