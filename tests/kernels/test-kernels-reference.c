/* test-kernels-reference.c: the GPU-free parts of kernels/ (suite kernels-cpu):
 * element conversions, the legal-prefix rule, workspace formulas with their
 * overflow checks, and the float64 reference's score and tie rule on cases
 * worked out by hand. Runs in CI without CUDA. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-kernel-shape.h"
#include "cw-reference.h"

#include "../cw-test.h"

static CwKernelShape
shape_v4 (uint64_t s)
{
  return (CwKernelShape) { .b = 1, .h = 64, .d = 128, .sq = s, .sk = s / 4, .top_k = 512, .ratio = 4,
                           .causal = CW_CAUSAL_COMPRESSED, .qk_dtype = CW_DTYPE_BF16 };
}

static void
test_conversions (void)
{
  CHECK (cw_bf16_from_float (1.0f) == 0x3f80, "bf16(1) = %#x", cw_bf16_from_float (1.0f));
  CHECK (cw_bf16_from_float (-2.0f) == 0xc000, "bf16(-2)");
  /* 1 + 2^-8 is exactly halfway between bf16 1.0 and 1.0078125: ties to even (1.0). */
  CHECK (cw_bf16_from_float (1.00390625f) == 0x3f80, "bf16 tie to even");
  CHECK (cw_bf16_from_float (1.01171875f) == 0x3f82, "bf16 tie to even, odd below");
  CHECK (cw_bf16_to_float (0x3f80) == 1.0f, "bf16 -> float");
  CHECK (isnan (cw_bf16_to_float (cw_bf16_from_float (NAN))), "bf16 NaN");
  CHECK (cw_fp8_e4m3_from_float (1.0f) == 0x38, "e4m3(1) = %#x", cw_fp8_e4m3_from_float (1.0f));
  CHECK (cw_fp8_e4m3_from_float (448.0f) == 0x7e, "e4m3(448)");
  CHECK (cw_fp8_e4m3_from_float (1e6f) == 0x7e, "e4m3 saturates");
  CHECK (cw_fp8_e4m3_from_float (-1e6f) == 0xfe, "e4m3 saturates negative");
  CHECK (cw_fp8_e4m3_to_float (0x01) == ldexpf (1.0f, -9), "e4m3 smallest subnormal");
  CHECK (cw_fp8_e4m3_to_float (0xb8) == -1.0f, "e4m3 -1");
  CHECK (isnan (cw_fp8_e4m3_to_float (0x7f)), "e4m3 NaN");
  /* 1.0625 is halfway between 1.0 (0x38) and 1.125 (0x39): to even, 0x38. */
  CHECK (cw_fp8_e4m3_from_float (1.0625f) == 0x38, "e4m3 tie to even");
  CHECK (cw_fp8_e4m3_from_float (1.1875f) == 0x3a, "e4m3 tie to even, odd below");
  for (int c = 0; c < 0x7f; c++)
    CHECK (cw_fp8_e4m3_from_float (cw_fp8_e4m3_to_float ((uint8_t) c)) == c, "e4m3 round trip %#x", c);
}

