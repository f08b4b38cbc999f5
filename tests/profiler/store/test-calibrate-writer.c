/* test-calibrate-writer.c: the contract between the index-transfer receipt
 * writer (profiler/transfer/cw-transfer-receipt.c, linked in as it is) and
 * the calibration reader (app/cli/cw-calibration.c). SYNTHETIC results (no
 * GPU runs here: cudaMemGetInfo may fail and only leaves provenance empty)
 * are written for rank 0 and rank 1 of a 2-rank run at three sizes; the
 * calibration must find exactly rank 1's recv and recompute receipts, with
 * the payload, times, FLOPs, run id, preset and link the writer was given. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cw-calibration.h"
#include "cw-planner.h"
#include "cw-transfer-receipt.h"

#include "../../cw-test.h"

int
main (void)
{
  char dir[] = "/tmp/cw-test-calibrate-writer-XXXXXX", db[256], run_id[37];
  const uint64_t sqs[3] = { 32000, 128000, 512000 };
  CwError e = CW_ERROR_INIT;
  CwCalibration *cal;

  if (mkdtemp (dir) == NULL)
    return 99;
  snprintf (db, sizeof db, "%s/transfer.db", dir);
  cw_transfer_receipt_new_run_id (run_id);
  for (int i = 0; i < 3; i++)
    for (int rank = 0; rank < 2; rank++)
      {
        CwTransferRequest req;
        CwTransferResult res;

        memset (&req, 0, sizeof req);
        memset (&res, 0, sizeof res);
        if (!cw_preset_lookup ("deepseek-v4-flash", &req.config, &e))
          {
            fprintf (stderr, "%s\n", e.message);
            return 1;
          }
        req.config.sq = sqs[i];
        req.repeats = 5;
        req.seed = 1;
        res.rank = rank;
        res.world_size = 2;
        res.payload_bytes = sqs[i] * 512 * 4;
        res.full_layer_s = 0.5;
        res.send_s = 1.0;                                   /* sender side: not the transfer time */
        res.recv_s = 20e-6 + (double) res.payload_bytes / 200e9;
        res.shared_s = 1e-4;
        res.recompute_s = 0.001 * (double) (i + 1);
        res.recompute_flops = 1e12 * (double) (i + 1) * (double) (i + 1);   /* 1000, 2000, 3000 TFLOP/s */
        snprintf (res.gpu_name, sizeof res.gpu_name, "NVIDIA H200");
        snprintf (res.gpu_uuid, sizeof res.gpu_uuid, "GPU-test-%d", rank);
        snprintf (res.link, sizeof res.link, "NVLink (P2P)");
        if (!cw_transfer_receipt_write (db, "deepseek-v4-flash", run_id, &req, &res, &e))
          {
            fprintf (stderr, "write: %s\n", e.message);
            return 1;
          }
      }

  cal = cw_calibration_new_from_db (db, NULL, NULL, &e);
  CHECK (cal != NULL, "calibration: %s", e.message);
  if (cal != NULL)
    {
      CHECK (cw_calibration_get_n_transfer (cal) == 3 && cw_calibration_get_n_recompute (cal) == 3,
             "rank 1's receipts only: %zu transfer, %zu recompute", cw_calibration_get_n_transfer (cal),
             cw_calibration_get_n_recompute (cal));
      CHECK (cw_calibration_get_n_runs (cal) == 1 && strcmp (cw_calibration_get_run_id (cal, 0), run_id) == 0,
             "one run, the writer's id");
      CHECK (strcmp (cw_calibration_get_link (cal), "NVLink (P2P)") == 0, "link '%s'", cw_calibration_get_link (cal));
      CHECK (strcmp (cw_calibration_get_gpu_name (cal), "NVIDIA H200") == 0, "gpu");
      for (size_t i = 0; i < cw_calibration_get_n_transfer (cal) && i < 3; i++)
        {
          const CwCalibrationPoint *t = cw_calibration_get_transfer (cal, i);
          const CwCalibrationPoint *r = cw_calibration_get_recompute (cal, i);
          double want_t = 20e-6 + (double) (sqs[i] * 2048) / 200e9;
          CHECK (t->payload_bytes == sqs[i] * 2048 && t->config.sq == sqs[i], "point %zu payload", i);
          CHECK (fabs (t->seconds - want_t) <= 0.5e-9, "point %zu transfer %.12g want %.12g", i, t->seconds, want_t);
          CHECK (strcmp (t->preset, "deepseek-v4-flash") == 0 && strcmp (t->link, "NVLink (P2P)") == 0,
                 "point %zu preset '%s' link '%s'", i, t->preset, t->link);
          CHECK (fabs (r->seconds - 0.001 * (double) (i + 1)) <= 0.5e-9 && r->flops == 1e12 * (double) ((i + 1) * (i + 1)),
                 "point %zu recompute", i);
          CHECK (strcmp (t->gpu_uuid, "GPU-test-1") == 0 && strcmp (r->gpu_uuid, "GPU-test-1") == 0, "rank 1's GPU");
        }
      /* Three sizes on one line: 200 GB/s and 20 us back, within ns rounding. */
      CHECK (fabs (cw_calibration_get_link_bytes_per_s (cal) / 200e9 - 1) < 1e-6, "bandwidth %.9g",
             cw_calibration_get_link_bytes_per_s (cal));
      CHECK (fabs (cw_calibration_get_link_latency_s (cal) / 20e-6 - 1) < 1e-3, "latency %.9g",
             cw_calibration_get_link_latency_s (cal));
      CHECK (fabs (cw_calibration_get_flops_per_s (cal) / 2000e12 - 1) < 1e-9, "median %.9g",
             cw_calibration_get_flops_per_s (cal));
      {
        CwConfig c;
        double mt = 0, mr = 0;
        const char *run = NULL;
        cw_preset_lookup ("deepseek-v4-flash", &c, &e);
        c.sq = 128000;
        CHECK (cw_calibration_find_measured (cal, &c, 128000 * 2048, &mt, &mr, &run) && fabs (mr - 0.002) < 1e-9 &&
               run != NULL && strcmp (run, run_id) == 0, "measured pair at sq 128000");
        CHECK (!cw_calibration_find_measured (cal, &c, 128000 * 2048 * 2, &mt, &mr, &run), "other payload: none");
      }
      cw_calibration_free (cal);
    }
  unlink (db);
  {
    char side[300];
    snprintf (side, sizeof side, "%s-wal", db);
    unlink (side);
    snprintf (side, sizeof side, "%s-shm", db);
    unlink (side);
  }
  rmdir (dir);
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
