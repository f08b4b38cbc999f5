/* cw-chart-area-layer.c: the region between a lower and an upper series
 * over the same x — the band inside which a measured peak still agrees
 * with the prediction on the compare chart. Samples the scale cannot show
 * (a lower bound <= 0 on a log axis) break the band. */
#include "cw-chart-layer-private.h"

#include <stdlib.h>

typedef struct {
  CwChartLayer parent;
  double *xs, *lo, *hi;
  size_t n;
} CwChartAreaLayer;

static bool
sample (const CwChartAreaLayer *self, const CwChartDrawContext *ctx, size_t i, double *px, double *plo, double *phi)
{
  return cw_chart_axis_map (&ctx->x, self->xs[i], px) && cw_chart_axis_map (&ctx->y, self->lo[i], plo)
         && cw_chart_axis_map (&ctx->y, self->hi[i], phi);
}

static void
area_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartAreaLayer *self = (CwChartAreaLayer *) layer;
  size_t i = 0;

  cairo_new_path (cr);
  while (i < self->n)
    {
      size_t start, end;
      double px, plo, phi;

      /* One closed polygon per run of drawable samples: along the upper
       * bound, back along the lower one. */
      while (i < self->n && !sample (self, ctx, i, &px, &plo, &phi))
        i++;
      start = i;
      while (i < self->n && sample (self, ctx, i, &px, &plo, &phi))
        i++;
      end = i;
      if (end - start < 2)
        continue;
      for (size_t k = start; k < end; k++)
        {
          sample (self, ctx, k, &px, &plo, &phi);
          if (k == start)
            cairo_move_to (cr, px, phi);
          else
            cairo_line_to (cr, px, phi);
        }
      for (size_t k = end; k-- > start;)
        {
          sample (self, ctx, k, &px, &plo, &phi);
          cairo_line_to (cr, px, plo);
        }
      cairo_close_path (cr);
    }
  cw_chart_set_source_color (cr, cw_chart_layer_get_color (layer, ctx->style), 0.18);
  cairo_fill (cr);
}

static bool
area_extent (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max)
{
  const CwChartAreaLayer *self = (const CwChartAreaLayer *) layer;
  double a0, a1, b0, b1;
  bool a, b;

  if (axis == 0)
    return cw_chart_series_extent (self->xs, self->n, scale, min, max);
  a = cw_chart_series_extent (self->lo, self->n, scale, &a0, &a1);
  b = cw_chart_series_extent (self->hi, self->n, scale, &b0, &b1);
  if (!a && !b)
    return false;
  *min = a && b ? (a0 < b0 ? a0 : b0) : (a ? a0 : b0);
  *max = a && b ? (a1 > b1 ? a1 : b1) : (a ? a1 : b1);
  return true;
}

static void
area_legend_swatch (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartBox box)
{
  cairo_rectangle (cr, box.x, box.y + 1, box.width, box.height - 2);
  cw_chart_set_source_color (cr, cw_chart_layer_get_color (layer, ctx->style), 0.18);
  cairo_fill (cr);
}

static void
area_finalize (CwChartLayer *layer)
{
  CwChartAreaLayer *self = (CwChartAreaLayer *) layer;

  free (self->xs);
  free (self->lo);
  free (self->hi);
}

static const CwChartLayerClass area_class = {
  .kind = "area",
  .draw = area_draw,
  .extent = area_extent,
  .legend_swatch = area_legend_swatch,
  .finalize = area_finalize,
};

CwChartLayer *
cw_chart_area_layer_new (const char *label, const double *xs, const double *lo, const double *hi, size_t n)
{
  CwChartAreaLayer *self;

  if (n > 0 && (xs == NULL || lo == NULL || hi == NULL))
    return NULL;
  self = (CwChartAreaLayer *) cw_chart_layer_alloc (&area_class, sizeof *self, label);
  if (self == NULL)
    return NULL;
  self->xs = cw_chart_dup_doubles (xs, n);
  self->lo = cw_chart_dup_doubles (lo, n);
  self->hi = cw_chart_dup_doubles (hi, n);
  self->n = n;
  if (self->xs == NULL || self->lo == NULL || self->hi == NULL)
    {
      cw_chart_layer_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}
