/* cw-cli-profile.c: `cliffwatch-cli profile`: run lanes on the GPU under
 * CUPTI and store one receipt per lane and point.
 *
 * A sweep continues past out-of-memory points (they are receipts too), so
 * the measured cliff lands next to the predicted one. Progress goes to
 * stderr, one result line per point to stdout. Exit status: 0 when every
 * point produced a receipt, 1 when the GPU, CUPTI or the database failed,
 * 2 bad usage. */
#include "cw-cli-commands.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cw-bytes.h"
#include "cw-cli-args.h"
#include "cw-cli-config.h"
#include "cw-profiler.h"
#include "cw-receipt-store.h"
#include "cw-sq-range.h"

#define MAX_POINTS 4096

typedef struct {
  const char *db;
  bool        lanes[CW_LANE_N_KINDS];
  bool        any_lane;
  CwSqRange   range;        /* --sweep-sq */
  bool        sweep;
  bool        no_capture;
  bool        recall;
  uint64_t    overhead;
  uint64_t    device;
  uint64_t    seed;
  const char *note;
} ProfileOptions;

static void
print_help (void)
{
  fputs ("Usage: cliffwatch-cli profile --db PATH --lane NAME[,NAME] [--sweep-sq FROM:TO[:xF|+STEP]] [OPTIONS]\n"
         "Runs lanes on the GPU under NVTX ranges and CUPTI (kernels, memcpy, memset,\n"
         "MEMORY2 alloc/free, markers) and stores one receipt per lane and point.\n\n"
         "  --db PATH             receipt database (created if missing)\n"
         "  --lane NAME[,NAME]    materialize, fused, streaming, index-mask,\n"
         "                        index-mask-host-checked; training steps (forward, loss,\n"
         "                        backward; predicted by NAME.profile, dense lanes with\n"
         "                        param dense = 1 of streaming-train): streaming-train,\n"
         "                        streaming-train-dense, fused-train; gradcheck,\n"
         "                        gradcheck-dense (streaming-train at a small shape with\n"
         "                        dq, dw, dk checked against the float64 reference,\n"
         "                        b*sq*sk*h*d <= 2^31); train (the three training steps),\n"
         "                        all (every lane but the gradcheck ones) (repeatable)\n"
         "  --sweep-sq FROM:TO[:xFACTOR|+STEP]\n"
         "                        sweep sq (default step x2); sk follows sq when a ratio\n"
         "                        is set or when the base configuration has sk = sq.\n"
         "                        Out-of-memory points are receipts (status oom) and the\n"
         "                        sweep goes on.\n"
         "  --no-capture          skip the graph-capture check (capture, instantiate,\n"
         "                        replay, compare with eager)\n"
         "  --recall              compare top-k with the float64 CPU reference (small\n"
         "                        problems only: b*sq*sk*h*d <= 2^31); training lanes\n"
         "                        also check dq, dw, dk (|gpu - float64| <= 3e-5 *\n"
         "                        sum|terms| + kink allowance, the kernels' stated rule)\n"
         "  --overhead N          also time the lane N times with and N times without\n"
         "                        CUPTI in this process (medians go in the receipt)\n"
         "  --device N            CUDA device (default 0)\n"
         "  --seed N              input values (default 20261123)\n"
         "  --note TEXT           stored with each receipt (default: the command line)\n\n", stdout);
  cw_cli_setup_print_help (stdout);
}

