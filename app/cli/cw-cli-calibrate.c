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
          cw_error_set (error, CW_ERROR_INVALID, "calibrate: unexpected argument '%s'", argv[i]);
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

/* ---- crossover per configuration family ---------------------------------- */

/* One measured configuration: a transfer and a recompute receipt of one run. */
typedef struct {
  CwConfig config;
  uint64_t payload_bytes;
  double transfer_s, recompute_s;
  const char *run_id;
  double planner_flops;
} Measured;

typedef struct {
  CwConfig config;        /* the first member's */
  uint64_t index_heads;
  char preset[64];        /* "" when members disagree or none was named */
  double flops_per_s;     /* median over the family's recompute receipts */
  CwCrossover crossover;
  size_t n;
  Measured *m;
} Family;

/* Top-k sets per token H from the measured payload: payload / (b*sq*top_k*index bytes). */
static bool
index_heads_of (const CwCalibrationPoint *p, uint64_t *heads, CwError *error)
{
  uint64_t per = 0, ib = cw_dtype_get_bits (p->config.index_dtype) / 8;

  if (ib == 0 || !cw_mul_u64 (p->config.b, p->config.sq, &per) || !cw_mul_u64 (per, p->config.top_k, &per) ||
      !cw_mul_u64 (per, ib, &per) || per == 0 || p->payload_bytes % per != 0)
    {
      cw_error_set (error, CW_ERROR_CORRUPT,
                    "receipt %lld: payload %llu B is not a whole number of b*sq*top_k*index-byte sets",
                    (long long) p->receipt_id, (unsigned long long) p->payload_bytes);
      return false;
    }
  *heads = p->payload_bytes / per;
  return true;
}

static double
planner_flops (const CwConfig *config, uint64_t heads)
{
  CwIndexCacheConfig ic;
  CwIndexCachePlan *plan;
  double f;

  cw_index_cache_config_init (&ic);
  ic.n_layers = 1;
  ic.index_heads = heads;
  ic.link_bytes_per_s = 1;
  ic.flops_per_s = 1;
  plan = cw_index_cache_plan_new (config, &ic, NULL);
  if (plan == NULL)
    return NAN;
  f = cw_index_cache_plan_get_recompute_flops (plan);
  cw_index_cache_plan_free (plan);
  return f;
}

static void
families_free (Family *f, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (f[i].m);
  free (f);
}

static bool
build_families (const CwCalibration *cal, Family **out, size_t *n_out, CwError *error)
{
  size_t nt = cw_calibration_get_n_transfer (cal), nr = cw_calibration_get_n_recompute (cal), nf = 0;
  Family *fam = calloc (nt ? nt : 1, sizeof *fam);
  double *rates = calloc (nr ? nr : 1, sizeof *rates);

  if (fam == NULL || rates == NULL)
    goto oom;
  for (size_t i = 0; i < nt; i++)
    {
      const CwCalibrationPoint *p = cw_calibration_get_transfer (cal, i);
      uint64_t heads;
      Family *f = NULL;
      Measured m;
      bool dup = false;

      if (!index_heads_of (p, &heads, error))
        goto fail;
      memset (&m, 0, sizeof m);
      m.config = p->config;
      m.payload_bytes = p->payload_bytes;
      /* The newest run of this exact configuration stands for it. */
      if (!cw_calibration_find_measured (cal, &p->config, p->payload_bytes, &m.transfer_s, &m.recompute_s,
                                         &m.run_id))
        continue;   /* a transfer without its recompute twin: used in the link fit only */
      for (size_t k = 0; k < nf && f == NULL; k++)
        if (fam[k].index_heads == heads && cw_calibration_config_same_family (&fam[k].config, &p->config))
          f = &fam[k];
      if (f == NULL)
        {
          f = &fam[nf++];
          f->config = p->config;
          f->index_heads = heads;
          CW_RECEIPT_SET (f->preset, p->preset);
        }
      else if (strcmp (f->preset, p->preset) != 0)
        f->preset[0] = '\0';
      for (size_t k = 0; k < f->n; k++)
        if (cw_calibration_config_same (&f->m[k].config, &p->config))
          dup = true;
      if (dup)
        continue;
      {
        Measured *grown = realloc (f->m, (f->n + 1) * sizeof *grown);
        if (grown == NULL)
          goto oom;
        f->m = grown;
      }
      m.planner_flops = planner_flops (&p->config, heads);
      f->m[f->n++] = m;
    }
  for (size_t k = 0; k < nf; k++)
    {
      Family *f = &fam[k];
      size_t n = 0;

      /* sq ascending */
      for (size_t a = 1; a < f->n; a++)
        for (size_t b = a; b > 0 && f->m[b - 1].config.sq > f->m[b].config.sq; b--)
          {
            Measured t = f->m[b];
            f->m[b] = f->m[b - 1];
            f->m[b - 1] = t;
          }
      for (size_t j = 0; j < nr; j++)
        {
          const CwCalibrationPoint *r = cw_calibration_get_recompute (cal, j);
          if (cw_calibration_config_same_family (&r->config, &f->config))
            rates[n++] = r->flops / r->seconds;
        }
      f->flops_per_s = n ? cw_calibration_median (rates, n) : cw_calibration_get_flops_per_s (cal);
      if (!cw_calibration_crossover (&f->config, f->index_heads, cw_calibration_get_link_bytes_per_s (cal),
                                     cw_calibration_get_link_latency_used_s (cal), f->flops_per_s, &f->crossover,
                                     error))
        goto fail;
    }
  free (rates);
  *out = fam;
  *n_out = nf;
  return true;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory");
fail:
  free (rates);
  families_free (fam, nf);
  return false;
}

