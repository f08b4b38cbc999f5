/* cw-receipt-store.c: receipts in SQLite: open/validate/migrate, insert one
 * receipt per transaction, query, load, merge. */
#include "cw-receipt-store.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw-receipt-store-private.h"

#define BUSY_TIMEOUT_MS 10000

struct _CwReceiptStore {
  sqlite3        *db;
  char           *path;
  bool            writable;
  bool            plan_missing;   /* CW_RECEIPT_STORE_PLAN_MISSING */
  pthread_mutex_t lock;
};

struct _CwReceiptList {
  size_t      n_items;
  CwReceipt **items;
};

int
cw_receipt_store_schema_version (void)
{
  return cw_receipt_store_n_migrations;
}

/* ---- small helpers ---------------------------------------------------------- */

static void
set_sqlite_error (CwError *error, sqlite3 *db, const char *what, const char *path)
{
  int code = db ? sqlite3_extended_errcode (db) : SQLITE_ERROR;
  const char *msg = db ? sqlite3_errmsg (db) : "unknown error";

  if ((code & 0xff) == SQLITE_NOTADB)
    cw_error_set (error, CW_ERROR_CORRUPT, "%s: not a SQLite database (%s)", path, msg);
  else if ((code & 0xff) == SQLITE_CORRUPT)
    cw_error_set (error, CW_ERROR_CORRUPT, "%s: database is damaged: %s (%s)", path, msg, what);
  else
    cw_error_set (error, CW_ERROR_SQLITE, "%s: %s: %s", path, what, msg);
}

static bool
exec_sql (CwReceiptStore *store, const char *sql, CwError *error)
{
  char *errmsg = NULL;

  if (sqlite3_exec (store->db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    {
      set_sqlite_error (error, store->db, sql, store->path);
      sqlite3_free (errmsg);
      return false;
    }
  return true;
}

static sqlite3_stmt *
prepare (CwReceiptStore *store, const char *sql, CwError *error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, store->db, "prepare", store->path);
      return NULL;
    }
  return stmt;
}

static bool
pragma_int (CwReceiptStore *store, const char *sql, int64_t *out, CwError *error)
{
  sqlite3_stmt *stmt = prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return false;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, store->db, sql, store->path);
      sqlite3_finalize (stmt);
      return false;
    }
  *out = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return true;
}

/* Whether a non-empty -wal lies beside the database: committed receipts
 * that are not in the main file yet. */
static bool
has_pending_wal (const char *path)
{
  char wal[4096];
  struct stat st;

  snprintf (wal, sizeof wal, "%s-wal", path);
  return stat (wal, &st) == 0 && st.st_size > 0;
}

void
cw_receipt_store_remove_files (const char *path)
{
  char side[4096];

  unlink (path);
  snprintf (side, sizeof side, "%s-wal", path);
  unlink (side);
  snprintf (side, sizeof side, "%s-shm", path);
  unlink (side);
}

/* Reads the header (100 bytes): a non-empty file that does not start with the
 * SQLite magic is refused before SQLite touches it (it would otherwise
 * happily treat some files as an empty database in a later write). */
static bool
check_file_header (const char *path, bool *exists, bool *empty, CwError *error)
{
  static const char magic[16] = "SQLite format 3";  /* includes the NUL */
  unsigned char header[100];
  struct stat st;
  FILE *f;
  size_t n;

  *exists = false;
  *empty = false;
  if (stat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return true;
      cw_error_set (error, CW_ERROR_IO, "%s: %s", path, strerror (errno));
      return false;
    }
  *exists = true;
  if (!S_ISREG (st.st_mode))
    {
      cw_error_set (error, CW_ERROR_IO, "%s: not a regular file", path);
      return false;
    }
  if (st.st_size == 0)
    {
      *empty = true;
      return true;
    }
  f = fopen (path, "rb");
  if (f == NULL)
    {
      cw_error_set (error, CW_ERROR_IO, "%s: %s", path, strerror (errno));
      return false;
    }
  n = fread (header, 1, sizeof header, f);
  fclose (f);
  if (n != sizeof header || memcmp (header, magic, sizeof magic) != 0)
    {
      cw_error_set (error, CW_ERROR_CORRUPT, "%s: not a SQLite database (no SQLite header)", path);
      return false;
    }
  {
    /* A file cut short by a few bytes can pass quick_check and read back a
     * changed value from its last page: the header says how many whole
     * pages there are (when its size field is valid: bytes 92..95 equal the
     * change counter at 24..27), and the file must hold them. */
    uint32_t page = ((uint32_t) header[16] << 8) | header[17];
    uint32_t change = ((uint32_t) header[24] << 24) | ((uint32_t) header[25] << 16) | ((uint32_t) header[26] << 8)
                      | header[27];
    uint32_t pages = ((uint32_t) header[28] << 24) | ((uint32_t) header[29] << 16) | ((uint32_t) header[30] << 8)
                     | header[31];
    uint32_t valid_for = ((uint32_t) header[92] << 24) | ((uint32_t) header[93] << 16)
                         | ((uint32_t) header[94] << 8) | header[95];
    uint64_t page_size = page == 1 ? 65536u : page;

    if (page_size < 512 || (page_size & (page_size - 1)) != 0)
      {
        cw_error_set (error, CW_ERROR_CORRUPT, "%s: database is damaged: page size %" PRIu64 " is not valid", path,
                      page_size);
        return false;
      }
    /* A writer killed inside a checkpoint can leave the main file short of
     * its header with the missing pages still in the -wal, which SQLite
     * replays: only a file with no pending WAL is judged by its size. */
    if (has_pending_wal (path))
      return true;
    if ((uint64_t) st.st_size % page_size != 0
        || (valid_for == change && pages > 0 && (uint64_t) st.st_size < (uint64_t) pages * page_size))
      {
        cw_error_set (error, CW_ERROR_CORRUPT, "%s: database is damaged: the file is cut short (%" PRId64
                      " bytes, pages of %" PRIu64 ")", path, (int64_t) st.st_size, page_size);
        return false;
      }
  }
  return true;
}

