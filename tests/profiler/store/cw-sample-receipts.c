/* cw-sample-receipts.c: test helper: writes a small receipt database with
 * known contents (synthetic, for the CLI tests; never committed as data).
 *
 * Usage: cw-sample-receipts OUT.db SEED N
 * Receipt i (0-based): lane materialize/fused/streaming by i % 3, sq = 4096 << i,
 * status oom when i == 4, predicted = 1000000000 + i, measured = predicted + 1000
 * (agrees) except i == 2 where measured = predicted + 100000000 (disagrees). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-receipt-store.h"

int
main (int argc, char **argv)
{
  const char *lanes[3] = { "materialize", "fused", "streaming" };
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store;
  unsigned seed, n;

  if (argc != 4)
    {
      fprintf (stderr, "usage: cw-sample-receipts OUT.db SEED N\n");
      return 2;
    }
  seed = (unsigned) strtoul (argv[2], NULL, 10);
  n = (unsigned) strtoul (argv[3], NULL, 10);
  store = cw_receipt_store_open (argv[1], CW_RECEIPT_STORE_CREATE, &error);
  if (store == NULL)
    {
      fprintf (stderr, "%s\n", error.message);
      return 1;
    }
  for (unsigned i = 0; i < n; i++)
    {
      CwReceipt *r = cw_receipt_new ();
      CwTraceEvent ev = { 0 };

      cw_config_init_default (&r->config);
      r->config.sq = 4096ull << i;
      r->config.sk = r->config.sq;
      CW_RECEIPT_SET (r->lane, lanes[i % 3]);
      CW_RECEIPT_SET (r->profile, lanes[i % 3]);
      snprintf (r->sweep_id, sizeof r->sweep_id, "sweep-%u", seed);
      snprintf (r->note, sizeof r->note, "sample seed %u index %u, \"quoted\", comma", seed, i);
      CW_RECEIPT_SET (r->provenance.gpu_name, "NVIDIA H200");
      CW_RECEIPT_SET (r->provenance.host, "sample-host");
      r->provenance.time_unix_ns = 1763856000000000000ll + (int64_t) i * 1000000000ll;
      r->predicted_peak_bytes = 1000000000ull + i;
      r->measured_peak_bytes = r->predicted_peak_bytes + (i == 2 ? 100000000ull : 1000ull);
      r->lane_ns = 1000000ull * (i + 1);
      if (i == 4)
        {
          r->status = CW_RECEIPT_STATUS_OOM;
          r->oom_request_bytes = 274877906944ull;
          CW_RECEIPT_SET (r->error_message, "cudaErrorMemoryAllocation");
        }
      cw_receipt_add_buffer (r, "q", 1000, true, NULL);
      cw_receipt_add_phase (r, "score", 2000, NULL);
      ev.kind = CW_TRACE_KERNEL;
      ev.name = "score_kernel";
      ev.start_ns = 100;
      ev.end_ns = 200;
      cw_receipt_add_event (r, &ev, NULL);
      if (cw_receipt_store_insert (store, r, &error) <= 0)
        {
          fprintf (stderr, "%s\n", error.message);
          return 1;
        }
      cw_receipt_free (r);
    }
  cw_receipt_store_close (store);
  return 0;
}
