/* test-trace-projection.c: the GPU projection of NVTX ranges
 * (profiler/cw-trace-projection.h) on a synthetic trace shaped like a
 * profiled lane: which ranges are leaves, which GPU work each one launched
 * (by correlation id and host time), and the span and depth of each
 * "gpu:" range. CPU only (suite 'store'). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-trace-projection.h"

#include "../../cw-test.h"

static void
add (CwReceipt *r, CwTraceKind kind, const char *name, uint64_t start, uint64_t end, uint32_t corr, int32_t depth)
{
  CwTraceEvent ev = { 0 };

  ev.kind = kind;
  ev.name = (char *) name;
  ev.start_ns = start;
  ev.end_ns = end;
  ev.correlation_id = corr;
  ev.depth = depth;
  if (!cw_receipt_add_event (r, &ev, NULL))
    {
      fprintf (stderr, "cw_receipt_add_event failed\n");
      exit (1);
    }
}

static const CwTraceEvent *
find (const CwReceipt *r, const char *name, uint64_t start)
{
  for (size_t i = 0; i < r->n_events; i++)
    if (r->events[i].kind == CW_TRACE_RANGE && strcmp (r->events[i].name, name) == 0
        && r->events[i].start_ns == start)
      return &r->events[i];
  return NULL;
}

static size_t
count_gpu (const CwReceipt *r)
{
  size_t n = 0;
  for (size_t i = 0; i < r->n_events; i++)
    n += cw_trace_event_is_gpu_projection (&r->events[i]);
  return n;
}

/* A lane in start order: alloc (fills the inputs), compute with two
 * streaming chunks, capture (phases recorded under stream capture, then one
 * graph replay), free. */
static CwReceipt *
lane_trace (void)
{
  CwReceipt *r = cw_receipt_new ();

  add (r, CW_TRACE_RANGE, "lane", 0, 1000, 0, 0);
  add (r, CW_TRACE_RANGE, "alloc", 10, 90, 0, 1);
  add (r, CW_TRACE_KERNEL, "fill_kernel", 60, 95, 7, 0);
  add (r, CW_TRACE_RANGE, "compute", 100, 900, 0, 1);
  add (r, CW_TRACE_RANGE, "score", 110, 120, 0, 2);
  add (r, CW_TRACE_RANGE, "topk", 130, 140, 0, 2);
  add (r, CW_TRACE_RANGE, "score", 150, 160, 0, 2);
  add (r, CW_TRACE_RANGE, "topk", 170, 180, 0, 2);
  add (r, CW_TRACE_KERNEL, "score_tile_kernel", 200, 500, 1, 0);
  add (r, CW_TRACE_KERNEL, "topk_rows_kernel", 500, 600, 2, 0);
  add (r, CW_TRACE_KERNEL, "score_tile_kernel", 600, 700, 3, 0);
  add (r, CW_TRACE_MEMSET, "memset", 700, 705, 4, 0);
  add (r, CW_TRACE_KERNEL, "topk_rows_kernel", 705, 710, 8, 0);
  add (r, CW_TRACE_KERNEL, "unknown_launch", 720, 730, 6, 0);     /* no API record */
  add (r, CW_TRACE_KERNEL, "no_correlation", 740, 750, 0, 0);
  add (r, CW_TRACE_RANGE, "capture", 910, 990, 0, 1);
  add (r, CW_TRACE_RANGE, "score", 920, 925, 0, 2);                /* captured: no GPU work */
  add (r, CW_TRACE_RANGE, "topk", 926, 928, 0, 2);
  add (r, CW_TRACE_KERNEL, "score_tile_kernel", 930, 960, 5, 0);  /* graph replay */
  add (r, CW_TRACE_RANGE, "free", 992, 998, 0, 1);
  return r;
}

static const CwTraceLaunch launches[] = {
  /* deliberately not in id order */
  { 5, 950 }, { 1, 115 }, { 7, 50 }, { 2, 135 }, { 3, 155 }, { 4, 172 }, { 8, 178 }, { 9, 400 },
};

