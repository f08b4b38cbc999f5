/* cw-seconds.c: durations as text. */
#include "cw-seconds.h"

#include <math.h>
#include <stdio.h>

char *
cw_seconds_format (double seconds, char *buf, size_t size)
{
  double a = fabs (seconds);

  if (isnan (seconds))
    snprintf (buf, size, "nan s");
  else if (a < 1e-3)
    snprintf (buf, size, "%.2f us", seconds * 1e6);
  else if (a < 1.0)
    snprintf (buf, size, "%.3f ms", seconds * 1e3);
  else
    snprintf (buf, size, "%.4f s", seconds);
  return buf;
}
