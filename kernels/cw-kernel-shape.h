/* cw-kernel-shape.h: the shape the indexer kernels run at, its legality rule
 * and the exact workspace bytes of each lane.
 *
 * Plain C, no CUDA: the planner, the profiler and the CPU reference use it on
 * machines without a GPU. The kernels (cw-kernels.h) take the same struct.
 *
 * Legal keys of row (b, s) are always a prefix t < L(s):
 *   CW_CAUSAL_NONE        L = sk
 *   CW_CAUSAL_CAUSAL      L = min(s + 1, sk)
 *   CW_CAUSAL_COMPRESSED  L = min((s + 1) / ratio, sk)      (V4 CSA, integer division)
 *
 * Workspace (bytes besides inputs and outputs; the planner's profiles must
 * reproduce these formulas byte for byte; top-k needs no workspace, it
 * selects in shared memory):
 *   materialize  slab fp32 [sq, b, h, sk] + reduced fp32 [b, sq, sk]
 *                = 4*sq*b*h*sk + 4*b*sq*sk
 *   fused        fp32 [b, sq, sk] = 4*b*sq*sk
 *   streaming    tile fp32 [rows, sk] = 4*rows*sk,
 *                rows = clamp(floor(budget / (4*sk)), 1, b*sq)
 *                (the tile exceeds the budget only when a single row does)
 *   index cache reuse: the streaming workspace (an invalid cache promotes the
 *                layer to a streaming recompute)
 *   index mask   none (the mask is an output: uint8 [b*sq, sk + 1], column
 *                sk is the sink slot)
 *
 * Backward (cw-kernels.h; inputs idx, g or G and outputs dq, dw, dk are the
 * caller's, not workspace):
 *   sparse       per chunk of `rows` rows (cw-backward-sparse.cu), in this
 *                order: contributions c fp32 [rows, top_k, d], two entry
 *                lists int32 [rows*top_k] (scattered, sorted), key counts
 *                uint32 [b*sk], key offsets uint32 [b*sk + 1] and scan
 *                partials uint32 [ceil(b*sk / CW_BACKWARD_SCAN_TILE)]:
 *                = fixed + rows*per_row,
 *                per_row = top_k*(4*d + 8),
 *                fixed   = 4*(2*b*sk + 1 + ceil(b*sk / 4096)),
 *                rows = clamp(floor((budget - fixed) / per_row), 1,
 *                             min(b*sq, floor((2^31 - 1) / top_k)))
 *                (0 rows from the budget when budget <= fixed; the int32
 *                cap keeps a chunk's entry numbers in int32: at top_k 512
 *                it is 4,194,303 rows, a 1 TiB workspace).
 *                V4-Flash (h 64, d 128, top_k 512, S = 1,048,576, sk =
 *                262,144, b 1): per_row = 266,240 B, fixed = 2,097,412 B.
 *   fused sparse the same with rows = b*sq (no budget; CW_ERROR_UNSUPPORTED
 *                when b*sq is above the int32 cap): fixed + b*sq*per_row;
 *                cw_backward_sparse_run with budget UINT64_MAX runs it
 *   dense        kernel workspace 0 (dq, dw written per row, dk accumulated
 *                in place). The budget bounds the caller's upstream gradient
 *                chunk G fp32 [rows, sk] = 4*rows*sk,
 *                rows = clamp(floor(budget / (4*sk)), 1, b*sq)
 *                (the streaming lane's rule: a chunk exceeds the budget only
 *                when a single row does)
 * Every formula is evaluated in uint64 with overflow detection. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-dtype.h"
#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint64_t b;          /* batch */
  uint64_t h;          /* indexer heads: 16, 32 or 64 */
  uint64_t d;          /* head dim: 64 or 128 */
  uint64_t sq;         /* query rows per batch entry */
  uint64_t sk;         /* key positions (already divided by the ratio) */
  uint64_t top_k;      /* 1 .. CW_KERNELS_MAX_TOP_K; may exceed sk (rows are padded) */
  uint64_t ratio;      /* m for CW_CAUSAL_COMPRESSED (>= 1); ignored otherwise */
  CwCausal causal;
  CwDtype qk_dtype;    /* CW_DTYPE_BF16 or CW_DTYPE_FP8_E4M3 */
} CwKernelShape;

