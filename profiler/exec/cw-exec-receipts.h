/* cw-exec-receipts.h: one process's spool -> receipts.
 *
 * Owns the rules that turn what an external program did into receipts:
 *  - live device memory (CUPTI memory kinds device and array) is replayed per device from the MEMORY2 records in
 *    time order (ties in file order); a free releases what its address was
 *    allocated with (a free of an address never allocated is ignored: it was
 *    live before the injection loaded, which cannot happen for device memory
 *    but is harmless);
 *  - one receipt for the whole process (per device when it used several);
 *  - with range patterns, one receipt per occurrence of every NVTX range
 *    whose text matches a pattern (fnmatch glob), per device: the peak of
 *    live bytes inside the range (host time, when the allocations were made),
 *    the live bytes when it opened, its host duration, and the kernels
 *    launched inside it (matched through CUPTI correlation ids);
 *  - status: a range (or process) in which a CUDA allocation failed with
 *    out-of-memory is `oom` with the failing request; a process that exited
 *    non-zero, died of a signal or timed out is `error` unless an allocation
 *    failed (`oom`); a range the process never closed is `error`.
 * The caller supplies a template receipt carrying the configuration, the
 * prediction, the note and the host; each receipt is a copy with its own
 * UUID. With range patterns the prediction goes on the range receipts and
 * the whole-process receipt carries none. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cw-error.h"
#include "cw-receipt.h"
#include "cw-spool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receipts keep their trace only up to this many events (a long program's
 * trace belongs in Nsight, not in every receipt); the rest is summarised. */
#define CW_EXEC_MAX_TRACE_EVENTS 200000u

typedef struct {
  const char *const *range_patterns;  /* NVTX range globs; none: whole process only */
  size_t             n_range_patterns;
  const char        *allocator;       /* "tensor" or "reserved" */
  const char        *program;         /* command line, for the receipt */
  int                exit_code;       /* -1 when a signal ended it */
  int                exit_signal;     /* 0 when it exited */
  bool               timed_out;
  unsigned           timeout_s;
  const CwReceipt   *template_receipt;
} CwExecReceiptOptions;

/* Builds the receipts of one spool. On success *out is a malloc'd array of
 * *n_out receipts (free each with cw_receipt_free, then the array). */
bool cw_exec_receipts_build (const CwSpool *spool, const CwExecReceiptOptions *options,
                             CwReceipt ***out, size_t *n_out, CwError *error);

#ifdef __cplusplus
}
#endif
