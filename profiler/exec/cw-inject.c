/* cw-inject.c: libcliffwatch-inject.so, the CUPTI injection library that
 * `cliffwatch-cli profile --exec` loads into an arbitrary CUDA program.
 *
 * How it gets in. The parent sets, before exec:
 *   CW_SPOOL_DIR=DIR                         where the spool goes (required)
 *   CUDA_INJECTION64_PATH=/abs/libcliffwatch-inject.so
 *   NVTX_INJECTION64_PATH=/abs/libcliffwatch-inject.so   (recommended)
 * The CUDA driver dlopens the library inside cuInit and calls
 * InitializeInjection(). NVTX (header-only NVTX3, in the program and in
 * every library that uses it) dlopens NVTX_INJECTION64_PATH at the first
 * NVTX call and calls InitializeInjectionNvtx2(); ours starts the capture
 * (the first NVTX range is often pushed before the first CUDA call) and
 * hands NVTX to the copy of libcupti this library is linked with, which is
 * what turns NVTX calls into CUPTI MARKER records. Pointing
 * NVTX_INJECTION64_PATH at libcupti.so itself also works, but ranges
 * opened before cuInit are then lost, and a libcupti found through another
 * path is a second CUPTI that our subscriber never sees.
 *
 * What it writes: DIR/cw-spool-PID.bin, format in cw-spool-format.h. Every
 * write(2) carries whole records (O_APPEND), so the file is a valid prefix
 * whatever happens to the process.
 *
 * Threads. CUPTI delivers activity buffers on its own threads and the API
 * callbacks run on the program's threads; everything that touches the
 * spool fd holds `self.lock`. Kernel-launch records go to a small queue
 * (`self.launch_lock`) written out with the next activity batch, at the
 * latest every 100 ms by our flusher thread, which also calls
 * cuptiActivityFlushAll(0): CUPTI's own periodic flush only returns full
 * buffers, so without it a SIGKILLed program would lose whole buffers.
 *
 * Plain C17 + CUPTI + the CUDA driver API (resolved with dlsym from the
 * libcuda the program already loaded: no link-time libcuda, no cudart). */
#define NVTX_NO_IMPL 1

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cuda.h>
#include <cupti.h>               /* brings the runtime and driver *_params structs */
#include <generated_nvtx_meta.h> /* NVTX *_params; NVTX_NO_IMPL: declarations only */

#include "cw-spool-format.h"

#define CW_EXPORT __attribute__ ((visibility ("default")))

/* The two entry points the loaders look up by name. */
CW_EXPORT int InitializeInjection (void);
CW_EXPORT int InitializeInjectionNvtx2 (NvtxGetExportTableFunc_t get_export_table);

/* ---- sizes --------------------------------------------------------------- */

#define ACTIVITY_BUFFER_SIZE (2u << 20)   /* per CUPTI buffer */
#define ACTIVITY_BUFFER_ALIGN 8
#define STAGING_SIZE         (256u << 10) /* one write(2) carries at most this */
#define NAME_MAX_BYTES       (60u << 10)  /* kernel / marker names are cut here */
#define MESSAGE_MAX_BYTES    480
#define LAUNCH_QUEUE_LEN     2048
#define FLUSH_PERIOD_MS      100
#define SIGNAL_FLUSH_LIMIT_S 2            /* the crash-path flush gets this long */

_Static_assert (sizeof (CwSpoolHeader) % 8 == 0, "spool header size");
_Static_assert (sizeof (CwSpoolMemory) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolKernel) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolCopy) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolMarker) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolLaunch) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolOom) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolDevice) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolDropped) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolMessage) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolEnd) % 8 == 0, "spool record size");
_Static_assert (sizeof (CwSpoolKernel) + NAME_MAX_BYTES + 8 <= STAGING_SIZE, "a record fits the staging buffer");
_Static_assert (STAGING_SIZE <= CW_SPOOL_MAX_RECORD, "records stay under the reader's limit");

/* CUPTI's marker flags are the spool's; say so where it matters. */
_Static_assert (CUPTI_ACTIVITY_FLAG_MARKER_INSTANTANEOUS == CW_SPOOL_MARKER_INSTANT, "marker flag");
_Static_assert (CUPTI_ACTIVITY_FLAG_MARKER_START == CW_SPOOL_MARKER_START, "marker flag");
_Static_assert (CUPTI_ACTIVITY_FLAG_MARKER_END == CW_SPOOL_MARKER_END, "marker flag");
_Static_assert (CUPTI_ACTIVITY_MEMORY_KIND_DEVICE == CW_SPOOL_MEMORY_KIND_DEVICE, "memory kind");

/* ---- driver API, resolved from the loaded libcuda ------------------------ */

typedef CUresult (*FnCtxGetDevice) (CUdevice *device);
typedef CUresult (*FnDeviceGet) (CUdevice *device, int ordinal);
typedef CUresult (*FnDeviceGetName) (char *name, int len, CUdevice device);
typedef CUresult (*FnDeviceGetUuid) (CUuuid *uuid, CUdevice device);
typedef CUresult (*FnDeviceTotalMem) (size_t *bytes, CUdevice device);
typedef CUresult (*FnDeviceGetAttribute) (int *value, CUdevice_attribute attrib, CUdevice device);

static struct {
  pthread_once_t       once;
  bool                 ok;
  FnCtxGetDevice       ctx_get_device;
  FnDeviceGet          device_get;
  FnDeviceGetName      device_get_name;
  FnDeviceGetUuid      device_get_uuid;
  FnDeviceTotalMem     device_total_mem;
  FnDeviceGetAttribute device_get_attribute;
} drv = { .once = PTHREAD_ONCE_INIT };

/* ---- state ---------------------------------------------------------------- */

enum { INIT_NONE, INIT_RUNNING, INIT_ACTIVE, INIT_OFF };

static struct {
  atomic_int      init_state;      /* INIT_* */
  atomic_int      active;          /* 1 while the spool may be written */
  atomic_int      end_written;     /* END (or the attempt) happened */
  atomic_int      crash_signal;    /* the signal the crash path is handling */

  pthread_mutex_t lock;            /* fd, staging, write_failed */
  atomic_int      lock_owner;      /* tid holding `lock`, 0 when free */
  int             fd;
  bool            write_failed;
  size_t          staging_len;
  unsigned char   staging[STAGING_SIZE];

  pthread_mutex_t launch_lock;     /* the launch queue */
  atomic_int      launch_owner;
  size_t          n_launches;
  CwSpoolLaunch   launches[LAUNCH_QUEUE_LEN];

  pthread_mutex_t ids_lock;        /* ids of NVTX start/end ranges (not push/pop) */
  atomic_int      ids_owner;
  uint64_t       *ids;
  size_t          ids_cap, ids_n;

  CUpti_SubscriberHandle subscriber;
  bool            activity_on;     /* buffer callbacks registered */
  bool            reported_record_error;

  atomic_uint_fast64_t devices_pending;  /* ordinals < 64 whose context was created */
  atomic_uint_fast64_t devices_written;

  pthread_t       flusher;
  bool            flusher_running;
  pthread_mutex_t flush_mu;
  pthread_cond_t  flush_cv;
  bool            flush_stop;

  bool            sig_installed[NSIG];
  struct sigaction sig_old[NSIG];
} self = {
  .lock = PTHREAD_MUTEX_INITIALIZER,
  .launch_lock = PTHREAD_MUTEX_INITIALIZER,
  .ids_lock = PTHREAD_MUTEX_INITIALIZER,
  .flush_mu = PTHREAD_MUTEX_INITIALIZER,
  .fd = -1,
};

/* Per thread: is a runtime allocation call in progress, and did the driver
 * call under it already report out-of-memory (see on_alloc_api). Used only
 * in CUPTI callbacks, never in signal handlers. */
static _Thread_local struct {
  pid_t tid;
  int   rt_alloc_depth;
  bool  driver_oom_seen;
} tls;

static pid_t
current_tid (void)
{
  if (tls.tid == 0)
    tls.tid = gettid ();
  return tls.tid;
}

