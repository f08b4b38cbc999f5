/* cw-bench-chart.c: chart redraw time with 10,000 receipts.
 *
 * The workbench redraws a chart on every input change and resize; the
 * budget is one 60 Hz frame (16 ms) with 10,000 receipts on the chart.
 * Curves come from the planner (V4-Flash preset, H100 80 GB, profiles
 * materialize, fused, streaming); the 10,000 receipt points are synthetic
 * (deterministic PRNG, log-uniform sq, peak within +-10 % of the curve,
 * 5 % OOM): this measures drawing, not a GPU. Each render lays the chart
 * out and draws it into a fresh 1280x800 ARGB32 image surface, as the
 * widget's snapshot does; the "GTK" rows draw into a recording surface and
 * replay it onto the image, as gtk_snapshot_append_cairo and the renderer
 * do ("2x": HiDPI, replayed at scale 2 onto a 2560x1600 image, with
 * cw_chart_set_raster_scale (2) as the widget sets it). Prints wall and CPU
 * medians over N runs; with --records FILE appends one JSON record per chart
 * row with every run's wall and CPU time (bench/records/README.md).
 *
 * Usage: cw-bench-chart [RUNS] [--records FILE] */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cw-bench-records.h"
#include "cw-chart-builder.h"
#include "cw-planner.h"

#define N_RECEIPTS 10000
#define WIDTH 1280
#define HEIGHT 800
#define BUDGET_MS 16.0

static double
now_ms (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double
uniform (void)
{
  /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return (double) (z >> 11) / 9007199254740992.0;
}

/* Interpolates a curve at sq on log-log axes. */
static double
curve_at (const CwChartCliffCurve *c, double sq)
{
  for (size_t i = 1; i < c->n; i++)
    if (c->sq[i] >= sq)
      {
        double t = (log (sq) - log (c->sq[i - 1])) / (log (c->sq[i]) - log (c->sq[i - 1]));
        return exp (log (c->peak_bytes[i - 1]) + t * (log (c->peak_bytes[i]) - log (c->peak_bytes[i - 1])));
      }
  return c->peak_bytes[c->n - 1];
}

typedef struct {
  double wall_median, wall_p90, wall_min, wall_max, cpu_median;
  double *wall, *cpu;         /* every run, in the order taken (wall_ms, cpu_ms) */
  int runs;
} Stats;

static CwBenchRecords *records;  /* NULL without --records */
static const char *records_path;

/* Draws into `target`; with `recorded`, the way GTK 4 does it: into a
 * recording surface (gtk_snapshot_append_cairo), then replayed onto the
 * image, which is what the renderer does with the node. */
static void
render_once (CwChart *chart, cairo_surface_t *target, bool recorded, double scale)
{
  cairo_t *cr;

  if (!recorded)
    {
      cr = cairo_create (target);
      cw_chart_render (chart, cr, WIDTH, HEIGHT);
      cairo_destroy (cr);
      return;
    }
  {
    cairo_surface_t *rec = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA,
                                                           &(cairo_rectangle_t) { 0, 0, WIDTH, HEIGHT });
    cr = cairo_create (rec);
    cw_chart_render (chart, cr, WIDTH, HEIGHT);
    cairo_destroy (cr);
    cr = cairo_create (target);
    cairo_scale (cr, scale, scale);
    cairo_set_source_surface (cr, rec, 0, 0);
    cairo_paint (cr);
    cairo_destroy (cr);
    cairo_surface_destroy (rec);
  }
}

static Stats
time_renders (CwChart *chart, int runs, bool recorded, double scale)
{
  double *wall = calloc ((size_t) runs, sizeof *wall), *cpu = calloc ((size_t) runs, sizeof *cpu);
  double *sorted = calloc ((size_t) runs, sizeof *sorted);
  Stats st;

  if (wall == NULL || cpu == NULL || sorted == NULL)
    {
      fprintf (stderr, "cw-bench-chart: out of memory\n");
      exit (1);
    }
  for (int i = -3; i < runs; i++)   /* 3 warm-up renders (font caches) */
    {
      double w0 = now_ms (CLOCK_MONOTONIC), c0 = now_ms (CLOCK_PROCESS_CPUTIME_ID);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (WIDTH * scale),
                                                             (int) (HEIGHT * scale));

      cw_chart_set_raster_scale (chart, scale);
      render_once (chart, surface, recorded, scale);
      cairo_surface_flush (surface);
      cairo_surface_destroy (surface);
      if (i >= 0)
        {
          wall[i] = now_ms (CLOCK_MONOTONIC) - w0;
          cpu[i] = now_ms (CLOCK_PROCESS_CPUTIME_ID) - c0;
        }
    }
  memcpy (sorted, wall, (size_t) runs * sizeof *sorted);
  qsort (sorted, (size_t) runs, sizeof *sorted, compare_double);
  st.wall_median = sorted[runs / 2];
  st.wall_p90 = sorted[(runs * 9) / 10];
  st.wall_min = sorted[0];
  st.wall_max = sorted[runs - 1];
  memcpy (sorted, cpu, (size_t) runs * sizeof *sorted);
  qsort (sorted, (size_t) runs, sizeof *sorted, compare_double);
  st.cpu_median = sorted[runs / 2];
  free (sorted);
  st.wall = wall;
  st.cpu = cpu;
  st.runs = runs;
  return st;
}

