/* cw-cli-receipts.c: `cliffwatch-cli receipts list|show|export|compare|diff|merge|migrate|check`.
 *
 * Reads receipt databases (cwstore). Exit status: 0 ok, 1 the command ran
 * and failed (unreadable database, receipt not found, a compare that does
 * not agree), 2 bad usage. */
#include "cw-cli-commands.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "cw-bytes.h"
#include "cw-cli-args.h"
#include "cw-cli-receipts-diff.h"
#include "cw-receipt-store.h"

#define EXIT_RUNTIME 1

static void
print_help (FILE *out)
{
  fputs ("Usage: cliffwatch-cli receipts COMMAND [OPTIONS]\n"
         "Browse and combine receipt databases written by `cliffwatch-cli profile`.\n\n"
         "Commands:\n"
         "  list    [--db] DB [FILTERS] [--sort KEY] [--desc] [--limit N] [--offset N] [--format table|json|csv]\n"
         "  show    [--db] DB ID|UUID [--trace] [--format table|json]\n"
         "  export  [--db] DB --format csv|json [FILTERS] [--trace] [--output FILE]\n"
         "  compare [--db] DB [FILTERS] [--format table|json|csv]\n"
         "          predicted vs measured peak of every ok receipt that has a prediction;\n"
         "          exit 1 when one differs by more than max(1 %, 8 MiB) (lanes) or\n"
         "          max(0.5 %, 8 MiB) (external programs; an NVTX range's receipt is\n"
         "          compared above what was live when the range opened, against the\n"
         "          prediction less its input buffers)\n"
         "  diff    [--db] DB ID1 [DB2] ID2 [--format table|json|csv]\n"
         "          two receipts side by side (the second from DB2 when given): every\n"
         "          recorded field with the ones that differ marked, and the predicted\n"
         "          and measured peaks of each with B - A in exact bytes\n"
         "  merge   --into OUT.db IN.db [IN.db...]\n"
         "          copies receipts whose UUID OUT.db lacks (databases from several nodes)\n"
         "  migrate [--db] DB\n"
         "          brings a database written by an older Cliffwatch to this schema version\n"
         "  check   [--db] DB\n"
         "          reads every page, index and constraint (PRAGMA integrity_check); opening\n"
         "          runs the quicker quick_check itself only on files up to 256 MiB\n\n"
         "Filters:\n"
         "  --lane NAME     materialize, fused, streaming, index-mask, ...\n"
         "  --status S      ok, oom, capture-failed, error\n"
         "  --gpu TEXT      substring of the GPU name (case-insensitive)\n"
         "  --search TEXT   substring of lane, profile, GPU, host, status, error, note, UUID\n"
         "  --sweep ID      receipts of one sweep\n"
         "Sort keys: id, time, lane, status, gpu, sq, predicted, measured, lane-time\n", out);
}

static int
runtime_fail (const CwError *error)
{
  fprintf (stderr, "cliffwatch-cli: receipts: %s\n", error->message);
  return EXIT_RUNTIME;
}

typedef struct {
  const char    *db;
  const char    *into;
  const char    *output;
  const char    *positional[64];
  int            n_positional;
  CwReceiptQuery query;
  CwCliFormat    format;
  bool           format_given;
  bool           shaped;     /* --sort, --limit, --offset or --desc: list shaping */
  bool           trace;
} Options;

static bool
parse_count (const char *option, const char *text, int64_t *out, CwError *error)
{
  uint64_t n;

  if (!cw_cli_parse_u64 (option, text, false, &n, error))
    return false;
  if (n > (uint64_t) INT64_MAX)
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "%s: %s is too large", option, text);
      return false;
    }
  *out = (int64_t) n;
  return true;
}