/* ---- locks that a signal handler can reason about ------------------------- */

/* Each lock records its owner's tid, so the crash path can tell whether the
 * crashing thread itself holds one (then flushing would deadlock) without
 * touching thread-local storage (not async-signal-safe in a dlopened
 * library: the first access may allocate). */
static void
owned_lock (pthread_mutex_t *mu, atomic_int *owner)
{
  pthread_mutex_lock (mu);
  atomic_store_explicit (owner, (int) current_tid (), memory_order_relaxed);
}

static void
owned_unlock (pthread_mutex_t *mu, atomic_int *owner)
{
  atomic_store_explicit (owner, 0, memory_order_relaxed);
  pthread_mutex_unlock (mu);
}

/* From a signal handler: take `mu` if it frees up within ~100 ms; false if
 * not (or if this very thread holds it). */
static bool
signal_try_lock (pthread_mutex_t *mu, atomic_int *owner, pid_t me)
{
  if (atomic_load_explicit (owner, memory_order_relaxed) == (int) me)
    return false;
  for (int i = 0; i < 100; i++)
    {
      if (pthread_mutex_trylock (mu) == 0)
        {
          atomic_store_explicit (owner, (int) me, memory_order_relaxed);
          return true;
        }
      struct timespec ms = { 0, 1000000 };
      nanosleep (&ms, NULL);
    }
  return false;
}

/* ---- the spool writer ----------------------------------------------------- */

static inline uint32_t
round8 (size_t n)
{
  return (uint32_t) ((n + 7u) & ~(size_t) 7u);
}

/* write(2) all of buf; loops on partial writes and EINTR. Async-signal-safe.
 * *written says how much went out. */
static bool
write_all (int fd, const void *buf, size_t len, size_t *written)
{
  const unsigned char *p = buf;
  size_t done = 0;

  while (done < len)
    {
      ssize_t n = write (fd, p + done, len - done);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (n == 0)
        break;
      done += (size_t) n;
    }
  if (written)
    *written = done;
  return done == len;
}

static void staging_append_locked (uint32_t type, const void *fixed, size_t fixed_size,
                                   const char *name, size_t name_len);

/* Write the staged records. On failure the spool stops: a record cut in
 * the middle may only ever be the last thing in the file. */
static void
staging_flush_locked (void)
{
  size_t written = 0;

  if (self.staging_len == 0)
    return;
  if (self.fd >= 0 && !self.write_failed)
    {
      if (!write_all (self.fd, self.staging, self.staging_len, &written))
        {
          int err = errno;
          self.write_failed = true;
          if (written == 0)
            {
              /* Nothing of the batch went out: the file still ends on a
               * record boundary, so say why it stops (if that fits). */
              char text[MESSAGE_MAX_BYTES];
              int n = snprintf (text, sizeof text, "spool write failed: %s; capture stopped", strerror (err));
              CwSpoolMessage m;
              unsigned char rec[sizeof m + MESSAGE_MAX_BYTES + 8];
              size_t tl = n < 0 ? 0 : (size_t) n < sizeof text ? (size_t) n : sizeof text - 1;
              uint32_t size = round8 (sizeof m + tl);

              memset (rec, 0, sizeof rec);
              memset (&m, 0, sizeof m);
              m.hdr.type = CW_SPOOL_MESSAGE;
              m.hdr.size = size;
              m.code = 3;
              m.text_len = (uint32_t) tl;
              memcpy (rec, &m, sizeof m);
              memcpy (rec + sizeof m, text, tl);
              (void) write_all (self.fd, rec, size, NULL);
            }
          atomic_store (&self.active, 0);
        }
    }
  self.staging_len = 0;
}

/* Append one record: `fixed` is the record struct (its hdr is filled in
 * here), `name` (may be NULL) follows it, zero padding to 8 bytes. */
static void
staging_append_locked (uint32_t type, const void *fixed, size_t fixed_size, const char *name, size_t name_len)
{
  uint32_t size;
  CwSpoolRecordHeader hdr;
  unsigned char *dst;

  if (name == NULL)
    name_len = 0;
  if (name_len > NAME_MAX_BYTES)
    name_len = NAME_MAX_BYTES;
  size = round8 (fixed_size + name_len);
  if (self.staging_len + size > STAGING_SIZE)
    staging_flush_locked ();
  dst = self.staging + self.staging_len;
  memcpy (dst, fixed, fixed_size);
  hdr.type = type;
  hdr.size = size;
  memcpy (dst, &hdr, sizeof hdr);
  if (name_len > 0)
    memcpy (dst + fixed_size, name, name_len);
  memset (dst + fixed_size + name_len, 0, size - fixed_size - name_len);
  self.staging_len += size;
}

static bool
spool_lock (void)
{
  if (!atomic_load_explicit (&self.active, memory_order_acquire))
    return false;
  owned_lock (&self.lock, &self.lock_owner);
  if (self.fd < 0 || self.write_failed)
    {
      owned_unlock (&self.lock, &self.lock_owner);
      return false;
    }
  return true;
}

static void
spool_unlock (void)
{
  owned_unlock (&self.lock, &self.lock_owner);
}

/* One record, written at once. */
static void
spool_record (uint32_t type, const void *fixed, size_t fixed_size, const char *name, size_t name_len)
{
  if (!spool_lock ())
    return;
  staging_append_locked (type, fixed, fixed_size, name, name_len);
  staging_flush_locked ();
  spool_unlock ();
}

static void
message_append_locked (uint32_t code, const char *text)
{
  CwSpoolMessage m;
  char line[MESSAGE_MAX_BYTES];
  size_t n;

  snprintf (line, sizeof line, "%s", text);
  for (char *c = line; *c; c++)
    if (*c == '\n' || *c == '\r')
      *c = ' ';
  n = strlen (line);
  memset (&m, 0, sizeof m);
  m.code = code;
  m.text_len = (uint32_t) n;
  staging_append_locked (CW_SPOOL_MESSAGE, &m, sizeof m, line, n);
}

static void __attribute__ ((format (printf, 2, 3)))
spool_message (uint32_t code, const char *fmt, ...)
{
  char text[MESSAGE_MAX_BYTES];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (text, sizeof text, fmt, ap);
  va_end (ap);
  if (!spool_lock ())
    return;
  message_append_locked (code, text);
  staging_flush_locked ();
  spool_unlock ();
}

static const char *
cupti_result_text (CUptiResult res)
{
  const char *msg = NULL;

  if (cuptiGetResultString (res, &msg) != CUPTI_SUCCESS || msg == NULL)
    return "unknown CUPTI error";
  return msg;
}

/* MESSAGE code 2 for a failed CUPTI call; true when `res` is success. */
static bool
cupti_check (CUptiResult res, const char *call)
{
  if (res == CUPTI_SUCCESS)
    return true;
  spool_message (2, "%s: %s (CUPTI error %d)", call, cupti_result_text (res), (int) res);
  return false;
}

/* ---- launch queue --------------------------------------------------------- */

static void
launch_drain_locked (void)
{
  if (self.n_launches == 0)
    return;
  if (spool_lock ())
    {
      for (size_t i = 0; i < self.n_launches; i++)
        staging_append_locked (CW_SPOOL_LAUNCH, &self.launches[i], sizeof self.launches[i], NULL, 0);
      staging_flush_locked ();
      spool_unlock ();
    }
  self.n_launches = 0;
}

static void
launch_drain (void)
{
  owned_lock (&self.launch_lock, &self.launch_owner);
  launch_drain_locked ();
  owned_unlock (&self.launch_lock, &self.launch_owner);
}

static void
launch_record (uint32_t correlation_id)
{
  CwSpoolLaunch *l;
  uint64_t ts = 0;

  if (cuptiGetTimestamp (&ts) != CUPTI_SUCCESS)
    ts = 0;
  owned_lock (&self.launch_lock, &self.launch_owner);
  if (self.n_launches == LAUNCH_QUEUE_LEN)
    launch_drain_locked ();
  l = &self.launches[self.n_launches++];
  memset (l, 0, sizeof *l);
  l->timestamp_ns = ts;
  l->correlation_id = correlation_id;
  l->thread_id = (uint32_t) current_tid ();
  owned_unlock (&self.launch_lock, &self.launch_owner);
}

