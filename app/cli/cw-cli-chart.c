/* cw-cli-chart.c: `cliffwatch-cli chart cliff|compare|timeline|indexcache`:
 * the workbench's charts written to PNG, SVG or PDF without a display.
 *
 * Each chart is built by the function the GTK workbench calls for it
 * (app/chart/cw-chart-kinds.h, cw-receipt-charts.h), which decides its
 * range, title, axis titles and caption; this file only gathers the inputs
 * from the planner and the receipt store and picks the output. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw-chart-kinds.h"
#include "cw-cli-commands.h"
#include "cw-cli-config.h"
#include "cw-cli-indexcache-options.h"

#if CW_CLI_CHART_HAVE_STORE
#include "cw-receipt-store.h"
#include "cw-receipt-charts.h"
#endif

typedef enum {
  KIND_CLIFF,
  KIND_COMPARE,
  KIND_TIMELINE,
  KIND_INDEXCACHE,
} ChartKind;

static const char *const kind_names[] = { "cliff", "compare", "timeline", "indexcache" };

typedef struct {
  ChartKind kind;
  /* output */
  const char *output;
  uint64_t width, height;
  CwChartStyleKind style;
  const char *title;
  /* receipts */
  const char *db;
  int64_t receipt_id;
  bool receipt_given;
  /* timeline: a second receipt on the same scales (--against, --against-db) */
  int64_t against_id;
  bool against_given;
  const char *against_db;
  const char *lane, *gpu_name, *sweep;
  bool error_view;
  /* cliff */
  uint64_t sq_min, sq_max, per_octave;
  bool sq_min_given, sq_max_given;
  /* indexcache (same options and defaults as `cliffwatch-cli indexcache`) */
  CwCliIndexCacheOptions ic_opts;
  bool ic_option_given;
  /* which option (if any) does not belong to the kind */
  const char *misplaced;
} ChartOptions;

static void
print_help (FILE *out, int kind)
{
  fputs ("Usage: cliffwatch-cli chart KIND --output FILE [OPTIONS]\n"
         "Draws one of the workbench's charts into FILE; the format follows the\n"
         "extension: .png, .svg or .pdf. No display is needed.\n"
         "\n"
         "Kinds:\n"
         "  cliff        predicted peak vs sq per profile (log-log), the usable-HBM line,\n"
         "               each profile's cliff marked; receipts from --db overlaid\n"
         "               (circles ok, crosses OOM) when their configuration matches\n"
         "  compare      predicted vs measured peak of the receipts in --db, y = x; with\n"
         "               --error each receipt's signed error in percent instead\n"
         "  timeline     live bytes over time of --receipt ID in --db, NVTX ranges as\n"
         "               bands, kernels as ticks\n"
         "  indexcache   the index-cache layer strip and stage-boundary decisions\n"
         "\n"
         "Chart options:\n"
         "  --output FILE         where to write (.png, .svg, .pdf); required\n"
         "  --width N             width in pixels (PNG) or points (SVG/PDF), default 1280\n"
         "  --height N            height, default 800 (both at most 16384)\n"
         "  --style STYLE         light (default), dark or print\n"
         "  --title TEXT          replace the chart's title\n"
         "  --db FILE             receipts database (cliff: optional; compare, timeline: required)\n"
         "cliff:\n"
         "  --sq-min N            smallest sq drawn (default 1024, rounded to the ratio);\n"
         "                        without them the range reaches every receipt drawn\n"
         "  --sq-max N            largest sq drawn (default 4 x --sq, at least 1048576,\n"
         "                        at most 16777216)\n"
         "  --per-octave N        samples per doubling of sq (default 8)\n"
         "  plus the planner options below (preset, GPU, reserve, profiles, sizes)\n"
         "compare:\n"
         "  --lane NAME           only receipts of this lane\n"
         "  --gpu-name TEXT       only receipts whose GPU name contains TEXT\n"
         "  --sweep ID            only receipts of this sweep\n"
         "  --error               (measured - predicted) / predicted in percent against the\n"
         "                        predicted peak, with the agreement band (the Compare\n"
         "                        page's Error view)\n"
         "timeline:\n"
         "  --receipt ID          the receipt to draw (its row id); required\n"
         "  --against ID          a second receipt on the same time and byte scales (the\n"
         "                        Compare Receipts window's chart; `receipts diff` lists\n"
         "                        the fields that differ)\n"
         "  --against-db FILE     the second receipt's database (default: --db)\n"
         "indexcache: the options of `cliffwatch-cli indexcache`, same defaults:\n"
         "  --layers N, --indexer-layers LIST, --every N, --full-layers LIST,\n"
         "  --stages N, --stage-starts LIST, --index-heads N, --link-gbps X, --tflops X\n"
         "  plus the planner options below\n", out);
  if (kind < 0 || kind == KIND_CLIFF || kind == KIND_INDEXCACHE)
    {
      fputs ("\nPlanner options (cliff, indexcache):\n", out);
      cw_cli_setup_print_help (out);
    }
  fputs ("\nExit status: 0 written, 2 bad input or the chart could not be written.\n", out);
}

