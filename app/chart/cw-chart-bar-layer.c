/* cw-chart-bar-layer.c: rectangles in data space with a fill kind — the
 * index-cache layer strip (one bar per model layer, coloured by pipeline
 * stage, filled by full / shared / promoted) and the payload at each stage
 * boundary. Fill kinds differ by pattern, not only colour, so the strip
 * reads in print and for colour-blind readers. */
#include "cw-chart-labels-private.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  double x0, x1, y0, y1;
  unsigned series_index;
  CwChartFill fill;
  char *name;
} CwChartBar;

typedef struct {
  CwChartLayer parent;
  CwChartBar *bars;
  size_t n, capacity;
  CwChartFill legend_fill;
} CwChartBarLayer;

static CwChartBox
bar_box (const CwChartBar *bar, const CwChartDrawContext *ctx)
{
  double a = cw_chart_axis_map_clamped (&ctx->x, bar->x0);
  double z = cw_chart_axis_map_clamped (&ctx->x, bar->x1);
  double b = cw_chart_axis_map_clamped (&ctx->y, bar->y0);
  double t = cw_chart_axis_map_clamped (&ctx->y, bar->y1);
  CwChartBox box = { fmin (a, z), fmin (b, t), fabs (z - a), fabs (t - b) };

  return box;
}

static void
fill_box (cairo_t *cr, const CwChartDrawContext *ctx, CwChartBox box, CwChartColor color, CwChartFill fill)
{
  switch (fill)
    {
    case CW_CHART_FILL_SOLID:
      cairo_rectangle (cr, box.x, box.y, box.width, box.height);
      cw_chart_set_source_color (cr, color, 1.0);
      cairo_fill (cr);
      break;
    case CW_CHART_FILL_LIGHT:
    case CW_CHART_FILL_HATCHED:
      cairo_rectangle (cr, box.x, box.y, box.width, box.height);
      cw_chart_set_source_color (cr, color, fill == CW_CHART_FILL_LIGHT ? 0.30 : 0.10);
      cairo_fill (cr);
      cw_chart_set_source_color (cr, color, 1.0);
      if (fill == CW_CHART_FILL_HATCHED)
        cw_chart_hatch_box (cr, box, 5.0);
      cairo_rectangle (cr, box.x + 0.5, box.y + 0.5, fmax (box.width - 1, 0), fmax (box.height - 1, 0));
      cairo_set_line_width (cr, 1.0);
      cairo_stroke (cr);
      break;
    }
  (void) ctx;
}

static void
bar_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartBarLayer *self = (CwChartBarLayer *) layer;

  for (size_t i = 0; i < self->n; i++)
    {
      const CwChartBar *bar = &self->bars[i];
      CwChartBox box = bar_box (bar, ctx);
      CwChartColor color = cw_chart_style_color (ctx->style, layer->role, bar->series_index);

      fill_box (cr, ctx, box, color, bar->fill);
    }
}

/* Each bar's name centred in it, when the bar (within the plot) has room. */
static void
bar_labels (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartLabels *labels, size_t index)
{
  CwChartBarLayer *self = (CwChartBarLayer *) layer;
  cairo_font_extents_t fe;

  cairo_font_extents (cr, &fe);
  for (size_t i = 0; i < self->n; i++)
    {
      const CwChartBar *bar = &self->bars[i];
      CwChartBox box = bar_box (bar, ctx);
      CwChartLabel *label;
      double w, x0, y0, x1, y1;

      if (bar->name == NULL)
        continue;
      x0 = fmax (box.x, ctx->plot.x);
      y0 = fmax (box.y, ctx->plot.y);
      x1 = fmin (box.x + box.width, ctx->plot.x + ctx->plot.width);
      y1 = fmin (box.y + box.height, ctx->plot.y + ctx->plot.height);
      w = cw_chart_text_width (cr, bar->name);
      if (!(w + 6 <= x1 - x0 && fe.height + 2 <= y1 - y0))
        continue;
      label = cw_chart_labels_add_text (labels, cr, CW_CHART_TEXT_ITEM_NAME, bar->name, index,
                                        CW_CHART_PRIORITY_NAME, (CwChartBox) { x0, y0, x1 - x0, y1 - y0 }, 0);
      if (label == NULL)
        continue;
      label->color = ctx->style->text;
      cw_chart_label_set_backdrop (label);
      cw_chart_label_add_anchor (labels, label, x0 + (x1 - x0 - w) / 2, y0 + (y1 - y0 + fe.ascent - fe.descent) / 2);
    }
}

