/* cw-calibration.c: link and throughput calibration from index-transfer
 * receipts (see the header). */
#include "cw-calibration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-bytes.h"
#include "cw-index-cache.h"
#include "cw-receipt-store.h"

struct _CwCalibration {
  CwCalibrationPoint *transfer;
  size_t n_transfer;
  CwCalibrationPoint *recompute;
  size_t n_recompute;
  char (*runs)[37];
  size_t n_runs;
  /* Recompute points in (run, GPU, payload, index) order: finding a
   * transfer's recompute twin is a binary search, not a scan. Transfer
   * points in (payload, index) order likewise. */
  size_t *recompute_by_key;
  size_t *transfer_by_payload;
  char gpu_name[128];
  char link[64];
  double bytes_per_s, latency_s, flops_per_s, flops_per_s_fit;
  bool fitted;
};

/* ---- arithmetic ---------------------------------------------------------- */

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
cw_calibration_median (const double *values, size_t n)
{
  double *v, m;

  if (n == 0 || (v = malloc (n * sizeof *v)) == NULL)
    return NAN;
  memcpy (v, values, n * sizeof *v);
  qsort (v, n, sizeof *v, cmp_double);
  m = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  free (v);
  return m;
}

bool
cw_calibration_fit_link (const double *bytes, const double *seconds, size_t n, double *bytes_per_s,
                         double *latency_s, bool *fitted, CwError *error)
{
  double mx = 0, mt = 0, sxx = 0, sxt = 0, sum_x = 0, sum_t = 0, slope;
  bool one_size = true;

  if (n == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "link fit: no points");
      return false;
    }
  for (size_t i = 0; i < n; i++)
    {
      if (!(bytes[i] > 0) || !(seconds[i] > 0) || !isfinite (bytes[i]) || !isfinite (seconds[i]))
        {
          cw_error_set (error, CW_ERROR_INVALID, "link fit: point %zu has a non-positive size or time", i);
          return false;
        }
      if (bytes[i] != bytes[0])
        one_size = false;
      sum_x += bytes[i];
      sum_t += seconds[i];
    }
  if (one_size)
    {
      *bytes_per_s = sum_x / sum_t;
      *latency_s = 0.0;
      *fitted = false;
      return true;
    }
  /* Centred sums: sizes are ~1e9 and times ~1e-3, so the textbook
   * n*sum(xy) - sum(x)*sum(y) form would cancel catastrophically. */
  mx = sum_x / (double) n;
  mt = sum_t / (double) n;
  for (size_t i = 0; i < n; i++)
    {
      sxx += (bytes[i] - mx) * (bytes[i] - mx);
      sxt += (bytes[i] - mx) * (seconds[i] - mt);
    }
  slope = sxt / sxx;
  if (!(slope > 0) || !isfinite (slope))
    {
      cw_error_set (error, CW_ERROR_INVALID,
                    "link fit: transfer time does not grow with payload size (slope %.3g s/B); "
                    "the receipts do not describe one link", slope);
      return false;
    }
  *bytes_per_s = 1.0 / slope;
  *latency_s = mt - slope * mx;
  *fitted = true;
  return true;
}

/* The configuration as the calibration compares it: the work, not the
 * memory. The streaming budget and the allocation granularity only move
 * bytes, so they are set to the defaults. The index-transfer lane sweeps a
 * configuration without a ratio with sk = sq (cliffwatch-index-transfer.c),
 * and the crossover treats it so: sk = sq without a ratio is written as
 * ratio 1, which is the same keys at every sq. Then the planner's one rule,
 * cw_config_is_on_sweep, decides; two receipts are one family when either
 * lies on the other's sweep. */
static CwConfig
work_config (const CwConfig *c)
{
  CwConfig w = *c, d;

  cw_config_init_default (&d);
  w.chunk_budget_bytes = d.chunk_budget_bytes;
  w.granularity = d.granularity;
  if (w.ratio == 0 && w.sk == w.sq)
    {
      w.ratio = 1;
      w.sk = 0;
    }
  return w;
}

bool
cw_calibration_config_same_family (const CwConfig *a, const CwConfig *b)
{
  CwConfig wa = work_config (a), wb = work_config (b);

  return cw_config_is_on_sweep (&wa, &wb) || cw_config_is_on_sweep (&wb, &wa);
}

bool
cw_calibration_config_same (const CwConfig *a, const CwConfig *b)
{
  return a->sq == b->sq && cw_config_get_sk (a) == cw_config_get_sk (b) && cw_calibration_config_same_family (a, b);
}

