/* cw-chart-band-layer.c: x ranges as bands — NVTX ranges on the memory
 * timeline. Each range carries a labelled bar in a row at the top of the
 * plot, one row per nesting depth; the outer two levels also tint the full
 * plot height faintly, so they can be read against the live-bytes curve. */
#include "cw-chart-labels-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 64

typedef struct {
  double x0, x1;
  unsigned depth;
  unsigned color_slot;   /* order of first appearance of the name */
  char *name;
} CwChartBand;

typedef struct {
  CwChartLayer parent;
  CwChartBand *bands;
  size_t n, capacity;
  /* The first distinct names (owned by their bands; the strings do not
   * move when `bands` grows). Later new names share slots by hash, so
   * adding stays O(MAX_NAMES) per band whatever the trace holds. */
  const char *names[MAX_NAMES];
  unsigned n_names;
} CwChartBandLayer;

static double
row_height (cairo_t *cr)
{
  cairo_font_extents_t fe;

  cairo_font_extents (cr, &fe);
  return fe.height + 4;
}

static void
band_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartBandLayer *self = (CwChartBandLayer *) layer;
  double rh = row_height (cr);

  for (size_t i = 0; i < self->n; i++)
    {
      const CwChartBand *b = &self->bands[i];
      /* One colour per range name: the hundreds of per-chunk "score" and
       * "topk" ranges of a streaming lane read as two alternating colours.
       * Bands cycle through the hues (the neutral is no tint). */
      CwChartColor color = cw_chart_style_color (ctx->style, CW_CHART_ROLE_SERIES,
                                                 (layer->series_index + b->color_slot) % CW_CHART_N_HUES);
      double a = cw_chart_axis_map_clamped (&ctx->x, b->x0);
      double z = cw_chart_axis_map_clamped (&ctx->x, b->x1);
      double left = fmin (a, z), width = fmax (fabs (z - a), 1.0);
      double top = ctx->plot.y + 2 + b->depth * rh;

      /* Only the outer two levels tint the plot: a streaming lane has
       * hundreds of per-chunk ranges, whose stacked tints would be mud. */
      if (b->depth <= 1)
        {
          cairo_rectangle (cr, left, ctx->plot.y, width, ctx->plot.height);
          cw_chart_set_source_color (cr, color, 0.08);
          cairo_fill (cr);
        }

      cairo_rectangle (cr, left, top, width, rh - 2);
      cw_chart_set_source_color (cr, color, 0.45);
      cairo_fill (cr);
    }
}

/* Each range's name inside its bar, where the part of the bar within the
 * plot has room for it. */
static void
band_labels (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartLabels *labels, size_t index)
{
  CwChartBandLayer *self = (CwChartBandLayer *) layer;
  cairo_font_extents_t fe;
  double rh = row_height (cr);

  cairo_font_extents (cr, &fe);
  for (size_t i = 0; i < self->n; i++)
    {
      const CwChartBand *b = &self->bands[i];
      double a = cw_chart_axis_map_clamped (&ctx->x, b->x0);
      double z = cw_chart_axis_map_clamped (&ctx->x, b->x1);
      double left = fmax (fmin (a, z), ctx->plot.x);
      double right = fmin (fmax (a, z), ctx->plot.x + ctx->plot.width);
      CwChartBox bar = { left, ctx->plot.y + 2 + b->depth * rh, right - left, rh - 2 };
      CwChartLabel *label;

      if (b->name == NULL || !(right - left > 6) || cw_chart_text_width (cr, b->name) + 6 > right - left
          || bar.y + bar.height > ctx->plot.y + ctx->plot.height)
        continue;
      label = cw_chart_labels_add_text (labels, cr, CW_CHART_TEXT_ITEM_NAME, b->name, index, CW_CHART_PRIORITY_NAME,
                                        bar, 0);
      if (label == NULL)
        continue;
      label->color = ctx->style->text;
      cw_chart_label_add_anchor (labels, label, left + 3, bar.y + 1 + fe.ascent);
    }
}

