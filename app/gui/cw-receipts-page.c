/* cw-receipts-page.c: the Receipts page.
 *
 * Model chain: database rows -> GtkFilterListModel (search text, status,
 * lane) -> GtkSortListModel (the column view's sorter) -> GtkSingleSelection.
 * Filtering and sorting are incremental, so 10k+ receipts never stall the
 * main loop; the list result carries no traces. Selecting a row loads that
 * one receipt in full (buffers, phases, trace) in a worker thread and fills
 * the detail pane and the memory timeline. The detail pane follows the
 * selection: a receipt the filter removes (no row selected) leaves the
 * empty state, and a newly shown receipt starts at the top. The timeline
 * zooms and pans (CwChartView's x zoom) and its hover says the exact live
 * bytes, the time and the NVTX ranges under the pointer. In a narrow window
 * the list and the detail fold into one column (an AdwLeaflet): a selected
 * receipt opens the detail, Back (or Alt+Left) returns to the list and
 * clears the selection, and a detail that empties goes back by itself.
 * Owner: workbench. */
#include "cw-build-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cw-format.h"
#include "cw-gui-charts.h"
#include "cw-receipt-row.h"
#include "cw-receipts-page.h"

typedef enum {
  COL_ID,
  COL_LANE,
  COL_CONFIG,
  COL_GPU,
  COL_STATUS,
  COL_PREDICTED,
  COL_MEASURED,
  COL_ERROR,
  COL_LANE_TIME,
  COL_DATE,
  COL_N
} Column;

/* The columns one can hide (the list's column menu, GSettings
 * receipts-column-KEY, action receipts.column-KEY); ID and lane always show. */
static const char *const column_keys[COL_N] = {
  [COL_STATUS] = "status", [COL_PREDICTED] = "predicted", [COL_MEASURED] = "measured", [COL_ERROR] = "error",
  [COL_CONFIG] = "configuration", [COL_GPU] = "gpu", [COL_LANE_TIME] = "lane-time", [COL_DATE] = "date",
};

struct _CwReceiptsPage
{
  GtkWidget           parent_instance;

  CwReceiptDatabase  *database;
  GtkFilterListModel *filter_model;
  GtkSortListModel   *sort_model;
  GtkSingleSelection *selection;
  GtkCustomFilter    *filter;
  GCancellable       *detail_cancellable;
  gint64              detail_id;
  gint64              pending_select_id;      /* cw_receipts_page_select_id, retried */
  guint               pending_select_source;
  guint               pending_select_tries;
  guint               folded_idle;
  char               *search_text;
  GPtrArray          *detail_groups;
  CwReceipt          *receipt;          /* the one shown, trace loaded */

  /* template children */
  GtkSearchEntry     *search_entry;
  GtkDropDown        *status_dropdown;
  GtkDropDown        *lane_dropdown;
  GtkLabel           *count_label;
  AdwLeaflet         *leaflet;
  GtkButton          *back_button;
  GtkStack           *list_stack;
  AdwStatusPage      *no_match_page;
  GtkStack           *detail_stack;
  GtkStack           *timeline_stack;   /* "chart", or "no-trace" */
  GtkColumnView      *column_view;
  GtkColumnViewColumn *columns[COL_N];
  GSettings          *settings;
  GtkLabel           *detail_title;
  CwChartView        *chart_view;
  GtkBox             *detail_box;
  GtkScrolledWindow  *detail_scroller;
};

G_DEFINE_FINAL_TYPE (CwReceiptsPage, cw_receipts_page, GTK_TYPE_WIDGET)


/* ---- formatting ---------------------------------------------------------- */

static char *
format_gib (uint64_t bytes)
{
  char buf[CW_BYTES_FORMAT_SIZE];

  return g_strdup (cw_bytes_format_gib (bytes, buf, sizeof buf));
}

static char *
format_date (int64_t unix_ns)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_ns <= 0)
    return g_strdup ("—");
  dt = g_date_time_new_from_unix_utc (unix_ns / G_GINT64_CONSTANT (1000000000));
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup ("—");
}

static char *
cell_text (CwReceiptRow *row, Column column)
{
  const CwReceipt *r = cw_receipt_row_get_receipt (row);

  switch (column)
    {
    case COL_ID: return g_strdup_printf ("%" G_GINT64_FORMAT, r->id);
    case COL_LANE: return g_strdup (r->lane);
    case COL_CONFIG: return cw_receipt_row_dup_config_label (row);
    case COL_GPU: return g_strdup (r->provenance.gpu_name);
    case COL_STATUS: return g_strdup (cw_receipt_row_get_status_label (row));
    case COL_PREDICTED: return r->predicted_peak_bytes ? format_gib (r->predicted_peak_bytes) : g_strdup ("—");
    case COL_MEASURED:
      if (r->status == CW_RECEIPT_STATUS_OOM)
        return g_strdup (_("OOM"));
      return r->measured_peak_bytes ? format_gib (r->measured_peak_bytes) : g_strdup ("—");
    case COL_ERROR:
      {
        double e = cw_receipt_row_get_error_percent (row);
        return isnan (e) ? g_strdup ("—") : g_strdup_printf ("%+.2f %%", e);
      }
    case COL_LANE_TIME:
      return r->lane_ns ? g_strdup_printf ("%.3f ms", (double) r->lane_ns / 1e6) : g_strdup ("—");
    case COL_DATE: return format_date (r->provenance.time_unix_ns);
    default: return g_strdup ("");
    }
}

/* ---- the column view ---------------------------------------------------- */

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);
  gboolean numeric = column == COL_ID || column == COL_PREDICTED || column == COL_MEASURED ||
                     column == COL_ERROR || column == COL_LANE_TIME;

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0 : 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  /* Ids, lanes and GPU names are names, shown as stored. */
  if (column == COL_ID || column == COL_LANE || column == COL_GPU)
    gtk_widget_add_css_class (label, "cw-verbatim");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  CwReceiptRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = cell_text (row, column);

  gtk_label_set_text (GTK_LABEL (label), text);
  if (column == COL_STATUS)
    {
      const CwReceipt *r = cw_receipt_row_get_receipt (row);

      if (r->status == CW_RECEIPT_STATUS_OK)
        gtk_widget_remove_css_class (label, "error");
      else
        gtk_widget_add_css_class (label, "error");
    }
  if (column == COL_CONFIG || column == COL_GPU)
    gtk_widget_set_tooltip_text (label, text);
}