/* One record: the chart, how it was drawn, and every run's times. */
static void
record_stats (const char *name, const char *chart, size_t n_receipts, bool recorded, double scale, Stats st)
{
  CwJson j;
  bool ok;

  if (records == NULL)
    return;
  cw_json_init (&j);
  cw_bench_records_begin (records, &j, "chart-redraw");
  cw_bench_records_cpu_device (&j);
  cw_json_object_begin (&j, "config");
  cw_json_string (&j, "row", name);
  cw_json_string (&j, "chart", chart);
  cw_json_uint (&j, "receipts", n_receipts);
  cw_json_int (&j, "width", WIDTH);
  cw_json_int (&j, "height", HEIGHT);
  cw_json_double (&j, "scale", scale);
  cw_json_bool (&j, "gtk_record_replay", recorded);
  cw_json_object_end (&j);
  cw_json_int (&j, "warmup_runs", 3);
  cw_json_samples (&j, NULL, "ms", st.wall, (size_t) st.runs);
  cw_json_samples (&j, "cpu", "ms", st.cpu, (size_t) st.runs);
  cw_json_double (&j, "wall_p90", st.wall_p90);
  ok = cw_bench_records_write (records, &j);
  cw_json_clear (&j);
  if (!ok)
    {
      fprintf (stderr, "cw-bench-chart: writing %s: %s\n", records_path, strerror (errno));
      exit (1);
    }
}

static void
report (const char *name, const char *chart, size_t n_receipts, bool recorded, double scale, Stats st)
{
  printf ("%-28s %8.2f %8.2f %8.2f %8.2f %8.2f  %s\n", name, st.wall_median, st.wall_p90, st.wall_min, st.wall_max,
          st.cpu_median, st.wall_median < BUDGET_MS ? "within 16 ms" : "OVER 16 ms");
  record_stats (name, chart, n_receipts, recorded, scale, st);
  free (st.wall);
  free (st.cpu);
}

/* A single timed operation (building the charts, the mean hit test) as a
 * record of one sample. */
static void
record_single (const char *what, double ms, const char *count_key, uint64_t count)
{
  CwJson j;
  bool ok;

  if (records == NULL)
    return;
  cw_json_init (&j);
  cw_bench_records_begin (records, &j, "chart-interaction");
  cw_bench_records_cpu_device (&j);
  cw_json_object_begin (&j, "config");
  cw_json_string (&j, "what", what);
  cw_json_uint (&j, "receipts", N_RECEIPTS);
  cw_json_uint (&j, count_key, count);
  cw_json_object_end (&j);
  cw_json_samples (&j, NULL, "ms", &ms, 1);
  ok = cw_bench_records_write (records, &j);
  cw_json_clear (&j);
  if (!ok)
    {
      fprintf (stderr, "cw-bench-chart: writing %s: %s\n", records_path, strerror (errno));
      exit (1);
    }
}