/* Parses everything after the command word. Returns false with error set. */
static bool
parse_options (int argc, char **argv, Options *o, CwError *error)
{
  const char *v;

  memset (o, 0, sizeof *o);
  cw_receipt_query_init (&o->query);
  for (int i = 2; i < argc; i++)
    {
      const char *arg = argv[i];

      error->code = CW_ERROR_NONE;
      if (cw_cli_match_option (argc, argv, &i, "--db", &v, error))
        {
          if (v == NULL)
            return false;
          o->db = v;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--into", &v, error))
        {
          if (v == NULL)
            return false;
          o->into = v;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--output", &v, error)
               || cw_cli_match_option (argc, argv, &i, "-o", &v, error))
        {
          if (v == NULL)
            return false;
          o->output = v;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--lane", &v, error))
        {
          if (v == NULL)
            return false;
          if (strlen (v) >= sizeof o->query.lane || v[0] == '\0')
            {
              cw_error_set (error, CW_ERROR_INVALID, "--lane: '%s' is not a lane name", v);
              return false;
            }
          CW_RECEIPT_SET (o->query.lane, v);
        }
      else if (cw_cli_match_option (argc, argv, &i, "--status", &v, error))
        {
          if (v == NULL)
            return false;
          if (!cw_receipt_status_from_name (v, &o->query.status))
            {
              cw_error_set (error, CW_ERROR_INVALID, "--status: '%s' is not ok, oom, capture-failed or error", v);
              return false;
            }
          o->query.has_status = true;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--gpu", &v, error))
        {
          if (v == NULL)
            return false;
          if (strlen (v) >= sizeof o->query.gpu)
            {
              cw_error_set (error, CW_ERROR_INVALID, "--gpu: text too long");
              return false;
            }
          CW_RECEIPT_SET (o->query.gpu, v);
        }
      else if (cw_cli_match_option (argc, argv, &i, "--search", &v, error))
        {
          if (v == NULL)
            return false;
          if (strlen (v) >= sizeof o->query.text)
            {
              cw_error_set (error, CW_ERROR_INVALID, "--search: text too long");
              return false;
            }
          CW_RECEIPT_SET (o->query.text, v);
        }
      else if (cw_cli_match_option (argc, argv, &i, "--sweep", &v, error))
        {
          if (v == NULL)
            return false;
          if (strlen (v) >= sizeof o->query.sweep_id)
            {
              cw_error_set (error, CW_ERROR_INVALID, "--sweep: '%s' is not a sweep id", v);
              return false;
            }
          CW_RECEIPT_SET (o->query.sweep_id, v);
        }
      else if (cw_cli_match_option (argc, argv, &i, "--sort", &v, error))
        {
          if (v == NULL)
            return false;
          if (!cw_receipt_sort_from_name (v, &o->query.sort))
            {
              cw_error_set (error, CW_ERROR_INVALID,
                            "--sort: '%s' is not id, time, lane, status, gpu, sq, predicted, measured or lane-time", v);
              return false;
            }
          o->shaped = true;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--limit", &v, error))
        {
          if (v == NULL || !parse_count ("--limit", v, &o->query.limit, error))
            return false;
          o->shaped = true;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--offset", &v, error))
        {
          if (v == NULL || !parse_count ("--offset", v, &o->query.offset, error))
            return false;
          o->shaped = true;
        }
      else if (cw_cli_match_option (argc, argv, &i, "--format", &v, error))
        {
          if (v == NULL || !cw_cli_parse_format (v, &o->format, error))
            return false;
          o->format_given = true;
        }
      else if (strcmp (arg, "--desc") == 0)
        {
          o->query.descending = true;
          o->shaped = true;
        }
      else if (strcmp (arg, "--trace") == 0)
        o->trace = true;
      else if (arg[0] == '-' && arg[1] != '\0')
        {
          cw_error_set (error, CW_ERROR_INVALID, "receipts %s: unknown option '%s'", argv[1], arg);
          return false;
        }
      else
        {
          if (o->n_positional == (int) (sizeof o->positional / sizeof o->positional[0]))
            {
              cw_error_set (error, CW_ERROR_INVALID, "too many arguments");
              return false;
            }
          o->positional[o->n_positional++] = arg;
        }
    }
  return true;
}

/* --db PATH, or the first positional argument. */
static bool
take_db (Options *o, const char *command, CwError *error)
{
  if (o->db == NULL && o->n_positional > 0)
    {
      o->db = o->positional[0];
      memmove (o->positional, o->positional + 1, (size_t) (o->n_positional - 1) * sizeof o->positional[0]);
      o->n_positional--;
    }
  if (o->db == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipts %s: a database is required (--db PATH)", command);
      return false;
    }
  return true;
}

static bool
no_more_positionals (const Options *o, const char *command, CwError *error)
{
  if (o->n_positional > 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "receipts %s: unexpected argument '%s'", command, o->positional[0]);
      return false;
    }
  return true;
}

static void
format_time (int64_t unix_ns, char *buf, size_t size)
{
  time_t t = (time_t) (unix_ns / 1000000000);
  struct tm tm;

  if (unix_ns <= 0 || gmtime_r (&t, &tm) == NULL)
    snprintf (buf, size, "-");
  else
    strftime (buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- JSON ------------------------------------------------------------------- */

static void
json_u64 (FILE *out, const char *key, uint64_t v, bool comma)
{
  fprintf (out, "\"%s\": %" PRIu64 "%s", key, v, comma ? ", " : "");
}

static void
json_str (FILE *out, const char *key, const char *v, bool comma)
{
  fprintf (out, "\"%s\": ", key);
  cw_cli_json_string (out, v);
  if (comma)
    fputs (", ", out);
}

static void
json_double (FILE *out, const char *key, double v, bool comma)
{
  fprintf (out, "\"%s\": %.17g%s", key, v, comma ? ", " : "");
}

static void
json_bool (FILE *out, const char *key, bool v, bool comma)
{
  fprintf (out, "\"%s\": %s%s", key, v ? "true" : "false", comma ? ", " : "");
}

static void
print_receipt_json (FILE *out, const CwReceipt *r, bool with_trace)
{
  const CwConfig *c = &r->config;
  char when[64];

  format_time (r->provenance.time_unix_ns, when, sizeof when);
  fputs ("{", out);
  fprintf (out, "\"id\": %" PRId64 ", ", r->id);
  json_str (out, "uuid", r->uuid, true);
  json_str (out, "sweep_id", r->sweep_id, true);
  json_str (out, "lane", r->lane, true);
  json_str (out, "profile", r->profile, true);
  json_str (out, "status", cw_receipt_status_get_name (r->status), true);
  json_str (out, "error", r->error_message, true);
  fputs ("\"config\": {", out);
  json_u64 (out, "b", c->b, true);
  json_u64 (out, "h", c->h, true);
  json_u64 (out, "d", c->d, true);
  json_u64 (out, "sq", c->sq, true);
  json_u64 (out, "sk", c->sk, true);
  json_u64 (out, "ratio", c->ratio, true);
  json_u64 (out, "top_k", c->top_k, true);
  json_str (out, "causal", cw_causal_get_name (c->causal), true);
  json_str (out, "q_dtype", cw_dtype_get_name (c->q_dtype), true);
  json_str (out, "k_dtype", cw_dtype_get_name (c->k_dtype), true);
  json_str (out, "w_dtype", cw_dtype_get_name (c->w_dtype), true);
  json_str (out, "score_dtype", cw_dtype_get_name (c->score_dtype), true);
  json_str (out, "index_dtype", cw_dtype_get_name (c->index_dtype), true);
  json_u64 (out, "chunk_budget_bytes", c->chunk_budget_bytes, true);
  json_u64 (out, "granularity", c->granularity, false);
  fputs ("}, \"provenance\": {", out);
  json_str (out, "gpu_name", r->provenance.gpu_name, true);
  json_str (out, "gpu_uuid", r->provenance.gpu_uuid, true);
  json_u64 (out, "hbm_total_bytes", r->provenance.hbm_total_bytes, true);
  json_str (out, "driver_version", r->provenance.driver_version, true);
  fprintf (out, "\"cuda_driver_version\": %d, \"cuda_runtime_version\": %d, ",
           (int) r->provenance.cuda_driver_version, (int) r->provenance.cuda_runtime_version);
  json_u64 (out, "cupti_version", r->provenance.cupti_version, true);
  json_str (out, "host", r->provenance.host, true);
  json_str (out, "cliffwatch_version", r->provenance.cliffwatch_version, true);
  json_str (out, "git_revision", r->provenance.git_revision, true);
  fprintf (out, "\"time_unix_ns\": %" PRId64 ", ", r->provenance.time_unix_ns);
  json_str (out, "time", when, false);
  fputs ("}, ", out);
  if (cw_receipt_is_exec (r))
    {
      uint64_t cp, cm;

      cw_receipt_get_compared_peaks (r, &cp, &cm);
      fputs ("\"exec\": {", out);
      json_str (out, "program", r->exec.program, true);
      fprintf (out, "\"pid\": %d, \"rank\": %d, \"device\": %d, ", (int) r->exec.pid, (int) r->exec.rank,
               (int) r->exec.device);
      json_str (out, "allocator", r->exec.allocator, true);
      json_str (out, "range", r->exec.range_name, true);
      json_u64 (out, "range_occurrence", r->exec.range_occurrence, true);
      json_u64 (out, "range_open_bytes", r->exec.range_open_bytes, true);
      json_u64 (out, "compared_predicted_bytes", cp, true);
      json_u64 (out, "compared_measured_bytes", cm, true);
      fprintf (out, "\"exit_code\": %d, \"exit_signal\": %d, ", (int) r->exec.exit_code,
               (int) r->exec.exit_signal);
      json_u64 (out, "n_kernels", r->exec.n_kernels, false);
      fputs ("}, ", out);
    }
  json_u64 (out, "predicted_peak_bytes", r->predicted_peak_bytes, true);
  json_u64 (out, "predicted_input_bytes", r->predicted_input_bytes, true);
  fprintf (out, "\"prediction_on_read\": %s, ", r->prediction_on_read ? "true" : "false");
  json_u64 (out, "measured_peak_bytes", r->measured_peak_bytes, true);
  fprintf (out, "\"memgetinfo_delta_bytes\": %" PRId64 ", ", r->memgetinfo_delta_bytes);
  json_u64 (out, "oom_request_bytes", r->oom_request_bytes, true);
  json_u64 (out, "oom_live_bytes", r->oom_live_bytes, true);
  json_u64 (out, "lane_ns", r->lane_ns, true);
  json_u64 (out, "kernel_ns", r->kernel_ns, true);
  json_u64 (out, "unprofiled_lane_ns", r->unprofiled_lane_ns, true);
  json_double (out, "flops", r->flops, true);
  json_double (out, "tflops", r->tflops, true);
  if (r->has_recall)
    json_double (out, "recall", r->recall, true);
  else
    fputs ("\"recall\": null, ", out);
  if (r->gradcheck.status != CW_GRADCHECK_NONE)
    {
      fputs ("\"gradcheck\": {", out);
      json_str (out, "status", cw_gradcheck_status_get_name (r->gradcheck.status), true);
      if (isfinite (r->gradcheck.worst))
        json_double (out, "worst", r->gradcheck.worst, true);
      else
        fputs ("\"worst\": null, ", out);
      json_str (out, "worst_at", r->gradcheck.worst_at, false);
      fputs ("}, ", out);
    }
  else
    fputs ("\"gradcheck\": null, ", out);
  json_u64 (out, "dropped_records", r->dropped_records, true);
  fputs ("\"capture\": {", out);
  json_bool (out, "attempted", r->capture.attempted, true);
  json_bool (out, "captured", r->capture.captured, true);
  json_bool (out, "instantiated", r->capture.instantiated, true);
  json_bool (out, "replayed", r->capture.replayed, true);
  json_bool (out, "matched", r->capture.matched, true);
  json_str (out, "cuda_error", r->capture.cuda_error_name, false);
  fputs ("}, ", out);
  json_str (out, "note", r->note, r->trace_loaded || r->children_loaded);
  if (r->trace_loaded || r->children_loaded)
    {
      fputs ("\"buffers\": [", out);
      for (size_t i = 0; i < r->n_buffers; i++)
        {
          fprintf (out, "%s{", i ? ", " : "");
          json_str (out, "name", r->buffers[i].name, true);
          json_u64 (out, "bytes", r->buffers[i].bytes, true);
          json_bool (out, "input", r->buffers[i].is_input, false);
          fputs ("}", out);
        }
      fputs ("], \"phases\": [", out);
      for (size_t i = 0; i < r->n_phases; i++)
        {
          fprintf (out, "%s{", i ? ", " : "");
          json_str (out, "name", r->phases[i].name, true);
          json_u64 (out, "live_bytes", r->phases[i].live_bytes, false);
          fputs ("}", out);
        }
      fprintf (out, "], \"n_trace_events\": %zu", r->trace_loaded ? r->n_events : r->n_stored_events);
      if (with_trace && r->trace_loaded)
        {
          fputs (", \"trace\": [", out);
          for (size_t i = 0; i < r->n_events; i++)
            {
              const CwTraceEvent *ev = &r->events[i];
              fprintf (out, "%s{", i ? ", " : "");
              json_str (out, "kind", cw_trace_kind_get_name (ev->kind), true);
              json_str (out, "name", ev->name, true);
              json_u64 (out, "start_ns", ev->start_ns, true);
              json_u64 (out, "end_ns", ev->end_ns, true);
              json_u64 (out, "bytes", ev->bytes, true);
              fprintf (out, "\"address\": \"0x%" PRIx64 "\", ", ev->address);
              json_u64 (out, "stream", ev->stream_id, true);
              json_u64 (out, "correlation_id", ev->correlation_id, true);
              fprintf (out, "\"depth\": %d}", (int) ev->depth);
            }
          fputs ("]", out);
        }
    }
  fputs ("}", out);
}

/* ---- CSV -------------------------------------------------------------------- */

static const char csv_header[] =
  "id,uuid,sweep_id,lane,profile,status,b,h,d,sq,sk,ratio,top_k,causal,q_dtype,k_dtype,w_dtype,score_dtype,"
  "index_dtype,chunk_budget_bytes,granularity,gpu_name,gpu_uuid,hbm_total_bytes,driver_version,"
  "cuda_driver_version,cuda_runtime_version,cupti_version,host,cliffwatch_version,git_revision,time,"
  "predicted_peak_bytes,measured_peak_bytes,memgetinfo_delta_bytes,oom_request_bytes,oom_live_bytes,"
  "lane_ns,kernel_ns,unprofiled_lane_ns,tflops,recall,dropped_records,captured,instantiated,replayed,matched,"
  "capture_error,error,note,gradcheck,gradcheck_worst,gradcheck_worst_at\n";

static void
csv_u64 (FILE *out, uint64_t v)
{
  fprintf (out, "%" PRIu64 ",", v);
}

static void
csv_str (FILE *out, const char *s, bool last)
{
  cw_cli_csv_field (out, s);
  fputc (last ? '\n' : ',', out);
}

static void
print_receipt_csv (FILE *out, const CwReceipt *r)
{
  const CwConfig *c = &r->config;
  char when[64];

  format_time (r->provenance.time_unix_ns, when, sizeof when);
  fprintf (out, "%" PRId64 ",", r->id);
  csv_str (out, r->uuid, false);
  csv_str (out, r->sweep_id, false);
  csv_str (out, r->lane, false);
  csv_str (out, r->profile, false);
  csv_str (out, cw_receipt_status_get_name (r->status), false);
  csv_u64 (out, c->b);
  csv_u64 (out, c->h);
  csv_u64 (out, c->d);
  csv_u64 (out, c->sq);
  csv_u64 (out, c->sk);
  csv_u64 (out, c->ratio);
  csv_u64 (out, c->top_k);
  csv_str (out, cw_causal_get_name (c->causal), false);
  csv_str (out, cw_dtype_get_name (c->q_dtype), false);
  csv_str (out, cw_dtype_get_name (c->k_dtype), false);
  csv_str (out, cw_dtype_get_name (c->w_dtype), false);
  csv_str (out, cw_dtype_get_name (c->score_dtype), false);
  csv_str (out, cw_dtype_get_name (c->index_dtype), false);
  csv_u64 (out, c->chunk_budget_bytes);
  csv_u64 (out, c->granularity);
  csv_str (out, r->provenance.gpu_name, false);
  csv_str (out, r->provenance.gpu_uuid, false);
  csv_u64 (out, r->provenance.hbm_total_bytes);
  csv_str (out, r->provenance.driver_version, false);
  fprintf (out, "%d,%d,", (int) r->provenance.cuda_driver_version, (int) r->provenance.cuda_runtime_version);
  csv_u64 (out, r->provenance.cupti_version);
  csv_str (out, r->provenance.host, false);
  csv_str (out, r->provenance.cliffwatch_version, false);
  csv_str (out, r->provenance.git_revision, false);
  csv_str (out, when, false);
  csv_u64 (out, r->predicted_peak_bytes);
  csv_u64 (out, r->measured_peak_bytes);
  fprintf (out, "%" PRId64 ",", r->memgetinfo_delta_bytes);
  csv_u64 (out, r->oom_request_bytes);
  csv_u64 (out, r->oom_live_bytes);
  csv_u64 (out, r->lane_ns);
  csv_u64 (out, r->kernel_ns);
  csv_u64 (out, r->unprofiled_lane_ns);
  fprintf (out, "%.6g,", r->tflops);
  if (r->has_recall)
    fprintf (out, "%.6f,", r->recall);
  else
    fputs (",", out);
  csv_u64 (out, r->dropped_records);
  fprintf (out, "%d,%d,%d,%d,", r->capture.captured, r->capture.instantiated, r->capture.replayed,
           r->capture.matched);
  csv_str (out, r->capture.cuda_error_name, false);
  csv_str (out, r->error_message, false);
  csv_str (out, r->note, false);
  /* The gradient check (training lanes), last so that readers of the
   * columns before it are unchanged: three empty fields where no check ran,
   * "inf" for a non-finite GPU value (as Python's float() reads it). */
  csv_str (out, cw_gradcheck_status_get_name (r->gradcheck.status), false);
  if (r->gradcheck.status == CW_GRADCHECK_NONE)
    fputs (",", out);
  else if (isfinite (r->gradcheck.worst))
    fprintf (out, "%.17g,", r->gradcheck.worst);
  else
    fputs ("inf,", out);
  csv_str (out, r->gradcheck.worst_at, true);
}

static void
print_trace_csv (FILE *out, const CwReceipt *r)
{
  for (size_t i = 0; i < r->n_events; i++)
    {
      const CwTraceEvent *ev = &r->events[i];
      csv_str (out, r->uuid, false);
      csv_str (out, cw_trace_kind_get_name (ev->kind), false);
      csv_str (out, ev->name, false);
      fprintf (out, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",0x%" PRIx64 ",%u,%u,%d\n", ev->start_ns, ev->end_ns,
               ev->bytes, ev->address, ev->stream_id, ev->correlation_id, (int) ev->depth);
    }
}

/* ---- table ------------------------------------------------------------------ */

static void
print_list_table (FILE *out, const CwReceiptList *list)
{
  char pred[32], meas[32];

  fprintf (out, "%5s  %-24s %-14s %9s %9s %12s %12s %10s  %s\n", "id", "lane", "status", "sq", "sk",
           "predicted", "measured", "lane ms", "gpu");
  for (size_t i = 0; i < cw_receipt_list_get_n_items (list); i++)
    {
      const CwReceipt *r = cw_receipt_list_get (list, i);

      if (r->predicted_peak_bytes)
        cw_bytes_format_gib (r->predicted_peak_bytes, pred, sizeof pred);
      else
        snprintf (pred, sizeof pred, "-");
      if (r->measured_peak_bytes)
        cw_bytes_format_gib (r->measured_peak_bytes, meas, sizeof meas);
      else
        snprintf (meas, sizeof meas, "-");
      fprintf (out, "%5" PRId64 "  %-24s %-14s %9" PRIu64 " %9" PRIu64 " %12s %12s %10.3f  %s\n", r->id, r->lane,
               cw_receipt_status_get_name (r->status), r->config.sq, r->config.sk, pred, meas, r->lane_ns / 1e6,
               r->provenance.gpu_name);
    }
  fprintf (out, "%zu receipt(s)\n", cw_receipt_list_get_n_items (list));
}

static void
print_show_table (FILE *out, const CwReceipt *r, bool with_trace)
{
  char b1[CW_BYTES_FORMAT_SIZE], when[64];
  const CwConfig *c = &r->config;

  format_time (r->provenance.time_unix_ns, when, sizeof when);
  fprintf (out, "receipt %" PRId64 "  %s\n", r->id, r->uuid);
  fprintf (out, "  lane           %s (profile %s)%s%s\n", r->lane, r->profile[0] ? r->profile : "-",
           r->sweep_id[0] ? ", sweep " : "", r->sweep_id);
  fprintf (out, "  status         %s%s%s\n", cw_receipt_status_get_name (r->status),
           r->error_message[0] ? ": " : "", r->error_message);
  fprintf (out, "  config         b=%" PRIu64 " h=%" PRIu64 " d=%" PRIu64 " sq=%" PRIu64 " sk=%" PRIu64
                " ratio=%" PRIu64 " k=%" PRIu64 " %s q=%s k=%s w=%s score=%s index=%s budget=%" PRIu64
                " granularity=%" PRIu64 "\n",
           c->b, c->h, c->d, c->sq, c->sk, c->ratio, c->top_k, cw_causal_get_name (c->causal),
           cw_dtype_get_name (c->q_dtype), cw_dtype_get_name (c->k_dtype), cw_dtype_get_name (c->w_dtype),
           cw_dtype_get_name (c->score_dtype), cw_dtype_get_name (c->index_dtype), c->chunk_budget_bytes,
           c->granularity);
  fprintf (out, "  gpu            %s %s, %s HBM\n", r->provenance.gpu_name, r->provenance.gpu_uuid,
           cw_bytes_format (r->provenance.hbm_total_bytes, b1, sizeof b1));
  fprintf (out, "  software       driver %s, CUDA driver %d runtime %d, CUPTI %u, cliffwatch %s (%s)\n",
           r->provenance.driver_version, (int) r->provenance.cuda_driver_version,
           (int) r->provenance.cuda_runtime_version, r->provenance.cupti_version,
           r->provenance.cliffwatch_version, r->provenance.git_revision);
  fprintf (out, "  host, time     %s, %s\n", r->provenance.host, when);
  if (cw_receipt_is_exec (r))
    {
      char b2[CW_BYTES_FORMAT_SIZE], sig[32] = "";

      fprintf (out, "  program        %s\n", r->exec.program);
      fprintf (out, "  process        pid %d, rank %d, device %d, allocator level %s\n", (int) r->exec.pid,
               (int) r->exec.rank, (int) r->exec.device, r->exec.allocator);
      if (r->exec.exit_signal)
        cw_receipt_signal_name (r->exec.exit_signal, sig, sizeof sig);
      fprintf (out, "  ended          %s%s%d\n", r->exec.exit_signal ? "by " : "exit status ",
               r->exec.exit_signal ? sig : "", r->exec.exit_signal ? 0 : (int) r->exec.exit_code);
      if (r->exec.range_name[0])
        {
          uint64_t cp, cm;

          cw_receipt_get_compared_peaks (r, &cp, &cm);
          fprintf (out, "  range          %s (occurrence %" PRIu32 "), opened at %s live\n", r->exec.range_name,
                   r->exec.range_occurrence, cw_bytes_format (r->exec.range_open_bytes, b1, sizeof b1));
          if (r->profile[0])
            fprintf (out, "  above opening  measured %s, predicted %s (prediction less its inputs)\n",
                     cw_bytes_format (cm, b1, sizeof b1), cw_bytes_format (cp, b2, sizeof b2));
          else
            fprintf (out, "  above opening  measured %s\n", cw_bytes_format (cm, b1, sizeof b1));
        }
      fprintf (out, "  kernels        %" PRIu64 " launched\n", r->exec.n_kernels);
    }
  fprintf (out, "  predicted peak %s%s%s%s\n", cw_bytes_format (r->predicted_peak_bytes, b1, sizeof b1),
           r->prediction_on_read ? " (planned on read with profile " : "",
           r->prediction_on_read ? r->profile : "",
           r->prediction_on_read ? " at the stored configuration; the run stored none)" : "");
  fprintf (out, "  measured peak  %s (%s)%s\n", cw_bytes_format (r->measured_peak_bytes, b1, sizeof b1),
           cw_receipt_get_peak_source (r),
           r->predicted_peak_bytes && r->status == CW_RECEIPT_STATUS_OK
             ? (cw_receipt_peak_agrees (r) ? ", agrees" : ", DISAGREES") : "");
  fprintf (out, "  cudaMemGetInfo %" PRId64 " B used delta\n", r->memgetinfo_delta_bytes);
  if (r->status == CW_RECEIPT_STATUS_OOM)
    {
      fprintf (out, "  oom request    %s\n", cw_bytes_format (r->oom_request_bytes, b1, sizeof b1));
      fprintf (out, "  oom live       %s\n", cw_bytes_format (r->oom_live_bytes, b1, sizeof b1));
    }
  fprintf (out, "  time           lane %.3f ms, kernels %.3f ms", r->lane_ns / 1e6, r->kernel_ns / 1e6);
  if (r->unprofiled_lane_ns)
    fprintf (out, ", unprofiled %.3f ms (overhead %+.2f %%)", r->unprofiled_lane_ns / 1e6,
             100.0 * ((double) r->lane_ns - (double) r->unprofiled_lane_ns) / (double) r->unprofiled_lane_ns);
  fprintf (out, "\n  throughput     %.2f TFLOP/s (%.4g FLOP)\n", r->tflops, r->flops);
  if (r->has_recall)
    fprintf (out, "  recall         %.6f\n", r->recall);
  if (r->gradcheck.status != CW_GRADCHECK_NONE)
    fprintf (out, "  gradcheck      %s: worst |gpu - float64| %.3g of the allowed 3e-5 * sum|terms| + kink%s%s\n",
             cw_gradcheck_status_get_name (r->gradcheck.status), r->gradcheck.worst,
             r->gradcheck.worst_at[0] ? ", at " : "", r->gradcheck.worst_at);
  fprintf (out, "  graph capture  %s: captured %s, instantiated %s, replayed %s, matched %s%s%s\n",
           r->capture.attempted ? "attempted" : "not attempted", r->capture.captured ? "yes" : "no",
           r->capture.instantiated ? "yes" : "no", r->capture.replayed ? "yes" : "no",
           r->capture.matched ? "yes" : "no", r->capture.cuda_error_name[0] ? ", " : "",
           r->capture.cuda_error_name);
  fprintf (out, "  trace          %zu events, %" PRIu64 " dropped records\n", r->n_events, r->dropped_records);
  if (r->note[0])
    fprintf (out, "  note           %s\n", r->note);
  if (r->n_buffers)
    {
      fprintf (out, "  predicted buffers:\n");
      for (size_t i = 0; i < r->n_buffers; i++)
        fprintf (out, "    %-16s %s%s\n", r->buffers[i].name,
                 cw_bytes_format (r->buffers[i].bytes, b1, sizeof b1), r->buffers[i].is_input ? " (input)" : "");
    }
  if (r->n_phases)
    {
      fprintf (out, "  predicted phases:\n");
      for (size_t i = 0; i < r->n_phases; i++)
        fprintf (out, "    %-16s %s\n", r->phases[i].name, cw_bytes_format (r->phases[i].live_bytes, b1, sizeof b1));
    }
  if (with_trace)
    {
      uint64_t t0 = r->n_events ? r->events[0].start_ns : 0;
      fprintf (out, "  trace (times relative to the first event):\n");
      for (size_t i = 0; i < r->n_events; i++)
        {
          const CwTraceEvent *ev = &r->events[i];
          fprintf (out, "    %12.3f us %10.3f us  %-7s %*s%s", (ev->start_ns - t0) / 1e3,
                   (ev->end_ns - ev->start_ns) / 1e3, cw_trace_kind_get_name (ev->kind), (int) ev->depth * 2, "",
                   ev->name);
          if (ev->bytes)
            fprintf (out, "  %" PRIu64 " B", ev->bytes);
          fputc ('\n', out);
        }
    }
}

/* ---- commands --------------------------------------------------------------- */

static CwReceiptList *
open_and_query (const Options *o, CwReceiptStore **store_out, CwError *error)
{
  CwReceiptStore *store = cw_receipt_store_open (o->db, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, error);
  CwReceiptList *list;

  if (store == NULL)
    return NULL;
  list = cw_receipt_store_query (store, &o->query, error);
  if (list == NULL)
    {
      cw_receipt_store_close (store);
      return NULL;
    }
  *store_out = store;
  return list;
}

static int
cmd_list (Options *o)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store = NULL;
  CwReceiptList *list;

  if (!take_db (o, "list", &error) || !no_more_positionals (o, "list", &error))
    return cw_cli_fail (&error);
  if (o->trace)
    return cw_cli_failf ("receipts list: --trace belongs to show and export");
  list = open_and_query (o, &store, &error);
  if (list == NULL)
    return runtime_fail (&error);
  if (o->format == CW_CLI_FORMAT_JSON)
    {
      fputs ("{\"receipts\": [", stdout);
      for (size_t i = 0; i < cw_receipt_list_get_n_items (list); i++)
        {
          fputs (i ? ",\n  " : "\n  ", stdout);
          print_receipt_json (stdout, cw_receipt_list_get (list, i), false);
        }
      fputs ("\n]}\n", stdout);
    }
  else if (o->format == CW_CLI_FORMAT_CSV)
    {
      fputs (csv_header, stdout);
      for (size_t i = 0; i < cw_receipt_list_get_n_items (list); i++)
        print_receipt_csv (stdout, cw_receipt_list_get (list, i));
    }
  else
    print_list_table (stdout, list);
  cw_receipt_list_free (list);
  cw_receipt_store_close (store);
  return 0;
}

static bool
parse_id (const char *text, int64_t *id)
{
  uint64_t v = 0;
  CwError e = CW_ERROR_INIT;

  if (!cw_cli_parse_positive_u64 ("id", text, false, &v, &e) || v > (uint64_t) INT64_MAX)
    return false;
  *id = (int64_t) v;
  return true;
}

static int
cmd_show (Options *o)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store;
  CwReceipt *r;
  int64_t id = 0;
  const char *which;

  if (!take_db (o, "show", &error))
    return cw_cli_fail (&error);
  if (o->n_positional != 1)
    return cw_cli_failf ("receipts show: give exactly one receipt id or UUID");
  if (o->format == CW_CLI_FORMAT_CSV)
    return cw_cli_failf ("receipts show: --format is table or json (use export for csv)");
  which = o->positional[0];
  store = cw_receipt_store_open (o->db, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &error);
  if (store == NULL)
    return runtime_fail (&error);
  if (parse_id (which, &id))
    r = cw_receipt_store_load (store, id, &error);
  else if (strlen (which) == 36)
    r = cw_receipt_store_load_uuid (store, which, &error);
  else
    {
      cw_receipt_store_close (store);
      return cw_cli_failf ("receipts show: '%s' is neither a receipt id nor a UUID", which);
    }
  cw_receipt_store_close (store);
  if (r == NULL)
    return runtime_fail (&error);
  if (o->format == CW_CLI_FORMAT_JSON)
    {
      print_receipt_json (stdout, r, o->trace);
      fputc ('\n', stdout);
    }
  else
    print_show_table (stdout, r, o->trace);
  cw_receipt_free (r);
  return 0;
}

static int
cmd_export (Options *o)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store = NULL;
  CwReceiptList *list;
  FILE *out = stdout;
  char *tmp = NULL;
  int status = 0;

  if (!take_db (o, "export", &error) || !no_more_positionals (o, "export", &error))
    return cw_cli_fail (&error);
  if (!o->format_given || o->format == CW_CLI_FORMAT_TABLE)
    return cw_cli_failf ("receipts export: --format csv or --format json is required");
  list = open_and_query (o, &store, &error);
  if (list == NULL)
    return runtime_fail (&error);
  if (o->output)
    {
      /* Written beside the target and renamed over it at the end: a failed
       * or killed export leaves no half file and an existing one intact. */
      size_t len = strlen (o->output);
      int fd = -1;

      tmp = malloc (len + 16);
      if (tmp != NULL)
        {
          snprintf (tmp, len + 16, "%s.tmp-XXXXXX", o->output);
          fd = mkstemp (tmp);
        }
      out = fd >= 0 ? fdopen (fd, "w") : NULL;
      if (out == NULL)
        {
          cw_error_set (&error, CW_ERROR_IO, "%s: cannot write: %s", o->output, strerror (errno));
          if (fd >= 0)
            {
              close (fd);
              unlink (tmp);
            }
          free (tmp);
          cw_receipt_list_free (list);
          cw_receipt_store_close (store);
          return runtime_fail (&error);
        }
    }
  if (o->format == CW_CLI_FORMAT_CSV)
    fputs (o->trace ? "receipt_uuid,kind,name,start_ns,end_ns,bytes,address,stream,correlation_id,depth\n"
                    : csv_header, out);
  else
    fputs ("{\"receipts\": [", out);
  for (size_t i = 0; i < cw_receipt_list_get_n_items (list) && status == 0; i++)
    {
      const CwReceipt *row = cw_receipt_list_get (list, i);
      CwReceipt *full = NULL;

      /* Buffers and phases for JSON; the trace only when it is printed. */
      if (o->format == CW_CLI_FORMAT_JSON || o->trace)
        {
          full = o->trace ? cw_receipt_store_load (store, row->id, &error)
                          : cw_receipt_store_load_without_trace (store, row->id, &error);
          if (full == NULL)
            {
              status = runtime_fail (&error);
              break;
            }
          row = full;
        }
      if (o->format == CW_CLI_FORMAT_JSON)
        {
          fputs (i ? ",\n  " : "\n  ", out);
          print_receipt_json (out, row, o->trace);
        }
      else if (o->trace)
        print_trace_csv (out, row);
      else
        print_receipt_csv (out, row);
      cw_receipt_free (full);
    }
  if (o->format == CW_CLI_FORMAT_JSON && status == 0)
    fputs ("\n]}\n", out);
  if (out != stdout)
    {
      bool written = status == 0 && fflush (out) == 0 && !ferror (out);
      mode_t mask = umask (0);

      umask (mask);
      written = fclose (out) == 0 && written;
      if (written && (chmod (tmp, 0666 & ~mask) != 0 || rename (tmp, o->output) != 0))
        written = false;
      if (!written)
        {
          unlink (tmp);
          if (status == 0)
            {
              cw_error_set (&error, CW_ERROR_IO, "%s: write failed", o->output);
              status = runtime_fail (&error);
            }
        }
      free (tmp);
    }
  cw_receipt_list_free (list);
  cw_receipt_store_close (store);
  return status;
}

static int
cmd_compare (Options *o)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store = NULL;
  CwReceiptList *list;
  unsigned n_checked = 0, n_bad = 0, n_unpredicted = 0, n_on_read = 0, n_whole = 0;

  if (!take_db (o, "compare", &error) || !no_more_positionals (o, "compare", &error))
    return cw_cli_fail (&error);
  list = open_and_query (o, &store, &error);
  if (list == NULL)
    return runtime_fail (&error);
  if (o->format == CW_CLI_FORMAT_CSV)
    fputs ("id,lane,sq,predicted_peak_bytes,measured_peak_bytes,difference_bytes,tolerance_bytes,agrees,"
           "prediction_on_read\n", stdout);
  else if (o->format == CW_CLI_FORMAT_JSON)
    fputs ("{\"comparisons\": [", stdout);
  else
    printf ("%5s  %-19s %9s %16s %16s %14s %12s  %s\n", "id", "lane", "sq", "predicted B", "measured B",
            "difference B", "tolerance B", "agrees");
  for (size_t i = 0; i < cw_receipt_list_get_n_items (list); i++)
    {
      const CwReceipt *r = cw_receipt_list_get (list, i);
      int64_t diff;
      uint64_t tol, cp, cm;
      bool ok;

      if (r->status != CW_RECEIPT_STATUS_OK)
        continue;
      if (r->predicted_peak_bytes == 0)
        {
          /* A whole external program holds its framework, weights and
           * caches besides the indexer: no profile predicts it; its NVTX
           * range receipts are the comparison. */
          if (cw_receipt_is_exec (r) && r->exec.range_name[0] == '\0')
            n_whole++;
          else
            n_unpredicted++;
          continue;
        }
      n_on_read += r->prediction_on_read;
      /* External programs' range receipts compare above the range's opening. */
      cw_receipt_get_compared_peaks (r, &cp, &cm);
      diff = (int64_t) (cm - cp);
      tol = cw_receipt_get_tolerance_bytes (r);
      ok = cw_receipt_peak_agrees (r) && r->dropped_records == 0;
      n_bad += !ok;
      /* Lanes and profiles come from a file: escaped in every format. */
      if (o->format == CW_CLI_FORMAT_CSV)
        {
          printf ("%" PRId64 ",", r->id);
          cw_cli_csv_field (stdout, r->lane);
          printf (",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRId64 ",%" PRIu64 ",%s,%s\n", r->config.sq, cp, cm, diff,
                  tol, ok ? "yes" : "no", r->prediction_on_read ? "yes" : "no");
        }
      else if (o->format == CW_CLI_FORMAT_JSON)
        {
          printf ("%s{\"id\": %" PRId64 ", \"lane\": ", n_checked ? ",\n  " : "\n  ", r->id);
          cw_cli_json_string (stdout, r->lane);
          printf (", \"profile\": ");
          cw_cli_json_string (stdout, r->profile);
          printf (", \"sq\": %" PRIu64 ", \"predicted_peak_bytes\": %" PRIu64 ", \"measured_peak_bytes\": %" PRIu64
                  ", \"difference_bytes\": %" PRId64 ", \"tolerance_bytes\": %" PRIu64 ", \"agrees\": %s"
                  ", \"prediction_on_read\": %s}",
                  r->config.sq, cp, cm, diff, tol, ok ? "true" : "false", r->prediction_on_read ? "true" : "false");
        }
      else
        printf ("%5" PRId64 "  %-19s %9" PRIu64 " %16" PRIu64 " %16" PRIu64 " %14" PRId64 " %12" PRIu64 "  %s%s%s\n",
                r->id, r->lane, r->config.sq, cp, cm, diff, tol,
                ok ? "yes" : "NO", r->prediction_on_read ? " *" : "", r->dropped_records ? " (dropped records)" : "");
      n_checked++;
    }
  if (o->format == CW_CLI_FORMAT_JSON)
    printf ("\n], \"checked\": %u, \"disagree\": %u, \"unpredicted\": %u, \"whole_programs\": %u}\n", n_checked,
            n_bad, n_unpredicted, n_whole);
  else if (o->format == CW_CLI_FORMAT_TABLE)
    {
      if (n_on_read)
        printf ("* planned on read: the run stored no prediction; its lane's profile at the stored configuration\n");
      printf ("%u checked, %u disagree, %u unpredicted", n_checked, n_bad, n_unpredicted);
      if (n_whole)
        printf (", %u whole-program receipt(s) not compared (their ranges are)", n_whole);
      putchar ('\n');
    }
  cw_receipt_list_free (list);
  cw_receipt_store_close (store);
  if (n_bad > 0)
    {
      fprintf (stderr, "cliffwatch-cli: receipts compare: %u receipt(s) disagree with the prediction\n", n_bad);
      return EXIT_RUNTIME;
    }
  return 0;
}

static int
cmd_diff (Options *o)
{
  if (o->into != NULL || o->output != NULL || o->trace || o->shaped || o->query.lane[0] || o->query.has_status
      || o->query.gpu[0] || o->query.text[0] || o->query.sweep_id[0])
    return cw_cli_failf ("receipts diff: takes DB ID1 [DB2] ID2 and --format only");
  return cw_cli_receipts_diff (o->n_positional, o->positional, o->db, o->format);
}

static int
cmd_merge (Options *o)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *dst;
  uint64_t total_added = 0, total_skipped = 0;
  bool existed;

  if (o->into == NULL)
    return cw_cli_failf ("receipts merge: --into OUT.db is required");
  if (o->db != NULL)
    return cw_cli_failf ("receipts merge: give the inputs as arguments, not --db");
  if (o->n_positional == 0)
    return cw_cli_failf ("receipts merge: give at least one input database");
  /* Filters, sorting, limits and an output file would be silently ignored:
   * a merge copies every receipt of every input. */
  if (o->format_given || o->trace || o->shaped || o->output != NULL || o->query.lane[0] || o->query.has_status
      || o->query.gpu[0] || o->query.text[0] || o->query.sweep_id[0])
    return cw_cli_failf ("receipts merge: takes only --into and input databases (it copies every receipt)");
  existed = access (o->into, F_OK) == 0;
  dst = cw_receipt_store_open (o->into, CW_RECEIPT_STORE_CREATE, &error);
  if (dst == NULL)
    return runtime_fail (&error);
  /* All inputs in one transaction: one bad input and the target is as it was. */
  if (!cw_receipt_store_merge_many (dst, (const char *const *) o->positional, (size_t) o->n_positional,
                                    &total_added, &total_skipped, &error))
    {
      cw_receipt_store_close (dst);
      /* A failed merge into a new path leaves no empty database behind. */
      if (!existed)
        cw_receipt_store_remove_files (o->into);
      return runtime_fail (&error);
    }
  printf ("%s: %" PRId64 " receipts (%" PRIu64 " added, %" PRIu64 " skipped as duplicates)\n", o->into,
          cw_receipt_store_count (dst, NULL), total_added, total_skipped);
  cw_receipt_store_close (dst);
  return 0;
}

static int
cmd_migrate (Options *o)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store;
  const char *path = o->db ? o->db : (o->n_positional > 0 ? o->positional[0] : NULL);

  if (path == NULL)
    return cw_cli_failf ("receipts migrate: give the database to migrate");
  if ((o->db != NULL && o->n_positional > 0) || o->n_positional > 1 || o->into != NULL || o->format_given
      || o->trace)
    return cw_cli_failf ("receipts migrate: takes one database and no other option");
  /* Opening writable applies the migrations; a missing file is not created. */
  if (access (path, F_OK) != 0)
    return cw_cli_failf ("receipts migrate: %s: no such receipt database", path);
  store = cw_receipt_store_open (path, CW_RECEIPT_STORE_CREATE, &error);
  if (store == NULL)
    return runtime_fail (&error);
  printf ("%s: schema version %d, %" PRId64 " receipts\n", path, cw_receipt_store_schema_version (),
          cw_receipt_store_count (store, NULL));
  cw_receipt_store_close (store);
  return 0;
}

