/* cw-receipt-diff-window.c: the Compare Receipts window (see the header).
 *
 * Top: the first receipt (A, fixed) and the second (B): a drop-down of the
 * rows of B's database, which is A's until Other Database… opens another
 * file. Then how many fields differ, both memory timelines on one chart
 * (cw_gui_chart_timeline_pair: the CLI's `chart timeline --against`), and a
 * table of every field of cw-receipt-diff.h, the differing ones marked with
 * "≠" and the warning colour, the peaks with B − A. Sizes read
 * human-readable with the exact bytes in their tooltips; Exact Bytes shows
 * the exact form everywhere. Ctrl+E exports the chart. Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cw-format.h"
#include "cw-gui-charts.h"
#include "cw-receipt-diff-window.h"
#include "cw-receipt-row.h"

struct _CwReceiptDiffWindow
{
  AdwWindow          parent_instance;

  CwReceipt         *first;
  char              *first_path;
  CwReceiptDatabase *second_database;   /* whose rows the drop-down lists */
  CwReceipt         *second;
  CwReceiptDiff     *diff;
  GArray            *row_ids;           /* gint64 per drop-down position */
  gint64             pending_id;        /* to select once the rows are listed */
  gboolean           populating;
  gboolean           exact;
  GCancellable      *cancellable;

  GCancellable      *first_cancellable;
  GtkLabel          *first_label;
  GtkDropDown       *second_dropdown;
  GtkLabel          *second_database_label;
  GtkLabel          *summary_label;
  GtkStack          *stack;             /* "choose" or "diff" */
  CwChartView       *chart_view;
  GtkGrid           *grid;
  GtkToggleButton   *exact_button;
};

G_DEFINE_FINAL_TYPE (CwReceiptDiffWindow, cw_receipt_diff_window, ADW_TYPE_WINDOW)

static void update_diff (CwReceiptDiffWindow *self);

static const char *
base_name (const char *path)
{
  const char *slash = path != NULL ? strrchr (path, '/') : NULL;

  return slash != NULL ? slash + 1 : (path != NULL ? path : "");
}

static const char *
second_path (CwReceiptDiffWindow *self)
{
  return self->second_database != NULL ? cw_receipt_database_get_path (self->second_database) : NULL;
}

/* "17 · fused · sq 65,536 · ok" */
static char *
row_text (const CwReceipt *r)
{
  g_autofree char *sq = cw_format_count (r->config.sq);

  return g_strdup_printf ("%" G_GINT64_FORMAT " · %s · sq %s · %s", r->id, r->lane, sq,
                          cw_receipt_status_get_name (r->status));
}

/* ---- the table ----------------------------------------------------------- */

static GtkWidget *
cell (CwReceiptDiffWindow *self, int column, int row, const char *text, const char *tooltip, gboolean differs)
{
  GtkWidget *label = gtk_label_new (text != NULL ? text : "—");

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0.0 : 1.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_label_set_selectable (GTK_LABEL (label), column > 0);
  gtk_widget_set_hexpand (label, column > 0);
  if (column > 0)
    gtk_widget_add_css_class (label, "numeric");
  if (differs)
    gtk_widget_add_css_class (label, "warning");
  if (tooltip != NULL)
    gtk_widget_set_tooltip_text (label, tooltip);
  gtk_grid_attach (self->grid, label, column, row, 1, 1);
  return label;
}

static void
heading (CwReceiptDiffWindow *self, int row, const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, row > 0 ? 12 : 0);
  gtk_grid_attach (self->grid, label, 0, row, 4, 1);
}

/* A size as the window shows it, and its tooltip (the exact form). */
static void
size_texts (CwReceiptDiffWindow *self, guint64 bytes, const char *sign, char **text, char **tooltip)
{
  g_autofree char *exact = cw_format_size_exact (bytes);
  g_autofree char *human = cw_format_size (bytes);

  *tooltip = g_strconcat (sign, exact, NULL);
  *text = g_strconcat (sign, self->exact ? exact : human, NULL);
}

