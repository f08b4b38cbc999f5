/* cw-chart-axis.c: nice tick generation and unit-aware tick labels.
 *
 * Linear axes step in 1/2/5 x 10^n (in 1024-based units for bytes and
 * tokens, so ticks read "0, 8 GiB, 16 GiB" rather than "8.59e9"). Log axes
 * over bytes/tokens tick at powers of two because buffer sizes and context
 * lengths are powers of two in practice; plain numbers tick at decades. */
#include "cw-chart-axis.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Writes v with at most `decimals` fractional digits, trailing zeros cut.
 *
 * snprintf writes the decimal separator of the current LC_NUMERIC ("," in
 * German once the workbench has called setlocale), so the zeros are trimmed
 * after that separator, not after '.': German reads "1K" and "1,5K" where
 * English reads "1K" and "1.5K" (same significant digits), never "1,00K".
 * The CLI never calls setlocale and stays in the C locale. */
static void
format_trimmed (double v, int decimals, const char *suffix, char *buf, size_t size)
{
  const struct lconv *lc = localeconv ();
  const char *point = lc != NULL && lc->decimal_point != NULL && lc->decimal_point[0] != '\0'
                      ? lc->decimal_point : ".";
  char num[64];
  char *dot;

  if (decimals < 0)
    decimals = 0;
  if (decimals > 9)
    decimals = 9;
  snprintf (num, sizeof num, "%.*f", decimals, v);
  dot = strstr (num, point);
  if (dot != NULL)
    {
      char *end = num + strlen (num) - 1;
      char *frac = dot + strlen (point);
      while (end >= frac && *end == '0')
        *end-- = '\0';
      if (end < frac)
        *dot = '\0';
    }
  if (strcmp (num, "-0") == 0)
    strcpy (num, "0");
  snprintf (buf, size, "%s%s", num, suffix);
}

/* Enough fractional digits for three significant ones. */
static int
decimals_for (double v)
{
  double a = fabs (v);
  int d;

  if (a == 0.0 || !isfinite (a))
    return 0;
  d = 2 - (int) floor (log10 (a));
  if (d < 0)
    d = 0;
  if (d > 3)
    d = 3;
  return d;
}

static void
format_scaled (CwChartUnit unit, double value, int decimals, bool precise, char *buf, size_t size)
{
  static const char *byte_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  static const char *token_units[] = { "", "K", "M", "G", "T", "P", "E" };
  double a = fabs (value);

  if (size == 0)
    return;
  if (!isfinite (value))
    {
      snprintf (buf, size, "%s", isnan (value) ? "n/a" : (value > 0 ? "inf" : "-inf"));
      return;
    }

  switch (unit)
    {
    case CW_CHART_UNIT_BYTES:
    case CW_CHART_UNIT_TOKENS:
      {
        int k = 0;
        double scaled = value;
        char suffix[8];

        while (k < 6 && a >= 1024.0)
          {
            a /= 1024.0;
            scaled /= 1024.0;
            k++;
          }
        if (unit == CW_CHART_UNIT_BYTES)
          snprintf (suffix, sizeof suffix, " %s", byte_units[k]);
        else
          snprintf (suffix, sizeof suffix, "%s", token_units[k]);
        format_trimmed (scaled, precise ? decimals : decimals_for (scaled), suffix, buf, size);
        return;
      }
    case CW_CHART_UNIT_SECONDS:
      {
        const char *suffix = " s";
        double scaled = value;

        if (a == 0.0)
          suffix = " s";
        else if (a < 1e-6)
          scaled = value * 1e9, suffix = " ns";
        else if (a < 1e-3)
          scaled = value * 1e6, suffix = " µs";
        else if (a < 1.0)
          scaled = value * 1e3, suffix = " ms";
        format_trimmed (scaled, precise ? decimals : decimals_for (scaled), suffix, buf, size);
        return;
      }
    case CW_CHART_UNIT_COUNT:
      if (a < 1e15)
        {
          snprintf (buf, size, "%.0f", value);
          if (strcmp (buf, "-0") == 0)
            snprintf (buf, size, "0");
          return;
        }
      /* fall through */
    case CW_CHART_UNIT_NUMBER:
    default:
      if (a != 0.0 && (a >= 1e6 || a < 1e-3))
        snprintf (buf, size, "%.*g", precise ? decimals + 1 : 3, value);
      else
        format_trimmed (value, precise ? decimals : decimals_for (value), "", buf, size);
      return;
    }
}

