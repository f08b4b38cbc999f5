/* cw-spool.h: reads one spool written by the injection library
 * (cw-spool-format.h) into typed, time-stamped events.
 *
 * A spool is what a measured process left on disk, so the reader is strict
 * about what it cannot trust and lenient about what a killed writer leaves:
 *  - a foreign or damaged file (bad magic, version, byte order, header size,
 *    a record of unknown type, a size that is not a multiple of 8, larger
 *    than CW_SPOOL_MAX_RECORD or smaller than its type's payload, a name
 *    longer than its record) is CW_ERROR_CORRUPT, and nothing is returned;
 *  - an incomplete record at the very end (the writer died inside a write)
 *    is dropped and the spool is marked truncated; everything before it is
 *    returned.
 * No CUDA, no SQLite: the parent reads spools on any machine. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-error.h"
#include "cw-spool-format.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwSpool CwSpool;

/* A MEMORY2 allocation or release. `seq` is the record's position in the
 * file: it orders events that share a timestamp. */
typedef struct {
  uint64_t timestamp_ns;
  uint64_t address;
  uint64_t bytes;
  uint32_t device;
  uint32_t memory_kind;
  bool     is_free;
  uint64_t seq;
} CwSpoolMemoryEvent;

typedef struct {
  uint64_t start_ns, end_ns;
  uint32_t device, stream_id, correlation_id;
  const char *name;           /* owned by the spool */
} CwSpoolKernelEvent;

typedef struct {
  uint64_t start_ns, end_ns, bytes;
  uint32_t device, stream_id, correlation_id, copy_kind;
  bool     is_memset;
} CwSpoolCopyEvent;

typedef struct {
  uint64_t timestamp_ns;
  uint64_t id;
  uint32_t flags;             /* CW_SPOOL_MARKER_* */
  uint32_t thread_id;
  bool     push_pop;
  const char *name;           /* "" on end records; owned by the spool */
} CwSpoolMarkerEvent;

typedef struct {
  uint64_t timestamp_ns;
  uint32_t correlation_id, thread_id;
} CwSpoolLaunchEvent;

typedef struct {
  uint64_t timestamp_ns;
  uint64_t bytes;
  int32_t  device;            /* -1 unknown */
  uint32_t api, cbid, result;
} CwSpoolOomEvent;

typedef struct {
  uint32_t device;
  uint64_t total_bytes;
  uint32_t cc_major, cc_minor;
  char     name[128];
  char     uuid[48];
} CwSpoolDeviceInfo;

typedef struct {
  uint32_t code;
  const char *text;           /* owned by the spool */
} CwSpoolMessageEvent;

/* Reads the spool at `path`. NULL + CW_ERROR_IO / CW_ERROR_CORRUPT /
 * CW_ERROR_OOM on failure; the message names the file and the byte offset. */
CwSpool    *cw_spool_read (const char *path, CwError *error);
void        cw_spool_free (CwSpool *spool);

const char *cw_spool_get_path (const CwSpool *spool);
const CwSpoolHeader *cw_spool_get_header (const CwSpool *spool);
/* True when the last record was incomplete and was dropped. */
bool        cw_spool_is_truncated (const CwSpool *spool);
/* True when an end record was read; *how and *signal say how it ended. */
bool        cw_spool_get_end (const CwSpool *spool, uint32_t *how, int32_t *signal);
/* CUPTI's dropped-record count, summed over the spool's dropped records. */
uint64_t    cw_spool_get_dropped (const CwSpool *spool);
/* Largest timestamp of any record (0 when none). */
uint64_t    cw_spool_get_last_timestamp (const CwSpool *spool);

const CwSpoolMemoryEvent  *cw_spool_get_memory   (const CwSpool *spool, size_t *n);
const CwSpoolKernelEvent  *cw_spool_get_kernels  (const CwSpool *spool, size_t *n);
const CwSpoolCopyEvent    *cw_spool_get_copies   (const CwSpool *spool, size_t *n);
const CwSpoolMarkerEvent  *cw_spool_get_markers  (const CwSpool *spool, size_t *n);
const CwSpoolLaunchEvent  *cw_spool_get_launches (const CwSpool *spool, size_t *n);
const CwSpoolOomEvent     *cw_spool_get_ooms     (const CwSpool *spool, size_t *n);
const CwSpoolDeviceInfo   *cw_spool_get_devices  (const CwSpool *spool, size_t *n);
const CwSpoolMessageEvent *cw_spool_get_messages (const CwSpool *spool, size_t *n);

#ifdef __cplusplus
}
#endif
