/* cw-receipt-charts.c: the adapters of cw-receipt-charts.h. */
#include "cw-receipt-charts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-chart-builder.h"
#include "cw-chart-i18n.h"

CwChart *
cw_receipt_chart_timeline (const CwReceipt *r, CwError *error)
{
  return cw_receipt_chart_timeline_in (r, NULL, error);
}

/* A receipt's trace as the timeline builder's input; its arrays owned
 * here (timeline_data_clear). */
typedef struct {
  CwLiveChange         *changes;
  CwChartMemoryEvent   *mem;
  CwChartTimelineRange *ranges;
  CwChartTimelineKernel *kernels;
  CwChartTimelineInput  in;
} TimelineData;

static void
timeline_data_clear (TimelineData *t)
{
  free (t->changes);
  free (t->mem);
  free (t->ranges);
  free (t->kernels);
  memset (t, 0, sizeof *t);
}

/* Fills t from r's trace; t->in.title is left to the caller. */
static bool
timeline_data_init (TimelineData *t, const CwReceipt *r, CwError *error)
{
  size_t n_changes = 0, n_ranges = 0, n_kernels = 0, cap;
  uint64_t origin = UINT64_MAX, lane_origin = UINT64_MAX;

  memset (t, 0, sizeof *t);
  if (!cw_receipt_get_live_changes (r, &t->changes, &n_changes, error))
    return false;
  cap = r->n_events > 0 ? r->n_events : 1;
  t->mem = calloc (n_changes > 0 ? n_changes : 1, sizeof *t->mem);
  t->ranges = calloc (cap, sizeof *t->ranges);
  t->kernels = calloc (cap, sizeof *t->kernels);
  if (t->mem == NULL || t->ranges == NULL || t->kernels == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory reading the trace");
      timeline_data_clear (t);
      return false;
    }
  for (size_t i = 0; i < n_changes; i++)
    t->mem[i] = (CwChartMemoryEvent) { t->changes[i].t_ns, t->changes[i].bytes, t->changes[i].is_free };
  for (size_t i = 0; i < r->n_events; i++)
    {
      const CwTraceEvent *ev = &r->events[i];

      if (ev->start_ns < origin)
        origin = ev->start_ns;
      if (ev->kind == CW_TRACE_RANGE)
        {
          t->ranges[n_ranges++] = (CwChartTimelineRange) { ev->start_ns, ev->end_ns,
                                                           ev->depth > 0 ? (unsigned) ev->depth : 0, ev->name };
          if (ev->depth <= 0 && ev->start_ns < lane_origin)
            lane_origin = ev->start_ns;
        }
      else if (ev->kind == CW_TRACE_KERNEL)
        t->kernels[n_kernels++] = (CwChartTimelineKernel) { ev->start_ns, ev->end_ns };
    }
  if (n_changes == 0 && n_ranges == 0 && n_kernels == 0)
    {
      cw_error_set (error, CW_ERROR_NOT_FOUND, "receipt %" PRId64 " has no trace to draw (stored without one)",
                    r->id);
      timeline_data_clear (t);
      return false;
    }
  if (lane_origin != UINT64_MAX)
    origin = lane_origin;
  t->in.origin_ns = origin;
  t->in.events = t->mem;
  t->in.n_events = n_changes;
  t->in.ranges = t->ranges;
  t->in.n_ranges = n_ranges;
  t->in.kernels = t->kernels;
  t->in.n_kernels = n_kernels;
  t->in.predicted_peak_bytes = (double) r->predicted_peak_bytes;
  /* Drawn as the lane (or an external program's profile), as on Compare. */
  t->in.lane = cw_receipt_is_exec (r) && r->profile[0] ? r->profile : r->lane;
  if (r->status == CW_RECEIPT_STATUS_OOM)
    t->in.oom_needed_bytes = (double) r->oom_live_bytes + (double) r->oom_request_bytes;
  return true;
}

CwChart *
cw_receipt_chart_timeline_in (const CwReceipt *r, const char *db, CwError *error)
{
  TimelineData t;
  CwChart *chart;
  char title[320];

  if (!timeline_data_init (&t, r, error))
    return NULL;
  {
    char id[32], sq[CW_CHART_COUNT_MAX];

    snprintf (id, sizeof id, "%" PRId64, r->id);
    cw_chart_format_count (r->config.sq, sq, sizeof sq);
    /* Translators: receipt number, lane, sq, status */
    snprintf (title, sizeof title, cw_chart_translate (CW_N_ ("Memory timeline: receipt %s, %s, sq %s (%s)")), id,
              r->lane, sq, cw_receipt_status_get_name (r->status));
  }
  t.in.title = title;
  chart = cw_chart_builder_timeline (&t.in, error);
  if (chart != NULL)
    {
      char caption[1024];

      cw_receipt_chart_receipt_caption (r, db, caption, sizeof caption);
      cw_chart_set_caption (chart, caption);
    }
  timeline_data_clear (&t);
  return chart;
}

