/* cw-paths.h: where the workbench finds its data when installed and when run
 * from the build tree (sample receipts, GSettings schema, translations).
 * Owner: workbench. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

const char *cw_paths_get_data_dir        (void);
char       *cw_paths_dup_sample_database (void);
const char *cw_paths_get_locale_dir      (void);
GSettings  *cw_paths_new_settings        (GError **error);

G_END_DECLS
