/* cw-cupti.c: CUPTI Activity buffers -> CwTraceEvent list.
 *
 * CUPTI calls bufferRequested/bufferCompleted from its own threads; the
 * completed records are converted at once (their name strings are only
 * valid inside the callback) and appended to a mutex-guarded list.
 *
 * RUNTIME (CUDA runtime API) records are kept only as (correlation id, host
 * time) pairs: they are what ties a kernel to the NVTX range it was launched
 * in (cw-trace-projection.h); they are not stored in the receipt. */
#include "cw-cupti-private.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cupti.h>

#include "cw-trace-projection.h"

#define BUFFER_SIZE (8u << 20)
#define BUFFER_ALIGN 8

typedef struct {
  CwTraceKind kind;
  char       *name;
  uint64_t    start_ns, end_ns, bytes, address;
  uint32_t    stream_id, correlation_id;
  uint32_t    marker_id;   /* NVTX: start and end records share it */
  int         marker;      /* 0 = not a marker, 1 = start, 2 = end */
  bool        api;         /* a runtime API call: only correlation_id and start_ns are set */
} RawRecord;

static struct {
  pthread_mutex_t lock;
  bool            started;
  bool            enabled;
  RawRecord      *records;
  size_t          n_records, cap_records;
  uint64_t        dropped;
  bool            oom;       /* a record could not be stored: counted as dropped */
  char            lib_path[1024];
} self = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const CUpti_ActivityKind traced_kinds[] = {
  CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL,
  CUPTI_ACTIVITY_KIND_MEMCPY,
  CUPTI_ACTIVITY_KIND_MEMSET,
  CUPTI_ACTIVITY_KIND_MEMORY2,
  CUPTI_ACTIVITY_KIND_MARKER,
  CUPTI_ACTIVITY_KIND_RUNTIME,
};
#define N_TRACED_KINDS (sizeof traced_kinds / sizeof traced_kinds[0])

static void
set_cupti_error (CwError *error, CUptiResult res, const char *what)
{
  const char *msg = NULL;

  cuptiGetResultString (res, &msg);
  cw_error_set (error, CW_ERROR_CUPTI, "%s: %s", what, msg ? msg : "unknown CUPTI error");
}

static void CUPTIAPI
buffer_requested (uint8_t **buffer, size_t *size, size_t *max_num_records)
{
  void *p = NULL;

  if (posix_memalign (&p, BUFFER_ALIGN, BUFFER_SIZE) != 0)
    p = NULL;
  *buffer = p;
  *size = p ? BUFFER_SIZE : 0;
  *max_num_records = 0;  /* as many as fit */
}

static void
push_record (const RawRecord *rec)
{
  if (self.n_records == self.cap_records)
    {
      size_t ncap = self.cap_records ? self.cap_records * 2 : 4096;
      RawRecord *n = realloc (self.records, ncap * sizeof *n);
      if (n == NULL)
        {
          free (rec->name);
          self.dropped++;
          self.oom = true;
          return;
        }
      self.records = n;
      self.cap_records = ncap;
    }
  self.records[self.n_records++] = *rec;
}

static const char *
memcpy_kind_name (uint8_t kind)
{
  switch (kind)
    {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD: return "memcpy HtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH: return "memcpy DtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD: return "memcpy DtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH: return "memcpy HtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_PTOP: return "memcpy PtoP";
    default: return "memcpy";
    }
}