/* ---- ids of NVTX start/end ranges ----------------------------------------- */

/* CUPTI's MARKER record has no field that tells a push/pop range from a
 * start/end range: both give a START and an END record sharing `id`. The
 * NVTX callback domain does: nvtxRangeStart* returns the id (CUpti_NvtxData
 * .functionReturnValue) and nvtxRangeEnd takes it as its parameter. Those
 * ids go into this set; a MARKER START/END whose id is in it is written
 * with push_pop = 0. An open-addressing set (0 = empty slot; NVTX never
 * hands out id 0), linear probing, backward-shift deletion. */

static size_t
ids_slot (uint64_t id, size_t cap)
{
  uint64_t h = id * 0x9E3779B97F4A7C15ull;
  return (size_t) (h >> 17) & (cap - 1);
}

static void
ids_insert_locked (uint64_t id)
{
  size_t i;

  if (id == 0)
    return;
  if ((self.ids_n + 1) * 2 > self.ids_cap)
    {
      size_t ncap = self.ids_cap ? self.ids_cap * 2 : 256;
      uint64_t *n = calloc (ncap, sizeof *n);
      if (n == NULL)
        return;  /* the range is then reported as push/pop: harmless */
      for (size_t j = 0; j < self.ids_cap; j++)
        if (self.ids[j] != 0)
          {
            size_t k = ids_slot (self.ids[j], ncap);
            while (n[k] != 0)
              k = (k + 1) & (ncap - 1);
            n[k] = self.ids[j];
          }
      free (self.ids);
      self.ids = n;
      self.ids_cap = ncap;
    }
  for (i = ids_slot (id, self.ids_cap); self.ids[i] != 0; i = (i + 1) & (self.ids_cap - 1))
    if (self.ids[i] == id)
      return;
  self.ids[i] = id;
  self.ids_n++;
}

static bool
ids_find_locked (uint64_t id, size_t *slot)
{
  if (id == 0 || self.ids_cap == 0)
    return false;
  for (size_t i = ids_slot (id, self.ids_cap); self.ids[i] != 0; i = (i + 1) & (self.ids_cap - 1))
    if (self.ids[i] == id)
      {
        *slot = i;
        return true;
      }
  return false;
}

static void
ids_remove_at_locked (size_t i)
{
  size_t mask = self.ids_cap - 1, j = i;

  self.ids[i] = 0;
  self.ids_n--;
  for (;;)
    {
      size_t home;
      j = (j + 1) & mask;
      if (self.ids[j] == 0)
        return;
      home = ids_slot (self.ids[j], self.ids_cap);
      /* Move ids[j] back to i unless its home lies cyclically in (i, j]. */
      if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j)))
        {
          self.ids[i] = self.ids[j];
          self.ids[j] = 0;
          i = j;
        }
    }
}

static void
ids_note (uint64_t id)
{
  owned_lock (&self.ids_lock, &self.ids_owner);
  ids_insert_locked (id);
  owned_unlock (&self.ids_lock, &self.ids_owner);
}

/* Is `id` a start/end range? An END consumes the entry. */
static bool
ids_is_start_end (uint64_t id, bool consume)
{
  size_t slot;
  bool found;

  owned_lock (&self.ids_lock, &self.ids_owner);
  found = ids_find_locked (id, &slot);
  if (found && consume)
    ids_remove_at_locked (slot);
  owned_unlock (&self.ids_lock, &self.ids_owner);
  return found;
}

/* ---- activity buffers ----------------------------------------------------- */

static void CUPTIAPI
buffer_requested (uint8_t **buffer, size_t *size, size_t *max_num_records)
{
  void *p = NULL;

  if (posix_memalign (&p, ACTIVITY_BUFFER_ALIGN, ACTIVITY_BUFFER_SIZE) != 0)
    p = NULL;
  *buffer = p;
  *size = p ? ACTIVITY_BUFFER_SIZE : 0;  /* 0: CUPTI drops and counts the records */
  *max_num_records = 0;                  /* as many as fit */
}

static size_t
bounded_strlen (const char *s)
{
  return s ? strnlen (s, NAME_MAX_BYTES) : 0;
}

static void
convert_locked (const CUpti_Activity *record)
{
  switch (record->kind)
    {
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
    case CUPTI_ACTIVITY_KIND_KERNEL:
      {
        const CUpti_ActivityKernel10 *k = (const CUpti_ActivityKernel10 *) record;
        CwSpoolKernel r;
        memset (&r, 0, sizeof r);
        r.start_ns = k->start;
        r.end_ns = k->end;
        r.device = k->deviceId;
        r.stream_id = k->streamId;
        r.correlation_id = k->correlationId;
        r.name_len = (uint32_t) bounded_strlen (k->name);
        staging_append_locked (CW_SPOOL_KERNEL, &r, sizeof r, k->name, r.name_len);
        break;
      }
    case CUPTI_ACTIVITY_KIND_MEMCPY:
      {
        const CUpti_ActivityMemcpy6 *m = (const CUpti_ActivityMemcpy6 *) record;
        CwSpoolCopy r;
        memset (&r, 0, sizeof r);
        r.start_ns = m->start;
        r.end_ns = m->end;
        r.bytes = m->bytes;
        r.device = m->deviceId;
        r.stream_id = m->streamId;
        r.correlation_id = m->correlationId;
        r.copy_kind = m->copyKind;
        staging_append_locked (CW_SPOOL_MEMCPY, &r, sizeof r, NULL, 0);
        break;
      }
    case CUPTI_ACTIVITY_KIND_MEMSET:
      {
        const CUpti_ActivityMemset4 *m = (const CUpti_ActivityMemset4 *) record;
        CwSpoolCopy r;
        memset (&r, 0, sizeof r);
        r.start_ns = m->start;
        r.end_ns = m->end;
        r.bytes = m->bytes;
        r.device = m->deviceId;
        r.stream_id = m->streamId;
        r.correlation_id = m->correlationId;
        r.copy_kind = 0;
        staging_append_locked (CW_SPOOL_MEMSET, &r, sizeof r, NULL, 0);
        break;
      }
    case CUPTI_ACTIVITY_KIND_MEMORY2:
      {
        /* CUDA 13's MEMORY2 record is CUpti_ActivityMemory4. */
        const CUpti_ActivityMemory4 *m = (const CUpti_ActivityMemory4 *) record;
        CwSpoolMemory r;
        uint32_t type;
        if (m->memoryOperationType == CUPTI_ACTIVITY_MEMORY_OPERATION_TYPE_ALLOCATION)
          type = CW_SPOOL_ALLOC;
        else if (m->memoryOperationType == CUPTI_ACTIVITY_MEMORY_OPERATION_TYPE_RELEASE)
          type = CW_SPOOL_FREE;
        else
          return;
        memset (&r, 0, sizeof r);
        r.timestamp_ns = m->timestamp;
        r.address = m->address;
        r.bytes = m->bytes;
        r.device = m->deviceId;
        r.memory_kind = (uint32_t) m->memoryKind;  /* every kind; the reader keeps DEVICE */
        /* Not stream-ordered (cudaMalloc): CUPTI says CUPTI_INVALID_STREAM_ID;
         * the spool says 0, as the in-process profiler does. */
        r.stream_id = m->streamId == CUPTI_INVALID_STREAM_ID ? 0 : m->streamId;
        r.correlation_id = m->correlationId;
        staging_append_locked (type, &r, sizeof r, NULL, 0);
        break;
      }
    case CUPTI_ACTIVITY_KIND_MARKER:
      {
        const CUpti_ActivityMarker2 *m = (const CUpti_ActivityMarker2 *) record;
        CwSpoolMarker r;
        const char *name = NULL;
        memset (&r, 0, sizeof r);
        if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_START)
          {
            r.flags = CW_SPOOL_MARKER_START;
            r.push_pop = ids_is_start_end (m->id, false) ? 0 : 1;
            name = m->name;
          }
        else if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_END)
          {
            r.flags = CW_SPOOL_MARKER_END;
            r.push_pop = ids_is_start_end (m->id, true) ? 0 : 1;
          }
        else if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_INSTANTANEOUS)
          {
            r.flags = CW_SPOOL_MARKER_INSTANT;
            r.push_pop = 0;
            name = m->name;
          }
        else
          return;  /* NVTX sync-object markers: not ranges */
        r.timestamp_ns = m->timestamp;
        r.id = m->id;
        r.thread_id = m->objectKind == CUPTI_ACTIVITY_OBJECT_THREAD ? m->objectId.pt.threadId : 0;
        r.name_len = (uint32_t) bounded_strlen (name);
        staging_append_locked (CW_SPOOL_MARKER, &r, sizeof r, name, r.name_len);
        break;
      }
    default:
      break;
    }
}

