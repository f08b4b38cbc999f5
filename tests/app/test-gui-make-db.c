/* test-gui-make-db.c: writes a receipts database of SYNTHETIC receipts for the
 * workbench tests, through the store API (profiler/cw-receipt-store.h).
 *
 * Usage: test-gui-make-db PATH [N_RECEIPTS]
 *        test-gui-make-db --training PATH
 *
 * --training writes three training-lane receipts (issue 18) at the gradient
 * check's small shape: gradcheck with a check that passed (worst 0.25 of the
 * allowed error, at dq[3]), gradcheck-dense with one that failed (1.75, at
 * dk[12]) and streaming-train with none. The check's values are made up for
 * the workbench's detail pane, like every figure here.
 *
 * These are not measurements. Every receipt says so in its GPU name, host
 * and note, and its "measured" figures are derived from the planner's own
 * prediction with a fixed, visible offset so that the Compare page has
 * something to draw and the tests can check exact values. Real receipts come
 * only from `cliffwatch-cli profile` on a GPU. Owner: workbench. */
#include "cw-build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-planner.h"
#include "cw-receipt-store.h"

static const char *lanes[] = { "materialize", "fused", "streaming" };

static int
add_trace (CwReceipt *r, uint64_t t0, const CwPlan *plan, CwError *error)
{
  CwTraceEvent e;
  uint64_t t = t0;

  memset (&e, 0, sizeof e);
  e.kind = CW_TRACE_RANGE;
  e.name = "lane";
  e.start_ns = t0;
  e.end_ns = t0 + 1000000;
  e.depth = 0;
  if (!cw_receipt_add_event (r, &e, error))
    return 0;

  /* One allocation per predicted buffer, freed at the end. */
  for (unsigned b = 0; b < cw_plan_get_n_buffers (plan); b++)
    {
      memset (&e, 0, sizeof e);
      e.kind = CW_TRACE_ALLOC;
      e.name = "alloc";
      e.start_ns = e.end_ns = t += 10000;
      e.bytes = cw_plan_get_buffer_bytes (plan, b);
      e.address = 0x7f0000000000ull + (uint64_t) b * 0x100000000ull;
      if (!cw_receipt_add_event (r, &e, error))
        return 0;
    }

  memset (&e, 0, sizeof e);
  e.kind = CW_TRACE_RANGE;
  e.name = "score";
  e.start_ns = t0 + 100000;
  e.end_ns = t0 + 700000;
  e.depth = 1;
  if (!cw_receipt_add_event (r, &e, error))
    return 0;

  memset (&e, 0, sizeof e);
  e.kind = CW_TRACE_KERNEL;
  e.name = "cw_score_kernel";
  e.start_ns = t0 + 120000;
  e.end_ns = t0 + 650000;
  if (!cw_receipt_add_event (r, &e, error))
    return 0;

  for (unsigned b = 0; b < cw_plan_get_n_buffers (plan); b++)
    {
      memset (&e, 0, sizeof e);
      e.kind = CW_TRACE_FREE;
      e.name = "free";
      e.start_ns = e.end_ns = t0 + 900000 + b * 1000;
      e.bytes = cw_plan_get_buffer_bytes (plan, b);
      e.address = 0x7f0000000000ull + (uint64_t) b * 0x100000000ull;
      if (!cw_receipt_add_event (r, &e, error))
        return 0;
    }
  return 1;
}

/* The training lanes' receipts (--training): predicted from the lane's own
 * profile (streaming-train, dense = 1 for gradcheck-dense), "measured" equal
 * to it, the check's status and numbers invented. */
static int
make_training_db (const char *argv0, const char *path, const CwConfig *base)
{
  static const struct {
    const char       *lane;
    CwGradcheckStatus status;
    double            worst;
    const char       *worst_at;
  } lanes_train[] = {
    { "gradcheck", CW_GRADCHECK_OK, 0.25, "dq[3]" },
    { "gradcheck-dense", CW_GRADCHECK_FAILED, 1.75, "dk[12]" },
    { "streaming-train", CW_GRADCHECK_NONE, 0.0, "" },
  };
  CwError error = { 0 };
  CwReceiptStore *store;

  remove (path);
  store = cw_receipt_store_open (path, CW_RECEIPT_STORE_CREATE, &error);
  if (store == NULL)
    goto fail;
  for (size_t i = 0; i < sizeof lanes_train / sizeof lanes_train[0]; i++)
    {
      CwReceipt *r = cw_receipt_new ();
      bool ok;

      /* The gradient check's small shape (b 2, sq 512, sk 128 at ratio 4: b * sq * sk * h * d = 2^30). */
      r->config = *base;
      r->config.b = 2;
      r->config.sq = 512;
      r->config.sk = 128;
      r->config.top_k = 64;
      CW_RECEIPT_SET (r->lane, lanes_train[i].lane);
      CW_RECEIPT_SET (r->provenance.gpu_name, "synthetic test GPU (not a measurement)");
      CW_RECEIPT_SET (r->provenance.host, "test-gui-make-db");
      CW_RECEIPT_SET (r->note, "SYNTHETIC: a training-lane receipt with an invented gradient check, for the GUI tests");
      r->provenance.hbm_total_bytes = 150ull << 30;
      r->provenance.time_unix_ns = 1795000000000000000ll + (int64_t) i * 60000000000ll;
      ok = cw_receipt_predict_from_lane (r, &error);
      if (ok)
        {
          r->measured_peak_bytes = r->predicted_peak_bytes;
          r->lane_ns = 1000000;
          r->kernel_ns = 530000;
          r->gradcheck.status = lanes_train[i].status;
          r->gradcheck.worst = lanes_train[i].worst;
          CW_RECEIPT_SET (r->gradcheck.worst_at, lanes_train[i].worst_at);
          if (lanes_train[i].status == CW_GRADCHECK_FAILED)
            {
              r->status = CW_RECEIPT_STATUS_ERROR;
              CW_RECEIPT_SET (r->error_message, "synthetic gradient check failure");
            }
          ok = cw_receipt_store_insert (store, r, &error) > 0;
        }
      cw_receipt_free (r);
      if (!ok)
        goto fail;
    }
  cw_receipt_store_close (store);
  return 0;

fail:
  fprintf (stderr, "%s: %s\n", argv0, error.message);
  if (store != NULL)
    cw_receipt_store_close (store);
  return 1;
}

