/* cw-receipt-diff-window.h: Compare Receipts — two receipts side by side
 * (issue 16): the fields that differ marked, both peaks with B − A, and both
 * memory timelines on one time and byte scale. The second receipt comes
 * from the same database or another one the user opens. The comparison is
 * the store library's (cw-receipt-diff.h), as `cliffwatch-cli receipts
 * diff` prints it. Owner: workbench. */
#pragma once

#include <adwaita.h>

#include "cw-chart-view.h"
#include "cw-receipt-database.h"
#include "cw-receipt-diff.h"

G_BEGIN_DECLS

#define CW_TYPE_RECEIPT_DIFF_WINDOW (cw_receipt_diff_window_get_type ())

G_DECLARE_FINAL_TYPE (CwReceiptDiffWindow, cw_receipt_diff_window, CW, RECEIPT_DIFF_WINDOW, AdwWindow)

/* A window comparing receipt `first_id` of `database` (loaded in a worker
 * thread) with a receipt the user picks from that database's rows;
 * transient for parent, sized to fit it. */
CwReceiptDiffWindow *cw_receipt_diff_window_new (GtkWindow         *parent,
                                                 CwReceiptDatabase *database,
                                                 gint64             first_id);
/* Picks the second receipt: `id` of the database at `path` (NULL: the
 * first's database), opened and loaded in worker threads. */
void         cw_receipt_diff_window_set_second   (CwReceiptDiffWindow *self,
                                                  const char          *path,
                                                  gint64               id);
/* The comparison shown; NULL until the second receipt is loaded. */
const CwReceiptDiff *cw_receipt_diff_window_get_diff (CwReceiptDiffWindow *self);
/* Sizes as exact bytes ("5,658,116,096 B (5.27 GiB, 5.66 GB)") or, by
 * default, human-readable with the exact bytes in their tooltips. */
void         cw_receipt_diff_window_set_exact    (CwReceiptDiffWindow *self,
                                                  gboolean             exact);
CwChartView *cw_receipt_diff_window_get_chart_view (CwReceiptDiffWindow *self);
/* Every text the comparison shows, one label a line: for the self-test. */
char        *cw_receipt_diff_window_dup_text     (CwReceiptDiffWindow *self);
/* Keys (cw-receipt-diff.h) of the rows shown as differing, comma-separated. */
char        *cw_receipt_diff_window_dup_differing_keys (CwReceiptDiffWindow *self);

G_END_DECLS
