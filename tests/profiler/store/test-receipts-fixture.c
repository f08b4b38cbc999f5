/* test-receipts-fixture.c: the committed receipts (the .db files in data/receipts/,
 * measured on the H200) against issue 4's claims. CPU only; runs in CI.
 *
 *  - every ok receipt of our own kernels: |predicted - measured peak| <=
 *    max(1 %, 8 MiB), with no dropped CUPTI records, and the planner as it is
 *    now still predicts within that tolerance of what was measured;
 *  - each score lane was swept past its cliff: ok points fit the GPU's HBM by
 *    the prediction, oom points did not, and every ok point is below every
 *    oom point of the same lane;
 *  - the CUPTI peak is cross-checked by the cudaMemGetInfo delta;
 *  - graph legality: every ok lane replayed its graph bit-identically, and the
 *    host-checked mask update failed capture with its CUDA error name;
 *  - phase ranges: in the files written since the kernels push their own NVTX
 *    ranges (h200-deepseek-v4-flash.db), every ok lane's timed step has its
 *    real phase ranges, each with its "gpu:" projection, and each projection
 *    is the span of stored GPU records (data/receipts/README.md). */
#include <dirent.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-plan.h"
#include "cw-profile.h"
#include "cw-receipt-store.h"

#include "../../cw-test.h"

static const char *const score_lanes[] = { "materialize", "fused", "streaming" };

typedef struct {
  unsigned n_ok, n_oom;
  /* per shape family: [0] ratio 4 bf16, [1] sk = sq bf16, [2] ratio 4 fp8, [3] sk = sq fp8 */
  uint64_t max_ok_sq[4], min_oom_sq[4];
} LaneStats;

static int
lane_index (const char *lane)
{
  for (int i = 0; i < 3; i++)
    if (strcmp (lane, score_lanes[i]) == 0)
      return i;
  return -1;
}

/* Index-transfer receipts (cw-transfer-receipt.h): each carries the payload
 * bytes as its one buffer, a lane time, the lane's own allocation peak, and
 * a run id linking the ranks; the recompute carries its FLOPs. */
static unsigned n_transfer_recv, n_transfer_recompute;

static bool
is_transfer_receipt (const CwReceipt *r)
{
  return r->provenance.cupti_version == 0 && strncmp (r->lane, "index-", 6) == 0 && strcmp (r->lane, "index-mask") != 0
         && strcmp (r->lane, "index-mask-host-checked") != 0;
}

static void
check_transfer_receipt (const char *db, const CwReceipt *r)
{
  CHECK (r->status == CW_RECEIPT_STATUS_OK, "%s receipt %" PRId64 ": %s %s", db, r->id, r->lane,
         cw_receipt_status_get_name (r->status));
  CHECK (r->sweep_id[0] != '\0', "%s receipt %" PRId64 ": %s without a run id", db, r->id, r->lane);
  CHECK (r->lane_ns > 0 && r->measured_peak_bytes > 0, "%s receipt %" PRId64 ": %s without time or peak", db, r->id,
         r->lane);
  CHECK (r->provenance.gpu_name[0] && r->provenance.gpu_uuid[0] && r->provenance.hbm_total_bytes > 0,
         "%s receipt %" PRId64 ": provenance incomplete", db, r->id);
  /* The payload is int32 [b, sq, top_k]: a "payload" buffer in receipts
   * written before the index-cache profiles, the prediction's "idx" since. */
  {
    const CwReceiptBuffer *payload = NULL;

    for (size_t b = 0; b < r->n_buffers; b++)
      if (strcmp (r->buffers[b].name, r->profile[0] ? "idx" : "payload") == 0)
        payload = &r->buffers[b];
    CHECK (r->trace_loaded && payload != NULL, "%s receipt %" PRId64 ": no payload buffer", db, r->id);
    if (payload)
      CHECK (payload->bytes == r->config.b * r->config.sq * r->config.top_k * 4,
             "%s receipt %" PRId64 ": payload %" PRIu64 " B is not b*sq*top_k*4", db, r->id, payload->bytes);
  }
  if (strcmp (r->lane, "index-transfer-recv") == 0)
    n_transfer_recv++;
  if (strcmp (r->lane, "index-recompute") == 0)
    {
      n_transfer_recompute++;
      CHECK (r->flops > 0 && r->tflops > 0
             && (r->flops / ((double) r->lane_ns * 1e-9) / 1e12) / r->tflops > 0.999
             && (r->flops / ((double) r->lane_ns * 1e-9) / 1e12) / r->tflops < 1.001,
             "%s receipt %" PRId64 ": TFLOP/s %g inconsistent with %g FLOP in %" PRIu64 " ns", db, r->id, r->tflops,
             r->flops, r->lane_ns);
    }
}