const char *
cw_crossover_kind_get_name (CwCrossoverKind kind)
{
  switch (kind)
    {
    case CW_CROSSOVER_RECOMPUTE_BELOW: return "below";
    case CW_CROSSOVER_RECOMPUTE_NEVER: return "never";
    case CW_CROSSOVER_RECOMPUTE_ALWAYS: return "always";
    }
  return "?";
}

double
cw_calibration_breakeven_bytes_per_s (uint64_t payload_bytes, double recompute_s, double latency_s)
{
  if (latency_s < 0)
    latency_s = 0;
  if (recompute_s <= latency_s)
    return INFINITY;
  return (double) payload_bytes / (recompute_s - latency_s);
}

typedef struct {
  CwConfig base;
  bool sk_follows;
  uint64_t index_heads;
  double bytes_per_s, latency_s, flops_per_s;
} Family;

/* Payload and FLOPs of the family at sq, from the planner. false when the
 * planner refuses the size (overflow, sq below the ratio). */
static bool
family_eval (const Family *f, uint64_t sq, bool *recompute_wins, uint64_t *payload)
{
  CwConfig c = f->base;
  CwIndexCacheConfig ic;
  CwIndexCachePlan *plan;
  double transfer_s, recompute_s;

  c.sq = sq;
  if (f->base.ratio != 0)
    c.sk = 0;
  else if (f->sk_follows)
    c.sk = sq;
  cw_index_cache_config_init (&ic);
  ic.n_layers = 1;
  ic.index_heads = f->index_heads;
  ic.link_bytes_per_s = 1;   /* unused: times are computed here, with the latency */
  ic.flops_per_s = 1;
  plan = cw_index_cache_plan_new (&c, &ic, NULL);
  if (plan == NULL)
    return false;
  *payload = cw_index_cache_plan_get_payload_bytes (plan);
  transfer_s = f->latency_s + (double) *payload / f->bytes_per_s;
  recompute_s = cw_index_cache_plan_get_recompute_flops (plan) / f->flops_per_s;
  /* The planner transfers only when strictly cheaper. */
  *recompute_wins = !(transfer_s < recompute_s);
  cw_index_cache_plan_free (plan);
  return true;
}

bool
cw_calibration_crossover (const CwConfig *config, uint64_t index_heads, double bytes_per_s, double latency_s,
                          double flops_per_s, CwCrossover *out, CwError *error)
{
  Family f;
  uint64_t lo, hi, payload;
  bool wins;

  memset (out, 0, sizeof *out);
  if (!(bytes_per_s > 0) || !(flops_per_s > 0) || !isfinite (bytes_per_s) || !isfinite (flops_per_s) ||
      !isfinite (latency_s))
    {
      cw_error_set (error, CW_ERROR_INVALID, "crossover: bandwidth and throughput must be positive and finite");
      return false;
    }
  f.base = *config;
  f.sk_follows = config->ratio != 0 || cw_config_get_sk (config) == config->sq;
  f.index_heads = index_heads ? index_heads : 1;
  f.bytes_per_s = bytes_per_s;
  f.latency_s = latency_s > 0 ? latency_s : 0.0;
  f.flops_per_s = flops_per_s;
  out->recompute_quadratic = f.sk_follows;

  lo = config->ratio > 1 ? config->ratio : 1;
  if (!family_eval (&f, lo, &wins, &payload))
    {
      CwError e = CW_ERROR_INIT;
      CwConfig c = *config;
      c.sq = lo;
      c.sk = config->ratio ? 0 : (f.sk_follows ? lo : c.sk);
      cw_config_validate (&c, &e);
      cw_error_set (error, CW_ERROR_INVALID, "crossover: the planner refuses this configuration: %s", e.message);
      return false;
    }
  if (!wins)
    {
      out->kind = CW_CROSSOVER_RECOMPUTE_NEVER;
      return true;
    }
  /* Largest power-of-two multiple of lo the planner still accepts; sizes
   * beyond overflow uint64 somewhere in the plan. */
  hi = lo;
  while (hi <= UINT64_MAX / 2)
    {
      bool w;
      uint64_t p;
      if (!family_eval (&f, hi * 2, &w, &p))
        break;
      hi *= 2;
      if (!w)
        break;
    }
  if (!family_eval (&f, hi, &wins, &payload))
    return false;   /* cannot happen: hi was accepted */
  if (wins)
    {
      out->kind = CW_CROSSOVER_RECOMPUTE_ALWAYS;
      out->max_sq = hi;
      out->max_payload_bytes = payload;
      return true;
    }
  /* wins(lo) and !wins(hi): bisect for the last sq where recompute wins. */
  while (hi - lo > 1)
    {
      uint64_t mid = lo + (hi - lo) / 2;
      uint64_t p;
      bool w;
      if (!family_eval (&f, mid, &w, &p))
        return false;
      if (w)
        lo = mid;
      else
        hi = mid;
    }
  family_eval (&f, lo, &wins, &payload);
  out->kind = CW_CROSSOVER_RECOMPUTE_BELOW;
  out->max_sq = lo;
  out->max_payload_bytes = payload;
  return true;
}