static void
field_cell (CwReceiptDiffWindow *self, const CwReceiptDiffField *f, int column, int row)
{
  gboolean second = column == 2;
  g_autofree char *text = NULL, *tooltip = NULL;

  switch (f->kind)
    {
    case CW_RECEIPT_DIFF_BYTES:
      size_texts (self, second ? f->b_value : f->a_value, "", &text, &tooltip);
      break;
    case CW_RECEIPT_DIFF_COUNT:
      text = cw_format_count (second ? f->b_value : f->a_value);
      break;
    case CW_RECEIPT_DIFF_TEXT:
    default:
      /* Not recorded: a dash, as in the receipt's details. */
      text = g_strdup ((second ? f->b : f->a)[0] != '\0' ? (second ? f->b : f->a) : "—");
      break;
    }
  {
    GtkWidget *label = cell (self, column, row, text, tooltip, f->differs);

    /* Names and versions as stored: nothing regroups their digits. */
    if (f->kind == CW_RECEIPT_DIFF_TEXT)
      gtk_widget_add_css_class (label, "cw-verbatim");
  }
}

static void
clear_grid (CwReceiptDiffWindow *self)
{
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))) != NULL;)
    gtk_grid_remove (self->grid, child);
}

static void
fill_table (CwReceiptDiffWindow *self)
{
  static const char *const sections[] = { N_("Run"), N_("Configuration"), N_("Provenance") };
  const CwReceiptDiff *d = self->diff;
  g_autofree char *a_title = NULL, *b_title = NULL;
  char id[32];
  int row = 0;

  clear_grid (self);
  if (d == NULL)
    return;
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, self->first->id);
  /* Translators: the first receipt's column: its id */
  a_title = g_strdup_printf (_("A: receipt %s"), id);
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, self->second->id);
  /* Translators: the second receipt's column: its id */
  b_title = g_strdup_printf (_("B: receipt %s"), id);

  heading (self, row++, _("Peaks"));
  cell (self, 1, row, a_title, NULL, FALSE);
  cell (self, 2, row, b_title, NULL, FALSE);
  cell (self, 3, row++, _("B − A"), NULL, FALSE);
  for (int k = 0; k < CW_RECEIPT_DIFF_N_PEAKS; k++)
    {
      const CwReceiptDiffPeak *p = cw_receipt_diff_get_peak (d, (CwReceiptDiffPeakKind) k);
      g_autofree char *a = NULL, *a_tip = NULL, *b = NULL, *b_tip = NULL, *delta = NULL, *delta_tip = NULL;

      if (p->has_a)
        size_texts (self, p->a, "", &a, &a_tip);
      if (p->has_b)
        size_texts (self, p->b, "", &b, &b_tip);
      if (p->has_delta)
        {
          g_autofree char *size = NULL;

          size_texts (self, p->delta, p->sign < 0 ? "−" : p->sign > 0 ? "+" : "", &size, &delta_tip);
          /* One minus sign for the bytes and the percentage alike. */
          delta = isnan (p->percent) ? g_strdup (size)
                                     : g_strdup_printf ("%s (%s%.2f %%)", size,
                                                        p->percent < 0 ? "−" : p->percent > 0 ? "+" : "",
                                                        fabs (p->percent));
        }
      cell (self, 0, row, _(p->label), NULL, FALSE);
      cell (self, 1, row, a, a_tip, FALSE);
      cell (self, 2, row, b, b_tip, FALSE);
      cell (self, 3, row++, delta, delta_tip, p->has_delta && p->sign != 0);
    }

  for (int s = 0; s < (int) G_N_ELEMENTS (sections); s++)
    {
      heading (self, row++, _(sections[s]));
      for (size_t i = 0; i < cw_receipt_diff_get_n_fields (d); i++)
        {
          const CwReceiptDiffField *f = cw_receipt_diff_get_field (d, i);
          GtkWidget *label;

          if ((int) f->section != s)
            continue;
          label = cell (self, 0, row, _(f->label), NULL, f->differs);
          g_object_set_data (G_OBJECT (label), "cw-diff-key", (gpointer) f->key);
          field_cell (self, f, 1, row);
          field_cell (self, f, 2, row);
          /* Not by colour alone: the mark says it too. */
          cell (self, 3, row++, f->differs ? "≠" : "", f->differs ? _("These values differ") : NULL, f->differs);
        }
    }
}

