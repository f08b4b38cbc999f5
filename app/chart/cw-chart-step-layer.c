/* cw-chart-step-layer.c: a step-after series with the area below filled —
 * live bytes over time on the memory timeline. Live bytes only change at
 * alloc/free events, so a straight segment between events would draw memory
 * that never existed; the step draws what the allocator held. */
#include "cw-chart-layer-private.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  CwChartLayer parent;
  double *xs, *ys;
  size_t n;
} CwChartStepLayer;

/* Traces the step outline into the current path; returns false when no
 * point is drawable. Writes the first and last device x.
 *
 * A CUPTI trace can hold 100,000 alloc/free events; a path with a vertex
 * per event took seconds to fill. Events that land in the same device
 * pixel column collapse into one vertical run spanning every level they
 * reached (entry, min, max, exit), so the outline is exact to the pixel —
 * the peak included — with at most four vertices per column. */
static bool
trace_steps (CwChartStepLayer *self, const CwChartDrawContext *ctx, cairo_t *cr, double *first_x, double *last_x)
{
  bool started = false, open = false;
  double level = 0.0;                 /* device y of the value in force */
  double col = 0.0, col_x = 0.0, col_min = 0.0, col_max = 0.0, col_last = 0.0;

  for (size_t i = 0; i < self->n; i++)
    {
      double px, py;

      if (!cw_chart_axis_map (&ctx->x, self->xs[i], &px))
        continue;
      py = cw_chart_axis_map_clamped (&ctx->y, self->ys[i]);
      if (!started)
        {
          cairo_move_to (cr, px, py);
          *first_x = *last_x = px;
          level = py;
          started = true;
          continue;
        }
      if (open && floor (px) == col)
        {
          col_min = fmin (col_min, py);
          col_max = fmax (col_max, py);
          col_last = py;
          continue;
        }
      if (open)
        {
          cairo_line_to (cr, col_x, level);
          cairo_line_to (cr, col_x, col_min);
          cairo_line_to (cr, col_x, col_max);
          cairo_line_to (cr, col_x, col_last);
          level = col_last;
        }
      open = true;
      col = floor (px);
      col_x = px;
      col_min = fmin (level, py);
      col_max = fmax (level, py);
      col_last = py;
    }
  if (open)
    {
      cairo_line_to (cr, col_x, level);
      cairo_line_to (cr, col_x, col_min);
      cairo_line_to (cr, col_x, col_max);
      cairo_line_to (cr, col_x, col_last);
      *last_x = col_x;
    }
  return started;
}

static void
step_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartStepLayer *self = (CwChartStepLayer *) layer;
  CwChartColor color = cw_chart_layer_get_color (layer, ctx->style);
  double first_x = 0.0, last_x = 0.0;
  double base = cw_chart_axis_map_clamped (&ctx->y, 0.0);

  cairo_new_path (cr);
  if (!trace_steps (self, ctx, cr, &first_x, &last_x))
    return;
  cairo_line_to (cr, last_x, base);
  cairo_line_to (cr, first_x, base);
  cairo_close_path (cr);
  cw_chart_set_source_color (cr, color, 0.25);
  cairo_fill (cr);

  trace_steps (self, ctx, cr, &first_x, &last_x);
  cw_chart_set_source_color (cr, color, 1.0);
  cairo_set_line_width (cr, ctx->style->line_width * 0.75);
  cairo_stroke (cr);
}

static bool
step_extent (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max)
{
  const CwChartStepLayer *self = (const CwChartStepLayer *) layer;

  return cw_chart_series_extent (axis == 0 ? self->xs : self->ys, self->n, scale, min, max);
}

static void
step_legend_swatch (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartBox box)
{
  CwChartColor color = cw_chart_layer_get_color (layer, ctx->style);

  cairo_rectangle (cr, box.x, box.y + 2, box.width, box.height - 2);
  cw_chart_set_source_color (cr, color, 0.25);
  cairo_fill (cr);
  cairo_move_to (cr, box.x, box.y + 2);
  cairo_line_to (cr, box.x + box.width, box.y + 2);
  cw_chart_set_source_color (cr, color, 1.0);
  cairo_set_line_width (cr, ctx->style->line_width * 0.75);
  cairo_stroke (cr);
}

static void
step_finalize (CwChartLayer *layer)
{
  CwChartStepLayer *self = (CwChartStepLayer *) layer;

  free (self->xs);
  free (self->ys);
}

static const CwChartLayerClass step_class = {
  .kind = "step",
  .draw = step_draw,
  .extent = step_extent,
  .legend_swatch = step_legend_swatch,
  .finalize = step_finalize,
};

CwChartLayer *
cw_chart_step_layer_new (const char *label, const double *xs, const double *ys, size_t n)
{
  CwChartStepLayer *self;

  if (n > 0 && (xs == NULL || ys == NULL))
    return NULL;
  for (size_t i = 1; i < n; i++)
    if (!(xs[i] >= xs[i - 1]))
      return NULL;
  self = (CwChartStepLayer *) cw_chart_layer_alloc (&step_class, sizeof *self, label);
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

/* Index of the last point with xs[i] <= x, or (size_t) -1 if none. */
static size_t
last_at_or_before (const CwChartStepLayer *self, double x)
{
  size_t lo = 0, hi = self->n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;

      if (self->xs[mid] <= x)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo == 0 ? (size_t) -1 : lo - 1;
}

bool
cw_chart_step_layer_get_value_at (const CwChartLayer *layer, double x, double *y)
{
  const CwChartStepLayer *self = (const CwChartStepLayer *) layer;
  size_t i;

  if (!cw_chart_layer_is (layer, &step_class) || self->n == 0 || !isfinite (x) || x > self->xs[self->n - 1])
    return false;
  i = last_at_or_before (self, x);
  if (i == (size_t) -1)
    return false;
  *y = self->ys[i];
  return true;
}

bool
cw_chart_step_layer_get_max_in (const CwChartLayer *layer, double x0, double x1, double *x, double *y)
{
  const CwChartStepLayer *self = (const CwChartStepLayer *) layer;
  size_t i;
  bool any = false;

  if (!cw_chart_layer_is (layer, &step_class) || self->n == 0 || !(x0 <= x1))
    return false;
  i = last_at_or_before (self, x0);
  if (i == (size_t) -1)
    i = 0;
  for (; i < self->n && self->xs[i] <= x1; i++)
    if (!any || self->ys[i] > *y)
      {
        *y = self->ys[i];
        *x = fmax (self->xs[i], x0);
        any = true;
      }
  return any;
}
