/* cw-config.h: one indexer configuration, the planner's input.
 *
 * A plain value struct: copy it, tweak a field, re-plan. sk is either given
 * (ratio == 0) or derived from sq by the compression ratio m: sk = sq / m
 * (floor), the number of compressed keys a V4 CSA layer holds for sq tokens.
 *
 * One engine step (a chunk of a chunked prefill, or a decode step of next_n
 * tokens) is sq new tokens after `prefix` tokens already in the cache: the
 * keys are then derived from both, sk = (prefix + sq) / m with a ratio, or
 * prefix + sq without one (sk is not given then: it is 0 or that value).
 * Query s of the step sits at position prefix + s, so the causal rules read
 * t <= prefix + s and t < (prefix + s + 1) / m. prefix 0 (the default) is a
 * whole prompt, and every rule above is unchanged. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-dtype.h"
#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CW_CAUSAL_NONE = 0,        /* every key is legal */
  CW_CAUSAL_CAUSAL,          /* t <= s */
  CW_CAUSAL_COMPRESSED,      /* t < (s + 1) / m  (V4 CSA) */
} CwCausal;

typedef struct {
  uint64_t b;                /* batch */
  uint64_t h;                /* indexer heads */
  uint64_t d;                /* indexer head dim */
  uint64_t sq;               /* query tokens */
  uint64_t sk;               /* key positions; ignored when ratio != 0 */
  uint64_t ratio;            /* compression ratio m; 0 = sk is given */
  uint64_t top_k;            /* keys kept per query */
  CwCausal causal;
  CwDtype q_dtype;
  CwDtype k_dtype;
  CwDtype w_dtype;           /* per-head weights */
  CwDtype score_dtype;       /* logits / scores */
  CwDtype index_dtype;       /* top-k indices */
  uint64_t chunk_budget_bytes; /* streaming workspace budget */
  uint64_t granularity;      /* every allocation rounds up to this (1 = exact) */
  uint64_t prefix;           /* tokens already in the cache before these sq (0: a whole prompt) */
} CwConfig;

/* b=1 h=64 d=128 sq=sk=4096 ratio=0 top_k=2048 causal; q/k bf16, w/score fp32,
 * index int32; budget 512 MiB; granularity 1; prefix 0. */
void cw_config_init_default (CwConfig *config);

/* Checks zero sizes, sk/ratio conflicts (sk must be 0 or sq/m when ratio is
 * set; 0 or the derived value when a prefix is set), prefix + sq overflowing,
 * sk == 0 after the ratio, causal-compressed without a ratio,
 * bad dtypes, granularity 0, and that b*h*d*sq*sk fits in uint64. top_k > sk is
 * allowed (rows are padded, outputs stay [b, sq, top_k]). */
bool cw_config_validate (const CwConfig *config, CwError *error);

/* (prefix + sq) / ratio when ratio != 0, else prefix + sq when prefix != 0,
 * else sk. (prefix + sq saturates at UINT64_MAX; validation refuses that.) */
uint64_t cw_config_get_sk (const CwConfig *config);

/* "Same configuration except sq", the one rule (chart receipts on a plan's
 * curve, the Compare page, calibration families): is `point` (a receipt's
 * configuration) the configuration `sweep` at the point's own sq?
 *   - every field but sq, sk and ratio is equal, the streaming budget, the
 *     allocation granularity and the prefix included: they change the bytes
 *     the planner predicts, and a configuration is all of its fields;
 *   - with a prefix sk follows prefix + sq (divided by the ratio if any);
 *   - a sweep with a ratio m moves sk with sq (sk = sq / m): the point has
 *     ratio m, or no ratio and sk = its sq / m (a receipt that stored its key
 *     count instead of its ratio is that configuration at that sq);
 *   - a sweep without a ratio keeps sk fixed (ratio 0 means sk is given, see
 *     above): the point has no ratio and the same sk.
 * It is a question about a sweep and a point, so it is not symmetric: a
 * ratio-0 point can lie on a ratio-m sweep, not the other way round. Callers
 * that compare work rather than memory (calibration) set the memory-only
 * fields aside themselves, explicitly. */
bool cw_config_is_on_sweep (const CwConfig *sweep, const CwConfig *point);

bool cw_causal_from_name (const char *name, CwCausal *out, CwError *error);
const char *cw_causal_get_name (CwCausal causal);

/* One line naming every field ("b=1 h=64 d=128 sq=65536 sk=16384 (ratio 4)
 * top_k=512 causal-compressed q=bf16 ..."): what the front ends print and
 * what charts carry as provenance. */
void cw_config_describe (const CwConfig *config, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