static void
show_diff (CwReceiptDiffWindow *self)
{
  g_autofree char *summary = NULL;
  const char *path_b = second_path (self);
  char a[32], b[32];

  g_snprintf (a, sizeof a, "%" G_GINT64_FORMAT, self->first->id);
  g_snprintf (b, sizeof b, "%" G_GINT64_FORMAT, self->second->id);
  {
    gsize n = cw_receipt_diff_get_n_differing (self->diff), total = cw_receipt_diff_get_n_fields (self->diff);
    g_autofree char *n_text = cw_format_count (n);
    g_autofree char *total_text = cw_format_count (total);

    /* Translators: "receipt 17 (runs.db) against receipt 27 (runs.db): 2 of 26 fields differ" */
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Receipt %s (%s) against receipt %s (%s): %s of %s field differs",
                                            "Receipt %s (%s) against receipt %s (%s): %s of %s fields differ", total),
                               a, base_name (self->first_path), b, base_name (path_b), n_text, total_text);
  }
  gtk_label_set_text (self->summary_label, summary);
  fill_table (self);
  cw_chart_view_set_chart (self->chart_view,
                           self->first->n_events > 0 && self->second->n_events > 0
                             ? cw_gui_chart_timeline_pair (self->first, self->first_path, self->second, path_b)
                             : cw_gui_chart_message (_("Both receipts need a trace to draw their timelines; "
                                                       "one of them was stored without one")));
  gtk_stack_set_visible_child_name (self->stack, "diff");
}

/* ---- the chart's hover ---------------------------------------------------- */

/* At time x: each receipt's exact live bytes there, and B − A. */
static char *
pair_position_text (CwChartView *view, double x, double y, double x_lo, double x_hi, gpointer user_data)
{
  CwChart *chart = cw_chart_view_get_chart (view);
  g_autoptr(GString) text = g_string_new (NULL);
  double live[2];
  guint n = 0;

  /* Translators: time since the lane started, in milliseconds */
  g_string_append_printf (text, _("at %+.6f ms"), x * 1e3);
  for (size_t l = 0; chart != NULL && l < cw_chart_get_n_layers (chart) && n < 2; l++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, l);
      double v;

      if (g_strcmp0 (cw_chart_layer_get_kind (layer), "step") != 0)
        continue;
      if (!cw_chart_step_layer_get_value_at (layer, x, &v) || v < 0)
        v = 0;   /* before its lane began or after it ended: nothing live */
      live[n++] = v;
      {
        g_autofree char *exact = cw_format_size_exact ((guint64) v);

        g_string_append_printf (text, "\n%s: %s", cw_chart_layer_get_label (layer), exact);
      }
    }
  if (n < 2)
    return NULL;
  {
    double d = live[1] - live[0];
    g_autofree char *exact = cw_format_size_exact ((guint64) fabs (d));

    g_string_append_printf (text, "\n%s %s%s", _("B − A"), d < 0 ? "−" : d > 0 ? "+" : "", exact);
  }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- the second receipt ----------------------------------------------------- */

/* The loaded receipt, or NULL with the reason in the summary line (nothing
 * when the load was cancelled: the window is going away). */
static CwReceipt *
load_receipt_finish (CwReceiptDiffWindow *self, GObject *object, GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  CwReceipt *r = cw_receipt_database_load_receipt_finish (CW_RECEIPT_DATABASE (object), result, &error);

  if (r == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Could not load the receipt: %s"), error->message);

      gtk_label_set_text (self->summary_label, message);
    }
  return r;
}

static void
second_loaded_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  CwReceiptDiffWindow *self = user_data;
  CwReceipt *r = load_receipt_finish (self, object, result);

  if (r == NULL)
    {
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&self->second, cw_receipt_free);
  self->second = r;
  update_diff (self);
  g_object_unref (self);
}

/* Both receipts loaded: compare and show them. */
static void
update_diff (CwReceiptDiffWindow *self)
{
  CwError cw_error = CW_ERROR_INIT;

  g_clear_pointer (&self->diff, cw_receipt_diff_free);
  if (self->first == NULL || self->second == NULL)
    return;
  self->diff = cw_receipt_diff_new (self->first, self->second, &cw_error);
  if (self->diff == NULL)
    gtk_label_set_text (self->summary_label, cw_error.message);
  else
    show_diff (self);
}

