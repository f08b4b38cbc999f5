/* test-receipt-store.c: the receipt store against real SQLite files.
 *
 * One executable, one case per argv[1], each registered as its own Meson
 * test (suite 'store'). Every case works in a fresh temporary directory. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cw-receipt-store.h"

#include "../../cw-test.h"

#define REQUIRE(cond)                                                            \
  do {                                                                           \
    if (!(cond))                                                                 \
      {                                                                          \
        fprintf (stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
        exit (1);                                                                \
      }                                                                          \
  } while (0)

#define CHECK_ERROR(err, code_, needle)                                           \
  do {                                                                            \
    if ((err).code != (code_) || strstr ((err).message, (needle)) == NULL)        \
      {                                                                           \
        fprintf (stderr, "%s:%d: expected %s containing '%s', got %s: '%s'\n",    \
                 __FILE__, __LINE__, cw_error_code_name (code_), (needle),        \
                 cw_error_code_name ((err).code), (err).message);                 \
        failures++;                                                               \
      }                                                                           \
  } while (0)

static char tmpdir[256];

static void
make_tmpdir (void)
{
  const char *base = getenv ("TMPDIR");

  snprintf (tmpdir, sizeof tmpdir, "%s/cw-store-XXXXXX", base && *base ? base : "/tmp");
  REQUIRE (mkdtemp (tmpdir) != NULL);
}

static void
rm_tmpdir (void)
{
  char cmd[512];

  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    fprintf (stderr, "warning: could not remove %s\n", tmpdir);
}

static char *
tmp_path (const char *name)
{
  static char buf[8][512];
  static int next;
  char *p = buf[next++ % 8];

  snprintf (p, 512, "%s/%s", tmpdir, name);
  return p;
}

/* A receipt with every field set to something distinctive, so a round trip
 * that drops or swaps a column fails. `seed` varies the numbers. */
static CwReceipt *
sample_receipt (unsigned seed, const char *lane, CwReceiptStatus status, unsigned n_events)
{
  CwReceipt *r = cw_receipt_new ();
  CwTraceEvent ev = { 0 };
  char name[64];

  REQUIRE (r != NULL);
  cw_config_init_default (&r->config);
  r->config.b = 1 + seed % 3;
  r->config.h = 64;
  r->config.d = 128;
  r->config.sq = 4096ull << (seed % 5);
  r->config.sk = 0;
  r->config.ratio = 4;
  r->config.top_k = 512;
  r->config.causal = CW_CAUSAL_COMPRESSED;
  r->config.q_dtype = CW_DTYPE_BF16;
  r->config.k_dtype = CW_DTYPE_FP8_E4M3;
  r->config.w_dtype = CW_DTYPE_FP32;
  r->config.score_dtype = CW_DTYPE_FP16;
  r->config.index_dtype = CW_DTYPE_INT64;
  r->config.chunk_budget_bytes = 512ull << 20;
  r->config.granularity = 2ull << 20;
  CW_RECEIPT_SET (r->lane, lane);
  CW_RECEIPT_SET (r->profile, lane);
  r->status = status;
  if (status == CW_RECEIPT_STATUS_OOM)
    {
      CW_RECEIPT_SET (r->error_message, "cudaErrorMemoryAllocation");
      r->oom_request_bytes = 274877906944ull;
      r->oom_live_bytes = 1234567ull + seed;
    }
  if (status == CW_RECEIPT_STATUS_CAPTURE_FAILED)
    CW_RECEIPT_SET (r->capture.cuda_error_name, "cudaErrorStreamCaptureUnsupported");
  CW_RECEIPT_SET (r->provenance.gpu_name, seed % 2 ? "NVIDIA H200" : "NVIDIA H100 80GB HBM3");
  CW_RECEIPT_SET (r->provenance.gpu_uuid, "GPU-0f0e0d0c-0b0a-0908-0706-050403020100");
  r->provenance.hbm_total_bytes = 150754820096ull;
  CW_RECEIPT_SET (r->provenance.driver_version, "580.95.05");
  r->provenance.cuda_driver_version = 13000;
  r->provenance.cuda_runtime_version = 13000;
  r->provenance.cupti_version = 26;
  CW_RECEIPT_SET (r->provenance.host, "test-host");
  r->provenance.time_unix_ns = 1700000000000000000ll + seed;
  r->predicted_peak_bytes = 1000000000ull + seed;
  r->predicted_input_bytes = 300000ull + seed;
  r->measured_peak_bytes = 1000000007ull + seed;
  r->memgetinfo_delta_bytes = -42 - (int64_t) seed;
  r->lane_ns = 5000000ull + seed * 1000;
  r->kernel_ns = 4000000ull + seed;
  r->unprofiled_lane_ns = 4900000ull + seed;
  r->flops = 1.5e12 + seed;
  r->tflops = 300.25;
  r->has_recall = seed % 2 == 0;
  r->recall = 0.875;
  r->dropped_records = seed % 4 == 3 ? 17 : 0;
  r->capture.attempted = true;
  r->capture.captured = status != CW_RECEIPT_STATUS_CAPTURE_FAILED;
  r->capture.instantiated = r->capture.captured;
  r->capture.replayed = r->capture.captured;
  r->capture.matched = r->capture.captured;
  snprintf (r->note, sizeof r->note, "note %u with 100%% and under_score", seed);
  if (seed % 3 == 1)
    {
      r->gradcheck.status = seed % 2 ? CW_GRADCHECK_OK : CW_GRADCHECK_FAILED;
      r->gradcheck.worst = seed % 2 ? 0.0625 + seed : 1.5;
      snprintf (r->gradcheck.worst_at, sizeof r->gradcheck.worst_at, "dk[%u]", 517 + seed);
    }
  REQUIRE (cw_receipt_add_buffer (r, "q", 1048576, true, NULL));
  REQUIRE (cw_receipt_add_buffer (r, "slab", 17179869184ull, false, NULL));
  REQUIRE (cw_receipt_add_phase (r, "alloc", 0, NULL));
  REQUIRE (cw_receipt_add_phase (r, "score", 17180917760ull, NULL));
  for (unsigned i = 0; i < n_events; i++)
    {
      snprintf (name, sizeof name, "event-%u-%u", seed, i);
      ev.kind = (CwTraceKind) (i % CW_TRACE_N_KINDS);
      ev.name = name;
      ev.start_ns = 1000ull * i + seed;
      ev.end_ns = ev.start_ns + (ev.kind == CW_TRACE_ALLOC || ev.kind == CW_TRACE_FREE ? 0 : 500);
      ev.bytes = ev.kind == CW_TRACE_KERNEL ? 0 : 4096ull * i;
      ev.address = 0xffff800000000000ull + i;  /* high bit set: the int64 cast must round-trip */
      ev.stream_id = 7;
      ev.correlation_id = i + 1;
      ev.depth = ev.kind == CW_TRACE_RANGE ? (int32_t) (i % 2) : 0;
      REQUIRE (cw_receipt_add_event (r, &ev, NULL));
    }
  return r;
}