/* ---- reading receipts ------------------------------------------------------ */

/* "index-transfer PRESET rank R/W, LANE, link LINK, median of N" */
static void
parse_note (const char *note, char *preset, size_t preset_size, char *link, size_t link_size)
{
  const char *p, *end;

  preset[0] = link[0] = '\0';
  if (strncmp (note, "index-transfer ", 15) == 0 && (end = strstr (note + 15, " rank ")) != NULL)
    {
      size_t n = (size_t) (end - (note + 15));
      if (n < preset_size)
        {
          memcpy (preset, note + 15, n);
          preset[n] = '\0';
        }
    }
  if ((p = strstr (note, ", link ")) != NULL)
    {
      size_t n;
      p += 7;
      end = strstr (p, ", median of");
      n = end ? (size_t) (end - p) : strlen (p);
      if (n < link_size)
        {
          memcpy (link, p, n);
          link[n] = '\0';
        }
    }
}

static bool
load_lane (CwReceiptStore *store, const char *lane, const char *gpu_filter, const char *run_id,
           CwCalibrationPoint **out, size_t *n_out, CwError *error)
{
  CwReceiptQuery q;
  CwReceiptList *list;
  size_t n;

  cw_receipt_query_init (&q);
  CW_RECEIPT_SET (q.lane, lane);
  q.has_status = true;
  q.status = CW_RECEIPT_STATUS_OK;
  if (gpu_filter)
    CW_RECEIPT_SET (q.gpu, gpu_filter);
  if (run_id)
    CW_RECEIPT_SET (q.sweep_id, run_id);
  list = cw_receipt_store_query (store, &q, error);
  if (list == NULL)
    return false;
  n = cw_receipt_list_get_n_items (list);
  *out = n ? calloc (n, sizeof **out) : NULL;
  *n_out = 0;
  if (n && *out == NULL)
    {
      cw_receipt_list_free (list);
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return false;
    }
  for (size_t i = 0; i < n; i++)
    {
      const CwReceipt *brief = cw_receipt_list_get (list, i);
      CwReceipt *r = cw_receipt_store_load_without_trace (store, brief->id, error);   /* buffers only */
      CwCalibrationPoint *pt = &(*out)[i];
      bool have_payload = false;

      if (r == NULL)
        {
          cw_receipt_list_free (list);
          return false;
        }
      /* The payload is the int32 top-k [b, sq, k] that crossed the link: the
       * prediction's "idx" buffer (index-full-layer / index-shared profiles),
       * or the "payload" buffer that receipts written before those profiles
       * carry instead. */
      for (size_t b = 0; b < r->n_buffers && !have_payload; b++)
        if (strcmp (r->buffers[b].name, "payload") == 0)
          {
            pt->payload_bytes = r->buffers[b].bytes;
            have_payload = true;
          }
      for (size_t b = 0; b < r->n_buffers && !have_payload; b++)
        if (strcmp (r->buffers[b].name, "idx") == 0)
          {
            pt->payload_bytes = r->buffers[b].bytes;
            have_payload = true;
          }
      if (!have_payload || pt->payload_bytes == 0 || r->lane_ns == 0 ||
          (strcmp (lane, "index-recompute") == 0 && !(r->flops > 0)))
        {
          cw_error_set (error, CW_ERROR_CORRUPT, "receipt %lld (%s) lacks %s", (long long) r->id, lane,
                        !have_payload || pt->payload_bytes == 0 ? "a payload buffer"
                        : r->lane_ns == 0                       ? "a lane time"
                                                                : "a FLOP count");
          cw_receipt_free (r);
          cw_receipt_list_free (list);
          return false;
        }
      pt->receipt_id = r->id;
      CW_RECEIPT_SET (pt->run_id, r->sweep_id);
      CW_RECEIPT_SET (pt->gpu_name, r->provenance.gpu_name);
      CW_RECEIPT_SET (pt->gpu_uuid, r->provenance.gpu_uuid);
      parse_note (r->note, pt->preset, sizeof pt->preset, pt->link, sizeof pt->link);
      pt->config = r->config;
      pt->seconds = (double) r->lane_ns * 1e-9;
      pt->flops = r->flops;
      (*n_out)++;
      cw_receipt_free (r);
    }
  cw_receipt_list_free (list);
  return true;
}

