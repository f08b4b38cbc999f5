/* cw-chart-point-layer.c: markers at (x, y) — receipts on the cliff and
 * compare charts. All markers of a layer go into one cairo path and are
 * filled (or, for crosses, stroked) once: a path per marker would not meet
 * the 16 ms redraw budget at 10,000 receipts. */
#include "cw-chart-layer-private.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  CwChartLayer parent;
  double *xs, *ys;
  size_t *tags;       /* NULL: tag == index */
  size_t n;
  CwChartMarker marker;
} CwChartPointLayer;

static double
marker_radius (const CwChartPointLayer *self, const CwChartStyle *style)
{
  /* A cross has no area; make it a little larger so it reads as clearly. */
  return self->marker == CW_CHART_MARKER_CROSS ? style->marker_radius * 1.3 : style->marker_radius;
}

static void
stroke_or_fill (CwChartPointLayer *self, const CwChartDrawContext *ctx, cairo_t *cr)
{
  if (self->marker == CW_CHART_MARKER_CROSS)
    {
      cw_chart_set_source_color (cr, cw_chart_layer_get_color (&self->parent, ctx->style), 1.0);
      cairo_set_line_width (cr, 2.0);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_stroke (cr);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
    }
  else
    {
      cw_chart_set_source_color (cr, cw_chart_layer_get_color (&self->parent, ctx->style), 1.0);
      cairo_fill_preserve (cr);
      /* A thin rim in the plot colour keeps overlapping receipts apart. */
      cw_chart_set_source_color (cr, ctx->style->plot_background, 1.0);
      cairo_set_line_width (cr, 0.75);
      cairo_stroke (cr);
    }
}

/* ---- raster markers ---------------------------------------------------------
 *
 * 10,000 antialiased circles as one cairo path cost ~15 us each to
 * tessellate: 150 ms, ten frames. On raster targets (image surfaces, and
 * GTK's recording surfaces, which are replayed onto images) markers are
 * instead stamped from pre-rendered A8 sprites into one mask, which is
 * composited once in the layer colour. Sprites exist for 4 x 4 sub-pixel
 * phases, so a marker sits within 1/8 px of its exact position. Vector
 * targets (PDF, SVG) keep exact path markers. */

#define RASTER_MIN_POINTS 64
#define PHASES 4

typedef struct {
  cairo_surface_t *surface[PHASES][PHASES];
  int size;           /* sprite width = height, device pixels */
  int half;           /* offset from sprite origin to its centre pixel */
} MarkerSprites;

static bool
raster_scale (const CwChartDrawContext *ctx, cairo_t *cr, double *sx, double *sy)
{
  cairo_surface_type_t type = cairo_surface_get_type (cairo_get_target (cr));
  double ax = 1.0, ay = 0.0, bx = 0.0, by = 1.0;

  if (type == CAIRO_SURFACE_TYPE_PDF || type == CAIRO_SURFACE_TYPE_PS || type == CAIRO_SURFACE_TYPE_SVG
      || type == CAIRO_SURFACE_TYPE_SCRIPT)
    return false;
  cairo_user_to_device_distance (cr, &ax, &ay);
  cairo_user_to_device_distance (cr, &bx, &by);
  if (fabs (ay) > 1e-9 || fabs (bx) > 1e-9 || !(fabs (ax) > 0.0) || !(fabs (by) > 0.0))
    return false;   /* rotated or degenerate: keep exact paths */
  *sx = fabs (ax);
  *sy = fabs (by);
  {
    /* The CTM leaves out the surface's device scale (HiDPI image surfaces). */
    double dsx = 1.0, dsy = 1.0;
    cairo_surface_get_device_scale (cairo_get_target (cr), &dsx, &dsy);
    *sx *= fabs (dsx);
    *sy *= fabs (dsy);
  }
  /* A recording surface (GTK's cairo nodes) is replayed later at the
   * widget's scale factor, which the caller told the chart: a mask made at
   * that scale replays 1:1 (sharp on HiDPI, and no costly resampling). */
  if (type == CAIRO_SURFACE_TYPE_RECORDING)
    {
      *sx = fmax (*sx, ctx->raster_scale);
      *sy = fmax (*sy, ctx->raster_scale);
    }
  return *sx <= 8.0 && *sy <= 8.0;
}

static bool
sprites_init (MarkerSprites *sprites, CwChartMarker marker, double radius, double scale)
{
  double r = radius * scale;

  memset (sprites, 0, sizeof *sprites);
  sprites->size = (int) ceil (2.0 * (r + 2.0 * scale)) + 2;
  sprites->half = sprites->size / 2;
  for (int py = 0; py < PHASES; py++)
    for (int px = 0; px < PHASES; px++)
      {
        cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_A8, sprites->size, sprites->size);
        cairo_t *cr = cairo_create (s);

        sprites->surface[py][px] = s;
        cairo_new_path (cr);
        cw_chart_draw_marker (cr, marker, sprites->half + (double) px / PHASES, sprites->half + (double) py / PHASES, r);
        if (marker == CW_CHART_MARKER_CROSS)
          {
            cairo_set_line_width (cr, 2.0 * scale);
            cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
            cairo_stroke (cr);
          }
        else
          cairo_fill (cr);
        cairo_destroy (cr);
        cairo_surface_flush (s);
        if (cairo_surface_status (s) != CAIRO_STATUS_SUCCESS)
          return false;
      }
  return true;
}