/* External programs (profile --exec): the engine receipts of issue 14. */
#define MAX_ENGINES 16
static struct {
  char     profile[64];
  unsigned n_ok, n_oom;
  uint64_t shapes[64][3];   /* distinct (b, h, d) among ok receipts */
  unsigned n_shapes;
} engines[MAX_ENGINES];
static unsigned n_engines, n_exec;

static void
check_exec_receipt (const char *db, const CwReceipt *r)
{
  uint64_t hbm = r->provenance.hbm_total_bytes, cp, cm;
  unsigned e;

  n_exec++;
  CHECK (hbm > 0 && r->provenance.gpu_name[0] && r->provenance.gpu_uuid[0] && r->provenance.git_revision[0]
         && r->provenance.cupti_version > 0, "%s receipt %" PRId64 ": provenance incomplete", db, r->id);
  CHECK (r->exec.program[0] && r->exec.pid > 0 && r->exec.device >= 0, "%s receipt %" PRId64 ": no process", db,
         r->id);
  CHECK (strcmp (r->exec.allocator, "tensor") == 0, "%s receipt %" PRId64 ": allocator level '%s'", db, r->id,
         r->exec.allocator);
  CHECK (r->dropped_records == 0, "%s receipt %" PRId64 ": dropped records", db, r->id);
  if (r->exec.range_name[0] == '\0' || r->profile[0] == '\0')
    return;
  for (e = 0; e < n_engines; e++)
    if (strcmp (engines[e].profile, r->profile) == 0)
      break;
  if (e == n_engines && n_engines < MAX_ENGINES)
    snprintf (engines[n_engines++].profile, sizeof engines[0].profile, "%s", r->profile);
  if (e == MAX_ENGINES)
    return;
  cw_receipt_get_compared_peaks (r, &cp, &cm);
  if (r->status == CW_RECEIPT_STATUS_OK)
    {
      CwError err = CW_ERROR_INIT;
      CwProfile *profile = cw_profile_load (r->profile, &err);
      bool seen = false;

      engines[e].n_ok++;
      CHECK (cw_receipt_peak_agrees (r),
             "%s receipt %" PRId64 " (%s b=%" PRIu64 " sq=%" PRIu64 " h=%" PRIu64 " d=%" PRIu64
             "): predicted %" PRIu64 " vs measured %" PRIu64 " above the range's opening",
             db, r->id, r->profile, r->config.b, r->config.sq, r->config.h, r->config.d, cp, cm);
      CHECK (r->exec.n_kernels > 0 && r->lane_ns > 0, "%s receipt %" PRId64 ": no kernels", db, r->id);
      /* Today's planner, on the stored configuration, still predicts it. */
      CHECK (profile != NULL, "profile %s: %s", r->profile, err.message);
      if (profile)
        {
          CwPlan *plan = cw_plan_new (profile, &r->config, &err);

          CHECK (plan != NULL, "plan: %s", err.message);
          if (plan)
            {
              CwReceipt tmp = *r;

              tmp.predicted_peak_bytes = cw_plan_get_peak_bytes (plan);
              tmp.predicted_input_bytes = cw_plan_get_input_bytes (plan);
              CHECK (cw_receipt_peak_agrees (&tmp),
                     "%s receipt %" PRId64 " (%s sq=%" PRIu64 "): today's planner says %" PRIu64
                     " above the inputs, measured %" PRIu64, db, r->id, r->profile, r->config.sq,
                     tmp.predicted_peak_bytes - tmp.predicted_input_bytes, cm);
              cw_plan_free (plan);
            }
          cw_profile_free (profile);
        }
      for (unsigned i = 0; i < engines[e].n_shapes; i++)
        seen = seen || (engines[e].shapes[i][0] == r->config.b && engines[e].shapes[i][1] == r->config.h
                        && engines[e].shapes[i][2] == r->config.d);
      if (!seen && engines[e].n_shapes < 64)
        {
          engines[e].shapes[engines[e].n_shapes][0] = r->config.b;
          engines[e].shapes[engines[e].n_shapes][1] = r->config.h;
          engines[e].shapes[engines[e].n_shapes][2] = r->config.d;
          engines[e].n_shapes++;
        }
    }
  else if (r->status == CW_RECEIPT_STATUS_OOM)
    {
      engines[e].n_oom++;
      CHECK (r->oom_request_bytes > 0, "%s receipt %" PRId64 ": oom without the request size", db, r->id);
      /* The planner saw it coming: above the inputs alone it does not fit. */
      CHECK (cp > hbm, "%s receipt %" PRId64 ": OOM at a predicted %" PRIu64 " B above the inputs on %" PRIu64
             " B HBM", db, r->id, cp, hbm);
    }
  else
    CHECK (false, "%s receipt %" PRId64 ": status %s: %s", db, r->id, cw_receipt_status_get_name (r->status),
           r->error_message);
}

