/* cw-formula.c: recursive-descent compiler and checked evaluator for size formulas.
 *
 * Grammar (integers only, all uint64):
 *   expr    := term (('+' | '-') term)*
 *   term    := primary (('*' | '/' | '%') primary)*
 *   primary := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
 * '/' is floor division; '-' below zero is an error, not a wrap. Conditions are
 * functions, not operators: lt(a, b) and le(a, b) give 1 or 0, select(c, a, b)
 * picks a when c != 0 (both arms are evaluated, so an error in either fails). */
#include "cw-formula-private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-bytes.h"

typedef struct {
  const char *p;
  CwFormula *f;
  uint32_t cap;
  int depth;
  int nesting;          /* parse_expr calls in progress: bounds the recursion */
  CwFormulaResolve resolve;
  void *user_data;
  CwError *error;
  bool failed;
} Compiler;

static void
fail (Compiler *c, const char *fmt, const char *detail)
{
  if (c->failed)
    return;
  c->failed = true;
  cw_error_set (c->error, CW_ERROR_PARSE, fmt, detail);
}

static void
emit (Compiler *c, uint32_t op, uint32_t arg, uint64_t value, int stack_delta)
{
  if (c->failed)
    return;
  if (c->f->n_ops == c->cap)
    {
      uint32_t cap = c->cap ? c->cap * 2 : 16;
      CwOp *ops = realloc (c->f->ops, cap * sizeof *ops);
      if (ops == NULL)
        {
          fail (c, "%s", "out of memory");
          return;
        }
      c->f->ops = ops;
      c->cap = cap;
    }
  c->f->ops[c->f->n_ops++] = (CwOp) { op, arg, value };
  c->depth += stack_delta;
  if (c->depth > CW_FORMULA_MAX_STACK)
    fail (c, "%s", "formula nests too deeply");
  if (c->depth > 0 && (uint32_t) c->depth > c->f->max_depth)
    c->f->max_depth = (uint32_t) c->depth;
}

static void
skip_space (Compiler *c)
{
  while (*c->p == ' ' || *c->p == '\t')
    c->p++;
}

static void parse_expr (Compiler *c);

static const struct {
  const char *name;
  CwOpCode op;
  int min_args;
  int max_args;
} functions[] = {
  { "min", CW_OP_MIN, 2, 16 },
  { "max", CW_OP_MAX, 2, 16 },
  { "ceil_div", CW_OP_CEIL_DIV, 2, 2 },
  { "align_up", CW_OP_ALIGN_UP, 2, 2 },
  { "clamp", CW_OP_CLAMP, 3, 3 },
  { "nbytes", CW_OP_NBYTES, 2, 2 },
  { "isqrt", CW_OP_ISQRT, 1, 1 },
  { "select", CW_OP_SELECT, 3, 3 },
  { "lt", CW_OP_LT, 2, 2 },
  { "le", CW_OP_LE, 2, 2 },
};