/* Widths fit the usual content ("out of memory", "102.36 GiB"); the
 * configuration, ellipsized with the full text as tooltip, takes what is
 * left. The columns shown by default (GPU, lane time and date are off)
 * fit the list beside the detail at 1280 px (about 660 px) without
 * scrolling sideways (issue 16 item 3); the table scrolls sideways in a
 * window too narrow for the ones chosen. */
static const int column_widths[] = {
  [COL_ID] = 44, [COL_LANE] = 130, [COL_CONFIG] = 100, [COL_GPU] = 100, [COL_STATUS] = 115,
  [COL_PREDICTED] = 88, [COL_MEASURED] = 88, [COL_ERROR] = 72, [COL_LANE_TIME] = 80, [COL_DATE] = 130,
};

static void
add_column (CwReceiptsPage *self, Column column, const char *title, const char *property,
            GtkSorter *sorter, gboolean expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));

  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_fixed_width (col, column_widths[column]);

  if (sorter == NULL && property != NULL)
    {
      GObjectClass *klass = g_type_class_ref (CW_TYPE_RECEIPT_ROW);
      GParamSpec *pspec = g_object_class_find_property (klass, property);
      GtkExpression *expr = gtk_property_expression_new (CW_TYPE_RECEIPT_ROW, NULL, property);
      gboolean is_string = G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING;

      g_type_class_unref (klass);
      if (is_string)
        sorter = GTK_SORTER (gtk_string_sorter_new (expr));
      else
        sorter = GTK_SORTER (gtk_numeric_sorter_new (expr));
    }
  if (sorter != NULL)
    gtk_column_view_column_set_sorter (col, sorter);

  gtk_column_view_append_column (self->column_view, col);
  g_clear_object (&sorter);
  self->columns[column] = col;   /* the reference add_column took */
}

/* ---- filtering ----------------------------------------------------------- */

static const char *status_filter_names[] = { NULL, "ok", "oom", "capture-failed", "error" };

static gboolean
contains_casefold (const char *haystack, const char *needle_folded)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL || *haystack == '\0')
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle_folded) != NULL;
}

static gboolean
filter_func (gpointer item, gpointer user_data)
{
  CwReceiptsPage *self = user_data;
  CwReceiptRow *row = item;
  const CwReceipt *r = cw_receipt_row_get_receipt (row);
  guint status = gtk_drop_down_get_selected (self->status_dropdown);
  GtkStringObject *lane = gtk_drop_down_get_selected_item (self->lane_dropdown);

  if (status != GTK_INVALID_LIST_POSITION && status > 0 && status < G_N_ELEMENTS (status_filter_names) &&
      g_strcmp0 (cw_receipt_status_get_name (r->status), status_filter_names[status]) != 0)
    return FALSE;

  if (lane != NULL && gtk_drop_down_get_selected (self->lane_dropdown) > 0 &&
      g_strcmp0 (r->lane, gtk_string_object_get_string (lane)) != 0)
    return FALSE;

  if (self->search_text != NULL && *self->search_text != '\0')
    {
      g_autofree char *config = cw_receipt_row_dup_config_label (row);
      g_auto(GStrv) config_parts = g_strsplit (config, cw_format_get_thousands_separator (), -1);
      /* The label groups digits ("sq=200,000"); "sq=200000" finds it too. */
      g_autofree char *config_plain = g_strjoinv ("", config_parts);
      g_auto(GStrv) words = g_strsplit_set (self->search_text, " \t", -1);

      /* Every word must match somewhere, so "oom h200" narrows. The note
       * (often the command line, naming other lanes: "--lane
       * materialize,fused") is searched only when asked: "note:WORD". */
      for (guint i = 0; words[i] != NULL; i++)
        {
          const char *w = words[i];

          if (*w == '\0')
            continue;
          if (g_str_has_prefix (w, "note:"))
            {
              if (w[5] != '\0' && !contains_casefold (r->note, w + 5))
                return FALSE;
              continue;
            }
          if (!(contains_casefold (r->lane, w) || contains_casefold (r->profile, w) ||
                contains_casefold (r->provenance.gpu_name, w) || contains_casefold (r->provenance.host, w) ||
                contains_casefold (cw_receipt_status_get_name (r->status), w) ||
                contains_casefold (r->error_message, w) || contains_casefold (r->uuid, w) ||
                contains_casefold (config, w) || contains_casefold (config_plain, w)))
            return FALSE;
        }
    }

  return TRUE;
}

static void refilter (CwReceiptsPage *self);

static void
update_count (CwReceiptsPage *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));
  guint total = self->database ? g_list_model_get_n_items (cw_receipt_database_get_rows (self->database)) : 0;
  g_autofree char *text = NULL;

  {
    g_autofree char *shown_text = cw_format_count (shown);
    g_autofree char *total_text = cw_format_count (total);

    /* Translators: "12 of 10,000 receipts", the counts with digits grouped */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s receipt", "%s of %s receipts", total),
                            shown_text, total_text);
  }
  gtk_label_set_text (self->count_label, text);

  /* Say why the list is empty and what to do about it. */
  if (shown > 0)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  else if (self->database == NULL)
    gtk_stack_set_visible_child_name (self->list_stack, "no-database");
  else if (total == 0)
    gtk_stack_set_visible_child_name (self->list_stack, "no-receipts");
  else
    {
      g_autofree char *count = cw_format_count (total);
      /* Translators: %s is the number of receipts in the database */
      g_autofree char *description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                   "No receipt matches the search and filters. Clear them to see the %s receipt in this database.",
                                                                   "No receipt matches the search and filters. Clear them to see all %s receipts in this database.",
                                                                   total),
                                                      count);
      adw_status_page_set_description (self->no_match_page, description);
      gtk_stack_set_visible_child_name (self->list_stack, "no-match");
    }
  if (shown == 0)
    gtk_stack_set_visible_child_name (self->detail_stack, "empty");
}

void
cw_receipts_page_clear_filters (CwReceiptsPage *self)
{
  g_return_if_fail (CW_IS_RECEIPTS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->status_dropdown, 0);
  gtk_drop_down_set_selected (self->lane_dropdown, 0);
  refilter (self);
}