int
main (int argc, char **argv)
{
  static const char *profiles[] = { "materialize", "fused", "streaming" };
  CwChartCliffSamples samples[3];
  CwChartCliffCurve curves[3];
  CwChartCliffReceipt *receipts = calloc (N_RECEIPTS, sizeof *receipts);
  CwChartComparePoint *points = calloc (N_RECEIPTS, sizeof *points);
  const char *lanes[] = { "materialize", "fused", "streaming" };
  CwError error = CW_ERROR_INIT;
  CwConfig config;
  CwGpu *gpu;
  uint64_t usable;
  CwChart *cliff, *compare;
  int runs = 101;
  double t0, build_ms, hit_ms;
  size_t hits = 0;

  for (int i = 1; i < argc; i++)
    {
      char *end;
      long v;

      if (strcmp (argv[i], "--records") == 0 && i + 1 < argc)
        records_path = argv[++i];
      else if (argv[i][0] != '-' && (errno = 0, v = strtol (argv[i], &end, 10), errno == 0) && *end == '\0'
               && v >= 1 && v <= 1000000)
        runs = (int) v;
      else
        runs = 0;
    }
  if (runs < 1 || receipts == NULL || points == NULL)
    {
      fprintf (stderr, "usage: cw-bench-chart [RUNS] [--records FILE]\n");
      return 2;
    }
  if (records_path != NULL && (records = cw_bench_records_open (records_path, argc, argv)) == NULL)
    {
      fprintf (stderr, "cw-bench-chart: cannot open %s: %s\n", records_path, strerror (errno));
      return 1;
    }
  if (!cw_preset_lookup ("deepseek-v4-flash", &config, &error) || (gpu = cw_gpu_lookup ("h100-80gb", &error)) == NULL
      || !cw_gpu_usable_bytes (gpu->total_bytes, gpu->reserve_bytes, &usable, &error))
    {
      fprintf (stderr, "cw-bench-chart: %s\n", error.message);
      return 1;
    }
  for (int p = 0; p < 3; p++)
    {
      CwProfile *profile = cw_profile_load (profiles[p], &error);
      if (profile == NULL
          || !cw_chart_cliff_samples_compute (&samples[p], profile, &config, usable, 1024, 1048576, 8, &error))
        {
          fprintf (stderr, "cw-bench-chart: %s: %s\n", profiles[p], error.message);
          return 1;
        }
      curves[p] = samples[p].curve;
      cw_profile_free (profile);
    }
  for (size_t i = 0; i < N_RECEIPTS; i++)
    {
      size_t c = i % 3;
      double sq = exp (log (4096.0) + uniform () * (log (1048576.0) - log (4096.0)));
      double peak = curve_at (&curves[c], sq) * (0.9 + 0.2 * uniform ());

      receipts[i] = (CwChartCliffReceipt) { c, sq, peak, uniform () < 0.05, i };
      points[i] = (CwChartComparePoint) { curve_at (&curves[c], sq), peak, (unsigned) c, i };
    }

  t0 = now_ms (CLOCK_MONOTONIC);
  {
    CwChartCliffInput in = { NULL, (double) usable, gpu->name, curves, 3, receipts, N_RECEIPTS, 0 };
    CwChartCompareInput cin = { NULL, lanes, 3, points, N_RECEIPTS, NULL, NULL };
    cliff = cw_chart_builder_cliff (&in, &error);
    compare = cliff != NULL ? cw_chart_builder_compare (&cin, &error) : NULL;
  }
  build_ms = now_ms (CLOCK_MONOTONIC) - t0;
  if (cliff == NULL || compare == NULL)
    {
      fprintf (stderr, "cw-bench-chart: %s\n", error.message);
      return 1;
    }

  printf ("chart redraw, %d receipts, %dx%d ARGB32 image surface, %d runs (+3 warm-up)\n", N_RECEIPTS, WIDTH,
          HEIGHT, runs);
  printf ("%-28s %8s %8s %8s %8s %8s\n", "chart", "med ms", "p90 ms", "min ms", "max ms", "cpu ms");
  report ("cliff (3 curves + 10k pts)", "cliff", N_RECEIPTS, false, 1.0, time_renders (cliff, runs, false, 1.0));
  report ("compare (10k pts + y=x)", "compare", N_RECEIPTS, false, 1.0, time_renders (compare, runs, false, 1.0));
  report ("cliff, GTK record+replay", "cliff", N_RECEIPTS, true, 1.0, time_renders (cliff, runs, true, 1.0));
  report ("compare, GTK record+replay", "compare", N_RECEIPTS, true, 1.0, time_renders (compare, runs, true, 1.0));
  report ("cliff, GTK 2x (HiDPI)", "cliff", N_RECEIPTS, true, 2.0, time_renders (cliff, runs, true, 2.0));
  {
    CwChart *light = cw_chart_builder_cliff (&(CwChartCliffInput) { NULL, (double) usable, gpu->name, curves, 3,
                                                                    NULL, 0, 0 }, &error);
    if (light == NULL)
      {
        fprintf (stderr, "cw-bench-chart: %s\n", error.message);
        return 1;
      }
    report ("cliff, no receipts", "cliff", 0, false, 1.0, time_renders (light, runs, false, 1.0));
    cw_chart_free (light);
  }

  /* Hover: one hit test per pointer motion, over all 10k points. */
  cw_chart_layout (compare, WIDTH, HEIGHT);
  t0 = now_ms (CLOCK_MONOTONIC);
  for (int i = 0; i < 1000; i++)
    {
      CwChartHit hit;
      hits += cw_chart_hit_test (compare, 100 + i % 1000, 100 + (i * 7) % 600, 6, &hit);
    }
  hit_ms = (now_ms (CLOCK_MONOTONIC) - t0) / 1000;
  printf ("build both charts: %.2f ms; hit test over 10k points: %.4f ms each (%zu of 1000 hit)\n", build_ms, hit_ms,
          hits);
  record_single ("build cliff and compare charts", build_ms, "builds", 1);
  record_single ("hit test (mean of 1000)", hit_ms, "hit_tests", 1000);

  cw_chart_free (cliff);
  cw_chart_free (compare);
  for (int p = 0; p < 3; p++)
    cw_chart_cliff_samples_clear (&samples[p]);
  cw_gpu_free (gpu);
  free (receipts);
  free (points);
  if (!cw_bench_records_close (records))
    {
      fprintf (stderr, "cw-bench-chart: closing %s: %s\n", records_path, strerror (errno));
      return 1;
    }
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      fprintf (stderr, "cw-bench-chart: writing the output failed\n");
      return 1;
    }
  return 0;
}
