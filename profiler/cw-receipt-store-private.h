/* cw-receipt-store-private.h: what the store's files (cw-receipt-store*.c)
 * share with each other and with its generated migration table
 * (cw-receipt-store-migrations.c, from data/schema/): the two opaque
 * structs, the receipt column list and the helpers used across files. */
#pragma once

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "cw-receipt-store.h"

/* migrations[i] takes the schema from version i to i + 1. */
extern const char *const cw_receipt_store_migrations[];
extern const int cw_receipt_store_n_migrations;

#define CW_RECEIPT_STORE_MAX_LANE_PROFILES 16

struct _CwReceiptStore {
  sqlite3        *db;
  char           *path;
  bool            writable;
  bool            plan_missing;   /* CW_RECEIPT_STORE_PLAN_MISSING */
  /* Lane profiles loaded for plan_missing, one per name (profile NULL when
   * it does not load), kept until close: a list of thousands of receipts
   * reads each profile file once. Guarded by lock. */
  struct {
    const char *name;
    CwProfile  *profile;
  } lane_profiles[CW_RECEIPT_STORE_MAX_LANE_PROFILES];
  unsigned        n_lane_profiles;
  pthread_mutex_t lock;
};

struct _CwReceiptList {
  size_t      n_items;
  CwReceipt **items;
};

/* Column list shared by the receipt SELECTs; cw_store_read_receipt_row() reads them in this order. */
#define RECEIPT_COLUMNS \
  "id, uuid, sweep_id, lane, profile, b, h, d, sq, sk, ratio, top_k, causal, " \
  "q_dtype, k_dtype, w_dtype, score_dtype, index_dtype, chunk_budget_bytes, granularity, " \
  "status, error_message, oom_request_bytes, oom_live_bytes, " \
  "gpu_name, gpu_uuid, hbm_total_bytes, driver_version, cuda_driver_version, cuda_runtime_version, " \
  "cupti_version, host, cliffwatch_version, git_revision, time_unix_ns, " \
  "predicted_peak_bytes, predicted_input_bytes, measured_peak_bytes, memgetinfo_delta_bytes, " \
  "lane_ns, kernel_ns, unprofiled_lane_ns, flops, tflops, has_recall, recall, dropped_records, " \
  "capture_attempted, captured, instantiated, replayed, matched, capture_error, note, " \
  "exec_program, exec_pid, exec_rank, exec_device, exec_allocator, range_name, range_occurrence, " \
  "range_open_bytes, exit_code, exit_signal, n_kernels, " \
  "gradcheck, gradcheck_worst, gradcheck_worst_at, " \
  "n_buffers, n_phases, n_events"

/* cw-receipt-store.c: SQLite calls with errors turned into CwErrors. */
void cw_store_set_sqlite_error (CwError *error, sqlite3 *db, const char *what, const char *path);
bool cw_store_exec_sql (CwReceiptStore *store, const char *sql, CwError *error);
sqlite3_stmt *cw_store_prepare (CwReceiptStore *store, const char *sql, CwError *error);
bool cw_store_pragma_int (CwReceiptStore *store, const char *sql, int64_t *out, CwError *error);

/* cw-receipt-store-rows.c: binding values and reading receipt rows. */
bool cw_store_bind_u64 (sqlite3_stmt *stmt, int col, uint64_t value, const char *what, CwError *error);
bool cw_store_bind_text (sqlite3_stmt *stmt, int col, const char *text);
bool cw_store_read_receipt_row (CwReceiptStore *store, sqlite3_stmt *stmt, CwReceipt *rc, int64_t counts[3],
                                CwError *error);

/* cw-receipt-store-insert.c: the checks and the writes of one insert. */
bool cw_store_uuid_exists (CwReceiptStore *store, const char *uuid, bool *exists, CwError *error);
bool cw_store_validate_for_insert (const CwReceipt *r, CwError *error);
int64_t cw_store_insert_locked (CwReceiptStore *store, CwReceipt *r, CwError *error);

/* cw-receipt-store-query.c: one receipt with its buffers and phases, and
 * its trace when with_trace. */
CwReceipt *cw_store_load_where (CwReceiptStore *store, const char *where, int64_t id, const char *uuid,
                                bool with_trace, CwError *error);

/* True when s (NUL-terminated; NULL counts as empty) is well-formed UTF-8. */
bool cw_store_text_is_utf8 (const unsigned char *s);