static void
clear_filters_cb (CwReceiptsPage *self)
{
  cw_receipts_page_clear_filters (self);
}

static void
refilter_dropdowns (CwReceiptsPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* Telling the filter model whether the search got stricter or looser lets
 * it re-check only the rows that can change. */
static void
refilter (CwReceiptsPage *self)
{
  g_autofree char *old = g_steal_pointer (&self->search_text);
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;

  self->search_text = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), -1);
  if (g_strcmp0 (old, self->search_text) == 0)
    return;
  if (old != NULL && strstr (self->search_text, old) != NULL)
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (old != NULL && strstr (old, self->search_text) != NULL)
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  gtk_filter_changed (GTK_FILTER (self->filter), change);
}

static void
update_lanes (CwReceiptsPage *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) lanes = g_ptr_array_new ();
  g_autoptr(GtkStringList) model = NULL;
  GListModel *rows;
  guint n;

  g_ptr_array_add (lanes, (gpointer) _("All lanes"));
  if (self->database != NULL)
    {
      rows = cw_receipt_database_get_rows (self->database);
      n = g_list_model_get_n_items (rows);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CwReceiptRow) row = g_list_model_get_item (rows, i);
          const char *lane;

          if (row == NULL)
            continue;
          lane = cw_receipt_row_get_receipt (row)->lane;

          if (g_hash_table_add (seen, (gpointer) lane))
            g_ptr_array_add (lanes, (gpointer) lane);
        }
    }
  g_ptr_array_add (lanes, NULL);
  model = gtk_string_list_new ((const char * const *) lanes->pdata);
  gtk_drop_down_set_model (self->lane_dropdown, G_LIST_MODEL (model));
  gtk_drop_down_set_selected (self->lane_dropdown, 0);
}

/* ---- the detail pane ------------------------------------------------------ */

static void
clear_details (CwReceiptsPage *self)
{
  for (guint i = 0; i < self->detail_groups->len; i++)
    gtk_box_remove (self->detail_box, g_ptr_array_index (self->detail_groups, i));
  g_ptr_array_set_size (self->detail_groups, 0);
}

static GtkWidget *
add_group (CwReceiptsPage *self, const char *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (self->detail_box, group);
  g_ptr_array_add (self->detail_groups, group);
  return group;
}

static GtkWidget *
add_line (GtkWidget *group, const char *title, const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value != NULL && *value != '\0' ? value : "—");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return label;
}

/* A value shown as the receipt stores it (a name, a path, a command
 * line): marked, so nothing reformats its digits. */
static GtkWidget *
add_verbatim_line (GtkWidget *group, const char *title, const char *value)
{
  GtkWidget *label = add_line (group, title, value);

  gtk_widget_add_css_class (label, "cw-verbatim");
  return label;
}

/* "512.00 MiB"; the exact bytes (grouped) in the tooltip and in the
 * selectable text a copy takes. */
static void
add_bytes_line (GtkWidget *group, const char *title, uint64_t bytes)
{
  g_autofree char *size = cw_format_size (bytes);
  g_autofree char *exact = cw_format_size_exact (bytes);
  GtkWidget *label = add_line (group, title, size);

  gtk_widget_set_tooltip_text (label, exact);
}

/* Token counts and the like, grouped per locale: "36,543,232". */
static void
add_u64_line (GtkWidget *group, const char *title, uint64_t value)
{
  g_autofree char *text = cw_format_count (value);

  add_line (group, title, text);
}

/* CUDA reports its versions as 1000 * major + 10 * minor (13000 is 13.0),
 * which is how people quote them; 0: not recorded. */
static char *
format_cuda_version (int version)
{
  if (version <= 0)
    return g_strdup ("—");
  return g_strdup_printf ("%d.%d", version / 1000, version % 1000 / 10);
}

static const char *
yes_no (bool value)
{
  return value ? _("yes") : _("no");
}

/* A training lane's gradient check (issue 18): dq, dw and dk from the GPU
 * against the float64 reference. Its worst error is stored as a ratio to
 * the error allowed at that element, so it reads as a multiple of the
 * tolerance (1 or less passes); INFINITY means a GPU value was not finite. */
static void
add_gradcheck_group (CwReceiptsPage *self, const CwGradcheckResult *gc)
{
  GtkWidget *g = add_group (self, _("Gradient check"));
  g_autofree char *worst = NULL;
  GtkWidget *label;

  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (g),
                                         _("dq, dw and dk from the GPU against the float64 CPU reference"));
  add_line (g, _("Result"), gc->status == CW_GRADCHECK_OK ? _("passed: every gradient within the tolerance")
                                                          : _("failed: a gradient beyond the tolerance"));
  if (isfinite (gc->worst))
    {
      char num[32];

      g_snprintf (num, sizeof num, "%.3g", gc->worst);
      /* Translators: the worst error as a multiple of the allowed one, e.g. "0.25 × the tolerance" */
      worst = g_strdup_printf (_("%s × the tolerance"), num);
    }
  else
    worst = g_strdup (_("not finite (a GPU gradient was NaN or infinite)"));
  label = add_line (g, _("Worst error"), worst);
  gtk_widget_set_tooltip_text (label, _("The largest |GPU − float64| over dq, dw and dk, as a multiple of the error "
                                        "allowed at that element (3e-5 × Σ|terms|, plus an allowance at relu's "
                                        "kink). The check passes at 1 or less."));
  if (gc->worst_at[0] != '\0')
    add_verbatim_line (g, _("Worst element"), gc->worst_at);
}