/* "file:" URI with ?immutable=1, for WAL databases in read-only places
 * (an installed data/receipts/): SQLite then needs no -shm file. */
static char *
immutable_uri (const char *path)
{
  size_t len = strlen (path);
  char *uri = malloc (len * 3 + 32);
  char *p = uri;

  if (uri == NULL)
    return NULL;
  p += sprintf (p, "file:");
  for (const unsigned char *s = (const unsigned char *) path; *s; s++)
    {
      if (*s == '%' || *s == '?' || *s == '#' || *s < 0x20 || *s >= 0x7f)
        p += sprintf (p, "%%%02X", *s);
      else
        *p++ = (char) *s;
    }
  strcpy (p, "?immutable=1");
  return uri;
}

static void
store_free (CwReceiptStore *store)
{
  if (store == NULL)
    return;
  if (store->db)
    sqlite3_close_v2 (store->db);
  pthread_mutex_destroy (&store->lock);
  free (store->path);
  free (store);
}

/* Applies migrations user_version .. n-1 in one IMMEDIATE transaction,
 * re-reading the version inside it so two openers cannot both migrate. */
static bool
migrate (CwReceiptStore *store, CwError *error)
{
  int64_t version = 0, app_id = 0;
  char sql[128];

  if (!exec_sql (store, "BEGIN IMMEDIATE", error))
    return false;
  if (!pragma_int (store, "PRAGMA user_version", &version, error)
      || !pragma_int (store, "PRAGMA application_id", &app_id, error))
    goto fail;
  if (version < 0 || version > cw_receipt_store_n_migrations)
    {
      cw_error_set (error, CW_ERROR_CORRUPT, "%s: receipt schema version %" PRId64 " is not valid", store->path,
                    version);
      goto fail;
    }
  if (version > 0 && app_id != CW_RECEIPT_STORE_APPLICATION_ID)
    {
      cw_error_set (error, CW_ERROR_CORRUPT,
                    "%s: not a Cliffwatch receipt database (application_id 0x%08" PRIx64 ")",
                    store->path, (uint64_t) app_id);
      goto fail;
    }
  for (int64_t v = version; v < cw_receipt_store_n_migrations; v++)
    if (!exec_sql (store, cw_receipt_store_migrations[v], error))
      {
        cw_error_prefix (error, "schema migration %" PRId64 " -> %" PRId64 ": ", v, v + 1);
        goto fail;
      }
  snprintf (sql, sizeof sql, "PRAGMA application_id = %d", CW_RECEIPT_STORE_APPLICATION_ID);
  if (!exec_sql (store, sql, error))
    goto fail;
  snprintf (sql, sizeof sql, "PRAGMA user_version = %d", cw_receipt_store_n_migrations);
  if (!exec_sql (store, sql, error))
    goto fail;
  return exec_sql (store, "COMMIT", error);

fail:
  sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  return false;
}

