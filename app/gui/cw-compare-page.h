/* cw-compare-page.h: the Compare page: measured against predicted peak.
 * Owner: workbench. */
#pragma once

#include <gtk/gtk.h>

#include "cw-chart-view.h"

G_BEGIN_DECLS

#define CW_TYPE_COMPARE_PAGE (cw_compare_page_get_type ())

G_DECLARE_FINAL_TYPE (CwComparePage, cw_compare_page, CW, COMPARE_PAGE, GtkWidget)

/* CwReceiptRow items to compare (the Receipts page's filtered list). */
void         cw_compare_page_set_model      (CwComparePage *self,
                                             GListModel    *rows);
/* Every row of the database the list is filtered from: when the filtered
 * list leaves nothing to draw and hides some of these, the status page
 * offers Clear Filters. */
void         cw_compare_page_set_all_rows   (CwComparePage *self,
                                             GListModel    *all_rows);
/* The database file the rows come from, named in the chart's caption. */
void         cw_compare_page_set_database   (CwComparePage *self,
                                             const char    *path);
CwChartView *cw_compare_page_get_chart_view (CwComparePage *self);
/* The line shown for the point last clicked, or NULL. */
const char  *cw_compare_page_get_point_text (CwComparePage *self);
/* The receipt id of that point, or 0. */
gint64       cw_compare_page_get_point_id   (CwComparePage *self);
const char  *cw_compare_page_get_state      (CwComparePage *self);
/* "scatter" (measured against predicted, y = x) or "error" (signed error
 * in percent with the tolerance band); the property "view". Setting it
 * presses the page's toggle, as a user would. */
const char  *cw_compare_page_get_view       (CwComparePage *self);
void         cw_compare_page_set_view       (CwComparePage *self,
                                             const char    *view);
/* As if the point tagged `position` had been clicked. */
void         cw_compare_page_select_point   (CwComparePage *self,
                                             guint          position);

G_END_DECLS
