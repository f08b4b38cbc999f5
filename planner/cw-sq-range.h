/* cw-sq-range.h: a range of query lengths, "FROM:TO[:xFACTOR|+STEP]".
 *
 * The one spelling of an sq sweep (`cliffwatch-cli sweep --sq`, `profile
 * --sweep-sq`): FROM and TO at least 1, FROM <= TO; a geometric step xFACTOR
 * (FACTOR >= 2; the default is x2) or an arithmetic step +STEP (>= 1). The
 * points are FROM, then each step while it stays <= TO and fits in uint64;
 * TO itself is a point only when a step lands on it. Plain C17; errors
 * through CwError, prefixed with the option name the caller passes. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint64_t from, to;
  uint64_t factor;   /* >= 2 for a geometric range; 0 when step is used */
  uint64_t step;     /* >= 1 for an arithmetic range; 0 when factor is used */
} CwSqRange;

/* Parses text; refuses more than max_points points. `option` names the
 * option in messages, e.g. "--sq" gives "--sq: FROM 10 is larger than TO 1". */
bool cw_sq_range_parse (const char *option, const char *text, uint64_t max_points, CwSqRange *range,
                        CwError *error);

/* Number of points (at least 1 for a parsed range). */
uint64_t cw_sq_range_get_n_points (const CwSqRange *range);

/* Advances *sq to the next point: false when the next would pass TO or
 * overflow (then *sq is unchanged). */
bool cw_sq_range_next (const CwSqRange *range, uint64_t *sq);

#ifdef __cplusplus
}
#endif
