/* cw-data.h: where the data files (profiles, presets, GPUs) live, and the
 * small string-vector helpers the listing functions return. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* $CW_DATA_DIR if set and non-empty, else CW_DATADIR if it exists, else
 * CW_SOURCE_DATADIR (uninstalled runs). Never NULL; not owned by the caller. */
const char *cw_data_dir (void);

/* Opens a data file for reading, refusing anything that is not a regular
 * file (a FIFO would block the loader forever, a device or directory is not
 * data): the open does not block, then fstat decides. NULL with errno set
 * (ENOENT, EACCES..., or EINVAL for a non-regular file). */
FILE *cw_data_open_regular (const char *path);

/* NULL-terminated vector of malloc'd strings. */
void cw_strv_free (char **strv);
size_t cw_strv_length (char *const *strv);

#ifdef __cplusplus
}
#endif