static bool
band_extent (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max)
{
  const CwChartBandLayer *self = (const CwChartBandLayer *) layer;
  bool any = false;

  if (axis != 0)
    return false;
  for (size_t i = 0; i < self->n; i++)
    {
      double v[2] = { self->bands[i].x0, self->bands[i].x1 };
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

static void
band_legend_swatch (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartBox box)
{
  cairo_rectangle (cr, box.x, box.y + 1, box.width, box.height - 2);
  cw_chart_set_source_color (cr, cw_chart_layer_get_color (layer, ctx->style), 0.45);
  cairo_fill (cr);
}

static size_t
band_n_items (const CwChartLayer *layer)
{
  return ((const CwChartBandLayer *) layer)->n;
}

static void
band_finalize (CwChartLayer *layer)
{
  CwChartBandLayer *self = (CwChartBandLayer *) layer;

  for (size_t i = 0; i < self->n; i++)
    free (self->bands[i].name);
  free (self->bands);
}

static const CwChartLayerClass band_class = {
  .kind = "band",
  .draw = band_draw,
  .labels = band_labels,
  .extent = band_extent,
  .legend_swatch = band_legend_swatch,
  .n_items = band_n_items,
  .finalize = band_finalize,
};

CwChartLayer *
cw_chart_band_layer_new (const char *label)
{
  return cw_chart_layer_alloc (&band_class, sizeof (CwChartBandLayer), label);
}

bool
cw_chart_band_layer_add (CwChartLayer *layer, double x0, double x1, unsigned depth, const char *name)
{
  CwChartBandLayer *self = (CwChartBandLayer *) layer;
  CwChartBand *b;

  if (!cw_chart_layer_is (layer, &band_class) || !isfinite (x0) || !isfinite (x1) || x1 < x0 || depth > 64)
    return false;
  if (!cw_chart_grow ((void **) &self->bands, &self->capacity, self->n + 1, sizeof *self->bands))
    return false;
  b = &self->bands[self->n];
  b->x0 = x0;
  b->x1 = x1;
  b->depth = depth;
  b->name = NULL;
  if (name != NULL && (b->name = cw_chart_strdup (name)) == NULL)
    return false;
  /* Same name, same colour. */
  {
    const char *key = b->name != NULL ? b->name : "";
    unsigned slot = self->n_names;

    for (unsigned k = 0; k < self->n_names; k++)
      if (strcmp (self->names[k], key) == 0)
        {
          slot = k;
          break;
        }
    if (slot == self->n_names && self->n_names < MAX_NAMES)
      self->names[self->n_names++] = b->name != NULL ? b->name : "";
    else if (slot == self->n_names)
      {
        unsigned h = 5381;
        for (const char *c = key; *c != '\0'; c++)
          h = h * 33 + (unsigned char) *c;
        slot = h % MAX_NAMES;
      }
    b->color_slot = slot;
  }
  self->n++;
  return true;
}

size_t
cw_chart_band_layer_get_n_bands (const CwChartLayer *layer)
{
  return cw_chart_layer_is (layer, &band_class) ? ((const CwChartBandLayer *) layer)->n : 0;
}

bool
cw_chart_band_layer_get_band (const CwChartLayer *layer, size_t index, double *x0, double *x1, unsigned *depth,
                              const char **name)
{
  const CwChartBandLayer *self = (const CwChartBandLayer *) layer;

  if (!cw_chart_layer_is (layer, &band_class) || index >= self->n)
    return false;
  if (x0 != NULL)
    *x0 = self->bands[index].x0;
  if (x1 != NULL)
    *x1 = self->bands[index].x1;
  if (depth != NULL)
    *depth = self->bands[index].depth;
  if (name != NULL)
    *name = self->bands[index].name;
  return true;
}
