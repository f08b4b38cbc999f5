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
/* Time of the last snapshot's cw_chart_render() call, in microseconds. */
gint64     cw_chart_view_get_last_render_us (CwChartView          *self);

G_END_DECLS
