/* test-exec-spool.c: the spool reader and the spool -> receipt rules of
 * `profile --exec`, on synthetic spools (suite profiler-cpu; no GPU).
 * Usage: test-exec-spool parse|damaged|ranges|oom|crash|devices|store */
#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../cw-test.h"
#include "cw-exec-receipts.h"
#include "cw-receipt-store.h"
#include "cw-spool.h"
#include "cw-test-spool.h"

#define MIB TS_MIB

static char tmpdir[256];

static const char *
tmp_path (const char *name)
{
  static char buf[8][512];
  static int next;
  char *p = buf[next++ % 8];

  snprintf (p, 512, "%s/%s", tmpdir, name);
  return p;
}

static FILE *
open_spool (const char *name, int pid)
{
  FILE *f = fopen (tmp_path (name), "wb");

  if (f == NULL)
    {
      fprintf (stderr, "cannot write %s: %s\n", tmp_path (name), strerror (errno));
      exit (1);
    }
  ts_write_header (f, pid, 1, -1, 500);
  return f;
}

static CwSpool *
read_ok (const char *name)
{
  CwError error = CW_ERROR_INIT;
  CwSpool *s = cw_spool_read (tmp_path (name), &error);

  CHECK (s != NULL, "%s: %s", name, error.message);
  return s;
}

/* Builds receipts; the template carries a prediction from "testprofile". */
static CwReceipt **
build (const CwSpool *s, const char *const *patterns, size_t n_patterns, int exit_code, int sig,
       size_t *n, CwReceipt *tmpl)
{
  CwExecReceiptOptions o;
  CwError error = CW_ERROR_INIT;
  CwReceipt **out = NULL;

  memset (&o, 0, sizeof o);
  o.range_patterns = patterns;
  o.n_range_patterns = n_patterns;
  o.allocator = "tensor";
  o.program = "fake-cuda-program --mode ok";
  o.exit_code = exit_code;
  o.exit_signal = sig;
  o.template_receipt = tmpl;
  *n = 0;
  CHECK (cw_exec_receipts_build (s, &o, &out, n, &error), "%s", error.message);
  return out;
}

static CwReceipt *
make_template (void)
{
  CwReceipt *t = cw_receipt_new ();

  CW_RECEIPT_SET (t->profile, "testprofile");
  t->predicted_peak_bytes = 400 * MIB;
  t->predicted_input_bytes = 64 * MIB;
  cw_receipt_add_buffer (t, "q", 64 * MIB, true, NULL);
  cw_receipt_add_buffer (t, "slab", 336 * MIB, false, NULL);
  cw_receipt_add_phase (t, "score", 400 * MIB, NULL);
  CW_RECEIPT_SET (t->note, "template note");
  return t;
}

static void
free_receipts (CwReceipt **r, size_t n)
{
  for (size_t i = 0; i < n; i++)
    cw_receipt_free (r[i]);
  free (r);
}

static const CwReceipt *
find_range (CwReceipt **r, size_t n, const char *name, uint32_t occurrence)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (r[i]->exec.range_name, name) == 0 && r[i]->exec.range_occurrence == occurrence)
      return r[i];
  return NULL;
}

