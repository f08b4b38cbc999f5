/* cw-u64-map-private.h: a uint64 -> uint64 map with open addressing (linear
 * probing, no tombstones), for the profiler's replays: live allocations by
 * address (cw-live-bytes.c) and launch times by correlation id
 * (profiler/exec). Key 0 marks an empty slot and cannot be stored. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t *keys;     /* 0 = empty */
  uint64_t *values;
  size_t    cap, n;
} CwU64Map;

/* Room for `expected` keys at load <= 1/2. false when out of memory (the
 * map is then empty and safe to clear). */
bool   cw_u64_map_init  (CwU64Map *map, size_t expected);
void   cw_u64_map_clear (CwU64Map *map);
/* Slot holding `key`, or the empty slot where it would go. */
size_t cw_u64_map_slot  (const CwU64Map *map, uint64_t key);
/* Stores key -> value (replacing), growing first when the load would pass
 * 1/2; false when out of memory (the map is unchanged). */
bool   cw_u64_map_set   (CwU64Map *map, uint64_t key, uint64_t value);
/* Empties slot i and re-seats the cluster after it. */
void   cw_u64_map_remove_slot (CwU64Map *map, size_t i);
