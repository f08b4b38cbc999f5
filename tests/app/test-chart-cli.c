/* test-chart-cli.c: `cliffwatch-cli chart` end to end against a receipts
 * database made here with the store API: receipts land on the cliff chart
 * only when their configuration matches, the timeline replays a stored
 * trace, and bad input exits 2 with nothing written. */
#include "test-chart-util.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw-cli-commands.h"
#include "cw-planner.h"
#include "cw-receipt-store.h"

static char tmpdir[] = "/tmp/cw-chart-cli-XXXXXX";

static const char *
tmp_path (const char *name)
{
  static char buf[8][512];
  static int slot;

  slot = (slot + 1) % 8;
  snprintf (buf[slot], sizeof buf[slot], "%s/%s", tmpdir, name);
  return buf[slot];
}

static int
run (const char *first, ...)
{
  char *argv[64];
  int argc = 0;
  va_list ap;

  argv[argc++] = (char *) first;
  va_start (ap, first);
  for (char *a; argc < 63 && (a = va_arg (ap, char *)) != NULL;)
    argv[argc++] = a;
  va_end (ap);
  argv[argc] = NULL;
  fflush (stdout);
  return cw_cli_chart (argc, argv);
}

static char *
slurp (const char *path)
{
  FILE *f = fopen (path, "rb");
  char *data = NULL;
  long n;

  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  n = ftell (f);
  fseek (f, 0, SEEK_SET);
  data = calloc (1, (size_t) n + 1);
  if (data != NULL && fread (data, 1, (size_t) n, f) != (size_t) n)
    {
      free (data);
      data = NULL;
    }
  fclose (f);
  return data;
}

static bool
exists (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0;
}

static int64_t
insert (CwReceiptStore *store, const char *lane, CwReceiptStatus status, const CwConfig *config,
        uint64_t predicted, uint64_t measured, bool with_trace)
{
  CwError error = CW_ERROR_INIT;
  CwReceipt *r = cw_receipt_new ();
  int64_t id;

  CW_RECEIPT_SET (r->lane, lane);
  CW_RECEIPT_SET (r->profile, lane);
  CW_RECEIPT_SET (r->provenance.gpu_name, "Test GPU");
  r->config = *config;
  r->status = status;
  r->predicted_peak_bytes = predicted;
  r->measured_peak_bytes = measured;
  if (status == CW_RECEIPT_STATUS_ERROR)
    CW_RECEIPT_SET (r->error_message, "test error");
  if (with_trace)
    {
      const uint64_t t0 = 1700000000000000000ull;
      CwTraceEvent events[] = {
        { CW_TRACE_RANGE, (char *) "lane:materialize", t0, t0 + 5000000, 0, 0, 0, 0, 0 },
        { CW_TRACE_RANGE, (char *) "score", t0 + 1000000, t0 + 3000000, 0, 0, 0, 0, 1 },
        { CW_TRACE_ALLOC, (char *) "", t0 + 1000000, t0 + 1000000, 1u << 30, 0x1000, 0, 0, 0 },
        { CW_TRACE_KERNEL, (char *) "score_kernel", t0 + 1100000, t0 + 2900000, 0, 0, 7, 1, 0 },
        { CW_TRACE_ALLOC, (char *) "", t0 + 2000000, t0 + 2000000, 1u << 29, 0x2000, 0, 0, 0 },
        { CW_TRACE_FREE, (char *) "", t0 + 4000000, t0 + 4000000, 1u << 30, 0x1000, 0, 0, 0 },
      };
      for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        CHECK (cw_receipt_add_event (r, &events[i], &error), "%s", error.message);
    }
  id = cw_receipt_store_insert (store, r, &error);
  CHECK (id > 0, "insert: %s", error.message);
  cw_receipt_free (r);
  return id;
}

