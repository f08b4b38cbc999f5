/* cw-gpu.h: GPU capacity presets from data/gpus/NAME.gpu.
 *
 * total_bytes is what the device reports (cudaMemGetInfo / nvidia-smi), each
 * file citing its source. usable = total - reserve; the reserve (CUDA context,
 * framework, fragmentation) is an input with a per-GPU default. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  char name[64];             /* canonical, e.g. "h100-80gb" */
  char description[160];
  char source[256];          /* where total_bytes comes from */
  uint64_t total_bytes;
  uint64_t reserve_bytes;    /* default reserve */
} CwGpu;

/* Case-insensitive name or alias. Returns a malloc'd CwGpu (cw_gpu_free), or
 * NULL with CW_ERROR_NOT_FOUND / CW_ERROR_PARSE. */
CwGpu *cw_gpu_lookup (const char *name, CwError *error);
void cw_gpu_free (CwGpu *gpu);
char **cw_gpu_list (CwError *error);

/* total - reserve; reserve > total is CW_ERROR_INVALID. */
bool cw_gpu_usable_bytes (uint64_t total_bytes, uint64_t reserve_bytes,
                          uint64_t *usable, CwError *error);

#ifdef __cplusplus
}
#endif
