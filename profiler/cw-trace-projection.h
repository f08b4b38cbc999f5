/* cw-trace-projection.h: projects NVTX ranges onto the GPU.
 *
 * An NVTX range is host time: it says when the host enqueued a phase's work,
 * not when the GPU ran it (a "score" range around an asynchronous launch lasts
 * microseconds; its kernel may run for seconds). CUPTI ties each kernel,
 * memcpy and memset to the host API call that launched it by a correlation
 * id, and that call has a host timestamp. So the GPU span of a range is known
 * exactly: from the first start to the last end of the GPU work launched
 * while the range was open. The projection is added to the trace as a range
 * of its own, named "gpu:" + the range's name, one row deeper than the range
 * (depth + 1), so a receipt keeps both: the real NVTX range (host) and its
 * GPU projection, and the "gpu:" prefix says which is which.
 *
 * Only leaf ranges (ranges enclosing no other range) are projected: they are
 * the phases (score, reduce, topk, mask, check; alloc for the input fill);
 * an outer range such as "compute" is the union of its phases. Work launched
 * while no leaf range was open (a graph replay, the capture check's copies)
 * is attributed to no projection. Plain C, no CUDA: the profiler feeds it
 * CUPTI's records, the tests feed it synthetic ones. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "cw-error.h"
#include "cw-receipt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CW_TRACE_GPU_PREFIX "gpu:"

/* One host API call that can launch GPU work (CUPTI RUNTIME record). */
typedef struct {
  uint32_t correlation_id;
  uint64_t host_ns;          /* when the call started, on the trace's clock */
} CwTraceLaunch;

/* Adds the GPU projection of every leaf range among receipt->events[first ..
 * n_events), which must be sorted by start time (enclosing range first on
 * equal starts) with their depths set. `launches` (any order, may be NULL
 * when n_launches is 0) maps correlation ids to host times; GPU events whose
 * id is 0 or not in it are attributed to nothing. A leaf range none of whose
 * work reached the GPU (a phase recorded during stream capture) gets no
 * projection. The projections are appended (the caller sorts again if it
 * needs time order). *n_added (may be NULL) receives how many. false only
 * when memory runs out. */
bool cw_trace_add_gpu_projections (CwReceipt *receipt, size_t first, const CwTraceLaunch *launches,
                                   size_t n_launches, size_t *n_added, CwError *error);

/* True for a range that is a GPU projection (its name starts with "gpu:"). */
bool cw_trace_event_is_gpu_projection (const CwTraceEvent *event);

#ifdef __cplusplus
}
#endif
