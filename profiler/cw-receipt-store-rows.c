/* cw-receipt-store-rows.c: values bound into statements (unsigned values
 * checked against the signed 64-bit columns) and a receipts row read back
 * into a CwReceipt, each column decoded only from its declared storage
 * class, in the order of RECEIPT_COLUMNS. */
#include <inttypes.h>
#include <sqlite3.h>

#include "cw-receipt-store-private.h"

bool
cw_store_bind_u64 (sqlite3_stmt *stmt, int col, uint64_t value, const char *what, CwError *error)
{
  if (value > (uint64_t) INT64_MAX)
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "%s = %" PRIu64 " does not fit the store's signed 64-bit column",
                    what, value);
      return false;
    }
  return sqlite3_bind_int64 (stmt, col, (sqlite3_int64) value) == SQLITE_OK;
}

bool
cw_store_bind_text (sqlite3_stmt *stmt, int col, const char *text)
{
  return sqlite3_bind_text (stmt, col, text ? text : "", -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

typedef struct {
  sqlite3_stmt *stmt;
  int           col;
  bool          ok;
  const char   *bad;  /* first bad column's name */
} RowReader;

bool
cw_store_text_is_utf8 (const unsigned char *s)
{
  /* Well-formed UTF-8 (RFC 3629): no overlongs, no surrogates, <= U+10FFFF. */
  while (s != NULL && *s != '\0')
    {
      unsigned c = *s, n, min;
      unsigned long cp;

      if (c < 0x80)
        {
          s++;
          continue;
        }
      if (c >= 0xc2 && c <= 0xdf)
        n = 1, cp = c & 0x1f, min = 0x80;
      else if (c >= 0xe0 && c <= 0xef)
        n = 2, cp = c & 0x0f, min = 0x800;
      else if (c >= 0xf0 && c <= 0xf4)
        n = 3, cp = c & 0x07, min = 0x10000;
      else
        return false;
      for (unsigned i = 1; i <= n; i++)
        {
          if ((s[i] & 0xc0) != 0x80)
            return false;
          cp = (cp << 6) | (s[i] & 0x3f);
        }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return false;
      s += n + 1;
    }
  return true;
}

static const char *
row_text (RowReader *r)
{
  const unsigned char *t;

  /* Every value is decoded only from the storage class its column declares:
   * a crafted 'abc' in an INTEGER column, 2.7, NULL or a BLOB is a damaged
   * receipt, never a silent 0 or a truncated number. */
  if (sqlite3_column_type (r->stmt, r->col) != SQLITE_TEXT && r->ok)
    {
      r->ok = false;
      r->bad = sqlite3_column_name (r->stmt, r->col);
    }
  t = sqlite3_column_text (r->stmt, r->col);
  /* Text is printed in JSON, CSV and on terminals: it must be UTF-8. */
  if (!cw_store_text_is_utf8 (t) && r->ok)
    {
      r->ok = false;
      r->bad = sqlite3_column_name (r->stmt, r->col);
    }
  r->col++;
  return t ? (const char *) t : "";
}

static int64_t
row_i64 (RowReader *r)
{
  if (sqlite3_column_type (r->stmt, r->col) != SQLITE_INTEGER && r->ok)
    {
      r->ok = false;
      r->bad = sqlite3_column_name (r->stmt, r->col);
    }
  return sqlite3_column_int64 (r->stmt, r->col++);
}

static uint64_t
row_u64 (RowReader *r)
{
  const char *name = sqlite3_column_name (r->stmt, r->col);
  int64_t v = row_i64 (r);

  if (v < 0 && r->ok)
    {
      r->ok = false;
      r->bad = name;
    }
  return v < 0 ? 0 : (uint64_t) v;
}

static double
row_double (RowReader *r)
{
  int type = sqlite3_column_type (r->stmt, r->col);

  if (type != SQLITE_FLOAT && type != SQLITE_INTEGER && r->ok)
    {
      r->ok = false;
      r->bad = sqlite3_column_name (r->stmt, r->col);
    }
  return sqlite3_column_double (r->stmt, r->col++);
}

static CwDtype
row_dtype (RowReader *r)
{
  const char *name = sqlite3_column_name (r->stmt, r->col);
  CwDtype dt = CW_DTYPE_FP32;

  if (!cw_dtype_from_name (row_text (r), &dt, NULL) && r->ok)
    {
      r->ok = false;
      r->bad = name;
    }
  return dt;
}

/* Fills `receipt` (whose arrays are empty) from the current row. Returns the
 * child-row counts the receipt claims through the out parameters. */
bool
cw_store_read_receipt_row (CwReceiptStore *store, sqlite3_stmt *stmt, CwReceipt *rc, int64_t counts[3],
                           CwError *error)
{
  RowReader r = { stmt, 0, true, NULL };
  const char *text;

  rc->id = row_i64 (&r);
  CW_RECEIPT_SET (rc->uuid, row_text (&r));
  CW_RECEIPT_SET (rc->sweep_id, row_text (&r));
  CW_RECEIPT_SET (rc->lane, row_text (&r));
  CW_RECEIPT_SET (rc->profile, row_text (&r));
  rc->config.b = row_u64 (&r);
  rc->config.h = row_u64 (&r);
  rc->config.d = row_u64 (&r);
  rc->config.sq = row_u64 (&r);
  rc->config.sk = row_u64 (&r);
  rc->config.ratio = row_u64 (&r);
  rc->config.top_k = row_u64 (&r);
  text = row_text (&r);
  if (!cw_causal_from_name (text, &rc->config.causal, NULL) && r.ok)
    {
      r.ok = false;
      r.bad = "causal";
    }
  rc->config.q_dtype = row_dtype (&r);
  rc->config.k_dtype = row_dtype (&r);
  rc->config.w_dtype = row_dtype (&r);
  rc->config.score_dtype = row_dtype (&r);
  rc->config.index_dtype = row_dtype (&r);
  rc->config.chunk_budget_bytes = row_u64 (&r);
  rc->config.granularity = row_u64 (&r);
  text = row_text (&r);
  if (!cw_receipt_status_from_name (text, &rc->status) && r.ok)
    {
      r.ok = false;
      r.bad = "status";
    }
  CW_RECEIPT_SET (rc->error_message, row_text (&r));
  rc->oom_request_bytes = row_u64 (&r);
  rc->oom_live_bytes = row_u64 (&r);
  CW_RECEIPT_SET (rc->provenance.gpu_name, row_text (&r));
  CW_RECEIPT_SET (rc->provenance.gpu_uuid, row_text (&r));
  rc->provenance.hbm_total_bytes = row_u64 (&r);
  CW_RECEIPT_SET (rc->provenance.driver_version, row_text (&r));
  rc->provenance.cuda_driver_version = (int32_t) row_i64 (&r);
  rc->provenance.cuda_runtime_version = (int32_t) row_i64 (&r);
  rc->provenance.cupti_version = (uint32_t) row_u64 (&r);
  CW_RECEIPT_SET (rc->provenance.host, row_text (&r));
  CW_RECEIPT_SET (rc->provenance.cliffwatch_version, row_text (&r));
  CW_RECEIPT_SET (rc->provenance.git_revision, row_text (&r));
  rc->provenance.time_unix_ns = row_i64 (&r);
  rc->predicted_peak_bytes = row_u64 (&r);
  rc->predicted_input_bytes = row_u64 (&r);
  rc->measured_peak_bytes = row_u64 (&r);
  rc->memgetinfo_delta_bytes = row_i64 (&r);
  rc->lane_ns = row_u64 (&r);
  rc->kernel_ns = row_u64 (&r);
  rc->unprofiled_lane_ns = row_u64 (&r);
  rc->flops = row_double (&r);
  rc->tflops = row_double (&r);
  rc->has_recall = row_i64 (&r) != 0;
  rc->recall = row_double (&r);
  rc->dropped_records = row_u64 (&r);
  rc->capture.attempted = row_i64 (&r) != 0;
  rc->capture.captured = row_i64 (&r) != 0;
  rc->capture.instantiated = row_i64 (&r) != 0;
  rc->capture.replayed = row_i64 (&r) != 0;
  rc->capture.matched = row_i64 (&r) != 0;
  CW_RECEIPT_SET (rc->capture.cuda_error_name, row_text (&r));
  CW_RECEIPT_SET (rc->note, row_text (&r));
  CW_RECEIPT_SET (rc->exec.program, row_text (&r));
  rc->exec.pid = (int32_t) row_i64 (&r);
  rc->exec.rank = (int32_t) row_i64 (&r);
  rc->exec.device = (int32_t) row_i64 (&r);
  CW_RECEIPT_SET (rc->exec.allocator, row_text (&r));
  CW_RECEIPT_SET (rc->exec.range_name, row_text (&r));
  rc->exec.range_occurrence = (uint32_t) row_u64 (&r);
  rc->exec.range_open_bytes = row_u64 (&r);
  rc->exec.exit_code = (int32_t) row_i64 (&r);
  rc->exec.exit_signal = (int32_t) row_i64 (&r);
  rc->exec.n_kernels = row_u64 (&r);
  text = row_text (&r);
  if (!cw_gradcheck_status_from_name (text, &rc->gradcheck.status) && r.ok)
    {
      r.ok = false;
      r.bad = "gradcheck";
    }
  rc->gradcheck.worst = row_double (&r);
  CW_RECEIPT_SET (rc->gradcheck.worst_at, row_text (&r));
  counts[0] = row_i64 (&r);
  counts[1] = row_i64 (&r);
  counts[2] = row_i64 (&r);

  if (!r.ok)
    {
      cw_error_set (error, CW_ERROR_CORRUPT, "%s: receipt %" PRId64 " has an invalid %s",
                    store->path, rc->id, r.bad ? r.bad : "column");
      return false;
    }
  return true;
}