CwReceiptStore *
cw_receipt_store_open (const char *path, unsigned flags, CwError *error)
{
  CwReceiptStore *store;
  bool create = (flags & CW_RECEIPT_STORE_CREATE) != 0;
  bool exists, empty;
  int64_t app_id = 0, version = 0, n_objects = 0;
  int oflags;
  int rc;

  if (path == NULL || path[0] == '\0')
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt database path is empty");
      return NULL;
    }
  if (!check_file_header (path, &exists, &empty, error))
    return NULL;
  if (!exists && !create)
    {
      cw_error_set (error, CW_ERROR_NOT_FOUND, "%s: no such receipt database", path);
      return NULL;
    }
  if (empty && !create)
    {
      cw_error_set (error, CW_ERROR_CORRUPT, "%s: empty file, not a Cliffwatch receipt database", path);
      return NULL;
    }

  store = calloc (1, sizeof *store);
  if (store == NULL || (store->path = strdup (path)) == NULL)
    {
      free (store);
      cw_error_set (error, CW_ERROR_OOM, "out of memory opening %s", path);
      return NULL;
    }
  pthread_mutex_init (&store->lock, NULL);
  store->writable = create;
  store->plan_missing = (flags & CW_RECEIPT_STORE_PLAN_MISSING) != 0;

  oflags = SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI
           | (create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
  /* A path is not a URI: SQLITE_OPEN_URI only matters for the immutable retry. */
  rc = sqlite3_open_v2 (path, &store->db, oflags & ~SQLITE_OPEN_URI, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, store->db, "open", path);
      store_free (store);
      return NULL;
    }
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, BUSY_TIMEOUT_MS);

  if (!pragma_int (store, "PRAGMA application_id", &app_id, NULL))
    {
      int code = sqlite3_errcode (store->db);

      /* The busy timeout has already been waited out once: say so now
       * rather than wait it out again on the next statement. */
      if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        {
          cw_error_set (error, CW_ERROR_SQLITE, "%s: locked by another process for %d s (a writer holds it); "
                        "try again when it is done", path, BUSY_TIMEOUT_MS / 1000);
          store_free (store);
          return NULL;
        }

      if (!create && (code == SQLITE_CANTOPEN || code == SQLITE_READONLY))
        {
          /* WAL database in a directory we cannot write (-shm cannot be made). */
          char *uri;

          /* immutable=1 reads the main file only: with committed receipts
           * still in a -wal it would show fewer receipts and say nothing. */
          if (has_pending_wal (path))
            {
              cw_error_set (error, CW_ERROR_IO,
                            "%s: its write-ahead log (%s-wal) holds receipts that cannot be read in a read-only "
                            "place; copy the database and its -wal somewhere writable", path, path);
              store_free (store);
              return NULL;
            }
          uri = immutable_uri (path);

          sqlite3_close_v2 (store->db);
          store->db = NULL;
          rc = uri ? sqlite3_open_v2 (uri, &store->db, oflags, NULL) : SQLITE_NOMEM;
          free (uri);
          if (rc != SQLITE_OK)
            {
              set_sqlite_error (error, store->db, "open (immutable)", path);
              store_free (store);
              return NULL;
            }
        }
      if (!pragma_int (store, "PRAGMA application_id", &app_id, error))
        {
          store_free (store);
          return NULL;
        }
    }
  if (!pragma_int (store, "PRAGMA user_version", &version, error)
      || !pragma_int (store, "SELECT count(*) FROM sqlite_schema", &n_objects, error))
    {
      store_free (store);
      return NULL;
    }

  if (app_id != CW_RECEIPT_STORE_APPLICATION_ID)
    {
      bool blank = app_id == 0 && version == 0 && n_objects == 0;

      if (!blank)
        {
          cw_error_set (error, CW_ERROR_CORRUPT,
                        "%s: not a Cliffwatch receipt database (application_id 0x%08" PRIx64
                        ", %" PRId64 " schema objects)",
                        path, (uint64_t) app_id, n_objects);
          store_free (store);
          return NULL;
        }
      if (!create)
        {
          cw_error_set (error, CW_ERROR_CORRUPT, "%s: empty SQLite database, not a Cliffwatch receipt database", path);
          store_free (store);
          return NULL;
        }
    }
  /* user_version indexes the migrations: a negative one (crafted or
   * damaged) must never reach migrate(). */
  if (version < 0)
    {
      cw_error_set (error, CW_ERROR_CORRUPT, "%s: receipt schema version %" PRId64 " is not valid", path, version);
      store_free (store);
      return NULL;
    }
  if (version > cw_receipt_store_n_migrations)
    {
      cw_error_set (error, CW_ERROR_VERSION,
                    "%s: receipt schema version %" PRId64 " is newer than this Cliffwatch knows (%d); "
                    "use a newer cliffwatch",
                    path, version, cw_receipt_store_n_migrations);
      store_free (store);
      return NULL;
    }
  if (version < cw_receipt_store_n_migrations && !create && app_id == CW_RECEIPT_STORE_APPLICATION_ID)
    {
      cw_error_set (error, CW_ERROR_VERSION,
                    "%s: receipt schema version %" PRId64 " is older than %d; run `cliffwatch-cli receipts migrate %s`",
                    path, version, cw_receipt_store_n_migrations, path);
      store_free (store);
      return NULL;
    }

  if (!(flags & CW_RECEIPT_STORE_NO_CHECK) && n_objects > 0)
    {
      sqlite3_stmt *stmt = prepare (store, "PRAGMA quick_check", error);
      const unsigned char *text;

      if (stmt == NULL)
        {
          store_free (store);
          return NULL;
        }
      rc = sqlite3_step (stmt);
      text = rc == SQLITE_ROW ? sqlite3_column_text (stmt, 0) : NULL;
      if (text == NULL || strcmp ((const char *) text, "ok") != 0)
        {
          if (text != NULL)
            cw_error_set (error, CW_ERROR_CORRUPT, "%s: database is damaged: %s", path, (const char *) text);
          else
            set_sqlite_error (error, store->db, "quick_check", path);
          sqlite3_finalize (stmt);
          store_free (store);
          return NULL;
        }
      sqlite3_finalize (stmt);
    }

  if (create && n_objects == 0)
    {
      /* A new (blank) database gets the WAL journal. An existing one keeps
       * the journal mode it has: opening it writable must not change its
       * header when nothing is written (a shipped DELETE-mode file stays
       * byte-identical after a failed merge). */
      sqlite3_stmt *stmt = prepare (store, "PRAGMA journal_mode = WAL", error);

      if (stmt == NULL)
        {
          store_free (store);
          return NULL;
        }
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_ROW)
        {
          set_sqlite_error (error, store->db, "journal_mode = WAL", path);
          store_free (store);
          return NULL;
        }
    }
  if (create)
    {
      if (version < cw_receipt_store_n_migrations && !migrate (store, error))
        {
          store_free (store);
          return NULL;
        }
    }
  if (!exec_sql (store, "PRAGMA foreign_keys = ON", error))
    {
      store_free (store);
      return NULL;
    }
  return store;
}

