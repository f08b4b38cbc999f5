/* cw-formula-private.h: size formulas compiled to a small stack bytecode.
 *
 * Profiles are data files a user can edit, so formulas are never "eval"ed as
 * text: the parser turns each one into a flat op list once at load time, and
 * evaluation is a tight loop over uint64 with every operation checked. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"

#define CW_FORMULA_MAX_STACK 32

typedef enum {
  CW_OP_CONST,       /* push value */
  CW_OP_LOAD,        /* push slots[arg] */
  CW_OP_LOAD_BYTES,  /* push bits[arg] / 8; fails when not a whole number of bytes */
  CW_OP_ADD,
  CW_OP_SUB,
  CW_OP_MUL,
  CW_OP_DIV,
  CW_OP_MOD,
  CW_OP_MIN,         /* arg = operand count */
  CW_OP_MAX,
  CW_OP_CEIL_DIV,
  CW_OP_ALIGN_UP,
  CW_OP_CLAMP,       /* clamp(x, lo, hi) */
  CW_OP_NBYTES,      /* nbytes(n, bits) = ceil(n * bits / 8) */
  /* Fused "push operand, then apply": top = top OP operand. The compiler's
   * peephole pass makes these from LOAD/CONST + ADD/SUB/MUL/DIV; they halve
   * dispatches on the sweep path. */
  CW_OP_ADD_K, CW_OP_SUB_K, CW_OP_MUL_K, CW_OP_DIV_K,   /* operand: value */
  CW_OP_ADD_S, CW_OP_SUB_S, CW_OP_MUL_S, CW_OP_DIV_S,   /* operand: slots[arg] */
  CW_OP_ISQRT,       /* isqrt(x) = floor(sqrt(x)) */
  CW_OP_SELECT,      /* select(c, a, b) = c != 0 ? a : b (both evaluated) */
  CW_OP_LT,          /* lt(a, b) = a < b ? 1 : 0 */
  CW_OP_LE,          /* le(a, b) = a <= b ? 1 : 0 */
} CwOpCode;

typedef struct {
  uint32_t op;
  uint32_t arg;
  uint64_t value;
} CwOp;

typedef struct {
  CwOp *ops;
  uint32_t n_ops;
  uint32_t max_depth;
} CwFormula;

/* Looks a name up; returns the slot (>= 0) or -1. `bytes_role` is set to the
 * dtype role index (>= 0) for bytes_* names, which compile to LOAD_BYTES. */
typedef int (*CwFormulaResolve) (const char *name, int *bytes_role, void *user_data);

/* Compiles `text`. On failure sets CW_ERROR_PARSE with the bare reason (the
 * caller prefixes file:line). */
bool cw_formula_compile (CwFormula *formula, const char *text, CwFormulaResolve resolve,
                         void *user_data, CwError *error);
void cw_formula_clear (CwFormula *formula);

/* Evaluates. On failure returns false and sets *why to a static reason
 * ("overflows uint64 in '*'", "division by zero", ...) and *code. */
bool cw_formula_eval (const CwFormula *formula, const uint64_t *slots, const unsigned *role_bits,
                      uint64_t *out, const char **why, CwErrorCode *code);
