/* cw-receipt.h: one measured run of one lane, as a plain C value.
 *
 * A receipt is what the profiler writes and what the workbench and the CLI
 * read back: the configuration the planner was given, the lane that ran,
 * how it ended (ok / oom / capture-failed / error), where it ran
 * (provenance), what the planner predicted (peak + per-buffer and per-phase
 * breakdown, stored at run time so a later planner change cannot rewrite
 * history), what was measured, and the trace the measurement came from.
 *
 * The struct is public on purpose: it is a record, not an object with
 * invariants. Fixed-size strings keep copies trivial; the three arrays
 * (buffers, phases, trace events) are owned by the receipt and only grow
 * through the cw_receipt_add_* functions. No CUDA, no GLib. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-plan.h"
#include "cw-profile.h"
#include "cw-error.h"
#include "cw-live-bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CW_RECEIPT_STATUS_OK = 0,
  CW_RECEIPT_STATUS_OOM,            /* the device ran out of memory: a result */
  CW_RECEIPT_STATUS_CAPTURE_FAILED, /* the lane cannot be captured into a CUDA graph */
  CW_RECEIPT_STATUS_ERROR,          /* anything else; error_message says what */
} CwReceiptStatus;

#define CW_RECEIPT_N_STATUS 4

/* "ok", "oom", "capture-failed", "error" */
const char *cw_receipt_status_get_name (CwReceiptStatus status);
bool        cw_receipt_status_from_name (const char *name, CwReceiptStatus *out);

/* What kind of thing a trace event is. Names as stored in the database:
 * "kernel", "memcpy", "memset", "alloc", "free", "range". */
typedef enum {
  CW_TRACE_KERNEL = 0,
  CW_TRACE_MEMCPY,
  CW_TRACE_MEMSET,
  CW_TRACE_ALLOC,   /* MEMORY2 allocation: start_ns == end_ns, bytes, address */
  CW_TRACE_FREE,    /* MEMORY2 release:    start_ns == end_ns, bytes, address */
  CW_TRACE_RANGE,   /* NVTX push/pop range (host time): lane, alloc, compute, ..., and the kernels'
                     * own phases score, reduce, topk, mask, check; or a GPU projection of a
                     * phase, named "gpu:score"... (cw-trace-projection.h) */
} CwTraceKind;

#define CW_TRACE_N_KINDS 6

const char *cw_trace_kind_get_name (CwTraceKind kind);
bool        cw_trace_kind_from_name (const char *name, CwTraceKind *out);

/* NVTX nesting deeper than this is not a trace anyone recorded: the store
 * refuses it on insert and on load (a depth drives indentation in readers). */
#define CW_TRACE_MAX_DEPTH 256

/* One trace record. Times are CUPTI timestamps in ns (one clock for all
 * records of a receipt); charts subtract the lane range's start. */
typedef struct {
  CwTraceKind kind;
  char       *name;           /* kernel name, memcpy kind ("HtoD"...), range text; owned, never NULL */
  uint64_t    start_ns;
  uint64_t    end_ns;
  uint64_t    bytes;          /* memcpy/memset/alloc/free size; 0 otherwise */
  uint64_t    address;        /* alloc/free device address; 0 otherwise */
  uint32_t    stream_id;      /* 0 when not applicable */
  uint32_t    correlation_id; /* CUPTI correlation id; 0 when not applicable */
  int32_t     depth;          /* NVTX nesting depth for ranges (lane = 0; a "gpu:" projection is
                               * one deeper than the range it projects); 0 otherwise */
} CwTraceEvent;

/* One buffer of the planner's prediction for this lane. */
typedef struct {
  char     name[64];
  uint64_t bytes;
  bool     is_input;
} CwReceiptBuffer;

/* Live bytes per phase of the planner's prediction. */
typedef struct {
  char     name[64];
  uint64_t live_bytes;
} CwReceiptPhase;

