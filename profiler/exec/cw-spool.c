/* cw-spool.c: the spool reader (see cw-spool.h for what it accepts). */
#include "cw-spool.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-data.h"

_Static_assert (sizeof (CwSpoolRecordHeader) == 8, "record header is 8 bytes");
_Static_assert (sizeof (CwSpoolHeader) % 8 == 0, "spool header keeps records 8-aligned");
_Static_assert (sizeof (CwSpoolMemory) % 8 == 0, "memory record is 8-aligned");
_Static_assert (sizeof (CwSpoolKernel) % 8 == 0, "kernel record is 8-aligned");
_Static_assert (sizeof (CwSpoolCopy) % 8 == 0, "copy record is 8-aligned");
_Static_assert (sizeof (CwSpoolMarker) % 8 == 0, "marker record is 8-aligned");
_Static_assert (sizeof (CwSpoolLaunch) % 8 == 0, "launch record is 8-aligned");
_Static_assert (sizeof (CwSpoolOom) % 8 == 0, "oom record is 8-aligned");
_Static_assert (sizeof (CwSpoolDevice) % 8 == 0, "device record is 8-aligned");
_Static_assert (sizeof (CwSpoolEnd) % 8 == 0, "end record is 8-aligned");

/* A growable array of one event type. */
typedef struct {
  void  *items;
  size_t n, cap, item_size;
} Vec;

struct _CwSpool {
  char         *path;
  CwSpoolHeader header;
  bool          truncated;
  bool          has_end;
  uint32_t      end_how;
  int32_t       end_signal;
  uint64_t      dropped;
  uint64_t      last_ts;
  Vec           memory, kernels, copies, markers, launches, ooms, devices, messages;
  /* Every name string, freed with the spool. */
  char        **strings;
  size_t        n_strings, cap_strings;
};

static void *
vec_push (Vec *v)
{
  if (v->n == v->cap)
    {
      size_t ncap = v->cap ? v->cap * 2 : 256;
      void *n = realloc (v->items, ncap * v->item_size);

      if (n == NULL)
        return NULL;
      v->items = n;
      v->cap = ncap;
    }
  return (char *) v->items + v->item_size * v->n++;
}

static const char *
keep_string (CwSpool *s, const char *bytes, size_t len)
{
  char *copy;

  if (s->n_strings == s->cap_strings)
    {
      size_t ncap = s->cap_strings ? s->cap_strings * 2 : 256;
      char **n = realloc (s->strings, ncap * sizeof *n);

      if (n == NULL)
        return NULL;
      s->strings = n;
      s->cap_strings = ncap;
    }
  copy = malloc (len + 1);
  if (copy == NULL)
    return NULL;
  memcpy (copy, bytes, len);
  copy[len] = '\0';
  /* A name is text for people and SQL; a NUL inside it would cut it short
   * silently, so it is shown as '?'. */
  for (size_t i = 0; i < len; i++)
    if (copy[i] == '\0')
      copy[i] = '?';
  s->strings[s->n_strings++] = copy;
  return copy;
}

void
cw_spool_free (CwSpool *spool)
{
  if (spool == NULL)
    return;
  for (size_t i = 0; i < spool->n_strings; i++)
    free (spool->strings[i]);
  free (spool->strings);
  free (spool->memory.items);
  free (spool->kernels.items);
  free (spool->copies.items);
  free (spool->markers.items);
  free (spool->launches.items);
  free (spool->ooms.items);
  free (spool->devices.items);
  free (spool->messages.items);
  free (spool->path);
  free (spool);
}

static size_t
fixed_size (uint32_t type)
{
  switch (type)
    {
    case CW_SPOOL_ALLOC:
    case CW_SPOOL_FREE: return sizeof (CwSpoolMemory);
    case CW_SPOOL_KERNEL: return sizeof (CwSpoolKernel);
    case CW_SPOOL_MEMCPY:
    case CW_SPOOL_MEMSET: return sizeof (CwSpoolCopy);
    case CW_SPOOL_MARKER: return sizeof (CwSpoolMarker);
    case CW_SPOOL_LAUNCH: return sizeof (CwSpoolLaunch);
    case CW_SPOOL_OOM: return sizeof (CwSpoolOom);
    case CW_SPOOL_DEVICE: return sizeof (CwSpoolDevice);
    case CW_SPOOL_DROPPED: return sizeof (CwSpoolDropped);
    case CW_SPOOL_MESSAGE: return sizeof (CwSpoolMessage);
    case CW_SPOOL_END: return sizeof (CwSpoolEnd);
    default: return 0;
    }
}