static void
parse_primary (Compiler *c)
{
  char name[64];
  size_t len = 0;

  skip_space (c);
  if (c->failed)
    return;
  if (isdigit ((unsigned char) *c->p))
    {
      uint64_t v = 0;

      while (isdigit ((unsigned char) *c->p))
        {
          if (!cw_mul_u64 (v, 10, &v) || !cw_add_u64 (v, (uint64_t) (*c->p - '0'), &v))
            {
              fail (c, "%s", "number does not fit in 64 bits");
              return;
            }
          c->p++;
        }
      if (isalpha ((unsigned char) *c->p) || *c->p == '_')
        {
          char bad[2] = { *c->p, 0 };
          fail (c, "unexpected '%s' after a number (write 512*MiB, not 512MiB)", bad);
          return;
        }
      emit (c, CW_OP_CONST, 0, v, 1);
      return;
    }
  if (*c->p == '(')
    {
      c->p++;
      parse_expr (c);
      skip_space (c);
      if (*c->p != ')')
        {
          fail (c, "%s", "missing ')'");
          return;
        }
      c->p++;
      return;
    }
  if (!(isalpha ((unsigned char) *c->p) || *c->p == '_'))
    {
      if (*c->p == '\0')
        fail (c, "%s", "formula ends where a value was expected");
      else if (*c->p == '-')
        fail (c, "%s", "negative values are not allowed (sizes are unsigned)");
      else
        {
          char bad[2] = { *c->p, 0 };
          fail (c, "unexpected '%s' where a value was expected", bad);
        }
      return;
    }
  while (isalnum ((unsigned char) *c->p) || *c->p == '_')
    {
      if (len + 1 >= sizeof name)
        {
          fail (c, "%s", "name too long");
          return;
        }
      name[len++] = *c->p++;
    }
  name[len] = '\0';
  skip_space (c);
  if (*c->p == '(')
    {
      int nargs = 0;
      size_t fi;

      for (fi = 0; fi < sizeof functions / sizeof functions[0]; fi++)
        if (strcmp (functions[fi].name, name) == 0)
          break;
      if (fi == sizeof functions / sizeof functions[0])
        {
          fail (c, "unknown function '%s' (known: min, max, ceil_div, align_up, clamp, nbytes, isqrt, select, lt, le)", name);
          return;
        }
      c->p++;
      for (;;)
        {
          parse_expr (c);
          if (c->failed)
            return;
          nargs++;
          skip_space (c);
          if (*c->p == ',')
            {
              c->p++;
              continue;
            }
          if (*c->p == ')')
            {
              c->p++;
              break;
            }
          fail (c, "missing ')' or ',' in call to '%s'", name);
          return;
        }
      if (nargs < functions[fi].min_args || nargs > functions[fi].max_args)
        {
          fail (c, "wrong number of arguments to '%s'", name);
          return;
        }
      emit (c, functions[fi].op, (uint32_t) nargs, 0, 1 - nargs);
      return;
    }
  {
    int role = -1;
    int slot = c->resolve (name, &role, c->user_data);

    if (role >= 0)
      emit (c, CW_OP_LOAD_BYTES, (uint32_t) role, 0, 1);
    else if (slot >= 0)
      emit (c, CW_OP_LOAD, (uint32_t) slot, 0, 1);
    else
      fail (c, "unknown name '%s'", name);
  }
}

static void
parse_term (Compiler *c)
{
  parse_primary (c);
  for (;;)
    {
      char op;

      skip_space (c);
      op = *c->p;
      if (c->failed || (op != '*' && op != '/' && op != '%'))
        return;
      c->p++;
      parse_primary (c);
      emit (c, op == '*' ? CW_OP_MUL : op == '/' ? CW_OP_DIV : CW_OP_MOD, 0, 0, -1);
    }
}

/* Parentheses and function calls recurse through parse_expr; a crafted
 * formula of thousands of '(' must be a parse error, not a stack overflow. */
#define MAX_NESTING 64

static void
parse_expr (Compiler *c)
{
  if (++c->nesting > MAX_NESTING)
    {
      fail (c, "formula nests deeper than %s levels", "64");
      c->nesting--;
      return;
    }
  parse_term (c);
  for (;;)
    {
      char op;

      skip_space (c);
      op = *c->p;
      if (c->failed || (op != '+' && op != '-'))
        {
          c->nesting--;
          return;
        }
      c->p++;
      parse_term (c);
      emit (c, op == '+' ? CW_OP_ADD : CW_OP_SUB, 0, 0, -1);
    }
}

/* Peephole pass: CONST CONST binop folds (when it does not fail: failures are
 * left for evaluation so messages stay the same); LOAD/CONST + binop fuses. */
