/* cw-transfer-receipt.c: CwTransferResult → receipts (see the header). */
#include "cw-transfer-receipt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cuda_runtime_api.h>

#include "cw-receipt-store.h"
#include "cw-receipt.h"

void
cw_transfer_receipt_new_run_id (char out[37])
{
  cw_receipt_uuid_generate (out);
}

bool
cw_transfer_receipt_expand_path (const char *pattern, int rank, char *out, size_t out_size, CwError *error)
{
  size_t n = 0;

  for (const char *p = pattern; *p; p++)
    {
      char piece[16];
      const char *add = piece;
      if (p[0] == '%' && p[1] == 'r')
        {
          snprintf (piece, sizeof piece, "%d", rank);
          p++;
        }
      else if (p[0] == '%' && p[1] == '%')
        {
          strcpy (piece, "%");
          p++;
        }
      else
        {
          piece[0] = *p;
          piece[1] = '\0';
        }
      if (n + strlen (add) + 1 > out_size)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--db: path too long: %s", pattern);
          return false;
        }
      memcpy (out + n, add, strlen (add));
      n += strlen (add);
    }
  out[n] = '\0';
  return true;
}

static void
fill_provenance (CwReceipt *r, const CwTransferResult *res)
{
  size_t free_b = 0, total_b = 0;
  int v = 0;

  CW_RECEIPT_SET (r->provenance.gpu_name, res->gpu_name);
  CW_RECEIPT_SET (r->provenance.gpu_uuid, res->gpu_uuid);
  if (cudaMemGetInfo (&free_b, &total_b) == cudaSuccess)
    r->provenance.hbm_total_bytes = total_b;
  if (cudaDriverGetVersion (&v) == cudaSuccess)
    {
      r->provenance.cuda_driver_version = v;
      snprintf (r->provenance.driver_version, sizeof r->provenance.driver_version, "CUDA %d.%d", v / 1000,
                (v % 1000) / 10);
    }
  if (cudaRuntimeGetVersion (&v) == cudaSuccess)
    r->provenance.cuda_runtime_version = v;
  gethostname (r->provenance.host, sizeof r->provenance.host - 1);
}

static bool
add_one (CwReceiptStore *store, const char *lane, const char *preset, const char *run_id,
         const CwTransferRequest *req, const CwTransferResult *res, double seconds, uint64_t peak,
         double flops, CwError *error)
{
  CwReceipt *r = cw_receipt_new ();
  bool ok;

  if (r == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of host memory");
      return false;
    }
  CW_RECEIPT_SET (r->lane, lane);
  CW_RECEIPT_SET (r->profile, "");
  CW_RECEIPT_SET (r->sweep_id, run_id);
  r->config = req->config;
  r->status = CW_RECEIPT_STATUS_OK;
  fill_provenance (r, res);
  r->lane_ns = (uint64_t) (seconds * 1e9 + 0.5);
  r->measured_peak_bytes = peak;
  r->memgetinfo_delta_bytes = res->memgetinfo_delta_bytes;
  if (flops > 0 && seconds > 0)
    {
      r->flops = flops;
      r->tflops = flops / seconds / 1e12;
    }
  snprintf (r->note, sizeof r->note, "index-transfer %s rank %d/%d, %s, link %s, median of %u", preset, res->rank,
            res->world_size, lane, res->link, req->repeats);
  /* The prediction replaces the buffer list with the profile's; the payload
   * is one of its buffers (idx, or cache_idx on a receiver). */
  ok = cw_receipt_predict_from_lane (r, error) && cw_receipt_store_insert (store, r, error) != 0;
  cw_receipt_free (r);
  return ok;
}

bool
cw_transfer_receipt_write (const char *db_path, const char *preset, const char *run_id,
                           const CwTransferRequest *req, const CwTransferResult *res, CwError *error)
{
  CwReceiptStore *store = cw_receipt_store_open (db_path, CW_RECEIPT_STORE_CREATE, error);
  bool ok = true;

  if (store == NULL)
    return false;
  if (res->rank == 0)
    ok = add_one (store, "index-full-layer", preset, run_id, req, res, res->full_layer_s, res->peak_sender_bytes,
                  res->recompute_flops, error);
  if (ok && res->rank < res->world_size - 1)
    ok = add_one (store, "index-transfer-send", preset, run_id, req, res, res->send_s, res->peak_sender_bytes, 0,
                  error);
  if (ok && res->rank > 0)
    ok = add_one (store, "index-transfer-recv", preset, run_id, req, res, res->recv_s, res->peak_shared_bytes, 0,
                  error)
         && add_one (store, "index-shared", preset, run_id, req, res, res->shared_s, res->peak_shared_bytes, 0,
                     error)
         && add_one (store, "index-recompute", preset, run_id, req, res, res->recompute_s,
                     res->peak_promoted_bytes, res->recompute_flops, error);
  cw_receipt_store_close (store);
  return ok;
}
