/* cw-transfer-receipt.h: index-transfer measurements as receipts.
 *
 * One configuration on one rank becomes one receipt per thing measured, all
 * sharing the run id (stored as the receipt's sweep_id) so a merged
 * database links the ranks of one run:
 *   index-transfer-send  rank < world-1: ncclSend of the payload (lane time = send time)
 *   index-transfer-recv  rank > 0: ncclRecv of the payload (lane time = transfer time)
 *   index-shared         rank > 0: index-cache step reusing the received payload
 *   index-recompute      rank > 0: the same step failing closed: promoted recompute
 *                        (flops and TFLOP/s set)
 *   index-full-layer     rank 0: the full indexer layer that produced the payload
 * Each carries a buffer "payload" with the payload bytes, so the transfer
 * rate is payload / lane time; `cliffwatch-cli calibrate` reads them back. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cw-error.h"
#include "cw-index-transfer.h"

#ifdef __cplusplus
extern "C" {
#endif

void cw_transfer_receipt_new_run_id (char out[37]);
/* PATH with every "%r" replaced by the rank ("%%" is a literal %). */
bool cw_transfer_receipt_expand_path (const char *pattern, int rank, char *out, size_t out_size, CwError *error);
bool cw_transfer_receipt_write (const char *db_path, const char *preset, const char *run_id,
                                const CwTransferRequest *request, const CwTransferResult *result, CwError *error);

#ifdef __cplusplus
}
#endif