void
cw_chart_format_value (CwChartUnit unit, double value, char *buf, size_t size)
{
  format_scaled (unit, value, 0, false, buf, size);
}

void
cw_chart_format_value_precise (CwChartUnit unit, double value, int decimals, char *buf, size_t size)
{
  format_scaled (unit, value, decimals, true, buf, size);
}

void
cw_chart_format_count (unsigned long long value, char *buf, size_t size)
{
  const struct lconv *lc = localeconv ();
  /* Every locale glibc ships groups in threes where it groups at all. */
  const char *sep = lc != NULL && lc->thousands_sep != NULL && lc->thousands_sep[0] != '\0'
                    ? lc->thousands_sep : "\xe2\x80\xaf";
  size_t sep_len = strlen (sep), n, o = 0;
  char digits[32];

  if (size == 0)
    return;
  n = (size_t) snprintf (digits, sizeof digits, "%llu", value);
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        {
          if (o + sep_len >= size)
            break;
          memcpy (buf + o, sep, sep_len);
          o += sep_len;
        }
      if (o + 1 >= size)
        break;
      buf[o++] = digits[i];
    }
  buf[o] = '\0';
}

bool
cw_chart_scale_from_string (const char *text, CwChartScale *scale)
{
  if (text == NULL)
    return false;
  if (strcmp (text, "linear") == 0)
    *scale = CW_CHART_SCALE_LINEAR;
  else if (strcmp (text, "log") == 0 || strcmp (text, "log10") == 0)
    *scale = CW_CHART_SCALE_LOG10;
  else
    return false;
  return true;
}

/* 1, 2, 5 or 10 times a power of ten, the smallest such >= x (x > 0). */
static double
nice_125 (double x)
{
  double e = floor (log10 (x));
  double p = pow (10.0, e);
  double f = x / p;
  double nf;

  if (f <= 1.0 + 1e-9)
    nf = 1.0;
  else if (f <= 2.0 + 1e-9)
    nf = 2.0;
  else if (f <= 5.0 + 1e-9)
    nf = 5.0;
  else
    nf = 10.0;
  return nf * p;
}

/* The smallest "nice" step >= raw. Bytes and tokens step in powers of two
 * (0, 512 MiB, 1 GiB, 1.5 GiB ...) so every label is short in binary units;
 * other units in 1/2/5 x 10^n. */
static double
next_linear_step (CwChartUnit unit, double raw)
{
  double nice;

  if (unit == CW_CHART_UNIT_BYTES || unit == CW_CHART_UNIT_TOKENS)
    {
      nice = exp2 (ceil (log2 (raw) - 1e-9));
      return nice < 1.0 ? 1.0 : nice;
    }
  nice = nice_125 (raw);
  if (unit == CW_CHART_UNIT_COUNT && nice < 1.0)
    nice = 1.0;
  return nice;
}

static size_t
linear_ticks (CwChartUnit unit, double *min, double *max, unsigned target,
              CwChartTick *ticks, size_t max_ticks)
{
  double lo = *min, hi = *max;
  double step;
  double first, last;
  size_t n;

  if (hi == lo)
    {
      double pad = lo == 0.0 ? 1.0 : fabs (lo) * 0.5;
      if (unit == CW_CHART_UNIT_COUNT && pad < 1.0)
        pad = 1.0;
      lo -= pad;
      hi += pad;
      if (*min >= 0.0 && lo < 0.0)
        lo = 0.0;
    }

  step = next_linear_step (unit, (hi - lo) / target);
  if (!(step > 0.0) || !isfinite (step))
    return 0;
  for (;;)
    {
      /* Tolerate rounding: 3 GiB / 1 GiB must not become 3.0000001. */
      first = floor (lo / step + 1e-9);
      last = ceil (hi / step - 1e-9);
      if (last - first + 1.0 <= (double) max_ticks)
        break;
      step = next_linear_step (unit, step * 1.0001 + step);
    }
  n = (size_t) (last - first) + 1;
  for (size_t i = 0; i < n; i++)
    {
      double v = (first + (double) i) * step;
      if (fabs (v) < step * 1e-9)
        v = 0.0;
      ticks[i].value = v;
      cw_chart_format_value (unit, v, ticks[i].label, sizeof ticks[i].label);
    }
  *min = first * step;
  *max = last * step;
  if (*max == *min)
    *max = *min + step;
  return n;
}

