/* cw-bench-kernels.cu: times the indexer lanes on the GPU, prints a table,
 * and with --records FILE appends one JSON record per measured configuration
 * (bench/records/README.md: every sample, the device, the kernel options).
 *
 * Measured in one run: the device's bf16 matrix-product ceiling (cuBLAS,
 * 8192^3, random data, median of 10) and its copy bandwidth; the lanes
 * (streaming by default) at V4-Flash dims (h=64 d=128 top_k=512 m=4,
 * compressed-causal, b=1) over a list of S with the peak device memory above
 * the inputs (a free-memory delta around the lane's own allocations: the
 * kernels allocate nothing); the streaming lane's score / top-k split; and
 * for materialize and fused the largest S that runs and the S whose
 * workspace cudaMalloc refuses. Inputs are random (never zeros), drawn on the
 * device. Medians are the sample at n / 2 of the sorted samples.
 *
 * Usage: cw-bench-kernels [--sizes S1,S2,..] [--lanes streaming,fused,materialize]
 *                         [--budget-mib N] [--fp8] [--no-ceiling] [--no-oom] [--split S]
 *                         [--score-kernel auto|mma-sync|wgmma] [--keys-per-block 0|4096|8192|16384]
 *                         [--topk-depth 0|4|8]   (CwKernelOptions, cw-kernels.h)
 *                         [--backward] [--records FILE]
 *
 * --backward times the sparse backward (cw_backward_sparse_run) instead of
 * the forward lanes: per S, idx from the streaming forward (timed too: the
 * forward next to the backward, same run, same budget), g random on the
 * device, then the backward of each --lanes entry (streaming: the budget;
 * fused: one chunk of every row) with its peak above the inputs (q, k, w,
 * idx, g): the free-memory drop around its workspace and dq, dw, dk. */
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <string>
#include <vector>
#include <algorithm>

#include "cw-bench-records.h"
#include "cw-kernels.h"
#include "cw-kernels-private.h"

#define OK(expr)                                                                          \
  do {                                                                                    \
    cudaError_t e_ = (expr);                                                              \
    if (e_ != cudaSuccess)                                                                \
      {                                                                                   \
        fprintf (stderr, "cw-bench-kernels: %s:%d: %s: %s\n", __FILE__, __LINE__, #expr, \
                 cudaGetErrorName (e_));                                                  \
        exit (1);                                                                         \
      }                                                                                   \
  } while (0)

__global__ void
fill_random_bytes (uint32_t *p, uint64_t n_words, uint32_t seed, int fp8)
{
  for (uint64_t i = blockIdx.x * (uint64_t) blockDim.x + threadIdx.x; i < n_words; i += (uint64_t) gridDim.x * blockDim.x)
    {
      uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ seed;
      x ^= x >> 31; x *= 0xBF58476D1CE4E5B9ull; x ^= x >> 29;
      uint32_t r = (uint32_t) x;
      if (fp8)
        {
          /* four e4m3 values in [-1, 1): exponent field <= 6, random mantissa and sign */
          uint32_t out = 0;
          for (int b = 0; b < 4; b++)
            {
              uint32_t v = (r >> (8 * b)) & 0xff;
              uint32_t e = (v >> 3) & 0x7;            /* 0..7 -> exponent 0..6 */
              out |= ((v & 0x80) | ((e > 6 ? 6 : e) << 3) | (v & 7)) << (8 * b);
            }
          p[i] = out;
        }
      else
        {
          /* two bf16 values uniform in [-1, 1) */
          float a = (float) (r & 0xffff) / 32768.0f - 1.0f, b = (float) (r >> 16) / 32768.0f - 1.0f;
          __nv_bfloat16 ha = __float2bfloat16 (a), hb = __float2bfloat16 (b);
          p[i] = (uint32_t) __bfloat16_as_ushort (ha) | ((uint32_t) __bfloat16_as_ushort (hb) << 16);
        }
    }
}

__global__ void
fill_weights (float *w, uint64_t n, uint32_t seed)
{
  for (uint64_t i = blockIdx.x * (uint64_t) blockDim.x + threadIdx.x; i < n; i += (uint64_t) gridDim.x * blockDim.x)
    {
      uint64_t x = (i + 7) * 0xD1B54A32D192ED03ull ^ seed;
      x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33;
      w[i] = (float) (x & 0xffffff) / 16777216.0f * 1.2f - 0.2f;
    }
}

/* g for the backward: uniform in [-1, 1). */
__global__ void
fill_gradient (float *g, uint64_t n, uint32_t seed)
{
  for (uint64_t i = blockIdx.x * (uint64_t) blockDim.x + threadIdx.x; i < n; i += (uint64_t) gridDim.x * blockDim.x)
    {
      uint64_t x = (i + 3) * 0x9E3779B97F4A7C15ull ^ seed;
      x ^= x >> 31; x *= 0xBF58476D1CE4E5B9ull; x ^= x >> 29;
      g[i] = (float) (x & 0xffffff) / 8388608.0f - 1.0f;
    }
}

static void
fill_qk (void *p, uint64_t bytes, uint32_t seed, int fp8)
{
  fill_random_bytes<<<1024, 256>>> ((uint32_t *) p, bytes / 4, seed, fp8);
  OK (cudaGetLastError ());
}

static CwKernelShape
v4_shape (uint64_t s, int fp8)
{
  CwKernelShape sh = { 1, 64, 128, s, s / 4, 512, 4, CW_CAUSAL_COMPRESSED,
                       fp8 ? CW_DTYPE_FP8_E4M3 : CW_DTYPE_BF16 };
  return sh;
}

/* FLOPs of the legal (s, t) pairs only: 2 * h * d per pair. */
static double
useful_flops (const CwKernelShape *s)
{
  double pairs = 0;
  for (uint64_t i = 0; i < s->sq; i++)
    pairs += (double) cw_kernel_shape_legal_keys (s, i);
  return pairs * s->b * 2.0 * s->h * s->d;
}

static double
median (const std::vector<double> &v)
{
  return cw_bench_median (v.data (), v.size ());
}

