/* cw-chart-rule-layer.c: horizontal and vertical rules with a label — the
 * usable-HBM line (hline) and each profile's cliff (vline). */
#include "cw-chart-labels-private.h"

#include <math.h>

typedef struct {
  CwChartLayer parent;
  double value;
  bool dashed;
  unsigned label_row;
  bool label_left;
} CwChartRuleLayer;

/* Rules are drawn 2 units wide centred on a pixel edge, so the pixel
 * containing the exact position is always fully inked: a cliff marker is
 * crisp, and the pixel the mapping names is the marker colour. */
#define RULE_WIDTH 2.0

static double
snap_rule (double p)
{
  return round (p);
}

static void
set_line_style (CwChartRuleLayer *self, const CwChartDrawContext *ctx, cairo_t *cr)
{
  cw_chart_set_source_color (cr, cw_chart_layer_get_color (&self->parent, ctx->style), 1.0);
  cairo_set_line_width (cr, RULE_WIDTH);
  if (self->dashed)
    {
      double dash[] = { 8.0, 4.0 };
      cairo_set_dash (cr, dash, 2, 0.0);
    }
}

static void
hline_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartRuleLayer *self = (CwChartRuleLayer *) layer;
  double py;

  if (!cw_chart_axis_map (&ctx->y, self->value, &py))
    return;
  cairo_new_path (cr);
  py = snap_rule (py);
  cairo_move_to (cr, ctx->plot.x, py);
  cairo_line_to (cr, ctx->plot.x + ctx->plot.width, py);
  set_line_style (self, ctx, cr);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0.0);
}

/* The label's candidate places, best first: just above the rule at its
 * right (or left) end, just below it there, the same at the other end,
 * then stepping along the rule from one end to the other. */
static void
hline_labels (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartLabels *labels, size_t index)
{
  CwChartRuleLayer *self = (CwChartRuleLayer *) layer;
  CwChartLabel *label;
  double py, w, ascent, first, second, above, below;

  if (!cw_chart_axis_map (&ctx->y, self->value, &py))
    return;
  label = cw_chart_labels_add_text (labels, cr, CW_CHART_TEXT_RULE_LABEL, layer->label, index,
                                    CW_CHART_PRIORITY_RULE, ctx->plot, ctx->plot.width - 12);
  if (label == NULL)
    return;
  label->color = cw_chart_layer_get_color (layer, ctx->style);
  w = label->extent.width;
  ascent = -label->extent.y;
  cw_chart_label_set_backdrop (label);
  py = snap_rule (py);
  above = py - 5;
  below = py + 5 + ascent;
  first = ctx->plot.x + ctx->plot.width - w - 6;
  second = ctx->plot.x + 6;
  if (self->label_left)
    {
      double t = first;
      first = second;
      second = t;
    }
  for (int k = 0; k <= 8; k++)
    {
      /* 0 and 8 are the two ends; 1..7 the steps between, nearest the
       * preferred end first. */
      int step = k == 0 ? 0 : k == 1 ? 8 : k - 1;
      double x = first + (second - first) * step / 8.0;

      cw_chart_label_add_anchor (labels, label, x, above);
      cw_chart_label_add_anchor (labels, label, x, below);
    }
}

static void
vline_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  CwChartRuleLayer *self = (CwChartRuleLayer *) layer;
  double px;

  if (!cw_chart_axis_map (&ctx->x, self->value, &px))
    return;
  cairo_new_path (cr);
  px = snap_rule (px);
  cairo_move_to (cr, px, ctx->plot.y);
  cairo_line_to (cr, px, ctx->plot.y + ctx->plot.height);
  set_line_style (self, ctx, cr);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0.0);
}

/* The label's candidate places, best first: in its preferred text row from
 * the top of the plot, right of the rule, else left of it; then the rows
 * below, then those above. Only when no row has room beside the rule may
 * the label sit across it (centred on it, inside the plot). */