static void
note_ts (CwSpool *s, uint64_t ts)
{
  if (ts > s->last_ts)
    s->last_ts = ts;
}

/* Checks that a name of `len` bytes fits after the fixed payload. */
static bool
name_fits (const CwSpool *s, uint64_t offset, uint32_t size, size_t fixed, uint32_t len, CwError *error)
{
  if ((uint64_t) fixed + len > size)
    {
      cw_error_set (error, CW_ERROR_CORRUPT, "%s: spool is damaged at byte %" PRIu64
                    ": a %" PRIu32 "-byte name does not fit its %" PRIu32 "-byte record", s->path,
                    offset, len, size);
      return false;
    }
  return true;
}

static bool
oom (CwError *error, const CwSpool *s)
{
  cw_error_set (error, CW_ERROR_OOM, "%s: out of memory reading the spool", s->path);
  return false;
}

static bool
take_record (CwSpool *s, const unsigned char *rec, uint32_t type, uint32_t size, uint64_t offset,
             CwError *error)
{
  switch (type)
    {
    case CW_SPOOL_ALLOC:
    case CW_SPOOL_FREE:
      {
        CwSpoolMemory m;
        CwSpoolMemoryEvent *e = vec_push (&s->memory);

        if (e == NULL)
          return oom (error, s);
        memcpy (&m, rec, sizeof m);
        e->timestamp_ns = m.timestamp_ns;
        e->address = m.address;
        e->bytes = m.bytes;
        e->device = m.device;
        e->memory_kind = m.memory_kind;
        e->is_free = type == CW_SPOOL_FREE;
        e->seq = s->memory.n - 1;
        note_ts (s, m.timestamp_ns);
        return true;
      }
    case CW_SPOOL_KERNEL:
      {
        CwSpoolKernel k;
        CwSpoolKernelEvent *e;

        memcpy (&k, rec, sizeof k);
        if (!name_fits (s, offset, size, sizeof k, k.name_len, error))
          return false;
        if (k.end_ns < k.start_ns)
          {
            cw_error_set (error, CW_ERROR_CORRUPT, "%s: spool is damaged at byte %" PRIu64
                          ": a kernel ends before it starts", s->path, offset);
            return false;
          }
        e = vec_push (&s->kernels);
        if (e == NULL || (e->name = keep_string (s, (const char *) rec + sizeof k, k.name_len)) == NULL)
          return oom (error, s);
        e->start_ns = k.start_ns;
        e->end_ns = k.end_ns;
        e->device = k.device;
        e->stream_id = k.stream_id;
        e->correlation_id = k.correlation_id;
        note_ts (s, k.end_ns);
        return true;
      }
    case CW_SPOOL_MEMCPY:
    case CW_SPOOL_MEMSET:
      {
        CwSpoolCopy c;
        CwSpoolCopyEvent *e = vec_push (&s->copies);

        if (e == NULL)
          return oom (error, s);
        memcpy (&c, rec, sizeof c);
        e->start_ns = c.start_ns;
        e->end_ns = c.end_ns < c.start_ns ? c.start_ns : c.end_ns;
        e->bytes = c.bytes;
        e->device = c.device;
        e->stream_id = c.stream_id;
        e->correlation_id = c.correlation_id;
        e->copy_kind = c.copy_kind;
        e->is_memset = type == CW_SPOOL_MEMSET;
        note_ts (s, e->end_ns);
        return true;
      }
    case CW_SPOOL_MARKER:
      {
        CwSpoolMarker m;
        CwSpoolMarkerEvent *e;

        memcpy (&m, rec, sizeof m);
        if (!name_fits (s, offset, size, sizeof m, m.name_len, error))
          return false;
        e = vec_push (&s->markers);
        if (e == NULL || (e->name = keep_string (s, (const char *) rec + sizeof m, m.name_len)) == NULL)
          return oom (error, s);
        e->timestamp_ns = m.timestamp_ns;
        e->id = m.id;
        e->flags = m.flags;
        e->thread_id = m.thread_id;
        e->push_pop = m.push_pop != 0;
        note_ts (s, m.timestamp_ns);
        return true;
      }
    case CW_SPOOL_LAUNCH:
      {
        CwSpoolLaunch l;
        CwSpoolLaunchEvent *e = vec_push (&s->launches);

        if (e == NULL)
          return oom (error, s);
        memcpy (&l, rec, sizeof l);
        e->timestamp_ns = l.timestamp_ns;
        e->correlation_id = l.correlation_id;
        e->thread_id = l.thread_id;
        note_ts (s, l.timestamp_ns);
        return true;
      }
    case CW_SPOOL_OOM:
      {
        CwSpoolOom o;
        CwSpoolOomEvent *e = vec_push (&s->ooms);

        if (e == NULL)
          return oom (error, s);
        memcpy (&o, rec, sizeof o);
        e->timestamp_ns = o.timestamp_ns;
        e->bytes = o.bytes;
        e->device = (int32_t) o.device;
        e->api = o.api;
        e->cbid = o.cbid;
        e->result = o.result;
        note_ts (s, o.timestamp_ns);
        return true;
      }
    case CW_SPOOL_DEVICE:
      {
        CwSpoolDevice d;
        CwSpoolDeviceInfo *e;
        size_t len;

        memcpy (&d, rec, sizeof d);
        if (!name_fits (s, offset, size, sizeof d, d.name_len, error))
          return false;
        e = vec_push (&s->devices);
        if (e == NULL)
          return oom (error, s);
        memset (e, 0, sizeof *e);
        e->device = d.device;
        e->total_bytes = d.total_bytes;
        e->cc_major = d.cc_major;
        e->cc_minor = d.cc_minor;
        len = d.name_len < sizeof e->name - 1 ? d.name_len : sizeof e->name - 1;
        memcpy (e->name, rec + sizeof d, len);
        memcpy (e->uuid, d.uuid, sizeof e->uuid - 1);
        e->uuid[sizeof e->uuid - 1] = '\0';
        return true;
      }
    case CW_SPOOL_DROPPED:
      {
        CwSpoolDropped d;

        memcpy (&d, rec, sizeof d);
        s->dropped += d.dropped;
        return true;
      }
    case CW_SPOOL_MESSAGE:
      {
        CwSpoolMessage m;
        CwSpoolMessageEvent *e;

        memcpy (&m, rec, sizeof m);
        if (!name_fits (s, offset, size, sizeof m, m.text_len, error))
          return false;
        e = vec_push (&s->messages);
        if (e == NULL || (e->text = keep_string (s, (const char *) rec + sizeof m, m.text_len)) == NULL)
          return oom (error, s);
        e->code = m.code;
        return true;
      }
    case CW_SPOOL_END:
      {
        CwSpoolEnd end;

        memcpy (&end, rec, sizeof end);
        s->has_end = true;
        s->end_how = end.how;
        s->end_signal = end.signal;
        note_ts (s, end.timestamp_ns);
        return true;
      }
    default:
      return false;  /* unreachable: fixed_size() refused the type */
    }
}