static void
check_same_receipt (const CwReceipt *a, const CwReceipt *b, bool with_arrays)
{
  CHECK (strcmp (a->uuid, b->uuid) == 0);
  CHECK (strcmp (a->sweep_id, b->sweep_id) == 0);
  CHECK (strcmp (a->lane, b->lane) == 0);
  CHECK (strcmp (a->profile, b->profile) == 0);
  CHECK (memcmp (&a->config, &b->config, sizeof a->config) == 0);
  CHECK (a->status == b->status);
  CHECK (strcmp (a->error_message, b->error_message) == 0);
  CHECK (a->oom_request_bytes == b->oom_request_bytes);
  CHECK (a->oom_live_bytes == b->oom_live_bytes);
  CHECK (strcmp (a->provenance.gpu_name, b->provenance.gpu_name) == 0);
  CHECK (strcmp (a->provenance.gpu_uuid, b->provenance.gpu_uuid) == 0);
  CHECK (a->provenance.hbm_total_bytes == b->provenance.hbm_total_bytes);
  CHECK (strcmp (a->provenance.driver_version, b->provenance.driver_version) == 0);
  CHECK (a->provenance.cuda_driver_version == b->provenance.cuda_driver_version);
  CHECK (a->provenance.cuda_runtime_version == b->provenance.cuda_runtime_version);
  CHECK (a->provenance.cupti_version == b->provenance.cupti_version);
  CHECK (strcmp (a->provenance.host, b->provenance.host) == 0);
  CHECK (strcmp (a->provenance.cliffwatch_version, b->provenance.cliffwatch_version) == 0);
  CHECK (strcmp (a->provenance.git_revision, b->provenance.git_revision) == 0);
  CHECK (a->provenance.time_unix_ns == b->provenance.time_unix_ns);
  CHECK (a->predicted_peak_bytes == b->predicted_peak_bytes);
  CHECK (a->predicted_input_bytes == b->predicted_input_bytes);
  CHECK (a->measured_peak_bytes == b->measured_peak_bytes);
  CHECK (a->memgetinfo_delta_bytes == b->memgetinfo_delta_bytes);
  CHECK (a->lane_ns == b->lane_ns);
  CHECK (a->kernel_ns == b->kernel_ns);
  CHECK (a->unprofiled_lane_ns == b->unprofiled_lane_ns);
  CHECK (a->flops == b->flops);
  CHECK (a->tflops == b->tflops);
  CHECK (a->has_recall == b->has_recall);
  CHECK (a->recall == b->recall);
  CHECK (a->dropped_records == b->dropped_records);
  CHECK (memcmp (&a->capture, &b->capture, sizeof a->capture) == 0);
  CHECK (strcmp (a->note, b->note) == 0);
  CHECK (a->gradcheck.status == b->gradcheck.status);
  CHECK (a->gradcheck.worst == b->gradcheck.worst);
  CHECK (strcmp (a->gradcheck.worst_at, b->gradcheck.worst_at) == 0);
  if (!with_arrays)
    return;
  CHECK (a->n_buffers == b->n_buffers);
  CHECK (a->n_phases == b->n_phases);
  CHECK (a->n_events == b->n_events);
  for (size_t i = 0; i < a->n_buffers && i < b->n_buffers; i++)
    {
      CHECK (strcmp (a->buffers[i].name, b->buffers[i].name) == 0);
      CHECK (a->buffers[i].bytes == b->buffers[i].bytes);
      CHECK (a->buffers[i].is_input == b->buffers[i].is_input);
    }
  for (size_t i = 0; i < a->n_phases && i < b->n_phases; i++)
    {
      CHECK (strcmp (a->phases[i].name, b->phases[i].name) == 0);
      CHECK (a->phases[i].live_bytes == b->phases[i].live_bytes);
    }
  for (size_t i = 0; i < a->n_events && i < b->n_events; i++)
    {
      const CwTraceEvent *x = &a->events[i], *y = &b->events[i];
      CHECK (x->kind == y->kind);
      CHECK (strcmp (x->name, y->name) == 0);
      CHECK (x->start_ns == y->start_ns && x->end_ns == y->end_ns);
      CHECK (x->bytes == y->bytes && x->address == y->address);
      CHECK (x->stream_id == y->stream_id && x->correlation_id == y->correlation_id);
      CHECK (x->depth == y->depth);
    }
}

static CwReceiptStore *
open_or_die (const char *path, unsigned flags)
{
  CwError err = CW_ERROR_INIT;
  CwReceiptStore *s = cw_receipt_store_open (path, flags, &err);

  if (s == NULL)
    {
      fprintf (stderr, "open %s: %s\n", path, err.message);
      exit (1);
    }
  return s;
}

static int64_t
insert_or_die (CwReceiptStore *s, CwReceipt *r)
{
  CwError err = CW_ERROR_INIT;
  int64_t id = cw_receipt_store_insert (s, r, &err);

  if (id <= 0)
    {
      fprintf (stderr, "insert: %s\n", err.message);
      exit (1);
    }
  return id;
}

/* Whole file into memory, to prove a refused open wrote nothing. */
static char *
slurp (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  char *buf;
  long n;

  REQUIRE (f != NULL);
  fseek (f, 0, SEEK_END);
  n = ftell (f);
  fseek (f, 0, SEEK_SET);
  buf = malloc ((size_t) n + 1);
  REQUIRE (buf != NULL);
  REQUIRE (fread (buf, 1, (size_t) n, f) == (size_t) n);
  fclose (f);
  *len = (size_t) n;
  return buf;
}

static void
write_file (const char *path, const void *data, size_t len)
{
  FILE *f = fopen (path, "wb");

  REQUIRE (f != NULL);
  REQUIRE (fwrite (data, 1, len, f) == len);
  REQUIRE (fclose (f) == 0);
}

static bool
file_exists (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0;
}

static void
raw_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;

  REQUIRE (sqlite3_open (path, &db) == SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      fprintf (stderr, "raw_exec: %s\n", sqlite3_errmsg (db));
      exit (1);
    }
  sqlite3_close (db);
}

/* ---- cases ------------------------------------------------------------------ */