/* DROPPED carries the records lost since the previous DROPPED record (the
 * reader sums them). */
static void
dropped_append_locked (uint64_t more)
{
  CwSpoolDropped d;

  if (more == 0)
    return;
  memset (&d, 0, sizeof d);
  d.dropped = more;
  staging_append_locked (CW_SPOOL_DROPPED, &d, sizeof d, NULL, 0);
}

static void CUPTIAPI
buffer_completed (CUcontext ctx, uint32_t stream_id, uint8_t *buffer, size_t size, size_t valid_size)
{
  CUpti_Activity *record = NULL;
  CUptiResult res;
  size_t dropped = 0;

  (void) size;
  /* CUPTI calls that may take CUPTI's own locks happen before ours is
   * taken (a program thread inside a CUPTI callback may be waiting for
   * ours); cuptiActivityGetNextRecord only walks the buffer. */
  if (cuptiActivityGetNumDroppedRecords (ctx, stream_id, &dropped) != CUPTI_SUCCESS)
    dropped = 0;
  /* Launches first: a kernel's launch record then never trails its kernel
   * record by more than one batch. */
  launch_drain ();
  if (buffer != NULL && spool_lock ())
    {
      while ((res = cuptiActivityGetNextRecord (buffer, valid_size, &record)) == CUPTI_SUCCESS)
        convert_locked (record);
      if (res != CUPTI_ERROR_MAX_LIMIT_REACHED && !self.reported_record_error)
        {
          char text[MESSAGE_MAX_BYTES];
          snprintf (text, sizeof text, "cuptiActivityGetNextRecord: %s (CUPTI error %d); rest of buffer skipped",
                    cupti_result_text (res), (int) res);
          message_append_locked (2, text);
          self.reported_record_error = true;
        }
      dropped_append_locked (dropped);
      staging_flush_locked ();
      spool_unlock ();
    }
  free (buffer);
}

/* ---- devices -------------------------------------------------------------- */

