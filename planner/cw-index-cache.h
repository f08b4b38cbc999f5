/* cw-index-cache.h: the cross-layer index cache and pipeline stages (domain.md §5).
 *
 * Anchor ("full") indexer layers compute fresh top-k indices; "shared" layers
 * reuse the last anchor's. Fail closed: a shared layer with no valid cache on
 * its own pipeline stage is promoted to full and recomputes, unless the
 * planner decides the boundary is cheaper to cross by transferring the cache.
 * At each stage boundary it reports the payload, its transfer time at a link
 * bandwidth and the recompute time at a throughput, and the decision. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CW_INDEX_CACHE_MAX_LAYERS 4096

typedef enum {
  CW_SCHEDULE_EVERY_N = 0,   /* indexer layers 0, n, 2n, ... (counted among indexer layers) are full */
  CW_SCHEDULE_EXPLICIT,      /* the listed layers are full */
} CwScheduleKind;

typedef enum {
  CW_STAGES_EVEN = 0,        /* n_stages contiguous stages, sizes differ by at most one (earlier stages larger) */
  CW_STAGES_EXPLICIT,        /* stage_first_layer[i] is the first layer of stage i (ascending, [0] == 0) */
} CwStagesKind;

typedef struct {
  uint64_t n_layers;
  /* Layers carrying an indexer (0-based, ascending). n_indexer_layers == 0 means all. */
  uint64_t n_indexer_layers;
  const uint64_t *indexer_layers;

  CwScheduleKind schedule;
  uint64_t every_n;            /* CW_SCHEDULE_EVERY_N: >= 1 */
  uint64_t n_full_layers;      /* CW_SCHEDULE_EXPLICIT */
  const uint64_t *full_layers; /* must each carry an indexer */

  CwStagesKind stages;
  uint64_t n_stages;           /* both kinds */
  const uint64_t *stage_first_layer; /* CW_STAGES_EXPLICIT: n_stages entries */

  /* Top-k sets per token the cache holds (H in domain.md §5). 0 means 1: the
   * public V3.2/V4 code keeps one set per token, shared by all heads; MegaCpp's
   * example keeps one per head (H = 32). Payload = b * sq * H * top_k * index bytes. */
  uint64_t index_heads;
  uint64_t link_bytes_per_s;   /* stage-to-stage link bandwidth, > 0 */
  uint64_t flops_per_s;        /* measured indexer throughput, > 0 */
} CwIndexCacheConfig;

typedef enum {
  CW_LAYER_NO_INDEXER = 0,
  CW_LAYER_FULL,               /* anchor: computes indices */
  CW_LAYER_SHARED,             /* reuses a valid cache */
  CW_LAYER_PROMOTED,           /* shared by schedule, no valid local cache: recomputes */
} CwLayerRole;

typedef enum {
  CW_BOUNDARY_NOTHING = 0,     /* the next stage starts with its own anchor or has no indexer layers */
  CW_BOUNDARY_RECOMPUTE,       /* first consumer promoted to full */
  CW_BOUNDARY_TRANSFER,        /* cache sent across the link; first consumer stays shared */
} CwBoundaryDecision;

typedef struct _CwIndexCachePlan CwIndexCachePlan;

void cw_index_cache_config_init (CwIndexCacheConfig *ic);

/* config supplies b, sq, sk, h, d, top_k, causal and index_dtype. */
CwIndexCachePlan *cw_index_cache_plan_new (const CwConfig *config, const CwIndexCacheConfig *ic,
                                           CwError *error);
void cw_index_cache_plan_free (CwIndexCachePlan *plan);

/* Bytes of one cache: b * sq * H * top_k * index bytes. */
uint64_t cw_index_cache_plan_get_payload_bytes (const CwIndexCachePlan *plan);
/* Indexer FLOPs of one full layer: 2*b*sq*sk*h*d, halved for causal rules. */
double cw_index_cache_plan_get_recompute_flops (const CwIndexCachePlan *plan);

uint64_t cw_index_cache_plan_get_n_layers (const CwIndexCachePlan *plan);
CwLayerRole cw_index_cache_plan_get_layer_role (const CwIndexCachePlan *plan, uint64_t layer);
uint64_t cw_index_cache_plan_get_layer_stage (const CwIndexCachePlan *plan, uint64_t layer);
/* Bytes of index cache resident on the layer's stage while it runs (0 before the
 * stage's first valid cache). */
uint64_t cw_index_cache_plan_get_layer_resident_bytes (const CwIndexCachePlan *plan, uint64_t layer);

/* Boundary i is between stage i and stage i + 1 (n_stages - 1 of them). */
uint64_t cw_index_cache_plan_get_n_boundaries (const CwIndexCachePlan *plan);
/* The first indexer layer on stage i+1, or UINT64_MAX when there is none. */
uint64_t cw_index_cache_plan_get_boundary_consumer (const CwIndexCachePlan *plan, uint64_t boundary);
uint64_t cw_index_cache_plan_get_boundary_payload_bytes (const CwIndexCachePlan *plan, uint64_t boundary);
double cw_index_cache_plan_get_boundary_transfer_s (const CwIndexCachePlan *plan, uint64_t boundary);
double cw_index_cache_plan_get_boundary_recompute_s (const CwIndexCachePlan *plan, uint64_t boundary);
CwBoundaryDecision cw_index_cache_plan_get_boundary_decision (const CwIndexCachePlan *plan, uint64_t boundary);

uint64_t cw_index_cache_plan_get_n_full (const CwIndexCachePlan *plan);
uint64_t cw_index_cache_plan_get_n_promoted (const CwIndexCachePlan *plan);

/* The planner's rule at a boundary, for any pair of times (predicted,
 * calibrated or measured): transfer only when strictly cheaper, else
 * recompute (fail closed). */
CwBoundaryDecision cw_boundary_decision_for_times (double transfer_s, double recompute_s);

const char *cw_layer_role_get_name (CwLayerRole role);          /* "-", "full", "shared", "promoted" */
const char *cw_boundary_decision_get_name (CwBoundaryDecision d); /* "nothing", "recompute", "transfer" */

#ifdef __cplusplus
}
#endif
