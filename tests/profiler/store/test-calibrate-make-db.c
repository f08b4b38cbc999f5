/* test-calibrate-make-db.c: test helper: writes SYNTHETIC index-transfer
 * receipts with known sizes and times into a receipt database, the way
 * profiler/transfer/cw-transfer-receipt.c lays them out (lanes, "payload"
 * buffer, run id in sweep_id, link in the note). For the calibration tests
 * only: these numbers are constructed, never measured, and never committed.
 *
 * Usage: test-calibrate-make-db OUT.db MODE
 *   nvlink    link 100 GB/s + 10 us; V4-Flash at sq 32000/128000/512000
 *             (recompute 200/300/400 TFLOP/s), V3.2 at sq 32000/128000
 *             (500 TFLOP/s); rank-0 receipts too (must be ignored)
 *   slow      link 1 GB/s + 50 us; V4-Flash at sq 32000/128000 (200 TFLOP/s)
 *   one-size  V4-Flash sq 32000 twice: 665360 ns and 675360 ns
 *   two-gpus  the nvlink V4-Flash points on "NVIDIA H200" and one on "NVIDIA H100"
 *   two-links V4-Flash sq 32000 over "NVLink (P2P)", sq 128000 over "PCIe (P2P)"
 *   no-flops  one transfer + one recompute receipt whose FLOP count is 0
 *   recv-only transfer receipts without their recompute twins
 * Payload = b * sq * top_k * 4 B; sizes are multiples of 100 B so that every
 * time is a whole number of ns at 100 GB/s (receipts store ns). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-planner.h"
#include "cw-receipt-store.h"

static CwReceiptStore *store;
static int64_t clock_ns = 1763856000000000000ll;

static void
die (const char *what, const CwError *e)
{
  fprintf (stderr, "test-calibrate-make-db: %s: %s\n", what, e ? e->message : "");
  exit (1);
}

static CwConfig
preset_config (const char *preset, uint64_t sq)
{
  CwConfig c;
  CwError e = CW_ERROR_INIT;

  if (!cw_preset_lookup (preset, &c, &e))
    die ("preset", &e);
  c.sq = sq;
  if (c.ratio == 0)
    c.sk = sq;
  return c;
}

/* Planner FLOPs of one full layer (what the recompute's rate is built on). */
static double
planner_flops (const CwConfig *c)
{
  CwIndexCacheConfig ic;
  CwIndexCachePlan *p;
  CwError e = CW_ERROR_INIT;
  double f;

  cw_index_cache_config_init (&ic);
  ic.n_layers = 1;
  ic.link_bytes_per_s = 1;
  ic.flops_per_s = 1;
  if ((p = cw_index_cache_plan_new (c, &ic, &e)) == NULL)
    die ("plan", &e);
  f = cw_index_cache_plan_get_recompute_flops (p);
  cw_index_cache_plan_free (p);
  return f;
}

static void
add (const char *lane, const char *preset, const char *run, const char *gpu, const char *link, const CwConfig *c,
     uint64_t lane_ns, double flops)
{
  CwReceipt *r = cw_receipt_new ();
  CwError e = CW_ERROR_INIT;
  uint64_t payload = c->b * c->sq * c->top_k * 4;

  CW_RECEIPT_SET (r->lane, lane);
  CW_RECEIPT_SET (r->sweep_id, run);
  r->config = *c;
  CW_RECEIPT_SET (r->provenance.gpu_name, gpu);
  snprintf (r->provenance.gpu_uuid, sizeof r->provenance.gpu_uuid, "GPU-synthetic-%s", gpu + strlen (gpu) - 4);
  CW_RECEIPT_SET (r->provenance.host, "synthetic-test");
  r->provenance.time_unix_ns = (clock_ns += 1000000000ll);
  r->lane_ns = lane_ns;
  if (flops > 0)
    {
      r->flops = flops;
      r->tflops = flops / ((double) lane_ns * 1e-9) / 1e12;
    }
  snprintf (r->note, sizeof r->note, "index-transfer %s rank 1/2, %s, link %s, median of 5 (synthetic test data)",
            preset, lane, link);
  if (!cw_receipt_add_buffer (r, "payload", payload, false, &e) || cw_receipt_store_insert (store, r, &e) <= 0)
    die ("insert", &e);
  cw_receipt_free (r);
}

/* One configuration of one run: rank-0 send + full layer, rank-1 recv +
 * shared + recompute. Transfer time = latency + payload / bandwidth;
 * recompute time = planner FLOPs / rate; both rounded to ns. */
