/* cw-paths.c: locating data, schema and translations.
 *
 * The README's run command starts the workbench straight from the build tree,
 * where nothing is installed. Each lookup therefore tries the environment
 * override first, then the installed location, then the build/source tree, so
 * the same binary works installed, uninstalled and under the test harness.
 * Owner: workbench. */
#include "cw-build-config.h"

#include "cw-paths.h"

#include <string.h>

#define CW_APP_ID "org.cliffwatch.Cliffwatch"
#define CW_SAMPLE_PREFERRED "deepseek-v4-flash.db"

const char *
cw_paths_get_data_dir (void)
{
  static char *data_dir;

  if (data_dir == NULL)
    {
      const char *env = g_getenv ("CW_DATA_DIR");

      if (env != NULL && *env != '\0')
        data_dir = g_strdup (env);
      else if (g_file_test (CW_DATADIR, G_FILE_TEST_IS_DIR))
        data_dir = g_strdup (CW_DATADIR);
      else
        data_dir = g_strdup (CW_SOURCE_DATADIR);
    }

  return data_dir;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* The bundled sample: the *.db under data/receipts for the default preset,
 * else the first in name order, so the choice is stable whatever the
 * directory listing order is. */
char *
cw_paths_dup_sample_database (void)
{
  g_autofree char *dir = g_build_filename (cw_paths_get_data_dir (), "receipts", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return NULL;

  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".db"))
      g_ptr_array_add (names, g_strdup (name));

  if (names->len == 0)
    return NULL;

  g_ptr_array_sort (names, compare_names);
  /* The receipts of the Plan page's default preset overlay its cliff chart
   * on first start, so that sample wins. */
  for (guint i = 0; i < names->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (names, i), CW_SAMPLE_PREFERRED))
      return g_build_filename (dir, g_ptr_array_index (names, i), NULL);
  return g_build_filename (dir, g_ptr_array_index (names, 0), NULL);
}

const char *
cw_paths_get_locale_dir (void)
{
  static const char *locale_dir;

  if (locale_dir == NULL)
    {
      const char *env = g_getenv ("CW_LOCALE_DIR");
      g_autofree char *installed = g_build_filename (CW_LOCALEDIR, "de", "LC_MESSAGES",
                                                     GETTEXT_PACKAGE ".mo", NULL);

      if (env != NULL && *env != '\0')
        locale_dir = g_strdup (env);
      else if (g_file_test (installed, G_FILE_TEST_EXISTS))
        locale_dir = CW_LOCALEDIR;
      else if (g_file_test (CW_BUILD_LOCALE_DIR, G_FILE_TEST_IS_DIR))
        locale_dir = CW_BUILD_LOCALE_DIR;
      else
        locale_dir = CW_LOCALEDIR;
    }

  return locale_dir;
}

/* The schema comes from the default sources (installed, or GSETTINGS_SCHEMA_DIR)
 * and otherwise from the build tree's compiled copy. Never g_settings_new()
 * blindly: it aborts the process when the schema is missing. */
GSettings *
cw_paths_new_settings (GError **error)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaSource) build_source = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, CW_APP_ID, TRUE);

  if (schema == NULL && g_file_test (CW_BUILD_SCHEMA_DIR "/gschemas.compiled", G_FILE_TEST_EXISTS))
    {
      build_source = g_settings_schema_source_new_from_directory (CW_BUILD_SCHEMA_DIR, source, FALSE, error);
      if (build_source == NULL)
        return NULL;
      schema = g_settings_schema_source_lookup (build_source, CW_APP_ID, FALSE);
    }

  if (schema == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "GSettings schema %s is not installed and no compiled copy was found in %s",
                   CW_APP_ID, CW_BUILD_SCHEMA_DIR);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}
