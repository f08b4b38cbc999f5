/* test-profiler-lanes.c: every lane through the profiler on a real GPU.
 *
 * Suite 'gpu'; exits 77 where there is no CUDA device. Checks what a receipt
 * claims against what the test can compute on its own: the buffer bytes the
 * kernels' API asks for, the planner's peak, the NVTX ranges CUPTI must have
 * seen (the profiler's, and the kernel library's own phase ranges with their
 * GPU projections), graph legality per lane, OOM as a result, and a store
 * round trip.
 *
 * Training lanes (issue 18): streaming-train, streaming-train-dense and
 * fused-train at a small shape with several chunks in both passes: the
 * measured peak equals the prediction byte for byte, and both equal the
 * largest phase (forward, loss, backward) the test adds up from the kernels'
 * API; the phase ranges, the backward's capture and the gradient check (ok
 * under the kernels' 3e-5 * sum|terms| + kink rule). gradcheck and
 * gradcheck-dense at small odd shapes (b 3, sq 333, compressed ratio 4,
 * top_k above L(s) in the first rows, bf16 and fp8): ok, worst <= 1; a shape
 * too large for the float64 reference is refused. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cw-kernels.h"
#include "cw-profiler.h"
#include "cw-receipt-store.h"

#include "../../cw-test.h"

static void
v4_flash (CwConfig *c, uint64_t sq)
{
  cw_config_init_default (c);
  c->b = 1;
  c->h = 64;
  c->d = 128;
  c->sq = sq;
  c->sk = 0;
  c->ratio = 4;
  c->top_k = 512;
  c->causal = CW_CAUSAL_COMPRESSED;
  c->q_dtype = CW_DTYPE_BF16;
  c->k_dtype = CW_DTYPE_BF16;
  c->w_dtype = CW_DTYPE_FP32;
  c->score_dtype = CW_DTYPE_FP32;
  c->index_dtype = CW_DTYPE_INT32;
  c->chunk_budget_bytes = 16ull << 20;   /* one chunk at sq = 4096; the streaming check sets its own */
  c->granularity = 1;
}

/* q + k + w + idx + scores, as the lanes allocate them. */
static uint64_t
io_bytes (const CwConfig *c)
{
  uint64_t sk = cw_config_get_sk (c);
  return c->b * c->sq * c->h * c->d * 2 + c->b * sk * c->d * 2 + c->b * c->sq * c->h * 4
         + 2 * c->b * c->sq * c->top_k * 4;
}

static bool
has_range (const CwReceipt *r, const char *name, int depth)
{
  for (size_t i = 0; i < r->n_events; i++)
    if (r->events[i].kind == CW_TRACE_RANGE && strcmp (r->events[i].name, name) == 0
        && (depth < 0 || r->events[i].depth == depth))
      return true;
  return false;
}

/* The first range called `name` (any depth). */
static const CwTraceEvent *
first_range (const CwReceipt *r, const char *name)
{
  for (size_t i = 0; i < r->n_events; i++)
    if (r->events[i].kind == CW_TRACE_RANGE && strcmp (r->events[i].name, name) == 0)
      return &r->events[i];
  return NULL;
}

/* Ranges called `name` at `depth` lying inside `outer`. */
static size_t
count_ranges_in (const CwReceipt *r, const CwTraceEvent *outer, const char *name, int depth)
{
  size_t n = 0;

  if (outer == NULL)
    return 0;
  for (size_t i = 0; i < r->n_events; i++)
    {
      const CwTraceEvent *e = &r->events[i];
      n += e->kind == CW_TRACE_RANGE && strcmp (e->name, name) == 0 && e->depth == depth
           && e->start_ns >= outer->start_ns && e->end_ns <= outer->end_ns;
    }
  return n;
}

/* Every "gpu:" projection starts where some GPU activity starts and ends
 * where some GPU activity ends (it is the span of real records), and lies
 * one row below a real range of the same phase that was open before it. */
