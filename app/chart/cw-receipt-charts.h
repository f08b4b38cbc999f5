/* cw-receipt-charts.h: receipts → chart inputs, the one adapter both front
 * ends call (the CLI's `chart` and the workbench), so a receipt draws the
 * same chart with the same numbers wherever it is shown.
 *
 * The memory timeline replays the trace with the rule every measured peak
 * follows (profiler/cw-live-bytes.h: frees matched by address), so its
 * highest step is the receipt's measured peak. Time zero is the lane's
 * outermost NVTX range (depth 0) when there is one, else the first event. */
#pragma once

#include "cw-chart.h"
#include "cw-error.h"
#include "cw-receipt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The memory timeline of one receipt (its trace loaded). CW_ERROR_NOT_FOUND
 * when the receipt has no trace to draw. */
CwChart *cw_receipt_chart_timeline (const CwReceipt *receipt, CwError *error);

#ifdef __cplusplus
}
#endif
