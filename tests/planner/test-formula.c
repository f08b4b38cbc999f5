/* test-formula.c: the profile formula language (planner/cw-formula.c) on its
 * own: precedence and associativity, every function at its edges, the fused
 * operations the peephole pass makes, every evaluation error, every parse
 * error, and the nesting and stack bounds. Names a, b, c are slots 0..2;
 * bytes_q reads the q dtype's bits. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cw-formula-private.h"

#include "../cw-test.h"

static const uint64_t slots[] = { 7, 3, 1000 };
static unsigned role_bits[] = { 16 };

static int
resolve (const char *name, int *bytes_role, void *user_data)
{
  (void) user_data;
  *bytes_role = -1;
  if (strcmp (name, "a") == 0)
    return 0;
  if (strcmp (name, "b") == 0)
    return 1;
  if (strcmp (name, "c") == 0)
    return 2;
  if (strcmp (name, "bytes_q") == 0)
    {
      *bytes_role = 0;
      return 0;
    }
  return -1;
}

/* Compiles and evaluates; true when both succeed. */
static bool
eval (const char *text, uint64_t *out, CwErrorCode *code, const char **why, char *parse_error, size_t size)
{
  CwFormula f;
  CwError e = CW_ERROR_INIT;
  const char *w = NULL;
  CwErrorCode c = CW_ERROR_NONE;
  bool ok;

  memset (&f, 0, sizeof f);
  if (parse_error)
    parse_error[0] = '\0';
  if (!cw_formula_compile (&f, text, resolve, NULL, &e))
    {
      if (parse_error)
        snprintf (parse_error, size, "%s", e.message);
      if (code)
        *code = e.code;
      cw_formula_clear (&f);
      return false;
    }
  ok = cw_formula_eval (&f, slots, role_bits, out, &w, &c);
  if (code)
    *code = ok ? CW_ERROR_NONE : c;
  if (why)
    *why = w;
  cw_formula_clear (&f);
  return ok;
}

static void
value_is (const char *text, uint64_t want)
{
  uint64_t got = 0;
  CwErrorCode code;
  const char *why = NULL;
  char perr[600];

  CHECK (eval (text, &got, &code, &why, perr, sizeof perr) && got == want, "'%s' = %" PRIu64 ", want %" PRIu64 " (%s%s)",
         text, got, want, perr, why ? why : "");
}

static void
eval_fails (const char *text, CwErrorCode want_code, const char *want_why)
{
  uint64_t got = 0;
  CwErrorCode code = CW_ERROR_NONE;
  const char *why = NULL;
  char perr[600];

  CHECK (!eval (text, &got, &code, &why, perr, sizeof perr) && perr[0] == '\0' && code == want_code && why != NULL
           && strstr (why, want_why) != NULL,
         "'%s': code %d, why '%s', parse '%s' (want %d '%s')", text, (int) code, why ? why : "", perr,
         (int) want_code, want_why);
}

static void
parse_fails (const char *text, const char *want)
{
  uint64_t got = 0;
  CwErrorCode code = CW_ERROR_NONE;
  char perr[600];

  CHECK (!eval (text, &got, &code, NULL, perr, sizeof perr) && code == CW_ERROR_PARSE && strstr (perr, want) != NULL,
         "'%s': '%s' (want '%s')", text, perr, want);
}

