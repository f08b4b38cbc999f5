/* test-chart-axis.c: tick generation and tick labels (pure functions). */
#include "test-chart-util.h"

#include "cw-chart-axis.h"

#include <locale.h>

static const char *
fmt (CwChartUnit unit, double v)
{
  static char buf[8][64];
  static int slot;

  slot = (slot + 1) % 8;
  cw_chart_format_value (unit, v, buf[slot], sizeof buf[slot]);
  return buf[slot];
}

#define GiB 1073741824.0
#define MiB 1048576.0

static void
test_format (void)
{
  char small[4];

  CHECK (strcmp (fmt (CW_CHART_UNIT_BYTES, 16 * GiB), "16 GiB") == 0, "got %s", fmt (CW_CHART_UNIT_BYTES, 16 * GiB));
  CHECK (strcmp (fmt (CW_CHART_UNIT_BYTES, 1.5 * GiB), "1.5 GiB") == 0, "got %s", fmt (CW_CHART_UNIT_BYTES, 1.5 * GiB));
  CHECK (strcmp (fmt (CW_CHART_UNIT_BYTES, 512 * MiB), "512 MiB") == 0, "got %s", fmt (CW_CHART_UNIT_BYTES, 512 * MiB));
  CHECK (strcmp (fmt (CW_CHART_UNIT_BYTES, 0), "0 B") == 0, "got %s", fmt (CW_CHART_UNIT_BYTES, 0));
  CHECK (strcmp (fmt (CW_CHART_UNIT_BYTES, 1023), "1023 B") == 0, "got %s", fmt (CW_CHART_UNIT_BYTES, 1023));
  CHECK (strcmp (fmt (CW_CHART_UNIT_BYTES, 1024.0 * 1024 * GiB), "1 PiB") == 0, "got %s",
         fmt (CW_CHART_UNIT_BYTES, 1024.0 * 1024 * GiB));
  CHECK (strcmp (fmt (CW_CHART_UNIT_TOKENS, 65536), "64K") == 0, "got %s", fmt (CW_CHART_UNIT_TOKENS, 65536));
  CHECK (strcmp (fmt (CW_CHART_UNIT_TOKENS, 1048576), "1M") == 0, "got %s", fmt (CW_CHART_UNIT_TOKENS, 1048576));
  CHECK (strcmp (fmt (CW_CHART_UNIT_TOKENS, 4096), "4K") == 0, "got %s", fmt (CW_CHART_UNIT_TOKENS, 4096));
  CHECK (strcmp (fmt (CW_CHART_UNIT_TOKENS, 1000), "1000") == 0, "got %s", fmt (CW_CHART_UNIT_TOKENS, 1000));
  CHECK (strcmp (fmt (CW_CHART_UNIT_TOKENS, 1536), "1.5K") == 0, "got %s", fmt (CW_CHART_UNIT_TOKENS, 1536));
  CHECK (strcmp (fmt (CW_CHART_UNIT_SECONDS, 0.0025), "2.5 ms") == 0, "got %s", fmt (CW_CHART_UNIT_SECONDS, 0.0025));
  CHECK (strcmp (fmt (CW_CHART_UNIT_SECONDS, 350e-6), "350 µs") == 0, "got %s", fmt (CW_CHART_UNIT_SECONDS, 350e-6));
  CHECK (strcmp (fmt (CW_CHART_UNIT_SECONDS, 1.25), "1.25 s") == 0, "got %s", fmt (CW_CHART_UNIT_SECONDS, 1.25));
  CHECK (strcmp (fmt (CW_CHART_UNIT_SECONDS, 0), "0 s") == 0, "got %s", fmt (CW_CHART_UNIT_SECONDS, 0));
  CHECK (strcmp (fmt (CW_CHART_UNIT_NUMBER, 0.25), "0.25") == 0, "got %s", fmt (CW_CHART_UNIT_NUMBER, 0.25));
  CHECK (strcmp (fmt (CW_CHART_UNIT_NUMBER, -20), "-20") == 0, "got %s", fmt (CW_CHART_UNIT_NUMBER, -20));
  CHECK (strcmp (fmt (CW_CHART_UNIT_NUMBER, 2e9), "2e+09") == 0, "got %s", fmt (CW_CHART_UNIT_NUMBER, 2e9));
  CHECK (strcmp (fmt (CW_CHART_UNIT_COUNT, 42), "42") == 0, "got %s", fmt (CW_CHART_UNIT_COUNT, 42));
  CHECK (strcmp (fmt (CW_CHART_UNIT_NUMBER, NAN), "n/a") == 0, "got %s", fmt (CW_CHART_UNIT_NUMBER, NAN));

  /* Precise labels keep the decimals asked for (trailing zeros cut). */
  {
    char buf[64];
    cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, 79.25 * GiB, 2, buf, sizeof buf);
    CHECK (strcmp (buf, "79.25 GiB") == 0, "got %s", buf);
    cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, 80.0 * GiB, 2, buf, sizeof buf);
    CHECK (strcmp (buf, "80 GiB") == 0, "got %s", buf);
  }
  /* Truncation into a tiny buffer still terminates. */
  cw_chart_format_value (CW_CHART_UNIT_BYTES, 16 * GiB, small, sizeof small);
  CHECK (strlen (small) == 3, "got '%s'", small);
}

