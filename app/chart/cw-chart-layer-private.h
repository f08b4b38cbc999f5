/* cw-chart-layer-private.h: the layer vtable and what a layer sees while
 * drawing. Only the chart library includes this. */
#pragma once

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "cw-chart-axis.h"
#include "cw-chart-layer.h"
#include "cw-chart-style.h"

typedef struct {
  double x, y, width, height;
} CwChartBox;

/* The label set of one layout (cw-chart-labels-private.h). */
typedef struct _CwChartLabels CwChartLabels;

/* One axis mapped onto a device interval: data `min` lands on `p0`, `max`
 * on `p1` (p1 < p0 for y, which grows downwards on screen). */
typedef struct {
  CwChartScale scale;
  double min, max;          /* data range after nice widening */
  double t_min, t_max;      /* the range in transformed units (log10 for log) */
  double p0, p1;
} CwChartAxisMap;

typedef struct {
  const CwChartStyle *style;
  CwChartBox plot;
  CwChartAxisMap x;
  CwChartAxisMap y;
  double raster_scale;      /* cw_chart_set_raster_scale(), >= 1 */
} CwChartDrawContext;

typedef struct {
  const char *kind;
  /* Markers centred on the plot's edge (a receipt at exactly the largest
   * sq) are drawn whole: such layers are clipped to the plot grown by this
   * many marker radii. */
  double overflow_radii;
  void   (*draw)          (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr);
  /* Optional: the layer's texts (a rule's label, names inside bars and
   * bands) as labels with candidate positions, measured with `cr`'s font.
   * The chart places them with every other text and draws them after all
   * layers, so no series covers them and no two overlap; `index` is the
   * layer's place in the stack. */
  void   (*labels)        (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartLabels *labels,
                           size_t index);
  /* Data extent along x (axis == 0) or y (axis == 1), ignoring values the
   * scale cannot show. False when the layer has none to offer. */
  bool   (*extent)        (const CwChartLayer *layer, int axis, CwChartScale scale, double *min, double *max);
  /* Nearest item within `radius` device units; writes index and distance. */
  bool   (*hit_test)      (const CwChartLayer *layer, const CwChartDrawContext *ctx, double px, double py,
                           double radius, size_t *index, double *distance);
  void   (*legend_swatch) (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartBox box);
  size_t (*n_items)       (const CwChartLayer *layer);
  void   (*finalize)      (CwChartLayer *layer);
} CwChartLayerClass;

struct _CwChartLayer {
  const CwChartLayerClass *klass;
  char *label;
  CwChartColorRole role;
  unsigned series_index;
  bool in_legend;
};

/* Allocates `size` zeroed bytes (a subclass struct starting with
 * CwChartLayer) and sets class and label. NULL on OOM. */
CwChartLayer *cw_chart_layer_alloc (const CwChartLayerClass *klass, size_t size, const char *label);
bool          cw_chart_layer_is (const CwChartLayer *layer, const CwChartLayerClass *klass);

/* Copies n doubles; NULL on overflow/OOM (and for n == 0 returns a valid
 * 1-element allocation so callers need not special-case empty series). */
double       *cw_chart_dup_doubles (const double *src, size_t n);
char         *cw_chart_strdup (const char *s);
/* Grows *items to hold at least `need` elements of `elem` bytes. */
bool          cw_chart_grow (void **items, size_t *capacity, size_t need, size_t elem);

/* Mapping data -> device. Non-finite results (log of <= 0) return false. */
bool   cw_chart_axis_map (const CwChartAxisMap *map, double v, double *p);
/* Same, but values below the axis (or <= 0 on log) clamp to p0 and above
 * to p1 — for bars that start at 0 on a log axis. */
double cw_chart_axis_map_clamped (const CwChartAxisMap *map, double v);
bool   cw_chart_axis_unmap (const CwChartAxisMap *map, double p, double *v);
bool   cw_chart_value_drawable (CwChartScale scale, double v);

void   cw_chart_set_source_color (cairo_t *cr, CwChartColor color, double alpha_scale);
void   cw_chart_draw_marker (cairo_t *cr, CwChartMarker marker, double x, double y, double r);
void   cw_chart_hatch_box (cairo_t *cr, CwChartBox box, double spacing);
/* The stroke pattern of a line (cw_chart_identity_for_name's `dash`). */
void   cw_chart_set_dash (cairo_t *cr, CwChartDash dash);

/* Text helpers (cairo toy text; the font is set by the chart). */
double cw_chart_text_width (cairo_t *cr, const char *text);

/* The caller's tag for point `index` of a point layer (the index itself
 * when no tags were set, or for other kinds). */
size_t cw_chart_point_layer_get_tag (const CwChartLayer *layer, size_t index);


/* Min/max of the values in `v` that `scale` can draw; false if none. */
bool   cw_chart_series_extent (const double *v, size_t n, CwChartScale scale, double *min, double *max);
