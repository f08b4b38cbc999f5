/* cw-error.c: filling and prefixing CwError. */
#include "cw-error.h"

#include <stdio.h>
#include <string.h>

/* The message is one line a terminal shows as text: bytes it could act on
 * (newlines and tabs from a database's report, escape sequences from a GPU
 * name or a file) become spaces. UTF-8 text is left as it is. */
static void
one_line (char *message)
{
  for (unsigned char *p = (unsigned char *) message; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f)
      *p = ' ';
}

void
cw_error_setv (CwError *error, CwErrorCode code, const char *fmt, va_list args)
{
  if (error == NULL)
    return;
  error->code = code;
  vsnprintf (error->message, sizeof error->message, fmt, args);
  one_line (error->message);
}

void
cw_error_set (CwError *error, CwErrorCode code, const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  cw_error_setv (error, code, fmt, args);
  va_end (args);
}

void
cw_error_prefix (CwError *error, const char *fmt, ...)
{
  char prefix[256];
  char old[sizeof error->message];
  va_list args;

  if (error == NULL)
    return;
  va_start (args, fmt);
  vsnprintf (prefix, sizeof prefix, fmt, args);
  va_end (args);
  memcpy (old, error->message, sizeof old);
  /* The result is cut at the message size (always NUL-terminated). */
  {
    size_t np = strlen (prefix), no = strlen (old), cap = sizeof error->message - 1;

    if (np > cap)
      np = cap;
    if (no > cap - np)
      no = cap - np;
    memcpy (error->message, prefix, np);
    memcpy (error->message + np, old, no);
    error->message[np + no] = '\0';
  }
  one_line (error->message);
}

void
cw_error_clear (CwError *error)
{
  if (error == NULL)
    return;
  error->code = CW_ERROR_NONE;
  error->message[0] = '\0';
}

const char *
cw_error_code_name (CwErrorCode code)
{
  switch (code)
    {
    case CW_ERROR_NONE: return "none";
    case CW_ERROR_INVALID: return "invalid";
    case CW_ERROR_OVERFLOW: return "overflow";
    case CW_ERROR_NOT_FOUND: return "not-found";
    case CW_ERROR_PARSE: return "parse";
    case CW_ERROR_IO: return "io";
    case CW_ERROR_CORRUPT: return "corrupt";
    case CW_ERROR_VERSION: return "version";
    case CW_ERROR_CUDA: return "cuda";
    case CW_ERROR_CUPTI: return "cupti";
    case CW_ERROR_SQLITE: return "sqlite";
    case CW_ERROR_OOM: return "oom";
    case CW_ERROR_UNSUPPORTED: return "unsupported";
    }
  return "unknown";
}
