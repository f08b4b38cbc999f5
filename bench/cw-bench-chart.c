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
 * medians over N runs. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
} Stats;

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
  Stats st;

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
  qsort (wall, (size_t) runs, sizeof *wall, compare_double);
  qsort (cpu, (size_t) runs, sizeof *cpu, compare_double);
  st.wall_median = wall[runs / 2];
  st.wall_p90 = wall[(runs * 9) / 10];
  st.wall_min = wall[0];
  st.wall_max = wall[runs - 1];
  st.cpu_median = cpu[runs / 2];
  free (wall);
  free (cpu);
  return st;
}

static void
report (const char *name, Stats st)
{
  printf ("%-28s %8.2f %8.2f %8.2f %8.2f %8.2f  %s\n", name, st.wall_median, st.wall_p90, st.wall_min, st.wall_max,
          st.cpu_median, st.wall_median < BUDGET_MS ? "within 16 ms" : "OVER 16 ms");
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
  int runs = argc > 1 ? atoi (argv[1]) : 101;
  double t0, build_ms, hit_ms;
  size_t hits = 0;

  if (runs < 1 || receipts == NULL || points == NULL)
    {
      fprintf (stderr, "usage: cw-bench-chart [RUNS]\n");
      return 2;
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
  report ("cliff (3 curves + 10k pts)", time_renders (cliff, runs, false, 1.0));
  report ("compare (10k pts + y=x)", time_renders (compare, runs, false, 1.0));
  report ("cliff, GTK record+replay", time_renders (cliff, runs, true, 1.0));
  report ("compare, GTK record+replay", time_renders (compare, runs, true, 1.0));
  report ("cliff, GTK 2x (HiDPI)", time_renders (cliff, runs, true, 2.0));
  {
    CwChart *light = cw_chart_builder_cliff (&(CwChartCliffInput) { NULL, (double) usable, gpu->name, curves, 3,
                                                                    NULL, 0, 0 }, &error);
    report ("cliff, no receipts", time_renders (light, runs, false, 1.0));
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

  cw_chart_free (cliff);
  cw_chart_free (compare);
  for (int p = 0; p < 3; p++)
    cw_chart_cliff_samples_clear (&samples[p]);
  cw_gpu_free (gpu);
  free (receipts);
  free (points);
  return 0;
}
