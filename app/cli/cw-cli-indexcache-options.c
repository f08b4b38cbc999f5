/* cw-cli-indexcache-options.c: parsing and resolving the index-cache options. */
#include "cw-cli-indexcache-options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-cli-args.h"
#include "cw-preset.h"

void
cw_cli_indexcache_options_init (CwCliIndexCacheOptions *o)
{
  memset (o, 0, sizeof *o);
  cw_index_cache_config_init (&o->ic);
  o->link_bytes_per_s = 50e9;
  o->flops_per_s = 100e12;
}

void
cw_cli_indexcache_options_clear (CwCliIndexCacheOptions *o)
{
  free (o->indexer_layers);
  free (o->full_layers);
  free (o->stage_starts);
  o->indexer_layers = o->full_layers = o->stage_starts = NULL;
}

void
cw_cli_indexcache_options_print_help (FILE *out)
{
  fputs ("  --layers N              number of layers (default: the preset's)\n"
         "  --indexer-layers LIST   0-based layers carrying an indexer (default: preset's, else all)\n"
         "  --every N               every N-th indexer layer is full, from the first (default 1)\n"
         "  --full-layers LIST      explicit full layers instead of --every\n"
         "  --stages N              even split into N pipeline stages (default 1)\n"
         "  --stage-starts LIST     first layer of each stage instead (must start with 0)\n"
         "  --index-heads N         top-k sets per token H in the payload (default: the\n"
         "                          preset's, else 1: one set shared by all heads)\n"
         "  --link-gbps X           stage link bandwidth in GB/s (10^9 B/s; default 50, an assumption)\n"
         "  --tflops X              indexer throughput in TFLOP/s (default 100, an assumption)\n", out);
}

static int
list_option (int argc, char **argv, int *i, const char *name, uint64_t **field, uint64_t *count, bool *given,
             CwError *error)
{
  const char *v;

  if (!cw_cli_match_option (argc, argv, i, name, &v, error))
    return 0;
  if (v == NULL)
    return -1;
  free (*field);
  *field = NULL;
  if (!cw_cli_parse_u64_list (name, v, field, count, error))
    return -1;
  *given = true;
  return 1;
}

static int
count_option (int argc, char **argv, int *i, const char *name, uint64_t *field, bool *given, CwError *error)
{
  const char *v;

  if (!cw_cli_match_option (argc, argv, i, name, &v, error))
    return 0;
  if (v == NULL || !cw_cli_parse_positive_u64 (name, v, false, field, error))
    return -1;
  if (given != NULL)
    *given = true;
  return 1;
}

static int
rate_option (int argc, char **argv, int *i, const char *name, double unit, double *field, bool *given,
             CwError *error)
{
  const char *v;

  if (!cw_cli_match_option (argc, argv, i, name, &v, error))
    return 0;
  if (v == NULL || !cw_cli_parse_double (name, v, true, field, error))
    return -1;
  *field *= unit;
  *given = true;
  return 1;
}

int
cw_cli_indexcache_options_parse (CwCliIndexCacheOptions *o, int argc, char **argv, int *i, CwError *error)
{
  int r;

  if ((r = list_option (argc, argv, i, "--indexer-layers", &o->indexer_layers, &o->ic.n_indexer_layers,
                        &o->indexer_given, error)) != 0
      || (r = list_option (argc, argv, i, "--full-layers", &o->full_layers, &o->ic.n_full_layers, &o->full_given,
                           error)) != 0
      || (r = list_option (argc, argv, i, "--stage-starts", &o->stage_starts, &o->ic.n_stages, &o->starts_given,
                           error)) != 0
      || (r = count_option (argc, argv, i, "--layers", &o->ic.n_layers, &o->layers_given, error)) != 0
      || (r = count_option (argc, argv, i, "--every", &o->ic.every_n, &o->every_given, error)) != 0
      || (r = count_option (argc, argv, i, "--stages", &o->ic.n_stages, &o->stages_given, error)) != 0
      || (r = count_option (argc, argv, i, "--index-heads", &o->ic.index_heads, NULL, error)) != 0
      || (r = rate_option (argc, argv, i, "--link-gbps", 1e9, &o->link_bytes_per_s, &o->link_given, error)) != 0
      || (r = rate_option (argc, argv, i, "--tflops", 1e12, &o->flops_per_s, &o->tflops_given, error)) != 0)
    return r;
  return 0;
}

bool
cw_cli_indexcache_options_resolve (CwCliIndexCacheOptions *o, const char *preset, const char *who, CwError *error)
{
  uint64_t preset_layers = 0, *preset_indexer = NULL, n_preset_indexer = 0, preset_heads = 1;
  bool ok = false;

  if (o->every_given && o->full_given)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: give --every or --full-layers, not both", who);
      return false;
    }
  if (o->stages_given && o->starts_given)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: give --stages or --stage-starts, not both", who);
      return false;
    }
  if (preset[0] != '\0'
      && (!cw_preset_get_layers (preset, &preset_layers, &preset_indexer, &n_preset_indexer, error)
          || !cw_preset_get_index_heads (preset, &preset_heads, error)))
    goto out;
  if (!o->layers_given)
    {
      if (preset_layers == 0)
        {
          cw_error_set (error, CW_ERROR_INVALID, "%s: --layers N is required (the %s has no layer count)", who,
                        preset[0] ? "preset" : "configuration");
          goto out;
        }
      o->ic.n_layers = preset_layers;
      if (!o->indexer_given && n_preset_indexer > 0)
        {
          free (o->indexer_layers);
          o->indexer_layers = preset_indexer;
          o->ic.n_indexer_layers = n_preset_indexer;
          preset_indexer = NULL;
        }
    }
  if (o->ic.index_heads == 0)
    o->ic.index_heads = preset_heads;
  o->ic.indexer_layers = o->indexer_layers;
  if (o->full_given)
    {
      o->ic.schedule = CW_SCHEDULE_EXPLICIT;
      o->ic.full_layers = o->full_layers;
    }
  if (o->starts_given)
    {
      o->ic.stages = CW_STAGES_EXPLICIT;
      o->ic.stage_first_layer = o->stage_starts;
    }
  /* Rates are doubles on the command line, uint64 in the planner. */
  if (o->link_bytes_per_s > 1.8e19 || o->flops_per_s > 1.8e19)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: bandwidth or throughput too large", who);
      goto out;
    }
  o->ic.link_bytes_per_s = (uint64_t) llround (o->link_bytes_per_s);
  o->ic.flops_per_s = (uint64_t) llround (o->flops_per_s);
  if (o->ic.link_bytes_per_s == 0 || o->ic.flops_per_s == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: bandwidth and throughput must be at least 1 per second", who);
      goto out;
    }
  ok = true;
out:
  free (preset_indexer);
  return ok;
}
