/* cw-cli-args.c: option parsing (through the planner's cw-parse.h) and output
 * escaping shared by subcommands. */
#include "cw-cli-args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cw-bytes.h"
#include "cw-parse.h"

bool
cw_cli_parse_u64 (const char *option, const char *text, bool allow_suffix, uint64_t *out, CwError *error)
{
  return cw_parse_u64 (option, text, allow_suffix, out, error);
}

bool
cw_cli_parse_positive_u64 (const char *option, const char *text, bool allow_suffix, uint64_t *out, CwError *error)
{
  return cw_parse_positive_u64 (option, text, allow_suffix, out, error);
}

bool
cw_cli_parse_double (const char *option, const char *text, bool positive, double *out, CwError *error)
{
  return cw_parse_double (option, text, positive, out, error);
}

bool
cw_cli_parse_format (const char *text, CwCliFormat *out, CwError *error)
{
  if (strcmp (text, "table") == 0)
    *out = CW_CLI_FORMAT_TABLE;
  else if (strcmp (text, "json") == 0)
    *out = CW_CLI_FORMAT_JSON;
  else if (strcmp (text, "csv") == 0)
    *out = CW_CLI_FORMAT_CSV;
  else
    {
      cw_error_set (error, CW_ERROR_INVALID, "--format: unknown format '%s' (known: table, json, csv)", text);
      return false;
    }
  return true;
}

bool
cw_cli_parse_u64_list (const char *option, const char *text, uint64_t **out, uint64_t *n_out, CwError *error)
{
  return cw_parse_u64_list (option, text, out, n_out, error);
}

bool
cw_cli_match_option (int argc, char **argv, int *i, const char *name, const char **value, CwError *error)
{
  return cw_parse_match_option (argc, argv, i, name, value, error);
}

bool
cw_cli_is_help (const char *arg)
{
  return cw_parse_is_help (arg);
}

int
cw_cli_fail (const CwError *error)
{
  fprintf (stderr, "cliffwatch-cli: %s\n", error->message[0] ? error->message : "unknown error");
  return CW_CLI_EXIT_USAGE;
}

int
cw_cli_failf (const char *fmt, ...)
{
  CwError e = CW_ERROR_INIT;
  va_list args;

  va_start (args, fmt);
  cw_error_setv (&e, CW_ERROR_INVALID, fmt, args);
  va_end (args);
  return cw_cli_fail (&e);
}

void
cw_cli_json_string (FILE *out, const char *s)
{
  fputc ('"', out);
  for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++)
    {
      if (*p == '"' || *p == '\\')
        fprintf (out, "\\%c", *p);
      else if (*p == '\n')
        fputs ("\\n", out);
      else if (*p == '\t')
        fputs ("\\t", out);
      else if (*p < 0x20)
        fprintf (out, "\\u%04x", *p);
      else
        fputc (*p, out);
    }
  fputc ('"', out);
}

void
cw_cli_csv_field (FILE *out, const char *s)
{
  s = s ? s : "";
  if (strpbrk (s, ",\"\n") == NULL)
    {
      fputs (s, out);
      return;
    }
  fputc ('"', out);
  for (; *s; s++)
    {
      if (*s == '"')
        fputc ('"', out);
      fputc (*s, out);
    }
  fputc ('"', out);
}