/* Where and with what the receipt was taken. */
typedef struct {
  char     gpu_name[128];
  char     gpu_uuid[64];          /* "GPU-xxxxxxxx-..." */
  uint64_t hbm_total_bytes;       /* cudaMemGetInfo total */
  char     driver_version[32];    /* e.g. "580.95.05" (NVML) or the CUDA driver API version */
  int32_t  cuda_driver_version;   /* cudaDriverGetVersion, e.g. 13000 */
  int32_t  cuda_runtime_version;  /* cudaRuntimeGetVersion */
  uint32_t cupti_version;         /* cuptiGetVersion; 0 when not profiled */
  char     host[128];
  char     cliffwatch_version[32];
  char     git_revision[48];
  int64_t  time_unix_ns;          /* wall clock when the lane started */
} CwProvenance;

/* Graph-capture legality of the lane: capture, instantiate, replay, compare
 * the replay's output with the eager run's. */
typedef struct {
  bool attempted;
  bool captured;
  bool instantiated;
  bool replayed;
  bool matched;              /* replay output == eager output (bitwise) */
  char cuda_error_name[64];  /* e.g. "cudaErrorStreamCaptureUnsupported"; "" when none */
} CwCaptureResult;

/* What an external program's receipt adds (`profile --exec`): which
 * process, which part of it, and under which allocator level it was measured.
 * Lanes leave it at its defaults (program "", pid 0, rank and device -1). */
typedef struct {
  char     program[256];      /* the command line that ran; "" for a lane */
  int32_t  pid;               /* process the spool came from; 0 for a lane */
  int32_t  rank;              /* launcher rank (RANK, OMPI_COMM_WORLD_RANK...); -1 unknown */
  int32_t  device;            /* CUDA device ordinal the bytes were on; -1 unknown or a lane */
  char     allocator[16];     /* "tensor" (PyTorch caching off), "reserved" (caching on); "" for a lane */
  char     range_name[128];   /* NVTX range this receipt covers; "" = the whole program */
  uint32_t range_occurrence;  /* 1-based occurrence of range_name in the process; 0 for the whole program */
  uint64_t range_open_bytes;  /* live device bytes when the range opened (0 for the whole program) */
  int32_t  exit_code;         /* program's exit status; -1 when a signal ended it */
  int32_t  exit_signal;       /* the signal that ended it; 0 when it exited */
  uint64_t n_kernels;         /* kernels launched inside the range (the program) */
} CwReceiptExec;

/* The gradient check of a training lane (issue 18): dq, dw, dk from the GPU
 * against the float64 CPU reference (cw_reference_backward_sparse / _dense)
 * under the kernels' stated rule |gpu - ref| <= 3e-5 * sum|terms| + kink
 * allowance (band 1e-5 of sum_i |q_i k_i|; cw-kernels.h). Names as stored:
 * "" (no check ran), "ok", "failed". */
typedef enum {
  CW_GRADCHECK_NONE = 0,
  CW_GRADCHECK_OK,
  CW_GRADCHECK_FAILED,
} CwGradcheckStatus;

#define CW_GRADCHECK_N_STATUS 3

const char *cw_gradcheck_status_get_name (CwGradcheckStatus status);
bool        cw_gradcheck_status_from_name (const char *name, CwGradcheckStatus *out);

typedef struct {
  CwGradcheckStatus status;
  double            worst;        /* largest |gpu - ref| / allowed over dq, dw, dk (ok <=> <= 1);
                                   * INFINITY when a GPU value was not finite */
  char              worst_at[64]; /* the element it was, e.g. "dk[517]"; "" when none */
} CwGradcheckResult;

