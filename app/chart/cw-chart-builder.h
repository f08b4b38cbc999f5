/* cw-chart-builder.h: the four Cliffwatch charts, built from plain data.
 *
 * One code path for the workbench and `cliffwatch-cli chart`: both fill
 * these inputs (the CLI from the planner and the receipt store, the GUI from
 * its models) and draw the returned CwChart. Inputs are borrowed for the
 * duration of the call only; the chart copies what it keeps. No SQLite here:
 * receipts arrive as the small structs below.
 *
 * Titles: pass NULL for the built-in English title, or a translated one.
 * Every builder returns NULL with `error` set on bad input (CW_ERROR_INVALID,
 * CW_ERROR_CORRUPT for an inconsistent trace) or CW_ERROR_OOM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-chart.h"
#include "cw-error.h"
#include "cw-config.h"
#include "cw-index-cache.h"
#include "cw-profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- cliff: predicted peak vs sq per profile ------------------------------ */

typedef struct {
  const char   *name;          /* profile name: legend label and cliff label */
  const double *sq;            /* sample positions, ascending */
  const double *peak_bytes;    /* predicted peak at each sample */
  size_t        n;
  /* The cliff: the largest sq that still fits (cw_cliff_max_sq). When
   * `fits_at_all` is false nothing fits and the label says so; when
   * `cliff_in_range` is false the profile fits across the whole sampled range
   * and no cliff marker is drawn. */
  bool          fits_at_all;
  bool          cliff_in_range;
  uint64_t      cliff_sq;
} CwChartCliffCurve;

typedef struct {
  size_t   curve;              /* index into curves (its colour); any value >= n_curves: no curve */
  double   sq;
  double   peak_bytes;         /* measured peak (ok); for OOM, where to draw the cross */
  bool     oom;
  size_t   tag;                /* returned by cw_chart_hit_test (e.g. receipt index) */
} CwChartCliffReceipt;

typedef struct {
  const char                *title;
  double                     usable_bytes;   /* > 0: the usable-HBM line */
  const char                *gpu_name;       /* for the line's label; may be NULL */
  const CwChartCliffCurve   *curves;
  size_t                     n_curves;
  const CwChartCliffReceipt *receipts;
  size_t                     n_receipts;
  /* > 0: the sq of the configuration being planned, marked on the x axis. */
  double                     current_sq;
} CwChartCliffInput;

/* The cliff chart's y axis stops at 4x the usable HBM (or 1.5x the largest
 * receipt, if higher): curves that run on to petabytes would squash the
 * range that decides a run. What lies above is clipped at the plot's edge. */
#define CW_CHART_CLIFF_Y_HEADROOM 4.0

CwChart *cw_chart_builder_cliff (const CwChartCliffInput *input, CwError *error);

/* A cliff curve sampled from the planner. `curve` points into the arrays
 * this struct owns; release them with cw_chart_cliff_samples_clear(). */
typedef struct {
  CwChartCliffCurve curve;
  char              name[64];
  double           *sq;
  double           *peak_bytes;
} CwChartCliffSamples;

/* Samples `profile` at `per_octave` points per doubling of sq over
 * [sq_min, sq_max] (sq a multiple of the ratio when base->ratio != 0, with
 * sk following it exactly as cw_cliff_max_sq does), adds the exact cliff
 * (cw_cliff_max_sq) and the first size past it so the curve crosses the
 * usable line where the planner says, and fills the cliff fields. Sizes the
 * configuration rejects (CW_ERROR_INVALID at that size) are skipped; the curve
 * ends where a size overflows uint64. Errors: an invalid base config or
 * range (CW_ERROR_INVALID), planner errors, CW_ERROR_OOM. */
bool cw_chart_cliff_samples_compute (CwChartCliffSamples *samples, const CwProfile *profile,
                                     const CwConfig *base, uint64_t usable_bytes,
                                     uint64_t sq_min, uint64_t sq_max, unsigned per_octave,
                                     CwError *error);
void cw_chart_cliff_samples_clear (CwChartCliffSamples *samples);

/* ---- compare: predicted vs measured peak ---------------------------------- */

