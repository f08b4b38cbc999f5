/* cw-receipt.c: allocation, copying and small rules of a CwReceipt. */
#include "cw-receipt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cw-build-config.h"
#include "cw-git-revision.h"
#include "cw-live-bytes.h"
#include "cw-profile.h"

static const char *const status_names[CW_RECEIPT_N_STATUS] = {
  [CW_RECEIPT_STATUS_OK] = "ok",
  [CW_RECEIPT_STATUS_OOM] = "oom",
  [CW_RECEIPT_STATUS_CAPTURE_FAILED] = "capture-failed",
  [CW_RECEIPT_STATUS_ERROR] = "error",
};

static const char *const kind_names[CW_TRACE_N_KINDS] = {
  [CW_TRACE_KERNEL] = "kernel",
  [CW_TRACE_MEMCPY] = "memcpy",
  [CW_TRACE_MEMSET] = "memset",
  [CW_TRACE_ALLOC] = "alloc",
  [CW_TRACE_FREE] = "free",
  [CW_TRACE_RANGE] = "range",
};

const char *
cw_receipt_status_get_name (CwReceiptStatus status)
{
  if ((unsigned) status >= CW_RECEIPT_N_STATUS)
    return "unknown";
  return status_names[status];
}

bool
cw_receipt_status_from_name (const char *name, CwReceiptStatus *out)
{
  if (name == NULL)
    return false;
  for (unsigned i = 0; i < CW_RECEIPT_N_STATUS; i++)
    if (strcasecmp (name, status_names[i]) == 0)
      {
        *out = (CwReceiptStatus) i;
        return true;
      }
  return false;
}

static const char *const gradcheck_names[CW_GRADCHECK_N_STATUS] = {
  [CW_GRADCHECK_NONE] = "",
  [CW_GRADCHECK_OK] = "ok",
  [CW_GRADCHECK_FAILED] = "failed",
};

const char *
cw_gradcheck_status_get_name (CwGradcheckStatus status)
{
  if ((unsigned) status >= CW_GRADCHECK_N_STATUS)
    return "unknown";
  return gradcheck_names[status];
}

bool
cw_gradcheck_status_from_name (const char *name, CwGradcheckStatus *out)
{
  if (name == NULL)
    return false;
  for (unsigned i = 0; i < CW_GRADCHECK_N_STATUS; i++)
    if (strcmp (name, gradcheck_names[i]) == 0)
      {
        *out = (CwGradcheckStatus) i;
        return true;
      }
  return false;
}

const char *
cw_trace_kind_get_name (CwTraceKind kind)
{
  if ((unsigned) kind >= CW_TRACE_N_KINDS)
    return "unknown";
  return kind_names[kind];
}

bool
cw_trace_kind_from_name (const char *name, CwTraceKind *out)
{
  if (name == NULL)
    return false;
  for (unsigned i = 0; i < CW_TRACE_N_KINDS; i++)
    if (strcmp (name, kind_names[i]) == 0)
      {
        *out = (CwTraceKind) i;
        return true;
      }
  return false;
}

void
cw_receipt_set_string (char *field, size_t field_size, const char *value)
{
  if (field_size == 0)
    return;
  if (value == NULL)
    value = "";
  snprintf (field, field_size, "%s", value);
}

static void
fill_random (unsigned char *buf, size_t len)
{
  size_t got = 0;

  while (got < len)
    {
      ssize_t r = getrandom (buf + got, len - got, 0);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      got += (size_t) r;
    }
  if (got < len)
    {
      /* No getrandom (old kernel, seccomp): fall back to time and pid mixed
       * through a xorshift; UUIDs only need to be unique, not secret. */
      struct timespec ts;
      uint64_t x;

      clock_gettime (CLOCK_REALTIME, &ts);
      x = (uint64_t) ts.tv_nsec ^ ((uint64_t) ts.tv_sec << 20) ^ ((uint64_t) getpid () << 40)
          ^ (uint64_t) (uintptr_t) buf;
      for (size_t i = got; i < len; i++)
        {
          x ^= x << 13;
          x ^= x >> 7;
          x ^= x << 17;
          buf[i] = (unsigned char) (x >> 24);
        }
    }
}