static bool
parse_size (const char *option, const char *value, uint64_t *out, CwError *error)
{
  if (value == NULL || !cw_cli_parse_positive_u64 (option, value, false, out, error))
    return false;
  if (*out > (uint64_t) CW_CHART_EXPORT_MAX_SIZE)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: %" PRIu64 " is larger than %g", option, *out,
                    CW_CHART_EXPORT_MAX_SIZE);
      return false;
    }
  return true;
}

/* The chart's own options; 1 consumed, 0 not ours, -1 error. Options that
 * exist but belong to another kind are consumed and remembered, so the
 * message can say where they belong. */
static int
chart_option (int argc, char **argv, int *i, void *user_data, CwError *error)
{
  ChartOptions *o = user_data;
  const char *arg = argv[*i], *v;
  int r;

  if (*i == 1 && strcmp (arg, kind_names[o->kind]) == 0)
    return 1;
  if (cw_cli_match_option (argc, argv, i, "--output", &v, error))
    {
      o->output = v;
      return v != NULL ? 1 : -1;
    }
  if (cw_cli_match_option (argc, argv, i, "--width", &v, error))
    return parse_size ("--width", v, &o->width, error) ? 1 : -1;
  if (cw_cli_match_option (argc, argv, i, "--height", &v, error))
    return parse_size ("--height", v, &o->height, error) ? 1 : -1;
  if (cw_cli_match_option (argc, argv, i, "--style", &v, error))
    {
      if (v == NULL)
        return -1;
      if (!cw_chart_style_kind_from_string (v, &o->style))
        {
          cw_error_set (error, CW_ERROR_INVALID, "--style: '%s' is not light, dark or print", v);
          return -1;
        }
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--title", &v, error))
    {
      o->title = v;
      return v != NULL ? 1 : -1;
    }
  if (cw_cli_match_option (argc, argv, i, "--db", &v, error))
    {
      if (o->kind == KIND_INDEXCACHE)
        o->misplaced = "--db";
      o->db = v;
      return v != NULL ? 1 : -1;
    }
  if (cw_cli_match_option (argc, argv, i, "--receipt", &v, error))
    {
      uint64_t id;
      if (v == NULL || !cw_cli_parse_positive_u64 ("--receipt", v, false, &id, error))
        return -1;
      if (id > INT64_MAX)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--receipt: %s is not a receipt id", v);
          return -1;
        }
      if (o->kind != KIND_TIMELINE)
        o->misplaced = "--receipt";
      o->receipt_id = (int64_t) id;
      o->receipt_given = true;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--against", &v, error))
    {
      uint64_t id;
      if (v == NULL || !cw_cli_parse_positive_u64 ("--against", v, false, &id, error))
        return -1;
      if (id > INT64_MAX)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--against: %s is not a receipt id", v);
          return -1;
        }
      if (o->kind != KIND_TIMELINE)
        o->misplaced = "--against";
      o->against_id = (int64_t) id;
      o->against_given = true;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--against-db", &v, error))
    {
      if (o->kind != KIND_TIMELINE)
        o->misplaced = "--against-db";
      o->against_db = v;
      return v != NULL ? 1 : -1;
    }
  if (strcmp (arg, "--error") == 0)
    {
      if (o->kind != KIND_COMPARE)
        o->misplaced = "--error";
      o->error_view = true;
      return 1;
    }
  {
    static const char *const filters[] = { "--lane", "--gpu-name", "--sweep" };
    const char **slots[] = { &o->lane, &o->gpu_name, &o->sweep };
    for (size_t k = 0; k < 3; k++)
      if (cw_cli_match_option (argc, argv, i, filters[k], &v, error))
        {
          if (o->kind != KIND_COMPARE)
            o->misplaced = filters[k];
          *slots[k] = v;
          return v != NULL ? 1 : -1;
        }
  }
  {
    static const char *const sq_opts[] = { "--sq-min", "--sq-max", "--per-octave" };
    uint64_t *slots[] = { &o->sq_min, &o->sq_max, &o->per_octave };
    for (size_t k = 0; k < 3; k++)
      if (cw_cli_match_option (argc, argv, i, sq_opts[k], &v, error))
        {
          if (v == NULL || !cw_cli_parse_positive_u64 (sq_opts[k], v, k < 2, slots[k], error))
            return -1;
          if (o->kind != KIND_CLIFF)
            o->misplaced = sq_opts[k];
          o->sq_min_given |= k == 0;
          o->sq_max_given |= k == 1;
          return 1;
        }
  }
  r = cw_cli_indexcache_options_parse (&o->ic_opts, argc, argv, i, error);
  if (r > 0)
    {
      o->ic_option_given = true;
      if (o->kind != KIND_INDEXCACHE)
        o->misplaced = arg;
    }
  return r;
}

static void
options_clear (ChartOptions *o)
{
  cw_cli_indexcache_options_clear (&o->ic_opts);
}

/* Parses the options of kinds that take no planner options. */
static bool
parse_plain (int argc, char **argv, ChartOptions *o, CwError *error)
{
  for (int i = 2; i < argc; i++)
    {
      int r = chart_option (argc, argv, &i, o, error);

      if (r < 0)
        return false;
      if (r == 0)
        {
          cw_error_set (error, CW_ERROR_INVALID, "chart %s: unknown option '%s' (see `cliffwatch-cli chart --help`)",
                        kind_names[o->kind], argv[i]);
          return false;
        }
    }
  return true;
}

static bool
check_common (const ChartOptions *o, CwError *error)
{
  CwChartFormat format;

  if (o->misplaced != NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "chart %s: %s does not apply to this chart (see `cliffwatch-cli chart --help`)",
                    kind_names[o->kind], o->misplaced);
      return false;
    }
  if (o->output == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "chart %s: --output FILE is required", kind_names[o->kind]);
      return false;
    }
  if (!cw_chart_format_from_path (o->output, &format))
    {
      cw_error_set (error, CW_ERROR_INVALID, "--output: '%s' does not end in .png, .svg or .pdf", o->output);
      return false;
    }
  return true;
}

