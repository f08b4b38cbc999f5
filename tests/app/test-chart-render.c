/* test-chart-render.c: rendering into image surfaces. Every position is
 * computed from the chart's own mapping (cw_chart_data_to_device), every
 * colour taken from the style: the test checks that what the mapping says
 * is where the pixels are. */
#include "test-chart-util.h"

#define W 800
#define H 500

/* Pixels in column x, rows [y0, y1), within `tol` of `color`. */
static int
count_in_column (cairo_surface_t *s, int x, int y0, int y1, CwChartColor color, double tol)
{
  int n = 0;

  for (int y = y0; y < y1; y++)
    n += rgb_is (pixel_at (s, x, y), color, tol);
  return n;
}

static void
test_linear_mapping_and_ticks (void)
{
  CwChart *chart = cw_chart_new ();
  const CwChartStyle *style = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
  const CwChartTick *ticks;
  CwChartRect plot;
  cairo_surface_t *s;
  double px, py, x, y;
  size_t n;

  cw_chart_set_title (chart, "linear");
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, "x");
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, "y");
  CHECK (cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, 0, 10), "x range");
  CHECK (cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, 0, 100), "y range");
  CHECK (!cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, 5, 5), "empty range accepted");
  CHECK (!cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, NAN, 5), "NaN range accepted");

  /* No layout yet: no mapping. */
  CHECK (!cw_chart_data_to_device (chart, 1, 1, &px, &py), "mapping before layout");

  s = render_to_image (chart, W, H);
  CHECK (cw_chart_get_plot_area (chart, &plot), "plot area");
  CHECK (plot.x > 0 && plot.y > 0 && plot.x + plot.width < W && plot.y + plot.height < H, "plot inside canvas");

  /* Corners and the middle. */
  CHECK (cw_chart_data_to_device (chart, 0, 0, &px, &py), "map origin");
  CHECK (fabs (px - plot.x) < 1e-9 && fabs (py - (plot.y + plot.height)) < 1e-9, "origin at %g,%g", px, py);
  CHECK (cw_chart_data_to_device (chart, 10, 100, &px, &py), "map corner");
  CHECK (fabs (px - (plot.x + plot.width)) < 1e-9 && fabs (py - plot.y) < 1e-9, "corner at %g,%g", px, py);
  CHECK (cw_chart_data_to_device (chart, 5, 50, &px, &py), "map middle");
  CHECK (fabs (px - (plot.x + plot.width / 2)) < 1e-9 && fabs (py - (plot.y + plot.height / 2)) < 1e-9,
         "middle at %g,%g", px, py);
  CHECK (cw_chart_device_to_data (chart, px, py, &x, &y) && fabs (x - 5) < 1e-9 && fabs (y - 50) < 1e-9,
         "round trip %g,%g", x, y);

  /* Ticks: 0..10, and each x tick's mark (below the frame) is axis ink at
   * the computed column; the column 3 px away is not. */
  n = cw_chart_get_ticks (chart, CW_CHART_AXIS_X, &ticks);
  CHECK (n >= 3, "x ticks %zu", n);
  CHECK (n >= 3 && ticks[0].value == 0 && ticks[n - 1].value == 10, "x ticks %g..%g", ticks[0].value,
         ticks[n - 1].value);
  for (size_t i = 0; i < n; i++)
    {
      int row = (int) (plot.y + plot.height) + 3;
      cw_chart_data_to_device (chart, ticks[i].value, 0, &px, &py);
      CHECK (rgb_is (pixel_at (s, (int) floor (px), row), style->axis, 0.02), "x tick %s not at column %d",
             ticks[i].label, (int) floor (px));
      CHECK (!rgb_is (pixel_at (s, (int) floor (px) + 3, row), style->axis, 0.1), "x tick %s smeared",
             ticks[i].label);
    }
  n = cw_chart_get_ticks (chart, CW_CHART_AXIS_Y, &ticks);
  CHECK (n >= 3, "y ticks %zu", n);
  for (size_t i = 0; i < n; i++)
    {
      cw_chart_data_to_device (chart, 0, ticks[i].value, &px, &py);
      CHECK (rgb_is (pixel_at (s, (int) plot.x - 3, (int) floor (py)), style->axis, 0.02), "y tick %s not at row %d",
             ticks[i].label, (int) floor (py));
    }
  /* Background: the canvas and the plot area in the style's colours. */
  CHECK (rgb_is (pixel_at (s, 1, 1), style->background, 0.01), "canvas background");
  CHECK (rgb_is (pixel_at (s, (int) (plot.x + plot.width * 0.75) + 3, (int) (plot.y + plot.height * 0.75) + 3),
                 style->plot_background, 0.01), "plot background");
  cairo_surface_destroy (s);
  cw_chart_free (chart);
}

