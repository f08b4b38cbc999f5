/* cw-calibration.h: link bandwidth, latency and indexer throughput derived
 * from index-transfer receipts (issue 6), for the index-cache planner.
 *
 * The index-transfer lane (profiler/transfer/) stores, per configuration and
 * receiving rank, an `index-transfer-recv` receipt (lane time = the NCCL
 * transfer of the int32 top-k payload) and an `index-recompute` receipt
 * (lane time = the fail-closed recompute of the same layer, FLOPs set), each
 * with a buffer "payload". A calibration reads them back and derives:
 *   link        transfer seconds = latency + bytes / bandwidth, least squares
 *               over (payload bytes, seconds); one payload size only: the
 *               bandwidth is total bytes / total seconds and the latency 0;
 *   throughput  FLOP/s of every recompute receipt, their median (the value
 *               handed to the planner) and a fit FLOPs = rate * seconds.
 *   families    the measured configurations grouped by everything but sq,
 *               each with its own median throughput and the sq at which
 *               recompute stops beating transfer.
 * Part of the store library (cwstore): it needs receipts, not CUDA, so both
 * front ends can calibrate. Nothing here prints; numbers are only ever read
 * from receipts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-error.h"
#include "cw-index-cache.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One receipt the calibration used. */
typedef struct {
  int64_t  receipt_id;
  char     run_id[37];        /* the receipt's sweep_id: ranks of one run share it */
  char     preset[64];        /* from the receipt's note ("" when absent) */
  char     gpu_name[128];
  char     gpu_uuid[64];
  char     link[64];          /* from the note, e.g. "NVLink (P2P)"; "" when absent */
  CwConfig config;
  uint64_t payload_bytes;     /* the receipt's "payload" buffer */
  double   seconds;           /* lane time */
  double   flops;             /* recompute receipts: useful FLOPs; 0 otherwise */
} CwCalibrationPoint;

typedef struct _CwCalibration CwCalibration;

/* Reads the ok index-transfer-recv and index-recompute receipts of the
 * database at db_path (opened read only), optionally only those whose GPU
 * name contains gpu_filter (case-insensitive) and whose run id equals
 * run_id (NULL or "" = any). Refusals, each a CwError: the store's own
 * (missing file CW_ERROR_NOT_FOUND, not SQLite CW_ERROR_CORRUPT, newer
 * schema CW_ERROR_VERSION); no transfer or no recompute receipt
 * (CW_ERROR_NOT_FOUND); receipts from more than one GPU model or link
 * (CW_ERROR_INVALID: calibrate them separately); a receipt without a
 * payload buffer or with a zero time (CW_ERROR_CORRUPT). */
CwCalibration *cw_calibration_new_from_db (const char *db_path, const char *gpu_filter, const char *run_id,
                                           CwError *error);
void           cw_calibration_free (CwCalibration *calibration);

size_t                    cw_calibration_get_n_transfer (const CwCalibration *calibration);
const CwCalibrationPoint *cw_calibration_get_transfer (const CwCalibration *calibration, size_t index);
size_t                    cw_calibration_get_n_recompute (const CwCalibration *calibration);
const CwCalibrationPoint *cw_calibration_get_recompute (const CwCalibration *calibration, size_t index);

/* Distinct run ids, in the order first seen. */
size_t      cw_calibration_get_n_runs (const CwCalibration *calibration);
const char *cw_calibration_get_run_id (const CwCalibration *calibration, size_t index);
const char *cw_calibration_get_gpu_name (const CwCalibration *calibration);
const char *cw_calibration_get_link (const CwCalibration *calibration);

/* The link fit. fitted is false when every transfer had the same payload size
 * (then latency is 0 by definition). The latency is what the fit gives, and
 * can come out slightly negative on noisy data; callers that predict use
 * cw_calibration_get_link_latency_used_s (the fit, clamped at 0). */
double cw_calibration_get_link_bytes_per_s (const CwCalibration *calibration);
double cw_calibration_get_link_latency_s (const CwCalibration *calibration);
double cw_calibration_get_link_latency_used_s (const CwCalibration *calibration);
bool   cw_calibration_get_link_fitted (const CwCalibration *calibration);

