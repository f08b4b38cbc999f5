/* cw-wgmma-smem.cuh: the shared-memory operand layout both wgmma score
 * kernels (cw-score-wgmma.cu, cw-score-wgmma-ws.cu) use: K-major rows of d
 * bytes cut into 128-byte k-blocks, each block 128-byte swizzled, and the
 * matrix descriptor that tells wgmma so. One definition, so the two kernels
 * cannot disagree about where a byte lives. */
#pragma once

#include <stdint.h>

/* Shared-memory matrix descriptor: K-major, 128-byte swizzle, 8-row groups
 * 1024 bytes apart (rows of 128 bytes). */
__device__ __forceinline__ uint64_t
cw_wgmma_smem_desc (uint32_t addr)
{
  return (uint64_t) ((addr & 0x3ffff) >> 4) | ((uint64_t) 1 << 16) | ((uint64_t) (1024 >> 4) << 32)
         | ((uint64_t) 1 << 62);
}

/* Byte offset of 16-byte chunk `chunk` (0..DB/16-1) of row `row` in a
 * K-major operand of `rows` rows: k-blocks of 128 bytes per row, each block
 * [rows x 128 B] with the 128-byte swizzle (chunk ^ row % 8). */
__device__ __forceinline__ uint32_t
cw_wgmma_swizzled (uint32_t row, uint32_t chunk, uint32_t rows)
{
  return (chunk >> 3) * rows * 128 + row * 128 + (((chunk & 7) ^ (row & 7)) << 4);
}

/* A descriptor for the operand `bytes` further on (a multiple of 16) from
 * the one `desc` describes: the start address field holds address >> 4, and
 * shared-memory addresses stay below 2^18, so adding to the descriptor adds
 * to that field without a carry into the flags. One 64-bit add, where
 * rebuilding the descriptor costs a mask, a shift and an or; with `desc`
 * warp-uniform the compiler keeps it in uniform registers, so the wgmma
 * issue sequence needs no register-to-uniform moves. */
__device__ __forceinline__ uint64_t
cw_wgmma_desc_advance (uint64_t desc, uint32_t bytes)
{
  return desc + (uint64_t) (bytes >> 4);
}