static void
show_receipt (CwReceiptsPage *self, const CwReceipt *r)
{
  const CwConfig *c = &r->config;
  const CwProvenance *p = &r->provenance;
  g_autofree char *title = NULL;
  g_autofree char *date = format_date (p->time_unix_ns);
  char buf[256];
  GtkWidget *g;

  clear_details (self);
  gtk_stack_set_visible_child_name (self->detail_stack, "detail");

  /* Translators: receipt number, lane name, status */
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, r->id);
  title = g_strdup_printf (_("Receipt %s: %s, %s"), buf, r->lane, cw_receipt_status_get_name (r->status));
  gtk_label_set_text (self->detail_title, title);

  g = add_group (self, _("Predicted and measured"));
  if (r->predicted_peak_bytes)
    add_bytes_line (g, _("Predicted peak"), r->predicted_peak_bytes);
  if (r->prediction_on_read)
    {
      /* Translators: profile name */
      g_autofree char *how = g_strdup_printf (_("Planned on read with %s at the stored configuration"), r->profile);
      add_line (g, _("Prediction"), how);
    }
  if (r->status == CW_RECEIPT_STATUS_OOM)
    {
      add_bytes_line (g, _("Failed request"), r->oom_request_bytes);
      add_bytes_line (g, _("Live when it failed"), r->oom_live_bytes);
    }
  else if (r->measured_peak_bytes)
    {
      uint64_t cp, cm;
      double e;

      cw_receipt_get_compared_peaks (r, &cp, &cm);
      e = 100.0 * ((double) cm - (double) cp) / (double) MAX (cp, 1);
      if (cw_receipt_is_exec (r) && r->exec.range_name[0])
        {
          add_verbatim_line (g, _("Program"), r->exec.program);
          g_snprintf (buf, sizeof buf, "%s #%u (%s)", r->exec.range_name, r->exec.range_occurrence,
                      r->exec.allocator);
          add_verbatim_line (g, _("NVTX range"), buf);
          add_bytes_line (g, _("Live when the range opened"), r->exec.range_open_bytes);
          add_bytes_line (g, _("Measured above the opening"), cm);
          add_bytes_line (g, _("Predicted above the inputs"), cp);
        }

      add_bytes_line (g, _("Measured peak (CUPTI alloc/free)"), r->measured_peak_bytes);
      if (r->predicted_peak_bytes)
        {
          g_snprintf (buf, sizeof buf, "%+.3f %% (%s)", e,
                      cw_receipt_peak_agrees (r) ? _("agrees") : _("disagrees"));
          add_line (g, _("Error"), buf);
        }
    }
  if (r->predicted_input_bytes)
    add_bytes_line (g, _("Inputs (predicted)"), r->predicted_input_bytes);
  {
    guint64 magnitude = r->memgetinfo_delta_bytes < 0 ? (guint64) 0 - (guint64) r->memgetinfo_delta_bytes
                                                      : (guint64) r->memgetinfo_delta_bytes;
    g_autofree char *size = cw_format_size (magnitude);
    g_autofree char *exact = cw_format_size_exact (magnitude);
    g_autofree char *text = g_strconcat (r->memgetinfo_delta_bytes < 0 ? "−" : "", size, NULL);
    g_autofree char *tooltip = g_strconcat (r->memgetinfo_delta_bytes < 0 ? "−" : "", exact, NULL);

    gtk_widget_set_tooltip_text (add_line (g, _("cudaMemGetInfo delta"), text), tooltip);
  }
  if (r->lane_ns)
    {
      g_snprintf (buf, sizeof buf, "%.3f ms", (double) r->lane_ns / 1e6);
      add_line (g, _("Lane time"), buf);
    }
  if (r->kernel_ns)
    {
      g_snprintf (buf, sizeof buf, "%.3f ms", (double) r->kernel_ns / 1e6);
      add_line (g, _("Kernel time"), buf);
    }
  if (r->unprofiled_lane_ns)
    {
      g_snprintf (buf, sizeof buf, "%.3f ms", (double) r->unprofiled_lane_ns / 1e6);
      add_line (g, _("Lane time without CUPTI"), buf);
    }
  if (r->tflops > 0)
    {
      g_snprintf (buf, sizeof buf, "%.1f TFLOP/s", r->tflops);
      add_line (g, _("Throughput"), buf);
    }
  if (r->error_message[0] != '\0')
    {
      /* A message for people, from the profiler: its numbers grouped. */
      g_autofree char *message = cw_format_group_numbers_in_text (r->error_message);

      add_line (g, _("Error message"), message);
    }
  if (r->dropped_records > 0)
    add_u64_line (g, _("Dropped CUPTI records (trace incomplete)"), r->dropped_records);

  /* A training lane's result beside its peaks; only where a check ran (no
   * receipt before the training lanes has one). */
  if (r->gradcheck.status != CW_GRADCHECK_NONE)
    add_gradcheck_group (self, &r->gradcheck);

  if (r->n_buffers > 0)
    {
      g = add_group (self, _("Predicted buffers"));
      for (size_t i = 0; i < r->n_buffers; i++)
        {
          g_autofree char *name = r->buffers[i].is_input ? g_strdup_printf (_("%s (input)"), r->buffers[i].name)
                                                         : g_strdup (r->buffers[i].name);
          add_bytes_line (g, name, r->buffers[i].bytes);
        }
    }
  if (r->n_phases > 0)
    {
      g = add_group (self, _("Predicted live bytes per phase"));
      for (size_t i = 0; i < r->n_phases; i++)
        add_bytes_line (g, r->phases[i].name, r->phases[i].live_bytes);
    }

  g = add_group (self, _("Recall and capture legality"));
  if (r->has_recall)
    {
      g_snprintf (buf, sizeof buf, "%.6f", r->recall);
      add_line (g, _("Recall against the reference"), buf);
    }
  else
    add_line (g, _("Recall against the reference"), _("not measured"));
  if (r->capture.attempted)
    {
      g_snprintf (buf, sizeof buf, _("captured %s, instantiated %s, replayed %s, replay matches %s"),
                  yes_no (r->capture.captured), yes_no (r->capture.instantiated),
                  yes_no (r->capture.replayed), yes_no (r->capture.matched));
      add_line (g, _("CUDA graph capture"), buf);
      if (r->capture.cuda_error_name[0] != '\0')
        add_verbatim_line (g, _("Capture error"), r->capture.cuda_error_name);
    }
  else
    add_line (g, _("CUDA graph capture"), _("not attempted"));

  g = add_group (self, _("Configuration"));
  add_verbatim_line (g, _("Profile"), r->profile);
  add_u64_line (g, _("Batch b"), c->b);
  add_u64_line (g, _("Indexer heads h"), c->h);
  add_u64_line (g, _("Head dim d"), c->d);
  add_u64_line (g, _("Query tokens sq"), c->sq);
  add_u64_line (g, _("Key positions sk"), cw_config_get_sk (c));
  add_u64_line (g, _("Compression ratio m"), c->ratio);
  add_u64_line (g, _("Top-k"), c->top_k);
  add_line (g, _("Causal rule"), cw_causal_get_name (c->causal));
  g_snprintf (buf, sizeof buf, "q %s, k %s, w %s, score %s, index %s",
              cw_dtype_get_name (c->q_dtype), cw_dtype_get_name (c->k_dtype), cw_dtype_get_name (c->w_dtype),
              cw_dtype_get_name (c->score_dtype), cw_dtype_get_name (c->index_dtype));
  add_line (g, _("Dtypes"), buf);
  add_bytes_line (g, _("Streaming chunk budget"), c->chunk_budget_bytes);

  g = add_group (self, _("Provenance"));
  add_verbatim_line (g, _("GPU"), p->gpu_name);
  add_verbatim_line (g, _("GPU UUID"), p->gpu_uuid);
  add_bytes_line (g, _("HBM total"), p->hbm_total_bytes);
  add_verbatim_line (g, _("Driver"), p->driver_version);
  {
    g_autofree char *driver = format_cuda_version (p->cuda_driver_version);
    g_autofree char *runtime = format_cuda_version (p->cuda_runtime_version);
    g_autofree char *raw = g_strdup_printf ("cudaDriverGetVersion %d, cudaRuntimeGetVersion %d",
                                            p->cuda_driver_version, p->cuda_runtime_version);

    /* Translators: CUDA driver and runtime versions, e.g. "13.0" */
    g_snprintf (buf, sizeof buf, _("driver %s, runtime %s"), driver, runtime);
    gtk_widget_set_tooltip_text (add_line (g, _("CUDA versions"), buf), raw);
    /* CUPTI's API version is a number of its own, not a count. */
    g_snprintf (buf, sizeof buf, "%u", p->cupti_version);
    add_verbatim_line (g, _("CUPTI API version"), p->cupti_version != 0 ? buf : _("not profiled"));
  }
  add_verbatim_line (g, _("Host"), p->host);
  g_snprintf (buf, sizeof buf, "%s (%s)", p->cliffwatch_version, p->git_revision);
  add_verbatim_line (g, _("Cliffwatch version"), buf);
  add_line (g, _("Taken (UTC)"), date);
  add_verbatim_line (g, _("UUID"), r->uuid);
  if (r->sweep_id[0] != '\0')
    add_verbatim_line (g, _("Sweep"), r->sweep_id);
  if (r->note[0] != '\0')
    add_verbatim_line (g, _("Note"), r->note);

  cw_chart_view_set_chart (self->chart_view, cw_gui_chart_timeline_in (r, self->database ? cw_receipt_database_get_path (self->database) : NULL));
  /* No trace, no timeline: say why instead of blank axes. */
  gtk_stack_set_visible_child_name (self->timeline_stack, r->n_events > 0 ? "chart" : "no-trace");
  /* Another receipt is read from its top, not at the last one's scroll. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->detail_scroller), 0.0);
}

/* Nothing shown: the empty state, as before any selection. */
static void
show_empty (CwReceiptsPage *self)
{
  clear_details (self);
  self->detail_id = 0;
  g_clear_pointer (&self->receipt, cw_receipt_free);
  gtk_label_set_text (self->detail_title, _("Select a receipt to see its details."));
  cw_chart_view_set_chart (self->chart_view, NULL);
  gtk_stack_set_visible_child_name (self->detail_stack, "empty");
  /* In one column an empty detail is nothing to look at. */
  adw_leaflet_set_visible_child_name (self->leaflet, "list");
}

