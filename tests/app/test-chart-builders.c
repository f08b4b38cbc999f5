/* test-chart-builders.c: the four Cliffwatch charts. The cliff comes from
 * the planner on a profile whose answer is known in closed form, and the
 * marker must land where the mapping puts that number. */
#include "test-chart-util.h"

#include "cw-chart-builder.h"
#include "cw-chart-i18n.h"
#include "cw-planner.h"

#define GiB 1073741824.0

/* The first layer of `kind` whose label starts with `prefix`. */
static CwChartLayer *
find_layer (CwChart *chart, const char *kind, const char *prefix, size_t *index)
{
  for (size_t i = 0; i < cw_chart_get_n_layers (chart); i++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, i);
      const char *label = cw_chart_layer_get_label (layer);

      if (strcmp (cw_chart_layer_get_kind (layer), kind) == 0
          && (prefix == NULL || (label != NULL && strncmp (label, prefix, strlen (prefix)) == 0)))
        {
          if (index != NULL)
            *index = i;
          return layer;
        }
    }
  return NULL;
}

/* One fp32 slab [b, sq, sk] with sk = sq: peak = 4 sq^2 bytes. With 64 GiB
 * usable the cliff is sq = 2^17 = 131072 exactly (4 * 2^34 = 2^36). */
static const char slab_profile[] =
  "name slab\n"
  "description test: one fp32 [b, sq, sk] slab\n"
  "source test-chart-builders.c\n"
  "phase score\n"
  "buffer slab = 4 * b * sq * sk live all\n";

