/* cw-profiler.h: runs one lane on the GPU under NVTX ranges and CUPTI, and
 * returns its receipt.
 *
 * A lane is one code path at one configuration, end to end: allocate exactly
 * the buffers the path needs (one cudaMalloc each), fill the inputs, run,
 * check graph-capture legality, free. The receipt carries the planner's
 * prediction for the same configuration, the measured peak (high-water mark
 * of live bytes rebuilt from CUPTI's MEMORY2 alloc/free records inside the
 * lane), the cudaMemGetInfo cross-check, times, and the trace.
 *
 * Running out of device memory is a result (status oom, with the failing
 * request and the live bytes), as is a lane that cannot be captured (status
 * capture-failed, with the CUDA error name). NULL is returned only for a
 * request that cannot run at all (bad configuration, unsupported shape). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-error.h"
#include "cw-receipt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CW_LANE_MATERIALIZE = 0,            /* slab [sq, b, h, sk] + reduce + top-k */
  CW_LANE_FUSED,                      /* [b, sq, sk] scores + top-k */
  CW_LANE_STREAMING,                  /* budgeted tiles + per-chunk top-k */
  CW_LANE_INDEX_MASK,                 /* branchless, device-validated mask update: graph-safe */
  CW_LANE_INDEX_MASK_HOST_CHECKED,    /* the seed's counter-example: host sync + host branch */
  /* Training steps (issue 18), each the phases of its profile in order:
   * forward (its workspace), loss (the workspace freed, g [b,sq,k] fp32 filled,
   * the scores freed), backward (dq, dw, dk, the backward's workspace, run). */
  CW_LANE_STREAMING_TRAIN,            /* streaming forward + sparse backward under the budget */
  CW_LANE_STREAMING_TRAIN_DENSE,      /* streaming forward + dense backward (warm-up): G chunks from
                                       * cw_backward_dense_fill_gradient; streaming-train, dense = 1 */
  CW_LANE_FUSED_TRAIN,                /* fused forward + sparse backward with every row in one chunk */
  CW_LANE_GRADCHECK,                  /* streaming-train at a small shape, dq, dw, dk always checked
                                       * against the float64 reference (refused when not small) */
  CW_LANE_GRADCHECK_DENSE,            /* the same through the dense backward */
  CW_LANE_N_KINDS,
} CwLaneKind;

/* "materialize", "fused", "streaming", "index-mask", "index-mask-host-checked",
 * "streaming-train", "streaming-train-dense", "fused-train", "gradcheck", "gradcheck-dense" */
const char *cw_lane_kind_get_name (CwLaneKind lane);
bool        cw_lane_kind_from_name (const char *name, CwLaneKind *out);
/* Planner profile the lane is predicted by; NULL for the mask lanes (no profile).
 * The dense lanes plan it with param dense = 1 (cw_receipt_lane_set_profile_params). */
const char *cw_lane_kind_get_profile (CwLaneKind lane);
/* A training step (forward, loss, backward): the last five kinds. */
bool        cw_lane_kind_is_training (CwLaneKind lane);
/* The gradient check's float64 reference runs only for b*sq*sk*h*d at most this
 * (the recall check's limit); the gradcheck lanes refuse larger shapes. */
#define CW_LANE_REFERENCE_MAX_MACS (1ull << 31)

typedef struct {
  CwLaneKind lane;
  CwConfig   config;
  bool       check_capture;     /* capture, instantiate, replay, compare with eager */
  bool       check_recall;      /* float64 CPU reference, only when the problem is small: top-k
                                 * recall, and for training lanes dq, dw, dk (receipt's gradcheck) */
  unsigned   overhead_repeats;  /* > 0: time the lane this many times with and without CUPTI */
  uint64_t   seed;              /* input values */
  char       sweep_id[37];
  char       note[256];
} CwLaneRequest;

void cw_lane_request_init (CwLaneRequest *request);

/* Whether the lane can run at this configuration, without a GPU: a shape
 * the kernels take, and for the gradcheck lanes one small enough for the
 * float64 reference (CW_ERROR_INVALID, naming a shape that is). */
bool cw_lane_kind_check_config (CwLaneKind lane, const CwConfig *config, CwError *error);

typedef struct _CwProfiler CwProfiler;

/* Number of CUDA devices; 0 when there is none or no driver (tests then skip). */
int          cw_profiler_device_count (void);

/* Starts CUPTI (before the CUDA context), selects `device`, reads provenance. */
CwProfiler  *cw_profiler_new (int device, CwError *error);
void         cw_profiler_free (CwProfiler *profiler);

const CwProvenance *cw_profiler_get_provenance (const CwProfiler *profiler);

CwReceipt   *cw_profiler_run_lane (CwProfiler *profiler, const CwLaneRequest *request, CwError *error);

#ifdef __cplusplus
}
#endif
