/* cw-test-spool.h: writes synthetic spools in the injection library's format
 * (profiler/exec/cw-spool-format.h), for the tests of the reader, of the
 * receipt rules and of `profile --exec` on machines without a GPU. Each call
 * appends one whole record, as the library does. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-spool-format.h"

static inline void
ts_write_header (FILE *f, int pid, int ppid, int rank, uint64_t start_ns)
{
  CwSpoolHeader h;

  memset (&h, 0, sizeof h);
  memcpy (h.magic, CW_SPOOL_MAGIC, 8);
  h.version = CW_SPOOL_VERSION;
  h.byte_order = CW_SPOOL_BYTE_ORDER;
  h.header_size = sizeof h;
  h.pid = pid;
  h.ppid = ppid;
  h.rank = rank;
  h.local_rank = -1;
  h.cupti_version = 130000;
  h.start_ns = start_ns;
  h.start_unix_ns = 1764748800000000000ll;
  snprintf (h.exe, sizeof h.exe, "/usr/bin/fake-cuda-program");
  fwrite (&h, sizeof h, 1, f);
}

/* A record of `fixed` bytes followed by `name` (len bytes), 8-aligned. */
static inline void
ts_write_record (FILE *f, void *fixed, size_t fixed_size, uint32_t type, const char *name, size_t len)
{
  size_t size = (fixed_size + len + 7) / 8 * 8;
  unsigned char *buf = calloc (1, size);
  CwSpoolRecordHeader *h = (CwSpoolRecordHeader *) fixed;

  h->type = type;
  h->size = (uint32_t) size;
  memcpy (buf, fixed, fixed_size);
  if (len)
    memcpy (buf + fixed_size, name, len);
  fwrite (buf, size, 1, f);
  free (buf);
}

static inline void
ts_alloc (FILE *f, uint64_t ts, uint64_t address, uint64_t bytes, uint32_t device, int is_free)
{
  CwSpoolMemory m;

  memset (&m, 0, sizeof m);
  m.timestamp_ns = ts;
  m.address = address;
  m.bytes = bytes;
  m.device = device;
  m.memory_kind = CW_SPOOL_MEMORY_KIND_DEVICE;
  ts_write_record (f, &m, sizeof m, is_free ? CW_SPOOL_FREE : CW_SPOOL_ALLOC, NULL, 0);
}

static inline void
ts_pinned (FILE *f, uint64_t ts, uint64_t address, uint64_t bytes)
{
  CwSpoolMemory m;

  memset (&m, 0, sizeof m);
  m.timestamp_ns = ts;
  m.address = address;
  m.bytes = bytes;
  m.memory_kind = CW_SPOOL_MEMORY_KIND_PINNED; /* host memory: not device bytes */
  ts_write_record (f, &m, sizeof m, CW_SPOOL_ALLOC, NULL, 0);
}

static inline void
ts_marker (FILE *f, uint64_t ts, uint64_t id, uint32_t flags, uint32_t thread, const char *name)
{
  CwSpoolMarker m;
  size_t len = name ? strlen (name) : 0;

  memset (&m, 0, sizeof m);
  m.timestamp_ns = ts;
  m.id = id;
  m.flags = flags;
  m.thread_id = thread;
  m.push_pop = 1;
  m.name_len = (uint32_t) len;
  ts_write_record (f, &m, sizeof m, CW_SPOOL_MARKER, name, len);
}

static inline void
ts_kernel (FILE *f, uint64_t start, uint64_t end, uint32_t device, uint32_t corr, const char *name)
{
  CwSpoolKernel k;
  size_t len = strlen (name);

  memset (&k, 0, sizeof k);
  k.start_ns = start;
  k.end_ns = end;
  k.device = device;
  k.stream_id = 7;
  k.correlation_id = corr;
  k.name_len = (uint32_t) len;
  ts_write_record (f, &k, sizeof k, CW_SPOOL_KERNEL, name, len);
}

static inline void
ts_launch (FILE *f, uint64_t ts, uint32_t corr)
{
  CwSpoolLaunch l;

  memset (&l, 0, sizeof l);
  l.timestamp_ns = ts;
  l.correlation_id = corr;
  l.thread_id = 1;
  ts_write_record (f, &l, sizeof l, CW_SPOOL_LAUNCH, NULL, 0);
}

static inline void
ts_memset (FILE *f, uint64_t start, uint64_t end, uint64_t bytes, uint32_t device)
{
  CwSpoolCopy c;

  memset (&c, 0, sizeof c);
  c.start_ns = start;
  c.end_ns = end;
  c.bytes = bytes;
  c.device = device;
  ts_write_record (f, &c, sizeof c, CW_SPOOL_MEMSET, NULL, 0);
}

