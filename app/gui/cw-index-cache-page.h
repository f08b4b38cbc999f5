/* cw-index-cache-page.h: the Index cache page: layer roles, stage
 * boundaries, transfer or recompute. Owner: workbench. */
#pragma once

#include <adwaita.h>

#include "cw-calibration.h"
#include "cw-chart-view.h"
#include "cw-planner.h"

G_BEGIN_DECLS

#define CW_TYPE_INDEX_CACHE_PAGE (cw_index_cache_page_get_type ())

G_DECLARE_FINAL_TYPE (CwIndexCachePage, cw_index_cache_page, CW, INDEX_CACHE_PAGE, GtkWidget)

void         cw_index_cache_page_bind_settings  (CwIndexCachePage *self,
                                                 GSettings        *settings);
/* The Plan page's configuration, preset (for its layer list) and GPU (for
 * the chart's caption); NULL while the Plan page's inputs are wrong: the
 * page then says to fix them. */
void         cw_index_cache_page_set_config     (CwIndexCachePage *self,
                                                 const CwConfig   *config,
                                                 const char       *preset,
                                                 const char       *gpu_name);
CwChartView *cw_index_cache_page_get_chart_view (CwIndexCachePage *self);
/* The inputs side bar beside the results: folded away (and shown over
 * them on demand) in a narrow window. */
AdwFlap     *cw_index_cache_page_get_flap       (CwIndexCachePage *self);
/* "layers=N full=F promoted=P payload=BYTES" plus one line per boundary
 * "boundary I consumer=L decision=NAME", or "error: ..."; with calibration
 * on, first "calibration=..." (what was calibrated, or why not) and the
 * lines of the calibrated plan. */
char        *cw_index_cache_page_dup_summary    (CwIndexCachePage *self);

/* What the page plans from: the Plan page's configuration and preset, the
 * preset whose layers are used (NULL or the same: the preset's own), the
 * schedule, the assumed rates and, when calibrating, the calibration. */
typedef struct {
  const CwConfig      *config;
  const char          *preset;
  const char          *layers_preset;
  uint64_t             every_n, n_stages;
  double               link_gbps, tflops;
  const CwCalibration *calibration;   /* NULL: the assumed rates only */
  const char          *gpu_name;      /* the Plan page's GPU; NULL: none */
} CwIndexCachePageInput;

/* The page's plans, without a widget (the front-end test calls it): the
 * setup resolved as `cliffwatch-cli indexcache` resolves it (the preset's
 * index heads included), *assumed at the assumed rates and, with a
 * calibration, *calibrated as `indexcache --calibration DB` plans it with
 * no --link-gbps/--tflops (cw_calibration_plan_index_cache; *rates says
 * what it used). Free both with cw_index_cache_plan_free. */
gboolean     cw_index_cache_page_plan           (const CwIndexCachePageInput  *input,
                                                 CwIndexCachePlan            **assumed,
                                                 CwIndexCachePlan            **calibrated,
                                                 CwCalibrationIndexCacheRates *rates,
                                                 CwError                      *error);

/* The page's chart of plan (one of cw_index_cache_page_plan's): its
 * caption names input's model and GPU as `cliffwatch-cli chart indexcache`
 * does, and calibration_db when the plan is the calibrated one. */
CwChart     *cw_index_cache_page_chart          (const CwIndexCachePageInput  *input,
                                                 const CwIndexCachePlan       *plan,
                                                 const char                   *calibration_db);

G_END_DECLS