static void
sprites_clear (MarkerSprites *sprites)
{
  for (int py = 0; py < PHASES; py++)
    for (int px = 0; px < PHASES; px++)
      if (sprites->surface[py][px] != NULL)
        cairo_surface_destroy (sprites->surface[py][px]);
}

/* Stamps the sprite for device position (dx, dy) into the A8 mask, keeping
 * the larger coverage where markers overlap. */
static void
stamp (unsigned char *mask, int mask_w, int mask_h, int mask_stride, const MarkerSprites *sprites,
       double dx, double dy)
{
  double fx = floor (dx), fy = floor (dy);
  int phase_x = (int) ((dx - fx) * PHASES), phase_y = (int) ((dy - fy) * PHASES);
  cairo_surface_t *sprite = sprites->surface[phase_y < PHASES ? phase_y : PHASES - 1][phase_x < PHASES ? phase_x : PHASES - 1];
  const unsigned char *src = cairo_image_surface_get_data (sprite);
  int src_stride = cairo_image_surface_get_stride (sprite);
  int x0 = (int) fx - sprites->half, y0 = (int) fy - sprites->half;

  for (int y = 0; y < sprites->size; y++)
    {
      int my = y0 + y;
      const unsigned char *row;
      unsigned char *out;

      if (my < 0 || my >= mask_h)
        continue;
      row = src + (size_t) y * src_stride;
      out = mask + (size_t) my * mask_stride;
      for (int x = 0; x < sprites->size; x++)
        {
          int mx = x0 + x;
          if (mx >= 0 && mx < mask_w && row[x] > out[mx])
            out[mx] = row[x];
        }
    }
}

static bool
draw_raster (CwChartPointLayer *self, const CwChartDrawContext *ctx, cairo_t *cr, double r)
{
  MarkerSprites sprites;
  cairo_surface_t *mask;
  unsigned char *data;
  double sx, sy, min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;
  double *dev;
  int w, h, stride, ox, oy;
  size_t n = 0;
  bool ok = false;

  if (self->n < RASTER_MIN_POINTS || !raster_scale (ctx, cr, &sx, &sy))
    return false;
  if (self->n > SIZE_MAX / (2 * sizeof *dev) || (dev = malloc (2 * self->n * sizeof *dev)) == NULL)
    return false;
  if (!sprites_init (&sprites, self->marker, r, fmax (sx, sy)))
    goto out_sprites;

  /* Device positions of the visible markers and their bounding box: the
   * mask covers only that box, not the whole plot. */
  for (size_t i = 0; i < self->n; i++)
    {
      double px, py;

      if (!cw_chart_axis_map (&ctx->x, self->xs[i], &px) || !cw_chart_axis_map (&ctx->y, self->ys[i], &py))
        continue;
      if (px < ctx->plot.x - r || px > ctx->plot.x + ctx->plot.width + r || py < ctx->plot.y - r
          || py > ctx->plot.y + ctx->plot.height + r)
        continue;
      dev[2 * n] = px * sx;
      dev[2 * n + 1] = py * sy;
      min_x = fmin (min_x, dev[2 * n]);
      max_x = fmax (max_x, dev[2 * n]);
      min_y = fmin (min_y, dev[2 * n + 1]);
      max_y = fmax (max_y, dev[2 * n + 1]);
      n++;
    }
  if (n == 0)
    {
      ok = true;
      goto out_sprites;
    }
  ox = (int) floor (min_x) - sprites.size;
  oy = (int) floor (min_y) - sprites.size;
  w = (int) ceil (max_x) + sprites.size - ox + 1;
  h = (int) ceil (max_y) + sprites.size - oy + 1;
  if (w <= 0 || h <= 0 || w > 32767 || h > 32767)
    goto out_sprites;
  mask = cairo_image_surface_create (CAIRO_FORMAT_A8, w, h);
  if (cairo_surface_status (mask) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (mask);
      goto out_sprites;
    }
  cairo_surface_flush (mask);
  data = cairo_image_surface_get_data (mask);
  stride = cairo_image_surface_get_stride (mask);
  for (size_t i = 0; i < n; i++)
    stamp (data, w, h, stride, &sprites, dev[2 * i] - ox, dev[2 * i + 1] - oy);
  cairo_surface_mark_dirty (mask);

  cairo_save (cr);
  cairo_scale (cr, 1.0 / sx, 1.0 / sy);
  cw_chart_set_source_color (cr, cw_chart_layer_get_color (&self->parent, ctx->style), 1.0);
  cairo_mask_surface (cr, mask, ox, oy);
  cairo_restore (cr);
  cairo_surface_destroy (mask);
  ok = true;
out_sprites:
  sprites_clear (&sprites);
  free (dev);
  return ok;
}