static void
test_legal_and_workspace (void)
{
  CwKernelShape s = shape_v4 (1048576);
  CwError error = CW_ERROR_INIT;
  uint64_t v;

  CHECK (cw_kernel_shape_check (&s, &error), "v4 shape: %s", error.message);
  CHECK (cw_kernel_shape_legal_keys (&s, 0) == 0, "L(0) with m=4");
  CHECK (cw_kernel_shape_legal_keys (&s, 3) == 1, "L(3) with m=4");
  CHECK (cw_kernel_shape_legal_keys (&s, 1048575) == 262144, "L(last)");
  s.causal = CW_CAUSAL_CAUSAL;
  CHECK (cw_kernel_shape_legal_keys (&s, 10) == 11, "causal L(10)");
  CHECK (cw_kernel_shape_legal_keys (&s, 900000) == 262144, "causal L clamps to sk");
  s.causal = CW_CAUSAL_NONE;
  CHECK (cw_kernel_shape_legal_keys (&s, 0) == 262144, "none: every key");

  /* the longest legal prefix of a launch's rows: its last row, or the
   * batch's last row where the rows run into the next batch */
  s = shape_v4 (1000);
  s.b = 3;
  CHECK (cw_kernel_shape_longest_legal (&s, 0, 1) == 0, "row 0 alone: L(0) = 0");
  CHECK (cw_kernel_shape_longest_legal (&s, 0, 480) == 120, "rows 0..479: L(479) = %llu",
         (unsigned long long) cw_kernel_shape_longest_legal (&s, 0, 480));
  CHECK (cw_kernel_shape_longest_legal (&s, 900, 200) == 250, "rows 900..1099 cross a batch: L(999) = %llu",
         (unsigned long long) cw_kernel_shape_longest_legal (&s, 900, 200));
  CHECK (cw_kernel_shape_longest_legal (&s, 1000, 7) == 1, "batch 1, rows 0..6: L(6) = %llu",
         (unsigned long long) cw_kernel_shape_longest_legal (&s, 1000, 7));
  CHECK (cw_kernel_shape_longest_legal (&s, 2500, 500) == 250, "batch 2's last row: L(999)");
  s.causal = CW_CAUSAL_CAUSAL;
  CHECK (cw_kernel_shape_longest_legal (&s, 10, 5) == 15, "causal rows 10..14: L(14) = 15");

  s = shape_v4 (1048576);
  CHECK (cw_kernels_streaming_rows (&s, 2ull << 30, &v, &error) && v == 2048, "rows for 2 GiB = %llu",
         (unsigned long long) v);
  CHECK (cw_kernels_streaming_workspace_bytes (&s, 2ull << 30, &v, &error) && v == 2ull << 30, "tile 2 GiB");
  CHECK (cw_kernels_streaming_rows (&s, 100, &v, &error) && v == 1, "tiny budget: one row");
  CHECK (cw_kernels_streaming_workspace_bytes (&s, 100, &v, &error) && v == 1048576, "one row = 4*sk");
  CHECK (cw_kernels_streaming_rows (&s, UINT64_MAX, &v, &error) && v == 1048576, "rows clamp to b*sq");
  s = shape_v4 (65536);
  CHECK (cw_kernels_materialize_workspace_bytes (&s, &v, &error) && v == 279172874240ull,
         "materialize 65536: %llu", (unsigned long long) v);
  CHECK (cw_kernels_fused_workspace_bytes (&s, &v, &error) && v == 4294967296ull, "fused 65536");

  s = shape_v4 (1048576);
  s.sq = 1ull << 40;
  s.sk = 1ull << 30;
  s.b = 1ull << 10;
  cw_error_clear (&error);
  CHECK (!cw_kernels_fused_workspace_bytes (&s, &v, &error) && error.code == CW_ERROR_OVERFLOW,
         "overflow detected (%s)", error.message);
  s = shape_v4 (4096);
  s.h = 48;
  CHECK (!cw_kernel_shape_check (&s, &error) && error.code == CW_ERROR_UNSUPPORTED, "h=48 unsupported");
  s = shape_v4 (4096);
  s.ratio = 0;
  CHECK (!cw_kernel_shape_check (&s, &error) && error.code == CW_ERROR_INVALID, "compressed without ratio");
  s = shape_v4 (4096);
  s.top_k = 4096;
  CHECK (!cw_kernel_shape_check (&s, &error) && error.code == CW_ERROR_UNSUPPORTED, "top_k above limit");
  s = shape_v4 (4096);
  s.sq = 0;
  CHECK (!cw_kernel_shape_check (&s, &error) && error.code == CW_ERROR_INVALID, "sq 0");
}

/* The dense backward's workspace formula (cw-kernel-shape.h): the kernel
 * needs none; the budget bounds the caller's G chunk [rows, sk] fp32. */
static void
test_backward_dense_workspace (void)
{
  CwKernelShape s = shape_v4 (1048576);   /* sk = 262144: one G row is 1 MiB */
  CwError error = CW_ERROR_INIT;
  uint64_t v = 1;

  CHECK (cw_kernels_backward_dense_rows (&s, 2ull << 30, &v, &error) && v == 2048, "G rows for 2 GiB = %llu",
         (unsigned long long) v);
  CHECK (cw_kernels_backward_dense_rows (&s, (2ull << 30) - 1, &v, &error) && v == 2047,
         "G rows for 2 GiB - 1 = %llu", (unsigned long long) v);
  CHECK (cw_kernels_backward_dense_rows (&s, 100, &v, &error) && v == 1, "tiny budget: one G row");
  CHECK (cw_kernels_backward_dense_rows (&s, UINT64_MAX, &v, &error) && v == 1048576, "G rows clamp to b*sq");
  s.b = 3;
  CHECK (cw_kernels_backward_dense_rows (&s, UINT64_MAX, &v, &error) && v == 3 * 1048576, "G rows clamp to b*sq, b = 3");
  v = 1;
  CHECK (cw_kernels_backward_dense_workspace_bytes (&s, 2ull << 30, &v, &error) && v == 0,
         "dense backward workspace = %llu", (unsigned long long) v);
  s.h = 48;
  cw_error_clear (&error);
  CHECK (!cw_kernels_backward_dense_workspace_bytes (&s, 2ull << 30, &v, &error)
         && error.code == CW_ERROR_UNSUPPORTED, "dense backward workspace: the shape's own error");
  cw_error_clear (&error);
  CHECK (!cw_kernels_backward_dense_rows (&s, 2ull << 30, &v, &error) && error.code == CW_ERROR_UNSUPPORTED,
         "dense backward rows: the shape's own error");
}