static void
test_cliff_from_planner (void)
{
  CwError error = CW_ERROR_INIT;
  CwProfile *profile = cw_profile_load_data ("slab.profile", slab_profile, &error);
  CwChartCliffSamples samples;
  CwConfig config;
  const double usable = 64 * GiB;
  bool found_cliff = false, found_next = false;

  CHECK (profile != NULL, "profile: %s", error.message);
  if (profile == NULL)
    return;
  cw_config_init_default (&config);
  config.b = 1;
  config.ratio = 1;
  config.sk = 0;
  config.sq = 4096;

  CHECK (cw_chart_cliff_samples_compute (&samples, profile, &config, (uint64_t) usable, 4096, 1048576, 4, &error),
         "%s", error.message);
  CHECK (samples.curve.fits_at_all && samples.curve.cliff_in_range, "cliff flags");
  CHECK (samples.curve.cliff_sq == 131072, "cliff %llu", (unsigned long long) samples.curve.cliff_sq);
  CHECK (samples.curve.n >= 4 * 8, "only %zu samples", samples.curve.n);
  for (size_t i = 0; i < samples.curve.n; i++)
    {
      double sq = samples.curve.sq[i];
      CHECK (samples.curve.peak_bytes[i] == 4.0 * sq * sq, "peak at %g: %g", sq, samples.curve.peak_bytes[i]);
      if (i > 0)
        CHECK (sq > samples.curve.sq[i - 1], "samples not ascending at %zu", i);
      found_cliff |= sq == 131072;
      found_next |= sq == 131073;
    }
  CHECK (found_cliff && found_next, "the cliff and the next size are sampled");
  CHECK (samples.curve.sq[0] == 4096 && samples.curve.sq[samples.curve.n - 1] == 1048576, "ends %g..%g",
         samples.curve.sq[0], samples.curve.sq[samples.curve.n - 1]);

  /* With a compression ratio (V4's m = 4) sk follows sq: sizes are
   * multiples of 4 and the cliff is exact on that grid:
   * 4 * sq * sq/4 <= 2^36 up to sq = 2^18. */
  {
    CwChartCliffSamples v4;
    CwConfig c4 = config;
    c4.ratio = 4;
    c4.causal = CW_CAUSAL_COMPRESSED;
    CHECK (cw_chart_cliff_samples_compute (&v4, profile, &c4, (uint64_t) usable, 1024, 1048576, 4, &error), "%s",
           error.message);
    CHECK (v4.curve.cliff_sq == 262144 && v4.curve.cliff_in_range, "ratio-4 cliff %llu",
           (unsigned long long) v4.curve.cliff_sq);
    CHECK (v4.curve.n > 0 && v4.curve.sq[0] == 1024, "first sample %g", v4.curve.n > 0 ? v4.curve.sq[0] : 0.0);
    for (size_t i = 0; i < v4.curve.n; i++)
      {
        double sq = v4.curve.sq[i], sk = floor (sq / 4);
        CHECK (fmod (sq, 4.0) == 0.0, "sample %g off the ratio grid", sq);
        CHECK (v4.curve.peak_bytes[i] == 4.0 * sq * sk, "peak at %g: %g", sq, v4.curve.peak_bytes[i]);
      }
    cw_chart_cliff_samples_clear (&v4);
  }

  /* Bad ranges are refused with a message. */
  {
    CwChartCliffSamples bad;
    cw_error_clear (&error);
    CHECK (!cw_chart_cliff_samples_compute (&bad, profile, &config, (uint64_t) usable, 0, 10, 4, &error)
           && error.code == CW_ERROR_INVALID, "sq-min 0 accepted");
    CHECK (!cw_chart_cliff_samples_compute (&bad, profile, &config, (uint64_t) usable, 100, 10, 4, &error),
           "reversed range accepted");
  }

  /* Nothing fits: usable smaller than the smallest slab. */
  {
    CwChartCliffSamples none;
    CHECK (cw_chart_cliff_samples_compute (&none, profile, &config, 2, 4096, 8192, 2, &error), "%s", error.message);
    CHECK (!none.curve.fits_at_all && !none.curve.cliff_in_range, "fits with 2 bytes");
    cw_chart_cliff_samples_clear (&none);
  }

  /* The chart: marker on the computed column, in the curve's colour. */
  {
    CwChartCliffReceipt receipts[] = {
      { 0, 65536, 4.0 * 65536 * 65536, false, 7 },
      { 0, 262144, 4.0 * 131072 * 131072, true, 8 },
      { 5, 32768, 4.0 * 32768 * 32768, false, 9 },   /* no such curve */
    };
    CwChartCliffInput in = { NULL, usable, "test GPU", &samples.curve, 1, receipts, 3, 65536 };
    const CwChartStyle *style = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
    CwChart *chart = cw_chart_builder_cliff (&in, &error);
    CwChartLayer *cliff, *limit, *oom;
    CwChartRect plot;
    CwChartHit hit;
    cairo_surface_t *s;
    double px, py;
    size_t oom_index;
    int col, on = 0;

    CHECK (chart != NULL, "%s", error.message);
    if (chart == NULL)
      goto out;
    cliff = find_layer (chart, "vline", "slab cliff", NULL);
    limit = find_layer (chart, "hline", "usable HBM 64 GiB (test GPU)", NULL);
    /* An OOM is drawn in its profile's colour, in that profile's layer. */
    oom = find_layer (chart, "point", "slab OOM receipts", &oom_index);
    CHECK (cliff != NULL && cw_chart_rule_layer_get_value (cliff) == 131072.0, "cliff marker");
    CHECK (cliff != NULL && strcmp (cw_chart_layer_get_label (cliff), "slab cliff: sq 131\xe2\x80\xaf" "072") == 0, "cliff label %s",
           cliff != NULL ? cw_chart_layer_get_label (cliff) : "-");
    CHECK (limit != NULL && cw_chart_rule_layer_get_value (limit) == usable, "usable line");
    CHECK (find_layer (chart, "line", "slab (cliff at sq 131\xe2\x80\xaf" "072)", NULL) != NULL, "curve legend");
    CHECK (oom != NULL && cw_chart_point_layer_get_marker (oom) == CW_CHART_MARKER_CROSS
           && cw_chart_layer_get_n_items (oom) == 1, "OOM layer");
    {
      const CwChartStyle *light = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
      CwChartLayer *curve = find_layer (chart, "line", "slab (cliff at sq 131\xe2\x80\xaf" "072)", NULL);
      CwChartColor a = oom ? cw_chart_layer_get_color (oom, light) : (CwChartColor) { 0, 0, 0, 0 };
      CwChartColor b = curve ? cw_chart_layer_get_color (curve, light) : (CwChartColor) { 1, 1, 1, 1 };

      CHECK (a.red == b.red && a.green == b.green && a.blue == b.blue, "OOM not in its profile's colour");
    }
    CHECK (find_layer (chart, "point", "OOM receipts", NULL) == NULL, "an OOM with a curve in the uncoloured layer");
    CHECK (find_layer (chart, "point", "other receipts", NULL) != NULL, "receipt without a curve");
    /* The planned sq is marked. */
    CHECK (find_layer (chart, "vline", "planned sq 64K", NULL) != NULL
           && cw_chart_rule_layer_get_value (find_layer (chart, "vline", "planned sq 64K", NULL)) == 65536.0,
           "planned sq marker");
    CHECK (cw_chart_get_axis_scale (chart, CW_CHART_AXIS_X) == CW_CHART_SCALE_LOG10
           && cw_chart_get_axis_scale (chart, CW_CHART_AXIS_Y) == CW_CHART_SCALE_LOG10, "log-log");

    s = render_to_image (chart, 900, 560);
    cw_chart_get_plot_area (chart, &plot);
    CHECK (cw_chart_data_to_device (chart, 131072.0, usable, &px, &py), "map cliff");
    col = (int) floor (px);
    for (int y = (int) plot.y + 40; y < (int) (plot.y + plot.height); y++)
      on += rgb_is (pixel_at (s, col, y), cw_chart_layer_get_color (cliff, style), 0.02);
    CHECK (on > (int) (plot.height - 40) / 2, "cliff column %d has %d marker pixels", col, on);
    /* The usable line is on its computed row (left part of the plot, where
     * the label is not). */
    CHECK (rgb_is (pixel_at (s, (int) plot.x + 3, (int) floor (py)), style->limit, 0.2)
           || rgb_is (pixel_at (s, (int) plot.x + 12, (int) floor (py)), style->limit, 0.2), "usable row");
    /* The OOM receipt is hit-testable and reports its tag. */
    cw_chart_data_to_device (chart, 262144, 4.0 * 131072 * 131072, &px, &py);
    CHECK (cw_chart_hit_test (chart, px, py, 6, &hit) && hit.layer == oom_index && hit.tag == 8, "OOM hit tag %zu",
           hit.tag);
    cairo_surface_destroy (s);
    cw_chart_free (chart);
  }

  /* Refusals. */
  {
    CwChartCliffInput in = { NULL, 0, NULL, &samples.curve, 1, NULL, 0, 0 };
    cw_error_clear (&error);
    CHECK (cw_chart_builder_cliff (&in, &error) == NULL && error.code == CW_ERROR_INVALID, "usable 0 accepted");
    CHECK (cw_chart_builder_cliff (NULL, &error) == NULL, "NULL input accepted");
  }
out:
  cw_chart_cliff_samples_clear (&samples);
  cw_profile_free (profile);
}