/* Median FLOP/s over the recompute receipts, and the least-squares rate of
 * FLOPs = rate * seconds through the origin. */
double cw_calibration_get_flops_per_s (const CwCalibration *calibration);
double cw_calibration_get_flops_per_s_fit (const CwCalibration *calibration);

/* The newest run (by receipt id) holding both a transfer and a recompute
 * receipt on the same GPU for a configuration equal to `config` (see
 * cw_calibration_config_same) and the same payload bytes. false when none. */
bool cw_calibration_find_measured (const CwCalibration *calibration, const CwConfig *config,
                                   uint64_t payload_bytes, double *transfer_s, double *recompute_s,
                                   const char **run_id);

/* Median FLOP/s of the recompute receipts in the family of `config` (same
 * computation but sq, cw_calibration_config_same_family): top-k width and
 * key count change the rate, not just the FLOPs. Falls back to every
 * receipt's median when the family has none; *n_used (may be NULL) says how
 * many family receipts were used (0: the fallback). NAN when out of memory. */
double cw_calibration_get_family_flops_per_s (const CwCalibration *calibration, const CwConfig *config,
                                              size_t *n_used);

/* The index-cache planner's whole-number rates for a calibrated link. The
 * planner has no latency input; one payload crosses every boundary, so a
 * bandwidth of payload / (latency + payload / bytes_per_s) gives it the
 * calibrated transfer time exactly. Fails (CW_ERROR_INVALID) when a rate is
 * out of range or rounds to 0. */
bool cw_calibration_get_index_cache_rates (uint64_t payload_bytes, double bytes_per_s, double latency_s,
                                           double flops_per_s, uint64_t *link_bytes_per_s,
                                           uint64_t *planner_flops_per_s, CwError *error);

/* The rates a calibrated index-cache plan uses, as both front ends plan it
 * (`indexcache --calibration`, the workbench's Index cache page). */
typedef struct {
  double bytes_per_s;   /* given, else the calibrated link bandwidth */
  double latency_s;     /* the calibrated latency (clamped at 0) */
  double flops_per_s;   /* given, else the family's median, else every receipt's */
  bool   link_given, flops_given;
  size_t n_family;      /* family receipts behind flops_per_s (0 and not given: every receipt's median) */
} CwCalibrationIndexCacheRates;

/* The index-cache plan of `config` and `assumed` with calibrated rates:
 * the link bandwidth and throughput are the given ones where > 0 (the
 * user's explicit values win) and the calibration's otherwise; the
 * calibrated latency is folded in through cw_calibration_get_index_cache_rates
 * for the assumed plan's payload. Fills *rates; NULL on failure
 * (CW_ERROR_INVALID for rates out of range, CW_ERROR_OOM). */
CwIndexCachePlan *cw_calibration_plan_index_cache (const CwCalibration *calibration, const CwConfig *config,
                                                   const CwIndexCacheConfig *assumed, double given_bytes_per_s,
                                                   double given_flops_per_s, CwCalibrationIndexCacheRates *rates,
                                                   CwError *error);

/* ---- the arithmetic, exposed for tests and the CLI ----------------------- */

/* Least squares of seconds = latency + bytes / bytes_per_s over n points.
 * One distinct size: bytes_per_s = sum(bytes) / sum(seconds), latency 0,
 * *fitted = false. Refuses n == 0, non-positive or non-finite values, and a
 * fit whose slope is not positive (time not growing with size). */
bool   cw_calibration_fit_link (const double *bytes, const double *seconds, size_t n,
                                double *bytes_per_s, double *latency_s, bool *fitted, CwError *error);
/* Median of n > 0 values (mean of the middle two for even n); the input is
 * not modified. NAN when n == 0 or out of memory. */
double cw_calibration_median (const double *values, size_t n);

/* Same computation: cw_config_is_on_sweep (the planner's one rule, either
 * way round) on the work, with sq and the effective sk equal. The streaming budget and
 * allocation granularity only move memory, not the work, and are set aside;
 * a configuration without a ratio whose sk equals its sq counts as ratio 1
 * (the index-transfer lane sweeps such configurations with sk = sq). */