/* Every tick is inside the widened range, ascending, and labelled with the
 * formatter's text for its value. */
static void
check_ticks_consistent (CwChartUnit unit, double min, double max, const CwChartTick *t, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      double slack = 1e-12 * fmax (fabs (min), fabs (max));
      CHECK (t[i].value >= min - slack && t[i].value <= max + slack, "tick %g outside [%g, %g]",
             t[i].value, min, max);
      if (i > 0)
        CHECK (t[i].value > t[i - 1].value, "ticks not ascending at %zu", i);
      CHECK (strcmp (t[i].label, fmt (unit, t[i].value)) == 0, "label %s for %g", t[i].label, t[i].value);
    }
}

static void
test_linear_ticks (void)
{
  CwChartTick t[CW_CHART_MAX_TICKS];
  double min, max;
  size_t n;

  /* 0.3..9.7, about 5 ticks: step 2, widened to 0..10. */
  min = 0.3, max = 9.7;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, &min, &max, 5, t, CW_CHART_MAX_TICKS);
  CHECK (n == 6, "n = %zu", n);
  CHECK (min == 0.0 && max == 10.0, "range %g..%g", min, max);
  for (size_t i = 0; i < n; i++)
    CHECK (t[i].value == 2.0 * (double) i, "tick %zu = %g", i, t[i].value);
  check_ticks_consistent (CW_CHART_UNIT_NUMBER, min, max, t, n);

  /* Bytes step in powers of two: 0..3.2 GiB in ~7 ticks -> 512 MiB. */
  min = 0, max = 3.2 * GiB;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_BYTES, &min, &max, 7, t, CW_CHART_MAX_TICKS);
  CHECK (n == 8, "n = %zu", n);
  CHECK (max == 3.5 * GiB, "max %g", max);
  CHECK (n >= 4 && strcmp (t[1].label, "512 MiB") == 0 && strcmp (t[2].label, "1 GiB") == 0
         && strcmp (t[3].label, "1.5 GiB") == 0, "labels %s %s %s", t[1].label, t[2].label, t[3].label);
  check_ticks_consistent (CW_CHART_UNIT_BYTES, min, max, t, n);

  /* Negative ranges and degenerate ones. */
  min = -7, max = -7;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, &min, &max, 4, t, CW_CHART_MAX_TICKS);
  CHECK (n >= 2 && min < -7 && max > -7, "degenerate: n=%zu %g..%g", n, min, max);
  check_ticks_consistent (CW_CHART_UNIT_NUMBER, min, max, t, n);
  min = 0, max = 0;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_COUNT, &min, &max, 4, t, CW_CHART_MAX_TICKS);
  CHECK (n >= 2 && min <= 0 && max >= 1, "zero range: n=%zu %g..%g", n, min, max);

  /* Count axes never tick between integers. */
  min = 0, max = 3;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_COUNT, &min, &max, 12, t, CW_CHART_MAX_TICKS);
  for (size_t i = 0; i < n; i++)
    CHECK (t[i].value == floor (t[i].value), "count tick %g", t[i].value);

  /* Never more than max_ticks, even when asked for many. */
  min = 0, max = 1e6;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, &min, &max, 1000, t, 5);
  CHECK (n >= 2 && n <= 5, "n = %zu", n);

  /* Unusable input. */
  min = NAN, max = 1;
  CHECK (cw_chart_axis_nice_ticks (CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, &min, &max, 5, t, CW_CHART_MAX_TICKS) == 0,
         "NaN accepted");
  min = 0, max = INFINITY;
  CHECK (cw_chart_axis_nice_ticks (CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, &min, &max, 5, t, CW_CHART_MAX_TICKS) == 0,
         "inf accepted");
}

