/* cw-plan.c: a profile evaluated at one configuration (per-buffer, per-phase, peak). */
#include "cw-plan.h"

#include <stdlib.h>

#include "cw-bytes.h"
#include "cw-profile-private.h"

struct _CwPlan {
  const CwProfile *profile;
  uint64_t peak;
  unsigned peak_phase;
  uint64_t input_bytes;
  uint64_t saved_bytes;
  uint64_t group_peak[2];
  unsigned group_peak_phase[2];
  uint64_t buffer_bytes[CW_PROFILE_MAX_BUFFERS];
  uint64_t phase_bytes[CW_PROFILE_MAX_PHASES];
};

/* Sums live bytes per phase. Phase sums can overflow even when every buffer fits. */
static bool
sum_phases (const CwProfile *profile, const uint64_t *buffer_bytes, uint64_t *phase_bytes,
            uint64_t *peak, unsigned *peak_phase, CwError *error)
{
  *peak = 0;
  *peak_phase = 0;
  for (unsigned ph = 0; ph < profile->n_phases; ph++)
    {
      uint64_t sum = 0;

      for (unsigned i = 0; i < profile->n_buffers; i++)
        if ((profile->buffers[i].live_mask >> ph) & 1)
          if (!cw_add_u64 (sum, buffer_bytes[i], &sum))
            {
              cw_error_set (error, CW_ERROR_OVERFLOW,
                            "profile '%s': live bytes of phase '%s' overflow uint64",
                            profile->name, profile->phase_names[ph]);
              return false;
            }
      if (phase_bytes != NULL)
        phase_bytes[ph] = sum;
      if (sum > *peak || ph == 0)
        {
          *peak = sum;
          *peak_phase = ph;
        }
    }
  return true;
}

bool
cw_plan_eval_peak (const CwProfile *profile, const CwConfig *config, uint64_t *peak, CwError *error)
{
  uint64_t buffer_bytes[CW_PROFILE_MAX_BUFFERS];
  unsigned peak_phase;

  if (!cw_config_validate (config, error))
    return false;
  if (!cw_profile_eval_buffers (profile, config, buffer_bytes, error))
    return false;
  return sum_phases (profile, buffer_bytes, NULL, peak, &peak_phase, error);
}

CwPlan *
cw_plan_new (const CwProfile *profile, const CwConfig *config, CwError *error)
{
  CwPlan *plan;

  if (!cw_config_validate (config, error))
    return NULL;
  plan = calloc (1, sizeof *plan);
  if (plan == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return NULL;
    }
  plan->profile = profile;
  if (!cw_profile_eval_buffers (profile, config, plan->buffer_bytes, error) ||
      !sum_phases (profile, plan->buffer_bytes, plan->phase_bytes, &plan->peak, &plan->peak_phase, error))
    {
      free (plan);
      return NULL;
    }
  for (unsigned i = 0; i < profile->n_buffers; i++)
    if (profile->buffers[i].input && !cw_add_u64 (plan->input_bytes, plan->buffer_bytes[i], &plan->input_bytes))
      {
        cw_error_set (error, CW_ERROR_OVERFLOW, "profile '%s': input bytes overflow uint64", profile->name);
        free (plan);
        return NULL;
      }
  /* Phase sums cannot overflow here: sum_phases checked each one. */
  plan->group_peak_phase[1] = profile->n_phases;
  for (unsigned g = 0; g < 2; g++)
    {
      unsigned first = g ? profile->n_forward_phases : 0;
      unsigned end = g ? profile->n_phases : profile->n_forward_phases;

      for (unsigned ph = first; ph < end; ph++)
        if (ph == first || plan->phase_bytes[ph] > plan->group_peak[g])
          {
            plan->group_peak[g] = plan->phase_bytes[ph];
            plan->group_peak_phase[g] = ph;
          }
    }
  for (unsigned i = 0; i < profile->n_buffers; i++)
    if (cw_plan_get_buffer_is_saved (plan, i) &&
        !cw_add_u64 (plan->saved_bytes, plan->buffer_bytes[i], &plan->saved_bytes))
      {
        cw_error_set (error, CW_ERROR_OVERFLOW, "profile '%s': saved bytes overflow uint64", profile->name);
        free (plan);
        return NULL;
      }
  return plan;
}

