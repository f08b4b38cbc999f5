/* cw-index-transfer.h: the index-transfer lane — ship a layer's top-k
 * indices across a pipeline-stage boundary with NCCL, or recompute them on
 * the far side, and measure both.
 *
 * One process per GPU (rank r drives local GPU local_rank). Rank 0 is stage 0:
 * it runs a full indexer layer (the streaming lane) and sends the top-k index
 * payload (int32 [b, sq, k]) to rank 1. Every rank r > 0 is the first
 * consumer on stage r: it receives the payload from rank r - 1 (and forwards
 * it to r + 1), then runs the index-cache step twice on the same inputs:
 *   shared    cache_valid = 1: reuses the received indices;
 *   promoted  cache_valid = 0: fails closed and recomputes the layer.
 * The validity flag lives on the device and the step is the graph-safe
 * cw_index_cache_reuse, so both variants are the same captured program.
 * The recomputed indices must equal the received ones bit for bit (all ranks
 * draw the same inputs from the same seed and the kernels are deterministic).
 *
 * NCCL is the transport; the only out-of-band exchange is the 128-byte
 * ncclUniqueId, through a file on a filesystem every rank sees (the way a
 * Slurm job on a shared filesystem would do it). NVLink multicast stays off
 * (NCCL_NVLS_ENABLE=0 is forced before NCCL starts). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-error.h"
#include "cw-rank-env.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwTransferSession CwTransferSession;

typedef struct {
  CwConfig config;       /* indexer shape; chunk_budget_bytes is the streaming budget */
  unsigned repeats;      /* timed repetitions (median reported); >= 1 */
  uint64_t seed;         /* input values, identical on every rank */
} CwTransferRequest;

/* What one rank measured for one configuration. Times are medians over the
 * repeats, from CUDA events on this rank's stream. */
typedef struct {
  int      rank;
  int      world_size;
  uint64_t payload_bytes;      /* int32 [b, sq, k] */
  double   full_layer_s;       /* rank 0: the full indexer layer (streaming lane) */
  double   send_s;             /* rank < world-1: ncclSend of the payload, on the sender */
  double   recv_s;             /* rank > 0: ncclRecv of the payload, on the receiver (the transfer time) */
  double   recv_gbps;          /* payload_bytes / recv_s / 1e9 */
  double   shared_s;           /* rank > 0: index-cache step, valid cache (reuse) */
  double   recompute_s;        /* rank > 0: index-cache step, no valid cache (promoted recompute) */
  double   recompute_flops;    /* useful FLOPs of the recompute (causal-aware) */
  int      promoted_shared;    /* device flag after the shared step (expect 0) */
  int      promoted_recompute; /* device flag after the promoted step (expect 1) */
  bool     recompute_matches;  /* promoted indices == received indices, bit for bit */
  uint64_t peak_shared_bytes;    /* bytes the reuse path needs: inputs, payload, output, flags (our
                                  * allocations), without the streaming workspace that the graph-safe
                                  * step keeps allocated for a device-decided promotion */
  uint64_t peak_promoted_bytes;  /* high-water mark of our allocations, streaming workspace included */
  uint64_t peak_sender_bytes;    /* rank 0: lane buffers live while computing + sending */
  int64_t  memgetinfo_delta_bytes; /* cudaMemGetInfo used-bytes growth over the run (includes NCCL's own buffers) */
  char     gpu_name[128];
  char     gpu_uuid[64];
  char     link[64];           /* "NVLink (P2P)", "PCIe (P2P)" or "no P2P", from cudaDeviceCanAccessPeer + attributes */
} CwTransferResult;

/* Joins the job: picks the GPU (local_rank % device count), exchanges the
 * NCCL id through `rendezvous_path` (rank 0 writes it atomically, the others
 * wait up to timeout_s for it), creates the communicator. */
CwTransferSession *cw_transfer_session_new (const CwRankEnv *env, const char *rendezvous_path,
                                            double timeout_s, CwError *error);
void               cw_transfer_session_free (CwTransferSession *session);

/* Runs one configuration on every rank (collective: all ranks call it with
 * the same request). */
bool cw_transfer_session_run (CwTransferSession *session, const CwTransferRequest *request,
                              CwTransferResult *result, CwError *error);

#ifdef __cplusplus
}
#endif
