/* test-calibrate.c: the calibration arithmetic (app/cli/cw-calibration.c):
 * link fit, median, configuration matching, crossover and break-even
 * bandwidth, each against values computed independently here. The
 * database side is tested end to end by test-calibrate-cli.py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-calibration.h"
#include "cw-planner.h"

#include "../../cw-test.h"

static bool
close_rel (double got, double want, double rel)
{
  return fabs (got - want) <= rel * fabs (want);
}

static void
test_fit (void)
{
  const double MiB = 1048576.0;
  double x[3] = { 64 * MiB, 256 * MiB, 1024 * MiB }, t[3], bw = 0, lat = 0;
  bool fitted = false;
  CwError e = CW_ERROR_INIT;

  for (int i = 0; i < 3; i++)
    t[i] = 10e-6 + x[i] / 100e9;
  CHECK (cw_calibration_fit_link (x, t, 3, &bw, &lat, &fitted, &e), "fit: %s", e.message);
  CHECK (fitted, "three sizes are fitted");
  CHECK (close_rel (bw, 100e9, 1e-6), "bandwidth %.17g, want 100e9", bw);
  CHECK (close_rel (lat, 10e-6, 1e-6), "latency %.17g, want 10e-6", lat);

  /* Noisy points: the least-squares answer from the normal equations, here by hand. */
  {
    double xn[4] = { 1e8, 2e8, 3e8, 4e8 }, tn[4] = { 1.1e-3, 1.9e-3, 3.2e-3, 3.9e-3 };
    /* mean x 2.5e8, mean t 2.525e-3; sxx = 5e16; sxt = (-1.5e8*-1.425e-3)+(-0.5e8*-0.625e-3)+(0.5e8*0.675e-3)+(1.5e8*1.375e-3)
     *   = 2.1375e5 + 3.125e4 + 3.375e4 + 2.0625e5 = 4.85e5; slope 9.7e-12 s/B; latency 2.525e-3 - 9.7e-12*2.5e8 = 1e-4 */
    CHECK (cw_calibration_fit_link (xn, tn, 4, &bw, &lat, &fitted, &e), "noisy fit: %s", e.message);
    CHECK (close_rel (bw, 1.0 / 9.7e-12, 1e-9), "noisy bandwidth %.17g", bw);
    CHECK (close_rel (lat, 1e-4, 1e-6), "noisy latency %.17g", lat);
  }

  /* One size: bytes / time, latency 0 by definition. */
  {
    double x1[2] = { 1e9, 1e9 }, t1[2] = { 0.01, 0.03 };
    CHECK (cw_calibration_fit_link (x1, t1, 2, &bw, &lat, &fitted, &e), "one size: %s", e.message);
    CHECK (!fitted && lat == 0.0 && close_rel (bw, 2e9 / 0.04, 1e-12), "one size: bw %.17g lat %g", bw, lat);
  }

  /* Refusals. */
  CHECK (!cw_calibration_fit_link (x, t, 0, &bw, &lat, &fitted, &e) && e.code == CW_ERROR_INVALID, "n = 0");
  {
    double tz[3] = { t[0], 0.0, t[2] };
    CHECK (!cw_calibration_fit_link (x, tz, 3, &bw, &lat, &fitted, &e) && strstr (e.message, "point 1"),
           "zero time: %s", e.message);
    double td[3] = { 3e-3, 2e-3, 1e-3 };
    CHECK (!cw_calibration_fit_link (x, td, 3, &bw, &lat, &fitted, &e) && strstr (e.message, "does not grow"),
           "decreasing time: %s", e.message);
    double tn[3] = { t[0], NAN, t[2] };
    CHECK (!cw_calibration_fit_link (x, tn, 3, &bw, &lat, &fitted, &e), "NaN time refused");
  }
}

static void
test_median (void)
{
  double odd[5] = { 5, 1, 4, 2, 3 }, even[4] = { 400, 100, 300, 200 };

  CHECK (cw_calibration_median (odd, 5) == 3.0, "odd median");
  CHECK (odd[0] == 5 && odd[4] == 3, "input untouched");
  CHECK (cw_calibration_median (even, 4) == 250.0, "even median");
  CHECK (cw_calibration_median (even, 1) == 400.0, "single");
  CHECK (isnan (cw_calibration_median (even, 0)), "empty is NaN");
}

static CwConfig
preset (const char *name, uint64_t sq)
{
  CwConfig c;
  CwError e = CW_ERROR_INIT;

  if (!cw_preset_lookup (name, &c, &e))
    fprintf (stderr, "preset %s: %s\n", name, e.message);
  c.sq = sq;
  if (c.ratio == 0)
    c.sk = sq;
  return c;
}

