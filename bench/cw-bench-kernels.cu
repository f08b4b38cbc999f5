/* cw-bench-kernels.cu: times the indexer lanes on the GPU and prints the
 * numbers bench/RESULTS.md quotes (kernels section).
 *
 * Measured in one run: the device's bf16 matrix-product ceiling (cuBLAS,
 * 8192^3, random data, median of 10) and its copy bandwidth; the streaming
 * lane at V4-Flash dims (h=64 d=128 top_k=512 m=4, compressed-causal, b=1)
 * over a list of S with the peak device memory above the inputs (a free-
 * memory delta around the lane's own allocations: the kernels allocate
 * nothing); the score / top-k split; and for materialize and fused the
 * largest S that runs and the S whose workspace cudaMalloc refuses.
 * Inputs are random (never zeros), drawn on the device.
 *
 * Usage: cw-bench-kernels [--sizes S1,S2,..] [--budget-mib N] [--fp8]
 *                         [--no-ceiling] [--no-oom] [--split S]
 *                         [--score-kernel auto|mma-sync|wgmma]   (CwScoreKernel, cw-kernels.h) */
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vector>
#include <algorithm>

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
median (std::vector<double> v)
{
  std::sort (v.begin (), v.end ());
  return v[v.size () / 2];
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
      float ms;
      OK (cudaEventElapsedTime (&ms, e0, e1));
      if (i >= 3)
        t.push_back (ms);
    }
  cublasDestroy (h);
  cudaFree (a);
  cudaFree (b);
  cudaFree (c);
  return 2.0 * n * (double) n * n / (median (t) * 1e-3) / 1e12;
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
      float ms;
      OK (cudaEventElapsedTime (&ms, e0, e1));
      if (i >= 2)
        t.push_back (ms);
    }
  cudaFree (a);
  cudaFree (b);
  return 2.0 * bytes / (median (t) * 1e-3) / 1e12;
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
      cudaGetLastError ();
      cudaFree (in->q);
      cudaFree (in->k);
      cudaFree (in->w);
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
  cudaFree (in->q);
  cudaFree (in->k);
  cudaFree (in->w);
}

enum { LANE_STREAMING, LANE_FUSED, LANE_MATERIALIZE };
static const char *lane_names[] = { "streaming", "fused", "materialize" };

/* Runs one lane at shape s; returns false (and *oom_bytes) if its workspace or
 * outputs cannot be allocated. Times `reps` runs after one warm-up when
 * warm != 0; reports the median and the peak bytes above the inputs. */
static bool
time_lane (int lane, const CwKernelShape *s, const Inputs *in, uint64_t budget, int reps, int warm, double *ms_out,
           uint64_t *peak_out, uint64_t *oom_bytes)
{
  CwError error = CW_ERROR_INIT;
  uint64_t ws = 0, nout = s->b * s->sq * s->top_k * 4;
  size_t free0, free1, total;
  void *work = NULL;
  int32_t *idx = NULL;
  cudaEvent_t e0, e1;
  std::vector<double> t;

  if (lane == LANE_STREAMING)
    cw_kernels_streaming_workspace_bytes (s, budget, &ws, &error);
  else if (lane == LANE_FUSED)
    cw_kernels_fused_workspace_bytes (s, &ws, &error);
  else if (!cw_kernels_materialize_workspace_bytes (s, &ws, &error))
    ws = UINT64_MAX;
  OK (cudaMemGetInfo (&free0, &total));
  if (ws == UINT64_MAX || cudaMalloc (&work, ws) != cudaSuccess || cudaMalloc ((void **) &idx, nout) != cudaSuccess)
    {
      cudaGetLastError ();
      cudaFree (work);
      *oom_bytes = ws;
      return false;
    }
  OK (cudaMemGetInfo (&free1, &total));
  *peak_out = free0 - free1;
  OK (cudaEventCreate (&e0));
  OK (cudaEventCreate (&e1));
  /* A stream of our own, as the API asks (cw-kernels.h), not the legacy
   * default stream (since v16a; v16a-c timed a lane that behaved
   * differently on the two). */
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
      float ms;
      OK (cudaEventElapsedTime (&ms, e0, e1));
      if (i >= (warm ? 1 : 0))
        t.push_back (ms);
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
  cudaEventDestroy (e0);
  cudaEventDestroy (e1);
  OK (cudaStreamDestroy (st));
  cudaFree (work);
  cudaFree (idx);
  *ms_out = median (t);
  return true;
}