bool cw_calibration_config_same (const CwConfig *a, const CwConfig *b);
/* Same family: as above but sq (and sk when it follows sq) may differ. */
bool cw_calibration_config_same_family (const CwConfig *a, const CwConfig *b);

typedef enum {
  CW_CROSSOVER_RECOMPUTE_BELOW = 0, /* recompute wins for sq <= max_sq, transfer above */
  CW_CROSSOVER_RECOMPUTE_NEVER,     /* transfer wins at every sq >= 1 */
  CW_CROSSOVER_RECOMPUTE_ALWAYS,    /* recompute wins at every sq the planner accepts */
} CwCrossoverKind;

const char *cw_crossover_kind_get_name (CwCrossoverKind kind); /* "below", "never", "always" */

typedef struct {
  CwCrossoverKind kind;
  uint64_t max_sq;               /* BELOW: the largest sq at which recompute still wins */
  uint64_t max_payload_bytes;    /* BELOW: the payload at max_sq */
  bool     recompute_quadratic;  /* sk follows sq: recompute FLOPs grow as sq^2, the payload as sq */
} CwCrossover;

/* For the family of `config` (sq varies, everything else fixed) with
 * index_heads top-k sets per token: transfer(sq) = latency_s + P(sq) / bytes_per_s,
 * recompute(sq) = F(sq) / flops_per_s, P and F from the index-cache planner.
 * Recompute wins where recompute(sq) < transfer(sq) (the planner's rule).
 * With latency >= 0 that set is {sq <= max_sq} (recompute-minus-transfer,
 * divided by sq, only grows with sq), found by bisection. */
bool cw_calibration_crossover (const CwConfig *config, uint64_t index_heads, double bytes_per_s,
                               double latency_s, double flops_per_s, CwCrossover *out, CwError *error);

/* Link bandwidth (bytes/s) below which recompute (recompute_s) beats
 * shipping payload_bytes: payload / (recompute_s - latency_s). INFINITY when
 * recompute_s <= latency_s (recompute wins on any link). */
double cw_calibration_breakeven_bytes_per_s (uint64_t payload_bytes, double recompute_s, double latency_s);

/* Top-k sets per token H a receipt's payload holds: payload / (b * sq *
 * top_k * index bytes); CW_ERROR_CORRUPT when it is not a whole number. */
bool cw_calibration_point_get_index_heads (const CwCalibrationPoint *point, uint64_t *index_heads, CwError *error);

/* One measured configuration: a transfer and a recompute receipt of one run
 * (the newest run of that configuration stands for it). */
typedef struct {
  CwConfig    config;
  uint64_t    payload_bytes;
  double      transfer_s, recompute_s;
  const char *run_id;          /* borrowed from the calibration */
  double      planner_flops;   /* the index-cache planner's recompute FLOPs */
  /* At the calibrated link and the family's throughput: */
  double      calibrated_transfer_s;    /* latency + payload / bandwidth */
  double      calibrated_recompute_s;   /* planner_flops / family FLOP/s */
  double      breakeven_bytes_per_s;    /* recompute wins below this link (INFINITY: any) */
  double      breakeven_payload_bytes;  /* ... and above this payload on the calibrated link (0: any) */
} CwCalibrationMeasured;

/* Measured configurations that differ only in sq (and sk when it follows sq)
 * and share H, sq ascending. */
typedef struct {
  CwConfig    config;          /* the first member's */
  uint64_t    index_heads;
  char        preset[64];      /* "" when members disagree or none was named */
  double      flops_per_s;     /* cw_calibration_get_family_flops_per_s */
  CwCrossover crossover;       /* at the calibrated link */
  size_t      n;
  CwCalibrationMeasured *m;
} CwCalibrationFamily;

/* The families of the calibration's transfer receipts that have a
 * recompute twin; free with cw_calibration_families_free. Lives no longer
 * than the calibration (run ids are borrowed). */
bool cw_calibration_dup_families (const CwCalibration *calibration, CwCalibrationFamily **families, size_t *n,
                                  CwError *error);
void cw_calibration_families_free (CwCalibrationFamily *families, size_t n);

#ifdef __cplusplus
}
#endif