static int
write_chart (CwChart *chart, const ChartOptions *o, const char *what)
{
  CwError e = CW_ERROR_INIT;

  if (o->title != NULL)
    cw_chart_set_title (chart, o->title);
  if (!cw_chart_export (chart, o->output, (double) o->width, (double) o->height, o->style, &e))
    {
      cw_chart_free (chart);
      return cw_cli_fail (&e);
    }
  cw_chart_free (chart);
  printf ("wrote %s (%s chart, %" PRIu64 "x%" PRIu64 ", %s style): %s\n", o->output, kind_names[o->kind], o->width,
          o->height, cw_chart_style_get (o->style)->name, what);
  return 0;
}

/* ---- receipts -------------------------------------------------------------- */

#if CW_CLI_CHART_HAVE_STORE
static CwReceiptList *
query_receipts (const char *db, const ChartOptions *o, CwError *error)
{
  CwReceiptStore *store = cw_receipt_store_open (db, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, error);
  CwReceiptQuery query;
  CwReceiptList *list;

  if (store == NULL)
    return NULL;
  cw_receipt_query_init (&query);
  if (o->lane != NULL)
    CW_RECEIPT_SET (query.lane, o->lane);
  if (o->gpu_name != NULL)
    CW_RECEIPT_SET (query.gpu, o->gpu_name);
  if (o->sweep != NULL)
    CW_RECEIPT_SET (query.sweep_id, o->sweep);
  list = cw_receipt_store_query (store, &query, error);
  cw_receipt_store_close (store);
  return list;
}

