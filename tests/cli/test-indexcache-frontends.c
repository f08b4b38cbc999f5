/* test-indexcache-frontends.c: the CLI and the workbench plan the same
 * index cache for the same input.
 *
 * CLI path: `cliffwatch-cli indexcache`'s own option parser and resolver
 * (cw-cli-indexcache-options.c) over the words a user would type. Workbench
 * path: the calls the Index cache page makes (cw-index-cache-page.c, replan):
 * the layers of another preset when the Plan page's preset has none, the
 * page's every-n, stages and rates, resolved against the Plan page's preset.
 * For every shipped preset both must give the same setup and the same plan,
 * payload bytes included (before issue 13 the page dropped index_heads). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cw-test.h"
#include "cw-cli-indexcache-options.h"
#include "cw-planner.h"

/* The workbench page's calls (keep in step with replan). */
static bool
gui_resolve (CwIndexCacheSetup *setup, const char *preset, const char *layers_preset, uint64_t every_n,
             uint64_t stages, double link_gbps, double tflops, CwIndexCacheConfig *ic, CwError *error)
{
  if (strcmp (layers_preset, preset) != 0
      && !cw_index_cache_setup_set_layers_from_preset (setup, layers_preset, error))
    return false;
  cw_index_cache_setup_set_every_n (setup, every_n);
  cw_index_cache_setup_set_n_stages (setup, stages);
  cw_index_cache_setup_set_link_bytes_per_s (setup, link_gbps * 1e9);
  cw_index_cache_setup_set_flops_per_s (setup, tflops * 1e12);
  return cw_index_cache_setup_resolve (setup, preset, ic, error);
}

/* `indexcache --preset P --every N --stages S --link-gbps X --tflops Y`,
 * with --layers/--indexer-layers spelled out from the layers preset. */
static bool
cli_resolve (CwCliIndexCacheOptions *o, const char *preset, const char *layers_preset, uint64_t every_n,
             uint64_t stages, double link_gbps, double tflops, CwError *error)
{
  char *argv[16], w[6][64];
  char *list = NULL;
  int argc = 0;
  bool ok = true;

  snprintf (w[0], sizeof w[0], "%" PRIu64, every_n);
  snprintf (w[1], sizeof w[1], "%" PRIu64, stages);
  snprintf (w[2], sizeof w[2], "%.17g", link_gbps);
  snprintf (w[3], sizeof w[3], "%.17g", tflops);
  argv[argc++] = "--every", argv[argc++] = w[0], argv[argc++] = "--stages", argv[argc++] = w[1];
  argv[argc++] = "--link-gbps", argv[argc++] = w[2], argv[argc++] = "--tflops", argv[argc++] = w[3];
  if (strcmp (layers_preset, preset) != 0)
    {
      uint64_t n_layers = 0, *indexer = NULL, n_indexer = 0;
      size_t len = 0;

      if (!cw_preset_get_layers (layers_preset, &n_layers, &indexer, &n_indexer, error))
        return false;
      snprintf (w[4], sizeof w[4], "%" PRIu64, n_layers);
      argv[argc++] = "--layers", argv[argc++] = w[4];
      list = calloc (n_indexer * 21 + 1, 1);
      for (uint64_t i = 0; list != NULL && i < n_indexer; i++)
        len += (size_t) sprintf (list + len, "%s%" PRIu64, i ? "," : "", indexer[i]);
      free (indexer);
      if (n_indexer > 0)
        argv[argc++] = "--indexer-layers", argv[argc++] = list;
    }
  for (int i = 0; ok && i < argc; i++)
    ok = cw_cli_indexcache_options_parse (o, argc, argv, &i, error) == 1;
  ok = ok && cw_cli_indexcache_options_resolve (o, preset, "indexcache", error);
  free (list);
  return ok;
}

