/* test-shared-rules.c: the small rules every front end shares through the
 * planner (issue 13): number parsing (cw-parse.h), sq ranges
 * (cw-sq-range.h), durations (cw-seconds.h) and "same configuration except
 * sq" (cw_config_is_on_sweep). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../cw-test.h"
#include "cw-planner.h"

static void
test_parse (void)
{
  CwError e = CW_ERROR_INIT;
  uint64_t v = 0, *list = NULL, n = 0;
  double x = 0;

  CHECK (cw_parse_u64 ("--sq", "65536", false, &v, &e) && v == 65536);
  CHECK (cw_parse_u64 ("--budget", "512M", true, &v, &e) && v == 512ull << 20);
  CHECK (cw_parse_u64 ("--budget", "2GiB", true, &v, &e) && v == 2ull << 30);
  CHECK (!cw_parse_u64 ("--sq", "512M", false, &v, &e) && strcmp (e.message, "--sq: '512M' is not a non-negative integer") == 0,
         "%s", e.message);
  CHECK (!cw_parse_u64 ("--sq", "-1", false, &v, &e) && strstr (e.message, "is negative") != NULL);
  CHECK (!cw_parse_u64 ("--sq", "18446744073709551616", false, &v, &e) && e.code == CW_ERROR_OVERFLOW);
  CHECK (!cw_parse_u64 ("--b", "16777216T", true, &v, &e) && e.code == CW_ERROR_OVERFLOW);
  CHECK (!cw_parse_positive_u64 ("--b", "0", false, &v, &e) && strcmp (e.message, "--b: must be at least 1, got 0") == 0);
  CHECK (cw_parse_double ("--link-gbps", "450e9", true, &x, &e) && x == 450e9);
  CHECK (!cw_parse_double ("--link-gbps", "0", true, &x, &e) && strstr (e.message, "greater than 0") != NULL);
  CHECK (!cw_parse_double ("--link-gbps", "inf", false, &x, &e));
  CHECK (cw_parse_u64_list ("--layers", "1,2,5", &list, &n, &e) && n == 3 && list[2] == 5);
  free (list);
  list = NULL;
  CHECK (!cw_parse_u64_list ("--layers", "1,,2", &list, &n, &e) && list == NULL);
  {
    char *argv[] = { "x", "--sq=4096", "--b", "2", "--d" };
    const char *value = NULL;
    int i = 1;

    CHECK (cw_parse_match_option (5, argv, &i, "--sq", &value, &e) && strcmp (value, "4096") == 0 && i == 1);
    i = 2;
    CHECK (!cw_parse_match_option (5, argv, &i, "--bb", &value, &e));
    CHECK (cw_parse_match_option (5, argv, &i, "--b", &value, &e) && strcmp (value, "2") == 0 && i == 3);
    i = 4;
    CHECK (cw_parse_match_option (5, argv, &i, "--d", &value, &e) && value == NULL
           && strcmp (e.message, "--d needs a value") == 0);
    CHECK (cw_parse_is_help ("-h") && cw_parse_is_help ("help") && !cw_parse_is_help ("--helpme"));
  }
}

static uint64_t
walk (const CwSqRange *r, uint64_t *last)
{
  uint64_t sq = r->from, n = 1;

  while (cw_sq_range_next (r, &sq))
    n++;
  *last = sq;
  return n;
}

static void
test_sq_range (void)
{
  CwError e = CW_ERROR_INIT;
  CwSqRange r;
  uint64_t last;

  CHECK (cw_sq_range_parse ("--sq", "4096:65536", 100, &r, &e) && r.factor == 2 && r.step == 0, "%s", e.message);
  CHECK (walk (&r, &last) == 5 && last == 65536 && cw_sq_range_get_n_points (&r) == 5);
  CHECK (cw_sq_range_parse ("--sq", "1000:2000:x3", 100, &r, &e) && walk (&r, &last) == 1 && last == 1000);
  CHECK (cw_sq_range_parse ("--sq", "10:35:+10", 100, &r, &e) && r.factor == 0 && r.step == 10);
  CHECK (walk (&r, &last) == 3 && last == 30 && cw_sq_range_get_n_points (&r) == 3);
  /* The walk stops at uint64's end instead of wrapping. */
  CHECK (cw_sq_range_parse ("--sq", "9223372036854775808:18446744073709551615", 100, &r, &e));
  CHECK (walk (&r, &last) == 1 && cw_sq_range_get_n_points (&r) == 1);
  CHECK (cw_sq_range_parse ("--sq", "18446744073709551000:18446744073709551615:+500", 100, &r, &e)
         && walk (&r, &last) == 2 && last == 18446744073709551500ull);

  CHECK (!cw_sq_range_parse ("--sq", "10:1", 100, &r, &e) && strcmp (e.message, "--sq: FROM 10 is larger than TO 1") == 0);
  CHECK (!cw_sq_range_parse ("--sweep-sq", "10", 100, &r, &e)
         && strcmp (e.message, "--sweep-sq: '10' is not FROM:TO[:xFACTOR|+STEP]") == 0, "%s", e.message);
  CHECK (!cw_sq_range_parse ("--sq", "1:10:x1", 100, &r, &e) && strstr (e.message, "--sq: factor must be at least 2"));
  CHECK (!cw_sq_range_parse ("--sq", "1:10:+0", 100, &r, &e) && strstr (e.message, "--sq +STEP: must be at least 1"));
  CHECK (!cw_sq_range_parse ("--sq", "0:10", 100, &r, &e) && strstr (e.message, "--sq FROM: must be at least 1"));
  CHECK (!cw_sq_range_parse ("--sq", "1:", 100, &r, &e) && strstr (e.message, "--sq TO: empty value"));
  CHECK (!cw_sq_range_parse ("--sq", "1:10:y3", 100, &r, &e));
  CHECK (!cw_sq_range_parse ("--sq", "1:101:+1", 100, &r, &e) && strcmp (e.message, "--sq: more than 100 points") == 0);
  CHECK (cw_sq_range_parse ("--sq", "1:100:+1", 100, &r, &e));
  CHECK (!cw_sq_range_parse ("--sq", "1:1024", 10, &r, &e), "11 points over a limit of 10");
}

