/* cw-lane-fill.cu: device-side random inputs for profiled lanes.
 *
 * The lanes are timed on real-looking data (never zeros, METHOD.md): values
 * come from a counter hash, so filling 16 GiB costs one pass of writes and no
 * host memory, and a seed reproduces the same inputs. */
#include "cw-lane-fill-private.h"

#include <cuda_bf16.h>

static __device__ __forceinline__ uint32_t
hash32 (uint64_t x)
{
  /* splitmix64 finaliser, folded to 32 bits */
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  x ^= x >> 31;
  return (uint32_t) (x ^ (x >> 32));
}

/* uniform in [-1, 1) */
static __device__ __forceinline__ float
uniform_pm1 (uint64_t i, uint64_t seed)
{
  return (float) (hash32 (i * 0x100000001b3ull + seed) >> 8) * (2.0f / 16777216.0f) - 1.0f;
}

static __global__ void
fill_bf16_kernel (__nv_bfloat16 *dst, uint64_t n, uint64_t seed, float scale)
{
  for (uint64_t i = blockIdx.x * (uint64_t) blockDim.x + threadIdx.x; i < n;
       i += (uint64_t) gridDim.x * blockDim.x)
    dst[i] = __float2bfloat16 (uniform_pm1 (i, seed) * scale);
}

static __global__ void
fill_fp8_kernel (uint8_t *dst, uint64_t n, uint64_t seed)
{
  for (uint64_t i = blockIdx.x * (uint64_t) blockDim.x + threadIdx.x; i < n;
       i += (uint64_t) gridDim.x * blockDim.x)
    {
      /* e4m3: sign, exponent 1..8 of 15, any mantissa: |x| in [2^-6, 4),
       * never the NaN encodings 0x7f / 0xff. */
      uint32_t r = hash32 (i * 0x100000001b3ull + seed);
      uint32_t exp = 1 + (r >> 8) % 8;
      dst[i] = (uint8_t) (((r & 1u) << 7) | (exp << 3) | ((r >> 4) & 7u));
    }
}

static __global__ void
fill_f32_kernel (float *dst, uint64_t n, uint64_t seed, float lo, float hi)
{
  for (uint64_t i = blockIdx.x * (uint64_t) blockDim.x + threadIdx.x; i < n;
       i += (uint64_t) gridDim.x * blockDim.x)
    dst[i] = lo + (uniform_pm1 (i, seed) * 0.5f + 0.5f) * (hi - lo);
}

static __global__ void
fill_indices_kernel (int32_t *idx, uint64_t n, uint64_t sk, uint64_t seed)
{
  for (uint64_t i = blockIdx.x * (uint64_t) blockDim.x + threadIdx.x; i < n;
       i += (uint64_t) gridDim.x * blockDim.x)
    {
      uint32_t r = hash32 (i * 0x100000001b3ull + seed);
      uint32_t pick = r % 16;
      int32_t v;
      if (pick == 0)
        v = -1;                                   /* top-k padding */
      else if (pick == 1)
        v = (int32_t) (sk + (r >> 8) % 1000);     /* out of range: must go to the sink */
      else
        v = (int32_t) ((r >> 4) % sk);
      idx[i] = v;
    }
}

static unsigned
grid_for (uint64_t n)
{
  uint64_t blocks = (n + 255) / 256;
  return (unsigned) (blocks < 65536 ? (blocks ? blocks : 1) : 65536);
}

extern "C" cudaError_t
cw_lane_fill_qk (void *dst, uint64_t n, CwDtype dtype, uint64_t seed, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  if (dtype == CW_DTYPE_BF16)
    fill_bf16_kernel<<<grid_for (n), 256, 0, stream>>> ((__nv_bfloat16 *) dst, n, seed, 1.0f);
  else if (dtype == CW_DTYPE_FP8_E4M3)
    fill_fp8_kernel<<<grid_for (n), 256, 0, stream>>> ((uint8_t *) dst, n, seed);
  else
    return cudaErrorInvalidValue;
  return cudaGetLastError ();
}

extern "C" cudaError_t
cw_lane_fill_f32 (float *dst, uint64_t n, uint64_t seed, float lo, float hi, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  fill_f32_kernel<<<grid_for (n), 256, 0, stream>>> (dst, n, seed, lo, hi);
  return cudaGetLastError ();
}

extern "C" cudaError_t
cw_lane_fill_indices (int32_t *idx, uint64_t n, uint64_t sk, uint64_t seed, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  if (sk == 0)
    return cudaErrorInvalidValue;
  fill_indices_kernel<<<grid_for (n), 256, 0, stream>>> (idx, n, sk, seed);
  return cudaGetLastError ();
}