/* Score-only and top-k-only time of the streaming lane's chunks at S. */
static void
split_streaming (const CwKernelShape *s, const Inputs *in, uint64_t budget)
{
  CwError error = CW_ERROR_INIT;
  uint64_t rows, ws, total = s->b * s->sq;
  void *tile;
  int32_t *idx;
  cudaEvent_t e0, e1;
  float ms_score = 0, ms_topk = 0, ms;

  cw_kernels_streaming_rows (s, budget, &rows, &error);
  cw_kernels_streaming_workspace_bytes (s, budget, &ws, &error);
  OK (cudaMalloc (&tile, ws));
  OK (cudaMalloc ((void **) &idx, total * s->top_k * 4));
  OK (cudaEventCreate (&e0));
  OK (cudaEventCreate (&e1));
  for (int pass = 0; pass < 2; pass++)
    {
      ms_score = ms_topk = 0;
      for (uint64_t r0 = 0; r0 < total; r0 += rows)
        {
          uint64_t n = std::min (rows, total - r0);
          OK (cudaEventRecord (e0, 0));
          OK (cw_score_launch (s, CW_SCORE_TILE, in->q, in->k, in->w, r0, n, (float *) tile, s->sk, NULL, 0));
          OK (cudaEventRecord (e1, 0));
          OK (cudaEventSynchronize (e1));
          OK (cudaEventElapsedTime (&ms, e0, e1));
          ms_score += ms;
          OK (cudaEventRecord (e0, 0));
          OK (cw_topk_launch (s, (float *) tile, s->sk, r0, n, idx + r0 * s->top_k, NULL, NULL, 0));
          OK (cudaEventRecord (e1, 0));
          OK (cudaEventSynchronize (e1));
          OK (cudaEventElapsedTime (&ms, e0, e1));
          ms_topk += ms;
        }
    }
  printf ("split S=%llu rows/chunk=%llu: score %.3f ms (%.1f TFLOP/s useful), top-k %.3f ms\n",
          (unsigned long long) s->sq, (unsigned long long) rows, ms_score, useful_flops (s) / (ms_score * 1e-3) / 1e12,
          ms_topk);
  cudaFree (tile);
  cudaFree (idx);
}