static void
test_compare (void)
{
  CwError error = CW_ERROR_INIT;
  CwChartComparePoint pts[] = {
    { 1 * GiB, 1.02 * GiB, 0, 10 },
    { 4 * GiB, 3.9 * GiB, 0, 11 },
    { 0.25 * GiB, 0.3 * GiB, 1, 12 },
  };
  const char *groups[] = { "materialize", "streaming", "unused" };
  CwChartCompareInput in = { NULL, groups, 3, pts, 3, NULL, NULL };
  CwChart *chart = cw_chart_builder_compare (&in, &error);
  double xmin, xmax, ymin, ymax, px, py, qx, qy;
  CwChartHit hit;

  CHECK (chart != NULL, "%s", error.message);
  if (chart == NULL)
    return;
  CHECK (cw_chart_layout (chart, 700, 700), "layout");
  /* Same range on both axes, so y = x is the plot's diagonal. */
  cw_chart_get_axis_range (chart, CW_CHART_AXIS_X, &xmin, &xmax);
  cw_chart_get_axis_range (chart, CW_CHART_AXIS_Y, &ymin, &ymax);
  CHECK (xmin == ymin && xmax == ymax, "ranges %g..%g vs %g..%g", xmin, xmax, ymin, ymax);
  CHECK (xmin <= 0.25 * GiB && xmax >= 4 * GiB, "range covers the data");
  CHECK (find_layer (chart, "point", "unused", NULL) == NULL, "empty group drawn");
  CHECK (find_layer (chart, "line", "y = x", NULL) != NULL, "y = x line");

  cw_chart_data_to_device (chart, 4 * GiB, 3.9 * GiB, &px, &py);
  CHECK (cw_chart_hit_test (chart, px, py, 5, &hit) && hit.tag == 11 && hit.x == 4 * GiB && hit.y == 3.9 * GiB,
         "hit tag %zu", hit.tag);
  CHECK (fabs (cw_chart_compare_error_fraction (hit.x, hit.y) - (-0.025)) < 1e-12, "error fraction");
  {
    /* y = x runs corner to corner of the plot. */
    CwChartRect plot;
    cw_chart_get_plot_area (chart, &plot);
    cw_chart_data_to_device (chart, xmin, ymin, &px, &py);
    cw_chart_data_to_device (chart, xmax, ymax, &qx, &qy);
    CHECK (fabs (px - plot.x) < 1e-9 && fabs (py - (plot.y + plot.height)) < 1e-9
           && fabs (qx - (plot.x + plot.width)) < 1e-9 && fabs (qy - plot.y) < 1e-9, "diagonal");
  }
  CHECK (isnan (cw_chart_compare_error_fraction (0, 1)), "error with predicted 0");
  cw_chart_free (chart);

  /* Refusals: non-positive peaks, unknown groups. */
  pts[1].measured_bytes = 0;
  CHECK (cw_chart_builder_compare (&in, &error) == NULL && error.code == CW_ERROR_INVALID
         && strstr (error.message, "point 1") != NULL, "zero measured: %s", error.message);
  pts[1].measured_bytes = 1;
  pts[2].group = 3;
  CHECK (cw_chart_builder_compare (&in, &error) == NULL && strstr (error.message, "group 3") != NULL, "group: %s",
         error.message);

  /* No points: a chart with its empty message, not an error. */
  in.n_points = 0;
  chart = cw_chart_builder_compare (&in, &error);
  CHECK (chart != NULL, "empty compare");
  cw_chart_free (chart);
}

static double
tolerance_rule (double predicted)
{
  return fmax (predicted / 100, 8.0 * 1048576);
}

/* The agreement band: inside it the plot is tinted, outside it is not. */
static void
test_compare_band (void)
{
  const double MiB = 1048576.0;
  CwChartComparePoint pts[] = { { 12 * MiB, 13 * MiB, 0, 0 }, { 900 * MiB, 905 * MiB, 0, 1 } };
  const char *groups[] = { "streaming" };
  CwChartCompareInput in = { NULL, groups, 1, pts, 2, tolerance_rule, "agreement: max(1 %, 8 MiB)" };
  const CwChartStyle *style = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
  CwError error = CW_ERROR_INIT;
  CwChart *chart = cw_chart_builder_compare (&in, &error);
  CwChartColor tint;
  cairo_surface_t *s;
  double px, py_in, py_out;

  CHECK (chart != NULL && find_layer (chart, "area", "agreement: max(1 %, 8 MiB)", NULL) != NULL, "band layer");
  if (chart == NULL)
    return;
  s = render_to_image (chart, 800, 800);
  tint.red = style->plot_background.red * 0.82 + style->muted.red * 0.18;
  tint.green = style->plot_background.green * 0.82 + style->muted.green * 0.18;
  tint.blue = style->plot_background.blue * 0.82 + style->muted.blue * 0.18;
  /* At 32 MiB the 8 MiB floor rules: 24..40 MiB agree. */
  cw_chart_data_to_device (chart, 32 * MiB, 37 * MiB, &px, &py_in);
  cw_chart_data_to_device (chart, 32 * MiB, 50 * MiB, &px, &py_out);
  CHECK (rgb_is (pixel_at (s, (int) px, (int) py_in), tint, 0.03), "inside the band is not tinted");
  CHECK (!rgb_is (pixel_at (s, (int) px, (int) py_out), tint, 0.03), "outside the band is tinted");
  cairo_surface_destroy (s);
  cw_chart_free (chart);
}

/* The error view: signed error in percent, x at the predicted peak, and a
 * y axis from -span to +span whose end ticks are both labelled (the label
 * at the negative end was once lost to a tolerance that shrank negative
 * ends inwards). */
