/* cw-profiler.c: the lane driver: allocate, fill, run, capture-check, free,
 * all under NVTX ranges while CUPTI records; then build the receipt.
 *
 * Ranges of a receipt: "lane" (depth 0); "alloc", "warmup", "compute",
 * "capture", "overhead", "free" (depth 1, pushed here); inside each lane
 * step the kernel library's own phase ranges (depth 2: score, reduce, topk,
 * mask, check); and the GPU projection of each leaf range (depth + 1,
 * "gpu:score"...), added by cw_cupti_take. */
#include "cw-profiler.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cuda_runtime_api.h>
#include <nvtx3/nvToolsExt.h>

#include "cw-cupti-private.h"
#include "cw-kernels.h"
#include "cw-lane-fill-private.h"
#include "cw-plan.h"
#include "cw-profile.h"
#include "cw-reference.h"

#define MAX_LANE_BUFFERS 16
/* The CPU float64 reference runs only below this many multiply-adds (b*sq*sk*h*d). */
#define RECALL_MAX_MACS (1ull << 31)

struct _CwProfiler {
  int           device;
  cudaStream_t  stream;
  CwProvenance  provenance;
  bool          warmed[CW_LANE_N_KINDS];   /* first step of a lane kind loads its kernels: not timed */
};

static const char *const lane_names[CW_LANE_N_KINDS] = {
  [CW_LANE_MATERIALIZE] = "materialize",
  [CW_LANE_FUSED] = "fused",
  [CW_LANE_STREAMING] = "streaming",
  [CW_LANE_INDEX_MASK] = "index-mask",
  [CW_LANE_INDEX_MASK_HOST_CHECKED] = "index-mask-host-checked",
};

const char *
cw_lane_kind_get_name (CwLaneKind lane)
{
  return (unsigned) lane < CW_LANE_N_KINDS ? lane_names[lane] : "unknown";
}

bool
cw_lane_kind_from_name (const char *name, CwLaneKind *out)
{
  if (name == NULL)
    return false;
  for (unsigned i = 0; i < CW_LANE_N_KINDS; i++)
    if (strcasecmp (name, lane_names[i]) == 0)
      {
        *out = (CwLaneKind) i;
        return true;
      }
  return false;
}

const char *
cw_lane_kind_get_profile (CwLaneKind lane)
{
  return cw_receipt_lane_get_profile (cw_lane_kind_get_name (lane));
}

void
cw_lane_request_init (CwLaneRequest *request)
{
  memset (request, 0, sizeof *request);
  cw_config_init_default (&request->config);
  request->lane = CW_LANE_STREAMING;
  request->check_capture = true;
  request->seed = 20261123;
}

int
cw_profiler_device_count (void)
{
  int n = 0;

  if (cudaGetDeviceCount (&n) != cudaSuccess)
    {
      cudaGetLastError ();
      return 0;
    }
  return n;
}

static void
set_cuda_error (CwError *error, cudaError_t err, const char *what)
{
  cw_error_set (error, CW_ERROR_CUDA, "%s: %s: %s", what, cudaGetErrorName (err), cudaGetErrorString (err));
}

/* "580.95.05" from the kernel module, where the machine exposes it. */
static void
read_driver_version (char *out, size_t size, int cuda_driver_version)
{
  FILE *f = fopen ("/proc/driver/nvidia/version", "r");
  char line[512];

  snprintf (out, size, "CUDA driver API %d.%d", cuda_driver_version / 1000, (cuda_driver_version % 1000) / 10);
  if (f == NULL)
    return;
  while (fgets (line, sizeof line, f))
    {
      /* "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build ..."
       * (wording varies): take the first token shaped like N.N or N.N.N. */
      char *save = NULL;

      if (strncmp (line, "NVRM version:", 13) != 0)
        continue;
      for (char *tok = strtok_r (line + 13, " \t\n", &save); tok; tok = strtok_r (NULL, " \t\n", &save))
        {
          unsigned a, b;
          char tail;
          if (sscanf (tok, "%u.%u%c", &a, &b, &tail) >= 2 && strspn (tok, "0123456789.") == strlen (tok))
            {
              snprintf (out, size, "%.31s", tok);
              break;
            }
        }
      break;
    }
  fclose (f);
}

