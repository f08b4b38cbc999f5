/* cw-index-cache.c: per-layer index-cache schedule and per-boundary decisions (domain.md §5). */
#include "cw-index-cache.h"

#include <stdlib.h>
#include <string.h>

#include "cw-bytes.h"

struct _CwIndexCachePlan {
  uint64_t n_layers;
  uint64_t n_stages;
  uint64_t payload;
  double flops;
  double recompute_s;
  double transfer_s;
  uint64_t n_full;
  uint64_t n_promoted;
  uint8_t *role;             /* CwLayerRole per layer */
  uint64_t *stage;
  uint64_t *resident;
  uint64_t *consumer;        /* per boundary */
  uint8_t *decision;         /* per boundary */
};

void
cw_index_cache_config_init (CwIndexCacheConfig *ic)
{
  memset (ic, 0, sizeof *ic);
  ic->schedule = CW_SCHEDULE_EVERY_N;
  ic->every_n = 1;
  ic->stages = CW_STAGES_EVEN;
  ic->n_stages = 1;
}

void
cw_index_cache_plan_free (CwIndexCachePlan *plan)
{
  if (plan == NULL)
    return;
  free (plan->role);
  free (plan->stage);
  free (plan->resident);
  free (plan->consumer);
  free (plan->decision);
  free (plan);
}

static bool
check_ascending (const uint64_t *v, uint64_t n, uint64_t limit, const char *what, CwError *error)
{
  for (uint64_t i = 0; i < n; i++)
    {
      if (v[i] >= limit)
        {
          cw_error_set (error, CW_ERROR_INVALID, "%s: layer %llu is beyond the last layer (%llu layers)",
                        what, (unsigned long long) v[i], (unsigned long long) limit);
          return false;
        }
      if (i > 0 && v[i] <= v[i - 1])
        {
          cw_error_set (error, CW_ERROR_INVALID, "%s must be strictly ascending (%llu after %llu)", what,
                        (unsigned long long) v[i], (unsigned long long) v[i - 1]);
          return false;
        }
    }
  return true;
}

