/* cw-cli-profile-exec.c: `cliffwatch-cli profile --exec ... -- PROGRAM [ARGS]`:
 * measure any CUDA program and store what it did as receipts.
 *
 * The front end only parses options, sets up the child's environment and
 * prints; the library (profiler/exec/) runs the child, reads the spools and
 * builds the receipts, and the store writes them in one transaction.
 * Exit status: 0 the program ran, exited 0 and its receipts are stored;
 * 1 the program failed (exit status, signal, timeout, out of memory: the
 * receipts say so and are stored) or nothing could be measured (no receipt);
 * 2 bad usage. */
#include "cw-cli-commands.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw-bytes.h"
#include "cw-cli-args.h"
#include "cw-cli-config.h"
#include "cw-exec-receipts.h"
#include "cw-exec-run.h"
#include "cw-receipt-store.h"
#include "cw-spool.h"

#define MAX_RANGES 32
#define MAX_SPOOLS 4096
#define INJECT_NAME "libcliffwatch-inject.so"

#ifndef CW_INJECT_INSTALL_DIR
#define CW_INJECT_INSTALL_DIR "/usr/local/lib/cliffwatch"
#endif

typedef struct {
  const char *db;
  bool        exec;
  const char *ranges[MAX_RANGES];
  size_t      n_ranges;
  const char *allocator;
  uint64_t    timeout_s;
  const char *inject;
  const char *spool_dir;
  bool        keep_spool;
  const char *note;
} ExecOptions;

static void
print_help (void)
{
  fputs ("Usage: cliffwatch-cli profile --exec --db PATH [OPTIONS] -- PROGRAM [ARGS...]\n"
         "Runs PROGRAM with Cliffwatch's CUPTI injection library loaded (CUDA_INJECTION64_PATH,\n"
         "NVTX_INJECTION64_PATH), records its device allocations and frees, kernels, copies\n"
         "and NVTX ranges, and stores one receipt for the whole program (per process and\n"
         "device) and one per occurrence of every NVTX range matching --range.\n\n"
         "  --db PATH             receipt database (created if missing)\n"
         "  --range GLOB          NVTX range(s) to receipt, e.g. 'indexer:*' (repeatable);\n"
         "                        each: peak live device bytes inside, the same above what\n"
         "                        was live when it opened, duration, kernels launched in it\n"
         "  --profile NAME        the profile that predicts the range receipts (or the whole\n"
         "                        program without --range), planned at the configuration\n"
         "                        given with --preset/--b/--sq/... and --param\n"
         "  --allocator LEVEL     tensor (default): PYTORCH_NO_CUDA_MEMORY_CACHING=1, every\n"
         "                        PyTorch tensor is one cudaMalloc, as the profiles model;\n"
         "                        reserved: the caching allocator stays on, its segments are\n"
         "                        what decides an out-of-memory. Stored in each receipt.\n"
         "  --timeout SECONDS     SIGTERM the program (and what it started) after this long,\n"
         "                        SIGKILL 5 s later; its receipts are stored with status error\n"
         "  --inject-library PATH libcliffwatch-inject.so to load (default: next to this build\n"
         "                        or under " CW_INJECT_INSTALL_DIR ")\n"
         "  --spool-dir DIR       where the processes write their spools (default: a new\n"
         "                        directory under $TMPDIR, removed after a successful import)\n"
         "  --keep-spool          keep the spool directory\n"
         "  --note TEXT           stored with each receipt (default: the command line)\n\n"
         "Exit status: 0 the program exited 0; 1 it failed (exit status, signal, timeout or\n"
         "out of memory; its receipts say which) or nothing could be measured; 2 bad usage.\n\n",
         stdout);
  cw_cli_setup_print_help (stdout);
}

