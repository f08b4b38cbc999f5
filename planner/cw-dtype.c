/* cw-dtype.c: dtype names and sizes. */
#include "cw-dtype.h"

#include <strings.h>

#include "cw-bytes.h"

static const struct {
  const char *name;
  unsigned bits;
} dtypes[CW_DTYPE_N_DTYPES] = {
  [CW_DTYPE_FP32] = { "fp32", 32 },
  [CW_DTYPE_BF16] = { "bf16", 16 },
  [CW_DTYPE_FP16] = { "fp16", 16 },
  [CW_DTYPE_FP8_E4M3] = { "fp8-e4m3", 8 },
  [CW_DTYPE_FP4] = { "fp4", 4 },
  [CW_DTYPE_INT32] = { "int32", 32 },
  [CW_DTYPE_INT64] = { "int64", 64 },
};

bool
cw_dtype_from_name (const char *name, CwDtype *out, CwError *error)
{
  if (name == NULL || *name == '\0')
    {
      cw_error_set (error, CW_ERROR_INVALID, "empty dtype name");
      return false;
    }
  for (int i = 0; i < CW_DTYPE_N_DTYPES; i++)
    if (strcasecmp (name, dtypes[i].name) == 0)
      {
        *out = (CwDtype) i;
        return true;
      }
  if (strcasecmp (name, "fp8") == 0 || strcasecmp (name, "e4m3") == 0 ||
      strcasecmp (name, "fp8_e4m3") == 0)
    {
      *out = CW_DTYPE_FP8_E4M3;
      return true;
    }
  cw_error_set (error, CW_ERROR_NOT_FOUND,
                "unknown dtype '%s' (known: fp32, bf16, fp16, fp8-e4m3, fp4, int32, int64)", name);
  return false;
}

const char *
cw_dtype_get_name (CwDtype dtype)
{
  if ((unsigned) dtype >= CW_DTYPE_N_DTYPES)
    return "invalid";
  return dtypes[dtype].name;
}

unsigned
cw_dtype_get_bits (CwDtype dtype)
{
  if ((unsigned) dtype >= CW_DTYPE_N_DTYPES)
    return 0;
  return dtypes[dtype].bits;
}

bool
cw_dtype_tensor_bytes (CwDtype dtype, uint64_t n_elements, uint64_t *out)
{
  uint64_t bits;

  if ((unsigned) dtype >= CW_DTYPE_N_DTYPES)
    return false;
  if (!cw_mul_u64 (n_elements, dtypes[dtype].bits, &bits))
    return false;
  return cw_ceil_div_u64 (bits, 8, out);
}
