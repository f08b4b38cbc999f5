/* cw-trace-projection.c: the GPU span of each leaf NVTX range, found through
 * CUPTI correlation ids (see cw-trace-projection.h for the rule). */
#include "cw-trace-projection.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  size_t   event;           /* index of the range in receipt->events */
  uint64_t start_ns, end_ns;
  bool     any;             /* some GPU work was launched inside it */
  uint64_t gpu_start_ns, gpu_end_ns;
} Leaf;

static int
compare_launch_ids (const void *a, const void *b)
{
  uint32_t x = ((const CwTraceLaunch *) a)->correlation_id, y = ((const CwTraceLaunch *) b)->correlation_id;
  return x < y ? -1 : x > y;
}

static bool
find_launch (const CwTraceLaunch *sorted, size_t n, uint32_t id, uint64_t *host_ns)
{
  size_t lo = 0, hi = n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (sorted[mid].correlation_id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < n && sorted[lo].correlation_id == id)
    {
      *host_ns = sorted[lo].host_ns;
      return true;
    }
  return false;
}

/* The leaf open at host_ns: leaves do not overlap (one thread's ranges nest),
 * so it is the last one starting at or before host_ns, if it is still open. */
static Leaf *
find_leaf (Leaf *leaves, size_t n, uint64_t host_ns)
{
  size_t lo = 0, hi = n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (leaves[mid].start_ns <= host_ns)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0 || leaves[lo - 1].end_ns < host_ns)
    return NULL;
  return &leaves[lo - 1];
}

static bool
is_gpu_work (CwTraceKind kind)
{
  return kind == CW_TRACE_KERNEL || kind == CW_TRACE_MEMCPY || kind == CW_TRACE_MEMSET;
}

bool
cw_trace_event_is_gpu_projection (const CwTraceEvent *event)
{
  return event != NULL && event->kind == CW_TRACE_RANGE && event->name != NULL
         && strncmp (event->name, CW_TRACE_GPU_PREFIX, strlen (CW_TRACE_GPU_PREFIX)) == 0;
}

bool
cw_trace_add_gpu_projections (CwReceipt *receipt, size_t first, const CwTraceLaunch *launches, size_t n_launches,
                              size_t *n_added, CwError *error)
{
  size_t n = receipt->n_events, n_leaves = 0, added = 0;
  Leaf *leaves = NULL;
  CwTraceLaunch *sorted = NULL;
  bool have_prev = false, ok = true;
  size_t prev = 0;

  if (n_added)
    *n_added = 0;
  if (first >= n || n_launches == 0)
    return true;
  leaves = calloc (n - first, sizeof *leaves);
  sorted = malloc (n_launches * sizeof *sorted);
  if (leaves == NULL || sorted == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory projecting NVTX ranges onto the GPU");
      ok = false;
      goto out;
    }
  memcpy (sorted, launches, n_launches * sizeof *sorted);
  qsort (sorted, n_launches, sizeof *sorted, compare_launch_ids);

  /* A range is a leaf unless the next range in start order is nested in it
   * (its first child comes right after it in that order). */
  for (size_t i = first; i <= n; i++)
    {
      const CwTraceEvent *ev = i < n ? &receipt->events[i] : NULL;

      if (ev != NULL && (ev->kind != CW_TRACE_RANGE || cw_trace_event_is_gpu_projection (ev)))
        continue;
      if (have_prev)
        {
          const CwTraceEvent *p = &receipt->events[prev];
          bool has_child = ev != NULL && ev->depth > p->depth && ev->start_ns >= p->start_ns
                           && ev->end_ns <= p->end_ns;
          if (!has_child)
            {
              leaves[n_leaves].event = prev;
              leaves[n_leaves].start_ns = p->start_ns;
              leaves[n_leaves].end_ns = p->end_ns;
              n_leaves++;
            }
        }
      have_prev = ev != NULL;
      prev = i;
    }

  for (size_t i = first; i < n; i++)
    {
      const CwTraceEvent *ev = &receipt->events[i];
      uint64_t host_ns;
      Leaf *leaf;

      if (!is_gpu_work (ev->kind) || ev->correlation_id == 0
          || !find_launch (sorted, n_launches, ev->correlation_id, &host_ns)
          || (leaf = find_leaf (leaves, n_leaves, host_ns)) == NULL)
        continue;
      if (!leaf->any || ev->start_ns < leaf->gpu_start_ns)
        leaf->gpu_start_ns = ev->start_ns;
      if (!leaf->any || ev->end_ns > leaf->gpu_end_ns)
        leaf->gpu_end_ns = ev->end_ns;
      leaf->any = true;
    }

  for (size_t l = 0; l < n_leaves && ok; l++)
    {
      CwTraceEvent proj;
      const char *name;
      char *full;
      size_t len;

      if (!leaves[l].any)
        continue;
      /* Index, not pointer: appending may move receipt->events. */
      name = receipt->events[leaves[l].event].name;
      len = strlen (CW_TRACE_GPU_PREFIX) + strlen (name) + 1;
      full = malloc (len);
      if (full == NULL)
        {
          cw_error_set (error, CW_ERROR_OOM, "out of memory projecting NVTX ranges onto the GPU");
          ok = false;
          break;
        }
      strcpy (full, CW_TRACE_GPU_PREFIX);
      strcat (full, name);
      memset (&proj, 0, sizeof proj);
      proj.kind = CW_TRACE_RANGE;
      proj.name = full;
      proj.start_ns = leaves[l].gpu_start_ns;
      proj.end_ns = leaves[l].gpu_end_ns;
      proj.depth = receipt->events[leaves[l].event].depth + 1;
      ok = cw_receipt_add_event (receipt, &proj, error);
      free (full);
      if (ok)
        added++;
    }

out:
  free (leaves);
  free (sorted);
  if (n_added)
    *n_added = added;
  return ok;
}
