/* cw-cupti-private.h: CUPTI Activity capture for one process: kernels, memcpy,
 * memset, MEMORY2 (alloc/free), NVTX markers and runtime API calls (for
 * their correlation ids only), turned into CwTraceEvents.
 *
 * CUPTI's activity buffers are process-wide, so this is a process-wide
 * singleton behind a small API. NVTX ranges reach CUPTI through NVTX
 * injection: cw_cupti_start() points NVTX_INJECTION64_PATH at the libcupti
 * that is loaded, before the process's first NVTX call. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"
#include "cw-receipt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Registers the buffer callbacks and enables the activity kinds. Call once
 * per process, before the first CUDA or NVTX call you want to see. */
bool     cw_cupti_start (CwError *error);
/* Disables every kind and flushes; idempotent. */
void     cw_cupti_stop (void);

/* Turns record collection on or off without tearing CUPTI down (used to time
 * the same lane with and without the profiler in one process). */
bool     cw_cupti_set_enabled (bool enabled, CwError *error);

/* cuptiGetTimestamp: the clock every record is on. */
uint64_t cw_cupti_timestamp (void);
uint32_t cw_cupti_version (void);
/* Path of the libcupti in use ("" if unknown). */
const char *cw_cupti_library_path (void);

/* Forces CUPTI to hand over every completed record (call after the device
 * work is synchronized). */
bool     cw_cupti_flush (CwError *error);

/* Moves the records with any part inside [from_ns, to_ns] into `receipt`
 * (sorted by start time, NVTX ranges as start/end pairs with their nesting
 * depth), then appends the GPU projection ("gpu:NAME", depth + 1) of each
 * leaf NVTX range, found through the runtime API records' correlation ids
 * (cw-trace-projection.h), and forgets every record collected so far. Adds
 * the dropped-record count CUPTI reported since the last call to *dropped. */
bool     cw_cupti_take (uint64_t from_ns, uint64_t to_ns, CwReceipt *receipt, uint64_t *dropped,
                        CwError *error);

/* Forgets every record collected so far. */
void     cw_cupti_discard (void);

#ifdef __cplusplus
}
#endif
