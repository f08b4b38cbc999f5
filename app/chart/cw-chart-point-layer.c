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

static void
point_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartPointLayer *self = (CwChartPointLayer *) layer;
  double r = marker_radius (self, ctx->style);
  double left = ctx->plot.x - r, right = ctx->plot.x + ctx->plot.width + r;
  double top = ctx->plot.y - r, bottom = ctx->plot.y + ctx->plot.height + r;

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