/* The list's receipts as the array the chart functions take (borrowed). */
static const CwReceipt **
receipt_array (const CwReceiptList *list, size_t *n, CwError *error)
{
  const CwReceipt **receipts;

  *n = cw_receipt_list_get_n_items (list);
  receipts = calloc (*n > 0 ? *n : 1, sizeof *receipts);
  if (receipts == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory reading receipts");
      return NULL;
    }
  for (size_t i = 0; i < *n; i++)
    receipts[i] = cw_receipt_list_get (list, i);
  return receipts;
}

#endif

#if !CW_CLI_CHART_HAVE_STORE
static bool
no_store (CwError *error)
{
  cw_error_set (error, CW_ERROR_UNSUPPORTED,
                "--db needs the SQLite receipt store: install libsqlite3-dev and configure with -Dsqlite=enabled");
  return false;
}
#endif

/* ---- cliff ------------------------------------------------------------------ */

static int
chart_cliff (int argc, char **argv, ChartOptions *o)
{
  CwError e = CW_ERROR_INIT;
  CwCliSetup s;
  CwChartCliffReceipt *points = NULL;
  int64_t *ids = NULL;          /* the database id of each receipt read, for the caption */
  size_t n_points = 0, n_oom = 0, fates[CW_RECEIPT_CHART_N_FATES] = { 0 };
  CwChartCliffPlan plan = { 0 };
  CwChart *chart = NULL;
  char what[320];
  int status;

  if (!cw_cli_setup_parse (&s, argc, argv, chart_option, o, &e))
    return cw_cli_fail (&e);
  if (!check_common (o, &e))
    goto fail;
  if ((o->sq_min_given && o->sq_max_given && o->sq_max < o->sq_min) || o->per_octave > 64)
    {
      cw_error_set (&e, CW_ERROR_INVALID, "chart cliff: need --sq-min <= --sq-max and --per-octave 1..64");
      goto fail;
    }

  if (o->db != NULL)
    {
#if CW_CLI_CHART_HAVE_STORE
      CwReceiptList *list = query_receipts (o->db, o, &e);
      const CwReceipt **receipts;
      size_t n = 0;

      if (list == NULL)
        goto fail;
      receipts = receipt_array (list, &n, &e);
      points = calloc (n > 0 ? n : 1, sizeof *points);
      ids = calloc (n > 0 ? n : 1, sizeof *ids);
      if (receipts == NULL || points == NULL || ids == NULL)
        {
          free (receipts);
          cw_receipt_list_free (list);
          cw_error_set (&e, CW_ERROR_OOM, "out of memory reading receipts");
          goto fail;
        }
      cw_receipt_chart_cliff_points (receipts, n, &s.config, (const CwProfile *const *) s.profiles, s.n_profiles,
                                     points, &n_points, fates);
      for (size_t i = 0; i < n_points; i++)
        n_oom += points[i].oom;
      for (size_t i = 0; i < n; i++)
        ids[i] = receipts[i]->id;
      free (receipts);
      cw_receipt_list_free (list);
#else
      no_store (&e);
      goto fail;
#endif
    }

  plan.source = (CwChartPlanSource) { &s.config, s.preset, s.engine, s.gpu->name, o->db, false };
  plan.usable_bytes = s.usable_bytes;
  plan.profiles = (const CwProfile *const *) s.profiles;
  plan.n_profiles = s.n_profiles;
  plan.receipts = points;
  plan.n_receipts = n_points;
  plan.receipt_ids = ids;
  plan.sq_min = o->sq_min_given ? o->sq_min : 0;
  plan.sq_max = o->sq_max_given ? o->sq_max : 0;
  plan.per_octave = (unsigned) o->per_octave;
  chart = cw_chart_kind_cliff (&plan, &e);
  if (chart == NULL)
    goto fail;
  if (o->db != NULL)
    snprintf (what, sizeof what,
              "%u profile(s); %zu receipt(s) drawn (%zu OOM); left out: %zu of another configuration or a whole "
              "program, %zu of a profile not drawn, %zu capture-failed/error",
              s.n_profiles, n_points, n_oom,
              fates[CW_RECEIPT_CHART_OTHER_CONFIG] + fates[CW_RECEIPT_CHART_WHOLE_PROGRAM]
              + fates[CW_RECEIPT_CHART_UNPREDICTED],
              fates[CW_RECEIPT_CHART_NO_CURVE], fates[CW_RECEIPT_CHART_NOT_MEMORY]);
  else
    snprintf (what, sizeof what, "%u profile(s), no receipts (give --db FILE to overlay them)", s.n_profiles);
  status = write_chart (chart, o, what);
  goto out;

fail:
  status = cw_cli_fail (&e);
out:
  free (points);
  free (ids);
  cw_cli_setup_clear (&s);
  return status;
}