static void
test_log_mapping (void)
{
  CwChart *chart = cw_chart_new ();
  double xs[] = { 1024, 1048576 }, ys[] = { 1e6, 1e12 };
  double p1, p2, p3, py;
  const CwChartTick *ticks;
  size_t n;

  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_TOKENS, NULL);
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES, NULL);
  cw_chart_add_layer (chart, cw_chart_line_layer_new ("l", xs, ys, 2));
  CHECK (cw_chart_layout (chart, W, H), "layout");

  /* Equal ratios are equal distances on a log axis. */
  cw_chart_data_to_device (chart, 4096, 1e9, &p1, &py);
  cw_chart_data_to_device (chart, 8192, 1e9, &p2, &py);
  cw_chart_data_to_device (chart, 16384, 1e9, &p3, &py);
  CHECK (fabs ((p2 - p1) - (p3 - p2)) < 1e-9 && p2 > p1, "log spacing %g %g", p2 - p1, p3 - p2);
  CHECK (!cw_chart_data_to_device (chart, 0, 1e9, &p1, &py), "0 mapped on log x");
  CHECK (!cw_chart_data_to_device (chart, 4096, -1, &p1, &py), "-1 mapped on log y");

  /* Token ticks are powers of two labelled K/M. */
  n = cw_chart_get_ticks (chart, CW_CHART_AXIS_X, &ticks);
  CHECK (n >= 2, "ticks %zu", n);
  for (size_t i = 0; i < n; i++)
    {
      int e;
      CHECK (frexp (ticks[i].value, &e) == 0.5, "tick %g", ticks[i].value);
      CHECK (strchr (ticks[i].label, 'K') != NULL || strchr (ticks[i].label, 'M') != NULL, "label %s",
             ticks[i].label);
    }
  /* Re-scaling the axis updates the layout. */
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_TOKENS, NULL);
  cw_chart_layout (chart, W, H);
  CHECK (cw_chart_data_to_device (chart, 0, 1e9, &p1, &py), "0 not mapped on linear x");
  cw_chart_free (chart);
}

/* A vertical marker (cliff) lands on its computed column; ok and OOM
 * markers differ in colour and in shape; hit testing finds the nearest. */
