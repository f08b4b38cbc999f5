/* cw-dtype.h: the element types a tensor of the indexer can have.
 *
 * Sizes are in bits because fp4 is half a byte: a tensor of n fp4 elements
 * costs ceil(n / 2) bytes (see cw_dtype_tensor_bytes). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CW_DTYPE_FP32 = 0,
  CW_DTYPE_BF16,
  CW_DTYPE_FP16,
  CW_DTYPE_FP8_E4M3,
  CW_DTYPE_FP4,
  CW_DTYPE_INT32,
  CW_DTYPE_INT64,
  CW_DTYPE_N_DTYPES,
} CwDtype;

/* "fp32", "bf16", "fp16", "fp8-e4m3", "fp4", "int32", "int64" (case-insensitive;
 * "fp8" and "e4m3" are accepted for fp8-e4m3). Unknown: false + CW_ERROR_NOT_FOUND. */
bool cw_dtype_from_name (const char *name, CwDtype *out, CwError *error);
const char *cw_dtype_get_name (CwDtype dtype);
unsigned cw_dtype_get_bits (CwDtype dtype);
/* ceil(n_elements * bits / 8); false on overflow. */
bool cw_dtype_tensor_bytes (CwDtype dtype, uint64_t n_elements, uint64_t *out);

#ifdef __cplusplus
}
#endif
