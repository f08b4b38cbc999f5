/* cw-cli-receipts-diff.h: `receipts diff` (cw-cli-receipts.c dispatches
 * to it; the comparison itself is the store library's cw-receipt-diff.h). */
#pragma once

#include <stdbool.h>

#include "cw-cli-args.h"
#include "cw-error.h"
#include "cw-receipt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads receipt `which` (a row id or a UUID) of database `db` without its
 * trace, predictions planned on read as every reader does. */
CwReceipt *cw_cli_receipts_load_ref (const char *db, const char *which, CwError *error);

/* Splits `DB ID1 [DB2] ID2` (DB may come from --db instead). */
bool       cw_cli_receipts_diff_args (int n, const char *const *positional, const char *db_option,
                                      const char **db_a, const char **id_a, const char **db_b,
                                      const char **id_b, CwError *error);

/* `receipts diff`, after the receipts command parsed its options. */
int        cw_cli_receipts_diff (int n, const char *const *positional, const char *db_option, CwCliFormat format);

#ifdef __cplusplus
}
#endif
