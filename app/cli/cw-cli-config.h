/* cw-cli-config.h: the options every planner subcommand shares (configuration,
 * preset, GPU and reserve, profiles and their params, output format), parsed
 * once into a CwCliSetup. Subcommand-specific options go through a callback. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-cli-args.h"
#include "cw-planner.h"

#define CW_CLI_MAX_PROFILES 64

typedef struct {
  CwConfig config;
  char preset[128];            /* "" when none (the engine's preset when --engine chose it) */
  char engine[128];            /* "" when none */
  CwGpu *gpu;                  /* never NULL after a successful parse */
  uint64_t reserve_bytes;
  uint64_t usable_bytes;
  CwCliFormat format;
  bool training;               /* --training: each profile's training step (NAME-train) */
  unsigned n_profiles;
  CwProfile *profiles[CW_CLI_MAX_PROFILES];
} CwCliSetup;

/* Returns 1 when argv[*i] was consumed (advancing *i past any value), 0 when
 * the option is not this subcommand's, -1 on error (error set). */
typedef int (*CwCliExtraOption) (int argc, char **argv, int *i, void *user_data, CwError *error);

/* argv[0] is the subcommand. Prints nothing; on failure sets error. With
 * want_gpu false, --gpu/--reserve are still accepted. */
bool cw_cli_setup_parse (CwCliSetup *setup, int argc, char **argv, CwCliExtraOption extra,
                         void *user_data, CwError *error);
void cw_cli_setup_clear (CwCliSetup *setup);

/* Help text for the shared options. */
void cw_cli_setup_print_help (FILE *out);
/* Width of a table's profile column: 16, or the longest selected name
 * (training steps are named NAME-train). */
int cw_cli_setup_name_width (const CwCliSetup *setup);
/* JSON object of the configuration. */
void cw_cli_config_json (FILE *out, const CwConfig *config);