typedef struct {
  const char *run_id;
  size_t      first;   /* position of its first receipt (transfers, then recomputes) */
} RunSeen;

static int
cmp_run_seen (const void *a, const void *b)
{
  const RunSeen *x = a, *y = b;
  int c = strcmp (x->run_id, y->run_id);

  if (c != 0)
    return c;
  return (x->first > y->first) - (x->first < y->first);
}

static int
cmp_run_first (const void *a, const void *b)
{
  const RunSeen *x = a, *y = b;

  return (x->first > y->first) - (x->first < y->first);
}

/* The distinct run ids in first-seen order, in O(n log n) (a receipt per
 * run, 100,000 runs, must not cost n^2 string compares). */
static bool
collect_runs (CwCalibration *c)
{
  size_t n = c->n_transfer + c->n_recompute, k = 0;
  RunSeen *seen = malloc ((n ? n : 1) * sizeof *seen);

  if (seen == NULL)
    return false;
  for (size_t i = 0; i < c->n_transfer; i++)
    seen[i] = (RunSeen) { c->transfer[i].run_id, i };
  for (size_t i = 0; i < c->n_recompute; i++)
    seen[c->n_transfer + i] = (RunSeen) { c->recompute[i].run_id, c->n_transfer + i };
  qsort (seen, n, sizeof *seen, cmp_run_seen);
  for (size_t i = 0; i < n; i++)
    if (k == 0 || strcmp (seen[k - 1].run_id, seen[i].run_id) != 0)
      seen[k++] = seen[i];
  qsort (seen, k, sizeof *seen, cmp_run_first);
  c->runs = malloc ((k ? k : 1) * sizeof *c->runs);
  if (c->runs == NULL)
    {
      free (seen);
      return false;
    }
  for (size_t i = 0; i < k; i++)
    CW_RECEIPT_SET (c->runs[i], seen[i].run_id);
  c->n_runs = k;
  free (seen);
  return true;
}

static const CwCalibrationPoint *sort_points;

static int
cmp_recompute_key (const void *a, const void *b)
{
  size_t i = *(const size_t *) a, j = *(const size_t *) b;
  const CwCalibrationPoint *x = &sort_points[i], *y = &sort_points[j];
  int c = strcmp (x->run_id, y->run_id);

  if (c == 0)
    c = strcmp (x->gpu_uuid, y->gpu_uuid);
  if (c == 0)
    c = (x->payload_bytes > y->payload_bytes) - (x->payload_bytes < y->payload_bytes);
  return c != 0 ? c : (i > j) - (i < j);
}

static int
cmp_transfer_payload (const void *a, const void *b)
{
  size_t i = *(const size_t *) a, j = *(const size_t *) b;
  const CwCalibrationPoint *x = &sort_points[i], *y = &sort_points[j];
  int c = (x->payload_bytes > y->payload_bytes) - (x->payload_bytes < y->payload_bytes);

  return c != 0 ? c : (i > j) - (i < j);
}

static bool
build_indexes (CwCalibration *c)
{
  c->recompute_by_key = malloc ((c->n_recompute ? c->n_recompute : 1) * sizeof (size_t));
  c->transfer_by_payload = malloc ((c->n_transfer ? c->n_transfer : 1) * sizeof (size_t));
  if (c->recompute_by_key == NULL || c->transfer_by_payload == NULL)
    return false;
  for (size_t i = 0; i < c->n_recompute; i++)
    c->recompute_by_key[i] = i;
  for (size_t i = 0; i < c->n_transfer; i++)
    c->transfer_by_payload[i] = i;
  sort_points = c->recompute;
  qsort (c->recompute_by_key, c->n_recompute, sizeof (size_t), cmp_recompute_key);
  sort_points = c->transfer;
  qsort (c->transfer_by_payload, c->n_transfer, sizeof (size_t), cmp_transfer_payload);
  return true;
}

