/* cw-compare-page.c: the Compare page.
 *
 * Follows the Receipts page's filtered list: search or filter there and the
 * chart here shows the same receipts, either as measured against predicted
 * peak (y = x) or, since on that chart every agreeing point sits on the
 * diagonal, as each receipt's signed error with the tolerance band (the
 * "view" property, "scatter" or "error", kept in GSettings by the window). Rebuilding the chart is coalesced
 * to one rebuild per burst of list changes, since a filter change arrives
 * as many items-changed signals while the filter runs incrementally. When
 * there is nothing to draw a status page says why; when the Receipts
 * page's search or filters are the reason (they hide receipts of the
 * database) it offers Clear Filters (win.clear-filters).
 * Owner: workbench. */
#include "cw-build-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cw-chart-builder.h"
#include "cw-compare-page.h"
#include "cw-format.h"
#include "cw-gui-charts.h"
#include "cw-receipt-row.h"

#define REBUILD_DELAY_MS 120

struct _CwComparePage
{
  GtkWidget    parent_instance;
  GListModel  *rows;
  GListModel  *all_rows;      /* the database's rows, unfiltered; may be NULL */
  char        *database;      /* the file named in the chart's caption; may be NULL */
  guint        rebuild_id;
  char        *point_text;
  gint64       point_id;      /* receipt of the point last clicked; 0: none */
  gboolean     error_view;

  GtkStack      *stack;
  AdwStatusPage *empty_page;
  GtkWidget     *empty_button;
  GtkWidget     *clear_button;
  GtkLabel      *summary_label;
  GtkToggleButton *scatter_button;
  GtkToggleButton *error_button;
  CwChartView   *chart_view;
  GtkLabel      *point_label;
};

G_DEFINE_FINAL_TYPE (CwComparePage, cw_compare_page, GTK_TYPE_WIDGET)

static char *
describe_point (CwComparePage *self, guint position)
{
  g_autoptr(CwReceiptRow) row = NULL;
  const CwReceipt *r;
  char predicted[CW_FORMAT_SIZE_EXACT_MAX], measured[CW_FORMAT_SIZE_EXACT_MAX], id[32], sq[48];
  double error;

  if (self->rows == NULL || position >= g_list_model_get_n_items (self->rows))
    return NULL;

  row = g_list_model_get_item (self->rows, position);
  r = cw_receipt_row_get_receipt (row);
  {
    uint64_t cp, cm;

    cw_receipt_get_compared_peaks (r, &cp, &cm);
    error = cw_chart_compare_error_fraction ((double) cp, (double) cm);
    cw_format_size_exact_to_buffer (cp, predicted, sizeof predicted);
    cw_format_size_exact_to_buffer (cm, measured, sizeof measured);
  }
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, r->id);
  {
    g_autofree char *grouped = cw_format_count (r->config.sq);

    g_strlcpy (sq, grouped, sizeof sq);
  }

  /* Translators: receipt id, lane, sq, predicted bytes, measured bytes, signed error in percent, agree/disagree */
  return g_strdup_printf (_("Receipt %s (%s, sq=%s): predicted %s, measured %s, error %+.3f %% — %s"),
                          id, r->lane, sq,
                          predicted, measured, 100.0 * error,
                          cw_receipt_peak_agrees (r) ? _("within tolerance") : _("outside tolerance"));
}

static char *
tooltip_func (CwChartView *view, const CwChartHit *hit, gpointer user_data)
{
  return describe_point (CW_COMPARE_PAGE (user_data), (guint) hit->tag);
}

void
cw_compare_page_select_point (CwComparePage *self, guint position)
{
  g_return_if_fail (CW_IS_COMPARE_PAGE (self));

  g_free (self->point_text);
  self->point_text = describe_point (self, position);
  self->point_id = 0;
  if (self->point_text != NULL)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (self->rows, position);

      self->point_id = cw_receipt_row_get_receipt (row)->id;
    }
  gtk_label_set_text (self->point_label, self->point_text ? self->point_text : "");
}

enum {
  RECEIPT_ACTIVATED,
  N_SIGNALS
};