static void
driver_resolve_once (void)
{
  void *h = dlopen ("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
  void *scope = h ? h : RTLD_DEFAULT;

  drv.ctx_get_device = (FnCtxGetDevice) dlsym (scope, "cuCtxGetDevice");
  drv.device_get = (FnDeviceGet) dlsym (scope, "cuDeviceGet");
  drv.device_get_name = (FnDeviceGetName) dlsym (scope, "cuDeviceGetName");
  drv.device_get_uuid = (FnDeviceGetUuid) dlsym (scope, "cuDeviceGetUuid_v2");
  drv.device_total_mem = (FnDeviceTotalMem) dlsym (scope, "cuDeviceTotalMem_v2");
  drv.device_get_attribute = (FnDeviceGetAttribute) dlsym (scope, "cuDeviceGetAttribute");
  drv.ok = drv.ctx_get_device && drv.device_get && drv.device_get_name && drv.device_get_uuid
           && drv.device_total_mem && drv.device_get_attribute;
  /* The handle stays open: the driver is never unloaded before exit. */
}

static bool
driver_ready (void)
{
  static atomic_int reported;

  pthread_once (&drv.once, driver_resolve_once);
  if (!drv.ok && !atomic_exchange (&reported, 1))
    spool_message (2, "libcuda.so.1: driver entry points not found (dlsym); device details and OOM devices unknown");
  return drv.ok;
}

static void
device_write (uint32_t ordinal)
{
  CwSpoolDevice d;
  CUdevice dev;
  CUuuid uuid;
  size_t total = 0;
  int major = 0, minor = 0;
  char name[256];
  CUresult r;

  memset (&d, 0, sizeof d);
  memset (name, 0, sizeof name);
  d.device = ordinal;
  if ((r = drv.device_get (&dev, (int) ordinal)) != CUDA_SUCCESS)
    {
      spool_message (2, "cuDeviceGet(%u): CUresult %d", ordinal, (int) r);
      return;
    }
  if ((r = drv.device_get_name (name, (int) sizeof name - 1, dev)) != CUDA_SUCCESS)
    {
      spool_message (2, "cuDeviceGetName(%u): CUresult %d", ordinal, (int) r);
      name[0] = '\0';
    }
  if ((r = drv.device_get_uuid (&uuid, dev)) == CUDA_SUCCESS)
    {
      const unsigned char *b = (const unsigned char *) uuid.bytes;
      snprintf (d.uuid, sizeof d.uuid,
                "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    }
  else
    spool_message (2, "cuDeviceGetUuid_v2(%u): CUresult %d", ordinal, (int) r);
  if ((r = drv.device_total_mem (&total, dev)) != CUDA_SUCCESS)
    {
      spool_message (2, "cuDeviceTotalMem_v2(%u): CUresult %d", ordinal, (int) r);
      total = 0;
    }
  if ((r = drv.device_get_attribute (&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev)) != CUDA_SUCCESS
      || (r = drv.device_get_attribute (&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev)) != CUDA_SUCCESS)
    {
      spool_message (2, "cuDeviceGetAttribute(%u, compute capability): CUresult %d", ordinal, (int) r);
      major = minor = 0;
    }
  d.total_bytes = total;
  d.cc_major = (uint32_t) major;
  d.cc_minor = (uint32_t) minor;
  d.name_len = (uint32_t) strnlen (name, sizeof name);
  spool_record (CW_SPOOL_DEVICE, &d, sizeof d, name, d.name_len);
}

/* DEVICE records are written outside the driver's context-creation
 * callback (from the flusher thread or at exit): querying the driver from
 * inside cuCtxCreate/primary-context init is the one place where a driver
 * call could wait on a lock the creating thread holds. */
static void
devices_write_pending (void)
{
  uint64_t bits = atomic_exchange (&self.devices_pending, 0);

  bits &= ~atomic_load (&self.devices_written);
  if (bits == 0 || !driver_ready ())
    return;
  for (uint32_t i = 0; i < 64; i++)
    if (bits & (1ull << i))
      {
        atomic_fetch_or (&self.devices_written, 1ull << i);
        device_write (i);
      }
}

/* ---- API callbacks -------------------------------------------------------- */

static bool
is_runtime_launch (CUpti_CallbackId cbid)
{
  switch (cbid)
    {
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunch_v3020:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunch_ptsz_v7000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_ptsz_v7000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchCooperativeKernel_v9000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchCooperativeKernel_ptsz_v9000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchCooperativeKernelMultiDevice_v9000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernelExC_v11060:
    case CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernelExC_ptsz_v11060:
    case CUPTI_RUNTIME_TRACE_CBID___cudaLaunchKernel_v13000:       /* <<<>>> in CUDA 13 */
    case CUPTI_RUNTIME_TRACE_CBID___cudaLaunchKernel_ptsz_v13000:
    case CUPTI_RUNTIME_TRACE_CBID_cudaGraphLaunch_v10000:          /* graph kernels carry its id */
    case CUPTI_RUNTIME_TRACE_CBID_cudaGraphLaunch_ptsz_v10000:
      return true;
    default:
      return false;
    }
}

static bool
is_driver_launch (CUpti_CallbackId cbid)
{
  switch (cbid)
    {
    case CUPTI_DRIVER_TRACE_CBID_cuLaunch:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchGrid:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchGridAsync:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernelMultiDevice:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz:
    case CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch:
    case CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch_ptsz:
      return true;
    default:
      return false;
    }
}

static uint64_t
mul_sat (uint64_t a, uint64_t b)
{
  uint64_t p;
  return __builtin_mul_overflow (a, b, &p) ? UINT64_MAX : p;
}

/* The requested size of a runtime allocation call; false if `cbid` is not
 * one we watch. */
static bool
runtime_alloc_bytes (CUpti_CallbackId cbid, const void *params, uint64_t *bytes)
{
  switch (cbid)
    {
    case CUPTI_RUNTIME_TRACE_CBID_cudaMalloc_v3020:
      *bytes = ((const cudaMalloc_v3020_params *) params)->size;
      return true;
    case CUPTI_RUNTIME_TRACE_CBID_cudaMallocPitch_v3020:
      {
        const cudaMallocPitch_v3020_params *p = params;
        *bytes = mul_sat (p->width, p->height);
        return true;
      }
    case CUPTI_RUNTIME_TRACE_CBID_cudaMallocManaged_v6000:
      *bytes = ((const cudaMallocManaged_v6000_params *) params)->size;
      return true;
    case CUPTI_RUNTIME_TRACE_CBID_cudaMallocAsync_v11020:
      *bytes = ((const cudaMallocAsync_v11020_params *) params)->size;
      return true;
    case CUPTI_RUNTIME_TRACE_CBID_cudaMallocAsync_ptsz_v11020:
      *bytes = ((const cudaMallocAsync_ptsz_v11020_params *) params)->size;
      return true;
    case CUPTI_RUNTIME_TRACE_CBID_cudaMallocFromPoolAsync_v11020:
      *bytes = ((const cudaMallocFromPoolAsync_v11020_params *) params)->size;
      return true;
    case CUPTI_RUNTIME_TRACE_CBID_cudaMallocFromPoolAsync_ptsz_v11020:
      *bytes = ((const cudaMallocFromPoolAsync_ptsz_v11020_params *) params)->size;
      return true;
    default:
      return false;
    }
}

static bool
driver_alloc_bytes (CUpti_CallbackId cbid, const void *params, uint64_t *bytes)
{
  switch (cbid)
    {
    case CUPTI_DRIVER_TRACE_CBID_cuMemAlloc_v2:
      *bytes = ((const cuMemAlloc_v2_params *) params)->bytesize;
      return true;
    case CUPTI_DRIVER_TRACE_CBID_cuMemAllocPitch_v2:
      {
        const cuMemAllocPitch_v2_params *p = params;
        *bytes = mul_sat (p->WidthInBytes, p->Height);
        return true;
      }
    case CUPTI_DRIVER_TRACE_CBID_cuMemAllocAsync:
      *bytes = ((const cuMemAllocAsync_params *) params)->bytesize;
      return true;
    case CUPTI_DRIVER_TRACE_CBID_cuMemAllocAsync_ptsz:
      *bytes = ((const cuMemAllocAsync_ptsz_params *) params)->bytesize;
      return true;
    case CUPTI_DRIVER_TRACE_CBID_cuMemAllocFromPoolAsync:
      *bytes = ((const cuMemAllocFromPoolAsync_params *) params)->bytesize;
      return true;
    case CUPTI_DRIVER_TRACE_CBID_cuMemAllocFromPoolAsync_ptsz:
      *bytes = ((const cuMemAllocFromPoolAsync_ptsz_params *) params)->bytesize;
      return true;
    case CUPTI_DRIVER_TRACE_CBID_cuMemCreate:
      *bytes = ((const cuMemCreate_params *) params)->size;
      return true;
    case CUPTI_DRIVER_TRACE_CBID_cuMemAllocManaged:
      *bytes = ((const cuMemAllocManaged_params *) params)->bytesize;
      return true;
    default:
      return false;
    }
}

static void
oom_write (uint32_t api, CUpti_CallbackId cbid, uint64_t bytes, uint32_t result)
{
  CwSpoolOom o;
  CUdevice dev;
  uint64_t ts = 0;

  memset (&o, 0, sizeof o);
  if (cuptiGetTimestamp (&ts) != CUPTI_SUCCESS)
    ts = 0;
  o.timestamp_ns = ts;
  o.bytes = bytes;
  o.device = UINT32_MAX;
  if (driver_ready () && drv.ctx_get_device (&dev) == CUDA_SUCCESS)
    o.device = (uint32_t) dev;
  o.api = api;
  o.cbid = (uint32_t) cbid;
  o.result = result;
  spool_record (CW_SPOOL_OOM, &o, sizeof o, NULL, 0);
}

/* Out-of-memory dedup: a failing cudaMalloc makes the driver's cuMemAlloc_v2
 * fail first, inside it. The driver-level record is written (its EXIT comes
 * first); the runtime call's own record only when no driver allocation
 * under it reported OOM (e.g. the runtime refused before calling the
 * driver). So one OOM record per failed request. */
static void
on_runtime_api (CUpti_CallbackId cbid, const CUpti_CallbackData *cb)
{
  uint64_t bytes = 0;

  if (is_runtime_launch (cbid))
    {
      if (cb->callbackSite == CUPTI_API_ENTER)
        launch_record (cb->correlationId);
      return;
    }
  if (!runtime_alloc_bytes (cbid, cb->functionParams, &bytes))
    return;
  if (cb->callbackSite == CUPTI_API_ENTER)
    {
      if (tls.rt_alloc_depth++ == 0)
        tls.driver_oom_seen = false;
      return;
    }
  if (tls.rt_alloc_depth > 0)
    tls.rt_alloc_depth--;
  if (cb->functionReturnValue != NULL)
    {
      cudaError_t err = *(const cudaError_t *) cb->functionReturnValue;
      if (err == cudaErrorMemoryAllocation && !tls.driver_oom_seen)
        oom_write (1, cbid, bytes, (uint32_t) err);
    }
  if (tls.rt_alloc_depth == 0)
    tls.driver_oom_seen = false;
}

static void
on_driver_api (CUpti_CallbackId cbid, const CUpti_CallbackData *cb)
{
  uint64_t bytes = 0;

  if (is_driver_launch (cbid))
    {
      if (cb->callbackSite == CUPTI_API_ENTER)
        launch_record (cb->correlationId);
      return;
    }
  if (cb->callbackSite != CUPTI_API_EXIT || !driver_alloc_bytes (cbid, cb->functionParams, &bytes))
    return;
  /* An allocation's exit is the first safe point after a context exists on
   * an application thread: the device's details go out now, not only from
   * the flusher, because at exit the driver may already be shut down
   * (cudart's atexit teardown runs before ours; CUresult 4). */
  if (atomic_load_explicit (&self.devices_pending, memory_order_relaxed) != 0)
    devices_write_pending ();
  if (cb->functionReturnValue != NULL)
    {
      CUresult r = *(const CUresult *) cb->functionReturnValue;
      if (r == CUDA_ERROR_OUT_OF_MEMORY)
        {
          oom_write (2, cbid, bytes, (uint32_t) r);
          if (tls.rt_alloc_depth > 0)
            tls.driver_oom_seen = true;
        }
    }
}

static void
on_resource (CUpti_CallbackId cbid, const CUpti_ResourceData *rd)
{
  uint32_t ordinal = 0;

  if (cbid != CUPTI_CBID_RESOURCE_CONTEXT_CREATED || rd == NULL)
    return;
  if (cuptiGetDeviceId (rd->context, &ordinal) != CUPTI_SUCCESS)
    return;
  if (ordinal < 64)
    atomic_fetch_or (&self.devices_pending, 1ull << ordinal);
}

static void
on_nvtx (CUpti_CallbackId cbid, const CUpti_NvtxData *nd)
{
  if (nd == NULL)
    return;
  switch (cbid)
    {
    case CUPTI_CBID_NVTX_nvtxRangeStartA:
    case CUPTI_CBID_NVTX_nvtxRangeStartW:
    case CUPTI_CBID_NVTX_nvtxRangeStartEx:
    case CUPTI_CBID_NVTX_nvtxDomainRangeStartEx:
      if (nd->functionReturnValue != NULL)
        ids_note (*(const nvtxRangeId_t *) nd->functionReturnValue);
      break;
    case CUPTI_CBID_NVTX_nvtxRangeEnd:
      if (nd->functionParams != NULL)
        ids_note (((const nvtxRangeEnd_params *) nd->functionParams)->id);
      break;
    case CUPTI_CBID_NVTX_nvtxDomainRangeEnd:
      if (nd->functionParams != NULL)
        ids_note (((const nvtxDomainRangeEnd_params *) nd->functionParams)->core.id);
      break;
    default:
      break;
    }
}

static void CUPTIAPI
on_callback (void *userdata, CUpti_CallbackDomain domain, CUpti_CallbackId cbid, const void *cbdata)
{
  (void) userdata;
  if (!atomic_load_explicit (&self.active, memory_order_relaxed) || cbdata == NULL)
    return;
  switch (domain)
    {
    case CUPTI_CB_DOMAIN_RUNTIME_API:
      on_runtime_api (cbid, cbdata);
      break;
    case CUPTI_CB_DOMAIN_DRIVER_API:
      on_driver_api (cbid, cbdata);
      break;
    case CUPTI_CB_DOMAIN_RESOURCE:
      on_resource (cbid, cbdata);
      break;
    case CUPTI_CB_DOMAIN_NVTX:
      on_nvtx (cbid, cbdata);
      break;
    default:
      break;
    }
}

/* ---- the flusher thread --------------------------------------------------- */

static void *
flusher_main (void *arg)
{
  (void) arg;
  pthread_mutex_lock (&self.flush_mu);
  while (!self.flush_stop)
    {
      struct timespec until;
      clock_gettime (CLOCK_MONOTONIC, &until);
      until.tv_nsec += FLUSH_PERIOD_MS * 1000000L;
      if (until.tv_nsec >= 1000000000L)
        {
          until.tv_sec++;
          until.tv_nsec -= 1000000000L;
        }
      while (!self.flush_stop && pthread_cond_timedwait (&self.flush_cv, &self.flush_mu, &until) != ETIMEDOUT)
        ;
      if (self.flush_stop)
        break;
      pthread_mutex_unlock (&self.flush_mu);
      if (atomic_load (&self.active))
        {
          /* Flag 0: every buffer whose records are complete, full or not. */
          if (self.activity_on)
            (void) cuptiActivityFlushAll (0);
          launch_drain ();
          devices_write_pending ();
        }
      pthread_mutex_lock (&self.flush_mu);
    }
  pthread_mutex_unlock (&self.flush_mu);
  return NULL;
}

static void
flusher_start (void)
{
  pthread_condattr_t ca;
  sigset_t all, old;
  int err;

  pthread_condattr_init (&ca);
  pthread_condattr_setclock (&ca, CLOCK_MONOTONIC);
  pthread_cond_init (&self.flush_cv, &ca);
  pthread_condattr_destroy (&ca);
  /* The thread takes no signals: they stay with the program's threads. */
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &old);
  err = pthread_create (&self.flusher, NULL, flusher_main, NULL);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  if (err != 0)
    spool_message (2, "pthread_create(flusher): %s; records reach the spool only when CUPTI buffers fill",
                   strerror (err));
  else
    self.flusher_running = true;
}

static void
flusher_stop (void)
{
  struct timespec until;

  if (!self.flusher_running)
    return;
  pthread_mutex_lock (&self.flush_mu);
  self.flush_stop = true;
  pthread_cond_broadcast (&self.flush_cv);
  pthread_mutex_unlock (&self.flush_mu);
  clock_gettime (CLOCK_REALTIME, &until);
  until.tv_sec += 5;
  if (pthread_timedjoin_np (self.flusher, NULL, &until) == 0)
    self.flusher_running = false;
  /* Else it is stuck inside CUPTI; leave it: exit() does not wait for it. */
}

/* ---- the end of the spool ------------------------------------------------- */

static void
end_record (CwSpoolEnd *e, uint32_t how, int sig)
{
  uint64_t ts = 0;

  memset (e, 0, sizeof *e);
  e->hdr.type = CW_SPOOL_END;
  e->hdr.size = sizeof *e;
  if (cuptiGetTimestamp (&ts) == CUPTI_SUCCESS)
    e->timestamp_ns = ts;
  e->how = how;
  e->signal = sig;
}

static void
on_exit_handler (void)
{
  size_t dropped = 0;
  CwSpoolEnd e;

  if (!atomic_load (&self.active))
    return;
  if (atomic_exchange (&self.end_written, 1))
    return;
  flusher_stop ();
  if (self.activity_on)
    {
      cupti_check (cuptiActivityFlushAll (CUPTI_ACTIVITY_FLAG_FLUSH_FORCED), "cuptiActivityFlushAll(FORCED) at exit");
      if (cuptiActivityGetNumDroppedRecords (NULL, 0, &dropped) != CUPTI_SUCCESS)
        dropped = 0;
    }
  launch_drain ();
  devices_write_pending ();
  end_record (&e, CW_SPOOL_END_EXIT, 0);
  if (!spool_lock ())
    return;
  dropped_append_locked (dropped);
  staging_append_locked (CW_SPOOL_END, &e, sizeof e, NULL, 0);
  staging_flush_locked ();
  atomic_store (&self.active, 0);
  (void) fsync (self.fd);  /* a failure has nowhere left to be reported */
  close (self.fd);
  self.fd = -1;
  spool_unlock ();
}

/* Write END(SIGNAL) from a signal handler: no staging buffer (another thread
 * may be in the middle of filling it), one write(2) of one record. */
static void
signal_write_end (int sig)
{
  CwSpoolEnd e;
  pid_t me = gettid ();
  bool locked;
  int fd;

  end_record (&e, CW_SPOOL_END_SIGNAL, sig);
  locked = signal_try_lock (&self.lock, &self.lock_owner, me);
  fd = self.fd;
  if (fd >= 0 && !self.write_failed)
    (void) write_all (fd, &e, sizeof e, NULL);
  if (locked)
    owned_unlock (&self.lock, &self.lock_owner);
}

static void
signal_drain_launches (pid_t me)
{
  if (!signal_try_lock (&self.launch_lock, &self.launch_owner, me))
    return;
  if (self.n_launches > 0 && signal_try_lock (&self.lock, &self.lock_owner, me))
    {
      /* Holding `lock` means nobody is filling the staging buffer (it is
       * always flushed before `lock` is released), so it starts empty. */
      for (size_t i = 0; i < self.n_launches; i++)
        staging_append_locked (CW_SPOOL_LAUNCH, &self.launches[i], sizeof self.launches[i], NULL, 0);
      staging_flush_locked ();
      self.n_launches = 0;
      owned_unlock (&self.lock, &self.lock_owner);
    }
  owned_unlock (&self.launch_lock, &self.launch_owner);
}

static bool
is_fault_signal (int sig)
{
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL;
}

/* Give the signal to whoever had it before us, or to the default action. */
static void
signal_chain (int sig, siginfo_t *info, void *uctx)
{
  struct sigaction *old = &self.sig_old[sig];

  sigaction (sig, old, NULL);
  if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler == SIG_DFL)
    {
      /* Blocked while we run: delivered, with the default action, as soon
       * as this handler returns, so the exit status names the signal. */
      raise (sig);
      return;
    }
  if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler == SIG_IGN)
    return;
  if (is_fault_signal (sig) && info != NULL && info->si_code > 0)
    return;  /* a real fault: returning re-executes it into the old handler */
  if (old->sa_flags & SA_SIGINFO)
    old->sa_sigaction (sig, info, uctx);
  else
    old->sa_handler (sig);
}

