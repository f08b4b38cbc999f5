/* cw-chart-layer.h: the things a chart draws, stacked in order.
 *
 * A CwChartLayer is an opaque handle with a plain C vtable behind it (see
 * cw-chart-layer-private.h); this library has no GObject. Every constructor
 * copies the data it is given, so callers may free their arrays at once.
 * Constructors return NULL when memory runs out or a size overflows.
 * Once handed to cw_chart_add_layer() the chart owns the layer.
 *
 * Kinds (the "CwChart*Layer" names of the design):
 *   line   CwChartLineLayer   a series of (x, y) joined by straight segments
 *   point  CwChartPointLayer  markers; hit-testable (receipts)
 *   hline  CwChartHLineLayer  a horizontal rule at y (usable HBM)
 *   vline  CwChartVLineLayer  a vertical rule at x with a label (a cliff)
 *   band   CwChartBandLayer   x ranges drawn as bands (NVTX ranges)
 *   tick   CwChartTickLayer   short marks along the bottom (kernels)
 *   area   CwChartAreaLayer   the region between a lower and an upper series
 *                             (the agreement band on the compare chart)
 *   step   CwChartStepLayer   step-after line with the area below filled
 *                             (live bytes over time)
 *   bar    CwChartBarLayer    rectangles with a fill kind (index-cache strip,
 *                             stage-boundary payloads); hit-testable */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-chart-style.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwChartLayer CwChartLayer;

typedef enum {
  CW_CHART_FILL_SOLID,       /* e.g. a "full" layer: computes its own top-k */
  CW_CHART_FILL_LIGHT,       /* translucent with an outline: "shared" */
  CW_CHART_FILL_HATCHED,     /* diagonal hatching with an outline: "promoted" */
} CwChartFill;

/* Common to every kind. The label is the legend text (NULL: not in the
 * legend). Colour defaults to series 0; set a series index or a role. */
void          cw_chart_layer_free       (CwChartLayer *layer);
const char   *cw_chart_layer_get_kind   (const CwChartLayer *layer);
const char   *cw_chart_layer_get_label  (const CwChartLayer *layer);
bool          cw_chart_layer_set_label  (CwChartLayer *layer, const char *label);
/* Whether the label also appears in the legend (default: yes, except for
 * hline/vline, whose label is drawn beside the rule). */
void          cw_chart_layer_set_in_legend (CwChartLayer *layer, bool in_legend);
void          cw_chart_layer_set_series (CwChartLayer *layer, unsigned series_index);
void          cw_chart_layer_set_role   (CwChartLayer *layer, CwChartColorRole role);
/* The look of a lane or profile (cw_chart_identity_for_name): its hue, and
 * for a line layer its pattern. */
void          cw_chart_layer_set_identity (CwChartLayer *layer, CwChartIdentity identity);
CwChartColor  cw_chart_layer_get_color  (const CwChartLayer *layer, const CwChartStyle *style);
/* Number of hit-testable items (points, bars); 0 for other kinds. */
size_t        cw_chart_layer_get_n_items (const CwChartLayer *layer);

/* line */
CwChartLayer *cw_chart_line_layer_new (const char *label, const double *xs, const double *ys, size_t n);
void          cw_chart_line_layer_set_dash (CwChartLayer *layer, CwChartDash dash);
/* Dashed or solid. */
void          cw_chart_line_layer_set_dashed (CwChartLayer *layer, bool dashed);
/* Where the line leaves (or comes back) through the top of the plot, a
 * triangle in its colour on the edge says it goes on off the scale. */
void          cw_chart_line_layer_set_mark_off_scale (CwChartLayer *layer, bool mark);
bool          cw_chart_line_layer_get_mark_off_scale (const CwChartLayer *layer);

/* point */
CwChartLayer *cw_chart_point_layer_new (const char *label, const double *xs, const double *ys, size_t n,
                                        CwChartMarker marker);