static void
vline_labels (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartLabels *labels, size_t index)
{
  CwChartRuleLayer *self = (CwChartRuleLayer *) layer;
  cairo_font_extents_t fe;
  CwChartLabel *label;
  double px, w, row_h, across;
  unsigned n_rows, first;

  if (!cw_chart_axis_map (&ctx->x, self->value, &px))
    return;
  px = snap_rule (px);
  cairo_font_extents (cr, &fe);
  label = cw_chart_labels_add_text (labels, cr, CW_CHART_TEXT_RULE_LABEL, layer->label, index,
                                    CW_CHART_PRIORITY_RULE, ctx->plot, ctx->plot.width - 8);
  if (label == NULL)
    return;
  label->color = cw_chart_layer_get_color (layer, ctx->style);
  w = label->extent.width;
  cw_chart_label_set_backdrop (label);
  row_h = fe.height + 2;
  n_rows = (unsigned) fmax (1.0, floor ((ctx->plot.height - 4 - fe.height) / row_h) + 1);
  first = self->label_row < n_rows ? self->label_row : n_rows - 1;
  across = fmin (fmax (px - w / 2, ctx->plot.x + 2), ctx->plot.x + ctx->plot.width - w - 2);
  for (int pass = 0; pass < 2; pass++)
    for (unsigned k = 0; k < n_rows; k++)
      {
        unsigned row = k < n_rows - first ? first + k : n_rows - 1 - k;
        double y = ctx->plot.y + 4 + fe.ascent + row * row_h;

        if (pass == 0)
          {
            cw_chart_label_add_anchor (labels, label, px + 5, y);
            cw_chart_label_add_anchor (labels, label, px - 5 - w, y);
          }
        else
          cw_chart_label_add_anchor (labels, label, across, y);
      }
}

static bool
hline_extent (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max)
{
  const CwChartRuleLayer *self = (const CwChartRuleLayer *) layer;

  if (axis != 1 || !cw_chart_value_drawable (scale, self->value))
    return false;
  *min = *max = self->value;
  return true;
}

static bool
vline_extent (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max)
{
  const CwChartRuleLayer *self = (const CwChartRuleLayer *) layer;

  if (axis != 0 || !cw_chart_value_drawable (scale, self->value))
    return false;
  *min = *max = self->value;
  return true;
}

static void
rule_legend_swatch (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartBox box)
{
  CwChartRuleLayer *self = (CwChartRuleLayer *) layer;

  cairo_new_path (cr);
  cairo_move_to (cr, box.x, box.y + box.height / 2);
  cairo_line_to (cr, box.x + box.width, box.y + box.height / 2);
  set_line_style (self, ctx, cr);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0.0);
}

static const CwChartLayerClass hline_class = {
  .kind = "hline",
  .draw = hline_draw,
  .labels = hline_labels,
  .extent = hline_extent,
  .legend_swatch = rule_legend_swatch,
};

static const CwChartLayerClass vline_class = {
  .kind = "vline",
  .draw = vline_draw,
  .labels = vline_labels,
  .extent = vline_extent,
  .legend_swatch = rule_legend_swatch,
};

static CwChartLayer *
rule_new (const CwChartLayerClass *klass, const char *label, double value)
{
  CwChartRuleLayer *self;

  if (!isfinite (value))
    return NULL;
  self = (CwChartRuleLayer *) cw_chart_layer_alloc (klass, sizeof *self, label);
  if (self == NULL)
    return NULL;
  self->value = value;
  self->dashed = true;
  self->parent.in_legend = false;
  return &self->parent;
}

CwChartLayer *
cw_chart_hline_layer_new (const char *label, double y)
{
  return rule_new (&hline_class, label, y);
}

CwChartLayer *
cw_chart_vline_layer_new (const char *label, double x)
{
  return rule_new (&vline_class, label, x);
}

static bool
is_rule (const CwChartLayer *layer)
{
  return cw_chart_layer_is (layer, &hline_class) || cw_chart_layer_is (layer, &vline_class);
}

void
cw_chart_rule_layer_set_dashed (CwChartLayer *layer, bool dashed)
{
  if (is_rule (layer))
    ((CwChartRuleLayer *) layer)->dashed = dashed;
}

void
cw_chart_vline_layer_set_label_row (CwChartLayer *layer, unsigned row)
{
  if (cw_chart_layer_is (layer, &vline_class))
    ((CwChartRuleLayer *) layer)->label_row = row;
}

void
cw_chart_hline_layer_set_label_left (CwChartLayer *layer, bool left)
{
  if (cw_chart_layer_is (layer, &hline_class))
    ((CwChartRuleLayer *) layer)->label_left = left;
}

double
cw_chart_rule_layer_get_value (const CwChartLayer *layer)
{
  return is_rule (layer) ? ((const CwChartRuleLayer *) layer)->value : NAN;
}
