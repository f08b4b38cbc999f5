/* cw-gui-charts.c: builder inputs from planner results and receipts.
 *
 * Titles are translated here (the chart library has no gettext). The cliff
 * chart samples each profile's peak at 8 points per octave of sq, which is
 * dense enough for straight segments on log axes to look like the curve,
 * and the cliff itself comes from the exact solver, not from the samples.
 * The compare chart's error view is assembled here from the chart library's
 * layers; the other charts come from its builders, shared with the CLI.
 * Owner: workbench. */
#include "cw-build-config.h"

#include <errno.h>
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


/* The receipts of `rows` that have both compared peaks, as chart points
 * grouped by lane (or, for an external program, by the profile that
 * predicts it), tagged with their position in `rows`; and which agreement
 * rule is theirs: external programs alone are judged by their own. */
typedef struct {
  GArray    *points;       /* CwChartComparePoint */
  GPtrArray *groups;       /* const char *, borrowed from the rows */
  gint64     first_id, last_id;
  double   (*rule) (double);
} ComparePoints;

static void
compare_points_init (ComparePoints *cp, GListModel *rows)
{
  g_autoptr(GHashTable) group_index = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = rows != NULL ? g_list_model_get_n_items (rows) : 0, n_exec = 0;

  cp->points = g_array_new (FALSE, TRUE, sizeof (CwChartComparePoint));
  cp->groups = g_ptr_array_new ();
  cp->first_id = G_MAXINT64;
  cp->last_id = 0;
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
      cp->first_id = MIN (cp->first_id, r->id);
      cp->last_id = MAX (cp->last_id, r->id);
      if (!g_hash_table_lookup_extended (group_index, key, NULL, &index))
        {
          index = GUINT_TO_POINTER (cp->groups->len);
          /* The rows outlive the chart's building, so their strings can be borrowed. */
          g_hash_table_insert (group_index, (gpointer) key, index);
          g_ptr_array_add (cp->groups, (gpointer) key);
        }
      point.group = GPOINTER_TO_UINT (index);
      point.tag = i;
      g_array_append_val (cp->points, point);
    }
  cp->rule = cp->points->len > 0 && n_exec == cp->points->len ? cw_receipt_chart_exec_tolerance
                                                               : cw_receipt_chart_tolerance;
}

static void
compare_points_clear (ComparePoints *cp)
{
  g_clear_pointer (&cp->points, g_array_unref);
  g_clear_pointer (&cp->groups, g_ptr_array_unref);
}

/* The agreement rule described from the rule itself: its floor, and its
 * slope far above it. */
static char *
dup_band_label (double (*rule) (double))
{
  const double big = 1125899906842624.0;   /* 2^50 bytes */
  char floor_text[CW_CHART_TICK_LABEL_MAX];

  cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, rule (0), 2, floor_text, sizeof floor_text);
  /* Translators: the agreement rule, e.g. "agreement: |measured - predicted| <= max(1 %, 8.00 MiB)" */
  return g_strdup_printf (_("agreement: |measured - predicted| <= max(%.3g %%, %s)"),
                          rule (big) / big * 100.0, floor_text);
}

static void
set_receipts_caption (CwChart *chart, const ComparePoints *cp)
{
  char caption[512];

  cw_receipt_chart_receipts_caption (NULL, cp->points->len, cp->first_id, cp->last_id, caption, sizeof caption);
  cw_chart_set_caption (chart, caption);
}

CwChart *
cw_gui_chart_compare (GListModel *rows)
{
  g_autofree char *band_label = NULL;
  ComparePoints cp;
  CwChartCompareInput input = { 0 };
  CwError error = { 0 };
  CwChart *chart;

  compare_points_init (&cp, rows);
  if (cp.points->len == 0)
    {
      compare_points_clear (&cp);
      return cw_gui_chart_message (_("No receipt with both a predicted and a measured peak"));
    }

  band_label = dup_band_label (cp.rule);
  input.tolerance_bytes = cp.rule;
  input.tolerance_label = band_label;
  input.title = _("Measured against predicted peak");
  input.group_names = (const char * const *) cp.groups->pdata;
  input.n_groups = cp.groups->len;
  input.points = (const CwChartComparePoint *) cp.points->data;
  input.n_points = cp.points->len;

  chart = cw_chart_builder_compare (&input, &error);
  if (chart != NULL)
    set_receipts_caption (chart, &cp);
  compare_points_clear (&cp);
  localize (chart, N_("predicted peak"), N_("measured peak"));
  return chart_or_message (chart, &error);
}

/* The error view of the same receipts: on a y = x chart every sample point
 * sits on the diagonal, so the signed error, (measured - predicted) /
 * predicted in percent, is drawn against the predicted peak, with the
 * agreement band as the percentage it allows at each size (the 8 MiB floor
 * makes it wide at small sizes, the 1 % slope flat above 800 MiB). The y
 * range shows the band's slope (twice it) or the largest error, whichever
 * is more; the band above that is clipped at the plot's edge. */