CwIndexCachePlan *
cw_index_cache_plan_new (const CwConfig *config, const CwIndexCacheConfig *ic, CwError *error)
{
  CwIndexCachePlan *p;
  uint64_t L = ic->n_layers, heads, payload, index_bytes, sk;
  bool *has_indexer = NULL, *scheduled_full = NULL;
  uint64_t n_indexer_seen = 0;
  int64_t cache_stage = -1;   /* stage holding the current valid cache, -1: none */

  if (!cw_config_validate (config, error))
    return NULL;
  if (L == 0 || L > CW_INDEX_CACHE_MAX_LAYERS)
    {
      cw_error_set (error, CW_ERROR_INVALID, "layers must be between 1 and %d", CW_INDEX_CACHE_MAX_LAYERS);
      return NULL;
    }
  if (!check_ascending (ic->indexer_layers, ic->n_indexer_layers, L, "indexer layers", error))
    return NULL;
  if (ic->schedule == CW_SCHEDULE_EVERY_N && ic->every_n == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "anchor interval (every-n) must be at least 1");
      return NULL;
    }
  if (ic->schedule == CW_SCHEDULE_EXPLICIT &&
      !check_ascending (ic->full_layers, ic->n_full_layers, L, "full layers", error))
    return NULL;
  if (ic->n_stages == 0 || ic->n_stages > L)
    {
      cw_error_set (error, CW_ERROR_INVALID, "stages must be between 1 and the number of layers (%llu)",
                    (unsigned long long) L);
      return NULL;
    }
  if (ic->stages == CW_STAGES_EXPLICIT)
    {
      if (ic->stage_first_layer == NULL || ic->stage_first_layer[0] != 0)
        {
          cw_error_set (error, CW_ERROR_INVALID, "the first stage must start at layer 0");
          return NULL;
        }
      if (!check_ascending (ic->stage_first_layer, ic->n_stages, L, "stage starts", error))
        return NULL;
    }
  if (ic->link_bytes_per_s == 0 || ic->flops_per_s == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "link bandwidth and throughput must be greater than 0");
      return NULL;
    }

  heads = ic->index_heads ? ic->index_heads : 1;
  index_bytes = cw_dtype_get_bits (config->index_dtype) / 8;
  if (cw_dtype_get_bits (config->index_dtype) % 8 != 0 || index_bytes == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "index dtype %s is not a whole number of bytes",
                    cw_dtype_get_name (config->index_dtype));
      return NULL;
    }
  if (!cw_mul_u64 (config->b, config->sq, &payload) || !cw_mul_u64 (payload, heads, &payload) ||
      !cw_mul_u64 (payload, config->top_k, &payload) || !cw_mul_u64 (payload, index_bytes, &payload))
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "index cache payload b*sq*H*top_k*bytes overflows uint64");
      return NULL;
    }

  p = calloc (1, sizeof *p);
  has_indexer = calloc (L, sizeof *has_indexer);
  scheduled_full = calloc (L, sizeof *scheduled_full);
  if (p == NULL || has_indexer == NULL || scheduled_full == NULL ||
      (p->role = calloc (L, 1)) == NULL || (p->stage = calloc (L, sizeof *p->stage)) == NULL ||
      (p->resident = calloc (L, sizeof *p->resident)) == NULL ||
      (p->consumer = calloc (ic->n_stages, sizeof *p->consumer)) == NULL ||
      (p->decision = calloc (ic->n_stages, 1)) == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      goto fail;
    }
  p->n_layers = L;
  p->n_stages = ic->n_stages;
  p->payload = payload;
  sk = cw_config_get_sk (config);
  /* 2*b*sq*sk*h*d; causal rules skip about half of the rectangle. */
  p->flops = 2.0 * (double) config->b * (double) config->sq * (double) sk * (double) config->h * (double) config->d;
  if (config->causal != CW_CAUSAL_NONE)
    p->flops /= 2.0;
  p->recompute_s = p->flops / (double) ic->flops_per_s;
  p->transfer_s = (double) payload / (double) ic->link_bytes_per_s;

  for (uint64_t l = 0; l < L; l++)
    has_indexer[l] = ic->n_indexer_layers == 0;
  for (uint64_t i = 0; i < ic->n_indexer_layers; i++)
    has_indexer[ic->indexer_layers[i]] = true;
  for (uint64_t l = 0; l < L; l++)
    if (has_indexer[l])
      {
        if (ic->schedule == CW_SCHEDULE_EVERY_N)
          scheduled_full[l] = n_indexer_seen % ic->every_n == 0;
        n_indexer_seen++;
      }
  if (ic->schedule == CW_SCHEDULE_EXPLICIT)
    for (uint64_t i = 0; i < ic->n_full_layers; i++)
      {
        if (!has_indexer[ic->full_layers[i]])
          {
            cw_error_set (error, CW_ERROR_INVALID, "full layer %llu carries no indexer",
                          (unsigned long long) ic->full_layers[i]);
            goto fail;
          }
        scheduled_full[ic->full_layers[i]] = true;
      }
  if (n_indexer_seen == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "no layer carries an indexer");
      goto fail;
    }

  for (uint64_t l = 0; l < L; l++)
    {
      if (ic->stages == CW_STAGES_EVEN)
        {
          /* Earlier stages take the remainder, one extra layer each. */
          uint64_t base = L / ic->n_stages, extra = L % ic->n_stages;
          uint64_t big = extra * (base + 1);
          p->stage[l] = l < big ? l / (base + 1) : extra + (l - big) / base;
        }
      else
        {
          uint64_t s = 0;
          while (s + 1 < ic->n_stages && ic->stage_first_layer[s + 1] <= l)
            s++;
          p->stage[l] = s;
        }
    }
  for (uint64_t b = 0; b < ic->n_stages; b++)
    p->consumer[b] = UINT64_MAX;
  for (uint64_t l = 0; l < L; l++)
    {
      uint64_t s = p->stage[l];

      if (s > 0 && has_indexer[l] && p->consumer[s - 1] == UINT64_MAX)
        p->consumer[s - 1] = l;
    }

  for (uint64_t l = 0; l < L; l++)
    {
      uint64_t s = p->stage[l];

      if (has_indexer[l])
        {
          if (scheduled_full[l])
            {
              p->role[l] = CW_LAYER_FULL;
              p->n_full++;
            }
          else if (cache_stage == (int64_t) s)
            p->role[l] = CW_LAYER_SHARED;
          else if (cache_stage >= 0 && s > 0 && p->consumer[s - 1] == l
                   && cw_boundary_decision_for_times (p->transfer_s, p->recompute_s) == CW_BOUNDARY_TRANSFER)
            {
              /* A deliberate transfer contract: cheaper than recomputing. */
              p->role[l] = CW_LAYER_SHARED;
              p->decision[s - 1] = CW_BOUNDARY_TRANSFER;
            }
          else
            {
              /* Fail closed: no valid local cache, so recompute. */
              p->role[l] = CW_LAYER_PROMOTED;
              p->n_full++;
              p->n_promoted++;
              if (s > 0 && p->consumer[s - 1] == l)
                p->decision[s - 1] = CW_BOUNDARY_RECOMPUTE;
            }
          cache_stage = (int64_t) s;
        }
      p->resident[l] = cache_stage == (int64_t) s ? payload : 0;
    }
  free (has_indexer);
  free (scheduled_full);
  return p;