static bool
projections_are_spans (const CwReceipt *r)
{
  size_t n_proj = 0;

  for (size_t i = 0; i < r->n_events; i++)
    {
      const CwTraceEvent *p = &r->events[i];
      bool starts = false, ends = false, source = false;

      if (p->kind != CW_TRACE_RANGE || strncmp (p->name, "gpu:", 4) != 0)
        continue;
      n_proj++;
      for (size_t j = 0; j < r->n_events; j++)
        {
          const CwTraceEvent *e = &r->events[j];
          if (e->kind == CW_TRACE_KERNEL || e->kind == CW_TRACE_MEMCPY || e->kind == CW_TRACE_MEMSET)
            {
              starts |= e->start_ns == p->start_ns;
              ends |= e->end_ns == p->end_ns;
            }
          else if (e->kind == CW_TRACE_RANGE && strcmp (e->name, p->name + 4) == 0 && e->depth + 1 == p->depth
                   && e->start_ns <= p->start_ns)
            source = true;
        }
      if (!starts || !ends || !source)
        {
          fprintf (stderr, "projection %s [%" PRIu64 ", %" PRIu64 "] depth %d: starts %d ends %d source %d\n",
                   p->name, p->start_ns, p->end_ns, p->depth, starts, ends, source);
          return false;
        }
    }
  return n_proj > 0;
}

static size_t
count_kind (const CwReceipt *r, CwTraceKind kind)
{
  size_t n = 0;
  for (size_t i = 0; i < r->n_events; i++)
    n += r->events[i].kind == kind;
  return n;
}

static CwReceipt *
run (CwProfiler *p, CwLaneKind lane, const CwConfig *c, bool capture, bool recall, unsigned overhead)
{
  CwLaneRequest req;
  CwError err = CW_ERROR_INIT;
  CwReceipt *r;

  cw_lane_request_init (&req);
  req.lane = lane;
  req.config = *c;
  req.check_capture = capture;
  req.check_recall = recall;
  req.overhead_repeats = overhead;
  CW_RECEIPT_SET (req.note, "test-profiler-lanes");
  r = cw_profiler_run_lane (p, &req, &err);
  if (r == NULL)
    {
      fprintf (stderr, "lane %s: %s\n", cw_lane_kind_get_name (lane), err.message);
      failures++;
      return NULL;
    }
  fprintf (stderr,
           "%-24s sq=%-7" PRIu64 " status=%-14s predicted=%" PRIu64 " measured=%" PRIu64 " memgetinfo=%" PRId64
           " lane=%.3f ms kernels=%.3f ms events=%zu dropped=%" PRIu64 " capture=%s%s%s%s %s%s\n",
           r->lane, r->config.sq, cw_receipt_status_get_name (r->status), r->predicted_peak_bytes,
           r->measured_peak_bytes, r->memgetinfo_delta_bytes, r->lane_ns / 1e6, r->kernel_ns / 1e6, r->n_events,
           r->dropped_records, r->capture.captured ? "C" : "-", r->capture.instantiated ? "I" : "-",
           r->capture.replayed ? "R" : "-", r->capture.matched ? "M" : "-", r->capture.cuda_error_name,
           r->error_message);
  if (r->has_recall)
    fprintf (stderr, "    recall %.6f\n", r->recall);
  if (r->unprofiled_lane_ns)
    fprintf (stderr, "    overhead: profiled %" PRIu64 " ns, unprofiled %" PRIu64 " ns (%+.2f %%)\n", r->lane_ns,
             r->unprofiled_lane_ns,
             100.0 * ((double) r->lane_ns - (double) r->unprofiled_lane_ns) / (double) r->unprofiled_lane_ns);
  return r;
}

/* The peak of a training step as the lane allocates it, from the kernels'
 * API alone: forward (q k w idx scores + the forward's workspace), loss
 * (q k w idx scores g), backward (q k w idx g dq dw dk + the backward's
 * workspace, or the dense G chunk and no g). */