/* ---- compare ---------------------------------------------------------------- */


static int
chart_compare (int argc, char **argv, ChartOptions *o)
{
  CwError e = CW_ERROR_INIT;

  if (!parse_plain (argc, argv, o, &e) || !check_common (o, &e))
    return cw_cli_fail (&e);
  if (o->db == NULL)
    return cw_cli_failf ("chart compare: --db FILE is required");
#if CW_CLI_CHART_HAVE_STORE
  {
    CwReceiptList *list = query_receipts (o->db, o, &e);
    const CwReceipt **receipts;
    CwReceiptCompareSummary sum;
    CwChart *chart;
    char what[240];
    size_t n = 0;

    if (list == NULL)
      return cw_cli_fail (&e);
    receipts = receipt_array (list, &n, &e);
    chart = receipts != NULL ? cw_receipt_chart_compare (receipts, n, o->db, o->error_view ? CW_RECEIPT_COMPARE_ERROR
                                                                                            : CW_RECEIPT_COMPARE_SCATTER,
                                                         &sum, &e)
                             : NULL;
    free (receipts);
    cw_receipt_list_free (list);
    if (chart == NULL)
      return cw_cli_fail (&e);
    snprintf (what, sizeof what,
              "%zu receipt(s) in %zu lane(s), %zu within the agreement rule; %zu without a measured and "
              "predicted peak left out%s", sum.n_points, sum.n_groups, sum.n_agree, sum.n_left_out,
              o->error_view ? "; signed error in percent" : "");
    return write_chart (chart, o, what);
  }
#else
  no_store (&e);
  return cw_cli_fail (&e);
#endif
}

/* ---- timeline --------------------------------------------------------------- */

static int
chart_timeline (int argc, char **argv, ChartOptions *o)
{
  CwError e = CW_ERROR_INIT;

  if (!parse_plain (argc, argv, o, &e) || !check_common (o, &e))
    return cw_cli_fail (&e);
  if (o->db == NULL || !o->receipt_given)
    return cw_cli_failf ("chart timeline: --db FILE and --receipt ID are required");
  if (o->against_db != NULL && !o->against_given)
    return cw_cli_failf ("chart timeline: --against-db FILE needs --against ID");
#if CW_CLI_CHART_HAVE_STORE
  if (o->against_given)
    {
      const char *dbs[2] = { o->db, o->against_db != NULL ? o->against_db : o->db };
      int64_t ids[2] = { o->receipt_id, o->against_id };
      CwReceipt *r[2] = { NULL, NULL };
      CwChart *chart = NULL;
      char what[200];

      for (int k = 0; k < 2; k++)
        {
          CwReceiptStore *store = cw_receipt_store_open (dbs[k], CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &e);

          r[k] = store != NULL ? cw_receipt_store_load (store, ids[k], &e) : NULL;
          cw_receipt_store_close (store);
          if (r[k] == NULL)
            {
              cw_receipt_free (r[0]);
              return cw_cli_fail (&e);
            }
          if (r[k]->dropped_records > 0)
            fprintf (stderr, "cliffwatch-cli: warning: receipt %" PRId64 " dropped %" PRIu64 " trace records; "
                     "its timeline is incomplete\n", r[k]->id, r[k]->dropped_records);
        }
      chart = cw_receipt_chart_timeline_pair (r[0], dbs[0], r[1], dbs[1], &e);
      snprintf (what, sizeof what, "receipt %" PRId64 " against receipt %" PRId64, r[0]->id, r[1]->id);
      cw_receipt_free (r[0]);
      cw_receipt_free (r[1]);
      if (chart == NULL)
        return cw_cli_fail (&e);
      return write_chart (chart, o, what);
    }
  {
    CwReceiptStore *store = cw_receipt_store_open (o->db, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &e);
    CwReceipt *r = store != NULL ? cw_receipt_store_load (store, o->receipt_id, &e) : NULL;
    CwChart *chart = NULL;
    char what[160];
    size_t n_mem = 0, n_ranges = 0, n_kernels = 0;

    cw_receipt_store_close (store);
    if (r == NULL)
      return cw_cli_fail (&e);
    chart = cw_receipt_chart_timeline_in (r, o->db, &e);
    if (chart != NULL && r->dropped_records > 0)
      fprintf (stderr, "cliffwatch-cli: warning: receipt %" PRId64 " dropped %" PRIu64 " trace records; "
               "the timeline is incomplete\n", r->id, r->dropped_records);
    for (size_t i = 0; i < r->n_events; i++)
      {
        CwTraceKind k = r->events[i].kind;
        n_mem += k == CW_TRACE_ALLOC || k == CW_TRACE_FREE;
        n_ranges += k == CW_TRACE_RANGE;
        n_kernels += k == CW_TRACE_KERNEL;
      }
    snprintf (what, sizeof what, "%zu alloc/free event(s), %zu range(s), %zu kernel(s)", n_mem, n_ranges, n_kernels);
    cw_receipt_free (r);
    if (chart == NULL)
      return cw_cli_fail (&e);
    return write_chart (chart, o, what);
  }
#else
  no_store (&e);
  return cw_cli_fail (&e);
#endif
}

