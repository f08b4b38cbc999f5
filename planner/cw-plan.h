/* cw-plan.h: a profile evaluated at one configuration: bytes of every buffer,
 * live bytes of every phase, and the peak.
 *
 * Each buffer's bytes are rounded up to config->granularity, as an allocator
 * with that granularity would. The peak is the largest phase sum; the peak
 * phase is the first phase reaching it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-error.h"
#include "cw-profile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwPlan CwPlan;

/* Validates the config; CW_ERROR_OVERFLOW names the buffer whose size overflowed.
 * The plan borrows `profile`: keep the profile alive until cw_plan_free. */
CwPlan *cw_plan_new (const CwProfile *profile, const CwConfig *config, CwError *error);
void cw_plan_free (CwPlan *plan);

const CwProfile *cw_plan_get_profile (const CwPlan *plan);
uint64_t cw_plan_get_peak_bytes (const CwPlan *plan);
unsigned cw_plan_get_peak_phase (const CwPlan *plan);
/* Sum of the buffers marked `input` (q, k, w...): StreamIndex reports peaks minus these. */
uint64_t cw_plan_get_input_bytes (const CwPlan *plan);

unsigned cw_plan_get_n_phases (const CwPlan *plan);
const char *cw_plan_get_phase_name (const CwPlan *plan, unsigned phase);
uint64_t cw_plan_get_phase_live_bytes (const CwPlan *plan, unsigned phase);

unsigned cw_plan_get_n_buffers (const CwPlan *plan);
const char *cw_plan_get_buffer_name (const CwPlan *plan, unsigned buffer);
uint64_t cw_plan_get_buffer_bytes (const CwPlan *plan, unsigned buffer);
bool cw_plan_get_buffer_is_input (const CwPlan *plan, unsigned buffer);
bool cw_plan_get_buffer_live_in (const CwPlan *plan, unsigned buffer, unsigned phase);

/* A training step (cw_profile_is_training): the forward is phases [0,
 * n_forward), the backward [n_forward, n_phases). Each group's peak is its
 * largest phase (the first one on a tie), as for the whole plan; a profile
 * that is not a training step has a forward only (backward peak 0, phase
 * n_phases). The plan's peak is the larger of the two. */
unsigned cw_plan_get_n_forward_phases (const CwPlan *plan);
uint64_t cw_plan_get_forward_peak_bytes (const CwPlan *plan);
unsigned cw_plan_get_forward_peak_phase (const CwPlan *plan);
uint64_t cw_plan_get_backward_peak_bytes (const CwPlan *plan);
unsigned cw_plan_get_backward_peak_phase (const CwPlan *plan);
/* Saved for the backward: a buffer of more than 0 bytes at this
 * configuration that is not an input and is live both in the forward's last
 * phase and in the backward's first (what autograd or the kernel keeps across
 * the boundary). False when the plan has no backward. */
bool cw_plan_get_buffer_is_saved (const CwPlan *plan, unsigned buffer);
/* Sum of the saved buffers' bytes. */
uint64_t cw_plan_get_saved_bytes (const CwPlan *plan);
/* A saved buffer that is not live in the backward's second phase: it crosses
 * into the backward's first phase only (our lanes' scores, which the loss,
 * the first phase of their backward, reads and frees before the backward
 * kernels run). False when the backward has one phase. The other saved
 * buffers go on past that phase. */
bool cw_plan_get_buffer_is_saved_first_backward_phase_only (const CwPlan *plan, unsigned buffer);
/* Sum of those buffers' bytes (at most cw_plan_get_saved_bytes). */
uint64_t cw_plan_get_saved_first_backward_phase_only_bytes (const CwPlan *plan);

/* The sweep path: peak only, no allocation. Validates the config too. */
bool cw_plan_eval_peak (const CwProfile *profile, const CwConfig *config,
                        uint64_t *peak, CwError *error);

#ifdef __cplusplus
}
#endif