static int
extra_option (int argc, char **argv, int *i, void *user_data, CwError *error)
{
  ExecOptions *o = user_data;
  const char *v;

  if (strcmp (argv[*i], "--exec") == 0)
    {
      o->exec = true;
      return 1;
    }
  if (strcmp (argv[*i], "--keep-spool") == 0)
    {
      o->keep_spool = true;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--db", &v, error))
    {
      if (v == NULL)
        return -1;
      if (v[0] == '\0')
        {
          cw_error_set (error, CW_ERROR_INVALID, "--db: empty path");
          return -1;
        }
      o->db = v;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--range", &v, error))
    {
      if (v == NULL)
        return -1;
      if (v[0] == '\0' || strlen (v) >= 128)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--range: '%s' is not a range pattern (1 to 127 characters)", v);
          return -1;
        }
      if (o->n_ranges == MAX_RANGES)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--range: at most %d patterns", MAX_RANGES);
          return -1;
        }
      o->ranges[o->n_ranges++] = v;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--allocator", &v, error))
    {
      if (v == NULL)
        return -1;
      if (strcmp (v, "tensor") != 0 && strcmp (v, "reserved") != 0)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--allocator: '%s' is not tensor or reserved", v);
          return -1;
        }
      o->allocator = v;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--timeout", &v, error))
    {
      if (v == NULL || !cw_cli_parse_positive_u64 ("--timeout", v, false, &o->timeout_s, error))
        return -1;
      if (o->timeout_s > 7 * 24 * 3600)
        {
          cw_error_set (error, CW_ERROR_INVALID, "--timeout: at most a week (604800 s), got %s", v);
          return -1;
        }
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--inject-library", &v, error))
    {
      if (v == NULL)
        return -1;
      o->inject = v;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--spool-dir", &v, error))
    {
      if (v == NULL)
        return -1;
      if (v[0] == '\0')
        {
          cw_error_set (error, CW_ERROR_INVALID, "--spool-dir: empty path");
          return -1;
        }
      o->spool_dir = v;
      return 1;
    }
  if (cw_cli_match_option (argc, argv, i, "--note", &v, error))
    {
      if (v == NULL)
        return -1;
      o->note = v;
      return 1;
    }
  return 0;
}

/* The injection library: the option, else beside this executable's build
 * tree (build/app/cli/cliffwatch-cli -> build/profiler/exec/), else the
 * install directory. */
static bool
find_inject_library (const ExecOptions *o, char *out, size_t size, CwError *error)
{
  char self[PATH_MAX];
  ssize_t len;

  if (o->inject != NULL)
    {
      if (realpath (o->inject, out) == NULL || access (out, R_OK) != 0)
        {
          cw_error_set (error, CW_ERROR_NOT_FOUND, "--inject-library: %s: %s", o->inject, strerror (errno));
          return false;
        }
      return true;
    }
  len = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (len > 0)
    {
      char *slash;

      self[len] = '\0';
      slash = strrchr (self, '/');
      if (slash)
        {
          char candidate[PATH_MAX + 64];

          *slash = '\0';
          snprintf (candidate, sizeof candidate, "%s/../../profiler/exec/" INJECT_NAME, self);
          if (realpath (candidate, out) != NULL && access (out, R_OK) == 0)
            return true;
        }
    }
  snprintf (out, size, "%s/" INJECT_NAME, CW_INJECT_INSTALL_DIR);
  if (access (out, R_OK) == 0)
    return true;
  cw_error_set (error, CW_ERROR_NOT_FOUND,
                "the injection library " INJECT_NAME " was not found (this build has no CUPTI?); "
                "give it with --inject-library PATH");
  return false;
}

static void
join_command (char *const *argv, char *out, size_t size)
{
  size_t len = 0;

  out[0] = '\0';
  for (int i = 0; argv[i] && len + 1 < size; i++)
    {
      int w = snprintf (out + len, size - len, "%s%s", i ? " " : "", argv[i]);

      if (w < 0)
        break;
      len += (size_t) w;
    }
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The spool files in dir, sorted (one per process). */
static char **
list_spools (const char *dir, size_t *n_out, CwError *error)
{
  DIR *d = opendir (dir);
  struct dirent *e;
  char **list = NULL;
  size_t n = 0;

  if (d == NULL)
    {
      cw_error_set (error, CW_ERROR_IO, "%s: %s", dir, strerror (errno));
      return NULL;
    }
  list = calloc (MAX_SPOOLS + 1, sizeof *list);
  if (list == NULL)
    {
      closedir (d);
      cw_error_set (error, CW_ERROR_OOM, "out of memory listing spools");
      return NULL;
    }
  while ((e = readdir (d)) != NULL)
    {
      size_t len = strlen (e->d_name);

      if (strncmp (e->d_name, CW_SPOOL_FILE_PREFIX, strlen (CW_SPOOL_FILE_PREFIX)) != 0
          || len < strlen (CW_SPOOL_FILE_SUFFIX)
          || strcmp (e->d_name + len - strlen (CW_SPOOL_FILE_SUFFIX), CW_SPOOL_FILE_SUFFIX) != 0)
        continue;
      if (n == MAX_SPOOLS)
        {
          cw_error_set (error, CW_ERROR_UNSUPPORTED, "%s: more than %d processes", dir, MAX_SPOOLS);
          goto fail;
        }
      if (asprintf (&list[n], "%s/%s", dir, e->d_name) < 0)
        {
          list[n] = NULL;
          cw_error_set (error, CW_ERROR_OOM, "out of memory listing spools");
          goto fail;
        }
      n++;
    }
  closedir (d);
  qsort (list, n, sizeof *list, compare_strings);
  *n_out = n;
  return list;

fail:
  closedir (d);
  for (size_t i = 0; i < n; i++)
    free (list[i]);
  free (list);
  return NULL;
}

static void
free_strings (char **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (list[i]);
  free (list);
}

static void
remove_spool_dir (const char *dir, char **spools, size_t n)
{
  for (size_t i = 0; i < n; i++)
    unlink (spools[i]);
  rmdir (dir);
}

static void
print_receipt_line (const CwReceipt *r)
{
  char meas[CW_BYTES_FORMAT_SIZE], above[32], pred[32], range[160];
  uint64_t p = 0, m = 0;

  cw_receipt_get_compared_peaks (r, &p, &m);
  cw_bytes_format_gib (r->measured_peak_bytes, meas, sizeof meas);
  cw_bytes_format_gib (m, above, sizeof above);
  if (r->profile[0])
    cw_bytes_format_gib (p, pred, sizeof pred);
  else
    snprintf (pred, sizeof pred, "-");
  if (r->exec.range_name[0])
    snprintf (range, sizeof range, "%s #%" PRIu32, r->exec.range_name, r->exec.range_occurrence);
  else
    snprintf (range, sizeof range, "(program)");
  printf ("%-6" PRId64 " %-8d %-4d %-28s %-7s %-12s %-12s %-12s %s\n", r->id, (int) r->exec.pid,
          (int) r->exec.device, range, cw_receipt_status_get_name (r->status), meas,
          r->exec.range_name[0] ? above : "-", pred,
          r->profile[0] == '\0' ? "-" : cw_receipt_peak_agrees (r) ? "yes" : "NO");
}

int
cw_cli_profile_exec (int argc, char **argv)
{
  ExecOptions o;
  CwCliSetup setup;
  CwError error = CW_ERROR_INIT;
  CwReceipt *tmpl = NULL;
  CwReceiptStore *store = NULL;
  CwReceipt **all = NULL;
  size_t n_all = 0, n_spools = 0;
  char **spools = NULL;
  char **child_argv;
  int n_opts = argc, status = 1;
  bool profile_given = false;
  char inject[PATH_MAX], spool_dir[PATH_MAX], command[1024];
  char env_inject[PATH_MAX + 32], env_nvtx[PATH_MAX + 32], env_spool[PATH_MAX + 32];
  char *env_set[5] = { NULL };
  char *env_unset[2] = { NULL };
  CwExecRunOptions run;
  CwExecRunResult res;
  bool made_dir = false, db_existed, stored = false;

  memset (&o, 0, sizeof o);
  o.allocator = "tensor";
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        {
          n_opts = i;
          break;
        }
      if (cw_cli_is_help (argv[i]))
        {
          print_help ();
          return 0;
        }
      if (strcmp (argv[i], "--profile") == 0 || strncmp (argv[i], "--profile=", 10) == 0
          || strcmp (argv[i], "--profile-file") == 0 || strncmp (argv[i], "--profile-file=", 15) == 0
          || strcmp (argv[i], "--engine") == 0 || strncmp (argv[i], "--engine=", 9) == 0)
        profile_given = true;   /* an engine names its one profile */
    }
  if (n_opts >= argc - 1)
    return cw_cli_failf ("profile --exec: give the program after '--' (profile --exec --db DB -- PROGRAM ARGS)");
  child_argv = argv + n_opts + 1;
  if (!cw_cli_setup_parse (&setup, n_opts, argv, extra_option, &o, &error))
    return cw_cli_fail (&error);
  if (setup.config.prefix != 0)
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile --exec: --prefix is not stored in receipts (plan one engine step with plan, cliff or sweep)");
    }
  if (o.db == NULL)
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile --exec: --db PATH is required");
    }
  if (profile_given && setup.n_profiles != 1)
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile --exec: --profile takes one profile (the one that predicts the receipts)");
    }
  if (setup.format != CW_CLI_FORMAT_TABLE)
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile --exec: --format is not supported (read the receipts with `receipts list`)");
    }
  if (getenv ("CUDA_INJECTION64_PATH") != NULL && getenv ("CUDA_INJECTION64_PATH")[0] != '\0')
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile --exec: CUDA_INJECTION64_PATH is already set (%s): another CUDA tool "
                           "(Nsight?) is injected; run cliffwatch-cli outside it",
                           getenv ("CUDA_INJECTION64_PATH"));
    }
  {
    char resolved[PATH_MAX];

    if (!cw_exec_resolve_program (child_argv[0], resolved, sizeof resolved, &error))
      {
        cw_cli_setup_clear (&setup);
        return cw_cli_fail (&error);
      }
  }
  if (!find_inject_library (&o, inject, sizeof inject, &error))
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_fail (&error);
    }

  /* The prediction, made before the program runs (a bad configuration is a
   * usage error, not a wasted run). */
  tmpl = cw_receipt_new ();
  if (tmpl == NULL)
    {
      cw_cli_setup_clear (&setup);
      return cw_cli_failf ("profile --exec: out of memory");
    }
  tmpl->config = setup.config;
  if (profile_given)
    {
      CwPlan *plan = cw_plan_new (setup.profiles[0], &setup.config, &error);

      if (plan == NULL || !cw_receipt_set_prediction (tmpl, plan, &error))
        {
          cw_plan_free (plan);
          cw_receipt_free (tmpl);
          cw_cli_setup_clear (&setup);
          return cw_cli_fail (&error);
        }
      cw_plan_free (plan);
    }
  if (gethostname (tmpl->provenance.host, sizeof tmpl->provenance.host) != 0)
    tmpl->provenance.host[0] = '\0';
  tmpl->provenance.host[sizeof tmpl->provenance.host - 1] = '\0';
  join_command (child_argv, command, sizeof command);
  if (o.note)
    CW_RECEIPT_SET (tmpl->note, o.note);
  else
    {
      char full[sizeof tmpl->note];

      memcpy (full, "cliffwatch-cli ", 16);
      join_command (argv, full + 15, sizeof full - 15);
      CW_RECEIPT_SET (tmpl->note, full);
    }
  cw_cli_setup_clear (&setup);

  /* Open (create) the database before the run: a path we cannot write is
   * found now, not after an hour of measuring. */
  db_existed = access (o.db, F_OK) == 0;
  store = cw_receipt_store_open (o.db, CW_RECEIPT_STORE_CREATE, &error);
  if (store == NULL)
    {
      fprintf (stderr, "cliffwatch-cli: %s\n", error.message);
      cw_receipt_free (tmpl);
      return 1;
    }

  if (o.spool_dir)
    {
      if (mkdir (o.spool_dir, 0700) != 0 && errno != EEXIST)
        {
          fprintf (stderr, "cliffwatch-cli: --spool-dir %s: %s\n", o.spool_dir, strerror (errno));
          goto out;
        }
      snprintf (spool_dir, sizeof spool_dir, "%s", o.spool_dir);
      {
        size_t n_old = 0;
        char **old = list_spools (spool_dir, &n_old, &error);

        if (old == NULL || n_old > 0)
          {
            fprintf (stderr, "cliffwatch-cli: --spool-dir %s: %s\n", spool_dir,
                     old == NULL ? error.message : "already holds spools; give an empty directory");
            free_strings (old, n_old);
            goto out;
          }
        free_strings (old, n_old);
      }
    }
  else
    {
      const char *tmp = getenv ("TMPDIR");

      snprintf (spool_dir, sizeof spool_dir, "%s/cliffwatch-spool-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
      if (mkdtemp (spool_dir) == NULL)
        {
          fprintf (stderr, "cliffwatch-cli: cannot make a spool directory %s: %s\n", spool_dir, strerror (errno));
          goto out;
        }
      made_dir = true;
    }

  snprintf (env_inject, sizeof env_inject, "CUDA_INJECTION64_PATH=%s", inject);
  /* NVTX reaches CUPTI through the injection library, which hands NVTX's
   * export table on to the libcupti it links. */
  snprintf (env_nvtx, sizeof env_nvtx, "NVTX_INJECTION64_PATH=%s", inject);
  snprintf (env_spool, sizeof env_spool, CW_SPOOL_DIR_ENV "=%s", spool_dir);
  env_set[0] = env_inject;
  env_set[1] = env_nvtx;
  env_set[2] = env_spool;
  if (strcmp (o.allocator, "tensor") == 0)
    env_set[3] = "PYTORCH_NO_CUDA_MEMORY_CACHING=1";
  else
    env_unset[0] = "PYTORCH_NO_CUDA_MEMORY_CACHING";

  memset (&run, 0, sizeof run);
  run.argv = child_argv;
  run.env_set = env_set;
  run.env_unset = env_unset;
  run.timeout_s = (unsigned) o.timeout_s;
  run.kill_grace_s = 5;
  fprintf (stderr, "profile --exec: running %s (allocator %s, spools in %s)\n", command, o.allocator, spool_dir);
  if (!cw_exec_run (&run, &res, &error))
    {
      fprintf (stderr, "cliffwatch-cli: %s\n", error.message);
      goto out;
    }
  {
    char sig[32];

    if (res.timed_out)
      fprintf (stderr, "profile --exec: timed out after %" PRIu64 " s; the program was killed\n", o.timeout_s);
    else if (res.exit_signal)
      fprintf (stderr, "profile --exec: the program was killed by %s after %.1f s\n",
               cw_receipt_signal_name (res.exit_signal, sig, sizeof sig), res.wall_s);
    else
      fprintf (stderr, "profile --exec: the program exited with status %d after %.1f s\n", res.exit_code,
               res.wall_s);
  }

  spools = list_spools (spool_dir, &n_spools, &error);
  if (spools == NULL)
    {
      fprintf (stderr, "cliffwatch-cli: %s\n", error.message);
      goto out;
    }
  if (n_spools == 0)
    {
      fprintf (stderr, "cliffwatch-cli: %s never initialised CUDA (no process wrote a spool): nothing to "
                       "measure, no receipt stored\n", child_argv[0]);
      goto out;
    }
  for (size_t i = 0; i < n_spools; i++)
    {
      CwSpool *spool = cw_spool_read (spools[i], &error);
      CwExecReceiptOptions ro;
      CwReceipt **rs = NULL;
      size_t n_rs = 0, n_msg = 0;
      const CwSpoolMessageEvent *msg;
      const CwSpoolHeader *h;

      if (spool == NULL)
        {
          fprintf (stderr, "cliffwatch-cli: %s; no receipt stored (the spools are kept in %s)\n", error.message,
                   spool_dir);
          o.keep_spool = true;
          goto out;
        }
      msg = cw_spool_get_messages (spool, &n_msg);
      /* Only a refused subscription (1) or a failed spool write (3) makes
       * the measurement untrustworthy; a failed device query (2) costs a
       * provenance detail and is a warning. */
      for (size_t k = 0; k < n_msg; k++)
        if (msg[k].code != 1 && msg[k].code != 3)
          fprintf (stderr, "profile --exec: warning: process %d: %s\n", (int) cw_spool_get_header (spool)->pid,
                   msg[k].text);
      while (n_msg > 0 && msg[0].code != 1 && msg[0].code != 3)
        {
          msg++;
          n_msg--;
        }
      if (n_msg > 0)
        {
          fprintf (stderr, "cliffwatch-cli: process %d: %s; no receipt stored%s\n", (int) cw_spool_get_header (spool)->pid,
                   msg[0].text, msg[0].code == 1 ? " (is the program running under Nsight or another CUPTI tool?)" : "");
          cw_spool_free (spool);
          o.keep_spool = true;
          goto out;
        }
      h = cw_spool_get_header (spool);
      memset (&ro, 0, sizeof ro);
      ro.range_patterns = o.ranges;
      ro.n_range_patterns = o.n_ranges;
      ro.allocator = o.allocator;
      ro.program = command;
      ro.template_receipt = tmpl;
      ro.timeout_s = (unsigned) o.timeout_s;
      /* The process we started carries our exit status. A process it
       * started (a worker, a shell's child) ended on its own terms, which its
       * spool's end record tells; without one it went down with the rest. */
      {
        uint32_t how = 0;
        int32_t sig = 0;
        bool ended = cw_spool_get_end (spool, &how, &sig);

        if (h->pid != res.pid && ended && how == CW_SPOOL_END_EXIT)
          ro.exit_code = 0;
        else if (h->pid != res.pid && ended && how == CW_SPOOL_END_SIGNAL)
          {
            ro.exit_code = -1;
            ro.exit_signal = sig;
          }
        else
          {
            ro.exit_code = res.exit_code;
            ro.exit_signal = res.exit_signal;
            ro.timed_out = res.timed_out;
          }
      }
      if (!cw_exec_receipts_build (spool, &ro, &rs, &n_rs, &error))
        {
          fprintf (stderr, "cliffwatch-cli: %s: %s; no receipt stored (the spools are kept in %s)\n", spools[i],
                   error.message, spool_dir);
          cw_spool_free (spool);
          o.keep_spool = true;
          goto out;
        }
      if (cw_spool_is_truncated (spool))
        fprintf (stderr, "profile --exec: process %d: the spool's last record was cut off (the process was "
                         "killed while writing it); receipts cover what came before\n", (int) h->pid);
      cw_spool_free (spool);
      {
        CwReceipt **grown = realloc (all, (n_all + n_rs) * sizeof *grown);

        if (grown == NULL)
          {
            for (size_t k = 0; k < n_rs; k++)
              cw_receipt_free (rs[k]);
            free (rs);
            fprintf (stderr, "cliffwatch-cli: out of memory\n");
            o.keep_spool = true;
            goto out;
          }
        all = grown;
        memcpy (all + n_all, rs, n_rs * sizeof *rs);
        n_all += n_rs;
        free (rs);
      }
    }
  if (!cw_receipt_store_insert_many (store, all, n_all, &error))
    {
      fprintf (stderr, "cliffwatch-cli: %s; no receipt stored (the spools are kept in %s)\n", error.message,
               spool_dir);
      o.keep_spool = true;
      goto out;
    }
  stored = true;

  printf ("%-6s %-8s %-4s %-28s %-7s %-12s %-12s %-12s %s\n", "id", "pid", "dev", "range", "status", "peak",
          "above open", "predicted", "agrees");
  for (size_t i = 0; i < n_all; i++)
    print_receipt_line (all[i]);
  printf ("%zu receipt(s) from %zu process(es) stored in %s\n", n_all, n_spools, o.db);
  status = res.exit_code == 0 && res.exit_signal == 0 && !res.timed_out ? 0 : 1;
  for (size_t i = 0; i < n_all; i++)
    if (all[i]->status != CW_RECEIPT_STATUS_OK)
      status = 1;

out:
  if (spools && !o.keep_spool && status != 2 && made_dir)
    remove_spool_dir (spool_dir, spools, n_spools);
  else if (spools && !o.keep_spool && status != 2 && !made_dir)
    for (size_t i = 0; i < n_spools; i++)
      unlink (spools[i]);
  else if (made_dir && n_spools == 0)
    rmdir (spool_dir);
  free_strings (spools, n_spools);
  for (size_t i = 0; i < n_all; i++)
    cw_receipt_free (all[i]);
  free (all);
  cw_receipt_free (tmpl);
  cw_receipt_store_close (store);
  /* A failed command leaves nothing behind: a database it created for
   * receipts it could not store goes again. */
  if (!stored && !db_existed)
    cw_receipt_store_remove_files (o.db);
  return status;
}