CwProfiler *
cw_profiler_new (int device, CwError *error)
{
  CwProfiler *self;
  struct cudaDeviceProp prop;
  cudaError_t err;
  size_t free_b = 0, total_b = 0;
  int n = cw_profiler_device_count ();
  const unsigned char *u;

  if (n <= 0)
    {
      cw_error_set (error, CW_ERROR_CUDA, "no CUDA device found");
      return NULL;
    }
  if (device < 0 || device >= n)
    {
      cw_error_set (error, CW_ERROR_INVALID, "CUDA device %d does not exist (%d found)", device, n);
      return NULL;
    }
  /* CUPTI first: records of the context's creation and of the first NVTX
   * call (which loads the injection) must not be missed. */
  if (!cw_cupti_start (error))
    return NULL;
  self = calloc (1, sizeof *self);
  if (self == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return NULL;
    }
  self->device = device;
  if ((err = cudaSetDevice (device)) != cudaSuccess
      || (err = cudaFree (NULL)) != cudaSuccess
      || (err = cudaStreamCreateWithFlags (&self->stream, cudaStreamNonBlocking)) != cudaSuccess
      || (err = cudaGetDeviceProperties (&prop, device)) != cudaSuccess
      || (err = cudaMemGetInfo (&free_b, &total_b)) != cudaSuccess)
    {
      set_cuda_error (error, err, "CUDA initialisation");
      free (self);
      return NULL;
    }
  CW_RECEIPT_SET (self->provenance.gpu_name, prop.name);
  u = (const unsigned char *) prop.uuid.bytes;
  snprintf (self->provenance.gpu_uuid, sizeof self->provenance.gpu_uuid,
            "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
            u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  self->provenance.hbm_total_bytes = total_b;
  cudaDriverGetVersion (&self->provenance.cuda_driver_version);
  cudaRuntimeGetVersion (&self->provenance.cuda_runtime_version);
  read_driver_version (self->provenance.driver_version, sizeof self->provenance.driver_version,
                       self->provenance.cuda_driver_version);
  self->provenance.cupti_version = cw_cupti_version ();
  if (gethostname (self->provenance.host, sizeof self->provenance.host) != 0)
    CW_RECEIPT_SET (self->provenance.host, "unknown");
  self->provenance.host[sizeof self->provenance.host - 1] = '\0';
  return self;
}

void
cw_profiler_free (CwProfiler *self)
{
  if (self == NULL)
    return;
  cudaStreamDestroy (self->stream);
  cw_cupti_stop ();
  free (self);
}

const CwProvenance *
cw_profiler_get_provenance (const CwProfiler *self)
{
  return &self->provenance;
}

/* ---- one lane --------------------------------------------------------------- */

typedef struct {
  const char *name;
  uint64_t    bytes;
  void       *ptr;
} LaneBuffer;

typedef struct {
  CwProfiler     *profiler;
  CwReceipt      *receipt;
  CwKernelShape   shape;
  uint64_t        budget;
  LaneBuffer      buffers[MAX_LANE_BUFFERS];
  unsigned        n_buffers;
  uint64_t        live_bytes;
  /* named views into buffers[] */
  void           *q, *k, *workspace, *mask;
  float          *w, *scores;
  int32_t        *idx;
  unsigned long long *n_invalid;
  uint64_t        out_bytes;   /* bytes compared eager vs replay: idx + scores, or the mask */
} Lane;

static uint64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* Records the lane's failure in its receipt (status error unless set). */
static void
lane_fail (Lane *lane, cudaError_t err, const char *what)
{
  CwReceipt *r = lane->receipt;

  if (r->status == CW_RECEIPT_STATUS_OK)
    r->status = CW_RECEIPT_STATUS_ERROR;
  if (r->error_message[0] == '\0')
    snprintf (r->error_message, sizeof r->error_message, "%s: %s: %s", what, cudaGetErrorName (err),
              cudaGetErrorString (err));
}

/* One cudaMalloc per buffer, as the planner's profiles count them. An
 * out-of-memory failure is the lane's result: status oom, the request, and
 * what the lane held at that moment. */
static bool
lane_alloc (Lane *lane, const char *name, uint64_t bytes, void **out)
{
  void *p = NULL;
  cudaError_t err;

  if (lane->n_buffers == MAX_LANE_BUFFERS)
    {
      CW_RECEIPT_SET (lane->receipt->error_message, "too many lane buffers");
      lane->receipt->status = CW_RECEIPT_STATUS_ERROR;
      return false;
    }
  err = cudaMalloc (&p, bytes);
  if (err == cudaErrorMemoryAllocation)
    {
      cudaGetLastError ();  /* not sticky, but leave no trace for the next call */
      lane->receipt->status = CW_RECEIPT_STATUS_OOM;
      lane->receipt->oom_request_bytes = bytes;
      lane->receipt->oom_live_bytes = lane->live_bytes;
      snprintf (lane->receipt->error_message, sizeof lane->receipt->error_message,
                "cudaErrorMemoryAllocation: cudaMalloc of %s (%" PRIu64 " B) failed with %" PRIu64
                " B held by the lane",
                name, bytes, lane->live_bytes);
      return false;
    }
  if (err != cudaSuccess)
    {
      lane_fail (lane, err, "cudaMalloc");
      return false;
    }
  lane->buffers[lane->n_buffers].name = name;
  lane->buffers[lane->n_buffers].bytes = bytes;
  lane->buffers[lane->n_buffers].ptr = p;
  lane->n_buffers++;
  lane->live_bytes += bytes;
  *out = p;
  return true;
}

static void
lane_free_all (Lane *lane)
{
  for (unsigned i = lane->n_buffers; i-- > 0;)
    cudaFree (lane->buffers[i].ptr);
  lane->n_buffers = 0;
  lane->live_bytes = 0;
}

static bool
mul3 (uint64_t a, uint64_t b, uint64_t c, uint64_t *out)
{
  uint64_t ab;
  if (__builtin_mul_overflow (a, b, &ab) || __builtin_mul_overflow (ab, c, out))
    return false;
  return true;
}

/* Allocates what the lane needs, sizes taken from the kernels' own API (not
 * from the planner: the comparison would be circular). */
static bool
lane_allocate (Lane *lane, CwLaneKind kind)
{
  const CwKernelShape *s = &lane->shape;
  uint64_t qk_elem = s->qk_dtype == CW_DTYPE_FP8_E4M3 ? 1 : 2;
  uint64_t rows, q_bytes, k_bytes, w_bytes, out_elems, ws = 0, mask_bytes;
  CwError err = CW_ERROR_INIT;

  if (!__builtin_mul_overflow (s->b, s->sq, &rows) && mul3 (rows, s->h, s->d, &q_bytes)
      && !__builtin_mul_overflow (q_bytes, qk_elem, &q_bytes) && mul3 (s->b, s->sk, s->d, &k_bytes)
      && !__builtin_mul_overflow (k_bytes, qk_elem, &k_bytes) && mul3 (rows, s->h, 4, &w_bytes)
      && !__builtin_mul_overflow (rows, s->top_k, &out_elems) && out_elems <= UINT64_MAX / 4)
    ;
  else
    {
      lane->receipt->status = CW_RECEIPT_STATUS_ERROR;
      CW_RECEIPT_SET (lane->receipt->error_message, "buffer sizes overflow uint64");
      return false;
    }

  if (kind == CW_LANE_INDEX_MASK || kind == CW_LANE_INDEX_MASK_HOST_CHECKED)
    {
      if (!mul3 (rows, s->sk + 1, 1, &mask_bytes))
        {
          lane->receipt->status = CW_RECEIPT_STATUS_ERROR;
          CW_RECEIPT_SET (lane->receipt->error_message, "mask size overflows uint64");
          return false;
        }
      if (!lane_alloc (lane, "idx", out_elems * 4, (void **) &lane->idx)
          || !lane_alloc (lane, "mask", mask_bytes, &lane->mask)
          || !lane_alloc (lane, "n_invalid", sizeof (unsigned long long), (void **) &lane->n_invalid))
        return false;
      lane->out_bytes = mask_bytes;
      return true;
    }

  switch (kind)
    {
    case CW_LANE_MATERIALIZE:
      if (!cw_kernels_materialize_workspace_bytes (s, &ws, &err))
        goto shape_error;
      break;
    case CW_LANE_FUSED:
      if (!cw_kernels_fused_workspace_bytes (s, &ws, &err))
        goto shape_error;
      break;
    case CW_LANE_STREAMING:
      if (!cw_kernels_streaming_workspace_bytes (s, lane->budget, &ws, &err))
        goto shape_error;
      break;
    default:
      break;
    }
  /* Inputs, then outputs, then the workspace: the order the planner's
   * phases list them; every one is live through the whole compute. */
  if (!lane_alloc (lane, "q", q_bytes, &lane->q)
      || !lane_alloc (lane, "k", k_bytes, &lane->k)
      || !lane_alloc (lane, "w", w_bytes, (void **) &lane->w)
      || !lane_alloc (lane, "idx", out_elems * 4, (void **) &lane->idx)
      || !lane_alloc (lane, "scores", out_elems * 4, (void **) &lane->scores)
      || !lane_alloc (lane, "workspace", ws, &lane->workspace))
    return false;
  lane->out_bytes = out_elems * 8;
  return true;

shape_error:
  lane->receipt->status = CW_RECEIPT_STATUS_ERROR;
  CW_RECEIPT_SET (lane->receipt->error_message, err.message);
  return false;
}

static cudaError_t
lane_fill (Lane *lane, CwLaneKind kind, uint64_t seed)
{
  const CwKernelShape *s = &lane->shape;
  cudaStream_t st = lane->profiler->stream;
  uint64_t rows = s->b * s->sq;
  cudaError_t err;

  if (kind == CW_LANE_INDEX_MASK || kind == CW_LANE_INDEX_MASK_HOST_CHECKED)
    return cw_lane_fill_indices (lane->idx, rows * s->top_k, s->sk, seed, st);
  if ((err = cw_lane_fill_qk (lane->q, rows * s->h * s->d, s->qk_dtype, seed, st)) != cudaSuccess
      || (err = cw_lane_fill_qk (lane->k, s->b * s->sk * s->d, s->qk_dtype, seed + 1, st)) != cudaSuccess
      /* weights mostly positive with some negative heads, as trained indexers have */
      || (err = cw_lane_fill_f32 (lane->w, rows * s->h, seed + 2, -0.25f, 1.0f, st)) != cudaSuccess)
    return err;
  return cudaSuccess;
}

static cudaError_t
lane_step (Lane *lane, CwLaneKind kind)
{
  const CwKernelShape *s = &lane->shape;
  cudaStream_t st = lane->profiler->stream;

  switch (kind)
    {
    case CW_LANE_MATERIALIZE:
      return cw_materialize_run (s, lane->q, lane->k, lane->w, lane->workspace, lane->idx, lane->scores, st);
    case CW_LANE_FUSED:
      return cw_fused_run (s, lane->q, lane->k, lane->w, lane->workspace, lane->idx, lane->scores, st);
    case CW_LANE_STREAMING:
      return cw_streaming_run (s, lane->budget, lane->q, lane->k, lane->w, lane->workspace, lane->idx,
                               lane->scores, st);
    case CW_LANE_INDEX_MASK:
      return cw_index_mask_update (s, lane->idx, lane->mask, lane->n_invalid, st);
    case CW_LANE_INDEX_MASK_HOST_CHECKED:
      return cw_index_mask_update_host_checked (s, lane->idx, lane->mask, lane->n_invalid, st);
    default:
      return cudaErrorInvalidValue;
    }
}

/* Copies the lane's outputs to host memory (idx then scores, or the mask). */
static cudaError_t
lane_copy_outputs (Lane *lane, CwLaneKind kind, unsigned char *host)
{
  cudaStream_t st = lane->profiler->stream;
  cudaError_t err;

  if (kind == CW_LANE_INDEX_MASK || kind == CW_LANE_INDEX_MASK_HOST_CHECKED)
    err = cudaMemcpyAsync (host, lane->mask, lane->out_bytes, cudaMemcpyDeviceToHost, st);
  else
    {
      err = cudaMemcpyAsync (host, lane->idx, lane->out_bytes / 2, cudaMemcpyDeviceToHost, st);
      if (err == cudaSuccess)
        err = cudaMemcpyAsync (host + lane->out_bytes / 2, lane->scores, lane->out_bytes / 2,
                               cudaMemcpyDeviceToHost, st);
    }
  if (err == cudaSuccess)
    err = cudaStreamSynchronize (st);
  return err;
}

static cudaError_t
lane_poison_outputs (Lane *lane, CwLaneKind kind)
{
  cudaStream_t st = lane->profiler->stream;
  cudaError_t err;

  if (kind == CW_LANE_INDEX_MASK || kind == CW_LANE_INDEX_MASK_HOST_CHECKED)
    return cudaMemsetAsync (lane->mask, 0xa5, lane->out_bytes, st);
  err = cudaMemsetAsync (lane->idx, 0xa5, lane->out_bytes / 2, st);
  if (err == cudaSuccess)
    err = cudaMemsetAsync (lane->scores, 0xa5, lane->out_bytes / 2, st);
  return err;
}

/* Capture the lane into a CUDA graph, instantiate, replay, compare the
 * replay's outputs bit for bit with the eager run's. The first failing CUDA
 * call's error name goes into the receipt. */
static void
lane_check_capture (Lane *lane, CwLaneKind kind)
{
  CwCaptureResult *cap = &lane->receipt->capture;
  cudaStream_t st = lane->profiler->stream;
  unsigned char *eager = NULL, *replay = NULL;
  cudaGraph_t graph = NULL;
  cudaGraphExec_t exec = NULL;
  cudaError_t err, end_err;

  cap->attempted = true;
  eager = malloc (lane->out_bytes);
  replay = malloc (lane->out_bytes);
  if (eager == NULL || replay == NULL)
    {
      CW_RECEIPT_SET (cap->cuda_error_name, "host out of memory for the comparison");
      goto out;
    }
  if ((err = lane_copy_outputs (lane, kind, eager)) != cudaSuccess
      || (err = lane_poison_outputs (lane, kind)) != cudaSuccess
      || (err = cudaStreamSynchronize (st)) != cudaSuccess)
    {
      lane_fail (lane, err, "capture check setup");
      goto out;
    }

  err = cudaStreamBeginCapture (st, cudaStreamCaptureModeGlobal);
  if (err != cudaSuccess)
    {
      CW_RECEIPT_SET (cap->cuda_error_name, cudaGetErrorName (err));
      goto out;
    }
  err = lane_step (lane, kind);
  end_err = cudaStreamEndCapture (st, &graph);
  if (err != cudaSuccess || end_err != cudaSuccess)
    {
      /* The lane's own error is the reason; EndCapture then only reports
       * that the capture was invalidated. */
      CW_RECEIPT_SET (cap->cuda_error_name, cudaGetErrorName (err != cudaSuccess ? err : end_err));
      cudaGetLastError ();
      goto out;
    }
  cap->captured = true;
  err = cudaGraphInstantiate (&exec, graph, 0);
  if (err != cudaSuccess)
    {
      CW_RECEIPT_SET (cap->cuda_error_name, cudaGetErrorName (err));
      cudaGetLastError ();
      goto out;
    }
  cap->instantiated = true;
  if ((err = cudaGraphLaunch (exec, st)) != cudaSuccess || (err = cudaStreamSynchronize (st)) != cudaSuccess)
    {
      CW_RECEIPT_SET (cap->cuda_error_name, cudaGetErrorName (err));
      cudaGetLastError ();
      goto out;
    }
  cap->replayed = true;
  if ((err = lane_copy_outputs (lane, kind, replay)) != cudaSuccess)
    {
      lane_fail (lane, err, "copy of the replay's outputs");
      goto out;
    }
  cap->matched = memcmp (eager, replay, lane->out_bytes) == 0;

out:
  if (exec)
    cudaGraphExecDestroy (exec);
  if (graph)
    cudaGraphDestroy (graph);
  free (eager);
  free (replay);
  if (lane->receipt->status == CW_RECEIPT_STATUS_OK && !(cap->captured && cap->instantiated && cap->replayed))
    {
      lane->receipt->status = CW_RECEIPT_STATUS_CAPTURE_FAILED;
      snprintf (lane->receipt->error_message, sizeof lane->receipt->error_message,
                "graph capture: %s", cap->cuda_error_name);
    }
  else if (lane->receipt->status == CW_RECEIPT_STATUS_OK && !cap->matched)
    {
      lane->receipt->status = CW_RECEIPT_STATUS_ERROR;
      CW_RECEIPT_SET (lane->receipt->error_message, "graph replay output differs from the eager run");
    }
}

static int
compare_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return x < y ? -1 : x > y;
}