static const char *
winner (double transfer_s, double recompute_s)
{
  /* The planner's rule: transfer only when strictly cheaper. */
  return transfer_s < recompute_s ? "transfer" : "recompute";
}

static void
family_describe (const Family *f, char *buf, size_t size)
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
family_verdict (const Family *f, char *buf, size_t size)
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
print_json (const Options *o, const CwCalibration *cal, const Family *fam, size_t nf)
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
      const Family *f = &fam[k];
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
          const Measured *m = &f->m[j];
          double ct = lat + (double) m->payload_bytes / bw, cr = m->planner_flops / f->flops_per_s;
          double be = cw_calibration_breakeven_bytes_per_s (m->payload_bytes, m->recompute_s, lat);
          double above = m->recompute_s > lat ? bw * (m->recompute_s - lat) : 0.0;

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
print_csv (const CwCalibration *cal, const Family *fam, size_t nf)
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
        const Measured *m = &fam[k].m[j];
        double be = cw_calibration_breakeven_bytes_per_s (m->payload_bytes, m->recompute_s, lat);
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
fmt_seconds (double s, char *buf, size_t size)
{
  if (s < 1e-3)
    snprintf (buf, size, "%.2f us", s * 1e6);
  else if (s < 1.0)
    snprintf (buf, size, "%.3f ms", s * 1e3);
  else
    snprintf (buf, size, "%.4f s", s);
}

static void
print_table (const Options *o, const CwCalibration *cal, const Family *fam, size_t nf)
{
  double bw = cw_calibration_get_link_bytes_per_s (cal), lat = cw_calibration_get_link_latency_used_s (cal);
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
      fmt_seconds (fabs (cw_calibration_get_link_latency_s (cal)), t1, sizeof t1);
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
      fmt_seconds (p->seconds, t1, sizeof t1);
      fmt_seconds (cw_calibration_get_link_latency_s (cal) + (double) p->payload_bytes / bw, t2, sizeof t2);
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
      fmt_seconds (p->seconds, t1, sizeof t1);
      printf ("  %-8lld %-10.8s %-20s %-4llu %-9llu %-6llu %-12.4g %-12s %.3f\n", (long long) p->receipt_id,
              p->run_id, p->preset, (unsigned long long) p->config.b, (unsigned long long) p->config.sq,
              (unsigned long long) p->config.top_k, p->flops, t1, p->flops / p->seconds / 1e12);
    }

  printf ("\ncrossover (transfer = latency + payload / bandwidth vs recompute; the planner transfers only when "
          "strictly cheaper)\n");
  for (size_t k = 0; k < nf; k++)
    {
      const Family *f = &fam[k];
      char desc[512], verdict[512];

      family_describe (f, desc, sizeof desc);
      family_verdict (f, verdict, sizeof verdict);
      printf ("  %s\n    throughput %.4f TFLOP/s (this family's median); %s\n", desc, f->flops_per_s / 1e12, verdict);
      printf ("    %-9s %-14s %-12s %-12s %-10s %-10s %-22s %s\n", "sq", "payload", "transfer", "recompute",
              "measured", "calibrated", "recompute wins below", "recompute wins above");
      for (size_t j = 0; j < f->n; j++)
        {
          const Measured *m = &f->m[j];
          double ct = lat + (double) m->payload_bytes / bw, cr = m->planner_flops / f->flops_per_s;
          double be = cw_calibration_breakeven_bytes_per_s (m->payload_bytes, m->recompute_s, lat);
          char gb[40], above[CW_BYTES_FORMAT_SIZE + 16];

          fmt_seconds (m->transfer_s, t1, sizeof t1);
          fmt_seconds (m->recompute_s, t2, sizeof t2);
          if (isfinite (be))
            snprintf (gb, sizeof gb, "%.4g GB/s link", be / 1e9);
          else
            snprintf (gb, sizeof gb, "any link");
          if (m->recompute_s > lat)
            {
              double p = bw * (m->recompute_s - lat);
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
  Family *fam = NULL;
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
  if (cal == NULL || !build_families (cal, &fam, &nf, &e))
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
  families_free (fam, nf);
  cw_calibration_free (cal);
  return 0;
}