void
cw_receipt_store_close (CwReceiptStore *store)
{
  if (store == NULL)
    return;
  if (store->writable)
    /* Fold the WAL back so the file alone is complete (e.g. before a commit to git). */
    sqlite3_exec (store->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  store_free (store);
}

const char *
cw_receipt_store_get_path (const CwReceiptStore *store)
{
  return store ? store->path : NULL;
}

/* ---- binding and reading ---------------------------------------------------- */

static bool
bind_u64 (sqlite3_stmt *stmt, int col, uint64_t value, const char *what, CwError *error)
{
  if (value > (uint64_t) INT64_MAX)
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "%s = %" PRIu64 " does not fit the store's signed 64-bit column",
                    what, value);
      return false;
    }
  return sqlite3_bind_int64 (stmt, col, (sqlite3_int64) value) == SQLITE_OK;
}

static bool
bind_text (sqlite3_stmt *stmt, int col, const char *text)
{
  return sqlite3_bind_text (stmt, col, text ? text : "", -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

/* Column list shared by the receipt SELECTs; read_receipt_row() reads them in this order. */
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
  "n_buffers, n_phases, n_events"

typedef struct {
  sqlite3_stmt *stmt;
  int           col;
  bool          ok;
  const char   *bad;  /* first bad column's name */
} RowReader;

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
  t = sqlite3_column_text (r->stmt, r->col++);
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
static bool
read_receipt_row (CwReceiptStore *store, sqlite3_stmt *stmt, CwReceipt *rc, int64_t counts[3],
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

/* ---- insert ----------------------------------------------------------------- */

static bool
uuid_exists (CwReceiptStore *store, const char *uuid, bool *exists, CwError *error)
{
  sqlite3_stmt *stmt = prepare (store, "SELECT 1 FROM receipts WHERE uuid = ?1", error);
  int rc;

  if (stmt == NULL)
    return false;
  bind_text (stmt, 1, uuid);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, "uuid lookup", store->path);
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
  "n_buffers, n_phases, n_events) VALUES ("
  "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
  "?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, "
  "?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, ?50, ?51, ?52, ?53, "
  "?54, ?55, ?56, ?57, ?58, ?59, ?60, ?61, ?62, ?63, ?64, ?65, ?66, ?67)";

static bool
validate_for_insert (const CwReceipt *r, CwError *error)
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
static int64_t
insert_locked (CwReceiptStore *store, CwReceipt *r, CwError *error)
{
  sqlite3_stmt *stmt = NULL;
  int64_t id = 0;
  bool ok = true;
  int c = 1;

  stmt = prepare (store, insert_receipt_sql, error);
  if (stmt == NULL)
    return 0;

#define U64(v, what) ok = ok && bind_u64 (stmt, c++, (v), what, error)
#define I64(v) ok = ok && sqlite3_bind_int64 (stmt, c++, (sqlite3_int64) (v)) == SQLITE_OK
#define TXT(v) ok = ok && bind_text (stmt, c++, (v))
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
        set_sqlite_error (error, store->db, "bind", store->path);
      sqlite3_finalize (stmt);
      return 0;
    }
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, "insert receipt", store->path);
      sqlite3_finalize (stmt);
      return 0;
    }
  sqlite3_finalize (stmt);
  id = sqlite3_last_insert_rowid (store->db);

  stmt = prepare (store, "INSERT INTO receipt_buffers (receipt_id, idx, name, bytes, is_input) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return 0;
  for (size_t i = 0; i < r->n_buffers; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) i);
      bind_text (stmt, 3, r->buffers[i].name);
      if (!bind_u64 (stmt, 4, r->buffers[i].bytes, r->buffers[i].name, error))
        goto fail_stmt;
      sqlite3_bind_int (stmt, 5, r->buffers[i].is_input);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          set_sqlite_error (error, store->db, "insert buffer", store->path);
          goto fail_stmt;
        }
    }
  sqlite3_finalize (stmt);

  stmt = prepare (store, "INSERT INTO receipt_phases (receipt_id, idx, name, live_bytes) "
                         "VALUES (?1, ?2, ?3, ?4)", error);
  if (stmt == NULL)
    return 0;
  for (size_t i = 0; i < r->n_phases; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) i);
      bind_text (stmt, 3, r->phases[i].name);
      if (!bind_u64 (stmt, 4, r->phases[i].live_bytes, r->phases[i].name, error))
        goto fail_stmt;
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          set_sqlite_error (error, store->db, "insert phase", store->path);
          goto fail_stmt;
        }
    }
  sqlite3_finalize (stmt);

  stmt = prepare (store, "INSERT INTO trace_events (receipt_id, idx, kind, name, start_ns, end_ns, bytes, "
                         "address, stream_id, correlation_id, depth) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", error);
  if (stmt == NULL)
    return 0;
  for (size_t i = 0; i < r->n_events; i++)
    {
      const CwTraceEvent *ev = &r->events[i];

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) i);
      bind_text (stmt, 3, cw_trace_kind_get_name (ev->kind));
      bind_text (stmt, 4, ev->name);
      if (!bind_u64 (stmt, 5, ev->start_ns, "start_ns", error)
          || !bind_u64 (stmt, 6, ev->end_ns, "end_ns", error)
          || !bind_u64 (stmt, 7, ev->bytes, "bytes", error))
        goto fail_stmt;
      /* A device address is a bit pattern, not a size: store it as its
       * two's-complement int64 and cast back on load. */
      sqlite3_bind_int64 (stmt, 8, (sqlite3_int64) ev->address);
      sqlite3_bind_int64 (stmt, 9, ev->stream_id);
      sqlite3_bind_int64 (stmt, 10, ev->correlation_id);
      sqlite3_bind_int64 (stmt, 11, ev->depth);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          set_sqlite_error (error, store->db, "insert trace event", store->path);
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
  if (!validate_for_insert (receipt, error))
    return 0;

  pthread_mutex_lock (&store->lock);
  if (!exec_sql (store, "BEGIN IMMEDIATE", error))
    goto out;
  if (!uuid_exists (store, receipt->uuid, &exists, error))
    goto rollback;
  if (exists)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: receipt %s is already stored", store->path, receipt->uuid);
      goto rollback;
    }
  id = insert_locked (store, receipt, error);
  if (id == 0)
    goto rollback;
  if (!exec_sql (store, "COMMIT", error))
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
    if (!validate_for_insert (receipts[i], error))
      return false;

  pthread_mutex_lock (&store->lock);
  if (!exec_sql (store, "BEGIN IMMEDIATE", error))
    {
      pthread_mutex_unlock (&store->lock);
      return false;
    }
  for (i = 0; i < n_receipts; i++)
    {
      int64_t id;

      if (!uuid_exists (store, receipts[i]->uuid, &exists, error))
        goto rollback;
      if (exists)
        {
          cw_error_set (error, CW_ERROR_INVALID, "%s: receipt %s is already stored", store->path,
                        receipts[i]->uuid);
          goto rollback;
        }
      id = insert_locked (store, receipts[i], error);
      if (id == 0)
        goto rollback;
      receipts[i]->id = id;
    }
  if (!exec_sql (store, "COMMIT", error))
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