void
cw_plan_free (CwPlan *plan)
{
  free (plan);
}

const CwProfile *cw_plan_get_profile (const CwPlan *plan) { return plan->profile; }
uint64_t cw_plan_get_peak_bytes (const CwPlan *plan) { return plan->peak; }
unsigned cw_plan_get_peak_phase (const CwPlan *plan) { return plan->peak_phase; }
uint64_t cw_plan_get_input_bytes (const CwPlan *plan) { return plan->input_bytes; }
unsigned cw_plan_get_n_phases (const CwPlan *plan) { return plan->profile->n_phases; }
unsigned cw_plan_get_n_buffers (const CwPlan *plan) { return plan->profile->n_buffers; }

const char *
cw_plan_get_phase_name (const CwPlan *plan, unsigned phase)
{
  return phase < plan->profile->n_phases ? plan->profile->phase_names[phase] : NULL;
}

uint64_t
cw_plan_get_phase_live_bytes (const CwPlan *plan, unsigned phase)
{
  return phase < plan->profile->n_phases ? plan->phase_bytes[phase] : 0;
}

const char *
cw_plan_get_buffer_name (const CwPlan *plan, unsigned buffer)
{
  return buffer < plan->profile->n_buffers ? plan->profile->buffers[buffer].name : NULL;
}

uint64_t
cw_plan_get_buffer_bytes (const CwPlan *plan, unsigned buffer)
{
  return buffer < plan->profile->n_buffers ? plan->buffer_bytes[buffer] : 0;
}

bool
cw_plan_get_buffer_is_input (const CwPlan *plan, unsigned buffer)
{
  return buffer < plan->profile->n_buffers && plan->profile->buffers[buffer].input;
}

bool
cw_plan_get_buffer_live_in (const CwPlan *plan, unsigned buffer, unsigned phase)
{
  return buffer < plan->profile->n_buffers && phase < plan->profile->n_phases &&
         ((plan->profile->buffers[buffer].live_mask >> phase) & 1);
}

unsigned cw_plan_get_n_forward_phases (const CwPlan *plan) { return plan->profile->n_forward_phases; }
uint64_t cw_plan_get_forward_peak_bytes (const CwPlan *plan) { return plan->group_peak[0]; }
unsigned cw_plan_get_forward_peak_phase (const CwPlan *plan) { return plan->group_peak_phase[0]; }
uint64_t cw_plan_get_backward_peak_bytes (const CwPlan *plan) { return plan->group_peak[1]; }
unsigned cw_plan_get_backward_peak_phase (const CwPlan *plan) { return plan->group_peak_phase[1]; }
uint64_t cw_plan_get_saved_bytes (const CwPlan *plan) { return plan->saved_bytes; }

bool
cw_plan_get_buffer_is_saved (const CwPlan *plan, unsigned buffer)
{
  const CwProfile *p = plan->profile;
  unsigned last = p->n_forward_phases - 1;

  if (buffer >= p->n_buffers || p->n_forward_phases == 0 || p->n_forward_phases >= p->n_phases ||
      p->buffers[buffer].input || plan->buffer_bytes[buffer] == 0)
    return false;
  return ((p->buffers[buffer].live_mask >> last) & 1) && ((p->buffers[buffer].live_mask >> (last + 1)) & 1);
}

bool
cw_plan_get_buffer_is_saved_first_backward_phase_only (const CwPlan *plan, unsigned buffer)
{
  unsigned second = plan->profile->n_forward_phases + 1;

  return cw_plan_get_buffer_is_saved (plan, buffer) && second < plan->profile->n_phases &&
         !((plan->profile->buffers[buffer].live_mask >> second) & 1);
}

/* Cannot overflow: a subset of the saved bytes, whose sum cw_plan_new checked. */
uint64_t
cw_plan_get_saved_first_backward_phase_only_bytes (const CwPlan *plan)
{
  uint64_t bytes = 0;

  for (unsigned i = 0; i < plan->profile->n_buffers; i++)
    if (cw_plan_get_buffer_is_saved_first_backward_phase_only (plan, i))
      bytes += plan->buffer_bytes[i];
  return bytes;
}
