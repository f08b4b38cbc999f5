/* cw-receipt-store-insert.c: receipts into the store: the checks every new
 * receipt passes (also on merge), the writes of one receipt with its
 * buffers, phases and trace events, and the public insert and insert_many,
 * each one IMMEDIATE transaction that refuses a UUID already stored. */
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>

#include "cw-receipt-store-private.h"

bool
cw_store_uuid_exists (CwReceiptStore *store, const char *uuid, bool *exists, CwError *error)
{
  sqlite3_stmt *stmt = cw_store_prepare (store, "SELECT 1 FROM receipts WHERE uuid = ?1", error);
  int rc;

  if (stmt == NULL)
    return false;
  cw_store_bind_text (stmt, 1, uuid);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      cw_store_set_sqlite_error (error, store->db, "uuid lookup", store->path);
      return false;
    }
  *exists = rc == SQLITE_ROW;
  return true;
}

static const char insert_receipt_sql[] =
  "INSERT INTO receipts (uuid, sweep_id, lane, profile, b, h, d, sq, sk, ratio, top_k, causal, "
  "q_dtype, k_dtype, w_dtype, score_dtype, index_dtype, chunk_budget_bytes, granularity, "
  "status, error_message, oom_request_bytes, oom_live_bytes, "
  "gpu_name, gpu_uuid, hbm_total_bytes, driver_version, cuda_driver_version, cuda_runtime_version, "
  "cupti_version, host, cliffwatch_version, git_revision, time_unix_ns, "
  "predicted_peak_bytes, predicted_input_bytes, measured_peak_bytes, memgetinfo_delta_bytes, "
  "lane_ns, kernel_ns, unprofiled_lane_ns, flops, tflops, has_recall, recall, dropped_records, "
  "capture_attempted, captured, instantiated, replayed, matched, capture_error, note, "
  "exec_program, exec_pid, exec_rank, exec_device, exec_allocator, range_name, range_occurrence, "
  "range_open_bytes, exit_code, exit_signal, n_kernels, "
  "gradcheck, gradcheck_worst, gradcheck_worst_at, "
  "n_buffers, n_phases, n_events) VALUES ("
  "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
  "?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, "
  "?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, ?50, ?51, ?52, ?53, "
  "?54, ?55, ?56, ?57, ?58, ?59, ?60, ?61, ?62, ?63, ?64, ?65, ?66, ?67, ?68, ?69, ?70)";

bool
cw_store_validate_for_insert (const CwReceipt *r, CwError *error)
{
  if (r->uuid[0] == '\0')
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt has no UUID");
      return false;
    }
  if (r->lane[0] == '\0')
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt %s has no lane", r->uuid);
      return false;
    }
  if ((unsigned) r->status >= CW_RECEIPT_N_STATUS)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt %s has an unknown status %d", r->uuid, (int) r->status);
      return false;
    }
  if ((unsigned) r->gradcheck.status >= CW_GRADCHECK_N_STATUS)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt %s has an unknown gradcheck status %d", r->uuid,
                    (int) r->gradcheck.status);
      return false;
    }
  if (isnan (r->gradcheck.worst) || r->gradcheck.worst < 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt %s has an invalid gradcheck worst error", r->uuid);
      return false;
    }
  if ((unsigned) r->config.causal > CW_CAUSAL_COMPRESSED)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt %s has an unknown causal rule %d", r->uuid,
                    (int) r->config.causal);
      return false;
    }
  {
    const CwDtype dts[5] = { r->config.q_dtype, r->config.k_dtype, r->config.w_dtype,
                             r->config.score_dtype, r->config.index_dtype };
    for (int i = 0; i < 5; i++)
      if ((unsigned) dts[i] >= CW_DTYPE_N_DTYPES)
        {
          cw_error_set (error, CW_ERROR_INVALID, "receipt %s has an unknown dtype %d", r->uuid, (int) dts[i]);
          return false;
        }
  }
  return true;
}

