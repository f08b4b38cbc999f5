/* cw-receipt-store-merge.c: receipts copied from other receipt databases,
 * all sources in one IMMEDIATE transaction: each source is opened with the
 * usual checks, its receipts load and pass the insert checks, and a UUID
 * already stored is skipped and counted. */
#include <pthread.h>
#include <sqlite3.h>

#include "cw-receipt-store-private.h"

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
  if (!cw_store_exec_sql (other, "BEGIN", error))
    goto out;
  ids = cw_store_prepare (other, "SELECT id FROM receipts ORDER BY id", error);
  if (ids == NULL)
    goto out;
  while ((rc = sqlite3_step (ids)) == SQLITE_ROW)
    {
      int64_t id = sqlite3_column_int64 (ids, 0);
      CwReceipt *r = cw_store_load_where (other, "id = ?1", id, NULL, true, error);
      bool exists = false;

      if (r == NULL)
        {
          cw_error_prefix (error, "merge: ");
          goto out;
        }
      /* The same rules as a fresh insert: merge is not a side door. */
      if (!cw_store_validate_for_insert (r, error))
        {
          cw_error_prefix (error, "merge: %s: ", other_path);
          cw_receipt_free (r);
          goto out;
        }
      if (!cw_store_uuid_exists (store, r->uuid, &exists, error))
        {
          cw_receipt_free (r);
          goto out;
        }
      if (exists)
        (*skipped)++;
      else if (cw_store_insert_locked (store, r, error) == 0)
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
      cw_store_set_sqlite_error (error, other->db, "merge: list receipts", other->path);
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
  if (!cw_store_exec_sql (store, "BEGIN IMMEDIATE", error))
    {
      pthread_mutex_unlock (&store->lock);
      return false;
    }
  for (size_t i = 0; ok && i < n_paths; i++)
    ok = merge_one_locked (store, other_paths[i], &added, &skipped, error);
  if (ok && !cw_store_exec_sql (store, "COMMIT", error))
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