/* The crash-path flush has SIGNAL_FLUSH_LIMIT_S seconds; if CUPTI or the
 * allocator deadlocks inside the handler (a crash while a CUPTI or malloc
 * lock was held), this ends it: END, then the original signal, default
 * action. */
static void
on_watchdog (int alrm)
{
  int sig = atomic_load (&self.crash_signal);
  sigset_t set;

  (void) alrm;
  if (sig <= 0)
    sig = SIGABRT;
  signal_write_end (sig);
  signal (sig, SIG_DFL);
  sigemptyset (&set);
  sigaddset (&set, sig);
  sigprocmask (SIG_UNBLOCK, &set, NULL);
  raise (sig);
  _exit (128 + sig);
}

static void
on_fatal_signal (int sig, siginfo_t *info, void *uctx)
{
  int saved_errno = errno;

  if (atomic_load (&self.active) && !atomic_exchange (&self.end_written, 1))
    {
      pid_t me = gettid ();
      struct sigaction wd;

      atomic_store (&self.crash_signal, sig);
      memset (&wd, 0, sizeof wd);
      wd.sa_handler = on_watchdog;
      sigemptyset (&wd.sa_mask);
      sigaction (SIGALRM, &wd, NULL);
      alarm (SIGNAL_FLUSH_LIMIT_S);
      /* Best effort, NOT async-signal-safe: cuptiActivityFlushAll takes
       * CUPTI's locks and calls buffer_completed (malloc/free, our locks).
       * Skipped when this thread holds one of our locks (it would deadlock
       * on itself); the watchdog above bounds every other hang. */
      if (self.activity_on
          && atomic_load_explicit (&self.lock_owner, memory_order_relaxed) != (int) me
          && atomic_load_explicit (&self.launch_owner, memory_order_relaxed) != (int) me
          && atomic_load_explicit (&self.ids_owner, memory_order_relaxed) != (int) me)
        (void) cuptiActivityFlushAll (CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
      signal_drain_launches (me);
      signal_write_end (sig);
      alarm (0);
    }
  signal_chain (sig, info, uctx);
  errno = saved_errno;
}

static void
signals_install (void)
{
  static const int crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
  static const int polite[] = { SIGTERM, SIGINT };
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fatal_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset (&sa.sa_mask);

  for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
    {
      int sig = crash[i];
      if (sigaction (sig, NULL, &self.sig_old[sig]) != 0)
        continue;
      if (!(self.sig_old[sig].sa_flags & SA_SIGINFO) && self.sig_old[sig].sa_handler == SIG_IGN)
        continue;
      if (sigaction (sig, &sa, NULL) == 0)
        self.sig_installed[sig] = true;
    }
  /* SIGTERM / SIGINT: only where the program left the default. A program
   * (Python, PyTorch, a server) that handles them exits through exit() and
   * the atexit handler, or not at all; standing in front of it could only
   * change what it does. */
  for (size_t i = 0; i < sizeof polite / sizeof polite[0]; i++)
    {
      int sig = polite[i];
      if (sigaction (sig, NULL, &self.sig_old[sig]) != 0)
        continue;
      if ((self.sig_old[sig].sa_flags & SA_SIGINFO) || self.sig_old[sig].sa_handler != SIG_DFL)
        continue;
      if (sigaction (sig, &sa, NULL) == 0)
        self.sig_installed[sig] = true;
    }
}

/* CUPTI does not survive fork(). A child that does not exec stops writing
 * (the spool is the parent's); one that execs gets the injection again from
 * the environment and writes its own spool (the fd is O_CLOEXEC anyway). */
static void
on_fork_child (void)
{
  atomic_store (&self.active, 0);
  atomic_store (&self.end_written, 1);
  if (self.fd >= 0)
    close (self.fd);
  self.fd = -1;
  self.flusher_running = false;
}

/* ---- initialisation ------------------------------------------------------- */

static int32_t
env_int (const char *const *names)
{
  for (; *names; names++)
    {
      const char *v = getenv (*names);
      char *end = NULL;
      long n;

      if (v == NULL || *v == '\0')
        continue;
      errno = 0;
      n = strtol (v, &end, 10);
      if (errno == 0 && end != v && *end == '\0' && n >= 0 && n <= INT32_MAX)
        return (int32_t) n;
    }
  return -1;
}

static bool
spool_open (const char *dir)
{
  static const char *const rank_vars[] = { "RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID", NULL };
  static const char *const local_vars[] = { "LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", NULL };
  char path[PATH_MAX];
  CwSpoolHeader h;
  struct timespec now;
  uint64_t ts = 0;
  uint32_t version = 0;
  ssize_t n;
  int fd;

  if (snprintf (path, sizeof path, "%s/%s%ld%s", dir, CW_SPOOL_FILE_PREFIX, (long) getpid (),
                CW_SPOOL_FILE_SUFFIX) >= (int) sizeof path)
    return false;
  fd = open (path, O_CREAT | O_EXCL | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return false;  /* nowhere to say why: the reader reports a missing spool */

  memset (&h, 0, sizeof h);
  memcpy (h.magic, CW_SPOOL_MAGIC, sizeof h.magic);
  h.version = CW_SPOOL_VERSION;
  h.byte_order = CW_SPOOL_BYTE_ORDER;
  h.header_size = sizeof h;
  h.pid = (int32_t) getpid ();
  h.ppid = (int32_t) getppid ();
  h.rank = env_int (rank_vars);
  h.local_rank = env_int (local_vars);
  if (cuptiGetVersion (&version) == CUPTI_SUCCESS)
    h.cupti_version = version;
  if (cuptiGetTimestamp (&ts) == CUPTI_SUCCESS)
    h.start_ns = ts;
  if (clock_gettime (CLOCK_REALTIME, &now) == 0)
    h.start_unix_ns = (int64_t) now.tv_sec * 1000000000 + now.tv_nsec;
  n = readlink ("/proc/self/exe", h.exe, sizeof h.exe - 1);
  h.exe[n > 0 ? n : 0] = '\0';

  if (!write_all (fd, &h, sizeof h, NULL))
    {
      close (fd);
      return false;
    }
  self.fd = fd;
  atomic_store (&self.active, 1);
  return true;
}

static void
enable_callbacks (const CUpti_CallbackDomain domain, const CUpti_CallbackId *ids, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      CUptiResult res = cuptiEnableCallback (1, self.subscriber, domain, ids[i]);
      if (res != CUPTI_SUCCESS)
        spool_message (2, "cuptiEnableCallback(domain %d, cbid %u): %s (CUPTI error %d)", (int) domain,
                       (unsigned) ids[i], cupti_result_text (res), (int) res);
    }
}

static bool
cupti_start (void)
{
  static const CUpti_CallbackId runtime_ids[] = {
    CUPTI_RUNTIME_TRACE_CBID_cudaLaunch_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaLaunch_ptsz_v7000,
    CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_v7000,
    CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernel_ptsz_v7000,
    CUPTI_RUNTIME_TRACE_CBID_cudaLaunchCooperativeKernel_v9000,
    CUPTI_RUNTIME_TRACE_CBID_cudaLaunchCooperativeKernel_ptsz_v9000,
    CUPTI_RUNTIME_TRACE_CBID_cudaLaunchCooperativeKernelMultiDevice_v9000,
    CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernelExC_v11060,
    CUPTI_RUNTIME_TRACE_CBID_cudaLaunchKernelExC_ptsz_v11060,
    CUPTI_RUNTIME_TRACE_CBID___cudaLaunchKernel_v13000,
    CUPTI_RUNTIME_TRACE_CBID___cudaLaunchKernel_ptsz_v13000,
    CUPTI_RUNTIME_TRACE_CBID_cudaGraphLaunch_v10000,
    CUPTI_RUNTIME_TRACE_CBID_cudaGraphLaunch_ptsz_v10000,
    CUPTI_RUNTIME_TRACE_CBID_cudaMalloc_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaMallocPitch_v3020,
    CUPTI_RUNTIME_TRACE_CBID_cudaMallocManaged_v6000,
    CUPTI_RUNTIME_TRACE_CBID_cudaMallocAsync_v11020,
    CUPTI_RUNTIME_TRACE_CBID_cudaMallocAsync_ptsz_v11020,
    CUPTI_RUNTIME_TRACE_CBID_cudaMallocFromPoolAsync_v11020,
    CUPTI_RUNTIME_TRACE_CBID_cudaMallocFromPoolAsync_ptsz_v11020,
  };
  static const CUpti_CallbackId driver_ids[] = {
    CUPTI_DRIVER_TRACE_CBID_cuLaunch,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchGrid,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchGridAsync,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernelMultiDevice,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx,
    CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz,
    CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch,
    CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch_ptsz,
    CUPTI_DRIVER_TRACE_CBID_cuMemAlloc_v2,
    CUPTI_DRIVER_TRACE_CBID_cuMemAllocPitch_v2,
    CUPTI_DRIVER_TRACE_CBID_cuMemAllocAsync,
    CUPTI_DRIVER_TRACE_CBID_cuMemAllocAsync_ptsz,
    CUPTI_DRIVER_TRACE_CBID_cuMemAllocFromPoolAsync,
    CUPTI_DRIVER_TRACE_CBID_cuMemAllocFromPoolAsync_ptsz,
    CUPTI_DRIVER_TRACE_CBID_cuMemCreate,
    CUPTI_DRIVER_TRACE_CBID_cuMemAllocManaged,
  };
  static const CUpti_CallbackId resource_ids[] = { CUPTI_CBID_RESOURCE_CONTEXT_CREATED };
  static const CUpti_CallbackId nvtx_ids[] = {
    CUPTI_CBID_NVTX_nvtxRangeStartA,
    CUPTI_CBID_NVTX_nvtxRangeStartW,
    CUPTI_CBID_NVTX_nvtxRangeStartEx,
    CUPTI_CBID_NVTX_nvtxDomainRangeStartEx,
    CUPTI_CBID_NVTX_nvtxRangeEnd,
    CUPTI_CBID_NVTX_nvtxDomainRangeEnd,
  };
  static const CUpti_ActivityKind kinds[] = {
    CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL,
    CUPTI_ACTIVITY_KIND_MEMCPY,
    CUPTI_ACTIVITY_KIND_MEMSET,
    CUPTI_ACTIVITY_KIND_MEMORY2,
    CUPTI_ACTIVITY_KIND_MARKER,
  };
  CUptiResult res;

#ifdef CUpti_SubscriberParams_STRUCT_SIZE
  {
    CUpti_SubscriberParams params;
    char other[CUPTI_OLD_SUBSCRIBER_NAME_MIN_LEN + 64];

    memset (&params, 0, sizeof params);
    memset (other, 0, sizeof other);
    params.structSize = CUpti_SubscriberParams_STRUCT_SIZE;
    params.subscriberName = "Cliffwatch";
    params.oldSubscriberName = other;
    params.oldSubscriberSize = sizeof other;
    res = cuptiSubscribe_v2 (&self.subscriber, on_callback, NULL, &params);
    if (res == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED)
      {
        other[sizeof other - 1] = '\0';
        spool_message (1, "another CUPTI client is attached (%s): no GPU activity captured",
                       other[0] ? other : "e.g. Nsight Systems, Nsight Compute, cuda-gdb or an in-process profiler");
        return false;
      }
    if (!cupti_check (res, "cuptiSubscribe_v2"))
      return false;
  }
#else
  res = cuptiSubscribe (&self.subscriber, on_callback, NULL);
  if (res == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED)
    {
      spool_message (1, "another CUPTI client is attached (e.g. Nsight Systems, Nsight Compute, cuda-gdb "
                        "or an in-process profiler): no GPU activity captured");
      return false;
    }
  if (!cupti_check (res, "cuptiSubscribe"))
    return false;
#endif

  /* Thread ids as gettid(), like CwSpoolLaunch.thread_id (CUPTI's default
   * is pthread_self() cut to 32 bits). A process-wide CUPTI setting: only
   * once we know we are the subscriber, before any activity is enabled. */
  cupti_check (cuptiSetThreadIdType (CUPTI_ACTIVITY_THREAD_ID_TYPE_SYSTEM), "cuptiSetThreadIdType(SYSTEM)");

  enable_callbacks (CUPTI_CB_DOMAIN_RUNTIME_API, runtime_ids, sizeof runtime_ids / sizeof runtime_ids[0]);
  enable_callbacks (CUPTI_CB_DOMAIN_DRIVER_API, driver_ids, sizeof driver_ids / sizeof driver_ids[0]);
  enable_callbacks (CUPTI_CB_DOMAIN_RESOURCE, resource_ids, sizeof resource_ids / sizeof resource_ids[0]);
  enable_callbacks (CUPTI_CB_DOMAIN_NVTX, nvtx_ids, sizeof nvtx_ids / sizeof nvtx_ids[0]);

  if (!cupti_check (cuptiActivityRegisterCallbacks (buffer_requested, buffer_completed),
                    "cuptiActivityRegisterCallbacks"))
    return true;  /* callbacks (launches, OOM, devices) still work */
  self.activity_on = true;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    {
      char what[64];
      snprintf (what, sizeof what, "cuptiActivityEnable(kind %d)", (int) kinds[i]);
      cupti_check (cuptiActivityEnable (kinds[i]), what);
    }
  /* Full buffers at most 100 ms late; our flusher returns partial ones. */
  cupti_check (cuptiActivityFlushPeriod (FLUSH_PERIOD_MS), "cuptiActivityFlushPeriod(100)");
  return true;
}

/* Runs once, from whichever loader gets here first: the CUDA driver
 * (cuInit) or NVTX (first NVTX call). Not pthread_once: CUPTI may call
 * cuInit from inside cuptiSubscribe, which re-enters InitializeInjection on
 * this thread; a re-entrant or concurrent caller returns at once.
 * Returns false when capture is off (no CW_SPOOL_DIR, or no spool). */
static bool
cw_init (void)
{
  int expected = INIT_NONE;
  const char *dir;

  if (!atomic_compare_exchange_strong (&self.init_state, &expected, INIT_RUNNING))
    return expected != INIT_OFF;

  dir = getenv (CW_SPOOL_DIR_ENV);
  if (dir == NULL || *dir == '\0' || !spool_open (dir))
    {
      atomic_store (&self.init_state, INIT_OFF);
      return false;
    }
  pthread_atfork (NULL, NULL, on_fork_child);
  atexit (on_exit_handler);
  if (cupti_start ())
    flusher_start ();
  signals_install ();
  atomic_store (&self.init_state, INIT_ACTIVE);
  return true;
}

int
InitializeInjection (void)
{
  (void) cw_init ();
  return 1;  /* never fail the program's cuInit */
}

/* libcupti's own InitializeInjectionNvtx2, looked up on libcupti's handle
 * (dlsym there searches libcupti and its dependencies, never us). */
static NvtxInitializeInjectionNvtxFunc_t cupti_nvtx_init;
static char cupti_path[PATH_MAX];

static void
cupti_nvtx_resolve_once (void)
{
  Dl_info info;
  void *h = NULL;

  if (dladdr ((void *) cuptiGetVersion, &info) != 0 && info.dli_fname != NULL)
    {
      snprintf (cupti_path, sizeof cupti_path, "%s", info.dli_fname);
      h = dlopen (info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    }
  if (h != NULL)
    cupti_nvtx_init = (NvtxInitializeInjectionNvtxFunc_t) dlsym (h, "InitializeInjectionNvtx2");
}

/* NVTX: start the capture (ranges opened before cuInit are recorded), then
 * give NVTX to libcupti, the same copy we subscribed to. NVTX calls this
 * once per module that carries the NVTX3 headers (program, libtorch...). */
int
InitializeInjectionNvtx2 (NvtxGetExportTableFunc_t get_export_table)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;

  if (!cw_init ())
    return 0;  /* capture off: NVTX calls become no-ops */
  pthread_once (&once, cupti_nvtx_resolve_once);
  if (cupti_nvtx_init == NULL)
    {
      spool_message (2, "InitializeInjectionNvtx2 not found in %s: NVTX ranges not captured",
                     cupti_path[0] ? cupti_path : "libcupti");
      return 0;
    }
  if (cupti_nvtx_init (get_export_table) == 0)
    {
      spool_message (2, "libcupti's InitializeInjectionNvtx2 failed: NVTX ranges not captured");
      return 0;
    }
  return 1;
}