static void
test_compare_error (void)
{
  const double MiB = GiB / 1024.0;
  CwChartComparePoint pts[] = { { 1 * GiB, 1.05 * GiB, 0, 7 }, { 100 * GiB, 99.5 * GiB, 1, 8 },
                                { 16 * MiB, 16 * MiB, 1, 9 } };
  const char *groups[] = { "fused", "streaming" };
  static const double sizes[][2] = { { 420, 320 }, { 640, 400 }, { 1280, 800 }, { 1920, 1080 } };
  CwChartCompareInput in = { NULL, groups, 2, pts, 3, tolerance_rule, "agreement: max(1 %, 8 MiB)" };
  CwError error = CW_ERROR_INIT;
  CwChart *chart = cw_chart_builder_compare_error (&in, &error);
  CwChartLayer *fused;
  double x = 0, y = 0, lo = 0, hi = 0;

  CHECK (chart != NULL, "%s", error.message);
  if (chart == NULL)
    return;
  CHECK (strcmp (cw_chart_get_title (chart), "Error of the measured peak against the prediction") == 0, "title");
  fused = find_layer (chart, "point", "fused", NULL);
  CHECK (fused != NULL && cw_chart_layer_get_n_items (fused) == 1, "one fused point");
  if (fused != NULL)
    cw_chart_point_layer_get_point (fused, 0, &x, &y);
  CHECK (x == 1 * GiB && fabs (y - 5.0) < 1e-9, "fused point at (%g, %g), want (1 GiB, 5 %%)", x, y);
  CHECK (find_layer (chart, "area", "agreement: max(1 %, 8 MiB)", NULL) != NULL, "band");
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
    {
      char want[2][CW_CHART_TICK_LABEL_MAX];
      bool seen[2] = { false, false };
      CwChartRect plot;
      CwChartText t;

      CHECK (cw_chart_layout (chart, sizes[k][0], sizes[k][1]) && cw_chart_get_plot_area (chart, &plot)
             && cw_chart_get_axis_range (chart, CW_CHART_AXIS_Y, &lo, &hi), "layout");
      CHECK (lo < -6.25 + 1e-9 && hi > 6.25 - 1e-9 && lo == -hi, "y from %g to %g, want +-1.25 x 5 %%", lo, hi);
      cw_chart_format_value (CW_CHART_UNIT_NUMBER, lo, want[0], sizeof want[0]);
      cw_chart_format_value (CW_CHART_UNIT_NUMBER, hi, want[1], sizeof want[1]);
      for (size_t i = 0; cw_chart_get_text (chart, i, &t); i++)
        if (t.kind == CW_CHART_TEXT_TICK_LABEL && t.box.x + t.box.width <= plot.x)
          for (int e = 0; e < 2; e++)
            seen[e] |= strcmp (t.text, want[e]) == 0;
      CHECK (seen[0] && seen[1], "%gx%g: y tick labels at the ends: %s %s, %s %s", sizes[k][0], sizes[k][1],
             want[0], seen[0] ? "shown" : "missing", want[1], seen[1] ? "shown" : "missing");
    }
  cw_chart_free (chart);
}