/* Caller-chosen tag per point, returned by cw_chart_hit_test() (e.g. the
 * index into the caller's receipt array). Copied. Default: the point index. */
bool          cw_chart_point_layer_set_tags (CwChartLayer *layer, const size_t *tags, size_t n);
CwChartMarker cw_chart_point_layer_get_marker (const CwChartLayer *layer);
bool          cw_chart_point_layer_get_point (const CwChartLayer *layer, size_t index, double *x, double *y);

/* hline / vline: the label is drawn next to the rule (and used in the
 * legend), where the chart's label pass finds room. A vline's label prefers
 * text row `label_row` from the top of the plot and moves to the next free
 * row, right or left of the rule; several cliffs never overprint. */
CwChartLayer *cw_chart_hline_layer_new (const char *label, double y);
CwChartLayer *cw_chart_vline_layer_new (const char *label, double x);
void          cw_chart_rule_layer_set_dashed (CwChartLayer *layer, bool dashed);
void          cw_chart_vline_layer_set_label_row (CwChartLayer *layer, unsigned row);
/* An hline's label prefers the right end of the rule (default) or, with
 * `left`, its left end — for two rules that may coincide. */
void          cw_chart_hline_layer_set_label_left (CwChartLayer *layer, bool left);
double        cw_chart_rule_layer_get_value (const CwChartLayer *layer);

/* band: ranges [x0, x1] with a nesting depth (0 = outermost) and a name. */
CwChartLayer *cw_chart_band_layer_new (const char *label);
bool          cw_chart_band_layer_add (CwChartLayer *layer, double x0, double x1, unsigned depth, const char *name);
/* Range `index` in the order added (name borrowed; may be NULL). False past
 * the end or for another kind. */
bool          cw_chart_band_layer_get_band (const CwChartLayer *layer, size_t index, double *x0, double *x1,
                                            unsigned *depth, const char **name);
size_t        cw_chart_band_layer_get_n_bands (const CwChartLayer *layer);

/* tick: [x0, x1] (x1 == x0 is a hairline), drawn along the plot bottom. */
CwChartLayer *cw_chart_tick_layer_new (const char *label);
bool          cw_chart_tick_layer_add (CwChartLayer *layer, double x0, double x1);

/* area: between lo[i] and hi[i] at xs[i]; xs ascending. */
CwChartLayer *cw_chart_area_layer_new (const char *label, const double *xs, const double *lo, const double *hi,
                                       size_t n);

/* step: y holds from xs[i] until xs[i + 1]; xs must not decrease. */
CwChartLayer *cw_chart_step_layer_new (const char *label, const double *xs, const double *ys, size_t n);
/* The value in force at x: ys[i] of the last xs[i] <= x (after every step
 * at exactly x). False before the first point, after the last, or for
 * another kind. */
bool          cw_chart_step_layer_get_value_at (const CwChartLayer *layer, double x, double *y);
/* The highest value in force anywhere in [x0, x1] (steps inside it and the
 * value held at x0), and where it starts. False if none is. */
bool          cw_chart_step_layer_get_max_in (const CwChartLayer *layer, double x0, double x1, double *x, double *y);

/* bar: a rectangle [x0, x1] x [y0, y1] in data space. series_index picks
 * its colour (bars in one layer may differ, e.g. one colour per stage);
 * `name` is shown inside the bar when it fits (may be NULL). The legend
 * swatch uses the layer's own colour and `legend_fill`. */
CwChartLayer *cw_chart_bar_layer_new (const char *label, CwChartFill legend_fill);
bool          cw_chart_bar_layer_add (CwChartLayer *layer, double x0, double x1, double y0, double y1,
                                      unsigned series_index, CwChartFill fill, const char *name);
bool          cw_chart_bar_layer_get_bar (const CwChartLayer *layer, size_t index,
                                          double *x0, double *x1, double *y0, double *y1);

#ifdef __cplusplus
}
#endif
