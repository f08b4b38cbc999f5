/* cw-kernel-shape.c: shape checks, the legal-prefix rule and the workspace
 * formulas of cw-kernel-shape.h. Plain C; no CUDA needed. */
#include "cw-kernel-shape.h"

#include <stddef.h>

static bool
mul_u64 (uint64_t a, uint64_t b, uint64_t *out)
{
  return !__builtin_mul_overflow (a, b, out);
}

bool
cw_kernel_shape_from_config (const CwConfig *config, CwKernelShape *shape, CwError *error)
{
  if (config->q_dtype != config->k_dtype)
    {
      cw_error_set (error, CW_ERROR_UNSUPPORTED, "the kernels need q and k in one dtype (q %d, k %d)",
                    (int) config->q_dtype, (int) config->k_dtype);
      return false;
    }
  if (config->prefix != 0)
    {
      cw_error_set (error, CW_ERROR_UNSUPPORTED, "the kernels run a whole prompt, not a step after a prefix (prefix %llu)",
                    (unsigned long long) config->prefix);
      return false;
    }
  *shape = (CwKernelShape) {
    .b = config->b, .h = config->h, .d = config->d, .sq = config->sq,
    .sk = config->ratio != 0 ? config->sq / config->ratio : config->sk,
    .top_k = config->top_k, .ratio = config->ratio, .causal = config->causal,
    .qk_dtype = config->q_dtype,
  };
  return cw_kernel_shape_check (shape, error);
}

uint64_t
cw_kernel_shape_qk_bytes (const CwKernelShape *shape)
{
  return shape->qk_dtype == CW_DTYPE_FP8_E4M3 ? 1 : 2;
}

bool
cw_kernel_shape_check (const CwKernelShape *shape, CwError *error)
{
  uint64_t n;

  if (shape == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "no shape given");
      return false;
    }
  if (shape->b == 0 || shape->sq == 0 || shape->sk == 0 || shape->top_k == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "b, sq, sk and top_k must be at least 1 (b %llu sq %llu sk %llu top_k %llu)",
                    (unsigned long long) shape->b, (unsigned long long) shape->sq,
                    (unsigned long long) shape->sk, (unsigned long long) shape->top_k);
      return false;
    }
  if (shape->h != 16 && shape->h != 32 && shape->h != 64)
    {
      cw_error_set (error, CW_ERROR_UNSUPPORTED, "the kernels take h = 16, 32 or 64 heads, not %llu",
                    (unsigned long long) shape->h);
      return false;
    }
  if (shape->d != 64 && shape->d != 128)
    {
      cw_error_set (error, CW_ERROR_UNSUPPORTED, "the kernels take head dim d = 64 or 128, not %llu",
                    (unsigned long long) shape->d);
      return false;
    }
  if (shape->qk_dtype != CW_DTYPE_BF16 && shape->qk_dtype != CW_DTYPE_FP8_E4M3)
    {
      cw_error_set (error, CW_ERROR_UNSUPPORTED, "the kernels take q/k in bf16 or fp8-e4m3 only");
      return false;
    }
  if (shape->top_k > CW_KERNELS_MAX_TOP_K)
    {
      cw_error_set (error, CW_ERROR_UNSUPPORTED, "top_k %llu is above the kernels' limit of %d",
                    (unsigned long long) shape->top_k, CW_KERNELS_MAX_TOP_K);
      return false;
    }
  if ((unsigned) shape->causal > CW_CAUSAL_COMPRESSED)
    {
      cw_error_set (error, CW_ERROR_INVALID, "unknown causal rule %d", (int) shape->causal);
      return false;
    }
  if (shape->causal == CW_CAUSAL_COMPRESSED && shape->ratio == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "the compressed causal rule needs a ratio of at least 1");
      return false;
    }
  /* Key indices are int32 and the top-k composite stores 0xFFFFFFFF - t. */
  if (shape->sk >= (uint64_t) INT32_MAX)
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "sk %llu does not fit an int32 key index",
                    (unsigned long long) shape->sk);
      return false;
    }
  if (!mul_u64 (shape->b, shape->sq, &n) || !mul_u64 (n, shape->h, &n) || !mul_u64 (n, shape->d, &n)
      || !mul_u64 (n, 4, &n) || !mul_u64 (shape->b, shape->sk, &n) || !mul_u64 (n, shape->d, &n)
      || !mul_u64 (n, 4, &n) || !mul_u64 (shape->b, shape->sq, &n) || !mul_u64 (n, shape->top_k, &n)
      || !mul_u64 (n, 4, &n) || !mul_u64 (shape->b, shape->sq, &n) || !mul_u64 (n, shape->sk + 1, &n))
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "the shape's tensor sizes overflow uint64");
      return false;
    }
  return true;
}

