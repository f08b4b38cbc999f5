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

/* The sweep path: peak only, no allocation. Validates the config too. */
bool cw_plan_eval_peak (const CwProfile *profile, const CwConfig *config,
                        uint64_t *peak, CwError *error);

#ifdef __cplusplus
}
#endif