static void
load_second (CwReceiptDiffWindow *self, gint64 id)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  cw_receipt_database_load_receipt_async (self->second_database, id, self->cancellable, second_loaded_cb,
                                          g_object_ref (self));
}

static void
dropdown_changed_cb (CwReceiptDiffWindow *self)
{
  guint position = gtk_drop_down_get_selected (self->second_dropdown);

  if (self->populating || position == GTK_INVALID_LIST_POSITION || position >= self->row_ids->len)
    return;
  load_second (self, g_array_index (self->row_ids, gint64, position));
}

/* Lists the second database's rows and selects `select_id` (its first
 * other receipt than A when 0 and the database is A's). */
static void
populate (CwReceiptDiffWindow *self, gint64 select_id)
{
  GListModel *rows = cw_receipt_database_get_rows (self->second_database);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GtkStringList) model = NULL;
  guint selected = GTK_INVALID_LIST_POSITION;

  g_array_set_size (self->row_ids, 0);
  for (guint i = 0, n = g_list_model_get_n_items (rows); i < n; i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (rows, i);
      const CwReceipt *r;

      if (row == NULL)
        continue;
      r = cw_receipt_row_get_receipt (row);
      g_ptr_array_add (texts, row_text (r));
      g_array_append_val (self->row_ids, r->id);
      if (r->id == select_id)
        selected = self->row_ids->len - 1;
    }
  g_ptr_array_add (texts, NULL);
  model = gtk_string_list_new ((const char *const *) texts->pdata);
  self->populating = TRUE;
  gtk_drop_down_set_model (self->second_dropdown, G_LIST_MODEL (model));
  gtk_drop_down_set_selected (self->second_dropdown, selected);
  self->populating = FALSE;
  gtk_label_set_text (self->second_database_label, base_name (second_path (self)));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->second_database_label), second_path (self));
  if (selected != GTK_INVALID_LIST_POSITION)
    load_second (self, select_id);
}

static void
database_opened_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  CwReceiptDiffWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  CwReceiptDatabase *database = cw_receipt_database_open_finish (result, &error);

  if (database == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = g_strdup_printf (_("Could not open the database: %s"), error->message);

          gtk_label_set_text (self->summary_label, message);
        }
      g_object_unref (self);
      return;
    }
  g_clear_object (&self->second_database);
  self->second_database = database;
  populate (self, self->pending_id);
  self->pending_id = 0;
  g_object_unref (self);
}

static void
open_second_database (CwReceiptDiffWindow *self, const char *path, gint64 id)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->pending_id = id;
  gtk_label_set_text (self->summary_label, _("Opening the database…"));
  cw_receipt_database_open_async (path, self->cancellable, database_opened_cb, g_object_ref (self));
}

static void
chooser_response_cb (GtkNativeDialog *dialog, int response, CwReceiptDiffWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        open_second_database (self, path, 0);
    }
  g_object_unref (dialog);
}

static void
other_database_cb (CwReceiptDiffWindow *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Open the Second Receipt’s Database"),
                                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                                               _("_Open"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = cw_receipt_database_new_file_filter ();

  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- export ---------------------------------------------------------------- */

static void
export_response_cb (GtkNativeDialog *dialog, int response, CwReceiptDiffWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path != NULL && !cw_chart_view_export (self->chart_view, path, 1280, 800, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Export failed: %s"), error->message);

          gtk_label_set_text (self->summary_label, message);
        }
    }
  g_object_unref (dialog);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CwReceiptDiffWindow *self = CW_RECEIPT_DIFF_WINDOW (widget);
  GtkFileChooserNative *chooser;

  if (self->diff == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Export Chart"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "receipts-compared.svg");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
exact_toggled_cb (CwReceiptDiffWindow *self)
{
  cw_receipt_diff_window_set_exact (self, gtk_toggle_button_get_active (self->exact_button));
}

/* ---- public API ------------------------------------------------------------- */

static void
first_loaded_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  CwReceiptDiffWindow *self = user_data;
  CwReceipt *r = load_receipt_finish (self, object, result);

  if (r == NULL)
    {
      g_object_unref (self);
      return;
    }
  self->first = r;
  {
    g_autofree char *first_text = row_text (r);
    g_autofree char *text = g_strdup_printf ("%s (%s)", first_text, base_name (self->first_path));

    gtk_label_set_text (self->first_label, text);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->first_label), self->first_path);
  }
  update_diff (self);
  g_object_unref (self);
}

