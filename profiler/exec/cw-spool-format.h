/* cw-spool-format.h: the on-disk spool that the injection library
 * (libcliffwatch-inject.so, loaded into a measured program through
 * CUDA_INJECTION64_PATH) writes and `cliffwatch-cli profile --exec` reads.
 *
 * This header is the whole contract between the two sides. It is plain C
 * with fixed-width fields so the writer (C + CUPTI, in the child) and the
 * reader (C + SQLite, in the parent, no CUDA) agree without sharing code.
 * Both run on the same host, so fields are in host byte order (the header's
 * byte-order mark lets the reader refuse a foreign file).
 *
 * Why a spool and not a pipe: the measured program may crash or be killed
 * with SIGKILL; whatever the writer had already written(2) stays on disk.
 * The writer appends one whole record per write(2) call (records of one
 * CUPTI buffer are batched into one write), so a reader sees at most one
 * incomplete record, at the tail: that is "truncated", not "corrupt".
 *
 * Layout: CwSpoolHeader, then records until end of file. Every record
 * starts with CwSpoolRecordHeader; `size` counts the whole record (header +
 * payload + the name's bytes) and is a multiple of 8. A name, where a record
 * has one, follows the fixed payload: `name_len` bytes, no terminating NUL,
 * then zero padding to the 8-byte boundary.
 *
 * One spool per process: `DIR/cw-spool-PID.bin`, where DIR comes from the
 * CW_SPOOL_DIR environment variable the parent sets (the one input the
 * injected library cannot get any other way). Child processes of the
 * measured program (fork/exec, torchrun workers) inherit the variables and
 * each write their own spool. */
#pragma once

#include <stdint.h>

#define CW_SPOOL_MAGIC         "CWSPOOL\x01"   /* 8 bytes */
#define CW_SPOOL_VERSION       1u
#define CW_SPOOL_BYTE_ORDER    0x01020304u
#define CW_SPOOL_MAX_RECORD    (1u << 20)     /* a larger size is corruption */
#define CW_SPOOL_FILE_PREFIX   "cw-spool-"
#define CW_SPOOL_FILE_SUFFIX   ".bin"
#define CW_SPOOL_DIR_ENV       "CW_SPOOL_DIR"

typedef struct {
  char     magic[8];          /* CW_SPOOL_MAGIC */
  uint32_t version;           /* CW_SPOOL_VERSION */
  uint32_t byte_order;        /* CW_SPOOL_BYTE_ORDER as written by the host */
  uint32_t header_size;       /* sizeof (CwSpoolHeader) */
  int32_t  pid;
  int32_t  ppid;
  int32_t  rank;              /* RANK / OMPI_COMM_WORLD_RANK / PMI_RANK / SLURM_PROCID; -1 unknown */
  int32_t  local_rank;        /* LOCAL_RANK / OMPI_COMM_WORLD_LOCAL_RANK / SLURM_LOCALID; -1 unknown */
  uint32_t cupti_version;     /* cuptiGetVersion */
  uint64_t start_ns;          /* cuptiGetTimestamp when the library initialised */
  int64_t  start_unix_ns;     /* wall clock at the same moment */
  char     exe[256];          /* /proc/self/exe, NUL-terminated, truncated */
} CwSpoolHeader;

typedef enum {
  CW_SPOOL_ALLOC = 1,         /* CwSpoolMemory: MEMORY2 allocation */
  CW_SPOOL_FREE,              /* CwSpoolMemory: MEMORY2 release */
  CW_SPOOL_KERNEL,            /* CwSpoolKernel + name */
  CW_SPOOL_MEMCPY,            /* CwSpoolCopy */
  CW_SPOOL_MEMSET,            /* CwSpoolCopy (copy_kind 0) */
  CW_SPOOL_MARKER,            /* CwSpoolMarker + name (the name only on start and instant) */
  CW_SPOOL_LAUNCH,            /* CwSpoolLaunch: host time of a kernel launch API call (batched:
                               * may come after the KERNEL record it names) */
  CW_SPOOL_OOM,               /* CwSpoolOom: an allocation API returned out-of-memory */
  CW_SPOOL_DEVICE,            /* CwSpoolDevice + name: a device a context was created on */
  CW_SPOOL_DROPPED,           /* CwSpoolDropped: CUPTI dropped records */
  CW_SPOOL_MESSAGE,           /* CwSpoolMessage + text: the library could not do its job */
  CW_SPOOL_END,               /* CwSpoolEnd: written last, at a clean exit or from a fatal signal */
} CwSpoolRecordType;

#define CW_SPOOL_N_TYPES 12

