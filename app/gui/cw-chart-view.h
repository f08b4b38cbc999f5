/* cw-chart-view.h: a GtkWidget that draws one CwChart in the chosen style
 * (or light or dark as the windows are), and reports hovered and activated
 * items. Owner: workbench. */
#pragma once

#include <gtk/gtk.h>

#include "cw-chart.h"

G_BEGIN_DECLS

#define CW_TYPE_CHART_VIEW (cw_chart_view_get_type ())

G_DECLARE_FINAL_TYPE (CwChartView, cw_chart_view, CW, CHART_VIEW, GtkWidget)

/* Returns the tooltip text for a hit item (NULL: none). */
typedef char *(*CwChartViewTooltipFunc) (CwChartView      *view,
                                         const CwChartHit *hit,
                                         gpointer          user_data);

/* Returns the tooltip text for a place in the plot where no item was hit
 * (or the item hit has no tooltip: the tooltip function returned NULL), at
 * data coordinates (x, y); x_lo..x_hi is the data range of the pointer's
 * pixel column (NULL: none). */
typedef char *(*CwChartViewPositionFunc) (CwChartView *view,
                                          double       x,
                                          double       y,
                                          double       x_lo,
                                          double       x_hi,
                                          gpointer     user_data);

GtkWidget *cw_chart_view_new              (void);
/* Takes ownership of chart (may be NULL: nothing drawn). */
void       cw_chart_view_set_chart        (CwChartView            *self,
                                           CwChart                *chart);
CwChart   *cw_chart_view_get_chart        (CwChartView            *self);
void       cw_chart_view_set_tooltip_func (CwChartView            *self,
                                           CwChartViewTooltipFunc  func,
                                           gpointer                user_data,
                                           GDestroyNotify          destroy);
/* "light", "dark", "print", or "system" (the default): light or dark as the
 * windows are. Anything else is taken as "system". */
void             cw_chart_view_set_chart_style (CwChartView *self,
                                                const char  *chart_style);
const char      *cw_chart_view_get_chart_style (CwChartView *self);
/* The style drawn now: the chart style, "system" resolved. */
CwChartStyleKind cw_chart_view_get_style       (CwChartView *self);
/* PNG, SVG or PDF by extension; PDF is drawn in the print style, the others
 * in `style` ("light", "dark", "print"; NULL: cw_chart_view_get_style()). */
gboolean   cw_chart_view_export_with_style (CwChartView *self,
                                            const char  *path,
                                            int          width,
                                            int          height,
                                            const char  *style,
                                            GError     **error);
gboolean   cw_chart_view_export           (CwChartView            *self,
                                           const char             *path,
                                           int                     width,
                                           int                     height,
                                           GError                **error);
/* As an arrow key would: steps the keyboard cursor to the next (direction
 * > 0) or previous point and activates it. FALSE when there is none. */
gboolean   cw_chart_view_step_point       (CwChartView            *self,
                                           int                     direction);
void       cw_chart_view_set_position_func (CwChartView            *self,
                                            CwChartViewPositionFunc func,
                                            gpointer                user_data,
                                            GDestroyNotify          destroy);
/* What the tooltip says at widget position (px, py) (NULL: nothing). */
char      *cw_chart_view_dup_tooltip_text_at (CwChartView *self,
                                              double       px,
                                              double       py);

/* Zooming and panning the x axis (the memory timeline): Ctrl+scroll (or
 * plain scroll with scroll-zooms) zooms at the pointer, Shift+scroll and
 * horizontal scroll pan, dragging pans, + and - zoom, Left and Right pan,
 * Home and 0 show everything. The visible range is the chart's own x range
 * (cw_chart_set_axis_range), so an export shows what the screen shows. */
void       cw_chart_view_set_x_zoomable   (CwChartView            *self,
                                           gboolean                zoomable);
gboolean   cw_chart_view_get_x_zoomable   (CwChartView            *self);
/* Plain vertical scrolling zooms too (not inside a scrolled page). */
void       cw_chart_view_set_scroll_zooms (CwChartView            *self,
                                           gboolean                scroll_zooms);
/* factor > 1 zooms in, < 1 out, around widget x `anchor_px` (negative: the
 * plot's centre). TRUE if the visible range changed. */
gboolean   cw_chart_view_zoom_x           (CwChartView            *self,
                                           double                  factor,
                                           double                  anchor_px);
/* Moves the visible range by `fraction` of its width (> 0: later). */
gboolean   cw_chart_view_pan_x            (CwChartView            *self,
                                           double                  fraction);
void       cw_chart_view_reset_zoom       (CwChartView            *self);
gboolean   cw_chart_view_get_zoomed       (CwChartView            *self);
/* The x range laid out for the widget's size now. */
gboolean   cw_chart_view_get_visible_x_range (CwChartView         *self,
                                              double              *min,
                                              double              *max);
/* Time of the last snapshot's cw_chart_render() call, in microseconds. */
gint64     cw_chart_view_get_last_render_us (CwChartView          *self);

G_END_DECLS
