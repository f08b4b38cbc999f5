/* cw-chart.c: chart state, layout (margins from measured tick labels),
 * drawing order, coordinate mapping and hit testing. */
#include "cw-chart-private.h"
#include "cw-chart-i18n.h"
#include "cw-chart-labels-private.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICK_LENGTH 5.0

/* Centre of the pixel containing p: a 1-unit hairline drawn there covers
 * exactly that pixel column/row instead of smearing over two. */
static double
snap (double p)
{
  return floor (p) + 0.5;
}
#define PAD 10.0

typedef struct {
  CwChartScale scale;
  CwChartUnit unit;
  char *title;
  bool fixed;
  double fixed_min, fixed_max;
  bool include_zero;
  double tick_min, tick_max;   /* ticks only within; NAN: no limit */
  CwChartTick ticks[CW_CHART_MAX_TICKS];
  size_t n_ticks;
} CwChartAxis;

struct _CwChart {
  char *title;
  char *caption;          /* provenance, one line under the plot; NULL: none */
  char *empty_message;
  CwChartStyleKind style;
  CwChartLegendPosition legend;
  CwChartAxis axes[2];
  CwChartLayer **layers;
  size_t n_layers, capacity;

  /* Last layout. */
  bool laid_out;
  bool has_data;
  double width, height;
  CwChartDrawContext ctx;
  CwChartLabels labels;       /* every text, placed */
  CwChartLegendPosition legend_at;  /* where it went: the corner asked for, beside or below the plot */
  size_t legend_cols;               /* below: entries per row */
  double legend_below_h;            /* below: the band's height */
  double legend_label_cap;          /* below: the widest a label may be */
  bool legend_shown;
  CwChartBox legend_box;
  size_t n_dropped_legend;    /* entries that gave way to "(N more)", or all of them */
};

CwChart *
cw_chart_new (void)
{
  CwChart *chart = calloc (1, sizeof *chart);

  if (chart == NULL)
    return NULL;
  chart->style = CW_CHART_STYLE_LIGHT;
  chart->legend = CW_CHART_LEGEND_TOP_LEFT;
  chart->ctx.raster_scale = 1.0;
  for (int a = 0; a < 2; a++)
    {
      chart->axes[a].scale = CW_CHART_SCALE_LINEAR;
      chart->axes[a].unit = CW_CHART_UNIT_NUMBER;
      chart->axes[a].tick_min = NAN;
      chart->axes[a].tick_max = NAN;
    }
  return chart;
}

void
cw_chart_free (CwChart *chart)
{
  if (chart == NULL)
    return;
  for (size_t i = 0; i < chart->n_layers; i++)
    cw_chart_layer_free (chart->layers[i]);
  free (chart->layers);
  cw_chart_labels_free (&chart->labels);
  for (int a = 0; a < 2; a++)
    free (chart->axes[a].title);
  free (chart->title);
  free (chart->caption);
  free (chart->empty_message);
  free (chart);
}

static bool
replace_string (char **slot, const char *value)
{
  char *copy = NULL;

  if (value != NULL && (copy = cw_chart_strdup (value)) == NULL)
    return false;
  free (*slot);
  *slot = copy;
  return true;
}

bool
cw_chart_set_title (CwChart *chart, const char *title)
{
  return replace_string (&chart->title, title);
}

bool
cw_chart_set_caption (CwChart *chart, const char *caption)
{
  return replace_string (&chart->caption, caption);
}

const char *
cw_chart_get_caption (const CwChart *chart)
{
  return chart->caption;
}

const char *
cw_chart_get_title (const CwChart *chart)
{
  return chart->title;
}

bool
cw_chart_set_empty_message (CwChart *chart, const char *message)
{
  return replace_string (&chart->empty_message, message);
}

void
cw_chart_set_style (CwChart *chart, CwChartStyleKind style)
{
  chart->style = style;
}

CwChartStyleKind
cw_chart_get_style (const CwChart *chart)
{
  return chart->style;
}

void
cw_chart_set_raster_scale (CwChart *chart, double scale)
{
  if (scale >= 1.0 && scale <= 8.0)
    chart->ctx.raster_scale = scale;
}

void
cw_chart_set_legend_position (CwChart *chart, CwChartLegendPosition position)
{
  chart->legend = position;
}

CwChartLegendPosition
cw_chart_get_legend_placement (const CwChart *chart)
{
  return chart->laid_out && chart->legend_shown ? chart->legend_at : CW_CHART_LEGEND_NONE;
}

bool
cw_chart_set_axis (CwChart *chart, CwChartAxisId axis, CwChartScale scale, CwChartUnit unit, const char *title)
{
  CwChartAxis *a = &chart->axes[axis == CW_CHART_AXIS_Y];

  if (!replace_string (&a->title, title))
    return false;
  a->scale = scale;
  a->unit = unit;
  /* A fixed range that the new scale cannot show is dropped. */
  if (a->fixed && scale == CW_CHART_SCALE_LOG10 && !(a->fixed_min > 0.0))
    a->fixed = false;
  return true;
}

bool
cw_chart_set_axis_range (CwChart *chart, CwChartAxisId axis, double min, double max)
{
  CwChartAxis *a = &chart->axes[axis == CW_CHART_AXIS_Y];

  if (!isfinite (min) || !isfinite (max) || !(min < max))
    return false;
  if (a->scale == CW_CHART_SCALE_LOG10 && !(min > 0.0))
    return false;
  a->fixed = true;
  a->fixed_min = min;
  a->fixed_max = max;
  return true;
}

void
cw_chart_set_axis_auto (CwChart *chart, CwChartAxisId axis)
{
  chart->axes[axis == CW_CHART_AXIS_Y].fixed = false;
}

void
cw_chart_set_axis_include_zero (CwChart *chart, CwChartAxisId axis, bool include_zero)
{
  chart->axes[axis == CW_CHART_AXIS_Y].include_zero = include_zero;
}

void
cw_chart_set_axis_tick_limit (CwChart *chart, CwChartAxisId axis, double min, double max)
{
  CwChartAxis *a = &chart->axes[axis == CW_CHART_AXIS_Y];

  a->tick_min = min;
  a->tick_max = max;
}

CwChartScale
cw_chart_get_axis_scale (const CwChart *chart, CwChartAxisId axis)
{
  return chart->axes[axis == CW_CHART_AXIS_Y].scale;
}