static inline void
ts_oom (FILE *f, uint64_t ts, uint64_t bytes, int32_t device)
{
  CwSpoolOom o;

  memset (&o, 0, sizeof o);
  o.timestamp_ns = ts;
  o.bytes = bytes;
  o.device = (uint32_t) device;
  o.api = 2;
  o.result = 2;
  ts_write_record (f, &o, sizeof o, CW_SPOOL_OOM, NULL, 0);
}

static inline void
ts_device (FILE *f, uint32_t device, const char *name, uint64_t total)
{
  CwSpoolDevice d;
  size_t len = strlen (name);

  memset (&d, 0, sizeof d);
  d.device = device;
  d.total_bytes = total;
  d.cc_major = 9;
  d.name_len = (uint32_t) len;
  snprintf (d.uuid, sizeof d.uuid, "GPU-00000000-0000-0000-0000-00000000000%u", device);
  ts_write_record (f, &d, sizeof d, CW_SPOOL_DEVICE, name, len);
}

static inline void
ts_message (FILE *f, uint32_t code, const char *text)
{
  CwSpoolMessage m;
  size_t len = strlen (text);

  memset (&m, 0, sizeof m);
  m.code = code;
  m.text_len = (uint32_t) len;
  ts_write_record (f, &m, sizeof m, CW_SPOOL_MESSAGE, text, len);
}

static inline void
ts_end (FILE *f, uint64_t ts, uint32_t how, int32_t sig)
{
  CwSpoolEnd e;

  memset (&e, 0, sizeof e);
  e.timestamp_ns = ts;
  e.how = how;
  e.signal = sig;
  ts_write_record (f, &e, sizeof e, CW_SPOOL_END, NULL, 0);
}

#define TS_MIB (1024ull * 1024ull)

/* The known program of the tests (the same shape as the GPU suite's
 * known-allocation program): times in ns from 1000.
 *   setup:           64 MiB kept                         (live 64 MiB)
 *   step #1 opens at live 64 MiB: 256 MiB + 3 MiB + 1 B, nested inner
 *                    allocates and frees 100 MiB, frees the 3 MiB:
 *                    peak 64 + 256 + 3 + 1 B + 100 = 423 MiB + 1 B
 *   step #2 opens at live 64 + 256 MiB + 1 B: 32 MiB alloc+free
 *                    peak 352 MiB + 1 B
 *   kernels: one launched inside step #1 (corr 11), one outside (corr 12). */
static inline void
ts_write_known_program (FILE *f, int with_end)
{
  ts_device (f, 0, "NVIDIA H200", 150754820096ull);
  ts_marker (f, 1000, 1, CW_SPOOL_MARKER_START, 1, "setup");
  ts_alloc (f, 1100, 0x7f0000000000ull, 64 * TS_MIB, 0, 0);
  ts_pinned (f, 1150, 0x5000, 512 * TS_MIB);
  ts_marker (f, 1200, 1, CW_SPOOL_MARKER_END, 1, NULL);
  ts_marker (f, 2000, 2, CW_SPOOL_MARKER_START, 1, "step");
  ts_alloc (f, 2100, 0x7f0100000000ull, 256 * TS_MIB, 0, 0);
  ts_alloc (f, 2200, 0x7f0200000000ull, 3 * TS_MIB, 0, 0);
  ts_alloc (f, 2300, 0x7f0300000000ull, 1, 0, 0);
  ts_marker (f, 2400, 3, CW_SPOOL_MARKER_START, 1, "step/inner");
  ts_alloc (f, 2500, 0x7f0400000000ull, 100 * TS_MIB, 0, 0);
  ts_launch (f, 2550, 11);
  ts_alloc (f, 2600, 0x7f0400000000ull, 100 * TS_MIB, 0, 1);
  ts_marker (f, 2700, 3, CW_SPOOL_MARKER_END, 1, NULL);
  ts_alloc (f, 2800, 0x7f0200000000ull, 3 * TS_MIB, 0, 1);
  ts_marker (f, 2900, 2, CW_SPOOL_MARKER_END, 1, NULL);
  ts_kernel (f, 2560, 2960, 0, 11, "score_kernel");
  ts_memset (f, 2610, 2620, 4096, 0);
  ts_marker (f, 3000, 4, CW_SPOOL_MARKER_START, 1, "step");
  ts_alloc (f, 3100, 0x7f0500000000ull, 32 * TS_MIB, 0, 0);
  ts_alloc (f, 3200, 0x7f0500000000ull, 32 * TS_MIB, 0, 1);
  ts_marker (f, 3300, 4, CW_SPOOL_MARKER_END, 1, NULL);
  ts_launch (f, 3400, 12);
  ts_kernel (f, 3410, 3500, 0, 12, "other_kernel");
  if (with_end)
    ts_end (f, 4000, CW_SPOOL_END_EXIT, 0);
}