static void
detail_loaded_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  CwReceiptsPage *self = user_data;
  g_autoptr(GError) error = NULL;
  CwReceipt *receipt;

  receipt = cw_receipt_database_load_receipt_finish (CW_RECEIPT_DATABASE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }

  if (receipt == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not load the receipt: %s"), error->message);

      g_warning ("%s", message);
      clear_details (self);
      gtk_label_set_text (self->detail_title, message);
      cw_chart_view_set_chart (self->chart_view, NULL);
      gtk_stack_set_visible_child_name (self->detail_stack, "detail");
      self->detail_id = 0;
    }
  else
    {
      show_receipt (self, receipt);
      self->detail_id = receipt->id;
      g_clear_pointer (&self->receipt, cw_receipt_free);
      self->receipt = receipt;
    }

  g_object_unref (self);
}

static void
selection_changed_cb (CwReceiptsPage *self)
{
  CwReceiptRow *row = gtk_single_selection_get_selected_item (self->selection);

  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);

  g_debug ("selected receipt %" G_GINT64_FORMAT, row ? cw_receipt_row_get_receipt (row)->id : 0);
  /* Unselected, or the filter removed the selected row (0 matches too):
   * the pane must not go on showing a receipt the list no longer has. */
  if (row == NULL || self->database == NULL)
    {
      show_empty (self);
      return;
    }

  /* In one column, choosing a receipt opens its detail. */
  adw_leaflet_set_visible_child_name (self->leaflet, "detail");
  self->detail_cancellable = g_cancellable_new ();
  cw_receipt_database_load_receipt_async (self->database, cw_receipt_row_get_receipt (row)->id,
                                          self->detail_cancellable, detail_loaded_cb, g_object_ref (self));
}

/* ---- one column or two ------------------------------------------------------ */

static void
back_cb (CwReceiptsPage *self)
{
  cw_receipts_page_navigate_back (self);
}

/* Going back to the list clears the selection: the list shows no row as
 * open, and choosing the same receipt again opens it again. */
static void
leaflet_child_cb (CwReceiptsPage *self)
{
  if (adw_leaflet_get_folded (self->leaflet)
      && g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "list") == 0
      && gtk_single_selection_get_selected_item (self->selection) != NULL)
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

/* The leaflet folds while it is being allocated: showing the back button
 * then would resize the page in the middle of the layout, so it waits. */
static gboolean
folded_idle (gpointer user_data)
{
  CwReceiptsPage *self = user_data;
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  self->folded_idle = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), folded);
  /* Folding with a receipt open keeps it in view. */
  if (folded && g_strcmp0 (gtk_stack_get_visible_child_name (self->detail_stack), "detail") == 0
      && gtk_single_selection_get_selected_item (self->selection) != NULL)
    adw_leaflet_set_visible_child_name (self->leaflet, "detail");
  return G_SOURCE_REMOVE;
}