static void
optimize (CwFormula *f)
{
  uint32_t out = 0;

  for (uint32_t i = 0; i < f->n_ops; i++)
    {
      CwOp op = f->ops[i];
      bool binop = op.op == CW_OP_ADD || op.op == CW_OP_SUB || op.op == CW_OP_MUL || op.op == CW_OP_DIV;

      if (binop && out >= 2 && f->ops[out - 1].op == CW_OP_CONST && f->ops[out - 2].op == CW_OP_CONST)
        {
          uint64_t a = f->ops[out - 2].value, b = f->ops[out - 1].value, r;
          bool ok = op.op == CW_OP_ADD ? cw_add_u64 (a, b, &r)
                  : op.op == CW_OP_SUB ? cw_sub_u64 (a, b, &r)
                  : op.op == CW_OP_MUL ? cw_mul_u64 (a, b, &r)
                  : (b != 0 && ((r = a / b), true));
          if (ok)
            {
              out--;
              f->ops[out - 1].value = r;
              continue;
            }
        }
      if (binop && out >= 1 && (f->ops[out - 1].op == CW_OP_CONST || f->ops[out - 1].op == CW_OP_LOAD))
        {
          CwOp *prev = &f->ops[out - 1];
          uint32_t base = prev->op == CW_OP_CONST ? CW_OP_ADD_K : CW_OP_ADD_S;

          prev->op = base + (op.op - CW_OP_ADD);
          continue;
        }
      f->ops[out++] = op;
    }
  f->n_ops = out;
}

bool
cw_formula_compile (CwFormula *formula, const char *text, CwFormulaResolve resolve,
                    void *user_data, CwError *error)
{
  Compiler c = { .p = text, .f = formula, .resolve = resolve, .user_data = user_data, .error = error };

  memset (formula, 0, sizeof *formula);
  skip_space (&c);
  if (*c.p == '\0')
    {
      cw_error_set (error, CW_ERROR_PARSE, "empty formula");
      return false;
    }
  parse_expr (&c);
  skip_space (&c);
  if (!c.failed && *c.p != '\0')
    {
      char bad[2] = { *c.p, 0 };
      fail (&c, "unexpected '%s' after the formula", bad);
    }
  if (c.failed)
    {
      cw_formula_clear (formula);
      return false;
    }
  optimize (formula);
  return true;
}

void
cw_formula_clear (CwFormula *formula)
{
  free (formula->ops);
  memset (formula, 0, sizeof *formula);
}

#define FAIL(c, w) do { *code = (c); *why = (w); return false; } while (0)

/* floor(sqrt(x)), exact for every uint64 (no floating point). */
static uint64_t
isqrt_u64 (uint64_t x)
{
  uint64_t r = 0, bit = 1ull << 62;

  while (bit > x)
    bit >>= 2;
  while (bit != 0)
    {
      if (x >= r + bit)
        {
          x -= r + bit;
          r = (r >> 1) + bit;
        }
      else
        r >>= 1;
      bit >>= 2;
    }
  return r;
}

