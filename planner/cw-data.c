/* cw-data.c: locating the data directory; string vectors. */
#include "cw-data.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "cw-build-config.h"

const char *
cw_data_dir (void)
{
  const char *env = getenv ("CW_DATA_DIR");
  struct stat st;

  if (env != NULL && *env != '\0')
    return env;
  if (stat (CW_DATADIR, &st) == 0 && S_ISDIR (st.st_mode))
    return CW_DATADIR;
  return CW_SOURCE_DATADIR;
}

void
cw_strv_free (char **strv)
{
  if (strv == NULL)
    return;
  for (char **p = strv; *p != NULL; p++)
    free (*p);
  free (strv);
}

size_t
cw_strv_length (char *const *strv)
{
  size_t n = 0;

  while (strv != NULL && strv[n] != NULL)
    n++;
  return n;
}
