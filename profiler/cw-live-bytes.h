/* cw-live-bytes.h: the one rule for replaying device allocations into live
 * bytes, used by every measured peak and every live-bytes curve (the
 * profiler's lanes, profile --exec, the memory timeline of both front ends).
 *
 * The rule: events are taken in time order (ties in the order given); an
 * allocation adds its bytes under its address; a free releases what the
 * allocation at that address holds — the size a free record carries is not
 * trusted; a free of an address not live changes nothing and is counted; an
 * allocation at an address that is still live (a free we never saw) replaces
 * the old one. Address 0 is never live. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwLiveBytes CwLiveBytes;

/* `expected` sizes the address table (it grows as needed). NULL when out of memory. */
CwLiveBytes *cw_live_bytes_new  (size_t expected);
void         cw_live_bytes_free (CwLiveBytes *self);

/* Both return the bytes live afterwards. alloc fails (false, CW_ERROR_OOM)
 * only when the table cannot grow. */
bool         cw_live_bytes_alloc   (CwLiveBytes *self, uint64_t address, uint64_t bytes, uint64_t *live_after,
                                    CwError *error);
uint64_t     cw_live_bytes_release (CwLiveBytes *self, uint64_t address);

uint64_t     cw_live_bytes_get_live (const CwLiveBytes *self);
uint64_t     cw_live_bytes_get_peak (const CwLiveBytes *self);
/* Frees of addresses that were not live. */
uint64_t     cw_live_bytes_get_n_unmatched_frees (const CwLiveBytes *self);

/* One allocation or free, for cw_live_bytes_replay. */
typedef struct {
  uint64_t t_ns;
  uint64_t address;
  uint64_t bytes;     /* allocations; ignored on frees */
  bool     is_free;
} CwLiveEvent;

/* Replays events under the rule above. live_after[i] receives the bytes live
 * after events[i] (may be NULL); *peak the largest; *n_unmatched the frees
 * that matched nothing (may be NULL). Events need not be sorted. */
bool cw_live_bytes_replay (const CwLiveEvent *events, size_t n_events, uint64_t *live_after, uint64_t *peak,
                           uint64_t *n_unmatched, CwError *error);

/* The replay as changes whose plain running sum is the live bytes, for
 * curves drawn by code that only adds and subtracts (the timeline chart):
 * in time order, a matched free carries the bytes it released, an unmatched
 * one 0, and an allocation that replaced a live one is preceded by the
 * release of the old bytes. *out (free with free()) has at most
 * 2 * n_events entries. */
typedef struct {
  uint64_t t_ns;
  uint64_t bytes;
  bool     is_free;
} CwLiveChange;

bool cw_live_bytes_changes (const CwLiveEvent *events, size_t n_events, CwLiveChange **out, size_t *n_out,
                            CwError *error);

#ifdef __cplusplus
}
#endif
