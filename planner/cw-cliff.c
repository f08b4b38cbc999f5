/* cw-cliff.c: exact largest-fitting sq / b / h / prefix / profile param by
 * doubling then bisection. */
#include "cw-cliff.h"

#include <stddef.h>
#include <string.h>

#include "cw-plan.h"

typedef CwCliffAxis Axis;
#define AXIS_SQ CW_CLIFF_AXIS_SQ
#define AXIS_B CW_CLIFF_AXIS_B
#define AXIS_H CW_CLIFF_AXIS_H
#define AXIS_PREFIX CW_CLIFF_AXIS_PREFIX
#define AXIS_PARAM (CW_CLIFF_AXIS_PREFIX + 1)   /* internal: cw_cliff_solve_param */

/* The param axis, when searching one (NULL otherwise). */
typedef struct {
  CwProfile  *profile;
  const char *name;
  bool        step_tokens;
} ParamAxis;

static void
set_axis (CwConfig *c, Axis axis, const ParamAxis *param_axis, uint64_t v)
{
  switch ((int) axis)
    {
    case AXIS_SQ: c->sq = v; if (c->ratio != 0 || c->prefix != 0) c->sk = 0; break;
    case AXIS_B: c->b = v; break;
    case AXIS_H: c->h = v; break;
    case AXIS_PREFIX: c->prefix = v; c->sk = 0; break;
    case AXIS_PARAM:
      /* The name was checked before the search: setting cannot fail. */
      cw_profile_set_param (param_axis->profile, param_axis->name, v, NULL);
      if (param_axis->step_tokens)
        {
          c->sq = v;
          if (c->ratio != 0 || c->prefix != 0)
            c->sk = 0;
        }
      break;
    }
}

/* 1: fits, 0: does not (including sizes beyond uint64; *overflowed says
 * which), -1: a real error. */
static int
fits_ex (const CwProfile *profile, CwConfig *c, Axis axis, const ParamAxis *pa, uint64_t v, uint64_t usable,
         bool *overflowed, uint64_t *peak_out, CwError *error)
{
  CwError e = CW_ERROR_INIT;
  uint64_t peak;

  set_axis (c, axis, pa, v);
  *overflowed = false;
  if (cw_plan_eval_peak (profile, c, &peak, &e))
    {
      *peak_out = peak;
      return peak <= usable;
    }
  if (e.code == CW_ERROR_OVERFLOW)
    {
      *overflowed = true;
      return 0;
    }
  if (error != NULL)
    *error = e;
  return -1;
}

static int
fits (const CwProfile *profile, CwConfig *c, Axis axis, const ParamAxis *pa, uint64_t v, uint64_t usable,
      CwError *error)
{
  bool overflowed;
  uint64_t peak;

  return fits_ex (profile, c, axis, pa, v, usable, &overflowed, &peak, error);
}

static bool
solve (const CwProfile *profile, const CwConfig *base, Axis axis, const ParamAxis *pa, uint64_t usable,
       uint64_t *out, CwError *error)
{
  CwConfig c = *base;
  uint64_t lo = 1, hi;
  int r;

  *out = 0;
  if (axis == AXIS_SQ && base->ratio != 0 && base->prefix < base->ratio)
    lo = base->ratio - base->prefix;   /* the smallest sq with one compressed key */
  if (axis == AXIS_PREFIX && base->ratio > 1 && base->sq < base->ratio - 1)
    lo = base->ratio - base->sq;       /* the smallest prefix with one compressed key */
  if ((int) axis == AXIS_PARAM && pa->step_tokens && base->ratio != 0 && base->prefix < base->ratio)
    lo = base->ratio - base->prefix;   /* as for sq */
  r = fits (profile, &c, axis, pa, lo, usable, error);
  if (r < 0)
    return false;
  if (r == 0)
    return true; /* nothing fits: *out = 0 */
  hi = lo;
  for (;;)
    {
      if (hi > UINT64_MAX / 2)
        {
          hi = UINT64_MAX;
          r = fits (profile, &c, axis, pa, hi, usable, error);
          if (r < 0)
            return false;
          if (r == 1)
            {
              cw_error_set (error, CW_ERROR_INVALID,
                            "profile '%s' fits at every size: its peak does not grow on this axis",
                            cw_profile_get_name (profile));
              return false;
            }
          break;
        }
      hi *= 2;
      r = fits (profile, &c, axis, pa, hi, usable, error);
      if (r < 0)
        return false;
      if (r == 0)
        break;
      lo = hi;
    }
  /* Invariant: lo fits, hi does not. */
  while (hi - lo > 1)
    {
      uint64_t mid = lo + (hi - lo) / 2;

      r = fits (profile, &c, axis, pa, mid, usable, error);
      if (r < 0)
        return false;
      if (r == 1)
        lo = mid;
      else
        hi = mid;
    }
  *out = lo;
  return true;
}