static void
case_roundtrip (void)
{
  const char *path = tmp_path ("r.db");
  CwReceiptStore *s = open_or_die (path, CW_RECEIPT_STORE_CREATE);
  CwReceipt *a = sample_receipt (1, "materialize", CW_RECEIPT_STATUS_OOM, 25);
  CwReceipt *b = sample_receipt (2, "streaming", CW_RECEIPT_STATUS_OK, 0);
  CwReceipt *got;
  CwError err = CW_ERROR_INIT;
  int64_t ida, idb;

  CHECK (cw_receipt_store_count (s, NULL) == 0);
  ida = insert_or_die (s, a);
  idb = insert_or_die (s, b);
  CHECK (ida > 0 && idb > ida && a->id == ida && b->id == idb);
  CHECK (cw_receipt_store_count (s, NULL) == 2);

  /* The same UUID twice is refused and leaves the count alone. */
  CHECK (cw_receipt_store_insert (s, a, &err) == 0);
  CHECK_ERROR (err, CW_ERROR_INVALID, "already stored");
  CHECK (cw_receipt_store_count (s, NULL) == 2);
  cw_receipt_store_close (s);

  /* Reopen read-only: everything comes back, bit for bit. */
  s = open_or_die (path, CW_RECEIPT_STORE_READONLY);
  got = cw_receipt_store_load (s, ida, &err);
  REQUIRE (got != NULL);
  CHECK (got->id == ida && got->trace_loaded);
  check_same_receipt (a, got, true);
  cw_receipt_free (got);
  got = cw_receipt_store_load_uuid (s, b->uuid, &err);
  REQUIRE (got != NULL);
  check_same_receipt (b, got, true);
  cw_receipt_free (got);

  cw_error_clear (&err);
  CHECK (cw_receipt_store_load (s, 9999, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_NOT_FOUND, "no receipt with id 9999");
  cw_error_clear (&err);
  CHECK (cw_receipt_store_load_uuid (s, "nope", &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_NOT_FOUND, "no receipt with UUID nope");

  /* Read-only handles refuse writes. */
  {
    CwReceipt *c = sample_receipt (3, "fused", CW_RECEIPT_STATUS_OK, 1);
    cw_error_clear (&err);
    CHECK (cw_receipt_store_insert (s, c, &err) == 0);
    CHECK_ERROR (err, CW_ERROR_INVALID, "read-only");
    cw_receipt_free (c);
  }
  CHECK (cw_receipt_store_schema_version () >= 1);
  cw_receipt_store_close (s);
  cw_receipt_free (a);
  cw_receipt_free (b);
}

static void
case_query (void)
{
  const char *path = tmp_path ("q.db");
  CwReceiptStore *s = open_or_die (path, CW_RECEIPT_STORE_CREATE);
  const char *lanes[3] = { "materialize", "fused", "streaming" };
  CwReceiptQuery q;
  CwReceiptList *list;
  CwError err = CW_ERROR_INIT;

  /* 12 receipts: lanes cycle, status oom for seeds 0 and 6, odd seeds on the H200. */
  for (unsigned i = 0; i < 12; i++)
    {
      CwReceipt *r = sample_receipt (i, lanes[i % 3], i % 6 == 0 ? CW_RECEIPT_STATUS_OOM : CW_RECEIPT_STATUS_OK, 2);
      if (i < 4)
        CW_RECEIPT_SET (r->sweep_id, "sweep-a");
      insert_or_die (s, r);
      cw_receipt_free (r);
    }

  cw_receipt_query_init (&q);
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL);
  CHECK (cw_receipt_list_get_n_items (list) == 12);
  for (size_t i = 0; i < 12; i++)
    {
      const CwReceipt *r = cw_receipt_list_get (list, i);
      CHECK (r->id == (int64_t) i + 1);   /* default sort: insertion order */
      CHECK (!r->trace_loaded && r->n_events == 0);
    }
  CHECK (cw_receipt_list_get (list, 12) == NULL);
  cw_receipt_list_free (list);

  CW_RECEIPT_SET (q.lane, "fused");
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL);
  CHECK (cw_receipt_list_get_n_items (list) == 4);
  for (size_t i = 0; i < cw_receipt_list_get_n_items (list); i++)
    CHECK (strcmp (cw_receipt_list_get (list, i)->lane, "fused") == 0);
  cw_receipt_list_free (list);

  cw_receipt_query_init (&q);
  q.has_status = true;
  q.status = CW_RECEIPT_STATUS_OOM;
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL);
  CHECK (cw_receipt_list_get_n_items (list) == 2);
  cw_receipt_list_free (list);

  cw_receipt_query_init (&q);
  CW_RECEIPT_SET (q.gpu, "h200");   /* case-insensitive substring */
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL);
  CHECK (cw_receipt_list_get_n_items (list) == 6);
  cw_receipt_list_free (list);

  /* Text search with LIKE wildcards taken literally: "100%" matches the
   * note of every receipt, "note 1_" would match "note 10"/"note 11" if '_'
   * were a wildcard; escaped, it matches nothing. */
  cw_receipt_query_init (&q);
  CW_RECEIPT_SET (q.text, "100%");
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL);
  CHECK (cw_receipt_list_get_n_items (list) == 12);
  cw_receipt_list_free (list);
  CW_RECEIPT_SET (q.text, "note 1_");
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL);
  CHECK (cw_receipt_list_get_n_items (list) == 0);
  cw_receipt_list_free (list);
  CW_RECEIPT_SET (q.text, "NOTE 11 ");
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL);
  CHECK (cw_receipt_list_get_n_items (list) == 1);
  cw_receipt_list_free (list);
  CW_RECEIPT_SET (q.text, "cudaErrorMemoryAllocation");
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL);
  CHECK (cw_receipt_list_get_n_items (list) == 2);
  cw_receipt_list_free (list);

  cw_receipt_query_init (&q);
  CW_RECEIPT_SET (q.sweep_id, "sweep-a");
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL);
  CHECK (cw_receipt_list_get_n_items (list) == 4);
  cw_receipt_list_free (list);

  /* Sort by sq descending, ties by id descending; then a page of it. */
  cw_receipt_query_init (&q);
  q.sort = CW_RECEIPT_SORT_SQ;
  q.descending = true;
  list = cw_receipt_store_query (s, &q, &err);
  REQUIRE (list != NULL && cw_receipt_list_get_n_items (list) == 12);
  for (size_t i = 1; i < 12; i++)
    {
      const CwReceipt *p = cw_receipt_list_get (list, i - 1), *r = cw_receipt_list_get (list, i);
      CHECK (p->config.sq > r->config.sq || (p->config.sq == r->config.sq && p->id > r->id));
    }
  {
    int64_t third = cw_receipt_list_get (list, 2)->id;
    CwReceipt *stolen = cw_receipt_list_steal (list, 0);
    CHECK (stolen != NULL && cw_receipt_list_get (list, 0) == NULL);
    cw_receipt_free (stolen);
    cw_receipt_list_free (list);
    q.limit = 3;
    q.offset = 2;
    list = cw_receipt_store_query (s, &q, &err);
    REQUIRE (list != NULL);
    CHECK (cw_receipt_list_get_n_items (list) == 3);
    CHECK (cw_receipt_list_get (list, 0)->id == third);
    cw_receipt_list_free (list);
  }

  /* Names of sorts round-trip; a bad sort key is an error, not a crash. */
  for (int i = 0; i <= CW_RECEIPT_SORT_LANE_TIME; i++)
    {
      CwReceiptSort back;
      CHECK (cw_receipt_sort_from_name (cw_receipt_sort_get_name ((CwReceiptSort) i), &back) && (int) back == i);
    }
  cw_receipt_query_init (&q);
  q.sort = (CwReceiptSort) 99;
  CHECK (cw_receipt_store_query (s, &q, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_INVALID, "sort");
  cw_receipt_store_close (s);
}

