/* cw-chart-builder-cliff.c: the cliff chart — predicted peak vs sq for each
 * profile on log-log axes, the usable-HBM line, each profile's cliff marked,
 * the planned sq marked, and measured receipts on top (ok receipts in
 * their profile's marker, crosses OOM, both in their profile's colour).
 * The y axis ends a little above the usable line (or the highest receipt):
 * a curve that goes on above it gets an off-scale marker where it leaves. */
#include "cw-chart-builder.h"
#include "cw-chart-i18n.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

/* Adds `layer` or reports OOM; the chart frees the layer either way. */
static bool
add_or_fail (CwChart *chart, CwChartLayer *layer, CwError *error)
{
  if (cw_chart_add_layer (chart, layer) == (size_t) -1)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
      return false;
    }
  return true;
}

/* One point layer holding the receipts of curve `want` (SIZE_MAX - 1:
 * without a curve) that are OOM or not, as `want_oom` says. */
static bool
add_receipt_layer (CwChart *chart, const CwChartCliffInput *in, size_t want, bool want_oom, const char *label,
                   CwChartMarker marker, CwChartColorRole role, unsigned series, CwError *error)
{
  double *xs = NULL, *ys = NULL;
  size_t *tags = NULL, n = 0;
  CwChartLayer *layer;
  bool ok = false;

  size_t cap = in->n_receipts > 0 ? in->n_receipts : 1;

  if (cap <= SIZE_MAX / sizeof (double))
    {
      xs = malloc (cap * sizeof *xs);
      ys = malloc (cap * sizeof *ys);
      tags = malloc (cap * sizeof *tags);
    }
  if (xs == NULL || ys == NULL || tags == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
      goto out;
    }
  for (size_t i = 0; i < in->n_receipts; i++)
    {
      const CwChartCliffReceipt *r = &in->receipts[i];
      size_t group = r->curve < in->n_curves ? r->curve : SIZE_MAX - 1;

      if (group != want || r->oom != want_oom)
        continue;
      xs[n] = r->sq;
      ys[n] = r->peak_bytes;
      tags[n] = r->tag;
      n++;
    }
  if (n == 0)
    {
      ok = true;
      goto out;
    }
  layer = cw_chart_point_layer_new (label, xs, ys, n, marker);
  if (layer != NULL)
    {
      cw_chart_layer_set_series (layer, series);
      if (role != CW_CHART_ROLE_SERIES)
        cw_chart_layer_set_role (layer, role);
      if (!cw_chart_point_layer_set_tags (layer, tags, n))
        {
          cw_chart_layer_free (layer);
          layer = NULL;
        }
    }
  ok = add_or_fail (chart, layer, error);
out:
  free (xs);
  free (ys);
  free (tags);
  return ok;
}

