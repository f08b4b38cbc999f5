/* cw-sq-range.c: parsing and walking "FROM:TO[:xFACTOR|+STEP]". */
#include "cw-sq-range.h"

#include <stdio.h>
#include <string.h>

#include "cw-bytes.h"
#include "cw-parse.h"

bool
cw_sq_range_next (const CwSqRange *range, uint64_t *sq)
{
  uint64_t next;

  if (range->step != 0 ? !cw_add_u64 (*sq, range->step, &next) : !cw_mul_u64 (*sq, range->factor, &next))
    return false;
  if (next > range->to || next <= *sq)
    return false;
  *sq = next;
  return true;
}

uint64_t
cw_sq_range_get_n_points (const CwSqRange *range)
{
  uint64_t n = 1, sq = range->from;

  if (range->from > range->to)
    return 0;
  if (range->step != 0)
    return (range->to - range->from) / range->step + 1;
  while (cw_sq_range_next (range, &sq))   /* at most 64 steps: factor >= 2 */
    n++;
  return n;
}

bool
cw_sq_range_parse (const char *option, const char *text, uint64_t max_points, CwSqRange *range, CwError *error)
{
  char buf[128], name[96];
  char *second, *third;
  CwSqRange r = { 0, 0, 2, 0 };

  if (strlen (text) >= sizeof buf)
    goto bad;
  snprintf (buf, sizeof buf, "%s", text);
  second = strchr (buf, ':');
  if (second == NULL)
    goto bad;
  *second++ = '\0';
  third = strchr (second, ':');
  if (third != NULL)
    *third++ = '\0';
  snprintf (name, sizeof name, "%s FROM", option);
  if (!cw_parse_positive_u64 (name, buf, false, &r.from, error))
    return false;
  snprintf (name, sizeof name, "%s TO", option);
  if (!cw_parse_positive_u64 (name, second, false, &r.to, error))
    return false;
  if (third != NULL)
    {
      if (third[0] == 'x')
        {
          snprintf (name, sizeof name, "%s xFACTOR", option);
          if (!cw_parse_u64 (name, third + 1, false, &r.factor, error))
            return false;
          if (r.factor < 2)
            {
              cw_error_set (error, CW_ERROR_INVALID, "%s: factor must be at least 2, got '%s'", option, third);
              return false;
            }
        }
      else if (third[0] == '+')
        {
          snprintf (name, sizeof name, "%s +STEP", option);
          if (!cw_parse_positive_u64 (name, third + 1, false, &r.step, error))
            return false;
          r.factor = 0;
        }
      else
        goto bad;
    }
  if (r.from > r.to)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: FROM %llu is larger than TO %llu", option,
                    (unsigned long long) r.from, (unsigned long long) r.to);
      return false;
    }
  if (cw_sq_range_get_n_points (&r) > max_points)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: more than %llu points", option, (unsigned long long) max_points);
      return false;
    }
  *range = r;
  return true;
bad:
  cw_error_set (error, CW_ERROR_INVALID, "%s: '%s' is not FROM:TO[:xFACTOR|+STEP]", option, text);
  return false;
}
