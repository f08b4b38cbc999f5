/* cw-index-cache-setup.c: preset + overrides -> CwIndexCacheConfig. */
#include "cw-index-cache-setup.h"

#include "cw-bytes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw-preset.h"

typedef struct {
  uint64_t *v;
  uint64_t  n;
  bool      given;
} List;

struct _CwIndexCacheSetup
{
  uint64_t n_layers, every_n, n_stages, index_heads;   /* 0: not given */
  List     indexer_layers, full_layers, stage_starts;
  List     preset_indexer_layers;                       /* filled by resolve */
  double   link_bytes_per_s, flops_per_s;
  bool     link_given, flops_given;
};

CwIndexCacheSetup *
cw_index_cache_setup_new (void)
{
  CwIndexCacheSetup *setup = calloc (1, sizeof *setup);

  if (setup == NULL)
    return NULL;
  setup->link_bytes_per_s = CW_INDEX_CACHE_SETUP_DEFAULT_LINK_BYTES_PER_S;
  setup->flops_per_s = CW_INDEX_CACHE_SETUP_DEFAULT_FLOPS_PER_S;
  return setup;
}

void
cw_index_cache_setup_free (CwIndexCacheSetup *setup)
{
  if (setup == NULL)
    return;
  free (setup->indexer_layers.v);
  free (setup->full_layers.v);
  free (setup->stage_starts.v);
  free (setup->preset_indexer_layers.v);
  free (setup);
}

static bool
list_set (List *list, const uint64_t *v, uint64_t n, CwError *error)
{
  uint64_t *copy = NULL;

  if (n > 0)
    {
      if (n > SIZE_MAX / sizeof *copy || (copy = malloc ((size_t) n * sizeof *copy)) == NULL)
        {
          cw_error_set (error, CW_ERROR_OVERFLOW, "index-cache setup: a list of %llu layers does not fit in memory",
                        (unsigned long long) n);
          return false;
        }
      memcpy (copy, v, (size_t) n * sizeof *copy);
    }
  free (list->v);
  list->v = copy;
  list->n = n;
  list->given = true;
  return true;
}

void cw_index_cache_setup_set_n_layers (CwIndexCacheSetup *setup, uint64_t n_layers) { setup->n_layers = n_layers; }
void cw_index_cache_setup_set_every_n (CwIndexCacheSetup *setup, uint64_t every_n) { setup->every_n = every_n; }
void cw_index_cache_setup_set_n_stages (CwIndexCacheSetup *setup, uint64_t n_stages) { setup->n_stages = n_stages; }

void
cw_index_cache_setup_set_index_heads (CwIndexCacheSetup *setup, uint64_t index_heads)
{
  setup->index_heads = index_heads;
}

bool
cw_index_cache_setup_set_indexer_layers (CwIndexCacheSetup *setup, const uint64_t *layers, uint64_t n,
                                         CwError *error)
{
  return list_set (&setup->indexer_layers, layers, n, error);
}

bool
cw_index_cache_setup_set_full_layers (CwIndexCacheSetup *setup, const uint64_t *layers, uint64_t n, CwError *error)
{
  return list_set (&setup->full_layers, layers, n, error);
}

bool
cw_index_cache_setup_set_stage_starts (CwIndexCacheSetup *setup, const uint64_t *first_layers, uint64_t n,
                                       CwError *error)
{
  return list_set (&setup->stage_starts, first_layers, n, error);
}

bool
cw_index_cache_setup_set_layers_from_preset (CwIndexCacheSetup *setup, const char *preset, CwError *error)
{
  uint64_t n_layers = 0, *indexer = NULL, n_indexer = 0;
  bool ok;

  if (!cw_preset_get_layers (preset, &n_layers, &indexer, &n_indexer, error))
    return false;
  if (n_layers == 0)
    {
      free (indexer);
      cw_error_set (error, CW_ERROR_INVALID, "preset %s has no layer count", preset);
      return false;
    }
  ok = list_set (&setup->indexer_layers, indexer, n_indexer, error);
  free (indexer);
  if (ok)
    setup->n_layers = n_layers;
  return ok;
}

void
cw_index_cache_setup_set_link_bytes_per_s (CwIndexCacheSetup *setup, double bytes_per_s)
{
  setup->link_bytes_per_s = bytes_per_s;
  setup->link_given = true;
}