int
main (void)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store;
  CwConfig config, other;
  char db[512], id_text[32];
  int64_t traced;
  char *svg;

  if (mkdtemp (tmpdir) == NULL)
    {
      fprintf (stderr, "mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  /* Copied: tmp_path's buffers are reused. */
  snprintf (db, sizeof db, "%s", tmp_path ("receipts.db"));
  store = cw_receipt_store_open (db, CW_RECEIPT_STORE_CREATE, &error);
  CHECK (store != NULL, "open: %s", error.message);
  if (store == NULL)
    return 1;

  /* The CLI's default configuration, at two sizes; one other batch; one
   * error receipt. */
  cw_config_init_default (&config);
  config.sq = 8192;
  insert (store, "materialize", CW_RECEIPT_STATUS_OK, &config, 9u << 30, 9u << 30, false);
  config.sq = 65536;
  insert (store, "materialize", CW_RECEIPT_STATUS_OOM, &config, 140ull << 30, 0, false);
  other = config;
  other.b = 2;
  insert (store, "materialize", CW_RECEIPT_STATUS_OK, &other, 1u << 30, 1u << 30, false);
  insert (store, "fused", CW_RECEIPT_STATUS_ERROR, &config, 1u << 30, 0, false);
  config.sq = 4096;
  traced = insert (store, "materialize", CW_RECEIPT_STATUS_OK, &config, 1610612736, 1610612736, true);
  cw_receipt_store_close (store);
  snprintf (id_text, sizeof id_text, "%lld", (long long) traced);

  /* cliff: the matching ok and OOM receipts are drawn, the others left out. */
  CHECK (run ("chart", "cliff", "--profile", "materialize", "--db", db, "--output", tmp_path ("cliff.svg"), NULL) == 0,
         "chart cliff");
  svg = slurp (tmp_path ("cliff.svg"));
  /* sq 8192 and 4096 ok, sq 65536 OOM; b = 2 and the error receipt are not drawn. */
  CHECK (svg != NULL && strstr (svg, "legend: materialize receipts (2 items)") != NULL, "ok receipts in the legend");
  CHECK (svg != NULL && strstr (svg, "legend: materialize OOM receipts (1 item)") != NULL, "OOM receipts in the legend");
  CHECK (svg != NULL && strstr (svg, "other receipts") == NULL, "receipts without a profile drawn");
  CHECK (svg != NULL && strstr (svg, "label: materialize cliff: sq ") != NULL, "cliff marker");
  /* Issue 16 item 4: the export says what it shows. */
  CHECK (svg != NULL && strstr (svg, "caption: custom configuration, GPU ") != NULL && strstr (svg, " q/k ") != NULL
         && strstr (svg, "; database receipts.db, 3 receipts, ids ") != NULL && strstr (svg, "Cliffwatch ") != NULL,
         "cliff provenance");
  CHECK (svg != NULL && strstr (svg, "usable HBM ") != NULL, "usable line");
  free (svg);

  /* compare (ok receipts with both peaks), PNG in the dark style. */
  CHECK (run ("chart", "compare", "--db", db, "--output", tmp_path ("compare.png"), "--style", "dark", "--width", "640",
              "--height", "480", NULL) == 0, "chart compare");
  {
    cairo_surface_t *png = cairo_image_surface_create_from_png (tmp_path ("compare.png"));
    CHECK (cairo_surface_status (png) == CAIRO_STATUS_SUCCESS && cairo_image_surface_get_width (png) == 640
           && cairo_image_surface_get_height (png) == 480, "compare.png 640x480");
    CHECK (rgb_is (pixel_at (png, 1, 1), cw_chart_style_get (CW_CHART_STYLE_DARK)->background, 0.01), "dark style");
    cairo_surface_destroy (png);
  }

  CHECK (run ("chart", "compare", "--db", db, "--output", tmp_path ("compare.svg"), NULL) == 0, "compare svg");
  svg = slurp (tmp_path ("compare.svg"));
  /* the b = 2 receipt counts here: compare takes every ok receipt */
  CHECK (svg != NULL && strstr (svg, "legend: materialize (3 items)") != NULL, "compare points");
  CHECK (svg != NULL && strstr (svg, "caption: database receipts.db, 3 receipts, ids ") != NULL, "compare provenance");
  CHECK (svg != NULL && strstr (svg, "legend: agreement: |measured - predicted| &lt;= max(1 %, 8 MiB)") != NULL,
         "agreement band from the store's rule");
  free (svg);
  /* The Compare page's error view: the same receipts as signed error in
   * percent, the same band and caption. */
  CHECK (run ("chart", "compare", "--db", db, "--error", "--output", tmp_path ("error.svg"), NULL) == 0,
         "compare --error");
  svg = slurp (tmp_path ("error.svg"));
  CHECK (svg != NULL && strstr (svg, "<title>Error of the measured peak against the prediction</title>") != NULL
         && strstr (svg, "y axis (error (%)):") != NULL, "error view title and axis");
  CHECK (svg != NULL && strstr (svg, "legend: materialize (3 items)") != NULL
         && strstr (svg, "legend: 0 % (exact prediction)") != NULL, "error view points");
  CHECK (svg != NULL && strstr (svg, "caption: database receipts.db, 3 receipts, ids ") != NULL
         && strstr (svg, "legend: agreement: |measured - predicted| &lt;= max(1 %, 8 MiB)") != NULL,
         "error view caption and band");
  free (svg);
  CHECK (run ("chart", "cliff", "--error", "--output", tmp_path ("x.png"), NULL) == 2 && !exists (tmp_path ("x.png")),
         "--error on the cliff chart");
  /* External programs alone (the committed engine receipts): their band is
   * their own rule, 0.5 %, not the lanes' 1 %. */
  if (getenv ("CW_DATA_DIR") != NULL)
    {
      char engines[4096];

      snprintf (engines, sizeof engines, "%s/receipts/h200-engines.db", getenv ("CW_DATA_DIR"));
      CHECK (run ("chart", "compare", "--db", engines, "--output", tmp_path ("engines.svg"), NULL) == 0,
             "compare engines");
      svg = slurp (tmp_path ("engines.svg"));
      CHECK (svg != NULL && strstr (svg, "legend: agreement: |measured - predicted| &lt;= max(0.5 %, 8 MiB)") != NULL,
             "external programs' band");
      free (svg);
    }

  /* timeline of the traced receipt: its replayed peak is 1.5 GiB. */
  CHECK (run ("chart", "timeline", "--db", db, "--receipt", id_text, "--output", tmp_path ("timeline.svg"), NULL) == 0,
         "chart timeline");
  svg = slurp (tmp_path ("timeline.svg"));
  CHECK (svg != NULL && strstr (svg, "label: measured peak 1.5 GiB") != NULL, "replayed peak");
  {
    char want[128];

    snprintf (want, sizeof want, "caption: database receipts.db, receipt %s (materialize", id_text);
    CHECK (svg != NULL && strstr (svg, want) != NULL, "timeline provenance");
  }
  CHECK (svg != NULL && strstr (svg, "label: predicted peak 1.5 GiB") != NULL, "predicted peak");
  CHECK (svg != NULL && strstr (svg, "legend: kernels") != NULL && strstr (svg, "legend: NVTX ranges") != NULL,
         "kernels and ranges");
  free (svg);
  CHECK (run ("chart", "timeline", "--db", db, "--receipt", id_text, "--output", tmp_path ("timeline.pdf"), NULL) == 0,
         "timeline pdf");
  svg = slurp (tmp_path ("timeline.pdf"));
  CHECK (svg != NULL && strncmp (svg, "%PDF-", 5) == 0, "PDF header");
  free (svg);

  /* indexcache from planner options only. */
  CHECK (run ("chart", "indexcache", "--layers", "8", "--every", "3", "--stages", "2", "--output",
              tmp_path ("ic.png"), NULL) == 0, "chart indexcache");
  CHECK (exists (tmp_path ("ic.png")), "ic.png written");

  /* Refusals: exit 2, nothing written. */
  CHECK (run ("chart", NULL) == 2, "no kind");
  CHECK (run ("chart", "pie", "--output", tmp_path ("pie.png"), NULL) == 2, "unknown kind");
  CHECK (run ("chart", "compare", "--output", tmp_path ("x.png"), NULL) == 2, "compare without --db");
  CHECK (run ("chart", "compare", "--db", db, "--output", tmp_path ("x.gif"), NULL) == 2, "gif");
  CHECK (run ("chart", "timeline", "--db", db, "--receipt", "999999", "--output", tmp_path ("x.png"), NULL) == 2,
         "missing receipt");
  CHECK (run ("chart", "timeline", "--db", tmp_path ("missing.db"), "--receipt", "1", "--output", tmp_path ("x.png"),
              NULL) == 2, "missing database");
  CHECK (!exists (tmp_path ("missing.db")), "a read-only open created the database");
  {
    FILE *f = fopen (tmp_path ("junk.db"), "w");
    fputs ("this is not a database\n", f);
    fclose (f);
    CHECK (run ("chart", "compare", "--db", tmp_path ("junk.db"), "--output", tmp_path ("x.png"), NULL) == 2,
           "junk database");
  }
  CHECK (run ("chart", "cliff", "--receipt", "1", "--output", tmp_path ("x.png"), NULL) == 2, "misplaced option");
  CHECK (run ("chart", "cliff", "--width", "0", "--output", tmp_path ("x.png"), NULL) == 2, "width 0");
  CHECK (run ("chart", "cliff", "--width", "20000", "--output", tmp_path ("x.png"), NULL) == 2, "width 20000");
  /* Issue 17 item 15: a PNG is bounded by its area too (16384 x 16384 took 13.5 s). */
  CHECK (run ("chart", "cliff", "--width", "16384", "--height", "16384", "--output", tmp_path ("x.png"), NULL) == 2,
         "16384x16384 PNG");
  CHECK (run ("chart", "cliff", "--style", "sepia", "--output", tmp_path ("x.png"), NULL) == 2, "bad style");
  CHECK (run ("chart", "cliff", "--sq-min", "4096", "--sq-max", "1024", "--output", tmp_path ("x.png"), NULL) == 2,
         "reversed sq range");
  CHECK (run ("chart", "cliff", "--output", tmp_path ("no/such/dir/x.png"), NULL) == 2, "unwritable output");
  CHECK (run ("chart", "cliff", NULL) == 2, "no --output");
  CHECK (!exists (tmp_path ("x.png")) && !exists (tmp_path ("x.gif")) && !exists (tmp_path ("pie.png")),
         "a refused command wrote a file");
  CHECK (run ("chart", "--help", NULL) == 0 && run ("chart", "cliff", "--help", NULL) == 0, "help");

  {
    const char *names[] = { "cliff.svg", "compare.png", "compare.svg", "timeline.svg", "timeline.pdf", "ic.png", "junk.db",
                            "receipts.db", "receipts.db-wal", "receipts.db-shm" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
      unlink (tmp_path (names[i]));
    rmdir (tmpdir);
  }
  return test_finish ("test-chart-cli");
}
