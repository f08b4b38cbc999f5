/* cw-cli-main.c: the cliffwatch-cli dispatcher: picks the subcommand, prints
 * the top-level help, and says which build option a missing subcommand needs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cw-build-config.h"
#include "cw-cli-args.h"
#include "cw-cli-commands.h"

/* Set by app/cli/meson.build when the subcommand's source and dependency exist. */
#ifndef CW_CLI_HAVE_RECEIPTS
#define CW_CLI_HAVE_RECEIPTS 0
#endif
#ifndef CW_CLI_HAVE_CALIBRATE
#define CW_CLI_HAVE_CALIBRATE 0
#endif
#ifndef CW_CLI_HAVE_PROFILE
#define CW_CLI_HAVE_PROFILE 0
#endif
#ifndef CW_CLI_HAVE_CHART
#define CW_CLI_HAVE_CHART 0
#endif

#ifndef CW_CLI_HAVE_PROFILE_EXEC
#define CW_CLI_HAVE_PROFILE_EXEC 0
#endif

#if CW_CLI_HAVE_PROFILE_EXEC
/* `profile --exec` measures an external program and needs only the store;
 * plain `profile` runs Cliffwatch's own lanes and needs CUDA. */
static int
profile_dispatch (int argc, char **argv)
{
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    if (strcmp (argv[i], "--exec") == 0)
      return cw_cli_profile_exec (argc, argv);
#if CW_CLI_HAVE_PROFILE
  return cw_cli_profile (argc, argv);
#else
  for (int i = 1; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      return cw_cli_profile_exec (argc, argv);
  return cw_cli_failf ("profile: this cliffwatch-cli was built without CUDA, so it runs no lanes; "
                       "`profile --exec -- PROGRAM` measures an external program");
#endif
}
#endif

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
  const char *missing;       /* why it is not built, or NULL */
} Subcommand;

static const Subcommand subcommands[] = {
  { "plan", cw_cli_plan, "peak HBM residency of each profile at one configuration", NULL },
  { "cliff", cw_cli_cliff, "largest sq (and b, h) each profile fits on a GPU", NULL },
  { "sweep", cw_cli_sweep, "peak per profile over a range of sq", NULL },
  { "indexcache", cw_cli_indexcache, "index cache schedule across layers and pipeline stages", NULL },
#if CW_CLI_HAVE_RECEIPTS
  { "receipts", cw_cli_receipts, "list, show and compare stored receipts", NULL },
#else
  { "receipts", NULL, "list, show and compare stored receipts",
    "needs the SQLite receipt store: install libsqlite3-dev and configure with -Dsqlite=enabled" },
#endif
#if CW_CLI_HAVE_CALIBRATE
  { "calibrate", cw_cli_calibrate, "stage link and indexer throughput from index-transfer receipts", NULL },
#else
  { "calibrate", NULL, "stage link and indexer throughput from index-transfer receipts",
    "needs the SQLite receipt store: install libsqlite3-dev and configure with -Dsqlite=enabled" },
#endif
#if CW_CLI_HAVE_PROFILE_EXEC
  { "profile", profile_dispatch, "run lanes, or measure any CUDA program (--exec), and store receipts", NULL },
#elif CW_CLI_HAVE_PROFILE
  { "profile", cw_cli_profile, "run lanes on the GPU and store receipts", NULL },
#else
  { "profile", NULL, "run lanes on the GPU and store receipts",
    "needs CUDA (nvcc on PATH, -Dcuda=enabled) and SQLite (-Dsqlite=enabled)" },
#endif
#if CW_CLI_HAVE_CHART
  { "chart", cw_cli_chart, "render charts from receipts and plans (PNG/SVG/PDF)", NULL },
#else
  { "chart", NULL, "render charts from receipts and plans (PNG/SVG/PDF)",
    "needs cairo: install libcairo2-dev and configure with -Dcairo=enabled" },
#endif
};

static void
print_help (FILE *out)
{
  fprintf (out, "Usage: cliffwatch-cli COMMAND [OPTIONS]\n"
                "Will the sparse-attention indexer fit on this GPU at this context, on which\n"
                "code path, and do the measurements agree?\n\nCommands:\n");
  for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
    fprintf (out, "  %-11s %s%s\n", subcommands[i].name, subcommands[i].summary,
             subcommands[i].run ? "" : " (not built)");
  fprintf (out, "\n`cliffwatch-cli COMMAND --help` describes each command.\n"
                "  --version   print the version\n");
}

int
cw_cli_main (int argc, char **argv)
{
  const char *cmd;

  if (argc < 2)
    {
      print_help (stderr);
      return cw_cli_failf ("no command given");
    }
  cmd = argv[1];
  if (cw_cli_is_help (cmd))
    {
      print_help (stdout);
      return 0;
    }
  if (strcmp (cmd, "--version") == 0)
    {
      printf ("cliffwatch-cli %s\n", CW_VERSION);
      return 0;
    }
  for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
    if (strcmp (cmd, subcommands[i].name) == 0)
      {
        if (subcommands[i].run == NULL)
          return cw_cli_failf ("'%s' is not built into this cliffwatch-cli: it %s", cmd, subcommands[i].missing);
        {
          int status = subcommands[i].run (argc - 1, argv + 1);

          /* Output that never reached its file is a failure (a full disk,
           * a closed pipe), not a success with a short answer. */
          if (fflush (stdout) != 0 || ferror (stdout))
            {
              fprintf (stderr, "cliffwatch-cli: %s: cannot write the output: %s\n", cmd, strerror (errno));
              return status != 0 ? status : 1;
            }
          return status;
        }
      }
  return cw_cli_failf ("unknown command '%s' (see `cliffwatch-cli --help`)", cmd);
}