static bool
solve_result (const CwProfile *profile, const CwConfig *base, Axis axis, const ParamAxis *pa,
              uint64_t usable_bytes, CwCliffResult *result, CwError *error)
{
  CwConfig c = *base;
  bool overflowed = false;
  uint64_t peak = 0;

  *result = (CwCliffResult) { 0 };
  if (!solve (profile, base, axis, pa, usable_bytes, &result->max, error))
    return false;
  if (result->max == 0)
    return true;
  if (fits_ex (profile, &c, axis, pa, result->max, usable_bytes, &overflowed, &peak, error) < 0)
    return false;
  result->peak_at_max = peak;
  if (result->max == UINT64_MAX)
    result->limited_by_overflow = true;
  else if (fits_ex (profile, &c, axis, pa, result->max + 1, usable_bytes, &overflowed, &peak, error) < 0)
    return false;
  else
    result->limited_by_overflow = overflowed;
  return true;
}

bool
cw_cliff_solve (const CwProfile *profile, const CwConfig *base, CwCliffAxis axis,
                uint64_t usable_bytes, CwCliffResult *result, CwError *error)
{
  if ((unsigned) axis > CW_CLIFF_AXIS_PREFIX)
    {
      cw_error_set (error, CW_ERROR_INVALID, "unknown cliff axis");
      return false;
    }
  return solve_result (profile, base, axis, NULL, usable_bytes, result, error);
}

bool
cw_cliff_solve_param (CwProfile *profile, const CwConfig *base, const char *param, bool step_tokens,
                      uint64_t usable_bytes, CwCliffResult *result, CwError *error)
{
  ParamAxis axis = { profile, param, step_tokens };
  uint64_t saved = 0;
  unsigned i, n;
  bool ok;

  n = cw_profile_get_n_params (profile);
  for (i = 0; i < n; i++)
    if (strcmp (cw_profile_get_param_name (profile, i), param) == 0)
      break;
  if (i == n)
    {
      cw_error_set (error, CW_ERROR_NOT_FOUND, "profile '%s' has no param '%s'", cw_profile_get_name (profile),
                    param);
      return false;
    }
  if (step_tokens && base->b != 1)
    {
      cw_error_set (error, CW_ERROR_INVALID,
                    "a step of '%s' tokens needs b = 1 (the step's tokens are sq; b is %llu)", param,
                    (unsigned long long) base->b);
      return false;
    }
  saved = cw_profile_get_param_value (profile, i);
  ok = solve_result (profile, base, (Axis) AXIS_PARAM, &axis, usable_bytes, result, error);
  cw_profile_set_param (profile, param, saved, NULL);
  return ok;
}

bool
cw_cliff_max_sq (const CwProfile *profile, const CwConfig *base, uint64_t usable_bytes,
                 uint64_t *max_sq, CwError *error)
{
  return solve (profile, base, AXIS_SQ, NULL, usable_bytes, max_sq, error);
}

bool
cw_cliff_max_b (const CwProfile *profile, const CwConfig *base, uint64_t usable_bytes,
                uint64_t *max_b, CwError *error)
{
  return solve (profile, base, AXIS_B, NULL, usable_bytes, max_b, error);
}

bool
cw_cliff_max_h (const CwProfile *profile, const CwConfig *base, uint64_t usable_bytes,
                uint64_t *max_h, CwError *error)
{
  return solve (profile, base, AXIS_H, NULL, usable_bytes, max_h, error);
}
