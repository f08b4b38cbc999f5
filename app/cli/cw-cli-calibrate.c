/* cw-cli-calibrate.c: `cliffwatch-cli calibrate`: the stage link and the
 * indexer throughput from index-transfer receipts, and where recompute
 * beats transfer on that link.
 *
 * Exit status as `cliffwatch-cli receipts`: 0 ok, 1 the command ran and
 * failed (no such database, not a receipt database, no index-transfer
 * receipts in it), 2 bad usage. */
#include "cw-cli-commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-bytes.h"
#include "cw-calibration.h"
#include "cw-cli-args.h"
#include "cw-seconds.h"
#include "cw-cli-config.h"
#include "cw-receipt.h"

#define EXIT_RUNTIME 1

typedef struct {
  const char *db;
  const char *gpu_filter;
  const char *run_id;
  CwCliFormat format;
} Options;

static void
print_help (void)
{
  fputs ("Usage: cliffwatch-cli calibrate --db FILE [--gpu-filter TEXT] [--run ID] [--format table|json|csv]\n"
         "Reads the index-transfer receipts (cliffwatch-index-transfer) of a receipt\n"
         "database and derives:\n"
         "  link        transfer time = latency + bytes / bandwidth, least squares over\n"
         "              the index-transfer-recv receipts (payload bytes, seconds)\n"
         "  throughput  TFLOP/s of the index-recompute receipts, per point and the median\n"
         "  crossover   per configuration family (sq varies): where recompute beats\n"
         "              transfer on this link, and per measured sq the link bandwidth\n"
         "              below which recompute wins\n"
         "and prints the flags to hand the planner (`cliffwatch-cli indexcache`).\n"
         "  --db FILE          receipt database (also the first positional argument)\n"
         "  --gpu-filter TEXT  only receipts whose GPU name contains TEXT (case-insensitive)\n"
         "  --run ID           only receipts of one run (the receipts' sweep id)\n"
         "  --format F         table (default), json or csv\n"
         "Exit status: 0 ok, 1 unreadable database or no index-transfer receipts, 2 bad usage.\n",
         stdout);
}