static void
test_timeline (void)
{
  const uint64_t origin = 1700000000000000000ull;   /* CUPTI-like timestamps */
  CwChartMemoryEvent events[] = {
    /* out of order on purpose: the builder sorts (stably) */
    { origin + 3000000, 1u << 30, true },
    { origin + 1000000, 1u << 30, false },
    { origin + 2000000, 2u << 30, false },
    { origin + 5000000, 2u << 30, true },
  };
  CwChartTimelineRange ranges[] = {
    { origin, origin + 6000000, 0, "lane:materialize" },
    { origin + 500000, origin + 2500000, 1, "score" },
  };
  CwChartTimelineKernel kernels[] = { { origin + 600000, origin + 900000 } };
  CwChartTimelineInput in = { NULL, origin, 0, events, 4, ranges, 2, kernels, 1, 3.2 * GiB, 5 * GiB, "materialize" };
  CwError error = CW_ERROR_INIT;
  CwChart *chart = cw_chart_builder_timeline (&in, &error);
  CwChartLayer *peak, *predicted;
  const CwChartStyle *style = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
  double xmin, xmax, px, py;
  cairo_surface_t *s;

  CHECK (chart != NULL, "%s", error.message);
  if (chart == NULL)
    return;
  peak = find_layer (chart, "hline", "measured peak", NULL);
  predicted = find_layer (chart, "hline", "predicted peak", NULL);
  CHECK (peak != NULL && cw_chart_rule_layer_get_value (peak) == 3 * GiB, "replayed peak");
  CHECK (peak != NULL && strcmp (cw_chart_layer_get_label (peak), "measured peak 3 GiB") == 0, "peak label");
  CHECK (predicted != NULL && cw_chart_rule_layer_get_value (predicted) == 3.2 * GiB, "predicted line");
  CHECK (find_layer (chart, "hline", "out of memory: needed 5 GiB", NULL) != NULL, "OOM line");
  CHECK (find_layer (chart, "band", "NVTX", NULL) != NULL && find_layer (chart, "tick", "kernels", NULL) != NULL,
         "bands and ticks");
  /* Live bytes and the measured peak in the lane's colour, as on the
   * cliff and compare charts. */
  {
    CwChartColor lane = cw_chart_style_color (style, CW_CHART_ROLE_SERIES, cw_chart_identity_for_name ("materialize").series);
    CwChartLayer *step = find_layer (chart, "step", "live bytes", NULL);
    CwChartColor a = step != NULL ? cw_chart_layer_get_color (step, style) : (CwChartColor) { -1, -1, -1, 1 };
    CwChartColor b = peak != NULL ? cw_chart_layer_get_color (peak, style) : (CwChartColor) { -1, -1, -1, 1 };

    CHECK (a.red == lane.red && a.green == lane.green && a.blue == lane.blue
           && b.red == lane.red && b.green == lane.green && b.blue == lane.blue, "timeline not in the lane's colour");
  }
  s = render_to_image (chart, 900, 500);
  cw_chart_get_axis_range (chart, CW_CHART_AXIS_X, &xmin, &xmax);
  CHECK (xmin == 0.0 && xmax >= 0.006 && xmax < 0.01, "x range %g..%g s", xmin, xmax);
  /* Between 2 and 3 ms, 3 GiB are live: just under the 3 GiB row the area
   * is filled, just above it (below the 3.2 GiB line) it is not. */
  cw_chart_data_to_device (chart, 0.0027, 3 * GiB, &px, &py);
  {
    Rgb under = pixel_at (s, (int) px, (int) py + 4), over = pixel_at (s, (int) px, (int) py - 6);
    Rgb plot_bg = { style->plot_background.red, style->plot_background.green, style->plot_background.blue };
    CHECK (rgb_distance (under, style->plot_background) > rgb_distance (over, style->plot_background) + 0.1,
           "area under the step (%.2f %.2f %.2f) vs above (%.2f %.2f %.2f)", under.r, under.g, under.b, over.r,
           over.g, over.b);
    (void) plot_bg;
  }
  cairo_surface_destroy (s);
  cw_chart_free (chart);

  /* One nanosecond after a 1.7e18 ns origin is 1e-9 s, not 0 or 256 ns. */
  {
    CwChartMemoryEvent one[] = { { origin + 1, 4096, false } };
    CwChartTimelineInput tiny = { NULL, origin, 0, one, 1, NULL, 0, NULL, 0, 0, 0, NULL };
    chart = cw_chart_builder_timeline (&tiny, &error);
    CHECK (chart != NULL, "%s", error.message);
    cw_chart_layout (chart, 400, 300);
    cw_chart_get_axis_range (chart, CW_CHART_AXIS_X, &xmin, &xmax);
    CHECK (xmax > 0 && xmax <= 2e-9, "x max %g", xmax);
    cw_chart_free (chart);
  }

  /* 20,000 events inside a few microseconds mid-way through a 10 ms lane, one of them a
   * 4 GiB spike: they share a pixel column, and the column must still
   * reach the spike (the outline is decimated per column, never averaged). */
  {
    enum { M = 20000 };
    CwChartMemoryEvent *many = calloc (M, sizeof *many);
    CwChartTimelineRange lane[] = { { origin, origin + 10000000, 0, "lane" } };
    CwChartTimelineInput dense = { NULL, origin, 0, many, M, lane, 1, NULL, 0, 0, 0, NULL };
    const CwChartStyle *light = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
    int ink = 0;

    for (int i = 0; i < M; i += 2)
      {
        uint64_t bytes = i == M / 2 ? 4ull << 30 : 1u << 20;
        many[i] = (CwChartMemoryEvent) { origin + 5000000 + (uint64_t) i / 8, bytes, false };
        many[i + 1] = (CwChartMemoryEvent) { origin + 5000000 + (uint64_t) i / 8, bytes, true };
      }
    chart = cw_chart_builder_timeline (&dense, &error);
    CHECK (chart != NULL, "%s", error.message);
    if (chart != NULL)
      {
        peak = find_layer (chart, "hline", "measured peak", NULL);
        CHECK (peak != NULL && cw_chart_rule_layer_get_value (peak) == 4 * GiB, "dense peak");
        s = render_to_image (chart, 900, 500);
        cw_chart_data_to_device (chart, 5.001e-3, 4 * GiB, &px, &py);
        for (int x = (int) px - 3; x <= (int) px + 3; x++)
          for (int y = (int) py + 3; y < (int) py + 12; y++)
            ink += rgb_is (pixel_at (s, x, y), light->series[0], 0.35);   /* antialiased 1.5 px stroke */
        CHECK (ink >= 9, "the spike's column is not drawn up to 4 GiB (%d ink pixels)", ink);
        cairo_surface_destroy (s);
        cw_chart_free (chart);
      }
    free (many);
  }

  /* A free of more than is live means a broken trace: refused. */
  events[0].t_ns = origin + 500000;  /* the 1 GiB free now precedes every alloc */
  cw_error_clear (&error);
  CHECK (cw_chart_builder_timeline (&in, &error) == NULL && error.code == CW_ERROR_CORRUPT
         && strstr (error.message, "exceeds") != NULL, "over-free: %s", error.message);
  events[0].t_ns = origin + 3000000;
  kernels[0].end_ns = origin;
  CHECK (cw_chart_builder_timeline (&in, &error) == NULL && error.code == CW_ERROR_CORRUPT, "backwards kernel");
  kernels[0].end_ns = origin + 900000;
  {
    CwChartMemoryEvent huge[] = { { origin, UINT64_MAX, false }, { origin + 1, 1, false } };
    CwChartTimelineInput over = { NULL, origin, 0, huge, 2, NULL, 0, NULL, 0, 0, 0, NULL };
    CHECK (cw_chart_builder_timeline (&over, &error) == NULL && strstr (error.message, "overflow") != NULL,
           "overflow: %s", error.message);
  }
}

