/* cw-chart-style.h: the light, dark and print palettes charts are drawn with.
 *
 * Series colours are the Okabe-Ito set, which stays distinguishable under the
 * common colour-vision deficiencies; meaning never rides on colour alone
 * (OOM receipts also get a different marker shape, fills differ by pattern). */
#pragma once

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  double red, green, blue, alpha;
} CwChartColor;

typedef enum {
  CW_CHART_STYLE_LIGHT,
  CW_CHART_STYLE_DARK,
  CW_CHART_STYLE_PRINT,      /* pure white page, black ink, heavier lines (PDF) */
} CwChartStyleKind;

/* Colours with a meaning rather than a series position. */
typedef enum {
  CW_CHART_ROLE_SERIES,      /* series[color_index % CW_CHART_N_SERIES_COLORS] */
  CW_CHART_ROLE_TEXT,
  CW_CHART_ROLE_MUTED,       /* secondary ink: reference lines such as y = x */
  CW_CHART_ROLE_LIMIT,       /* the usable-HBM line */
  CW_CHART_ROLE_OOM,         /* receipts that ran out of memory */
  CW_CHART_ROLE_TICK,        /* kernel ticks on the timeline */
} CwChartColorRole;

#define CW_CHART_N_SERIES_COLORS 8

typedef struct {
  CwChartStyleKind kind;
  const char *name;                 /* "light", "dark", "print" */
  CwChartColor background;          /* whole canvas */
  CwChartColor plot_background;     /* inside the axes */
  CwChartColor text;
  CwChartColor axis;
  CwChartColor grid;
  CwChartColor muted;
  CwChartColor limit;
  CwChartColor oom;
  CwChartColor tick;
  CwChartColor series[CW_CHART_N_SERIES_COLORS];
  const char *font_family;
  double font_size;                 /* tick labels, legend (device units) */
  double title_font_size;
  double line_width;                /* series lines */
  double marker_radius;
} CwChartStyle;

/* Static, never freed. Unknown kinds return the light style. */
const CwChartStyle *cw_chart_style_get (CwChartStyleKind kind);

/* "light", "dark" or "print". */
bool cw_chart_style_kind_from_string (const char *text, CwChartStyleKind *kind);

CwChartColor cw_chart_style_color (const CwChartStyle *style, CwChartColorRole role, unsigned series_index);

#ifdef __cplusplus
}
#endif