static void
test_seconds (void)
{
  char buf[CW_SECONDS_FORMAT_SIZE];

  CHECK (strcmp (cw_seconds_format (10e-6, buf, sizeof buf), "10.00 us") == 0, "%s", buf);
  CHECK (strcmp (cw_seconds_format (0.0, buf, sizeof buf), "0.00 us") == 0, "%s", buf);
  CHECK (strcmp (cw_seconds_format (1.3107e-3, buf, sizeof buf), "1.311 ms") == 0, "%s", buf);
  CHECK (strcmp (cw_seconds_format (0.9995, buf, sizeof buf), "999.500 ms") == 0, "%s", buf);
  CHECK (strcmp (cw_seconds_format (2.5, buf, sizeof buf), "2.5000 s") == 0, "%s", buf);
  CHECK (strcmp (cw_seconds_format (-3e-6, buf, sizeof buf), "-3.00 us") == 0, "%s", buf);
  CHECK (strcmp (cw_seconds_format (NAN, buf, sizeof buf), "nan s") == 0, "%s", buf);
  CHECK (strlen (cw_seconds_format (1e300, buf, sizeof buf)) < sizeof buf);
}

static void
test_on_sweep (void)
{
  CwError e = CW_ERROR_INIT;
  CwConfig v4, r, fixed, other;

  CHECK (cw_preset_lookup ("deepseek-v4-flash", &v4, &e), "%s", e.message);
  r = v4;
  r.sq = v4.sq * 2;
  CHECK (cw_config_is_on_sweep (&v4, &r), "another sq, sk follows through the same ratio");
  r.ratio = 0;
  r.sk = r.sq / v4.ratio;
  CHECK (cw_config_is_on_sweep (&v4, &r), "a receipt that stored sk = sq / m lies on the ratio-m sweep");
  CHECK (!cw_config_is_on_sweep (&r, &v4), "a ratio-m point is not on a fixed-sk sweep");
  r.sk++;
  CHECK (!cw_config_is_on_sweep (&v4, &r));
  r = v4;
  r.ratio = 2;
  CHECK (!cw_config_is_on_sweep (&v4, &r), "another ratio");
  r = v4;
  r.chunk_budget_bytes *= 2;
  CHECK (!cw_config_is_on_sweep (&v4, &r), "the budget changes the predicted bytes");
  r = v4;
  r.granularity = 2 << 20;
  CHECK (!cw_config_is_on_sweep (&v4, &r), "so does the granularity");
  r = v4;
  r.top_k = 1024;
  CHECK (!cw_config_is_on_sweep (&v4, &r));
  r = v4;
  r.index_dtype = CW_DTYPE_FP32;
  CHECK (!cw_config_is_on_sweep (&v4, &r));
  r = v4;
  r.causal = CW_CAUSAL_NONE;
  CHECK (!cw_config_is_on_sweep (&v4, &r));

  /* Without a ratio sk is given: a sweep keeps it. */
  cw_config_init_default (&fixed);
  other = fixed;
  other.sq = fixed.sq * 4;
  CHECK (cw_config_is_on_sweep (&fixed, &other) && cw_config_is_on_sweep (&other, &fixed), "fixed sk, another sq");
  other.sk = other.sq;
  CHECK (!cw_config_is_on_sweep (&fixed, &other), "sk = sq at another sq is another key count");
}

int
main (void)
{
  test_parse ();
  test_sq_range ();
  test_seconds ();
  test_on_sweep ();
  printf ("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
