/* cw-receipt-charts.c: the adapters of cw-receipt-charts.h. */
#include "cw-receipt-charts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-build-config.h"
#include "cw-chart-builder.h"
#include "cw-git-revision.h"
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
    /* Drawn as the lane (or an external program's profile), as on Compare. */
    in.lane = cw_receipt_is_exec (r) && r->profile[0] ? r->profile : r->lane;
    if (r->status == CW_RECEIPT_STATUS_OOM)
      in.oom_needed_bytes = (double) r->oom_live_bytes + (double) r->oom_request_bytes;
    chart = cw_chart_builder_timeline (&in, error);
  }
  if (chart != NULL)
    {
      char caption[1024];

      cw_receipt_chart_receipt_caption (r, NULL, caption, sizeof caption);
      cw_chart_set_caption (chart, caption);
    }

out:
  free (changes);
  free (mem);
  free (ranges);
  free (kernels);
  return chart;
}

CwReceiptChartFate
cw_receipt_chart_cliff_point (const CwReceipt *r, const CwConfig *config, const CwProfile *const *profiles,
                              size_t n_profiles, CwChartCliffReceipt *pt)
{
  const char *profile = r->profile[0] ? r->profile : cw_receipt_lane_get_profile (r->lane);

  memset (pt, 0, sizeof *pt);
  if (r->status != CW_RECEIPT_STATUS_OK && r->status != CW_RECEIPT_STATUS_OOM)
    return CW_RECEIPT_CHART_NOT_MEMORY;
  if (!cw_config_is_on_sweep (config, &r->config))
    return CW_RECEIPT_CHART_OTHER_CONFIG;
  if (cw_receipt_is_exec (r) && r->exec.range_name[0] == '\0')
    return CW_RECEIPT_CHART_WHOLE_PROGRAM;
  pt->curve = SIZE_MAX;
  for (size_t p = 0; p < n_profiles && profile != NULL; p++)
    if (strcmp (profile, cw_profile_get_name (profiles[p])) == 0)
      pt->curve = p;
  if (pt->curve == SIZE_MAX)
    return CW_RECEIPT_CHART_NO_CURVE;
  pt->sq = (double) r->config.sq;
  pt->oom = r->status == CW_RECEIPT_STATUS_OOM;
  pt->peak_bytes = pt->oom ? (double) r->oom_live_bytes + (double) r->oom_request_bytes
                           : (double) cw_receipt_get_charted_peak (r);
  /* An OOM that recorded no failing request: its prediction. */
  if (pt->oom && !(pt->peak_bytes > 0))
    pt->peak_bytes = (double) r->predicted_peak_bytes;
  if (!(pt->peak_bytes > 0))
    return CW_RECEIPT_CHART_NOT_MEMORY;
  return CW_RECEIPT_CHART_DRAWN;
}

CwReceiptChartFate
cw_receipt_chart_compare_point (const CwReceipt *r, CwChartComparePoint *pt, const char **group_key)
{
  uint64_t cp, cm;

  memset (pt, 0, sizeof *pt);
  *group_key = NULL;
  if (r->status != CW_RECEIPT_STATUS_OK)
    return CW_RECEIPT_CHART_NOT_MEMORY;
  if (cw_receipt_is_exec (r) && r->exec.range_name[0] == '\0')
    return CW_RECEIPT_CHART_WHOLE_PROGRAM;
  if (r->predicted_peak_bytes == 0 || r->measured_peak_bytes == 0)
    return CW_RECEIPT_CHART_UNPREDICTED;
  /* External programs' range receipts: above the range's opening. */
  cw_receipt_get_compared_peaks (r, &cp, &cm);
  pt->predicted_bytes = (double) cp;
  pt->measured_bytes = (double) cm;
  *group_key = cw_receipt_is_exec (r) && r->profile[0] ? r->profile : r->lane;
  return CW_RECEIPT_CHART_DRAWN;
}

