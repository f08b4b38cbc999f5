/* cw-gui-charts.h: the workbench's data turned into the chart library's
 * builder inputs (app/chart/cw-chart-builder.h). Every function returns a
 * chart: on bad input, one that shows the reason instead of a plot.
 * Owner: workbench. */
#pragma once

#include <gio/gio.h>

#include "cw-chart.h"
#include "cw-planner.h"
#include "cw-receipt.h"

G_BEGIN_DECLS

typedef struct {
  const CwConfig    *config;
  uint64_t           usable_bytes;
  const char        *gpu_name;
  const char        *preset;       /* for the provenance line; may be NULL */
  const char        *engine;       /* may be NULL or "" */
  const CwProfile  **profiles;
  guint              n_profiles;
  GListModel        *receipts;     /* CwReceiptRow; may be NULL */
  const char        *database;     /* the file `receipts` come from, named in the caption with the
                                    * ids drawn (as the CLI's --db); may be NULL */
} CwPlanChartInput;

CwChart *cw_gui_chart_cliff       (const CwPlanChartInput *input);
/* A receipt's memory timeline, its caption naming the database file `db`
 * (as the CLI's; NULL: no database named). */
CwChart *cw_gui_chart_timeline_in (const CwReceipt        *receipt,
                                   const char             *db);
/* Two receipts' timelines on one time and byte scale, each captioned with
 * its database (as `chart timeline --against`); a message chart when
 * either has no trace. */
CwChart *cw_gui_chart_timeline_pair (const CwReceipt      *a,
                                     const char           *db_a,
                                     const CwReceipt      *b,
                                     const char           *db_b);
/* Measured against predicted peak of the rows (CwReceiptRow) that have
 * both; points are tagged with their position in rows. `db`: the database
 * file named in the caption, or NULL. */
CwChart *cw_gui_chart_compare     (GListModel             *rows,
                                   const char             *db);
/* The same receipts as signed error, (measured - predicted) / predicted in
 * percent, against the predicted peak, with the agreement band; points
 * tagged as in cw_gui_chart_compare(). */
CwChart *cw_gui_chart_compare_error (GListModel           *rows,
                                     const char           *db);
/* The index-cache schedule, captioned with what it was planned from (as the
 * CLI's), and with the database its rates were calibrated from when
 * `calibration_db` is not NULL. */
CwChart *cw_gui_chart_index_cache_for (const CwIndexCachePlan *plan,
                                       const CwConfig         *config,
                                       const char             *preset,
                                       const char             *gpu_name,
                                       const char             *calibration_db);
/* A chart that only says `message`. */
CwChart *cw_gui_chart_message     (const char             *message);

/* Is the receipt the configuration `config` at the receipt's sq? The
 * planner's rule, cw_config_is_on_sweep (cw-config.h). */
gboolean cw_gui_receipt_matches_config (const CwReceipt *receipt,
                                        const CwConfig  *config);

G_END_DECLS
