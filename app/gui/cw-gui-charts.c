/* cw-gui-charts.c: builder inputs from planner results and receipts.
 *
 * Titles are translated here (the chart library has no gettext). The cliff
 * chart samples each profile's peak at 8 points per octave of sq, which is
 * dense enough for straight segments on log axes to look like the curve,
 * and the cliff itself comes from the exact solver, not from the samples.
 * Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cw-chart-builder.h"
#include "cw-gui-charts.h"
#include "cw-receipt-row.h"
#include "cw-receipt-charts.h"

#define SAMPLES_PER_OCTAVE 8
#define SQ_FLOOR           1024.0
#define SQ_CEILING         (16.0 * 1024 * 1024)

CwChart *
cw_gui_chart_message (const char *message)
{
  CwChart *chart = cw_chart_new ();

  if (chart != NULL)
    cw_chart_set_empty_message (chart, message);
  return chart;
}

/* The chart library is GLib-free and English; its fixed strings are marked
 * with CW_N_() and extracted into our catalogue. Put the translations in:
 * the axis titles (known per builder) and every legend label that is a
 * msgid as is. Labels formatted with numbers stay English. */
static void
localize (CwChart *chart, const char *x_title, const char *y_title)
{
  if (chart == NULL)
    return;
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, cw_chart_get_axis_scale (chart, CW_CHART_AXIS_X),
                     cw_chart_get_axis_unit (chart, CW_CHART_AXIS_X), gettext (x_title));
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, cw_chart_get_axis_scale (chart, CW_CHART_AXIS_Y),
                     cw_chart_get_axis_unit (chart, CW_CHART_AXIS_Y), gettext (y_title));
  for (size_t i = 0; i < cw_chart_get_n_layers (chart); i++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, i);
      const char *label = cw_chart_layer_get_label (layer);
      const char *translated;

      if (label == NULL || *label == '\0')
        continue;
      translated = gettext (label);
      if (translated != label)
        {
          g_autofree char *copy = g_strdup (translated);
          cw_chart_layer_set_label (layer, copy);
        }
    }
}

static CwChart *
chart_or_message (CwChart *chart, const CwError *error)
{
  if (chart != NULL)
    return chart;
  return cw_gui_chart_message (error->message[0] ? error->message : _("The chart could not be built"));
}

gboolean
cw_gui_receipt_matches_config (const CwReceipt *receipt, const CwConfig *config)
{
  /* The planner's one rule for "same configuration except sq". */
  return cw_config_is_on_sweep (config, &receipt->config);
}

CwChart *
cw_gui_chart_cliff (const CwPlanChartInput *input)
{
  g_autoptr(GArray) curves = g_array_new (FALSE, TRUE, sizeof (CwChartCliffCurve));
  g_autoptr(GArray) receipts = g_array_new (FALSE, TRUE, sizeof (CwChartCliffReceipt));
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func (g_free);
  CwChartCliffInput chart_input = { 0 };
  CwError error = { 0 };
  CwConfig config = *input->config;
  double sq_min, sq_max;
  CwChart *chart;
  guint n_samples;

  if (input->n_profiles == 0)
    return cw_gui_chart_message (_("Select at least one profile to compare"));

  /* With a ratio m the smallest legal sq is m (sk = sq / m >= 1). */
  sq_min = MAX (SQ_FLOOR, (double) MAX (config.ratio, 1));
  sq_max = MIN (SQ_CEILING, MAX (4.0 * (double) config.sq, 1024.0 * 1024));
  /* Curves reach as far as the matching receipts, so no point hangs past
   * the end of its curve. */
  if (input->receipts != NULL)
    {
      guint n = g_list_model_get_n_items (input->receipts);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CwReceiptRow) row = g_list_model_get_item (input->receipts, i);
          const CwReceipt *r = cw_receipt_row_get_receipt (row);

          if (cw_gui_receipt_matches_config (r, &config))
            sq_max = MIN (SQ_CEILING, MAX (sq_max, (double) r->config.sq));
        }
    }
  if (sq_max <= sq_min)
    sq_max = sq_min * 2;

  for (guint p = 0; p < input->n_profiles; p++)
    {
      CwChartCliffCurve curve = { 0 };
      uint64_t max_sq = 0;
      double *xs, *ys;
      size_t n = 0;

      n_samples = (guint) ceil (log2 (sq_max / sq_min) * SAMPLES_PER_OCTAVE) + 1;
      xs = g_new0 (double, n_samples);
      ys = g_new0 (double, n_samples);
      g_ptr_array_add (buffers, xs);
      g_ptr_array_add (buffers, ys);

      for (guint i = 0; i < n_samples; i++)
        {
          CwConfig at = config;
          uint64_t peak;
          double sq = floor (sq_min * exp2 ((double) i / SAMPLES_PER_OCTAVE));

          at.sq = (uint64_t) MIN (sq, sq_max);
          if (at.ratio != 0)
            at.sk = 0;
          /* Samples where the configuration is not legal (top_k > sk at
           * small sq) or a size overflows are simply not drawn. */
          if (!cw_plan_eval_peak (input->profiles[p], &at, &peak, NULL))
            continue;
          xs[n] = (double) at.sq;
          ys[n] = (double) peak;
          n++;
        }

      curve.name = cw_profile_get_name (input->profiles[p]);
      curve.sq = xs;
      curve.peak_bytes = ys;
      curve.n = n;
      if (cw_cliff_max_sq (input->profiles[p], &config, input->usable_bytes, &max_sq, NULL))
        {
          curve.fits_at_all = max_sq > 0;
          curve.cliff_sq = max_sq;
          curve.cliff_in_range = max_sq > 0 && (double) max_sq >= sq_min && (double) max_sq <= sq_max;
        }
      g_array_append_val (curves, curve);
    }

  if (input->receipts != NULL)
    {
      guint n = g_list_model_get_n_items (input->receipts);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CwReceiptRow) row = g_list_model_get_item (input->receipts, i);
          const CwReceipt *r = cw_receipt_row_get_receipt (row);
          CwChartCliffReceipt point;

          /* The CLI's `chart cliff` draws the same points (one adapter). */
          if (cw_receipt_chart_cliff_point (r, &config, input->profiles, input->n_profiles, &point)
              != CW_RECEIPT_CHART_DRAWN)
            continue;
          point.tag = i;
          g_array_append_val (receipts, point);
        }
    }

  chart_input.title = _("Predicted peak memory against context length");
  chart_input.usable_bytes = (double) input->usable_bytes;
  chart_input.gpu_name = input->gpu_name;
  chart_input.curves = (const CwChartCliffCurve *) curves->data;
  chart_input.n_curves = curves->len;
  chart_input.receipts = (const CwChartCliffReceipt *) receipts->data;
  chart_input.n_receipts = receipts->len;
  chart_input.current_sq = (double) config.sq;

  chart = cw_chart_builder_cliff (&chart_input, &error);
  if (chart != NULL)
    {
      char caption[1024];

      cw_receipt_chart_plan_caption (&config, input->preset, input->engine, input->gpu_name, caption, sizeof caption);
      cw_chart_set_caption (chart, caption);
    }
  localize (chart, N_("sq (query tokens)"), N_("peak HBM"));
  return chart_or_message (chart, &error);
}

