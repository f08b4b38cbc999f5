/* cw-cli-sweep.c: `cliffwatch-cli sweep --sq FROM:TO[:xFACTOR|+STEP]`: peak per point per profile. */
#include <stdlib.h>
#include <string.h>

#include "cw-cli-commands.h"
#include "cw-cli-config.h"
#include "cw-sq-range.h"

#define MAX_POINTS 10000000ull
/* Rows across every profile: a sweep is a table someone reads or plots, not
 * a way to write gigabytes (1,000,000 rows is ~80 MB of table text). */
#define MAX_ROWS 1000000ull

typedef struct {
  bool      given;
  CwSqRange range;   /* the planner's FROM:TO[:xFACTOR|+STEP] */
} Range;

static void
print_help (void)
{
  fputs ("Usage: cliffwatch-cli sweep --sq FROM:TO[:xFACTOR|+STEP] [OPTIONS]\n"
         "One row per sq point per profile: sk, peak bytes, and whether it fits.\n"
         "The default step is x2. With a ratio, sk follows sq (sk = sq / ratio).\n"
         "Points whose sizes overflow uint64 are reported as such, not as numbers.\n", stdout);
  cw_cli_setup_print_help (stdout);
}

static bool
parse_range (const char *text, Range *r, CwError *error)
{
  if (!cw_sq_range_parse ("--sq", text, MAX_POINTS, &r->range, error))
    return false;
  r->given = true;
  return true;
}

static int
extra_option (int argc, char **argv, int *i, void *user_data, CwError *error)
{
  const char *value;

  /* --range FROM:TO[...] is a synonym for the ranged --sq. */
  if (cw_cli_match_option (argc, argv, i, "--range", &value, error))
    {
      if (value == NULL)
        return -1;
      return parse_range (value, user_data, error) ? 1 : -1;
    }
  return 0;
}

int
cw_cli_sweep (int argc, char **argv)
{
  CwCliSetup s;
  CwError e = CW_ERROR_INIT;
  Range r = { 0 };
  char **args;
  int n = 0, status = 0, nw;

  for (int i = 1; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      {
        print_help ();
        return 0;
      }
  /* Take the ranged --sq out before the shared parser sees it as a number. */
  args = calloc ((size_t) argc + 1, sizeof *args);
  if (args == NULL)
    return cw_cli_failf ("out of memory");
  for (int i = 0; i < argc; i++)
    {
      const char *v = NULL;
      int j = i;

      if (i > 0 && strncmp (argv[i], "--sq", 4) == 0 &&
          cw_cli_match_option (argc, argv, &j, "--sq", &v, &e) && v != NULL && strchr (v, ':') != NULL)
        {
          if (!parse_range (v, &r, &e))
            {
              free (args);
              return cw_cli_fail (&e);
            }
          i = j;
          continue;
        }
      args[n++] = argv[i];
    }
  e.code = CW_ERROR_NONE;
  if (!r.given)
    {
      free (args);
      return cw_cli_failf ("sweep: --sq FROM:TO[:xFACTOR|+STEP] is required");
    }
  if (!cw_cli_setup_parse (&s, n, args, extra_option, &r, &e))
    {
      free (args);
      return cw_cli_fail (&e);
    }
  free (args);
  if (cw_sq_range_get_n_points (&r.range) > MAX_ROWS / (s.n_profiles ? s.n_profiles : 1))
    {
      uint64_t points = cw_sq_range_get_n_points (&r.range);
      unsigned n_profiles = s.n_profiles;

      cw_cli_setup_clear (&s);
      return cw_cli_failf ("sweep: %llu points x %u profiles is more than %llu rows; use a coarser step or "
                           "fewer --profile", (unsigned long long) points, n_profiles,
                           (unsigned long long) MAX_ROWS);
    }

  nw = cw_cli_setup_name_width (&s);
  if (s.format == CW_CLI_FORMAT_JSON)
    printf ("{\"config\":");
  if (s.format == CW_CLI_FORMAT_JSON)
    {
      cw_cli_config_json (stdout, &s.config);
      printf (",\"usable_bytes\":%llu,\"points\":[", (unsigned long long) s.usable_bytes);
    }
  else if (s.format == CW_CLI_FORMAT_CSV)
    printf ("profile,sq,sk,peak_bytes,fits\n");
  else
    printf ("%-*s %-12s %-12s %-44s %s\n", nw, "profile", "sq", "sk", "peak", "fits");

  {
    bool first = true;

    for (unsigned p = 0; p < s.n_profiles; p++)
      {
        uint64_t sq = r.range.from;

        for (;;)
          {
            CwConfig c = s.config;
            uint64_t peak = 0, sk;
            bool ok;
            char buf[CW_BYTES_FORMAT_SIZE];

            c.sq = sq;
            if (c.ratio != 0 || c.prefix != 0)
              c.sk = 0;
            sk = cw_config_get_sk (&c);
            e.code = CW_ERROR_NONE;
            ok = cw_plan_eval_peak (s.profiles[p], &c, &peak, &e);
            if (!ok && e.code != CW_ERROR_OVERFLOW)
              {
                cw_error_prefix (&e, "%s at sq=%llu: ", cw_profile_get_name (s.profiles[p]), (unsigned long long) sq);
                if (s.format == CW_CLI_FORMAT_JSON)
                  printf ("]}\n");
                status = cw_cli_fail (&e);
                goto out;
              }
            if (s.format == CW_CLI_FORMAT_JSON)
              {
                printf ("%s{\"profile\":", first ? "" : ",");
                cw_cli_json_string (stdout, cw_profile_get_name (s.profiles[p]));
                if (ok)
                  printf (",\"sq\":%llu,\"sk\":%llu,\"peak_bytes\":%llu,\"fits\":%s}", (unsigned long long) sq,
                          (unsigned long long) sk, (unsigned long long) peak, peak <= s.usable_bytes ? "true" : "false");
                else
                  printf (",\"sq\":%llu,\"sk\":%llu,\"peak_bytes\":null,\"overflow\":true,\"fits\":false}",
                          (unsigned long long) sq, (unsigned long long) sk);
              }
            else if (s.format == CW_CLI_FORMAT_CSV)
              {
                cw_cli_csv_field (stdout, cw_profile_get_name (s.profiles[p]));
                if (ok)
                  printf (",%llu,%llu,%llu,%s\n", (unsigned long long) sq, (unsigned long long) sk,
                          (unsigned long long) peak, peak <= s.usable_bytes ? "true" : "false");
                else
                  printf (",%llu,%llu,overflow,false\n", (unsigned long long) sq, (unsigned long long) sk);
              }
            else
              printf ("%-*s %-12llu %-12llu %-44s %s\n", nw, cw_profile_get_name (s.profiles[p]),
                      (unsigned long long) sq, (unsigned long long) sk,
                      ok ? cw_bytes_format (peak, buf, sizeof buf) : "overflows uint64",
                      ok && peak <= s.usable_bytes ? "yes" : "NO");
            first = false;
            if (!cw_sq_range_next (&r.range, &sq))
              break;
          }
      }
  }
  if (s.format == CW_CLI_FORMAT_JSON)
    printf ("]}\n");
out:
  cw_cli_setup_clear (&s);
  return status;
}