static uint64_t
train_peak (CwLaneKind lane, const CwConfig *c)
{
  CwKernelShape sh;
  uint64_t sk = cw_config_get_sk (c), elem = c->q_dtype == CW_DTYPE_FP8_E4M3 ? 1 : 2;
  uint64_t rows = c->b * c->sq, fw = 0, bw = 0, g, base, f, l, b;
  bool dense = lane == CW_LANE_STREAMING_TRAIN_DENSE || lane == CW_LANE_GRADCHECK_DENSE;

  CHECK (cw_kernel_shape_from_config (c, &sh, NULL));
  if (lane == CW_LANE_FUSED_TRAIN)
    CHECK (cw_kernels_fused_workspace_bytes (&sh, &fw, NULL) && cw_kernels_backward_fused_workspace_bytes (&sh, &bw, NULL));
  else
    CHECK (cw_kernels_streaming_workspace_bytes (&sh, c->chunk_budget_bytes, &fw, NULL));
  if (dense)
    {
      uint64_t dr = 0;
      CHECK (cw_kernels_backward_dense_rows (&sh, c->chunk_budget_bytes, &dr, NULL));
      bw = 4 * dr * sk;
    }
  else if (lane != CW_LANE_FUSED_TRAIN)
    CHECK (cw_kernels_backward_sparse_workspace_bytes (&sh, c->chunk_budget_bytes, &bw, NULL));
  g = dense ? 0 : rows * c->top_k * 4;
  base = rows * c->h * c->d * elem + c->b * sk * c->d * elem + rows * c->h * 4 + rows * c->top_k * 4;
  f = base + rows * c->top_k * 4 + fw;
  l = base + rows * c->top_k * 4 + g;
  b = base + g + rows * c->h * c->d * 4 + rows * c->h * 4 + c->b * sk * c->d * 4 + bw;
  return f > l ? (f > b ? f : b) : (l > b ? l : b);
}

static void
check_train_lane (CwReceipt *r, CwLaneKind lane, const CwConfig *c, bool warmup)
{
  const CwTraceEvent *compute, *capture;
  uint64_t expected = train_peak (lane, c);

  if (r == NULL)
    return;
  CHECK (r->status == CW_RECEIPT_STATUS_OK);
  CHECK (r->dropped_records == 0);
  CHECK (strcmp (r->profile, lane == CW_LANE_FUSED_TRAIN ? "fused-train" : "streaming-train") == 0);
  /* byte for byte: the lane allocates what the profile's phases hold */
  CHECK (r->measured_peak_bytes == expected);
  CHECK (r->predicted_peak_bytes == r->measured_peak_bytes);
  fprintf (stderr, "    %s: predicted %" PRIu64 " measured %" PRIu64 " (kernels' API %" PRIu64 ")\n", r->lane,
           r->predicted_peak_bytes, r->measured_peak_bytes, expected);
  CHECK (r->lane_ns > 0 && r->kernel_ns > 0);
  compute = first_range (r, "compute");
  capture = first_range (r, "capture");
  CHECK (count_ranges_in (r, compute, "forward", 2) == 1);
  CHECK (count_ranges_in (r, compute, "loss", 2) == 1);
  CHECK (count_ranges_in (r, compute, "backward", 2) == 1);
  CHECK (has_range (r, "rewind", 1) == warmup);
  CHECK (has_range (r, "warmup", 1) == warmup);
  /* the forward's phases and the backward's own ranges inside the step */
  CHECK (count_ranges_in (r, compute, "score", 3) >= 1);
  if (lane == CW_LANE_STREAMING_TRAIN_DENSE || lane == CW_LANE_GRADCHECK_DENSE)
    CHECK (count_kind (r, CW_TRACE_KERNEL) >= 4);
  else
    CHECK (count_ranges_in (r, compute, "backward-dk", 3) >= 1);
  /* the backward captured, replayed, equal to eager bit for bit */
  CHECK (capture != NULL);
  CHECK (r->capture.attempted && r->capture.captured && r->capture.instantiated && r->capture.replayed
         && r->capture.matched);
  /* dq, dw, dk against the float64 reference */
  CHECK (r->gradcheck.status == CW_GRADCHECK_OK);
  CHECK (r->gradcheck.worst <= 1.0 && r->gradcheck.worst_at[0] != '\0');
  CHECK (r->has_recall && r->recall >= 0.99);
  fprintf (stderr, "    gradcheck %s: worst %.3g of the allowed at %s\n",
           cw_gradcheck_status_get_name (r->gradcheck.status), r->gradcheck.worst, r->gradcheck.worst_at);
}