static void
check_receipt (const char *db, const CwReceipt *r, LaneStats stats[3], unsigned *n_host_checked,
               unsigned *n_mask_ok)
{
  int li = lane_index (r->lane);
  const uint64_t hbm = r->provenance.hbm_total_bytes;
  /* Points differ in shape (V4 ratio 4 vs V3.2 sk = sq) and q/k dtype, each
   * family with its own cliff: keep them apart. */
  int shape = (r->config.ratio == 4 ? 0 : 1) + (r->config.q_dtype == CW_DTYPE_FP8_E4M3 ? 2 : 0);

  /* Receipts of the NCCL index-transfer lane (profiler/transfer) are not
   * CUPTI-profiled (cupti_version 0): their own invariants are checked in
   * check_transfer_receipt. */
  if (is_transfer_receipt (r))
    {
      check_transfer_receipt (db, r);
      return;
    }
  if (cw_receipt_is_exec (r))
    {
      check_exec_receipt (db, r);
      return;
    }

  /* cudaMemGetInfo agrees with the CUPTI reconstruction: the driver maps
   * whole 2 MiB pages, so it may see a little more, never less (a lane
   * makes at most 8 allocations). */
  CHECK (r->memgetinfo_delta_bytes >= (int64_t) r->measured_peak_bytes
         && r->memgetinfo_delta_bytes - (int64_t) r->measured_peak_bytes <= (int64_t) (16ull << 20),
         "%s receipt %" PRId64 ": cudaMemGetInfo delta %" PRId64 " vs CUPTI peak %" PRIu64, db, r->id,
         r->memgetinfo_delta_bytes, r->measured_peak_bytes);
  CHECK (hbm > 0 && r->provenance.gpu_name[0] && r->provenance.gpu_uuid[0] && r->provenance.git_revision[0],
         "%s receipt %" PRId64 ": provenance incomplete", db, r->id);
  if (li >= 0)
    {
      CHECK (r->profile[0] != '\0' && r->predicted_peak_bytes > 0, "%s receipt %" PRId64 ": no prediction", db, r->id);
      if (r->status == CW_RECEIPT_STATUS_OK)
        {
          CwError err = CW_ERROR_INIT;
          CwProfile *profile;
          uint64_t now = 0;

          stats[li].n_ok++;
          CHECK (r->dropped_records == 0, "%s receipt %" PRId64 ": %" PRIu64 " dropped records", db, r->id,
                 r->dropped_records);
          CHECK (cw_receipt_peak_agrees (r),
                 "%s receipt %" PRId64 " (%s sq=%" PRIu64 "): predicted %" PRIu64 " vs measured %" PRIu64, db, r->id,
                 r->lane, r->config.sq, r->predicted_peak_bytes, r->measured_peak_bytes);
          CHECK (r->predicted_peak_bytes <= hbm, "%s receipt %" PRId64 ": ran although predicted above HBM", db, r->id);
          CHECK (r->capture.attempted && r->capture.matched, "%s receipt %" PRId64 ": graph replay not matched", db,
                 r->id);
          CHECK (r->lane_ns > 0 && r->kernel_ns > 0, "%s receipt %" PRId64 ": no times", db, r->id);
          /* The planner of this tree, on the stored configuration. */
          profile = cw_profile_load (r->profile, &err);
          CHECK (profile != NULL, "profile %s: %s", r->profile, err.message);
          if (profile)
            {
              CwReceipt tmp = *r;
              CHECK (cw_plan_eval_peak (profile, &r->config, &now, &err), "plan: %s", err.message);
              tmp.predicted_peak_bytes = now;
              CHECK (cw_receipt_peak_agrees (&tmp),
                     "%s receipt %" PRId64 " (%s sq=%" PRIu64 "): today's planner says %" PRIu64
                     ", measured %" PRIu64, db, r->id, r->lane, r->config.sq, now, r->measured_peak_bytes);
              cw_profile_free (profile);
            }
          if (r->config.sq > stats[li].max_ok_sq[shape])
            stats[li].max_ok_sq[shape] = r->config.sq;
        }
      else if (r->status == CW_RECEIPT_STATUS_OOM)
        {
          stats[li].n_oom++;
          CHECK (r->oom_request_bytes > 0, "%s receipt %" PRId64 ": oom without the request size", db, r->id);
          CHECK (strstr (r->error_message, "cudaErrorMemoryAllocation") != NULL, "%s receipt %" PRId64 ": %s", db,
                 r->id, r->error_message);
          /* The planner saw it coming: the predicted peak does not fit (the
           * CUDA context and the driver keep a few GiB). */
          CHECK (r->predicted_peak_bytes + (4ull << 30) > hbm,
                 "%s receipt %" PRId64 ": OOM at predicted %" PRIu64 " B on %" PRIu64 " B HBM", db, r->id,
                 r->predicted_peak_bytes, hbm);
          if (stats[li].min_oom_sq[shape] == 0 || r->config.sq < stats[li].min_oom_sq[shape])
            stats[li].min_oom_sq[shape] = r->config.sq;
        }
      else
        CHECK (false, "%s receipt %" PRId64 ": unexpected status %s (%s)", db, r->id,
               cw_receipt_status_get_name (r->status), r->error_message);
    }
  else if (strcmp (r->lane, "index-mask-host-checked") == 0)
    {
      (*n_host_checked)++;
      CHECK (r->status == CW_RECEIPT_STATUS_CAPTURE_FAILED && !r->capture.captured
             && strcmp (r->capture.cuda_error_name, "cudaErrorStreamCaptureUnsupported") == 0,
             "%s receipt %" PRId64 ": host-checked lane should fail capture, got %s / '%s'", db, r->id,
             cw_receipt_status_get_name (r->status), r->capture.cuda_error_name);
    }
  else if (strcmp (r->lane, "index-mask") == 0)
    {
      (*n_mask_ok)++;
      CHECK (r->status == CW_RECEIPT_STATUS_OK && r->capture.matched, "%s receipt %" PRId64 ": index-mask %s", db,
             r->id, cw_receipt_status_get_name (r->status));
    }
}