static int
cmd_check (Options *o)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store;
  const char *path = o->db ? o->db : (o->n_positional > 0 ? o->positional[0] : NULL);
  int64_t n;

  if (path == NULL)
    return cw_cli_failf ("receipts check: give the database to check");
  if ((o->db != NULL && o->n_positional > 0) || o->n_positional > 1 || o->into != NULL || o->format_given
      || o->trace)
    return cw_cli_failf ("receipts check: takes one database and no other option");
  store = cw_receipt_store_open (path, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_NO_CHECK, &error);
  if (store == NULL)
    return runtime_fail (&error);
  if (!cw_receipt_store_check (store, &error) || (n = cw_receipt_store_count (store, &error)) < 0)
    {
      cw_receipt_store_close (store);
      return runtime_fail (&error);
    }
  printf ("%s: ok, schema version %d, %" PRId64 " receipts\n", path, cw_receipt_store_schema_version (), n);
  cw_receipt_store_close (store);
  return 0;
}

int
cw_cli_receipts (int argc, char **argv)
{
  static const struct { const char *name; int (*fn) (Options *); } cmds[] = {
    { "list", cmd_list }, { "show", cmd_show }, { "export", cmd_export },
    { "compare", cmd_compare }, { "diff", cmd_diff }, { "merge", cmd_merge },
    { "migrate", cmd_migrate }, { "check", cmd_check },
  };
  Options o;
  CwError error = CW_ERROR_INIT;

  if (argc < 2)
    {
      print_help (stderr);
      return cw_cli_failf ("receipts: a command is required (list, show, export, compare, diff, merge, migrate, check)");
    }
  if (cw_cli_is_help (argv[1]))
    {
      print_help (stdout);
      return 0;
    }
  for (int i = 2; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      {
        print_help (stdout);
        return 0;
      }
  for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++)
    if (strcmp (argv[1], cmds[c].name) == 0)
      {
        if (!parse_options (argc, argv, &o, &error))
          return cw_cli_fail (&error);
        return cmds[c].fn (&o);
      }
  return cw_cli_failf ("receipts: unknown command '%s' (list, show, export, compare, diff, merge, migrate, check)", argv[1]);
}