#define CW_KERNELS_MAX_TOP_K 2048

/* Fills a kernel shape from a planner configuration (sk = sq / ratio when a
 * ratio is set, else the configured sk; qk dtype from q_dtype, which must
 * equal k_dtype). */
bool cw_kernel_shape_from_config (const CwConfig *config, CwKernelShape *shape, CwError *error);

/* True when the kernels take this shape; otherwise CW_ERROR_UNSUPPORTED (h, d,
 * dtype, top_k out of range) or CW_ERROR_INVALID (zero sizes, ratio 0 with the
 * compressed rule, an unknown rule) or CW_ERROR_OVERFLOW (element counts that
 * overflow, or more keys than an int32 index holds). */
bool cw_kernel_shape_check (const CwKernelShape *shape, CwError *error);

/* Bytes of one q or k element (2 for bf16, 1 for fp8 e4m3). */
uint64_t cw_kernel_shape_qk_bytes (const CwKernelShape *shape);

/* L(s) above; exposed so tests, the reference and the profiler agree. */
uint64_t cw_kernel_shape_legal_keys (const CwKernelShape *shape, uint64_t s);

/* The longest L(s) among the flattened (b, s) rows [first_row, first_row +
 * rows), rows >= 1: that of the range's last row, or of the batch's last
 * row where the range runs into the next batch. What one launch over those
 * rows must cover. */
uint64_t cw_kernel_shape_longest_legal (const CwKernelShape *shape, uint64_t first_row, uint64_t rows);

/* Workspace byte counts (formulas above). False + CW_ERROR_OVERFLOW when a
 * product does not fit in uint64, or the shape's own error. */
bool cw_kernels_materialize_workspace_bytes (const CwKernelShape *shape, uint64_t *out, CwError *error);
bool cw_kernels_fused_workspace_bytes (const CwKernelShape *shape, uint64_t *out, CwError *error);
bool cw_kernels_streaming_workspace_bytes (const CwKernelShape *shape, uint64_t budget,
                                           uint64_t *out, CwError *error);
/* Rows of the streaming tile for this budget (formula above). */
bool cw_kernels_streaming_rows (const CwKernelShape *shape, uint64_t budget, uint64_t *out, CwError *error);

/* Backward workspaces (formulas above). The sparse ones are owned by the
 * sparse kernel (cw-backward-sparse.cu): rows of one chunk for this budget,
 * the workspace of cw_backward_sparse_run for the same budget, and the fused
 * backward's (every row in one chunk, no budget). */
#define CW_BACKWARD_SCAN_TILE 4096   /* keys per scan partial of the sparse backward */
bool cw_kernels_backward_sparse_rows (const CwKernelShape *shape, uint64_t budget, uint64_t *out, CwError *error);
bool cw_kernels_backward_sparse_workspace_bytes (const CwKernelShape *shape, uint64_t budget,
                                                 uint64_t *out, CwError *error);
bool cw_kernels_backward_fused_workspace_bytes (const CwKernelShape *shape, uint64_t *out, CwError *error);

/* Rows of one dense-backward chunk for this budget: the most rows whose
 * upstream gradient G fp32 [rows, sk] fits (at least 1, at most b*sq). */
bool cw_kernels_backward_dense_rows (const CwKernelShape *shape, uint64_t budget, uint64_t *out, CwError *error);
/* The workspace of cw_backward_dense_chunk: 0 bytes for every shape and
 * budget (false only for a shape the kernels do not take). */
bool cw_kernels_backward_dense_workspace_bytes (const CwKernelShape *shape, uint64_t budget,
                                                uint64_t *out, CwError *error);

#ifdef __cplusplus
}
#endif