enum {
  PROP_0,
  PROP_VIEW,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

/* Click or Enter on a point: its error line here, then its receipt (the
 * window opens it on the Receipts page, as the Plan chart's points do). */
static void
item_activated_cb (CwChartView *view, guint layer, guint tag, CwComparePage *self)
{
  g_autoptr(CwReceiptRow) row = NULL;

  cw_compare_page_select_point (self, tag);
  if (self->rows == NULL || tag >= g_list_model_get_n_items (self->rows))
    return;
  row = g_list_model_get_item (self->rows, tag);
  g_signal_emit (self, signals[RECEIPT_ACTIVATED], 0, (gint64) cw_receipt_row_get_receipt (row)->id);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static gboolean
rebuild (gpointer user_data)
{
  CwComparePage *self = user_data;
  g_autoptr(GArray) errors = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *summary = NULL;
  guint n = self->rows ? g_list_model_get_n_items (self->rows) : 0;
  guint total = self->all_rows ? g_list_model_get_n_items (self->all_rows) : n;
  guint n_agree = 0;

  self->rebuild_id = 0;
  cw_chart_view_set_chart (self->chart_view, self->error_view ? cw_gui_chart_compare_error (self->rows, self->database)
                                                              : cw_gui_chart_compare (self->rows, self->database));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (self->rows, i);
      const CwReceipt *r = cw_receipt_row_get_receipt (row);
      double e;

      if (r->status != CW_RECEIPT_STATUS_OK || r->predicted_peak_bytes == 0 || r->measured_peak_bytes == 0)
        continue;
      {
        uint64_t cp, cm;

        cw_receipt_get_compared_peaks (r, &cp, &cm);
        e = fabs (cw_chart_compare_error_fraction ((double) cp, (double) cm));
      }
      g_array_append_val (errors, e);
      if (cw_receipt_peak_agrees (r))
        n_agree++;
    }

  if (errors->len > 0)
    {
      double median, worst;

      g_array_sort (errors, compare_doubles);
      median = g_array_index (errors, double, errors->len / 2);
      worst = g_array_index (errors, double, errors->len - 1);
      /* Translators: counts, then median and worst absolute error in percent */
      summary = g_strdup_printf (_("%u receipts with a measured peak, %u within tolerance (max of 1 %% and 8 MiB); "
                                   "median |error| %.3f %%, worst %.3f %%"),
                                 errors->len, n_agree, 100.0 * median, 100.0 * worst);
    }
  else
    summary = g_strdup (_("No receipt in the current list has both a predicted and a measured peak."));

  gtk_label_set_text (self->summary_label, summary);

  /* Nothing to draw: say why and what to do instead of blank 0–1 axes. */
  if (errors->len > 0)
    gtk_stack_set_visible_child_name (self->stack, "content");
  else
    {
      if (self->rows == NULL)
        {
          adw_status_page_set_title (self->empty_page, _("Nothing to Compare"));
          adw_status_page_set_description (self->empty_page,
                                           _("Open a receipt database to compare predicted with measured peaks. To measure your own GPU, run “cliffwatch-cli profile --db FILE --lane all” there and open FILE."));
          gtk_widget_set_visible (self->empty_button, TRUE);
        }
      else if (n == 0 && total > 0)
        {
          g_autofree char *count = cw_format_count (total);
          /* Translators: %s is the number of receipts in the database */
          g_autofree char *description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                       "The Receipts page’s search and filters hide the %s receipt in this database. Clear them to compare it.",
                                                                       "The Receipts page’s search and filters hide all %s receipts in this database. Clear them to compare them.",
                                                                       total),
                                                          count);

          adw_status_page_set_title (self->empty_page, _("No Receipt Matches the Filters"));
          adw_status_page_set_description (self->empty_page, description);
          gtk_widget_set_visible (self->empty_button, FALSE);
        }
      else if (n == 0)
        {
          adw_status_page_set_title (self->empty_page, _("No Receipts in the List"));
          adw_status_page_set_description (self->empty_page,
                                           _("The Receipts page’s search and filters leave no receipt, or the database is empty. Clear them there, or run “cliffwatch-cli profile --db FILE --lane all” on a GPU node to add receipts."));
          gtk_widget_set_visible (self->empty_button, FALSE);
        }
      else
        {
          adw_status_page_set_title (self->empty_page, _("No Measured Peaks"));
          adw_status_page_set_description (self->empty_page,
                                           _("None of the receipts in the list has both a predicted and a measured peak (runs that ran out of memory have none). Widen the Receipts page’s filters, or profile a size that fits."));
          gtk_widget_set_visible (self->empty_button, FALSE);
        }
      /* The search or filters hide receipts the database has. */
      gtk_widget_set_visible (self->clear_button, self->rows != NULL && n < total);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  return G_SOURCE_REMOVE;
}

/* A filter change arrives as many batches while the filter runs
 * incrementally; rebuild once the list has been quiet for a moment. */
static void
queue_rebuild (CwComparePage *self)
{
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  self->rebuild_id = g_timeout_add (REBUILD_DELAY_MS, rebuild, self);
}

void
cw_compare_page_set_model (CwComparePage *self, GListModel *rows)
{
  g_return_if_fail (CW_IS_COMPARE_PAGE (self));

  if (self->rows != NULL)
    g_signal_handlers_disconnect_by_func (self->rows, queue_rebuild, self);
  g_set_object (&self->rows, rows);
  if (rows != NULL)
    g_signal_connect_object (rows, "items-changed", G_CALLBACK (queue_rebuild), self, G_CONNECT_SWAPPED);
  queue_rebuild (self);
}

void
cw_compare_page_set_all_rows (CwComparePage *self, GListModel *all_rows)
{
  g_return_if_fail (CW_IS_COMPARE_PAGE (self));

  if (self->all_rows != NULL)
    g_signal_handlers_disconnect_by_func (self->all_rows, queue_rebuild, self);
  g_set_object (&self->all_rows, all_rows);
  if (all_rows != NULL)
    g_signal_connect_object (all_rows, "items-changed", G_CALLBACK (queue_rebuild), self, G_CONNECT_SWAPPED);
  queue_rebuild (self);
}

