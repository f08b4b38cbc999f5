/* cw-cli-cliff.c: `cliffwatch-cli cliff`: the largest sq (and b, h) each profile fits at. */
#include <string.h>

#include "cw-cli-commands.h"
#include "cw-cli-config.h"

static void
print_help (void)
{
  fputs ("Usage: cliffwatch-cli cliff [OPTIONS]\n"
         "For the GPU's usable bytes (total - reserve), the largest sq at which each\n"
         "profile still fits (exact: max_sq fits, max_sq + 1 does not), and separately\n"
         "the largest b and h with the other sizes held at the configuration.\n"
         "0 means it does not fit even at the smallest size.\n"
         "  --prefix-axis         also the longest prefix (tokens already cached) at which\n"
         "                        a step of sq tokens still fits: the longest context at\n"
         "                        this chunk size (e.g. --engine vllm-v4-flash --sq 8192)\n"
         "  --param-axis NAME     also the largest value of the profile param NAME that\n"
         "                        fits (profiles without it are refused)\n"
         "  --step-axis NAME      also the largest NAME for a full step of NAME tokens:\n"
         "                        sq follows the param (b = 1), e.g. --engine vllm-v3.2\n"
         "                        --prefix 131072 --step-axis max_num_batched_tokens\n", stdout);
  cw_cli_setup_print_help (stdout);
}

typedef struct {
  CwCliffResult r[5];        /* sq, b, h, prefix (with --prefix-axis), param (with --param/--step-axis) */
} Answer;

typedef struct {
  bool        prefix_axis;
  const char *param;         /* --param-axis or --step-axis */
  bool        step_tokens;   /* --step-axis */
} Axes;

static int
extra_option (int argc, char **argv, int *i, void *user_data, CwError *error)
{
  Axes *x = user_data;

  if (strcmp (argv[*i], "--prefix-axis") == 0)
    {
      x->prefix_axis = true;
      return 1;
    }
  if (strcmp (argv[*i], "--param-axis") == 0 || strcmp (argv[*i], "--step-axis") == 0)
    {
      if (x->param != NULL)
        {
          cw_error_set (error, CW_ERROR_INVALID, "give one of --param-axis and --step-axis, once");
          return -1;
        }
      if (*i + 1 >= argc || argv[*i + 1][0] == '\0')
        {
          cw_error_set (error, CW_ERROR_INVALID, "%s needs a profile param name", argv[*i]);
          return -1;
        }
      x->step_tokens = strcmp (argv[*i], "--step-axis") == 0;
      x->param = argv[++*i];
      return 1;
    }
  return 0;
}

static void
fmt_max (const CwCliffResult *r, char *buf, size_t size)
{
  if (r->max == 0)
    snprintf (buf, size, "does not fit");
  else
    snprintf (buf, size, "%llu%s", (unsigned long long) r->max, r->limited_by_overflow ? "*" : "");
}

static const char *
limit_name (const CwCliffResult *r)
{
  return r->max == 0 ? "nothing-fits" : r->limited_by_overflow ? "size-overflow" : "memory";
}

