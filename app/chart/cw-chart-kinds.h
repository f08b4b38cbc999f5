/* cw-chart-kinds.h: the planner's charts as both front ends show them.
 *
 * The builders of cw-chart-builder.h draw from plain data; these functions
 * decide everything else a chart says, so the workbench and
 * `cliffwatch-cli chart` cannot drift apart: the sampled range, the title,
 * the axis titles and the provenance caption. Front ends only gather the
 * inputs. Texts go through cw_chart_translate(), numbers people read are
 * grouped (cw_chart_format_count). The receipts' charts (compare, its
 * error view, the timeline) are in cw-receipt-charts.h, which needs the
 * store. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-chart-builder.h"
#include "cw-chart.h"
#include "cw-config.h"
#include "cw-error.h"
#include "cw-index-cache.h"
#include "cw-profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a plan's chart says it shows. */
typedef struct {
  const CwConfig *config;
  const char     *preset;     /* may be NULL: "custom configuration" */
  const char     *engine;     /* may be NULL or "" */
  const char     *gpu_name;   /* may be NULL or "" */
  /* The receipts database the chart draws receipts from (the cliff's
   * overlay) or, with `calibrated`, took its rates from (the index
   * cache); may be NULL. */
  const char     *database;
  bool            calibrated;
} CwChartPlanSource;

/* "Cliffwatch 0.1.0 (abc1234def56)": the end of every caption. */
void cw_chart_version_text (char *buf, size_t size);

/* "deepseek-v4-flash, engine vllm-v3.2, GPU h200: b=1 h=64 d=128 k=512
 * causal, q/k fp8-e4m3/fp8-e4m3, scores fp32, index int32 · Cliffwatch ...",
 * with "; rates calibrated from database NAME" when the source says so.
 * Also the configuration alone, for receipt captions. */
void cw_chart_plan_caption (const CwChartPlanSource *source, char *buf, size_t size);
/* Which receipts a chart draws: "database NAME, 27 receipts, ids 1-35",
 * "database NAME, receipt 3", or "database NAME" (none drawn); without a
 * database the same less its first part. The file's name only, not its
 * directory. */
void cw_chart_receipts_text (const char *database, size_t n, int64_t first_id, int64_t last_id, char *buf,
                             size_t size);
void cw_chart_config_caption (const CwConfig *config, char *buf, size_t size);

/* The cliff chart of a plan. */
typedef struct {
  CwChartPlanSource          source;        /* config required */
  uint64_t                   usable_bytes;
  const CwProfile *const    *profiles;
  size_t                     n_profiles;
  /* Receipts to overlay (cw_receipt_chart_cliff_point); may be none. With
   * source.database, the caption names the database and the ids drawn
   * (receipt_ids[tag] for each receipt; NULL: the database alone). */
  const CwChartCliffReceipt *receipts;
  size_t                     n_receipts;
  const int64_t             *receipt_ids;
  /* 0: the default range, [max(1024, ratio), max(1M, 4 sq) up to 16M],
   * widened by powers of two to reach every receipt. */
  uint64_t                   sq_min, sq_max;
  unsigned                   per_octave;    /* 0: 8 */
} CwChartCliffPlan;

#define CW_CHART_CLIFF_PER_OCTAVE 8

CwChart *cw_chart_kind_cliff (const CwChartCliffPlan *plan, CwError *error);

/* The index-cache chart; source NULL (or its config NULL): no caption. */
CwChart *cw_chart_kind_indexcache (const CwIndexCachePlan *plan, const CwChartPlanSource *source, CwError *error);

#ifdef __cplusplus
}
#endif
