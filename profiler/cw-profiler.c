/* cw-profiler.c: the lane driver: allocate, fill, run, capture-check, free,
 * all under NVTX ranges while CUPTI records; then build the receipt.
 *
 * Ranges of a receipt: "lane" (depth 0); "alloc", "warmup", "compute",
 * "capture", "overhead", "free" (depth 1, pushed here); inside each lane
 * step the kernel library's own phase ranges (depth 2: score, reduce, topk,
 * mask, check); and the GPU projection of each leaf range (depth + 1,
 * "gpu:score"...), added by cw_cupti_take.
 *
 * A training lane's step is its profile's phases one after another, each an
 * NVTX range inside "warmup" / "compute" (depth 2): "forward" (the forward's
 * workspace live), "loss" (workspace freed, g allocated and filled, the
 * scores freed), "backward" (dq, dw, dk and the backward's workspace or G
 * chunk allocated, the backward run; the kernels' backward-* ranges inside).
 * Between warmup and compute, "rewind" frees the backward's buffers and
 * allocates the forward's again, so both passes hold the same bytes. Its
 * capture, overhead and checks run on the backward (the forward lanes cover
 * the forward's), with every backward buffer live. */
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
#include "cw-synthetic-gradient.h"

#define MAX_LANE_BUFFERS 16
/* The CPU float64 reference runs only below this many multiply-adds (b*sq*sk*h*d). */
#define RECALL_MAX_MACS CW_LANE_REFERENCE_MAX_MACS
/* The gradient check's rule: the kernels' stated accuracy (cw-kernels.h; the
 * GPU tests' TOL and KINK_REL): |gpu - ref| <= GRAD_TOL * mag + kink. */
#define GRAD_TOL 3e-5
#define GRAD_KINK_REL 1e-5

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
  [CW_LANE_STREAMING_TRAIN] = "streaming-train",
  [CW_LANE_STREAMING_TRAIN_DENSE] = "streaming-train-dense",
  [CW_LANE_FUSED_TRAIN] = "fused-train",
  [CW_LANE_GRADCHECK] = "gradcheck",
  [CW_LANE_GRADCHECK_DENSE] = "gradcheck-dense",
};

bool
cw_lane_kind_is_training (CwLaneKind lane)
{
  return lane >= CW_LANE_STREAMING_TRAIN && lane < CW_LANE_N_KINDS;
}

static bool
lane_is_dense (CwLaneKind lane)
{
  return lane == CW_LANE_STREAMING_TRAIN_DENSE || lane == CW_LANE_GRADCHECK_DENSE;
}

static bool
lane_is_gradcheck (CwLaneKind lane)
{
  return lane == CW_LANE_GRADCHECK || lane == CW_LANE_GRADCHECK_DENSE;
}

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
  uint64_t        out_bytes;   /* bytes compared eager vs replay: idx + scores, the mask, or dq + dw + dk */
  /* training lanes */
  float          *g, *dq, *dw, *dk, *G;
  void           *bw_workspace;
  uint64_t        fw_workspace_bytes, g_bytes, dq_bytes, dw_bytes, dk_bytes, bw_workspace_bytes;
  uint64_t        bw_budget;          /* the sparse backward's: the chunk budget, or UINT64_MAX (fused) */
  uint64_t        dense_rows;         /* rows of one dense-backward chunk */
  uint64_t        seed;
  uint64_t        scores_bytes;
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

