/* cw-seconds.h: one way to print a duration.
 *
 * The unit follows the size: below 1 ms in microseconds ("10.00 us"), below
 * 1 s in milliseconds ("1.311 ms"), else seconds ("2.5000 s"); about four
 * significant digits, enough to tell a transfer from a recompute at a
 * boundary. ASCII only ("us"), so tables line up and can be grepped. Every
 * front end prints times through it. Plain C17; never prints itself. */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CW_SECONDS_FORMAT_SIZE 48

/* Writes into buf (size bytes, CW_SECONDS_FORMAT_SIZE is always enough) and
 * returns buf. Negative times keep their sign; NaN prints as "nan s". */
char *cw_seconds_format (double seconds, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