/* Inside a transaction the caller owns. */
int64_t
cw_store_insert_locked (CwReceiptStore *store, CwReceipt *r, CwError *error)
{
  sqlite3_stmt *stmt = NULL;
  int64_t id = 0;
  bool ok = true;
  int c = 1;

  stmt = cw_store_prepare (store, insert_receipt_sql, error);
  if (stmt == NULL)
    return 0;

#define U64(v, what) ok = ok && cw_store_bind_u64 (stmt, c++, (v), what, error)
#define I64(v) ok = ok && sqlite3_bind_int64 (stmt, c++, (sqlite3_int64) (v)) == SQLITE_OK
#define TXT(v) ok = ok && cw_store_bind_text (stmt, c++, (v))
#define DBL(v) ok = ok && sqlite3_bind_double (stmt, c++, (v)) == SQLITE_OK
  TXT (r->uuid);
  TXT (r->sweep_id);
  TXT (r->lane);
  TXT (r->profile);
  U64 (r->config.b, "b");
  U64 (r->config.h, "h");
  U64 (r->config.d, "d");
  U64 (r->config.sq, "sq");
  U64 (r->config.sk, "sk");
  U64 (r->config.ratio, "ratio");
  U64 (r->config.top_k, "top_k");
  TXT (cw_causal_get_name (r->config.causal));
  TXT (cw_dtype_get_name (r->config.q_dtype));
  TXT (cw_dtype_get_name (r->config.k_dtype));
  TXT (cw_dtype_get_name (r->config.w_dtype));
  TXT (cw_dtype_get_name (r->config.score_dtype));
  TXT (cw_dtype_get_name (r->config.index_dtype));
  U64 (r->config.chunk_budget_bytes, "chunk_budget_bytes");
  U64 (r->config.granularity, "granularity");
  TXT (cw_receipt_status_get_name (r->status));
  TXT (r->error_message);
  U64 (r->oom_request_bytes, "oom_request_bytes");
  U64 (r->oom_live_bytes, "oom_live_bytes");
  TXT (r->provenance.gpu_name);
  TXT (r->provenance.gpu_uuid);
  U64 (r->provenance.hbm_total_bytes, "hbm_total_bytes");
  TXT (r->provenance.driver_version);
  I64 (r->provenance.cuda_driver_version);
  I64 (r->provenance.cuda_runtime_version);
  I64 (r->provenance.cupti_version);
  TXT (r->provenance.host);
  TXT (r->provenance.cliffwatch_version);
  TXT (r->provenance.git_revision);
  I64 (r->provenance.time_unix_ns);
  U64 (r->predicted_peak_bytes, "predicted_peak_bytes");
  U64 (r->predicted_input_bytes, "predicted_input_bytes");
  U64 (r->measured_peak_bytes, "measured_peak_bytes");
  I64 (r->memgetinfo_delta_bytes);
  U64 (r->lane_ns, "lane_ns");
  U64 (r->kernel_ns, "kernel_ns");
  U64 (r->unprofiled_lane_ns, "unprofiled_lane_ns");
  DBL (r->flops);
  DBL (r->tflops);
  I64 (r->has_recall ? 1 : 0);
  DBL (r->recall);
  U64 (r->dropped_records, "dropped_records");
  I64 (r->capture.attempted);
  I64 (r->capture.captured);
  I64 (r->capture.instantiated);
  I64 (r->capture.replayed);
  I64 (r->capture.matched);
  TXT (r->capture.cuda_error_name);
  TXT (r->note);
  TXT (r->exec.program);
  I64 (r->exec.pid);
  I64 (r->exec.rank);
  I64 (r->exec.device);
  TXT (r->exec.allocator);
  TXT (r->exec.range_name);
  I64 (r->exec.range_occurrence);
  U64 (r->exec.range_open_bytes, "range_open_bytes");
  I64 (r->exec.exit_code);
  I64 (r->exec.exit_signal);
  U64 (r->exec.n_kernels, "n_kernels");
  TXT (cw_gradcheck_status_get_name (r->gradcheck.status));
  DBL (r->gradcheck.worst);
  TXT (r->gradcheck.worst_at);
  I64 (r->n_buffers);
  I64 (r->n_phases);
  I64 (r->n_events);
#undef U64
#undef I64
#undef TXT
#undef DBL

  if (!ok)
    {
      if (error == NULL || error->code == CW_ERROR_NONE)
        cw_store_set_sqlite_error (error, store->db, "bind", store->path);
      sqlite3_finalize (stmt);
      return 0;
    }
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cw_store_set_sqlite_error (error, store->db, "insert receipt", store->path);
      sqlite3_finalize (stmt);
      return 0;
    }
  sqlite3_finalize (stmt);
  id = sqlite3_last_insert_rowid (store->db);

  stmt = cw_store_prepare (store, "INSERT INTO receipt_buffers (receipt_id, idx, name, bytes, is_input) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return 0;
  for (size_t i = 0; i < r->n_buffers; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) i);
      cw_store_bind_text (stmt, 3, r->buffers[i].name);
      if (!cw_store_bind_u64 (stmt, 4, r->buffers[i].bytes, r->buffers[i].name, error))
        goto fail_stmt;
      sqlite3_bind_int (stmt, 5, r->buffers[i].is_input);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          cw_store_set_sqlite_error (error, store->db, "insert buffer", store->path);
          goto fail_stmt;
        }
    }
  sqlite3_finalize (stmt);

  stmt = cw_store_prepare (store, "INSERT INTO receipt_phases (receipt_id, idx, name, live_bytes) "
                                  "VALUES (?1, ?2, ?3, ?4)", error);
  if (stmt == NULL)
    return 0;
  for (size_t i = 0; i < r->n_phases; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) i);
      cw_store_bind_text (stmt, 3, r->phases[i].name);
      if (!cw_store_bind_u64 (stmt, 4, r->phases[i].live_bytes, r->phases[i].name, error))
        goto fail_stmt;
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          cw_store_set_sqlite_error (error, store->db, "insert phase", store->path);
          goto fail_stmt;
        }
    }
  sqlite3_finalize (stmt);

  stmt = cw_store_prepare (store, "INSERT INTO trace_events (receipt_id, idx, kind, name, start_ns, end_ns, "
                                  "bytes, address, stream_id, correlation_id, depth) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", error);
  if (stmt == NULL)
    return 0;
  for (size_t i = 0; i < r->n_events; i++)
    {
      const CwTraceEvent *ev = &r->events[i];

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) i);
      cw_store_bind_text (stmt, 3, cw_trace_kind_get_name (ev->kind));
      cw_store_bind_text (stmt, 4, ev->name);
      if (!cw_store_bind_u64 (stmt, 5, ev->start_ns, "start_ns", error)
          || !cw_store_bind_u64 (stmt, 6, ev->end_ns, "end_ns", error)
          || !cw_store_bind_u64 (stmt, 7, ev->bytes, "bytes", error))
        goto fail_stmt;
      /* A device address is a bit pattern, not a size: store it as its
       * two's-complement int64 and cast back on load. */
      sqlite3_bind_int64 (stmt, 8, (sqlite3_int64) ev->address);
      sqlite3_bind_int64 (stmt, 9, ev->stream_id);
      sqlite3_bind_int64 (stmt, 10, ev->correlation_id);
      sqlite3_bind_int64 (stmt, 11, ev->depth);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          cw_store_set_sqlite_error (error, store->db, "insert trace event", store->path);
          goto fail_stmt;
        }
    }
  sqlite3_finalize (stmt);
  return id;

