/* cw-index-mask.cu: the index-mask update after top-k (graph-safe, and the
 * host-checked counter-example) and the index-cache reuse of shared layers.
 *
 * The graph-safe rule (domain.md section 4): data-dependent decisions are
 * taken by the device with selects, never by the host with a branch, so the
 * captured graph is the same whatever the data.
 *
 * NVTX phase ranges (host-only, legal during capture; see cw-lanes.cu):
 * "mask" around the clear and the scatter; the host-checked variant adds
 * "check" around its device count, copy to the host and synchronization,
 * which is where its capture fails; "cache" around the cache copy. */
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include "cw-kernels-private.h"

cudaError_t cw_streaming_run_gated (const CwKernelShape *shape, uint64_t budget, const void *q, const void *k,
                                    const float *w, void *workspace, int32_t *idx, float *scores,
                                    const int32_t *skip_if_one, cudaStream_t stream);

typedef struct {
  uint64_t sq, sk, ratio, top_k, entries;
  int causal;
} MaskParams;

__device__ __forceinline__ uint64_t
mask_legal (const MaskParams &p, uint64_t s)
{
  uint64_t l = p.causal == CW_CAUSAL_CAUSAL ? s + 1 : p.causal == CW_CAUSAL_COMPRESSED ? (s + 1) / p.ratio : p.sk;
  return l < p.sk ? l : p.sk;
}

/* One thread per top-k entry: validate, select the column (the sink sk for an
 * invalid entry), scatter. `validate` false is the seed's unchecked scatter,
 * only ever run after the host saw zero invalid entries. */
__global__ void
mask_scatter_kernel (MaskParams p, const int32_t *idx, uint8_t *mask, unsigned long long *n_invalid, bool validate)
{
  const uint64_t e = (uint64_t) blockIdx.x * blockDim.x + threadIdx.x;
  bool bad = false;

  if (e < p.entries)
    {
      const uint64_t row = e / p.top_k;
      const int64_t t = idx[e];
      const bool valid = t >= 0 && (uint64_t) t < mask_legal (p, row % p.sq);
      /* select, clamp: an invalid entry lands in the sink column, never out of bounds */
      const uint64_t col = (valid || !validate) ? (uint64_t) t : p.sk;
      mask[row * (p.sk + 1) + (col <= p.sk ? col : p.sk)] = 1;
      bad = !valid;
    }
  if (n_invalid != NULL)
    {
      unsigned ballot = __ballot_sync (0xffffffffu, bad);
      if ((threadIdx.x & 31) == 0 && ballot != 0)
        atomicAdd (n_invalid, (unsigned long long) __popc (ballot));
    }
}

/* Counts invalid entries only (the host-checked variant's validation pass). */
__global__ void
mask_count_kernel (MaskParams p, const int32_t *idx, unsigned long long *n_invalid)
{
  const uint64_t e = (uint64_t) blockIdx.x * blockDim.x + threadIdx.x;
  bool bad = false;

  if (e < p.entries)
    {
      const int64_t t = idx[e];
      bad = !(t >= 0 && (uint64_t) t < mask_legal (p, (e / p.top_k) % p.sq));
    }
  unsigned ballot = __ballot_sync (0xffffffffu, bad);
  if ((threadIdx.x & 31) == 0 && ballot != 0)
    atomicAdd (n_invalid, (unsigned long long) __popc (ballot));
}

static cudaError_t
mask_params (const CwKernelShape *shape, MaskParams *p, unsigned *blocks)
{
  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  p->sq = shape->sq;
  p->sk = shape->sk;
  p->ratio = shape->ratio;
  p->top_k = shape->top_k;
  p->causal = (int) shape->causal;
  p->entries = shape->b * shape->sq * shape->top_k;
  if ((p->entries + 255) / 256 > 0x7fffffffu)
    return cudaErrorInvalidConfiguration;
  *blocks = (unsigned) ((p->entries + 255) / 256);
  return cudaSuccess;
}