static const char *base_name (const char *path);

/* "receipt 17, fused", or "receipt 17 of runs.db, fused" when both
 * receipts have one id (from two databases). */
static void
pair_name (const CwReceipt *r, const char *db, bool same_id, char *buf, size_t size)
{
  char id[32];

  snprintf (id, sizeof id, "%" PRId64, r->id);
  if (same_id && db != NULL)
    /* Translators: receipt id, its database file, its lane */
    snprintf (buf, size, cw_chart_translate (CW_N_ ("receipt %s of %s, %s")), id, base_name (db), r->lane);
  else
    /* Translators: receipt id, its lane */
    snprintf (buf, size, cw_chart_translate (CW_N_ ("receipt %s, %s")), id, r->lane);
}

/* "database FILE, receipt 17 (fused, sq 65,536), NVIDIA H200" */
static void
pair_caption_part (const CwReceipt *r, const char *db, char *buf, size_t size)
{
  char id[32], sq[CW_CHART_COUNT_MAX], what[512];

  snprintf (id, sizeof id, "%" PRId64, r->id);
  cw_chart_format_count (r->config.sq, sq, sizeof sq);
  snprintf (what, sizeof what, cw_chart_translate (CW_N_ ("receipt %s (%s, sq %s), %s")), id, r->lane, sq,
            r->provenance.gpu_name[0] ? r->provenance.gpu_name : cw_chart_translate (CW_N_ ("unknown GPU")));
  if (db != NULL)
    {
      char database[320];

      snprintf (database, sizeof database, cw_chart_translate (CW_N_ ("database %s")), base_name (db));
      snprintf (buf, size, "%s, %s", database, what);
    }
  else
    snprintf (buf, size, "%s", what);
}

void
cw_receipt_chart_pair_caption (const CwReceipt *a, const char *db_a, const CwReceipt *b, const char *db_b,
                               char *buf, size_t size)
{
  char pa[900], pb[900], version[96];

  pair_caption_part (a, db_a, pa, sizeof pa);
  pair_caption_part (b, db_b, pb, sizeof pb);
  cw_chart_version_text (version, sizeof version);
  /* Translators: the two receipts a comparison shows, then the version */
  snprintf (buf, size, cw_chart_translate (CW_N_ ("%s against %s")), pa, pb);
  snprintf (buf + strlen (buf), size - strlen (buf), " \xc2\xb7 %s", version);
}

CwChart *
cw_receipt_chart_timeline_pair (const CwReceipt *a, const char *db_a, const CwReceipt *b, const char *db_b,
                                CwError *error)
{
  TimelineData ta, tb;
  CwChart *chart = NULL;
  char name_a[400], name_b[400], title[900];
  bool same_id = a->id == b->id;

  if (!timeline_data_init (&ta, a, error))
    return NULL;
  if (!timeline_data_init (&tb, b, error))
    {
      timeline_data_clear (&ta);
      return NULL;
    }
  pair_name (a, db_a, same_id, name_a, sizeof name_a);
  pair_name (b, db_b, same_id, name_b, sizeof name_b);
  ta.in.title = name_a;
  tb.in.title = name_b;
  /* Translators: two receipts' short names ("receipt 17, fused") */
  snprintf (title, sizeof title, cw_chart_translate (CW_N_ ("Memory timelines: %s and %s")), name_a, name_b);
  chart = cw_chart_builder_timeline_pair (&ta.in, &tb.in, title, error);
  if (chart != NULL)
    {
      char caption[2048];

      cw_receipt_chart_pair_caption (a, db_a, b, db_b, caption, sizeof caption);
      if (!cw_chart_set_caption (chart, caption))
        {
          cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
          cw_chart_free (chart);
          chart = NULL;
        }
    }
  timeline_data_clear (&ta);
  timeline_data_clear (&tb);
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

void
cw_receipt_chart_plan_caption (const CwConfig *config, const char *preset, const char *engine, const char *gpu,
                               char *buf, size_t size)
{
  CwChartPlanSource source = { config, preset, engine, gpu, NULL, false };

  cw_chart_plan_caption (&source, buf, size);
}

/* "database NAME, " or "" */
static void
database_text (const char *db, char *buf, size_t size)
{
  cw_chart_receipts_text (db, 0, 0, 0, buf, size);
}

void
cw_receipt_chart_receipts_caption (const char *db, size_t n, int64_t first_id, int64_t last_id, char *buf,
                                   size_t size)
{
  char version[96], what[512];

  cw_chart_version_text (version, sizeof version);
  cw_chart_receipts_text (db, n, first_id, last_id, what, sizeof what);
  snprintf (buf, size, "%s \xc2\xb7 %s", what, version);
}

void
cw_receipt_chart_receipt_caption (const CwReceipt *r, const char *db, char *buf, size_t size)
{
  char cfg[320], version[96], database[320], id[32], sq[CW_CHART_COUNT_MAX], what[512];

  cw_chart_config_caption (&r->config, cfg, sizeof cfg);
  cw_chart_version_text (version, sizeof version);
  database_text (db, database, sizeof database);
  snprintf (id, sizeof id, "%" PRId64, r->id);
  cw_chart_format_count (r->config.sq, sq, sizeof sq);
  /* Translators: receipt id, lane, sq, GPU name */
  snprintf (what, sizeof what, cw_chart_translate (CW_N_ ("receipt %s (%s, sq %s), %s")), id, r->lane, sq,
            r->provenance.gpu_name[0] ? r->provenance.gpu_name : cw_chart_translate (CW_N_ ("unknown GPU")));
  snprintf (buf, size, "%s%s%s: %s \xc2\xb7 %s", database, database[0] ? ", " : "", what, cfg, version);
}

void
cw_receipt_chart_cliff_points (const CwReceipt *const *receipts, size_t n, const CwConfig *config,
                               const CwProfile *const *profiles, size_t n_profiles, CwChartCliffReceipt *points,
                               size_t *n_points, size_t fates[CW_RECEIPT_CHART_N_FATES])
{
  *n_points = 0;
  for (size_t f = 0; f < CW_RECEIPT_CHART_N_FATES; f++)
    fates[f] = 0;
  for (size_t i = 0; i < n; i++)
    {
      CwReceiptChartFate fate = cw_receipt_chart_cliff_point (receipts[i], config, profiles, n_profiles,
                                                              &points[*n_points]);

      fates[fate]++;
      if (fate == CW_RECEIPT_CHART_DRAWN)
        points[(*n_points)++].tag = i;
    }
}

/* The agreement rule described from the rule itself: its floor, and its
 * slope far above it. */
static void
band_label (double (*rule) (double), char *buf, size_t size)
{
  const double big = 1125899906842624.0;   /* 2^50 bytes */
  char floor_text[CW_CHART_TICK_LABEL_MAX];

  cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, rule (0), 2, floor_text, sizeof floor_text);
  /* Translators: the agreement rule, e.g. "agreement: |measured - predicted| <= max(1 %, 8.00 MiB)" */
  snprintf (buf, size, cw_chart_translate (CW_N_ ("agreement: |measured - predicted| <= max(%.3g %%, %s)")),
            rule (big) / big * 100.0, floor_text);
}

