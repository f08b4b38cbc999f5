/* cw-exec-receipts.c: the rules of cw-exec-receipts.h. */
#include "cw-exec-receipts.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-bytes.h"
#include "cw-live-bytes.h"
#include "cw-u64-map-private.h"

/* ---- per-device live-memory curve ----------------------------------------- */

typedef struct {
  uint64_t ts;
  uint64_t live_after;   /* device bytes live after this event */
  size_t   event;        /* index into the spool's memory events */
} CurvePoint;

typedef struct {
  uint32_t    device;
  CurvePoint *points;
  size_t      n;
  uint64_t    peak;
  uint64_t    ignored_frees;
} Curve;

static const CwSpoolMemoryEvent *sort_base;

static int
compare_mem_index (const void *a, const void *b)
{
  const CwSpoolMemoryEvent *x = &sort_base[*(const size_t *) a];
  const CwSpoolMemoryEvent *y = &sort_base[*(const size_t *) b];

  if (x->timestamp_ns != y->timestamp_ns)
    return x->timestamp_ns < y->timestamp_ns ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool
is_device_memory (const CwSpoolMemoryEvent *e)
{
  /* Device memory and CUDA arrays occupy HBM; pinned host memory and
   * managed memory (which migrates) are not counted. */
  return e->memory_kind == CW_SPOOL_MEMORY_KIND_DEVICE || e->memory_kind == CW_SPOOL_MEMORY_KIND_ARRAY;
}

static void
curve_clear (Curve *c)
{
  free (c->points);
  memset (c, 0, sizeof *c);
}

static bool
curve_build (const CwSpool *spool, uint32_t device, Curve *c, CwError *error)
{
  size_t n_mem, n = 0, *order;
  const CwSpoolMemoryEvent *mem = cw_spool_get_memory (spool, &n_mem);
  CwLiveBytes *live;

  memset (c, 0, sizeof *c);
  c->device = device;
  order = malloc ((n_mem ? n_mem : 1) * sizeof *order);
  c->points = malloc ((n_mem ? n_mem : 1) * sizeof *c->points);
  live = cw_live_bytes_new (n_mem);
  if (order == NULL || c->points == NULL || live == NULL)
    {
      free (order);
      free (c->points);
      c->points = NULL;
      cw_live_bytes_free (live);
      cw_error_set (error, CW_ERROR_OOM, "out of memory replaying device memory");
      return false;
    }
  for (size_t i = 0; i < n_mem; i++)
    if (mem[i].device == device && is_device_memory (&mem[i]))
      order[n++] = i;
  /* qsort is not stable; the comparison falls back to file order. */
  sort_base = mem;
  qsort (order, n, sizeof *order, compare_mem_index);
  /* cw-live-bytes.h's rule, the one every measured peak follows. */
  for (size_t i = 0; i < n; i++)
    {
      const CwSpoolMemoryEvent *e = &mem[order[i]];
      uint64_t cur;

      if (!e->is_free)
        {
          if (!cw_live_bytes_alloc (live, e->address, e->bytes, &cur, error))
            {
              free (order);
              cw_live_bytes_free (live);
              curve_clear (c);
              return false;
            }
        }
      else
        cur = cw_live_bytes_release (live, e->address);
      c->points[c->n].ts = e->timestamp_ns;
      c->points[c->n].live_after = cur;
      c->points[c->n].event = order[i];
      c->n++;
    }
  c->peak = cw_live_bytes_get_peak (live);
  c->ignored_frees = cw_live_bytes_get_n_unmatched_frees (live);
  free (order);
  cw_live_bytes_free (live);
  return true;
}

/* Index of the first point with ts >= t. */
static size_t
curve_lower_bound (const Curve *c, uint64_t t)
{
  size_t lo = 0, hi = c->n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;

      if (c->points[mid].ts < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Live bytes just before t, and the peak over [from, to]. */
static void
curve_window (const Curve *c, uint64_t from, uint64_t to, uint64_t *open, uint64_t *peak)
{
  size_t i = curve_lower_bound (c, from);
  uint64_t base = i > 0 ? c->points[i - 1].live_after : 0, p = base;

  for (; i < c->n && c->points[i].ts <= to; i++)
    if (c->points[i].live_after > p)
      p = c->points[i].live_after;
  *open = base;
  *peak = p;
}

static uint64_t
curve_live_at (const Curve *c, uint64_t t)
{
  size_t i = curve_lower_bound (c, t + 1);

  return i > 0 ? c->points[i - 1].live_after : 0;
}

/* ---- NVTX ranges ------------------------------------------------------------ */

typedef struct {
  const char *name;
  uint64_t    start_ns, end_ns;
  uint32_t    thread_id;
  bool        push_pop;
  bool        closed;
  int32_t     depth;
  uint32_t    occurrence;   /* 1-based among ranges of the same name */
} Range;

static int
compare_range_start (const void *a, const void *b)
{
  const Range *x = a, *y = b;

  if (x->start_ns != y->start_ns)
    return x->start_ns < y->start_ns ? -1 : 1;
  /* An enclosing range that opened at the same instant comes first. */
  if (x->end_ns != y->end_ns)
    return x->end_ns > y->end_ns ? -1 : 1;
  return 0;
}

static bool
ranges_build (const CwSpool *spool, Range **out, size_t *n_out, CwError *error)
{
  size_t n_markers, n = 0;
  const CwSpoolMarkerEvent *mk = cw_spool_get_markers (spool, &n_markers);
  Range *r = calloc (n_markers ? n_markers : 1, sizeof *r);
  uint64_t *ids = calloc (n_markers ? n_markers : 1, sizeof *ids);
  uint64_t last = cw_spool_get_last_timestamp (spool);

  if (r == NULL || ids == NULL)
    {
      free (r);
      free (ids);
      cw_error_set (error, CW_ERROR_OOM, "out of memory reading NVTX ranges");
      return false;
    }
  for (size_t i = 0; i < n_markers; i++)
    {
      if (mk[i].flags & CW_SPOOL_MARKER_START)
        {
          r[n].name = mk[i].name;
          r[n].start_ns = mk[i].timestamp_ns;
          r[n].end_ns = last > mk[i].timestamp_ns ? last : mk[i].timestamp_ns;
          r[n].thread_id = mk[i].thread_id;
          r[n].push_pop = mk[i].push_pop;
          ids[n] = mk[i].id;
          n++;
        }
      else if (mk[i].flags & CW_SPOOL_MARKER_END)
        {
          /* The most recent open range with this id. */
          for (size_t j = n; j-- > 0;)
            if (ids[j] == mk[i].id && !r[j].closed)
              {
                r[j].end_ns = mk[i].timestamp_ns >= r[j].start_ns ? mk[i].timestamp_ns : r[j].start_ns;
                r[j].closed = true;
                /* The library may learn only at the end that a range was a
                 * start/end range (nvtxRangeEnd's id). */
                r[j].push_pop = r[j].push_pop && mk[i].push_pop;
                break;
              }
        }
    }
  free (ids);
  qsort (r, n, sizeof *r, compare_range_start);
  for (size_t i = 0; i < n; i++)
    {
      /* Depth: ranges of the same thread that enclose this one. */
      for (size_t j = 0; j < i; j++)
        if (r[j].thread_id == r[i].thread_id && r[j].start_ns <= r[i].start_ns && r[j].end_ns >= r[i].end_ns)
          r[i].depth++;
      for (size_t j = 0; j < i; j++)
        if (strcmp (r[j].name, r[i].name) == 0)
          r[i].occurrence++;
      r[i].occurrence++;
    }
  *out = r;
  *n_out = n;
  return true;
}

/* ---- kernels: launch time by correlation id -------------------------------- */

typedef struct {
  uint64_t *launch_ts;   /* per kernel: host time of its launch (its start when unknown) */
} KernelTimes;

static bool
kernel_times_build (const CwSpool *spool, KernelTimes *kt, CwError *error)
{
  size_t n_k, n_l;
  const CwSpoolKernelEvent *k = cw_spool_get_kernels (spool, &n_k);
  const CwSpoolLaunchEvent *l = cw_spool_get_launches (spool, &n_l);
  CwU64Map by_corr = { 0 };
  bool ok;

  kt->launch_ts = malloc ((n_k ? n_k : 1) * sizeof *kt->launch_ts);
  ok = kt->launch_ts != NULL && cw_u64_map_init (&by_corr, n_l);
  /* Correlation id + 1 as the key: id 0 would read as an empty slot. */
  for (size_t i = 0; ok && i < n_l; i++)
    ok = cw_u64_map_set (&by_corr, (uint64_t) l[i].correlation_id + 1, l[i].timestamp_ns);
  if (!ok)
    {
      free (kt->launch_ts);
      kt->launch_ts = NULL;
      cw_u64_map_clear (&by_corr);
      cw_error_set (error, CW_ERROR_OOM, "out of memory matching kernel launches");
      return false;
    }
  for (size_t i = 0; i < n_k; i++)
    {
      uint64_t key = (uint64_t) k[i].correlation_id + 1;
      size_t slot = cw_u64_map_slot (&by_corr, key);

      kt->launch_ts[i] = by_corr.keys[slot] == key ? by_corr.values[slot] : k[i].start_ns;
    }
  cw_u64_map_clear (&by_corr);
  return true;
}

/* ---- receipts --------------------------------------------------------------- */

typedef struct {
  const CwSpool              *spool;
  const CwExecReceiptOptions *o;
  const Curve                *curve;
  const Range                *ranges;
  size_t                      n_ranges;
  const KernelTimes          *kt;
  const CwSpoolDeviceInfo    *device_info;   /* NULL when no device record */
} Ctx;

static bool
add_event (CwReceipt *r, CwTraceKind kind, const char *name, uint64_t start, uint64_t end, uint64_t bytes,
           uint64_t address, uint32_t stream, uint32_t corr, int32_t depth, CwError *error)
{
  CwTraceEvent ev = { kind, (char *) name, start, end < start ? start : end, bytes, address, stream, corr, depth };

  return cw_receipt_add_event (r, &ev, error);
}

static const char *
copy_kind_name (const CwSpoolCopyEvent *c)
{
  if (c->is_memset)
    return "memset";
  switch (c->copy_kind)
    {
    case 1: return "memcpy HtoD";
    case 2: return "memcpy DtoH";
    case 8: return "memcpy DtoD";
    case 10: return "memcpy PtoP";
    default: return "memcpy";
    }
}

/* The window's trace: memory events of the device, kernels launched and
 * copies started in it, and the ranges overlapping it. Skipped (and said in
 * the note) past CW_EXEC_MAX_TRACE_EVENTS. */
static bool
fill_trace (const Ctx *c, CwReceipt *r, uint64_t from, uint64_t to, CwError *error)
{
  size_t n_mem, n_k, n_c, count = 0;
  const CwSpoolMemoryEvent *mem = cw_spool_get_memory (c->spool, &n_mem);
  const CwSpoolKernelEvent *k = cw_spool_get_kernels (c->spool, &n_k);
  const CwSpoolCopyEvent *cp = cw_spool_get_copies (c->spool, &n_c);
  size_t first = curve_lower_bound (c->curve, from);

  for (size_t i = first; i < c->curve->n && c->curve->points[i].ts <= to; i++)
    count++;
  for (size_t i = 0; i < n_k; i++)
    count += k[i].device == c->curve->device && c->kt->launch_ts[i] >= from && c->kt->launch_ts[i] <= to;
  for (size_t i = 0; i < n_c; i++)
    count += cp[i].device == c->curve->device && cp[i].start_ns >= from && cp[i].start_ns <= to;
  for (size_t i = 0; i < c->n_ranges; i++)
    count += c->ranges[i].start_ns <= to && c->ranges[i].end_ns >= from;
  if (count > CW_EXEC_MAX_TRACE_EVENTS)
    {
      size_t len = strlen (r->note);

      snprintf (r->note + len, sizeof r->note - len, "%strace of %zu events not stored (over %u)",
                len ? "; " : "", count, CW_EXEC_MAX_TRACE_EVENTS);
      return true;
    }

  for (size_t i = 0; i < c->n_ranges; i++)
    if (c->ranges[i].start_ns <= to && c->ranges[i].end_ns >= from)
      if (!add_event (r, CW_TRACE_RANGE, c->ranges[i].name, c->ranges[i].start_ns, c->ranges[i].end_ns, 0, 0, 0,
                      0, c->ranges[i].depth, error))
        return false;
  for (size_t i = first; i < c->curve->n && c->curve->points[i].ts <= to; i++)
    {
      const CwSpoolMemoryEvent *e = &mem[c->curve->points[i].event];

      if (!add_event (r, e->is_free ? CW_TRACE_FREE : CW_TRACE_ALLOC, e->is_free ? "free" : "alloc",
                      e->timestamp_ns, e->timestamp_ns, e->bytes, e->address, 0, 0, 0, error))
        return false;
    }
  for (size_t i = 0; i < n_k; i++)
    if (k[i].device == c->curve->device && c->kt->launch_ts[i] >= from && c->kt->launch_ts[i] <= to)
      if (!add_event (r, CW_TRACE_KERNEL, k[i].name, k[i].start_ns, k[i].end_ns, 0, 0, k[i].stream_id,
                      k[i].correlation_id, 0, error))
        return false;
  for (size_t i = 0; i < n_c; i++)
    if (cp[i].device == c->curve->device && cp[i].start_ns >= from && cp[i].start_ns <= to)
      if (!add_event (r, cp[i].is_memset ? CW_TRACE_MEMSET : CW_TRACE_MEMCPY, copy_kind_name (&cp[i]),
                      cp[i].start_ns, cp[i].end_ns, cp[i].bytes, 0, cp[i].stream_id, cp[i].correlation_id, 0,
                      error))
        return false;
  return true;
}

static void
append_message (CwReceipt *r, const char *text)
{
  size_t len = strlen (r->error_message);

  snprintf (r->error_message + len, sizeof r->error_message - len, "%s%s", len ? "; " : "", text);
}

/* How the process ended, as one phrase ("" when it exited 0). */
static void
describe_end (const Ctx *c, char *buf, size_t size)
{
  char sig[32];

  buf[0] = '\0';
  if (c->o->timed_out)
    snprintf (buf, size, "timed out after %u s and was killed", c->o->timeout_s);
  else if (c->o->exit_signal != 0)
    snprintf (buf, size, "killed by %s", cw_receipt_signal_name (c->o->exit_signal, sig, sizeof sig));
  else if (c->o->exit_code != 0)
    snprintf (buf, size, "exited with status %d", c->o->exit_code);
  if (cw_spool_is_truncated (c->spool))
    {
      size_t len = strlen (buf);

      snprintf (buf + len, size - len, "%sthe spool's last record was cut off", len ? "; " : "");
    }
}

/* The first out-of-memory failure on this device in [from, to], or NULL. */
static const CwSpoolOomEvent *
find_oom (const Ctx *c, uint64_t from, uint64_t to)
{
  size_t n;
  const CwSpoolOomEvent *o = cw_spool_get_ooms (c->spool, &n);

  for (size_t i = 0; i < n; i++)
    if ((o[i].device < 0 || (uint32_t) o[i].device == c->curve->device) && o[i].timestamp_ns >= from
        && o[i].timestamp_ns <= to)
      return &o[i];
  return NULL;
}

static CwReceipt *
new_receipt (const Ctx *c, bool with_prediction, CwError *error)
{
  CwReceipt *r = c->o->template_receipt ? cw_receipt_dup (c->o->template_receipt) : cw_receipt_new ();
  const CwSpoolHeader *h = cw_spool_get_header (c->spool);

  if (r == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory building a receipt");
      return NULL;
    }
  cw_receipt_uuid_generate (r->uuid);
  cw_receipt_clear_trace (r);
  r->trace_loaded = true;
  CW_RECEIPT_SET (r->lane, CW_RECEIPT_EXEC_LANE);
  if (!with_prediction)
    {
      r->profile[0] = '\0';
      r->predicted_peak_bytes = 0;
      r->predicted_input_bytes = 0;
      /* Buffers and phases are the prediction's breakdown: none here. */
      free (r->buffers);
      free (r->phases);
      r->buffers = NULL;
      r->phases = NULL;
      r->n_buffers = r->n_phases = 0;
    }
  r->status = CW_RECEIPT_STATUS_OK;
  r->error_message[0] = '\0';
  CW_RECEIPT_SET (r->exec.program, c->o->program ? c->o->program : h->exe);
  CW_RECEIPT_SET (r->exec.allocator, c->o->allocator ? c->o->allocator : "");
  r->exec.pid = h->pid;
  r->exec.rank = h->rank;
  r->exec.device = (int32_t) c->curve->device;
  r->exec.exit_code = c->o->exit_code;
  r->exec.exit_signal = c->o->exit_signal;
  r->provenance.cupti_version = h->cupti_version;
  if (c->device_info)
    {
      CW_RECEIPT_SET (r->provenance.gpu_name, c->device_info->name);
      CW_RECEIPT_SET (r->provenance.gpu_uuid, c->device_info->uuid);
      r->provenance.hbm_total_bytes = c->device_info->total_bytes;
    }
  r->dropped_records = cw_spool_get_dropped (c->spool);
  return r;
}

static void
set_wall_time (const Ctx *c, CwReceipt *r, uint64_t at_ns)
{
  const CwSpoolHeader *h = cw_spool_get_header (c->spool);

  if (h->start_unix_ns > 0 && at_ns >= h->start_ns)
    r->provenance.time_unix_ns = h->start_unix_ns + (int64_t) (at_ns - h->start_ns);
}

static void
count_kernels (const Ctx *c, uint64_t from, uint64_t to, CwReceipt *r)
{
  size_t n_k;
  const CwSpoolKernelEvent *k = cw_spool_get_kernels (c->spool, &n_k);

  r->exec.n_kernels = 0;
  r->kernel_ns = 0;
  for (size_t i = 0; i < n_k; i++)
    if (k[i].device == c->curve->device && c->kt->launch_ts[i] >= from && c->kt->launch_ts[i] <= to)
      {
        r->exec.n_kernels++;
        r->kernel_ns += k[i].end_ns - k[i].start_ns;
      }
}

static void
set_oom (const Ctx *c, CwReceipt *r, const CwSpoolOomEvent *oom)
{
  char text[200], bytes[96];

  r->status = CW_RECEIPT_STATUS_OOM;
  r->oom_request_bytes = oom->bytes;
  r->oom_live_bytes = curve_live_at (c->curve, oom->timestamp_ns);
  cw_bytes_format (oom->bytes, bytes, sizeof bytes);
  snprintf (text, sizeof text, "a CUDA allocation of %s failed: out of memory", bytes);
  append_message (r, text);
}

static bool
build_process_receipt (const Ctx *c, bool with_prediction, CwReceipt **out, CwError *error)
{
  const CwSpoolHeader *h = cw_spool_get_header (c->spool);
  uint64_t from = h->start_ns, to = cw_spool_get_last_timestamp (c->spool);
  CwReceipt *r = new_receipt (c, with_prediction, error);
  const CwSpoolOomEvent *oom;
  char end[256];

  if (r == NULL)
    return false;
  if (to < from)
    to = from;
  set_wall_time (c, r, from);
  r->measured_peak_bytes = c->curve->peak;
  r->lane_ns = to - from;
  count_kernels (c, from, to, r);
  describe_end (c, end, sizeof end);
  oom = find_oom (c, from, to);
  if (oom != NULL && (end[0] != '\0' || c->o->exit_code != 0))
    set_oom (c, r, oom);
  else if (end[0] != '\0')
    r->status = CW_RECEIPT_STATUS_ERROR;
  if (end[0] != '\0')
    append_message (r, end);
  else if (oom != NULL)
    append_message (r, "an allocation failed with out-of-memory and the program recovered");
  if (!fill_trace (c, r, from, to, error))
    {
      cw_receipt_free (r);
      return false;
    }
  *out = r;
  return true;
}

static bool
build_range_receipt (const Ctx *c, const Range *range, CwReceipt **out, CwError *error)
{
  CwReceipt *r = new_receipt (c, true, error);
  const CwSpoolOomEvent *oom;
  uint64_t open = 0, peak = 0;

  if (r == NULL)
    return false;
  CW_RECEIPT_SET (r->exec.range_name, range->name);
  r->exec.range_occurrence = range->occurrence;
  set_wall_time (c, r, range->start_ns);
  curve_window (c->curve, range->start_ns, range->end_ns, &open, &peak);
  r->exec.range_open_bytes = open;
  r->measured_peak_bytes = peak;
  r->lane_ns = range->end_ns - range->start_ns;
  count_kernels (c, range->start_ns, range->end_ns, r);
  oom = find_oom (c, range->start_ns, range->end_ns);
  if (oom != NULL)
    set_oom (c, r, oom);
  if (!range->closed)
    {
      char end[256], text[400];

      describe_end (c, end, sizeof end);
      snprintf (text, sizeof text, "the range never closed (the program %s)",
                end[0] ? end : "ended inside it");
      if (r->status == CW_RECEIPT_STATUS_OK)
        r->status = CW_RECEIPT_STATUS_ERROR;
      append_message (r, text);
    }
  if (!fill_trace (c, r, range->start_ns, range->end_ns, error))
    {
      cw_receipt_free (r);
      return false;
    }
  *out = r;
  return true;
}

static bool
push_receipt (CwReceipt ***list, size_t *n, size_t *cap, CwReceipt *r, CwError *error)
{
  if (*n == *cap)
    {
      size_t ncap = *cap ? *cap * 2 : 16;
      CwReceipt **nl = realloc (*list, ncap * sizeof *nl);

      if (nl == NULL)
        {
          cw_receipt_free (r);
          cw_error_set (error, CW_ERROR_OOM, "out of memory collecting receipts");
          return false;
        }
      *list = nl;
      *cap = ncap;
    }
  (*list)[(*n)++] = r;
  return true;
}

static bool
range_matches (const CwExecReceiptOptions *o, const char *name)
{
  for (size_t i = 0; i < o->n_range_patterns; i++)
    if (fnmatch (o->range_patterns[i], name, 0) == 0)
      return true;
  return false;
}

bool
cw_exec_receipts_build (const CwSpool *spool, const CwExecReceiptOptions *o, CwReceipt ***out,
                        size_t *n_out, CwError *error)
{
  size_t n_mem, n_oom, n_dev_info, n_devices = 0, n = 0, cap = 0, n_ranges = 0;
  const CwSpoolMemoryEvent *mem = cw_spool_get_memory (spool, &n_mem);
  const CwSpoolOomEvent *ooms = cw_spool_get_ooms (spool, &n_oom);
  const CwSpoolDeviceInfo *infos = cw_spool_get_devices (spool, &n_dev_info);
  uint32_t devices[64];
  CwReceipt **list = NULL;
  Range *ranges = NULL;
  KernelTimes kt = { NULL };
  bool ok = false;

  if (spool == NULL || o == NULL || out == NULL || n_out == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_exec_receipts_build: NULL argument");
      return false;
    }
  /* Devices in first-use order: those that held device memory or failed to. */
  for (size_t i = 0; i < n_mem + n_oom; i++)
    {
      uint32_t d;
      bool seen = false;

      if (i < n_mem)
        {
          if (!is_device_memory (&mem[i]))
            continue;
          d = mem[i].device;
        }
      else
        {
          if (ooms[i - n_mem].device < 0)
            continue;
          d = (uint32_t) ooms[i - n_mem].device;
        }
      for (size_t j = 0; j < n_devices; j++)
        seen = seen || devices[j] == d;
      if (!seen)
        {
          if (n_devices == sizeof devices / sizeof devices[0])
            {
              cw_error_set (error, CW_ERROR_UNSUPPORTED, "%s: more than 64 devices in one process",
                            cw_spool_get_path (spool));
              return false;
            }
          devices[n_devices++] = d;
        }
    }
  if (n_devices == 0 && n_dev_info > 0)
    devices[n_devices++] = infos[0].device;   /* used CUDA, allocated nothing */
  if (n_devices == 0)
    devices[n_devices++] = 0;

  if (!ranges_build (spool, &ranges, &n_ranges, error) || !kernel_times_build (spool, &kt, error))
    goto out;

  for (size_t d = 0; d < n_devices; d++)
    {
      Curve curve;
      Ctx c = { spool, o, &curve, ranges, n_ranges, &kt, NULL };
      CwReceipt *r = NULL;
      bool fine = true;

      for (size_t i = 0; i < n_dev_info; i++)
        if (infos[i].device == devices[d])
          c.device_info = &infos[i];
      if (!curve_build (spool, devices[d], &curve, error))
        goto out;
      fine = build_process_receipt (&c, o->n_range_patterns == 0, &r, error)
             && push_receipt (&list, &n, &cap, r, error);
      for (size_t i = 0; fine && i < n_ranges; i++)
        {
          uint64_t open, peak;

          if (!range_matches (o, ranges[i].name))
            continue;
          /* On a process with several devices, a range is a receipt on every
           * device whose memory moved inside it (and on the first device). */
          curve_window (&curve, ranges[i].start_ns, ranges[i].end_ns, &open, &peak);
          if (d > 0 && peak == open && find_oom (&c, ranges[i].start_ns, ranges[i].end_ns) == NULL)
            {
              size_t k = curve_lower_bound (&curve, ranges[i].start_ns);

              if (k >= curve.n || curve.points[k].ts > ranges[i].end_ns)
                continue;
            }
          fine = build_range_receipt (&c, &ranges[i], &r, error) && push_receipt (&list, &n, &cap, r, error);
        }
      curve_clear (&curve);
      if (!fine)
        goto out;
    }
  ok = true;

out:
  free (ranges);
  free (kt.launch_ts);
  if (!ok)
    {
      for (size_t i = 0; i < n; i++)
        cw_receipt_free (list[i]);
      free (list);
      return false;
    }
  *out = list;
  *n_out = n;
  return true;
}