static void
folded_cb (CwReceiptsPage *self)
{
  if (self->folded_idle == 0)
    self->folded_idle = g_idle_add_full (G_PRIORITY_DEFAULT, folded_idle, self, NULL);
}

gboolean
cw_receipts_page_get_folded (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), FALSE);
  return adw_leaflet_get_folded (self->leaflet);
}

const char *
cw_receipts_page_get_visible_pane (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), NULL);
  if (!adw_leaflet_get_folded (self->leaflet))
    return "both";
  return adw_leaflet_get_visible_child_name (self->leaflet);
}

gboolean
cw_receipts_page_navigate_back (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), FALSE);
  if (!adw_leaflet_get_folded (self->leaflet))
    return FALSE;
  return adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* ---- the memory timeline ------------------------------------------------- */

/* The hover text at time x (seconds since the lane's start) on a timeline
 * chart: the time, the exact live bytes there, the highest in the pointer's
 * pixel column when a spike hides in it, and the NVTX ranges open at x,
 * outermost first. NULL on charts with no live-bytes step. */
char *
cw_receipts_page_timeline_text (CwChart *chart, double x, double x_lo, double x_hi)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  CwChartLayer *step = NULL;
  double live, top, top_x;

  for (size_t l = 0; chart != NULL && l < cw_chart_get_n_layers (chart); l++)
    if (g_strcmp0 (cw_chart_layer_get_kind (cw_chart_get_layer (chart, l)), "step") == 0)
      step = cw_chart_get_layer (chart, l);
  if (step == NULL || !cw_chart_step_layer_get_value_at (step, x, &live) || live < 0)
    return NULL;

  {
    g_autofree char *exact = cw_format_size_exact ((guint64) live);

    /* Translators: time since the lane started, in milliseconds */
    g_string_append_printf (text, _("at %+.6f ms"), x * 1e3);
    g_string_append_c (text, '\n');
    /* Translators: exact live bytes, e.g. "1,022,361,600 B (975.00 MiB, 1.02 GB)" */
    g_string_append_printf (text, _("live %s"), exact);
  }
  if (cw_chart_step_layer_get_max_in (step, x_lo, x_hi, &top_x, &top) && top > live)
    {
      g_autofree char *exact = cw_format_size_exact ((guint64) top);

      g_string_append_c (text, '\n');
      /* Translators: exact bytes of the highest step within one pixel */
      g_string_append_printf (text, _("highest in this pixel: %s at %+.6f ms"), exact, top_x * 1e3);
    }

  for (size_t l = 0; l < cw_chart_get_n_layers (chart); l++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, l);

      if (g_strcmp0 (cw_chart_layer_get_kind (layer), "band") != 0)
        continue;
      for (unsigned depth = 0; depth <= 64; depth++)
        {
          gboolean any_deeper = FALSE;

          for (size_t i = 0; i < cw_chart_band_layer_get_n_bands (layer); i++)
            {
              double x0, x1;
              unsigned d;
              const char *name;

              if (!cw_chart_band_layer_get_band (layer, i, &x0, &x1, &d, &name))
                continue;
              if (d > depth)
                any_deeper = TRUE;
              if (d == depth && x >= x0 && x <= x1 && name != NULL)
                g_ptr_array_add (names, (gpointer) name);
            }
          if (!any_deeper)
            break;
        }
    }
  if (names->len > 0)
    {
      g_string_append_c (text, '\n');
      g_string_append (text, _("NVTX: "));
      for (guint i = 0; i < names->len; i++)
        g_string_append_printf (text, "%s%s", i > 0 ? " › " : "", (const char *) g_ptr_array_index (names, i));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
timeline_position_text (CwChartView *view, double x, double y, double x_lo, double x_hi, gpointer user_data)
{
  return cw_receipts_page_timeline_text (cw_chart_view_get_chart (view), x, x_lo, x_hi);
}

static void
zoom_in_cb (CwReceiptsPage *self)
{
  cw_chart_view_zoom_x (self->chart_view, 2.0, -1);
}

static void
zoom_out_cb (CwReceiptsPage *self)
{
  cw_chart_view_zoom_x (self->chart_view, 0.5, -1);
}

static void
zoom_reset_cb (CwReceiptsPage *self)
{
  cw_chart_view_reset_zoom (self->chart_view);
}

GtkWindow *
cw_receipts_page_open_timeline_window (CwReceiptsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *window, *box, *header, *view;
  CwChart *chart;
  int width = 1100, height = 680;
  double min, max;

  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), NULL);

  if (self->receipt == NULL)
    return NULL;
  chart = cw_gui_chart_timeline_in (self->receipt, self->database ? cw_receipt_database_get_path (self->database) : NULL);
  if (GTK_IS_WINDOW (root))
    {
      width = MIN (width, MAX (gtk_widget_get_width (GTK_WIDGET (root)) - 40, 480));
      height = MIN (height, MAX (gtk_widget_get_height (GTK_WIDGET (root)) - 40, 360));
    }

  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), cw_chart_get_title (chart) != NULL ? cw_chart_get_title (chart)
                                                                                 : _("Memory Timeline"));
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  view = cw_chart_view_new ();
  gtk_widget_set_vexpand (view, TRUE);
  gtk_widget_set_hexpand (view, TRUE);
  gtk_widget_set_margin_start (view, 12);
  gtk_widget_set_margin_end (view, 12);
  gtk_widget_set_margin_bottom (view, 12);
  cw_chart_view_set_chart_style (CW_CHART_VIEW (view), cw_chart_view_get_chart_style (self->chart_view));
  cw_chart_view_set_chart (CW_CHART_VIEW (view), chart);
  cw_chart_view_set_x_zoomable (CW_CHART_VIEW (view), TRUE);
  /* Nothing to scroll around it here: the plain wheel zooms. */
  cw_chart_view_set_scroll_zooms (CW_CHART_VIEW (view), TRUE);
  cw_chart_view_set_position_func (CW_CHART_VIEW (view), timeline_position_text, NULL, NULL);
  /* It opens on the range the pane shows. */
  if (cw_chart_view_get_zoomed (self->chart_view)
      && cw_chart_view_get_visible_x_range (self->chart_view, &min, &max))
    cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, min, max);
  gtk_box_append (GTK_BOX (box), view);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_grab_focus (view);
  return GTK_WINDOW (window);
}