int
main (void)
{
  CwReceipt *r = lane_trace ();
  size_t n0 = r->n_events, added = 99;
  CwError err = CW_ERROR_INIT;
  const CwTraceEvent *e;

  CHECK (cw_trace_add_gpu_projections (r, 0, launches, sizeof launches / sizeof launches[0], &added, &err));
  CHECK (added == 5);
  CHECK (r->n_events == n0 + 5);
  CHECK (count_gpu (r) == 5);

  /* Each projection spans exactly the work launched inside its range. */
  e = find (r, "gpu:alloc", 60);
  CHECK (e != NULL && e->end_ns == 95 && e->depth == 2);
  e = find (r, "gpu:score", 200);
  CHECK (e != NULL && e->end_ns == 500 && e->depth == 3);
  e = find (r, "gpu:topk", 500);
  CHECK (e != NULL && e->end_ns == 600 && e->depth == 3);
  e = find (r, "gpu:score", 600);
  CHECK (e != NULL && e->end_ns == 700 && e->depth == 3);
  /* Two launches in one range (a memset and a kernel): one span over both. */
  e = find (r, "gpu:topk", 700);
  CHECK (e != NULL && e->end_ns == 710 && e->depth == 3);
  /* Non-leaf ranges and captured phases are not projected; the graph replay
   * was launched in "capture" (not a leaf), so it belongs to no projection. */
  CHECK (find (r, "gpu:compute", 200) == NULL && find (r, "gpu:capture", 930) == NULL);
  CHECK (find (r, "gpu:lane", 60) == NULL && find (r, "gpu:free", 992) == NULL);
  for (size_t i = n0; i < r->n_events; i++)
    CHECK (r->events[i].start_ns < 930);
  /* The real ranges are untouched. */
  e = find (r, "score", 110);
  CHECK (e != NULL && e->end_ns == 120 && e->depth == 2 && !cw_trace_event_is_gpu_projection (e));

  /* Projecting again skips the projections as ranges: same five, no "gpu:gpu:". */
  CHECK (cw_trace_add_gpu_projections (r, 0, launches, sizeof launches / sizeof launches[0], &added, &err));
  CHECK (added == 5);
  for (size_t i = 0; i < r->n_events; i++)
    CHECK (strncmp (r->events[i].name, "gpu:gpu:", 8) != 0);
  cw_receipt_free (r);

  /* No API records (e.g. RUNTIME activity missing): nothing is projected. */
  r = lane_trace ();
  CHECK (cw_trace_add_gpu_projections (r, 0, NULL, 0, &added, &err));
  CHECK (added == 0 && r->n_events == n0);
  /* Only the events from `first` on are considered (an earlier lane's
   * events in the same receipt are left alone). */
  CHECK (cw_trace_add_gpu_projections (r, 15, launches, sizeof launches / sizeof launches[0], &added, &err));
  CHECK (added == 0);
  cw_receipt_free (r);

  /* A launch exactly at a leaf's end still belongs to it; one between two
   * leaves belongs to neither. */
  r = cw_receipt_new ();
  add (r, CW_TRACE_RANGE, "compute", 0, 100, 0, 0);
  add (r, CW_TRACE_RANGE, "score", 10, 20, 0, 1);
  add (r, CW_TRACE_RANGE, "topk", 30, 40, 0, 1);
  add (r, CW_TRACE_KERNEL, "a", 50, 60, 1, 0);
  add (r, CW_TRACE_KERNEL, "b", 60, 70, 2, 0);
  {
    const CwTraceLaunch l[] = { { 1, 20 }, { 2, 25 } };
    CHECK (cw_trace_add_gpu_projections (r, 0, l, 2, &added, &err));
    CHECK (added == 1);
    e = find (r, "gpu:score", 50);
    CHECK (e != NULL && e->end_ns == 60 && e->depth == 2);
  }
  cw_receipt_free (r);

  if (failures)
    fprintf (stderr, "%d check(s) failed\n", failures);
  else
    fprintf (stderr, "trace projection: all checks passed\n");
  return failures ? 1 : 0;
}