/* Wall time of one lane step, launch to completion. */
static bool
time_step (Lane *lane, CwLaneKind kind, uint64_t *ns)
{
  uint64_t t0 = now_ns ();
  cudaError_t err = lane_step (lane, kind);

  if (err == cudaSuccess)
    err = cudaStreamSynchronize (lane->profiler->stream);
  if (err != cudaSuccess)
    {
      lane_fail (lane, err, cw_lane_kind_get_name (kind));
      return false;
    }
  *ns = now_ns () - t0;
  return true;
}

/* Median wall time of `repeats` steps without CUPTI, then with it, in the same
 * process: the profiler's overhead. */
static void
lane_measure_overhead (Lane *lane, CwLaneKind kind, unsigned repeats)
{
  uint64_t *with = calloc (repeats, sizeof *with), *without = calloc (repeats, sizeof *without);
  CwError err = CW_ERROR_INIT;
  bool ok = with && without;

  if (ok)
    ok = cw_cupti_set_enabled (false, &err);
  for (unsigned i = 0; ok && i < repeats; i++)
    ok = time_step (lane, kind, &without[i]);
  if (!cw_cupti_set_enabled (true, &err))
    ok = false;
  for (unsigned i = 0; ok && i < repeats; i++)
    ok = time_step (lane, kind, &with[i]);
  if (ok)
    {
      qsort (with, repeats, sizeof *with, compare_u64);
      qsort (without, repeats, sizeof *without, compare_u64);
      lane->receipt->lane_ns = with[repeats / 2];
      lane->receipt->unprofiled_lane_ns = without[repeats / 2];
    }
  else if (err.code != CW_ERROR_NONE && lane->receipt->status == CW_RECEIPT_STATUS_OK)
    {
      lane->receipt->status = CW_RECEIPT_STATUS_ERROR;
      CW_RECEIPT_SET (lane->receipt->error_message, err.message);
    }
  free (with);
  free (without);
}