uint64_t
cw_kernel_shape_legal_keys (const CwKernelShape *shape, uint64_t s)
{
  uint64_t l;

  switch (shape->causal)
    {
    case CW_CAUSAL_CAUSAL:
      l = s + 1;
      break;
    case CW_CAUSAL_COMPRESSED:
      l = shape->ratio != 0 ? (s + 1) / shape->ratio : 0;
      break;
    case CW_CAUSAL_NONE:
    default:
      l = shape->sk;
      break;
    }
  return l < shape->sk ? l : shape->sk;
}

uint64_t
cw_kernel_shape_longest_legal (const CwKernelShape *shape, uint64_t first_row, uint64_t rows)
{
  const uint64_t len0 = shape->sq - first_row % shape->sq;   /* rows left in first_row's batch */
  const uint64_t s_max = rows > len0 ? shape->sq - 1 : (first_row + rows - 1) % shape->sq;

  return cw_kernel_shape_legal_keys (shape, s_max);
}

static bool
overflow (CwError *error, const char *what)
{
  cw_error_set (error, CW_ERROR_OVERFLOW, "%s workspace size overflows uint64", what);
  return false;
}

bool
cw_kernels_materialize_workspace_bytes (const CwKernelShape *shape, uint64_t *out, CwError *error)
{
  uint64_t slab, reduced;

  if (!cw_kernel_shape_check (shape, error))
    return false;
  if (!mul_u64 (shape->sq, shape->b, &slab) || !mul_u64 (slab, shape->h, &slab)
      || !mul_u64 (slab, shape->sk, &slab) || !mul_u64 (slab, 4, &slab)
      || !mul_u64 (shape->b, shape->sq, &reduced) || !mul_u64 (reduced, shape->sk, &reduced)
      || !mul_u64 (reduced, 4, &reduced) || __builtin_add_overflow (slab, reduced, out))
    return overflow (error, "materialize");
  return true;
}

bool
cw_kernels_fused_workspace_bytes (const CwKernelShape *shape, uint64_t *out, CwError *error)
{
  if (!cw_kernel_shape_check (shape, error))
    return false;
  if (!mul_u64 (shape->b, shape->sq, out) || !mul_u64 (*out, shape->sk, out) || !mul_u64 (*out, 4, out))
    return overflow (error, "fused");
  return true;
}

bool
cw_kernels_streaming_rows (const CwKernelShape *shape, uint64_t budget, uint64_t *out, CwError *error)
{
  uint64_t row_bytes, rows, total;

  if (!cw_kernel_shape_check (shape, error))
    return false;
  if (!mul_u64 (shape->sk, 4, &row_bytes))
    return overflow (error, "streaming");
  total = shape->b * shape->sq;          /* checked by cw_kernel_shape_check */
  rows = budget / row_bytes;
  if (rows < 1)
    rows = 1;
  if (rows > total)
    rows = total;
  *out = rows;
  return true;
}

bool
cw_kernels_streaming_workspace_bytes (const CwKernelShape *shape, uint64_t budget, uint64_t *out, CwError *error)
{
  uint64_t rows;

  if (!cw_kernels_streaming_rows (shape, budget, &rows, error))
    return false;
  if (!mul_u64 (rows, shape->sk, out) || !mul_u64 (*out, 4, out))
    return overflow (error, "streaming");
  return true;
}