CwChart *
cw_gui_chart_compare_error (GListModel *rows)
{
  enum { N_BAND = 97 };
  const double big = 1125899906842624.0;
  g_autofree char *band_label = NULL;
  g_autofree double *xs = NULL, *ys = NULL;
  g_autofree size_t *tags = NULL;
  double band_x[N_BAND], band_lo[N_BAND], band_hi[N_BAND];
  double lo = INFINITY, hi = -INFINITY, worst = 0.0, span;
  ComparePoints cp;
  CwChart *chart;
  gboolean ok = TRUE;

  compare_points_init (&cp, rows);
  if (cp.points->len == 0)
    {
      compare_points_clear (&cp);
      return cw_gui_chart_message (_("No receipt with both a predicted and a measured peak"));
    }

  chart = cw_chart_new ();
  xs = g_new (double, cp.points->len);
  ys = g_new (double, cp.points->len);
  tags = g_new (size_t, cp.points->len);
  for (guint i = 0; i < cp.points->len; i++)
    {
      const CwChartComparePoint *p = &g_array_index (cp.points, CwChartComparePoint, i);
      double e = 100.0 * cw_chart_compare_error_fraction (p->predicted_bytes, p->measured_bytes);

      lo = MIN (lo, p->predicted_bytes);
      hi = MAX (hi, p->predicted_bytes);
      worst = MAX (worst, fabs (e));
    }
  lo /= 2.0;
  hi *= 2.0;
  span = MAX (2.0 * 100.0 * cp.rule (big) / big, 1.25 * worst);

  if (chart == NULL)
    ok = FALSE;
  else
    {
      CwChartLayer *band, *zero;
      double zero_x[2] = { lo, hi }, zero_y[2] = { 0.0, 0.0 };

      cw_chart_set_title (chart, _("Error of the measured peak against the prediction"));
      cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES, _("predicted peak"));
      cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER,
                         _("error (%)"));
      cw_chart_set_legend_position (chart, CW_CHART_LEGEND_TOP_RIGHT);
      cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, lo, hi);
      cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, -span, span);

      for (int i = 0; i < N_BAND; i++)
        {
          double p = exp (log (lo) + (log (hi) - log (lo)) * i / (N_BAND - 1));

          band_x[i] = p;
          band_hi[i] = 100.0 * cp.rule (p) / p;
          band_lo[i] = -band_hi[i];
        }
      band_label = dup_band_label (cp.rule);
      band = cw_chart_area_layer_new (band_label, band_x, band_lo, band_hi, N_BAND);
      if (band != NULL)
        cw_chart_layer_set_role (band, CW_CHART_ROLE_MUTED);
      zero = cw_chart_line_layer_new (_("0 % (exact prediction)"), zero_x, zero_y, 2);
      if (zero != NULL)
        {
          cw_chart_layer_set_role (zero, CW_CHART_ROLE_MUTED);
          cw_chart_line_layer_set_dashed (zero, TRUE);
        }
      ok = cw_chart_add_layer (chart, band) != (size_t) -1 && cw_chart_add_layer (chart, zero) != (size_t) -1;
    }

  /* One layer per lane, in its hue and marker, as on every other chart. */
  for (guint g = 0; ok && g < cp.groups->len; g++)
    {
      const char *name = g_ptr_array_index (cp.groups, g);
      CwChartIdentity id = cw_chart_identity_for_name (name);
      CwChartLayer *layer;
      size_t n = 0;

      for (guint i = 0; i < cp.points->len; i++)
        {
          const CwChartComparePoint *p = &g_array_index (cp.points, CwChartComparePoint, i);

          if (p->group != g)
            continue;
          xs[n] = p->predicted_bytes;
          ys[n] = 100.0 * cw_chart_compare_error_fraction (p->predicted_bytes, p->measured_bytes);
          tags[n] = p->tag;
          n++;
        }
      if (n == 0)
        continue;
      layer = cw_chart_point_layer_new (name, xs, ys, n, id.marker);
      if (layer != NULL)
        {
          cw_chart_layer_set_series (layer, id.series);
          if (!cw_chart_point_layer_set_tags (layer, tags, n))
            g_clear_pointer (&layer, cw_chart_layer_free);
        }
      ok = cw_chart_add_layer (chart, layer) != (size_t) -1;
    }

  if (ok)
    set_receipts_caption (chart, &cp);
  compare_points_clear (&cp);
  if (!ok)
    {
      cw_chart_free (chart);
      return cw_gui_chart_message (g_strerror (ENOMEM));
    }
  return chart;
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