/* Recall of the lane's top-k against the float64 CPU reference on the same
 * (bf16 / fp8) inputs: per row |ref ∩ got| / |ref| over the ref's real
 * entries (the -1 padding excluded), averaged over rows that have any. */
static void
lane_measure_recall (Lane *lane)
{
  const CwKernelShape *s = &lane->shape;
  uint64_t rows = s->b * s->sq, macs;
  uint64_t q_bytes, k_bytes;
  void *q = NULL, *k = NULL;
  float *w = NULL;
  int32_t *got = NULL, *ref = NULL;
  double *scores = NULL, sum = 0;
  uint64_t n_rows = 0;
  CwError err = CW_ERROR_INIT;
  size_t elem = s->qk_dtype == CW_DTYPE_FP8_E4M3 ? 1 : 2;

  if (!mul3 (rows, s->sk, s->h, &macs) || __builtin_mul_overflow (macs, s->d, &macs) || macs > RECALL_MAX_MACS)
    return;
  q_bytes = rows * s->h * s->d * elem;
  k_bytes = s->b * s->sk * s->d * elem;
  q = malloc (q_bytes);
  k = malloc (k_bytes);
  w = malloc (rows * s->h * sizeof *w);
  got = malloc (rows * s->top_k * sizeof *got);
  ref = malloc (rows * s->top_k * sizeof *ref);
  scores = malloc (rows * s->sk * sizeof *scores);
  if (!q || !k || !w || !got || !ref || !scores)
    goto out;
  if (cudaMemcpy (q, lane->q, q_bytes, cudaMemcpyDeviceToHost) != cudaSuccess
      || cudaMemcpy (k, lane->k, k_bytes, cudaMemcpyDeviceToHost) != cudaSuccess
      || cudaMemcpy (w, lane->w, rows * s->h * sizeof *w, cudaMemcpyDeviceToHost) != cudaSuccess
      || cudaMemcpy (got, lane->idx, rows * s->top_k * sizeof *got, cudaMemcpyDeviceToHost) != cudaSuccess)
    goto out;
  if (!cw_reference_scores (s, q, k, w, scores, NULL, &err) || !cw_reference_topk (s, scores, ref, NULL, &err))
    goto out;
  for (uint64_t r = 0; r < rows; r++)
    {
      const int32_t *rr = ref + r * s->top_k, *gr = got + r * s->top_k;
      uint64_t n_ref = 0, hit = 0;

      for (uint64_t i = 0; i < s->top_k; i++)
        {
          if (rr[i] < 0)
            continue;
          n_ref++;
          for (uint64_t j = 0; j < s->top_k; j++)
            if (gr[j] == rr[i])
              {
                hit++;
                break;
              }
        }
      if (n_ref > 0)
        {
          sum += (double) hit / (double) n_ref;
          n_rows++;
        }
    }
  if (n_rows > 0)
    {
      lane->receipt->has_recall = true;
      lane->receipt->recall = sum / (double) n_rows;
    }
out:
  free (q);
  free (k);
  free (w);
  free (got);
  free (ref);
  free (scores);
}