static void
test_parse (void)
{
  FILE *f = open_spool ("known.bin", 4242);
  CwSpool *s;
  size_t n;
  uint32_t how = 9;
  int32_t sig = 9;

  ts_write_known_program (f, 1);
  fclose (f);
  s = read_ok ("known.bin");
  if (s == NULL)
    return;
  CHECK (cw_spool_get_header (s)->pid == 4242);
  CHECK (!cw_spool_is_truncated (s));
  CHECK (cw_spool_get_end (s, &how, &sig) && how == CW_SPOOL_END_EXIT && sig == 0);
  cw_spool_get_memory (s, &n);
  CHECK (n == 10, "memory events: %zu", n);
  cw_spool_get_markers (s, &n);
  CHECK (n == 8, "markers: %zu", n);
  CHECK (strcmp (cw_spool_get_markers (s, NULL)[0].name, "setup") == 0);
  cw_spool_get_kernels (s, &n);
  CHECK (n == 2 && strcmp (cw_spool_get_kernels (s, NULL)[1].name, "other_kernel") == 0);
  cw_spool_get_launches (s, &n);
  CHECK (n == 2);
  cw_spool_get_copies (s, &n);
  CHECK (n == 1 && cw_spool_get_copies (s, NULL)[0].is_memset);
  cw_spool_get_devices (s, &n);
  CHECK (n == 1 && strcmp (cw_spool_get_devices (s, NULL)[0].name, "NVIDIA H200") == 0);
  CHECK (cw_spool_get_last_timestamp (s) == 4000);
  cw_spool_free (s);

  /* A writer killed inside a record: everything before it is read. */
  f = fopen (tmp_path ("known.bin"), "ab");
  {
    CwSpoolMemory m;

    memset (&m, 0, sizeof m);
    m.hdr.type = CW_SPOOL_ALLOC;
    m.hdr.size = sizeof m;
    fwrite (&m, sizeof m / 2, 1, f);
  }
  fclose (f);
  s = read_ok ("known.bin");
  if (s)
    {
      CHECK (cw_spool_is_truncated (s));
      cw_spool_get_memory (s, &n);
      CHECK (n == 10, "memory events after truncation: %zu", n);
      cw_spool_free (s);
    }
  /* Cut inside the 8-byte record header. */
  f = open_spool ("cut-header.bin", 1);
  ts_alloc (f, 10, 0x1000, 4096, 0, 0);
  fwrite ("\x01\x00\x00", 3, 1, f);
  fclose (f);
  s = read_ok ("cut-header.bin");
  if (s)
    {
      CHECK (cw_spool_is_truncated (s));
      cw_spool_get_memory (s, &n);
      CHECK (n == 1);
      cw_spool_free (s);
    }
}

static void
expect_refused (const char *name, CwErrorCode code, const char *needle)
{
  CwError error = CW_ERROR_INIT;
  CwSpool *s = cw_spool_read (tmp_path (name), &error);

  CHECK (s == NULL, "%s was accepted", name);
  CHECK (error.code == code, "%s: code %s, message %s", name, cw_error_code_name (error.code), error.message);
  CHECK (strstr (error.message, needle) != NULL, "%s: '%s' lacks '%s'", name, error.message, needle);
  CHECK (strchr (error.message, '\n') == NULL);
  cw_spool_free (s);
}

static void
test_damaged (void)
{
  FILE *f;
  CwSpoolHeader h;
  CwSpoolRecordHeader rh;

  f = fopen (tmp_path ("empty.bin"), "wb");
  fclose (f);
  expect_refused ("empty.bin", CW_ERROR_CORRUPT, "not a Cliffwatch spool");

  f = fopen (tmp_path ("text.bin"), "wb");
  fputs ("this is a text file, long enough to hold a whole spool header and more of it, "
         "much more text, really quite a lot more text than that, and then some more lines "
         "so that the reader gets a full header's worth of bytes before it decides what it is; "
         "and finally a bit more padding to be safe about the header size of the format.\n", f);
  fclose (f);
  expect_refused ("text.bin", CW_ERROR_CORRUPT, "not a Cliffwatch spool");

  f = open_spool ("version.bin", 1);
  fclose (f);
  f = fopen (tmp_path ("version.bin"), "r+b");
  fread (&h, sizeof h, 1, f);
  h.version = 99;
  fseek (f, 0, SEEK_SET);
  fwrite (&h, sizeof h, 1, f);
  fclose (f);
  expect_refused ("version.bin", CW_ERROR_VERSION, "spool version 99");

  f = open_spool ("unknown-type.bin", 1);
  ts_alloc (f, 10, 0x1000, 4096, 0, 0);
  rh.type = 77;
  rh.size = 16;
  fwrite (&rh, sizeof rh, 1, f);
  fwrite ("\0\0\0\0\0\0\0\0", 8, 1, f);
  ts_alloc (f, 20, 0x2000, 4096, 0, 0);
  fclose (f);
  expect_refused ("unknown-type.bin", CW_ERROR_CORRUPT, "unknown record type 77");

  f = open_spool ("odd-size.bin", 1);
  rh.type = CW_SPOOL_ALLOC;
  rh.size = sizeof (CwSpoolMemory) + 3;
  fwrite (&rh, sizeof rh, 1, f);
  fclose (f);
  expect_refused ("odd-size.bin", CW_ERROR_CORRUPT, "record size");

  f = open_spool ("short-record.bin", 1);
  rh.type = CW_SPOOL_KERNEL;
  rh.size = 16;
  fwrite (&rh, sizeof rh, 1, f);
  fwrite ("\0\0\0\0\0\0\0\0", 8, 1, f);
  fclose (f);
  expect_refused ("short-record.bin", CW_ERROR_CORRUPT, "record size 16");

  f = open_spool ("long-name.bin", 1);
  {
    CwSpoolKernel k;

    memset (&k, 0, sizeof k);
    k.hdr.type = CW_SPOOL_KERNEL;
    k.hdr.size = sizeof k + 8;
    k.name_len = 4000;
    fwrite (&k, sizeof k, 1, f);
    fwrite ("abcdefgh", 8, 1, f);
  }
  fclose (f);
  expect_refused ("long-name.bin", CW_ERROR_CORRUPT, "does not fit");

  /* A FIFO must be refused at once, not block the reader. */
  if (mkfifo (tmp_path ("fifo.bin"), 0600) == 0)
    expect_refused ("fifo.bin", CW_ERROR_CORRUPT, "not a regular file");
  {
    CwError error = CW_ERROR_INIT;

    CHECK (cw_spool_read (tmp_path ("missing.bin"), &error) == NULL && error.code == CW_ERROR_IO);
  }
}