static cudaError_t
mask_clear_and_scatter (const CwKernelShape *shape, const MaskParams &p, unsigned blocks, const int32_t *idx,
                        uint8_t *mask, unsigned long long *n_invalid, cudaStream_t stream)
{
  CW_CUDA_TRY (cudaMemsetAsync (mask, 0, shape->b * shape->sq * (shape->sk + 1), stream));
  if (n_invalid != NULL)
    CW_CUDA_TRY (cudaMemsetAsync (n_invalid, 0, sizeof *n_invalid, stream));
  mask_scatter_kernel<<<blocks, 256, 0, stream>>> (p, idx, mask, n_invalid, true);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

cudaError_t
cw_index_mask_update (const CwKernelShape *shape, const int32_t *idx, uint8_t *mask, unsigned long long *n_invalid,
                      cudaStream_t stream)
{
  MaskParams p;
  unsigned blocks;

  CW_CUDA_TRY (mask_params (shape, &p, &blocks));
  CW_PHASE_TRY ("mask", mask_clear_and_scatter (shape, p, blocks, idx, mask, n_invalid, stream));
  return cudaSuccess;
}

/* The host-checked variant's first half: clear, count invalid entries on the
 * device, bring the count to the host and wait for it. */
static cudaError_t
mask_host_check (const CwKernelShape *shape, const MaskParams &p, unsigned blocks, const int32_t *idx, uint8_t *mask,
                 unsigned long long *n_invalid, unsigned long long *host_count, cudaStream_t stream)
{
  CW_CUDA_TRY (cudaMemsetAsync (mask, 0, shape->b * shape->sq * (shape->sk + 1), stream));
  CW_CUDA_TRY (cudaMemsetAsync (n_invalid, 0, sizeof *n_invalid, stream));
  mask_count_kernel<<<blocks, 256, 0, stream>>> (p, idx, n_invalid);
  CW_LAUNCH_TRY ();
  /* The anti-pattern: a host-visible value from a device reduction, a sync,
   * and a host branch on it. Under stream capture the sync is what fails. */
  CW_CUDA_TRY (cudaMemcpyAsync (host_count, n_invalid, sizeof *host_count, cudaMemcpyDeviceToHost, stream));
  CW_CUDA_TRY (cudaStreamSynchronize (stream));
  return cudaSuccess;
}

/* Its second half: the scatter, validating only when the host saw invalid entries. */
static cudaError_t
mask_scatter_checked (const MaskParams &p, unsigned blocks, const int32_t *idx, uint8_t *mask, bool validate,
                      cudaStream_t stream)
{
  mask_scatter_kernel<<<blocks, 256, 0, stream>>> (p, idx, mask, NULL, validate);
  CW_LAUNCH_TRY ();
  return cudaSuccess;
}

cudaError_t
cw_index_mask_update_host_checked (const CwKernelShape *shape, const int32_t *idx, uint8_t *mask,
                                   unsigned long long *n_invalid, cudaStream_t stream)
{
  MaskParams p;
  unsigned blocks;
  unsigned long long host_count = 0;

  if (n_invalid == NULL)
    return cudaErrorInvalidValue;
  CW_CUDA_TRY (mask_params (shape, &p, &blocks));
  CW_PHASE_TRY ("check", mask_host_check (shape, p, blocks, idx, mask, n_invalid, &host_count, stream));
  CW_PHASE_TRY ("mask", mask_scatter_checked (p, blocks, idx, mask, host_count > 0, stream));
  return cudaSuccess;
}

/* Copies the cache when it is valid; records whether the layer promoted. */
__global__ void
cache_copy_kernel (const int32_t *cache_idx, const int32_t *cache_valid, int32_t *idx, uint64_t n, int32_t *promoted)
{
  const bool valid = *cache_valid == 1;
  const uint64_t i = (uint64_t) blockIdx.x * blockDim.x + threadIdx.x;

  if (promoted != NULL && i == 0)
    *promoted = valid ? 0 : 1;
  if (valid && i < n)
    idx[i] = cache_idx[i];
}

cudaError_t
cw_index_cache_reuse (const CwKernelShape *shape, uint64_t budget, const int32_t *cache_idx,
                      const int32_t *cache_valid, const void *q, const void *k, const float *w, void *workspace,
                      int32_t *idx, float *scores, int32_t *promoted, cudaStream_t stream)
{
  uint64_t n;

  if (cache_valid == NULL || cache_idx == NULL)
    return cudaErrorInvalidValue;
  CW_CUDA_TRY (cw_kernels_check_shape_cuda (shape));
  n = shape->b * shape->sq * shape->top_k;
  if ((n + 255) / 256 > 0x7fffffffu)
    return cudaErrorInvalidConfiguration;
  nvtxRangePushA ("cache");
  cache_copy_kernel<<<(unsigned) ((n + 255) / 256), 256, 0, stream>>> (cache_idx, cache_valid, idx, n, promoted);
  nvtxRangePop ();
  CW_LAUNCH_TRY ();
  /* Every recompute kernel is launched and reads the flag itself: a valid
   * cache makes them return at once; an invalid one (fail closed) makes the
   * layer a full streaming recompute. */
  return cw_streaming_run_gated (shape, budget, q, k, w, workspace, idx, scores, cache_valid, stream);
}