CwSpool *
cw_spool_read (const char *path, CwError *error)
{
  CwSpool *s;
  FILE *f;
  unsigned char *rec = NULL;
  uint64_t offset;

  if (path == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_spool_read: NULL path");
      return NULL;
    }
  s = calloc (1, sizeof *s);
  if (s == NULL || (s->path = strdup (path)) == NULL)
    {
      free (s);
      cw_error_set (error, CW_ERROR_OOM, "out of memory reading %s", path);
      return NULL;
    }
  s->memory.item_size = sizeof (CwSpoolMemoryEvent);
  s->kernels.item_size = sizeof (CwSpoolKernelEvent);
  s->copies.item_size = sizeof (CwSpoolCopyEvent);
  s->markers.item_size = sizeof (CwSpoolMarkerEvent);
  s->launches.item_size = sizeof (CwSpoolLaunchEvent);
  s->ooms.item_size = sizeof (CwSpoolOomEvent);
  s->devices.item_size = sizeof (CwSpoolDeviceInfo);
  s->messages.item_size = sizeof (CwSpoolMessageEvent);

  /* A FIFO or a device would block or never end: only regular files, and
   * the open itself must not block (cw_data_open_regular). */
  f = cw_data_open_regular (path);
  if (f == NULL)
    {
      if (errno == EINVAL)
        cw_error_set (error, CW_ERROR_CORRUPT, "%s: not a regular file", path);
      else
        cw_error_set (error, CW_ERROR_IO, "%s: %s", path, strerror (errno));
      cw_spool_free (s);
      return NULL;
    }
  if (fread (&s->header, 1, sizeof s->header, f) != sizeof s->header
      || memcmp (s->header.magic, CW_SPOOL_MAGIC, 8) != 0)
    {
      cw_error_set (error, CW_ERROR_CORRUPT, "%s: not a Cliffwatch spool (bad or missing header)", path);
      goto fail;
    }
  if (s->header.byte_order != CW_SPOOL_BYTE_ORDER)
    {
      cw_error_set (error, CW_ERROR_CORRUPT, "%s: spool written with another byte order", path);
      goto fail;
    }
  if (s->header.version != CW_SPOOL_VERSION)
    {
      cw_error_set (error, CW_ERROR_VERSION, "%s: spool version %" PRIu32 ", this Cliffwatch reads %u", path,
                    s->header.version, CW_SPOOL_VERSION);
      goto fail;
    }
  if (s->header.header_size != sizeof s->header)
    {
      cw_error_set (error, CW_ERROR_CORRUPT, "%s: spool header is %" PRIu32 " bytes, expected %zu", path,
                    s->header.header_size, sizeof s->header);
      goto fail;
    }
  s->header.exe[sizeof s->header.exe - 1] = '\0';

  rec = malloc (CW_SPOOL_MAX_RECORD);
  if (rec == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory reading %s", path);
      goto fail;
    }
  offset = sizeof s->header;
  for (;;)
    {
      CwSpoolRecordHeader h;
      size_t got = fread (&h, 1, sizeof h, f), fixed;

      if (got == 0 && feof (f))
        break;
      if (got < sizeof h)
        {
          if (ferror (f))
            goto io_error;
          s->truncated = true;
          break;
        }
      fixed = fixed_size (h.type);
      if (fixed == 0)
        {
          cw_error_set (error, CW_ERROR_CORRUPT, "%s: spool is damaged at byte %" PRIu64
                        ": unknown record type %" PRIu32, path, offset, h.type);
          goto fail;
        }
      if (h.size % 8 != 0 || h.size < fixed || h.size > CW_SPOOL_MAX_RECORD)
        {
          cw_error_set (error, CW_ERROR_CORRUPT, "%s: spool is damaged at byte %" PRIu64
                        ": record size %" PRIu32 " is not valid for its type", path, offset, h.size);
          goto fail;
        }
      memcpy (rec, &h, sizeof h);
      got = fread (rec + sizeof h, 1, h.size - sizeof h, f);
      if (got < h.size - sizeof h)
        {
          if (ferror (f))
            goto io_error;
          s->truncated = true;
          break;
        }
      if (!take_record (s, rec, h.type, h.size, offset, error))
        goto fail;
      offset += h.size;
    }
  free (rec);
  fclose (f);
  return s;

io_error:
  cw_error_set (error, CW_ERROR_IO, "%s: %s", path, strerror (errno));
fail:
  free (rec);
  fclose (f);
  cw_spool_free (s);
  return NULL;
}