CwChartUnit
cw_chart_get_axis_unit (const CwChart *chart, CwChartAxisId axis)
{
  return chart->axes[axis == CW_CHART_AXIS_Y].unit;
}

size_t
cw_chart_add_layer (CwChart *chart, CwChartLayer *layer)
{
  if (layer == NULL)
    return (size_t) -1;
  if (!cw_chart_grow ((void **) &chart->layers, &chart->capacity, chart->n_layers + 1, sizeof *chart->layers))
    {
      cw_chart_layer_free (layer);
      return (size_t) -1;
    }
  chart->layers[chart->n_layers] = layer;
  return chart->n_layers++;
}

size_t
cw_chart_get_n_layers (const CwChart *chart)
{
  return chart->n_layers;
}

CwChartLayer *
cw_chart_get_layer (const CwChart *chart, size_t index)
{
  return index < chart->n_layers ? chart->layers[index] : NULL;
}

/* ---- layout -------------------------------------------------------------- */

static void
setup_font (cairo_t *cr, const CwChartStyle *style, double size, bool bold)
{
  cairo_font_options_t *options = cairo_font_options_create ();

  /* Unhinted metrics: the same text measures the same on every surface, so
   * a PNG and a PDF of one chart have one layout. */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_set_font_options (cr, options);
  cairo_font_options_destroy (options);
  cairo_select_font_face (cr, style->font_family, CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

/* The data range of one axis: fixed, or the union of the layer extents. */
static bool
data_range (const CwChart *chart, int axis, double *min, double *max)
{
  const CwChartAxis *a = &chart->axes[axis];
  bool any = false;

  if (a->fixed)
    {
      *min = a->fixed_min;
      *max = a->fixed_max;
      return true;
    }
  for (size_t i = 0; i < chart->n_layers; i++)
    {
      const CwChartLayer *layer = chart->layers[i];
      double lo, hi;

      if (layer->klass->extent == NULL || !layer->klass->extent (layer, axis, a->scale, &lo, &hi))
        continue;
      if (!any || lo < *min)
        *min = lo;
      if (!any || hi > *max)
        *max = hi;
      any = true;
    }
  if (any && a->include_zero && a->scale == CW_CHART_SCALE_LINEAR)
    {
      *min = fmin (*min, 0.0);
      *max = fmax (*max, 0.0);
    }
  return any;
}

/* Has any layer something the axes can show? */
static bool
chart_has_data (const CwChart *chart)
{
  for (size_t i = 0; i < chart->n_layers; i++)
    {
      const CwChartLayer *layer = chart->layers[i];
      double lo, hi;

      if (layer->klass->extent != NULL
          && (layer->klass->extent (layer, 0, chart->axes[0].scale, &lo, &hi)
              || layer->klass->extent (layer, 1, chart->axes[1].scale, &lo, &hi)))
        return true;
    }
  return false;
}

static size_t
axis_ticks (CwChart *chart, int axis, double length, double spacing, CwChartAxisMap *map)
{
  CwChartAxis *a = &chart->axes[axis];
  double min, max;
  unsigned target = (unsigned) fmax (2.0, fmin (12.0, floor (length / spacing)));

  if (!data_range (chart, axis, &min, &max))
    {
      min = a->scale == CW_CHART_SCALE_LOG10 ? 1.0 : 0.0;
      max = a->scale == CW_CHART_SCALE_LOG10 ? 10.0 : 1.0;
    }
  if (a->fixed)
    {
      /* Keep the caller's exact range; ticks are those within it. */
      double lo = min, hi = max;
      CwChartTick all[CW_CHART_MAX_TICKS];
      size_t n = cw_chart_axis_nice_ticks (a->scale, a->unit, &lo, &hi, target, all, CW_CHART_MAX_TICKS);
      /* The slack widens each end outwards, so an end below zero (the
       * error view's -2 %) keeps its tick as one above zero does. */
      a->n_ticks = 0;
      for (size_t i = 0; i < n; i++)
        if (all[i].value >= min - fabs (min) * 1e-12 && all[i].value <= max + fabs (max) * 1e-12)
          a->ticks[a->n_ticks++] = all[i];
    }
  else
    {
      a->n_ticks = cw_chart_axis_nice_ticks (a->scale, a->unit, &min, &max, target, a->ticks,
                                             CW_CHART_MAX_TICKS);
      if (a->n_ticks == 0)
        {
          /* Only reached for absurd ranges (|v| > 1e300): fall back. */
          min = a->scale == CW_CHART_SCALE_LOG10 ? 1.0 : 0.0;
          max = a->scale == CW_CHART_SCALE_LOG10 ? 10.0 : 1.0;
          a->n_ticks = cw_chart_axis_nice_ticks (a->scale, a->unit, &min, &max, target, a->ticks,
                                                 CW_CHART_MAX_TICKS);
        }
    }
  /* A limit keeps ticks off a part of the axis that has no scale. */
  if (!isnan (a->tick_min) || !isnan (a->tick_max))
    {
      size_t kept = 0;

      for (size_t i = 0; i < a->n_ticks; i++)
        if (!(a->ticks[i].value < a->tick_min) && !(a->ticks[i].value > a->tick_max))
          a->ticks[kept++] = a->ticks[i];
      a->n_ticks = kept;
    }
  map->scale = a->scale;
  map->min = min;
  map->max = max;
  map->t_min = a->scale == CW_CHART_SCALE_LOG10 ? log10 (min) : min;
  map->t_max = a->scale == CW_CHART_SCALE_LOG10 ? log10 (max) : max;
  return a->n_ticks;
}

static bool
x_labels_overlap (const CwChart *chart, cairo_t *cr)
{
  const CwChartAxis *a = &chart->axes[0];
  double prev_right = -INFINITY;

  for (size_t i = 0; i < a->n_ticks; i++)
    {
      double px, w = cw_chart_text_width (cr, a->ticks[i].label);

      if (!cw_chart_axis_map (&chart->ctx.x, a->ticks[i].value, &px))
        continue;
      if (px - w / 2 < prev_right + 8)
        return true;
      prev_right = px + w / 2;
    }
  return false;
}

static bool
in_legend (const CwChartLayer *layer)
{
  return layer->in_legend && layer->label != NULL && layer->label[0] != '\0';
}

#define LEGEND_SWATCH_W 22.0
#define LEGEND_GAP 6.0
#define LEGEND_INSET 8.0
#define LEGEND_ROW_GAP 3.0
#define LEGEND_COLUMN_GAP 14.0
/* A legend asked for inside the plot stays there only while it takes at
 * most this share of the plot's width and of its height (a quarter of the
 * plot at most); beside the plot it takes at most this share of the
 * surface's width, and the plot keeps at least the second share. Past
 * that it goes below the plot, in columns, in at most the last share of
 * the surface's height. */
#define LEGEND_INSIDE_SHARE 0.5
#define LEGEND_RIGHT_SHARE 0.4
#define LEGEND_RIGHT_PLOT_SHARE 0.55
#define LEGEND_BELOW_SHARE 0.25
#define LEGEND_MIN_LABEL_W 100.0
#define TITLE_MAX_LINES 2
#define CAPTION_MAX_LINES 3

/* Width of the widest of the first `n_shown` legend labels, each shortened
 * to `max_label_w`; *n_entries counts every entry. */
static double
legend_label_width (const CwChart *chart, cairo_t *cr, double max_label_w, size_t n_shown, size_t *n_entries)
{
  double w = 0.0;

  *n_entries = 0;
  for (size_t i = 0; i < chart->n_layers; i++)
    if (in_legend (chart->layers[i]))
      {
        if (*n_entries < n_shown)
          w = fmax (w, fmin (cw_chart_text_width (cr, chart->layers[i]->label), max_label_w));
        (*n_entries)++;
      }
  return w;
}

/* The "(N more)" entry that ends a legend whose last entries gave way. */
static void
legend_more_text (size_t n, char *buf, size_t size)
{
  snprintf (buf, size, cw_chart_translate (CW_N_ ("(%zu more)")), n);
}

/* The legend box for `n_cells` entries of `label_w` in `cols` columns,
 * its frame stroke included. */
static double
legend_box_width (double label_w, size_t cols)
{
  return 2 * LEGEND_GAP + cols * (LEGEND_SWATCH_W + LEGEND_GAP + label_w) + (cols - 1) * LEGEND_COLUMN_GAP + 1;
}

static double
legend_box_height (size_t n_cells, size_t cols, double row_h)
{
  size_t rows = (n_cells + cols - 1) / cols;

  return 2 * LEGEND_GAP + rows * row_h - LEGEND_ROW_GAP + 1;
}

/* Where the legend goes for this layout, and the room it takes: beside the
 * plot (*right grows) or below it (*bottom grows by the band it needs).
 * The margins given are the plot's without a legend outside it. */
static void
choose_legend (CwChart *chart, cairo_t *cr, double width, double height, double left, double top,
               double *right, double *bottom)
{
  double plot_w = width - left - *right, plot_h = height - top - *bottom;
  cairo_font_extents_t fe;
  double label_w, nat_w, nat_h, row_h, right_w;
  size_t n, cols, rows, max_rows;
  bool fits_right;

  chart->legend_at = CW_CHART_LEGEND_NONE;
  label_w = legend_label_width (chart, cr, INFINITY, SIZE_MAX, &n);
  if (chart->legend == CW_CHART_LEGEND_NONE || n == 0)
    return;
  cairo_font_extents (cr, &fe);
  row_h = fe.height + LEGEND_ROW_GAP;
  nat_w = legend_box_width (label_w, 1);
  nat_h = legend_box_height (n, 1, row_h);
  right_w = nat_w + LEGEND_INSET + PAD;
  fits_right = right_w <= LEGEND_RIGHT_SHARE * width && width - left - right_w >= LEGEND_RIGHT_PLOT_SHARE * width
               && nat_h <= plot_h;

  switch (chart->legend)
    {
    case CW_CHART_LEGEND_TOP_LEFT:
    case CW_CHART_LEGEND_TOP_RIGHT:
    case CW_CHART_LEGEND_BOTTOM_RIGHT:
      if (nat_w + 2 * LEGEND_INSET <= LEGEND_INSIDE_SHARE * plot_w
          && nat_h + 2 * LEGEND_INSET <= LEGEND_INSIDE_SHARE * plot_h)
        {
          chart->legend_at = chart->legend;
          return;
        }
      break;
    case CW_CHART_LEGEND_OUTSIDE_RIGHT:
    case CW_CHART_LEGEND_BELOW:
    case CW_CHART_LEGEND_NONE:
    default:
      break;
    }
  if (chart->legend != CW_CHART_LEGEND_BELOW && fits_right)
    {
      chart->legend_at = CW_CHART_LEGEND_OUTSIDE_RIGHT;
      *right = fmax (*right, right_w);
      return;
    }

  /* Below: as many columns as the width holds; if the band's rows cannot
   * hold them all, more columns with labels shortened (to no less than
   * LEGEND_MIN_LABEL_W); entries that still do not fit give way to
   * "(N more)". */
  label_w = fmin (label_w, width - 2 * PAD - legend_box_width (0, 1));
  max_rows = (size_t) fmax (1.0, floor ((LEGEND_BELOW_SHARE * height - 2 * LEGEND_GAP - 1 + LEGEND_ROW_GAP) / row_h));
  cols = 1;
  while (cols < n && legend_box_width (label_w, cols + 1) <= width - 2 * PAD)
    cols++;
  while (cols < n && (n + cols - 1) / cols > max_rows)
    {
      double cap = (width - 2 * PAD - legend_box_width (0, cols + 1)) / (double) (cols + 1);

      if (cap < LEGEND_MIN_LABEL_W)
        break;
      cols++;
      label_w = fmin (label_w, cap);
    }
  rows = (n + cols - 1) / cols;
  if (rows > max_rows)
    {
      /* Room for the "(N more)" entry too, as far as the columns allow. */
      char more[64];

      rows = max_rows;
      legend_more_text (n, more, sizeof more);
      label_w = fmax (label_w, fmin (cw_chart_text_width (cr, more),
                                     (width - 2 * PAD - legend_box_width (0, cols)) / (double) cols));
    }
  chart->legend_at = CW_CHART_LEGEND_BELOW;
  chart->legend_cols = cols;
  chart->legend_label_cap = label_w;
  chart->legend_below_h = legend_box_height (rows * cols, cols, row_h);
  *bottom += chart->legend_below_h + 6;
}

/* Places the legend as one block where choose_legend() put it: at its
 * corner of the plot (or another corner, if that one is taken), beside the
 * plot, or in the band below it. When the whole legend fits nowhere, the
 * last entries give way to one "(N more)" entry, as many as it takes; the
 * entries become texts inside the block. */
static void
layout_legend (CwChart *chart, cairo_t *cr, CwChartBox surface)
{
  const CwChartBox *plot = &chart->ctx.plot;
  cairo_font_extents_t fe;
  CwChartBox bounds;
  CwChartLabel *block;
  double max_label_w, row_h, box_w = 0, box_h = 0, at_x = 0, at_y = 0, label_w = 0, pitch;
  size_t n_entries, shown, cols = 1;
  char more[64] = "";
  bool found = false;

  chart->legend_shown = false;
  if (chart->legend_at == CW_CHART_LEGEND_NONE)
    return;
  cairo_font_extents (cr, &fe);
  row_h = fe.height + LEGEND_ROW_GAP;
  switch (chart->legend_at)
    {
    case CW_CHART_LEGEND_OUTSIDE_RIGHT:
      {
        double right = plot->x + plot->width;

        bounds = (CwChartBox) { right, surface.y, surface.x + surface.width - right, surface.height };
        max_label_w = surface.x + surface.width - PAD - right - LEGEND_INSET - legend_box_width (0, 1);
        break;
      }
    case CW_CHART_LEGEND_BELOW:
      {
        /* The band under the x axis's tick labels and title. */
        double top = plot->y + plot->height + TICK_LENGTH + 4 + fe.height
                     + (chart->axes[0].title != NULL ? fe.height + 6 : 0) + 2;

        bounds = (CwChartBox) { PAD / 2, top, surface.width - PAD, chart->legend_below_h };
        max_label_w = chart->legend_label_cap;
        cols = chart->legend_cols;
        break;
      }
    default:
      bounds = *plot;
      max_label_w = plot->width - 2 * LEGEND_INSET - legend_box_width (0, 1);
      break;
    }
  if (!(max_label_w > 0))
    max_label_w = 1;
  legend_label_width (chart, cr, max_label_w, SIZE_MAX, &n_entries);

  for (shown = n_entries; shown > 0 && !found; shown--)
    {
      double corners[4][2];
      size_t n_cells = shown + (shown < n_entries), n_cols = cols < n_cells ? cols : n_cells;
      int order[4];

      label_w = legend_label_width (chart, cr, max_label_w, shown, &n_entries);
      if (shown < n_entries)
        {
          legend_more_text (n_entries - shown, more, sizeof more);
          label_w = fmax (label_w, fmin (cw_chart_text_width (cr, more), max_label_w));
        }
      box_w = legend_box_width (label_w, n_cols);
      box_h = legend_box_height (n_cells, n_cols, row_h);

      if (chart->legend_at == CW_CHART_LEGEND_OUTSIDE_RIGHT || chart->legend_at == CW_CHART_LEGEND_BELOW)
        {
          CwChartBox box = { plot->x + plot->width + LEGEND_INSET, plot->y, box_w, box_h };

          if (chart->legend_at == CW_CHART_LEGEND_BELOW)
            {
              /* Under the plot's left edge, or further left if it needs the room. */
              box.x = plot->x + box_w <= surface.width - PAD ? plot->x : fmax (PAD / 2, surface.width - PAD - box_w);
              box.y = bounds.y;
            }
          if (cw_chart_labels_box_free (&chart->labels, box, bounds))
            {
              found = true;
              at_x = box.x;
              at_y = box.y;
              cols = n_cols;
            }
          continue;
        }
      /* Corners: top left, top right, bottom right, bottom left; the
       * chosen one first, then the others. */
      corners[0][0] = corners[3][0] = plot->x + LEGEND_INSET;
      corners[1][0] = corners[2][0] = plot->x + plot->width - LEGEND_INSET - box_w;
      corners[0][1] = corners[1][1] = plot->y + LEGEND_INSET;
      corners[2][1] = corners[3][1] = plot->y + plot->height - LEGEND_INSET - box_h;
      order[0] = chart->legend_at == CW_CHART_LEGEND_TOP_RIGHT ? 1
                 : chart->legend_at == CW_CHART_LEGEND_BOTTOM_RIGHT ? 2 : 0;
      for (int k = 1, c = 0; k < 4; c++)
        if (c != order[0])
          order[k++] = c;
      for (int k = 0; k < 4 && !found; k++)
        {
          CwChartBox box = { corners[order[k]][0], corners[order[k]][1], box_w, box_h };

          if (cw_chart_labels_box_free (&chart->labels, box, bounds))
            {
              found = true;
              at_x = box.x;
              at_y = box.y;
            }
        }
    }
  if (!found)
    {
      chart->n_dropped_legend = n_entries;
      return;
    }
  shown++;   /* the loop stepped past the count that fitted */
  chart->n_dropped_legend = n_entries - shown;

  block = cw_chart_labels_add_block (&chart->labels, box_w, box_h, CW_CHART_PRIORITY_LEGEND, bounds);
  if (block == NULL)
    return;
  cw_chart_label_place_at (block, at_x, at_y);
  chart->legend_shown = true;
  chart->legend_box = block->box;

  /* The entries, row by row, each a text whose box takes in its swatch;
   * then the "(N more)" entry, if entries gave way. */
  pitch = LEGEND_SWATCH_W + LEGEND_GAP + label_w + LEGEND_COLUMN_GAP;
  {
    size_t cell = 0;

    for (size_t i = 0; i <= chart->n_layers && cell < shown + (shown < n_entries); i++)
      {
        bool is_more = i == chart->n_layers || cell == shown;
        const char *text = is_more ? more : chart->layers[i]->label;
        CwChartLabel *entry;

        if (!is_more && !in_legend (chart->layers[i]))
          continue;
        entry = cw_chart_labels_add_text (&chart->labels, cr, CW_CHART_TEXT_LEGEND, text, is_more ? (size_t) -1 : i,
                                          CW_CHART_PRIORITY_LEGEND, bounds, label_w);
        if (entry != NULL)
          {
            entry->color = is_more ? chart->ctx.style->muted : chart->ctx.style->text;
            entry->extent.x -= LEGEND_SWATCH_W + LEGEND_GAP;
            entry->extent.width += LEGEND_SWATCH_W + LEGEND_GAP;
            cw_chart_label_place_at (entry, at_x + LEGEND_GAP + (double) (cell % cols) * pitch + LEGEND_SWATCH_W
                                            + LEGEND_GAP,
                                     at_y + LEGEND_GAP + (double) (cell / cols) * row_h + fe.ascent);
          }
        cell++;
        if (is_more)
          break;
      }
  }
}

/* Adds a text of the frame (title, caption, axes) at one fixed place. */
static CwChartLabel *
add_frame_text (CwChart *chart, cairo_t *cr, CwChartTextKind kind, const char *text, CwChartBox surface,
                double max_width, double x, double y, CwChartColor color)
{
  CwChartLabel *label = cw_chart_labels_add_text (&chart->labels, cr, kind, text, (size_t) -1,
                                                  CW_CHART_PRIORITY_FRAME, surface, max_width);

  if (label != NULL)
    {
      label->color = color;
      cw_chart_label_add_anchor (&chart->labels, label, x, y);
    }
  return label;
}

/* The texts of the frame: title lines, tick labels, axis titles, caption
 * lines, each where the margins made room for it. */
static void
layout_frame_texts (CwChart *chart, cairo_t *cr, CwChartBox surface, char *const *title_lines, size_t n_title,
                    char *const *caption_lines, size_t n_caption)
{
  const CwChartStyle *style = chart->ctx.style;
  const CwChartBox *plot = &chart->ctx.plot;
  double bottom = plot->y + plot->height, width = surface.width, height = surface.height;
  cairo_font_extents_t fe, title_fe;

  if (n_title > 0)
    {
      double x = plot->x;

      setup_font (cr, style, style->title_font_size, true);
      cairo_font_extents (cr, &title_fe);
      for (size_t i = 0; i < n_title; i++)
        if (plot->x + cw_chart_text_width (cr, title_lines[i]) > width - PAD)
          x = PAD;
      for (size_t i = 0; i < n_title; i++)
        {
          CwChartLabel *label = add_frame_text (chart, cr, CW_CHART_TEXT_TITLE, title_lines[i], surface,
                                                width - 2 * PAD, x, PAD + title_fe.ascent + i * title_fe.height,
                                                style->text);
          if (label != NULL)
            label->font = CW_CHART_LABEL_FONT_TITLE;
        }
      setup_font (cr, style, style->font_size, false);
    }
  cairo_font_extents (cr, &fe);

  /* Tick labels: x centred under their tick (kept inside the surface at
   * the ends), y right-aligned left of theirs. */
  for (size_t i = 0; i < chart->axes[0].n_ticks; i++)
    {
      const CwChartTick *t = &chart->axes[0].ticks[i];
      double px, w = cw_chart_text_width (cr, t->label);

      if (!cw_chart_axis_map (&chart->ctx.x, t->value, &px))
        continue;
      add_frame_text (chart, cr, CW_CHART_TEXT_TICK_LABEL, t->label, surface, 0,
                      fmin (fmax (px - w / 2, PAD / 2), width - PAD / 2 - w),
                      bottom + TICK_LENGTH + 3 + fe.ascent, style->text);
    }
  for (size_t i = 0; i < chart->axes[1].n_ticks; i++)
    {
      const CwChartTick *t = &chart->axes[1].ticks[i];
      double py;

      if (!cw_chart_axis_map (&chart->ctx.y, t->value, &py))
        continue;
      add_frame_text (chart, cr, CW_CHART_TEXT_TICK_LABEL, t->label, surface, 0,
                      plot->x - TICK_LENGTH - 4 - cw_chart_text_width (cr, t->label),
                      fmin (fmax (py + (fe.ascent - fe.descent) / 2, fe.ascent), height - fe.descent),
                      style->text);
    }

  /* Axis titles: x centred under the plot, y centred beside it reading
   * upwards; both shortened to what the surface (or plot) can hold. */
  if (chart->axes[0].title != NULL)
    {
      CwChartLabel *label = add_frame_text (chart, cr, CW_CHART_TEXT_AXIS_TITLE, chart->axes[0].title, surface,
                                            width - 2 * PAD, 0, 0, style->text);
      if (label != NULL)
        {
          double w = label->extent.width;

          label->anchors[0] = fmin (fmax (plot->x + (plot->width - w) / 2, PAD), width - PAD - w);
          label->anchors[1] = bottom + TICK_LENGTH + 4 + fe.height + 4 + fe.ascent;
        }
    }
  if (chart->axes[1].title != NULL)
    {
      CwChartLabel *label = add_frame_text (chart, cr, CW_CHART_TEXT_AXIS_TITLE, chart->axes[1].title, surface,
                                            fmax (plot->height, 1.0), 0, 0, style->text);
      if (label != NULL)
        {
          double w = label->extent.width;

          label->rotated = true;
          label->extent = (CwChartBox) { -fe.ascent, -w, fe.ascent + fe.descent, w };
          label->anchors[0] = PAD + fe.ascent;
          label->anchors[1] = plot->y + (plot->height + w) / 2;
        }
    }

  /* Caption: muted, at the bottom; one line at the right, wrapped lines
   * from the left. */
  for (size_t i = 0; i < n_caption; i++)
    {
      double w = cw_chart_text_width (cr, caption_lines[i]);

      add_frame_text (chart, cr, CW_CHART_TEXT_CAPTION, caption_lines[i], surface, width - 2 * PAD,
                      n_caption == 1 ? fmax (PAD, width - PAD - w) : PAD,
                      height - PAD / 2 - fe.descent - (double) (n_caption - 1 - i) * fe.height, style->muted);
    }
}

static void
layout_with (CwChart *chart, cairo_t *cr, double width, double height)
{
  const CwChartStyle *style = cw_chart_style_get (chart->style);
  cairo_font_extents_t fe, title_fe;
  CwChartBox surface = { 0, 0, width, height };
  char *title_lines[TITLE_MAX_LINES], *caption_lines[CAPTION_MAX_LINES];
  size_t n_title = 0, n_caption = 0;
  double top, bottom, left, right, label_w = 0.0;
  double spacing_x = 90.0;

  chart->ctx.style = style;
  chart->width = width;
  chart->height = height;
  chart->has_data = chart_has_data (chart);
  cw_chart_labels_clear (&chart->labels);
  chart->n_dropped_legend = 0;
  chart->legend_shown = false;

  /* Title and caption wrap to the surface's width rather than run off it. */
  setup_font (cr, style, style->title_font_size, true);
  cairo_font_extents (cr, &title_fe);
  if (chart->title != NULL)
    n_title = cw_chart_text_wrap (cr, chart->title, width - 2 * PAD, title_lines, TITLE_MAX_LINES);
  setup_font (cr, style, style->font_size, false);
  cairo_font_extents (cr, &fe);
  if (chart->caption != NULL)
    n_caption = cw_chart_text_wrap (cr, chart->caption, width - 2 * PAD, caption_lines, CAPTION_MAX_LINES);

  top = PAD + (n_title > 0 ? n_title * title_fe.height + 8 : fe.height / 2);
  bottom = PAD + TICK_LENGTH + 4 + fe.height + (chart->axes[0].title != NULL ? fe.height + 6 : 0)
           + (n_caption > 0 ? n_caption * fe.height + 4 : 0);

  /* y first: its tick count depends only on the height; its labels then
   * decide the left margin, which decides the width x has. */
  axis_ticks (chart, 1, height - top - bottom, 45.0, &chart->ctx.y);
  for (size_t i = 0; i < chart->axes[1].n_ticks; i++)
    label_w = fmax (label_w, cw_chart_text_width (cr, chart->axes[1].ticks[i].label));
  left = PAD + (chart->axes[1].title != NULL ? fe.height + 6 : 0) + label_w + 4 + TICK_LENGTH;
  right = PAD + 16;
  /* The legend inside the plot, beside it or below it; below, the plot is
   * shorter, so y is laid out again. */
  choose_legend (chart, cr, width, height, left, top, &right, &bottom);
  if (chart->legend_at == CW_CHART_LEGEND_BELOW)
    {
      axis_ticks (chart, 1, height - top - bottom, 45.0, &chart->ctx.y);
      label_w = 0.0;
      for (size_t i = 0; i < chart->axes[1].n_ticks; i++)
        label_w = fmax (label_w, cw_chart_text_width (cr, chart->axes[1].ticks[i].label));
      left = PAD + (chart->axes[1].title != NULL ? fe.height + 6 : 0) + label_w + 4 + TICK_LENGTH;
    }

  /* Whole-pixel plot edges keep the frame and hairlines crisp. */
  left = ceil (left);
  top = ceil (top);
  chart->ctx.plot.x = left;
  chart->ctx.plot.y = top;
  chart->ctx.plot.width = fmax (floor (width - left - right), 1.0);
  chart->ctx.plot.height = fmax (floor (height - top - bottom), 1.0);
  chart->ctx.y.p0 = top + chart->ctx.plot.height;
  chart->ctx.y.p1 = top;
  chart->ctx.x.p0 = left;
  chart->ctx.x.p1 = left + chart->ctx.plot.width;

  /* Fewer x ticks until their labels stop colliding. */
  for (int attempt = 0; attempt < 6; attempt++)
    {
      axis_ticks (chart, 0, chart->ctx.plot.width, spacing_x, &chart->ctx.x);
      if (!x_labels_overlap (chart, cr))
        break;
      spacing_x *= 1.5;
    }
  chart->laid_out = true;

  /* Texts: the frame's first, then the legend, then what the plot holds,
   * each placed clear of everything placed before it. */
  layout_frame_texts (chart, cr, surface, title_lines, n_title, caption_lines, n_caption);
  for (size_t i = 0; i < n_title; i++)
    free (title_lines[i]);
  for (size_t i = 0; i < n_caption; i++)
    free (caption_lines[i]);
  cw_chart_labels_place (&chart->labels);
  layout_legend (chart, cr, surface);
  if (!chart->has_data && chart->empty_message != NULL)
    {
      CwChartLabel *label = cw_chart_labels_add_text (&chart->labels, cr, CW_CHART_TEXT_MESSAGE, chart->empty_message,
                                                      (size_t) -1, CW_CHART_PRIORITY_MESSAGE, chart->ctx.plot,
                                                      chart->ctx.plot.width - 8);
      if (label != NULL)
        {
          label->color = style->muted;
          cw_chart_label_add_anchor (&chart->labels, label,
                                     chart->ctx.plot.x + (chart->ctx.plot.width - label->extent.width) / 2,
                                     chart->ctx.plot.y + chart->ctx.plot.height / 2);
        }
    }
  for (size_t i = 0; i < chart->n_layers; i++)
    if (chart->layers[i]->klass->labels != NULL)
      chart->layers[i]->klass->labels (chart->layers[i], &chart->ctx, cr, &chart->labels, i);
  cw_chart_labels_place (&chart->labels);
}

static bool
size_usable (double width, double height)
{
  return isfinite (width) && isfinite (height) && width >= 1.0 && height >= 1.0
         && width <= 1e6 && height <= 1e6;
}

bool
cw_chart_layout (CwChart *chart, double width, double height)
{
  cairo_surface_t *surface;
  cairo_t *cr;

  if (!size_usable (width, height))
    return false;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  layout_with (chart, cr, width, height);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return true;
}

/* ---- drawing ------------------------------------------------------------- */

static void
draw_grid (CwChart *chart, cairo_t *cr)
{
  const CwChartStyle *style = chart->ctx.style;
  const CwChartBox *plot = &chart->ctx.plot;
  double bottom = plot->y + plot->height;

  /* Grid. */
  cairo_new_path (cr);
  for (size_t i = 0; i < chart->axes[0].n_ticks; i++)
    {
      double px;
      if (cw_chart_axis_map (&chart->ctx.x, chart->axes[0].ticks[i].value, &px))
        {
          cairo_move_to (cr, snap (px), plot->y);
          cairo_line_to (cr, snap (px), bottom);
        }
    }
  for (size_t i = 0; i < chart->axes[1].n_ticks; i++)
    {
      double py;
      if (cw_chart_axis_map (&chart->ctx.y, chart->axes[1].ticks[i].value, &py))
        {
          cairo_move_to (cr, plot->x, snap (py));
          cairo_line_to (cr, plot->x + plot->width, snap (py));
        }
    }
  cw_chart_set_source_color (cr, style->grid, 1.0);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
}

/* The frame and the tick marks (their labels are texts). */
static void
draw_axes (CwChart *chart, cairo_t *cr)
{
  const CwChartStyle *style = chart->ctx.style;
  const CwChartBox *plot = &chart->ctx.plot;
  double bottom = plot->y + plot->height;

  cw_chart_set_source_color (cr, style->axis, 1.0);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, plot->x - 0.5, plot->y - 0.5, plot->width + 1, plot->height + 1);
  cairo_stroke (cr);
  for (size_t i = 0; i < chart->axes[0].n_ticks; i++)
    {
      double px;

      if (!cw_chart_axis_map (&chart->ctx.x, chart->axes[0].ticks[i].value, &px))
        continue;
      cairo_move_to (cr, snap (px), bottom);
      cairo_line_to (cr, snap (px), bottom + TICK_LENGTH);
    }
  for (size_t i = 0; i < chart->axes[1].n_ticks; i++)
    {
      double py;

      if (!cw_chart_axis_map (&chart->ctx.y, chart->axes[1].ticks[i].value, &py))
        continue;
      cairo_move_to (cr, plot->x - TICK_LENGTH, snap (py));
      cairo_line_to (cr, plot->x, snap (py));
    }
  cairo_stroke (cr);
}

/* The legend's frame and swatches (its entries' words are texts). */
static void
draw_legend (CwChart *chart, cairo_t *cr)
{
  const CwChartStyle *style = chart->ctx.style;
  const CwChartBox *box = &chart->legend_box;
  cairo_font_extents_t fe;

  if (!chart->legend_shown)
    return;
  cairo_font_extents (cr, &fe);
  cairo_rectangle (cr, box->x + 0.5, box->y + 0.5, box->width - 1, box->height - 1);
  cw_chart_set_source_color (cr, style->plot_background, 0.9);
  cairo_fill_preserve (cr);
  cw_chart_set_source_color (cr, style->grid, 1.0);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);

  for (size_t i = 0; i < chart->labels.n; i++)
    {
      const CwChartLabel *entry = &chart->labels.items[i];
      CwChartLayer *layer;
      CwChartBox swatch;

      if (entry->kind != CW_CHART_TEXT_LEGEND || !entry->placed || entry->layer >= chart->n_layers)
        continue;
      layer = chart->layers[entry->layer];
      swatch = (CwChartBox) { entry->x - LEGEND_GAP - LEGEND_SWATCH_W, entry->y - fe.ascent + 2, LEGEND_SWATCH_W,
                              fe.height - 4 };
      cairo_save (cr);
      if (layer->klass->legend_swatch != NULL)
        layer->klass->legend_swatch (layer, &chart->ctx, cr, swatch);
      cairo_restore (cr);
    }
}