static void
check_score_lane (CwReceipt *r, const CwConfig *c, uint64_t workspace, uint64_t chunks)
{
  uint64_t expected = io_bytes (c) + workspace;
  const CwTraceEvent *compute, *capture;

  if (r == NULL)
    return;
  CHECK (r->status == CW_RECEIPT_STATUS_OK);
  CHECK (r->dropped_records == 0);
  /* Measured: every byte the lane asked cudaMalloc for, from CUPTI alone. */
  CHECK (r->measured_peak_bytes >= expected);
  CHECK (r->measured_peak_bytes - expected <= (2ull << 20) * 6);   /* at most a page of rounding per buffer */
  CHECK (r->predicted_peak_bytes > 0);
  CHECK (cw_receipt_peak_agrees (r));
  CHECK (r->memgetinfo_delta_bytes > 0);
  CHECK (r->lane_ns > 0 && r->kernel_ns > 0 && r->kernel_ns <= r->lane_ns);
  CHECK (r->tflops > 0);
  CHECK (count_kind (r, CW_TRACE_KERNEL) >= 2);     /* score + top-k at least */
  CHECK (count_kind (r, CW_TRACE_ALLOC) >= 6);
  CHECK (count_kind (r, CW_TRACE_FREE) >= 6);
  CHECK (count_kind (r, CW_TRACE_MEMCPY) >= 2);     /* the capture check's copies */
  CHECK (count_kind (r, CW_TRACE_MEMSET) >= 2);     /* the capture check's poison */
  /* NVTX ranges reached CUPTI through injection. */
  CHECK (has_range (r, "lane", 0));
  CHECK (has_range (r, "alloc", 1));
  CHECK (has_range (r, "compute", 1));
  CHECK (has_range (r, "capture", 1));
  CHECK (has_range (r, "free", 1));
  /* The phases are the kernel library's own NVTX ranges (cw-lanes.cu),
   * nested in the timed step: one score and one topk per chunk. */
  compute = first_range (r, "compute");
  capture = first_range (r, "capture");
  CHECK (count_ranges_in (r, compute, "score", 2) == chunks);
  CHECK (count_ranges_in (r, compute, "topk", 2) == chunks);
  /* ...projected onto the GPU through the launches' correlation ids. */
  CHECK (count_ranges_in (r, compute, "gpu:score", 3) == chunks);
  CHECK (count_ranges_in (r, compute, "gpu:topk", 3) == chunks);
  CHECK (projections_are_spans (r));
  /* NVTX calls are legal during stream capture: the captured step recorded
   * its phases too; its kernels ran later, in the graph, so no projection. */
  CHECK (count_ranges_in (r, capture, "score", 2) == chunks);
  CHECK (count_ranges_in (r, capture, "gpu:score", 3) == 0);
  CHECK (r->capture.attempted && r->capture.captured && r->capture.instantiated && r->capture.replayed
         && r->capture.matched);
  CHECK (r->capture.cuda_error_name[0] == '\0');
  CHECK (r->n_buffers >= 6 && r->n_phases >= 1);
  CHECK (strcmp (r->provenance.gpu_uuid, "") != 0 && r->provenance.hbm_total_bytes > (1ull << 30));
  CHECK (r->provenance.cupti_version > 0);
}