fail:
  free (has_indexer);
  free (scheduled_full);
  cw_index_cache_plan_free (p);
  return NULL;
}

uint64_t cw_index_cache_plan_get_payload_bytes (const CwIndexCachePlan *p) { return p->payload; }
double cw_index_cache_plan_get_recompute_flops (const CwIndexCachePlan *p) { return p->flops; }
uint64_t cw_index_cache_plan_get_n_layers (const CwIndexCachePlan *p) { return p->n_layers; }
uint64_t cw_index_cache_plan_get_n_full (const CwIndexCachePlan *p) { return p->n_full; }
uint64_t cw_index_cache_plan_get_n_promoted (const CwIndexCachePlan *p) { return p->n_promoted; }
uint64_t cw_index_cache_plan_get_n_boundaries (const CwIndexCachePlan *p) { return p->n_stages - 1; }

CwLayerRole
cw_index_cache_plan_get_layer_role (const CwIndexCachePlan *p, uint64_t layer)
{
  return layer < p->n_layers ? (CwLayerRole) p->role[layer] : CW_LAYER_NO_INDEXER;
}

uint64_t
cw_index_cache_plan_get_layer_stage (const CwIndexCachePlan *p, uint64_t layer)
{
  return layer < p->n_layers ? p->stage[layer] : 0;
}

uint64_t
cw_index_cache_plan_get_layer_resident_bytes (const CwIndexCachePlan *p, uint64_t layer)
{
  return layer < p->n_layers ? p->resident[layer] : 0;
}

uint64_t
cw_index_cache_plan_get_boundary_consumer (const CwIndexCachePlan *p, uint64_t b)
{
  return b + 1 < p->n_stages ? p->consumer[b] : UINT64_MAX;
}

/* Payload only crosses (or is avoided) where a consumer needs a cache it lacks. */
uint64_t
cw_index_cache_plan_get_boundary_payload_bytes (const CwIndexCachePlan *p, uint64_t b)
{
  return b + 1 < p->n_stages && p->decision[b] != CW_BOUNDARY_NOTHING ? p->payload : 0;
}

double
cw_index_cache_plan_get_boundary_transfer_s (const CwIndexCachePlan *p, uint64_t b)
{
  return b + 1 < p->n_stages && p->decision[b] != CW_BOUNDARY_NOTHING ? p->transfer_s : 0.0;
}

double
cw_index_cache_plan_get_boundary_recompute_s (const CwIndexCachePlan *p, uint64_t b)
{
  return b + 1 < p->n_stages && p->decision[b] != CW_BOUNDARY_NOTHING ? p->recompute_s : 0.0;
}

CwBoundaryDecision
cw_index_cache_plan_get_boundary_decision (const CwIndexCachePlan *p, uint64_t b)
{
  return b + 1 < p->n_stages ? (CwBoundaryDecision) p->decision[b] : CW_BOUNDARY_NOTHING;
}

const char *
cw_layer_role_get_name (CwLayerRole role)
{
  switch (role)
    {
    case CW_LAYER_NO_INDEXER: return "-";
    case CW_LAYER_FULL: return "full";
    case CW_LAYER_SHARED: return "shared";
    case CW_LAYER_PROMOTED: return "promoted";
    }
  return "invalid";
}

CwBoundaryDecision
cw_boundary_decision_for_times (double transfer_s, double recompute_s)
{
  return transfer_s < recompute_s ? CW_BOUNDARY_TRANSFER : CW_BOUNDARY_RECOMPUTE;
}

const char *
cw_boundary_decision_get_name (CwBoundaryDecision d)
{
  switch (d)
    {
    case CW_BOUNDARY_NOTHING: return "nothing";
    case CW_BOUNDARY_RECOMPUTE: return "recompute";
    case CW_BOUNDARY_TRANSFER: return "transfer";
    }
  return "invalid";
}