/* Every placed text, each in its font and colour; rule labels and names
 * over a translucent box in the plot's colour so they stay legible over
 * series. */
static void
draw_texts (CwChart *chart, cairo_t *cr)
{
  const CwChartStyle *style = chart->ctx.style;
  CwChartLabelFont font = CW_CHART_LABEL_FONT_NORMAL;

  setup_font (cr, style, style->font_size, false);
  for (size_t i = 0; i < chart->labels.n; i++)
    {
      const CwChartLabel *label = &chart->labels.items[i];

      if (!label->placed || label->text == NULL)
        continue;
      if (label->font != font)
        {
          font = label->font;
          setup_font (cr, style, font == CW_CHART_LABEL_FONT_TITLE ? style->title_font_size : style->font_size,
                      font == CW_CHART_LABEL_FONT_TITLE);
        }
      if (label->backdrop)
        {
          cairo_rectangle (cr, label->box.x, label->box.y, label->box.width, label->box.height);
          cw_chart_set_source_color (cr, style->plot_background, 0.8);
          cairo_fill (cr);
        }
      cw_chart_set_source_color (cr, label->color, 1.0);
      cairo_move_to (cr, label->x, label->y);
      if (label->rotated)
        {
          cairo_save (cr);
          cairo_rotate (cr, -M_PI / 2);
          cairo_show_text (cr, label->text);
          cairo_restore (cr);
        }
      else
        cairo_show_text (cr, label->text);
      cairo_new_path (cr);
    }
  setup_font (cr, style, style->font_size, false);
}