CwChart *
cw_receipt_chart_compare (const CwReceipt *const *receipts, size_t n, const char *db, CwReceiptCompareView view,
                          CwReceiptCompareSummary *summary, CwError *error)
{
  CwReceiptCompareSummary sum = { 0 };
  CwChartComparePoint *points;
  const char **groups;
  CwChart *chart = NULL;
  char label[256];
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  size_t n_exec = 0;

  points = calloc (n > 0 ? n : 1, sizeof *points);
  groups = calloc (n > 0 ? n : 1, sizeof *groups);
  if (points == NULL || groups == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
      goto out;
    }
  for (size_t i = 0; i < n; i++)
    {
      const CwReceipt *r = receipts[i];
      const char *key;
      size_t g;

      if (cw_receipt_chart_compare_point (r, &points[sum.n_points], &key) != CW_RECEIPT_CHART_DRAWN)
        {
          sum.n_left_out++;
          continue;
        }
      for (g = 0; g < sum.n_groups; g++)
        if (strcmp (groups[g], key) == 0)
          break;
      if (g == sum.n_groups)
        groups[sum.n_groups++] = key;
      points[sum.n_points].group = (unsigned) g;
      points[sum.n_points].tag = i;
      n_exec += cw_receipt_is_exec (r);
      sum.n_agree += cw_receipt_peak_agrees (r);
      lo = r->id < lo ? r->id : lo;
      hi = r->id > hi ? r->id : hi;
      sum.n_points++;
    }
  {
    /* External programs alone: their own (tighter) rule is the band. */
    double (*rule) (double) = sum.n_points > 0 && n_exec == sum.n_points ? cw_receipt_chart_exec_tolerance
                                                                          : cw_receipt_chart_tolerance;
    CwChartCompareInput in = { NULL, groups, sum.n_groups, points, sum.n_points, rule, label };

    band_label (rule, label, sizeof label);
    chart = view == CW_RECEIPT_COMPARE_ERROR ? cw_chart_builder_compare_error (&in, error)
                                             : cw_chart_builder_compare (&in, error);
  }
  if (chart != NULL)
    {
      char caption[1024];

      cw_receipt_chart_receipts_caption (db, sum.n_points, lo, hi, caption, sizeof caption);
      if (!cw_chart_set_caption (chart, caption))
        {
          cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
          cw_chart_free (chart);
          chart = NULL;
        }
    }

out:
  free (points);
  free (groups);
  if (summary != NULL)
    *summary = sum;
  return chart;
}
