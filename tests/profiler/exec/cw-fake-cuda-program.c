/* cw-fake-cuda-program.c: stands in for a CUDA program under the injection
 * library, on machines without a GPU. It writes into $CW_SPOOL_DIR the spool
 * the library would have written (tests/profiler/exec/cw-test-spool.h), then ends the
 * way MODE says:
 *   ok        the known program (cw-test-spool.h), exit 0
 *   exit1     the known program, exit 1
 *   segv      the known program, the signal handler's end record, SIGSEGV
 *   kill      allocations inside an open range "step", then SIGKILL itself
 *   truncated the known program, half a record, then SIGKILL itself
 *   oom       a failed 1 PiB request inside range "huge", exit 3
 *   hang      an open range "step", then sleep (for --timeout and signals)
 *   nocuda    exit 0 without a spool (never touched CUDA)
 *   subscriber  the library's "another CUPTI subscriber" message, exit 0
 *   devwarn   a failed device query (a warning), then the known program
 *   corrupt   a record of an unknown type in the middle, exit 0
 *   fork      the known program here and in a forked child (its own spool)
 *   env       prints the injection variables and PyTorch's caching switch */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cw-test-spool.h"

static FILE *
open_spool (void)
{
  const char *dir = getenv (CW_SPOOL_DIR_ENV);
  char path[4096];
  FILE *f;

  if (dir == NULL)
    {
      fprintf (stderr, "fake-cuda-program: %s is not set\n", CW_SPOOL_DIR_ENV);
      exit (90);
    }
  snprintf (path, sizeof path, "%s/" CW_SPOOL_FILE_PREFIX "%d" CW_SPOOL_FILE_SUFFIX, dir, (int) getpid ());
  f = fopen (path, "wb");
  if (f == NULL)
    {
      perror (path);
      exit (91);
    }
  ts_write_header (f, getpid (), getppid (), -1, 500);
  return f;
}

int
main (int argc, char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "ok";
  FILE *f;

  if (strcmp (mode, "nocuda") == 0)
    return 0;
  if (strcmp (mode, "env") == 0)
    {
      const char *names[] = { "CUDA_INJECTION64_PATH", "NVTX_INJECTION64_PATH", CW_SPOOL_DIR_ENV,
                              "PYTORCH_NO_CUDA_MEMORY_CACHING" };

      for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        printf ("%s=%s\n", names[i], getenv (names[i]) ? getenv (names[i]) : "<unset>");
      f = open_spool ();
      ts_end (f, 600, CW_SPOOL_END_EXIT, 0);
      fclose (f);
      return 0;
    }
  f = open_spool ();
  if (strcmp (mode, "ok") == 0 || strcmp (mode, "exit1") == 0)
    {
      ts_write_known_program (f, 1);
      fclose (f);
      return mode[0] == 'o' ? 0 : 1;
    }
  if (strcmp (mode, "segv") == 0)
    {
      ts_write_known_program (f, 0);
      ts_end (f, 5000, CW_SPOOL_END_SIGNAL, SIGSEGV);
      fclose (f);
      signal (SIGSEGV, SIG_DFL);
      raise (SIGSEGV);
      return 99;
    }
  if (strcmp (mode, "kill") == 0 || strcmp (mode, "hang") == 0)
    {
      ts_alloc (f, 600, 0xa000, 10 * TS_MIB, 0, 0);
      ts_marker (f, 700, 1, CW_SPOOL_MARKER_START, 1, "step");
      ts_alloc (f, 710, 0xb000, 20 * TS_MIB, 0, 0);
      fclose (f);
      if (mode[0] == 'k')
        raise (SIGKILL);
      sleep (600);
      return 0;
    }
  if (strcmp (mode, "truncated") == 0)
    {
      CwSpoolMemory m;

      ts_write_known_program (f, 0);
      memset (&m, 0, sizeof m);
      m.hdr.type = CW_SPOOL_ALLOC;
      m.hdr.size = sizeof m;
      fwrite (&m, sizeof m / 2, 1, f);
      fclose (f);
      raise (SIGKILL);
      return 99;
    }
  if (strcmp (mode, "oom") == 0)
    {
      ts_device (f, 0, "NVIDIA H200", 150754820096ull);
      ts_alloc (f, 600, 0xa000, 10 * TS_MIB, 0, 0);
      ts_marker (f, 700, 1, CW_SPOOL_MARKER_START, 1, "huge");
      ts_oom (f, 720, 1ull << 50, 0);
      ts_marker (f, 730, 1, CW_SPOOL_MARKER_END, 1, NULL);
      ts_end (f, 800, CW_SPOOL_END_EXIT, 0);
      fclose (f);
      return 3;
    }
  if (strcmp (mode, "devwarn") == 0)
    {
      ts_message (f, 2, "cuDeviceGet(0): CUresult 4");
      ts_write_known_program (f, 1);
      fclose (f);
      return 0;
    }
  if (strcmp (mode, "subscriber") == 0)
    {
      ts_message (f, 1, "another CUPTI subscriber is already attached (CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED)");
      ts_end (f, 600, CW_SPOOL_END_EXIT, 0);
      fclose (f);
      return 0;
    }
  if (strcmp (mode, "corrupt") == 0)
    {
      CwSpoolRecordHeader h = { 77, 16 };

      ts_alloc (f, 600, 0xa000, 10 * TS_MIB, 0, 0);
      fwrite (&h, sizeof h, 1, f);
      fwrite ("\0\0\0\0\0\0\0\0", 8, 1, f);
      ts_end (f, 800, CW_SPOOL_END_EXIT, 0);
      fclose (f);
      return 0;
    }
  if (strcmp (mode, "fork") == 0)
    {
      pid_t child;
      int status = 0;

      ts_write_known_program (f, 1);
      fclose (f);
      child = fork ();
      if (child == 0)
        {
          FILE *g = open_spool ();

          ts_alloc (g, 600, 0xc000, 5 * TS_MIB, 0, 0);
          ts_end (g, 700, CW_SPOOL_END_EXIT, 0);
          fclose (g);
          _exit (0);
        }
      waitpid (child, &status, 0);
      return 0;
    }
  fprintf (stderr, "fake-cuda-program: unknown mode '%s'\n", mode);
  return 2;
}