static void
test_indexcache (void)
{
  CwError error = CW_ERROR_INIT;
  CwIndexCacheConfig ic;
  CwIndexCachePlan *plan;
  CwConfig config;
  CwChart *chart;
  CwChartLayer *strip = NULL;
  const CwChartStyle *style = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
  cairo_surface_t *s;
  double x0, x1, y0, y1, px, py;
  size_t n_vlines = 0;

  cw_config_init_default (&config);
  cw_index_cache_config_init (&ic);
  ic.n_layers = 8;
  ic.every_n = 3;           /* full: 0, 3, 6 */
  ic.n_stages = 2;          /* layers 0-3 | 4-7 */
  ic.link_bytes_per_s = 1;  /* a hopeless link: layer 4 must recompute */
  ic.flops_per_s = 1000000000000000ull;
  plan = cw_index_cache_plan_new (&config, &ic, &error);
  CHECK (plan != NULL, "%s", error.message);
  if (plan == NULL)
    return;
  CHECK (cw_index_cache_plan_get_layer_role (plan, 4) == CW_LAYER_PROMOTED, "layer 4 promoted");

  chart = cw_chart_builder_indexcache (plan, NULL, &error);
  CHECK (chart != NULL, "%s", error.message);
  if (chart == NULL)
    goto out;
  /* The strip: one cell per indexer layer, in the layer's column. */
  for (size_t i = 0; i < cw_chart_get_n_layers (chart); i++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, i);
      if (strcmp (cw_chart_layer_get_kind (layer), "bar") == 0 && cw_chart_layer_get_label (layer) == NULL
          && cw_chart_layer_get_n_items (layer) == 8)
        strip = layer;
      if (strcmp (cw_chart_layer_get_kind (layer), "vline") == 0)
        {
          n_vlines++;
          CHECK (cw_chart_rule_layer_get_value (layer) == 3.5, "boundary at %g", cw_chart_rule_layer_get_value (layer));
        }
      if (strcmp (cw_chart_layer_get_kind (layer), "note") == 0)
        CHECK (strncmp (cw_chart_layer_get_label (layer), "recompute:", 10) == 0, "decision note %s",
               cw_chart_layer_get_label (layer));
    }
  CHECK (strip != NULL, "no 8-cell strip");
  CHECK (n_vlines == 1, "%zu boundaries drawn", n_vlines);
  CHECK (find_layer (chart, "bar", "payload at a stage boundary", NULL) != NULL
         && cw_chart_layer_get_n_items (find_layer (chart, "bar", "payload", NULL)) == 1, "payload bar");
  CHECK (find_layer (chart, "bar", "stage 1", NULL) != NULL && find_layer (chart, "bar", "stage 2", NULL) == NULL,
         "stage legend");
  if (strip == NULL)
    goto out_chart;
  CHECK (cw_chart_bar_layer_get_bar (strip, 6, &x0, &x1, &y0, &y1) && x0 < 6 && x1 > 6, "cell 6 at %g..%g", x0, x1);

  s = render_to_image (chart, 1000, 500);
  /* Layer 6 is full on stage 1: a solid cell in stage 1's colour (sampled
   * off-centre, where the role letter is not). Layer 4 is promoted:
   * hatched, so its cell mixes ink and background. */
  cw_chart_data_to_device (chart, 6 - 0.3, (y0 + y1) / 2, &px, &py);
  CHECK (rgb_is (pixel_at (s, (int) px, (int) py), style->series[1], 0.02), "full cell colour");
  {
    int ink = 0, light = 0;
    double ax, ay, bx, by;
    cw_chart_data_to_device (chart, 4 - 0.4, y0, &ax, &ay);
    cw_chart_data_to_device (chart, 4 - 0.15, y1, &bx, &by);
    for (int y = (int) by + 2; y < (int) ay - 2; y++)
      for (int x = (int) ax + 2; x < (int) bx; x++)
        {
          double d = rgb_distance (pixel_at (s, x, y), style->series[1]);
          ink += d < 0.35;
          light += d > 0.5;
        }
    CHECK (ink > 0 && light > ink, "promoted cell: %d ink, %d light pixels", ink, light);
  }
  cairo_surface_destroy (s);
out_chart:
  cw_chart_free (chart);
out:
  cw_index_cache_plan_free (plan);
  CHECK (cw_chart_builder_indexcache (NULL, NULL, &error) == NULL && error.code == CW_ERROR_INVALID, "NULL plan");
}

/* A fake catalogue: the builders look their strings up through the hook,
 * format strings included, and fall back to English without one. */
static const char *
fake_translate (const char *msgid)
{
  if (strcmp (msgid, "%s receipts") == 0)
    return "%s Belege";
  if (strcmp (msgid, "%s OOM receipts") == 0)
    return "%s OOM-Belege";
  if (strcmp (msgid, "transfer %s: %s (recompute %s)") == 0)
    return "übertragen %s: %s (neu berechnen %s)";
  if (strcmp (msgid, "recompute: %s (transfer %s: %s)") == 0)
    return "neu berechnen: %s (übertragen %s: %s)";
  return msgid;
}

/* Issue 16: the decision that leads each boundary note ("transfer: ...")
 * came from the planner untranslated. */
static void
test_indexcache_translation (void)
{
  static const struct { uint64_t link; const char *de; const char *en; } cases[] = {
    { 1, "neu berechnen: ", "recompute: " },
    { 1000000000000000000ull, "übertragen ", "transfer " },
  };

  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    {
      CwError error = CW_ERROR_INIT;
      CwIndexCacheConfig ic;
      CwIndexCachePlan *plan;
      CwConfig config;

      cw_config_init_default (&config);
      cw_index_cache_config_init (&ic);
      ic.n_layers = 8;
      ic.every_n = 3;
      ic.n_stages = 2;
      ic.link_bytes_per_s = cases[c].link;
      ic.flops_per_s = 1000000000ull;
      plan = cw_index_cache_plan_new (&config, &ic, &error);
      CHECK (plan != NULL, "%s", error.message);
      if (plan == NULL)
        continue;
      for (int lang = 0; lang < 2; lang++)
        {
          const char *want = lang == 0 ? cases[c].de : cases[c].en;
          CwChart *chart;
          size_t n_found = 0;

          cw_chart_set_translate_func (lang == 0 ? fake_translate : NULL);
          chart = cw_chart_builder_indexcache (plan, NULL, &error);
          CHECK (chart != NULL, "%s", error.message);
          for (size_t i = 0; chart != NULL && i < cw_chart_get_n_layers (chart); i++)
            {
              CwChartLayer *layer = cw_chart_get_layer (chart, i);
              if (strcmp (cw_chart_layer_get_kind (layer), "note") != 0)
                continue;
              n_found++;
              CHECK (strncmp (cw_chart_layer_get_label (layer), want, strlen (want)) == 0,
                     "boundary note '%s', want it to start with '%s'", cw_chart_layer_get_label (layer), want);
            }
          CHECK (n_found == 1, "%zu boundary notes", n_found);
          cw_chart_free (chart);
        }
      cw_chart_set_translate_func (NULL);
      cw_index_cache_plan_free (plan);
    }
}