static size_t
log_ticks (CwChartUnit unit, double *min, double *max, unsigned target,
           CwChartTick *ticks, size_t max_ticks)
{
  static const int strides[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500 };
  bool binary = unit == CW_CHART_UNIT_BYTES || unit == CW_CHART_UNIT_TOKENS;
  double base = binary ? 2.0 : 10.0;
  double lo = *min, hi = *max;
  double e_lo, e_hi, span;
  size_t n = 0;
  int stride = 1;

  if (!(lo > 0.0) || !(hi > 0.0))
    return 0;
  if (hi == lo)
    {
      lo /= base;
      hi *= base;
    }
  e_lo = floor ((binary ? log2 (lo) : log10 (lo)) + 1e-9);
  e_hi = ceil ((binary ? log2 (hi) : log10 (hi)) - 1e-9);
  if (e_hi <= e_lo)
    e_hi = e_lo + 1.0;
  span = e_hi - e_lo;

  if (!binary && span <= 2.0 && target >= 3.0 * span)
    {
      /* Few decades: 1, 2, 5 within each. */
      static const double mant[] = { 1.0, 2.0, 5.0 };
      for (double e = e_lo; e <= e_hi && n < max_ticks; e += 1.0)
        for (size_t m = 0; m < 3 && n < max_ticks; m++)
          {
            double v = mant[m] * pow (10.0, e);
            if (v > pow (10.0, e_hi) * (1.0 + 1e-9))
              break;
            ticks[n].value = v;
            cw_chart_format_value (unit, v, ticks[n].label, sizeof ticks[n].label);
            n++;
          }
    }
  else
    {
      for (size_t i = 0; i < sizeof strides / sizeof strides[0]; i++)
        {
          stride = strides[i];
          if (ceil (span / stride) <= (double) target
              && ceil (span / stride) + 1.0 <= (double) max_ticks)
            break;
        }
      for (double e = ceil (e_lo / stride) * stride; e <= e_hi && n < max_ticks; e += stride)
        {
          double v = binary ? ldexp (1.0, (int) e) : pow (10.0, e);
          ticks[n].value = v;
          cw_chart_format_value (unit, v, ticks[n].label, sizeof ticks[n].label);
          n++;
        }
    }
  *min = binary ? ldexp (1.0, (int) e_lo) : pow (10.0, e_lo);
  *max = binary ? ldexp (1.0, (int) e_hi) : pow (10.0, e_hi);
  return n;
}

size_t
cw_chart_axis_nice_ticks (CwChartScale scale,
                          CwChartUnit  unit,
                          double      *min,
                          double      *max,
                          unsigned     target,
                          CwChartTick *ticks,
                          size_t       max_ticks)
{
  if (min == NULL || max == NULL || ticks == NULL || max_ticks < 2)
    return 0;
  if (!isfinite (*min) || !isfinite (*max))
    return 0;
  if (*max < *min)
    {
      double t = *min;
      *min = *max;
      *max = t;
    }
  if (target < 2)
    target = 2;
  if (target > max_ticks - 1)
    target = (unsigned) (max_ticks - 1);
  if (scale == CW_CHART_SCALE_LOG10)
    {
      if (!(*min > 0.0) || *max > 1e300)
        return 0;
      return log_ticks (unit, min, max, target, ticks, max_ticks);
    }
  if (fabs (*min) > 1e300 || fabs (*max) > 1e300)
    return 0;
  return linear_ticks (unit, min, max, target, ticks, max_ticks);
}
