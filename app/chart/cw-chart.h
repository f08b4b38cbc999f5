/* cw-chart.h: a chart — a plot area with two axes, a title, a legend and a
 * stack of layers — drawn with cairo into any surface.
 *
 * The one renderer behind the workbench's chart widgets (which call
 * cw_chart_render() from gtk_snapshot_append_cairo) and `cliffwatch-cli
 * chart` (cw_chart_export() to PNG, SVG or PDF). Needs cairo only: no GLib,
 * no display.
 *
 * Coordinates: rendering lays the chart out for the given size and
 * remembers that layout; cw_chart_data_to_device(), cw_chart_hit_test() and
 * the getters report on the last layout (call cw_chart_layout() to lay out
 * without drawing). Text is measured with hinted metrics off, so the layout
 * is identical on image, SVG and PDF surfaces.
 *
 * Text: every text the chart draws — title, caption, axis titles, tick
 * labels, legend entries, rule labels, names inside bars and bands — is
 * placed by one layout pass that knows each text's box: no two boxes
 * intersect, each lies inside the surface, and a text with no free place
 * is moved or, lowest priority first, left out. cw_chart_get_text()
 * reports the boxes of the last layout. */
#pragma once

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "cw-error.h"
#include "cw-chart-axis.h"
#include "cw-chart-layer.h"
#include "cw-chart-style.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwChart CwChart;

typedef enum {
  CW_CHART_AXIS_X,
  CW_CHART_AXIS_Y,
} CwChartAxisId;

/* Where the legend goes. A legend asked for inside the plot moves beside
 * the plot when it would take more than half the plot's width or height,
 * and one beside the plot moves below it when the plot would keep too
 * little width; below, entries run in as many columns as fit, and those
 * that still do not fit give way to "(N more)". So on a small surface the
 * legend never covers the plot. */
typedef enum {
  CW_CHART_LEGEND_NONE,
  CW_CHART_LEGEND_TOP_LEFT,
  CW_CHART_LEGEND_TOP_RIGHT,
  CW_CHART_LEGEND_BOTTOM_RIGHT,
  CW_CHART_LEGEND_OUTSIDE_RIGHT,  /* beside the plot; the plot gets narrower */
  CW_CHART_LEGEND_BELOW,          /* under the x axis, in columns; the plot gets shorter */
} CwChartLegendPosition;

typedef enum {
  CW_CHART_FORMAT_PNG,
  CW_CHART_FORMAT_SVG,
  CW_CHART_FORMAT_PDF,
} CwChartFormat;

typedef struct {
  double x, y, width, height;
} CwChartRect;

/* What a text on the chart is. */
typedef enum {
  CW_CHART_TEXT_TITLE,        /* one line of the title */
  CW_CHART_TEXT_CAPTION,      /* one line of the provenance caption */
  CW_CHART_TEXT_AXIS_TITLE,
  CW_CHART_TEXT_TICK_LABEL,
  CW_CHART_TEXT_LEGEND,       /* one legend entry, its swatch included */
  CW_CHART_TEXT_RULE_LABEL,   /* beside a rule: usable HBM, a cliff, a peak, a boundary note */
  CW_CHART_TEXT_ITEM_NAME,    /* inside a bar or an NVTX band */
  CW_CHART_TEXT_MESSAGE,      /* the empty message */
} CwChartTextKind;

/* One text of the last layout. */
typedef struct {
  CwChartTextKind kind;
  const char *text;    /* as drawn, shortened with "…" if it had to be; valid until the next layout */
  CwChartRect box;     /* what it covers, in the units of the render (its backdrop included) */
  size_t layer;        /* the layer it belongs to; (size_t) -1 for the chart's own texts */
} CwChartText;

/* What cw_chart_hit_test() found. */
typedef struct {
  size_t layer;        /* index in the chart's layer stack */
  size_t index;        /* item within that layer */
  size_t tag;          /* the caller's tag (point layers), else == index */
  double x, y;         /* the item's data coordinates (bars: centre x, top y) */
  double distance;     /* device units from the query position */
} CwChartHit;

/* Export sizes are limited so a typo cannot ask cairo for a 10 GB image. */
#define CW_CHART_EXPORT_MAX_SIZE 16384.0
/* A PNG is also bounded by its area (8192 x 8192 pixels, 256 MiB of RGBA):
 * 16384 x 16384 took 13.5 s and 1 GiB; a long strip of either side stays fine. */
#define CW_CHART_EXPORT_MAX_PNG_PIXELS 67108864.0

CwChart      *cw_chart_new (void);                 /* NULL on OOM */
void          cw_chart_free (CwChart *chart);

bool          cw_chart_set_title (CwChart *chart, const char *title);
const char   *cw_chart_get_title (const CwChart *chart);
/* Provenance under the plot, one line (what model, GPU, batch, dtypes,
 * database and version the chart shows); NULL removes it. Exports carry it. */
