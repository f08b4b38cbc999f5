/* cw-cli-args.h: strict option parsing shared by every subcommand.
 *
 * All helpers report through CwError with a one-line message naming the
 * option, e.g. "--sq: '12x' is not a non-negative integer". The caller prints
 * it with cw_cli_fail(), which prefixes "cliffwatch-cli: " and returns 2.
 * The parsers are the planner's (cw-parse.h: the workbench and the
 * index-transfer binary use them too); the cw_cli_ names are kept for the
 * subcommands. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CW_CLI_EXIT_OK 0
#define CW_CLI_EXIT_USAGE 2

typedef enum {
  CW_CLI_FORMAT_TABLE = 0,
  CW_CLI_FORMAT_JSON,
  CW_CLI_FORMAT_CSV,
} CwCliFormat;

/* Decimal digits only (no sign, no spaces), overflow checked. Also accepts a
 * binary suffix K, M, G, T (KiB...) when allow_suffix, e.g. "512M". */
bool cw_cli_parse_u64 (const char *option, const char *text, bool allow_suffix,
                       uint64_t *out, CwError *error);
/* As above, and rejects 0. */
bool cw_cli_parse_positive_u64 (const char *option, const char *text, bool allow_suffix,
                                uint64_t *out, CwError *error);
/* Non-negative finite decimal (e.g. "450e9"), for rates. Rejects 0 when positive. */
bool cw_cli_parse_double (const char *option, const char *text, bool positive,
                          double *out, CwError *error);
bool cw_cli_parse_format (const char *text, CwCliFormat *out, CwError *error);
/* "1,2,5" → malloc'd array. */
bool cw_cli_parse_u64_list (const char *option, const char *text,
                            uint64_t **out, uint64_t *n_out, CwError *error);

/* Option matching for "--name VALUE" and "--name=VALUE". Returns true when
 * argv[*i] is this option; *value points at the value (advancing *i past a
 * separate value). A missing value sets error and returns true. */
bool cw_cli_match_option (int argc, char **argv, int *i, const char *name,
                          const char **value, CwError *error);
bool cw_cli_is_help (const char *arg);

/* Prints "cliffwatch-cli: MESSAGE\n" to stderr and returns CW_CLI_EXIT_USAGE. */
int cw_cli_fail (const CwError *error);
int cw_cli_failf (const char *fmt, ...) CW_PRINTF_FORMAT (1, 2);

/* JSON string with escapes, quotes included. */
void cw_cli_json_string (FILE *out, const char *s);
/* CSV field, quoted when needed. */
void cw_cli_csv_field (FILE *out, const char *s);

#ifdef __cplusplus
}
#endif