static bool
check_one_value (const CwCalibrationPoint *pts, size_t n, size_t offset, size_t field_size, const char *what,
                 const char *hint, char *first, CwError *error)
{
  for (size_t i = 0; i < n; i++)
    {
      const char *v = (const char *) &pts[i] + offset;
      if (first[0] == '\0' && v[0] != '\0')
        {
          memcpy (first, v, field_size);
          first[field_size - 1] = '\0';
        }
      else if (v[0] != '\0' && strcmp (first, v) != 0)
        {
          cw_error_set (error, CW_ERROR_INVALID, "the receipts come from more than one %s ('%s' and '%s'): %s", what,
                        first, v, hint);
          return false;
        }
    }
  return true;
}

CwCalibration *
cw_calibration_new_from_db (const char *db_path, const char *gpu_filter, const char *run_id, CwError *error)
{
  CwReceiptStore *store;
  CwCalibration *c;
  double *x = NULL, *t = NULL, *rate = NULL, sft = 0, stt = 0;
  bool ok;

  if (gpu_filter && gpu_filter[0] == '\0')
    gpu_filter = NULL;
  if (run_id && run_id[0] == '\0')
    run_id = NULL;
  store = cw_receipt_store_open (db_path, CW_RECEIPT_STORE_READONLY, error);
  if (store == NULL)
    return NULL;
  c = calloc (1, sizeof *c);
  if (c == NULL)
    {
      cw_receipt_store_close (store);
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return NULL;
    }
  ok = load_lane (store, "index-transfer-recv", gpu_filter, run_id, &c->transfer, &c->n_transfer, error) &&
       load_lane (store, "index-recompute", gpu_filter, run_id, &c->recompute, &c->n_recompute, error);
  cw_receipt_store_close (store);
  if (!ok)
    goto fail;
  if (c->n_transfer == 0 || c->n_recompute == 0)
    {
      cw_error_set (error, CW_ERROR_NOT_FOUND, "%s: no ok %s receipts%s%s%s%s%s (write them with cliffwatch-index-transfer)",
                    db_path, c->n_transfer == 0 ? "index-transfer-recv" : "index-recompute",
                    gpu_filter ? " on a GPU matching '" : "", gpu_filter ? gpu_filter : "", gpu_filter ? "'" : "",
                    run_id ? " in run " : "", run_id ? run_id : "");
      goto fail;
    }
  if (!check_one_value (c->transfer, c->n_transfer, offsetof (CwCalibrationPoint, gpu_name),
                        sizeof c->gpu_name, "GPU model", "pick one with --gpu-filter", c->gpu_name, error) ||
      !check_one_value (c->recompute, c->n_recompute, offsetof (CwCalibrationPoint, gpu_name),
                        sizeof c->gpu_name, "GPU model", "pick one with --gpu-filter", c->gpu_name, error) ||
      !check_one_value (c->transfer, c->n_transfer, offsetof (CwCalibrationPoint, link), sizeof c->link,
                        "link", "calibrate one run at a time with --run", c->link, error))
    goto fail;
  if (!collect_runs (c) || !build_indexes (c))
    goto oom;

  x = malloc (c->n_transfer * sizeof *x);
  t = malloc (c->n_transfer * sizeof *t);
  rate = malloc (c->n_recompute * sizeof *rate);
  if (x == NULL || t == NULL || rate == NULL)
    goto oom;
  for (size_t i = 0; i < c->n_transfer; i++)
    {
      x[i] = (double) c->transfer[i].payload_bytes;
      t[i] = c->transfer[i].seconds;
    }
  if (!cw_calibration_fit_link (x, t, c->n_transfer, &c->bytes_per_s, &c->latency_s, &c->fitted, error))
    goto fail;
  for (size_t i = 0; i < c->n_recompute; i++)
    {
      const CwCalibrationPoint *p = &c->recompute[i];
      rate[i] = p->flops / p->seconds;
      sft += p->flops * p->seconds;
      stt += p->seconds * p->seconds;
    }
  c->flops_per_s = cw_calibration_median (rate, c->n_recompute);
  c->flops_per_s_fit = sft / stt;
  if (isnan (c->flops_per_s))
    goto oom;
  free (x);
  free (t);
  free (rate);
  return c;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory");
fail:
  free (x);
  free (t);
  free (rate);
  cw_calibration_free (c);
  return NULL;
}

void
cw_calibration_free (CwCalibration *c)
{
  if (c == NULL)
    return;
  free (c->transfer);
  free (c->recompute);
  free (c->runs);
  free (c->recompute_by_key);
  free (c->transfer_by_payload);
  free (c);
}

