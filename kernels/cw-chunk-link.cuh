/* cw-chunk-link.cuh: how the streaming lane's chunk kernels hand tile rows
 * to each other while they overlap (v16, bench/NOTES-kernels.md).
 *
 * Why: the lane runs score(0), top-k(0), score(1), top-k(1), ... over one
 * tile. Serialized, every launch ends with a last wave that leaves SMs idle
 * and every launch starts on an empty GPU: about 100 µs per chunk boundary
 * at S=65,536 (v15a). With programmatic dependent launch (PDL) each kernel
 * may start while its predecessor's last wave still runs; what it may then
 * touch is decided per tile row, not per launch, through one 32-bit
 * mailbox word per row:
 *   - the mailbox of global row r is idx[r * top_k], the first output word
 *     of that row; nothing reads it as an output before the row's top-k
 *     writes its result over it, so it costs no workspace (the planner's
 *     streaming formula is unchanged);
 *   - the lane zeroes every row's mailbox first (one 2D memset);
 *   - score blocks add the number of keys they stored for the row (a row's
 *     key splits add up to L(s)); the row's top-k waits until the count is
 *     L(s) before it reads the row;
 *   - once it no longer reads tile row i, the top-k of chunk c sets
 *     CW_LINK_FREE in the mailbox of the row that reuses that tile row in
 *     chunk c + 1; score blocks of chunk c + 1 wait for it before storing.
 * A row with L(s) = 0 is never counted nor waited for; its result is all
 * -1, which already has the CW_LINK_FREE bit, so a late release is a no-op.
 *
 * Deadlock freedom: every kernel triggers its dependents at block start, so
 * a dependent grid is launched only once every block of its predecessor
 * runs or has finished; a block only ever waits on blocks of earlier grids,
 * which are therefore resident and make progress.
 * Completion: the last block of every linked grid waits for its
 * predecessor grid to complete (griddepcontrol.wait) before it exits, so
 * the lane's last kernel completes only after all earlier ones: work
 * queued after the lane sees every row.
 * Memory order: release = __threadfence then the atomic; acquire =
 * ld.acquire.gpu, then a block barrier; the top-k reads tile rows through
 * L2 (ld.global.cg), never the read-only path. */
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

#define CW_LINK_FREE 0x80000000u

__device__ __forceinline__ uint32_t
cw_link_load_acquire (const int32_t *word)
{
  uint32_t v;
  asm volatile ("ld.acquire.gpu.global.u32 %0, [%1];\n" : "=r"(v) : "l"(word) : "memory");
  return v;
}

/* Spins (with a short sleep, to leave issue slots and L2 bandwidth to the
 * running kernels) until (word & mask) == want. A fixed sleep: the
 * top-k's 40 registers have no room for a backoff counter. */
__device__ __forceinline__ void
cw_link_wait (const int32_t *word, uint32_t mask, uint32_t want)
{
  while ((cw_link_load_acquire (word) & mask) != want)
    __nanosleep (128);
}

__device__ __forceinline__ void
cw_link_release_add (int32_t *word, uint32_t n)
{
  __threadfence ();
  atomicAdd ((unsigned int *) word, n);
}

__device__ __forceinline__ void
cw_link_release_free (int32_t *word)
{
  __threadfence ();
  atomicOr ((unsigned int *) word, CW_LINK_FREE);
}

/* Lets a programmatically dependent grid launch once every block of this
 * one has executed this (or exited). No effect without PDL. */
__device__ __forceinline__ void
cw_grid_dep_trigger (void)
{
  asm volatile ("griddepcontrol.launch_dependents;\n" ::: "memory");
}

/* Waits until the predecessor grid has completed and its memory is
 * visible. No effect without PDL. */
__device__ __forceinline__ void
cw_grid_dep_wait (void)
{
  asm volatile ("griddepcontrol.wait;\n" ::: "memory");
}
