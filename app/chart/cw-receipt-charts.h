/* cw-receipt-charts.h: receipts → chart inputs, the one adapter both front
 * ends call (the CLI's `chart` and the workbench), so a receipt draws the
 * same chart with the same numbers wherever it is shown.
 *
 * The memory timeline replays the trace with the rule every measured peak
 * follows (profiler/cw-live-bytes.h: frees matched by address), so its
 * highest step is the receipt's measured peak. Time zero is the lane's
 * outermost NVTX range (depth 0) when there is one, else the first event. */
#pragma once

#include <stddef.h>

#include "cw-chart-builder.h"
#include "cw-chart-kinds.h"
#include "cw-chart.h"
#include "cw-config.h"
#include "cw-error.h"
#include "cw-profile.h"
#include "cw-receipt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The memory timeline of one receipt (its trace loaded), captioned with
 * the receipt and `db` (the database file; NULL leaves it out).
 * CW_ERROR_NOT_FOUND when the receipt has no trace to draw. */
CwChart *cw_receipt_chart_timeline_in (const CwReceipt *receipt, const char *db, CwError *error);
/* The same without a database name. */
CwChart *cw_receipt_chart_timeline (const CwReceipt *receipt, CwError *error);
/* Two receipts' memory timelines on one time and byte scale
 * (cw_chart_builder_timeline_pair), for comparing them side by side; each
 * may come from its own database (db_a, db_b: the files, NULL leaves a name
 * out). Titled with both receipts, captioned with both ids, databases and
 * GPUs (cw_receipt_chart_pair_caption). CW_ERROR_NOT_FOUND when either has
 * no trace. */
CwChart *cw_receipt_chart_timeline_pair (const CwReceipt *a, const char *db_a, const CwReceipt *b,
                                         const char *db_b, CwError *error);

/* Why a receipt is or is not a point of a chart. */
typedef enum {
  CW_RECEIPT_CHART_DRAWN = 0,
  CW_RECEIPT_CHART_NOT_MEMORY,     /* capture-failed or error: no peak to show */
  CW_RECEIPT_CHART_OTHER_CONFIG,   /* not on this sweep (cw_config_is_on_sweep) */
  CW_RECEIPT_CHART_WHOLE_PROGRAM,  /* an external program's whole process: no prediction stands next to it */
  CW_RECEIPT_CHART_NO_CURVE,       /* predicted by a profile not on the chart */
  CW_RECEIPT_CHART_UNPREDICTED,    /* compare: no predicted or no measured peak */
  CW_RECEIPT_CHART_N_FATES
} CwReceiptChartFate;

/* The cliff chart's point for a receipt, on the sweep `config` with these
 * profiles as curves: the curve of the profile that predicted it; an ok
 * receipt at its charted peak (cw_receipt_get_charted_peak), an OOM where it
 * died: the bytes it held plus the request that failed (measured, unlike
 * the prediction the curve already shows; its prediction when it recorded
 * no request). pt->tag is left to the caller. */
CwReceiptChartFate cw_receipt_chart_cliff_point (const CwReceipt *receipt, const CwConfig *config,
                                                 const CwProfile *const *profiles, size_t n_profiles,
                                                 CwChartCliffReceipt *pt);

/* The compare chart's point for a receipt: compared peaks
 * (cw_receipt_get_compared_peaks), grouped by lane, or for an external
 * program by the profile that predicts it (*group_key, borrowed from the
 * receipt). pt->group and pt->tag are left to the caller. */
CwReceiptChartFate cw_receipt_chart_compare_point (const CwReceipt *receipt, CwChartComparePoint *pt,
                                                   const char **group_key);

/* The cliff chart's points for `receipts` (cw_receipt_chart_cliff_point
 * each), tagged with their index in `receipts`, into `points` (room for n);
 * *n_points drawn, and fates[f] counts the receipts of each fate (drawn
 * ones included). */
void cw_receipt_chart_cliff_points (const CwReceipt *const *receipts, size_t n, const CwConfig *config,
                                    const CwProfile *const *profiles, size_t n_profiles,
                                    CwChartCliffReceipt *points, size_t *n_points,
                                    size_t fates[CW_RECEIPT_CHART_N_FATES]);

/* The compare chart of `receipts` as both front ends show it: measured
 * against predicted peak on y = x (SCATTER), or each receipt's signed
 * error in percent against its predicted peak (ERROR, see
 * cw_chart_builder_compare_error), grouped by lane, the agreement band
 * the receipts are judged by, points tagged with their index in
 * `receipts`, and captioned with `db` (NULL leaves it out) and the ids
 * drawn. With no receipt to draw: the axes and the empty message. */
typedef enum {
  CW_RECEIPT_COMPARE_SCATTER,
  CW_RECEIPT_COMPARE_ERROR,
} CwReceiptCompareView;

typedef struct {
  size_t n_points;      /* receipts drawn */
  size_t n_groups;      /* lanes (or external programs' profiles) */
  size_t n_agree;       /* drawn receipts within their agreement rule */
  size_t n_left_out;    /* without a measured and a predicted peak */
} CwReceiptCompareSummary;

CwChart *cw_receipt_chart_compare (const CwReceipt *const *receipts, size_t n, const char *db,
                                   CwReceiptCompareView view, CwReceiptCompareSummary *summary,
                                   CwError *error);

/* Provenance lines for cw_chart_set_caption, so an exported chart says what
 * it shows. A plan: cw_chart_plan_caption (preset, engine, gpu may be NULL).
 * Receipts: "database FILE, receipts 1-56 · Cliffwatch ..." (db may be NULL;
 * n 0 leaves the ids out). One receipt: its database, id, GPU and config. */
void cw_receipt_chart_plan_caption     (const CwConfig *config, const char *preset, const char *engine,
                                        const char *gpu, char *buf, size_t size);
void cw_receipt_chart_receipts_caption (const char *db, size_t n, int64_t first_id, int64_t last_id,
                                        char *buf, size_t size);
void cw_receipt_chart_receipt_caption  (const CwReceipt *receipt, const char *db, char *buf, size_t size);
/* Two receipts: "database A.db, receipt 17 (fused, sq 65,536), NVIDIA H200
 * against database B.db, receipt 27 (...) · Cliffwatch ...". */
void cw_receipt_chart_pair_caption     (const CwReceipt *a, const char *db_a, const CwReceipt *b,
                                        const char *db_b, char *buf, size_t size);

/* The store's agreement rules as the compare chart's band, defined for any
 * double: lanes max(1 %, 8 MiB), external programs max(0.5 %, 8 MiB). A
 * chart whose points are all external programs' draws their band; any lane
 * among them draws the lanes' (each point's own verdict is in its hover). */
double cw_receipt_chart_tolerance (double predicted_bytes);
double cw_receipt_chart_exec_tolerance (double predicted_bytes);

#ifdef __cplusplus
}
#endif