CwChart *
cw_gui_chart_timeline (const CwReceipt *receipt)
{
  CwError error = { 0 };
  CwChart *chart;

  if (receipt->n_events == 0)
    return cw_gui_chart_message (_("This receipt has no trace"));
  chart = cw_receipt_chart_timeline (receipt, &error);
  localize (chart, N_("time since lane start"), N_("live bytes"));
  return chart_or_message (chart, &error);
}


CwChart *
cw_gui_chart_compare (GListModel *rows)
{
  g_autofree char *band_label = NULL;
  g_autoptr(GArray) points = g_array_new (FALSE, TRUE, sizeof (CwChartComparePoint));
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();
  g_autoptr(GHashTable) group_index = g_hash_table_new (g_str_hash, g_str_equal);
  CwChartCompareInput input = { 0 };
  CwError error = { 0 };
  CwChart *chart;
  guint n = rows != NULL ? g_list_model_get_n_items (rows) : 0, n_exec = 0;
  gint64 first_id = G_MAXINT64, last_id = 0;
  double (*rule) (double);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (rows, i);
      const CwReceipt *r = cw_receipt_row_get_receipt (row);
      CwChartComparePoint point;
      const char *key;
      gpointer index;

      if (cw_receipt_chart_compare_point (r, &point, &key) != CW_RECEIPT_CHART_DRAWN)
        continue;
      n_exec += cw_receipt_is_exec (r);
      first_id = MIN (first_id, r->id);
      last_id = MAX (last_id, r->id);
      if (!g_hash_table_lookup_extended (group_index, key, NULL, &index))
        {
          index = GUINT_TO_POINTER (groups->len);
          /* The rows outlive this call, so their strings can be borrowed. */
          g_hash_table_insert (group_index, (gpointer) key, index);
          g_ptr_array_add (groups, (gpointer) key);
        }
      point.group = GPOINTER_TO_UINT (index);
      point.tag = i;
      g_array_append_val (points, point);
    }

  if (points->len == 0)
    return cw_gui_chart_message (_("No receipt with both a predicted and a measured peak"));
  /* External programs alone: their own (tighter) rule is the band. */
  rule = n_exec == points->len ? cw_receipt_chart_exec_tolerance : cw_receipt_chart_tolerance;

  /* The band the receipts are judged by: the store's agreement rule,
   * described from the rule itself (its floor and its slope far above it). */
  {
    const double big = 1125899906842624.0;   /* 2^50 bytes */
    char floor_text[CW_CHART_TICK_LABEL_MAX];

    cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, rule (0), 2, floor_text, sizeof floor_text);
    /* Translators: the agreement rule, e.g. "agreement: |measured - predicted| <= max(1 %, 8.00 MiB)" */
    band_label = g_strdup_printf (_("agreement: |measured - predicted| <= max(%.3g %%, %s)"),
                                  rule (big) / big * 100.0, floor_text);
  }
  input.tolerance_bytes = rule;
  input.tolerance_label = band_label;
  input.title = _("Measured against predicted peak");
  input.group_names = (const char * const *) groups->pdata;
  input.n_groups = groups->len;
  input.points = (const CwChartComparePoint *) points->data;
  input.n_points = points->len;

  chart = cw_chart_builder_compare (&input, &error);
  if (chart != NULL)
    {
      char caption[512];

      cw_receipt_chart_receipts_caption (NULL, points->len, first_id, last_id, caption, sizeof caption);
      cw_chart_set_caption (chart, caption);
    }
  localize (chart, N_("predicted peak"), N_("measured peak"));
  return chart_or_message (chart, &error);
}

CwChart *
cw_gui_chart_index_cache (const CwIndexCachePlan *plan)
{
  CwError error = { 0 };
  CwChart *chart;

  chart = cw_chart_builder_indexcache (plan, _("Index cache across layers and pipeline stages"), &error);
  localize (chart, N_("layer"), N_("resident index bytes"));
  return chart_or_message (chart, &error);
}