/* Issue 16 item 2: legend swatches are what the bars are (the roles in
 * stage 0's hue, not black; each stage its hue, never the neutral of
 * "full", stage 6 and 7 included), and the byte axis has no tick on the
 * role strip: every tick is a size no larger than the tallest bar. */
static void
test_indexcache_legend_and_ticks (void)
{
  CwError error = CW_ERROR_INIT;
  CwIndexCacheConfig ic;
  CwIndexCachePlan *plan;
  CwConfig config;
  CwChart *chart;
  const CwChartStyle *style = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
  const CwChartTick *ticks;
  cairo_surface_t *img;
  double top = 0, px, py;
  size_t n_ticks, n_legend = 0;

  cw_config_init_default (&config);
  cw_index_cache_config_init (&ic);
  ic.n_layers = 16;
  ic.every_n = 2;
  ic.n_stages = 8;
  ic.link_bytes_per_s = 1000000000000ull;
  ic.flops_per_s = 1000000000000ull;
  plan = cw_index_cache_plan_new (&config, &ic, &error);
  CHECK (plan != NULL, "%s", error.message);
  if (plan == NULL)
    return;
  for (uint64_t l = 0; l < 16; l++)
    top = fmax (top, (double) cw_index_cache_plan_get_layer_resident_bytes (plan, l));
  chart = cw_chart_builder_indexcache (plan, NULL, &error);
  CHECK (chart != NULL, "%s", error.message);
  if (chart == NULL)
    {
      cw_index_cache_plan_free (plan);
      return;
    }
  img = render_to_image (chart, 1280, 800);

  n_ticks = cw_chart_get_ticks (chart, CW_CHART_AXIS_Y, &ticks);
  CHECK (n_ticks >= 2, "%zu byte ticks", n_ticks);
  for (size_t i = 0; i < n_ticks; i++)
    {
      char unit[8] = "";
      double v;
      int n = sscanf (ticks[i].label, "%lf %7s", &v, unit);

      CHECK (ticks[i].value <= top * (1 + 1e-9), "tick '%s' at %g above the tallest bar %g (on the strip)",
             ticks[i].label, ticks[i].value, top);
      CHECK (n == 2 && (strcmp (unit, "B") == 0 || strcmp (unit, "KiB") == 0 || strcmp (unit, "MiB") == 0
                        || strcmp (unit, "GiB") == 0 || strcmp (unit, "TiB") == 0),
             "byte tick label '%s' is not a size", ticks[i].label);
    }

  for (size_t i = 0; i < cw_chart_get_n_texts (chart); i++)
    {
      CwChartText t;
      unsigned stage;
      CwChartColor want = style->series[0];
      double best = 1e9, darkest_text = 1e9;

      if (!cw_chart_get_text (chart, i, &t) || t.kind != CW_CHART_TEXT_LEGEND)
        continue;
      if (sscanf (t.text, "stage %u", &stage) == 1)
        {
          want = style->series[stage % CW_CHART_N_HUES];
          CHECK (stage % CW_CHART_N_HUES != CW_CHART_HUE_NEUTRAL, "stage %u neutral", stage);
        }
      else if (strncmp (t.text, "payload", 7) == 0)
        continue;
      n_legend++;
      /* The swatch: the first 22 units of the entry's box. */
      for (int y = (int) t.box.y + 3; y < (int) (t.box.y + t.box.height) - 2; y++)
        for (int x = (int) t.box.x + 2; x < (int) t.box.x + 20; x++)
          {
            best = fmin (best, rgb_distance (pixel_at (img, x, y), want));
            darkest_text = fmin (darkest_text, rgb_distance (pixel_at (img, x, y), style->text));
          }
      CHECK (best < 0.03, "legend '%s': no swatch pixel in its bars' colour (%.3f off)", t.text, best);
      CHECK (darkest_text > 0.15, "legend '%s': a black swatch", t.text);
      /* Solid swatches are exactly the colour of a full bar of that stage. */
      if (strncmp (t.text, "stage", 5) == 0)
        {
          bool found = false;

          for (uint64_t l = 0; l < 16 && !found; l++)
            if (cw_index_cache_plan_get_layer_stage (plan, l) == stage
                && cw_index_cache_plan_get_layer_role (plan, l) == CW_LAYER_FULL
                && cw_index_cache_plan_get_layer_resident_bytes (plan, l) > 0
                && cw_chart_data_to_device (chart, (double) l - 0.2,
                                            (double) cw_index_cache_plan_get_layer_resident_bytes (plan, l) / 2,
                                            &px, &py))
              found = rgb_is (pixel_at (img, (int) px, (int) py),
                              cw_chart_style_color (style, CW_CHART_ROLE_SERIES, stage % CW_CHART_N_HUES), 0.02)
                      && rgb_is (pixel_at (img, (int) t.box.x + 11, (int) (t.box.y + t.box.height / 2)),
                                 cw_chart_style_color (style, CW_CHART_ROLE_SERIES, stage % CW_CHART_N_HUES), 0.02);
          CHECK (found, "legend '%s' and its full bars differ", t.text);
        }
    }
  CHECK (n_legend == 3 + 8, "%zu role and stage legend entries", n_legend);
  cairo_surface_destroy (img);
  cw_chart_free (chart);
  cw_index_cache_plan_free (plan);
}

/* Issue 16 item 1: a curve running on to petabytes does not squash the
 * range that decides a run: y stops at 4x the usable HBM (or 1.5x the
 * largest receipt); a chart whose data stays below keeps its automatic range. */