static void
check_same (const char *what, const CwConfig *config, const CwIndexCacheConfig *a, const CwIndexCacheConfig *b)
{
  CwError e = CW_ERROR_INIT;
  CwIndexCachePlan *pa, *pb;

  CHECK (a->n_layers == b->n_layers && a->n_indexer_layers == b->n_indexer_layers, "%s", what);
  for (uint64_t i = 0; i < a->n_indexer_layers && i < b->n_indexer_layers; i++)
    CHECK (a->indexer_layers[i] == b->indexer_layers[i], "%s: indexer layer %" PRIu64, what, i);
  CHECK (a->schedule == b->schedule && a->every_n == b->every_n, "%s", what);
  CHECK (a->stages == b->stages && a->n_stages == b->n_stages, "%s", what);
  CHECK (a->index_heads == b->index_heads, "%s: H %" PRIu64 " vs %" PRIu64, what, a->index_heads, b->index_heads);
  CHECK (a->link_bytes_per_s == b->link_bytes_per_s && a->flops_per_s == b->flops_per_s, "%s", what);

  pa = cw_index_cache_plan_new (config, a, &e);
  CHECK (pa != NULL, "%s: %s", what, e.message);
  pb = cw_index_cache_plan_new (config, b, &e);
  CHECK (pb != NULL, "%s: %s", what, e.message);
  if (pa != NULL && pb != NULL)
    {
      CHECK (cw_index_cache_plan_get_payload_bytes (pa) == cw_index_cache_plan_get_payload_bytes (pb),
             "%s: payload %" PRIu64 " (workbench) vs %" PRIu64 " (cli)", what,
             cw_index_cache_plan_get_payload_bytes (pa), cw_index_cache_plan_get_payload_bytes (pb));
      CHECK (cw_index_cache_plan_get_n_full (pa) == cw_index_cache_plan_get_n_full (pb), "%s", what);
      CHECK (cw_index_cache_plan_get_n_promoted (pa) == cw_index_cache_plan_get_n_promoted (pb), "%s", what);
      CHECK (cw_index_cache_plan_get_n_boundaries (pa) == cw_index_cache_plan_get_n_boundaries (pb), "%s", what);
      for (uint64_t i = 0; i < cw_index_cache_plan_get_n_boundaries (pa); i++)
        CHECK (cw_index_cache_plan_get_boundary_decision (pa, i) == cw_index_cache_plan_get_boundary_decision (pb, i),
               "%s: boundary %" PRIu64, what, i);
    }
  cw_index_cache_plan_free (pa);
  cw_index_cache_plan_free (pb);
}

int
main (void)
{
  CwError e = CW_ERROR_INIT;
  char **names = cw_preset_list (&e);
  const char *fallback = "deepseek-v3.2";   /* the page's first preset with a layer list */
  int n = 0;

  CHECK (names != NULL, "%s", e.message);
  for (size_t i = 0; names != NULL && names[i] != NULL; i++)
    {
      CwConfig config;
      uint64_t n_layers = 0, *indexer = NULL, n_indexer = 0;
      const char *layers_preset;

      CHECK (cw_preset_lookup (names[i], &config, &e), "%s", e.message);
      CHECK (cw_preset_get_layers (names[i], &n_layers, &indexer, &n_indexer, &e), "%s", e.message);
      free (indexer);
      layers_preset = n_layers > 0 ? names[i] : fallback;
      for (uint64_t stages = 1; stages <= 4; stages += 3)
        {
          CwIndexCacheSetup *setup = cw_index_cache_setup_new ();
          CwCliIndexCacheOptions o;
          CwIndexCacheConfig gui;
          char what[128];

          snprintf (what, sizeof what, "%s over %s's layers, %" PRIu64 " stages", names[i], layers_preset, stages);
          cw_cli_indexcache_options_init (&o);
          CHECK (gui_resolve (setup, names[i], layers_preset, 2, stages, 50, 100, &gui, &e), "%s: %s", what,
                 e.message);
          CHECK (cli_resolve (&o, names[i], layers_preset, 2, stages, 50, 100, &e), "%s: %s", what, e.message);
          if (failures == 0)
            check_same (what, &config, &gui, &o.ic);
          cw_cli_indexcache_options_clear (&o);
          cw_index_cache_setup_free (setup);
          n++;
        }
    }
  cw_strv_free (names);
  CHECK (n >= 14, "%d cases", n);
  printf ("%d cases, %d checks, %d failed\n", n, checks, failures);
  return failures ? 1 : 0;
}
