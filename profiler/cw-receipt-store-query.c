/* cw-receipt-store-query.c: receipts out of the store: the count, one whole
 * receipt by id or UUID (its row and children from one read snapshot,
 * checked against the counts it claims), the filtered and sorted query of
 * receipt rows without their children, and the list it returns. Loads and
 * queries both plan receipts stored without a prediction when the store
 * was opened with CW_RECEIPT_STORE_PLAN_MISSING. */
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-receipt-store-private.h"

/* ---- count ------------------------------------------------------------------ */

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
  if (!cw_store_pragma_int (store, "SELECT count(*) FROM receipts", &n, error))
    n = -1;
  pthread_mutex_unlock (&store->lock);
  return n;
}

/* ---- load ------------------------------------------------------------------- */

/* Children rows decode like the receipt row: each value only from the
 * storage class its column declares ('abc' in an INTEGER column is a
 * damaged receipt, never a silent 0). `types` holds one SQLITE_* per column. */
static bool
row_types_ok (sqlite3_stmt *stmt, const int *types, int n)
{
  for (int i = 0; i < n; i++)
    if (sqlite3_column_type (stmt, i) != types[i])
      return false;
  return true;
}

/* The receipt's trace events, each decoded like a receipt row. */
static bool
load_trace (CwReceiptStore *store, CwReceipt *r, CwError *error)
{
  static const int event_types[] = { SQLITE_TEXT, SQLITE_TEXT, SQLITE_INTEGER, SQLITE_INTEGER, SQLITE_INTEGER,
                                     SQLITE_INTEGER, SQLITE_INTEGER, SQLITE_INTEGER, SQLITE_INTEGER };
  sqlite3_stmt *stmt;
  int rc;

  stmt = cw_store_prepare (store, "SELECT kind, name, start_ns, end_ns, bytes, address, stream_id, "
                                  "correlation_id, depth FROM trace_events WHERE receipt_id = ?1 ORDER BY idx", error);
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
          || start < 0 || end < start || bytes < 0 || !row_types_ok (stmt, event_types, 9)
          || !cw_store_text_is_utf8 (name))
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
      cw_store_set_sqlite_error (error, store->db, "load trace", store->path);
      return false;
    }
  return true;
}

/* Buffers and phases, and the trace events when with_trace (a receipt's
 * trace can be thousands of rows: exports and comparisons that print no
 * trace do not read it). */
static bool
load_children (CwReceiptStore *store, CwReceipt *r, const int64_t counts[3], bool with_trace, CwError *error)
{
  static const int buffer_types[] = { SQLITE_TEXT, SQLITE_INTEGER, SQLITE_INTEGER };
  static const int phase_types[] = { SQLITE_TEXT, SQLITE_INTEGER };
  sqlite3_stmt *stmt;
  int rc;

  stmt = cw_store_prepare (store, "SELECT name, bytes, is_input FROM receipt_buffers WHERE receipt_id = ?1 "
                                  "ORDER BY idx", error);
  if (stmt == NULL)
    return false;
  sqlite3_bind_int64 (stmt, 1, r->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int64_t bytes = sqlite3_column_int64 (stmt, 1);
      const unsigned char *name = sqlite3_column_text (stmt, 0);

      if (bytes < 0 || name == NULL || !row_types_ok (stmt, buffer_types, 3) || !cw_store_text_is_utf8 (name))
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
      cw_store_set_sqlite_error (error, store->db, "load buffers", store->path);
      return false;
    }

  stmt = cw_store_prepare (store, "SELECT name, live_bytes FROM receipt_phases WHERE receipt_id = ?1 ORDER BY idx",
                          error);
  if (stmt == NULL)
    return false;
  sqlite3_bind_int64 (stmt, 1, r->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int64_t bytes = sqlite3_column_int64 (stmt, 1);
      const unsigned char *name = sqlite3_column_text (stmt, 0);

      if (bytes < 0 || name == NULL || !row_types_ok (stmt, phase_types, 2) || !cw_store_text_is_utf8 (name))
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
      cw_store_set_sqlite_error (error, store->db, "load phases", store->path);
      return false;
    }

  if (with_trace && !load_trace (store, r, error))
    return false;

  if ((int64_t) r->n_buffers != counts[0] || (int64_t) r->n_phases != counts[1]
      || (with_trace && (int64_t) r->n_events != counts[2]))
    {
      if (with_trace)
        cw_error_set (error, CW_ERROR_CORRUPT,
                      "%s: receipt %" PRId64 " is incomplete (%zu/%" PRId64 " buffers, %zu/%" PRId64
                      " phases, %zu/%" PRId64 " trace events)",
                      store->path, r->id, r->n_buffers, counts[0], r->n_phases, counts[1],
                      r->n_events, counts[2]);
      else
        cw_error_set (error, CW_ERROR_CORRUPT,
                      "%s: receipt %" PRId64 " is incomplete (%zu/%" PRId64 " buffers, %zu/%" PRId64 " phases)",
                      store->path, r->id, r->n_buffers, counts[0], r->n_phases, counts[1]);
      return false;
    }
  r->trace_loaded = with_trace;
  r->children_loaded = true;
  r->n_stored_events = (size_t) counts[2];
  return true;
}