/* A case small enough to do by hand: h=16 d=64, q and k with few non-zeros. */
static void
test_reference_by_hand (void)
{
  CwKernelShape s = { .b = 1, .h = 16, .d = 64, .sq = 3, .sk = 4, .top_k = 3, .ratio = 0,
                      .causal = CW_CAUSAL_CAUSAL, .qk_dtype = CW_DTYPE_BF16 };
  uint16_t q[3 * 16 * 64], k[4 * 64];
  float w[3 * 16];
  double sc[3 * 4], mag[3 * 4], top[3 * 3];
  int32_t idx[3 * 3];
  CwError error = CW_ERROR_INIT;

  for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
    q[i] = cw_bf16_from_float (0.0f);
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
    k[i] = cw_bf16_from_float (0.0f);
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
    w[i] = 0.0f;
  /* keys: k0 = e0, k1 = 2 e0, k2 = -e0, k3 = e1 */
  k[0 * 64 + 0] = cw_bf16_from_float (1.0f);
  k[1 * 64 + 0] = cw_bf16_from_float (2.0f);
  k[2 * 64 + 0] = cw_bf16_from_float (-1.0f);
  k[3 * 64 + 1] = cw_bf16_from_float (1.0f);
  /* row 2: head 0 q = 3 e0 (w 0.5), head 5 q = -1 e0 + 4 e1 (w -2) */
  q[(2 * 16 + 0) * 64 + 0] = cw_bf16_from_float (3.0f);
  w[2 * 16 + 0] = 0.5f;
  q[(2 * 16 + 5) * 64 + 0] = cw_bf16_from_float (-1.0f);
  q[(2 * 16 + 5) * 64 + 1] = cw_bf16_from_float (4.0f);
  w[2 * 16 + 5] = -2.0f;
  /* row 1: all zero -> scores 0, 0 (ties) */

  CHECK (cw_reference_scores (&s, q, k, w, sc, mag, &error), "scores: %s", error.message);
  /* row 2, t=0: 0.5*relu(3) + -2*relu(-1) = 1.5; t=1: 0.5*6 + -2*relu(-2) = 3;
   * t=2: 0.5*relu(-3) + -2*relu(1) = -2; t=3 illegal (t <= s = 2 is legal: t=3 is not). */
  CHECK (sc[2 * 4 + 0] == 1.5 && sc[2 * 4 + 1] == 3.0 && sc[2 * 4 + 2] == -2.0, "row 2 scores %g %g %g",
         sc[8], sc[9], sc[10]);
  CHECK (isinf (sc[2 * 4 + 3]) && sc[2 * 4 + 3] < 0, "illegal key is -inf");
  CHECK (mag[2 * 4 + 2] == 0.5 * 3.0 + 2.0 * 1.0, "magnitude %g", mag[10]);
  CHECK (sc[1 * 4 + 0] == 0.0 && sc[1 * 4 + 1] == 0.0 && isinf (sc[1 * 4 + 2]), "row 1");

  CHECK (cw_reference_topk (&s, sc, idx, top, &error), "topk: %s", error.message);
  /* row 0: one legal key -> [0, -1, -1] */
  CHECK (idx[0] == 0 && idx[1] == -1 && idx[2] == -1 && isinf (top[1]), "row 0 padded: %d %d %d",
         idx[0], idx[1], idx[2]);
  /* row 1: tie at 0 -> smaller index first */
  CHECK (idx[3] == 0 && idx[4] == 1 && idx[5] == -1, "row 1 tie rule: %d %d %d", idx[3], idx[4], idx[5]);
  /* row 2: 3 (t1), 1.5 (t0), -2 (t2) */
  CHECK (idx[6] == 1 && idx[7] == 0 && idx[8] == 2 && top[8] == -2.0, "row 2 order: %d %d %d", idx[6], idx[7],
         idx[8]);

  /* fp8 inputs go through the same path. */
  {
    uint8_t q8[3 * 16 * 64], k8[4 * 64];
    for (size_t i = 0; i < sizeof q8; i++)
      q8[i] = cw_fp8_e4m3_from_float (cw_bf16_to_float (q[i]));
    for (size_t i = 0; i < sizeof k8; i++)
      k8[i] = cw_fp8_e4m3_from_float (cw_bf16_to_float (k[i]));
    s.qk_dtype = CW_DTYPE_FP8_E4M3;
    CHECK (cw_reference_scores (&s, q8, k8, w, sc, NULL, &error), "fp8 scores: %s", error.message);
    CHECK (sc[2 * 4 + 1] == 3.0, "fp8 row 2 t1 = %g", sc[9]);
  }
}

int
main (void)
{
  test_conversions ();
  test_legal_and_workspace ();
  test_backward_dense_workspace ();
  test_reference_by_hand ();
  if (failures)
    {
      fprintf (stderr, "%d check(s) failed\n", failures);
      return 1;
    }
  printf ("kernels reference: all checks passed\n");
  return 0;
}