int64_t
cw_receipt_store_count (CwReceiptStore *store, CwError *error)
{
  int64_t n = -1;

  if (store == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_receipt_store_count: NULL store");
      return -1;
    }
  pthread_mutex_lock (&store->lock);
  if (!pragma_int (store, "SELECT count(*) FROM receipts", &n, error))
    n = -1;
  pthread_mutex_unlock (&store->lock);
  return n;
}

/* ---- load ------------------------------------------------------------------- */

static bool
load_children (CwReceiptStore *store, CwReceipt *r, const int64_t counts[3], CwError *error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (store, "SELECT name, bytes, is_input FROM receipt_buffers WHERE receipt_id = ?1 ORDER BY idx",
                  error);
  if (stmt == NULL)
    return false;
  sqlite3_bind_int64 (stmt, 1, r->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int64_t bytes = sqlite3_column_int64 (stmt, 1);
      const unsigned char *name = sqlite3_column_text (stmt, 0);

      if (bytes < 0 || name == NULL)
        {
          cw_error_set (error, CW_ERROR_CORRUPT, "%s: receipt %" PRId64 " has an invalid buffer row",
                        store->path, r->id);
          sqlite3_finalize (stmt);
          return false;
        }
      if (!cw_receipt_add_buffer (r, (const char *) name, (uint64_t) bytes,
                                  sqlite3_column_int (stmt, 2) != 0, error))
        {
          sqlite3_finalize (stmt);
          return false;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, "load buffers", store->path);
      return false;
    }

  stmt = prepare (store, "SELECT name, live_bytes FROM receipt_phases WHERE receipt_id = ?1 ORDER BY idx", error);
  if (stmt == NULL)
    return false;
  sqlite3_bind_int64 (stmt, 1, r->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int64_t bytes = sqlite3_column_int64 (stmt, 1);
      const unsigned char *name = sqlite3_column_text (stmt, 0);

      if (bytes < 0 || name == NULL)
        {
          cw_error_set (error, CW_ERROR_CORRUPT, "%s: receipt %" PRId64 " has an invalid phase row",
                        store->path, r->id);
          sqlite3_finalize (stmt);
          return false;
        }
      if (!cw_receipt_add_phase (r, (const char *) name, (uint64_t) bytes, error))
        {
          sqlite3_finalize (stmt);
          return false;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, "load phases", store->path);
      return false;
    }

  stmt = prepare (store, "SELECT kind, name, start_ns, end_ns, bytes, address, stream_id, correlation_id, depth "
                         "FROM trace_events WHERE receipt_id = ?1 ORDER BY idx", error);
  if (stmt == NULL)
    return false;
  sqlite3_bind_int64 (stmt, 1, r->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CwTraceEvent ev = { 0 };
      const unsigned char *kind = sqlite3_column_text (stmt, 0);
      const unsigned char *name = sqlite3_column_text (stmt, 1);
      int64_t start = sqlite3_column_int64 (stmt, 2);
      int64_t end = sqlite3_column_int64 (stmt, 3);
      int64_t bytes = sqlite3_column_int64 (stmt, 4);

      if (kind == NULL || name == NULL || !cw_trace_kind_from_name ((const char *) kind, &ev.kind)
          || start < 0 || end < start || bytes < 0)
        {
          cw_error_set (error, CW_ERROR_CORRUPT, "%s: receipt %" PRId64 " has an invalid trace event row",
                        store->path, r->id);
          sqlite3_finalize (stmt);
          return false;
        }
      ev.name = (char *) name;
      ev.start_ns = (uint64_t) start;
      ev.end_ns = (uint64_t) end;
      ev.bytes = (uint64_t) bytes;
      ev.address = (uint64_t) sqlite3_column_int64 (stmt, 5);
      ev.stream_id = (uint32_t) sqlite3_column_int64 (stmt, 6);
      ev.correlation_id = (uint32_t) sqlite3_column_int64 (stmt, 7);
      {
        int64_t depth = sqlite3_column_int64 (stmt, 8);

        if (depth < 0 || depth > CW_TRACE_MAX_DEPTH || sqlite3_column_type (stmt, 8) != SQLITE_INTEGER)
          {
            cw_error_set (error, CW_ERROR_CORRUPT, "%s: receipt %" PRId64 " has a trace event of depth %" PRId64
                          " (0 to %d)", store->path, r->id, depth, CW_TRACE_MAX_DEPTH);
            sqlite3_finalize (stmt);
            return false;
          }
        ev.depth = (int32_t) depth;
      }
      if (!cw_receipt_add_event (r, &ev, error))
        {
          sqlite3_finalize (stmt);
          return false;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, "load trace", store->path);
      return false;
    }

  if ((int64_t) r->n_buffers != counts[0] || (int64_t) r->n_phases != counts[1]
      || (int64_t) r->n_events != counts[2])
    {
      cw_error_set (error, CW_ERROR_CORRUPT,
                    "%s: receipt %" PRId64 " is incomplete (%zu/%" PRId64 " buffers, %zu/%" PRId64
                    " phases, %zu/%" PRId64 " trace events)",
                    store->path, r->id, r->n_buffers, counts[0], r->n_phases, counts[1],
                    r->n_events, counts[2]);
      return false;
    }
  r->trace_loaded = true;
  return true;
}