static void
test_log_ticks (void)
{
  CwChartTick t[CW_CHART_MAX_TICKS];
  double min, max;
  size_t n;

  /* Context lengths 4K..1M, about 5 ticks: every other power of two. */
  min = 4096, max = 1048576;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LOG10, CW_CHART_UNIT_TOKENS, &min, &max, 5, t, CW_CHART_MAX_TICKS);
  CHECK (n == 5, "n = %zu", n);
  {
    static const char *want[] = { "4K", "16K", "64K", "256K", "1M" };
    for (size_t i = 0; i < n && i < 5; i++)
      CHECK (strcmp (t[i].label, want[i]) == 0, "tick %zu: %s, want %s", i, t[i].label, want[i]);
  }
  check_ticks_consistent (CW_CHART_UNIT_TOKENS, min, max, t, n);

  /* Bytes: 100 MiB..300 GiB widens to powers of two around them. */
  min = 100 * MiB, max = 300 * GiB;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES, &min, &max, 8, t, CW_CHART_MAX_TICKS);
  CHECK (min == 64 * MiB && max == 512 * GiB, "range %g..%g", min, max);
  CHECK (n >= 3 && n <= 9, "n = %zu", n);
  for (size_t i = 0; i < n; i++)
    {
      int e;
      CHECK (frexp (t[i].value, &e) == 0.5, "tick %g is not a power of two", t[i].value);
    }
  check_ticks_consistent (CW_CHART_UNIT_BYTES, min, max, t, n);

  /* Plain numbers over two decades: 1-2-5 ticks. */
  min = 1, max = 100;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LOG10, CW_CHART_UNIT_NUMBER, &min, &max, 8, t, CW_CHART_MAX_TICKS);
  CHECK (n == 7, "n = %zu", n);
  CHECK (n == 7 && t[1].value == 2 && t[2].value == 5 && t[3].value == 10 && t[6].value == 100,
         "ticks %g %g %g", t[1].value, t[2].value, t[3].value);

  /* Non-positive values cannot be shown on a log axis. */
  min = 0, max = 10;
  CHECK (cw_chart_axis_nice_ticks (CW_CHART_SCALE_LOG10, CW_CHART_UNIT_NUMBER, &min, &max, 5, t, CW_CHART_MAX_TICKS) == 0,
         "log accepted 0");
  min = -5, max = 10;
  CHECK (cw_chart_axis_nice_ticks (CW_CHART_SCALE_LOG10, CW_CHART_UNIT_NUMBER, &min, &max, 5, t, CW_CHART_MAX_TICKS) == 0,
         "log accepted negative");
}

/* Issue 16: under a German LC_NUMERIC the ticks read "1,00K 4,00K 16,0K"
 * (trailing zeros were trimmed only after '.'). Every language must show the
 * same significant digits; only the decimal separator may differ. The locale
 * comes from tests/app/meson.build (LOCPATH, built with localedef). */