/* Files whose receipts must carry the kernels' real NVTX phase ranges. */
static const char *const real_phase_files[] = { "h200-deepseek-v4-flash.db" };

static size_t
ranges_in (const CwReceipt *r, const CwTraceEvent *outer, const char *name, int depth)
{
  size_t n = 0;

  for (size_t i = 0; outer && i < r->n_events; i++)
    {
      const CwTraceEvent *e = &r->events[i];
      n += e->kind == CW_TRACE_RANGE && strcmp (e->name, name) == 0 && e->depth == depth
           && e->start_ns >= outer->start_ns && e->end_ns <= outer->end_ns;
    }
  return n;
}

/* The phase ranges of one ok receipt with a full trace: under "compute", one
 * real range per phase launch and as many "gpu:" projections; every
 * projection starts and ends on a stored GPU record. */
static void
check_phases (const char *file, const CwReceipt *r)
{
  static const char *const score_phases[] = { "score", "topk", NULL };
  static const char *const materialize_phases[] = { "score", "reduce", "topk", NULL };
  static const char *const mask_phases[] = { "mask", NULL };
  static const char *const checked_phases[] = { "check", "mask", NULL };
  const char *const *phases;
  const CwTraceEvent *compute = NULL;
  size_t n_score = 0;

  if (strcmp (r->lane, "materialize") == 0)
    phases = materialize_phases;
  else if (strcmp (r->lane, "fused") == 0 || strcmp (r->lane, "streaming") == 0)
    phases = score_phases;
  else if (strcmp (r->lane, "index-mask") == 0)
    phases = mask_phases;
  else if (strcmp (r->lane, "index-mask-host-checked") == 0)
    phases = checked_phases;
  else
    return;
  for (size_t i = 0; i < r->n_events && compute == NULL; i++)
    if (r->events[i].kind == CW_TRACE_RANGE && strcmp (r->events[i].name, "compute") == 0)
      compute = &r->events[i];
  CHECK (compute != NULL, "%s: receipt %" PRId64 " (%s) has no compute range", file, r->id, r->lane);
  for (const char *const *ph = phases; compute && *ph; ph++)
    {
      char gpu[32];
      size_t n_real = ranges_in (r, compute, *ph, 2), n_gpu;

      snprintf (gpu, sizeof gpu, "gpu:%s", *ph);
      n_gpu = ranges_in (r, compute, gpu, 3);
      CHECK (n_real > 0 && n_real == n_gpu, "%s: receipt %" PRId64 " (%s sq=%" PRIu64 "): %zu '%s' ranges, %zu '%s'",
             file, r->id, r->lane, r->config.sq, n_real, *ph, n_gpu, gpu);
      if (strcmp (*ph, "score") == 0)
        n_score = n_real;
      if (strcmp (*ph, "topk") == 0 && n_score > 0)
        CHECK (n_real == n_score, "%s: receipt %" PRId64 ": %zu score vs %zu topk ranges", file, r->id, n_score, n_real);
    }
  for (size_t i = 0; i < r->n_events; i++)
    {
      const CwTraceEvent *p = &r->events[i];
      bool starts = false, ends = false;

      if (p->kind != CW_TRACE_RANGE || strncmp (p->name, "gpu:", 4) != 0)
        continue;
      for (size_t j = 0; j < r->n_events && !(starts && ends); j++)
        {
          const CwTraceEvent *e = &r->events[j];
          if (e->kind == CW_TRACE_KERNEL || e->kind == CW_TRACE_MEMCPY || e->kind == CW_TRACE_MEMSET)
            {
              starts |= e->start_ns == p->start_ns;
              ends |= e->end_ns == p->end_ns;
            }
        }
      CHECK (starts && ends, "%s: receipt %" PRId64 ": projection %s is not the span of stored GPU records", file,
             r->id, p->name);
    }
}

