/* cw-bytes.h: overflow-checked uint64 arithmetic and the one way sizes are printed.
 *
 * Every size in Cliffwatch is a uint64 count of bytes. A product that does not
 * fit is an error the caller must report, never a wrapped number, so each
 * helper returns false on overflow and leaves *out untouched. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

bool cw_add_u64 (uint64_t a, uint64_t b, uint64_t *out);
bool cw_sub_u64 (uint64_t a, uint64_t b, uint64_t *out);        /* false when b > a */
bool cw_mul_u64 (uint64_t a, uint64_t b, uint64_t *out);
bool cw_ceil_div_u64 (uint64_t a, uint64_t b, uint64_t *out);   /* false when b == 0 */
bool cw_align_up_u64 (uint64_t a, uint64_t align, uint64_t *out); /* align 0 or 1: identity */

/* x rounded to the nearest integer as a uint64: false when x is not finite,
 * below -0.5 or at least 2^64 (llround would wrap past 2^63). */
bool cw_round_u64 (double x, uint64_t *out);

/* Longest string cw_bytes_format writes, including the NUL. */
#define CW_BYTES_FORMAT_SIZE 64

/* "17179869184 B (16.00 GiB, 17.18 GB)": exact bytes, then binary and decimal,
 * labelled, because published figures mix the two. Returns buf. */
char *cw_bytes_format (uint64_t bytes, char *buf, size_t size);

/* Just the "16.00 GiB" part (binary units, two decimals, auto-scaled B..EiB). */
char *cw_bytes_format_gib (uint64_t bytes, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