/* A profile that no longer loads or plans leaves the receipt unpredicted, as
 * it was stored: reading never fails because of the planner. */
static void
plan_missing (CwReceiptStore *store, CwReceipt *r)
{
  CwError ignored = CW_ERROR_INIT;

  if (store->plan_missing)
    cw_receipt_plan_missing_prediction (r, &ignored);
}

static CwReceipt *
load_where (CwReceiptStore *store, const char *where, int64_t id, const char *uuid, CwError *error)
{
  char sql[sizeof RECEIPT_COLUMNS + 128];
  sqlite3_stmt *stmt;
  CwReceipt *r = NULL;
  int64_t counts[3];
  int rc;

  snprintf (sql, sizeof sql, "SELECT " RECEIPT_COLUMNS " FROM receipts WHERE %s", where);
  stmt = prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (uuid)
    bind_text (stmt, 1, uuid);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      if (uuid)
        cw_error_set (error, CW_ERROR_NOT_FOUND, "%s: no receipt with UUID %s", store->path, uuid);
      else
        cw_error_set (error, CW_ERROR_NOT_FOUND, "%s: no receipt with id %" PRId64, store->path, id);
      sqlite3_finalize (stmt);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, store->db, "load receipt", store->path);
      sqlite3_finalize (stmt);
      return NULL;
    }
  r = calloc (1, sizeof *r);
  if (r == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory loading a receipt");
      sqlite3_finalize (stmt);
      return NULL;
    }
  if (!read_receipt_row (store, stmt, r, counts, error))
    {
      sqlite3_finalize (stmt);
      cw_receipt_free (r);
      return NULL;
    }
  sqlite3_finalize (stmt);
  if (!load_children (store, r, counts, error))
    {
      cw_receipt_free (r);
      return NULL;
    }
  plan_missing (store, r);
  return r;
}

CwReceipt *
cw_receipt_store_load (CwReceiptStore *store, int64_t id, CwError *error)
{
  CwReceipt *r;

  if (store == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_receipt_store_load: NULL store");
      return NULL;
    }
  pthread_mutex_lock (&store->lock);
  /* One read transaction: the receipt row and its children from one snapshot. */
  if (!exec_sql (store, "BEGIN", error))
    {
      pthread_mutex_unlock (&store->lock);
      return NULL;
    }
  r = load_where (store, "id = ?1", id, NULL, error);
  sqlite3_exec (store->db, "COMMIT", NULL, NULL, NULL);
  pthread_mutex_unlock (&store->lock);
  return r;
}

CwReceipt *
cw_receipt_store_load_uuid (CwReceiptStore *store, const char *uuid, CwError *error)
{
  CwReceipt *r;

  if (store == NULL || uuid == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_receipt_store_load_uuid: NULL argument");
      return NULL;
    }
  pthread_mutex_lock (&store->lock);
  if (!exec_sql (store, "BEGIN", error))
    {
      pthread_mutex_unlock (&store->lock);
      return NULL;
    }
  r = load_where (store, "uuid = ?1", 0, uuid, error);
  sqlite3_exec (store->db, "COMMIT", NULL, NULL, NULL);
  pthread_mutex_unlock (&store->lock);
  return r;
}

/* ---- query ------------------------------------------------------------------ */

static const char *const sort_names[] = {
  [CW_RECEIPT_SORT_ID] = "id",
  [CW_RECEIPT_SORT_TIME] = "time",
  [CW_RECEIPT_SORT_LANE] = "lane",
  [CW_RECEIPT_SORT_STATUS] = "status",
  [CW_RECEIPT_SORT_GPU] = "gpu",
  [CW_RECEIPT_SORT_SQ] = "sq",
  [CW_RECEIPT_SORT_PREDICTED_PEAK] = "predicted",
  [CW_RECEIPT_SORT_MEASURED_PEAK] = "measured",
  [CW_RECEIPT_SORT_LANE_TIME] = "lane-time",
};

static const char *const sort_columns[] = {
  [CW_RECEIPT_SORT_ID] = "id",
  [CW_RECEIPT_SORT_TIME] = "time_unix_ns",
  [CW_RECEIPT_SORT_LANE] = "lane",
  [CW_RECEIPT_SORT_STATUS] = "status",
  [CW_RECEIPT_SORT_GPU] = "gpu_name",
  [CW_RECEIPT_SORT_SQ] = "sq",
  [CW_RECEIPT_SORT_PREDICTED_PEAK] = "predicted_peak_bytes",
  [CW_RECEIPT_SORT_MEASURED_PEAK] = "measured_peak_bytes",
  [CW_RECEIPT_SORT_LANE_TIME] = "lane_ns",
};