static bool
bar_extent (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max)
{
  const CwChartBarLayer *self = (const CwChartBarLayer *) layer;
  bool any = false;

  for (size_t i = 0; i < self->n; i++)
    {
      const CwChartBar *bar = &self->bars[i];
      double v[2] = { axis == 0 ? bar->x0 : bar->y0, axis == 0 ? bar->x1 : bar->y1 };

      for (int k = 0; k < 2; k++)
        {
          if (!cw_chart_value_drawable (scale, v[k]))
            continue;
          if (!any || v[k] < *min)
            *min = v[k];
          if (!any || v[k] > *max)
            *max = v[k];
          any = true;
        }
    }
  return any;
}

static bool
bar_hit_test (const CwChartLayer *layer, const CwChartDrawContext *ctx, double px, double py,
              double radius, size_t *index, double *distance)
{
  const CwChartBarLayer *self = (const CwChartBarLayer *) layer;
  double best = radius;
  bool found = false;

  for (size_t i = 0; i < self->n; i++)
    {
      CwChartBox box = bar_box (&self->bars[i], ctx);
      double dx = fmax (fmax (box.x - px, 0.0), px - (box.x + box.width));
      double dy = fmax (fmax (box.y - py, 0.0), py - (box.y + box.height));
      double d = hypot (dx, dy);

      if (d <= best)
        {
          best = d;
          *index = i;
          found = true;
        }
    }
  if (found)
    *distance = best;
  return found;
}

static void
bar_legend_swatch (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartBox box)
{
  CwChartBarLayer *self = (CwChartBarLayer *) layer;

  fill_box (cr, ctx, box, cw_chart_layer_get_color (layer, ctx->style), self->legend_fill);
}

static size_t
bar_n_items (const CwChartLayer *layer)
{
  return ((const CwChartBarLayer *) layer)->n;
}

static void
bar_finalize (CwChartLayer *layer)
{
  CwChartBarLayer *self = (CwChartBarLayer *) layer;

  for (size_t i = 0; i < self->n; i++)
    free (self->bars[i].name);
  free (self->bars);
}

static const CwChartLayerClass bar_class = {
  .kind = "bar",
  .draw = bar_draw,
  .labels = bar_labels,
  .extent = bar_extent,
  .hit_test = bar_hit_test,
  .legend_swatch = bar_legend_swatch,
  .n_items = bar_n_items,
  .finalize = bar_finalize,
};

CwChartLayer *
cw_chart_bar_layer_new (const char *label, CwChartFill legend_fill)
{
  CwChartBarLayer *self = (CwChartBarLayer *) cw_chart_layer_alloc (&bar_class, sizeof *self, label);

  if (self == NULL)
    return NULL;
  self->legend_fill = legend_fill;
  return &self->parent;
}

bool
cw_chart_bar_layer_add (CwChartLayer *layer, double x0, double x1, double y0, double y1,
                        unsigned series_index, CwChartFill fill, const char *name)
{
  CwChartBarLayer *self = (CwChartBarLayer *) layer;
  CwChartBar *bar;

  if (!cw_chart_layer_is (layer, &bar_class))
    return false;
  if (!isfinite (x0) || !isfinite (x1) || !isfinite (y0) || !isfinite (y1))
    return false;
  if (!cw_chart_grow ((void **) &self->bars, &self->capacity, self->n + 1, sizeof *self->bars))
    return false;
  bar = &self->bars[self->n];
  bar->x0 = fmin (x0, x1);
  bar->x1 = fmax (x0, x1);
  bar->y0 = fmin (y0, y1);
  bar->y1 = fmax (y0, y1);
  bar->series_index = series_index;
  bar->fill = fill;
  bar->name = NULL;
  if (name != NULL && (bar->name = cw_chart_strdup (name)) == NULL)
    return false;
  self->n++;
  return true;
}

bool
cw_chart_bar_layer_get_bar (const CwChartLayer *layer, size_t index, double *x0, double *x1, double *y0, double *y1)
{
  const CwChartBarLayer *self = (const CwChartBarLayer *) layer;

  if (!cw_chart_layer_is (layer, &bar_class) || index >= self->n)
    return false;
  if (x0 != NULL)
    *x0 = self->bars[index].x0;
  if (x1 != NULL)
    *x1 = self->bars[index].x1;
  if (y0 != NULL)
    *y0 = self->bars[index].y0;
  if (y1 != NULL)
    *y1 = self->bars[index].y1;
  return true;
}