typedef struct {
  uint32_t type;              /* CwSpoolRecordType */
  uint32_t size;              /* whole record, multiple of 8, >= sizeof (CwSpoolRecordHeader) */
} CwSpoolRecordHeader;

/* CUPTI_ACTIVITY_MEMORY_KIND_* as CUPTI numbers them (cupti_activity.h:
 * 1 pageable, 2 pinned, 3 device, 4 array, 5 managed, 6 device static,
 * 7 managed static). */
#define CW_SPOOL_MEMORY_KIND_PINNED 2u
#define CW_SPOOL_MEMORY_KIND_DEVICE 3u
#define CW_SPOOL_MEMORY_KIND_ARRAY  4u

typedef struct {
  CwSpoolRecordHeader hdr;
  uint64_t timestamp_ns;
  uint64_t address;
  uint64_t bytes;
  uint32_t device;
  uint32_t memory_kind;       /* CUPTI_ACTIVITY_MEMORY_KIND_* */
  uint32_t stream_id;
  uint32_t correlation_id;
} CwSpoolMemory;

typedef struct {
  CwSpoolRecordHeader hdr;
  uint64_t start_ns;
  uint64_t end_ns;
  uint32_t device;
  uint32_t stream_id;
  uint32_t correlation_id;
  uint32_t name_len;
} CwSpoolKernel;

typedef struct {
  CwSpoolRecordHeader hdr;
  uint64_t start_ns;
  uint64_t end_ns;
  uint64_t bytes;
  uint32_t device;
  uint32_t stream_id;
  uint32_t correlation_id;
  uint32_t copy_kind;         /* CUPTI_ACTIVITY_MEMCPY_KIND_* (1 HtoD, 2 DtoH, 8 DtoD, ...); 0 for memset */
} CwSpoolCopy;

/* NVTX push/pop ranges, start/end ranges and markers, as CUPTI's MARKER
 * activity reports them: a start record and an end record share `id`. */
#define CW_SPOOL_MARKER_INSTANT 1u
#define CW_SPOOL_MARKER_START   2u
#define CW_SPOOL_MARKER_END     4u

typedef struct {
  CwSpoolRecordHeader hdr;
  uint64_t timestamp_ns;
  uint64_t id;
  uint32_t flags;             /* CW_SPOOL_MARKER_* */
  uint32_t thread_id;         /* objectId's thread id (push/pop nest per thread) */
  uint32_t push_pop;          /* 1: push/pop range (nested per thread); 0: start/end range or mark.
                               * A range is start/end when its START or its END record says 0. */
  uint32_t name_len;
} CwSpoolMarker;

typedef struct {
  CwSpoolRecordHeader hdr;
  uint64_t timestamp_ns;      /* host time at the launch API's entry */
  uint32_t correlation_id;    /* the kernel record with this correlation id is this launch */
  uint32_t thread_id;
} CwSpoolLaunch;

typedef struct {
  CwSpoolRecordHeader hdr;
  uint64_t timestamp_ns;
  uint64_t bytes;             /* the request that failed */
  uint32_t device;            /* -1 as uint32 when the current device was unknown */
  uint32_t api;               /* 1 runtime, 2 driver */
  uint32_t cbid;              /* CUPTI callback id of the allocation call */
  uint32_t result;            /* cudaError_t / CUresult it returned */
} CwSpoolOom;

typedef struct {
  CwSpoolRecordHeader hdr;
  uint64_t total_bytes;       /* cuDeviceTotalMem */
  uint32_t device;
  uint32_t cc_major;
  uint32_t cc_minor;
  uint32_t name_len;          /* device name follows */
  char     uuid[48];          /* "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (40 chars), NUL-terminated, zero-padded */
} CwSpoolDevice;

typedef struct {
  CwSpoolRecordHeader hdr;
  uint64_t dropped;           /* cuptiActivityGetNumDroppedRecords, summed */
} CwSpoolDropped;

typedef struct {
  CwSpoolRecordHeader hdr;
  uint32_t code;              /* 1 another CUPTI subscriber is attached, 2 CUPTI call failed, 3 spool write failed */
  uint32_t text_len;          /* one line follows */
} CwSpoolMessage;

#define CW_SPOOL_END_EXIT   1u   /* atexit */
#define CW_SPOOL_END_SIGNAL 2u   /* fatal-signal handler */

typedef struct {
  CwSpoolRecordHeader hdr;
  uint64_t timestamp_ns;
  uint32_t how;               /* CW_SPOOL_END_* */
  int32_t  signal;            /* the signal number for CW_SPOOL_END_SIGNAL, else 0 */
} CwSpoolEnd;
