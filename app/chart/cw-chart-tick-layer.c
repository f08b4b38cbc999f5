/* cw-chart-tick-layer.c: short marks along the bottom of the plot — kernel
 * launches on the memory timeline ([start, end], at least a hairline wide). */
#include "cw-chart-layer-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TICK_HEIGHT 10.0

typedef struct {
  CwChartLayer parent;
  double *x0s, *x1s;
  size_t n, cap0, cap1;
} CwChartTickLayer;

/* Kernels are marked per device pixel column: a streaming lane at 1M
 * tokens launches thousands, and one rectangle each would cost more than
 * the frame. Columns any kernel touches are set in a bitmap, and each run
 * of set columns becomes one rectangle. */
static void
tick_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartTickLayer *self = (CwChartTickLayer *) layer;
  double bottom = ctx->plot.y + ctx->plot.height;
  size_t width = (size_t) ceil (ctx->plot.width) + 1;
  unsigned char *covered;

  if (self->n == 0)
    return;
  covered = calloc (width, 1);
  if (covered == NULL)
    return;
  for (size_t i = 0; i < self->n; i++)
    {
      double a = cw_chart_axis_map_clamped (&ctx->x, self->x0s[i]) - ctx->plot.x;
      double z = cw_chart_axis_map_clamped (&ctx->x, self->x1s[i]) - ctx->plot.x;
      double lo = floor (fmin (a, z)), hi = ceil (fmax (a, z));

      if (hi <= lo)
        hi = lo + 1;   /* a hairline for instantaneous marks */
      if (hi <= 0 || lo >= (double) width)
        continue;
      lo = fmax (lo, 0.0);
      hi = fmin (hi, (double) width);
      memset (covered + (size_t) lo, 1, (size_t) (hi - lo));
    }
  cairo_new_path (cr);
  for (size_t c = 0; c < width;)
    {
      size_t run;

      if (!covered[c])
        {
          c++;
          continue;
        }
      for (run = c; run < width && covered[run]; run++)
        ;
      cairo_rectangle (cr, ctx->plot.x + (double) c, bottom - TICK_HEIGHT, (double) (run - c), TICK_HEIGHT);
      c = run;
    }
  free (covered);
  cw_chart_set_source_color (cr, cw_chart_layer_get_color (layer, ctx->style), 0.85);
  cairo_fill (cr);
}

static bool
tick_extent (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max)
{
  const CwChartTickLayer *self = (const CwChartTickLayer *) layer;
  double a0, a1, b0, b1;
  bool a, b;

  if (axis != 0)
    return false;
  a = cw_chart_series_extent (self->x0s, self->n, scale, &a0, &a1);
  b = cw_chart_series_extent (self->x1s, self->n, scale, &b0, &b1);
  if (!a && !b)
    return false;
  *min = a && b ? fmin (a0, b0) : (a ? a0 : b0);
  *max = a && b ? fmax (a1, b1) : (a ? a1 : b1);
  return true;
}

static void
tick_legend_swatch (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartBox box)
{
  for (int i = 0; i < 4; i++)
    cairo_rectangle (cr, box.x + 2 + i * box.width / 4, box.y + 1, 2, box.height - 2);
  cw_chart_set_source_color (cr, cw_chart_layer_get_color (layer, ctx->style), 0.85);
  cairo_fill (cr);
}

static size_t
tick_n_items (const CwChartLayer *layer)
{
  return ((const CwChartTickLayer *) layer)->n;
}

static void
tick_finalize (CwChartLayer *layer)
{
  CwChartTickLayer *self = (CwChartTickLayer *) layer;

  free (self->x0s);
  free (self->x1s);
}

static const CwChartLayerClass tick_class = {
  .kind = "tick",
  .draw = tick_draw,
  .extent = tick_extent,
  .legend_swatch = tick_legend_swatch,
  .n_items = tick_n_items,
  .finalize = tick_finalize,
};

CwChartLayer *
cw_chart_tick_layer_new (const char *label)
{
  CwChartLayer *layer = cw_chart_layer_alloc (&tick_class, sizeof (CwChartTickLayer), label);

  if (layer != NULL)
    layer->role = CW_CHART_ROLE_TICK;
  return layer;
}

bool
cw_chart_tick_layer_add (CwChartLayer *layer, double x0, double x1)
{
  CwChartTickLayer *self = (CwChartTickLayer *) layer;

  if (!cw_chart_layer_is (layer, &tick_class) || !isfinite (x0) || !isfinite (x1) || x1 < x0)
    return false;
  if (!cw_chart_grow ((void **) &self->x0s, &self->cap0, self->n + 1, sizeof (double))
      || !cw_chart_grow ((void **) &self->x1s, &self->cap1, self->n + 1, sizeof (double)))
    return false;
  self->x0s[self->n] = x0;
  self->x1s[self->n] = x1;
  self->n++;
  return true;
}