void
cw_receipt_uuid_generate (char out[37])
{
  unsigned char b[16];

  fill_random (b, sizeof b);
  b[6] = (unsigned char) ((b[6] & 0x0f) | 0x40);  /* version 4 */
  b[8] = (unsigned char) ((b[8] & 0x3f) | 0x80);  /* RFC 4122 variant */
  snprintf (out, 37,
            "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
            b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

CwReceipt *
cw_receipt_new (void)
{
  CwReceipt *receipt = calloc (1, sizeof *receipt);
  struct timespec ts;

  if (receipt == NULL)
    return NULL;
  cw_receipt_uuid_generate (receipt->uuid);
  receipt->status = CW_RECEIPT_STATUS_OK;
  receipt->exec.rank = -1;
  receipt->exec.device = -1;
  CW_RECEIPT_SET (receipt->provenance.cliffwatch_version, CW_VERSION);
  CW_RECEIPT_SET (receipt->provenance.git_revision, CW_GIT_REVISION);
  /* A build from an exported tree (the GPU machine's copy has no .git, or
   * one of another commit) cannot see its revision; whoever exported it
   * states it here, and that statement wins. */
  if (getenv ("CW_SOURCE_REVISION") != NULL
      && getenv ("CW_SOURCE_REVISION")[0] != '\0')
    snprintf (receipt->provenance.git_revision, sizeof receipt->provenance.git_revision, "%.12s (exported)",
              getenv ("CW_SOURCE_REVISION"));
  if (clock_gettime (CLOCK_REALTIME, &ts) == 0)
    receipt->provenance.time_unix_ns = (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
  receipt->trace_loaded = true;
  return receipt;
}

void
cw_receipt_clear_trace (CwReceipt *receipt)
{
  if (receipt == NULL)
    return;
  for (size_t i = 0; i < receipt->n_events; i++)
    free (receipt->events[i].name);
  free (receipt->events);
  receipt->events = NULL;
  receipt->n_events = 0;
}

void
cw_receipt_free (CwReceipt *receipt)
{
  if (receipt == NULL)
    return;
  cw_receipt_clear_trace (receipt);
  free (receipt->buffers);
  free (receipt->phases);
  free (receipt);
}

/* Grows *array so that it holds n + 1 elements; capacity doubles at powers of
 * two so appends stay amortised O(1) without storing a capacity field. */
static bool
grow_for_append (void **array, size_t n, size_t elem_size, CwError *error)
{
  size_t cap;
  void *p;

  if (n != 0 && (n & (n - 1)) != 0)
    return true;  /* n is not a power of two: there is room already */
  cap = n == 0 ? 1 : n * 2;
  if (cap > SIZE_MAX / elem_size)
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "receipt array of %zu elements is too large", cap);
      return false;
    }
  p = realloc (*array, cap * elem_size);
  if (p == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory growing a receipt array to %zu elements", cap);
      return false;
    }
  *array = p;
  return true;
}

bool
cw_receipt_add_buffer (CwReceipt *receipt, const char *name, uint64_t bytes,
                       bool is_input, CwError *error)
{
  CwReceiptBuffer *buf;

  if (receipt == NULL || name == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt buffer needs a name");
      return false;
    }
  if (!grow_for_append ((void **) &receipt->buffers, receipt->n_buffers, sizeof *buf, error))
    return false;
  buf = &receipt->buffers[receipt->n_buffers++];
  memset (buf, 0, sizeof *buf);
  CW_RECEIPT_SET (buf->name, name);
  buf->bytes = bytes;
  buf->is_input = is_input;
  return true;
}

bool
cw_receipt_add_phase (CwReceipt *receipt, const char *name, uint64_t live_bytes, CwError *error)
{
  CwReceiptPhase *phase;

  if (receipt == NULL || name == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt phase needs a name");
      return false;
    }
  if (!grow_for_append ((void **) &receipt->phases, receipt->n_phases, sizeof *phase, error))
    return false;
  phase = &receipt->phases[receipt->n_phases++];
  memset (phase, 0, sizeof *phase);
  CW_RECEIPT_SET (phase->name, name);
  phase->live_bytes = live_bytes;
  return true;
}

bool
cw_receipt_add_event (CwReceipt *receipt, const CwTraceEvent *event, CwError *error)
{
  char *name;

  if (receipt == NULL || event == NULL || event->name == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "trace event needs a name");
      return false;
    }
  if ((unsigned) event->kind >= CW_TRACE_N_KINDS)
    {
      cw_error_set (error, CW_ERROR_INVALID, "trace event '%s' has an unknown kind %d",
                    event->name, (int) event->kind);
      return false;
    }
  if (event->depth < 0 || event->depth > CW_TRACE_MAX_DEPTH)
    {
      cw_error_set (error, CW_ERROR_INVALID, "trace event '%s' has depth %d (0 to %d)", event->name,
                    (int) event->depth, CW_TRACE_MAX_DEPTH);
      return false;
    }
  if (event->end_ns < event->start_ns)
    {
      cw_error_set (error, CW_ERROR_INVALID, "trace event '%s' ends (%llu ns) before it starts (%llu ns)",
                    event->name, (unsigned long long) event->end_ns,
                    (unsigned long long) event->start_ns);
      return false;
    }
  name = strdup (event->name);
  if (name == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory copying a trace event name");
      return false;
    }
  if (!grow_for_append ((void **) &receipt->events, receipt->n_events, sizeof *event, error))
    {
      free (name);
      return false;
    }
  receipt->events[receipt->n_events] = *event;
  receipt->events[receipt->n_events].name = name;
  receipt->n_events++;
  return true;
}

