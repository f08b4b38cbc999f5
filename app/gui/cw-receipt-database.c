/* cw-receipt-database.c: opening and reading a receipt store without
 * blocking the main loop.
 *
 * Every SQLite call runs in a GTask worker thread: opening (which runs the
 * integrity check), listing 10k+ receipts, and loading one receipt's trace.
 * Rows are built in the worker and handed to the main thread in one splice,
 * so the list models see a single items-changed. The store serializes calls
 * on its handle internally, so detail loads may overlap. Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>

#include "cw-gerror.h"
#include "cw-receipt-database.h"
#include "cw-receipt-row.h"

struct _CwReceiptDatabase
{
  GObject         parent_instance;
  char           *path;
  CwReceiptStore *store;
  GListStore     *rows;
};

G_DEFINE_FINAL_TYPE (CwReceiptDatabase, cw_receipt_database, G_TYPE_OBJECT)

typedef struct {
  CwReceiptStore *store;
  GPtrArray      *rows;
} OpenResult;

static void
open_result_free (OpenResult *result)
{
  g_clear_pointer (&result->store, cw_receipt_store_close);
  g_clear_pointer (&result->rows, g_ptr_array_unref);
  g_free (result);
}

static void
open_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  const char *path = task_data;
  CwError error = { 0 };
  CwReceiptQuery query;
  CwReceiptList *list;
  OpenResult *result;
  size_t n;

  result = g_new0 (OpenResult, 1);
  result->store = cw_receipt_store_open (path, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &error);
  if (result->store == NULL)
    {
      GError *gerror = NULL;

      cw_gerror_set_from_cw (&gerror, &error);
      open_result_free (result);
      g_task_return_error (task, gerror);
      return;
    }

  cw_receipt_query_init (&query);
  query.sort = CW_RECEIPT_SORT_ID;
  list = cw_receipt_store_query (result->store, &query, &error);
  if (list == NULL)
    {
      GError *gerror = NULL;

      cw_gerror_set_from_cw (&gerror, &error);
      open_result_free (result);
      g_task_return_error (task, gerror);
      return;
    }

  n = cw_receipt_list_get_n_items (list);
  result->rows = g_ptr_array_new_full (n, g_object_unref);
  for (size_t i = 0; i < n; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      g_ptr_array_add (result->rows, cw_receipt_row_new_take (cw_receipt_list_steal (list, i)));
    }
  cw_receipt_list_free (list);

  if (g_task_return_error_if_cancelled (task))
    {
      open_result_free (result);
      return;
    }

  g_task_return_pointer (task, result, (GDestroyNotify) open_result_free);
}

void
cw_receipt_database_open_async (const char          *path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_receipt_database_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_thread);
}

CwReceiptDatabase *
cw_receipt_database_open_finish (GAsyncResult *result, GError **error)
{
  OpenResult *r;
  CwReceiptDatabase *self;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return NULL;

  self = g_object_new (CW_TYPE_RECEIPT_DATABASE, NULL);
  self->path = g_strdup (g_task_get_task_data (G_TASK (result)));
  self->store = g_steal_pointer (&r->store);
  g_list_store_splice (self->rows, 0, 0, r->rows->pdata, r->rows->len);
  open_result_free (r);

  return self;
}

GtkFileFilter *
cw_receipt_database_new_file_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Receipts databases"));
  gtk_file_filter_add_pattern (filter, "*.db");
  gtk_file_filter_add_pattern (filter, "*.sqlite");
  gtk_file_filter_add_pattern (filter, "*.sqlite3");
  gtk_file_filter_add_mime_type (filter, "application/vnd.sqlite3");
  return filter;
}

const char *
cw_receipt_database_get_path (CwReceiptDatabase *self)
{
  g_return_val_if_fail (CW_IS_RECEIPT_DATABASE (self), NULL);
  return self->path;
}

GListModel *
cw_receipt_database_get_rows (CwReceiptDatabase *self)
{
  g_return_val_if_fail (CW_IS_RECEIPT_DATABASE (self), NULL);
  return G_LIST_MODEL (self->rows);
}

static void
load_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  CwReceiptDatabase *self = source_object;
  const int64_t *id = task_data;
  CwError error = { 0 };
  CwReceipt *receipt;

  receipt = cw_receipt_store_load (self->store, *id, &error);
  if (receipt == NULL)
    {
      GError *gerror = NULL;

      cw_gerror_set_from_cw (&gerror, &error);
      g_task_return_error (task, gerror);
      return;
    }

  g_task_return_pointer (task, receipt, (GDestroyNotify) cw_receipt_free);
}

void
cw_receipt_database_load_receipt_async (CwReceiptDatabase   *self,
                                        int64_t              id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_RECEIPT_DATABASE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_receipt_database_load_receipt_async);
  g_task_set_task_data (task, g_memdup2 (&id, sizeof id), g_free);
  g_task_run_in_thread (task, load_thread);
}

CwReceipt *
cw_receipt_database_load_receipt_finish (CwReceiptDatabase  *self,
                                         GAsyncResult       *result,
                                         GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cw_receipt_database_finalize (GObject *object)
{
  CwReceiptDatabase *self = CW_RECEIPT_DATABASE (object);

  g_clear_pointer (&self->store, cw_receipt_store_close);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (cw_receipt_database_parent_class)->finalize (object);
}

static void
cw_receipt_database_class_init (CwReceiptDatabaseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cw_receipt_database_finalize;
}

static void
cw_receipt_database_init (CwReceiptDatabase *self)
{
  self->rows = g_list_store_new (CW_TYPE_RECEIPT_ROW);
}