static void
open_timeline_window_cb (CwReceiptsPage *self)
{
  cw_receipts_page_open_timeline_window (self);
}

double
cw_receipts_page_get_detail_scroll (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), 0.0);
  return gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (self->detail_scroller));
}

void
cw_receipts_page_set_detail_scroll (CwReceiptsPage *self, double value)
{
  g_return_if_fail (CW_IS_RECEIPTS_PAGE (self));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->detail_scroller), value);
}

/* ---- public API ----------------------------------------------------------- */

void
cw_receipts_page_set_database (CwReceiptsPage *self, CwReceiptDatabase *database)
{
  g_return_if_fail (CW_IS_RECEIPTS_PAGE (self));

  g_set_object (&self->database, database);
  gtk_filter_list_model_set_model (self->filter_model,
                                   database ? cw_receipt_database_get_rows (database) : NULL);
  update_lanes (self);
  show_empty (self);
  update_count (self);
}

GListModel *
cw_receipts_page_get_filtered_model (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), NULL);
  return G_LIST_MODEL (self->sort_model);
}

CwChartView *
cw_receipts_page_get_chart_view (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), NULL);
  return self->chart_view;
}

void
cw_receipts_page_focus_search (CwReceiptsPage *self)
{
  g_return_if_fail (CW_IS_RECEIPTS_PAGE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
cw_receipts_page_set_search_text (CwReceiptsPage *self, const char *text)
{
  g_return_if_fail (CW_IS_RECEIPTS_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  /* Apply now rather than after the entry's typing delay. */
  refilter (self);
}

void
cw_receipts_page_select (CwReceiptsPage *self, guint position)
{
  g_return_if_fail (CW_IS_RECEIPTS_PAGE (self));
  gtk_single_selection_set_selected (self->selection, position);
}

void
cw_receipts_page_bind_settings (CwReceiptsPage *self, GSettings *settings)
{
  g_return_if_fail (CW_IS_RECEIPTS_PAGE (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_set_object (&self->settings, settings);
  for (int c = 0; c < COL_N; c++)
    if (column_keys[c] != NULL)
      {
        g_autofree char *key = g_strconcat ("receipts-column-", column_keys[c], NULL);

        g_settings_bind (settings, key, self->columns[c], "visible", G_SETTINGS_BIND_DEFAULT);
      }
}

char *
cw_receipts_page_dup_shown_columns (CwReceiptsPage *self)
{
  GListModel *columns;
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), NULL);
  columns = gtk_column_view_get_columns (self->column_view);
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (columns, i);

      if (gtk_column_view_column_get_visible (col))
        g_string_append_printf (out, "%s%s", out->len ? "," : "", gtk_column_view_column_get_title (col));
    }
  return g_string_free (out, FALSE);
}

/* The column titles as laid out: the header's title widgets, one per
 * column in the columns' order, each shown while its column is. */
char *
cw_receipts_page_dup_visible_columns (CwReceiptsPage *self)
{
  GListModel *columns;
  GString *out = g_string_new (NULL);
  GtkWidget *viewport, *header = NULL, *title;

  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), NULL);
  /* The list's visible width is its scrolled window's, not the column
   * view's (that is as wide as its columns). */
  viewport = gtk_widget_get_parent (GTK_WIDGET (self->column_view));
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->column_view)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (g_strcmp0 (gtk_widget_get_css_name (c), "header") == 0)
      header = c;
  if (header == NULL || viewport == NULL)
    return g_string_free (out, FALSE);
  columns = gtk_column_view_get_columns (self->column_view);
  title = gtk_widget_get_first_child (header);
  for (guint i = 0; i < g_list_model_get_n_items (columns) && title != NULL;
       i++, title = gtk_widget_get_next_sibling (title))
    {
      g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (columns, i);
      graphene_rect_t bounds;

      if (!gtk_column_view_column_get_visible (col) || !gtk_widget_get_mapped (title)
          || !gtk_widget_compute_bounds (title, viewport, &bounds))
        continue;
      if (bounds.origin.x >= -0.5 && bounds.origin.x + bounds.size.width <= gtk_widget_get_width (viewport) + 0.5)
        g_string_append_printf (out, "%s%s", out->len ? "," : "", gtk_column_view_column_get_title (col));
    }
  return g_string_free (out, FALSE);
}

/* Selects self->pending_select_id once the sort model lists it; gives up
 * after 5 s (the database was replaced, or the row is gone). */
static gboolean
retry_select_cb (gpointer user_data)
{
  CwReceiptsPage *self = user_data;
  GListModel *model = G_LIST_MODEL (self->sort_model);

  for (guint i = 0, n = g_list_model_get_n_items (model); i < n; i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (model, i);

      if (row != NULL && cw_receipt_row_get_receipt (row)->id == self->pending_select_id)
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->column_view), "list.scroll-to-item", "u", i);
          self->pending_select_source = 0;
          return G_SOURCE_REMOVE;
        }
    }
  /* Rows the sort model answers NULL for do not come back by waiting when
   * its positions went stale under many small items-changed of the
   * incremental filter (seen on a loaded main loop): have it sort again. */
  if (self->pending_select_tries == 4 && gtk_sort_list_model_get_sorter (self->sort_model) != NULL)
    gtk_sorter_changed (gtk_sort_list_model_get_sorter (self->sort_model), GTK_SORTER_CHANGE_DIFFERENT);
  if (++self->pending_select_tries >= 200)
    {
      self->pending_select_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

gboolean
cw_receipts_page_select_id (CwReceiptsPage *self, gint64 id)
{
  GListModel *model;
  guint n;

  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), FALSE);

  /* A receipt hidden by the search or filters is shown by clearing them. */
  for (int attempt = 0; attempt < 2; attempt++)
    {
      model = G_LIST_MODEL (self->sort_model);
      n = g_list_model_get_n_items (model);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CwReceiptRow) row = g_list_model_get_item (model, i);

          /* Right after a refilter on a busy main loop the sort model can
           * answer NULL for rows it has not taken in yet: retried below. */
          if (row != NULL && cw_receipt_row_get_receipt (row)->id == id)
            {
              gtk_single_selection_set_selected (self->selection, i);
              gtk_widget_activate_action (GTK_WIDGET (self->column_view), "list.scroll-to-item", "u", i);
              return TRUE;
            }
        }
      if (attempt == 0)
        {
          cw_receipts_page_clear_filters (self);
          /* Incremental filtering would list the rows over several idles;
           * finish it now so the row can be found. */
          gtk_filter_list_model_set_incremental (self->filter_model, FALSE);
          gtk_filter_list_model_set_incremental (self->filter_model, TRUE);
        }
    }
  /* Not listed yet although the filters are cleared: select it once the
   * models have caught up, if the database has it at all. */
  if (self->database != NULL)
    {
      GListModel *rows = cw_receipt_database_get_rows (self->database);

      for (guint i = 0, n_rows = g_list_model_get_n_items (rows); i < n_rows; i++)
        {
          g_autoptr(CwReceiptRow) row = g_list_model_get_item (rows, i);

          if (row != NULL && cw_receipt_row_get_receipt (row)->id == id)
            {
              self->pending_select_id = id;
              self->pending_select_tries = 0;
              if (self->pending_select_source == 0)
                self->pending_select_source = g_timeout_add (25, retry_select_cb, self);
              return TRUE;
            }
        }
    }
  return FALSE;
}

