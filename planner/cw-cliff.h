/* cw-cliff.h: the largest size at which a profile still fits.
 *
 * Exact integers: the answer n satisfies peak(n) <= usable and
 * peak(n + 1) > usable (or n + 1 overflows uint64 bytes), found by doubling
 * then bisection over cw_plan_eval_peak. Peaks are nondecreasing in sq, b and
 * h for our paths and the published ones (tests/planner checks this); the
 * chunked engine profiles (vllm, sglang) can dip slightly (under 1% in the
 * tests) where row chunking starts, so for them n is a boundary found by
 * bisection (n fits, n + 1 does not), not necessarily the first one. With a ratio, sk
 * follows sq (sk = sq / m). When not even the smallest legal value fits the
 * answer is 0 and *max stays 0: callers must say "does not fit at all". */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-error.h"
#include "cw-profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* With ratio m != 0 sk follows sq (sk = sq / m; ratio 1 is self-attention,
 * sk = sq, as in V3.2) and the search starts at sq = m; with ratio 0 sk stays
 * at base->sk and the search starts at sq = 1. */
/* CW_CLIFF_AXIS_PREFIX: the longest prefix (tokens already cached) at which
 * a step of base->sq tokens still fits, sk following (prefix + sq) / m (or
 * prefix + sq): "the longest context at this chunk size". The search starts
 * at the smallest prefix >= 1 giving one compressed key. */
typedef enum { CW_CLIFF_AXIS_SQ = 0, CW_CLIFF_AXIS_B, CW_CLIFF_AXIS_H, CW_CLIFF_AXIS_PREFIX } CwCliffAxis;

typedef struct {
  uint64_t max;              /* 0: does not fit at the smallest value */
  /* True when max + 1 fails because a size overflows uint64 (or the
   * configuration's element count does), not because the peak exceeds the
   * usable bytes: the profile's peak barely grows on this axis. */
  bool limited_by_overflow;
  uint64_t peak_at_max;      /* peak bytes at max (0 when max is 0) */
} CwCliffResult;

bool cw_cliff_solve (const CwProfile *profile, const CwConfig *base, CwCliffAxis axis,
                     uint64_t usable_bytes, CwCliffResult *result, CwError *error);

/* The largest value of the profile's param `param` at which the plan still
 * fits, other sizes held at base. With step_tokens the step's query tokens
 * follow it (sq = value, sk following as for sq; b must be 1): "the largest
 * max_num_batched_tokens", a full step of that many tokens with every buffer
 * sized by it. The param's value is restored before returning. */
bool cw_cliff_solve_param (CwProfile *profile, const CwConfig *base, const char *param, bool step_tokens,
                           uint64_t usable_bytes, CwCliffResult *result, CwError *error);

bool cw_cliff_max_sq (const CwProfile *profile, const CwConfig *base,
                      uint64_t usable_bytes, uint64_t *max_sq, CwError *error);
bool cw_cliff_max_b (const CwProfile *profile, const CwConfig *base,
                     uint64_t usable_bytes, uint64_t *max_b, CwError *error);
bool cw_cliff_max_h (const CwProfile *profile, const CwConfig *base,
                     uint64_t usable_bytes, uint64_t *max_h, CwError *error);

#ifdef __cplusplus
}
#endif
