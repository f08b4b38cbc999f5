/* cw-profile-private.h (private): the compiled form of a profile, shared by
 * cw-profile.c (parser) and cw-plan.c (evaluation). */
#pragma once

#include "cw-config.h"
#include "cw-formula-private.h"
#include "cw-profile.h"

#define CW_PROFILE_MAX_PHASES 64
#define CW_PROFILE_MAX_BUFFERS 128
#define CW_PROFILE_MAX_PARAMS 32
#define CW_PROFILE_MAX_LETS 64

/* Built-in variable slots; params follow, then lets. */
enum {
  CW_SLOT_B, CW_SLOT_H, CW_SLOT_D, CW_SLOT_SQ, CW_SLOT_SK, CW_SLOT_M, CW_SLOT_K,
  CW_SLOT_CAUSAL, CW_SLOT_BUDGET, CW_SLOT_GRANULARITY,
  CW_SLOT_BITS_Q, CW_SLOT_BITS_K, CW_SLOT_BITS_W, CW_SLOT_BITS_SCORE, CW_SLOT_BITS_INDEX,
  CW_SLOT_KIB, CW_SLOT_MIB, CW_SLOT_GIB,
  CW_SLOT_PREFIX,
  CW_N_BUILTIN_SLOTS,
};
#define CW_PROFILE_MAX_SLOTS (CW_N_BUILTIN_SLOTS + CW_PROFILE_MAX_PARAMS + CW_PROFILE_MAX_LETS)

typedef struct {
  char *name;
  CwFormula formula;
  unsigned line;
} CwProfileLet;

typedef struct {
  char *name;
  CwFormula formula;
  uint64_t live_mask;        /* bit p: live in phase p */
  bool input;
  unsigned line;
} CwProfileBuffer;

struct _CwProfile {
  char *name;
  char *description;
  char *source;
  char *path;
  char *file_label;          /* basename, for messages */
  bool lane_step;            /* 'scope lane': see cw_profile_is_lane_step */
  bool scope_set;
  unsigned n_params;
  char *param_names[CW_PROFILE_MAX_PARAMS];
  uint64_t param_values[CW_PROFILE_MAX_PARAMS];
  unsigned n_lets;
  CwProfileLet lets[CW_PROFILE_MAX_LETS];
  unsigned n_phases;
  char *phase_names[CW_PROFILE_MAX_PHASES];
  /* Phases [0, n_forward_phases) are the forward, the rest (declared with
   * 'backward') the backward of a training step; n_phases when none. */
  unsigned n_forward_phases;
  unsigned n_buffers;
  CwProfileBuffer buffers[CW_PROFILE_MAX_BUFFERS];
};

/* Sizes of every buffer at `config` (already validated), each rounded up to
 * config->granularity. out has profile->n_buffers entries. No allocation. */
bool cw_profile_eval_buffers (const CwProfile *profile, const CwConfig *config,
                              uint64_t *out, CwError *error);