size_t cw_calibration_get_n_transfer (const CwCalibration *c) { return c->n_transfer; }
size_t cw_calibration_get_n_recompute (const CwCalibration *c) { return c->n_recompute; }
size_t cw_calibration_get_n_runs (const CwCalibration *c) { return c->n_runs; }
const char *cw_calibration_get_gpu_name (const CwCalibration *c) { return c->gpu_name; }
const char *cw_calibration_get_link (const CwCalibration *c) { return c->link; }
double cw_calibration_get_link_bytes_per_s (const CwCalibration *c) { return c->bytes_per_s; }
double cw_calibration_get_link_latency_s (const CwCalibration *c) { return c->latency_s; }
double cw_calibration_get_link_latency_used_s (const CwCalibration *c) { return c->latency_s > 0 ? c->latency_s : 0.0; }
bool cw_calibration_get_link_fitted (const CwCalibration *c) { return c->fitted; }
double cw_calibration_get_flops_per_s (const CwCalibration *c) { return c->flops_per_s; }
double cw_calibration_get_flops_per_s_fit (const CwCalibration *c) { return c->flops_per_s_fit; }

const CwCalibrationPoint *
cw_calibration_get_transfer (const CwCalibration *c, size_t index)
{
  return index < c->n_transfer ? &c->transfer[index] : NULL;
}

const CwCalibrationPoint *
cw_calibration_get_recompute (const CwCalibration *c, size_t index)
{
  return index < c->n_recompute ? &c->recompute[index] : NULL;
}

const char *
cw_calibration_get_run_id (const CwCalibration *c, size_t index)
{
  return index < c->n_runs ? c->runs[index] : NULL;
}