fail_stmt:
  sqlite3_finalize (stmt);
  return 0;
}

int64_t
cw_receipt_store_insert (CwReceiptStore *store, CwReceipt *receipt, CwError *error)
{
  bool exists = false;
  int64_t id = 0;

  if (store == NULL || receipt == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_receipt_store_insert: NULL argument");
      return 0;
    }
  if (!store->writable)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: opened read-only", store->path);
      return 0;
    }
  if (!cw_store_validate_for_insert (receipt, error))
    return 0;

  pthread_mutex_lock (&store->lock);
  if (!cw_store_exec_sql (store, "BEGIN IMMEDIATE", error))
    goto out;
  if (!cw_store_uuid_exists (store, receipt->uuid, &exists, error))
    goto rollback;
  if (exists)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: receipt %s is already stored", store->path, receipt->uuid);
      goto rollback;
    }
  id = cw_store_insert_locked (store, receipt, error);
  if (id == 0)
    goto rollback;
  if (!cw_store_exec_sql (store, "COMMIT", error))
    {
      id = 0;
      goto rollback;
    }
  receipt->id = id;
  goto out;

rollback:
  sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
out:
  pthread_mutex_unlock (&store->lock);
  return id;
}

bool
cw_receipt_store_insert_many (CwReceiptStore *store, CwReceipt *const *receipts, size_t n_receipts,
                              CwError *error)
{
  bool exists = false;
  size_t i;

  if (store == NULL || (receipts == NULL && n_receipts > 0))
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_receipt_store_insert_many: NULL argument");
      return false;
    }
  if (!store->writable)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: opened read-only", store->path);
      return false;
    }
  for (i = 0; i < n_receipts; i++)
    if (!cw_store_validate_for_insert (receipts[i], error))
      return false;

  pthread_mutex_lock (&store->lock);
  if (!cw_store_exec_sql (store, "BEGIN IMMEDIATE", error))
    {
      pthread_mutex_unlock (&store->lock);
      return false;
    }
  for (i = 0; i < n_receipts; i++)
    {
      int64_t id;

      if (!cw_store_uuid_exists (store, receipts[i]->uuid, &exists, error))
        goto rollback;
      if (exists)
        {
          cw_error_set (error, CW_ERROR_INVALID, "%s: receipt %s is already stored", store->path,
                        receipts[i]->uuid);
          goto rollback;
        }
      id = cw_store_insert_locked (store, receipts[i], error);
      if (id == 0)
        goto rollback;
      receipts[i]->id = id;
    }
  if (!cw_store_exec_sql (store, "COMMIT", error))
    goto rollback;
  pthread_mutex_unlock (&store->lock);
  return true;

rollback:
  sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  pthread_mutex_unlock (&store->lock);
  for (i = 0; i < n_receipts; i++)
    receipts[i]->id = 0;
  return false;
}

