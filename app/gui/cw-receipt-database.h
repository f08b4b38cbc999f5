/* cw-receipt-database.h: an open receipts database as the workbench sees it:
 * the store handle plus every receipt row, loaded off the main thread.
 * Owner: workbench. */
#pragma once

#include <gtk/gtk.h>

#include "cw-receipt-store.h"

G_BEGIN_DECLS

#define CW_TYPE_RECEIPT_DATABASE (cw_receipt_database_get_type ())

G_DECLARE_FINAL_TYPE (CwReceiptDatabase, cw_receipt_database, CW, RECEIPT_DATABASE, GObject)

/* Opens `path` read-only and lists every receipt (without traces) in a worker
 * thread. Errors carry the store's reason (CW_GERROR domain). */
void               cw_receipt_database_open_async  (const char          *path,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
CwReceiptDatabase *cw_receipt_database_open_finish (GAsyncResult        *result,
                                                    GError             **error);

const char        *cw_receipt_database_get_path    (CwReceiptDatabase   *self);
/* "Receipts databases" (*.db, *.sqlite, *.sqlite3, application/vnd.sqlite3)
 * for every file chooser that picks one. */
GtkFileFilter     *cw_receipt_database_new_file_filter (void);
/* A GListModel of CwReceiptRow, in insertion order. */
GListModel        *cw_receipt_database_get_rows    (CwReceiptDatabase   *self);

/* One receipt with buffers, phases and trace, loaded in a worker thread. */
void               cw_receipt_database_load_receipt_async  (CwReceiptDatabase   *self,
                                                            int64_t              id,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
CwReceipt         *cw_receipt_database_load_receipt_finish (CwReceiptDatabase   *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

G_END_DECLS
