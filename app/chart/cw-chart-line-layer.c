/* cw-chart-line-layer.c: a series of (x, y) joined by straight segments —
 * a profile's predicted peak vs sq, or the y = x reference. Points the
 * scale cannot show (<= 0 on a log axis, NaN) break the line rather than
 * being dropped silently into a misleading straight segment. On a y range
 * clipped to what matters (the cliff chart), a line that leaves through
 * the top of the plot can carry an off-scale marker there: a triangle
 * pointing up, in the line's colour, where it crosses the edge. */
#include "cw-chart-labels-private.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  CwChartLayer parent;
  double *xs, *ys;
  size_t n;
  CwChartDash dash;
  bool mark_off_scale;
} CwChartLineLayer;

/* The off-scale marker: its apex on the plot's top edge. */
#define OFF_SCALE_HALF_WIDTH 5.0
#define OFF_SCALE_HEIGHT     9.0

/* Calls `fn` with the device x of every place the line crosses the plot's
 * top edge, or starts above it, inside the plot's width. */
static void
for_each_off_scale (CwChartLineLayer *self, const CwChartDrawContext *ctx, void (*fn) (double x, void *data),
                    void *data)
{
  double top = ctx->plot.y, left = ctx->plot.x, right = ctx->plot.x + ctx->plot.width;
  double last_x = NAN, last_y = NAN;
  bool have_last = false;

  for (size_t i = 0; i < self->n; i++)
    {
      double px, py, x = NAN;

      if (!cw_chart_axis_map (&ctx->x, self->xs[i], &px) || !cw_chart_axis_map (&ctx->y, self->ys[i], &py))
        {
          have_last = false;
          continue;
        }
      /* Above the top edge (device y grows downwards), by more than rounding. */
      if (py < top - 0.5 && !have_last && i == 0)
        x = px;
      else if (have_last && (py < top - 0.5) != (last_y < top - 0.5))
        x = last_x + (top - last_y) / (py - last_y) * (px - last_x);
      if (isfinite (x) && x >= left && x <= right)
        fn (x, data);
      last_x = px;
      last_y = py;
      have_last = true;
    }
}

typedef struct {
  cairo_t *cr;
  double top;
} MarkDraw;

static void
path_mark (double x, void *data)
{
  MarkDraw *d = data;

  cairo_move_to (d->cr, x, d->top);
  cairo_line_to (d->cr, x + OFF_SCALE_HALF_WIDTH, d->top + OFF_SCALE_HEIGHT);
  cairo_line_to (d->cr, x - OFF_SCALE_HALF_WIDTH, d->top + OFF_SCALE_HEIGHT);
  cairo_close_path (d->cr);
}

typedef struct {
  CwChartLabels *labels;
  const CwChartDrawContext *ctx;
} MarkBlock;

/* Each marker is an obstacle no label may cover (they sit where rule
 * labels like to go, at the top of the plot). */
static void
block_mark (double x, void *data)
{
  MarkBlock *d = data;
  CwChartLabel *block = cw_chart_labels_add_block (d->labels, 2 * OFF_SCALE_HALF_WIDTH + 2, OFF_SCALE_HEIGHT + 1,
                                                   CW_CHART_PRIORITY_MARK, d->ctx->plot);

  cw_chart_label_add_anchor (d->labels, block, x - OFF_SCALE_HALF_WIDTH - 1, d->ctx->plot.y);
}

static void
line_labels (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartLabels *labels, size_t index)
{
  CwChartLineLayer *self = (CwChartLineLayer *) layer;
  MarkBlock d = { labels, ctx };

  (void) cr;
  (void) index;
  if (self->mark_off_scale)
    for_each_off_scale (self, ctx, block_mark, &d);
}

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
  if (self->mark_off_scale)
    {
      MarkDraw d = { cr, ctx->plot.y };

      cairo_new_path (cr);
      for_each_off_scale (self, ctx, path_mark, &d);
      cairo_fill (cr);
    }
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
  .labels = line_labels,
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

void
cw_chart_line_layer_set_mark_off_scale (CwChartLayer *layer, bool mark)
{
  if (cw_chart_layer_is (layer, &line_class))
    ((CwChartLineLayer *) layer)->mark_off_scale = mark;
}

bool
cw_chart_line_layer_get_mark_off_scale (const CwChartLayer *layer)
{
  return cw_chart_layer_is (layer, &line_class) && ((const CwChartLineLayer *) layer)->mark_off_scale;
}