static void
case_refuse_foreign (void)
{
  CwError err = CW_ERROR_INIT;
  const char *text = tmp_path ("notes.txt");
  const char *foreign = tmp_path ("foreign.db");
  const char *newer = tmp_path ("newer.db");
  const char *damaged = tmp_path ("damaged.db");
  const char *truncated = tmp_path ("truncated.db");
  const char *empty = tmp_path ("empty.db");
  char *before, *after;
  size_t lb, la;

  /* Not SQLite at all (longer than a header, and shorter). */
  write_file (text, "this is not a database, it is a text file with enough bytes in it\n", 66);
  before = slurp (text, &lb);
  CHECK (cw_receipt_store_open (text, CW_RECEIPT_STORE_CREATE, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_CORRUPT, "not a SQLite database");
  after = slurp (text, &la);
  CHECK (la == lb && memcmp (before, after, lb) == 0);
  free (before);
  free (after);
  write_file (text, "tiny", 4);
  cw_error_clear (&err);
  CHECK (cw_receipt_store_open (text, CW_RECEIPT_STORE_READONLY, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_CORRUPT, "not a SQLite database");

  /* Another application's SQLite file. */
  raw_exec (foreign, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  before = slurp (foreign, &lb);
  cw_error_clear (&err);
  CHECK (cw_receipt_store_open (foreign, CW_RECEIPT_STORE_CREATE, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_CORRUPT, "not a Cliffwatch receipt database");
  after = slurp (foreign, &la);
  CHECK (la == lb && memcmp (before, after, lb) == 0);
  CHECK (!file_exists (tmp_path ("foreign.db-wal")));
  free (before);
  free (after);

  /* A receipt database from a newer Cliffwatch. */
  {
    CwReceiptStore *s = open_or_die (newer, CW_RECEIPT_STORE_CREATE);
    CwReceipt *r = sample_receipt (5, "fused", CW_RECEIPT_STATUS_OK, 3);
    insert_or_die (s, r);
    cw_receipt_free (r);
    cw_receipt_store_close (s);
  }
  raw_exec (newer, "PRAGMA user_version = 999;");
  raw_exec (newer, "PRAGMA wal_checkpoint(TRUNCATE);");
  before = slurp (newer, &lb);
  cw_error_clear (&err);
  CHECK (cw_receipt_store_open (newer, CW_RECEIPT_STORE_CREATE, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_VERSION, "newer");
  cw_error_clear (&err);
  CHECK (cw_receipt_store_open (newer, CW_RECEIPT_STORE_READONLY, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_VERSION, "999");
  after = slurp (newer, &la);
  CHECK (la == lb && memcmp (before, after, lb) == 0);
  free (before);
  free (after);

  /* A negative schema version (crafted: it once indexed the migrations
   * array before its start) is refused, read-only and writable, untouched. */
  for (int v = 0; v < 2; v++)
    {
      raw_exec (newer, v == 0 ? "PRAGMA user_version = -1;" : "PRAGMA user_version = -1000000;");
      raw_exec (newer, "PRAGMA wal_checkpoint(TRUNCATE);");
      before = slurp (newer, &lb);
      cw_error_clear (&err);
      CHECK (cw_receipt_store_open (newer, CW_RECEIPT_STORE_CREATE, &err) == NULL);
      CHECK_ERROR (err, CW_ERROR_CORRUPT, "not valid");
      cw_error_clear (&err);
      CHECK (cw_receipt_store_open (newer, CW_RECEIPT_STORE_READONLY, &err) == NULL);
      CHECK_ERROR (err, CW_ERROR_CORRUPT, "not valid");
      after = slurp (newer, &la);
      CHECK (la == lb && memcmp (before, after, lb) == 0);
      free (before);
      free (after);
    }

  /* A receipt database with its pages damaged (header intact). */
  {
    CwReceiptStore *s = open_or_die (damaged, CW_RECEIPT_STORE_CREATE);
    for (unsigned i = 0; i < 20; i++)
      {
        CwReceipt *r = sample_receipt (i, "streaming", CW_RECEIPT_STATUS_OK, 50);
        insert_or_die (s, r);
        cw_receipt_free (r);
      }
    cw_receipt_store_close (s);
    CHECK (!file_exists (tmp_path ("damaged.db-wal")) || 1);
    before = slurp (damaged, &lb);
    REQUIRE (lb > 8 * 4096);
    /* Scribble over pages 2..4 (page 1 keeps the header and the schema). */
    for (size_t i = 4096 * 2; i < 4096 * 5; i++)
      before[i] = (char) (i * 131 + 7);
    write_file (damaged, before, lb);
    cw_error_clear (&err);
    CHECK (cw_receipt_store_open (damaged, CW_RECEIPT_STORE_READONLY, &err) == NULL);
    CHECK (err.code == CW_ERROR_CORRUPT);
    CHECK (strstr (err.message, damaged) != NULL);
    cw_error_clear (&err);
    CHECK (cw_receipt_store_open (damaged, CW_RECEIPT_STORE_CREATE, &err) == NULL);
    CHECK (err.code == CW_ERROR_CORRUPT);
    after = slurp (damaged, &la);
    CHECK (la == lb && memcmp (before, after, lb) == 0);
    free (after);

    /* Truncated mid-file. */
    write_file (truncated, before, lb / 2 + 100);
    free (before);
    cw_error_clear (&err);
    CHECK (cw_receipt_store_open (truncated, CW_RECEIPT_STORE_READONLY, &err) == NULL);
    CHECK (err.code == CW_ERROR_CORRUPT);
  }

  /* Missing file read-only; empty file read-only; empty file + CREATE initialises. */
  cw_error_clear (&err);
  CHECK (cw_receipt_store_open (tmp_path ("missing.db"), CW_RECEIPT_STORE_READONLY, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_NOT_FOUND, "no such receipt database");
  CHECK (!file_exists (tmp_path ("missing.db")));
  write_file (empty, "", 0);
  cw_error_clear (&err);
  CHECK (cw_receipt_store_open (empty, CW_RECEIPT_STORE_READONLY, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_CORRUPT, "empty");
  {
    CwReceiptStore *s = open_or_die (empty, CW_RECEIPT_STORE_CREATE);
    CHECK (cw_receipt_store_count (s, NULL) == 0);
    cw_receipt_store_close (s);
    s = open_or_die (empty, CW_RECEIPT_STORE_READONLY);
    cw_receipt_store_close (s);
  }
  cw_error_clear (&err);
  CHECK (cw_receipt_store_open ("", CW_RECEIPT_STORE_READONLY, &err) == NULL);
  CHECK (err.code == CW_ERROR_INVALID);
  cw_error_clear (&err);
  CHECK (cw_receipt_store_open (tmpdir, CW_RECEIPT_STORE_READONLY, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_IO, "not a regular file");
}

static void
case_invalid_values (void)
{
  const char *path = tmp_path ("v.db");
  CwReceiptStore *s = open_or_die (path, CW_RECEIPT_STORE_CREATE);
  CwError err = CW_ERROR_INIT;
  CwReceipt *r;
  CwTraceEvent ev = { 0 };

  /* A size above INT64_MAX cannot be stored faithfully: refused, nothing written. */
  r = sample_receipt (1, "fused", CW_RECEIPT_STATUS_OK, 10);
  r->measured_peak_bytes = UINT64_MAX;
  CHECK (cw_receipt_store_insert (s, r, &err) == 0);
  CHECK_ERROR (err, CW_ERROR_OVERFLOW, "measured_peak_bytes");
  CHECK (cw_receipt_store_count (s, NULL) == 0);
  r->measured_peak_bytes = 5;
  r->buffers[1].bytes = (uint64_t) INT64_MAX + 1;
  cw_error_clear (&err);
  CHECK (cw_receipt_store_insert (s, r, &err) == 0);
  CHECK_ERROR (err, CW_ERROR_OVERFLOW, "slab");
  CHECK (cw_receipt_store_count (s, NULL) == 0);
  {
    /* and no orphan child rows were left behind by the rolled-back transaction */
    sqlite3 *db;
    sqlite3_stmt *st;
    REQUIRE (sqlite3_open (path, &db) == SQLITE_OK);
    REQUIRE (sqlite3_prepare_v2 (db, "SELECT (SELECT count(*) FROM receipt_buffers) + "
                                     "(SELECT count(*) FROM trace_events)", -1, &st, NULL) == SQLITE_OK);
    REQUIRE (sqlite3_step (st) == SQLITE_ROW);
    CHECK (sqlite3_column_int64 (st, 0) == 0);
    sqlite3_finalize (st);
    sqlite3_close (db);
  }
  r->buffers[1].bytes = 1;
  r->status = (CwReceiptStatus) 42;
  cw_error_clear (&err);
  CHECK (cw_receipt_store_insert (s, r, &err) == 0);
  CHECK_ERROR (err, CW_ERROR_INVALID, "status");
  r->status = CW_RECEIPT_STATUS_OK;
  r->lane[0] = '\0';
  cw_error_clear (&err);
  CHECK (cw_receipt_store_insert (s, r, &err) == 0);
  CHECK_ERROR (err, CW_ERROR_INVALID, "no lane");
  CW_RECEIPT_SET (r->lane, "fused");
  CHECK (cw_receipt_store_insert (s, r, NULL) > 0);
  cw_receipt_free (r);

  /* Events must not end before they start, and need a name. */
  r = cw_receipt_new ();
  ev.name = "k";
  ev.start_ns = 10;
  ev.end_ns = 9;
  cw_error_clear (&err);
  CHECK (!cw_receipt_add_event (r, &ev, &err));
  CHECK_ERROR (err, CW_ERROR_INVALID, "ends");
  ev.name = NULL;
  CHECK (!cw_receipt_add_event (r, &ev, NULL));
  CHECK (r->n_events == 0);
  cw_receipt_free (r);

  /* Status and kind names round-trip; unknown ones are refused. */
  for (int i = 0; i < CW_RECEIPT_N_STATUS; i++)
    {
      CwReceiptStatus st;
      CHECK (cw_receipt_status_from_name (cw_receipt_status_get_name ((CwReceiptStatus) i), &st) && (int) st == i);
    }
  {
    CwReceiptStatus st;
    CwTraceKind k;
    CHECK (!cw_receipt_status_from_name ("fine", &st));
    CHECK (strcmp (cw_receipt_status_get_name (CW_RECEIPT_STATUS_CAPTURE_FAILED), "capture-failed") == 0);
    CHECK (!cw_trace_kind_from_name ("kernels", &k));
    CHECK (cw_trace_kind_from_name ("range", &k) && k == CW_TRACE_RANGE);
  }

  /* UUIDs: v4 format, distinct. */
  {
    char a[37], b[37];
    cw_receipt_uuid_generate (a);
    cw_receipt_uuid_generate (b);
    CHECK (strlen (a) == 36 && a[14] == '4' && a[8] == '-' && strchr ("89ab", a[19]) != NULL);
    CHECK (strcmp (a, b) != 0);
  }

  /* Live-bytes high-water mark from alloc/free events, in time order
   * whatever the array order; a free of an address never allocated in the
   * trace (live before the lane) is ignored. */
  {
    CwTraceEvent evs[6] = {
      { CW_TRACE_FREE, "free", 40, 40, 100, 0xa, 0, 0, 0 },      /* frees A at t=40 */
      { CW_TRACE_ALLOC, "alloc", 10, 10, 100, 0xa, 0, 0, 0 },    /* A = 100 at t=10 */
      { CW_TRACE_KERNEL, "k", 15, 30, 0, 0, 0, 0, 0 },
      { CW_TRACE_ALLOC, "alloc", 20, 20, 50, 0xb, 0, 0, 0 },     /* B = 50: live 150 */
      { CW_TRACE_ALLOC, "alloc", 50, 50, 90, 0xc, 0, 0, 0 },     /* C = 90: live 140 */
      { CW_TRACE_FREE, "free", 5, 5, 7, 0xdead, 0, 0, 0 },       /* unknown: ignored */
    };
    CHECK (cw_trace_live_peak (evs, 6) == 150);
    evs[4].bytes = 101;                                          /* live 151 at t=50 */
    CHECK (cw_trace_live_peak (evs, 6) == 151);
    CHECK (cw_trace_live_peak (evs, 0) == 0 && cw_trace_live_peak (NULL, 3) == 0);
  }

  /* The agreement rule: max(1 %, 8 MiB). */
  {
    CwReceipt *x = cw_receipt_new ();
    x->predicted_peak_bytes = 100ull << 30;           /* 100 GiB: 1 % = 1073741824 B */
    x->measured_peak_bytes = x->predicted_peak_bytes + 1073741824ull;
    CHECK (cw_receipt_peak_agrees (x));
    x->measured_peak_bytes += 1;
    CHECK (!cw_receipt_peak_agrees (x));
    x->predicted_peak_bytes = 100ull << 20;           /* 100 MiB: the 8 MiB floor rules */
    x->measured_peak_bytes = (100ull << 20) - (8ull << 20);
    CHECK (cw_receipt_peak_agrees (x));
    x->measured_peak_bytes -= 1;
    CHECK (!cw_receipt_peak_agrees (x));
    CHECK (cw_receipt_peak_tolerance_bytes (0) == 8ull << 20);
    cw_receipt_free (x);
  }
  {
    CwReceipt *x = sample_receipt (3, "fused", CW_RECEIPT_STATUS_OK, 7);
    CwReceipt *y = cw_receipt_dup (x);
    REQUIRE (y != NULL);
    check_same_receipt (x, y, true);
    CHECK (y->events[0].name != x->events[0].name);
    cw_receipt_free (x);
    cw_receipt_free (y);
  }
  cw_receipt_store_close (s);
}

static void
case_merge (void)
{
  const char *a = tmp_path ("node-a.db"), *b = tmp_path ("node-b.db"), *all = tmp_path ("all.db");
  const char *junk = tmp_path ("junk.db");
  CwReceiptStore *sa = open_or_die (a, CW_RECEIPT_STORE_CREATE);
  CwReceiptStore *sb = open_or_die (b, CW_RECEIPT_STORE_CREATE);
  CwReceiptStore *dst;
  CwReceipt *shared = sample_receipt (100, "fused", CW_RECEIPT_STATUS_OK, 9);
  CwError err = CW_ERROR_INIT;
  uint64_t added = 0, skipped = 0;

  for (unsigned i = 0; i < 5; i++)
    {
      CwReceipt *r = sample_receipt (i, "materialize", CW_RECEIPT_STATUS_OK, 4);
      insert_or_die (sa, r);
      cw_receipt_free (r);
    }
  for (unsigned i = 0; i < 3; i++)
    {
      CwReceipt *r = sample_receipt (10 + i, "streaming", CW_RECEIPT_STATUS_OK, 4);
      insert_or_die (sb, r);
      cw_receipt_free (r);
    }
  /* The same receipt reached both nodes' files (say, copied before a merge). */
  insert_or_die (sa, shared);
  shared->id = 0;
  insert_or_die (sb, shared);
  cw_receipt_store_close (sa);
  cw_receipt_store_close (sb);

  dst = open_or_die (all, CW_RECEIPT_STORE_CREATE);
  CHECK (cw_receipt_store_merge_from (dst, a, &added, &skipped, &err));
  CHECK (added == 6 && skipped == 0);
  CHECK (cw_receipt_store_merge_from (dst, b, &added, &skipped, &err));
  CHECK (added == 3 && skipped == 1);
  CHECK (cw_receipt_store_count (dst, NULL) == 9);
  /* Merging again adds nothing. */
  CHECK (cw_receipt_store_merge_from (dst, a, &added, &skipped, &err));
  CHECK (added == 0 && skipped == 6);
  CHECK (cw_receipt_store_merge_from (dst, all, &added, &skipped, &err));
  CHECK (added == 0 && skipped == 9);
  CHECK (cw_receipt_store_count (dst, NULL) == 9);

  /* The merged copy is complete: trace and all. */
  {
    CwReceipt *got = cw_receipt_store_load_uuid (dst, shared->uuid, &err);
    REQUIRE (got != NULL);
    check_same_receipt (shared, got, true);
    cw_receipt_free (got);
  }

  /* A bad source is refused whole; the destination is untouched. */
  write_file (junk, "garbage garbage garbage garbage garbage garbage garbage garbage garbage!", 72);
  cw_error_clear (&err);
  CHECK (!cw_receipt_store_merge_from (dst, junk, &added, &skipped, &err));
  CHECK_ERROR (err, CW_ERROR_CORRUPT, "not a SQLite database");
  cw_error_clear (&err);
  CHECK (!cw_receipt_store_merge_from (dst, tmp_path ("nope.db"), NULL, NULL, &err));
  CHECK_ERROR (err, CW_ERROR_NOT_FOUND, "nope.db");
  CHECK (cw_receipt_store_count (dst, NULL) == 9);
  cw_receipt_store_close (dst);

  /* Read-only stores cannot be merged into. */
  dst = open_or_die (all, CW_RECEIPT_STORE_READONLY);
  cw_error_clear (&err);
  CHECK (!cw_receipt_store_merge_from (dst, a, NULL, NULL, &err));
  CHECK_ERROR (err, CW_ERROR_INVALID, "read-only");
  cw_receipt_store_close (dst);
  cw_receipt_free (shared);
}

/* A writer SIGKILLed at random points leaves a database that opens, passes
 * integrity_check, and holds only whole receipts. */
static void
case_killed_writer (void)
{
  const char *path = tmp_path ("killed.db");
  unsigned rounds = 12;
  int64_t total_before = 0;

  srand ((unsigned) time (NULL) ^ (unsigned) getpid ());
  for (unsigned round = 0; round < rounds; round++)
    {
      int pipefd[2];
      pid_t pid;
      char c;
      int status;

      REQUIRE (pipe (pipefd) == 0);
      pid = fork ();
      REQUIRE (pid >= 0);
      if (pid == 0)
        {
          CwReceiptStore *s;
          close (pipefd[0]);
          s = open_or_die (path, CW_RECEIPT_STORE_CREATE);
          if (write (pipefd[1], "x", 1) != 1)
            _exit (3);
          for (unsigned i = 0;; i++)
            {
              /* Big traces make each transaction long, so kills land inside one. */
              CwReceipt *r = sample_receipt (i, "streaming", CW_RECEIPT_STATUS_OK, 400 + (i % 7) * 100);
              if (cw_receipt_store_insert (s, r, NULL) <= 0)
                _exit (4);
              cw_receipt_free (r);
              if (write (pipefd[1], "c", 1) != 1)   /* one byte per committed receipt */
                _exit (3);
            }
        }
      close (pipefd[1]);
      REQUIRE (read (pipefd[0], &c, 1) == 1);   /* the child has the store open */
      /* Every other round waits for a first commit, so survivors exist however
       * slow the machine (sanitizers, CI); then kill at a random moment, most
       * likely inside the next receipt's transaction. */
      if (round % 2 == 0)
        REQUIRE (read (pipefd[0], &c, 1) == 1 && c == 'c');
      {
        struct timespec ts = { 0, (long) (rand () % 40 + 1) * 1000000L };
        nanosleep (&ts, NULL);
      }
      kill (pid, SIGKILL);
      REQUIRE (waitpid (pid, &status, 0) == pid);
      close (pipefd[0]);   /* only now: a closed pipe would end the child by SIGPIPE, not SIGKILL */
      CHECK (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

      /* Verify through a raw connection (integrity) and through the store (completeness). */
      {
        sqlite3 *db;
        sqlite3_stmt *st;
        REQUIRE (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
        REQUIRE (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK);
        REQUIRE (sqlite3_step (st) == SQLITE_ROW);
        CHECK (strcmp ((const char *) sqlite3_column_text (st, 0), "ok") == 0);
        sqlite3_finalize (st);
        /* Every receipt owns exactly the child rows it claims; no orphans. */
        REQUIRE (sqlite3_prepare_v2 (db,
                 "SELECT "
                 " (SELECT count(*) FROM receipts r WHERE n_events != "
                 "    (SELECT count(*) FROM trace_events e WHERE e.receipt_id = r.id)"
                 "  OR n_buffers != (SELECT count(*) FROM receipt_buffers b WHERE b.receipt_id = r.id)"
                 "  OR n_phases != (SELECT count(*) FROM receipt_phases p WHERE p.receipt_id = r.id)),"
                 " (SELECT count(*) FROM trace_events WHERE receipt_id NOT IN (SELECT id FROM receipts)),"
                 " (SELECT count(*) FROM receipts)", -1, &st, NULL) == SQLITE_OK);
        REQUIRE (sqlite3_step (st) == SQLITE_ROW);
        CHECK (sqlite3_column_int64 (st, 0) == 0);
        CHECK (sqlite3_column_int64 (st, 1) == 0);
        CHECK (sqlite3_column_int64 (st, 2) >= total_before);
        total_before = sqlite3_column_int64 (st, 2);
        sqlite3_finalize (st);
        sqlite3_close (db);
      }
      {
        CwReceiptStore *s = open_or_die (path, CW_RECEIPT_STORE_READONLY);
        CwReceiptList *list = cw_receipt_store_query (s, NULL, NULL);
        REQUIRE (list != NULL);
        CHECK ((int64_t) cw_receipt_list_get_n_items (list) == total_before);
        /* load the last one fully: the one most likely to have been cut */
        if (cw_receipt_list_get_n_items (list) > 0)
          {
            CwError err = CW_ERROR_INIT;
            const CwReceipt *last = cw_receipt_list_get (list, cw_receipt_list_get_n_items (list) - 1);
            CwReceipt *full = cw_receipt_store_load (s, last->id, &err);
            CHECK (full != NULL);
            if (full)
              CHECK (full->n_events >= 400);
            cw_receipt_free (full);
          }
        cw_receipt_list_free (list);
        cw_receipt_store_close (s);
      }
    }
  fprintf (stderr, "killed writer: %u rounds, %" PRId64 " whole receipts survived\n", rounds, total_before);
  CHECK (total_before > 0);
}

/* A reader and a writer on one file at once: no "database is locked". */
static void
case_concurrent (void)
{
  const char *path = tmp_path ("conc.db");
  const unsigned n_writes = 150;
  CwReceiptStore *s = open_or_die (path, CW_RECEIPT_STORE_CREATE);
  pid_t pid;
  int status;
  unsigned reads = 0;

  cw_receipt_store_close (s);
  pid = fork ();
  REQUIRE (pid >= 0);
  if (pid == 0)
    {
      CwReceiptStore *w = open_or_die (path, CW_RECEIPT_STORE_CREATE);
      for (unsigned i = 0; i < n_writes; i++)
        {
          CwError err = CW_ERROR_INIT;
          CwReceipt *r = sample_receipt (i, "fused", CW_RECEIPT_STATUS_OK, 100);
          if (cw_receipt_store_insert (w, r, &err) <= 0)
            {
              fprintf (stderr, "writer: %s\n", err.message);
              _exit (1);
            }
          cw_receipt_free (r);
        }
      cw_receipt_store_close (w);
      _exit (0);
    }
  /* Reader: open, query, load the newest, close, as the workbench would. */
  for (;;)
    {
      CwError err = CW_ERROR_INIT;
      CwReceiptStore *rs = cw_receipt_store_open (path, CW_RECEIPT_STORE_READONLY, &err);
      CwReceiptList *list;
      int64_t n;

      if (rs == NULL)
        {
          fprintf (stderr, "reader open: %s\n", err.message);
          failures++;
          break;
        }
      list = cw_receipt_store_query (rs, NULL, &err);
      CHECK (list != NULL);
      if (list == NULL)
        fprintf (stderr, "reader query: %s\n", err.message);
      if (list && cw_receipt_list_get_n_items (list) > 0)
        {
          const CwReceipt *last = cw_receipt_list_get (list, cw_receipt_list_get_n_items (list) - 1);
          CwReceipt *full = cw_receipt_store_load (rs, last->id, &err);
          CHECK (full != NULL && full->n_events == 100);
          if (full == NULL)
            fprintf (stderr, "reader load: %s\n", err.message);
          cw_receipt_free (full);
        }
      cw_receipt_list_free (list);
      n = cw_receipt_store_count (rs, &err);
      CHECK (n >= 0);
      cw_receipt_store_close (rs);
      reads++;
      if (n == (int64_t) n_writes || failures > 0)
        break;
    }
  REQUIRE (waitpid (pid, &status, 0) == pid);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  fprintf (stderr, "concurrent: %u reads while %u receipts were written\n", reads, n_writes);
  CHECK (reads > 1);
}

/* Schema 3 (data/schema/0003-gradcheck.sql): a version-2 database (the
 * three gradcheck columns dropped again, user_version 2) is refused read-only
 * with the migrate hint, migrated by a writable open, and its receipts read
 * back with no gradcheck ("", 0, ""); then a gradcheck receipt of each
 * status round-trips, an unknown status or a NaN worst error is refused on
 * insert, and a stored status outside the CHECK cannot be written. */
static void
case_gradcheck_migration (void)
{
  CwError err = CW_ERROR_INIT;
  const char *path = tmp_path ("v2.db");
  CwReceiptStore *s;
  CwReceipt *old = sample_receipt (6, "streaming", CW_RECEIPT_STATUS_OK, 3), *got;
  int64_t old_id;

  CHECK (cw_receipt_store_schema_version () == 3);
  old->gradcheck.status = CW_GRADCHECK_NONE;
  s = open_or_die (path, CW_RECEIPT_STORE_CREATE);
  old_id = insert_or_die (s, old);
  cw_receipt_store_close (s);
  raw_exec (path, "ALTER TABLE receipts DROP COLUMN gradcheck_worst_at;"
                  "ALTER TABLE receipts DROP COLUMN gradcheck_worst;"
                  "ALTER TABLE receipts DROP COLUMN gradcheck;"
                  "PRAGMA user_version = 2; PRAGMA wal_checkpoint(TRUNCATE);");

  CHECK (cw_receipt_store_open (path, CW_RECEIPT_STORE_READONLY, &err) == NULL);
  CHECK_ERROR (err, CW_ERROR_VERSION, "receipts migrate");
  cw_error_clear (&err);

  s = open_or_die (path, CW_RECEIPT_STORE_CREATE);
  got = cw_receipt_store_load (s, old_id, &err);
  CHECK (got != NULL);
  if (got != NULL)
    {
      check_same_receipt (old, got, true);
      CHECK (got->gradcheck.status == CW_GRADCHECK_NONE && got->gradcheck.worst == 0.0
             && got->gradcheck.worst_at[0] == '\0');
      cw_receipt_free (got);
    }

  for (int i = 0; i < 2; i++)
    {
      CwReceipt *g = sample_receipt (7 + (unsigned) i, i == 0 ? "gradcheck" : "streaming-train-dense",
                                     CW_RECEIPT_STATUS_OK, 2);
      int64_t id;

      g->gradcheck.status = i == 0 ? CW_GRADCHECK_OK : CW_GRADCHECK_FAILED;
      g->gradcheck.worst = i == 0 ? 0.3125 : INFINITY;
      CW_RECEIPT_SET (g->gradcheck.worst_at, i == 0 ? "dq[12345]" : "dw[3]");
      id = insert_or_die (s, g);
      got = cw_receipt_store_load (s, id, &err);
      CHECK (got != NULL);
      if (got != NULL)
        {
          check_same_receipt (g, got, true);
          cw_receipt_free (got);
        }
      cw_receipt_free (g);
    }
  {
    CwReceipt *bad = sample_receipt (9, "gradcheck", CW_RECEIPT_STATUS_OK, 0);

    bad->gradcheck.status = (CwGradcheckStatus) 7;
    CHECK (cw_receipt_store_insert (s, bad, &err) == 0);
    CHECK_ERROR (err, CW_ERROR_INVALID, "gradcheck status");
    cw_error_clear (&err);
    cw_receipt_uuid_generate (bad->uuid);
    bad->gradcheck.status = CW_GRADCHECK_OK;
    bad->gradcheck.worst = NAN;
    CHECK (cw_receipt_store_insert (s, bad, &err) == 0);
    CHECK_ERROR (err, CW_ERROR_INVALID, "gradcheck worst");
    cw_error_clear (&err);
    cw_receipt_free (bad);
  }
  cw_receipt_store_close (s);
  {
    sqlite3 *db = NULL;

    REQUIRE (sqlite3_open (path, &db) == SQLITE_OK);
    CHECK (sqlite3_exec (db, "UPDATE receipts SET gradcheck = 'maybe'", NULL, NULL, NULL) == SQLITE_CONSTRAINT);
    sqlite3_close (db);
  }
  /* A training lane stored without a prediction is planned on read with its
   * lane's params: streaming-train-dense is streaming-train with dense = 1
   * (G chunk instead of g and the sparse workspace), not the cached dense = 0
   * profile a streaming-train receipt read before it loaded. */
  {
    const char *lanes[3] = { "streaming-train", "streaming-train-dense", "gradcheck-dense" };
    uint64_t want[3];
    int64_t ids[3];
    CwReceiptStore *ps;

    s = open_or_die (path, CW_RECEIPT_STORE_CREATE);
    for (int i = 0; i < 3; i++)
      {
        CwReceipt *t = sample_receipt (10 + (unsigned) i, lanes[i], CW_RECEIPT_STATUS_OK, 0);
        CwProfile *prof = cw_profile_load ("streaming-train", &err);
        CwPlan *plan;

        REQUIRE (prof != NULL);
        t->config.b = 2;
        t->config.h = 16;
        t->config.d = 64;
        t->config.sq = 333;
        t->config.ratio = 4;
        t->config.top_k = 64;
        t->config.granularity = 1;
        t->config.chunk_budget_bytes = 64 << 10;
        t->config.index_dtype = CW_DTYPE_INT32;
        t->config.score_dtype = CW_DTYPE_FP32;
        t->config.k_dtype = CW_DTYPE_BF16;
        t->predicted_peak_bytes = 0;
        t->predicted_input_bytes = 0;
        CHECK (cw_receipt_lane_has_profile_params (lanes[i]) == (i > 0));
        REQUIRE (cw_receipt_lane_set_profile_params (lanes[i], prof, &err));
        plan = cw_plan_new (prof, &t->config, &err);
        REQUIRE (plan != NULL);
        want[i] = cw_plan_get_peak_bytes (plan);
        cw_plan_free (plan);
        cw_profile_free (prof);
        ids[i] = insert_or_die (s, t);
        cw_receipt_free (t);
      }
    cw_receipt_store_close (s);
    CHECK (want[1] == want[2] && want[0] != want[1]);
    ps = cw_receipt_store_open (path, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &err);
    CHECK (ps != NULL);
    for (int i = 0; ps && i < 3; i++)
      {
        got = cw_receipt_store_load (ps, ids[i], &err);
        CHECK (got != NULL);
        if (got)
          {
            CHECK (got->prediction_on_read);
            CHECK (got->predicted_peak_bytes == want[i]);
            cw_receipt_free (got);
          }
      }
    cw_receipt_store_close (ps);
  }
  CHECK (cw_gradcheck_status_get_name (CW_GRADCHECK_FAILED)[0] == 'f');
  {
    CwGradcheckStatus st = CW_GRADCHECK_NONE;
    CHECK (cw_gradcheck_status_from_name ("ok", &st) && st == CW_GRADCHECK_OK);
    CHECK (cw_gradcheck_status_from_name ("", &st) && st == CW_GRADCHECK_NONE);
    CHECK (!cw_gradcheck_status_from_name ("passed", &st));
  }
  cw_receipt_free (old);
}

int
main (int argc, char **argv)
{
  static const struct { const char *name; void (*fn) (void); } cases[] = {
    { "roundtrip", case_roundtrip },
    { "query", case_query },
    { "refuse-foreign", case_refuse_foreign },
    { "invalid-values", case_invalid_values },
    { "merge", case_merge },
    { "killed-writer", case_killed_writer },
    { "concurrent", case_concurrent },
    { "gradcheck-migration", case_gradcheck_migration },
  };
  bool found = false;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s CASE\n", argv[0]);
      return 2;
    }
  make_tmpdir ();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (strcmp (argv[1], cases[i].name) == 0 || strcmp (argv[1], "all") == 0)
      {
        cases[i].fn ();
        found = true;
      }
  rm_tmpdir ();
  if (!found)
    {
      fprintf (stderr, "unknown case %s\n", argv[1]);
      return 2;
    }
  if (failures)
    fprintf (stderr, "%d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
