/* cw-cli-indexcache.c: `cliffwatch-cli indexcache`: per-layer schedule and per-boundary decision.
 * With --calibration DB (built with the receipt store) it also plans with the
 * link and throughput calibrated from index-transfer receipts and shows, per
 * boundary, the assumed decision next to the calibrated and the measured one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw-cli-commands.h"
#include "cw-cli-config.h"
#include "cw-cli-indexcache-options.h"
#include "cw-seconds.h"

#ifndef CW_CLI_HAVE_CALIBRATE
#define CW_CLI_HAVE_CALIBRATE 0
#endif
#if CW_CLI_HAVE_CALIBRATE
#include "cw-calibration.h"
#include "cw-receipt.h"
#endif

typedef struct {
  CwCliIndexCacheOptions p;    /* the options `chart indexcache` shares */
  const char *calibration_db, *calibration_gpu;
} Options;

/* The plan again with calibrated inputs, and what the receipts measured for
 * this very configuration. */
typedef struct {
  bool on;
  CwIndexCachePlan *plan;
  double bytes_per_s, latency_s, flops_per_s;
  const char *flops_source;    /* "--tflops", "family" (same dims, any sq), "all" */
  size_t n_transfer, n_recompute;
  char gpu[128], link[64];
  bool measured;
  double measured_transfer_s, measured_recompute_s;
  char measured_run[37];
} Calibrated;

static void
print_help (void)
{
  fputs ("Usage: cliffwatch-cli indexcache [OPTIONS]\n"
         "Plans the cross-layer index cache: which indexer layers are full (anchor),\n"
         "shared, or promoted (fail closed: no valid cache on their stage), the index\n"
         "bytes resident per layer, and at each pipeline-stage boundary the payload,\n"
         "its transfer time vs the recompute time, and the decision.\n", stdout);
  cw_cli_indexcache_options_print_help (stdout);
  fputs ("  --calibration DB        also plan with the link bandwidth, latency and TFLOP/s that\n"
         "                          `cliffwatch-cli calibrate` derives from DB's index-transfer\n"
         "                          receipts (--link-gbps/--tflops still override them), and show\n"
         "                          per boundary the assumed decision next to the calibrated one and,\n"
         "                          when DB holds this configuration, the measured one\n"
         "  --calibration-gpu TEXT  only receipts whose GPU name contains TEXT\n", stdout);
  cw_cli_setup_print_help (stdout);
}

static int
extra_option (int argc, char **argv, int *i, void *user_data, CwError *error)
{
  Options *o = user_data;
  const char *v;
  int r = cw_cli_indexcache_options_parse (&o->p, argc, argv, i, error);

  if (r != 0)
    return r;
  if (cw_cli_match_option (argc, argv, i, "--calibration", &v, error))
    {
      if (v == NULL)
        return -1;
      o->calibration_db = v;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--calibration-gpu", &v, error))
    {
      if (v == NULL)
        return -1;
      if (v[0] == '\0' || strlen (v) >= 128)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--calibration-gpu: give 1 to 127 characters");
          return -1;
        }
      o->calibration_gpu = v;
      return 1;
    }
  return 0;
}

/* Fills cal from the database: returns an exit status (0 ok, 1 the database
 * could not be used, 2 bad usage) and prints the message itself. */
