/* cw-u64-map.c: the map of cw-u64-map-private.h. */
#include "cw-u64-map-private.h"

#include <stdlib.h>
#include <string.h>

static uint64_t
mix (uint64_t x)
{
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

static bool
alloc_table (CwU64Map *map, size_t cap)
{
  map->keys = calloc (cap, sizeof *map->keys);
  map->values = calloc (cap, sizeof *map->values);
  map->cap = cap;
  map->n = 0;
  if (map->keys == NULL || map->values == NULL)
    {
      cw_u64_map_clear (map);
      return false;
    }
  return true;
}

bool
cw_u64_map_init (CwU64Map *map, size_t expected)
{
  size_t cap = 64;

  while (cap / 2 < expected && cap < SIZE_MAX / 4)
    cap *= 2;
  return alloc_table (map, cap);
}

void
cw_u64_map_clear (CwU64Map *map)
{
  free (map->keys);
  free (map->values);
  memset (map, 0, sizeof *map);
}

size_t
cw_u64_map_slot (const CwU64Map *map, uint64_t key)
{
  size_t i = (size_t) mix (key) & (map->cap - 1);

  while (map->keys[i] != 0 && map->keys[i] != key)
    i = (i + 1) & (map->cap - 1);
  return i;
}

static bool
grow (CwU64Map *map)
{
  CwU64Map old = *map;

  if (old.cap > SIZE_MAX / 4 || !alloc_table (map, old.cap * 2))
    {
      *map = old;
      return false;
    }
  for (size_t i = 0; i < old.cap; i++)
    if (old.keys[i] != 0)
      {
        size_t s = cw_u64_map_slot (map, old.keys[i]);
        map->keys[s] = old.keys[i];
        map->values[s] = old.values[i];
      }
  map->n = old.n;
  free (old.keys);
  free (old.values);
  return true;
}

bool
cw_u64_map_set (CwU64Map *map, uint64_t key, uint64_t value)
{
  size_t s;

  if ((map->n + 1) * 2 > map->cap && !grow (map))
    return false;
  s = cw_u64_map_slot (map, key);
  if (map->keys[s] != key)
    map->n++;
  map->keys[s] = key;
  map->values[s] = value;
  return true;
}

void
cw_u64_map_remove_slot (CwU64Map *map, size_t i)
{
  size_t j = i;

  map->keys[i] = 0;
  map->n--;
  for (;;)
    {
      size_t k;

      j = (j + 1) & (map->cap - 1);
      if (map->keys[j] == 0)
        return;
      k = (size_t) mix (map->keys[j]) & (map->cap - 1);
      /* Move j back to i when its home k is not cyclically in (i, j]. */
      if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
        continue;
      map->keys[i] = map->keys[j];
      map->values[i] = map->values[j];
      map->keys[j] = 0;
      i = j;
    }
}