typedef struct {
  double   predicted_bytes;    /* > 0 */
  double   measured_bytes;     /* > 0 */
  unsigned group;              /* index into group_names (colour, legend) */
  size_t   tag;
} CwChartComparePoint;

typedef struct {
  const char                *title;
  const char *const         *group_names;    /* lane or profile names: each drawn as that lane */
  size_t                     n_groups;
  const CwChartComparePoint *points;
  size_t                     n_points;
  /* Optional agreement rule: the largest |measured - predicted| that still
   * counts as agreeing, for a predicted peak — pass the receipt store's
   * rule (cw_receipt_peak_tolerance_bytes) so the band is the one the
   * receipts are judged by. NULL: no band. */
  double                   (*tolerance_bytes) (double predicted_bytes);
  const char                *tolerance_label;  /* legend text for the band */
} CwChartCompareInput;

CwChart *cw_chart_builder_compare (const CwChartCompareInput *input, CwError *error);

/* The same points as signed error against the predicted peak: x the
 * predicted peak (log), y (measured - predicted) / predicted in percent, the
 * agreement band as the percentage tolerance_bytes allows at each size, and
 * the 0 % line; y spans twice the rule's slope or the largest error with
 * room, whichever is more. Points are tagged as on the scatter. */
CwChart *cw_chart_builder_compare_error (const CwChartCompareInput *input, CwError *error);

/* (measured - predicted) / predicted: what hovering a compare point shows. */
double   cw_chart_compare_error_fraction (double predicted_bytes, double measured_bytes);

/* ---- timeline: live bytes over time, NVTX ranges, kernels ------------------ */

typedef struct {
  uint64_t t_ns;
  uint64_t bytes;
  bool     is_free;            /* false: allocation */
} CwChartMemoryEvent;

typedef struct {
  uint64_t    start_ns, end_ns;
  unsigned    depth;           /* NVTX nesting, 0 = the lane */
  const char *name;
} CwChartTimelineRange;

typedef struct {
  uint64_t start_ns, end_ns;
} CwChartTimelineKernel;

typedef struct {
  const char                  *title;
  uint64_t                     origin_ns;          /* time zero of the x axis */
  uint64_t                     live_bytes_at_origin; /* held before the first event (usually 0) */
  const CwChartMemoryEvent    *events;             /* any order; sorted by time (stable) */
  size_t                       n_events;
  const CwChartTimelineRange  *ranges;
  size_t                       n_ranges;
  const CwChartTimelineKernel *kernels;
  size_t                       n_kernels;
  double                       predicted_peak_bytes; /* > 0: drawn as a reference line */
  /* > 0 for a lane that ran out of memory: what it held plus the request
   * that failed, drawn as the line it could not cross. */
  double                       oom_needed_bytes;
  /* The lane (or profile) measured: live bytes and the measured peak are
   * drawn in its colour (cw_chart_identity_for_name). NULL: the first hue. */
  const char                  *lane;
} CwChartTimelineInput;

/* A free of more bytes than are live, or live bytes overflowing uint64, is
 * CW_ERROR_CORRUPT (the trace is incomplete or wrong; drawing it would show
 * a number that never existed). */
CwChart *cw_chart_builder_timeline (const CwChartTimelineInput *input, CwError *error);
/* Two timelines on one chart, one time and one byte scale (issue 16: two
 * receipts side by side): each input's live bytes as a step labelled with
 * its title, in its lane's colour (the second in the next hue when both
 * share one), and its measured peak as a rule; NVTX ranges, kernels and
 * predictions are left to each receipt's own timeline. Time zero is each
 * input's origin. Errors as cw_chart_builder_timeline. */
CwChart *cw_chart_builder_timeline_pair (const CwChartTimelineInput *a, const CwChartTimelineInput *b,
                                         const char *title, CwError *error);

/* ---- index cache: the layer strip and stage boundaries -------------------- */

/* Bars per model layer (height: resident index bytes on its stage; colour:
 * pipeline stage; fill: full solid / shared light / promoted hatched), the
 * payload at each stage boundary as a bar, and the boundary's transfer vs
 * recompute decision as a labelled rule. */
CwChart *cw_chart_builder_indexcache (const CwIndexCachePlan *plan, const char *title, CwError *error);

#ifdef __cplusplus
}
#endif