/* Issue 15: every lane the profiler runs has a prediction. Read as the front
 * ends read (CW_RECEIPT_STORE_PLAN_MISSING), every ok receipt except a whole
 * external program has one, and it agrees; lanes of our own code
 * (index-mask, index-cache stages) agree byte for byte, because their
 * profiles name exactly what the lane allocates. */
static void
check_every_lane_predicted (const char *path, const char *file, unsigned *n_on_read)
{
  CwError err = CW_ERROR_INIT;
  CwReceiptStore *store = cw_receipt_store_open (path, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING,
                                                 &err);
  CwReceiptList *list;

  CHECK (store != NULL, "%s", err.message);
  if (store == NULL)
    return;
  list = cw_receipt_store_query (store, NULL, &err);
  CHECK (list != NULL, "%s", err.message);
  for (size_t i = 0; list && i < cw_receipt_list_get_n_items (list); i++)
    {
      const CwReceipt *r = cw_receipt_list_get (list, i);

      if (r->status != CW_RECEIPT_STATUS_OK || (cw_receipt_is_exec (r) && r->exec.range_name[0] == '\0'))
        continue;
      CHECK (r->predicted_peak_bytes > 0, "%s receipt %" PRId64 " (%s): no prediction", file, r->id, r->lane);
      CHECK (cw_receipt_peak_agrees (r), "%s receipt %" PRId64 " (%s): predicted %" PRIu64 " B, measured %" PRIu64 " B",
             file, r->id, r->lane, r->predicted_peak_bytes, r->measured_peak_bytes);
      if (r->prediction_on_read)
        {
          (*n_on_read)++;
          CHECK (strcmp (r->profile, cw_receipt_lane_get_profile (r->lane)) == 0, "%s receipt %" PRId64 ": profile %s",
                 file, r->id, r->profile);
          CHECK (r->predicted_peak_bytes == r->measured_peak_bytes,
                 "%s receipt %" PRId64 " (%s): planned on read %" PRIu64 " B, measured %" PRIu64 " B", file, r->id,
                 r->lane, r->predicted_peak_bytes, r->measured_peak_bytes);
        }
    }
  cw_receipt_list_free (list);
  cw_receipt_store_close (store);
}

