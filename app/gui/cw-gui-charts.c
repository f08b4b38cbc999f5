/* cw-gui-charts.c: the workbench's data handed to the chart library.
 *
 * Every chart is built by the same function `cliffwatch-cli chart` calls
 * (app/chart/cw-chart-kinds.h, cw-receipt-charts.h), which decides its
 * range, title, axis titles and caption and translates them through the
 * gettext hook the application installs; this file only turns list models
 * into arrays and failures into a chart that says why. Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>

#include "cw-chart-kinds.h"
#include "cw-gui-charts.h"
#include "cw-receipt-row.h"
#include "cw-receipt-charts.h"

CwChart *
cw_gui_chart_message (const char *message)
{
  CwChart *chart = cw_chart_new ();

  if (chart != NULL)
    cw_chart_set_empty_message (chart, message);
  return chart;
}

static CwChart *
chart_or_message (CwChart *chart, const CwError *error)
{
  if (chart != NULL)
    return chart;
  return cw_gui_chart_message (error->message[0] ? error->message : _("The chart could not be built"));
}

gboolean
cw_gui_receipt_matches_config (const CwReceipt *receipt, const CwConfig *config)
{
  /* The planner's one rule for "same configuration except sq". */
  return cw_config_is_on_sweep (config, &receipt->config);
}

/* The receipts of rows (CwReceiptRow), borrowed from the rows, in order. */
static GPtrArray *
receipts_of (GListModel *rows)
{
  guint n = rows != NULL ? g_list_model_get_n_items (rows) : 0;
  GPtrArray *receipts = g_ptr_array_sized_new (n > 0 ? n : 1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwReceiptRow) row = g_list_model_get_item (rows, i);

      /* The model keeps its rows, so the receipt outlives this reference. */
      g_ptr_array_add (receipts, (gpointer) cw_receipt_row_get_receipt (row));
    }
  return receipts;
}

CwChart *
cw_gui_chart_cliff (const CwPlanChartInput *input)
{
  g_autoptr(GPtrArray) receipts = receipts_of (input->receipts);
  g_autofree CwChartCliffReceipt *points = g_new0 (CwChartCliffReceipt, MAX (receipts->len, 1));
  g_autofree int64_t *ids = g_new0 (int64_t, MAX (receipts->len, 1));
  size_t n_points = 0, fates[CW_RECEIPT_CHART_N_FATES];
  CwChartCliffPlan plan = { 0 };
  CwError error = { 0 };

  if (input->n_profiles == 0)
    return cw_gui_chart_message (_("Select at least one profile to compare"));
  cw_receipt_chart_cliff_points ((const CwReceipt *const *) receipts->pdata, receipts->len, input->config,
                                 (const CwProfile *const *) input->profiles, input->n_profiles, points, &n_points,
                                 fates);
  for (guint i = 0; i < receipts->len; i++)
    ids[i] = ((const CwReceipt *) receipts->pdata[i])->id;
  plan.source = (CwChartPlanSource) { input->config, input->preset, input->engine, input->gpu_name, input->database,
                                      false };
  plan.usable_bytes = input->usable_bytes;
  plan.profiles = (const CwProfile *const *) input->profiles;
  plan.n_profiles = input->n_profiles;
  plan.receipts = points;
  plan.n_receipts = n_points;
  plan.receipt_ids = ids;
  return chart_or_message (cw_chart_kind_cliff (&plan, &error), &error);
}

CwChart *
cw_gui_chart_timeline_in (const CwReceipt *receipt, const char *db)
{
  CwError error = { 0 };

  if (receipt->n_events == 0)
    return cw_gui_chart_message (_("This receipt has no trace"));
  return chart_or_message (cw_receipt_chart_timeline_in (receipt, db, &error), &error);
}

CwChart *
cw_gui_chart_timeline_pair (const CwReceipt *a, const char *db_a, const CwReceipt *b, const char *db_b)
{
  CwError error = { 0 };

  return chart_or_message (cw_receipt_chart_timeline_pair (a, db_a, b, db_b, &error), &error);
}


static CwChart *
compare (GListModel *rows, const char *db, CwReceiptCompareView view)
{
  g_autoptr(GPtrArray) receipts = receipts_of (rows);
  CwError error = { 0 };

  return chart_or_message (cw_receipt_chart_compare ((const CwReceipt *const *) receipts->pdata, receipts->len, db,
                                                     view, NULL, &error),
                           &error);
}

CwChart *
cw_gui_chart_compare (GListModel *rows, const char *db)
{
  return compare (rows, db, CW_RECEIPT_COMPARE_SCATTER);
}

CwChart *
cw_gui_chart_compare_error (GListModel *rows, const char *db)
{
  return compare (rows, db, CW_RECEIPT_COMPARE_ERROR);
}


CwChart *
cw_gui_chart_index_cache_for (const CwIndexCachePlan *plan, const CwConfig *config, const char *preset,
                              const char *gpu_name, const char *calibration_db)
{
  CwChartPlanSource source = { config, preset, NULL, gpu_name, calibration_db, calibration_db != NULL };
  CwError error = { 0 };

  return chart_or_message (cw_chart_kind_indexcache (plan, &source, &error), &error);
}