static void
test_markers_and_hits (void)
{
  CwChart *chart = cw_chart_new ();
  const CwChartStyle *style = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
  double ok_x[] = { 2.0, 6.0 }, ok_y[] = { 20.0, 60.0 };
  double oom_x[] = { 8.0 }, oom_y[] = { 30.0 };
  size_t tags[] = { 100, 101 };
  CwChartLayer *ok, *oom, *cliff;
  CwChartColor cliff_color, ok_color, oom_color;
  CwChartRect plot;
  CwChartHit hit;
  cairo_surface_t *s;
  double px, py, qx, qy, r = style->marker_radius;
  int col;

  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, NULL);
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, NULL);
  cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, 0, 10);
  cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, 0, 100);
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_NONE);

  cliff = cw_chart_vline_layer_new ("cliff: sq 4.4", 4.4);
  cw_chart_layer_set_series (cliff, 2);
  ok = cw_chart_point_layer_new ("ok", ok_x, ok_y, 2, CW_CHART_MARKER_CIRCLE);
  cw_chart_layer_set_series (ok, 0);
  CHECK (cw_chart_point_layer_set_tags (ok, tags, 2), "tags");
  CHECK (!cw_chart_point_layer_set_tags (ok, tags, 1), "tag count mismatch accepted");
  oom = cw_chart_point_layer_new ("oom", oom_x, oom_y, 1, CW_CHART_MARKER_CROSS);
  cw_chart_layer_set_role (oom, CW_CHART_ROLE_OOM);
  CHECK (cw_chart_add_layer (chart, cliff) == 0, "cliff index");
  CHECK (cw_chart_add_layer (chart, ok) == 1, "ok index");
  CHECK (cw_chart_add_layer (chart, oom) == 2, "oom index");
  CHECK (cw_chart_add_layer (chart, NULL) == (size_t) -1, "NULL layer accepted");
  CHECK (strcmp (cw_chart_layer_get_kind (cw_chart_get_layer (chart, 0)), "vline") == 0, "kind");

  s = render_to_image (chart, W, H);
  cw_chart_get_plot_area (chart, &plot);
  cliff_color = cw_chart_layer_get_color (cliff, style);
  ok_color = cw_chart_layer_get_color (ok, style);
  oom_color = cw_chart_layer_get_color (oom, style);
  CHECK (rgb_distance ((Rgb) { ok_color.red, ok_color.green, ok_color.blue }, oom_color) > 0.3,
         "ok and OOM colours too close");

  /* The dashed cliff rule: most of its column is the rule colour (dashes
   * are 2/3 ink), a column 3 px away has none of it. */
  cw_chart_data_to_device (chart, 4.4, 50, &px, &py);
  col = (int) floor (px);
  {
    int y0 = (int) plot.y + 30, y1 = (int) (plot.y + plot.height);
    int on = count_in_column (s, col, y0, y1, cliff_color, 0.02);
    int off_l = count_in_column (s, col - 3, y0, y1, cliff_color, 0.3);
    int off_r = count_in_column (s, col + 3, y0, y1, cliff_color, 0.3);
    CHECK (on > (y1 - y0) / 2, "cliff column %d has %d of %d marker pixels", col, on, y1 - y0);
    CHECK (off_l == 0 && off_r == 0, "cliff ink beside its column: %d %d", off_l, off_r);
  }

  /* Circle: filled, so the centre and a point 0.7 r to the side are ink.
   * Cross (an X): the centre and the diagonal are ink, the side is not. */
  cw_chart_data_to_device (chart, 2.0, 20.0, &px, &py);
  CHECK (rgb_is (pixel_at (s, (int) floor (px), (int) floor (py)), ok_color, 0.1), "ok centre");
  CHECK (rgb_is (pixel_at (s, (int) floor (px + 0.7 * r), (int) floor (py)), ok_color, 0.15), "ok side");
  cw_chart_data_to_device (chart, 8.0, 30.0, &qx, &qy);
  CHECK (rgb_is (pixel_at (s, (int) floor (qx), (int) floor (qy)), oom_color, 0.1), "oom centre");
  CHECK (rgb_is (pixel_at (s, (int) floor (qx + 0.7 * r), (int) floor (qy + 0.7 * r)), oom_color, 0.3), "oom diagonal");
  CHECK (rgb_distance (pixel_at (s, (int) floor (qx + 1.2 * r), (int) floor (qy)), oom_color) > 0.5,
         "oom side is ink");
  CHECK (cw_chart_point_layer_get_marker (ok) != cw_chart_point_layer_get_marker (oom), "same marker shape");

  /* Hit testing on the same layout. */
  CHECK (cw_chart_hit_test (chart, px + 2, py + 1, 8, &hit), "hit near ok point");
  CHECK (hit.layer == 1 && hit.index == 0 && hit.tag == 100 && hit.x == 2.0 && hit.y == 20.0,
         "hit %zu/%zu tag %zu", hit.layer, hit.index, hit.tag);
  CHECK (fabs (hit.distance - sqrt (5.0)) < 1e-9, "distance %g", hit.distance);
  CHECK (cw_chart_hit_test (chart, qx, qy, 8, &hit) && hit.layer == 2 && hit.tag == 0, "hit oom");
  CHECK (!cw_chart_hit_test (chart, px + 20, py, 8, &hit), "hit outside radius");
  cw_chart_data_to_device (chart, 6.0, 60.0, &px, &py);
  CHECK (cw_chart_hit_test (chart, px, py, 8, &hit) && hit.tag == 101 && hit.distance < 1e-9, "second point");

  cairo_surface_destroy (s);
  cw_chart_free (chart);
}

/* Past 64 markers a layer is stamped from sprites on raster targets (the
 * 10,000-receipt path): markers still sit where the mapping says, circles
 * filled and crosses as an X, nothing between them. */