static void
point_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartPointLayer *self = (CwChartPointLayer *) layer;
  double r = marker_radius (self, ctx->style);
  double left = ctx->plot.x - r, right = ctx->plot.x + ctx->plot.width + r;
  double top = ctx->plot.y - r, bottom = ctx->plot.y + ctx->plot.height + r;

  if (draw_raster (self, ctx, cr, r))
    return;
  cairo_new_path (cr);
  for (size_t i = 0; i < self->n; i++)
    {
      double px, py;

      if (!cw_chart_axis_map (&ctx->x, self->xs[i], &px) || !cw_chart_axis_map (&ctx->y, self->ys[i], &py))
        continue;
      if (px < left || px > right || py < top || py > bottom)
        continue;
      cw_chart_draw_marker (cr, self->marker, px, py, r);
    }
  stroke_or_fill (self, ctx, cr);
}

static bool
point_extent (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max)
{
  const CwChartPointLayer *self = (const CwChartPointLayer *) layer;

  return cw_chart_series_extent (axis == 0 ? self->xs : self->ys, self->n, scale, min, max);
}

static bool
point_hit_test (const CwChartLayer *layer, const CwChartDrawContext *ctx, double px, double py,
                double radius, size_t *index, double *distance)
{
  const CwChartPointLayer *self = (const CwChartPointLayer *) layer;
  double best = radius * radius;
  bool found = false;

  for (size_t i = 0; i < self->n; i++)
    {
      double mx, my, d2;

      if (!cw_chart_axis_map (&ctx->x, self->xs[i], &mx) || !cw_chart_axis_map (&ctx->y, self->ys[i], &my))
        continue;
      d2 = (mx - px) * (mx - px) + (my - py) * (my - py);
      if (d2 <= best)
        {
          best = d2;
          *index = i;
          found = true;
        }
    }
  if (found)
    *distance = sqrt (best);
  return found;
}

static void
point_legend_swatch (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartBox box)
{
  CwChartPointLayer *self = (CwChartPointLayer *) layer;

  cairo_new_path (cr);
  cw_chart_draw_marker (cr, self->marker, box.x + box.width / 2, box.y + box.height / 2,
                        marker_radius (self, ctx->style));
  stroke_or_fill (self, ctx, cr);
}

static size_t
point_n_items (const CwChartLayer *layer)
{
  return ((const CwChartPointLayer *) layer)->n;
}

static void
point_finalize (CwChartLayer *layer)
{
  CwChartPointLayer *self = (CwChartPointLayer *) layer;

  free (self->xs);
  free (self->ys);
  free (self->tags);
}

static const CwChartLayerClass point_class = {
  .kind = "point",
  .overflow_radii = 2.0,
  .draw = point_draw,
  .extent = point_extent,
  .hit_test = point_hit_test,
  .legend_swatch = point_legend_swatch,
  .n_items = point_n_items,
  .finalize = point_finalize,
};

CwChartLayer *
cw_chart_point_layer_new (const char *label, const double *xs, const double *ys, size_t n,
                          CwChartMarker marker)
{
  CwChartPointLayer *self;

  if (n > 0 && (xs == NULL || ys == NULL))
    return NULL;
  self = (CwChartPointLayer *) cw_chart_layer_alloc (&point_class, sizeof *self, label);
  if (self == NULL)
    return NULL;
  self->xs = cw_chart_dup_doubles (xs, n);
  self->ys = cw_chart_dup_doubles (ys, n);
  self->n = n;
  self->marker = marker;
  if (self->xs == NULL || self->ys == NULL)
    {
      cw_chart_layer_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}

bool
cw_chart_point_layer_set_tags (CwChartLayer *layer, const size_t *tags, size_t n)
{
  CwChartPointLayer *self = (CwChartPointLayer *) layer;
  size_t *copy;

  if (!cw_chart_layer_is (layer, &point_class) || tags == NULL || n != self->n)
    return false;
  if (n > SIZE_MAX / sizeof *tags)
    return false;
  copy = malloc (n == 0 ? sizeof *tags : n * sizeof *tags);
  if (copy == NULL)
    return false;
  if (n > 0)
    memcpy (copy, tags, n * sizeof *tags);
  free (self->tags);
  self->tags = copy;
  return true;
}

size_t
cw_chart_point_layer_get_tag (const CwChartLayer *layer, size_t index)
{
  const CwChartPointLayer *self = (const CwChartPointLayer *) layer;

  if (!cw_chart_layer_is (layer, &point_class) || self->tags == NULL || index >= self->n)
    return index;
  return self->tags[index];
}

CwChartMarker
cw_chart_point_layer_get_marker (const CwChartLayer *layer)
{
  if (!cw_chart_layer_is (layer, &point_class))
    return CW_CHART_MARKER_CIRCLE;
  return ((const CwChartPointLayer *) layer)->marker;
}

bool
cw_chart_point_layer_get_point (const CwChartLayer *layer, size_t index, double *x, double *y)
{
  const CwChartPointLayer *self = (const CwChartPointLayer *) layer;

  if (!cw_chart_layer_is (layer, &point_class) || index >= self->n)
    return false;
  if (x != NULL)
    *x = self->xs[index];
  if (y != NULL)
    *y = self->ys[index];
  return true;
}