/* What the list side shows: "list", "no-database", "no-receipts" or
 * "no-match"; the detail side: "detail" or "empty". For the self-test. */
const char *
cw_receipts_page_get_list_state (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->list_stack);
}

const char *
cw_receipts_page_get_detail_state (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->detail_stack);
}

/* "chart", or "no-trace" when the shown receipt has no trace to draw. */
const char *
cw_receipts_page_get_timeline_state (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->timeline_stack);
}

gint64
cw_receipts_page_get_detail_id (CwReceiptsPage *self)
{
  g_return_val_if_fail (CW_IS_RECEIPTS_PAGE (self), 0);
  return self->detail_id;
}

/* ---- lifecycle -------------------------------------------------------------- */

static void
cw_receipts_page_dispose (GObject *object)
{
  CwReceiptsPage *self = CW_RECEIPTS_PAGE (object);

  g_clear_handle_id (&self->pending_select_source, g_source_remove);
  g_clear_handle_id (&self->folded_idle, g_source_remove);
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  for (int c = 0; c < COL_N; c++)
    g_clear_object (&self->columns[c]);
  g_clear_object (&self->settings);
  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->database);
  g_clear_pointer (&self->detail_groups, g_ptr_array_unref);
  g_clear_pointer (&self->receipt, cw_receipt_free);
  g_clear_pointer (&self->search_text, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_RECEIPTS_PAGE);
  /* The template's top box has no id, so dispose_template leaves it. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (cw_receipts_page_parent_class)->dispose (object);
}

static void
cw_receipts_page_class_init (CwReceiptsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_receipts_page_dispose;

  g_type_ensure (CW_TYPE_CHART_VIEW);
  g_type_ensure (CW_TYPE_RECEIPT_ROW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cliffwatch/Cliffwatch/cw-receipts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, lane_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, back_button);
  gtk_widget_class_bind_template_callback (widget_class, back_cb);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, no_match_page);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, timeline_stack);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, detail_stack);
  gtk_widget_class_bind_template_callback (widget_class, clear_filters_cb);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, chart_view);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, detail_box);
  gtk_widget_class_bind_template_child (widget_class, CwReceiptsPage, detail_scroller);
  gtk_widget_class_bind_template_callback (widget_class, zoom_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, zoom_out_cb);
  gtk_widget_class_bind_template_callback (widget_class, zoom_reset_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_timeline_window_cb);
}

static void
cw_receipts_page_init (CwReceiptsPage *self)
{
  const char *statuses[] = { _("Any status"), _("ok"), _("out of memory"), _("capture failed"), _("error"), NULL };
  g_autoptr(GtkStringList) status_model = gtk_string_list_new (statuses);
  GtkSorter *view_sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->detail_groups = g_ptr_array_new ();
  gtk_drop_down_set_model (self->status_dropdown, G_LIST_MODEL (status_model));

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  gtk_filter_list_model_set_incremental (self->filter_model, TRUE);

  add_column (self, COL_ID, _("ID"), "id", NULL, FALSE);
  add_column (self, COL_LANE, _("Lane"), "lane", NULL, FALSE);
  add_column (self, COL_STATUS, _("Status"), "status", NULL, FALSE);
  add_column (self, COL_PREDICTED, _("Predicted"), "predicted", NULL, FALSE);
  add_column (self, COL_MEASURED, _("Measured"), "measured", NULL, FALSE);
  add_column (self, COL_ERROR, _("Error"), "abs-error-percent", NULL, FALSE);
  add_column (self, COL_CONFIG, _("Configuration"), "sq", NULL, TRUE);
  add_column (self, COL_GPU, _("GPU"), "gpu", NULL, FALSE);
  add_column (self, COL_LANE_TIME, _("Lane time"), "lane-ms", NULL, FALSE);
  add_column (self, COL_DATE, _("Date"), "time", NULL, FALSE);
  {
    g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();

    for (int c = 0; c < COL_N; c++)
      if (column_keys[c] != NULL)
        {
          g_autofree char *name = g_strconcat ("column-", column_keys[c], NULL);
          g_autoptr(GPropertyAction) action = g_property_action_new (name, self->columns[c], "visible");

          g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
        }
    gtk_widget_insert_action_group (GTK_WIDGET (self), "receipts", G_ACTION_GROUP (group));
  }

  view_sorter = gtk_column_view_get_sorter (self->column_view);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_model)),
                                              g_object_ref (view_sorter));
  gtk_sort_list_model_set_incremental (self->sort_model, TRUE);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sort_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sort_model, "items-changed", G_CALLBACK (update_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (refilter), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->status_dropdown, "notify::selected", G_CALLBACK (refilter_dropdowns), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lane_dropdown, "notify::selected", G_CALLBACK (refilter_dropdowns), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->leaflet, "notify::folded", G_CALLBACK (folded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::visible-child", G_CALLBACK (leaflet_child_cb), self,
                           G_CONNECT_SWAPPED);
  folded_idle (self);

  cw_chart_view_set_x_zoomable (self->chart_view, TRUE);
  cw_chart_view_set_position_func (self->chart_view, timeline_position_text, NULL, NULL);

  update_lanes (self);
  update_count (self);
}
