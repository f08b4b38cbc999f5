/* test-index-cache-setup.c: the index-cache setup every shipped preset
 * resolves to (planner/cw-index-cache-setup.h), as values, and the rules for
 * what the user gives over the preset. Both front ends resolve through this
 * function; tests/cli/test-indexcache-frontends.c checks that they do. */
#include <stdlib.h>
#include <string.h>

#include "../cw-test.h"
#include "cw-planner.h"

typedef struct {
  const char *preset;
  uint64_t    n_layers;          /* 0: the preset has no layer count (resolve fails) */
  uint64_t    n_indexer, first_indexer, indexer_step;   /* n_indexer 0: all layers */
  uint64_t    index_heads;
} Expected;

/* Every shipped preset, from data/presets/. A new preset fails the
 * "covered" check until it is added here. */
static const Expected expected[] = {
  { "deepseek-v3.2",        61, 61, 0, 1, 1 },
  { "deepseek-v4-flash",     0,  0, 0, 0, 1 },
  { "deepseek-v4-pro",      61, 30, 2, 2, 1 },
  { "index-cache-example",   0,  0, 0, 0, 32 },
  { "megacpp-bounded-131k",  0,  0, 0, 0, 1 },
  { "megacpp-bounded-65k",   0,  0, 0, 0, 1 },
  { "megacpp-slab-example",  0,  0, 0, 0, 1 },
};

static void
check_defaults (const char *name, const CwIndexCacheConfig *ic)
{
  CHECK (ic->schedule == CW_SCHEDULE_EVERY_N && ic->every_n == 1, "%s", name);
  CHECK (ic->stages == CW_STAGES_EVEN && ic->n_stages == 1, "%s", name);
  CHECK (ic->link_bytes_per_s == 50000000000ull, "%s: %llu", name, (unsigned long long) ic->link_bytes_per_s);
  CHECK (ic->flops_per_s == 100000000000000ull, "%s: %llu", name, (unsigned long long) ic->flops_per_s);
}

static void
check_preset (const Expected *x)
{
  CwError e = CW_ERROR_INIT;
  CwIndexCacheConfig ic;
  CwIndexCacheSetup *setup = cw_index_cache_setup_new ();
  bool ok = cw_index_cache_setup_resolve (setup, x->preset, &ic, &e);

  if (x->n_layers == 0)
    {
      CHECK (!ok && e.code == CW_ERROR_INVALID, "%s resolved without a layer count", x->preset);
      CHECK (strstr (e.message, "number of layers is required (the preset has no layer count)") != NULL, "%s",
             e.message);
      /* Given a layer count, every layer carries an indexer; H is still the preset's. */
      cw_error_clear (&e);
      cw_index_cache_setup_set_n_layers (setup, 43);
      ok = cw_index_cache_setup_resolve (setup, x->preset, &ic, &e);
      CHECK (ok, "%s: %s", x->preset, e.message);
      CHECK (ic.n_layers == 43 && ic.n_indexer_layers == 0, "%s", x->preset);
    }
  else
    {
      CHECK (ok, "%s: %s", x->preset, e.message);
      CHECK (ic.n_layers == x->n_layers, "%s: %llu layers", x->preset, (unsigned long long) ic.n_layers);
      CHECK (ic.n_indexer_layers == x->n_indexer, "%s: %llu indexer layers", x->preset,
             (unsigned long long) ic.n_indexer_layers);
      for (uint64_t i = 0; ok && i < ic.n_indexer_layers && i < x->n_indexer; i++)
        CHECK (ic.indexer_layers[i] == x->first_indexer + i * x->indexer_step, "%s: indexer layer %llu",
               x->preset, (unsigned long long) i);
    }
  if (ok)
    {
      CHECK (ic.index_heads == x->index_heads, "%s: H = %llu", x->preset, (unsigned long long) ic.index_heads);
      check_defaults (x->preset, &ic);
    }
  cw_index_cache_setup_free (setup);
}

static void
test_shipped_presets (void)
{
  CwError e = CW_ERROR_INIT;
  char **names = cw_preset_list (&e);
  size_t n_expected = sizeof expected / sizeof expected[0];

  CHECK (names != NULL, "%s", e.message);
  for (size_t i = 0; names != NULL && names[i] != NULL; i++)
    {
      size_t j;

      for (j = 0; j < n_expected; j++)
        if (strcmp (expected[j].preset, names[i]) == 0)
          break;
      CHECK (j < n_expected, "preset %s is not covered: add its resolved setup here", names[i]);
    }
  cw_strv_free (names);
  for (size_t j = 0; j < n_expected; j++)
    check_preset (&expected[j]);
}

