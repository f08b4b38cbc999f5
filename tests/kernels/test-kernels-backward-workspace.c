/* test-kernels-backward-workspace.c: the sparse backward's workspace formulas
 * (cw-kernel-shape.h) on values worked out by hand (suite kernels-cpu, no
 * CUDA):
 *   per_row = top_k * (4*d + 8)
 *   fixed   = 4 * (2*b*sk + 1 + ceil(b*sk / 4096))
 *   rows    = clamp(floor((budget - fixed) / per_row), 1,
 *                   min(b*sq, floor((2^31 - 1) / top_k)))
 *   bytes   = fixed + rows * per_row; fused: rows = b*sq. */
#include <stdio.h>

#include "cw-kernel-shape.h"

#include "../cw-test.h"

static CwKernelShape
shape_v4 (uint64_t s)
{
  return (CwKernelShape) { .b = 1, .h = 64, .d = 128, .sq = s, .sk = s / 4, .top_k = 512, .ratio = 4,
                           .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 };
}

#define U(x) ((unsigned long long) (x))

static void
test_v4 (void)
{
  /* S = 1,048,576: sk = 262,144; per_row = 512 * 520 = 266,240;
   * fixed = 4 * (524,288 + 1 + 64) = 2,097,412. */
  const uint64_t per_row = 266240, fixed = 2097412;
  CwKernelShape s = shape_v4 (1048576);
  CwError error = CW_ERROR_INIT;
  uint64_t rows = 0, bytes = 0;

  /* the bench's 480 MiB budget: (503,316,480 - 2,097,412) / 266,240 = 1882.58 */
  CHECK (cw_kernels_backward_sparse_rows (&s, 480ull << 20, &rows, &error) && rows == 1882, "rows %llu", U (rows));
  CHECK (cw_kernels_backward_sparse_workspace_bytes (&s, 480ull << 20, &bytes, &error) && bytes == 503161092,
         "bytes %llu", U (bytes));
  CHECK (bytes <= 480ull << 20, "the workspace stays within the budget");
  /* the boundaries of one and two rows */
  CHECK (cw_kernels_backward_sparse_rows (&s, 0, &rows, &error) && rows == 1, "budget 0: %llu", U (rows));
  CHECK (cw_kernels_backward_sparse_rows (&s, fixed, &rows, &error) && rows == 1, "budget = fixed: %llu", U (rows));
  CHECK (cw_kernels_backward_sparse_rows (&s, fixed + 2 * per_row - 1, &rows, &error) && rows == 1,
         "one byte short of two rows: %llu", U (rows));
  CHECK (cw_kernels_backward_sparse_rows (&s, fixed + 2 * per_row, &rows, &error) && rows == 2, "two rows: %llu",
         U (rows));
  CHECK (cw_kernels_backward_sparse_workspace_bytes (&s, 1, &bytes, &error) && bytes == fixed + per_row,
         "one row above a tiny budget: %llu", U (bytes));
  /* no budget: every row in one chunk, the fused backward's workspace */
  CHECK (cw_kernels_backward_sparse_rows (&s, UINT64_MAX, &rows, &error) && rows == 1048576, "rows %llu", U (rows));
  CHECK (cw_kernels_backward_sparse_workspace_bytes (&s, UINT64_MAX, &bytes, &error) && bytes == 279174971652ull,
         "bytes %llu", U (bytes));
  CHECK (cw_kernels_backward_fused_workspace_bytes (&s, &bytes, &error) && bytes == 279174971652ull,
         "fused %llu", U (bytes));

  /* b = 8: 8,388,608 rows are above the int32 cap of (2^31 - 1) / 512 =
   * 4,194,303 rows; the streaming chunks stop there, the fused one refuses */
  s.b = 8;
  CHECK (cw_kernels_backward_sparse_rows (&s, UINT64_MAX, &rows, &error) && rows == 4194303, "capped %llu",
         U (rows));
  cw_error_clear (&error);
  CHECK (!cw_kernels_backward_fused_workspace_bytes (&s, &bytes, &error) && error.code == CW_ERROR_UNSUPPORTED,
         "fused above the int32 cap: %s", error.message);
}

static void
test_odd (void)
{
  /* b 3, sk 4097 (4 scan partials of 4096 keys over 12,291 keys), d 64,
   * top_k 2048: per_row = 2048 * 264 = 540,672; fixed = 4 * (24,582 + 1 + 4)
   * = 98,348 */
  CwKernelShape s = { .b = 3, .h = 16, .d = 64, .sq = 5000, .sk = 4097, .top_k = 2048,
                      .causal = CW_CAUSAL_NONE, .qk_dtype = CW_DTYPE_FP8_E4M3 };
  CwError error = CW_ERROR_INIT;
  uint64_t rows = 0, bytes = 0;

  CHECK (cw_kernels_backward_sparse_rows (&s, 98348 + 10 * 540672 + 540671, &rows, &error) && rows == 10,
         "rows %llu", U (rows));
  CHECK (cw_kernels_backward_sparse_workspace_bytes (&s, 98348 + 10 * 540672 + 540671, &bytes, &error)
         && bytes == 98348 + 10 * 540672, "bytes %llu", U (bytes));
  CHECK (cw_kernels_backward_fused_workspace_bytes (&s, &bytes, &error) && bytes == 98348 + 15000ull * 540672,
         "fused %llu", U (bytes));
  CHECK (cw_kernels_backward_sparse_rows (&s, UINT64_MAX, &rows, &error) && rows == 15000, "rows clamp to b*sq");

  /* a shape the kernels do not take: its own error */
  s.h = 48;
  cw_error_clear (&error);
  CHECK (!cw_kernels_backward_sparse_rows (&s, 1 << 30, &rows, &error) && error.code == CW_ERROR_UNSUPPORTED,
         "h = 48 rows");
  cw_error_clear (&error);
  CHECK (!cw_kernels_backward_sparse_workspace_bytes (&s, 1 << 30, &bytes, &error)
         && error.code == CW_ERROR_UNSUPPORTED, "h = 48 bytes");
  cw_error_clear (&error);
  CHECK (!cw_kernels_backward_fused_workspace_bytes (&s, &bytes, &error) && error.code == CW_ERROR_UNSUPPORTED,
         "h = 48 fused");
  s.h = 16;
  s.sk = 0;
  cw_error_clear (&error);
  CHECK (!cw_kernels_backward_sparse_workspace_bytes (&s, 1 << 30, &bytes, &error) && error.code == CW_ERROR_INVALID,
         "sk = 0");
}

int
main (void)
{
  test_v4 ();
  test_odd ();
  if (failures)
    {
      fprintf (stderr, "%d of %d check(s) failed\n", failures, checks);
      return 1;
    }
  printf ("kernels backward workspace: %d checks passed\n", checks);
  return 0;
}