/* First position in `index` (sorted by cmp) whose point is not below the key. */
static size_t
lower_bound_recompute (const CwCalibration *c, const char *run_id, const char *gpu_uuid, uint64_t payload)
{
  size_t lo = 0, hi = c->n_recompute;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      const CwCalibrationPoint *p = &c->recompute[c->recompute_by_key[mid]];
      int k = strcmp (p->run_id, run_id);

      if (k == 0)
        k = strcmp (p->gpu_uuid, gpu_uuid);
      if (k == 0)
        k = (p->payload_bytes > payload) - (p->payload_bytes < payload);
      if (k < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

bool
cw_calibration_find_measured (const CwCalibration *c, const CwConfig *config, uint64_t payload_bytes,
                              double *transfer_s, double *recompute_s, const char **run_id)
{
  size_t lo = 0, hi = c->n_transfer;

  /* The transfers of this payload, newest (highest id order) first. */
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;

      if (c->transfer[c->transfer_by_payload[mid]].payload_bytes <= payload_bytes)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (size_t ti = lo; ti-- > 0;)
    {
      const CwCalibrationPoint *t = &c->transfer[c->transfer_by_payload[ti]];
      size_t r0, r1;

      if (t->payload_bytes != payload_bytes)
        break;
      if (!cw_calibration_config_same (&t->config, config))
        continue;
      /* Its recompute twins: same run, GPU and payload; the newest first. */
      r0 = lower_bound_recompute (c, t->run_id, t->gpu_uuid, payload_bytes);
      for (r1 = r0; r1 < c->n_recompute; r1++)
        {
          const CwCalibrationPoint *r = &c->recompute[c->recompute_by_key[r1]];

          if (strcmp (r->run_id, t->run_id) != 0 || strcmp (r->gpu_uuid, t->gpu_uuid) != 0
              || r->payload_bytes != payload_bytes)
            break;
        }
      for (size_t j = r1; j-- > r0;)
        {
          const CwCalibrationPoint *r = &c->recompute[c->recompute_by_key[j]];

          if (cw_calibration_config_same (&r->config, config))
            {
              *transfer_s = t->seconds;
              *recompute_s = r->seconds;
              if (run_id)
                *run_id = t->run_id;
              return true;
            }
        }
    }
  return false;
}

/* ---- families: the measured configurations grouped by everything but sq --- */


/* Top-k sets per token H from the measured payload: payload / (b*sq*top_k*index bytes). */
bool
cw_calibration_point_get_index_heads (const CwCalibrationPoint *p, uint64_t *heads, CwError *error)
{
  uint64_t per = 0, ib = cw_dtype_get_bits (p->config.index_dtype) / 8;

  if (ib == 0 || !cw_mul_u64 (p->config.b, p->config.sq, &per) || !cw_mul_u64 (per, p->config.top_k, &per) ||
      !cw_mul_u64 (per, ib, &per) || per == 0 || p->payload_bytes % per != 0)
    {
      cw_error_set (error, CW_ERROR_CORRUPT,
                    "receipt %lld: payload %llu B is not a whole number of b*sq*top_k*index-byte sets",
                    (long long) p->receipt_id, (unsigned long long) p->payload_bytes);
      return false;
    }
  *heads = p->payload_bytes / per;
  return true;
}

static double
planner_flops (const CwConfig *config, uint64_t heads)
{
  CwIndexCacheConfig ic;
  CwIndexCachePlan *plan;
  double f;

  cw_index_cache_config_init (&ic);
  ic.n_layers = 1;
  ic.index_heads = heads;
  ic.link_bytes_per_s = 1;
  ic.flops_per_s = 1;
  plan = cw_index_cache_plan_new (config, &ic, NULL);
  if (plan == NULL)
    return NAN;
  f = cw_index_cache_plan_get_recompute_flops (plan);
  cw_index_cache_plan_free (plan);
  return f;
}

void
cw_calibration_families_free (CwCalibrationFamily *f, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (f[i].m);
  free (f);
}

static int
cmp_measured_sq (const void *a, const void *b)
{
  const CwCalibrationMeasured *x = a, *y = b;
  uint64_t xs = cw_config_get_sk (&x->config), ys = cw_config_get_sk (&y->config);

  if (x->config.sq != y->config.sq)
    return x->config.sq < y->config.sq ? -1 : 1;
  return (xs > ys) - (xs < ys);
}

bool
cw_calibration_dup_families (const CwCalibration *cal, CwCalibrationFamily **out, size_t *n_out, CwError *error)
{
  size_t nt = cw_calibration_get_n_transfer (cal), nf = 0;
  CwCalibrationFamily *fam = calloc (nt ? nt : 1, sizeof *fam);

  if (fam == NULL)
    goto oom;
  for (size_t i = 0; i < nt; i++)
    {
      const CwCalibrationPoint *p = cw_calibration_get_transfer (cal, i);
      uint64_t heads;
      CwCalibrationFamily *f = NULL;
      CwCalibrationMeasured m;

      if (!cw_calibration_point_get_index_heads (p, &heads, error))
        goto fail;
      memset (&m, 0, sizeof m);
      m.config = p->config;
      m.payload_bytes = p->payload_bytes;
      /* The newest run of this exact configuration stands for it. */
      if (!cw_calibration_find_measured (cal, &p->config, p->payload_bytes, &m.transfer_s, &m.recompute_s,
                                         &m.run_id))
        continue;   /* a transfer without its recompute twin: used in the link fit only */
      for (size_t k = 0; k < nf && f == NULL; k++)
        if (fam[k].index_heads == heads && cw_calibration_config_same_family (&fam[k].config, &p->config))
          f = &fam[k];
      if (f == NULL)
        {
          f = &fam[nf++];
          f->config = p->config;
          f->index_heads = heads;
          CW_RECEIPT_SET (f->preset, p->preset);
        }
      else if (strcmp (f->preset, p->preset) != 0)
        f->preset[0] = '\0';
      /* Repeats of one configuration are dropped after sorting (they all
       * stand for the same newest run); capacity doubles, so a family of
       * 100,000 points costs n log n, not n^2. */
      if ((f->n & (f->n - 1)) == 0)
        {
          CwCalibrationMeasured *grown = realloc (f->m, (f->n ? f->n * 2 : 1) * sizeof *grown);
          if (grown == NULL)
            goto oom;
          f->m = grown;
        }
      f->m[f->n++] = m;
    }
  for (size_t k = 0; k < nf; k++)
    {
      CwCalibrationFamily *f = &fam[k];
      size_t n = 0;

      /* sq ascending, one point per configuration */
      qsort (f->m, f->n, sizeof *f->m, cmp_measured_sq);
      {
        size_t kept = 0;

        for (size_t j = 0; j < f->n; j++)
          if (kept == 0 || !cw_calibration_config_same (&f->m[kept - 1].config, &f->m[j].config))
            f->m[kept++] = f->m[j];
        f->n = kept;
      }
      for (size_t j = 0; j < f->n; j++)
        f->m[j].planner_flops = planner_flops (&f->m[j].config, f->index_heads);
      f->flops_per_s = cw_calibration_get_family_flops_per_s (cal, &f->config, &n);
      if (isnan (f->flops_per_s))
        goto oom;
      {
        double bw = cw_calibration_get_link_bytes_per_s (cal), lat = cw_calibration_get_link_latency_used_s (cal);

        for (size_t j = 0; j < f->n; j++)
          {
            CwCalibrationMeasured *m = &f->m[j];

            m->calibrated_transfer_s = lat + (double) m->payload_bytes / bw;
            m->calibrated_recompute_s = m->planner_flops / f->flops_per_s;
            m->breakeven_bytes_per_s = cw_calibration_breakeven_bytes_per_s (m->payload_bytes, m->recompute_s, lat);
            m->breakeven_payload_bytes = m->recompute_s > lat ? bw * (m->recompute_s - lat) : 0.0;
          }
      }
      if (!cw_calibration_crossover (&f->config, f->index_heads, cw_calibration_get_link_bytes_per_s (cal),
                                     cw_calibration_get_link_latency_used_s (cal), f->flops_per_s, &f->crossover,
                                     error))
        goto fail;
    }
  *out = fam;
  *n_out = nf;
  return true;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory");
fail:
  cw_calibration_families_free (fam, nf);
  return false;
}

double
cw_calibration_get_family_flops_per_s (const CwCalibration *calibration, const CwConfig *config, size_t *n_used)
{
  size_t nr = cw_calibration_get_n_recompute (calibration), n = 0;
  double *rates = malloc ((nr ? nr : 1) * sizeof *rates), r;

  if (rates == NULL)
    return NAN;
  for (size_t i = 0; i < nr; i++)
    {
      const CwCalibrationPoint *p = cw_calibration_get_recompute (calibration, i);
      if (cw_calibration_config_same_family (&p->config, config))
        rates[n++] = p->flops / p->seconds;
    }
  r = n ? cw_calibration_median (rates, n) : cw_calibration_get_flops_per_s (calibration);
  free (rates);
  if (n_used != NULL)
    *n_used = n;
  return r;
}

bool
cw_calibration_get_index_cache_rates (uint64_t payload_bytes, double bytes_per_s, double latency_s,
                                      double flops_per_s, uint64_t *link_bytes_per_s, uint64_t *planner_flops_per_s,
                                      CwError *error)
{
  double transfer_s = latency_s + (double) payload_bytes / bytes_per_s;
  double effective = (double) payload_bytes / transfer_s;

  if (!cw_round_u64 (effective, link_bytes_per_s) || !cw_round_u64 (flops_per_s, planner_flops_per_s))
    {
      cw_error_set (error, CW_ERROR_INVALID, "calibrated bandwidth or throughput too large");
      return false;
    }
  if (*link_bytes_per_s == 0 || *planner_flops_per_s == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "calibrated bandwidth and throughput must be at least 1 per second");
      return false;
    }
  return true;
}

CwIndexCachePlan *
cw_calibration_plan_index_cache (const CwCalibration *calibration, const CwConfig *config,
                                 const CwIndexCacheConfig *assumed, double given_bytes_per_s, double given_flops_per_s,
                                 CwCalibrationIndexCacheRates *rates, CwError *error)
{
  CwIndexCacheConfig ic = *assumed;
  CwIndexCachePlan *plan;
  uint64_t payload;

  memset (rates, 0, sizeof *rates);
  if ((plan = cw_index_cache_plan_new (config, assumed, error)) == NULL)
    return NULL;
  payload = cw_index_cache_plan_get_payload_bytes (plan);
  cw_index_cache_plan_free (plan);

  rates->link_given = given_bytes_per_s > 0;
  rates->bytes_per_s = rates->link_given ? given_bytes_per_s : cw_calibration_get_link_bytes_per_s (calibration);
  rates->latency_s = cw_calibration_get_link_latency_used_s (calibration);
  rates->flops_given = given_flops_per_s > 0;
  if (rates->flops_given)
    rates->flops_per_s = given_flops_per_s;
  else
    {
      rates->flops_per_s = cw_calibration_get_family_flops_per_s (calibration, config, &rates->n_family);
      if (isnan (rates->flops_per_s))
        {
          cw_error_set (error, CW_ERROR_OOM, "out of memory");
          return NULL;
        }
    }
  if (!cw_calibration_get_index_cache_rates (payload, rates->bytes_per_s, rates->latency_s, rates->flops_per_s,
                                             &ic.link_bytes_per_s, &ic.flops_per_s, error))
    return NULL;
  return cw_index_cache_plan_new (config, &ic, error);
}
