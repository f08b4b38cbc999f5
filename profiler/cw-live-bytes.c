/* cw-live-bytes.c: the live-bytes rule of cw-live-bytes.h, over an
 * open-addressing address table (linear probing, no tombstones). */
#include "cw-live-bytes.h"

#include <stdlib.h>
#include <string.h>

struct _CwLiveBytes {
  uint64_t *keys;     /* 0 = empty */
  uint64_t *values;
  size_t    cap, n;
  uint64_t  live, peak, unmatched;
};

static uint64_t
mix (uint64_t x)
{
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

static bool
table_alloc (CwLiveBytes *self, size_t cap)
{
  self->keys = calloc (cap, sizeof *self->keys);
  self->values = calloc (cap, sizeof *self->values);
  self->cap = cap;
  if (self->keys == NULL || self->values == NULL)
    {
      free (self->keys);
      free (self->values);
      self->keys = self->values = NULL;
      return false;
    }
  return true;
}

/* Slot of `key`, or of the empty slot where it would go. */
static size_t
slot_of (const CwLiveBytes *self, uint64_t key)
{
  size_t i = (size_t) mix (key) & (self->cap - 1);

  while (self->keys[i] != 0 && self->keys[i] != key)
    i = (i + 1) & (self->cap - 1);
  return i;
}

/* Removes slot i and re-seats the cluster after it. */
static void
remove_slot (CwLiveBytes *self, size_t i)
{
  size_t j = i;

  self->keys[i] = 0;
  self->n--;
  for (;;)
    {
      size_t k;

      j = (j + 1) & (self->cap - 1);
      if (self->keys[j] == 0)
        return;
      k = (size_t) mix (self->keys[j]) & (self->cap - 1);
      /* Move j back to i when its home k is not cyclically in (i, j]. */
      if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
        continue;
      self->keys[i] = self->keys[j];
      self->values[i] = self->values[j];
      self->keys[j] = 0;
      i = j;
    }
}

static bool
grow (CwLiveBytes *self)
{
  uint64_t *keys = self->keys, *values = self->values;
  size_t cap = self->cap;

  if (cap > SIZE_MAX / 4 || !table_alloc (self, cap * 2))
    {
      self->keys = keys;
      self->values = values;
      self->cap = cap;
      return false;
    }
  for (size_t i = 0; i < cap; i++)
    if (keys[i] != 0)
      {
        size_t s = slot_of (self, keys[i]);
        self->keys[s] = keys[i];
        self->values[s] = values[i];
      }
  free (keys);
  free (values);
  return true;
}

CwLiveBytes *
cw_live_bytes_new (size_t expected)
{
  CwLiveBytes *self = calloc (1, sizeof *self);
  size_t cap = 64;

  if (self == NULL)
    return NULL;
  while (cap / 2 < expected && cap < SIZE_MAX / 4)
    cap *= 2;
  if (!table_alloc (self, cap))
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
  free (self->keys);
  free (self->values);
  free (self);
}

bool
cw_live_bytes_alloc (CwLiveBytes *self, uint64_t address, uint64_t bytes, uint64_t *live_after, CwError *error)
{
  size_t s;

  if (address != 0)
    {
      /* Keep the load under one half. */
      if ((self->n + 1) * 2 > self->cap && !grow (self))
        {
          cw_error_set (error, CW_ERROR_OOM, "out of memory replaying device allocations");
          return false;
        }
      s = slot_of (self, address);
      if (self->keys[s] == address)
        self->live -= self->values[s];   /* a free we never saw: replace */
      else
        self->n++;
      self->keys[s] = address;
      self->values[s] = bytes;
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
  size_t s;

  if (address == 0)
    {
      self->unmatched++;
      return self->live;
    }
  s = slot_of (self, address);
  if (self->keys[s] != address)
    {
      self->unmatched++;
      return self->live;
    }
  self->live -= self->values[s];
  remove_slot (self, s);
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