static void
test_locale_decimal_comma (void)
{
  static const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "de_DE" };
  CwChartTick t[CW_CHART_MAX_TICKS];
  const char *set = NULL;
  double min, max;
  size_t n;

  for (size_t i = 0; i < sizeof names / sizeof names[0] && set == NULL; i++)
    set = setlocale (LC_NUMERIC, names[i]);
  if (set == NULL || strcmp (localeconv ()->decimal_point, ",") != 0)
    {
      printf ("# no German LC_NUMERIC (localedef missing?): decimal-comma checks skipped\n");
      setlocale (LC_NUMERIC, "C");
      return;
    }

  CHECK (strcmp (fmt (CW_CHART_UNIT_TOKENS, 1024), "1K") == 0, "de: got %s", fmt (CW_CHART_UNIT_TOKENS, 1024));
  CHECK (strcmp (fmt (CW_CHART_UNIT_TOKENS, 16384), "16K") == 0, "de: got %s", fmt (CW_CHART_UNIT_TOKENS, 16384));
  CHECK (strcmp (fmt (CW_CHART_UNIT_TOKENS, 1048576), "1M") == 0, "de: got %s", fmt (CW_CHART_UNIT_TOKENS, 1048576));
  CHECK (strcmp (fmt (CW_CHART_UNIT_TOKENS, 1536), "1,5K") == 0, "de: got %s", fmt (CW_CHART_UNIT_TOKENS, 1536));
  CHECK (strcmp (fmt (CW_CHART_UNIT_BYTES, 1.5 * GiB), "1,5 GiB") == 0, "de: got %s", fmt (CW_CHART_UNIT_BYTES, 1.5 * GiB));
  CHECK (strcmp (fmt (CW_CHART_UNIT_BYTES, 32 * GiB), "32 GiB") == 0, "de: got %s", fmt (CW_CHART_UNIT_BYTES, 32 * GiB));
  CHECK (strcmp (fmt (CW_CHART_UNIT_SECONDS, 0.0025), "2,5 ms") == 0, "de: got %s", fmt (CW_CHART_UNIT_SECONDS, 0.0025));
  CHECK (strcmp (fmt (CW_CHART_UNIT_NUMBER, 0.25), "0,25") == 0, "de: got %s", fmt (CW_CHART_UNIT_NUMBER, 0.25));
  {
    char buf[64];
    cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, 80.0 * GiB, 2, buf, sizeof buf);
    CHECK (strcmp (buf, "80 GiB") == 0, "de: got %s", buf);
    cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, 79.25 * GiB, 2, buf, sizeof buf);
    CHECK (strcmp (buf, "79,25 GiB") == 0, "de: got %s", buf);
  }

  /* The Plan page's axis (1K..4M): the same labels as in English. */
  min = 1024, max = 4194304;
  n = cw_chart_axis_nice_ticks (CW_CHART_SCALE_LOG10, CW_CHART_UNIT_TOKENS, &min, &max, 7, t, CW_CHART_MAX_TICKS);
  {
    static const char *want[] = { "1K", "4K", "16K", "64K", "256K", "1M", "4M" };
    CHECK (n == 7, "de: n = %zu", n);
    for (size_t i = 0; i < n && i < 7; i++)
      CHECK (strcmp (t[i].label, want[i]) == 0, "de: tick %zu: %s, want %s", i, t[i].label, want[i]);
  }
  setlocale (LC_NUMERIC, "C");
}

static void
test_parse (void)
{
  CwChartScale scale;
  CwChartStyleKind kind;

  CHECK (cw_chart_scale_from_string ("log", &scale) && scale == CW_CHART_SCALE_LOG10, "log");
  CHECK (cw_chart_scale_from_string ("linear", &scale) && scale == CW_CHART_SCALE_LINEAR, "linear");
  CHECK (!cw_chart_scale_from_string ("LOG2", &scale), "LOG2 accepted");
  CHECK (cw_chart_style_kind_from_string ("dark", &kind) && kind == CW_CHART_STYLE_DARK, "dark");
  CHECK (cw_chart_style_kind_from_string ("print", &kind) && kind == CW_CHART_STYLE_PRINT, "print");
  CHECK (!cw_chart_style_kind_from_string ("Dark", &kind), "Dark accepted");
  CHECK (!cw_chart_style_kind_from_string (NULL, &kind), "NULL accepted");
}

int
main (void)
{
  test_format ();
  test_linear_ticks ();
  test_log_ticks ();
  test_locale_decimal_comma ();
  test_parse ();
  return test_finish ("test-chart-axis");
}