const char *
cw_spool_get_path (const CwSpool *spool)
{
  return spool->path;
}

const CwSpoolHeader *
cw_spool_get_header (const CwSpool *spool)
{
  return &spool->header;
}

bool
cw_spool_is_truncated (const CwSpool *spool)
{
  return spool->truncated;
}

bool
cw_spool_get_end (const CwSpool *spool, uint32_t *how, int32_t *signal)
{
  if (how)
    *how = spool->end_how;
  if (signal)
    *signal = spool->end_signal;
  return spool->has_end;
}

uint64_t
cw_spool_get_dropped (const CwSpool *spool)
{
  return spool->dropped;
}

uint64_t
cw_spool_get_last_timestamp (const CwSpool *spool)
{
  return spool->last_ts;
}

#define GETTER(fn, field, type)                     \
  const type *fn (const CwSpool *spool, size_t *n)  \
  {                                                 \
    if (n)                                          \
      *n = spool->field.n;                          \
    return spool->field.items;                      \
  }

GETTER (cw_spool_get_memory, memory, CwSpoolMemoryEvent)
GETTER (cw_spool_get_kernels, kernels, CwSpoolKernelEvent)
GETTER (cw_spool_get_copies, copies, CwSpoolCopyEvent)
GETTER (cw_spool_get_markers, markers, CwSpoolMarkerEvent)
GETTER (cw_spool_get_launches, launches, CwSpoolLaunchEvent)
GETTER (cw_spool_get_ooms, ooms, CwSpoolOomEvent)
GETTER (cw_spool_get_devices, devices, CwSpoolDeviceInfo)
GETTER (cw_spool_get_messages, messages, CwSpoolMessageEvent)
