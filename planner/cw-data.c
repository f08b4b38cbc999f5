/* cw-data.c: locating the data directory; string vectors. */
#include "cw-data.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

FILE *
cw_data_open_regular (const char *path)
{
  struct stat st;
  FILE *f;
  int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      errno = EINVAL;
      return NULL;
    }
  /* Regular files never block; clear the flag so reads behave as usual. */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  f = fdopen (fd, "rb");
  if (f == NULL)
    {
      int e = errno;

      close (fd);
      errno = e;
    }
  return f;
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
