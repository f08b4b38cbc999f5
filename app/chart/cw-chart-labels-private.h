/* cw-chart-labels-private.h: the label layout pass — every text a chart
 * draws, as a box with candidate positions, placed so that no two boxes
 * intersect and each box stays inside its bounds.
 *
 * Layout collects the labels (frame texts from the chart, rule labels and
 * item names from the layers through their `labels` method), places them
 * in priority order, highest first, each at its first candidate position
 * that lies inside its bounds and clear of every box placed before it; a
 * label with no such position is dropped. Drawing then draws exactly the
 * placed boxes, on the screen and in every export, so what the chart
 * reports (cw_chart_get_text) is what is on the surface.
 *
 * Greedy placement is enough here: charts carry tens of labels, not
 * thousands, and the candidates are ordered by what reads best (beside
 * its rule, near its end), so the first free one is the one to take. */
#pragma once

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "cw-chart.h"
#include "cw-chart-layer-private.h"

/* Priorities: frame texts before the legend, the legend before what sits
 * in the plot; within a level, the order labels were added. */
enum {
  CW_CHART_PRIORITY_FRAME   = 400,   /* title, caption, axis titles, ticks */
  CW_CHART_PRIORITY_LEGEND  = 300,
  CW_CHART_PRIORITY_MARK    = 260,   /* marks no label may cover (off-scale markers) */
  CW_CHART_PRIORITY_MESSAGE = 250,   /* the empty message */
  CW_CHART_PRIORITY_RULE    = 200,   /* usable HBM, cliffs, peaks, boundary notes */
  CW_CHART_PRIORITY_NAME    = 100,   /* names inside bars and bands */
};

typedef enum {
  CW_CHART_LABEL_FONT_NORMAL,
  CW_CHART_LABEL_FONT_TITLE,
} CwChartLabelFont;

typedef struct {
  CwChartTextKind kind;
  char *text;                /* as drawn (shortened with "…" if it had to be); NULL for a block */
  size_t layer;              /* the layer it belongs to; (size_t) -1: the chart's own */
  int priority;
  size_t order;              /* insertion order: ties keep it */
  CwChartLabelFont font;
  bool rotated;              /* reads bottom to top (the y-axis title) */
  bool backdrop;             /* a translucent plot-coloured box under the text */
  CwChartColor color;
  CwChartBox extent;         /* the box relative to an anchor (the text's baseline origin) */
  CwChartBox bounds;         /* the box must lie inside */
  double *anchors;           /* candidate anchors, x y pairs, in order of preference */
  size_t n_anchors, anchor_capacity;
  /* Result of placement. */
  bool decided;
  bool placed;
  double x, y;               /* the anchor taken */
  CwChartBox box;
} CwChartLabel;

struct _CwChartLabels {
  CwChartLabel *items;
  size_t n, capacity;
  bool failed;               /* memory ran out: some labels are missing */
};

/* Empties the set (keeps its storage); free releases everything. */
void          cw_chart_labels_clear (CwChartLabels *labels);
void          cw_chart_labels_free (CwChartLabels *labels);

/* Adds a text measured with `cr`'s current font. A text wider than
 * `max_width` (> 0) is shortened with an ellipsis to fit. The returned
 * label is valid until the next add; NULL when memory runs out or the text
 * is empty (both leave the set usable). */
CwChartLabel *cw_chart_labels_add_text (CwChartLabels *labels, cairo_t *cr, CwChartTextKind kind, const char *text,
                                        size_t layer, int priority, CwChartBox bounds, double max_width);
/* A box with no text (the legend frame): an obstacle for what comes later. */
CwChartLabel *cw_chart_labels_add_block (CwChartLabels *labels, double width, double height, int priority,
                                         CwChartBox bounds);
bool          cw_chart_label_add_anchor (CwChartLabels *labels, CwChartLabel *label, double x, double y);
/* Gives the text the backdrop box drawn under labels inside the plot; its
 * extent grows by the backdrop's margin. */
void          cw_chart_label_set_backdrop (CwChartLabel *label);

/* Places a label at (x, y) as it is, without checking: the legend's
 * entries, inside the legend block that was checked. */
void          cw_chart_label_place_at (CwChartLabel *label, double x, double y);
/* Places every label not placed yet, highest priority first, against every
 * label already placed. */
void          cw_chart_labels_place (CwChartLabels *labels);
/* Whether `box` (at the label's extent) would fit now: inside `bounds` and
 * clear of every placed label. */
bool          cw_chart_labels_box_free (const CwChartLabels *labels, CwChartBox box, CwChartBox bounds);

/* Text helpers shared by the chart and the layers. */
/* The longest prefix of `text` (whole UTF-8 characters) that with "…" fits
 * `max_width`; a malloc'd copy of `text` if it fits as it is. NULL on OOM. */
char         *cw_chart_text_ellipsize (cairo_t *cr, const char *text, double max_width);
/* Splits `text` at spaces into at most `max_lines` lines no wider than
 * `max_width` (a word wider than that, or what is left for the last line,
 * is ellipsized). Returns the number of lines written to `lines` (malloc'd
 * strings for the caller to free); 0 on OOM or for an empty text. */
size_t        cw_chart_text_wrap (cairo_t *cr, const char *text, double max_width, char **lines, size_t max_lines);

bool          cw_chart_box_inside (CwChartBox inner, CwChartBox outer);
bool          cw_chart_boxes_overlap (CwChartBox a, CwChartBox b);
