/* cw-chart-builder-timeline.c: the memory timeline of one receipt — live
 * bytes over time replayed from the alloc/free trace, NVTX ranges as bands,
 * kernels as ticks, and the measured and predicted peaks as rules. */
#include "cw-chart-builder.h"
#include "cw-chart-i18n.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Seconds from origin, subtracting in integers first: CUPTI timestamps are
 * ~1e18 ns and a double cannot hold them to the nanosecond. */
static double
seconds_since (uint64_t t, uint64_t origin)
{
  return t >= origin ? (double) (t - origin) * 1e-9 : -((double) (origin - t) * 1e-9);
}

typedef struct {
  const CwChartMemoryEvent *event;
  size_t order;
} SortedEvent;

static int
compare_events (const void *a, const void *b)
{
  const SortedEvent *x = a, *y = b;

  if (x->event->t_ns != y->event->t_ns)
    return x->event->t_ns < y->event->t_ns ? -1 : 1;
  /* Stable: equal times keep trace order. */
  return x->order < y->order ? -1 : x->order > y->order;
}

/* Replays the allocator over in's events: xs/ys the live-bytes step from
 * the origin (or the first event, if earlier) to the end of the lane (the
 * last event, range or kernel), *peak its highest value. The arrays are
 * freed with free(). */
static bool
replay (const CwChartTimelineInput *in, double **xs_out, double **ys_out, size_t *n_out, uint64_t *peak_out,
        CwError *error)
{
  SortedEvent *sorted = NULL;
  double *xs = NULL, *ys = NULL;
  size_t n = 0;
  uint64_t live, peak, end_ns;

  if (in == NULL || (in->n_events > 0 && in->events == NULL) || (in->n_ranges > 0 && in->ranges == NULL)
      || (in->n_kernels > 0 && in->kernels == NULL))
    {
      cw_error_set (error, CW_ERROR_INVALID, "timeline chart: missing input");
      return false;
    }
  if (in->n_events > SIZE_MAX / sizeof (SortedEvent) - 2)
    goto oom;

  sorted = malloc ((in->n_events + 1) * sizeof *sorted);
  xs = malloc ((in->n_events + 2) * sizeof *xs);
  ys = malloc ((in->n_events + 2) * sizeof *ys);
  if (sorted == NULL || xs == NULL || ys == NULL)
    goto oom;
  for (size_t i = 0; i < in->n_events; i++)
    {
      sorted[i].event = &in->events[i];
      sorted[i].order = i;
    }
  qsort (sorted, in->n_events, sizeof *sorted, compare_events);

  /* Replay the allocator: the step starts at the origin (or the first
   * event, if earlier) with what was live before the trace. */
  live = peak = in->live_bytes_at_origin;
  end_ns = in->origin_ns;
  xs[n] = in->n_events > 0 && sorted[0].event->t_ns < in->origin_ns
          ? seconds_since (sorted[0].event->t_ns, in->origin_ns) : 0.0;
  ys[n++] = (double) live;
  for (size_t i = 0; i < in->n_events; i++)
    {
      const CwChartMemoryEvent *e = sorted[i].event;

      if (e->is_free)
        {
          if (e->bytes > live)
            {
              cw_error_set (error, CW_ERROR_CORRUPT,
                            "timeline: a free of %llu bytes at +%.6f s exceeds the %llu bytes live "
                            "(the trace misses allocations)",
                            (unsigned long long) e->bytes, seconds_since (e->t_ns, in->origin_ns),
                            (unsigned long long) live);
              goto fail;
            }
          live -= e->bytes;
        }
      else
        {
          if (e->bytes > UINT64_MAX - live)
            {
              cw_error_set (error, CW_ERROR_CORRUPT,
                            "timeline: live bytes overflow uint64 at +%.6f s",
                            seconds_since (e->t_ns, in->origin_ns));
              goto fail;
            }
          live += e->bytes;
        }
      if (live > peak)
        peak = live;
      if (e->t_ns > end_ns)
        end_ns = e->t_ns;
      xs[n] = seconds_since (e->t_ns, in->origin_ns);
      ys[n++] = (double) live;
    }
  for (size_t i = 0; i < in->n_ranges; i++)
    if (in->ranges[i].end_ns > end_ns)
      end_ns = in->ranges[i].end_ns;
  for (size_t i = 0; i < in->n_kernels; i++)
    if (in->kernels[i].end_ns > end_ns)
      end_ns = in->kernels[i].end_ns;
  /* Hold the last value to the end of the lane. */
  xs[n] = seconds_since (end_ns, in->origin_ns);
  if (xs[n] < xs[n - 1])
    xs[n] = xs[n - 1];
  ys[n] = ys[n - 1];
  n++;

  free (sorted);
  *xs_out = xs;
  *ys_out = ys;
  *n_out = n;
  *peak_out = peak;
  return true;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
fail:
  free (sorted);
  free (xs);
  free (ys);
  return false;
}

