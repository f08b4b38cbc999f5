/* cw-chart-line-layer.c: a series of (x, y) joined by straight segments —
 * a profile's predicted peak vs sq, or the y = x reference. Points the
 * scale cannot show (<= 0 on a log axis, NaN) break the line rather than
 * being dropped silently into a misleading straight segment. */
#include "cw-chart-layer-private.h"

#include <stdlib.h>

typedef struct {
  CwChartLayer parent;
  double *xs, *ys;
  size_t n;
  CwChartDash dash;
} CwChartLineLayer;

static void
line_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartLineLayer *self = (CwChartLineLayer *) layer;
  bool pen_down = false;

  cairo_new_path (cr);
  for (size_t i = 0; i < self->n; i++)
    {
      double px, py;

      if (!cw_chart_axis_map (&ctx->x, self->xs[i], &px) || !cw_chart_axis_map (&ctx->y, self->ys[i], &py))
        {
          pen_down = false;
          continue;
        }
      if (pen_down)
        cairo_line_to (cr, px, py);
      else
        cairo_move_to (cr, px, py);
      pen_down = true;
    }
  cw_chart_set_source_color (cr, cw_chart_layer_get_color (layer, ctx->style), 1.0);
  cairo_set_line_width (cr, ctx->style->line_width);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cw_chart_set_dash (cr, self->dash);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0.0);
}

static bool
line_extent (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max)
{
  const CwChartLineLayer *self = (const CwChartLineLayer *) layer;

  return cw_chart_series_extent (axis == 0 ? self->xs : self->ys, self->n, scale, min, max);
}

static void
line_legend_swatch (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartBox box)
{
  CwChartLineLayer *self = (CwChartLineLayer *) layer;

  cairo_move_to (cr, box.x, box.y + box.height / 2);
  cairo_line_to (cr, box.x + box.width, box.y + box.height / 2);
  cw_chart_set_source_color (cr, cw_chart_layer_get_color (layer, ctx->style), 1.0);
  cairo_set_line_width (cr, ctx->style->line_width);
  cw_chart_set_dash (cr, self->dash);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0.0);
}

static void
line_finalize (CwChartLayer *layer)
{
  CwChartLineLayer *self = (CwChartLineLayer *) layer;

  free (self->xs);
  free (self->ys);
}

static const CwChartLayerClass line_class = {
  .kind = "line",
  .draw = line_draw,
  .extent = line_extent,
  .legend_swatch = line_legend_swatch,
  .finalize = line_finalize,
};

CwChartLayer *
cw_chart_line_layer_new (const char *label, const double *xs, const double *ys, size_t n)
{
  CwChartLineLayer *self;

  if (n > 0 && (xs == NULL || ys == NULL))
    return NULL;
  self = (CwChartLineLayer *) cw_chart_layer_alloc (&line_class, sizeof *self, label);
  if (self == NULL)
    return NULL;
  self->xs = cw_chart_dup_doubles (xs, n);
  self->ys = cw_chart_dup_doubles (ys, n);
  self->n = n;
  if (self->xs == NULL || self->ys == NULL)
    {
      cw_chart_layer_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}

void
cw_chart_line_layer_set_dash (CwChartLayer *layer, CwChartDash dash)
{
  if (cw_chart_layer_is (layer, &line_class))
    ((CwChartLineLayer *) layer)->dash = dash;
}

void
cw_chart_line_layer_set_dashed (CwChartLayer *layer, bool dashed)
{
  cw_chart_line_layer_set_dash (layer, dashed ? CW_CHART_DASH_DASHED : CW_CHART_DASH_SOLID);
}