CwReceiptDiffWindow *
cw_receipt_diff_window_new (GtkWindow *parent, CwReceiptDatabase *database, gint64 first_id)
{
  CwReceiptDiffWindow *self;
  int width = 1100, height = 760;

  g_return_val_if_fail (CW_IS_RECEIPT_DATABASE (database), NULL);
  self = g_object_new (CW_TYPE_RECEIPT_DIFF_WINDOW, NULL);
  self->first_path = g_strdup (cw_receipt_database_get_path (database));
  self->second_database = g_object_ref (database);
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
      width = MIN (width, MAX (gtk_widget_get_width (GTK_WIDGET (parent)) - 40, 480));
      height = MIN (height, MAX (gtk_widget_get_height (GTK_WIDGET (parent)) - 40, 360));
    }
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  self->first_cancellable = g_cancellable_new ();
  cw_receipt_database_load_receipt_async (database, first_id, self->first_cancellable, first_loaded_cb,
                                          g_object_ref (self));
  populate (self, 0);
  return self;
}

void
cw_receipt_diff_window_set_second (CwReceiptDiffWindow *self, const char *path, gint64 id)
{
  g_return_if_fail (CW_IS_RECEIPT_DIFF_WINDOW (self));

  if (path == NULL || g_strcmp0 (path, second_path (self)) == 0)
    populate (self, id);
  else
    open_second_database (self, path, id);
}

const CwReceiptDiff *
cw_receipt_diff_window_get_diff (CwReceiptDiffWindow *self)
{
  g_return_val_if_fail (CW_IS_RECEIPT_DIFF_WINDOW (self), NULL);
  return self->diff;
}

void
cw_receipt_diff_window_set_exact (CwReceiptDiffWindow *self, gboolean exact)
{
  g_return_if_fail (CW_IS_RECEIPT_DIFF_WINDOW (self));
  if (self->exact == !!exact)
    return;
  self->exact = !!exact;
  if (gtk_toggle_button_get_active (self->exact_button) != self->exact)
    gtk_toggle_button_set_active (self->exact_button, self->exact);
  fill_table (self);
}

CwChartView *
cw_receipt_diff_window_get_chart_view (CwReceiptDiffWindow *self)
{
  g_return_val_if_fail (CW_IS_RECEIPT_DIFF_WINDOW (self), NULL);
  return self->chart_view;
}

char *
cw_receipt_diff_window_dup_text (CwReceiptDiffWindow *self)
{
  GString *out = g_string_new (gtk_label_get_text (self->summary_label));

  g_string_append_c (out, '\n');
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->grid)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LABEL (child))
      g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (child)));
  return g_string_free (out, FALSE);
}

char *
cw_receipt_diff_window_dup_differing_keys (CwReceiptDiffWindow *self)
{
  GString *out = g_string_new (NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->grid)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *key = g_object_get_data (G_OBJECT (child), "cw-diff-key");

      if (key != NULL && gtk_widget_has_css_class (child, "warning"))
        g_string_append_printf (out, "%s%s", out->len ? "," : "", key);
    }
  return g_string_free (out, FALSE);
}

/* ---- lifecycle -------------------------------------------------------------- */

static void
cw_receipt_diff_window_dispose (GObject *object)
{
  CwReceiptDiffWindow *self = CW_RECEIPT_DIFF_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->first_cancellable);
  g_clear_object (&self->first_cancellable);
  g_clear_object (&self->second_database);
  g_clear_pointer (&self->first, cw_receipt_free);
  g_clear_pointer (&self->second, cw_receipt_free);
  g_clear_pointer (&self->diff, cw_receipt_diff_free);
  g_clear_pointer (&self->first_path, g_free);
  g_clear_pointer (&self->row_ids, g_array_unref);
  G_OBJECT_CLASS (cw_receipt_diff_window_parent_class)->dispose (object);
}