CwChart *
cw_chart_builder_timeline (const CwChartTimelineInput *in, CwError *error)
{
  CwChart *chart = NULL;
  double *xs = NULL, *ys = NULL;
  size_t n = 0;
  uint64_t peak;
  char text[160], value[64];
  CwChartLayer *layer;

  if (!replay (in, &xs, &ys, &n, &peak, error))
    return NULL;

  chart = cw_chart_new ();
  if (chart == NULL)
    goto oom;
  cw_chart_set_title (chart, in->title != NULL ? in->title : cw_chart_translate (CW_N_ ("Memory timeline")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_SECONDS,
                     cw_chart_translate (CW_N_ ("time since lane start")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_BYTES, cw_chart_translate (CW_N_ ("live bytes")));
  cw_chart_set_axis_include_zero (chart, CW_CHART_AXIS_Y, true);
  /* Below: the plot keeps the whole width, which a timeline needs more
   * than height (the workbench's detail pane is narrow). */
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_BELOW);

  if (in->n_ranges > 0)
    {
      layer = cw_chart_band_layer_new (cw_chart_translate (CW_N_ ("NVTX ranges")));
      if (layer == NULL)
        goto oom;
      cw_chart_layer_set_series (layer, 2);
      for (size_t i = 0; i < in->n_ranges; i++)
        {
          const CwChartTimelineRange *r = &in->ranges[i];
          if (r->end_ns < r->start_ns)
            {
              cw_chart_layer_free (layer);
              cw_error_set (error, CW_ERROR_CORRUPT, "timeline: range %zu ('%s') ends before it starts", i,
                            r->name != NULL ? r->name : "");
              goto fail;
            }
          if (!cw_chart_band_layer_add (layer, seconds_since (r->start_ns, in->origin_ns),
                                        seconds_since (r->end_ns, in->origin_ns), r->depth, r->name))
            {
              cw_chart_layer_free (layer);
              goto oom;
            }
        }
      if (cw_chart_add_layer (chart, layer) == (size_t) -1)
        goto oom;
    }

  layer = cw_chart_step_layer_new (cw_chart_translate (CW_N_ ("live bytes")), xs, ys, n);
  if (layer != NULL)
    cw_chart_layer_set_series (layer, cw_chart_identity_for_name (in->lane).series);
  if (cw_chart_add_layer (chart, layer) == (size_t) -1)
    goto oom;

  cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, (double) peak, 2, value, sizeof value);
  snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("measured peak %s")), value);
  layer = cw_chart_hline_layer_new (text, (double) peak);
  if (layer != NULL)
    cw_chart_layer_set_series (layer, cw_chart_identity_for_name (in->lane).series);
  if (cw_chart_add_layer (chart, layer) == (size_t) -1)
    goto oom;

  if (in->predicted_peak_bytes > 0.0 && isfinite (in->predicted_peak_bytes))
    {
      cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, in->predicted_peak_bytes, 2, value, sizeof value);
      snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("predicted peak %s")), value);
      layer = cw_chart_hline_layer_new (text, in->predicted_peak_bytes);
      if (layer != NULL)
        {
          cw_chart_layer_set_role (layer, CW_CHART_ROLE_MUTED);
          /* Left, so it stays readable when it coincides with the measured peak. */
          cw_chart_hline_layer_set_label_left (layer, true);
        }
      if (cw_chart_add_layer (chart, layer) == (size_t) -1)
        goto oom;
    }

  if (in->oom_needed_bytes > 0.0 && isfinite (in->oom_needed_bytes))
    {
      cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, in->oom_needed_bytes, 2, value, sizeof value);
      snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("out of memory: needed %s")), value);
      layer = cw_chart_hline_layer_new (text, in->oom_needed_bytes);
      if (layer != NULL)
        cw_chart_layer_set_role (layer, CW_CHART_ROLE_OOM);
      if (cw_chart_add_layer (chart, layer) == (size_t) -1)
        goto oom;
    }

  /* Headroom above the highest line for the NVTX rows at the top. */
  {
    double top = fmax ((double) peak, 0.0);
    if (in->predicted_peak_bytes > top && isfinite (in->predicted_peak_bytes))
      top = in->predicted_peak_bytes;
    if (in->oom_needed_bytes > top && isfinite (in->oom_needed_bytes))
      top = in->oom_needed_bytes;
    unsigned max_depth = 0;

    for (size_t i = 0; i < in->n_ranges; i++)
      if (in->ranges[i].depth > max_depth)
        max_depth = in->ranges[i].depth;
    /* A row per nesting level (up to three) above the peaks, clear of the
     * peak rules' labels, so the names of the sub-ranges have room. */
    if (top > 0.0)
      cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, 0.0,
                               top * (in->n_ranges > 0 ? 1.12 + 0.1 * (max_depth < 2 ? max_depth + 1 : 3) : 1.08));
  }

  if (in->n_kernels > 0)
    {
      layer = cw_chart_tick_layer_new (cw_chart_translate (CW_N_ ("kernels")));
      if (layer == NULL)
        goto oom;
      for (size_t i = 0; i < in->n_kernels; i++)
        {
          const CwChartTimelineKernel *k = &in->kernels[i];
          if (k->end_ns < k->start_ns
              || !cw_chart_tick_layer_add (layer, seconds_since (k->start_ns, in->origin_ns),
                                           seconds_since (k->end_ns, in->origin_ns)))
            {
              cw_chart_layer_free (layer);
              if (k->end_ns < k->start_ns)
                {
                  cw_error_set (error, CW_ERROR_CORRUPT, "timeline: kernel %zu ends before it starts", i);
                  goto fail;
                }
              goto oom;
            }
        }
      if (cw_chart_add_layer (chart, layer) == (size_t) -1)
        goto oom;
    }

  free (xs);
  free (ys);
  return chart;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
