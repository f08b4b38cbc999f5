/* cw-plan-page.h: the Plan page: inputs, live breakdown, cliff chart.
 * Owner: workbench. */
#pragma once

#include <adwaita.h>

#include "cw-chart-view.h"
#include "cw-planner.h"

G_BEGIN_DECLS

#define CW_TYPE_PLAN_PAGE (cw_plan_page_get_type ())

G_DECLARE_FINAL_TYPE (CwPlanPage, cw_plan_page, CW, PLAN_PAGE, GtkWidget)

/* What the page starts from when the default-preset and default-gpu
 * preferences are empty (or name nothing in the data directory). */
#define CW_PLAN_DEFAULT_PRESET "deepseek-v4-flash"
#define CW_PLAN_DEFAULT_GPU    "h200"

void         cw_plan_page_bind_settings  (CwPlanPage *self,
                                          GSettings  *settings);
/* CwReceiptRow items overlaid on the cliff chart when their configuration
 * matches the inputs; `database`, the file they come from, is named in the
 * chart's caption with the ids drawn (may be NULL). */
void         cw_plan_page_set_receipts   (CwPlanPage *self,
                                          GListModel *receipts,
                                          const char *database);
CwChartView *cw_plan_page_get_chart_view (CwPlanPage *self);
/* The inputs side bar beside the results: folded away (and shown over
 * them on demand) in a narrow window. */
AdwFlap     *cw_plan_page_get_flap       (CwPlanPage *self);
/* The configuration of the last successful plan (still shown, dimmed,
 * while an input is wrong); FALSE before the first. */
gboolean     cw_plan_page_get_config     (CwPlanPage *self,
                                          CwConfig   *config);
const char  *cw_plan_page_get_preset     (CwPlanPage *self);
/* The chosen GPU preset's name (NULL while none is chosen). */
const char  *cw_plan_page_get_gpu_name   (CwPlanPage *self);
/* Whether the chart and breakdown answer the inputs as typed (property
 * "results-current"); FALSE while an input is wrong, when they are dimmed
 * and insensitive. Runs a pending re-plan first. */
gboolean     cw_plan_page_get_results_current (CwPlanPage *self);
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
/* Every field from the default preset, the default GPU and reserve
 * (Preferences), no engine and no cached prefix: the page's "Reset Inputs"
 * button (action plan.reset-inputs). */
void         cw_plan_page_reset_inputs   (CwPlanPage *self);
/* Checks or clears a profile's row in the Profiles group, as a click
 * would (the breakdown and the cliff chart follow; the choice is the
 * "profiles" key). FALSE when no profile has that name. */
gboolean     cw_plan_page_set_profile_compared (CwPlanPage *self,
                                                const char *name,
                                                gboolean    compared);
/* The "Training Step" switch of the Profiles group, as a click would: each
 * checked path is planned as its training profile (NAME-train: forward and
 * backward, each pass's peak and what is saved across the boundary); a path
 * without one is listed as having no training step. */
void         cw_plan_page_set_training   (CwPlanPage *self,
                                          gboolean    training);
gboolean     cw_plan_page_get_training   (CwPlanPage *self);
/* Usable bytes of the last successful plan (0 before the first). */
guint64      cw_plan_page_get_usable_bytes (CwPlanPage *self);
/* One line per compared profile: "NAME peak=BYTES fits=yes|no max_sq=N",
 * or the current input error. For tests and the self-test report. */
char        *cw_plan_page_dup_summary    (CwPlanPage *self);

G_END_DECLS