CwChart *
cw_chart_builder_cliff (const CwChartCliffInput *in, CwError *error)
{
  CwChart *chart;
  char text[256], value[64];
  unsigned cliff_row = 0;

  if (in == NULL || (in->n_curves > 0 && in->curves == NULL) || (in->n_receipts > 0 && in->receipts == NULL))
    {
      cw_error_set (error, CW_ERROR_INVALID, "cliff chart: missing input");
      return NULL;
    }
  if (!(in->usable_bytes > 0.0) || !isfinite (in->usable_bytes))
    {
      cw_error_set (error, CW_ERROR_INVALID, "cliff chart: usable HBM must be a positive number of bytes");
      return NULL;
    }
  for (size_t i = 0; i < in->n_curves; i++)
    {
      const CwChartCliffCurve *c = &in->curves[i];
      if (c->name == NULL || (c->n > 0 && (c->sq == NULL || c->peak_bytes == NULL)))
        {
          cw_error_set (error, CW_ERROR_INVALID, "cliff chart: curve %zu has no name or no samples", i);
          return NULL;
        }
    }

  chart = cw_chart_new ();
  if (chart == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
      return NULL;
    }
  cw_chart_set_title (chart, in->title != NULL ? in->title : cw_chart_translate (CW_N_ ("Predicted peak memory against context length")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_TOKENS,
                     cw_chart_translate (CW_N_ ("sq (query tokens)")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES, cw_chart_translate (CW_N_ ("peak HBM")));
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_TOP_LEFT);
  cw_chart_set_empty_message (chart, cw_chart_translate (CW_N_ ("No profiles selected")));

  /* Usable HBM first, so curves draw over it. */
  cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, in->usable_bytes, 2, value, sizeof value);
  if (in->gpu_name != NULL && in->gpu_name[0] != '\0')
    snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("usable HBM %s (%s)")), value, in->gpu_name);
  else
    snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("usable HBM %s")), value);
  {
    CwChartLayer *limit = cw_chart_hline_layer_new (text, in->usable_bytes);
    if (limit != NULL)
      cw_chart_layer_set_role (limit, CW_CHART_ROLE_LIMIT);
    if (!add_or_fail (chart, limit, error))
      goto fail;
  }

  for (size_t i = 0; i < in->n_curves; i++)
    {
      const CwChartCliffCurve *c = &in->curves[i];
      CwChartLayer *line;

      if (!c->fits_at_all)
        snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("%s (does not fit at any sq)")), c->name);
      else if (c->cliff_in_range)
        {
          cw_chart_format_count (c->cliff_sq, value, sizeof value);
          /* Translators: profile name, then the grouped largest sq that fits */
          snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("%s (cliff at sq %s)")), c->name, value);
        }
      else
        snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("%s (fits across the range)")), c->name);
      line = cw_chart_line_layer_new (text, c->sq, c->peak_bytes, c->n);
      /* The profile's own hue and pattern, as on every other chart; a
       * marker where it leaves the clipped y range. */
      if (line != NULL)
        {
          cw_chart_layer_set_identity (line, cw_chart_identity_for_name (c->name));
          cw_chart_line_layer_set_mark_off_scale (line, true);
        }
      if (!add_or_fail (chart, line, error))
        goto fail;
    }

  /* Cliff markers, each in its own label row. */
  for (size_t i = 0; i < in->n_curves; i++)
    {
      const CwChartCliffCurve *c = &in->curves[i];
      CwChartLayer *cliff;

      if (!c->fits_at_all || !c->cliff_in_range || c->cliff_sq == 0)
        continue;
      cw_chart_format_count (c->cliff_sq, value, sizeof value);
      /* Translators: profile name, then the grouped largest sq that fits */
      snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("%s cliff: sq %s")), c->name, value);
      cliff = cw_chart_vline_layer_new (text, (double) c->cliff_sq);
      if (cliff != NULL)
        {
          cw_chart_layer_set_series (cliff, cw_chart_identity_for_name (c->name).series);
          cw_chart_vline_layer_set_label_row (cliff, cliff_row++);
        }
      if (!add_or_fail (chart, cliff, error))
        goto fail;
    }

  for (size_t i = 0; i < in->n_curves; i++)
    {
      CwChartIdentity id = cw_chart_identity_for_name (in->curves[i].name);

      snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("%s receipts")), in->curves[i].name);
      if (!add_receipt_layer (chart, in, i, false, text, id.marker, CW_CHART_ROLE_SERIES, id.series, error))
        goto fail;
      /* An OOM in its profile's colour, so it reads as that lane's. */
      snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("%s OOM receipts")), in->curves[i].name);
      if (!add_receipt_layer (chart, in, i, true, text, CW_CHART_MARKER_CROSS, CW_CHART_ROLE_SERIES, id.series,
                              error))
        goto fail;
    }
  /* Receipts of no profile drawn are grey: no lane's colour. */
  if (!add_receipt_layer (chart, in, SIZE_MAX - 1, false, cw_chart_translate (CW_N_ ("other receipts")),
                          CW_CHART_MARKER_SQUARE, CW_CHART_ROLE_MUTED, 0, error)
      || !add_receipt_layer (chart, in, SIZE_MAX - 1, true, cw_chart_translate (CW_N_ ("OOM receipts")),
                             CW_CHART_MARKER_CROSS, CW_CHART_ROLE_MUTED, 0, error))
    goto fail;

  if (in->current_sq > 0 && isfinite (in->current_sq))
    {
      CwChartLayer *here;

      cw_chart_format_value (CW_CHART_UNIT_TOKENS, in->current_sq, value, sizeof value);
      snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("planned sq %s")), value);
      here = cw_chart_vline_layer_new (text, in->current_sq);
      if (here != NULL)
        {
          cw_chart_layer_set_role (here, CW_CHART_ROLE_MUTED);
          cw_chart_rule_layer_set_dashed (here, true);
          cw_chart_vline_layer_set_label_row (here, cliff_row++);
        }
      if (!add_or_fail (chart, here, error))
        goto fail;
    }

  /* y: from the smallest sample to the headroom above the usable line. */
  {
    double lo = INFINITY, hi = 0, top = in->usable_bytes * CW_CHART_CLIFF_Y_HEADROOM;

    for (size_t i = 0; i < in->n_curves; i++)
      for (size_t j = 0; j < in->curves[i].n; j++)
        if (in->curves[i].peak_bytes[j] > 0)
          {
            lo = fmin (lo, in->curves[i].peak_bytes[j]);
            hi = fmax (hi, in->curves[i].peak_bytes[j]);
          }
    for (size_t i = 0; i < in->n_receipts; i++)
      if (in->receipts[i].peak_bytes > 0)
        {
          lo = fmin (lo, in->receipts[i].peak_bytes);
          top = fmax (top, in->receipts[i].peak_bytes * 1.5);
          hi = fmax (hi, in->receipts[i].peak_bytes);
        }
    if (isfinite (lo) && hi > top && lo < top)
      cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, fmin (lo, in->usable_bytes) / 1.5, top);
  }
  return chart;

fail:
  cw_chart_free (chart);
  return NULL;
}