void
cw_index_cache_setup_set_flops_per_s (CwIndexCacheSetup *setup, double flops_per_s)
{
  setup->flops_per_s = flops_per_s;
  setup->flops_given = true;
}

double cw_index_cache_setup_get_link_bytes_per_s (const CwIndexCacheSetup *setup) { return setup->link_bytes_per_s; }
double cw_index_cache_setup_get_flops_per_s (const CwIndexCacheSetup *setup) { return setup->flops_per_s; }
bool cw_index_cache_setup_has_link_bytes_per_s (const CwIndexCacheSetup *setup) { return setup->link_given; }
bool cw_index_cache_setup_has_flops_per_s (const CwIndexCacheSetup *setup) { return setup->flops_given; }

/* A rate as a whole number per second: finite, at least 1, within uint64. */
static bool
rate_resolve (double rate, const char *what, uint64_t *out, CwError *error)
{
  if (isfinite (rate) && rate < 0.5)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s must be at least 1 per second", what);
      return false;
    }
  if (!cw_round_u64 (rate, out))
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s too large", what);
      return false;
    }
  return true;
}

bool
cw_index_cache_setup_resolve (CwIndexCacheSetup *setup, const char *preset, CwIndexCacheConfig *ic, CwError *error)
{
  uint64_t preset_layers = 0, preset_heads = 1, *preset_indexer = NULL, n_preset_indexer = 0;

  if (setup->every_n != 0 && setup->full_layers.given)
    {
      cw_error_set (error, CW_ERROR_INVALID, "give an every-n schedule or a list of full layers, not both");
      return false;
    }
  if (setup->n_stages != 0 && setup->stage_starts.given)
    {
      cw_error_set (error, CW_ERROR_INVALID, "give a stage count or the stages' first layers, not both");
      return false;
    }
  if (preset != NULL && preset[0] != '\0')
    {
      if (!cw_preset_get_layers (preset, &preset_layers, &preset_indexer, &n_preset_indexer, error))
        return false;
      if (!cw_preset_get_index_heads (preset, &preset_heads, error))
        {
          free (preset_indexer);
          return false;
        }
    }
  free (setup->preset_indexer_layers.v);
  setup->preset_indexer_layers = (List) { preset_indexer, n_preset_indexer, n_preset_indexer > 0 };

  cw_index_cache_config_init (ic);
  if (setup->n_layers != 0)
    ic->n_layers = setup->n_layers;
  else if (preset_layers != 0)
    {
      ic->n_layers = preset_layers;
      /* The preset's indexer layers belong to its layer count: they apply
       * only when the layer count is the preset's too. */
      if (!setup->indexer_layers.given && n_preset_indexer > 0)
        {
          ic->n_indexer_layers = n_preset_indexer;
          ic->indexer_layers = setup->preset_indexer_layers.v;
        }
    }
  else
    {
      cw_error_set (error, CW_ERROR_INVALID, "the number of layers is required (the %s has no layer count)",
                    preset != NULL && preset[0] != '\0' ? "preset" : "configuration");
      return false;
    }
  if (setup->indexer_layers.given)
    {
      ic->n_indexer_layers = setup->indexer_layers.n;
      ic->indexer_layers = setup->indexer_layers.v;
    }
  ic->index_heads = setup->index_heads != 0 ? setup->index_heads : preset_heads;
  if (setup->every_n != 0)
    ic->every_n = setup->every_n;
  if (setup->full_layers.given)
    {
      ic->schedule = CW_SCHEDULE_EXPLICIT;
      ic->n_full_layers = setup->full_layers.n;
      ic->full_layers = setup->full_layers.v;
    }
  if (setup->n_stages != 0)
    ic->n_stages = setup->n_stages;
  if (setup->stage_starts.given)
    {
      ic->stages = CW_STAGES_EXPLICIT;
      ic->n_stages = setup->stage_starts.n;
      ic->stage_first_layer = setup->stage_starts.v;
    }
  return rate_resolve (setup->link_bytes_per_s, "link bandwidth", &ic->link_bytes_per_s, error)
         && rate_resolve (setup->flops_per_s, "indexer throughput", &ic->flops_per_s, error);
}
