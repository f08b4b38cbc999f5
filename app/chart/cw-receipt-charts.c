/* cw-receipt-charts.c: the adapters of cw-receipt-charts.h. */
#include "cw-receipt-charts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cw-chart-builder.h"
#include "cw-chart-i18n.h"

CwChart *
cw_receipt_chart_timeline (const CwReceipt *r, CwError *error)
{
  CwLiveChange *changes = NULL;
  CwChartMemoryEvent *mem = NULL;
  CwChartTimelineRange *ranges = NULL;
  CwChartTimelineKernel *kernels = NULL;
  size_t n_changes = 0, n_ranges = 0, n_kernels = 0, cap;
  uint64_t origin = UINT64_MAX, lane_origin = UINT64_MAX;
  CwChart *chart = NULL;
  char title[320];

  if (!cw_receipt_get_live_changes (r, &changes, &n_changes, error))
    return NULL;
  cap = r->n_events > 0 ? r->n_events : 1;
  mem = calloc (n_changes > 0 ? n_changes : 1, sizeof *mem);
  ranges = calloc (cap, sizeof *ranges);
  kernels = calloc (cap, sizeof *kernels);
  if (mem == NULL || ranges == NULL || kernels == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory reading the trace");
      goto out;
    }
  for (size_t i = 0; i < n_changes; i++)
    mem[i] = (CwChartMemoryEvent) { changes[i].t_ns, changes[i].bytes, changes[i].is_free };
  for (size_t i = 0; i < r->n_events; i++)
    {
      const CwTraceEvent *ev = &r->events[i];

      if (ev->start_ns < origin)
        origin = ev->start_ns;
      if (ev->kind == CW_TRACE_RANGE)
        {
          ranges[n_ranges++] = (CwChartTimelineRange) { ev->start_ns, ev->end_ns,
                                                        ev->depth > 0 ? (unsigned) ev->depth : 0, ev->name };
          if (ev->depth <= 0 && ev->start_ns < lane_origin)
            lane_origin = ev->start_ns;
        }
      else if (ev->kind == CW_TRACE_KERNEL)
        kernels[n_kernels++] = (CwChartTimelineKernel) { ev->start_ns, ev->end_ns };
    }
  if (n_changes == 0 && n_ranges == 0 && n_kernels == 0)
    {
      cw_error_set (error, CW_ERROR_NOT_FOUND, "receipt %" PRId64 " has no trace to draw (stored without one)",
                    r->id);
      goto out;
    }
  if (lane_origin != UINT64_MAX)
    origin = lane_origin;
  {
    char id[32], sq[32];

    snprintf (id, sizeof id, "%" PRId64, r->id);
    snprintf (sq, sizeof sq, "%" PRIu64, r->config.sq);
    /* Translators: receipt number, lane, sq, status */
    snprintf (title, sizeof title, cw_chart_translate (CW_N_ ("Memory timeline: receipt %s, %s, sq %s (%s)")), id,
              r->lane, sq, cw_receipt_status_get_name (r->status));
  }
  {
    CwChartTimelineInput in = { 0 };

    in.title = title;
    in.origin_ns = origin;
    in.events = mem;
    in.n_events = n_changes;
    in.ranges = ranges;
    in.n_ranges = n_ranges;
    in.kernels = kernels;
    in.n_kernels = n_kernels;
    in.predicted_peak_bytes = (double) r->predicted_peak_bytes;
    if (r->status == CW_RECEIPT_STATUS_OOM)
      in.oom_needed_bytes = (double) r->oom_live_bytes + (double) r->oom_request_bytes;
    chart = cw_chart_builder_timeline (&in, error);
  }

out:
  free (changes);
  free (mem);
  free (ranges);
  free (kernels);
  return chart;
}