CwReceipt *
cw_receipt_dup (const CwReceipt *receipt)
{
  CwReceipt *copy;

  if (receipt == NULL)
    return NULL;
  copy = malloc (sizeof *copy);
  if (copy == NULL)
    return NULL;
  *copy = *receipt;
  copy->buffers = NULL;
  copy->phases = NULL;
  copy->events = NULL;
  copy->n_buffers = copy->n_phases = copy->n_events = 0;
  for (size_t i = 0; i < receipt->n_buffers; i++)
    if (!cw_receipt_add_buffer (copy, receipt->buffers[i].name, receipt->buffers[i].bytes,
                                receipt->buffers[i].is_input, NULL))
      goto fail;
  for (size_t i = 0; i < receipt->n_phases; i++)
    if (!cw_receipt_add_phase (copy, receipt->phases[i].name, receipt->phases[i].live_bytes, NULL))
      goto fail;
  for (size_t i = 0; i < receipt->n_events; i++)
    if (!cw_receipt_add_event (copy, &receipt->events[i], NULL))
      goto fail;
  return copy;

fail:
  cw_receipt_free (copy);
  return NULL;
}

/* max(predicted / divisor, 8 MiB): 8 MiB is allocator slack the planner
 * does not model; the division floors, never more lenient than the rule. */
static uint64_t
tolerance_bytes (uint64_t predicted_bytes, uint64_t divisor)
{
  const uint64_t floor_bytes = 8ull << 20;
  uint64_t share = predicted_bytes / divisor;

  return share > floor_bytes ? share : floor_bytes;
}

uint64_t
cw_receipt_peak_tolerance_bytes (uint64_t predicted_bytes)
{
  return tolerance_bytes (predicted_bytes, 100);   /* 1 % */
}

uint64_t
cw_receipt_exec_tolerance_bytes (uint64_t predicted_bytes)
{
  return tolerance_bytes (predicted_bytes, 200);   /* 0.5 % */
}