bool          cw_chart_set_caption (CwChart *chart, const char *caption);
const char   *cw_chart_get_caption (const CwChart *chart);
/* Shown centred when no layer has anything drawable. */
bool          cw_chart_set_empty_message (CwChart *chart, const char *message);
void          cw_chart_set_style (CwChart *chart, CwChartStyleKind style);
CwChartStyleKind cw_chart_get_style (const CwChart *chart);
void          cw_chart_set_legend_position (CwChart *chart, CwChartLegendPosition position);
/* Where the last layout put the legend (NONE when it drew none). */
CwChartLegendPosition cw_chart_get_legend_placement (const CwChart *chart);

/* Axis configuration. Ranges are automatic (union of the layers' extents,
 * widened to nice tick bounds) unless fixed with cw_chart_set_axis_range();
 * `include_zero` makes an automatic linear range reach down (or up) to 0. */
bool          cw_chart_set_axis (CwChart *chart, CwChartAxisId axis, CwChartScale scale, CwChartUnit unit,
                                 const char *title);
/* False (and no change) if min >= max, non-finite, or <= 0 on a log axis. */
bool          cw_chart_set_axis_range (CwChart *chart, CwChartAxisId axis, double min, double max);
void          cw_chart_set_axis_auto (CwChart *chart, CwChartAxisId axis);
void          cw_chart_set_axis_include_zero (CwChart *chart, CwChartAxisId axis, bool include_zero);
/* Ticks only within [min, max] (NAN: no limit on that side), for a part of
 * the axis that has no scale: the index-cache chart's role strip sits above
 * its bytes and earns no byte tick. */
void          cw_chart_set_axis_tick_limit (CwChart *chart, CwChartAxisId axis, double min, double max);
CwChartScale  cw_chart_get_axis_scale (const CwChart *chart, CwChartAxisId axis);
CwChartUnit   cw_chart_get_axis_unit (const CwChart *chart, CwChartAxisId axis);

/* Device pixels per unit at which a recording-surface target will be
 * replayed: the GTK widget passes gtk_widget_get_scale_factor() (its cairo
 * node is a recording surface). Image, SVG and PDF targets ignore it; their
 * transformation says it. Default 1; values outside 1..8 are ignored. */
void          cw_chart_set_raster_scale (CwChart *chart, double scale);

/* Takes ownership of `layer` (also on failure, when it is freed). Returns
 * the layer's index, or (size_t) -1 for a NULL layer or OOM. */
size_t        cw_chart_add_layer (CwChart *chart, CwChartLayer *layer);
size_t        cw_chart_get_n_layers (const CwChart *chart);
CwChartLayer *cw_chart_get_layer (const CwChart *chart, size_t index);

/* Draws the whole chart into `cr`, in the rectangle (0, 0, width, height)
 * of its current user space, and keeps the layout for later queries. The
 * cairo state is saved and restored. Non-positive sizes draw nothing. */
void          cw_chart_render (CwChart *chart, cairo_t *cr, double width, double height);
/* Lays out for (width, height) without drawing. False for unusable sizes. */
bool          cw_chart_layout (CwChart *chart, double width, double height);

/* Mapping on the last layout. False before any layout, or when the value
 * cannot be shown on the axis (<= 0 on log, NaN). Not clipped: positions
 * outside the plot area are returned as they are. */
bool          cw_chart_data_to_device (const CwChart *chart, double x, double y, double *px, double *py);
bool          cw_chart_device_to_data (const CwChart *chart, double px, double py, double *x, double *y);
bool          cw_chart_get_plot_area (const CwChart *chart, CwChartRect *area);
/* The ticks of the last layout (pointer valid until the next layout). */
size_t        cw_chart_get_ticks (const CwChart *chart, CwChartAxisId axis, const CwChartTick **ticks);
bool          cw_chart_get_axis_range (const CwChart *chart, CwChartAxisId axis, double *min, double *max);

/* The texts of the last layout, in drawing order; false past the end or
 * before any layout. Texts that found no free place are not among them:
 * cw_chart_get_n_dropped_texts() counts those. */
size_t        cw_chart_get_n_texts (const CwChart *chart);
bool          cw_chart_get_text (const CwChart *chart, size_t index, CwChartText *text);
size_t        cw_chart_get_n_dropped_texts (const CwChart *chart);

/* Nearest hit-testable item (points, bars) within `radius` device units of
 * (px, py) on the last layout. Ties go to the layer drawn last (on top). */
bool          cw_chart_hit_test (const CwChart *chart, double px, double py, double radius, CwChartHit *hit);

/* PNG, SVG or PDF chosen by the extension of `path` (case-insensitive).
 * Sizes are pixels for PNG and points for SVG/PDF, 1..CW_CHART_EXPORT_MAX_SIZE,
 * and a PNG at most CW_CHART_EXPORT_MAX_PNG_PIXELS in all.
 * The chart is drawn in `style`; its own style is left unchanged. */
bool          cw_chart_format_from_path (const char *path, CwChartFormat *format);
bool          cw_chart_export (CwChart *chart, const char *path, double width, double height,
                               CwChartStyleKind style, CwError *error);

#ifdef __cplusplus
}
#endif
