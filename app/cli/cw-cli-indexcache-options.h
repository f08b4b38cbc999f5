/* cw-cli-indexcache-options.h: the index-cache planner's command-line options,
 * shared by `cliffwatch-cli indexcache` and `cliffwatch-cli chart indexcache`
 * so that both plan exactly the same schedule from the same words.
 *
 * Parse each argument with cw_cli_indexcache_options_parse (as a
 * CwCliSetup extra-option hook would), then resolve once against the preset:
 * the preset supplies the layer count, the indexer layers and the index
 * heads the user did not give. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cw-error.h"
#include "cw-index-cache.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  CwIndexCacheConfig ic;
  uint64_t *indexer_layers, *full_layers, *stage_starts;   /* owned */
  bool      layers_given, indexer_given, every_given, full_given, stages_given, starts_given;
  double    link_bytes_per_s, flops_per_s;                 /* defaults: 50 GB/s, 100 TFLOP/s (assumptions) */
  bool      link_given, tflops_given;
} CwCliIndexCacheOptions;

void cw_cli_indexcache_options_init (CwCliIndexCacheOptions *o);
void cw_cli_indexcache_options_clear (CwCliIndexCacheOptions *o);

/* One argument at argv[*i]: 1 consumed (advancing *i past a separate value),
 * 0 not an index-cache option, -1 bad value (error set). */
int  cw_cli_indexcache_options_parse (CwCliIndexCacheOptions *o, int argc, char **argv, int *i, CwError *error);

/* Checks the combination and fills o->ic from the options and the preset
 * (may be "" for none). `who` prefixes messages, e.g. "indexcache". */
bool cw_cli_indexcache_options_resolve (CwCliIndexCacheOptions *o, const char *preset, const char *who,
                                        CwError *error);

/* Prints the option list for --help. */
void cw_cli_indexcache_options_print_help (FILE *out);

#ifdef __cplusplus
}
#endif
