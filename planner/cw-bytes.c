/* cw-bytes.c: overflow-checked uint64 helpers and size formatting. */
#include "cw-bytes.h"

#include <math.h>

#include <stdio.h>

bool
cw_add_u64 (uint64_t a, uint64_t b, uint64_t *out)
{
  uint64_t r;

  if (__builtin_add_overflow (a, b, &r))
    return false;
  *out = r;
  return true;
}

bool
cw_sub_u64 (uint64_t a, uint64_t b, uint64_t *out)
{
  if (b > a)
    return false;
  *out = a - b;
  return true;
}

bool
cw_mul_u64 (uint64_t a, uint64_t b, uint64_t *out)
{
  uint64_t r;

  if (__builtin_mul_overflow (a, b, &r))
    return false;
  *out = r;
  return true;
}

bool
cw_ceil_div_u64 (uint64_t a, uint64_t b, uint64_t *out)
{
  if (b == 0)
    return false;
  /* a / b + (a % b != 0) never overflows, unlike (a + b - 1) / b. */
  *out = a / b + (a % b != 0);
  return true;
}

bool
cw_align_up_u64 (uint64_t a, uint64_t align, uint64_t *out)
{
  uint64_t q;

  if (align <= 1)
    {
      *out = a;
      return true;
    }
  if (!cw_ceil_div_u64 (a, align, &q))
    return false;
  return cw_mul_u64 (q, align, out);
}

static void
format_scaled (uint64_t bytes, double base, const char *const *units, char *buf, size_t size)
{
  double v = (double) bytes;
  unsigned u = 0;

  while (v >= base && units[u + 1] != NULL)
    {
      v /= base;
      u++;
    }
  if (u == 0)
    snprintf (buf, size, "%llu %s", (unsigned long long) bytes, units[0]);
  else
    snprintf (buf, size, "%.2f %s", v, units[u]);
}

static const char *const binary_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", NULL };
static const char *const decimal_units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", NULL };

char *
cw_bytes_format_gib (uint64_t bytes, char *buf, size_t size)
{
  format_scaled (bytes, 1024.0, binary_units, buf, size);
  return buf;
}

char *
cw_bytes_format (uint64_t bytes, char *buf, size_t size)
{
  char bin[32];
  char dec[32];

  if (bytes < 1024)
    {
      snprintf (buf, size, "%llu B", (unsigned long long) bytes);
      return buf;
    }
  format_scaled (bytes, 1024.0, binary_units, bin, sizeof bin);
  format_scaled (bytes, 1000.0, decimal_units, dec, sizeof dec);
  snprintf (buf, size, "%llu B (%s, %s)", (unsigned long long) bytes, bin, dec);
  return buf;
}

bool
cw_round_u64 (double x, uint64_t *out)
{
  double r;

  if (!isfinite (x) || x < -0.5)
    return false;
  r = floor (x + 0.5);
  if (r >= 18446744073709551616.0)  /* 2^64 */
    return false;
  *out = (uint64_t) r;
  return true;
}
