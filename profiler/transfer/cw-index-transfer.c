/* cw-index-transfer.c: NCCL send/recv of the index payload vs. a fail-closed
 * recompute on the consumer stage. See cw-index-transfer.h. */
#include "cw-index-transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cuda_runtime_api.h>
#include <nccl.h>

#include "cw-kernels.h"
#include "cw-lane-fill-private.h"

struct _CwTransferSession {
  CwRankEnv    env;
  int          device;
  ncclComm_t   comm;
  cudaStream_t stream;
  int         *barrier_word;   /* device int for the all-reduce barrier */
  char         gpu_name[128];
  char         gpu_uuid[64];
  char         link[64];
};

#define CUDA_OK(call, what)                                                                       \
  do {                                                                                            \
    cudaError_t cw_err_ = (call);                                                                 \
    if (cw_err_ != cudaSuccess)                                                                   \
      {                                                                                           \
        cw_error_set (error, cw_err_ == cudaErrorMemoryAllocation ? CW_ERROR_OOM : CW_ERROR_CUDA,  \
                      "rank %d: %s: %s (%s)", session->env.rank, what, cudaGetErrorName (cw_err_), \
                      cudaGetErrorString (cw_err_));                                              \
        goto out;                                                                                 \
      }                                                                                           \
  } while (0)

#define NCCL_OK(call, what)                                                                       \
  do {                                                                                            \
    ncclResult_t cw_nerr_ = (call);                                                               \
    if (cw_nerr_ != ncclSuccess)                                                                  \
      {                                                                                           \
        cw_error_set (error, CW_ERROR_CUDA, "rank %d: %s: NCCL error %d (%s)", session->env.rank,  \
                      what, (int) cw_nerr_, ncclGetErrorString (cw_nerr_));                       \
        goto out;                                                                                 \
      }                                                                                           \
  } while (0)

/* ---- rendezvous: the ncclUniqueId through a shared file ------------------ */

static bool
write_id_file (const char *path, const ncclUniqueId *id, CwError *error)
{
  char tmp[4096];
  int fd;
  ssize_t n;

  if (snprintf (tmp, sizeof tmp, "%s.tmp.%ld", path, (long) getpid ()) >= (int) sizeof tmp)
    {
      cw_error_set (error, CW_ERROR_INVALID, "rendezvous path too long: %s", path);
      return false;
    }
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    {
      cw_error_set (error, CW_ERROR_IO, "cannot create %s: %s", tmp, strerror (errno));
      return false;
    }
  n = write (fd, id, sizeof *id);
  if (n != (ssize_t) sizeof *id || fsync (fd) != 0)
    {
      cw_error_set (error, CW_ERROR_IO, "cannot write %s: %s", tmp, strerror (errno));
      close (fd);
      unlink (tmp);
      return false;
    }
  close (fd);
  /* rename is atomic: a waiting rank sees either no file or the whole id. */
  if (rename (tmp, path) != 0)
    {
      cw_error_set (error, CW_ERROR_IO, "cannot publish %s: %s", path, strerror (errno));
      unlink (tmp);
      return false;
    }
  return true;
}

static bool
read_id_file (const char *path, double timeout_s, ncclUniqueId *id, CwError *error)
{
  struct timespec nap = { 0, 20 * 1000 * 1000 };
  double waited = 0.0;

  for (;;)
    {
      int fd = open (path, O_RDONLY);
      if (fd >= 0)
        {
          ssize_t n = read (fd, id, sizeof *id);
          close (fd);
          if (n == (ssize_t) sizeof *id)
            return true;
          cw_error_set (error, CW_ERROR_CORRUPT, "rendezvous file %s holds %zd bytes, not an NCCL id (%zu)",
                        path, n, sizeof *id);
          return false;
        }
      if (errno != ENOENT)
        {
          cw_error_set (error, CW_ERROR_IO, "cannot read %s: %s", path, strerror (errno));
          return false;
        }
      if (waited >= timeout_s)
        {
          cw_error_set (error, CW_ERROR_IO, "rank 0 did not publish %s within %.0f s", path, timeout_s);
          return false;
        }
      nanosleep (&nap, NULL);
      waited += 0.02;
    }
}

/* ---- session ---------------------------------------------------------------- */

