/* cw-receipt-store.c: receipts in SQLite: open (file and header checks, the
 * read-only fallback, quick_check), migrate and close, and the small SQLite
 * helpers the other cw-receipt-store-*.c files share. Rows are bound and
 * read in cw-receipt-store-rows.c, inserted in cw-receipt-store-insert.c,
 * loaded and queried in cw-receipt-store-query.c and merged in
 * cw-receipt-store-merge.c. */
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

int
cw_receipt_store_schema_version (void)
{
  return cw_receipt_store_n_migrations;
}

/* ---- small helpers ---------------------------------------------------------- */

void
cw_store_set_sqlite_error (CwError *error, sqlite3 *db, const char *what, const char *path)
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

bool
cw_store_exec_sql (CwReceiptStore *store, const char *sql, CwError *error)
{
  char *errmsg = NULL;

  if (sqlite3_exec (store->db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    {
      cw_store_set_sqlite_error (error, store->db, sql, store->path);
      sqlite3_free (errmsg);
      return false;
    }
  return true;
}

sqlite3_stmt *
cw_store_prepare (CwReceiptStore *store, const char *sql, CwError *error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      cw_store_set_sqlite_error (error, store->db, "prepare", store->path);
      return NULL;
    }
  return stmt;
}

bool
cw_store_pragma_int (CwReceiptStore *store, const char *sql, int64_t *out, CwError *error)
{
  sqlite3_stmt *stmt = cw_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return false;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      cw_store_set_sqlite_error (error, store->db, sql, store->path);
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
check_file_header (const char *path, bool *exists, bool *empty, uint64_t *size, CwError *error)
{
  static const char magic[16] = "SQLite format 3";  /* includes the NUL */
  unsigned char header[100];
  struct stat st;
  FILE *f;
  size_t n;

  *exists = false;
  *empty = false;
  *size = 0;
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
  *size = (uint64_t) st.st_size;
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
  for (unsigned i = 0; i < store->n_lane_profiles; i++)
    cw_profile_free (store->lane_profiles[i].profile);
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

  if (!cw_store_exec_sql (store, "BEGIN IMMEDIATE", error))
    return false;
  if (!cw_store_pragma_int (store, "PRAGMA user_version", &version, error)
      || !cw_store_pragma_int (store, "PRAGMA application_id", &app_id, error))
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
    if (!cw_store_exec_sql (store, cw_receipt_store_migrations[v], error))
      {
        cw_error_prefix (error, "schema migration %" PRId64 " -> %" PRId64 ": ", v, v + 1);
        goto fail;
      }
  snprintf (sql, sizeof sql, "PRAGMA application_id = %d", CW_RECEIPT_STORE_APPLICATION_ID);
  if (!cw_store_exec_sql (store, sql, error))
    goto fail;
  snprintf (sql, sizeof sql, "PRAGMA user_version = %d", cw_receipt_store_n_migrations);
  if (!cw_store_exec_sql (store, sql, error))
    goto fail;
  return cw_store_exec_sql (store, "COMMIT", error);

fail:
  sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  return false;
}

/* PRAGMA quick_check or integrity_check: true when it says "ok", else a
 * CW_ERROR_CORRUPT error with the first problem it reports. */
static bool
run_check (CwReceiptStore *store, const char *pragma, CwError *error)
{
  char sql[64];
  sqlite3_stmt *stmt;
  const unsigned char *text;
  int rc;

  snprintf (sql, sizeof sql, "PRAGMA %s", pragma);
  stmt = cw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return false;
  rc = sqlite3_step (stmt);
  text = rc == SQLITE_ROW ? sqlite3_column_text (stmt, 0) : NULL;
  if (text == NULL || strcmp ((const char *) text, "ok") != 0)
    {
      if (text != NULL)
        {
          /* one problem per row, a row may span lines: the first line of
           * the first is the message. */
          size_t first = strcspn ((const char *) text, "\n");
          bool more = text[first] != '\0' || sqlite3_step (stmt) == SQLITE_ROW;

          cw_error_set (error, CW_ERROR_CORRUPT, "%s: database is damaged: %.*s%s", store->path, (int) first,
                        (const char *) text, more ? " (and more)" : "");
        }
      else
        cw_store_set_sqlite_error (error, store->db, pragma, store->path);
      sqlite3_finalize (stmt);
      return false;
    }
  sqlite3_finalize (stmt);
  return true;
}

CwReceiptStore *
cw_receipt_store_open (const char *path, unsigned flags, CwError *error)
{
  CwReceiptStore *store;
  bool create = (flags & CW_RECEIPT_STORE_CREATE) != 0;
  bool exists, empty;
  uint64_t size;
  int64_t app_id = 0, version = 0, n_objects = 0;
  int oflags;
  int rc;

  if (path == NULL || path[0] == '\0')
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipt database path is empty");
      return NULL;
    }
  if (!check_file_header (path, &exists, &empty, &size, error))
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
      cw_store_set_sqlite_error (error, store->db, "open", path);
      store_free (store);
      return NULL;
    }
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, BUSY_TIMEOUT_MS);

  if (!cw_store_pragma_int (store, "PRAGMA application_id", &app_id, NULL))
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
              cw_store_set_sqlite_error (error, store->db, "open (immutable)", path);
              store_free (store);
              return NULL;
            }
        }
      if (!cw_store_pragma_int (store, "PRAGMA application_id", &app_id, error))
        {
          store_free (store);
          return NULL;
        }
    }
  if (!cw_store_pragma_int (store, "PRAGMA user_version", &version, error)
      || !cw_store_pragma_int (store, "SELECT count(*) FROM sqlite_schema", &n_objects, error))
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

  /* quick_check reads every page: on a file of gigabytes (100,000
   * receipts with their traces) it is most of the time of any command. So
   * it runs on open only up to CW_RECEIPT_STORE_QUICK_CHECK_MAX_BYTES;
   * above, the header and size checks above still run, every row read is
   * decoded by its storage class, SQLite reports a damaged page it reads
   * as SQLITE_CORRUPT, and cw_receipt_store_check checks everything on
   * request (`receipts check`). */
  if (!(flags & CW_RECEIPT_STORE_NO_CHECK) && n_objects > 0 && size <= CW_RECEIPT_STORE_QUICK_CHECK_MAX_BYTES
      && !run_check (store, "quick_check", error))
    {
      store_free (store);
      return NULL;
    }

  if (create && n_objects == 0)
    {
      /* A new (blank) database gets the WAL journal. An existing one keeps
       * the journal mode it has: opening it writable must not change its
       * header when nothing is written (a shipped DELETE-mode file stays
       * byte-identical after a failed merge). */
      sqlite3_stmt *stmt = cw_store_prepare (store, "PRAGMA journal_mode = WAL", error);

      if (stmt == NULL)
        {
          store_free (store);
          return NULL;
        }
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_ROW)
        {
          cw_store_set_sqlite_error (error, store->db, "journal_mode = WAL", path);
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
  if (!cw_store_exec_sql (store, "PRAGMA foreign_keys = ON", error))
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


bool
cw_receipt_store_check (CwReceiptStore *store, CwError *error)
{
  bool ok;

  if (store == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_receipt_store_check: NULL store");
      return false;
    }
  pthread_mutex_lock (&store->lock);
  ok = run_check (store, "integrity_check", error);
  pthread_mutex_unlock (&store->lock);
  return ok;
}