static void
test_ranges (void)
{
  FILE *f = open_spool ("ranges.bin", 777);
  const char *step[] = { "step" };
  const char *glob[] = { "step*" };
  CwReceipt *tmpl = make_template ();
  CwReceipt **r;
  const CwReceipt *x;
  size_t n;
  CwSpool *s;

  ts_write_known_program (f, 1);
  fclose (f);
  s = read_ok ("ranges.bin");
  if (s == NULL)
    return;

  /* No pattern: the whole program only, with the prediction. */
  r = build (s, NULL, 0, 0, 0, &n, tmpl);
  CHECK (n == 1);
  if (n == 1)
    {
      CHECK (strcmp (r[0]->lane, "exec") == 0);
      CHECK (r[0]->exec.range_name[0] == '\0' && r[0]->exec.range_occurrence == 0);
      CHECK (r[0]->measured_peak_bytes == 423 * MIB + 1, "peak %llu", (unsigned long long) r[0]->measured_peak_bytes);
      CHECK (r[0]->status == CW_RECEIPT_STATUS_OK);
      CHECK (strcmp (r[0]->profile, "testprofile") == 0 && r[0]->n_buffers == 2);
      CHECK (r[0]->exec.pid == 777 && r[0]->exec.device == 0 && r[0]->exec.rank == -1);
      CHECK (strcmp (r[0]->exec.allocator, "tensor") == 0);
      CHECK (strcmp (r[0]->provenance.gpu_name, "NVIDIA H200") == 0);
      CHECK (r[0]->provenance.hbm_total_bytes == 150754820096ull);
      CHECK (r[0]->exec.n_kernels == 2 && r[0]->kernel_ns == 400 + 90);
      CHECK (r[0]->lane_ns == 4000 - 500);
      CHECK (strcmp (r[0]->uuid, tmpl->uuid) != 0);
      /* The whole program is compared as is: 400 MiB predicted vs 423 MiB + 1. */
      CHECK (!cw_receipt_peak_agrees (r[0]));
    }
  free_receipts (r, n);

  /* "step": two occurrences; the whole program loses the prediction. */
  r = build (s, step, 1, 0, 0, &n, tmpl);
  CHECK (n == 3, "receipts: %zu", n);
  CHECK (n > 0 && r[0]->profile[0] == '\0' && r[0]->n_buffers == 0 && r[0]->predicted_peak_bytes == 0);
  x = find_range (r, n, "step", 1);
  CHECK (x != NULL);
  if (x)
    {
      uint64_t p, m;

      CHECK (x->exec.range_open_bytes == 64 * MIB);
      CHECK (x->measured_peak_bytes == (64 + 256 + 3 + 100) * MIB + 1);
      CHECK (x->lane_ns == 900);
      CHECK (x->exec.n_kernels == 1 && x->kernel_ns == 400, "kernels %llu", (unsigned long long) x->exec.n_kernels);
      CHECK (strcmp (x->profile, "testprofile") == 0 && x->n_phases == 1);
      /* Compared above the range's opening: (400 - 64) vs (423 MiB + 1 - 64). */
      cw_receipt_get_compared_peaks (x, &p, &m);
      CHECK (p == 336 * MIB && m == 359 * MIB + 1);
      CHECK (!cw_receipt_peak_agrees (x));
      CHECK (x->status == CW_RECEIPT_STATUS_OK);
      /* Trace: ranges overlapping (step, step/inner), 6 memory events, 1 kernel, 1 memset. */
      CHECK (x->n_events == 2 + 6 + 1 + 1, "events %zu", x->n_events);
      for (size_t i = 0; i < x->n_events; i++)
        if (x->events[i].kind == CW_TRACE_RANGE && strcmp (x->events[i].name, "step/inner") == 0)
          CHECK (x->events[i].depth == 1);
      CHECK (x->provenance.time_unix_ns == 1764748800000000000ll + 1500);
    }
  x = find_range (r, n, "step", 2);
  CHECK (x != NULL);
  if (x)
    {
      CHECK (x->exec.range_open_bytes == (64 + 256) * MIB + 1);
      CHECK (x->measured_peak_bytes == (64 + 256 + 32) * MIB + 1);
      CHECK (x->exec.n_kernels == 0);
    }
  CHECK (find_range (r, n, "step/inner", 1) == NULL);
  free_receipts (r, n);

  /* A glob reaches the nested range too. */
  r = build (s, glob, 1, 0, 0, &n, tmpl);
  CHECK (n == 4);
  x = find_range (r, n, "step/inner", 1);
  CHECK (x != NULL && x->exec.range_open_bytes == (64 + 256 + 3) * MIB + 1
         && x->measured_peak_bytes == (64 + 256 + 3 + 100) * MIB + 1);
  free_receipts (r, n);

  /* A prediction that matches within max(0.5 %, 8 MiB) above the opening. */
  tmpl->predicted_peak_bytes = 64 * MIB + 359 * MIB + 4 * MIB;
  r = build (s, step, 1, 0, 0, &n, tmpl);
  x = find_range (r, n, "step", 1);
  CHECK (x != NULL && cw_receipt_peak_agrees (x));
  free_receipts (r, n);
  cw_spool_free (s);
  cw_receipt_free (tmpl);
}