/* Frees one buffer (a phase boundary of a training step) and sets *ptr NULL. */
static void
lane_release (Lane *lane, void **ptr)
{
  if (*ptr == NULL)
    return;
  for (unsigned i = 0; i < lane->n_buffers; i++)
    if (lane->buffers[i].ptr == *ptr)
      {
        cudaFree (*ptr);
        lane->live_bytes -= lane->buffers[i].bytes;
        memmove (&lane->buffers[i], &lane->buffers[i + 1], (lane->n_buffers - i - 1) * sizeof lane->buffers[0]);
        lane->n_buffers--;
        break;
      }
  *ptr = NULL;
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
    case CW_LANE_STREAMING_TRAIN:
    case CW_LANE_STREAMING_TRAIN_DENSE:
    case CW_LANE_GRADCHECK:
    case CW_LANE_GRADCHECK_DENSE:
      if (!cw_kernels_streaming_workspace_bytes (s, lane->budget, &ws, &err))
        goto shape_error;
      break;
    case CW_LANE_FUSED_TRAIN:
      if (!cw_kernels_fused_workspace_bytes (s, &ws, &err))
        goto shape_error;
      break;
    default:
      break;
    }
  if (cw_lane_kind_is_training (kind))
    {
      /* The backward's buffers are allocated at the backward phase; their
       * sizes now, from the kernels' API (an unsupported shape fails before
       * anything runs). */
      lane->fw_workspace_bytes = ws;
      lane->bw_budget = kind == CW_LANE_FUSED_TRAIN ? UINT64_MAX : lane->budget;
      if (!mul3 (rows, s->h, s->d, &lane->dq_bytes) || !mul3 (lane->dq_bytes, 4, 1, &lane->dq_bytes)
          || !mul3 (s->b, s->sk, s->d, &lane->dk_bytes) || !mul3 (lane->dk_bytes, 4, 1, &lane->dk_bytes))
        {
          lane->receipt->status = CW_RECEIPT_STATUS_ERROR;
          CW_RECEIPT_SET (lane->receipt->error_message, "gradient sizes overflow uint64");
          return false;
        }
      lane->dw_bytes = w_bytes;
      if (lane_is_dense (kind))
        {
          lane->g_bytes = 0;
          if (!cw_kernels_backward_dense_rows (s, lane->budget, &lane->dense_rows, &err)
              || !mul3 (lane->dense_rows, s->sk, 4, &lane->bw_workspace_bytes))
            {
              if (err.code == CW_ERROR_NONE)
                cw_error_set (&err, CW_ERROR_OVERFLOW, "dense gradient chunk size overflows uint64");
              goto shape_error;
            }
        }
      else
        {
          lane->g_bytes = out_elems * 4;
          if (kind == CW_LANE_FUSED_TRAIN ? !cw_kernels_backward_fused_workspace_bytes (s, &lane->bw_workspace_bytes, &err)
                                          : !cw_kernels_backward_sparse_workspace_bytes (s, lane->budget,
                                                                                          &lane->bw_workspace_bytes, &err))
            goto shape_error;
        }
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
  lane->scores_bytes = out_elems * 4;
  lane->out_bytes = cw_lane_kind_is_training (kind) ? lane->dq_bytes + lane->dw_bytes + lane->dk_bytes : out_elems * 8;
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

/* The backward of a training lane on its live buffers: the sparse backward
 * (budget, or UINT64_MAX for the fused lane), or the dense one chunk by chunk
 * in row order, each chunk's G filled by the synthetic upstream gradient. */
static cudaError_t
train_backward (Lane *lane, CwLaneKind kind)
{
  const CwKernelShape *s = &lane->shape;
  cudaStream_t st = lane->profiler->stream;
  uint64_t rows = s->b * s->sq;
  cudaError_t err = cudaSuccess;

  if (!lane_is_dense (kind))
    return cw_backward_sparse_run (s, lane->bw_budget, lane->q, lane->k, lane->w, lane->idx, lane->g,
                                   lane->bw_workspace, lane->dq, lane->dw, lane->dk, st);
  for (uint64_t first = 0; first < rows && err == cudaSuccess; first += lane->dense_rows)
    {
      uint64_t n = rows - first < lane->dense_rows ? rows - first : lane->dense_rows;

      err = cw_backward_dense_fill_gradient (s, first, n, lane->G, s->sk, st);
      if (err == cudaSuccess)
        err = cw_backward_dense_chunk (s, first, n, lane->q, lane->k, lane->w, lane->G, s->sk, NULL, lane->dq,
                                       lane->dw, lane->dk, st);
    }
  return err;
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
    case CW_LANE_STREAMING_TRAIN:
    case CW_LANE_STREAMING_TRAIN_DENSE:
    case CW_LANE_FUSED_TRAIN:
    case CW_LANE_GRADCHECK:
    case CW_LANE_GRADCHECK_DENSE:
      return train_backward (lane, kind);
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
  else if (cw_lane_kind_is_training (kind))
    {
      err = cudaMemcpyAsync (host, lane->dq, lane->dq_bytes, cudaMemcpyDeviceToHost, st);
      if (err == cudaSuccess)
        err = cudaMemcpyAsync (host + lane->dq_bytes, lane->dw, lane->dw_bytes, cudaMemcpyDeviceToHost, st);
      if (err == cudaSuccess)
        err = cudaMemcpyAsync (host + lane->dq_bytes + lane->dw_bytes, lane->dk, lane->dk_bytes,
                               cudaMemcpyDeviceToHost, st);
    }
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
  if (cw_lane_kind_is_training (kind))
    {
      /* 0xff bytes: NaN in every fp32 gradient, so an element the replay
       * does not write cannot match the eager run */
      err = cudaMemsetAsync (lane->dq, 0xff, lane->dq_bytes, st);
      if (err == cudaSuccess)
        err = cudaMemsetAsync (lane->dw, 0xff, lane->dw_bytes, st);
      if (err == cudaSuccess)
        err = cudaMemsetAsync (lane->dk, 0xff, lane->dk_bytes, st);
      return err;
    }
  err = cudaMemsetAsync (lane->idx, 0xa5, lane->out_bytes / 2, st);
  if (err == cudaSuccess)
    err = cudaMemsetAsync (lane->scores, 0xa5, lane->out_bytes / 2, st);
  return err;
}

/* One training step through the profile's phases, from the forward's buffers
 * (q, k, w, idx, scores, the forward's workspace) to the backward's (q, k, w,
 * idx, g, dq, dw, dk, the backward's workspace or G chunk): every buffer is
 * allocated when its first phase starts and freed when its last one ends, as
 * the profile's 'live' ranges say, so the live bytes of each phase are the
 * plan's. Synchronized at each boundary (a free waits for the device anyway).
 * false when an allocation or a kernel failed (the receipt says which). */
static bool
train_pass (Lane *lane, CwLaneKind kind, uint64_t *ns)
{
  const CwKernelShape *s = &lane->shape;
  cudaStream_t st = lane->profiler->stream;
  uint64_t t0 = now_ns ();
  cudaError_t err;
  bool ok = true;

  nvtxRangePushA ("forward");
  err = kind == CW_LANE_FUSED_TRAIN
          ? cw_fused_run (s, lane->q, lane->k, lane->w, lane->workspace, lane->idx, lane->scores, st)
          : cw_streaming_run (s, lane->budget, lane->q, lane->k, lane->w, lane->workspace, lane->idx, lane->scores,
                              st);
  if (err == cudaSuccess)
    err = cudaStreamSynchronize (st);
  nvtxRangePop ();
  if (err != cudaSuccess)
    {
      lane_fail (lane, err, "forward");
      return false;
    }

  /* The caller's loss reads the scores and writes g = dLoss/dscore: here a
   * synthetic g, uniform in [-1, 1) (the dense warm-up has no g [b,sq,k]). */
  nvtxRangePushA ("loss");
  lane_release (lane, &lane->workspace);
  if (lane->g_bytes > 0)
    {
      ok = lane_alloc (lane, "g", lane->g_bytes, (void **) &lane->g);
      if (ok)
        {
          err = cw_lane_fill_f32 (lane->g, lane->g_bytes / 4, lane->seed + 3, -1.0f, 1.0f, st);
          if (err == cudaSuccess)
            err = cudaStreamSynchronize (st);
          if (err != cudaSuccess)
            {
              lane_fail (lane, err, "filling g");
              ok = false;
            }
        }
    }
  if (ok)
    lane_release (lane, (void **) &lane->scores);
  nvtxRangePop ();
  if (!ok)
    return false;

  nvtxRangePushA ("backward");
  ok = lane_alloc (lane, "dq", lane->dq_bytes, (void **) &lane->dq)
       && lane_alloc (lane, "dw", lane->dw_bytes, (void **) &lane->dw)
       && lane_alloc (lane, "dk", lane->dk_bytes, (void **) &lane->dk)
       && (lane_is_dense (kind) ? lane_alloc (lane, "dense_gradient_chunk", lane->bw_workspace_bytes, (void **) &lane->G)
                                : lane_alloc (lane, "backward_workspace", lane->bw_workspace_bytes, &lane->bw_workspace));
  if (ok)
    {
      err = train_backward (lane, kind);
      if (err == cudaSuccess)
        err = cudaStreamSynchronize (st);
      if (err != cudaSuccess)
        {
          lane_fail (lane, err, "backward");
          ok = false;
        }
    }
  nvtxRangePop ();
  if (ok && ns != NULL)
    *ns = now_ns () - t0;
  return ok;
}

/* Back from the backward's buffers to the forward's, for a second pass. */
static bool
train_rewind (Lane *lane)
{
  bool ok;

  nvtxRangePushA ("rewind");
  lane_release (lane, (void **) &lane->G);
  lane_release (lane, &lane->bw_workspace);
  lane_release (lane, (void **) &lane->dk);
  lane_release (lane, (void **) &lane->dw);
  lane_release (lane, (void **) &lane->dq);
  lane_release (lane, (void **) &lane->g);
  ok = lane_alloc (lane, "scores", lane->scores_bytes, (void **) &lane->scores)
       && lane_alloc (lane, "workspace", lane->fw_workspace_bytes, &lane->workspace);
  nvtxRangePop ();
  return ok;
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

/* Whether the float64 reference may run at this shape (b*sq*sk*h*d). */
static bool
reference_fits (const CwKernelShape *s)
{
  uint64_t macs;

  return mul3 (s->b * s->sq, s->sk, s->h, &macs) && !__builtin_mul_overflow (macs, s->d, &macs)
         && macs <= RECALL_MAX_MACS;
}

bool
cw_lane_kind_check_config (CwLaneKind lane, const CwConfig *config, CwError *error)
{
  CwKernelShape shape;

  if ((unsigned) lane >= CW_LANE_N_KINDS)
    {
      cw_error_set (error, CW_ERROR_INVALID, "unknown lane %d", (int) lane);
      return false;
    }
  if (!cw_config_validate (config, error) || !cw_kernel_shape_from_config (config, &shape, error)
      || !cw_kernel_shape_check (&shape, error))
    return false;
  if (lane_is_gradcheck (lane) && !reference_fits (&shape))
    {
      cw_error_set (error, CW_ERROR_INVALID,
                    "lane %s: the float64 reference takes b*sq*sk*h*d <= 2^31 multiply-adds, this shape %.4g "
                    "(a small one: --b 2 --h 16 --d 64 --sq 333 --ratio 4 --causal causal-compressed --top-k 64)",
                    cw_lane_kind_get_name (lane),
                    (double) shape.b * (double) shape.sq * (double) shape.sk * (double) shape.h * (double) shape.d);
      return false;
    }
  return true;
}

/* One output of the gradient check: the worst |gpu - ref| / (GRAD_TOL * mag
 * + kink) into *worst (INFINITY for a non-finite GPU value or an error where
 * nothing is allowed), its element into at. */
static void
grad_compare (const char *name, const float *gpu, const double *ref, const double *mag, const double *kink,
              uint64_t n, CwGradcheckResult *res)
{
  for (uint64_t i = 0; i < n; i++)
    {
      const double allowed = GRAD_TOL * mag[i] + (kink != NULL ? kink[i] : 0.0);
      const double err = fabs ((double) gpu[i] - ref[i]);
      double ratio;

      if (!isfinite (gpu[i]) || !(err <= allowed))
        ratio = allowed > 0 && isfinite (err) ? err / allowed : INFINITY;
      else
        ratio = allowed > 0 ? err / allowed : 0.0;
      if (ratio > 1.0)
        res->status = CW_GRADCHECK_FAILED;
      if (ratio > res->worst || res->worst_at[0] == '\0')
        {
          res->worst = ratio;
          snprintf (res->worst_at, sizeof res->worst_at, "%s[%" PRIu64 "]", name, i);
        }
    }
}

/* dq, dw, dk of the lane's last backward against the float64 reference
 * (cw_reference_backward_sparse on the same q, k, w, idx, g; or _dense on the
 * synthetic G of every legal key, which cw_backward_dense_fill_gradient
 * wrote chunk by chunk), under the kernels' stated rule. The result goes in
 * the receipt's gradcheck; a failure also makes the receipt an error. */
static void
lane_check_gradients (Lane *lane, CwLaneKind kind)
{
  const CwKernelShape *s = &lane->shape;
  CwReceipt *r = lane->receipt;
  const uint64_t rows = s->b * s->sq, nq = lane->dq_bytes / 4, nw = lane->dw_bytes / 4, nk = lane->dk_bytes / 4;
  const size_t elem = s->qk_dtype == CW_DTYPE_FP8_E4M3 ? 1 : 2;
  const uint64_t q_bytes = rows * s->h * s->d * elem, k_bytes = s->b * s->sk * s->d * elem;
  const bool dense = lane_is_dense (kind);
  void *q = malloc (q_bytes), *k = malloc (k_bytes);
  float *w = malloc (nw * sizeof (float)), *dq = malloc (lane->dq_bytes), *dw = malloc (lane->dw_bytes),
        *dk = malloc (lane->dk_bytes), *g = NULL;
  int32_t *idx = NULL;
  double *ref[3] = { malloc (nq * sizeof (double)), malloc (nw * sizeof (double)), malloc (nk * sizeof (double)) };
  double *mag[3] = { malloc (nq * sizeof (double)), malloc (nw * sizeof (double)), malloc (nk * sizeof (double)) };
  double *kink[2] = { malloc (nq * sizeof (double)), malloc (nk * sizeof (double)) };
  CwReferenceBackward out = { .kink_rel = GRAD_KINK_REL };
  CwGradcheckResult res = { .status = CW_GRADCHECK_OK };
  CwError err = CW_ERROR_INIT;
  bool ok = q && k && w && dq && dw && dk && ref[0] && ref[1] && ref[2] && mag[0] && mag[1] && mag[2] && kink[0]
            && kink[1];

  if (ok && dense)
    {
      ok = (g = calloc (rows * s->sk, sizeof *g)) != NULL;
      for (uint64_t row = 0; ok && row < rows; row++)
        {
          uint64_t L = cw_kernel_shape_legal_keys (s, row % s->sq);
          for (uint64_t t = 0; t < L; t++)
            g[row * s->sk + t] = cw_synthetic_gradient (row, t);
        }
    }
  else if (ok)
    ok = (g = malloc (lane->g_bytes)) != NULL && (idx = malloc (lane->scores_bytes)) != NULL;
  if (ok)
    ok = cudaMemcpy (q, lane->q, q_bytes, cudaMemcpyDeviceToHost) == cudaSuccess
         && cudaMemcpy (k, lane->k, k_bytes, cudaMemcpyDeviceToHost) == cudaSuccess
         && cudaMemcpy (w, lane->w, lane->dw_bytes, cudaMemcpyDeviceToHost) == cudaSuccess
         && cudaMemcpy (dq, lane->dq, lane->dq_bytes, cudaMemcpyDeviceToHost) == cudaSuccess
         && cudaMemcpy (dw, lane->dw, lane->dw_bytes, cudaMemcpyDeviceToHost) == cudaSuccess
         && cudaMemcpy (dk, lane->dk, lane->dk_bytes, cudaMemcpyDeviceToHost) == cudaSuccess
         && (dense
             || (cudaMemcpy (g, lane->g, lane->g_bytes, cudaMemcpyDeviceToHost) == cudaSuccess
                 && cudaMemcpy (idx, lane->idx, lane->scores_bytes, cudaMemcpyDeviceToHost) == cudaSuccess));
  if (!ok)
    {
      if (r->status == CW_RECEIPT_STATUS_OK)
        {
          r->status = CW_RECEIPT_STATUS_ERROR;
          CW_RECEIPT_SET (r->error_message, "gradient check: host memory or the copy of the gradients failed");
        }
      goto out;
    }
  out.dq = ref[0];
  out.dw = ref[1];
  out.dk = ref[2];
  out.dq_mag = mag[0];
  out.dw_mag = mag[1];
  out.dk_mag = mag[2];
  out.dq_kink = kink[0];
  out.dk_kink = kink[1];
  if (!(dense ? cw_reference_backward_dense (s, q, k, w, g, s->sk, &out, &err)
              : cw_reference_backward_sparse (s, q, k, w, idx, g, &out, &err)))
    {
      if (r->status == CW_RECEIPT_STATUS_OK)
        {
          r->status = CW_RECEIPT_STATUS_ERROR;
          snprintf (r->error_message, sizeof r->error_message, "gradient check: %.480s", err.message);
        }
      goto out;
    }
  grad_compare ("dq", dq, ref[0], mag[0], kink[0], nq, &res);
  grad_compare ("dw", dw, ref[1], mag[1], NULL, nw, &res);
  grad_compare ("dk", dk, ref[2], mag[2], kink[1], nk, &res);
  r->gradcheck = res;
  if (res.status == CW_GRADCHECK_FAILED && r->status == CW_RECEIPT_STATUS_OK)
    {
      r->status = CW_RECEIPT_STATUS_ERROR;
      snprintf (r->error_message, sizeof r->error_message,
                "gradcheck failed: |gpu - float64| is %.3g of the allowed 3e-5 * sum|terms| + kink at %s", res.worst,
                res.worst_at);
    }
out:
  free (q);
  free (k);
  free (w);
  free (dq);
  free (dw);
  free (dk);
  free (g);
  free (idx);
  for (int i = 0; i < 3; i++)
    {
      free (ref[i]);
      free (mag[i]);
    }
  free (kink[0]);
  free (kink[1]);
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
  bool ok = profile != NULL && cw_receipt_lane_set_profile_params (r->lane, profile, error)
            && cw_receipt_predict_with (r, profile, config, error);

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
  lane.seed = req->seed;
  if (!cw_lane_kind_check_config (req->lane, &req->config, error)
      || !cw_kernel_shape_from_config (&req->config, &lane.shape, error))
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

  if (allocated && cw_lane_kind_is_training (req->lane))
    {
      /* The whole step is the lane: warm up with one pass (the first launch
       * of each kernel loads it), rewind to the forward's buffers, then the
       * timed pass. It ends with the backward's buffers live. */
      if (!self->warmed[req->lane])
        {
          nvtxRangePushA ("warmup");
          allocated = train_pass (&lane, req->lane, NULL);
          nvtxRangePop ();
          if (allocated)
            {
              self->warmed[req->lane] = true;
              allocated = train_rewind (&lane);
            }
        }
      if (allocated)
        {
          nvtxRangePushA ("compute");
          allocated = train_pass (&lane, req->lane, &step_ns);
          nvtxRangePop ();
          if (allocated)
            {
              size_t free2 = 0;
              r->lane_ns = step_ns;
              /* the backward's buffers may hold more than the forward's */
              cudaMemGetInfo (&free2, &total);
              if ((int64_t) free0 - (int64_t) free2 > r->memgetinfo_delta_bytes)
                r->memgetinfo_delta_bytes = (int64_t) free0 - (int64_t) free2;
            }
        }
      if (allocated && r->status == CW_RECEIPT_STATUS_OK
          && (lane_is_gradcheck (req->lane) || (req->check_recall && reference_fits (&lane.shape))))
        {
          lane_measure_recall (&lane);
          lane_check_gradients (&lane, req->lane);
        }
    }
  else if (allocated && !self->warmed[req->lane])
    {
      /* Lazy module loading makes a process's first launch of each kernel
       * slow; that is start-up, not the lane. */
      nvtxRangePushA ("warmup");
      if (time_step (&lane, req->lane, &step_ns))
        self->warmed[req->lane] = true;
      nvtxRangePop ();
    }
  if (allocated && r->status == CW_RECEIPT_STATUS_OK && !cw_lane_kind_is_training (req->lane))
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
