/* cw-chart-builder-compare.c: predicted vs measured peak for a set of
 * receipts on log-log axes, one colour per group (lane), with the y = x line
 * a perfect prediction would sit on. Groups are drawn as the lane or
 * profile they name (cw_chart_identity_for_name). */
#include "cw-chart-builder.h"
#include "cw-chart-i18n.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

double
cw_chart_compare_error_fraction (double predicted_bytes, double measured_bytes)
{
  if (!(predicted_bytes > 0.0))
    return NAN;
  return (measured_bytes - predicted_bytes) / predicted_bytes;
}

/* The agreement band, sampled on a log grid across [lo, hi]: predicted p
 * agrees with measured m when |m - p| <= tolerance (p). Drawn as bytes
 * around y = x, or (as_error) as the percentage of p it allows. */
static bool
add_band (CwChart *chart, const CwChartCompareInput *in, double lo, double hi, bool as_error)
{
  enum { N = 97 };
  double xs[N], below[N], above[N];

  for (int i = 0; i < N; i++)
    {
      double p = exp (log (lo) + (log (hi) - log (lo)) * i / (N - 1));
      double tol = in->tolerance_bytes (p);

      xs[i] = p;
      below[i] = as_error ? -100.0 * tol / p : p - tol;   /* bytes: <= 0 (not drawable on log) below the floor */
      above[i] = as_error ? 100.0 * tol / p : p + tol;
    }
  {
    CwChartLayer *band = cw_chart_area_layer_new (in->tolerance_label != NULL ? in->tolerance_label
                                                  : cw_chart_translate (CW_N_ ("agreement band")),
                                                  xs, below, above, N);
    if (band != NULL)
      cw_chart_layer_set_role (band, CW_CHART_ROLE_MUTED);
    return cw_chart_add_layer (chart, band) != (size_t) -1;
  }
}

/* Both views take the same points: every peak positive and finite, every
 * group named. */
static bool
check_input (const CwChartCompareInput *in, CwError *error)
{
  if (in == NULL || (in->n_points > 0 && in->points == NULL) || (in->n_groups > 0 && in->group_names == NULL))
    {
      cw_error_set (error, CW_ERROR_INVALID, "compare chart: missing input");
      return false;
    }
  for (size_t i = 0; i < in->n_points; i++)
    {
      const CwChartComparePoint *p = &in->points[i];

      if (!(p->predicted_bytes > 0.0) || !isfinite (p->predicted_bytes)
          || !(p->measured_bytes > 0.0) || !isfinite (p->measured_bytes))
        {
          cw_error_set (error, CW_ERROR_INVALID,
                        "compare chart: point %zu needs positive predicted and measured peaks", i);
          return false;
        }
      if (p->group >= in->n_groups)
        {
          cw_error_set (error, CW_ERROR_INVALID, "compare chart: point %zu names group %u of %zu", i,
                        p->group, in->n_groups);
          return false;
        }
    }
  return true;
}

/* One point layer per group (lane), in its hue and marker as on every other
 * chart, tagged with the points' tags: y is the measured peak, or
 * (as_error) the signed error in percent. False when out of memory. */
static bool
add_group_layers (CwChart *chart, const CwChartCompareInput *in, bool as_error)
{
  size_t cap = in->n_points > 0 ? in->n_points : 1;
  double *xs, *ys;
  size_t *tags;
  bool ok = false;

  if (cap > SIZE_MAX / sizeof (double))
    return false;
  xs = malloc (cap * sizeof *xs);
  ys = malloc (cap * sizeof *ys);
  tags = malloc (cap * sizeof *tags);
  if (xs == NULL || ys == NULL || tags == NULL)
    goto out;
  for (size_t g = 0; g < in->n_groups; g++)
    {
      size_t n = 0;
      CwChartLayer *layer;
      CwChartIdentity id;

      for (size_t i = 0; i < in->n_points; i++)
        if (in->points[i].group == g)
          {
            const CwChartComparePoint *p = &in->points[i];

            xs[n] = p->predicted_bytes;
            ys[n] = as_error ? 100.0 * cw_chart_compare_error_fraction (p->predicted_bytes, p->measured_bytes)
                             : p->measured_bytes;
            tags[n] = p->tag;
            n++;
          }
      if (n == 0)
        continue;
      id = cw_chart_identity_for_name (in->group_names[g]);
      layer = cw_chart_point_layer_new (in->group_names[g] != NULL ? in->group_names[g] : "?", xs, ys, n, id.marker);
      if (layer != NULL)
        {
          cw_chart_layer_set_series (layer, id.series);
          if (!cw_chart_point_layer_set_tags (layer, tags, n))
            {
              cw_chart_layer_free (layer);
              layer = NULL;
            }
        }
      if (cw_chart_add_layer (chart, layer) == (size_t) -1)
        goto out;
    }
  ok = true;
out:
  free (xs);
  free (ys);
  free (tags);
  return ok;
}

