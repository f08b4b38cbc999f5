/* cw-receipt-row.h: one receipt as a GObject, the item type of the receipts
 * list models (GtkColumnView rows, chart overlays). Owner: workbench. */
#pragma once

#include <glib-object.h>

#include "cw-receipt.h"

G_BEGIN_DECLS

#define CW_TYPE_RECEIPT_ROW (cw_receipt_row_get_type ())

G_DECLARE_FINAL_TYPE (CwReceiptRow, cw_receipt_row, CW, RECEIPT_ROW, GObject)

/* Takes ownership of receipt. */
CwReceiptRow    *cw_receipt_row_new_take    (CwReceipt *receipt);
const CwReceipt *cw_receipt_row_get_receipt (CwReceiptRow *self);
/* Signed (measured - predicted) / predicted in percent; NAN when either is unknown. */
double           cw_receipt_row_get_error_percent (CwReceiptRow *self);
/* "ok", "oom"... as shown to the user (translated). */
const char      *cw_receipt_row_get_status_label  (CwReceiptRow *self);
/* "b=1 h=64 d=128 sq=32K sk=8K k=512" */
char            *cw_receipt_row_dup_config_label  (CwReceiptRow *self);

G_END_DECLS