int
main (void)
{
  CwProfiler *p;
  CwError err = CW_ERROR_INIT;
  CwConfig c;
  CwKernelShape shape;
  uint64_t ws;
  CwReceipt *r[32] = { 0 };
  unsigned n = 0;
  char dbpath[] = "/tmp/cw-test-profiler-XXXXXX";
  int fd;

  if (cw_profiler_device_count () <= 0)
    {
      fprintf (stderr, "no CUDA device: skipped\n");
      return 77;
    }
  p = cw_profiler_new (0, &err);
  if (p == NULL)
    {
      fprintf (stderr, "cw_profiler_new: %s\n", err.message);
      return 1;
    }
  fprintf (stderr, "device %s (%s), driver %s, CUPTI %u\n", cw_profiler_get_provenance (p)->gpu_name,
           cw_profiler_get_provenance (p)->gpu_uuid, cw_profiler_get_provenance (p)->driver_version,
           cw_profiler_get_provenance (p)->cupti_version);

  /* The three score lanes at V4-Flash dims, sq = 4096. */
  v4_flash (&c, 4096);
  CHECK (cw_kernel_shape_from_config (&c, &shape, NULL));
  CHECK (cw_kernels_materialize_workspace_bytes (&shape, &ws, NULL));
  r[n] = run (p, CW_LANE_MATERIALIZE, &c, true, false, 0);
  check_score_lane (r[n++], &c, ws, 1);
  if (r[n - 1])
    {
      CHECK (count_ranges_in (r[n - 1], first_range (r[n - 1], "compute"), "reduce", 2) == 1);
      CHECK (count_ranges_in (r[n - 1], first_range (r[n - 1], "compute"), "gpu:reduce", 3) == 1);
    }
  CHECK (cw_kernels_fused_workspace_bytes (&shape, &ws, NULL));
  r[n] = run (p, CW_LANE_FUSED, &c, true, false, 0);
  check_score_lane (r[n++], &c, ws, 1);
  {
    /* A budget of 1 MiB: 256 rows of sk = 1024 fp32 per chunk, 16 chunks,
     * so the per-chunk phase ranges are counted, not just present. */
    CwConfig cs = c;
    uint64_t rows = 0, chunks;
    cs.chunk_budget_bytes = 1ull << 20;
    CHECK (cw_kernels_streaming_workspace_bytes (&shape, cs.chunk_budget_bytes, &ws, NULL));
    CHECK (cw_kernels_streaming_rows (&shape, cs.chunk_budget_bytes, &rows, NULL) && rows > 0);
    chunks = rows > 0 ? (shape.b * shape.sq + rows - 1) / rows : 0;
    fprintf (stderr, "streaming sq=%" PRIu64 ": %" PRIu64 " rows per chunk, %" PRIu64 " chunks\n", cs.sq, rows, chunks);
    CHECK (chunks == 16);
    r[n] = run (p, CW_LANE_STREAMING, &cs, true, false, 5);
    check_score_lane (r[n++], &cs, ws, chunks);
  }
  if (r[n - 1])
    CHECK (r[n - 1]->unprofiled_lane_ns > 0);

  /* Same inputs, same top-k: the lanes' outputs are specified bit-identical,
   * so their peaks differ but their recall against the reference is 1. */
  {
    CwConfig small;
    v4_flash (&small, 512);
    small.top_k = 64;
    r[n] = run (p, CW_LANE_STREAMING, &small, false, true, 0);
    if (r[n])
      {
        CHECK (r[n]->status == CW_RECEIPT_STATUS_OK);
        CHECK (r[n]->has_recall && r[n]->recall >= 0.99);
      }
    n++;
  }

  /* OOM is a result: the materialize slab at sq = 65536 is 256 GiB. */
  {
    CwConfig big;
    CwKernelShape bs;
    uint64_t bws;
    v4_flash (&big, 65536);
    CHECK (cw_kernel_shape_from_config (&big, &bs, NULL));
    CHECK (cw_kernels_materialize_workspace_bytes (&bs, &bws, NULL));
    r[n] = run (p, CW_LANE_MATERIALIZE, &big, true, false, 0);
    if (r[n])
      {
        CHECK (r[n]->status == CW_RECEIPT_STATUS_OOM);
        CHECK (r[n]->oom_request_bytes == bws);
        CHECK (r[n]->oom_live_bytes == io_bytes (&big));
        CHECK (strstr (r[n]->error_message, "cudaErrorMemoryAllocation") != NULL);
        CHECK (r[n]->measured_peak_bytes == io_bytes (&big) || r[n]->measured_peak_bytes >= io_bytes (&big));
        CHECK (r[n]->predicted_peak_bytes > r[n]->provenance.hbm_total_bytes);
      }
    n++;
    /* ...and the next lane runs normally. */
    r[n] = run (p, CW_LANE_FUSED, &c, true, false, 0);
    if (r[n])
      CHECK (r[n]->status == CW_RECEIPT_STATUS_OK && r[n]->capture.matched);
    n++;
  }

  /* Graph legality: the branchless mask update captures; the host-checked
   * counter-example fails capture with the CUDA error name. */
  r[n] = run (p, CW_LANE_INDEX_MASK, &c, true, false, 0);
  if (r[n])
    {
      CHECK (r[n]->status == CW_RECEIPT_STATUS_OK);
      CHECK (r[n]->capture.captured && r[n]->capture.instantiated && r[n]->capture.replayed && r[n]->capture.matched);
      /* data/profiles/index-mask.profile names what the lane allocates. */
      CHECK (strcmp (r[n]->profile, "index-mask") == 0 && r[n]->predicted_peak_bytes > 0
             && r[n]->predicted_peak_bytes == r[n]->measured_peak_bytes);
      CHECK (has_range (r[n], "compute", 1));
      CHECK (count_ranges_in (r[n], first_range (r[n], "compute"), "mask", 2) == 1);
      CHECK (count_ranges_in (r[n], first_range (r[n], "compute"), "gpu:mask", 3) == 1);
      CHECK (count_ranges_in (r[n], first_range (r[n], "capture"), "mask", 2) == 1);
      CHECK (projections_are_spans (r[n]));
    }
  n++;
  r[n] = run (p, CW_LANE_INDEX_MASK_HOST_CHECKED, &c, true, false, 0);
  if (r[n])
    {
      CHECK (r[n]->status == CW_RECEIPT_STATUS_CAPTURE_FAILED);
      CHECK (r[n]->capture.attempted && !r[n]->capture.captured && !r[n]->capture.replayed);
      CHECK (strcmp (r[n]->capture.cuda_error_name, "cudaErrorStreamCaptureUnsupported") == 0);
      CHECK (strstr (r[n]->error_message, "cudaErrorStreamCaptureUnsupported") != NULL);
      /* Eager: the host check, then the mask, each with its GPU work. */
      CHECK (count_ranges_in (r[n], first_range (r[n], "compute"), "check", 2) == 1);
      CHECK (count_ranges_in (r[n], first_range (r[n], "compute"), "gpu:check", 3) == 1);
      CHECK (count_ranges_in (r[n], first_range (r[n], "compute"), "mask", 2) == 1);
      CHECK (count_ranges_in (r[n], first_range (r[n], "compute"), "gpu:mask", 3) == 1);
      /* Under capture the lane stopped inside "check" (the synchronization):
       * the trace shows where, and no "mask" phase follows it. */
      CHECK (count_ranges_in (r[n], first_range (r[n], "capture"), "check", 2) == 1);
      CHECK (count_ranges_in (r[n], first_range (r[n], "capture"), "mask", 2) == 0);
    }
  n++;
  /* After a failed capture the stream still works. */
  r[n] = run (p, CW_LANE_INDEX_MASK, &c, true, false, 0);
  if (r[n])
    CHECK (r[n]->status == CW_RECEIPT_STATUS_OK && r[n]->capture.matched);
  n++;

  /* Training steps at V4-Flash dims, b = 2, sq = 512 (sk = 128), top_k 64,
   * budget 256 KiB: 2 forward chunks of 512 rows, 7 rows per sparse-backward
   * chunk (147 chunks), 512 rows per dense-backward chunk; b*sq*sk*h*d =
   * 2^30, so --recall's gradient check runs. The first run of each kind
   * warms up. */
  {
    static const CwLaneKind train[] = { CW_LANE_STREAMING_TRAIN, CW_LANE_STREAMING_TRAIN_DENSE,
                                        CW_LANE_FUSED_TRAIN };
    CwConfig t;
    CwKernelShape ts;
    uint64_t fw_rows = 0, bw_rows = 0;
    v4_flash (&t, 512);
    t.b = 2;
    t.top_k = 64;
    t.chunk_budget_bytes = 256ull << 10;
    CHECK (cw_kernel_shape_from_config (&t, &ts, NULL));
    CHECK (cw_kernels_streaming_rows (&ts, t.chunk_budget_bytes, &fw_rows, NULL) && fw_rows == 512);
    CHECK (cw_kernels_backward_sparse_rows (&ts, t.chunk_budget_bytes, &bw_rows, NULL) && bw_rows == 7);
    for (unsigned i = 0; i < 3; i++)
      {
        r[n] = run (p, train[i], &t, true, true, 0);
        check_train_lane (r[n++], train[i], &t, true);
      }
    /* warmed now: the second streaming-train has no warmup or rewind, same bytes */
    r[n] = run (p, CW_LANE_STREAMING_TRAIN, &t, true, true, 0);
    check_train_lane (r[n++], CW_LANE_STREAMING_TRAIN, &t, false);
    if (r[n - 1] && r[n - 4])
      CHECK (r[n - 1]->measured_peak_bytes == r[n - 4]->measured_peak_bytes);
  }

  /* The gradcheck lanes: small odd shapes, b > 1, compressed causal. */
  {
    CwConfig g;
    v4_flash (&g, 333);
    g.b = 3;
    g.h = 16;
    g.d = 64;
    g.top_k = 64;                    /* above L(s) = ceil... of the first rows: padded */
    g.chunk_budget_bytes = 64 << 10; /* several chunks both ways */
    for (unsigned dt = 0; dt < 2; dt++)
      {
        g.q_dtype = g.k_dtype = dt == 0 ? CW_DTYPE_BF16 : CW_DTYPE_FP8_E4M3;
        r[n] = run (p, CW_LANE_GRADCHECK, &g, true, false, 0);
        check_train_lane (r[n++], CW_LANE_GRADCHECK, &g, dt == 0);
        r[n] = run (p, CW_LANE_GRADCHECK_DENSE, &g, true, false, 0);
        check_train_lane (r[n++], CW_LANE_GRADCHECK_DENSE, &g, dt == 0);
      }
    {
      CwLaneRequest req;
      CwError e = CW_ERROR_INIT;
      cw_lane_request_init (&req);
      req.lane = CW_LANE_GRADCHECK;
      v4_flash (&req.config, 65536);
      CHECK (cw_profiler_run_lane (p, &req, &e) == NULL);
      CHECK (e.code == CW_ERROR_INVALID && strstr (e.message, "float64 reference") != NULL);
    }
  }

  /* Every receipt goes into a store and comes back whole. */
  fd = mkstemp (dbpath);
  CHECK (fd >= 0);
  if (fd >= 0)
    {
      CwReceiptStore *s;
      close (fd);
      unlink (dbpath);
      s = cw_receipt_store_open (dbpath, CW_RECEIPT_STORE_CREATE, &err);
      CHECK (s != NULL);
      for (unsigned i = 0; s && i < n; i++)
        if (r[i])
          {
            CwReceipt *back;
            CHECK (cw_receipt_store_insert (s, r[i], &err) > 0);
            back = cw_receipt_store_load (s, r[i]->id, &err);
            CHECK (back != NULL && back->n_events == r[i]->n_events
                   && back->measured_peak_bytes == r[i]->measured_peak_bytes);
            CHECK (back != NULL && back->gradcheck.status == r[i]->gradcheck.status
                   && back->gradcheck.worst == r[i]->gradcheck.worst
                   && strcmp (back->gradcheck.worst_at, r[i]->gradcheck.worst_at) == 0);
            cw_receipt_free (back);
          }
      cw_receipt_store_close (s);
      unlink (dbpath);
    }
  for (unsigned i = 0; i < n; i++)
    cw_receipt_free (r[i]);
  cw_profiler_free (p);
  if (failures)
    fprintf (stderr, "%d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
