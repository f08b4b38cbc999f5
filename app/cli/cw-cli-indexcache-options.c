/* cw-cli-indexcache-options.c: parsing and resolving the index-cache options. */
#include "cw-cli-indexcache-options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-cli-args.h"

void
cw_cli_indexcache_options_init (CwCliIndexCacheOptions *o)
{
  memset (o, 0, sizeof *o);
  cw_index_cache_config_init (&o->ic);
  o->setup = cw_index_cache_setup_new ();
}

void
cw_cli_indexcache_options_clear (CwCliIndexCacheOptions *o)
{
  cw_index_cache_setup_free (o->setup);
  o->setup = NULL;
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

typedef enum { LIST_INDEXER, LIST_FULL, LIST_STAGE_STARTS } ListKind;

static int
list_option (CwCliIndexCacheOptions *o, int argc, char **argv, int *i, const char *name, ListKind kind,
             bool *given, CwError *error)
{
  const char *v;
  uint64_t *list = NULL, n = 0;
  bool ok;

  if (!cw_cli_match_option (argc, argv, i, name, &v, error))
    return 0;
  if (v == NULL || !cw_cli_parse_u64_list (name, v, &list, &n, error))
    return -1;
  switch (kind)
    {
    case LIST_INDEXER: ok = cw_index_cache_setup_set_indexer_layers (o->setup, list, n, error); break;
    case LIST_FULL: ok = cw_index_cache_setup_set_full_layers (o->setup, list, n, error); break;
    case LIST_STAGE_STARTS:
    default: ok = cw_index_cache_setup_set_stage_starts (o->setup, list, n, error); break;
    }
  free (list);
  if (!ok)
    return -1;
  if (given != NULL)
    *given = true;
  return 1;
}

static int
count_option (CwCliIndexCacheOptions *o, int argc, char **argv, int *i, const char *name,
              void (*set) (CwIndexCacheSetup *, uint64_t), bool *given, CwError *error)
{
  const char *v;
  uint64_t n;

  if (!cw_cli_match_option (argc, argv, i, name, &v, error))
    return 0;
  if (v == NULL || !cw_cli_parse_positive_u64 (name, v, false, &n, error))
    return -1;
  set (o->setup, n);
  if (given != NULL)
    *given = true;
  return 1;
}

static int
rate_option (CwCliIndexCacheOptions *o, int argc, char **argv, int *i, const char *name, double unit,
             void (*set) (CwIndexCacheSetup *, double), CwError *error)
{
  const char *v;
  double x;

  if (!cw_cli_match_option (argc, argv, i, name, &v, error))
    return 0;
  if (v == NULL || !cw_cli_parse_double (name, v, true, &x, error))
    return -1;
  set (o->setup, x * unit);
  return 1;
}

int
cw_cli_indexcache_options_parse (CwCliIndexCacheOptions *o, int argc, char **argv, int *i, CwError *error)
{
  int r;

  if (o->setup == NULL)
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "out of memory");
      return -1;
    }
  if ((r = list_option (o, argc, argv, i, "--indexer-layers", LIST_INDEXER, NULL, error)) != 0
      || (r = list_option (o, argc, argv, i, "--full-layers", LIST_FULL, &o->full_given, error)) != 0
      || (r = list_option (o, argc, argv, i, "--stage-starts", LIST_STAGE_STARTS, &o->starts_given, error)) != 0
      || (r = count_option (o, argc, argv, i, "--layers", cw_index_cache_setup_set_n_layers, NULL, error)) != 0
      || (r = count_option (o, argc, argv, i, "--every", cw_index_cache_setup_set_every_n, &o->every_given,
                            error)) != 0
      || (r = count_option (o, argc, argv, i, "--stages", cw_index_cache_setup_set_n_stages, &o->stages_given,
                            error)) != 0
      || (r = count_option (o, argc, argv, i, "--index-heads", cw_index_cache_setup_set_index_heads, NULL,
                            error)) != 0
      || (r = rate_option (o, argc, argv, i, "--link-gbps", 1e9, cw_index_cache_setup_set_link_bytes_per_s,
                           error)) != 0
      || (r = rate_option (o, argc, argv, i, "--tflops", 1e12, cw_index_cache_setup_set_flops_per_s, error)) != 0)
    return r;
  return 0;
}

bool
cw_cli_indexcache_options_resolve (CwCliIndexCacheOptions *o, const char *preset, const char *who, CwError *error)
{
  /* The option names are the CLI's; the library checks the same pairs in its own words. */
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
  if (o->setup == NULL)
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "%s: out of memory", who);
      return false;
    }
  if (!cw_index_cache_setup_resolve (o->setup, preset, &o->ic, error))
    {
      cw_error_prefix (error, "%s: ", who);
      return false;
    }
  return true;
}
