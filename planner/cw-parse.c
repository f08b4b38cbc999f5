/* cw-parse.c: numbers, lists and options as the user types them. */
#include "cw-parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cw-bytes.h"

bool
cw_parse_u64 (const char *option, const char *text, bool allow_suffix, uint64_t *out, CwError *error)
{
  uint64_t v = 0;
  const char *p = text;

  if (text == NULL || *text == '\0')
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: empty value", option);
      return false;
    }
  if (*p == '-')
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: '%s' is negative; a non-negative integer is required", option, text);
      return false;
    }
  if (!isdigit ((unsigned char) *p))
    goto bad;
  for (; isdigit ((unsigned char) *p); p++)
    if (!cw_mul_u64 (v, 10, &v) || !cw_add_u64 (v, (uint64_t) (*p - '0'), &v))
      {
        cw_error_set (error, CW_ERROR_OVERFLOW, "%s: '%s' does not fit in 64 bits", option, text);
        return false;
      }
  if (*p != '\0')
    {
      unsigned shift = 0;

      if (!allow_suffix)
        goto bad;
      switch (*p)
        {
        case 'K': case 'k': shift = 10; break;
        case 'M': case 'm': shift = 20; break;
        case 'G': case 'g': shift = 30; break;
        case 'T': case 't': shift = 40; break;
        default: goto bad;
        }
      p++;
      if (strcmp (p, "iB") == 0 || strcmp (p, "i") == 0)
        p += strlen (p);
      if (*p != '\0')
        goto bad;
      if (!cw_mul_u64 (v, 1ull << shift, &v))
        {
          cw_error_set (error, CW_ERROR_OVERFLOW, "%s: '%s' does not fit in 64 bits", option, text);
          return false;
        }
    }
  *out = v;
  return true;
bad:
  cw_error_set (error, CW_ERROR_INVALID, "%s: '%s' is not a non-negative integer%s", option, text,
                allow_suffix ? " (optionally with K, M, G or T for KiB..TiB)" : "");
  return false;
}

bool
cw_parse_positive_u64 (const char *option, const char *text, bool allow_suffix, uint64_t *out, CwError *error)
{
  if (!cw_parse_u64 (option, text, allow_suffix, out, error))
    return false;
  if (*out == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: must be at least 1, got 0", option);
      return false;
    }
  return true;
}

bool
cw_parse_double (const char *option, const char *text, bool positive, double *out, CwError *error)
{
  char *end = NULL;
  double v;

  if (text == NULL || *text == '\0' || isspace ((unsigned char) *text))
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: empty value", option);
      return false;
    }
  errno = 0;
  v = strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v) || errno == ERANGE)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: '%s' is not a finite number", option, text);
      return false;
    }
  if (v < 0 || (positive && v == 0))
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: must be %s, got '%s'", option,
                    positive ? "greater than 0" : "non-negative", text);
      return false;
    }
  *out = v;
  return true;
}

bool
cw_parse_u64_list (const char *option, const char *text, uint64_t **out, uint64_t *n_out, CwError *error)
{
  size_t len = strlen (text);
  char *buf = malloc (len + 1);
  uint64_t *v = calloc (len / 2 + 2, sizeof *v);
  uint64_t n = 0;
  char *save = NULL;

  if (buf == NULL || v == NULL)
    {
      free (buf);
      free (v);
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return false;
    }
  memcpy (buf, text, len + 1);
  if (len == 0 || text[0] == ',' || text[len - 1] == ',' || strstr (text, ",,") != NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: '%s' is not a comma-separated list of integers", option, text);
      goto fail;
    }
  for (char *t = strtok_r (buf, ",", &save); t != NULL; t = strtok_r (NULL, ",", &save))
    if (!cw_parse_u64 (option, t, false, &v[n++], error))
      goto fail;
  free (buf);
  *out = v;
  *n_out = n;
  return true;
fail:
  free (buf);
  free (v);
  return false;
}

bool
cw_parse_match_option (int argc, char **argv, int *i, const char *name, const char **value, CwError *error)
{
  const char *arg = argv[*i];
  size_t n = strlen (name);

  if (strncmp (arg, name, n) != 0)
    return false;
  if (arg[n] == '=')
    {
      *value = arg + n + 1;
      return true;
    }
  if (arg[n] != '\0')
    return false;
  if (*i + 1 >= argc)
    {
      *value = NULL;
      cw_error_set (error, CW_ERROR_INVALID, "%s needs a value", name);
      return true;
    }
  *value = argv[++*i];
  return true;
}

bool
cw_parse_is_help (const char *arg)
{
  return strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0 || strcmp (arg, "help") == 0;
}