CwChart *
cw_chart_builder_compare (const CwChartCompareInput *in, CwError *error)
{
  CwChart *chart;
  double lo = INFINITY, hi = -INFINITY;

  if (!check_input (in, error))
    return NULL;
  for (size_t i = 0; i < in->n_points; i++)
    {
      const CwChartComparePoint *p = &in->points[i];

      lo = fmin (lo, fmin (p->predicted_bytes, p->measured_bytes));
      hi = fmax (hi, fmax (p->predicted_bytes, p->measured_bytes));
    }

  chart = cw_chart_new ();
  if (chart == NULL)
    goto oom;
  cw_chart_set_title (chart, in->title != NULL ? in->title : cw_chart_translate (CW_N_ ("Measured against predicted peak")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES, cw_chart_translate (CW_N_ ("predicted peak")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES, cw_chart_translate (CW_N_ ("measured peak")));
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_TOP_LEFT);
  cw_chart_set_empty_message (chart, cw_chart_translate (CW_N_ ("No receipt with both a predicted and a measured peak")));

  if (in->n_points > 0)
    {
      /* y = x across a little more than the data, on both axes alike so the
       * diagonal is the diagonal. */
      double line_x[2] = { lo / 2.0, hi * 2.0 };
      CwChartLayer *diag = cw_chart_line_layer_new (cw_chart_translate (CW_N_ ("y = x (exact prediction)")), line_x, line_x, 2);

      if (diag != NULL)
        {
          cw_chart_layer_set_role (diag, CW_CHART_ROLE_MUTED);
          cw_chart_line_layer_set_dashed (diag, true);
        }
      if (in->tolerance_bytes != NULL && !add_band (chart, in, line_x[0], line_x[1], false))
        {
          cw_chart_layer_free (diag);
          goto oom;
        }
      if (cw_chart_add_layer (chart, diag) == (size_t) -1)
        goto oom;
      cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, line_x[0], line_x[1]);
      cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, line_x[0], line_x[1]);
    }

  if (!add_group_layers (chart, in, false))
    goto oom;
  return chart;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
  cw_chart_free (chart);
  return NULL;
}

/* The error view: on a y = x chart every sample point sits on the diagonal,
 * so the signed error, (measured - predicted) / predicted in percent, is
 * drawn against the predicted peak, with the agreement band as the
 * percentage it allows at each size (the 8 MiB floor makes it wide at small
 * sizes, the 1 % slope flat above 800 MiB). The y range shows twice the
 * band's slope or the largest error, whichever is more, rounded up so both
 * ends are ticks; the band above that is clipped at the plot's edge. */
CwChart *
cw_chart_builder_compare_error (const CwChartCompareInput *in, CwError *error)
{
  const double big = 1125899906842624.0;   /* 2^50 bytes: the rule's slope, far above its floor */
  double lo = INFINITY, hi = -INFINITY, worst = 0.0, span;
  CwChart *chart;

  if (!check_input (in, error))
    return NULL;
  for (size_t i = 0; i < in->n_points; i++)
    {
      const CwChartComparePoint *p = &in->points[i];

      lo = fmin (lo, p->predicted_bytes);
      hi = fmax (hi, p->predicted_bytes);
      worst = fmax (worst, fabs (100.0 * cw_chart_compare_error_fraction (p->predicted_bytes, p->measured_bytes)));
    }

  chart = cw_chart_new ();
  if (chart == NULL)
    goto oom;

  cw_chart_set_title (chart, in->title != NULL ? in->title
                             : cw_chart_translate (CW_N_ ("Error of the measured peak against the prediction")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES,
                     cw_chart_translate (CW_N_ ("predicted peak")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER,
                     cw_chart_translate (CW_N_ ("error (%)")));
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_TOP_RIGHT);
  cw_chart_set_empty_message (chart, cw_chart_translate (CW_N_ ("No receipt with both a predicted and a measured peak")));

  if (in->n_points > 0)
    {
      double zero_x[2], zero_y[2] = { 0.0, 0.0 };
      CwChartLayer *zero;

      lo /= 2.0;
      hi *= 2.0;
      zero_x[0] = lo;
      zero_x[1] = hi;
      span = 1.25 * worst;
      if (in->tolerance_bytes != NULL)
        span = fmax (span, 2.0 * 100.0 * in->tolerance_bytes (big) / big);
      if (!(span > 0.0))
        span = 1.0;
      /* Up to 1 or 2 x 10^n: every tick step the axis may choose (1, 2 or
       * 5 x 10^m, at most the span) divides it, so both ends carry a
       * labelled tick at every size; 5 x 10^n would not with a step of 2. */
      {
        double e = pow (10.0, floor (log10 (span))), m = span / e;

        span = (m <= 1.0 + 1e-9 ? 1.0 : m <= 2.0 + 1e-9 ? 2.0 : 10.0) * e;
      }
      cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, lo, hi);
      cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, -span, span);
      if (in->tolerance_bytes != NULL && !add_band (chart, in, lo, hi, true))
        goto oom;
      zero = cw_chart_line_layer_new (cw_chart_translate (CW_N_ ("0 % (exact prediction)")), zero_x, zero_y, 2);
      if (zero != NULL)
        {
          cw_chart_layer_set_role (zero, CW_CHART_ROLE_MUTED);
          cw_chart_line_layer_set_dashed (zero, true);
        }
      if (cw_chart_add_layer (chart, zero) == (size_t) -1)
        goto oom;
    }

  if (!add_group_layers (chart, in, true))
    goto oom;
  return chart;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
  cw_chart_free (chart);
  return NULL;
}