bool
cw_kernels_backward_dense_rows (const CwKernelShape *shape, uint64_t budget, uint64_t *out, CwError *error)
{
  /* The G chunk [rows, sk] fp32 follows the streaming tile's rule. */
  return cw_kernels_streaming_rows (shape, budget, out, error);
}

bool
cw_kernels_backward_dense_workspace_bytes (const CwKernelShape *shape, uint64_t budget, uint64_t *out,
                                           CwError *error)
{
  (void) budget;
  if (!cw_kernel_shape_check (shape, error))
    return false;
  *out = 0;
  return true;
}

/* The sparse backward's parts (cw-kernel-shape.h): per_row and fixed bytes,
 * and the most rows one chunk may hold (its entries are int32). */
static bool
backward_sparse_parts (const CwKernelShape *shape, uint64_t *per_row, uint64_t *fixed, uint64_t *row_cap,
                       CwError *error)
{
  uint64_t keys, partials;

  if (!cw_kernel_shape_check (shape, error))
    return false;
  keys = shape->b * shape->sk;           /* checked by cw_kernel_shape_check */
  partials = keys / CW_BACKWARD_SCAN_TILE + (keys % CW_BACKWARD_SCAN_TILE != 0);
  if (!mul_u64 (shape->d, 4, per_row) || __builtin_add_overflow (*per_row, 8, per_row)
      || !mul_u64 (*per_row, shape->top_k, per_row) || !mul_u64 (keys, 2, fixed)
      || __builtin_add_overflow (*fixed, 1, fixed) || __builtin_add_overflow (*fixed, partials, fixed)
      || !mul_u64 (*fixed, 4, fixed))
    return overflow (error, "sparse backward");
  *row_cap = (uint64_t) INT32_MAX / shape->top_k;
  return true;
}

bool
cw_kernels_backward_sparse_rows (const CwKernelShape *shape, uint64_t budget, uint64_t *out, CwError *error)
{
  uint64_t per_row, fixed, cap, rows;

  if (!backward_sparse_parts (shape, &per_row, &fixed, &cap, error))
    return false;
  rows = budget > fixed ? (budget - fixed) / per_row : 0;
  if (rows < 1)
    rows = 1;
  if (rows > shape->b * shape->sq)
    rows = shape->b * shape->sq;
  if (rows > cap)
    rows = cap;
  *out = rows;
  return true;
}

bool
cw_kernels_backward_sparse_workspace_bytes (const CwKernelShape *shape, uint64_t budget, uint64_t *out,
                                            CwError *error)
{
  uint64_t per_row, fixed, cap, rows;

  if (!backward_sparse_parts (shape, &per_row, &fixed, &cap, error)
      || !cw_kernels_backward_sparse_rows (shape, budget, &rows, error))
    return false;
  if (!mul_u64 (rows, per_row, out) || __builtin_add_overflow (*out, fixed, out))
    return overflow (error, "sparse backward");
  return true;
}

bool
cw_kernels_backward_fused_workspace_bytes (const CwKernelShape *shape, uint64_t *out, CwError *error)
{
  uint64_t per_row, fixed, cap, rows;

  if (!backward_sparse_parts (shape, &per_row, &fixed, &cap, error))
    return false;
  rows = shape->b * shape->sq;
  if (rows > cap)
    {
      cw_error_set (error, CW_ERROR_UNSUPPORTED,
                    "the fused backward holds b*sq*top_k = %llu*%llu entries in one chunk, above int32's %d",
                    (unsigned long long) rows, (unsigned long long) shape->top_k, INT32_MAX);
      return false;
    }
  if (!mul_u64 (rows, per_row, out) || __builtin_add_overflow (*out, fixed, out))
    return overflow (error, "fused backward");
  return true;
}