static void
test_many_markers (void)
{
  enum { N = 12 * 10 };
  CwChart *chart = cw_chart_new ();
  const CwChartStyle *style = cw_chart_style_get (CW_CHART_STYLE_LIGHT);
  double xs[N], ys[N], r = style->marker_radius;
  CwChartLayer *circles, *crosses;
  CwChartColor circle_color, cross_color;
  cairo_surface_t *s;
  int bad_centre = 0, bad_side = 0, bad_gap = 0;

  for (int i = 0; i < N; i++)
    {
      xs[i] = 1 + i % 12;
      ys[i] = 1 + i / 12;
    }
  cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, 0, 13);
  cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, 0, 11);
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_NONE);
  circles = cw_chart_point_layer_new ("ok", xs, ys, N, CW_CHART_MARKER_CIRCLE);
  cw_chart_layer_set_series (circles, 0);
  for (int i = 0; i < N; i++)
    xs[i] += 0.5;   /* crosses between the circles */
  crosses = cw_chart_point_layer_new ("oom", xs, ys, N, CW_CHART_MARKER_CROSS);
  cw_chart_layer_set_role (crosses, CW_CHART_ROLE_OOM);
  cw_chart_add_layer (chart, circles);
  cw_chart_add_layer (chart, crosses);
  s = render_to_image (chart, 900, 600);
  circle_color = cw_chart_layer_get_color (circles, style);
  cross_color = cw_chart_layer_get_color (crosses, style);
  for (int i = 0; i < N; i++)
    {
      double px, py, qx, qy, gx, gy;

      cw_chart_data_to_device (chart, 1 + i % 12, 1 + i / 12, &px, &py);
      cw_chart_data_to_device (chart, 1.5 + i % 12, 1 + i / 12, &qx, &qy);
      cw_chart_data_to_device (chart, 1.25 + i % 12, 1.5 + i / 12, &gx, &gy);
      bad_centre += !rgb_is (pixel_at (s, (int) floor (px), (int) floor (py)), circle_color, 0.05);
      bad_centre += !rgb_is (pixel_at (s, (int) floor (px + 0.6 * r), (int) floor (py)), circle_color, 0.1);
      bad_centre += !rgb_is (pixel_at (s, (int) floor (qx), (int) floor (qy)), cross_color, 0.1);
      bad_side += rgb_distance (pixel_at (s, (int) floor (qx + 1.2 * r), (int) floor (qy) + 1), cross_color) < 0.5;
      bad_gap += rgb_distance (pixel_at (s, (int) floor (gx), (int) floor (gy)), circle_color) < 0.5
                 || rgb_distance (pixel_at (s, (int) floor (gx), (int) floor (gy)), cross_color) < 0.5;
    }
  CHECK (bad_centre == 0, "%d marker pixels not in their colour", bad_centre);
  CHECK (bad_side == 0, "%d crosses have ink beside their centre", bad_side);
  CHECK (bad_gap == 0, "%d gaps between markers have ink", bad_gap);
  cairo_surface_destroy (s);

  /* HiDPI: an image surface with device scale 2. The mask is made at the
   * device resolution, so a marker centre is ink at twice the coordinates. */
  s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1800, 1200);
  cairo_surface_set_device_scale (s, 2, 2);
  {
    cairo_t *cr = cairo_create (s);
    cw_chart_render (chart, cr, 900, 600);
    cairo_destroy (cr);
  }
  bad_centre = bad_gap = 0;
  for (int i = 0; i < N; i++)
    {
      double px, py, gx, gy;
      cw_chart_data_to_device (chart, 1 + i % 12, 1 + i / 12, &px, &py);
      cw_chart_data_to_device (chart, 1.25 + i % 12, 1.5 + i / 12, &gx, &gy);
      bad_centre += !rgb_is (pixel_at (s, (int) floor (2 * px), (int) floor (2 * py)), circle_color, 0.05);
      bad_centre += !rgb_is (pixel_at (s, (int) floor (2 * (px + 0.6 * r)), (int) floor (2 * py)), circle_color, 0.1);
      bad_gap += rgb_distance (pixel_at (s, (int) floor (2 * gx), (int) floor (2 * gy)), circle_color) < 0.5;
    }
  CHECK (bad_centre == 0, "HiDPI: %d marker pixels not in their colour", bad_centre);
  /* ...and sharp: from a centre outwards, at most one device pixel is
   * between the marker colour and what lies beyond it (a 1x mask scaled up
   * would smear the edge over three). */
  {
    double px, py;
    int blurred = 0, y;
    Rgb beyond;
    cw_chart_data_to_device (chart, 5, 5, &px, &py);
    y = (int) floor (2 * py) + 1;
    beyond = pixel_at (s, (int) floor (2 * (px + r + 3)), y);
    for (int x = (int) floor (2 * px); x < (int) floor (2 * (px + r + 3)); x++)
      {
        Rgb p = pixel_at (s, x, y);
        CwChartColor b = { beyond.r, beyond.g, beyond.b, 1 };
        blurred += rgb_distance (p, circle_color) > 0.05 && rgb_distance (p, b) > 0.05;
      }
    CHECK (blurred <= 1, "HiDPI: marker edge spans %d pixels", blurred);
  }
  CHECK (bad_gap == 0, "HiDPI: %d gaps have ink", bad_gap);
  cairo_surface_destroy (s);
  cw_chart_free (chart);
}

