/* cw-receipts-page.h: the Receipts page: searchable, filterable, sortable
 * list and the detail pane. Owner: workbench. */
#pragma once

#include <gtk/gtk.h>

#include "cw-chart-view.h"
#include "cw-receipt-database.h"

G_BEGIN_DECLS

#define CW_TYPE_RECEIPTS_PAGE (cw_receipts_page_get_type ())

G_DECLARE_FINAL_TYPE (CwReceiptsPage, cw_receipts_page, CW, RECEIPTS_PAGE, GtkWidget)

void         cw_receipts_page_set_database       (CwReceiptsPage    *self,
                                                  CwReceiptDatabase *database);
/* The rows that pass the search and filters, in the list's sort order. */
GListModel  *cw_receipts_page_get_filtered_model (CwReceiptsPage    *self);
CwChartView *cw_receipts_page_get_chart_view     (CwReceiptsPage    *self);
void         cw_receipts_page_focus_search       (CwReceiptsPage    *self);
void         cw_receipts_page_set_search_text    (CwReceiptsPage    *self,
                                                  const char        *text);
/* Empties the search and sets the status and lane filters to "all", as
 * the list's own Clear Search and Filters does (win.clear-filters). */
void         cw_receipts_page_clear_filters      (CwReceiptsPage    *self);
/* Selects the row at position in the filtered, sorted list. */
void         cw_receipts_page_select             (CwReceiptsPage    *self,
                                                  guint              position);
/* The optional columns' visibility follows settings' receipts-column-*
 * keys (the list's column menu, actions receipts.column-KEY, sets them). */
void         cw_receipts_page_bind_settings      (CwReceiptsPage    *self,
                                                  GSettings         *settings);
/* Titles of the columns shown (not hidden in the column menu), in order,
 * comma-separated (for the self-test). */
char        *cw_receipts_page_dup_shown_columns  (CwReceiptsPage    *self);
/* Titles of the shown columns whose header lies wholly inside the list's
 * visible width, comma-separated (for the self-test). */
char        *cw_receipts_page_dup_visible_columns (CwReceiptsPage *self);
/* Selects the receipt with this id, clearing search and filters if they
 * hide it. FALSE when the database has no such receipt. */
gboolean     cw_receipts_page_select_id          (CwReceiptsPage    *self,
                                                  gint64             id);
/* Id of the receipt shown in the detail pane (its trace loaded); 0 if none. */
gint64       cw_receipts_page_get_detail_id      (CwReceiptsPage    *self);
const char  *cw_receipts_page_get_list_state     (CwReceiptsPage    *self);
const char  *cw_receipts_page_get_detail_state   (CwReceiptsPage    *self);
const char  *cw_receipts_page_get_timeline_state (CwReceiptsPage    *self);
/* The detail pane's vertical scroll position, in pixels from the top. */
double       cw_receipts_page_get_detail_scroll  (CwReceiptsPage    *self);
void         cw_receipts_page_set_detail_scroll  (CwReceiptsPage    *self,
                                                  double             value);
/* In a narrow window the list and the detail fold into one column. */
gboolean     cw_receipts_page_get_folded         (CwReceiptsPage    *self);
/* "both" (side by side), or in one column the one shown: "list" or "detail". */
const char  *cw_receipts_page_get_visible_pane   (CwReceiptsPage    *self);
/* In one column, back from the detail to the list, as the back button and
 * Alt+Left do; FALSE when there is nowhere to go back to. */
gboolean     cw_receipts_page_navigate_back      (CwReceiptsPage    *self);
/* The shown receipt's timeline in a window of its own, larger, on the
 * range the pane shows (NULL when no receipt is shown). */
GtkWindow   *cw_receipts_page_open_timeline_window (CwReceiptsPage  *self);
/* The timeline's hover text at time x (seconds since the lane started),
 * x_lo..x_hi the pointer's pixel column: time, exact live bytes, the NVTX
 * ranges open there. NULL when the chart has no live-bytes curve. */
char        *cw_receipts_page_timeline_text      (CwChart           *chart,
                                                  double             x,
                                                  double             x_lo,
                                                  double             x_hi);

G_END_DECLS