/* ---- indexcache ------------------------------------------------------------- */

static int
chart_indexcache (int argc, char **argv, ChartOptions *o)
{
  CwError e = CW_ERROR_INIT;
  CwCliSetup s;
  CwIndexCachePlan *plan = NULL;
  CwChart *chart = NULL;
  char what[160];
  int status;

  if (!cw_cli_setup_parse (&s, argc, argv, chart_option, o, &e))
    return cw_cli_fail (&e);
  if (!check_common (o, &e))
    goto fail;
  if (!cw_cli_indexcache_options_resolve (&o->ic_opts, s.preset, "chart indexcache", &e))
    goto fail;
  plan = cw_index_cache_plan_new (&s.config, &o->ic_opts.ic, &e);
  if (plan == NULL)
    goto fail;
  {
    CwChartPlanSource source = { &s.config, s.preset, s.engine, s.gpu->name, NULL, false };

    chart = cw_chart_kind_indexcache (plan, &source, &e);
  }
  if (chart == NULL)
    goto fail;
  snprintf (what, sizeof what, "%" PRIu64 " layer(s), %" PRIu64 " full, %" PRIu64 " promoted, %" PRIu64
            " stage boundar%s", cw_index_cache_plan_get_n_layers (plan), cw_index_cache_plan_get_n_full (plan),
            cw_index_cache_plan_get_n_promoted (plan), cw_index_cache_plan_get_n_boundaries (plan),
            cw_index_cache_plan_get_n_boundaries (plan) == 1 ? "y" : "ies");
  status = write_chart (chart, o, what);
  goto out;

fail:
  status = cw_cli_fail (&e);
out:
  cw_index_cache_plan_free (plan);
  cw_cli_setup_clear (&s);
  return status;
}

int
cw_cli_chart (int argc, char **argv)
{
  ChartOptions o;
  int kind = -1, status;

  if (argc >= 2)
    for (int k = 0; k < 4; k++)
      if (strcmp (argv[1], kind_names[k]) == 0)
        kind = k;
  for (int i = 1; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      {
        print_help (stdout, kind);
        return 0;
      }
  if (kind < 0)
    {
      if (argc < 2)
        return cw_cli_failf ("chart: which chart? cliff, compare, timeline or indexcache (see `cliffwatch-cli chart --help`)");
      return cw_cli_failf ("chart: unknown chart '%s' (use cliff, compare, timeline or indexcache)", argv[1]);
    }

  memset (&o, 0, sizeof o);
  o.kind = (ChartKind) kind;
  o.width = 1280;
  o.height = 800;
  o.style = CW_CHART_STYLE_LIGHT;
  o.per_octave = 8;
  cw_cli_indexcache_options_init (&o.ic_opts);   /* `cliffwatch-cli indexcache`'s defaults */

  switch (o.kind)
    {
    case KIND_CLIFF:
      status = chart_cliff (argc, argv, &o);
      break;
    case KIND_COMPARE:
      status = chart_compare (argc, argv, &o);
      break;
    case KIND_TIMELINE:
      status = chart_timeline (argc, argv, &o);
      break;
    case KIND_INDEXCACHE:
    default:
      status = chart_indexcache (argc, argv, &o);
      break;
    }
  options_clear (&o);
  return status;
}
