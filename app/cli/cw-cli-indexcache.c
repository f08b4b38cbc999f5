/* cw-cli-indexcache.c: `cliffwatch-cli indexcache`: per-layer schedule and per-boundary decision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw-cli-commands.h"
#include "cw-cli-config.h"

typedef struct {
  CwIndexCacheConfig ic;
  uint64_t *indexer_layers, *full_layers, *stage_starts;
  bool layers_given, indexer_given, every_given, full_given, stages_given, starts_given;
  double link_bytes_per_s, flops_per_s;
} Options;

static void
print_help (void)
{
  fputs ("Usage: cliffwatch-cli indexcache [OPTIONS]\n"
         "Plans the cross-layer index cache: which indexer layers are full (anchor),\n"
         "shared, or promoted (fail closed: no valid cache on their stage), the index\n"
         "bytes resident per layer, and at each pipeline-stage boundary the payload,\n"
         "its transfer time vs the recompute time, and the decision.\n"
         "  --layers N              number of layers (default: the preset's)\n"
         "  --indexer-layers LIST   0-based layers carrying an indexer (default: preset's, else all)\n"
         "  --every N               every N-th indexer layer is full, from the first (default 1)\n"
         "  --full-layers LIST      explicit full layers instead of --every\n"
         "  --stages N              even split into N pipeline stages (default 1)\n"
         "  --stage-starts LIST     first layer of each stage instead (must start with 0)\n"
         "  --index-heads N         top-k sets per token H in the payload (default: the\n"
         "                          preset's, else 1: one set shared by all heads)\n"
         "  --link-gbps X           stage link bandwidth in GB/s (10^9 B/s; default 50, an assumption)\n"
         "  --tflops X              indexer throughput in TFLOP/s (default 100, an assumption)\n", stdout);
  cw_cli_setup_print_help (stdout);
}

static int
extra_option (int argc, char **argv, int *i, void *user_data, CwError *error)
{
  Options *o = user_data;
  const char *v;
  uint64_t n;

#define LIST_OPT(NAME, FIELD, COUNT, FLAG)                                              \
  if (cw_cli_match_option (argc, argv, i, NAME, &v, error))                             \
    {                                                                                   \
      if (v == NULL)                                                                    \
        return -1;                                                                      \
      free (FIELD);                                                                     \
      FIELD = NULL;                                                                     \
      if (!cw_cli_parse_u64_list (NAME, v, &FIELD, &COUNT, error))                      \
        return -1;                                                                      \
      FLAG = true;                                                                      \
      return 1;                                                                         \
    }
  LIST_OPT ("--indexer-layers", o->indexer_layers, o->ic.n_indexer_layers, o->indexer_given)
  LIST_OPT ("--full-layers", o->full_layers, o->ic.n_full_layers, o->full_given)
  LIST_OPT ("--stage-starts", o->stage_starts, o->ic.n_stages, o->starts_given)
#undef LIST_OPT
  if (cw_cli_match_option (argc, argv, i, "--layers", &v, error))
    {
      if (v == NULL || !cw_cli_parse_positive_u64 ("--layers", v, false, &o->ic.n_layers, error))
        return -1;
      o->layers_given = true;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--every", &v, error))
    {
      if (v == NULL || !cw_cli_parse_positive_u64 ("--every", v, false, &o->ic.every_n, error))
        return -1;
      o->every_given = true;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--stages", &v, error))
    {
      if (v == NULL || !cw_cli_parse_positive_u64 ("--stages", v, false, &n, error))
        return -1;
      o->ic.n_stages = n;
      o->stages_given = true;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--index-heads", &v, error))
    {
      if (v == NULL || !cw_cli_parse_positive_u64 ("--index-heads", v, false, &o->ic.index_heads, error))
        return -1;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--link-gbps", &v, error))
    {
      if (v == NULL || !cw_cli_parse_double ("--link-gbps", v, true, &o->link_bytes_per_s, error))
        return -1;
      o->link_bytes_per_s *= 1e9;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--tflops", &v, error))
    {
      if (v == NULL || !cw_cli_parse_double ("--tflops", v, true, &o->flops_per_s, error))
        return -1;
      o->flops_per_s *= 1e12;
      return 1;
    }
  return 0;
}

static void
fmt_seconds (double s, char *buf, size_t size)
{
  if (s < 1e-3)
    snprintf (buf, size, "%.1f us", s * 1e6);
  else if (s < 1.0)
    snprintf (buf, size, "%.2f ms", s * 1e3);
  else
    snprintf (buf, size, "%.3f s", s);
}

int
cw_cli_indexcache (int argc, char **argv)
{
  CwCliSetup s;
  CwError e = CW_ERROR_INIT;
  Options o;
  CwIndexCachePlan *plan = NULL;
  uint64_t preset_layers = 0, *preset_indexer = NULL, n_preset_indexer = 0, preset_heads = 1;
  int status = 0;

  for (int i = 1; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      {
        print_help ();
        return 0;
      }
  memset (&o, 0, sizeof o);
  cw_index_cache_config_init (&o.ic);
  o.link_bytes_per_s = 50e9;
  o.flops_per_s = 100e12;
  if (!cw_cli_setup_parse (&s, argc, argv, extra_option, &o, &e))
    {
      status = cw_cli_fail (&e);
      goto out_opts;
    }
  if (o.every_given && o.full_given)
    {
      status = cw_cli_failf ("indexcache: give --every or --full-layers, not both");
      goto out;
    }
  if (o.stages_given && o.starts_given)
    {
      status = cw_cli_failf ("indexcache: give --stages or --stage-starts, not both");
      goto out;
    }
  if (s.preset[0] != '\0' &&
      (!cw_preset_get_layers (s.preset, &preset_layers, &preset_indexer, &n_preset_indexer, &e) ||
       !cw_preset_get_index_heads (s.preset, &preset_heads, &e)))
    {
      status = cw_cli_fail (&e);
      goto out;
    }
  if (!o.layers_given)
    {
      if (preset_layers == 0)
        {
          status = cw_cli_failf ("indexcache: --layers N is required (the %s has no layer count)",
                                 s.preset[0] ? "preset" : "configuration");
          goto out;
        }
      o.ic.n_layers = preset_layers;
      if (!o.indexer_given && n_preset_indexer > 0)
        {
          o.indexer_layers = preset_indexer;
          o.ic.n_indexer_layers = n_preset_indexer;
          preset_indexer = NULL;
        }
    }
  if (o.ic.index_heads == 0)
    o.ic.index_heads = preset_heads;
  o.ic.indexer_layers = o.indexer_layers;
  if (o.full_given)
    {
      o.ic.schedule = CW_SCHEDULE_EXPLICIT;
      o.ic.full_layers = o.full_layers;
    }
  if (o.starts_given)
    {
      o.ic.stages = CW_STAGES_EXPLICIT;
      o.ic.stage_first_layer = o.stage_starts;
    }
  if (o.link_bytes_per_s > 1.8e19 || o.flops_per_s > 1.8e19)
    {
      status = cw_cli_failf ("indexcache: bandwidth or throughput too large");
      goto out;
    }
  o.ic.link_bytes_per_s = (uint64_t) llround (o.link_bytes_per_s);
  o.ic.flops_per_s = (uint64_t) llround (o.flops_per_s);
  if (o.ic.link_bytes_per_s == 0 || o.ic.flops_per_s == 0)
    {
      status = cw_cli_failf ("indexcache: bandwidth and throughput must be at least 1 per second");
      goto out;
    }
  plan = cw_index_cache_plan_new (&s.config, &o.ic, &e);
  if (plan == NULL)
    {
      status = cw_cli_fail (&e);
      goto out;
    }

  {
    uint64_t L = cw_index_cache_plan_get_n_layers (plan);
    uint64_t nb = cw_index_cache_plan_get_n_boundaries (plan);
    char a[CW_BYTES_FORMAT_SIZE], t1[32], t2[32], cfg[512];

    if (s.format == CW_CLI_FORMAT_JSON)
      {
        printf ("{\"config\":");
        cw_cli_config_json (stdout, &s.config);
        printf (",\"payload_bytes\":%llu,\"recompute_flops\":%.17g,\"link_bytes_per_s\":%llu,\"flops_per_s\":%llu,"
                "\"n_full\":%llu,\"n_promoted\":%llu,\"layers\":[",
                (unsigned long long) cw_index_cache_plan_get_payload_bytes (plan),
                cw_index_cache_plan_get_recompute_flops (plan), (unsigned long long) o.ic.link_bytes_per_s,
                (unsigned long long) o.ic.flops_per_s, (unsigned long long) cw_index_cache_plan_get_n_full (plan),
                (unsigned long long) cw_index_cache_plan_get_n_promoted (plan));
        for (uint64_t l = 0; l < L; l++)
          printf ("%s{\"layer\":%llu,\"stage\":%llu,\"role\":\"%s\",\"resident_bytes\":%llu}", l ? "," : "",
                  (unsigned long long) l, (unsigned long long) cw_index_cache_plan_get_layer_stage (plan, l),
                  cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (plan, l)),
                  (unsigned long long) cw_index_cache_plan_get_layer_resident_bytes (plan, l));
        printf ("],\"boundaries\":[");
        for (uint64_t bnd = 0; bnd < nb; bnd++)
          {
            uint64_t consumer = cw_index_cache_plan_get_boundary_consumer (plan, bnd);
            printf ("%s{\"from_stage\":%llu,\"to_stage\":%llu,\"consumer\":", bnd ? "," : "",
                    (unsigned long long) bnd, (unsigned long long) bnd + 1);
            if (consumer == UINT64_MAX)
              printf ("null");
            else
              printf ("%llu", (unsigned long long) consumer);
            printf (",\"payload_bytes\":%llu,\"transfer_s\":%.9g,\"recompute_s\":%.9g,\"decision\":\"%s\"}",
                    (unsigned long long) cw_index_cache_plan_get_boundary_payload_bytes (plan, bnd),
                    cw_index_cache_plan_get_boundary_transfer_s (plan, bnd),
                    cw_index_cache_plan_get_boundary_recompute_s (plan, bnd),
                    cw_boundary_decision_get_name (cw_index_cache_plan_get_boundary_decision (plan, bnd)));
          }
        printf ("]}\n");
      }
    else if (s.format == CW_CLI_FORMAT_CSV)
      {
        printf ("kind,index,stage,role_or_decision,bytes,transfer_s,recompute_s\n");
        for (uint64_t l = 0; l < L; l++)
          printf ("layer,%llu,%llu,%s,%llu,,\n", (unsigned long long) l,
                  (unsigned long long) cw_index_cache_plan_get_layer_stage (plan, l),
                  cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (plan, l)),
                  (unsigned long long) cw_index_cache_plan_get_layer_resident_bytes (plan, l));
        for (uint64_t bnd = 0; bnd < nb; bnd++)
          printf ("boundary,%llu,%llu,%s,%llu,%.9g,%.9g\n", (unsigned long long) bnd, (unsigned long long) bnd + 1,
                  cw_boundary_decision_get_name (cw_index_cache_plan_get_boundary_decision (plan, bnd)),
                  (unsigned long long) cw_index_cache_plan_get_boundary_payload_bytes (plan, bnd),
                  cw_index_cache_plan_get_boundary_transfer_s (plan, bnd),
                  cw_index_cache_plan_get_boundary_recompute_s (plan, bnd));
      }
    else
      {
        cw_cli_config_describe (&s.config, cfg, sizeof cfg);
        printf ("configuration: %s%s%s\n", s.preset, s.preset[0] ? ": " : "", cfg);
        printf ("index cache payload (b*sq*H*top_k*index bytes): %s\n",
                cw_bytes_format (cw_index_cache_plan_get_payload_bytes (plan), a, sizeof a));
        printf ("recompute: %.4g FLOP per full layer at %.4g TFLOP/s; link %.4g GB/s\n",
                cw_index_cache_plan_get_recompute_flops (plan), (double) o.ic.flops_per_s / 1e12,
                (double) o.ic.link_bytes_per_s / 1e9);
        printf ("full layers: %llu (of which promoted: %llu)\n\n",
                (unsigned long long) cw_index_cache_plan_get_n_full (plan),
                (unsigned long long) cw_index_cache_plan_get_n_promoted (plan));
        printf ("%-6s %-6s %-9s %s\n", "layer", "stage", "role", "resident index bytes");
        for (uint64_t l = 0; l < L; l++)
          printf ("%-6llu %-6llu %-9s %s\n", (unsigned long long) l,
                  (unsigned long long) cw_index_cache_plan_get_layer_stage (plan, l),
                  cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (plan, l)),
                  cw_bytes_format (cw_index_cache_plan_get_layer_resident_bytes (plan, l), a, sizeof a));
        if (nb > 0)
          printf ("\n%-9s %-9s %-44s %-12s %-12s %s\n", "boundary", "consumer", "payload", "transfer", "recompute",
                  "decision");
        for (uint64_t bnd = 0; bnd < nb; bnd++)
          {
            uint64_t consumer = cw_index_cache_plan_get_boundary_consumer (plan, bnd);
            char cons[24], bname[48];

            snprintf (bname, sizeof bname, "%llu->%llu", (unsigned long long) bnd, (unsigned long long) bnd + 1);
            if (consumer == UINT64_MAX)
              snprintf (cons, sizeof cons, "-");
            else
              snprintf (cons, sizeof cons, "%llu", (unsigned long long) consumer);
            fmt_seconds (cw_index_cache_plan_get_boundary_transfer_s (plan, bnd), t1, sizeof t1);
            fmt_seconds (cw_index_cache_plan_get_boundary_recompute_s (plan, bnd), t2, sizeof t2);
            printf ("%-9s %-9s %-44s %-12s %-12s %s\n", bname, cons,
                    cw_bytes_format (cw_index_cache_plan_get_boundary_payload_bytes (plan, bnd), a, sizeof a),
                    t1, t2, cw_boundary_decision_get_name (cw_index_cache_plan_get_boundary_decision (plan, bnd)));
          }
      }
  }
out:
  cw_index_cache_plan_free (plan);
  cw_cli_setup_clear (&s);
out_opts:
  free (preset_indexer);
  free (o.indexer_layers);
  free (o.full_layers);
  free (o.stage_starts);
  return status;
}