int
main (int argc, char **argv)
{
  CwError error = { 0 };
  CwReceiptStore *store;
  long n = 40;
  CwConfig base;

  if (argc < 2 || argc > 3 || (strcmp (argv[1], "--training") == 0 && argc != 3))
    {
      fprintf (stderr, "usage: %s PATH [N_RECEIPTS] | --training PATH\n", argv[0]);
      return 2;
    }
  if (argc == 3 && strcmp (argv[1], "--training") != 0)
    {
      char *end = NULL;
      n = strtol (argv[2], &end, 10);
      if (end == argv[2] || *end != '\0' || n <= 0 || n > 1000000)
        {
          fprintf (stderr, "%s: N_RECEIPTS must be 1..1000000\n", argv[0]);
          return 2;
        }
    }

  if (!cw_preset_lookup ("deepseek-v4-flash", &base, &error))
    {
      fprintf (stderr, "%s: %s\n", argv[0], error.message);
      return 1;
    }

  if (strcmp (argv[1], "--training") == 0)
    return make_training_db (argv[0], argv[2], &base);

  remove (argv[1]);
  store = cw_receipt_store_open (argv[1], CW_RECEIPT_STORE_CREATE, &error);
  if (store == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error.message);
      return 1;
    }

  for (long i = 0; i < n; i++)
    {
      const char *lane = lanes[i % 3];
      CwProfile *profile = cw_profile_load (lane, &error);
      CwConfig config = base;
      CwReceipt *r;
      CwPlan *plan;
      int ok;

      if (profile == NULL)
        {
          fprintf (stderr, "%s: %s\n", argv[0], error.message);
          return 1;
        }

      /* sq cycles 4K, 8K, 16K, 32K, 64K so several receipts land on the
       * Plan page's curves for the default preset. */
      config.sq = 4096ull << ((i / 3) % 5);
      config.sk = 0;
      plan = cw_plan_new (profile, &config, &error);
      if (plan == NULL)
        {
          fprintf (stderr, "%s: %s\n", argv[0], error.message);
          return 1;
        }

      r = cw_receipt_new ();
      CW_RECEIPT_SET (r->lane, lane);
      CW_RECEIPT_SET (r->profile, cw_profile_get_name (profile));
      r->config = config;
      CW_RECEIPT_SET (r->provenance.gpu_name, "synthetic test GPU (not a measurement)");
      CW_RECEIPT_SET (r->provenance.host, "test-gui-make-db");
      CW_RECEIPT_SET (r->note, "SYNTHETIC: generated by tests/app/test-gui-make-db for the GUI tests");
      r->provenance.hbm_total_bytes = 150ull << 30;
      r->provenance.time_unix_ns = 1795000000000000000ll + (int64_t) i * 60000000000ll;
      r->predicted_peak_bytes = cw_plan_get_peak_bytes (plan);
      r->predicted_input_bytes = cw_plan_get_input_bytes (plan);
      for (unsigned b = 0; b < cw_plan_get_n_buffers (plan); b++)
        if (!cw_receipt_add_buffer (r, cw_plan_get_buffer_name (plan, b), cw_plan_get_buffer_bytes (plan, b),
                                    cw_plan_get_buffer_is_input (plan, b), &error))
          goto fail;
      for (unsigned p = 0; p < cw_plan_get_n_phases (plan); p++)
        if (!cw_receipt_add_phase (r, cw_plan_get_phase_name (plan, p), cw_plan_get_phase_live_bytes (plan, p), &error))
          goto fail;

      if (strcmp (lane, "materialize") == 0 && config.sq >= 65536)
        {
          r->status = CW_RECEIPT_STATUS_OOM;
          r->oom_request_bytes = cw_plan_get_peak_bytes (plan) / 2;
          r->oom_live_bytes = cw_plan_get_input_bytes (plan);
          CW_RECEIPT_SET (r->error_message, "synthetic out-of-memory");
        }
      else
        {
          /* Synthetic offset: +2 MiB per receipt index modulo 5, visible as
           * a small, known error on the Compare page. */
          r->measured_peak_bytes = cw_plan_get_peak_bytes (plan) + (uint64_t) (i % 5) * (2ull << 20);
          r->lane_ns = 1000000;
          r->kernel_ns = 530000;
          r->has_recall = strcmp (lane, "materialize") != 0;
          r->recall = 1.0;
          r->capture.attempted = true;
          r->capture.captured = r->capture.instantiated = r->capture.replayed = r->capture.matched = true;
          if (!add_trace (r, 1000000000ull, plan, &error))
            goto fail;
        }

      ok = cw_receipt_store_insert (store, r, &error) > 0;
      cw_receipt_free (r);
      cw_plan_free (plan);
      cw_profile_free (profile);
      if (!ok)
        {
          fprintf (stderr, "%s: %s\n", argv[0], error.message);
          return 1;
        }
      continue;

    fail:
      fprintf (stderr, "%s: %s\n", argv[0], error.message);
      return 1;
    }

  cw_receipt_store_close (store);
  return 0;
}