void
cw_compare_page_set_database (CwComparePage *self, const char *path)
{
  g_return_if_fail (CW_IS_COMPARE_PAGE (self));

  g_free (self->database);
  self->database = g_strdup (path);
  queue_rebuild (self);
}

CwChartView *
cw_compare_page_get_chart_view (CwComparePage *self)
{
  g_return_val_if_fail (CW_IS_COMPARE_PAGE (self), NULL);

  /* Whoever asks for the chart (export) gets it up to date. */
  if (self->rebuild_id != 0)
    {
      g_clear_handle_id (&self->rebuild_id, g_source_remove);
      rebuild (self);
    }
  return self->chart_view;
}

/* "content", or "empty" when the page shows why there is nothing to draw. */
const char *
cw_compare_page_get_state (CwComparePage *self)
{
  g_return_val_if_fail (CW_IS_COMPARE_PAGE (self), NULL);

  if (self->rebuild_id != 0)
    {
      g_clear_handle_id (&self->rebuild_id, g_source_remove);
      rebuild (self);
    }
  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
cw_compare_page_get_view (CwComparePage *self)
{
  g_return_val_if_fail (CW_IS_COMPARE_PAGE (self), NULL);
  return self->error_view ? "error" : "scatter";
}

void
cw_compare_page_set_view (CwComparePage *self, const char *view)
{
  gboolean error_view;

  g_return_if_fail (CW_IS_COMPARE_PAGE (self));

  error_view = g_strcmp0 (view, "error") == 0;
  /* The toggles are the state a user sees; their handler does the rest. */
  gtk_toggle_button_set_active (error_view ? self->error_button : self->scatter_button, TRUE);
}

static void
view_toggled_cb (CwComparePage *self)
{
  gboolean error_view = gtk_toggle_button_get_active (self->error_button);

  if (error_view == self->error_view)
    return;
  self->error_view = error_view;
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

gint64
cw_compare_page_get_point_id (CwComparePage *self)
{
  g_return_val_if_fail (CW_IS_COMPARE_PAGE (self), 0);
  return self->point_id;
}

const char *
cw_compare_page_get_point_text (CwComparePage *self)
{
  g_return_val_if_fail (CW_IS_COMPARE_PAGE (self), NULL);
  return self->point_text;
}

static void
cw_compare_page_dispose (GObject *object)
{
  CwComparePage *self = CW_COMPARE_PAGE (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->rows != NULL)
    g_signal_handlers_disconnect_by_func (self->rows, queue_rebuild, self);
  g_clear_object (&self->rows);
  if (self->all_rows != NULL)
    g_signal_handlers_disconnect_by_func (self->all_rows, queue_rebuild, self);
  g_clear_object (&self->all_rows);
  g_clear_pointer (&self->point_text, g_free);
  g_clear_pointer (&self->database, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_COMPARE_PAGE);

  G_OBJECT_CLASS (cw_compare_page_parent_class)->dispose (object);
}

static void
cw_compare_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CwComparePage *self = CW_COMPARE_PAGE (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_string (value, cw_compare_page_get_view (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_compare_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CwComparePage *self = CW_COMPARE_PAGE (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      cw_compare_page_set_view (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_compare_page_class_init (CwComparePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_compare_page_dispose;
  object_class->get_property = cw_compare_page_get_property;
  object_class->set_property = cw_compare_page_set_property;

  /**
   * CwComparePage:view:
   *
   * "scatter": measured against predicted peak, y = x; "error": each
   * receipt's signed error in percent, with the tolerance band.
   */
  properties[PROP_VIEW] = g_param_spec_string ("view", NULL, NULL, "scatter",
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CwComparePage::receipt-activated:
   * @id: the receipt's id in the database
   *
   * A point was clicked or chosen with the keyboard.
   */
  signals[RECEIPT_ACTIVATED] = g_signal_new ("receipt-activated", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (CW_TYPE_CHART_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cliffwatch/Cliffwatch/cw-compare-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwComparePage, stack);
  gtk_widget_class_bind_template_child (widget_class, CwComparePage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CwComparePage, empty_button);
  gtk_widget_class_bind_template_child (widget_class, CwComparePage, clear_button);
  gtk_widget_class_bind_template_child (widget_class, CwComparePage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CwComparePage, scatter_button);
  gtk_widget_class_bind_template_child (widget_class, CwComparePage, error_button);
  gtk_widget_class_bind_template_child (widget_class, CwComparePage, chart_view);
  gtk_widget_class_bind_template_child (widget_class, CwComparePage, point_label);
}

static void
cw_compare_page_init (CwComparePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  cw_chart_view_set_tooltip_func (self->chart_view, tooltip_func, self, NULL);
  g_signal_connect_object (self->chart_view, "item-activated", G_CALLBACK (item_activated_cb), self, 0);
  g_signal_connect_object (self->error_button, "toggled", G_CALLBACK (view_toggled_cb), self, G_CONNECT_SWAPPED);
  queue_rebuild (self);
}