bool
cw_formula_eval (const CwFormula *formula, const uint64_t *slots, const unsigned *role_bits,
                 uint64_t *out, const char **why, CwErrorCode *code)
{
  uint64_t stack[CW_FORMULA_MAX_STACK + 1];
  int sp = 0;

  for (uint32_t i = 0; i < formula->n_ops; i++)
    {
      const CwOp *op = &formula->ops[i];
      uint64_t a, b, r;

      switch ((CwOpCode) op->op)
        {
        case CW_OP_CONST:
          stack[sp++] = op->value;
          break;
        case CW_OP_LOAD:
          stack[sp++] = slots[op->arg];
          break;
        case CW_OP_LOAD_BYTES:
          if (role_bits[op->arg] % 8 != 0)
            FAIL (CW_ERROR_INVALID, "uses bytes_* of a sub-byte dtype (fp4); write nbytes(n, bits_*) instead");
          stack[sp++] = role_bits[op->arg] / 8;
          break;
        case CW_OP_ADD:
          b = stack[--sp]; a = stack[sp - 1];
          if (!cw_add_u64 (a, b, &r))
            FAIL (CW_ERROR_OVERFLOW, "overflows uint64 in '+'");
          stack[sp - 1] = r;
          break;
        case CW_OP_SUB:
          b = stack[--sp]; a = stack[sp - 1];
          if (!cw_sub_u64 (a, b, &r))
            FAIL (CW_ERROR_INVALID, "goes below zero in '-'");
          stack[sp - 1] = r;
          break;
        case CW_OP_MUL:
          b = stack[--sp]; a = stack[sp - 1];
          if (!cw_mul_u64 (a, b, &r))
            FAIL (CW_ERROR_OVERFLOW, "overflows uint64 in '*'");
          stack[sp - 1] = r;
          break;
        case CW_OP_DIV:
        case CW_OP_MOD:
          b = stack[--sp]; a = stack[sp - 1];
          if (b == 0)
            FAIL (CW_ERROR_INVALID, "divides by zero");
          stack[sp - 1] = op->op == CW_OP_DIV ? a / b : a % b;
          break;
        case CW_OP_MIN:
        case CW_OP_MAX:
          r = stack[sp - (int) op->arg];
          for (int j = sp - (int) op->arg + 1; j < sp; j++)
            r = op->op == CW_OP_MIN ? (stack[j] < r ? stack[j] : r) : (stack[j] > r ? stack[j] : r);
          sp -= (int) op->arg;
          stack[sp++] = r;
          break;
        case CW_OP_CEIL_DIV:
          b = stack[--sp]; a = stack[sp - 1];
          if (!cw_ceil_div_u64 (a, b, &r))
            FAIL (CW_ERROR_INVALID, "divides by zero in ceil_div");
          stack[sp - 1] = r;
          break;
        case CW_OP_ALIGN_UP:
          b = stack[--sp]; a = stack[sp - 1];
          if (!cw_align_up_u64 (a, b, &r))
            FAIL (CW_ERROR_OVERFLOW, "overflows uint64 in align_up");
          stack[sp - 1] = r;
          break;
        case CW_OP_CLAMP:
          {
            uint64_t hi = stack[--sp];
            uint64_t lo = stack[--sp];
            uint64_t x = stack[sp - 1];

            if (lo > hi)
              FAIL (CW_ERROR_INVALID, "calls clamp with lo > hi");
            stack[sp - 1] = x < lo ? lo : x > hi ? hi : x;
          }
          break;
        case CW_OP_NBYTES:
          b = stack[--sp]; a = stack[sp - 1];
          if (!cw_mul_u64 (a, b, &r))
            FAIL (CW_ERROR_OVERFLOW, "overflows uint64 in nbytes");
          stack[sp - 1] = r / 8 + (r % 8 != 0);
          break;
        case CW_OP_ISQRT:
          stack[sp - 1] = isqrt_u64 (stack[sp - 1]);
          break;
        case CW_OP_SELECT:
          b = stack[--sp]; a = stack[--sp];
          stack[sp - 1] = stack[sp - 1] != 0 ? a : b;
          break;
        case CW_OP_LT:
        case CW_OP_LE:
          b = stack[--sp]; a = stack[sp - 1];
          stack[sp - 1] = op->op == CW_OP_LT ? a < b : a <= b;
          break;
        case CW_OP_ADD_K:
        case CW_OP_ADD_S:
          b = op->op == CW_OP_ADD_K ? op->value : slots[op->arg];
          if (!cw_add_u64 (stack[sp - 1], b, &r))
            FAIL (CW_ERROR_OVERFLOW, "overflows uint64 in '+'");
          stack[sp - 1] = r;
          break;
        case CW_OP_SUB_K:
        case CW_OP_SUB_S:
          b = op->op == CW_OP_SUB_K ? op->value : slots[op->arg];
          if (!cw_sub_u64 (stack[sp - 1], b, &r))
            FAIL (CW_ERROR_INVALID, "goes below zero in '-'");
          stack[sp - 1] = r;
          break;
        case CW_OP_MUL_K:
        case CW_OP_MUL_S:
          b = op->op == CW_OP_MUL_K ? op->value : slots[op->arg];
          if (!cw_mul_u64 (stack[sp - 1], b, &r))
            FAIL (CW_ERROR_OVERFLOW, "overflows uint64 in '*'");
          stack[sp - 1] = r;
          break;
        case CW_OP_DIV_K:
        case CW_OP_DIV_S:
          b = op->op == CW_OP_DIV_K ? op->value : slots[op->arg];
          if (b == 0)
            FAIL (CW_ERROR_INVALID, "divides by zero");
          stack[sp - 1] /= b;
          break;
        default:
          FAIL (CW_ERROR_CORRUPT, "has a corrupt op");
        }
    }
  *out = stack[0];
  return true;
}
