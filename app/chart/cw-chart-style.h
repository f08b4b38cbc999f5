/* cw-chart-style.h: the one palette — the light, dark and print styles —
 * and the look of every lane and profile.
 *
 * Series colours are six hues and a neutral (blue, orange, green, purple,
 * vermilion, olive, neutral), after the Okabe-Ito set. Slot i is the same
 * hue in every style; each style shades it so that it keeps a 3:1 contrast
 * (WCAG, graphics and large text) against that style's backgrounds: light
 * and print take darker shades of Okabe-Ito's orange, purple and yellow,
 * which are unreadable on white as they are; dark takes lighter ones.
 *
 * A lane or profile gets its look from its name (cw_chart_identity_for_name):
 * a hue and a line pattern, and for its receipts a marker shape. The same
 * name looks the same on every page of the workbench, in the CLI's exports
 * and in every style, whatever else is on the chart. Meaning never rides on
 * colour alone: patterns tell curves of one hue apart, OOM receipts are
 * crosses, fills differ by pattern. */
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
  CW_CHART_STYLE_PRINT,      /* pure white page, heavier lines (PDF) */
} CwChartStyleKind;

#define CW_CHART_N_STYLES 3

/* Colours with a meaning rather than a series position. */
typedef enum {
  CW_CHART_ROLE_SERIES,      /* series[color_index % CW_CHART_N_SERIES_COLORS] */
  CW_CHART_ROLE_TEXT,
  CW_CHART_ROLE_MUTED,       /* secondary ink: reference lines such as y = x, receipts of no lane drawn */
  CW_CHART_ROLE_LIMIT,       /* the usable-HBM line */
  CW_CHART_ROLE_OOM,         /* the line an out-of-memory run could not cross: the limit's colour */
  CW_CHART_ROLE_TICK,        /* kernel ticks on the timeline */
} CwChartColorRole;

/* The series slots: six hues, then the neutral (black on light, light grey
 * on dark). Fills and tints that need a hue cycle through the first
 * CW_CHART_N_HUES. */
typedef enum {
  CW_CHART_HUE_BLUE,
  CW_CHART_HUE_ORANGE,
  CW_CHART_HUE_GREEN,
  CW_CHART_HUE_PURPLE,
  CW_CHART_HUE_VERMILION,
  CW_CHART_HUE_OLIVE,
  CW_CHART_HUE_NEUTRAL,
} CwChartHue;

#define CW_CHART_N_HUES 6
#define CW_CHART_N_SERIES_COLORS 7

typedef struct {
  CwChartStyleKind kind;
  const char *name;                 /* "light", "dark", "print" */
  CwChartColor background;          /* whole canvas */
  CwChartColor plot_background;     /* inside the axes */
  CwChartColor text;
  CwChartColor axis;
  CwChartColor grid;                /* decoration: the one colour below 3:1 */
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

/* WCAG 2 contrast ratio of two opaque colours, 1..21. */
double cw_chart_color_contrast (CwChartColor a, CwChartColor b);

/* ---- lanes and profiles ---------------------------------------------------- */

typedef enum {
  CW_CHART_MARKER_CIRCLE,    /* filled: an ok receipt */
  CW_CHART_MARKER_CROSS,     /* an X: an OOM receipt */
  CW_CHART_MARKER_SQUARE,
  CW_CHART_MARKER_TRIANGLE,
  CW_CHART_MARKER_DIAMOND,
} CwChartMarker;

typedef enum {
  CW_CHART_DASH_SOLID,
  CW_CHART_DASH_DASHED,
  CW_CHART_DASH_DOTTED,
  CW_CHART_DASH_DASH_DOT,
} CwChartDash;

/* How a lane or profile is drawn: its hue (a series slot), the pattern of
 * its curve, and the marker of its ok receipts (OOM receipts are crosses in
 * its hue). */
typedef struct {
  unsigned series;
  CwChartDash dash;
  CwChartMarker marker;
} CwChartIdentity;

/* The identity of a lane or profile. The profiles and lanes Cliffwatch
 * ships have fixed ones, no two alike (a lane that a profile models looks
 * like that profile); any other name gets a hue from a hash of the name
 * and the dash-dot pattern, which no shipped name uses. NULL: the first
 * hue, solid. */
CwChartIdentity cw_chart_identity_for_name (const char *name);
/* The shipped names with a fixed identity, for tests and documentation:
 * the i-th name, NULL past the end. */
const char     *cw_chart_identity_get_known_name (unsigned i);

#ifdef __cplusplus
}
#endif