static void
describe_link (CwTransferSession *session)
{
  int n = 0, peer, can = 0, perf = 0;

  snprintf (session->link, sizeof session->link, "single GPU");
  if (cudaGetDeviceCount (&n) != cudaSuccess || n < 2)
    return;
  peer = (session->device + 1) % n;
  if (cudaDeviceCanAccessPeer (&can, session->device, peer) != cudaSuccess || !can)
    {
      snprintf (session->link, sizeof session->link, "no P2P (NCCL goes through the host)");
      return;
    }
  /* Performance rank 0 is the best path the driver knows (NVLink on SXM
   * boards); the exact link type is not in the runtime API, so say what we know. */
  if (cudaDeviceGetP2PAttribute (&perf, cudaDevP2PAttrPerformanceRank, session->device, peer) == cudaSuccess)
    snprintf (session->link, sizeof session->link, "P2P, performance rank %d", perf);
  else
    snprintf (session->link, sizeof session->link, "P2P");
}

static bool
barrier (CwTransferSession *session, CwError *error)
{
  bool ok = false;
  NCCL_OK (ncclAllReduce (session->barrier_word, session->barrier_word, 1, ncclInt32, ncclSum, session->comm,
                          session->stream), "barrier all-reduce");
  CUDA_OK (cudaStreamSynchronize (session->stream), "barrier synchronize");
  ok = true;
out:
  return ok;
}

