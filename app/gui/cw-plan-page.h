/* cw-plan-page.h: the Plan page: inputs, live breakdown, cliff chart.
 * Owner: workbench. */
#pragma once

#include <gtk/gtk.h>

#include "cw-chart-view.h"
#include "cw-planner.h"

G_BEGIN_DECLS

#define CW_TYPE_PLAN_PAGE (cw_plan_page_get_type ())

G_DECLARE_FINAL_TYPE (CwPlanPage, cw_plan_page, CW, PLAN_PAGE, GtkWidget)

void         cw_plan_page_bind_settings  (CwPlanPage *self,
                                          GSettings  *settings);
/* CwReceiptRow items overlaid on the cliff chart when their configuration
 * matches the inputs. */
void         cw_plan_page_set_receipts   (CwPlanPage *self,
                                          GListModel *receipts);
CwChartView *cw_plan_page_get_chart_view (CwPlanPage *self);
/* The configuration of the last successful plan; FALSE while the inputs are
 * invalid (or before the first plan). */
gboolean     cw_plan_page_get_config     (CwPlanPage *self,
                                          CwConfig   *config);
const char  *cw_plan_page_get_preset     (CwPlanPage *self);
/* Selects an engine configuration ("" or NULL: none) as the user would;
 * FALSE when there is no such engine file. */
gboolean     cw_plan_page_set_engine     (CwPlanPage *self,
                                          const char *engine);
/* Types into one input as a user would: "sq", "prefix", "batch", "heads",
 * "head-dim", "ratio", "sk", "topk", "reserve", "chunk-budget",
 * "granularity". FALSE for an unknown field. */
gboolean     cw_plan_page_set_field      (CwPlanPage *self,
                                          const char *field,
                                          const char *text);
/* One line per compared profile: "NAME peak=BYTES fits=yes|no max_sq=N",
 * or the current input error. For tests and the self-test report. */
char        *cw_plan_page_dup_summary    (CwPlanPage *self);

G_END_DECLS