static double
band (double predicted_bytes, uint64_t (*rule) (uint64_t))
{
  if (!(predicted_bytes >= 0))
    return 0;
  if (!(predicted_bytes < 1.8e19))
    return (double) rule (1ull << 60) / (double) (1ull << 60) * predicted_bytes;
  return (double) rule ((uint64_t) predicted_bytes);
}

double
cw_receipt_chart_tolerance (double predicted_bytes)
{
  return band (predicted_bytes, cw_receipt_peak_tolerance_bytes);
}

double
cw_receipt_chart_exec_tolerance (double predicted_bytes)
{
  return band (predicted_bytes, cw_receipt_exec_tolerance_bytes);
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

static void
version_text (char *buf, size_t size)
{
  if (strcmp (CW_GIT_REVISION, "unknown") == 0)
    snprintf (buf, size, "Cliffwatch %s", CW_VERSION);
  else
    snprintf (buf, size, "Cliffwatch %s (%.12s)", CW_VERSION, CW_GIT_REVISION);
}

/* The fields that decide a chart, shorter than cw_config_describe so the
 * line fits under a chart of ordinary width. */
static void
compact_config (const CwConfig *c, char *buf, size_t size)
{
  char extra[96] = "";

  if (c->prefix != 0)
    snprintf (extra, sizeof extra, " prefix=%llu", (unsigned long long) c->prefix);
  if (c->ratio > 1)
    snprintf (extra + strlen (extra), sizeof extra - strlen (extra), " ratio=%llu", (unsigned long long) c->ratio);
  snprintf (buf, size, "b=%llu h=%llu d=%llu k=%llu%s %s, q/k %s/%s, scores %s, index %s",
            (unsigned long long) c->b, (unsigned long long) c->h, (unsigned long long) c->d,
            (unsigned long long) c->top_k, extra, cw_causal_get_name (c->causal), cw_dtype_get_name (c->q_dtype),
            cw_dtype_get_name (c->k_dtype), cw_dtype_get_name (c->score_dtype), cw_dtype_get_name (c->index_dtype));
}

void
cw_receipt_chart_plan_caption (const CwConfig *config, const char *preset, const char *engine, const char *gpu,
                               char *buf, size_t size)
{
  char cfg[320], version[96];

  compact_config (config, cfg, sizeof cfg);
  version_text (version, sizeof version);
  snprintf (buf, size, "%s%s%s%s%s: %s \xc2\xb7 %s", preset && preset[0] ? preset : "custom configuration",
            engine && engine[0] ? ", engine " : "", engine && engine[0] ? engine : "",
            gpu && gpu[0] ? ", GPU " : "", gpu && gpu[0] ? gpu : "", cfg, version);
}

void
cw_receipt_chart_receipts_caption (const char *db, size_t n, int64_t first_id, int64_t last_id, char *buf,
                                   size_t size)
{
  char version[96], ids[96] = "";

  version_text (version, sizeof version);
  if (n == 1)
    snprintf (ids, sizeof ids, "receipt %" PRId64, first_id);
  else if (n > 1)
    snprintf (ids, sizeof ids, "%zu receipts, ids %" PRId64 "-%" PRId64, n, first_id, last_id);
  snprintf (buf, size, "%s%s%s%s \xc2\xb7 %s", db ? "database " : "", db ? base_name (db) : "",
            db && ids[0] ? ", " : "", ids, version);
}

void
cw_receipt_chart_receipt_caption (const CwReceipt *r, const char *db, char *buf, size_t size)
{
  char cfg[320], version[96];

  compact_config (&r->config, cfg, sizeof cfg);
  version_text (version, sizeof version);
  snprintf (buf, size, "%s%s%sreceipt %" PRId64 " (%s, sq %" PRIu64 "), %s: %s \xc2\xb7 %s", db ? "database " : "",
            db ? base_name (db) : "", db ? ", " : "", r->id, r->lane, r->config.sq,
            r->provenance.gpu_name[0] ? r->provenance.gpu_name : "unknown GPU", cfg, version);
}
