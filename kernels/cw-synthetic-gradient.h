/* cw-synthetic-gradient.h: a deterministic upstream gradient for the dense
 * backward, for tests and the profiler (they need a G chunk without a loss).
 *
 *   G(r, t) = (float) (mix (r * 0x9E3779B97F4A7C15 + t) >> 40) * 2^-23 - 1
 *
 * r = b*sq + s is the global row, t the key; mix is SplitMix64's finalizer.
 * The 24 high bits give a value in [-1, 1) that fp32 holds exactly (every
 * step is exact), so host and device compute the same float bit for bit.
 * One inline definition serves C, C++ and CUDA device code
 * (cw_backward_dense_fill_gradient in cw-kernels.h writes it on the GPU). */
#pragma once

#include <stdint.h>

#ifdef __CUDACC__
#define CW_HOST_DEVICE __host__ __device__
#else
#define CW_HOST_DEVICE
#endif

static inline CW_HOST_DEVICE float
cw_synthetic_gradient (uint64_t r, uint64_t t)
{
  uint64_t x = r * UINT64_C (0x9E3779B97F4A7C15) + t;

  x = (x ^ (x >> 30)) * UINT64_C (0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * UINT64_C (0x94D049BB133111EB);
  x ^= x >> 31;
  return (float) (x >> 40) * 0x1p-23f - 1.0f;
}
