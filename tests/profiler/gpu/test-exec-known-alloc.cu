/* test-exec-known-alloc.cu: a CUDA program with KNOWN device allocations
 * inside named NVTX ranges, for the `cliffwatch-cli profile --exec` tests
 * (run through libcliffwatch-inject.so; it checks nothing itself).
 *
 *   test-exec-known-alloc [ok|ok-early|segv|oom|nocuda|hang]
 *
 * Sizes are the requested bytes (MiB = 1048576). Ranges are NVTX push/pop
 * unless marked start/end. Device 0, default stream.
 *
 *   cudaSetDevice(0), cudaFree(0)            context created outside any range
 *                                            (ok-early: after "setup" is pushed)
 *   push "setup"
 *     A = cudaMalloc  64 MiB    67108864     kept
 *   pop
 *   push "step"
 *     B = cudaMalloc 256 MiB   268435456
 *     C = cudaMalloc   3 MiB     3145728     kept
 *     D = cudaMalloc   1 B             1
 *     cudaMemcpy HtoD 4096 B into C          (1 MEMCPY, copy kind 1)
 *     cudaMemset(B, 0, 256 MiB)              (1 MEMSET, 268435456 B)
 *     fill_bytes<<<64, 256>>>(C, 3 MiB)      (the only kernel launch)
 *     cudaDeviceSynchronize
 *     push "inner"                           (path step/inner)
 *       E = cudaMalloc 100 MiB 104857600
 *       cudaFree(E)
 *     pop
 *     cudaFree(B), cudaFree(D)
 *   pop
 *   nvtxRangeStartA "window" (start/end range, not push/pop)
 *     F = cudaMalloc  32 MiB    33554432
 *     cudaFree(F)
 *   nvtxRangeEnd
 *   nvtxMarkA "done"                         (instant marker)
 *
 * Live bytes (sum of requested sizes of this program's live allocations):
 *   after setup             67108864   (64 MiB)
 *   peak, in step/inner    443547649   (64+256+3+100 MiB + 1 B; process peak)
 *   at the end of step      70254592   (64+3 MiB)
 *   peak in window         103809024   (64+3+32 MiB)
 * Per range: peak live / bytes allocated inside it
 *   setup         67108864 /  67108864
 *   step         443547649 / 376438785  (256+3+100 MiB + 1 B)
 *   step/inner   443547649 / 104857600
 *   window       103809024 /  33554432
 * Allocations: 6 (A..F), frees inside ranges: 4 (E, B, D, F).
 *
 * Then, by mode:
 *   ok, ok-early  cudaFree(A), cudaFree(C) outside any range; exit 0
 *                 (live bytes end at 0; 6 allocs, 6 frees)
 *   segv          raise(SIGSEGV) with A and C live (70254592 B): killed by SIGSEGV
 *   oom           push "huge": cudaMalloc(1 PiB = 1125899906842624 B) fails with
 *                 cudaErrorMemoryAllocation; one line on stderr; exit(3) with
 *                 "huge" still open and A, C live. Expected: exactly one OOM
 *                 record for 1125899906842624 B.
 *   hang          push "hang", sleep 600 s with A and C live (timeout/kill tests)
 *   nocuda        exit 0 before any CUDA or NVTX call (no spool is written)
 * ok-early pushes "setup" before CUDA is initialised: "setup" is only
 * captured when NVTX_INJECTION64_PATH names libcliffwatch-inject.so (which
 * starts the capture at the first NVTX call), not libcupti.so.
 *
 * Prints nothing unless something fails (exit 1, one line on stderr) or
 * the usage is wrong (exit 2). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#define MIB (1024ull * 1024ull)

#define CHECK(call)                                                                     \
  do {                                                                                  \
    cudaError_t err_ = (call);                                                          \
    if (err_ != cudaSuccess) {                                                          \
      fprintf (stderr, "test-exec-known-alloc: %s: %s\n", #call, cudaGetErrorString (err_)); \
      exit (1);                                                                         \
    }                                                                                   \
  } while (0)

__global__ void
fill_bytes (unsigned char *p, size_t n, unsigned char v)
{
  for (size_t i = (size_t) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t) gridDim.x * blockDim.x)
    p[i] = v;
}

static void *
alloc (size_t bytes)
{
  void *p = NULL;
  CHECK (cudaMalloc (&p, bytes));
  return p;
}

int
main (int argc, char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "ok";
  static unsigned char host[4096];
  bool early;
  void *a, *b, *c, *d, *e, *f;
  nvtxRangeId_t window;

  if (argc > 2
      || (strcmp (mode, "ok") != 0 && strcmp (mode, "ok-early") != 0 && strcmp (mode, "segv") != 0
          && strcmp (mode, "oom") != 0 && strcmp (mode, "nocuda") != 0 && strcmp (mode, "hang") != 0))
    {
      fprintf (stderr, "usage: test-exec-known-alloc [ok|ok-early|segv|oom|nocuda|hang]\n");
      return 2;
    }
  if (strcmp (mode, "nocuda") == 0)
    return 0;
  early = strcmp (mode, "ok-early") == 0;

  if (early)
    nvtxRangePushA ("setup");
  CHECK (cudaSetDevice (0));
  CHECK (cudaFree (0));
  if (!early)
    nvtxRangePushA ("setup");
  a = alloc (64 * MIB);
  nvtxRangePop ();

  nvtxRangePushA ("step");
  b = alloc (256 * MIB);
  c = alloc (3 * MIB);
  d = alloc (1);
  memset (host, 0x11, sizeof host);
  CHECK (cudaMemcpy (c, host, sizeof host, cudaMemcpyHostToDevice));
  CHECK (cudaMemset (b, 0, 256 * MIB));
  fill_bytes<<<64, 256>>> ((unsigned char *) c, 3 * MIB, 0x5a);
  CHECK (cudaGetLastError ());
  CHECK (cudaDeviceSynchronize ());
  nvtxRangePushA ("inner");
  e = alloc (100 * MIB);
  CHECK (cudaFree (e));
  nvtxRangePop ();
  CHECK (cudaFree (b));
  CHECK (cudaFree (d));
  nvtxRangePop ();

  window = nvtxRangeStartA ("window");
  f = alloc (32 * MIB);
  CHECK (cudaFree (f));
  nvtxRangeEnd (window);
  nvtxMarkA ("done");

  if (strcmp (mode, "segv") == 0)
    {
      raise (SIGSEGV);
      return 1;  /* not reached: the default action ends the process */
    }
  if (strcmp (mode, "oom") == 0)
    {
      void *huge = NULL;
      cudaError_t err;

      nvtxRangePushA ("huge");
      err = cudaMalloc (&huge, 1ull << 50);
      (void) cudaGetLastError ();
      if (err != cudaErrorMemoryAllocation)
        {
          fprintf (stderr, "test-exec-known-alloc: cudaMalloc(1 PiB) returned %s, expected cudaErrorMemoryAllocation\n",
                   cudaGetErrorName (err));
          exit (1);
        }
      fprintf (stderr, "test-exec-known-alloc: cudaMalloc(1125899906842624) in range huge: %s\n",
               cudaGetErrorString (err));
      exit (3);
    }
  if (strcmp (mode, "hang") == 0)
    {
      nvtxRangePushA ("hang");
      for (int i = 0; i < 600; i++)
        sleep (1);
      nvtxRangePop ();
    }
  CHECK (cudaFree (a));
  CHECK (cudaFree (c));
  return 0;
}