/* A layer count the user gives replaces the preset's and its indexer list
 * (they describe the preset's layers); index heads stay the preset's. */
static void
test_overrides (void)
{
  CwError e = CW_ERROR_INIT;
  CwIndexCacheConfig ic;
  CwIndexCacheSetup *setup = cw_index_cache_setup_new ();
  static const uint64_t indexer[] = { 0, 2, 4 }, full[] = { 0, 4 }, starts[] = { 0, 3 };

  cw_index_cache_setup_set_n_layers (setup, 8);
  CHECK (cw_index_cache_setup_resolve (setup, "deepseek-v3.2", &ic, &e), "%s", e.message);
  CHECK (ic.n_layers == 8 && ic.n_indexer_layers == 0 && ic.index_heads == 1);

  CHECK (cw_index_cache_setup_set_indexer_layers (setup, indexer, 3, &e));
  CHECK (cw_index_cache_setup_set_full_layers (setup, full, 2, &e));
  CHECK (cw_index_cache_setup_set_stage_starts (setup, starts, 2, &e));
  cw_index_cache_setup_set_index_heads (setup, 4);
  cw_index_cache_setup_set_link_bytes_per_s (setup, 12.5e9);
  cw_index_cache_setup_set_flops_per_s (setup, 0.4);
  CHECK (!cw_index_cache_setup_resolve (setup, "index-cache-example", &ic, &e), "throughput 0.4/s resolved");
  cw_index_cache_setup_set_flops_per_s (setup, 1.6);
  CHECK (cw_index_cache_setup_resolve (setup, "index-cache-example", &ic, &e), "%s", e.message);
  CHECK (ic.n_layers == 8 && ic.n_indexer_layers == 3 && ic.indexer_layers[2] == 4);
  CHECK (ic.schedule == CW_SCHEDULE_EXPLICIT && ic.n_full_layers == 2 && ic.full_layers[1] == 4);
  CHECK (ic.stages == CW_STAGES_EXPLICIT && ic.n_stages == 2 && ic.stage_first_layer[1] == 3);
  CHECK (ic.index_heads == 4 && ic.link_bytes_per_s == 12500000000ull && ic.flops_per_s == 2);
  CHECK (cw_index_cache_setup_has_link_bytes_per_s (setup) && cw_index_cache_setup_get_flops_per_s (setup) == 1.6);

  cw_index_cache_setup_set_every_n (setup, 2);
  CHECK (!cw_index_cache_setup_resolve (setup, "", &ic, &e) && strstr (e.message, "not both") != NULL);
  cw_index_cache_setup_free (setup);

  setup = cw_index_cache_setup_new ();
  cw_index_cache_setup_set_n_stages (setup, 2);
  CHECK (cw_index_cache_setup_set_stage_starts (setup, starts, 2, &e));
  CHECK (!cw_index_cache_setup_resolve (setup, NULL, &ic, &e) && strstr (e.message, "not both") != NULL);
  cw_index_cache_setup_free (setup);

  setup = cw_index_cache_setup_new ();
  CHECK (!cw_index_cache_setup_resolve (setup, "", &ic, &e)
         && strstr (e.message, "(the configuration has no layer count)") != NULL, "%s", e.message);
  CHECK (!cw_index_cache_setup_resolve (setup, "no-such-preset", &ic, &e) && e.code == CW_ERROR_NOT_FOUND);
  cw_index_cache_setup_free (setup);
}

/* The payload the resolved setup plans: b * sq * H * top_k * 4 for int32. */
static void
test_payload (void)
{
  CwError e = CW_ERROR_INIT;
  CwConfig config;
  CwIndexCacheConfig ic;
  CwIndexCachePlan *plan;
  CwIndexCacheSetup *setup = cw_index_cache_setup_new ();

  CHECK (cw_preset_lookup ("index-cache-example", &config, &e), "%s", e.message);
  cw_index_cache_setup_set_n_layers (setup, 61);
  CHECK (cw_index_cache_setup_resolve (setup, "index-cache-example", &ic, &e), "%s", e.message);
  plan = cw_index_cache_plan_new (&config, &ic, &e);
  CHECK (plan != NULL, "%s", e.message);
  if (plan != NULL)
    CHECK (cw_index_cache_plan_get_payload_bytes (plan) == 52428800000ull, "%llu",
           (unsigned long long) cw_index_cache_plan_get_payload_bytes (plan));
  cw_index_cache_plan_free (plan);
  cw_index_cache_setup_free (setup);
}

int
main (void)
{
  test_shipped_presets ();
  test_overrides ();
  test_payload ();
  printf ("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