/* One event-timed sample, as the records keep it (cw_bench_float_value). */
static double
elapsed_ms (cudaEvent_t e0, cudaEvent_t e1)
{
  float ms;
  OK (cudaEventElapsedTime (&ms, e0, e1));
  return cw_bench_float_value (ms);
}

/* ---- records ------------------------------------------------------------- */

static CwBenchRecords *records;       /* NULL without --records */
static const char *records_path;
static CwJson record;

static struct {
  cudaDeviceProp prop;
  int driver_api, runtime, sm_clock_khz, memory_clock_khz;
  char driver_version[96];            /* the NVIDIA driver release, e.g. 580.159.04; "" if unknown */
} device;

/* The driver release through NVML (loaded at run time: the bench needs no
 * NVML to build or run), else /proc/driver/nvidia/version. */
static void
query_driver_version (char *buf, size_t size)
{
  typedef int (*NvmlVoid) (void);
  typedef int (*NvmlVersion) (char *, unsigned);
  void *nvml = dlopen ("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  FILE *f;
  char line[512], *save = NULL;

  buf[0] = '\0';
  if (nvml != NULL)
    {
      NvmlVoid init = (NvmlVoid) dlsym (nvml, "nvmlInit_v2"), shutdown = (NvmlVoid) dlsym (nvml, "nvmlShutdown");
      NvmlVersion version = (NvmlVersion) dlsym (nvml, "nvmlSystemGetDriverVersion");
      if (init != NULL && shutdown != NULL && version != NULL && init () == 0)
        {
          if (version (buf, (unsigned) size) != 0)
            buf[0] = '\0';
          shutdown ();
        }
      dlclose (nvml);
    }
  if (buf[0] != '\0' || (f = fopen ("/proc/driver/nvidia/version", "r")) == NULL)
    return;
  /* "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  <date>" */
  if (fgets (line, sizeof line, f) != NULL)
    for (char *tok = strtok_r (line, " \t\n", &save); tok != NULL; tok = strtok_r (NULL, " \t\n", &save))
      if (tok[0] >= '0' && tok[0] <= '9' && strchr (tok, '.') != NULL && strspn (tok, "0123456789.") == strlen (tok))
        {
          snprintf (buf, size, "%s", tok);
          break;
        }
  fclose (f);
}

/* A device attribute for the records, or -1 (written as null) with a warning:
 * a clock the driver does not report is no reason to lose a run. */
static int
device_attribute (cudaDeviceAttr attr, const char *name)
{
  int value = -1;
  cudaError_t e = cudaDeviceGetAttribute (&value, attr, 0);

  if (e != cudaSuccess)
    {
      fprintf (stderr, "cw-bench-kernels: warning: cudaDeviceGetAttribute (%s): %s; recorded as null\n", name,
               cudaGetErrorName (e));
      return -1;
    }
  return value;
}

static void
query_device (void)
{
  OK (cudaGetDeviceProperties (&device.prop, 0));
  OK (cudaDriverGetVersion (&device.driver_api));
  OK (cudaRuntimeGetVersion (&device.runtime));
  device.sm_clock_khz = device_attribute (cudaDevAttrClockRate, "cudaDevAttrClockRate");
  device.memory_clock_khz = device_attribute (cudaDevAttrMemoryClockRate, "cudaDevAttrMemoryClockRate");
  query_driver_version (device.driver_version, sizeof device.driver_version);
}

static const char *
score_kernel_name (CwScoreKernel k)
{
  switch (k)
    {
    case CW_SCORE_KERNEL_AUTO: return "auto";
    case CW_SCORE_KERNEL_MMA_SYNC: return "mma-sync";
    case CW_SCORE_KERNEL_WGMMA: return "wgmma";
    }
  return "unknown";
}

/* Starts a record: the common fields, the device and the kernel options in
 * force. The caller adds "config", the samples, and calls record_write. */
static void
record_begin (const char *benchmark)
{
  const cudaDeviceProp *p = &device.prop;
  const CwKernelOptions *o = cw_kernels_get_options ();
  const unsigned char *u = (const unsigned char *) p->uuid.bytes;
  char text[64];

  cw_bench_records_begin (records, &record, benchmark);
  cw_json_object_begin (&record, "device");
  cw_json_string (&record, "kind", "cuda");
  cw_json_string (&record, "name", p->name);
  snprintf (text, sizeof text, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
            u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  cw_json_string (&record, "uuid", text);
  snprintf (text, sizeof text, "%d.%d", p->major, p->minor);
  cw_json_string (&record, "compute_capability", text);
  cw_json_int (&record, "sm_count", p->multiProcessorCount);
  cw_json_uint (&record, "memory_bytes", p->totalGlobalMem);
  cw_json_string (&record, "driver_version", device.driver_version[0] ? device.driver_version : NULL);
  cw_json_int (&record, "cuda_driver_api_version", device.driver_api);
  cw_json_int (&record, "cuda_runtime_version", device.runtime);
  if (device.sm_clock_khz >= 0)
    cw_json_int (&record, "sm_clock_khz", device.sm_clock_khz);
  else
    cw_json_string (&record, "sm_clock_khz", NULL);
  if (device.memory_clock_khz >= 0)
    cw_json_int (&record, "memory_clock_khz", device.memory_clock_khz);
  else
    cw_json_string (&record, "memory_clock_khz", NULL);
  cw_json_object_end (&record);
  cw_json_object_begin (&record, "kernel_options");
  cw_json_string (&record, "score_kernel", score_kernel_name (o->score_kernel));
  cw_json_uint (&record, "score_keys_per_block", o->score_keys_per_block);
  cw_json_uint (&record, "topk_depth", o->topk_depth);
  cw_json_object_end (&record);
}

static void
record_write (void)
{
  if (!cw_bench_records_write (records, &record))
    {
      fprintf (stderr, "cw-bench-kernels: writing %s: %s\n", records_path, strerror (errno));
      exit (1);
    }
}

/* An oom record's refused workspace bytes: null where the byte count
 * overflowed (UINT64_MAX). */
static void
record_refused (uint64_t refused)
{
  if (refused == UINT64_MAX)
    cw_json_string (&record, "refused_bytes", NULL);
  else
    cw_json_uint (&record, "refused_bytes", refused);
}

/* The shape's members of a record's "config" (opened by the caller). */
static void
record_shape (const CwKernelShape *s)
{
  cw_json_uint (&record, "S", s->sq);
  cw_json_string (&record, "dtype", s->qk_dtype == CW_DTYPE_FP8_E4M3 ? "fp8-e4m3" : "bf16");
  cw_json_uint (&record, "b", s->b);
  cw_json_uint (&record, "h", s->h);
  cw_json_uint (&record, "d", s->d);
  cw_json_uint (&record, "sk", s->sk);
  cw_json_uint (&record, "top_k", s->top_k);
  cw_json_uint (&record, "ratio", s->ratio);
  cw_json_string (&record, "causal", "compressed-causal");
}

static double
gemm_ceiling_tflops (void)
{
  const int n = 8192;
  void *a, *b, *c;
  cublasHandle_t h;
  float alpha = 1.0f, beta = 0.0f;
  cudaEvent_t e0, e1;
  std::vector<double> t;

  OK (cudaMalloc (&a, (size_t) n * n * 2));
  OK (cudaMalloc (&b, (size_t) n * n * 2));
  OK (cudaMalloc (&c, (size_t) n * n * 2));
  fill_qk (a, (size_t) n * n * 2, 11, 0);
  fill_qk (b, (size_t) n * n * 2, 12, 0);
  if (cublasCreate (&h) != CUBLAS_STATUS_SUCCESS)
    {
      fprintf (stderr, "cw-bench-kernels: cublasCreate failed\n");
      exit (1);
    }
  OK (cudaEventCreate (&e0));
  OK (cudaEventCreate (&e1));
  for (int i = 0; i < 13; i++)
    {
      OK (cudaEventRecord (e0));
      if (cublasGemmEx (h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &alpha, a, CUDA_R_16BF, n, b, CUDA_R_16BF, n, &beta, c,
                        CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT) != CUBLAS_STATUS_SUCCESS)
        {
          fprintf (stderr, "cw-bench-kernels: cublasGemmEx failed\n");
          exit (1);
        }
      OK (cudaEventRecord (e1));
      OK (cudaEventSynchronize (e1));
      double ms = elapsed_ms (e0, e1);
      if (i >= 3)
        t.push_back (ms);
    }
  if (cublasDestroy (h) != CUBLAS_STATUS_SUCCESS)
    {
      fprintf (stderr, "cw-bench-kernels: cublasDestroy failed\n");
      exit (1);
    }
  OK (cudaEventDestroy (e0));
  OK (cudaEventDestroy (e1));
  OK (cudaFree (a));
  OK (cudaFree (b));
  OK (cudaFree (c));
  double tflops = 2.0 * n * (double) n * n / (median (t) * 1e-3) / 1e12;
  if (records)
    {
      record_begin ("kernels-ceiling");
      cw_json_object_begin (&record, "config");
      cw_json_string (&record, "what", "cublas-gemm-bf16");
      cw_json_int (&record, "n", n);
      cw_json_object_end (&record);
      cw_json_int (&record, "warmup_runs", 3);
      cw_json_samples (&record, NULL, "ms", t.data (), t.size ());
      cw_json_double (&record, "tflops_at_median", tflops);
      record_write ();
    }
  return tflops;
}

static double
copy_bandwidth_tbs (void)
{
  const size_t bytes = 4ull << 30;
  void *a, *b;
  cudaEvent_t e0, e1;
  std::vector<double> t;
  OK (cudaMalloc (&a, bytes));
  OK (cudaMalloc (&b, bytes));
  fill_qk (a, bytes, 3, 0);
  OK (cudaEventCreate (&e0));
  OK (cudaEventCreate (&e1));
  for (int i = 0; i < 8; i++)
    {
      OK (cudaEventRecord (e0));
      OK (cudaMemcpyAsync (b, a, bytes, cudaMemcpyDeviceToDevice));
      OK (cudaEventRecord (e1));
      OK (cudaEventSynchronize (e1));
      double ms = elapsed_ms (e0, e1);
      if (i >= 2)
        t.push_back (ms);
    }
  OK (cudaEventDestroy (e0));
  OK (cudaEventDestroy (e1));
  OK (cudaFree (a));
  OK (cudaFree (b));
  double tbs = 2.0 * bytes / (median (t) * 1e-3) / 1e12;
  if (records)
    {
      record_begin ("kernels-ceiling");
      cw_json_object_begin (&record, "config");
      cw_json_string (&record, "what", "d2d-copy");
      cw_json_uint (&record, "bytes", bytes);
      cw_json_object_end (&record);
      cw_json_int (&record, "warmup_runs", 2);
      cw_json_samples (&record, NULL, "ms", t.data (), t.size ());
      cw_json_double (&record, "tb_per_s_at_median", tbs);   /* read + write */
      record_write ();
    }
  return tbs;
}

typedef struct {
  void *q, *k;
  float *w;
} Inputs;

static bool
alloc_inputs (const CwKernelShape *s, Inputs *in)
{
  uint64_t eb = cw_kernel_shape_qk_bytes (s);
  uint64_t nq = s->b * s->sq * s->h * s->d * eb, nk = s->b * s->sk * s->d * eb, nw = s->b * s->sq * s->h * 4;
  memset (in, 0, sizeof *in);
  if (cudaMalloc (&in->q, nq) != cudaSuccess || cudaMalloc (&in->k, nk) != cudaSuccess
      || cudaMalloc ((void **) &in->w, nw) != cudaSuccess)
    {
      (void) cudaGetLastError ();   /* clears the refused allocation's error */
      OK (cudaFree (in->q));
      OK (cudaFree (in->k));
      OK (cudaFree (in->w));
      return false;
    }
  fill_qk (in->q, nq, 1234, s->qk_dtype == CW_DTYPE_FP8_E4M3);
  fill_qk (in->k, nk, 5678, s->qk_dtype == CW_DTYPE_FP8_E4M3);
  fill_weights<<<1024, 256>>> (in->w, nw / 4, 99);
  OK (cudaGetLastError ());
  OK (cudaDeviceSynchronize ());
  return true;
}

static void
free_inputs (Inputs *in)
{
  OK (cudaFree (in->q));
  OK (cudaFree (in->k));
  OK (cudaFree (in->w));
}

enum { LANE_STREAMING, LANE_FUSED, LANE_MATERIALIZE };
static const char *lane_names[] = { "streaming", "fused", "materialize" };

/* Runs one lane at shape s; returns false (and *oom_bytes) if its workspace or
 * outputs cannot be allocated. Times `reps` runs after one warm-up when
 * warm != 0; gives every sample and the peak bytes above the inputs. */
static bool
time_lane (int lane, const CwKernelShape *s, const Inputs *in, uint64_t budget, int reps, int warm,
           std::vector<double> *samples, uint64_t *peak_out, uint64_t *oom_bytes)
{
  CwError error = CW_ERROR_INIT;
  uint64_t ws = 0, nout = s->b * s->sq * s->top_k * 4;
  size_t free0, free1, total;
  void *work = NULL;
  int32_t *idx = NULL;
  cudaEvent_t e0, e1;

  samples->clear ();
  if (lane == LANE_STREAMING)
    {
      if (!cw_kernels_streaming_workspace_bytes (s, budget, &ws, &error))
        ws = UINT64_MAX;
    }
  else if (lane == LANE_FUSED)
    {
      if (!cw_kernels_fused_workspace_bytes (s, &ws, &error))
        ws = UINT64_MAX;
    }
  else if (!cw_kernels_materialize_workspace_bytes (s, &ws, &error))
    ws = UINT64_MAX;
  OK (cudaMemGetInfo (&free0, &total));
  if (ws == UINT64_MAX || cudaMalloc (&work, ws) != cudaSuccess || cudaMalloc ((void **) &idx, nout) != cudaSuccess)
    {
      (void) cudaGetLastError ();   /* clears the refused allocation's error */
      OK (cudaFree (work));
      *oom_bytes = ws;
      return false;
    }
  OK (cudaMemGetInfo (&free1, &total));
  *peak_out = free0 - free1;
  OK (cudaEventCreate (&e0));
  OK (cudaEventCreate (&e1));
  /* A stream of our own, as the API asks (cw-kernels.h), not the legacy
   * default stream. */
  cudaStream_t st;
  OK (cudaStreamCreateWithFlags (&st, cudaStreamNonBlocking));
  for (int i = 0; i < reps + (warm ? 1 : 0); i++)
    {
      OK (cudaEventRecord (e0, st));
      if (lane == LANE_STREAMING)
        OK (cw_streaming_run (s, budget, in->q, in->k, in->w, work, idx, NULL, st));
      else if (lane == LANE_FUSED)
        OK (cw_fused_run (s, in->q, in->k, in->w, work, idx, NULL, st));
      else
        OK (cw_materialize_run (s, in->q, in->k, in->w, work, idx, NULL, st));
      OK (cudaEventRecord (e1, st));
      OK (cudaEventSynchronize (e1));
      double ms = elapsed_ms (e0, e1);
      if (i >= (warm ? 1 : 0))
        samples->push_back (ms);
    }
  /* a sanity read of the result: the last row must hold legal, distinct keys */
  {
    std::vector<int32_t> last (s->top_k);
    OK (cudaMemcpy (last.data (), idx + (s->b * s->sq - 1) * s->top_k, s->top_k * 4, cudaMemcpyDeviceToHost));
    uint64_t legal = cw_kernel_shape_legal_keys (s, s->sq - 1);
    for (uint64_t j = 0; j < s->top_k; j++)
      if (j < legal ? (last[j] < 0 || (uint64_t) last[j] >= legal) : last[j] != -1)
        {
          fprintf (stderr, "cw-bench-kernels: %s S=%llu: bad index %d at %llu\n", lane_names[lane],
                   (unsigned long long) s->sq, last[j], (unsigned long long) j);
          exit (1);
        }
  }
  OK (cudaEventDestroy (e0));
  OK (cudaEventDestroy (e1));
  OK (cudaStreamDestroy (st));
  OK (cudaFree (work));
  OK (cudaFree (idx));
  return true;
}

/* One record of a lane at shape s: status "ok" with every sample and the
 * peak above the inputs, "oom" with the refused workspace bytes (null when
 * they overflow uint64), or "inputs-oom" when the inputs did not fit. */
static void
record_lane (const char *benchmark, int lane, const CwKernelShape *s, uint64_t budget, const char *status,
             int warm, const std::vector<double> &t, uint64_t peak, uint64_t refused)
{
  CwError error = CW_ERROR_INIT;
  uint64_t rows = 0;

  if (!records)
    return;
  record_begin (benchmark);
  cw_json_object_begin (&record, "config");
  cw_json_string (&record, "lane", lane_names[lane]);
  record_shape (s);
  if (lane == LANE_STREAMING)
    {
      cw_json_uint (&record, "budget_bytes", budget);
      if (cw_kernels_streaming_rows (s, budget, &rows, &error))
        cw_json_uint (&record, "rows_per_chunk", rows);
      else
        cw_json_string (&record, "rows_per_chunk", NULL);
    }
  cw_json_object_end (&record);
  cw_json_string (&record, "status", status);
  cw_json_int (&record, "warmup_runs", warm ? 1 : 0);
  cw_json_samples (&record, NULL, "ms", t.data (), t.size ());
  if (!strcmp (status, "ok"))
    {
      cw_json_uint (&record, "peak_bytes", peak);
      cw_json_double (&record, "useful_tflops_at_median", useful_flops (s) / (median (t) * 1e-3) / 1e12);
    }
  else if (!strcmp (status, "oom"))
    record_refused (refused);
  record_write ();
}

/* Score-only and top-k-only time of the streaming lane's chunks at S: the
 * second of two passes, each chunk timed on its own; the sample is the sum
 * over the chunks (every chunk's time is kept as chunk_ms). */
static void
split_streaming (const CwKernelShape *s, const Inputs *in, uint64_t budget)
{
  CwError error = CW_ERROR_INIT;
  uint64_t rows, ws, total = s->b * s->sq;
  void *tile;
  int32_t *idx;
  cudaEvent_t e0, e1;
  double ms_score = 0, ms_topk = 0;
  std::vector<double> chunk_score, chunk_topk;

  if (!cw_kernels_streaming_rows (s, budget, &rows, &error) || !cw_kernels_streaming_workspace_bytes (s, budget, &ws, &error))
    {
      fprintf (stderr, "cw-bench-kernels: split S=%llu: %s\n", (unsigned long long) s->sq, error.message);
      exit (1);
    }
  OK (cudaMalloc (&tile, ws));
  OK (cudaMalloc ((void **) &idx, total * s->top_k * 4));
  OK (cudaEventCreate (&e0));
  OK (cudaEventCreate (&e1));
  for (int pass = 0; pass < 2; pass++)
    {
      ms_score = ms_topk = 0;
      chunk_score.clear ();
      chunk_topk.clear ();
      for (uint64_t r0 = 0; r0 < total; r0 += rows)
        {
          uint64_t n = std::min (rows, total - r0);
          OK (cudaEventRecord (e0, 0));
          OK (cw_score_launch (s, CW_SCORE_TILE, in->q, in->k, in->w, r0, n, (float *) tile, s->sk, NULL, 0));
          OK (cudaEventRecord (e1, 0));
          OK (cudaEventSynchronize (e1));
          chunk_score.push_back (elapsed_ms (e0, e1));
          ms_score += chunk_score.back ();
          OK (cudaEventRecord (e0, 0));
          OK (cw_topk_launch (s, (float *) tile, s->sk, r0, n, idx + r0 * s->top_k, NULL, NULL, 0));
          OK (cudaEventRecord (e1, 0));
          OK (cudaEventSynchronize (e1));
          chunk_topk.push_back (elapsed_ms (e0, e1));
          ms_topk += chunk_topk.back ();
        }
    }
  printf ("split S=%llu rows/chunk=%llu: score %.3f ms (%.1f TFLOP/s useful), top-k %.3f ms\n",
          (unsigned long long) s->sq, (unsigned long long) rows, ms_score, useful_flops (s) / (ms_score * 1e-3) / 1e12,
          ms_topk);
  for (int part = 0; records && part < 2; part++)
    {
      const std::vector<double> &chunks = part == 0 ? chunk_score : chunk_topk;
      double sum = part == 0 ? ms_score : ms_topk;
      record_begin ("kernels-split");
      cw_json_object_begin (&record, "config");
      cw_json_string (&record, "part", part == 0 ? "score" : "top-k");
      record_shape (s);
      cw_json_uint (&record, "budget_bytes", budget);
      cw_json_uint (&record, "rows_per_chunk", rows);
      cw_json_object_end (&record);
      cw_json_string (&record, "status", "ok");
      cw_json_int (&record, "warmup_runs", 1);
      cw_json_samples (&record, NULL, "ms", &sum, 1);
      cw_json_array_begin (&record, "chunk_ms");
      for (double c : chunks)
        cw_json_double (&record, NULL, c);
      cw_json_array_end (&record);
      if (part == 0)
        cw_json_double (&record, "useful_tflops_at_median", useful_flops (s) / (sum * 1e-3) / 1e12);
      record_write ();
    }
  OK (cudaEventDestroy (e0));
  OK (cudaEventDestroy (e1));
  OK (cudaFree (tile));
  OK (cudaFree (idx));
}

/* ---- the sparse backward (--backward) ------------------------------------- */

/* The backward of `lane` (streaming: budget; fused: UINT64_MAX) at S: idx
 * from the streaming forward (timed: *fwd), g random; times `reps` backward
 * runs after one warm-up when warm != 0. Returns "ok", "oom" (the backward's
 * workspace or outputs refused: *refused = its workspace bytes, UINT64_MAX
 * when they overflow) or "inputs-oom" (idx or g refused). */
static const char *
time_backward (int lane, const CwKernelShape *s, const Inputs *in, uint64_t budget, int reps, int warm,
               std::vector<double> *bwd, std::vector<double> *fwd, uint64_t *peak_out, uint64_t *refused)
{
  CwError error = CW_ERROR_INIT;
  const uint64_t rows = s->b * s->sq, ne = rows * s->top_k;
  const uint64_t bwd_budget = lane == LANE_FUSED ? UINT64_MAX : budget;
  uint64_t fws = 0, ws = 0;
  size_t free0, free1, total;
  int32_t *idx = NULL;
  float *g = NULL, *dq = NULL, *dw = NULL, *dk = NULL;
  void *work = NULL;
  cudaEvent_t e0, e1;
  cudaStream_t st;

  bwd->clear ();
  fwd->clear ();
  if (cudaMalloc ((void **) &idx, ne * 4) != cudaSuccess || cudaMalloc ((void **) &g, ne * 4) != cudaSuccess)
    {
      (void) cudaGetLastError ();
      OK (cudaFree (idx));
      return "inputs-oom";
    }
  fill_gradient<<<1024, 256>>> (g, ne, 4242);
  OK (cudaGetLastError ());
  OK (cudaEventCreate (&e0));
  OK (cudaEventCreate (&e1));
  OK (cudaStreamCreateWithFlags (&st, cudaStreamNonBlocking));

  /* the forward that makes idx, timed as the forward lane is */
  if (!cw_kernels_streaming_workspace_bytes (s, budget, &fws, &error) || cudaMalloc (&work, fws) != cudaSuccess)
    {
      (void) cudaGetLastError ();
      fprintf (stderr, "cw-bench-kernels: backward S=%llu: the forward's workspace does not fit\n",
               (unsigned long long) s->sq);
      exit (1);
    }
  for (int i = 0; i < reps + (warm ? 1 : 0); i++)
    {
      OK (cudaEventRecord (e0, st));
      OK (cw_streaming_run (s, budget, in->q, in->k, in->w, work, idx, NULL, st));
      OK (cudaEventRecord (e1, st));
      OK (cudaEventSynchronize (e1));
      if (i >= (warm ? 1 : 0))
        fwd->push_back (elapsed_ms (e0, e1));
    }
  OK (cudaFree (work));
  work = NULL;
  OK (cudaDeviceSynchronize ());

  /* the backward's workspace and outputs: the peak above the inputs */
  if (!cw_kernels_backward_sparse_workspace_bytes (s, bwd_budget, &ws, &error))
    ws = UINT64_MAX;
  OK (cudaMemGetInfo (&free0, &total));
  if (ws == UINT64_MAX || cudaMalloc (&work, ws) != cudaSuccess
      || cudaMalloc ((void **) &dq, rows * s->h * s->d * 4) != cudaSuccess
      || cudaMalloc ((void **) &dw, rows * s->h * 4) != cudaSuccess
      || cudaMalloc ((void **) &dk, s->b * s->sk * s->d * 4) != cudaSuccess)
    {
      (void) cudaGetLastError ();
      OK (cudaFree (work));
      OK (cudaFree (dq));
      OK (cudaFree (dw));
      OK (cudaFree (idx));
      OK (cudaFree (g));
      OK (cudaEventDestroy (e0));
      OK (cudaEventDestroy (e1));
      OK (cudaStreamDestroy (st));
      *refused = ws;
      return "oom";
    }
  OK (cudaMemGetInfo (&free1, &total));
  *peak_out = free0 - free1;
  for (int i = 0; i < reps + (warm ? 1 : 0); i++)
    {
      OK (cudaEventRecord (e0, st));
      OK (cw_backward_sparse_run (s, bwd_budget, in->q, in->k, in->w, idx, g, work, dq, dw, dk, st));
      OK (cudaEventRecord (e1, st));
      OK (cudaEventSynchronize (e1));
      if (i >= (warm ? 1 : 0))
        bwd->push_back (elapsed_ms (e0, e1));
    }
  /* a sanity read: the last row's dw and dq and the first key's dk are finite */
  {
    std::vector<float> v (s->h * s->d);
    OK (cudaMemcpy (v.data (), dq + (rows - 1) * s->h * s->d, s->h * s->d * 4, cudaMemcpyDeviceToHost));
    OK (cudaMemcpy (v.data (), dw + (rows - 1) * s->h, s->h * 4, cudaMemcpyDeviceToHost));
    OK (cudaMemcpy (v.data () + s->h, dk, s->d * 4, cudaMemcpyDeviceToHost));
    for (uint64_t i = 0; i < s->h + s->d; i++)
      if (!std::isfinite (v[i]))
        {
          fprintf (stderr, "cw-bench-kernels: backward S=%llu: a gradient is not finite\n", (unsigned long long) s->sq);
          exit (1);
        }
  }
  OK (cudaEventDestroy (e0));
  OK (cudaEventDestroy (e1));
  OK (cudaStreamDestroy (st));
  OK (cudaFree (work));
  OK (cudaFree (dq));
  OK (cudaFree (dw));
  OK (cudaFree (dk));
  OK (cudaFree (idx));
  OK (cudaFree (g));
  return "ok";
}

/* One kernels-backward record: the backward's samples, the forward's in the
 * same run (forward_samples), the peak or the refused workspace bytes. */
static void
record_backward (int lane, const CwKernelShape *s, uint64_t budget, const char *status, int warm,
                 const std::vector<double> &bwd, const std::vector<double> &fwd, uint64_t peak, uint64_t refused)
{
  CwError error = CW_ERROR_INIT;
  uint64_t rows = 0, ws = 0;

  if (!records)
    return;
  record_begin ("kernels-backward");
  cw_json_object_begin (&record, "config");
  cw_json_string (&record, "lane", lane_names[lane]);
  record_shape (s);
  cw_json_string (&record, "forward_lane", "streaming");
  cw_json_uint (&record, "budget_bytes", budget);
  if (lane == LANE_STREAMING)
    {
      if (cw_kernels_backward_sparse_rows (s, budget, &rows, &error))
        cw_json_uint (&record, "rows_per_chunk", rows);
      else
        cw_json_string (&record, "rows_per_chunk", NULL);
    }
  cw_json_object_end (&record);
  cw_json_string (&record, "status", status);
  cw_json_int (&record, "warmup_runs", warm ? 1 : 0);
  cw_json_samples (&record, NULL, "ms", bwd.data (), bwd.size ());
  cw_json_samples (&record, "forward", "ms", fwd.data (), fwd.size ());
  if (!strcmp (status, "ok"))
    {
      cw_json_uint (&record, "peak_bytes", peak);
      if (cw_kernels_backward_sparse_workspace_bytes (s, lane == LANE_FUSED ? UINT64_MAX : budget, &ws, &error))
        cw_json_uint (&record, "workspace_bytes", ws);
    }
  else if (!strcmp (status, "oom"))
    record_refused (refused);
  record_write ();
}

static void
run_backward (const std::vector<int> &lanes, const std::vector<uint64_t> &sizes, uint64_t budget, int fp8)
{
  struct Row { int lane; uint64_t s; double bwd, fwd; uint64_t peak; const char *status; };
  std::vector<Row> rows;

  for (int lane : lanes)
    for (uint64_t S : sizes)
      {
        CwKernelShape s = v4_shape (S, fp8);
        Inputs in;
        std::vector<double> bwd, fwd;
        uint64_t peak = 0, refused = 0;
        const int reps = S <= 65536 ? 10 : S <= 262144 ? 3 : 1, warm = S <= 262144;
        const char *status;

        if (!alloc_inputs (&s, &in))
          {
            printf ("backward %s S=%llu: inputs do not fit\n", lane_names[lane], (unsigned long long) S);
            record_backward (lane, &s, budget, "inputs-oom", 0, bwd, fwd, 0, 0);
            rows.push_back ({ lane, S, 0, 0, 0, "inputs-oom" });
            continue;
          }
        status = time_backward (lane, &s, &in, budget, reps, warm, &bwd, &fwd, &peak, &refused);
        free_inputs (&in);
        record_backward (lane, &s, budget, status, warm, bwd, fwd, peak, refused);
        if (!strcmp (status, "ok"))
          printf ("backward %s S=%llu: %.3f ms (median of %d), forward (streaming) %.3f ms, peak above inputs "
                  "%.3f GiB\n", lane_names[lane], (unsigned long long) S, median (bwd), reps, median (fwd),
                  peak / 1073741824.0);
        else if (!strcmp (status, "oom"))
          printf ("backward %s S=%llu: OOM (workspace %.1f GiB refused)\n", lane_names[lane], (unsigned long long) S,
                  refused == UINT64_MAX ? INFINITY : refused / 1073741824.0);
        else
          printf ("backward %s S=%llu: idx and g do not fit\n", lane_names[lane], (unsigned long long) S);
        rows.push_back ({ lane, S, bwd.empty () ? 0 : median (bwd), fwd.empty () ? 0 : median (fwd), peak, status });
      }
  printf ("\n%-12s %-10s %12s %12s %10s\n", "backward", "S", "bwd ms", "fwd ms", "peak GiB");
  for (const Row &r : rows)
    if (!strcmp (r.status, "ok"))
      printf ("%-12s %-10llu %12.3f %12.3f %10.3f\n", lane_names[r.lane], (unsigned long long) r.s, r.bwd, r.fwd,
              r.peak / 1073741824.0);
    else
      printf ("%-12s %-10llu %12s\n", lane_names[r.lane], (unsigned long long) r.s, r.status);
}

static bool
parse_u64_list (const char *arg, std::vector<uint64_t> *out)
{
  /* strtok on a copy: argv is recorded as the command line afterwards */
  std::string copy = arg;
  char *text = &copy[0];
  out->clear ();
  for (char *tok = strtok (text, ","); tok; tok = strtok (NULL, ","))
    {
      char *end;
      errno = 0;
      unsigned long long v = strtoull (tok, &end, 10);
      if (errno != 0 || *end != '\0' || end == tok || v == 0)
        return false;
      out->push_back (v);
    }
  return !out->empty ();
}

static bool
parse_u64 (const char *text, uint64_t *out)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull (text, &end, 10);
  if (errno != 0 || *end != '\0' || end == text)
    return false;
  *out = v;
  return true;
}

static int
usage_error (const char *message, const char *arg)
{
  fprintf (stderr, "cw-bench-kernels: %s%s%s%s\n", message, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
  return 2;
}

/* Closes the records and checks stdout: the exit status of a run. */
static int
finish (void)
{
  cw_json_clear (&record);
  if (!cw_bench_records_close (records))
    {
      fprintf (stderr, "cw-bench-kernels: closing %s: %s\n", records_path, strerror (errno));
      return 1;
    }
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      fprintf (stderr, "cw-bench-kernels: writing the output failed\n");
      return 1;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  std::vector<uint64_t> sizes = { 32768, 65536, 131072, 262144, 1048576 };
  std::vector<int> lanes = { LANE_STREAMING };
  uint64_t budget = 480ull << 20, split_s = 262144;
  int fp8 = 0, do_ceiling = 1, do_oom = 1, backward = 0;
  int ndev = 0;
  CwKernelOptions ko = *cw_kernels_get_options ();

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const char *v = i + 1 < argc ? argv[i + 1] : NULL;
      uint64_t n;

      if (!strcmp (a, "--sizes") && v)
        {
          if (!parse_u64_list (argv[++i], &sizes))
            return usage_error ("--sizes takes a comma list of positive integers", NULL);
        }
      else if (!strcmp (a, "--lanes") && v)
        {
          std::string list = argv[++i];
          lanes.clear ();
          for (size_t p = 0; p <= list.size ();)
            {
              size_t q = list.find (',', p);
              std::string name = list.substr (p, q == std::string::npos ? std::string::npos : q - p);
              int lane = name == "streaming" ? LANE_STREAMING : name == "fused" ? LANE_FUSED
                         : name == "materialize" ? LANE_MATERIALIZE : -1;
              if (lane < 0)
                return usage_error ("--lanes: streaming, fused or materialize, not", name.c_str ());
              lanes.push_back (lane);
              p = q == std::string::npos ? list.size () + 1 : q + 1;
            }
        }
      else if (!strcmp (a, "--budget-mib") && v)
        {
          if (!parse_u64 (argv[++i], &n) || n == 0 || n > (UINT64_MAX >> 20))
            return usage_error ("--budget-mib takes a positive integer, not", argv[i]);
          budget = n << 20;
        }
      else if (!strcmp (a, "--split") && v)
        {
          if (!parse_u64 (argv[++i], &split_s))
            return usage_error ("--split takes an integer (an S of --sizes; 0 or another S: no split), not", argv[i]);
        }
      else if (!strcmp (a, "--score-kernel") && v)
        {
          v = argv[++i];
          if (!strcmp (v, "auto"))
            ko.score_kernel = CW_SCORE_KERNEL_AUTO;
          else if (!strcmp (v, "mma-sync"))
            ko.score_kernel = CW_SCORE_KERNEL_MMA_SYNC;
          else if (!strcmp (v, "wgmma"))
            ko.score_kernel = CW_SCORE_KERNEL_WGMMA;
          else
            return usage_error ("--score-kernel is auto, mma-sync or wgmma, not", v);
        }
      else if (!strcmp (a, "--keys-per-block") && v)
        {
          if (!parse_u64 (argv[++i], &n) || n > UINT32_MAX)
            return usage_error ("--keys-per-block is 0, 4096, 8192 or 16384, not", argv[i]);
          ko.score_keys_per_block = (uint32_t) n;
        }
      else if (!strcmp (a, "--topk-depth") && v)
        {
          if (!parse_u64 (argv[++i], &n) || n > 64)
            return usage_error ("--topk-depth is 0, 4 or 8, not", argv[i]);
          ko.topk_depth = (unsigned) n;
        }
      else if (!strcmp (a, "--records") && v)
        records_path = argv[++i];
      else if (!strcmp (a, "--fp8"))
        fp8 = 1;
      else if (!strcmp (a, "--backward"))
        backward = 1;
      else if (!strcmp (a, "--no-ceiling"))
        do_ceiling = 0;
      else if (!strcmp (a, "--no-oom"))
        do_oom = 0;
      else
        return usage_error ("unknown argument (or one without its value)", a);
    }
  if (backward)
    for (int lane : lanes)
      if (lane == LANE_MATERIALIZE)
        return usage_error ("--backward: the lanes are streaming and fused, not materialize", NULL);
  /* Values are checked by the library (nothing changes on a bad one). */
  if (cw_kernels_set_options (&ko) != cudaSuccess)
    return usage_error ("--score-kernel/--keys-per-block/--topk-depth: a value the kernels do not take "
                        "(keys per block 0, 4096, 8192 or 16384; top-k depth 0, 4 or 8)", NULL);
  if (cudaGetDeviceCount (&ndev) != cudaSuccess || ndev == 0)
    {
      fprintf (stderr, "cw-bench-kernels: no CUDA device\n");
      return 77;
    }
  /* Opened before anything is measured, so a path that cannot be written
   * fails the run at once. */
  if (records_path && (records = cw_bench_records_open (records_path, argc, argv)) == NULL)
    {
      fprintf (stderr, "cw-bench-kernels: cannot open %s: %s\n", records_path, strerror (errno));
      return 1;
    }
  cw_json_init (&record);
  query_device ();
  printf ("device: %s, %d SMs, %.1f GiB, driver API %d, runtime %d\n", device.prop.name,
          device.prop.multiProcessorCount, device.prop.totalGlobalMem / 1073741824.0, device.driver_api,
          device.runtime);
  printf ("lane: V4-Flash h=64 d=128 top_k=512 m=4 compressed-causal b=1, q/k %s, budget %llu MiB, scores not output\n",
          fp8 ? "fp8-e4m3" : "bf16", (unsigned long long) (budget >> 20));

  double ceiling = 0, bw = 0;
  if (do_ceiling)
    {
      ceiling = gemm_ceiling_tflops ();
      bw = copy_bandwidth_tbs ();
      printf ("ceiling: cuBLAS bf16 8192^3 %.1f TFLOP/s (median of 10); D2D copy %.2f TB/s (read+write)\n", ceiling, bw);
    }
  if (backward)
    {
      run_backward (lanes, sizes, budget, fp8);
      return finish ();
    }

  struct Row { int lane; uint64_t s; double ms, tflops; uint64_t peak; bool ok; };
  std::vector<Row> rows;
  for (int lane : lanes)
    for (uint64_t S : sizes)
      {
        CwKernelShape s = v4_shape (S, fp8);
        Inputs in;
        std::vector<double> t;
        uint64_t peak = 0, oom = 0;
        if (!alloc_inputs (&s, &in))
          {
            printf ("%s S=%llu: inputs do not fit\n", lane_names[lane], (unsigned long long) S);
            record_lane ("kernels-lane", lane, &s, budget, "inputs-oom", 0, t, 0, 0);
            rows.push_back ({ lane, S, 0, 0, 0, false });
            continue;
          }
        int reps = S <= 65536 ? 10 : S <= 262144 ? 3 : 1;
        bool ok = time_lane (lane, &s, &in, budget, reps, S <= 262144, &t, &peak, &oom);
        double ms = ok ? median (t) : 0;
        double tf = ok ? useful_flops (&s) / (ms * 1e-3) / 1e12 : 0;
        if (ok)
          printf ("%s S=%llu: %.3f ms (median of %d), %.1f TFLOP/s useful, peak above inputs %.3f GiB\n",
                  lane_names[lane], (unsigned long long) S, ms, reps, tf, peak / 1073741824.0);
        else
          printf ("%s S=%llu: OOM (%llu bytes)\n", lane_names[lane], (unsigned long long) S, (unsigned long long) oom);
        record_lane ("kernels-lane", lane, &s, budget, ok ? "ok" : "oom", S <= 262144, t, peak, oom);
        rows.push_back ({ lane, S, ms, tf, peak, ok });
        if (lane == LANE_STREAMING && S == split_s)
          split_streaming (&s, &in, budget);
        free_inputs (&in);
      }

  if (do_oom)
    {
      for (int lane = LANE_FUSED; lane <= LANE_MATERIALIZE; lane++)
        {
          uint64_t last_ok = 0;
          for (uint64_t S = 8192; S <= (1ull << 22); S *= 2)
            {
              CwKernelShape s = v4_shape (S, fp8);
              Inputs in;
              std::vector<double> t;
              uint64_t peak = 0, oom = 0;
              if (!alloc_inputs (&s, &in))
                {
                  record_lane ("kernels-oom-sweep", lane, &s, budget, "inputs-oom", 1, t, 0, 0);
                  break;
                }
              bool ok = time_lane (lane, &s, &in, budget, 1, 1, &t, &peak, &oom);
              free_inputs (&in);
              record_lane ("kernels-oom-sweep", lane, &s, budget, ok ? "ok" : "oom", 1, t, peak, oom);
              if (!ok)
                {
                  printf ("%s: runs up to S=%llu; OOM at S=%llu (workspace %.1f GiB refused by cudaMalloc)\n",
                          lane_names[lane], (unsigned long long) last_ok, (unsigned long long) S,
                          oom == UINT64_MAX ? INFINITY : oom / 1073741824.0);
                  break;
                }
              printf ("%s S=%llu: %.3f ms, peak above inputs %.3f GiB\n", lane_names[lane], (unsigned long long) S,
                      median (t), peak / 1073741824.0);
              last_ok = S;
            }
        }
    }

  bool lane_column = lanes.size () > 1 || lanes[0] != LANE_STREAMING;
  printf ("\n%s%-10s %12s %12s %10s %10s\n", lane_column ? "lane         " : "", "S", "ms", "TFLOP/s", "%ceiling",
          "peak GiB");
  for (const Row &r : rows)
    {
      if (lane_column)
        printf ("%-12s ", lane_names[r.lane]);
      if (r.ok)
        printf ("%-10llu %12.3f %12.1f %10.1f %10.3f\n", (unsigned long long) r.s, r.ms, r.tflops,
                ceiling > 0 ? 100.0 * r.tflops / ceiling : 0.0, r.peak / 1073741824.0);
      else
        printf ("%-10llu %12s\n", (unsigned long long) r.s, "no-fit");
    }
  return finish ();
}