fail:
  free (xs);
  free (ys);
  cw_chart_free (chart);
  return NULL;
}

CwChart *
cw_chart_builder_timeline_pair (const CwChartTimelineInput *a, const CwChartTimelineInput *b, const char *title,
                                CwError *error)
{
  const CwChartTimelineInput *in[2] = { a, b };
  double *xs[2] = { NULL, NULL }, *ys[2] = { NULL, NULL };
  size_t n[2] = { 0, 0 };
  uint64_t peak[2] = { 0, 0 };
  unsigned series[2];
  CwChart *chart = NULL;
  CwChartLayer *layer;
  char text[320], value[64];

  for (int i = 0; i < 2; i++)
    if (!replay (in[i], &xs[i], &ys[i], &n[i], &peak[i], error))
      goto fail;
  /* Each in its lane's colour; two receipts of one lane keep them apart
   * by giving the second the next hue. */
  series[0] = cw_chart_identity_for_name (a->lane).series;
  series[1] = cw_chart_identity_for_name (b->lane).series;
  if (series[1] == series[0])
    series[1] = (series[0] + 1) % CW_CHART_N_HUES;

  chart = cw_chart_new ();
  if (chart == NULL)
    goto oom;
  cw_chart_set_title (chart, title != NULL ? title : cw_chart_translate (CW_N_ ("Memory timelines")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_SECONDS,
                     cw_chart_translate (CW_N_ ("time since lane start")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_BYTES,
                     cw_chart_translate (CW_N_ ("live bytes")));
  cw_chart_set_axis_include_zero (chart, CW_CHART_AXIS_Y, true);
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_BELOW);

  for (int i = 0; i < 2; i++)
    {
      const char *name = in[i]->title != NULL ? in[i]->title : (i == 0 ? "A" : "B");

      layer = cw_chart_step_layer_new (name, xs[i], ys[i], n[i]);
      if (layer != NULL)
        cw_chart_layer_set_series (layer, series[i]);
      if (cw_chart_add_layer (chart, layer) == (size_t) -1)
        goto oom;
    }
  for (int i = 0; i < 2; i++)
    {
      const char *name = in[i]->title != NULL ? in[i]->title : (i == 0 ? "A" : "B");

      cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, (double) peak[i], 2, value, sizeof value);
      /* Translators: a receipt's short name (its id and lane), then its measured peak */
      snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("%s: peak %s")), name, value);
      layer = cw_chart_hline_layer_new (text, (double) peak[i]);
      if (layer != NULL)
        {
          cw_chart_layer_set_series (layer, series[i]);
          cw_chart_layer_set_in_legend (layer, false);
          /* The second's label on the other side, so equal peaks keep both. */
          cw_chart_hline_layer_set_label_left (layer, i == 1);
        }
      if (cw_chart_add_layer (chart, layer) == (size_t) -1)
        goto oom;
    }
  {
    double top = (double) (peak[0] > peak[1] ? peak[0] : peak[1]);

    if (top > 0.0)
      cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, 0.0, top * 1.12);
  }
  for (int i = 0; i < 2; i++)
    {
      free (xs[i]);
      free (ys[i]);
    }
  return chart;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
fail:
  for (int i = 0; i < 2; i++)
    {
      free (xs[i]);
      free (ys[i]);
    }
  cw_chart_free (chart);
  return NULL;
}
