/* cw-cli-indexcache-options.h: the index-cache planner's command-line options,
 * shared by `cliffwatch-cli indexcache` and `cliffwatch-cli chart indexcache`
 * so that both plan exactly the same schedule from the same words.
 *
 * Parse each argument with cw_cli_indexcache_options_parse (as a
 * CwCliSetup extra-option hook would), then resolve once against the preset.
 * The options only record what was given; the resolution (what the preset
 * supplies, the defaults) is the planner's, cw-index-cache-setup.h, which the
 * workbench uses too. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cw-error.h"
#include "cw-index-cache-setup.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  CwIndexCacheSetup *setup;   /* owned; what the options gave */
  CwIndexCacheConfig ic;      /* filled by resolve; its lists point into setup */
  bool               every_given, full_given, stages_given, starts_given;
} CwCliIndexCacheOptions;

void cw_cli_indexcache_options_init (CwCliIndexCacheOptions *o);
void cw_cli_indexcache_options_clear (CwCliIndexCacheOptions *o);

/* One argument at argv[*i]: 1 consumed (advancing *i past a separate value),
 * 0 not an index-cache option, -1 bad value (error set). */
int  cw_cli_indexcache_options_parse (CwCliIndexCacheOptions *o, int argc, char **argv, int *i, CwError *error);

/* Checks the combination and fills o->ic through cw_index_cache_setup_resolve
 * (preset may be "" for none). `who` prefixes messages, e.g. "indexcache". */
bool cw_cli_indexcache_options_resolve (CwCliIndexCacheOptions *o, const char *preset, const char *who,
                                        CwError *error);

/* Prints the option list for --help. */
void cw_cli_indexcache_options_print_help (FILE *out);

#ifdef __cplusplus
}
#endif
