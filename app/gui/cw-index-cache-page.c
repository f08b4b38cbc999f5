/* cw-index-cache-page.c: the Index cache page.
 *
 * Plans the cross-layer index cache for the Plan page's configuration and
 * the preset's indexer layers, with an every-n anchor schedule over evenly
 * split pipeline stages; the setup is resolved by the planner
 * (cw-index-cache-setup.h), as the CLI resolves it. The planner decides each
 * boundary (transfer the cache or promote the first consumer and recompute);
 * this page shows the decision and both times so the user can see by how
 * much it won.
 * Owner: workbench. */
#include "cw-build-config.h"

#include <adwaita.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <stdlib.h>

#include "cw-parse.h"
#include "cw-seconds.h"
#include "cw-gui-charts.h"
#include "cw-format.h"
#include "cw-index-cache-page.h"

struct _CwIndexCachePage
{
  GtkWidget    parent_instance;

  GSettings   *settings;
  gboolean     have_config;
  CwConfig     config;
  char        *preset;
  char        *summary;
  guint        replan_id;
  GPtrArray   *boundary_rows;

  char       **layer_presets;   /* [0] is "same as the Plan page" */
  AdwComboRow *layers_row;
  AdwEntryRow *every_n_row;
  AdwEntryRow *stages_row;
  AdwEntryRow *link_row;
  AdwEntryRow *tflops_row;
  GtkLabel    *summary_label;
  GtkStack    *chart_stack;
  AdwStatusPage *chart_error_page;
  CwChartView *chart_view;
  GtkListBox  *boundary_list;
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

static void
replan (CwIndexCachePage *self)
{
  CwError error = { 0 };
  CwIndexCacheConfig ic;
  CwIndexCachePlan *plan;
  CwIndexCacheSetup *setup;
  double every_n, stages, link_gbps, tflops;
  char payload[CW_FORMAT_SIZE_EXACT_MAX];
  g_autofree char *summary = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  g_autofree char *fallback_note = NULL;
  const char *layers_preset;

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
  /* The planner resolves the setup as `cliffwatch-cli indexcache` does: the
   * Plan page's preset supplies the index heads; the layer list comes from it,
   * or, when another preset's layers are used, is given explicitly as
   * --layers/--indexer-layers would give it. */
  setup = cw_index_cache_setup_new ();
  if (setup == NULL)
    {
      fail (self, g_strerror (ENOMEM));
      return;
    }
  if (g_strcmp0 (layers_preset, self->preset) != 0
      && !cw_index_cache_setup_set_layers_from_preset (setup, layers_preset, &error))
    {
      cw_index_cache_setup_free (setup);
      fail (self, error.message);
      return;
    }
  cw_index_cache_setup_set_every_n (setup, (uint64_t) every_n);
  cw_index_cache_setup_set_n_stages (setup, (uint64_t) stages);
  cw_index_cache_setup_set_link_bytes_per_s (setup, link_gbps * 1e9);
  cw_index_cache_setup_set_flops_per_s (setup, tflops * 1e12);
  if (!cw_index_cache_setup_resolve (setup, self->preset, &ic, &error))
    {
      cw_index_cache_setup_free (setup);
      fail (self, error.message);
      return;
    }

  plan = cw_index_cache_plan_new (&self->config, &ic, &error);
  cw_index_cache_setup_free (setup);
  if (plan == NULL)
    {
      fail (self, error.message);
      return;
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
      label = gtk_label_new (verdict);
      gtk_widget_add_css_class (label, "heading");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->boundary_list, row);
      g_ptr_array_add (self->boundary_rows, row);

      g_string_append_printf (report, "boundary %" G_GUINT64_FORMAT " consumer=%" G_GINT64_FORMAT " decision=%s\n",
                              b, consumer == UINT64_MAX ? (gint64) -1 : (gint64) consumer,
                              cw_boundary_decision_get_name (decision));
    }

  cw_chart_view_set_chart (self->chart_view, cw_gui_chart_index_cache (plan));
  gtk_stack_set_visible_child_name (self->chart_stack, "chart");
  cw_index_cache_plan_free (plan);

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
  queue_replan (self);
}

void
cw_index_cache_page_set_config (CwIndexCachePage *self, const CwConfig *config, const char *preset)
{
  g_return_if_fail (CW_IS_INDEX_CACHE_PAGE (self));

  self->have_config = config != NULL;
  if (config != NULL)
    self->config = *config;
  g_free (self->preset);
  self->preset = g_strdup (preset);
  queue_replan (self);
}

CwChartView *
cw_index_cache_page_get_chart_view (CwIndexCachePage *self)
{
  g_return_val_if_fail (CW_IS_INDEX_CACHE_PAGE (self), NULL);
  return self->chart_view;
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
  g_free (self->summary);
  g_strfreev (self->layer_presets);
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
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, layers_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, every_n_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, stages_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, link_row);
  gtk_widget_class_bind_template_child (widget_class, CwIndexCachePage, tflops_row);
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
}
