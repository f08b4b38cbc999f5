/* cw-parse.h: strict parsing of the words a user types: integers (with an
 * optional binary suffix), rates and integer lists.
 *
 * One parser for every front end (cliffwatch-cli, the workbench's entry rows,
 * the index-transfer binary), so that "512M" or "12x" means the same, or is
 * refused with the same message, everywhere. Each reports through CwError
 * with one line naming the option or field, e.g. "--sq: '12x' is not a
 * non-negative integer". Plain C17; never prints. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decimal digits only (no sign, no spaces), overflow checked. Also accepts a
 * binary suffix K, M, G, T (KiB...) when allow_suffix, e.g. "512M". */
bool cw_parse_u64 (const char *option, const char *text, bool allow_suffix, uint64_t *out, CwError *error);
/* As above, and rejects 0. */
bool cw_parse_positive_u64 (const char *option, const char *text, bool allow_suffix, uint64_t *out,
                            CwError *error);
/* Non-negative finite decimal (e.g. "450e9"), for rates. Rejects 0 when positive. */
bool cw_parse_double (const char *option, const char *text, bool positive, double *out, CwError *error);
/* "1,2,5" -> malloc'd array (caller frees). */
bool cw_parse_u64_list (const char *option, const char *text, uint64_t **out, uint64_t *n_out, CwError *error);

/* Command-line words: "--name VALUE" and "--name=VALUE". Returns true when
 * argv[*i] is this option; *value points at the value (advancing *i past a
 * separate value). A missing value sets error, *value = NULL, returns true. */
bool cw_parse_match_option (int argc, char **argv, int *i, const char *name, const char **value, CwError *error);
/* "--help", "-h" or "help". */
bool cw_parse_is_help (const char *arg);

#ifdef __cplusplus
}
#endif