static int
calibrate_plan (const Options *o, const CwConfig *config, const CwIndexCachePlan *assumed, Calibrated *cal)
{
#if CW_CLI_HAVE_CALIBRATE
  CwError e = CW_ERROR_INIT;
  CwCalibration *c;
  CwCalibrationIndexCacheRates rates;
  uint64_t payload = cw_index_cache_plan_get_payload_bytes (assumed);
  const char *run = NULL;

  c = cw_calibration_new_from_db (o->calibration_db, o->calibration_gpu, NULL, &e);
  if (c == NULL)
    {
      fprintf (stderr, "cliffwatch-cli: indexcache: --calibration: %s\n", e.message);
      return 1;
    }
  cal->on = true;
  cal->n_transfer = cw_calibration_get_n_transfer (c);
  cal->n_recompute = cw_calibration_get_n_recompute (c);
  CW_RECEIPT_SET (cal->gpu, cw_calibration_get_gpu_name (c));
  CW_RECEIPT_SET (cal->link, cw_calibration_get_link (c));
  /* The one rule both front ends plan with (cw-calibration.h). */
  cal->plan = cw_calibration_plan_index_cache (c, config, &o->p.ic,
                                               cw_index_cache_setup_has_link_bytes_per_s (o->p.setup)
                                               ? cw_index_cache_setup_get_link_bytes_per_s (o->p.setup) : 0,
                                               cw_index_cache_setup_has_flops_per_s (o->p.setup)
                                               ? cw_index_cache_setup_get_flops_per_s (o->p.setup) : 0,
                                               &rates, &e);
  cal->bytes_per_s = rates.bytes_per_s;
  cal->latency_s = rates.latency_s;
  cal->flops_per_s = rates.flops_per_s;
  cal->flops_source = rates.flops_given ? "--tflops" : rates.n_family ? "family" : "all";
  cal->measured = cal->plan != NULL
                  && cw_calibration_find_measured (c, config, payload, &cal->measured_transfer_s,
                                                   &cal->measured_recompute_s, &run);
  if (run)
    CW_RECEIPT_SET (cal->measured_run, run);
  cw_calibration_free (c);
  if (cal->plan == NULL)
    {
      cw_error_prefix (&e, "indexcache: ");
      return cw_cli_fail (&e);
    }
  return 0;
#else
  (void) o;
  (void) config;
  (void) assumed;
  (void) cal;
  return cw_cli_failf ("indexcache: --calibration needs the SQLite receipt store: install libsqlite3-dev and "
                       "configure with -Dsqlite=enabled");
#endif
}

static const char *
measured_decision (const Calibrated *cal)
{
  return cw_boundary_decision_get_name (cw_boundary_decision_for_times (cal->measured_transfer_s,
                                                                       cal->measured_recompute_s));
}