const char *
cw_receipt_signal_name (int sig, char *buf, size_t size)
{
  static const struct { int sig; const char *name; } names[] = {
    { SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" }, { SIGABRT, "SIGABRT" }, { SIGKILL, "SIGKILL" },
    { SIGTERM, "SIGTERM" }, { SIGINT, "SIGINT" }, { SIGFPE, "SIGFPE" }, { SIGILL, "SIGILL" },
    { SIGHUP, "SIGHUP" }, { SIGQUIT, "SIGQUIT" }, { SIGPIPE, "SIGPIPE" },
  };

  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (names[i].sig == sig)
      {
        snprintf (buf, size, "%s", names[i].name);
        return buf;
      }
  snprintf (buf, size, "signal %d", sig);
  return buf;
}

bool
cw_receipt_set_prediction (CwReceipt *r, const CwPlan *plan, CwError *error)
{
  free (r->buffers);
  free (r->phases);
  r->buffers = NULL;
  r->phases = NULL;
  r->n_buffers = r->n_phases = 0;
  CW_RECEIPT_SET (r->profile, cw_profile_get_name (cw_plan_get_profile (plan)));
  r->predicted_peak_bytes = cw_plan_get_peak_bytes (plan);
  r->predicted_input_bytes = cw_plan_get_input_bytes (plan);
  for (unsigned i = 0; i < cw_plan_get_n_buffers (plan); i++)
    if (!cw_receipt_add_buffer (r, cw_plan_get_buffer_name (plan, i), cw_plan_get_buffer_bytes (plan, i),
                                cw_plan_get_buffer_is_input (plan, i), error))
      return false;
  for (unsigned i = 0; i < cw_plan_get_n_phases (plan); i++)
    if (!cw_receipt_add_phase (r, cw_plan_get_phase_name (plan, i), cw_plan_get_phase_live_bytes (plan, i), error))
      return false;
  return true;
}

/* One table for every front end: the lanes of cw-profiler.c and of
 * profiler/transfer, each with the profile that models what it allocates.
 * A transfer sender holds what its anchor stage held; a receiver holds what
 * the shared step holds. */
static const struct {
  const char *lane;
  const char *profile;
} lane_profiles[] = {
  { "materialize", "materialize" },
  { "fused", "fused" },
  { "streaming", "streaming" },
  { "index-mask", "index-mask" },
  { "index-mask-host-checked", "index-mask" },
  { "index-full-layer", "index-full-layer" },
  { "index-transfer-send", "index-full-layer" },
  { "index-transfer-recv", "index-shared" },
  { "index-shared", "index-shared" },
  { "index-recompute", "index-recompute" },
  /* training steps (issue 18): forward, loss, backward */
  { "streaming-train", "streaming-train" },
  { "streaming-train-dense", "streaming-train" },
  { "fused-train", "fused-train" },
  { "gradcheck", "streaming-train" },
  { "gradcheck-dense", "streaming-train" },
};

bool
cw_receipt_lane_has_profile_params (const char *lane)
{
  return lane != NULL && (strcmp (lane, "streaming-train-dense") == 0 || strcmp (lane, "gradcheck-dense") == 0);
}

bool
cw_receipt_lane_set_profile_params (const char *lane, CwProfile *profile, CwError *error)
{
  if (profile == NULL || !cw_receipt_lane_has_profile_params (lane))
    return true;
  return cw_profile_set_param (profile, "dense", 1, error);
}

const char *
cw_receipt_lane_get_profile (const char *lane)
{
  if (lane == NULL)
    return NULL;
  for (size_t i = 0; i < sizeof lane_profiles / sizeof lane_profiles[0]; i++)
    if (strcmp (lane, lane_profiles[i].lane) == 0)
      return lane_profiles[i].profile;
  return NULL;
}

const char *
cw_receipt_get_peak_source (const CwReceipt *r)
{
  static const char *const tallied[] = { "index-full-layer", "index-transfer-send", "index-transfer-recv",
                                         "index-shared", "index-recompute" };

  for (size_t i = 0; i < sizeof tallied / sizeof tallied[0]; i++)
    if (strcmp (r->lane, tallied[i]) == 0)
      return "cudaMalloc requests tallied by the transfer driver";
  return "CUPTI alloc/free";
}

bool
cw_receipt_predict_with (CwReceipt *r, const CwProfile *profile, const CwConfig *config, CwError *error)
{
  CwPlan *plan = cw_plan_new (profile, config, error);
  bool ok = plan != NULL && cw_receipt_set_prediction (r, plan, error);

  cw_plan_free (plan);
  return ok;
}

bool
cw_receipt_predict_from_lane (CwReceipt *r, CwError *error)
{
  const char *name = r ? cw_receipt_lane_get_profile (r->lane) : NULL;
  CwProfile *profile;
  bool ok;

  if (name == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "lane '%s' has no profile", r ? r->lane : "(null)");
      return false;
    }
  profile = cw_profile_load (name, error);
  if (profile == NULL)
    return false;
  ok = cw_receipt_lane_set_profile_params (r->lane, profile, error)
       && cw_receipt_predict_with (r, profile, &r->config, error);
  cw_profile_free (profile);
  return ok;
}