static void
cw_receipt_diff_window_class_init (CwReceiptDiffWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_receipt_diff_window_dispose;
  gtk_widget_class_install_action (widget_class, "diff.export", NULL, export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "diff.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cw_receipt_diff_window_init (CwReceiptDiffWindow *self)
{
  GtkWidget *box, *header, *scroller, *content, *picker, *label, *button, *choose, *diff_box;

  self->row_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_window_set_title (GTK_WINDOW (self), _("Compare Receipts"));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  button = gtk_button_new_from_icon_name ("document-save-symbolic");
  gtk_widget_set_tooltip_text (button, _("Export the Chart (Ctrl+E)"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "diff.export");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), button);
  self->exact_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_mnemonic (_("E_xact Bytes")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->exact_button), _("Show every size in exact bytes"));
  g_signal_connect_object (self->exact_button, "toggled", G_CALLBACK (exact_toggled_cb), self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->exact_button));
  gtk_box_append (GTK_BOX (box), header);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);

  /* A: fixed. B: a receipt of B's database, which may be another file. */
  picker = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (picker), 6);
  gtk_grid_set_row_spacing (GTK_GRID (picker), 6);
  label = gtk_label_new (_("A"));
  gtk_widget_add_css_class (label, "heading");
  gtk_grid_attach (GTK_GRID (picker), label, 0, 0, 1, 1);
  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "cw-verbatim");
  gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_text (GTK_LABEL (label), _("Loading…"));
  self->first_label = GTK_LABEL (label);
  gtk_grid_attach (GTK_GRID (picker), label, 1, 0, 2, 1);
  label = gtk_label_new (_("B"));
  gtk_widget_add_css_class (label, "heading");
  gtk_grid_attach (GTK_GRID (picker), label, 0, 1, 1, 1);
  self->second_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_drop_down_set_enable_search (self->second_dropdown, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->second_dropdown), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->second_dropdown), _("The receipt to compare with A"));
  g_signal_connect_object (self->second_dropdown, "notify::selected", G_CALLBACK (dropdown_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_grid_attach (GTK_GRID (picker), GTK_WIDGET (self->second_dropdown), 1, 1, 1, 1);
  button = gtk_button_new_with_mnemonic (_("Other _Database…"));
  gtk_widget_set_tooltip_text (button, _("Pick the second receipt from another receipts database"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (other_database_cb), self, G_CONNECT_SWAPPED);
  gtk_grid_attach (GTK_GRID (picker), button, 2, 1, 1, 1);
  self->second_database_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->second_database_label, 0.0);
  gtk_label_set_ellipsize (self->second_database_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->second_database_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->second_database_label), "cw-verbatim");
  gtk_grid_attach (GTK_GRID (picker), GTK_WIDGET (self->second_database_label), 1, 2, 2, 1);
  gtk_box_append (GTK_BOX (content), picker);

  self->summary_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->summary_label, 0.0);
  gtk_label_set_wrap (self->summary_label, TRUE);
  gtk_label_set_selectable (self->summary_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "title-4");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->summary_label));

  self->stack = GTK_STACK (gtk_stack_new ());
  choose = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (choose), "view-dual-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (choose), _("Choose the Second Receipt"));
  adw_status_page_set_description (ADW_STATUS_PAGE (choose),
                                   _("Pick receipt B above, from this database or another one, to see which "
                                     "fields differ, both peaks and both memory timelines on one scale."));
  gtk_widget_add_css_class (choose, "compact");
  gtk_stack_add_named (self->stack, choose, "choose");
  diff_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  self->chart_view = CW_CHART_VIEW (cw_chart_view_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->chart_view), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self->chart_view), -1, 280);
  cw_chart_view_set_x_zoomable (self->chart_view, TRUE);
  cw_chart_view_set_position_func (self->chart_view, pair_position_text, NULL, NULL);
  gtk_box_append (GTK_BOX (diff_box), GTK_WIDGET (self->chart_view));
  self->grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_column_spacing (self->grid, 18);
  gtk_grid_set_row_spacing (self->grid, 4);
  gtk_box_append (GTK_BOX (diff_box), GTK_WIDGET (self->grid));
  gtk_stack_add_named (self->stack, diff_box, "diff");
  gtk_stack_set_visible_child_name (self->stack, "choose");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->stack));

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), content);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_window_set_content (ADW_WINDOW (self), box);
}