int
cw_cli_indexcache (int argc, char **argv)
{
  CwCliSetup s;
  CwError e = CW_ERROR_INIT;
  Options o;
  CwIndexCachePlan *plan = NULL;
  Calibrated cal;
  int status = 0;

  for (int i = 1; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      {
        print_help ();
        return 0;
      }
  memset (&o, 0, sizeof o);
  memset (&cal, 0, sizeof cal);
  cw_cli_indexcache_options_init (&o.p);
  if (!cw_cli_setup_parse (&s, argc, argv, extra_option, &o, &e))
    {
      status = cw_cli_fail (&e);
      goto out_opts;
    }
  if (s.training)
    {
      status = cw_cli_failf ("indexcache: --training is not an indexcache option (it plans a score path's training "
                             "step: plan, cliff, sweep)");
      goto out;
    }
  if (!cw_cli_indexcache_options_resolve (&o.p, s.preset, "indexcache", &e))
    {
      status = cw_cli_fail (&e);
      goto out;
    }
  if (o.calibration_gpu != NULL && o.calibration_db == NULL)
    {
      status = cw_cli_failf ("indexcache: --calibration-gpu needs --calibration DB");
      goto out;
    }
  plan = cw_index_cache_plan_new (&s.config, &o.p.ic, &e);
  if (plan == NULL)
    {
      status = cw_cli_fail (&e);
      goto out;
    }
  if (o.calibration_db != NULL && (status = calibrate_plan (&o, &s.config, plan, &cal)) != 0)
    goto out;

  {
    uint64_t L = cw_index_cache_plan_get_n_layers (plan);
    uint64_t nb = cw_index_cache_plan_get_n_boundaries (plan);
    char a[CW_BYTES_FORMAT_SIZE], t1[32], t2[32], t3[32], t4[32], t5[32], t6[32], cfg[512];

    if (s.format == CW_CLI_FORMAT_JSON)
      {
        printf ("{\"config\":");
        cw_cli_config_json (stdout, &s.config);
        printf (",\"payload_bytes\":%llu,\"recompute_flops\":%.17g,\"link_bytes_per_s\":%llu,\"flops_per_s\":%llu,"
                "\"n_full\":%llu,\"n_promoted\":%llu,\"calibration\":",
                (unsigned long long) cw_index_cache_plan_get_payload_bytes (plan),
                cw_index_cache_plan_get_recompute_flops (plan), (unsigned long long) o.p.ic.link_bytes_per_s,
                (unsigned long long) o.p.ic.flops_per_s, (unsigned long long) cw_index_cache_plan_get_n_full (plan),
                (unsigned long long) cw_index_cache_plan_get_n_promoted (plan));
        if (cal.on)
          {
            printf ("{\"db\":");
            cw_cli_json_string (stdout, o.calibration_db);
            printf (",\"gpu\":");
            cw_cli_json_string (stdout, cal.gpu);
            printf (",\"link\":");
            cw_cli_json_string (stdout, cal.link);
            printf (",\"link_bytes_per_s\":%.9g,\"latency_s\":%.9g,\"flops_per_s\":%.9g,\"flops_source\":\"%s\","
                    "\"transfer_receipts\":%zu,\"recompute_receipts\":%zu,\"n_full\":%llu,\"n_promoted\":%llu}",
                    cal.bytes_per_s, cal.latency_s, cal.flops_per_s, cal.flops_source, cal.n_transfer,
                    cal.n_recompute, (unsigned long long) cw_index_cache_plan_get_n_full (cal.plan),
                    (unsigned long long) cw_index_cache_plan_get_n_promoted (cal.plan));
          }
        else
          printf ("null");
        printf (",\"layers\":[");
        for (uint64_t l = 0; l < L; l++)
          {
            printf ("%s{\"layer\":%llu,\"stage\":%llu,\"role\":\"%s\",\"resident_bytes\":%llu", l ? "," : "",
                    (unsigned long long) l, (unsigned long long) cw_index_cache_plan_get_layer_stage (plan, l),
                    cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (plan, l)),
                    (unsigned long long) cw_index_cache_plan_get_layer_resident_bytes (plan, l));
            if (cal.on)
              printf (",\"calibrated_role\":\"%s\"",
                      cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (cal.plan, l)));
            printf ("}");
          }
        printf ("],\"boundaries\":[");
        for (uint64_t bnd = 0; bnd < nb; bnd++)
          {
            uint64_t consumer = cw_index_cache_plan_get_boundary_consumer (plan, bnd);
            CwBoundaryDecision d = cw_index_cache_plan_get_boundary_decision (plan, bnd);

            printf ("%s{\"from_stage\":%llu,\"to_stage\":%llu,\"consumer\":", bnd ? "," : "",
                    (unsigned long long) bnd, (unsigned long long) bnd + 1);
            if (consumer == UINT64_MAX)
              printf ("null");
            else
              printf ("%llu", (unsigned long long) consumer);
            printf (",\"payload_bytes\":%llu,\"transfer_s\":%.9g,\"recompute_s\":%.9g,\"decision\":\"%s\",\"calibrated\":",
                    (unsigned long long) cw_index_cache_plan_get_boundary_payload_bytes (plan, bnd),
                    cw_index_cache_plan_get_boundary_transfer_s (plan, bnd),
                    cw_index_cache_plan_get_boundary_recompute_s (plan, bnd), cw_boundary_decision_get_name (d));
            if (cal.on)
              printf ("{\"transfer_s\":%.9g,\"recompute_s\":%.9g,\"decision\":\"%s\"}",
                      cw_index_cache_plan_get_boundary_transfer_s (cal.plan, bnd),
                      cw_index_cache_plan_get_boundary_recompute_s (cal.plan, bnd),
                      cw_boundary_decision_get_name (cw_index_cache_plan_get_boundary_decision (cal.plan, bnd)));
            else
              printf ("null");
            printf (",\"measured\":");
            if (cal.on && cal.measured && d != CW_BOUNDARY_NOTHING)
              {
                printf ("{\"transfer_s\":%.9g,\"recompute_s\":%.9g,\"decision\":\"%s\",\"run_id\":",
                        cal.measured_transfer_s, cal.measured_recompute_s, measured_decision (&cal));
                cw_cli_json_string (stdout, cal.measured_run);
                printf ("}");
              }
            else
              printf ("null");
            printf ("}");
          }
        printf ("]}\n");
      }
    else if (s.format == CW_CLI_FORMAT_CSV)
      {
        printf ("kind,index,stage,role_or_decision,bytes,transfer_s,recompute_s%s\n",
                cal.on ? ",calibrated_role_or_decision,calibrated_transfer_s,calibrated_recompute_s,"
                         "measured_decision,measured_transfer_s,measured_recompute_s"
                       : "");
        for (uint64_t l = 0; l < L; l++)
          {
            printf ("layer,%llu,%llu,%s,%llu,,", (unsigned long long) l,
                    (unsigned long long) cw_index_cache_plan_get_layer_stage (plan, l),
                    cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (plan, l)),
                    (unsigned long long) cw_index_cache_plan_get_layer_resident_bytes (plan, l));
            if (cal.on)
              printf (",%s,,,,,", cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (cal.plan, l)));
            printf ("\n");
          }
        for (uint64_t bnd = 0; bnd < nb; bnd++)
          {
            CwBoundaryDecision d = cw_index_cache_plan_get_boundary_decision (plan, bnd);

            printf ("boundary,%llu,%llu,%s,%llu,%.9g,%.9g", (unsigned long long) bnd, (unsigned long long) bnd + 1,
                    cw_boundary_decision_get_name (d),
                    (unsigned long long) cw_index_cache_plan_get_boundary_payload_bytes (plan, bnd),
                    cw_index_cache_plan_get_boundary_transfer_s (plan, bnd),
                    cw_index_cache_plan_get_boundary_recompute_s (plan, bnd));
            if (cal.on)
              {
                printf (",%s,%.9g,%.9g",
                        cw_boundary_decision_get_name (cw_index_cache_plan_get_boundary_decision (cal.plan, bnd)),
                        cw_index_cache_plan_get_boundary_transfer_s (cal.plan, bnd),
                        cw_index_cache_plan_get_boundary_recompute_s (cal.plan, bnd));
                if (cal.measured && d != CW_BOUNDARY_NOTHING)
                  printf (",%s,%.9g,%.9g", measured_decision (&cal), cal.measured_transfer_s,
                          cal.measured_recompute_s);
                else
                  printf (",,,");
              }
            printf ("\n");
          }
      }
    else
      {
        cw_config_describe (&s.config, cfg, sizeof cfg);
        printf ("configuration: %s%s%s\n", s.preset, s.preset[0] ? ": " : "", cfg);
        printf ("index cache payload (b*sq*H*top_k*index bytes): %s\n",
                cw_bytes_format (cw_index_cache_plan_get_payload_bytes (plan), a, sizeof a));
        printf ("recompute: %.4g FLOP per full layer at %.4g TFLOP/s; link %.4g GB/s%s\n",
                cw_index_cache_plan_get_recompute_flops (plan), (double) o.p.ic.flops_per_s / 1e12,
                (double) o.p.ic.link_bytes_per_s / 1e9, cal.on ? " (assumed)" : "");
        if (cal.on)
          {
            cw_seconds_format (cal.latency_s, t1, sizeof t1);
            printf ("calibrated from %s (%s, link %s; %zu transfer + %zu recompute receipts): link %.4g GB/s + "
                    "%s latency, %.4g TFLOP/s (%s)\n",
                    o.calibration_db, cal.gpu, cal.link[0] ? cal.link : "not recorded", cal.n_transfer,
                    cal.n_recompute, cal.bytes_per_s / 1e9, t1, cal.flops_per_s / 1e12,
                    strcmp (cal.flops_source, "family") == 0 ? "median of this configuration's dims"
                    : strcmp (cal.flops_source, "all") == 0  ? "median of all receipts: none has these dims"
                                                             : "--tflops");
            if (cal.measured)
              {
                cw_seconds_format (cal.measured_transfer_s, t1, sizeof t1);
                cw_seconds_format (cal.measured_recompute_s, t2, sizeof t2);
                printf ("measured for this configuration (run %s): transfer %s, recompute %s: %s wins\n",
                        cal.measured_run, t1, t2, measured_decision (&cal));
              }
            else
              printf ("measured: the database holds no receipt for this configuration\n");
          }
        printf ("full layers: %llu (of which promoted: %llu)", (unsigned long long) cw_index_cache_plan_get_n_full (plan),
                (unsigned long long) cw_index_cache_plan_get_n_promoted (plan));
        if (cal.on)
          printf ("; calibrated: %llu (promoted %llu)", (unsigned long long) cw_index_cache_plan_get_n_full (cal.plan),
                  (unsigned long long) cw_index_cache_plan_get_n_promoted (cal.plan));
        printf ("\n\n%-6s %-6s %-9s %s%s\n", "layer", "stage", "role", cal.on ? "calibrated " : "",
                "resident index bytes");
        for (uint64_t l = 0; l < L; l++)
          {
            printf ("%-6llu %-6llu %-9s ", (unsigned long long) l,
                    (unsigned long long) cw_index_cache_plan_get_layer_stage (plan, l),
                    cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (plan, l)));
            if (cal.on)
              printf ("%-10s ", cw_layer_role_get_name (cw_index_cache_plan_get_layer_role (cal.plan, l)));
            printf ("%s\n", cw_bytes_format (cw_index_cache_plan_get_layer_resident_bytes (plan, l), a, sizeof a));
          }
        if (nb > 0 && cal.on)
          printf ("\n%-9s %-9s %-12s | %-12s %-12s %-10s | %-12s %-12s %-10s | %-12s %-12s %s\n", "boundary",
                  "consumer", "payload", "transfer", "recompute", "assumed", "transfer", "recompute", "calibrated",
                  "transfer", "recompute", "measured");
        else if (nb > 0)
          printf ("\n%-9s %-9s %-44s %-12s %-12s %s\n", "boundary", "consumer", "payload", "transfer", "recompute",
                  "decision");
        for (uint64_t bnd = 0; bnd < nb; bnd++)
          {
            uint64_t consumer = cw_index_cache_plan_get_boundary_consumer (plan, bnd);
            CwBoundaryDecision d = cw_index_cache_plan_get_boundary_decision (plan, bnd);
            char cons[24], bname[48];

            snprintf (bname, sizeof bname, "%llu->%llu", (unsigned long long) bnd, (unsigned long long) bnd + 1);
            if (consumer == UINT64_MAX)
              snprintf (cons, sizeof cons, "-");
            else
              snprintf (cons, sizeof cons, "%llu", (unsigned long long) consumer);
            cw_seconds_format (cw_index_cache_plan_get_boundary_transfer_s (plan, bnd), t1, sizeof t1);
            cw_seconds_format (cw_index_cache_plan_get_boundary_recompute_s (plan, bnd), t2, sizeof t2);
            if (!cal.on)
              {
                printf ("%-9s %-9s %-44s %-12s %-12s %s\n", bname, cons,
                        cw_bytes_format (cw_index_cache_plan_get_boundary_payload_bytes (plan, bnd), a, sizeof a),
                        t1, t2, cw_boundary_decision_get_name (d));
                continue;
              }
            cw_seconds_format (cw_index_cache_plan_get_boundary_transfer_s (cal.plan, bnd), t3, sizeof t3);
            cw_seconds_format (cw_index_cache_plan_get_boundary_recompute_s (cal.plan, bnd), t4, sizeof t4);
            if (cal.measured && d != CW_BOUNDARY_NOTHING)
              {
                cw_seconds_format (cal.measured_transfer_s, t5, sizeof t5);
                cw_seconds_format (cal.measured_recompute_s, t6, sizeof t6);
              }
            else
              {
                snprintf (t5, sizeof t5, "-");
                snprintf (t6, sizeof t6, "-");
              }
            printf ("%-9s %-9s %-12s | %-12s %-12s %-10s | %-12s %-12s %-10s | %-12s %-12s %s\n", bname, cons,
                    cw_bytes_format_gib (cw_index_cache_plan_get_boundary_payload_bytes (plan, bnd), a, sizeof a),
                    t1, t2, cw_boundary_decision_get_name (d), t3, t4,
                    cw_boundary_decision_get_name (cw_index_cache_plan_get_boundary_decision (cal.plan, bnd)), t5, t6,
                    cal.measured && d != CW_BOUNDARY_NOTHING ? measured_decision (&cal) : "-");
          }
      }
  }
out:
  cw_index_cache_plan_free (plan);
  cw_index_cache_plan_free (cal.plan);
  cw_cli_setup_clear (&s);
out_opts:
  cw_cli_indexcache_options_clear (&o.p);
  return status;
}