static void
convert (const CUpti_Activity *record)
{
  RawRecord rec;
  const char *name = NULL;

  memset (&rec, 0, sizeof rec);
  switch (record->kind)
    {
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
    case CUPTI_ACTIVITY_KIND_KERNEL:
      {
        const CUpti_ActivityKernel10 *k = (const CUpti_ActivityKernel10 *) record;
        rec.kind = CW_TRACE_KERNEL;
        name = k->name ? k->name : "kernel";
        rec.start_ns = k->start;
        rec.end_ns = k->end;
        rec.stream_id = k->streamId;
        rec.correlation_id = k->correlationId;
        break;
      }
    case CUPTI_ACTIVITY_KIND_MEMCPY:
      {
        const CUpti_ActivityMemcpy6 *m = (const CUpti_ActivityMemcpy6 *) record;
        rec.kind = CW_TRACE_MEMCPY;
        name = memcpy_kind_name (m->copyKind);
        rec.start_ns = m->start;
        rec.end_ns = m->end;
        rec.bytes = m->bytes;
        rec.stream_id = m->streamId;
        rec.correlation_id = m->correlationId;
        break;
      }
    case CUPTI_ACTIVITY_KIND_MEMSET:
      {
        const CUpti_ActivityMemset4 *m = (const CUpti_ActivityMemset4 *) record;
        rec.kind = CW_TRACE_MEMSET;
        name = "memset";
        rec.start_ns = m->start;
        rec.end_ns = m->end;
        rec.bytes = m->bytes;
        rec.stream_id = m->streamId;
        rec.correlation_id = m->correlationId;
        break;
      }
    case CUPTI_ACTIVITY_KIND_MEMORY2:
      {
        const CUpti_ActivityMemory4 *m = (const CUpti_ActivityMemory4 *) record;
        if (m->memoryKind != CUPTI_ACTIVITY_MEMORY_KIND_DEVICE)
          return;  /* pinned host, managed...: not HBM the lane holds */
        if (m->memoryOperationType == CUPTI_ACTIVITY_MEMORY_OPERATION_TYPE_ALLOCATION)
          {
            rec.kind = CW_TRACE_ALLOC;
            name = "alloc";
          }
        else if (m->memoryOperationType == CUPTI_ACTIVITY_MEMORY_OPERATION_TYPE_RELEASE)
          {
            rec.kind = CW_TRACE_FREE;
            name = "free";
          }
        else
          return;
        rec.start_ns = rec.end_ns = m->timestamp;
        rec.bytes = m->bytes;
        rec.address = m->address;
        rec.stream_id = m->streamId == CUPTI_INVALID_STREAM_ID ? 0 : m->streamId;
        rec.correlation_id = m->correlationId;
        break;
      }
    case CUPTI_ACTIVITY_KIND_MARKER:
      {
        const CUpti_ActivityMarker2 *m = (const CUpti_ActivityMarker2 *) record;
        rec.kind = CW_TRACE_RANGE;
        rec.marker_id = m->id;
        if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_START)
          rec.marker = 1;
        else if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_END)
          rec.marker = 2;
        else
          return;  /* instantaneous marks: not used by the profiler */
        name = m->name ? m->name : "";
        rec.start_ns = rec.end_ns = m->timestamp;
        break;
      }
    case CUPTI_ACTIVITY_KIND_RUNTIME:
      {
        const CUpti_ActivityAPI *a = (const CUpti_ActivityAPI *) record;
        if (a->correlationId == 0)
          return;
        rec.api = true;
        rec.start_ns = rec.end_ns = a->start;
        rec.correlation_id = a->correlationId;
        push_record (&rec);   /* no name: never becomes a trace event */
        return;
      }
    default:
      return;
    }
  rec.name = strdup (name);
  if (rec.name == NULL)
    {
      self.dropped++;
      self.oom = true;
      return;
    }
  push_record (&rec);
}

static void CUPTIAPI
buffer_completed (CUcontext ctx, uint32_t stream_id, uint8_t *buffer, size_t size, size_t valid_size)
{
  CUpti_Activity *record = NULL;
  size_t dropped = 0;

  (void) size;
  pthread_mutex_lock (&self.lock);
  while (cuptiActivityGetNextRecord (buffer, valid_size, &record) == CUPTI_SUCCESS)
    convert (record);
  if (cuptiActivityGetNumDroppedRecords (ctx, stream_id, &dropped) == CUPTI_SUCCESS)
    self.dropped += dropped;
  pthread_mutex_unlock (&self.lock);
  free (buffer);
}

/* The libcupti this process linked, so NVTX injection loads the same copy. */
static void
find_library_path (void)
{
  Dl_info info;

  self.lib_path[0] = '\0';
  if (dladdr ((void *) cuptiActivityEnable, &info) != 0 && info.dli_fname != NULL)
    snprintf (self.lib_path, sizeof self.lib_path, "%s", info.dli_fname);
}

bool
cw_cupti_start (CwError *error)
{
  CUptiResult res;

  if (self.started)
    return true;
  find_library_path ();
  /* NVTX reads this once, at the process's first NVTX call; CUPTI then gets
   * the push/pop calls and reports them as MARKER records. Respect a value
   * the user set (e.g. running under Nsight Systems). */
  if (self.lib_path[0] != '\0')
    setenv ("NVTX_INJECTION64_PATH", self.lib_path, 0);

  res = cuptiActivityRegisterCallbacks (buffer_requested, buffer_completed);
  if (res != CUPTI_SUCCESS)
    {
      set_cupti_error (error, res, "cuptiActivityRegisterCallbacks");
      return false;
    }
  self.started = true;
  return cw_cupti_set_enabled (true, error);
}

bool
cw_cupti_set_enabled (bool enabled, CwError *error)
{
  if (!self.started)
    {
      cw_error_set (error, CW_ERROR_CUPTI, "CUPTI capture is not started");
      return false;
    }
  if (enabled == self.enabled)
    return true;
  for (size_t i = 0; i < N_TRACED_KINDS; i++)
    {
      CUptiResult res = enabled ? cuptiActivityEnable (traced_kinds[i]) : cuptiActivityDisable (traced_kinds[i]);
      if (res != CUPTI_SUCCESS)
        {
          char what[64];
          snprintf (what, sizeof what, "cuptiActivity%s(kind %d)", enabled ? "Enable" : "Disable",
                    (int) traced_kinds[i]);
          set_cupti_error (error, res, what);
          return false;
        }
    }
  self.enabled = enabled;
  return true;
}