#define N_SORTS ((unsigned) (sizeof sort_names / sizeof sort_names[0]))

const char *
cw_receipt_sort_get_name (CwReceiptSort sort)
{
  return (unsigned) sort < N_SORTS ? sort_names[sort] : "unknown";
}

bool
cw_receipt_sort_from_name (const char *name, CwReceiptSort *out)
{
  if (name == NULL)
    return false;
  for (unsigned i = 0; i < N_SORTS; i++)
    if (strcmp (name, sort_names[i]) == 0)
      {
        *out = (CwReceiptSort) i;
        return true;
      }
  return false;
}

void
cw_receipt_query_init (CwReceiptQuery *query)
{
  memset (query, 0, sizeof *query);
  query->sort = CW_RECEIPT_SORT_ID;
}

/* "%text%" with LIKE's wildcards escaped by backslash. */
static char *
like_pattern (const char *text)
{
  size_t len = strlen (text);
  char *pat = malloc (len * 2 + 3);
  char *p = pat;

  if (pat == NULL)
    return NULL;
  *p++ = '%';
  for (const char *s = text; *s; s++)
    {
      if (*s == '%' || *s == '_' || *s == '\\')
        *p++ = '\\';
      *p++ = *s;
    }
  *p++ = '%';
  *p = '\0';
  return pat;
}

CwReceiptList *
cw_receipt_store_query (CwReceiptStore *store, const CwReceiptQuery *query, CwError *error)
{
  CwReceiptQuery q;
  char sql[sizeof RECEIPT_COLUMNS + 1024];
  size_t len;
  sqlite3_stmt *stmt = NULL;
  CwReceiptList *list = NULL;
  size_t cap = 0;
  char *gpu_pat = NULL, *text_pat = NULL;
  int rc;

  if (store == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_receipt_store_query: NULL store");
      return NULL;
    }
  if (query)
    q = *query;
  else
    cw_receipt_query_init (&q);
  /* The query is a value the caller may have filled by hand: terminate its strings. */
  q.lane[sizeof q.lane - 1] = '\0';
  q.gpu[sizeof q.gpu - 1] = '\0';
  q.text[sizeof q.text - 1] = '\0';
  q.sweep_id[sizeof q.sweep_id - 1] = '\0';
  if ((unsigned) q.sort >= N_SORTS)
    {
      cw_error_set (error, CW_ERROR_INVALID, "unknown receipt sort key %d", (int) q.sort);
      return NULL;
    }
  if (q.has_status && (unsigned) q.status >= CW_RECEIPT_N_STATUS)
    {
      cw_error_set (error, CW_ERROR_INVALID, "unknown receipt status %d", (int) q.status);
      return NULL;
    }

  len = (size_t) snprintf (sql, sizeof sql, "SELECT " RECEIPT_COLUMNS " FROM receipts WHERE 1");
  if (q.lane[0])
    len += (size_t) snprintf (sql + len, sizeof sql - len, " AND lane = ?1");
  if (q.has_status)
    len += (size_t) snprintf (sql + len, sizeof sql - len, " AND status = ?2");
  if (q.gpu[0])
    len += (size_t) snprintf (sql + len, sizeof sql - len, " AND gpu_name LIKE ?3 ESCAPE '\\'");
  if (q.text[0])
    len += (size_t) snprintf (sql + len, sizeof sql - len,
                              " AND (lane || ' ' || profile || ' ' || gpu_name || ' ' || host || ' ' || "
                              "status || ' ' || error_message || ' ' || note || ' ' || uuid || ' ' || "
                              "capture_error) LIKE ?4 ESCAPE '\\'");
  if (q.sweep_id[0])
    len += (size_t) snprintf (sql + len, sizeof sql - len, " AND sweep_id = ?5");
  len += (size_t) snprintf (sql + len, sizeof sql - len, " ORDER BY %s %s, id %s",
                            sort_columns[q.sort], q.descending ? "DESC" : "ASC",
                            q.descending ? "DESC" : "ASC");
  if (q.limit > 0)
    len += (size_t) snprintf (sql + len, sizeof sql - len, " LIMIT ?6 OFFSET ?7");
  else if (q.offset > 0)
    len += (size_t) snprintf (sql + len, sizeof sql - len, " LIMIT -1 OFFSET ?7");

  list = calloc (1, sizeof *list);
  if (list == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return NULL;
    }

  pthread_mutex_lock (&store->lock);
  stmt = prepare (store, sql, error);
  if (stmt == NULL)
    goto fail;
  if (q.lane[0])
    bind_text (stmt, 1, q.lane);
  if (q.has_status)
    bind_text (stmt, 2, cw_receipt_status_get_name (q.status));
  if (q.gpu[0])
    {
      gpu_pat = like_pattern (q.gpu);
      if (gpu_pat == NULL)
        goto oom;
      bind_text (stmt, 3, gpu_pat);
    }
  if (q.text[0])
    {
      text_pat = like_pattern (q.text);
      if (text_pat == NULL)
        goto oom;
      bind_text (stmt, 4, text_pat);
    }
  if (q.sweep_id[0])
    bind_text (stmt, 5, q.sweep_id);
  if (q.limit > 0)
    sqlite3_bind_int64 (stmt, 6, q.limit);
  if (q.offset > 0 || q.limit > 0)
    sqlite3_bind_int64 (stmt, 7, q.offset > 0 ? q.offset : 0);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CwReceipt *r;
      int64_t counts[3];

      if (list->n_items == cap)
        {
          size_t ncap = cap ? cap * 2 : 64;
          CwReceipt **items = realloc (list->items, ncap * sizeof *items);

          if (items == NULL)
            goto oom;
          list->items = items;
          cap = ncap;
        }
      r = calloc (1, sizeof *r);
      if (r == NULL)
        goto oom;
      if (!read_receipt_row (store, stmt, r, counts, error))
        {
          free (r);
          goto fail;
        }
      r->trace_loaded = false;
      plan_missing (store, r);
      list->items[list->n_items++] = r;
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, "query", store->path);
      goto fail;
    }
  sqlite3_finalize (stmt);
  pthread_mutex_unlock (&store->lock);
  free (gpu_pat);
  free (text_pat);
  return list;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory reading receipts");