/* NVTX bands: one colour per range name. */
static void
test_band_colours (void)
{
  CwChart *chart = cw_chart_new ();
  CwChartLayer *bands = cw_chart_band_layer_new ("ranges");
  CwChartRect plot;
  cairo_surface_t *s;
  double ax, bx, cx, py;
  Rgb a, b, c;

  cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, 0, 30);
  cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, 0, 1);
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_NONE);
  CHECK (cw_chart_band_layer_add (bands, 1, 9, 0, "score"), "band");
  CHECK (cw_chart_band_layer_add (bands, 11, 19, 0, "topk"), "band");
  CHECK (cw_chart_band_layer_add (bands, 21, 29, 0, "score"), "band");
  cw_chart_add_layer (chart, bands);
  s = render_to_image (chart, 600, 300);
  cw_chart_get_plot_area (chart, &plot);
  py = plot.y + 6;
  /* Sampled near each bar's right end, away from its label. */
  cw_chart_data_to_device (chart, 8.5, 0.5, &ax, NULL);
  cw_chart_data_to_device (chart, 18.5, 0.5, &bx, NULL);
  cw_chart_data_to_device (chart, 28.5, 0.5, &cx, NULL);
  a = pixel_at (s, (int) ax, (int) py);
  b = pixel_at (s, (int) bx, (int) py);
  c = pixel_at (s, (int) cx, (int) py);
  CHECK (rgb_is (a, (CwChartColor) { c.r, c.g, c.b, 1 }, 0.01), "same name, different colour");
  CHECK (!rgb_is (a, (CwChartColor) { b.r, b.g, b.b, 1 }, 0.1), "different names, same colour");
  cairo_surface_destroy (s);
  cw_chart_free (chart);
}

static void
test_styles_differ (void)
{
  CwChart *chart = cw_chart_new ();
  double xs[] = { 1, 2, 3 }, ys[] = { 3, 1, 2 };
  CwChartStyleKind kinds[] = { CW_CHART_STYLE_LIGHT, CW_CHART_STYLE_DARK, CW_CHART_STYLE_PRINT };
  Rgb bg[3];

  cw_chart_set_title (chart, "styles");
  cw_chart_add_layer (chart, cw_chart_line_layer_new ("a", xs, ys, 3));
  for (int i = 0; i < 3; i++)
    {
      const CwChartStyle *style = cw_chart_style_get (kinds[i]);
      cairo_surface_t *s;

      cw_chart_set_style (chart, kinds[i]);
      s = render_to_image (chart, 300, 200);
      bg[i] = pixel_at (s, 0, 0);
      CHECK (rgb_is (bg[i], style->background, 0.01), "%s background", style->name);
      cairo_surface_destroy (s);
    }
  /* Light is libadwaita's light grey, dark is dark, print is paper white. */
  CHECK (bg[0].r > 0.9 && bg[0].r < 1.0, "light bg %g", bg[0].r);
  CHECK (bg[1].r < 0.3, "dark bg %g", bg[1].r);
  CHECK (bg[2].r == 1.0 && bg[2].g == 1.0 && bg[2].b == 1.0, "print bg not white");
  /* Text must contrast with the background in every style. */
  for (int i = 0; i < 3; i++)
    {
      const CwChartStyle *style = cw_chart_style_get (kinds[i]);
      Rgb b = { style->background.red, style->background.green, style->background.blue };
      CHECK (rgb_distance (b, style->text) > 0.9, "%s text contrast", style->name);
      for (int k = 0; k < CW_CHART_N_SERIES_COLORS; k++)
        for (int j = k + 1; j < CW_CHART_N_SERIES_COLORS; j++)
          {
            Rgb c = { style->series[k].red, style->series[k].green, style->series[k].blue };
            CHECK (rgb_distance (c, style->series[j]) > 0.15, "%s series %d and %d alike", style->name, k, j);
          }
    }
  cw_chart_free (chart);
}