static void
test_cliff_y_range (void)
{
  double sq[] = { 1024, 1048576 }, peak[] = { 1e9, 1e18 }, low[] = { 1e9, 2e9 };
  CwChartCliffCurve curve = { "reference", sq, peak, 2, true, true, 4096 };
  CwChartCliffCurve small = { "streaming", sq, low, 2, true, false, 0 };
  CwChartCliffReceipt big[] = { { 0, 65536, 5e11, true, 1 } };
  CwChartCliffInput in = { NULL, 8e10, NULL, &curve, 1, NULL, 0, 0 };
  CwError error = CW_ERROR_INIT;
  CwChart *chart;
  double lo = 0, hi = 0;
  cairo_surface_t *img;

  chart = cw_chart_builder_cliff (&in, &error);
  img = chart ? render_to_image (chart, 900, 560) : NULL;
  if (img)
    cairo_surface_destroy (img);
  CHECK (chart != NULL && cw_chart_get_axis_range (chart, CW_CHART_AXIS_Y, &lo, &hi) && hi == 3.2e11
           && lo == 1e9 / 1.5, "y range %g..%g", lo, hi);
  /* Issue 16 item 1: where the curve leaves the clipped range, a triangle
   * in its colour on the top edge says it goes on. It leaves where
   * log peak = log 3.2e11 on the straight log-log segment: the pixels
   * 2 px either side of that point, 7 px under the edge, are the marker's
   * (the curve alone inks only one of them). */
  if (chart != NULL)
    {
      double t = (log10 (3.2e11) - 9.0) / 9.0, x = pow (10.0, log10 (1024.0) + t * (log10 (1048576.0) - log10 (1024.0)));
      double px, py, left_x, left_y;
      CwChartLayer *line = find_layer (chart, "line", "reference (cliff at sq 4", NULL);
      CwChartColor want = line != NULL ? cw_chart_layer_get_color (line, cw_chart_style_get (CW_CHART_STYLE_LIGHT))
                                       : (CwChartColor) { 0, 0, 0, 0 };

      img = render_to_image (chart, 900, 560);
      CHECK (line != NULL && cw_chart_line_layer_get_mark_off_scale (line), "the curve marks where it leaves");
      CHECK (cw_chart_data_to_device (chart, x, hi, &px, &py)
             && cw_chart_data_to_device (chart, 1024.0, hi, &left_x, &left_y), "mapping the exit");
      CHECK (rgb_is (pixel_at (img, (int) floor (px + 2), (int) floor (py + 7)), want, 0.05)
             && rgb_is (pixel_at (img, (int) floor (px - 2), (int) floor (py + 7)), want, 0.05),
             "no off-scale marker at %.1f,%.1f", px, py);
      /* Nowhere else on the edge: the left end of the plot stays clear. */
      CHECK (!rgb_is (pixel_at (img, (int) floor (left_x + 20), (int) floor (left_y + 6)), want, 0.05),
             "a marker where the curve is in range");
      cairo_surface_destroy (img);
    }
  cw_chart_free (chart);
  in.receipts = big;
  in.n_receipts = 1;
  chart = cw_chart_builder_cliff (&in, &error);
  img = chart ? render_to_image (chart, 900, 560) : NULL;
  if (img)
    cairo_surface_destroy (img);
  CHECK (chart != NULL && cw_chart_get_axis_range (chart, CW_CHART_AXIS_Y, &lo, &hi) && hi == 7.5e11,
         "y range with a receipt above: %g..%g", lo, hi);
  cw_chart_free (chart);
  in.curves = &small;
  in.receipts = NULL;
  in.n_receipts = 0;
  chart = cw_chart_builder_cliff (&in, &error);
  img = chart ? render_to_image (chart, 900, 560) : NULL;
  if (img)
    cairo_surface_destroy (img);
  CHECK (chart != NULL && cw_chart_get_axis_range (chart, CW_CHART_AXIS_Y, &lo, &hi) && hi < 3.2e11,
         "a low curve got the clipped range: %g..%g", lo, hi);
  cw_chart_free (chart);
}

static void
test_translation (void)
{
  double sq[] = { 1024, 2048 }, peak[] = { 1e9, 4e9 };
  CwChartCliffCurve curve = { "fused", sq, peak, 2, true, false, 0 };
  CwChartCliffReceipt receipts[] = { { 0, 1024, 1e9, false, 0 }, { 0, 2048, 4e9, true, 1 } };
  CwChartCliffInput in = { NULL, 8e9, NULL, &curve, 1, receipts, 2, 0 };
  CwError error = CW_ERROR_INIT;
  CwChart *chart;

  cw_chart_set_translate_func (fake_translate);
  chart = cw_chart_builder_cliff (&in, &error);
  CHECK (chart != NULL && find_layer (chart, "point", "fused Belege", NULL) != NULL, "translated format");
  CHECK (chart != NULL && find_layer (chart, "point", "fused OOM-Belege", NULL) != NULL, "translated label");
  CHECK (chart != NULL && find_layer (chart, "line", "fused (fits across the range)", NULL) != NULL,
         "untranslated msgid stays English");
  cw_chart_free (chart);
  cw_chart_set_translate_func (NULL);
  chart = cw_chart_builder_cliff (&in, &error);
  CHECK (chart != NULL && find_layer (chart, "point", "fused receipts", NULL) != NULL, "English without a hook");
  cw_chart_free (chart);
  CHECK (cw_chart_translate (NULL) == NULL, "NULL msgid");
}

int
main (void)
{
  test_cliff_from_planner ();
  test_compare ();
  test_compare_band ();
  test_compare_error ();
  test_timeline ();
  test_indexcache ();
  test_indexcache_translation ();
  test_indexcache_legend_and_ticks ();
  test_cliff_y_range ();
  test_translation ();
  return test_finish ("test-chart-builders");
}