bool
cw_receipt_plan_missing_prediction (CwReceipt *r, const CwProfile *profile, CwError *error)
{
  if (r == NULL || profile == NULL || r->predicted_peak_bytes != 0)
    return false;
  if (!cw_receipt_predict_with (r, profile, &r->config, error))
    return false;
  r->prediction_on_read = true;
  return true;
}

bool
cw_receipt_is_exec (const CwReceipt *receipt)
{
  return strcmp (receipt->lane, CW_RECEIPT_EXEC_LANE) == 0;
}

void
cw_receipt_get_compared_peaks (const CwReceipt *receipt, uint64_t *predicted, uint64_t *measured)
{
  uint64_t p = receipt->predicted_peak_bytes;
  uint64_t m = receipt->measured_peak_bytes;

  if (cw_receipt_is_exec (receipt) && receipt->exec.range_name[0] != '\0')
    {
      p = p > receipt->predicted_input_bytes ? p - receipt->predicted_input_bytes : 0;
      m = m > receipt->exec.range_open_bytes ? m - receipt->exec.range_open_bytes : 0;
    }
  if (predicted)
    *predicted = p;
  if (measured)
    *measured = m;
}

uint64_t
cw_receipt_get_charted_peak (const CwReceipt *receipt)
{
  uint64_t m;

  if (!cw_receipt_is_exec (receipt) || receipt->exec.range_name[0] == '\0')
    return receipt->measured_peak_bytes;
  cw_receipt_get_compared_peaks (receipt, NULL, &m);
  return m + receipt->predicted_input_bytes;
}

uint64_t
cw_receipt_get_tolerance_bytes (const CwReceipt *receipt)
{
  uint64_t p;

  cw_receipt_get_compared_peaks (receipt, &p, NULL);
  return cw_receipt_is_exec (receipt) ? cw_receipt_exec_tolerance_bytes (p) : cw_receipt_peak_tolerance_bytes (p);
}

bool
cw_receipt_peak_agrees (const CwReceipt *receipt)
{
  uint64_t p, m, diff;

  cw_receipt_get_compared_peaks (receipt, &p, &m);
  diff = p > m ? p - m : m - p;
  return diff <= cw_receipt_get_tolerance_bytes (receipt);
}

/* The trace's allocations and frees as cw-live-bytes events; NULL with
 * *n 0 when there are none, NULL with *n (size_t) -1 when out of memory. */
static CwLiveEvent *
trace_live_events (const CwTraceEvent *events, size_t n_events, size_t *n)
{
  CwLiveEvent *out;

  *n = 0;
  if (events == NULL || n_events == 0)
    return NULL;
  out = malloc (n_events * sizeof *out);
  if (out == NULL)
    {
      *n = (size_t) -1;
      return NULL;
    }
  for (size_t i = 0; i < n_events; i++)
    if (events[i].kind == CW_TRACE_ALLOC || events[i].kind == CW_TRACE_FREE)
      out[(*n)++] = (CwLiveEvent) { events[i].start_ns, events[i].address, events[i].bytes,
                                    events[i].kind == CW_TRACE_FREE };
  return out;
}

uint64_t
cw_trace_live_peak (const CwTraceEvent *events, size_t n_events)
{
  size_t n;
  CwLiveEvent *live = trace_live_events (events, n_events, &n);
  uint64_t peak = 0;

  if (live != NULL && !cw_live_bytes_replay (live, n, NULL, &peak, NULL, NULL))
    peak = 0;
  free (live);
  return peak;
}

bool
cw_receipt_get_live_changes (const CwReceipt *receipt, CwLiveChange **changes, size_t *n_changes, CwError *error)
{
  size_t n;
  CwLiveEvent *live = trace_live_events (receipt->events, receipt->n_events, &n);
  bool ok;

  *changes = NULL;
  *n_changes = 0;
  if (n == (size_t) -1)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory replaying the trace");
      return false;
    }
  ok = cw_live_bytes_changes (live, n, changes, n_changes, error);
  free (live);
  return ok;
}