static bool
parse_options (int argc, char **argv, Options *o, CwError *error)
{
  const char *v;

  memset (o, 0, sizeof *o);
  for (int i = 1; i < argc; i++)
    {
      error->code = CW_ERROR_NONE;
      if (cw_cli_match_option (argc, argv, &i, "--db", &v, error))
        {
          if (v == NULL)
            return false;
          if (o->db != NULL)
            {
              cw_error_set (error, CW_ERROR_INVALID, "calibrate: give the database once (--db FILE or an argument)");
              return false;
            }
          o->db = v;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--gpu-filter", &v, error))
        {
          if (v == NULL)
            return false;
          if (v[0] == '\0' || strlen (v) >= 128)
            {
              cw_error_set (error, CW_ERROR_INVALID, "--gpu-filter: give 1 to 127 characters");
              return false;
            }
          o->gpu_filter = v;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--run", &v, error))
        {
          if (v == NULL)
            return false;
          if (v[0] == '\0' || strlen (v) >= 37)
            {
              cw_error_set (error, CW_ERROR_INVALID, "--run: '%s' is not a run id", v);
              return false;
            }
          o->run_id = v;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--format", &v, error))
        {
          if (v == NULL || !cw_cli_parse_format (v, &o->format, error))
            return false;
        }
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        {
          cw_error_set (error, CW_ERROR_INVALID, "calibrate: unknown option '%s'", argv[i]);
          return false;
        }
      else if (o->db == NULL)
        o->db = argv[i];
      else
        {
          cw_error_set (error, CW_ERROR_INVALID, "calibrate: give the database once (--db FILE or an argument); "
                        "unexpected '%s'", argv[i]);
          return false;
        }
    }
  if (o->db == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "calibrate: a database is required (--db FILE)");
      return false;
    }
  return true;
}

static const char *
winner (double transfer_s, double recompute_s)
{
  return cw_boundary_decision_get_name (cw_boundary_decision_for_times (transfer_s, recompute_s));
}

static void
family_describe (const CwCalibrationFamily *f, char *buf, size_t size)
{
  const CwConfig *c = &f->config;
  bool follows = c->ratio != 0 || cw_config_get_sk (c) == c->sq;
  char sk[48];

  if (c->ratio > 1)
    snprintf (sk, sizeof sk, "sk=sq/%llu", (unsigned long long) c->ratio);
  else if (follows)
    snprintf (sk, sizeof sk, "sk=sq");
  else
    snprintf (sk, sizeof sk, "sk=%llu", (unsigned long long) cw_config_get_sk (c));
  snprintf (buf, size, "%s%sb=%llu h=%llu d=%llu %s top_k=%llu H=%llu %s q/k %s/%s index %s", f->preset,
            f->preset[0] ? ": " : "", (unsigned long long) c->b, (unsigned long long) c->h,
            (unsigned long long) c->d, sk, (unsigned long long) c->top_k, (unsigned long long) f->index_heads,
            cw_causal_get_name (c->causal), cw_dtype_get_name (c->q_dtype), cw_dtype_get_name (c->k_dtype),
            cw_dtype_get_name (c->index_dtype));
}

/* One sentence: where recompute wins in this family. */
static void
family_verdict (const CwCalibrationFamily *f, char *buf, size_t size)
{
  char a[CW_BYTES_FORMAT_SIZE];

  switch (f->crossover.kind)
    {
    case CW_CROSSOVER_RECOMPUTE_BELOW:
      snprintf (buf, size,
                "recompute wins only up to sq = %llu (payload %s); above it transfer wins%s",
                (unsigned long long) f->crossover.max_sq, cw_bytes_format (f->crossover.max_payload_bytes, a, sizeof a),
                f->crossover.recompute_quadratic
                  ? ". There is no payload size above which recompute wins: recompute grows as sq^2, the payload as sq"
                  : "");
      break;
    case CW_CROSSOVER_RECOMPUTE_NEVER:
      snprintf (buf, size, "transfer wins at every sq%s",
                f->crossover.recompute_quadratic
                  ? ": recompute never wins (it grows as sq^2, the payload as sq); see the link bandwidth below which "
                    "it would, per measured sq"
                  : "");
      break;
    case CW_CROSSOVER_RECOMPUTE_ALWAYS:
      snprintf (buf, size, "recompute wins at every sq the planner accepts (up to %llu): the link is too slow for "
                "this payload", (unsigned long long) f->crossover.max_sq);
      break;
    }
}

static void
json_number_or_null (double v)
{
  if (isfinite (v))
    printf ("%.9g", v);
  else
    printf ("null");
}

static void
print_json (const Options *o, const CwCalibration *cal, const CwCalibrationFamily *fam, size_t nf)
{
  double bw = cw_calibration_get_link_bytes_per_s (cal), lat = cw_calibration_get_link_latency_used_s (cal);

  printf ("{\"db\":");
  cw_cli_json_string (stdout, o->db);
  printf (",\"gpu\":");
  cw_cli_json_string (stdout, cw_calibration_get_gpu_name (cal));
  printf (",\"link_name\":");
  cw_cli_json_string (stdout, cw_calibration_get_link (cal));
  printf (",\"runs\":[");
  for (size_t i = 0; i < cw_calibration_get_n_runs (cal); i++)
    {
      printf ("%s", i ? "," : "");
      cw_cli_json_string (stdout, cw_calibration_get_run_id (cal, i));
    }
  printf ("],\"link\":{\"gbps\":%.9g,\"bytes_per_s\":%.9g,\"latency_s\":%.9g,\"latency_used_s\":%.9g,"
          "\"fitted\":%s,\"points\":[",
          bw / 1e9, bw, cw_calibration_get_link_latency_s (cal), lat,
          cw_calibration_get_link_fitted (cal) ? "true" : "false");
  for (size_t i = 0; i < cw_calibration_get_n_transfer (cal); i++)
    {
      const CwCalibrationPoint *p = cw_calibration_get_transfer (cal, i);
      printf ("%s{\"receipt_id\":%lld,\"run_id\":", i ? "," : "", (long long) p->receipt_id);
      cw_cli_json_string (stdout, p->run_id);
      printf (",\"preset\":");
      cw_cli_json_string (stdout, p->preset);
      printf (",\"b\":%llu,\"sq\":%llu,\"top_k\":%llu,\"payload_bytes\":%llu,\"seconds\":%.9g,\"gbps\":%.9g,"
              "\"fit_seconds\":%.9g}",
              (unsigned long long) p->config.b, (unsigned long long) p->config.sq,
              (unsigned long long) p->config.top_k, (unsigned long long) p->payload_bytes, p->seconds,
              (double) p->payload_bytes / p->seconds / 1e9,
              cw_calibration_get_link_latency_s (cal) + (double) p->payload_bytes / bw);
    }
  printf ("]},\"recompute\":{\"tflops\":%.9g,\"tflops_fit\":%.9g,\"points\":[",
          cw_calibration_get_flops_per_s (cal) / 1e12, cw_calibration_get_flops_per_s_fit (cal) / 1e12);
  for (size_t i = 0; i < cw_calibration_get_n_recompute (cal); i++)
    {
      const CwCalibrationPoint *p = cw_calibration_get_recompute (cal, i);
      printf ("%s{\"receipt_id\":%lld,\"run_id\":", i ? "," : "", (long long) p->receipt_id);
      cw_cli_json_string (stdout, p->run_id);
      printf (",\"preset\":");
      cw_cli_json_string (stdout, p->preset);
      printf (",\"b\":%llu,\"sq\":%llu,\"top_k\":%llu,\"flops\":%.17g,\"seconds\":%.9g,\"tflops\":%.9g}",
              (unsigned long long) p->config.b, (unsigned long long) p->config.sq,
              (unsigned long long) p->config.top_k, p->flops, p->seconds, p->flops / p->seconds / 1e12);
    }
  printf ("]},\"crossover\":{\"families\":[");
  for (size_t k = 0; k < nf; k++)
    {
      const CwCalibrationFamily *f = &fam[k];
      char desc[512], verdict[512];

      family_describe (f, desc, sizeof desc);
      family_verdict (f, verdict, sizeof verdict);
      printf ("%s{\"family\":", k ? "," : "");
      cw_cli_json_string (stdout, desc);
      printf (",\"preset\":");
      cw_cli_json_string (stdout, f->preset);
      printf (",\"index_heads\":%llu,\"config\":", (unsigned long long) f->index_heads);
      cw_cli_config_json (stdout, &f->config);
      printf (",\"tflops\":%.9g,\"recompute_quadratic\":%s,\"recompute_wins\":\"%s\",\"max_sq_recompute_wins\":",
              f->flops_per_s / 1e12, f->crossover.recompute_quadratic ? "true" : "false",
              cw_crossover_kind_get_name (f->crossover.kind));
      if (f->crossover.kind == CW_CROSSOVER_RECOMPUTE_NEVER)
        printf ("null,\"max_payload_bytes_recompute_wins\":null");
      else
        printf ("%llu,\"max_payload_bytes_recompute_wins\":%llu", (unsigned long long) f->crossover.max_sq,
                (unsigned long long) f->crossover.max_payload_bytes);
      printf (",\"verdict\":");
      cw_cli_json_string (stdout, verdict);
      printf (",\"points\":[");
      for (size_t j = 0; j < f->n; j++)
        {
          const CwCalibrationMeasured *m = &f->m[j];
          double ct = m->calibrated_transfer_s, cr = m->calibrated_recompute_s;
          double be = m->breakeven_bytes_per_s, above = m->breakeven_payload_bytes;

          printf ("%s{\"sq\":%llu,\"run_id\":", j ? "," : "", (unsigned long long) m->config.sq);
          cw_cli_json_string (stdout, m->run_id);
          printf (",\"payload_bytes\":%llu,\"measured\":{\"transfer_s\":%.9g,\"recompute_s\":%.9g,\"decision\":\"%s\"},"
                  "\"calibrated\":{\"transfer_s\":%.9g,\"recompute_s\":%.9g,\"decision\":\"%s\"},"
                  "\"link_gbps_below_which_recompute_wins\":",
                  (unsigned long long) m->payload_bytes, m->transfer_s, m->recompute_s,
                  winner (m->transfer_s, m->recompute_s), ct, cr, winner (ct, cr));
          json_number_or_null (be / 1e9);
          printf (",\"payload_bytes_above_which_recompute_wins\":%.17g}", above);
        }
      printf ("]}");
    }
  printf ("]},\"flags\":\"--link-gbps %.6g --tflops %.6g\"}\n", bw / 1e9, cw_calibration_get_flops_per_s (cal) / 1e12);
}

static void
print_csv (const CwCalibration *cal, const CwCalibrationFamily *fam, size_t nf)
{
  double bw = cw_calibration_get_link_bytes_per_s (cal), lat = cw_calibration_get_link_latency_used_s (cal);

  printf ("kind,receipt_id,run_id,preset,b,sq,top_k,payload_bytes,seconds,rate,recompute_s,decision,breakeven_gbps\n");
  for (size_t i = 0; i < cw_calibration_get_n_transfer (cal); i++)
    {
      const CwCalibrationPoint *p = cw_calibration_get_transfer (cal, i);
      printf ("transfer,%lld,", (long long) p->receipt_id);
      cw_cli_csv_field (stdout, p->run_id);
      printf (",");
      cw_cli_csv_field (stdout, p->preset);
      printf (",%llu,%llu,%llu,%llu,%.9g,%.9g,,,\n", (unsigned long long) p->config.b,
              (unsigned long long) p->config.sq, (unsigned long long) p->config.top_k,
              (unsigned long long) p->payload_bytes, p->seconds, (double) p->payload_bytes / p->seconds / 1e9);
    }
  for (size_t i = 0; i < cw_calibration_get_n_recompute (cal); i++)
    {
      const CwCalibrationPoint *p = cw_calibration_get_recompute (cal, i);
      printf ("recompute,%lld,", (long long) p->receipt_id);
      cw_cli_csv_field (stdout, p->run_id);
      printf (",");
      cw_cli_csv_field (stdout, p->preset);
      printf (",%llu,%llu,%llu,%llu,%.9g,%.9g,,,\n", (unsigned long long) p->config.b,
              (unsigned long long) p->config.sq, (unsigned long long) p->config.top_k,
              (unsigned long long) p->payload_bytes, p->seconds, p->flops / p->seconds / 1e12);
    }
  for (size_t k = 0; k < nf; k++)
    for (size_t j = 0; j < fam[k].n; j++)
      {
        const CwCalibrationMeasured *m = &fam[k].m[j];
        double be = m->breakeven_bytes_per_s;
        printf ("crossover,,");
        cw_cli_csv_field (stdout, m->run_id);
        printf (",");
        cw_cli_csv_field (stdout, fam[k].preset);
        printf (",%llu,%llu,%llu,%llu,%.9g,,%.9g,%s,", (unsigned long long) m->config.b,
                (unsigned long long) m->config.sq, (unsigned long long) m->config.top_k,
                (unsigned long long) m->payload_bytes, m->transfer_s, m->recompute_s,
                winner (m->transfer_s, m->recompute_s));
        if (isfinite (be))
          printf ("%.9g", be / 1e9);
        printf ("\n");
      }
  printf ("link-fit,,,,,,,,%.9g,%.9g,,,\n", lat, bw / 1e9);
  printf ("throughput,,,,,,,,,%.9g,,,\n", cw_calibration_get_flops_per_s (cal) / 1e12);
  (void) fam;
}

static void
print_table (const Options *o, const CwCalibration *cal, const CwCalibrationFamily *fam, size_t nf)
{
  double bw = cw_calibration_get_link_bytes_per_s (cal);
  char a[CW_BYTES_FORMAT_SIZE], t1[32], t2[32], t3[32];

  printf ("calibration from %s: %zu index-transfer-recv + %zu index-recompute receipt(s)\n", o->db,
          cw_calibration_get_n_transfer (cal), cw_calibration_get_n_recompute (cal));
  printf ("GPU: %s; link: %s\nruns:", cw_calibration_get_gpu_name (cal),
          cw_calibration_get_link (cal)[0] ? cw_calibration_get_link (cal) : "(not recorded)");
  for (size_t i = 0; i < cw_calibration_get_n_runs (cal); i++)
    printf (" %s", cw_calibration_get_run_id (cal, i));
  printf ("\n\n");

  if (cw_calibration_get_link_fitted (cal))
    {
      cw_seconds_format (fabs (cw_calibration_get_link_latency_s (cal)), t1, sizeof t1);
      printf ("link: transfer = latency + bytes / bandwidth, least squares over %zu point(s)\n"
              "  bandwidth %.4f GB/s, latency %s%s\n", cw_calibration_get_n_transfer (cal), bw / 1e9,
              cw_calibration_get_link_latency_s (cal) < 0 ? "-" : "", t1);
      if (cw_calibration_get_link_latency_s (cal) < 0)
        printf ("  (the fitted latency is negative, i.e. noise around 0; predictions use 0)\n");
    }
  else
    printf ("link: one payload size only: bandwidth = bytes / time = %.4f GB/s, latency taken as 0\n", bw / 1e9);
  printf ("  %-8s %-10s %-20s %-4s %-9s %-6s %-14s %-12s %-10s %s\n", "receipt", "run", "preset", "b", "sq", "top_k",
          "payload", "time", "GB/s", "fit time");
  for (size_t i = 0; i < cw_calibration_get_n_transfer (cal); i++)
    {
      const CwCalibrationPoint *p = cw_calibration_get_transfer (cal, i);
      cw_seconds_format (p->seconds, t1, sizeof t1);
      cw_seconds_format (cw_calibration_get_link_latency_s (cal) + (double) p->payload_bytes / bw, t2, sizeof t2);
      printf ("  %-8lld %-10.8s %-20s %-4llu %-9llu %-6llu %-14s %-12s %-10.3f %s\n", (long long) p->receipt_id,
              p->run_id, p->preset, (unsigned long long) p->config.b, (unsigned long long) p->config.sq,
              (unsigned long long) p->config.top_k, cw_bytes_format_gib (p->payload_bytes, a, sizeof a), t1,
              (double) p->payload_bytes / p->seconds / 1e9, t2);
    }

  printf ("\nrecompute throughput: median %.4f TFLOP/s over %zu point(s) (fit FLOPs = rate * time: %.4f TFLOP/s)\n",
          cw_calibration_get_flops_per_s (cal) / 1e12, cw_calibration_get_n_recompute (cal),
          cw_calibration_get_flops_per_s_fit (cal) / 1e12);
  printf ("  %-8s %-10s %-20s %-4s %-9s %-6s %-12s %-12s %s\n", "receipt", "run", "preset", "b", "sq", "top_k",
          "FLOPs", "time", "TFLOP/s");
  for (size_t i = 0; i < cw_calibration_get_n_recompute (cal); i++)
    {
      const CwCalibrationPoint *p = cw_calibration_get_recompute (cal, i);
      cw_seconds_format (p->seconds, t1, sizeof t1);
      printf ("  %-8lld %-10.8s %-20s %-4llu %-9llu %-6llu %-12.4g %-12s %.3f\n", (long long) p->receipt_id,
              p->run_id, p->preset, (unsigned long long) p->config.b, (unsigned long long) p->config.sq,
              (unsigned long long) p->config.top_k, p->flops, t1, p->flops / p->seconds / 1e12);
    }

  printf ("\ncrossover (transfer = latency + payload / bandwidth vs recompute; the planner transfers only when "
          "strictly cheaper)\n");
  for (size_t k = 0; k < nf; k++)
    {
      const CwCalibrationFamily *f = &fam[k];
      char desc[512], verdict[512];

      family_describe (f, desc, sizeof desc);
      family_verdict (f, verdict, sizeof verdict);
      printf ("  %s\n    throughput %.4f TFLOP/s (this family's median); %s\n", desc, f->flops_per_s / 1e12, verdict);
      printf ("    %-9s %-14s %-12s %-12s %-10s %-10s %-22s %s\n", "sq", "payload", "transfer", "recompute",
              "measured", "calibrated", "recompute wins below", "recompute wins above");
      for (size_t j = 0; j < f->n; j++)
        {
          const CwCalibrationMeasured *m = &f->m[j];
          double ct = m->calibrated_transfer_s, cr = m->calibrated_recompute_s, be = m->breakeven_bytes_per_s;
          char gb[40], above[CW_BYTES_FORMAT_SIZE + 16];

          cw_seconds_format (m->transfer_s, t1, sizeof t1);
          cw_seconds_format (m->recompute_s, t2, sizeof t2);
          if (isfinite (be))
            snprintf (gb, sizeof gb, "%.4g GB/s link", be / 1e9);
          else
            snprintf (gb, sizeof gb, "any link");
          if (m->breakeven_payload_bytes > 0)
            {
              double p = m->breakeven_payload_bytes;
              if (p < 1.8e19)
                {
                  cw_bytes_format_gib ((uint64_t) p, t3, sizeof t3);
                  snprintf (above, sizeof above, "%s payload", t3);
                }
              else
                snprintf (above, sizeof above, "> 16 EiB payload");
            }
          else
            snprintf (above, sizeof above, "any payload");
          printf ("    %-9llu %-14s %-12s %-12s %-10s %-10s %-22s %s\n", (unsigned long long) m->config.sq,
                  cw_bytes_format_gib (m->payload_bytes, a, sizeof a), t1, t2, winner (m->transfer_s, m->recompute_s),
                  winner (ct, cr), gb, above);
        }
    }
  if (nf == 0)
    printf ("  no configuration has both a transfer and a recompute receipt of one run\n");
  printf ("  (per sq: \"recompute wins below\" is the link bandwidth under which the measured recompute beats the\n"
          "   transfer; \"recompute wins above\" is the payload at which it would at this sq's recompute time,\n"
          "   e.g. with more top-k sets per token)\n");
  printf ("\nplanner flags: --link-gbps %.6g --tflops %.6g\n", bw / 1e9, cw_calibration_get_flops_per_s (cal) / 1e12);
}

int
cw_cli_calibrate (int argc, char **argv)
{
  CwError e = CW_ERROR_INIT;
  Options o;
  CwCalibration *cal;
  CwCalibrationFamily *fam = NULL;
  size_t nf = 0;

  for (int i = 1; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      {
        print_help ();
        return 0;
      }
  if (!parse_options (argc, argv, &o, &e))
    return cw_cli_fail (&e);
  cal = cw_calibration_new_from_db (o.db, o.gpu_filter, o.run_id, &e);
  if (cal == NULL || !cw_calibration_dup_families (cal, &fam, &nf, &e))
    {
      cw_calibration_free (cal);
      fprintf (stderr, "cliffwatch-cli: calibrate: %s\n", e.message);
      return EXIT_RUNTIME;
    }
  if (o.format == CW_CLI_FORMAT_JSON)
    print_json (&o, cal, fam, nf);
  else if (o.format == CW_CLI_FORMAT_CSV)
    print_csv (cal, fam, nf);
  else
    print_table (&o, cal, fam, nf);
  cw_calibration_families_free (fam, nf);
  cw_calibration_free (cal);
  return 0;
}
