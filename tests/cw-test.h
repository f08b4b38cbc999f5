/* cw-test.h: the check every C test uses.
 *
 * CHECK (cond) or CHECK (cond, "fmt", ...) counts the check and, when cond is
 * false, counts a failure and prints one line: "FAIL file:line: cond: message".
 * A test keeps going after a failed check, so one run reports every broken
 * value, and ends with `return failures ? 1 : 0;` (or 77 where it skips).
 * Include it from a test file as "../cw-test.h". */
#pragma once

#include <stdarg.h>
#include <stdio.h>

static int failures;   /* checks that failed */
static int checks;     /* checks run */

/* The message is optional, so CHECK passes "" followed by the caller's
 * format: an empty format is intended here. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

__attribute__ ((format (printf, 4, 5))) static inline void
cw_test_fail (const char *file, int line, const char *cond, const char *fmt, ...)
{
  va_list args;

  fprintf (stderr, "FAIL %s:%d: %s", file, line, cond);
  if (fmt[0] != '\0')
    {
      fputs (": ", stderr);
      va_start (args, fmt);
      vfprintf (stderr, fmt, args);
      va_end (args);
    }
  fputc ('\n', stderr);
}

#define CHECK(cond, ...)                                               \
  do {                                                                 \
    checks++;                                                          \
    if (!(cond))                                                       \
      {                                                                \
        failures++;                                                    \
        cw_test_fail (__FILE__, __LINE__, #cond, "" __VA_ARGS__);      \
      }                                                                \
  } while (0)