/* Rendering must survive any input: empty charts, NaN, zero on log axes,
 * absurd sizes, nothing drawable. */
static void
test_robustness (void)
{
  CwChart *chart = cw_chart_new ();
  double xs[] = { NAN, 0, -1, 1e308, 5 }, ys[] = { 1, NAN, 0, 1e308, -3 };
  cairo_surface_t *s;
  CwChartHit hit;

  /* Empty chart: renders, shows its message, no ticks crash. */
  cw_chart_set_empty_message (chart, "No data");
  s = render_to_image (chart, 320, 200);
  CHECK (cairo_surface_status (s) == CAIRO_STATUS_SUCCESS, "empty render");
  cairo_surface_destroy (s);
  CHECK (!cw_chart_hit_test (chart, 10, 10, 5, &hit), "hit on empty chart");

  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES, NULL);
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES, NULL);
  cw_chart_add_layer (chart, cw_chart_line_layer_new ("weird", xs, ys, 5));
  cw_chart_add_layer (chart, cw_chart_point_layer_new ("weird", xs, ys, 5, CW_CHART_MARKER_DIAMOND));
  cw_chart_add_layer (chart, cw_chart_step_layer_new ("step", (double[]) { 1, 2 }, (double[]) { 0, 5 }, 2));
  CHECK (cw_chart_step_layer_new ("bad", (double[]) { 2, 1 }, (double[]) { 0, 5 }, 2) == NULL,
         "decreasing step x accepted");
  CHECK (cw_chart_hline_layer_new ("nan", NAN) == NULL, "NaN rule accepted");
  {
    CwChartLayer *bars = cw_chart_bar_layer_new ("bars", CW_CHART_FILL_HATCHED);
    CHECK (cw_chart_bar_layer_add (bars, 1, 2, 0, 1e6, 1, CW_CHART_FILL_HATCHED, "x"), "bar");
    CHECK (!cw_chart_bar_layer_add (bars, NAN, 2, 0, 1, 1, CW_CHART_FILL_SOLID, NULL), "NaN bar accepted");
    CHECK (cw_chart_layer_get_n_items (bars) == 1, "bar count");
    cw_chart_add_layer (chart, bars);
  }
  {
    CwChartLayer *band = cw_chart_band_layer_new ("bands");
    CHECK (cw_chart_band_layer_add (band, 1, 3, 0, "lane"), "band");
    CHECK (!cw_chart_band_layer_add (band, 3, 1, 0, "backwards"), "backwards band accepted");
    cw_chart_add_layer (chart, band);
  }
  {
    CwChartLayer *ticks = cw_chart_tick_layer_new ("kernels");
    CHECK (cw_chart_tick_layer_add (ticks, 1, 1), "hairline tick");
    CHECK (!cw_chart_tick_layer_add (ticks, 2, 1), "backwards tick accepted");
    cw_chart_add_layer (chart, ticks);
  }
  for (int i = 0; i < 3; i++)
    {
      int sizes[][2] = { { 1, 1 }, { 7, 5 }, { 2000, 90 } };
      s = render_to_image (chart, sizes[i][0], sizes[i][1]);
      CHECK (cairo_surface_status (s) == CAIRO_STATUS_SUCCESS, "render %dx%d", sizes[i][0], sizes[i][1]);
      cairo_surface_destroy (s);
    }
  /* Non-positive and non-finite sizes are refused without drawing. */
  CHECK (!cw_chart_layout (chart, 0, 100), "0 width laid out");
  CHECK (!cw_chart_layout (chart, NAN, 100), "NaN width laid out");
  cw_chart_free (chart);
  cw_chart_free (NULL);
}

int
main (void)
{
  test_linear_mapping_and_ticks ();
  test_log_mapping ();
  test_markers_and_hits ();
  test_many_markers ();
  test_band_colours ();
  test_styles_differ ();
  test_robustness ();
  return test_finish ("test-chart-render");
}