static bool
parse_lanes (ProfileOptions *o, const char *text, CwError *error)
{
  char buf[256];
  char *save = NULL;

  if (strlen (text) >= sizeof buf || text[0] == '\0')
    {
      cw_error_set (error, CW_ERROR_INVALID, "--lane: '%s' is not a lane list", text);
      return false;
    }
  snprintf (buf, sizeof buf, "%s", text);
  for (char *tok = strtok_r (buf, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    {
      CwLaneKind lane;

      if (strcmp (tok, "all") == 0)
        {
          /* the gradcheck lanes refuse any shape but a small one */
          for (unsigned i = 0; i < CW_LANE_N_KINDS; i++)
            if (i != CW_LANE_GRADCHECK && i != CW_LANE_GRADCHECK_DENSE)
              o->lanes[i] = true;
        }
      else if (strcmp (tok, "train") == 0)
        o->lanes[CW_LANE_STREAMING_TRAIN] = o->lanes[CW_LANE_STREAMING_TRAIN_DENSE] =
          o->lanes[CW_LANE_FUSED_TRAIN] = true;
      else if (cw_lane_kind_from_name (tok, &lane))
        o->lanes[lane] = true;
      else
        {
          cw_error_set (error, CW_ERROR_NOT_FOUND,
                        "--lane: unknown lane '%s' (materialize, fused, streaming, index-mask, "
                        "index-mask-host-checked, streaming-train, streaming-train-dense, fused-train, "
                        "gradcheck, gradcheck-dense, train, all)", tok);
          return false;
        }
      o->any_lane = true;
    }
  if (!o->any_lane)
    {
      cw_error_set (error, CW_ERROR_INVALID, "--lane: '%s' names no lane", text);
      return false;
    }
  return true;
}

static bool
parse_sweep (ProfileOptions *o, const char *text, CwError *error)
{
  if (!cw_sq_range_parse ("--sweep-sq", text, MAX_POINTS, &o->range, error))
    return false;
  o->sweep = true;
  return true;
}

static int
extra_option (int argc, char **argv, int *i, void *user_data, CwError *error)
{
  ProfileOptions *o = user_data;
  const char *v;

  if (cw_cli_match_option (argc, argv, i, "--db", &v, error))
    {
      if (v == NULL)
        return -1;
      if (v[0] == '\0')
        {
          cw_error_set (error, CW_ERROR_INVALID, "--db: empty path");
          return -1;
        }
      o->db = v;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--lane", &v, error))
    return v && parse_lanes (o, v, error) ? 1 : -1;
  if (cw_cli_match_option (argc, argv, i, "--sweep-sq", &v, error))
    return v && parse_sweep (o, v, error) ? 1 : -1;
  if (cw_cli_match_option (argc, argv, i, "--overhead", &v, error))
    {
      if (v == NULL || !cw_cli_parse_positive_u64 ("--overhead", v, false, &o->overhead, error))
        return -1;
      if (o->overhead > 1000)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--overhead: at most 1000 repeats, got %s", v);
          return -1;
        }
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--device", &v, error))
    {
      if (v == NULL || !cw_cli_parse_u64 ("--device", v, false, &o->device, error))
        return -1;
      if (o->device > 1024)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--device: %s is not a device index", v);
          return -1;
        }
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--seed", &v, error))
    return v && cw_cli_parse_u64 ("--seed", v, false, &o->seed, error) ? 1 : -1;
  if (cw_cli_match_option (argc, argv, i, "--note", &v, error))
    {
      if (v == NULL)
        return -1;
      o->note = v;
      return 1;
    }
  if (strcmp (argv[*i], "--no-capture") == 0)
    {
      o->no_capture = true;
      return 1;
    }
  if (strcmp (argv[*i], "--recall") == 0)
    {
      o->recall = true;
      return 1;
    }
  return 0;
}

static double
elapsed_s (const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime (CLOCK_MONOTONIC, &t1);
  return (double) (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

int
cw_cli_profile (int argc, char **argv)
{
  ProfileOptions o;
  CwCliSetup setup;
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store = NULL;
  CwProfiler *profiler = NULL;
  uint64_t points[MAX_POINTS];
  unsigned n_points = 0, n_lanes = 0, done = 0, total;
  bool sk_follows;
  char sweep_id[37];
  char note[256];
  struct timespec t0;
  int status = 0;

  for (int i = 1; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      {
        print_help ();
        return 0;
      }
  memset (&o, 0, sizeof o);
  o.seed = 20261123;
  if (!cw_cli_setup_parse (&setup, argc, argv, extra_option, &o, &error))
    return cw_cli_fail (&error);
  if (setup.config.prefix != 0)
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile: --prefix is not stored in receipts (plan one engine step with plan, cliff or sweep)");
    }
  if (o.db == NULL)
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile: --db PATH is required");
    }
  if (!o.any_lane)
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile: --lane NAME is required (materialize, fused, streaming, index-mask, "
                           "index-mask-host-checked, streaming-train, streaming-train-dense, fused-train, "
                           "gradcheck, gradcheck-dense, train, all)");
    }
  if (setup.format != CW_CLI_FORMAT_TABLE)
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile: --format is not supported (read the receipts with `receipts list`)");
    }

  /* sk follows sq with a ratio (V4 CSA), or when the base has sk = sq (V3.2). */
  sk_follows = setup.config.ratio == 0 && setup.config.sk == setup.config.sq;
  if (o.sweep)
    for (uint64_t sq = o.range.from; n_points < MAX_POINTS;)
      {
        points[n_points++] = sq;
        if (!cw_sq_range_next (&o.range, &sq))
          break;
      }
  else
    points[n_points++] = setup.config.sq;

  /* Check every point's configuration before touching the GPU. */
  for (unsigned p = 0; p < n_points; p++)
    {
      CwConfig c = setup.config;
      c.sq = points[p];
      if (c.ratio != 0)
        c.sk = 0;
      else if (sk_follows)
        c.sk = points[p];
      if (!cw_config_validate (&c, &error))
        {
          cw_error_prefix (&error, "profile: sq=%" PRIu64 ": ", points[p]);
          cw_cli_setup_clear (&setup);
          return cw_cli_fail (&error);
        }
      /* A lane that cannot run here (the gradcheck lanes beyond the float64
       * reference's size) is bad usage, said before the GPU is touched. */
      for (unsigned l = CW_LANE_STREAMING_TRAIN; l < CW_LANE_N_KINDS; l++)
        if (o.lanes[l] && !cw_lane_kind_check_config ((CwLaneKind) l, &c, &error))
          {
            cw_error_prefix (&error, "profile: sq=%" PRIu64 ": ", points[p]);
            cw_cli_setup_clear (&setup);
            return cw_cli_fail (&error);
          }
    }
  for (unsigned l = 0; l < CW_LANE_N_KINDS; l++)
    n_lanes += o.lanes[l];
  total = n_lanes * n_points;

  if (o.note)
    snprintf (note, sizeof note, "%s", o.note);
  else
    {
      size_t len = (size_t) snprintf (note, sizeof note, "cliffwatch-cli");
      for (int i = 0; i < argc && len < sizeof note; i++)
        len += (size_t) snprintf (note + len, sizeof note - len, " %s", argv[i]);
    }

  if (cw_profiler_device_count () <= 0)
    {
      fprintf (stderr, "cliffwatch-cli: profile: no CUDA device found\n");
      cw_cli_setup_clear (&setup);
      return 1;
    }
  store = cw_receipt_store_open (o.db, CW_RECEIPT_STORE_CREATE, &error);
  if (store == NULL)
    {
      fprintf (stderr, "cliffwatch-cli: profile: %s\n", error.message);
      cw_cli_setup_clear (&setup);
      return 1;
    }
  profiler = cw_profiler_new ((int) o.device, &error);
  if (profiler == NULL)
    {
      fprintf (stderr, "cliffwatch-cli: profile: %s\n", error.message);
      cw_receipt_store_close (store);
      cw_cli_setup_clear (&setup);
      return 1;
    }
  cw_receipt_uuid_generate (sweep_id);
  fprintf (stderr, "profile: %s, %s HBM, CUPTI %u; %u lane(s) x %u point(s) into %s (sweep %s)\n",
           cw_profiler_get_provenance (profiler)->gpu_name,
           cw_bytes_format_gib (cw_profiler_get_provenance (profiler)->hbm_total_bytes, (char[32]){ 0 }, 32),
           cw_profiler_get_provenance (profiler)->cupti_version, n_lanes, n_points, o.db, sweep_id);
  printf ("%-24s %10s %10s %-14s %16s %16s %8s %11s %9s  %s\n", "lane", "sq", "sk", "status", "predicted B",
          "measured B", "agrees", "lane ms", "TFLOP/s", "capture");

  clock_gettime (CLOCK_MONOTONIC, &t0);
  for (unsigned l = 0; l < CW_LANE_N_KINDS && status == 0; l++)
    {
      if (!o.lanes[l])
        continue;
      for (unsigned p = 0; p < n_points; p++)
        {
          CwLaneRequest req;
          CwReceipt *r;

          cw_lane_request_init (&req);
          req.lane = (CwLaneKind) l;
          req.config = setup.config;
          req.config.sq = points[p];
          if (req.config.ratio != 0)
            req.config.sk = 0;
          else if (sk_follows)
            req.config.sk = points[p];
          req.check_capture = !o.no_capture;
          req.check_recall = o.recall;
          req.overhead_repeats = (unsigned) o.overhead;
          req.seed = o.seed;
          if (o.sweep)
            CW_RECEIPT_SET (req.sweep_id, sweep_id);
          CW_RECEIPT_SET (req.note, note);

          done++;
          fprintf (stderr, "profile: point %u of %u: lane %s sq=%" PRIu64 " (elapsed %.1f s)\n", done, total,
                   cw_lane_kind_get_name (req.lane), points[p], elapsed_s (&t0));
          r = cw_profiler_run_lane (profiler, &req, &error);
          if (r == NULL)
            {
              fprintf (stderr, "cliffwatch-cli: profile: lane %s sq=%" PRIu64 ": %s\n",
                       cw_lane_kind_get_name (req.lane), points[p], error.message);
              status = error.code == CW_ERROR_UNSUPPORTED || error.code == CW_ERROR_INVALID ? 2 : 1;
              break;
            }
          if (cw_receipt_store_insert (store, r, &error) <= 0)
            {
              fprintf (stderr, "cliffwatch-cli: profile: %s\n", error.message);
              cw_receipt_free (r);
              status = 1;
              break;
            }
          printf ("%-24s %10" PRIu64 " %10" PRIu64 " %-14s %16" PRIu64 " %16" PRIu64 " %8s %11.3f %9.2f  %s%s%s\n",
                  r->lane, r->config.sq, r->config.sk, cw_receipt_status_get_name (r->status),
                  r->predicted_peak_bytes, r->measured_peak_bytes,
                  r->predicted_peak_bytes == 0 || r->status != CW_RECEIPT_STATUS_OK ? "-"
                    : cw_receipt_peak_agrees (r) ? "yes" : "NO",
                  r->lane_ns / 1e6, r->tflops,
                  !r->capture.attempted ? "not checked"
                    : r->capture.matched ? "graph ok, replay matches"
                    : r->capture.cuda_error_name[0] ? "failed: " : "replay differs",
                  r->capture.matched ? "" : r->capture.cuda_error_name,
                  r->dropped_records ? " (CUPTI dropped records)" : "");
          if (r->status == CW_RECEIPT_STATUS_OOM || r->status == CW_RECEIPT_STATUS_ERROR)
            fprintf (stderr, "profile:   %s\n", r->error_message);
          if (r->gradcheck.status != CW_GRADCHECK_NONE)
            fprintf (stderr, "profile:   gradcheck %s: worst |gpu - float64| %.3g of the allowed (at %s)\n",
                     cw_gradcheck_status_get_name (r->gradcheck.status), r->gradcheck.worst, r->gradcheck.worst_at);
          if (r->unprofiled_lane_ns)
            fprintf (stderr, "profile:   overhead: profiled %.3f ms, unprofiled %.3f ms (%+.2f %%)\n", r->lane_ns / 1e6,
                     r->unprofiled_lane_ns / 1e6,
                     100.0 * ((double) r->lane_ns - (double) r->unprofiled_lane_ns) / (double) r->unprofiled_lane_ns);
          fflush (stdout);
          cw_receipt_free (r);
        }
    }
  fprintf (stderr, "profile: %u of %u point(s) done in %.1f s\n", done, total, elapsed_s (&t0));
  cw_profiler_free (profiler);
  cw_receipt_store_close (store);
  cw_cli_setup_clear (&setup);
  return status;
}