int
main (int argc, char **argv)
{
  std::vector<uint64_t> sizes = { 32768, 65536, 131072, 262144, 1048576 };
  uint64_t budget = 480ull << 20, split_s = 262144;
  int fp8 = 0, do_ceiling = 1, do_oom = 1;
  int ndev = 0;

  for (int i = 1; i < argc; i++)
    {
      if (!strcmp (argv[i], "--sizes") && i + 1 < argc)
        {
          sizes.clear ();
          for (char *tok = strtok (argv[++i], ","); tok; tok = strtok (NULL, ","))
            sizes.push_back (strtoull (tok, NULL, 10));
        }
      else if (!strcmp (argv[i], "--budget-mib") && i + 1 < argc)
        budget = strtoull (argv[++i], NULL, 10) << 20;
      else if (!strcmp (argv[i], "--split") && i + 1 < argc)
        split_s = strtoull (argv[++i], NULL, 10);
      else if (!strcmp (argv[i], "--score-kernel") && i + 1 < argc)
        {
          CwKernelOptions ko = *cw_kernels_get_options ();
          const char *v = argv[++i];
          if (!strcmp (v, "auto"))
            ko.score_kernel = CW_SCORE_KERNEL_AUTO;
          else if (!strcmp (v, "mma-sync"))
            ko.score_kernel = CW_SCORE_KERNEL_MMA_SYNC;
          else if (!strcmp (v, "wgmma"))
            ko.score_kernel = CW_SCORE_KERNEL_WGMMA;
          else
            {
              fprintf (stderr, "cw-bench-kernels: --score-kernel is auto, mma-sync or wgmma\n");
              return 2;
            }
          if (cw_kernels_set_options (&ko) != cudaSuccess)
            return 2;
        }
      else if (!strcmp (argv[i], "--fp8"))
        fp8 = 1;
      else if (!strcmp (argv[i], "--no-ceiling"))
        do_ceiling = 0;
      else if (!strcmp (argv[i], "--no-oom"))
        do_oom = 0;
      else
        {
          fprintf (stderr, "cw-bench-kernels: unknown argument '%s'\n", argv[i]);
          return 2;
        }
    }
  if (cudaGetDeviceCount (&ndev) != cudaSuccess || ndev == 0)
    {
      fprintf (stderr, "cw-bench-kernels: no CUDA device\n");
      return 77;
    }
  cudaDeviceProp prop;
  int drv = 0, rt = 0;
  OK (cudaGetDeviceProperties (&prop, 0));
  OK (cudaDriverGetVersion (&drv));
  OK (cudaRuntimeGetVersion (&rt));
  printf ("device: %s, %d SMs, %.1f GiB, driver API %d, runtime %d\n", prop.name, prop.multiProcessorCount,
          prop.totalGlobalMem / 1073741824.0, drv, rt);
  printf ("lane: V4-Flash h=64 d=128 top_k=512 m=4 compressed-causal b=1, q/k %s, budget %llu MiB, scores not output\n",
          fp8 ? "fp8-e4m3" : "bf16", (unsigned long long) (budget >> 20));

  double ceiling = 0, bw = 0;
  if (do_ceiling)
    {
      ceiling = gemm_ceiling_tflops ();
      bw = copy_bandwidth_tbs ();
      printf ("ceiling: cuBLAS bf16 8192^3 %.1f TFLOP/s (median of 10); D2D copy %.2f TB/s (read+write)\n", ceiling, bw);
    }

  struct Row { uint64_t s; double ms, tflops; uint64_t peak; bool ok; };
  std::vector<Row> rows;
  for (uint64_t S : sizes)
    {
      CwKernelShape s = v4_shape (S, fp8);
      Inputs in;
      double ms;
      uint64_t peak = 0, oom = 0;
      if (!alloc_inputs (&s, &in))
        {
          printf ("streaming S=%llu: inputs do not fit\n", (unsigned long long) S);
          rows.push_back ({ S, 0, 0, 0, false });
          continue;
        }
      int reps = S <= 65536 ? 10 : S <= 262144 ? 3 : 1;
      bool ok = time_lane (LANE_STREAMING, &s, &in, budget, reps, S <= 262144, &ms, &peak, &oom);
      double tf = ok ? useful_flops (&s) / (ms * 1e-3) / 1e12 : 0;
      if (ok)
        printf ("streaming S=%llu: %.3f ms (median of %d), %.1f TFLOP/s useful, peak above inputs %.3f GiB\n",
                (unsigned long long) S, ms, reps, tf, peak / 1073741824.0);
      else
        printf ("streaming S=%llu: OOM (%llu bytes)\n", (unsigned long long) S, (unsigned long long) oom);
      rows.push_back ({ S, ms, tf, peak, ok });
      if (S == split_s)
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
              double ms;
              uint64_t peak = 0, oom = 0;
              if (!alloc_inputs (&s, &in))
                break;
              bool ok = time_lane (lane, &s, &in, budget, 1, 1, &ms, &peak, &oom);
              free_inputs (&in);
              if (!ok)
                {
                  printf ("%s: runs up to S=%llu; OOM at S=%llu (workspace %.1f GiB refused by cudaMalloc)\n",
                          lane_names[lane], (unsigned long long) last_ok, (unsigned long long) S,
                          oom == UINT64_MAX ? INFINITY : oom / 1073741824.0);
                  break;
                }
              printf ("%s S=%llu: %.3f ms, peak above inputs %.3f GiB\n", lane_names[lane], (unsigned long long) S, ms,
                      peak / 1073741824.0);
              last_ok = S;
            }
        }
    }

  printf ("\n%-10s %12s %12s %10s %10s\n", "S", "ms", "TFLOP/s", "%ceiling", "peak GiB");
  for (const Row &r : rows)
    if (r.ok)
      printf ("%-10llu %12.3f %12.1f %10.1f %10.3f\n", (unsigned long long) r.s, r.ms, r.tflops,
              ceiling > 0 ? 100.0 * r.tflops / ceiling : 0.0, r.peak / 1073741824.0);
    else
      printf ("%-10llu %12s\n", (unsigned long long) r.s, "no-fit");
  return 0;
}