static void
test_same (void)
{
  CwConfig a = preset ("deepseek-v4-flash", 32000), b = a;

  CHECK (cw_calibration_config_same (&a, &b), "identical");
  b.chunk_budget_bytes *= 2;
  b.granularity = 2097152;
  CHECK (cw_calibration_config_same (&a, &b), "budget and granularity are ignored");
  b.sq = 64000;
  CHECK (!cw_calibration_config_same (&a, &b) && cw_calibration_config_same_family (&a, &b), "sq: same family");
  b.top_k = 1024;
  CHECK (!cw_calibration_config_same_family (&a, &b), "top_k differs");
  b = a;
  b.q_dtype = CW_DTYPE_FP8_E4M3;
  CHECK (!cw_calibration_config_same_family (&a, &b), "q dtype differs");
  b = a;
  b.sk = a.sq / 4;   /* explicit sk equal to sq / ratio: the same computation */
  CHECK (cw_calibration_config_same (&a, &b), "sk given as sq/ratio");
  {
    CwConfig v = preset ("deepseek-v3.2", 32000), w = v;
    w.sq = 64000;
    w.sk = 64000;
    CHECK (cw_calibration_config_same_family (&v, &w), "v3.2: sk follows sq");
    w.ratio = 0;
    w.sk = 32000;   /* fixed sk: another family */
    CHECK (!cw_calibration_config_same_family (&v, &w), "fixed sk is another family");
  }
}

/* Independent check of the crossover: recompute wins at sq iff the planner's
 * rule (transfer only when strictly cheaper) picks recompute, with FLOPs
 * 2*b*sq*sk*h*d halved for causal rules and payload b*sq*H*top_k*4. */
static bool
recompute_wins (const CwConfig *c, uint64_t heads, double bw, double lat, double rate, uint64_t sq)
{
  double sk = c->ratio ? (double) (sq / c->ratio) : (cw_config_get_sk (c) == c->sq ? (double) sq : (double) c->sk);
  double f = 2.0 * (double) c->b * (double) sq * sk * (double) c->h * (double) c->d;
  double p = (double) c->b * (double) sq * (double) heads * (double) c->top_k * 4.0;

  if (c->causal != CW_CAUSAL_NONE)
    f /= 2;
  return !(lat + p / bw < f / rate);
}