static void
test_oom (void)
{
  FILE *f = open_spool ("oom.bin", 9);
  const char *huge[] = { "huge" };
  CwReceipt **r;
  const CwReceipt *x;
  size_t n;
  CwSpool *s;

  ts_alloc (f, 600, 0xa000, 10 * MIB, 0, 0);
  ts_marker (f, 700, 1, CW_SPOOL_MARKER_START, 1, "huge");
  ts_alloc (f, 710, 0xb000, 20 * MIB, 0, 0);
  ts_oom (f, 720, 1ull << 50, 0);
  ts_marker (f, 730, 1, CW_SPOOL_MARKER_END, 1, NULL);
  ts_end (f, 800, CW_SPOOL_END_EXIT, 0);
  fclose (f);
  s = read_ok ("oom.bin");
  if (s == NULL)
    return;
  r = build (s, huge, 1, 3, 0, &n, NULL);
  CHECK (n == 2);
  x = find_range (r, n, "huge", 1);
  CHECK (x != NULL);
  if (x)
    {
      CHECK (x->status == CW_RECEIPT_STATUS_OOM);
      CHECK (x->oom_request_bytes == 1ull << 50);
      CHECK (x->oom_live_bytes == 30 * MIB);
      CHECK (strstr (x->error_message, "out of memory") != NULL, "%s", x->error_message);
    }
  /* The program exited 3 after the failure: the whole program is oom too. */
  CHECK (n > 0 && r[0]->status == CW_RECEIPT_STATUS_OOM && strstr (r[0]->error_message, "exited with status 3"));
  free_receipts (r, n);
  /* Exit 0 after a recovered failure: the program is ok, the range is oom. */
  r = build (s, huge, 1, 0, 0, &n, NULL);
  CHECK (n == 2 && r[0]->status == CW_RECEIPT_STATUS_OK && strstr (r[0]->error_message, "recovered"));
  x = find_range (r, n, "huge", 1);
  CHECK (x != NULL && x->status == CW_RECEIPT_STATUS_OOM);
  free_receipts (r, n);
  cw_spool_free (s);
}