/* Useful FLOPs of the score: 2*h*d per legal (row, key) pair, counted exactly. */
static double
lane_flops (const CwKernelShape *s)
{
  double pairs = 0;

  for (uint64_t i = 0; i < s->sq; i++)
    pairs += (double) cw_kernel_shape_legal_keys (s, i);
  return 2.0 * (double) s->b * pairs * (double) s->h * (double) s->d;
}

/* Sum of the GPU time of the kernels that ran inside the "compute" range
 * (the timed step; warmup, capture replay and overhead repeats excluded). */
static uint64_t
compute_kernel_ns (const CwReceipt *r)
{
  uint64_t c_start = 0, c_end = 0, sum = 0;

  for (size_t i = 0; i < r->n_events; i++)
    if (r->events[i].kind == CW_TRACE_RANGE && strcmp (r->events[i].name, "compute") == 0)
      {
        c_start = r->events[i].start_ns;
        c_end = r->events[i].end_ns;
        break;
      }
  if (c_end == 0)
    return 0;
  for (size_t i = 0; i < r->n_events; i++)
    {
      const CwTraceEvent *ev = &r->events[i];
      if (ev->kind == CW_TRACE_KERNEL && ev->start_ns >= c_start && ev->end_ns <= c_end)
        sum += ev->end_ns - ev->start_ns;
    }
  return sum;
}