/* A profile that no longer loads or plans leaves the receipt unpredicted, as
 * it was stored: reading never fails because of the planner. */
static void
plan_missing (CwReceiptStore *store, CwReceipt *r)
{
  CwError ignored = CW_ERROR_INIT;
  const char *name;
  CwProfile *profile = NULL, *owned = NULL;
  unsigned i;

  if (!store->plan_missing || r->predicted_peak_bytes != 0 || (name = cw_receipt_lane_get_profile (r->lane)) == NULL)
    return;
  if (cw_receipt_lane_has_profile_params (r->lane))
    {
      /* The lane's params make it a profile of its own: not the cached one. */
      owned = cw_profile_load (name, &ignored);
      if (owned != NULL && cw_receipt_lane_set_profile_params (r->lane, owned, &ignored))
        cw_receipt_plan_missing_prediction (r, owned, &ignored);
      cw_profile_free (owned);
      return;
    }
  for (i = 0; i < store->n_lane_profiles; i++)
    if (strcmp (store->lane_profiles[i].name, name) == 0)
      break;
  if (i < store->n_lane_profiles)
    profile = store->lane_profiles[i].profile;
  else
    {
      profile = cw_profile_load (name, &ignored);
      if (store->n_lane_profiles < CW_RECEIPT_STORE_MAX_LANE_PROFILES)
        {
          store->lane_profiles[store->n_lane_profiles].name = name;
          store->lane_profiles[store->n_lane_profiles].profile = profile;
          store->n_lane_profiles++;
        }
      else
        owned = profile;   /* more lane profiles than the cache holds: this one once */
    }
  cw_receipt_plan_missing_prediction (r, profile, &ignored);
  cw_profile_free (owned);
}

CwReceipt *
cw_store_load_where (CwReceiptStore *store, const char *where, int64_t id, const char *uuid, bool with_trace,
                     CwError *error)
{
  char sql[sizeof RECEIPT_COLUMNS + 128];
  sqlite3_stmt *stmt;
  CwReceipt *r = NULL;
  int64_t counts[3];
  int rc;

  snprintf (sql, sizeof sql, "SELECT " RECEIPT_COLUMNS " FROM receipts WHERE %s", where);
  stmt = cw_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (uuid)
    cw_store_bind_text (stmt, 1, uuid);
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
      cw_store_set_sqlite_error (error, store->db, "load receipt", store->path);
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
  if (!cw_store_read_receipt_row (store, stmt, r, counts, error))
    {
      sqlite3_finalize (stmt);
      cw_receipt_free (r);
      return NULL;
    }
  sqlite3_finalize (stmt);
  if (!load_children (store, r, counts, with_trace, error))
    {
      cw_receipt_free (r);
      return NULL;
    }
  plan_missing (store, r);
  return r;
}

static CwReceipt *
load_by_id (CwReceiptStore *store, int64_t id, bool with_trace, CwError *error)
{
  CwReceipt *r;

  if (store == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_receipt_store_load: NULL store");
      return NULL;
    }
  pthread_mutex_lock (&store->lock);
  /* One read transaction: the receipt row and its children from one snapshot. */
  if (!cw_store_exec_sql (store, "BEGIN", error))
    {
      pthread_mutex_unlock (&store->lock);
      return NULL;
    }
  r = cw_store_load_where (store, "id = ?1", id, NULL, with_trace, error);
  sqlite3_exec (store->db, "COMMIT", NULL, NULL, NULL);
  pthread_mutex_unlock (&store->lock);
  return r;
}

CwReceipt *
cw_receipt_store_load (CwReceiptStore *store, int64_t id, CwError *error)
{
  return load_by_id (store, id, true, error);
}

CwReceipt *
cw_receipt_store_load_without_trace (CwReceiptStore *store, int64_t id, CwError *error)
{
  return load_by_id (store, id, false, error);
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
  if (!cw_store_exec_sql (store, "BEGIN", error))
    {
      pthread_mutex_unlock (&store->lock);
      return NULL;
    }
  r = cw_store_load_where (store, "uuid = ?1", 0, uuid, true, error);
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
  stmt = cw_store_prepare (store, sql, error);
  if (stmt == NULL)
    goto fail;
  if (q.lane[0])
    cw_store_bind_text (stmt, 1, q.lane);
  if (q.has_status)
    cw_store_bind_text (stmt, 2, cw_receipt_status_get_name (q.status));
  if (q.gpu[0])
    {
      gpu_pat = like_pattern (q.gpu);
      if (gpu_pat == NULL)
        goto oom;
      cw_store_bind_text (stmt, 3, gpu_pat);
    }
  if (q.text[0])
    {
      text_pat = like_pattern (q.text);
      if (text_pat == NULL)
        goto oom;
      cw_store_bind_text (stmt, 4, text_pat);
    }
  if (q.sweep_id[0])
    cw_store_bind_text (stmt, 5, q.sweep_id);
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
      if (!cw_store_read_receipt_row (store, stmt, r, counts, error))
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
      cw_store_set_sqlite_error (error, store->db, "query", store->path);
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
