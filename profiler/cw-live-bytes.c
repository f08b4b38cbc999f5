/* cw-live-bytes.c: the live-bytes rule of cw-live-bytes.h, over an
 * address -> bytes map (cw-u64-map-private.h). */
#include "cw-live-bytes.h"

#include <stdlib.h>
#include <string.h>

#include "cw-u64-map-private.h"

struct _CwLiveBytes {
  CwU64Map  live_by_address;   /* address -> bytes of each live allocation */
  uint64_t  live, peak, unmatched;
};

CwLiveBytes *
cw_live_bytes_new (size_t expected)
{
  CwLiveBytes *self = calloc (1, sizeof *self);

  if (self == NULL)
    return NULL;
  if (!cw_u64_map_init (&self->live_by_address, expected))
    {
      free (self);
      return NULL;
    }
  return self;
}

void
cw_live_bytes_free (CwLiveBytes *self)
{
  if (self == NULL)
    return;
  cw_u64_map_clear (&self->live_by_address);
  free (self);
}

bool
cw_live_bytes_alloc (CwLiveBytes *self, uint64_t address, uint64_t bytes, uint64_t *live_after, CwError *error)
{
  CwU64Map *map = &self->live_by_address;

  if (address != 0)
    {
      size_t s = cw_u64_map_slot (map, address);
      uint64_t replaced = map->keys[s] == address ? map->values[s] : 0;   /* a free we never saw */

      if (!cw_u64_map_set (map, address, bytes))
        {
          cw_error_set (error, CW_ERROR_OOM, "out of memory replaying device allocations");
          return false;
        }
      self->live -= replaced;
      /* Live bytes are a sum of distinct device allocations: they fit. */
      self->live += bytes;
      if (self->live > self->peak)
        self->peak = self->live;
    }
  if (live_after)
    *live_after = self->live;
  return true;
}

uint64_t
cw_live_bytes_release (CwLiveBytes *self, uint64_t address)
{
  CwU64Map *map = &self->live_by_address;
  size_t s;

  if (address == 0)
    {
      self->unmatched++;
      return self->live;
    }
  s = cw_u64_map_slot (map, address);
  if (map->keys[s] != address)
    {
      self->unmatched++;
      return self->live;
    }
  self->live -= map->values[s];
  cw_u64_map_remove_slot (map, s);
  return self->live;
}

uint64_t cw_live_bytes_get_live (const CwLiveBytes *self) { return self->live; }
uint64_t cw_live_bytes_get_peak (const CwLiveBytes *self) { return self->peak; }
uint64_t cw_live_bytes_get_n_unmatched_frees (const CwLiveBytes *self) { return self->unmatched; }

typedef struct {
  uint64_t t_ns;
  size_t   index;
} Order;

/* Time, then the given order (qsort is not stable). */
static int
compare_order (const void *a, const void *b)
{
  const Order *x = a, *y = b;

  if (x->t_ns != y->t_ns)
    return x->t_ns < y->t_ns ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

typedef struct {
  uint64_t     *live_after;
  CwLiveChange *changes;
  size_t        n_changes;
} Sink;

static bool
walk (const CwLiveEvent *events, size_t n_events, Sink *sink, uint64_t *peak, uint64_t *n_unmatched,
      CwError *error)
{
  CwLiveBytes *lb;
  Order *order = NULL;
  bool sorted = true;

  if (peak)
    *peak = 0;
  if (n_unmatched)
    *n_unmatched = 0;
  if (n_events == 0)
    return true;
  lb = cw_live_bytes_new (n_events);
  if (lb == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory replaying device allocations");
      return false;
    }
  for (size_t i = 1; i < n_events && sorted; i++)
    sorted = events[i - 1].t_ns <= events[i].t_ns;
  if (!sorted)
    {
      order = malloc (n_events * sizeof *order);
      if (order == NULL)
        {
          cw_live_bytes_free (lb);
          cw_error_set (error, CW_ERROR_OOM, "out of memory replaying device allocations");
          return false;
        }
      for (size_t i = 0; i < n_events; i++)
        order[i] = (Order) { events[i].t_ns, i };
      qsort (order, n_events, sizeof *order, compare_order);
    }
  for (size_t k = 0; k < n_events; k++)
    {
      size_t i = order ? order[k].index : k;
      const CwLiveEvent *e = &events[i];
      uint64_t before = cw_live_bytes_get_live (lb), live;

      if (e->is_free)
        {
          live = cw_live_bytes_release (lb, e->address);
          if (sink->changes)
            sink->changes[sink->n_changes++] = (CwLiveChange) { e->t_ns, before - live, true };
        }
      else
        {
          if (!cw_live_bytes_alloc (lb, e->address, e->bytes, &live, error))
            {
              free (order);
              cw_live_bytes_free (lb);
              return false;
            }
          if (sink->changes)
            {
              /* live = before - replaced + bytes (address 0 adds nothing). */
              uint64_t added = e->address != 0 ? e->bytes : 0;
              uint64_t replaced = before + added - live;

              if (replaced)
                sink->changes[sink->n_changes++] = (CwLiveChange) { e->t_ns, replaced, true };
              sink->changes[sink->n_changes++] = (CwLiveChange) { e->t_ns, added, false };
            }
        }
      if (sink->live_after)
        sink->live_after[i] = live;
    }
  if (peak)
    *peak = cw_live_bytes_get_peak (lb);
  if (n_unmatched)
    *n_unmatched = cw_live_bytes_get_n_unmatched_frees (lb);
  free (order);
  cw_live_bytes_free (lb);
  return true;
}

bool
cw_live_bytes_replay (const CwLiveEvent *events, size_t n_events, uint64_t *live_after, uint64_t *peak,
                      uint64_t *n_unmatched, CwError *error)
{
  Sink sink = { live_after, NULL, 0 };

  return walk (events, n_events, &sink, peak, n_unmatched, error);
}

bool
cw_live_bytes_changes (const CwLiveEvent *events, size_t n_events, CwLiveChange **out, size_t *n_out,
                       CwError *error)
{
  Sink sink = { NULL, NULL, 0 };

  *out = NULL;
  *n_out = 0;
  if (n_events == 0)
    return true;
  if (n_events > SIZE_MAX / (2 * sizeof *sink.changes))
    {
      cw_error_set (error, CW_ERROR_OOM, "too many allocation events");
      return false;
    }
  sink.changes = malloc (2 * n_events * sizeof *sink.changes);
  if (sink.changes == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory replaying device allocations");
      return false;
    }
  if (!walk (events, n_events, &sink, NULL, NULL, error))
    {
      free (sink.changes);
      return false;
    }
  *out = sink.changes;
  *n_out = sink.n_changes;
  return true;
}