static int
compare_events_by_start (const void *a, const void *b)
{
  const CwTraceEvent *x = a, *y = b;

  if (x->start_ns != y->start_ns)
    return x->start_ns < y->start_ns ? -1 : 1;
  if (x->end_ns != y->end_ns)
    return x->end_ns > y->end_ns ? -1 : 1;
  return x->depth - y->depth;
}

static bool
fill_prediction (CwReceipt *r, const char *profile_name, const CwConfig *config, CwError *error)
{
  CwProfile *profile = cw_profile_load (profile_name, error);
  bool ok = profile != NULL && cw_receipt_predict_with (r, profile, config, error);

  cw_profile_free (profile);
  return ok;
}

CwReceipt *
cw_profiler_run_lane (CwProfiler *self, const CwLaneRequest *req, CwError *error)
{
  Lane lane;
  CwReceipt *r;
  const char *profile_name;
  size_t free0 = 0, free1 = 0, total = 0;
  uint64_t t_begin, t_end, step_ns = 0;
  cudaError_t err;
  bool allocated;

  if (self == NULL || req == NULL || (unsigned) req->lane >= CW_LANE_N_KINDS)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_profiler_run_lane: bad arguments");
      return NULL;
    }
  if (!cw_config_validate (&req->config, error))
    return NULL;
  memset (&lane, 0, sizeof lane);
  lane.profiler = self;
  lane.budget = req->config.chunk_budget_bytes;
  if (!cw_kernel_shape_from_config (&req->config, &lane.shape, error) || !cw_kernel_shape_check (&lane.shape, error))
    return NULL;

  r = cw_receipt_new ();
  if (r == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return NULL;
    }
  lane.receipt = r;
  CW_RECEIPT_SET (r->lane, cw_lane_kind_get_name (req->lane));
  r->config = req->config;
  r->config.sk = cw_config_get_sk (&req->config);
  CW_RECEIPT_SET (r->sweep_id, req->sweep_id);
  CW_RECEIPT_SET (r->note, req->note);
  {
    int64_t t = r->provenance.time_unix_ns;
    char ver[32], rev[48];
    memcpy (ver, r->provenance.cliffwatch_version, sizeof ver);
    memcpy (rev, r->provenance.git_revision, sizeof rev);
    r->provenance = self->provenance;
    r->provenance.time_unix_ns = t;
    memcpy (r->provenance.cliffwatch_version, ver, sizeof ver);
    memcpy (r->provenance.git_revision, rev, sizeof rev);
  }
  profile_name = cw_lane_kind_get_profile (req->lane);
  if (profile_name && !fill_prediction (r, profile_name, &req->config, error))
    {
      cw_error_prefix (error, "prediction for lane %s: ", r->lane);
      cw_receipt_free (r);
      return NULL;
    }

  /* Start from a quiet device and an empty record list. */
  if ((err = cudaDeviceSynchronize ()) != cudaSuccess)
    {
      set_cuda_error (error, err, "cudaDeviceSynchronize before the lane");
      cw_receipt_free (r);
      return NULL;
    }
  cw_cupti_flush (NULL);
  cw_cupti_discard ();
  cudaMemGetInfo (&free0, &total);

  t_begin = cw_cupti_timestamp ();
  nvtxRangePushA ("lane");

  nvtxRangePushA ("alloc");
  allocated = lane_allocate (&lane, req->lane);
  if (allocated)
    {
      err = lane_fill (&lane, req->lane, req->seed);
      if (err == cudaSuccess)
        err = cudaStreamSynchronize (self->stream);
      if (err != cudaSuccess)
        {
          lane_fail (&lane, err, "filling the inputs");
          allocated = false;
        }
    }
  nvtxRangePop ();
  cudaMemGetInfo (&free1, &total);
  r->memgetinfo_delta_bytes = (int64_t) free0 - (int64_t) free1;

  if (allocated && !self->warmed[req->lane])
    {
      /* Lazy module loading makes a process's first launch of each kernel
       * slow; that is start-up, not the lane. */
      nvtxRangePushA ("warmup");
      if (time_step (&lane, req->lane, &step_ns))
        self->warmed[req->lane] = true;
      nvtxRangePop ();
    }
  if (allocated && r->status == CW_RECEIPT_STATUS_OK)
    {
      nvtxRangePushA ("compute");
      if (time_step (&lane, req->lane, &step_ns))
        r->lane_ns = step_ns;
      nvtxRangePop ();
    }
  if (allocated && r->status == CW_RECEIPT_STATUS_OK && req->check_recall
      && (req->lane == CW_LANE_MATERIALIZE || req->lane == CW_LANE_FUSED || req->lane == CW_LANE_STREAMING))
    lane_measure_recall (&lane);
  if (allocated && r->status == CW_RECEIPT_STATUS_OK && req->check_capture)
    {
      nvtxRangePushA ("capture");
      lane_check_capture (&lane, req->lane);
      nvtxRangePop ();
    }
  if (allocated && r->status == CW_RECEIPT_STATUS_OK && req->overhead_repeats > 0)
    {
      nvtxRangePushA ("overhead");
      lane_measure_overhead (&lane, req->lane, req->overhead_repeats);
      nvtxRangePop ();
    }

  nvtxRangePushA ("free");
  lane_free_all (&lane);
  nvtxRangePop ();
  nvtxRangePop ();  /* lane */
  if ((err = cudaDeviceSynchronize ()) != cudaSuccess)
    lane_fail (&lane, err, "end of lane");
  t_end = cw_cupti_timestamp ();

  if (!cw_cupti_flush (error) || !cw_cupti_take (t_begin, t_end, r, &r->dropped_records, error))
    {
      cw_error_prefix (error, "lane %s: ", r->lane);
      cw_receipt_free (r);
      return NULL;
    }
  r->measured_peak_bytes = cw_trace_live_peak (r->events, r->n_events);
  /* The phases (score, reduce, topk, mask, check) are the kernels' own NVTX
   * ranges, nested in warmup/compute/capture/overhead; cw_cupti_take added
   * their GPU projections ("gpu:score"...). Time order for the readers. */
  r->kernel_ns = compute_kernel_ns (r);
  qsort (r->events, r->n_events, sizeof *r->events, compare_events_by_start);
  if (r->status == CW_RECEIPT_STATUS_OK && r->lane_ns > 0
      && (req->lane == CW_LANE_MATERIALIZE || req->lane == CW_LANE_FUSED || req->lane == CW_LANE_STREAMING))
    {
      r->flops = lane_flops (&lane.shape);
      r->tflops = r->flops / ((double) r->lane_ns * 1e-9) / 1e12;
    }
  if (r->dropped_records > 0 && r->status == CW_RECEIPT_STATUS_OK)
    {
      /* The trace is incomplete, so the measured peak may be too: say so. */
      snprintf (r->error_message, sizeof r->error_message,
                "CUPTI dropped %" PRIu64 " activity records: trace incomplete", r->dropped_records);
    }
  return r;
}
