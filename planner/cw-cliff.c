/* cw-cliff.c: exact largest-fitting sq / b / h by doubling then bisection. */
#include "cw-cliff.h"

#include <stddef.h>

#include "cw-plan.h"

typedef enum { AXIS_SQ, AXIS_B, AXIS_H } Axis;

static void
set_axis (CwConfig *c, Axis axis, uint64_t v)
{
  switch (axis)
    {
    case AXIS_SQ: c->sq = v; if (c->ratio != 0) c->sk = 0; break;
    case AXIS_B: c->b = v; break;
    case AXIS_H: c->h = v; break;
    }
}

/* 1: fits, 0: does not (including sizes beyond uint64), -1: a real error. */
static int
fits (const CwProfile *profile, CwConfig *c, Axis axis, uint64_t v, uint64_t usable, CwError *error)
{
  CwError e = CW_ERROR_INIT;
  uint64_t peak;

  set_axis (c, axis, v);
  if (cw_plan_eval_peak (profile, c, &peak, &e))
    return peak <= usable;
  if (e.code == CW_ERROR_OVERFLOW)
    return 0;
  if (error != NULL)
    *error = e;
  return -1;
}

static bool
solve (const CwProfile *profile, const CwConfig *base, Axis axis, uint64_t usable,
       uint64_t *out, CwError *error)
{
  CwConfig c = *base;
  uint64_t lo = 1, hi;
  int r;

  *out = 0;
  if (axis == AXIS_SQ && base->ratio != 0)
    lo = base->ratio;   /* the smallest sq with one compressed key */
  r = fits (profile, &c, axis, lo, usable, error);
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
          r = fits (profile, &c, axis, hi, usable, error);
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
      r = fits (profile, &c, axis, hi, usable, error);
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

      r = fits (profile, &c, axis, mid, usable, error);
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

bool
cw_cliff_max_sq (const CwProfile *profile, const CwConfig *base, uint64_t usable_bytes,
                 uint64_t *max_sq, CwError *error)
{
  return solve (profile, base, AXIS_SQ, usable_bytes, max_sq, error);
}

bool
cw_cliff_max_b (const CwProfile *profile, const CwConfig *base, uint64_t usable_bytes,
                uint64_t *max_b, CwError *error)
{
  return solve (profile, base, AXIS_B, usable_bytes, max_b, error);
}

bool
cw_cliff_max_h (const CwProfile *profile, const CwConfig *base, uint64_t usable_bytes,
                uint64_t *max_h, CwError *error)
{
  return solve (profile, base, AXIS_H, usable_bytes, max_h, error);
}