static void
point (const char *preset, const char *run, const char *gpu, const char *link, uint64_t sq, double bytes_per_s,
       double latency_s, double flops_per_s, bool twins)
{
  CwConfig c = preset_config (preset, sq);
  double payload = (double) (c.b * c.sq * c.top_k * 4), flops = planner_flops (&c);
  uint64_t t_ns = (uint64_t) llround ((latency_s + payload / bytes_per_s) * 1e9);

  add ("index-full-layer", preset, run, gpu, link, &c, 999999, flops);
  add ("index-transfer-send", preset, run, gpu, link, &c, t_ns / 2, 0);   /* sender side: ignored */
  add ("index-transfer-recv", preset, run, gpu, link, &c, t_ns, 0);
  if (twins)
    {
      add ("index-shared", preset, run, gpu, link, &c, 1000, 0);
      add ("index-recompute", preset, run, gpu, link, &c, (uint64_t) llround (flops / flops_per_s * 1e9), flops);
    }
}

int
main (int argc, char **argv)
{
  CwError e = CW_ERROR_INIT;
  const char *mode;
  const char *run_a = "00000000-0000-4000-8000-00000000000a";
  const char *run_b = "00000000-0000-4000-8000-00000000000b";
  const char *nv = "NVLink (P2P)";

  if (argc != 3)
    {
      fprintf (stderr, "usage: test-calibrate-make-db OUT.db MODE\n");
      return 2;
    }
  mode = argv[2];
  store = cw_receipt_store_open (argv[1], CW_RECEIPT_STORE_CREATE, &e);
  if (store == NULL)
    die ("open", &e);
  if (strcmp (mode, "nvlink") == 0 || strcmp (mode, "two-gpus") == 0)
    {
      point ("deepseek-v4-flash", run_a, "NVIDIA H200", nv, 32000, 100e9, 10e-6, 200e12, true);
      point ("deepseek-v4-flash", run_a, "NVIDIA H200", nv, 128000, 100e9, 10e-6, 300e12, true);
      point ("deepseek-v4-flash", run_a, "NVIDIA H200", nv, 512000, 100e9, 10e-6, 400e12, true);
      if (strcmp (mode, "nvlink") == 0)
        {
          point ("deepseek-v3.2", run_b, "NVIDIA H200", nv, 32000, 100e9, 10e-6, 500e12, true);
          point ("deepseek-v3.2", run_b, "NVIDIA H200", nv, 128000, 100e9, 10e-6, 500e12, true);
        }
      else
        point ("deepseek-v4-flash", run_b, "NVIDIA H100 80GB HBM3", nv, 32000, 50e9, 10e-6, 100e12, true);
    }
  else if (strcmp (mode, "slow") == 0)
    {
      point ("deepseek-v4-flash", run_a, "NVIDIA H200", nv, 32000, 1e9, 50e-6, 200e12, true);
      point ("deepseek-v4-flash", run_a, "NVIDIA H200", nv, 128000, 1e9, 50e-6, 200e12, true);
    }
  else if (strcmp (mode, "one-size") == 0)
    {
      point ("deepseek-v4-flash", run_a, "NVIDIA H200", nv, 32000, 100e9, 10e-6, 200e12, true);
      point ("deepseek-v4-flash", run_b, "NVIDIA H200", nv, 32000, 100e9, 20e-6, 200e12, true);
    }
  else if (strcmp (mode, "two-links") == 0)
    {
      point ("deepseek-v4-flash", run_a, "NVIDIA H200", nv, 32000, 100e9, 10e-6, 200e12, true);
      point ("deepseek-v4-flash", run_b, "NVIDIA H200", "PCIe (P2P)", 128000, 20e9, 10e-6, 200e12, true);
    }
  else if (strcmp (mode, "no-flops") == 0)
    {
      CwConfig c = preset_config ("deepseek-v4-flash", 32000);
      add ("index-transfer-recv", "deepseek-v4-flash", run_a, "NVIDIA H200", nv, &c, 665360, 0);
      add ("index-recompute", "deepseek-v4-flash", run_a, "NVIDIA H200", nv, &c, 1000000, 0);
    }
  else if (strcmp (mode, "recv-only") == 0)
    {
      point ("deepseek-v4-flash", run_a, "NVIDIA H200", nv, 32000, 100e9, 10e-6, 200e12, false);
      point ("deepseek-v4-flash", run_a, "NVIDIA H200", nv, 128000, 100e9, 10e-6, 200e12, false);
    }
  else
    {
      fprintf (stderr, "test-calibrate-make-db: unknown mode '%s'\n", mode);
      return 2;
    }
  cw_receipt_store_close (store);
  return 0;
}