int
main (void)
{
  const char *data = getenv ("CW_DATA_DIR");
  char dir[4096];
  DIR *d;
  struct dirent *ent;
  LaneStats stats[3];
  unsigned n_dbs = 0, n_receipts = 0, n_host_checked = 0, n_mask_ok = 0, n_planned_on_read = 0;

  memset (stats, 0, sizeof stats);
  if (data == NULL || data[0] == '\0')
    {
      fprintf (stderr, "CW_DATA_DIR is not set\n");
      return 1;
    }
  snprintf (dir, sizeof dir, "%s/receipts", data);
  d = opendir (dir);
  if (d == NULL)
    {
      fprintf (stderr, "%s: cannot open\n", dir);
      return 1;
    }
  while ((ent = readdir (d)) != NULL)
    {
      size_t len = strlen (ent->d_name);
      char path[8192];
      CwError err = CW_ERROR_INIT;
      CwReceiptStore *store;
      CwReceiptList *list;

      if (len < 4 || strcmp (ent->d_name + len - 3, ".db") != 0)
        continue;
      snprintf (path, sizeof path, "%s/%s", dir, ent->d_name);
      store = cw_receipt_store_open (path, CW_RECEIPT_STORE_READONLY, &err);
      CHECK (store != NULL, "%s", err.message);
      if (store == NULL)
        continue;
      n_dbs++;
      list = cw_receipt_store_query (store, NULL, &err);
      CHECK (list != NULL, "%s", err.message);
      for (size_t i = 0; list && i < cw_receipt_list_get_n_items (list); i++)
        {
          const CwReceipt *r = cw_receipt_list_get (list, i);
          CwReceipt *full = NULL;
          /* List results carry no arrays; the transfer checks need the payload buffer. */
          if (is_transfer_receipt (r))
            {
              full = cw_receipt_store_load (store, r->id, &err);
              CHECK (full != NULL, "%s: load %" PRId64 ": %s", ent->d_name, r->id, err.message);
              if (full)
                r = full;
            }
          check_receipt (ent->d_name, r, stats, &n_host_checked, &n_mask_ok);
          cw_receipt_free (full);
          n_receipts++;
        }
      for (size_t f = 0; list && f < sizeof real_phase_files / sizeof real_phase_files[0]; f++)
        {
          unsigned n_checked = 0;

          if (strcmp (ent->d_name, real_phase_files[f]) != 0)
            continue;
          for (size_t i = 0; i < cw_receipt_list_get_n_items (list); i++)
            {
              const CwReceipt *r = cw_receipt_list_get (list, i);
              CwReceipt *full;

              if (r->status == CW_RECEIPT_STATUS_OOM)
                continue;   /* never reached its compute step */
              full = cw_receipt_store_load (store, r->id, &err);
              CHECK (full != NULL, "%s: load %" PRId64 ": %s", ent->d_name, r->id, err.message);
              if (full)
                check_phases (ent->d_name, full);
              n_checked += full != NULL;
              cw_receipt_free (full);
            }
          CHECK (n_checked > 0, "%s: no receipt with a compute step", ent->d_name);
          fprintf (stderr, "%s: phase ranges checked on %u receipts\n", ent->d_name, n_checked);
        }
      /* One full load per file: the trace is there and consistent (for the
       * CUPTI-profiled receipts; the transfer lane's have no trace). */
      if (list && cw_receipt_list_get_n_items (list) > 0
          && cw_receipt_list_get (list, 0)->provenance.cupti_version != 0)
        {
          CwReceipt *full = cw_receipt_store_load (store, cw_receipt_list_get (list, 0)->id, &err);
          CHECK (full != NULL && full->n_events > 0, "%s: load: %s", ent->d_name, err.message);
          if (full && full->status == CW_RECEIPT_STATUS_OK)
            CHECK (cw_trace_live_peak (full->events, full->n_events) == full->measured_peak_bytes,
                   "%s: measured peak not reproducible from the stored trace", ent->d_name);
          /* The timeline's changes (both front ends draw them) reach the same peak. */
          if (full && full->status == CW_RECEIPT_STATUS_OK)
            {
              CwLiveChange *ch = NULL;
              size_t n_ch = 0;
              uint64_t cur = 0, top = 0;

              CHECK (cw_receipt_get_live_changes (full, &ch, &n_ch, &err), "%s", err.message);
              for (size_t c = 0; c < n_ch; c++)
                {
                  cur = ch[c].is_free ? cur - ch[c].bytes : cur + ch[c].bytes;
                  top = cur > top ? cur : top;
                }
              CHECK (top == full->measured_peak_bytes, "%s: timeline top %" PRIu64 " B, measured %" PRIu64 " B",
                     ent->d_name, top, full->measured_peak_bytes);
              free (ch);
            }
          cw_receipt_free (full);
        }
      cw_receipt_list_free (list);
      cw_receipt_store_close (store);
      check_every_lane_predicted (path, ent->d_name, &n_planned_on_read);
    }
  closedir (d);
  /* 2 index-mask receipts and the 30 index-transfer receipts predate their
   * profiles; the count moves only when receipts are re-measured. */
  CHECK (n_planned_on_read >= 32, "only %u receipts planned on read", n_planned_on_read);

  CHECK (n_dbs > 0, "no receipt databases in %s", dir);
  for (int i = 0; i < 3; i++)
    {
      CHECK (stats[i].n_ok > 0, "lane %s has no ok receipt", score_lanes[i]);
      CHECK (stats[i].n_oom > 0, "lane %s was not swept past its cliff (no oom receipt)", score_lanes[i]);
      for (int s = 0; s < 4; s++)
        if (stats[i].min_oom_sq[s] && stats[i].max_ok_sq[s])
          CHECK (stats[i].max_ok_sq[s] < stats[i].min_oom_sq[s],
                 "lane %s: ok at sq=%" PRIu64 " but oom at sq=%" PRIu64, score_lanes[i], stats[i].max_ok_sq[s],
                 stats[i].min_oom_sq[s]);
      fprintf (stderr, "%-12s ok %u, oom %u; V4 shape: largest ok sq %" PRIu64 ", smallest oom sq %" PRIu64 "\n",
               score_lanes[i], stats[i].n_ok, stats[i].n_oom, stats[i].max_ok_sq[0], stats[i].min_oom_sq[0]);
    }
  CHECK (n_transfer_recv > 0 && n_transfer_recv == n_transfer_recompute,
         "index-transfer: %u recv vs %u recompute receipts", n_transfer_recv, n_transfer_recompute);
  fprintf (stderr, "index-transfer: %u transfer + %u recompute receipts\n", n_transfer_recv, n_transfer_recompute);
  /* Issue 14: each engine profile is checked against at least six measured
   * shapes of its engine and one past its cliff. */
  CHECK (n_exec > 0, "no external-program receipts (data/receipts/h200-engines.db)");
  for (unsigned e = 0; e < n_engines; e++)
    {
      CHECK (engines[e].n_ok >= 6 && engines[e].n_shapes >= 3 && engines[e].n_oom >= 1,
             "engine %s: %u ok receipts over %u (b, h, d) shapes, %u oom", engines[e].profile, engines[e].n_ok,
             engines[e].n_shapes, engines[e].n_oom);
      fprintf (stderr, "engine %-14s ok %u (%u b/h/d shapes), oom %u\n", engines[e].profile, engines[e].n_ok,
               engines[e].n_shapes, engines[e].n_oom);
    }
  CHECK (n_host_checked > 0, "no index-mask-host-checked receipt");
  CHECK (n_mask_ok > 0, "no index-mask receipt");
  fprintf (stderr, "%u database(s), %u receipts, %d failure(s)\n", n_dbs, n_receipts, failures);
  return failures ? 1 : 0;
}
