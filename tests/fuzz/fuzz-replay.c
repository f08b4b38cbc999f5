/* fuzz-replay.c: runs a libFuzzer entry point over files, for compilers
 * without libFuzzer (CI's gcc) and for regression runs of a corpus.
 *   fuzz-replay [--prefix BYTE] PATH...
 * A PATH that is a directory runs every regular file in it (sorted). With
 * --prefix, BYTE (0-255) is put before each file's bytes, so ordinary
 * inputs (the .profile files of data/profiles) can be replayed in a given mode.
 * Exit 0 when every input ran; a finding aborts, as under the fuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int prefix = -1;
static unsigned n_run;

static int
run_file (const char *path)
{
  FILE *f = fopen (path, "rb");
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;

  if (f == NULL)
    {
      fprintf (stderr, "fuzz-replay: %s: %s\n", path, strerror (errno));
      return 1;
    }
  if (prefix >= 0)
    {
      cap = 4096;
      buf = malloc (cap);
      if (buf == NULL)
        goto oom;
      buf[len++] = (uint8_t) prefix;
    }
  for (;;)
    {
      size_t got;

      if (len == cap)
        {
          uint8_t *nb = realloc (buf, cap ? cap * 2 : 4096);
          if (nb == NULL)
            goto oom;
          buf = nb;
          cap = cap ? cap * 2 : 4096;
        }
      got = fread (buf + len, 1, cap - len, f);
      len += got;
      if (got == 0)
        break;
    }
  if (ferror (f))
    {
      fprintf (stderr, "fuzz-replay: %s: read error\n", path);
      fclose (f);
      free (buf);
      return 1;
    }
  fclose (f);
  LLVMFuzzerTestOneInput (buf, len);
  free (buf);
  n_run++;
  return 0;

oom:
  fprintf (stderr, "fuzz-replay: out of memory reading %s\n", path);
  fclose (f);
  free (buf);
  return 1;
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
run_path (const char *path)
{
  struct stat st;
  DIR *dir;
  struct dirent *de;
  char **names = NULL;
  size_t n = 0;
  int status = 0;

  if (stat (path, &st) != 0)
    {
      fprintf (stderr, "fuzz-replay: %s: %s\n", path, strerror (errno));
      return 1;
    }
  if (!S_ISDIR (st.st_mode))
    return run_file (path);
  dir = opendir (path);
  if (dir == NULL)
    {
      fprintf (stderr, "fuzz-replay: %s: %s\n", path, strerror (errno));
      return 1;
    }
  while ((de = readdir (dir)) != NULL)
    {
      char **nn;
      size_t need = strlen (path) + strlen (de->d_name) + 2;
      char *full;

      if (de->d_name[0] == '.')
        continue;
      full = malloc (need);
      nn = realloc (names, (n + 1) * sizeof *names);
      if (full == NULL || nn == NULL)
        {
          free (full);
          free (nn ? nn : names);
          closedir (dir);
          fprintf (stderr, "fuzz-replay: out of memory\n");
          return 1;
        }
      names = nn;
      snprintf (full, need, "%s/%s", path, de->d_name);
      names[n++] = full;
    }
  closedir (dir);
  qsort (names, n, sizeof *names, cmp_names);
  for (size_t i = 0; i < n; i++)
    {
      if (stat (names[i], &st) == 0 && S_ISREG (st.st_mode))
        status |= run_file (names[i]);
      free (names[i]);
    }
  free (names);
  return status;
}

int
main (int argc, char **argv)
{
  int status = 0, i = 1;

  if (argc > 2 && strcmp (argv[1], "--prefix") == 0)
    {
      char *end;
      long v = strtol (argv[2], &end, 10);

      if (*end != '\0' || end == argv[2] || v < 0 || v > 255)
        {
          fprintf (stderr, "fuzz-replay: --prefix takes 0 to 255, not '%s'\n", argv[2]);
          return 2;
        }
      prefix = (int) v;
      i = 3;
    }
  if (i >= argc)
    {
      fprintf (stderr, "usage: fuzz-replay [--prefix BYTE] PATH...\n");
      return 2;
    }
  for (; i < argc; i++)
    status |= run_path (argv[i]);
  printf ("fuzz-replay: %u inputs\n", n_run);
  return status;
}