typedef struct {
  /* identity */
  int64_t         id;             /* row id in a store; 0 until inserted */
  char            uuid[37];       /* random v4 UUID: the merge key across nodes */
  char            sweep_id[37];   /* receipts of one sweep share it; "" for a single lane */

  /* what ran */
  char            lane[32];       /* "materialize", "fused", "streaming", "mask-host-checked", ... */
  char            profile[64];    /* planner profile the prediction came from ("" if none) */
  CwConfig        config;

  /* how it ended */
  CwReceiptStatus status;
  char            error_message[512];   /* "" when ok */
  uint64_t        oom_request_bytes;    /* status oom: the request that failed */
  uint64_t        oom_live_bytes;       /* status oom: bytes the lane held when it failed */

  CwProvenance    provenance;

  /* predicted (planner, at run time) */
  uint64_t        predicted_peak_bytes;
  uint64_t        predicted_input_bytes;
  /* Not stored: true when the prediction above was planned when the receipt
   * was read (CW_RECEIPT_STORE_PLAN_MISSING), from its stored configuration
   * and its lane's profile, because the run stored none. */
  bool            prediction_on_read;

  /* measured */
  uint64_t        measured_peak_bytes;      /* high-water mark of live bytes from CUPTI MEMORY2 alloc/free in the lane */
  int64_t         memgetinfo_delta_bytes;   /* cudaMemGetInfo used bytes at the lane's peak minus before it */
  uint64_t        lane_ns;                  /* lane wall time on the device (NVTX lane range, or events) */
  uint64_t        kernel_ns;                /* sum of kernel durations in the lane */
  uint64_t        unprofiled_lane_ns;       /* same lane without CUPTI, same process; 0 if not measured */
  double          flops;                    /* useful FLOPs of the score (2*b*sq*sk*h*d, causal-aware); 0 if n/a */
  double          tflops;                   /* flops / lane time / 1e12; 0 if n/a */
  bool            has_recall;
  double          recall;                   /* against the reference, when run */
  uint64_t        dropped_records;          /* cuptiActivityGetNumDroppedRecords; > 0 marks the trace incomplete */

  CwCaptureResult capture;

  char            note[256];                /* free text, e.g. the command line */

  CwReceiptExec   exec;                     /* external programs only (lane "exec") */

  CwGradcheckResult gradcheck;              /* training lanes: the gradient check, when it ran */

  /* arrays, owned by the receipt */
  size_t          n_buffers;
  CwReceiptBuffer *buffers;
  size_t          n_phases;
  CwReceiptPhase  *phases;
  size_t          n_events;
  CwTraceEvent    *events;
  bool            trace_loaded;             /* false in list results: arrays left empty */
  /* Read from a store without its trace (cw_receipt_store_load_without_trace):
   * buffers and phases are loaded, events are not; n_stored_events is how
   * many the store holds. */
  bool            children_loaded;
  size_t          n_stored_events;
} CwReceipt;

/* A zeroed receipt with a fresh UUID, status ok, provenance.cliffwatch_version
 * and git_revision filled from the build, time_unix_ns = now. */
CwReceipt  *cw_receipt_new (void);
void        cw_receipt_free (CwReceipt *receipt);
/* Deep copy. */
CwReceipt  *cw_receipt_dup (const CwReceipt *receipt);

/* Appends copy the argument (the event's name is duplicated). false + CW_ERROR_OOM
 * when memory runs out, CW_ERROR_INVALID on a NULL name or end < start. */
bool        cw_receipt_add_buffer (CwReceipt *receipt, const char *name, uint64_t bytes,
                                   bool is_input, CwError *error);
bool        cw_receipt_add_phase  (CwReceipt *receipt, const char *name, uint64_t live_bytes,
                                   CwError *error);
bool        cw_receipt_add_event  (CwReceipt *receipt, const CwTraceEvent *event, CwError *error);
void        cw_receipt_clear_trace (CwReceipt *receipt);

/* Stores a plan as the receipt's prediction: profile name, peak, input bytes,
 * and the per-buffer and per-phase breakdown (replacing any earlier one). */
bool        cw_receipt_set_prediction (CwReceipt *receipt, const CwPlan *plan, CwError *error);

/* The profile that predicts a lane of this repository's profiler ("streaming",
 * "index-mask", "index-transfer-send", ...), or NULL for a lane no profile
 * models (exec receipts name their own with --profile). */
const char *cw_receipt_lane_get_profile (const char *lane);
/* Sets the profile params a lane's prediction takes (streaming-train-dense and
 * gradcheck-dense: dense = 1 of streaming-train) on a profile loaded from
 * cw_receipt_lane_get_profile (lane); nothing for other lanes. */
bool        cw_receipt_lane_set_profile_params (const char *lane, CwProfile *profile, CwError *error);
/* Whether the lane sets any (its prediction then needs a profile of its own). */
bool        cw_receipt_lane_has_profile_params (const char *lane);

/* Plans the lane's profile at the receipt's configuration and stores it as
 * the prediction (what a lane does when it runs). false + error when the
 * lane has no profile, or it does not load or plan. */
