/* cw-receipt-store.h: the SQLite file receipts live in.
 *
 * One store = one SQLite database with Cliffwatch's application_id, schema
 * version in PRAGMA user_version, WAL journal, foreign keys on and a busy
 * timeout, so the profiler (writer) and the workbench (reader) can use the
 * same file at once. Migrations in data/schema/ are compiled in and applied
 * on open, all in one transaction. Each receipt is written in one
 * transaction: a writer killed at any point leaves either the whole receipt
 * or none of it.
 *
 * Refusals, each a CwError and nothing written: a file that is not SQLite
 * (CW_ERROR_CORRUPT), a SQLite file of another application or damaged
 * (CW_ERROR_CORRUPT), a schema newer than this build knows (CW_ERROR_VERSION).
 *
 * Threads: a CwReceiptStore may be used from any thread; calls on one store
 * are serialized by an internal mutex. The workbench runs queries in a
 * worker thread (GTask) on its own store handle or a shared one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-error.h"
#include "cw-receipt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwReceiptStore CwReceiptStore;

typedef enum {
  CW_RECEIPT_STORE_READONLY = 0,       /* existing file, read only */
  CW_RECEIPT_STORE_CREATE   = 1 << 0,  /* read-write; create and initialise if missing or empty; migrate */
  CW_RECEIPT_STORE_NO_CHECK = 1 << 1,  /* skip PRAGMA quick_check on open (else run up to the size below) */
  /* Readers for display and comparison: a receipt loaded without a stored
   * prediction whose lane has a profile is planned at its stored
   * configuration (cw_receipt_plan_missing_prediction); nothing is written. */
  CW_RECEIPT_STORE_PLAN_MISSING = 1 << 2,
} CwReceiptStoreFlags;

/* Opening runs PRAGMA quick_check (every page read) on files up to this
 * size; larger files are checked by cw_receipt_store_check on request. */
#define CW_RECEIPT_STORE_QUICK_CHECK_MAX_BYTES (256ull << 20)

/* The schema version this build writes (= number of migrations). */
int              cw_receipt_store_schema_version (void);
/* PRAGMA application_id of a receipt database: 'CWRS'. */
#define CW_RECEIPT_STORE_APPLICATION_ID 0x43575253

CwReceiptStore  *cw_receipt_store_open  (const char *path, unsigned flags, CwError *error);
void             cw_receipt_store_close (CwReceiptStore *store);
/* PRAGMA integrity_check over the whole file (every page, index and
 * constraint): false with CW_ERROR_CORRUPT and the first problem found. */
bool             cw_receipt_store_check (CwReceiptStore *store, CwError *error);
const char      *cw_receipt_store_get_path (const CwReceiptStore *store);

/* Removes a database file and its -wal and -shm (what a failed command that
 * created the file leaves behind). Missing files are not an error. */
void             cw_receipt_store_remove_files (const char *path);

/* Inserts the receipt with its buffers, phases and trace in one transaction.
 * Sets receipt->id and returns it; 0 on error. A receipt whose UUID is already
 * in the store is refused (CW_ERROR_INVALID). */
int64_t          cw_receipt_store_insert (CwReceiptStore *store, CwReceipt *receipt, CwError *error);

/* Inserts every receipt in one transaction: all of them or none (a killed
 * writer or any failure leaves the store as it was). Sets each ->id. */
bool             cw_receipt_store_insert_many (CwReceiptStore *store, CwReceipt *const *receipts,
                                               size_t n_receipts, CwError *error);

/* Number of receipts; -1 on error. */
int64_t          cw_receipt_store_count (CwReceiptStore *store, CwError *error);

/* Loads one receipt, trace included. NULL + CW_ERROR_NOT_FOUND when absent. */
CwReceipt       *cw_receipt_store_load (CwReceiptStore *store, int64_t id, CwError *error);
CwReceipt       *cw_receipt_store_load_uuid (CwReceiptStore *store, const char *uuid, CwError *error);
/* The same with buffers and phases only (cw_receipt_get_trace_loaded is
 * false): for readers that print no trace, which may be most of a file. */
CwReceipt       *cw_receipt_store_load_without_trace (CwReceiptStore *store, int64_t id, CwError *error);

/* ---- queries --------------------------------------------------------------- */

typedef enum {
  CW_RECEIPT_SORT_ID = 0,      /* insertion order */
  CW_RECEIPT_SORT_TIME,        /* provenance time */
  CW_RECEIPT_SORT_LANE,
  CW_RECEIPT_SORT_STATUS,
  CW_RECEIPT_SORT_GPU,
  CW_RECEIPT_SORT_SQ,
  CW_RECEIPT_SORT_PREDICTED_PEAK,
  CW_RECEIPT_SORT_MEASURED_PEAK,
  CW_RECEIPT_SORT_LANE_TIME,
} CwReceiptSort;

/* "id", "time", "lane", "status", "gpu", "sq", "predicted", "measured", "lane-time" */
const char *cw_receipt_sort_get_name (CwReceiptSort sort);
bool        cw_receipt_sort_from_name (const char *name, CwReceiptSort *out);

/* A filter + sort. Plain value: copy it to a worker thread freely.
 * Empty strings / has_status = false mean "any". Text search matches,
 * case-insensitively, lane, profile, GPU name, host, status, error message,
 * note and UUID. Ties in the sort key fall back to id, so order is stable. */
typedef struct {
  char            lane[32];
  bool            has_status;
  CwReceiptStatus status;
  char            gpu[128];      /* substring of the GPU name, case-insensitive */
  char            text[128];
  char            sweep_id[37];
  CwReceiptSort   sort;
  bool            descending;
  int64_t         limit;         /* <= 0: no limit */
  int64_t         offset;
} CwReceiptQuery;

void cw_receipt_query_init (CwReceiptQuery *query);

/* Query results: receipts without their arrays (trace_loaded == false). */
typedef struct _CwReceiptList CwReceiptList;

CwReceiptList   *cw_receipt_store_query (CwReceiptStore *store, const CwReceiptQuery *query,
                                         CwError *error);
size_t           cw_receipt_list_get_n_items (const CwReceiptList *list);
const CwReceipt *cw_receipt_list_get (const CwReceiptList *list, size_t index);
/* Takes receipt `index` out of the list (the list keeps a NULL there). */
CwReceipt       *cw_receipt_list_steal (CwReceiptList *list, size_t index);
void             cw_receipt_list_free (CwReceiptList *list);

/* ---- merge ----------------------------------------------------------------- */

/* Copies every receipt of the database at other_path whose UUID this store
 * lacks, in one transaction (all or nothing). Counts may be NULL. */
bool             cw_receipt_store_merge_from (CwReceiptStore *store, const char *other_path,
                                              uint64_t *n_added, uint64_t *n_skipped,
                                              CwError *error);
/* The same over several sources, all in one transaction: one bad source
 * (foreign, damaged, an invalid receipt) and nothing is added. Each receipt
 * is validated as an insert would. */
bool             cw_receipt_store_merge_many (CwReceiptStore *store, const char *const *other_paths,
                                              size_t n_paths, uint64_t *n_added, uint64_t *n_skipped,
                                              CwError *error);

#ifdef __cplusplus
}
#endif