static void
test_crossover (void)
{
  CwCrossover x;
  CwError e = CW_ERROR_INIT;
  CwConfig v4 = preset ("deepseek-v4-flash", 32000), v32 = preset ("deepseek-v3.2", 32000);

  /* V4-Flash at 100 GB/s + 10 us, 300 TFLOP/s: F = 2048 sq^2 (floor(sq/4)), P = 2048 sq.
   * Continuous root: 2048 sq^2 / 3e14 = 1e-5 + 2048 sq / 1e11  ->  sq ~ 3.44e3. */
  CHECK (cw_calibration_crossover (&v4, 1, 100e9, 10e-6, 300e12, &x, &e), "v4: %s", e.message);
  CHECK (x.kind == CW_CROSSOVER_RECOMPUTE_BELOW && x.recompute_quadratic, "v4 kind %d", x.kind);
  CHECK (recompute_wins (&v4, 1, 100e9, 10e-6, 300e12, x.max_sq) &&
         !recompute_wins (&v4, 1, 100e9, 10e-6, 300e12, x.max_sq + 1),
         "v4 max_sq %llu is the last sq where recompute wins", (unsigned long long) x.max_sq);
  CHECK (x.max_sq > 3300 && x.max_sq < 3600, "v4 max_sq %llu near the continuous root 3.44e3",
         (unsigned long long) x.max_sq);
  CHECK (x.max_payload_bytes == x.max_sq * 2048, "v4 payload at max_sq");

  /* H = 32 sets per token: 32x the payload moves the crossover up. */
  {
    CwCrossover x32;
    CHECK (cw_calibration_crossover (&v4, 32, 100e9, 10e-6, 300e12, &x32, &e), "v4 H=32");
    /* continuous root without latency: 65536 sq / 1e11 = 2048 sq^2 / 3e14 -> sq = 96000 */
    CHECK (x32.kind == CW_CROSSOVER_RECOMPUTE_BELOW && x32.max_sq > 95900 && x32.max_sq < 96100 &&
           recompute_wins (&v4, 32, 100e9, 10e-6, 300e12, x32.max_sq) &&
           !recompute_wins (&v4, 32, 100e9, 10e-6, 300e12, x32.max_sq + 1),
           "v4 H=32 max_sq %llu", (unsigned long long) x32.max_sq);
  }

  /* V3.2, 500 TFLOP/s, slow 1 GB/s link: F = 8192 sq^2, P = 8192 sq. */
  CHECK (cw_calibration_crossover (&v32, 1, 1e9, 50e-6, 500e12, &x, &e), "v3.2: %s", e.message);
  CHECK (x.kind == CW_CROSSOVER_RECOMPUTE_BELOW && recompute_wins (&v32, 1, 1e9, 50e-6, 500e12, x.max_sq) &&
         !recompute_wins (&v32, 1, 1e9, 50e-6, 500e12, x.max_sq + 1),
         "v3.2 max_sq %llu", (unsigned long long) x.max_sq);

  /* A negative fitted latency is clamped at 0. */
  {
    CwCrossover xn, x0;
    cw_calibration_crossover (&v4, 1, 100e9, -5e-6, 300e12, &xn, &e);
    cw_calibration_crossover (&v4, 1, 100e9, 0.0, 300e12, &x0, &e);
    CHECK (xn.kind == x0.kind && xn.max_sq == x0.max_sq, "negative latency = 0");
  }

  /* Never: a link so fast that even sq = ratio transfers. */
  CHECK (cw_calibration_crossover (&v4, 1, 1e18, 0.0, 300e12, &x, &e) && x.kind == CW_CROSSOVER_RECOMPUTE_NEVER,
         "never: kind %d", x.kind);

  /* Fixed sk (recompute linear in sq): always, and below a latency-made crossover. */
  {
    CwConfig c;
    cw_config_init_default (&c);
    c.causal = CW_CAUSAL_NONE;
    c.sk = 1024;
    c.sq = 4096;
    c.top_k = 512;
    /* F = 2*sq*1024*64*128 = 16777216 sq; at 1e15: 1.68e-8 sq s. P = 2048 sq at 1e9: 2.05e-6 sq s. */
    CHECK (cw_calibration_crossover (&c, 1, 1e9, 0.0, 1e15, &x, &e) && x.kind == CW_CROSSOVER_RECOMPUTE_ALWAYS &&
           !x.recompute_quadratic && x.max_sq >= ((uint64_t) 1 << 40),
           "always: kind %d max_sq %llu", x.kind, (unsigned long long) x.max_sq);
    /* at 1e13: 1.68e-6 sq; P at 1e12: 2.048e-9 sq; latency 1 ms -> sq ~ 1e-3 / 1.6757e-6 = 596.8 */
    CHECK (cw_calibration_crossover (&c, 1, 1e12, 1e-3, 1e13, &x, &e) && x.kind == CW_CROSSOVER_RECOMPUTE_BELOW,
           "linear below: kind %d", x.kind);
    CHECK (x.max_sq == 596 && recompute_wins (&c, 1, 1e12, 1e-3, 1e13, 596) &&
           !recompute_wins (&c, 1, 1e12, 1e-3, 1e13, 597), "linear max_sq %llu", (unsigned long long) x.max_sq);
  }

  CHECK (!cw_calibration_crossover (&v4, 1, 0.0, 0.0, 1e12, &x, &e) && e.code == CW_ERROR_INVALID, "bw 0 refused");
  CHECK (!cw_calibration_crossover (&v4, 1, 1e9, 0.0, NAN, &x, &e), "NaN rate refused");
}

static void
test_breakeven (void)
{
  CHECK (close_rel (cw_calibration_breakeven_bytes_per_s (1000000000, 0.01, 0.0), 1e11, 1e-12), "1 GB in 10 ms");
  CHECK (close_rel (cw_calibration_breakeven_bytes_per_s (1000000000, 0.01, 0.005), 2e11, 1e-12), "latency");
  CHECK (isinf (cw_calibration_breakeven_bytes_per_s (1000, 1e-6, 1e-5)), "recompute under the latency");
  CHECK (cw_crossover_kind_get_name (CW_CROSSOVER_RECOMPUTE_NEVER)[0] == 'n', "kind name");
}

/* The planner has no latency input: the rates handed to it give the
 * calibrated transfer time for the payload exactly. */
static void
test_index_cache_rates (void)
{
  CwError e = CW_ERROR_INIT;
  uint64_t link = 0, flops = 0;

  CHECK (cw_calibration_get_index_cache_rates (1000000000ull, 100e9, 10e-6, 200e12, &link, &flops, &e), "%s",
         e.message);
  /* 1 GB over 100 GB/s + 10 us = 10.01 ms -> 1e9 / 0.01001 B/s. */
  CHECK (link == 99900099900ull && flops == 200000000000000ull, "%llu %llu", (unsigned long long) link,
         (unsigned long long) flops);
  CHECK (!cw_calibration_get_index_cache_rates (1, 1e9, 10.0, 1e12, &link, &flops, &e) && e.code == CW_ERROR_INVALID,
         "a rate that rounds to 0 is refused");
  CHECK (!cw_calibration_get_index_cache_rates (1000, 1e9, 0, 1e30, &link, &flops, &e), "too large");
}