bool        cw_receipt_predict_from_lane (CwReceipt *receipt, CwError *error);
/* Plans `profile` at `config` and stores it as the receipt's prediction. */
bool        cw_receipt_predict_with      (CwReceipt *receipt, const CwProfile *profile, const CwConfig *config,
                                          CwError *error);

/* How measured_peak_bytes was measured, in words: "CUPTI alloc/free" for
 * the profiler's lanes and external programs, "cudaMalloc requests" for the
 * index-transfer driver, which tallies its own requests (NCCL's buffers are
 * outside it). */
const char *cw_receipt_get_peak_source (const CwReceipt *receipt);

/* When the receipt has no prediction: plans `profile` (its lane's,
 * cw_receipt_lane_get_profile, loaded by the caller, which may keep it for
 * many receipts) at the receipt's stored configuration, stores the plan as
 * its prediction and sets prediction_on_read. true when it did; false (error
 * set) when it does not plan; false with no error when there was nothing to
 * do (a prediction stored, or profile NULL). */
bool        cw_receipt_plan_missing_prediction (CwReceipt *receipt, const CwProfile *profile, CwError *error);

/* "SIGSEGV", "SIGKILL", ... or "signal N", written into buf; returns buf. */
const char *cw_receipt_signal_name (int signal, char *buf, size_t size);

/* Writes a fresh random v4 UUID into out[37]. */
void        cw_receipt_uuid_generate (char out[37]);

/* Bounded copy into a fixed-size field, always NUL-terminated. */
void        cw_receipt_set_string (char *field, size_t field_size, const char *value);
#define CW_RECEIPT_SET(field, value) cw_receipt_set_string ((field), sizeof (field), (value))

/* High-water mark of live device bytes over the alloc and free events of a
 * trace under cw-live-bytes.h's rule (time order, ties in array order; frees
 * matched by address; a free of an address the trace never allocated is
 * ignored: it was live before the lane began). */
uint64_t    cw_trace_live_peak (const CwTraceEvent *events, size_t n_events);

/* The receipt's trace as live-bytes changes (cw-live-bytes.h's rule, the
 * one the measured peak follows), for the memory timeline; *changes is
 * freed with free(). A receipt without a loaded trace gives none. */
bool        cw_receipt_get_live_changes (const CwReceipt *receipt, CwLiveChange **changes, size_t *n_changes,
                                         CwError *error);

/* The lane name of every external program's receipt. */
#define CW_RECEIPT_EXEC_LANE "exec"
bool        cw_receipt_is_exec (const CwReceipt *receipt);

/* The two numbers a receipt's agreement is judged on. For a lane and for an
 * external program's whole-program receipt: the predicted and measured peaks.
 * For an external program's range receipt the range opens with the program's
 * own state already live (weights, inputs, the cuBLAS workspace), so both
 * sides are taken above it: the prediction less its input buffers, and the
 * measured peak less what was live when the range opened. */
void        cw_receipt_get_compared_peaks (const CwReceipt *receipt, uint64_t *predicted, uint64_t *measured);

/* The measured peak on the scale of the receipt's predicted peak, for charts
 * that draw both against sq: an external program's range receipt is its
 * bytes above the range's opening plus the prediction's input buffers (the
 * inputs the range found live); any other receipt, its measured peak. */
uint64_t    cw_receipt_get_charted_peak (const CwReceipt *receipt);

/* Measured-vs-predicted agreement: |predicted - measured| within
 * cw_receipt_get_tolerance_bytes of the compared peaks. Lanes: max(1 % of
 * predicted, 8 MiB) (issue 4); external programs: max(0.5 %, 8 MiB) (issue 14). */
bool        cw_receipt_peak_agrees (const CwReceipt *receipt);
uint64_t    cw_receipt_get_tolerance_bytes (const CwReceipt *receipt);
/* The lanes' rule: max(1 % of predicted_bytes, 8 MiB). */
uint64_t    cw_receipt_peak_tolerance_bytes (uint64_t predicted_bytes);
/* External programs' rule: max(0.5 % of predicted_bytes, 8 MiB). */
uint64_t    cw_receipt_exec_tolerance_bytes (uint64_t predicted_bytes);

#ifdef __cplusplus
}
#endif
