/* cw-cli-commands.h: every cliffwatch-cli subcommand, one entry point each.
 *
 * Each takes the argv after the dispatcher has removed the program name, so
 * argv[0] is the subcommand name. Return value is the process exit status:
 * 0 success, 1 "ran, but the answer is no" where documented, 2 bad input. */
#pragma once

#include "cw-build-config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The dispatcher: `cliffwatch-cli SUBCOMMAND ...`. */
int cw_cli_main (int argc, char **argv);

/* planner engineer (app/cli/cw-cli-plan.c, cw-cli-cliff.c, cw-cli-sweep.c, cw-cli-indexcache.c) */
int cw_cli_plan (int argc, char **argv);
int cw_cli_cliff (int argc, char **argv);
int cw_cli_sweep (int argc, char **argv);
int cw_cli_indexcache (int argc, char **argv);


#if CW_HAVE_SQLITE
/* receipt-store engineer */
int cw_cli_receipts (int argc, char **argv);
/* calibration engineer: link + throughput from index-transfer receipts */
int cw_cli_calibrate (int argc, char **argv);
#endif
#if CW_HAVE_SQLITE
/* measures an external CUDA program (profile --exec) */
int cw_cli_profile_exec (int argc, char **argv);
#endif
#if CW_HAVE_CUDA
/* profiler engineer: runs lanes on the GPU and stores receipts */
int cw_cli_profile (int argc, char **argv);
#endif
#if CW_HAVE_CAIRO
/* chart engineer */
int cw_cli_chart (int argc, char **argv);
#endif

#ifdef __cplusplus
}
#endif
