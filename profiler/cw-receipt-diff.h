/* cw-receipt-diff.h: two receipts side by side — which recorded fields
 * differ and how far apart their peaks are. The one comparison both front
 * ends show (`cliffwatch-cli receipts diff` and the workbench's Compare
 * Receipts window), so they list the same fields with the same verdicts.
 *
 * The receipts may come from two databases; the diff only reads them. A
 * field's values are kept as the receipt stores them (a name as text, a
 * count or a size as an integer), so each front end formats them its own
 * way (the CLI exact, the workbench human-readable with exact bytes on
 * demand) without deciding anew what differs. Labels are English, marked
 * for translation (CW_N_ in the .c file, looked up by the workbench). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-error.h"
#include "cw-receipt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwReceiptDiff CwReceiptDiff;

/* What a field is, for formatting. */
typedef enum {
  CW_RECEIPT_DIFF_TEXT,      /* a name or version, shown as stored */
  CW_RECEIPT_DIFF_COUNT,     /* tokens, heads...: an exact integer */
  CW_RECEIPT_DIFF_BYTES,     /* a size in bytes */
} CwReceiptDiffKind;

/* Where a field belongs. */
typedef enum {
  CW_RECEIPT_DIFF_RUN,           /* lane, profile, status */
  CW_RECEIPT_DIFF_CONFIGURATION, /* what the planner was given */
  CW_RECEIPT_DIFF_PROVENANCE,    /* where and with what it ran */
} CwReceiptDiffSection;

#define CW_RECEIPT_DIFF_VALUE_MAX 256

typedef struct {
  const char          *key;      /* stable: "lane", "sq", "q_dtype", "gpu_name"... */
  const char          *label;    /* English: "Query tokens sq" */
  CwReceiptDiffSection section;
  CwReceiptDiffKind    kind;
  char                 a[CW_RECEIPT_DIFF_VALUE_MAX];  /* TEXT: the values; "" when not recorded */
  char                 b[CW_RECEIPT_DIFF_VALUE_MAX];
  uint64_t             a_value, b_value;              /* COUNT, BYTES */
  bool                 differs;
} CwReceiptDiffField;

typedef enum {
  CW_RECEIPT_DIFF_PREDICTED,     /* predicted_peak_bytes (planned on read included) */
  CW_RECEIPT_DIFF_MEASURED,      /* measured_peak_bytes of an ok receipt */
  CW_RECEIPT_DIFF_N_PEAKS,
} CwReceiptDiffPeakKind;

/* One peak of both receipts. A receipt has a predicted peak when it holds
 * a prediction (> 0) and a measured peak when it ran to the end (status ok)
 * and measured one (> 0): an OOM's bytes are not a peak. The difference
 * is b - a, exact: its magnitude and sign (no int64 to overflow). */
typedef struct {
  const char *key;               /* "predicted_peak", "measured_peak" */
  const char *label;             /* English */
  bool        has_a, has_b;
  uint64_t    a, b;
  bool        has_delta;         /* both present */
  uint64_t    delta;             /* |b - a| */
  int         sign;              /* -1, 0 or +1: the sign of b - a */
  double      percent;           /* 100 (b - a) / a; NAN when a is 0 or either is missing */
} CwReceiptDiffPeak;

/* Compares a (the first, "left") with b. NULL with CW_ERROR_INVALID on a
 * NULL receipt, CW_ERROR_OOM when memory runs out. The diff copies what it
 * needs: the receipts may be freed after. */
CwReceiptDiff *cw_receipt_diff_new (const CwReceipt *a, const CwReceipt *b, CwError *error);
void           cw_receipt_diff_free (CwReceiptDiff *diff);

/* The receipts' ids, as given. */
int64_t        cw_receipt_diff_get_id (const CwReceiptDiff *diff, bool second);

size_t                    cw_receipt_diff_get_n_fields (const CwReceiptDiff *diff);
const CwReceiptDiffField *cw_receipt_diff_get_field (const CwReceiptDiff *diff, size_t index);
/* The field with this key, or NULL. */
const CwReceiptDiffField *cw_receipt_diff_find_field (const CwReceiptDiff *diff, const char *key);
/* How many fields differ. */
size_t                    cw_receipt_diff_get_n_differing (const CwReceiptDiff *diff);
const CwReceiptDiffPeak  *cw_receipt_diff_get_peak (const CwReceiptDiff *diff, CwReceiptDiffPeakKind kind);

/* A field's value as text in exact form: TEXT as stored, COUNT and BYTES
 * as the decimal integer ("65536", "5658116096"). Returns buf. */
const char    *cw_receipt_diff_field_text (const CwReceiptDiffField *field, bool second, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