int
main (void)
{
  char deep[512];
  size_t n = 0;

  /* Precedence and left associativity. */
  value_is ("2 + 3 * 4", 14);
  value_is ("(2 + 3) * 4", 20);
  value_is ("10 - 4 - 3", 3);
  value_is ("100 / 10 / 5", 2);
  value_is ("7 % 4 * 2", 6);
  value_is ("2 * 7 % 4", 2);
  value_is ("20 - 2 * 3 + 1", 15);
  value_is ("7 / 2", 3);                        /* floor */
  value_is ("  ( ( 42 ) )  ", 42);

  /* Names, and the fused operand forms (constant and slot operands). */
  value_is ("a + b * c", 7 + 3 * 1000);
  value_is ("a * 3 + b", 24);
  value_is ("c / a", 142);
  value_is ("c - a - b", 990);
  value_is ("a * b * c", 21000);
  value_is ("bytes_q * a", 14);

  /* Every function at its edges. */
  value_is ("min(3, 1, 2)", 1);
  value_is ("max(3, 1, 2)", 3);
  value_is ("min(a, b)", 3);
  value_is ("max(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)", 16);
  value_is ("ceil_div(7, 2)", 4);
  value_is ("ceil_div(8, 2)", 4);
  value_is ("ceil_div(0, 5)", 0);
  value_is ("align_up(7, 4)", 8);
  value_is ("align_up(8, 4)", 8);
  value_is ("align_up(7, 0)", 7);
  value_is ("align_up(7, 1)", 7);
  value_is ("clamp(5, 1, 3)", 3);
  value_is ("clamp(0, 1, 3)", 1);
  value_is ("clamp(2, 2, 2)", 2);
  value_is ("nbytes(3, 4)", 2);                 /* 12 bits: 1.5 bytes, rounded up */
  value_is ("nbytes(5, 8)", 5);
  value_is ("nbytes(1, 1)", 1);
  value_is ("isqrt(0)", 0);
  value_is ("isqrt(15)", 3);
  value_is ("isqrt(16)", 4);
  value_is ("isqrt(18446744073709551615)", 4294967295u);
  value_is ("isqrt(18446744065119617025)", 4294967295u);   /* (2^32 - 1)^2 */
  value_is ("lt(1, 2)", 1);
  value_is ("lt(2, 2)", 0);
  value_is ("le(2, 2)", 1);
  value_is ("le(3, 2)", 0);
  value_is ("select(0, 1, 2)", 2);
  value_is ("select(5, 1, 2)", 1);
  value_is ("select(lt(a, b), a, b) + 1", 4);

  /* Evaluation errors: each names its operation; nothing wraps. */
  eval_fails ("18446744073709551615 + 1", CW_ERROR_OVERFLOW, "'+'");
  eval_fails ("4294967296 * 4294967296", CW_ERROR_OVERFLOW, "'*'");
  eval_fails ("c * 18446744073709551615", CW_ERROR_OVERFLOW, "'*'");
  eval_fails ("2 - 3", CW_ERROR_INVALID, "below zero");
  eval_fails ("b - c", CW_ERROR_INVALID, "below zero");
  eval_fails ("1 / 0", CW_ERROR_INVALID, "zero");
  eval_fails ("1 % 0", CW_ERROR_INVALID, "zero");
  eval_fails ("a / (b - 3)", CW_ERROR_INVALID, "zero");
  eval_fails ("ceil_div(1, 0)", CW_ERROR_INVALID, "ceil_div");
  eval_fails ("align_up(18446744073709551615, 2)", CW_ERROR_OVERFLOW, "align_up");
  eval_fails ("clamp(1, 3, 2)", CW_ERROR_INVALID, "clamp");
  eval_fails ("nbytes(18446744073709551615, 2)", CW_ERROR_OVERFLOW, "nbytes");
  eval_fails ("select(1, 2, 1 / 0)", CW_ERROR_INVALID, "zero");   /* both arms evaluated */
  role_bits[0] = 4;
  eval_fails ("bytes_q", CW_ERROR_INVALID, "");                  /* fp4: not whole bytes */
  role_bits[0] = 16;

  /* Parse errors: one reason each, never a number. */
  parse_fails ("", "");
  parse_fails ("1 +", "");
  parse_fails ("(1", "')'");
  parse_fails ("1)", "");
  parse_fails ("1 2", "");
  parse_fails ("-1", "negative");
  parse_fails ("99999999999999999999", "64 bits");
  parse_fails ("zz + 1", "unknown name 'zz'");
  parse_fails ("foo(1)", "unknown function 'foo'");
  parse_fails ("min(1)", "wrong number of arguments to 'min'");
  parse_fails ("isqrt(1, 2)", "wrong number of arguments to 'isqrt'");
  parse_fails ("select(1, 2)", "wrong number of arguments to 'select'");
  parse_fails ("clamp(1, 2)", "wrong number of arguments to 'clamp'");
  parse_fails ("512MiB", "unexpected 'M'");
  parse_fails ("a < b", "");
  parse_fails ("max(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17)", "");

  /* Nesting: 64 levels of parentheses compile; 65 are refused (a crafted
   * profile cannot exhaust the C stack). */
  n = 0;
  for (int i = 0; i < 63; i++)
    deep[n++] = '(';
  deep[n++] = '1';
  for (int i = 0; i < 63; i++)
    deep[n++] = ')';
  deep[n] = '\0';
  value_is (deep, 1);
  n = 0;
  for (int i = 0; i < 70; i++)
    deep[n++] = '(';
  deep[n++] = '1';
  for (int i = 0; i < 70; i++)
    deep[n++] = ')';
  deep[n] = '\0';
  parse_fails (deep, "deeper than 64");

  fprintf (stderr, "formula: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