static void
test_crash (void)
{
  FILE *f = open_spool ("crash.bin", 10);
  const char *step[] = { "step" };
  CwReceipt **r;
  const CwReceipt *x;
  size_t n;
  CwSpool *s;
  uint32_t how;

  /* Killed inside "step": no end record, the range never closes. */
  ts_alloc (f, 600, 0xa000, 10 * MIB, 0, 0);
  ts_marker (f, 700, 1, CW_SPOOL_MARKER_START, 1, "step");
  ts_alloc (f, 710, 0xb000, 20 * MIB, 0, 0);
  fclose (f);
  s = read_ok ("crash.bin");
  if (s == NULL)
    return;
  CHECK (!cw_spool_get_end (s, &how, NULL));
  r = build (s, step, 1, -1, SIGKILL, &n, NULL);
  CHECK (n == 2);
  CHECK (n > 0 && r[0]->status == CW_RECEIPT_STATUS_ERROR && strstr (r[0]->error_message, "killed by SIGKILL"),
         "%s", n > 0 ? r[0]->error_message : "");
  CHECK (n > 0 && r[0]->measured_peak_bytes == 30 * MIB && r[0]->exec.exit_signal == SIGKILL);
  x = find_range (r, n, "step", 1);
  CHECK (x != NULL && x->status == CW_RECEIPT_STATUS_ERROR && strstr (x->error_message, "never closed"));
  CHECK (x != NULL && x->measured_peak_bytes == 30 * MIB && x->exec.range_open_bytes == 10 * MIB);
  free_receipts (r, n);

  /* Segfault after the ranges, with the handler's end record. */
  f = open_spool ("segv.bin", 11);
  ts_write_known_program (f, 0);
  ts_end (f, 5000, CW_SPOOL_END_SIGNAL, SIGSEGV);
  fclose (f);
  cw_spool_free (s);
  s = read_ok ("segv.bin");
  if (s == NULL)
    return;
  r = build (s, step, 1, -1, SIGSEGV, &n, NULL);
  CHECK (n == 3 && r[0]->status == CW_RECEIPT_STATUS_ERROR && strstr (r[0]->error_message, "SIGSEGV"));
  /* The ranges closed before the crash: they are complete measurements. */
  x = find_range (r, n, "step", 1);
  CHECK (x != NULL && x->status == CW_RECEIPT_STATUS_OK);
  free_receipts (r, n);
  r = build (s, step, 1, 1, 0, &n, NULL);
  CHECK (n == 3 && r[0]->status == CW_RECEIPT_STATUS_ERROR && strstr (r[0]->error_message, "exited with status 1"));
  free_receipts (r, n);
  cw_spool_free (s);
}

static void
test_devices (void)
{
  FILE *f = open_spool ("devices.bin", 12);
  const char *step[] = { "step" };
  CwReceipt **r;
  size_t n;
  CwSpool *s;

  ts_device (f, 0, "NVIDIA H200", 1000);
  ts_device (f, 1, "NVIDIA H200", 1000);
  ts_alloc (f, 600, 0xa000, 10 * MIB, 0, 0);
  ts_marker (f, 700, 1, CW_SPOOL_MARKER_START, 1, "step");
  ts_alloc (f, 710, 0xa000, 20 * MIB, 1, 0);   /* same address, other device */
  ts_alloc (f, 720, 0xa000, 20 * MIB, 1, 1);
  ts_marker (f, 730, 1, CW_SPOOL_MARKER_END, 1, NULL);
  ts_end (f, 800, CW_SPOOL_END_EXIT, 0);
  fclose (f);
  s = read_ok ("devices.bin");
  if (s == NULL)
    return;
  r = build (s, step, 1, 0, 0, &n, NULL);
  /* Device 0: program + step (its first device); device 1: program + step. */
  CHECK (n == 4, "receipts %zu", n);
  if (n == 4)
    {
      CHECK (r[0]->exec.device == 0 && r[0]->measured_peak_bytes == 10 * MIB);
      CHECK (r[1]->exec.device == 0 && r[1]->measured_peak_bytes == 10 * MIB && r[1]->exec.range_open_bytes == 10 * MIB);
      CHECK (r[2]->exec.device == 1 && r[2]->measured_peak_bytes == 20 * MIB);
      CHECK (r[3]->exec.device == 1 && r[3]->exec.range_open_bytes == 0 && r[3]->measured_peak_bytes == 20 * MIB);
      CHECK (strcmp (r[2]->provenance.gpu_uuid, "GPU-00000000-0000-0000-0000-000000000001") == 0);
    }
  free_receipts (r, n);
  cw_spool_free (s);
}