/* The calibration compares work through the planner's one rule
 * (cw_config_is_on_sweep), with the memory-only settings set aside
 * and the lane's ratio-0, sk = sq sweeps read as ratio 1. */
static void
test_same_rule (void)
{
  CwConfig v = preset ("deepseek-v3.2", 32000), w = v;

  w.ratio = 0;
  w.sk = w.sq;
  CHECK (cw_calibration_config_same (&v, &w), "ratio 1 and sk = sq without a ratio: the same keys");
  w.sq = w.sk = 64000;
  CHECK (cw_calibration_config_same_family (&v, &w), "and the same family at another sq");
  {
    CwConfig x = w;   /* two lane sweeps without a ratio, sk = sq */

    x.sq = x.sk = 32000;
    CHECK (cw_calibration_config_same_family (&x, &w) && !cw_config_is_on_sweep (&x, &w),
           "the planner's rule alone keeps ratio 0 as a fixed sk");
  }
  w = v;
  w.chunk_budget_bytes /= 2;
  CHECK (cw_calibration_config_same (&v, &w) && !cw_config_is_on_sweep (&v, &w),
         "the budget moves memory (charts), not work (calibration)");
}

static void
test_db_errors (void)
{
  CwError e = CW_ERROR_INIT;

  CHECK (cw_calibration_new_from_db ("/nonexistent/cw-calibrate.db", NULL, NULL, &e) == NULL &&
         e.code == CW_ERROR_NOT_FOUND, "missing db: %d %s", e.code, e.message);
}

/* The calibrated index-cache plan both front ends use: calibrated rates
 * unless given, the latency folded into the link rate for the payload. */
static void
test_plan_index_cache (void)
{
  const char *dir = getenv ("CW_DATA_DIR");
  char path[4096];
  CwError e = CW_ERROR_INIT;
  CwCalibration *c;
  CwCalibrationIndexCacheRates rates;
  CwIndexCacheConfig ic;
  CwIndexCachePlan *plan;
  CwConfig config;
  uint64_t link, flops;

  if (dir == NULL)
    return;
  snprintf (path, sizeof path, "%s/receipts/h200x2-index-transfer.db", dir);
  c = cw_calibration_new_from_db (path, NULL, NULL, &e);
  CHECK (c != NULL, "%s: %s", path, e.message);
  if (c == NULL)
    return;
  CHECK (cw_preset_lookup ("deepseek-v3.2", &config, &e), "%s", e.message);
  cw_index_cache_config_init (&ic);
  ic.n_layers = 8;
  ic.n_stages = 2;
  ic.every_n = 3;
  ic.link_bytes_per_s = 50000000000ull;
  ic.flops_per_s = 100000000000000ull;
  plan = cw_calibration_plan_index_cache (c, &config, &ic, 0, 0, &rates, &e);
  CHECK (plan != NULL, "%s", e.message);
  CHECK (!rates.link_given && !rates.flops_given && rates.bytes_per_s == cw_calibration_get_link_bytes_per_s (c)
         && rates.latency_s == cw_calibration_get_link_latency_used_s (c)
         && rates.flops_per_s == cw_calibration_get_family_flops_per_s (c, &config, NULL), "calibrated rates");
  CHECK (plan != NULL
         && cw_calibration_get_index_cache_rates (cw_index_cache_plan_get_payload_bytes (plan), rates.bytes_per_s,
                                                  rates.latency_s, rates.flops_per_s, &link, &flops, &e)
         && fabs (cw_index_cache_plan_get_boundary_transfer_s (plan, 0)
                  - (double) cw_index_cache_plan_get_payload_bytes (plan) / (double) link) < 1e-12,
         "transfer time at the calibrated link");
  cw_index_cache_plan_free (plan);
  plan = cw_calibration_plan_index_cache (c, &config, &ic, 1e9, 2e12, &rates, &e);
  CHECK (plan != NULL && rates.link_given && rates.flops_given && rates.bytes_per_s == 1e9
         && rates.flops_per_s == 2e12, "given rates win");
  cw_index_cache_plan_free (plan);
  CHECK (cw_calibration_plan_index_cache (c, &config, &ic, 0, 1e-30, &rates, &e) == NULL
         && e.code == CW_ERROR_INVALID, "a throughput that rounds to 0: %s", e.message);
  cw_calibration_free (c);
}

int
main (void)
{
  test_fit ();
  test_median ();
  test_same ();
  test_crossover ();
  test_breakeven ();
  test_index_cache_rates ();
  test_same_rule ();
  test_db_errors ();
  test_plan_index_cache ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