void
cw_chart_render (CwChart *chart, cairo_t *cr, double width, double height)
{
  const CwChartStyle *style;
  const CwChartBox *plot;

  if (chart == NULL || cr == NULL || !size_usable (width, height) || cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    return;
  cairo_save (cr);
  layout_with (chart, cr, width, height);
  style = chart->ctx.style;
  plot = &chart->ctx.plot;

  cairo_rectangle (cr, 0, 0, width, height);
  cw_chart_set_source_color (cr, style->background, 1.0);
  cairo_fill (cr);
  cairo_rectangle (cr, plot->x, plot->y, plot->width, plot->height);
  cw_chart_set_source_color (cr, style->plot_background, 1.0);
  cairo_fill (cr);

  draw_grid (chart, cr);

  for (size_t i = 0; i < chart->n_layers; i++)
    {
      double grow = chart->layers[i]->klass->overflow_radii * style->marker_radius * 1.3;

      cairo_save (cr);
      cairo_rectangle (cr, plot->x - grow, plot->y - grow, plot->width + 2 * grow, plot->height + 2 * grow);
      cairo_clip (cr);
      chart->layers[i]->klass->draw (chart->layers[i], &chart->ctx, cr);
      cairo_restore (cr);
    }

  draw_axes (chart, cr);
  draw_legend (chart, cr);
  draw_texts (chart, cr);
  cairo_restore (cr);
}

/* ---- queries on the last layout ----------------------------------------- */

bool
cw_chart_data_to_device (const CwChart *chart, double x, double y, double *px, double *py)
{
  double dx, dy;

  if (!chart->laid_out || !cw_chart_axis_map (&chart->ctx.x, x, &dx) || !cw_chart_axis_map (&chart->ctx.y, y, &dy))
    return false;
  if (px != NULL)
    *px = dx;
  if (py != NULL)
    *py = dy;
  return true;
}

bool
cw_chart_device_to_data (const CwChart *chart, double px, double py, double *x, double *y)
{
  double dx, dy;

  if (!chart->laid_out || !cw_chart_axis_unmap (&chart->ctx.x, px, &dx) || !cw_chart_axis_unmap (&chart->ctx.y, py, &dy))
    return false;
  if (x != NULL)
    *x = dx;
  if (y != NULL)
    *y = dy;
  return true;
}

bool
cw_chart_get_plot_area (const CwChart *chart, CwChartRect *area)
{
  if (!chart->laid_out)
    return false;
  area->x = chart->ctx.plot.x;
  area->y = chart->ctx.plot.y;
  area->width = chart->ctx.plot.width;
  area->height = chart->ctx.plot.height;
  return true;
}

size_t
cw_chart_get_ticks (const CwChart *chart, CwChartAxisId axis, const CwChartTick **ticks)
{
  const CwChartAxis *a = &chart->axes[axis == CW_CHART_AXIS_Y];

  if (!chart->laid_out)
    {
      *ticks = NULL;
      return 0;
    }
  *ticks = a->ticks;
  return a->n_ticks;
}

bool
cw_chart_get_axis_range (const CwChart *chart, CwChartAxisId axis, double *min, double *max)
{
  const CwChartAxisMap *map = axis == CW_CHART_AXIS_Y ? &chart->ctx.y : &chart->ctx.x;

  if (!chart->laid_out)
    return false;
  *min = map->min;
  *max = map->max;
  return true;
}

size_t
cw_chart_get_n_texts (const CwChart *chart)
{
  size_t n = 0;

  if (!chart->laid_out)
    return 0;
  for (size_t i = 0; i < chart->labels.n; i++)
    n += chart->labels.items[i].placed && chart->labels.items[i].text != NULL;
  return n;
}

bool
cw_chart_get_text (const CwChart *chart, size_t index, CwChartText *text)
{
  if (!chart->laid_out || text == NULL)
    return false;
  for (size_t i = 0; i < chart->labels.n; i++)
    {
      const CwChartLabel *label = &chart->labels.items[i];

      if (!label->placed || label->text == NULL)
        continue;
      if (index-- > 0)
        continue;
      text->kind = label->kind;
      text->text = label->text;
      text->box = (CwChartRect) { label->box.x, label->box.y, label->box.width, label->box.height };
      text->layer = label->layer;
      return true;
    }
  return false;
}

size_t
cw_chart_get_n_dropped_texts (const CwChart *chart)
{
  size_t n = 0;

  if (!chart->laid_out)
    return 0;
  for (size_t i = 0; i < chart->labels.n; i++)
    n += chart->labels.items[i].decided && !chart->labels.items[i].placed && chart->labels.items[i].text != NULL;
  return n + chart->n_dropped_legend;
}

bool
cw_chart_hit_test (const CwChart *chart, double px, double py, double radius, CwChartHit *hit)
{
  bool found = false;
  double best = INFINITY;

  if (!chart->laid_out || !(radius >= 0.0) || hit == NULL)
    return false;
  /* Topmost first, strict improvement only: ties keep the upper layer. */
  for (size_t i = chart->n_layers; i-- > 0;)
    {
      const CwChartLayer *layer = chart->layers[i];
      size_t index;
      double distance;

      if (layer->klass->hit_test == NULL
          || !layer->klass->hit_test (layer, &chart->ctx, px, py, radius, &index, &distance))
        continue;
      if (distance < best)
        {
          best = distance;
          hit->layer = i;
          hit->index = index;
          hit->tag = cw_chart_point_layer_get_tag (layer, index);
          hit->distance = distance;
          if (!cw_chart_point_layer_get_point (layer, index, &hit->x, &hit->y))
            {
              double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
              cw_chart_bar_layer_get_bar (layer, index, &x0, &x1, &y0, &y1);
              hit->x = (x0 + x1) / 2;
              hit->y = y1;
            }
          found = true;
        }
    }
  return found;
}

/* ---- description for accessible exports ---------------------------------- */

typedef struct {
  char *data;
  size_t len, cap;
  bool failed;
} TextBuffer;

static void
text_append (TextBuffer *buf, const char *s)
{
  size_t n;

  if (buf->failed || s == NULL)
    return;
  n = strlen (s);
  if (!cw_chart_grow ((void **) &buf->data, &buf->cap, buf->len + n + 1, 1))
    {
      buf->failed = true;
      return;
    }
  memcpy (buf->data + buf->len, s, n + 1);
  buf->len += n;
}

char *
cw_chart_dup_description (const CwChart *chart)
{
  static const char *axis_names[2] = { "x axis", "y axis" };
  TextBuffer buf = { NULL, 0, 0, false };

  text_append (&buf, chart->title != NULL ? chart->title : "Chart");
  text_append (&buf, "\n");
  if (chart->caption != NULL)
    {
      text_append (&buf, "caption: ");
      text_append (&buf, chart->caption);
      text_append (&buf, "\n");
    }
  for (int a = 0; a < 2; a++)
    {
      text_append (&buf, axis_names[a]);
      if (chart->axes[a].title != NULL)
        {
          text_append (&buf, " (");
          text_append (&buf, chart->axes[a].title);
          text_append (&buf, ")");
        }
      text_append (&buf, ":");
      for (size_t i = 0; i < chart->axes[a].n_ticks; i++)
        {
          text_append (&buf, i == 0 ? " " : ", ");
          text_append (&buf, chart->axes[a].ticks[i].label);
        }
      text_append (&buf, "\n");
    }
  for (size_t i = 0; i < chart->n_layers; i++)
    {
      const CwChartLayer *layer = chart->layers[i];

      if (layer->label == NULL || layer->label[0] == '\0')
        continue;
      text_append (&buf, layer->in_legend ? "legend: " : "label: ");
      text_append (&buf, layer->label);
      if (cw_chart_layer_get_n_items (layer) > 0)
        {
          char count[48];
          size_t n = cw_chart_layer_get_n_items (layer);
          snprintf (count, sizeof count, " (%zu item%s)", n, n == 1 ? "" : "s");
          text_append (&buf, count);
        }
      text_append (&buf, "\n");
    }
  if (!chart->has_data && chart->empty_message != NULL)
    {
      text_append (&buf, chart->empty_message);
      text_append (&buf, "\n");
    }
  if (buf.failed)
    {
      free (buf.data);
      return NULL;
    }
  return buf.data;
}