fail:
  sqlite3_finalize (stmt);
  pthread_mutex_unlock (&store->lock);
  free (gpu_pat);
  free (text_pat);
  cw_receipt_list_free (list);
  return NULL;
}

size_t
cw_receipt_list_get_n_items (const CwReceiptList *list)
{
  return list ? list->n_items : 0;
}

const CwReceipt *
cw_receipt_list_get (const CwReceiptList *list, size_t index)
{
  if (list == NULL || index >= list->n_items)
    return NULL;
  return list->items[index];
}

CwReceipt *
cw_receipt_list_steal (CwReceiptList *list, size_t index)
{
  CwReceipt *r;

  if (list == NULL || index >= list->n_items)
    return NULL;
  r = list->items[index];
  list->items[index] = NULL;
  return r;
}

void
cw_receipt_list_free (CwReceiptList *list)
{
  if (list == NULL)
    return;
  for (size_t i = 0; i < list->n_items; i++)
    cw_receipt_free (list->items[i]);
  free (list->items);
  free (list);
}

/* ---- merge ------------------------------------------------------------------ */

bool
cw_receipt_store_merge_from (CwReceiptStore *store, const char *other_path,
                             uint64_t *n_added, uint64_t *n_skipped, CwError *error)
{
  return cw_receipt_store_merge_many (store, &other_path, 1, n_added, n_skipped, error);
}

/* Copies one source's receipts inside the caller's transaction. */
static bool
merge_one_locked (CwReceiptStore *store, const char *other_path, uint64_t *added, uint64_t *skipped,
                  CwError *error)
{
  CwReceiptStore *other;
  sqlite3_stmt *ids = NULL;
  bool ok = false;
  int rc;

  /* The source goes through the same checks as any open: a foreign, damaged
   * or newer file is refused before anything is written. */
  other = cw_receipt_store_open (other_path, CW_RECEIPT_STORE_READONLY, error);
  if (other == NULL)
    return false;
  if (!exec_sql (other, "BEGIN", error))
    goto out;
  ids = prepare (other, "SELECT id FROM receipts ORDER BY id", error);
  if (ids == NULL)
    goto out;
  while ((rc = sqlite3_step (ids)) == SQLITE_ROW)
    {
      int64_t id = sqlite3_column_int64 (ids, 0);
      CwReceipt *r = load_where (other, "id = ?1", id, NULL, error);
      bool exists = false;

      if (r == NULL)
        {
          cw_error_prefix (error, "merge: ");
          goto out;
        }
      /* The same rules as a fresh insert: merge is not a side door. */
      if (!validate_for_insert (r, error))
        {
          cw_error_prefix (error, "merge: %s: ", other_path);
          cw_receipt_free (r);
          goto out;
        }
      if (!uuid_exists (store, r->uuid, &exists, error))
        {
          cw_receipt_free (r);
          goto out;
        }
      if (exists)
        (*skipped)++;
      else if (insert_locked (store, r, error) == 0)
        {
          cw_receipt_free (r);
          goto out;
        }
      else
        (*added)++;
      cw_receipt_free (r);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, other->db, "merge: list receipts", other->path);
      goto out;
    }
  ok = true;
out:
  sqlite3_finalize (ids);
  cw_receipt_store_close (other);
  return ok;
}

bool
cw_receipt_store_merge_many (CwReceiptStore *store, const char *const *other_paths, size_t n_paths,
                             uint64_t *n_added, uint64_t *n_skipped, CwError *error)
{
  uint64_t added = 0, skipped = 0;
  bool ok = true;

  if (store == NULL || (other_paths == NULL && n_paths > 0))
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_receipt_store_merge_many: NULL argument");
      return false;
    }
  if (!store->writable)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: opened read-only; cannot merge into it", store->path);
      return false;
    }
  pthread_mutex_lock (&store->lock);
  if (!exec_sql (store, "BEGIN IMMEDIATE", error))
    {
      pthread_mutex_unlock (&store->lock);
      return false;
    }
  for (size_t i = 0; ok && i < n_paths; i++)
    ok = merge_one_locked (store, other_paths[i], &added, &skipped, error);
  if (ok && !exec_sql (store, "COMMIT", error))
    ok = false;
  if (!ok)
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  pthread_mutex_unlock (&store->lock);
  if (ok)
    {
      if (n_added)
        *n_added = added;
      if (n_skipped)
        *n_skipped = skipped;
    }
  return ok;
}