int
cw_cli_cliff (int argc, char **argv)
{
  CwCliSetup s;
  CwError e = CW_ERROR_INIT;
  Answer ans[CW_CLI_MAX_PROFILES];
  char cfg[512], a[CW_BYTES_FORMAT_SIZE], b[CW_BYTES_FORMAT_SIZE], c[CW_BYTES_FORMAT_SIZE];
  Axes axes = { 0 };
  bool prefix_axis;

  memset (ans, 0, sizeof ans);

  for (int i = 1; i < argc; i++)
    if (cw_cli_is_help (argv[i]))
      {
        print_help ();
        return 0;
      }
  if (!cw_cli_setup_parse (&s, argc, argv, extra_option, &axes, &e))
    return cw_cli_fail (&e);
  prefix_axis = axes.prefix_axis;
  for (unsigned i = 0; i < s.n_profiles; i++)
    if (!cw_cliff_solve (s.profiles[i], &s.config, CW_CLIFF_AXIS_SQ, s.usable_bytes, &ans[i].r[0], &e) ||
        !cw_cliff_solve (s.profiles[i], &s.config, CW_CLIFF_AXIS_B, s.usable_bytes, &ans[i].r[1], &e) ||
        !cw_cliff_solve (s.profiles[i], &s.config, CW_CLIFF_AXIS_H, s.usable_bytes, &ans[i].r[2], &e) ||
        (prefix_axis &&
         !cw_cliff_solve (s.profiles[i], &s.config, CW_CLIFF_AXIS_PREFIX, s.usable_bytes, &ans[i].r[3], &e)) ||
        (axes.param != NULL &&
         !cw_cliff_solve_param (s.profiles[i], &s.config, axes.param, axes.step_tokens, s.usable_bytes,
                                &ans[i].r[4], &e)))
      {
        cw_error_prefix (&e, "%s: ", cw_profile_get_name (s.profiles[i]));
        cw_cli_setup_clear (&s);
        return cw_cli_fail (&e);
      }

  if (s.format == CW_CLI_FORMAT_JSON)
    {
      printf ("{\"engine\":");
      if (s.engine[0])
        cw_cli_json_string (stdout, s.engine);
      else
        fputs ("null", stdout);
      printf (",\"config\":");
      cw_cli_config_json (stdout, &s.config);
      printf (",\"gpu\":{\"name\":");
      cw_cli_json_string (stdout, s.gpu->name);
      printf (",\"total_bytes\":%llu,\"reserve_bytes\":%llu,\"usable_bytes\":%llu},\"profiles\":[",
              (unsigned long long) s.gpu->total_bytes, (unsigned long long) s.reserve_bytes,
              (unsigned long long) s.usable_bytes);
      for (unsigned i = 0; i < s.n_profiles; i++)
        {
          printf ("%s{\"name\":", i ? "," : "");
          cw_cli_json_string (stdout, cw_profile_get_name (s.profiles[i]));
          printf (",\"max_sq\":%llu,\"max_b\":%llu,\"max_h\":%llu,\"fits_at_all\":%s,"
                  "\"peak_at_max_sq\":%llu,\"limits\":{\"sq\":\"%s\",\"b\":\"%s\",\"h\":\"%s\"}",
                  (unsigned long long) ans[i].r[0].max, (unsigned long long) ans[i].r[1].max,
                  (unsigned long long) ans[i].r[2].max, ans[i].r[0].max ? "true" : "false",
                  (unsigned long long) ans[i].r[0].peak_at_max, limit_name (&ans[i].r[0]),
                  limit_name (&ans[i].r[1]), limit_name (&ans[i].r[2]));
          if (prefix_axis)
            printf (",\"max_prefix\":%llu,\"prefix_limit\":\"%s\",\"peak_at_max_prefix\":%llu",
                    (unsigned long long) ans[i].r[3].max, limit_name (&ans[i].r[3]),
                    (unsigned long long) ans[i].r[3].peak_at_max);
          if (axes.param != NULL)
            {
              printf (",\"param_axis\":");
              cw_cli_json_string (stdout, axes.param);
              printf (",\"step_tokens\":%s,\"max_param\":%llu,\"param_limit\":\"%s\",\"peak_at_max_param\":%llu",
                      axes.step_tokens ? "true" : "false", (unsigned long long) ans[i].r[4].max,
                      limit_name (&ans[i].r[4]), (unsigned long long) ans[i].r[4].peak_at_max);
            }
          printf ("}");
        }
      printf ("]}\n");
    }
  else if (s.format == CW_CLI_FORMAT_CSV)
    {
      printf ("profile,max_sq,max_b,max_h%s%s\n", prefix_axis ? ",max_prefix" : "", axes.param ? ",max_param" : "");
      for (unsigned i = 0; i < s.n_profiles; i++)
        {
          cw_cli_csv_field (stdout, cw_profile_get_name (s.profiles[i]));
          printf (",%llu,%llu,%llu", (unsigned long long) ans[i].r[0].max, (unsigned long long) ans[i].r[1].max,
                  (unsigned long long) ans[i].r[2].max);
          if (prefix_axis)
            printf (",%llu", (unsigned long long) ans[i].r[3].max);
          if (axes.param)
            printf (",%llu", (unsigned long long) ans[i].r[4].max);
          printf ("\n");
        }
    }
  else
    {
      int nw = cw_cli_setup_name_width (&s);

      cw_config_describe (&s.config, cfg, sizeof cfg);
      if (s.engine[0])
        printf ("engine: %s\n", s.engine);
      printf ("configuration: %s%s%s\n", s.preset, s.preset[0] ? ": " : "", cfg);
      printf ("GPU: %s, total %s, reserve %s, usable %s\n", s.gpu->name,
              cw_bytes_format (s.gpu->total_bytes, a, sizeof a), cw_bytes_format (s.reserve_bytes, b, sizeof b),
              cw_bytes_format (s.usable_bytes, c, sizeof c));
      if (s.config.ratio != 0 && s.config.prefix != 0)
        printf ("max_sq: sk follows sq (sk = (%llu + sq) / %llu)\n\n", (unsigned long long) s.config.prefix,
                (unsigned long long) s.config.ratio);
      else if (s.config.prefix != 0)
        printf ("max_sq: sk follows sq (sk = %llu + sq)\n\n", (unsigned long long) s.config.prefix);
      else if (s.config.ratio != 0)
        printf ("max_sq: sk follows sq (sk = sq / %llu)\n\n", (unsigned long long) s.config.ratio);
      else
        printf ("max_sq: sk stays %llu (give --ratio 1 for sk = sq)\n\n", (unsigned long long) s.config.sk);
      if (prefix_axis)
        printf ("max_prefix: the longest prefix at sq %llu (sk = (prefix + sq)%s)\n\n",
                (unsigned long long) s.config.sq, s.config.ratio != 0 ? " / ratio" : "");
      printf ("%-*s %-14s %-14s %-14s %s%s\n", nw, "profile", "max_sq", "max_b", "max_h",
              prefix_axis ? "max_prefix     " : "", "peak at max_sq");
      {
        bool starred = false;

        for (unsigned i = 0; i < s.n_profiles; i++)
          {
            char x[32], y[32], z[32], w[32];
            fmt_max (&ans[i].r[0], x, sizeof x);
            fmt_max (&ans[i].r[1], y, sizeof y);
            fmt_max (&ans[i].r[2], z, sizeof z);
            fmt_max (&ans[i].r[3], w, sizeof w);
            if (prefix_axis)
              printf ("%-*s %-14s %-14s %-14s %-14s %s\n", nw, cw_profile_get_name (s.profiles[i]), x, y, z, w,
                      ans[i].r[0].max ? cw_bytes_format (ans[i].r[0].peak_at_max, a, sizeof a) : "-");
            else
              printf ("%-*s %-14s %-14s %-14s %s\n", nw, cw_profile_get_name (s.profiles[i]), x, y, z,
                      ans[i].r[0].max ? cw_bytes_format (ans[i].r[0].peak_at_max, a, sizeof a) : "-");
            for (int k = 0; k < (prefix_axis ? 4 : 3); k++)
              starred |= ans[i].r[k].max != 0 && ans[i].r[k].limited_by_overflow;
          }
        if (axes.param)
          {
            printf ("\nmax %s: the largest value that fits%s\n", axes.param,
                    axes.step_tokens ? ", in a step of that many tokens (sq follows it)" : "");
            for (unsigned i = 0; i < s.n_profiles; i++)
              {
                char w[32];
                fmt_max (&ans[i].r[4], w, sizeof w);
                printf ("%-*s %-14s %s\n", nw, cw_profile_get_name (s.profiles[i]), w,
                        ans[i].r[4].max ? cw_bytes_format (ans[i].r[4].peak_at_max, a, sizeof a) : "-");
                starred |= ans[i].r[4].max != 0 && ans[i].r[4].limited_by_overflow;
              }
          }
        if (starred)
          printf ("* limited by sizes overflowing uint64, not by memory: the peak barely grows on that axis\n");
      }
    }
  cw_cli_setup_clear (&s);
  return 0;
}