CwTransferSession *
cw_transfer_session_new (const CwRankEnv *env, const char *rendezvous_path, double timeout_s, CwError *error)
{
  CwTransferSession *session = calloc (1, sizeof *session);
  ncclUniqueId id;
  int n_devices = 0;
  struct cudaDeviceProp prop;
  bool ok = false, comm_made = false;

  if (session == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of host memory");
      return NULL;
    }
  session->env = *env;
  /* NVLink multicast can take a shared host's GPUs out of service: never on. */
  setenv ("NCCL_NVLS_ENABLE", "0", 1);

  CUDA_OK (cudaGetDeviceCount (&n_devices), "cudaGetDeviceCount");
  if (n_devices < 1)
    {
      cw_error_set (error, CW_ERROR_CUDA, "rank %d: no CUDA device", env->rank);
      goto out;
    }
  session->device = env->local_rank % n_devices;
  CUDA_OK (cudaSetDevice (session->device), "cudaSetDevice");
  CUDA_OK (cudaGetDeviceProperties (&prop, session->device), "cudaGetDeviceProperties");
  snprintf (session->gpu_name, sizeof session->gpu_name, "%.127s", prop.name);
  {
    const unsigned char *u = (const unsigned char *) prop.uuid.bytes;
    snprintf (session->gpu_uuid, sizeof session->gpu_uuid,
              "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
              u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  }
  describe_link (session);
  CUDA_OK (cudaStreamCreateWithFlags (&session->stream, cudaStreamNonBlocking), "cudaStreamCreate");
  CUDA_OK (cudaMalloc ((void **) &session->barrier_word, sizeof (int)), "cudaMalloc barrier");
  CUDA_OK (cudaMemset (session->barrier_word, 0, sizeof (int)), "cudaMemset barrier");

  if (env->rank == 0)
    {
      NCCL_OK (ncclGetUniqueId (&id), "ncclGetUniqueId");
      if (env->world_size > 1 && !write_id_file (rendezvous_path, &id, error))
        goto out;
    }
  else if (!read_id_file (rendezvous_path, timeout_s, &id, error))
    goto out;

  NCCL_OK (ncclCommInitRank (&session->comm, env->world_size, id, env->rank), "ncclCommInitRank");
  comm_made = true;
  if (!barrier (session, error))
    goto out;
  /* Every rank has joined: the id file has done its job. */
  if (env->rank == 0 && env->world_size > 1)
    unlink (rendezvous_path);
  ok = true;
out:
  if (!ok)
    {
      if (!comm_made)
        session->comm = NULL;
      cw_transfer_session_free (session);
      return NULL;
    }
  return session;
}

void
cw_transfer_session_free (CwTransferSession *session)
{
  if (session == NULL)
    return;
  if (session->comm != NULL)
    ncclCommDestroy (session->comm);
  if (session->barrier_word != NULL)
    cudaFree (session->barrier_word);
  if (session->stream != NULL)
    cudaStreamDestroy (session->stream);
  free (session);
}

/* ---- lane buffers: every allocation counted, so peaks are exact ---------- */

typedef struct {
  uint64_t live;
  uint64_t high;
} Tally;

static cudaError_t
tally_malloc (Tally *tally, void **ptr, uint64_t bytes)
{
  cudaError_t err;

  *ptr = NULL;
  if (bytes == 0)
    return cudaSuccess;
  err = cudaMalloc (ptr, bytes);
  if (err == cudaSuccess)
    {
      tally->live += bytes;
      if (tally->live > tally->high)
        tally->high = tally->live;
    }
  return err;
}

static void
tally_free (Tally *tally, void **ptr, uint64_t bytes)
{
  if (*ptr == NULL)
    return;
  cudaFree (*ptr);
  *ptr = NULL;
  tally->live -= bytes;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v, unsigned n)
{
  qsort (v, n, sizeof v[0], cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static uint64_t
used_bytes (void)
{
  size_t free_b = 0, total_b = 0;
  if (cudaMemGetInfo (&free_b, &total_b) != cudaSuccess)
    return 0;
  return (uint64_t) (total_b - free_b);
}

bool
cw_transfer_session_run (CwTransferSession *session, const CwTransferRequest *request, CwTransferResult *result,
                         CwError *error)
{
  const CwRankEnv *env = &session->env;
  const bool sender = env->rank < env->world_size - 1;
  const bool receiver = env->rank > 0;
  CwKernelShape shape;
  uint64_t n_q, n_k, n_w, n_idx, qk_bytes, ws_bytes = 0, budget, used_before;
  void *q = NULL, *k = NULL, *w = NULL, *ws = NULL, *idx = NULL, *cache_idx = NULL;
  void *flags = NULL;   /* int32 [2]: cache_valid, promoted */
  int32_t *host_idx = NULL, *host_cache = NULL;
  cudaEvent_t ev0 = NULL, ev1 = NULL;
  double *t_full = NULL, *t_send = NULL, *t_recv = NULL, *t_shared = NULL, *t_rec = NULL;
  unsigned repeats = request->repeats ? request->repeats : 1;
  Tally tally = { 0, 0 };
  bool ok = false;
  float ms;

  memset (result, 0, sizeof *result);
  result->rank = env->rank;
  result->world_size = env->world_size;
  memcpy (result->gpu_name, session->gpu_name, sizeof result->gpu_name);
  memcpy (result->gpu_uuid, session->gpu_uuid, sizeof result->gpu_uuid);
  memcpy (result->link, session->link, sizeof result->link);

  if (!cw_kernel_shape_from_config (&request->config, &shape, error) || !cw_kernel_shape_check (&shape, error))
    return false;
  budget = request->config.chunk_budget_bytes;
  if (!cw_kernels_streaming_workspace_bytes (&shape, budget, &ws_bytes, error))
    return false;
  qk_bytes = cw_kernel_shape_qk_bytes (&shape);
  /* Shapes passed cw_kernel_shape_check, which overflow-checks these counts. */
  n_q = shape.b * shape.sq * shape.h * shape.d;
  n_k = shape.b * shape.sk * shape.d;
  n_w = shape.b * shape.sq * shape.h;
  n_idx = shape.b * shape.sq * shape.top_k;
  result->payload_bytes = n_idx * sizeof (int32_t);
  {
    /* Useful FLOPs: 2*d per legal (s, t) pair and head. */
    double pairs = 0.0;
    for (uint64_t s = 0; s < shape.sq; s++)
      pairs += (double) cw_kernel_shape_legal_keys (&shape, s);
    result->recompute_flops = 2.0 * (double) shape.b * pairs * (double) shape.h * (double) shape.d;
  }

  t_full = calloc (repeats, sizeof (double));
  t_send = calloc (repeats, sizeof (double));
  t_recv = calloc (repeats, sizeof (double));
  t_shared = calloc (repeats, sizeof (double));
  t_rec = calloc (repeats, sizeof (double));
  if (!t_full || !t_send || !t_recv || !t_shared || !t_rec)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of host memory");
      goto out;
    }

  used_before = used_bytes ();
  CUDA_OK (cudaEventCreate (&ev0), "cudaEventCreate");
  CUDA_OK (cudaEventCreate (&ev1), "cudaEventCreate");
  /* Inputs (every rank holds q, k, w: a consumer stage that recomputes needs them). */
  CUDA_OK (tally_malloc (&tally, &q, n_q * qk_bytes), "cudaMalloc q");
  CUDA_OK (tally_malloc (&tally, &k, n_k * qk_bytes), "cudaMalloc k");
  CUDA_OK (tally_malloc (&tally, &w, n_w * sizeof (float)), "cudaMalloc w");
  CUDA_OK (tally_malloc (&tally, &idx, n_idx * sizeof (int32_t)), "cudaMalloc idx");
  CUDA_OK (tally_malloc (&tally, &flags, 2 * sizeof (int32_t)), "cudaMalloc flags");
  CUDA_OK (cw_lane_fill_qk (q, n_q, shape.qk_dtype, request->seed, session->stream), "fill q");
  CUDA_OK (cw_lane_fill_qk (k, n_k, shape.qk_dtype, request->seed + 1, session->stream), "fill k");
  CUDA_OK (cw_lane_fill_f32 ((float *) w, n_w, request->seed + 2, 0.0f, 1.0f, session->stream), "fill w");
  if (receiver)
    CUDA_OK (tally_malloc (&tally, &cache_idx, n_idx * sizeof (int32_t)), "cudaMalloc cache_idx");

  /* Stage 0: the full indexer layer, which produces the payload. */
  if (env->rank == 0)
    {
      CUDA_OK (tally_malloc (&tally, &ws, ws_bytes), "cudaMalloc streaming workspace");
      for (unsigned i = 0; i <= repeats; i++)   /* i == 0 warms up */
        {
          CUDA_OK (cudaEventRecord (ev0, session->stream), "cudaEventRecord");
          CUDA_OK (cw_streaming_run (&shape, budget, q, k, w, ws, idx, NULL, session->stream), "streaming lane");
          CUDA_OK (cudaEventRecord (ev1, session->stream), "cudaEventRecord");
          CUDA_OK (cudaEventSynchronize (ev1), "cudaEventSynchronize");
          CUDA_OK (cudaEventElapsedTime (&ms, ev0, ev1), "cudaEventElapsedTime");
          if (i > 0)
            t_full[i - 1] = ms * 1e-3;
        }
      result->full_layer_s = median (t_full, repeats);
      result->peak_sender_bytes = tally.high;
      tally_free (&tally, &ws, ws_bytes);
    }

  /* The boundary chain r -> r+1, one boundary at a time, each timed on both
   * ends after a barrier so that neither side's clock includes waiting for
   * the other to arrive. Rank r > 0 forwards what it received. */
  for (int boundary = 0; boundary < env->world_size - 1; boundary++)
    for (unsigned i = 0; i <= repeats; i++)
      {
        if (!barrier (session, error))
          goto out;
        if (env->rank == boundary || env->rank == boundary + 1)
          {
            const bool sending = env->rank == boundary;
            void *buf = sending ? (env->rank == 0 ? idx : cache_idx) : cache_idx;
            CUDA_OK (cudaEventRecord (ev0, session->stream), "cudaEventRecord");
            if (sending)
              NCCL_OK (ncclSend (buf, n_idx, ncclInt32, boundary + 1, session->comm, session->stream), "ncclSend");
            else
              NCCL_OK (ncclRecv (buf, n_idx, ncclInt32, boundary, session->comm, session->stream), "ncclRecv");
            CUDA_OK (cudaEventRecord (ev1, session->stream), "cudaEventRecord");
            CUDA_OK (cudaEventSynchronize (ev1), "cudaEventSynchronize");
            CUDA_OK (cudaEventElapsedTime (&ms, ev0, ev1), "cudaEventElapsedTime");
            if (i > 0)
              (sending ? t_send : t_recv)[i - 1] = ms * 1e-3;
          }
      }
  if (sender)
    result->send_s = median (t_send, repeats);
  if (receiver)
    {
      result->recv_s = median (t_recv, repeats);
      result->recv_gbps = result->recv_s > 0 ? (double) result->payload_bytes / result->recv_s / 1e9 : 0.0;
    }

  /* Stage r > 0: consume (shared) or fail closed and recompute (promoted). */
  if (receiver)
    {
      static const int32_t valid_one[2] = { 1, -1 }, valid_zero[2] = { 0, -1 };
      int32_t flags_host[2];
      uint64_t live_without_ws = tally.live;

      /* Shared: no workspace is needed to reuse, but the step's signature takes
       * one for the promoted branch, which is decided on the device; the shared
       * variant's peak is what it holds besides that workspace. */
      CUDA_OK (tally_malloc (&tally, &ws, ws_bytes), "cudaMalloc streaming workspace");
      for (int variant = 0; variant < 2; variant++)
        {
          double *t = variant == 0 ? t_shared : t_rec;
          for (unsigned i = 0; i <= repeats; i++)
            {
              CUDA_OK (cudaMemcpyAsync (flags, variant == 0 ? valid_one : valid_zero, sizeof valid_one,
                                        cudaMemcpyHostToDevice, session->stream), "cudaMemcpy flags");
              CUDA_OK (cudaMemsetAsync (idx, 0xff, n_idx * sizeof (int32_t), session->stream), "poison idx");
              CUDA_OK (cudaEventRecord (ev0, session->stream), "cudaEventRecord");
              CUDA_OK (cw_index_cache_reuse (&shape, budget, (const int32_t *) cache_idx, (const int32_t *) flags,
                                             q, k, (const float *) w, ws, (int32_t *) idx, NULL,
                                             (int32_t *) flags + 1, session->stream), "index-cache step");
              CUDA_OK (cudaEventRecord (ev1, session->stream), "cudaEventRecord");
              CUDA_OK (cudaEventSynchronize (ev1), "cudaEventSynchronize");
              CUDA_OK (cudaEventElapsedTime (&ms, ev0, ev1), "cudaEventElapsedTime");
              if (i > 0)
                t[i - 1] = ms * 1e-3;
            }
          CUDA_OK (cudaMemcpy (flags_host, flags, sizeof flags_host, cudaMemcpyDeviceToHost), "read flags");
          if (variant == 0)
            result->promoted_shared = flags_host[1];
          else
            result->promoted_recompute = flags_host[1];
        }
      result->shared_s = median (t_shared, repeats);
      result->recompute_s = median (t_rec, repeats);
      result->peak_shared_bytes = live_without_ws;
      result->peak_promoted_bytes = tally.high;

      /* The recompute must reproduce the received payload exactly. */
      host_idx = malloc (result->payload_bytes);
      host_cache = malloc (result->payload_bytes);
      if (host_idx == NULL || host_cache == NULL)
        {
          cw_error_set (error, CW_ERROR_OOM, "out of host memory for the %llu-byte comparison",
                        (unsigned long long) result->payload_bytes);
          goto out;
        }
      CUDA_OK (cudaMemcpy (host_idx, idx, result->payload_bytes, cudaMemcpyDeviceToHost), "copy idx");
      CUDA_OK (cudaMemcpy (host_cache, cache_idx, result->payload_bytes, cudaMemcpyDeviceToHost), "copy cache");
      result->recompute_matches = memcmp (host_idx, host_cache, result->payload_bytes) == 0;
    }

  result->memgetinfo_delta_bytes = (int64_t) used_bytes () - (int64_t) used_before;
  if (!barrier (session, error))
    goto out;
  ok = true;
out:
  tally_free (&tally, &ws, ws_bytes);
  tally_free (&tally, &cache_idx, n_idx * sizeof (int32_t));
  tally_free (&tally, &flags, 2 * sizeof (int32_t));
  tally_free (&tally, &idx, n_idx * sizeof (int32_t));
  tally_free (&tally, &w, n_w * sizeof (float));
  tally_free (&tally, &k, n_k * qk_bytes);
  tally_free (&tally, &q, n_q * qk_bytes);
  if (ev0)
    cudaEventDestroy (ev0);
  if (ev1)
    cudaEventDestroy (ev1);
  free (host_idx);
  free (host_cache);
  free (t_full);
  free (t_send);
  free (t_recv);
  free (t_shared);
  free (t_rec);
  return ok;
}