void
cw_cupti_stop (void)
{
  if (!self.started)
    return;
  cw_cupti_set_enabled (false, NULL);
  cuptiActivityFlushAll (CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  cw_cupti_discard ();
  self.started = false;
}

uint64_t
cw_cupti_timestamp (void)
{
  uint64_t ts = 0;
  cuptiGetTimestamp (&ts);
  return ts;
}

uint32_t
cw_cupti_version (void)
{
  uint32_t v = 0;
  cuptiGetVersion (&v);
  return v;
}

const char *
cw_cupti_library_path (void)
{
  return self.lib_path;
}

bool
cw_cupti_flush (CwError *error)
{
  CUptiResult res = cuptiActivityFlushAll (CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);

  if (res != CUPTI_SUCCESS)
    {
      set_cupti_error (error, res, "cuptiActivityFlushAll");
      return false;
    }
  return true;
}

void
cw_cupti_discard (void)
{
  pthread_mutex_lock (&self.lock);
  for (size_t i = 0; i < self.n_records; i++)
    free (self.records[i].name);
  self.n_records = 0;
  self.dropped = 0;
  pthread_mutex_unlock (&self.lock);
}

static int
compare_events (const void *a, const void *b)
{
  const CwTraceEvent *x = a, *y = b;

  if (x->start_ns != y->start_ns)
    return x->start_ns < y->start_ns ? -1 : 1;
  if (x->end_ns != y->end_ns)
    return x->end_ns > y->end_ns ? -1 : 1;  /* enclosing range first */
  return (int) x->kind - (int) y->kind;
}

bool
cw_cupti_take (uint64_t from_ns, uint64_t to_ns, CwReceipt *receipt, uint64_t *dropped, CwError *error)
{
  size_t first_new = receipt->n_events, n_launches = 0, stack_n = 0;
  CwTraceLaunch *launches = NULL;
  size_t *stack = NULL;
  bool ok = true;

  pthread_mutex_lock (&self.lock);
  /* Every API record of the window, for the projection below. */
  for (size_t i = 0; i < self.n_records; i++)
    n_launches += self.records[i].api;
  if (n_launches > 0 && (launches = malloc (n_launches * sizeof *launches)) == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory reading the CUPTI records");
      ok = false;
    }
  n_launches = 0;
  for (size_t i = 0; i < self.n_records && ok; i++)
    {
      RawRecord *rec = &self.records[i];
      CwTraceEvent ev;

      if (rec->api)
        {
          if (rec->start_ns >= from_ns && rec->start_ns <= to_ns)
            {
              launches[n_launches].correlation_id = rec->correlation_id;
              launches[n_launches].host_ns = rec->start_ns;
              n_launches++;
            }
          continue;
        }
      if (rec->marker == 2)
        continue;  /* consumed with its start */
      if (rec->marker == 1)
        {
          /* Pair with the first later end record of the same id. */
          uint64_t end = 0;
          for (size_t j = i + 1; j < self.n_records; j++)
            if (self.records[j].marker == 2 && self.records[j].marker_id == rec->marker_id)
              {
                end = self.records[j].start_ns;
                break;
              }
          if (end == 0 || end < rec->start_ns)
            continue;  /* unterminated range (still open): not part of a finished lane */
          rec->end_ns = end;
        }
      if (rec->end_ns < from_ns || rec->start_ns > to_ns)
        continue;
      memset (&ev, 0, sizeof ev);
      ev.kind = rec->kind;
      ev.name = rec->name;
      ev.start_ns = rec->start_ns;
      ev.end_ns = rec->end_ns;
      ev.bytes = rec->bytes;
      ev.address = rec->address;
      ev.stream_id = rec->stream_id;
      ev.correlation_id = rec->correlation_id;
      ok = cw_receipt_add_event (receipt, &ev, error);
    }
  if (dropped)
    *dropped += self.dropped;
  for (size_t i = 0; i < self.n_records; i++)
    free (self.records[i].name);
  self.n_records = 0;
  self.dropped = 0;
  pthread_mutex_unlock (&self.lock);
  if (!ok)
    {
      free (launches);
      return false;
    }

  qsort (receipt->events + first_new, receipt->n_events - first_new, sizeof *receipt->events, compare_events);
  /* Nesting depth of each range = number of ranges enclosing it. The ranges
   * come from one thread and nest, so the enclosing ones are a stack: pop
   * those that end before this one does. (A streaming lane has thousands of
   * ranges; counting enclosures pairwise would be quadratic.) */
  stack = malloc ((receipt->n_events - first_new + 1) * sizeof *stack);
  if (stack == NULL)
    {
      free (launches);
      cw_error_set (error, CW_ERROR_OOM, "out of memory nesting the NVTX ranges");
      return false;
    }
  for (size_t i = first_new; i < receipt->n_events; i++)
    {
      CwTraceEvent *ev = &receipt->events[i];

      if (ev->kind != CW_TRACE_RANGE)
        continue;
      while (stack_n > 0 && receipt->events[stack[stack_n - 1]].end_ns < ev->end_ns)
        stack_n--;
      ev->depth = (int32_t) stack_n;
      stack[stack_n++] = i;
    }
  free (stack);

  /* Each leaf range's GPU span, from the kernels launched inside it. */
  ok = cw_trace_add_gpu_projections (receipt, first_new, launches, n_launches, NULL, error);
  free (launches);
  return ok;
}
