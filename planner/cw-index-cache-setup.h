/* cw-index-cache-setup.h: an index-cache setup resolved from what the user
 * gave and a preset.
 *
 * Owns the one rule both front ends follow to turn "this preset, these
 * overrides" into a CwIndexCacheConfig: the preset supplies the layer count,
 * the indexer layers (only when the layer count is not given either) and the
 * index heads H the user did not give; the schedule is every-n unless full
 * layers are listed; stages are even unless their first layers are listed;
 * rates default to 50 GB/s and 100 TFLOP/s (assumptions, not measurements).
 * cliffwatch-cli (indexcache, chart indexcache) and the workbench's Index
 * cache page both resolve through this module, so the same input gives the
 * same plan and payload. Plain C17; reports through CwError, never prints. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"
#include "cw-index-cache.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CW_INDEX_CACHE_SETUP_DEFAULT_LINK_BYTES_PER_S 50e9
#define CW_INDEX_CACHE_SETUP_DEFAULT_FLOPS_PER_S      100e12

typedef struct _CwIndexCacheSetup CwIndexCacheSetup;

CwIndexCacheSetup *cw_index_cache_setup_new (void);
void cw_index_cache_setup_free (CwIndexCacheSetup *setup);

/* Each setter records a value the user gave; an unset value comes from the
 * preset (layers, indexer layers, index heads) or the defaults. The list
 * setters copy the list; they fail only when memory runs out. */
void cw_index_cache_setup_set_n_layers (CwIndexCacheSetup *setup, uint64_t n_layers);
bool cw_index_cache_setup_set_indexer_layers (CwIndexCacheSetup *setup, const uint64_t *layers, uint64_t n,
                                              CwError *error);
/* Gives the layer count and indexer layers of another preset (fails when it
 * has no layer count), as the user would give them one by one: the
 * workbench plans a preset without a layer list over another's layers. */
bool cw_index_cache_setup_set_layers_from_preset (CwIndexCacheSetup *setup, const char *preset, CwError *error);
void cw_index_cache_setup_set_every_n (CwIndexCacheSetup *setup, uint64_t every_n);
bool cw_index_cache_setup_set_full_layers (CwIndexCacheSetup *setup, const uint64_t *layers, uint64_t n,
                                           CwError *error);
void cw_index_cache_setup_set_n_stages (CwIndexCacheSetup *setup, uint64_t n_stages);
bool cw_index_cache_setup_set_stage_starts (CwIndexCacheSetup *setup, const uint64_t *first_layers, uint64_t n,
                                            CwError *error);
void cw_index_cache_setup_set_index_heads (CwIndexCacheSetup *setup, uint64_t index_heads);
/* Rates as doubles (bytes/s, FLOP/s); resolved to whole numbers per second. */
void cw_index_cache_setup_set_link_bytes_per_s (CwIndexCacheSetup *setup, double bytes_per_s);
void cw_index_cache_setup_set_flops_per_s (CwIndexCacheSetup *setup, double flops_per_s);

/* The rate in effect (given or default), and whether it was given. */
double cw_index_cache_setup_get_link_bytes_per_s (const CwIndexCacheSetup *setup);
double cw_index_cache_setup_get_flops_per_s (const CwIndexCacheSetup *setup);
bool cw_index_cache_setup_has_link_bytes_per_s (const CwIndexCacheSetup *setup);
bool cw_index_cache_setup_has_flops_per_s (const CwIndexCacheSetup *setup);

/* Fills *ic from the setup and the preset (NULL or "" for none). Fails when
 * every-n and full layers, or stage count and stage starts, are both given,
 * when there is no layer count, or when a rate is out of range. Lists in *ic
 * point into the setup: keep it alive (and unchanged) while *ic is used. */
bool cw_index_cache_setup_resolve (CwIndexCacheSetup *setup, const char *preset, CwIndexCacheConfig *ic,
                                   CwError *error);

#ifdef __cplusplus
}
#endif