static void
test_store (void)
{
  FILE *f = open_spool ("store.bin", 13);
  const char *step[] = { "step" };
  CwReceipt *tmpl = make_template ();
  CwReceipt **r;
  CwReceiptStore *store;
  CwError error = CW_ERROR_INIT;
  size_t n;
  CwSpool *s;

  ts_write_known_program (f, 1);
  fclose (f);
  s = read_ok ("store.bin");
  if (s == NULL)
    return;
  r = build (s, step, 1, 0, 0, &n, tmpl);
  store = cw_receipt_store_open (tmp_path ("exec.db"), CW_RECEIPT_STORE_CREATE, &error);
  CHECK (store != NULL, "%s", error.message);
  if (store)
    {
      CwReceipt *back;

      CHECK (cw_receipt_store_insert_many (store, r, n, &error), "%s", error.message);
      CHECK (cw_receipt_store_count (store, NULL) == 3);
      back = cw_receipt_store_load (store, r[1]->id, &error);
      CHECK (back != NULL, "%s", error.message);
      if (back)
        {
          CHECK (strcmp (back->exec.range_name, r[1]->exec.range_name) == 0);
          CHECK (back->exec.range_occurrence == r[1]->exec.range_occurrence);
          CHECK (back->exec.range_open_bytes == r[1]->exec.range_open_bytes);
          CHECK (back->exec.pid == 13 && back->exec.rank == -1 && back->exec.device == 0);
          CHECK (strcmp (back->exec.allocator, "tensor") == 0);
          CHECK (strcmp (back->exec.program, "fake-cuda-program --mode ok") == 0);
          CHECK (back->exec.n_kernels == r[1]->exec.n_kernels);
          CHECK (back->n_events == r[1]->n_events);
          cw_receipt_free (back);
        }
      /* All or nothing: a batch with one already-stored receipt adds none. */
      {
        CwReceipt *again[2] = { cw_receipt_dup (r[0]), r[1] };

        cw_receipt_uuid_generate (again[0]->uuid);
        CHECK (!cw_receipt_store_insert_many (store, again, 2, &error));
        CHECK (strstr (error.message, "already stored") != NULL, "%s", error.message);
        CHECK (cw_receipt_store_count (store, NULL) == 3);
        cw_receipt_free (again[0]);
      }
      cw_receipt_store_close (store);
    }
  free_receipts (r, n);
  cw_spool_free (s);
  cw_receipt_free (tmpl);
}

int
main (int argc, char **argv)
{
  const char *what = argc > 1 ? argv[1] : "parse";
  const char *base = getenv ("TMPDIR");

  snprintf (tmpdir, sizeof tmpdir, "%s/cw-test-exec-XXXXXX", base && base[0] ? base : "/tmp");
  if (mkdtemp (tmpdir) == NULL)
    {
      perror ("mkdtemp");
      return 1;
    }
  if (strcmp (what, "parse") == 0)
    test_parse ();
  else if (strcmp (what, "damaged") == 0)
    test_damaged ();
  else if (strcmp (what, "ranges") == 0)
    test_ranges ();
  else if (strcmp (what, "oom") == 0)
    test_oom ();
  else if (strcmp (what, "crash") == 0)
    test_crash ();
  else if (strcmp (what, "devices") == 0)
    test_devices ();
  else if (strcmp (what, "store") == 0)
    test_store ();
  else
    {
      fprintf (stderr, "unknown test '%s'\n", what);
      return 2;
    }
  {
    char cmd[600];

    snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      fprintf (stderr, "could not remove %s\n", tmpdir);
  }
  printf ("%s: %d checks, %d failed\n", what, checks, failures);
  return failures ? 1 : 0;
}
