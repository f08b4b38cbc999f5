/* cw-profile.h: a residency profile, loaded from data/profiles/NAME.profile.
 *
 * A profile names the buffers one code path allocates (size formulas over the
 * configuration) and the phases each is live in. The text is compiled once at
 * load time into small bytecode programs; planning only evaluates them. The
 * file format is documented in data/profiles/README.md. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwProfile CwProfile;

/* Parse errors are CW_ERROR_PARSE with "FILE:LINE: reason". */
CwProfile *cw_profile_load_file (const char *path, CwError *error);
/* Parses text held in memory; `filename` is only used in messages. */
CwProfile *cw_profile_load_data (const char *filename, const char *text, CwError *error);
/* Looks for <cw_data_dir()>/profiles/<name>.profile (name case-insensitive). */
CwProfile *cw_profile_load (const char *name, CwError *error);
void cw_profile_free (CwProfile *profile);

/* Names of the profiles in the data dir, sorted; free with cw_strv_free. */
char **cw_profile_list_names (CwError *error);

const char *cw_profile_get_name (const CwProfile *profile);
const char *cw_profile_get_description (const CwProfile *profile);
const char *cw_profile_get_source (const CwProfile *profile);   /* may be multi-item, '; ' separated */
const char *cw_profile_get_path (const CwProfile *profile);
/* 'scope lane': the profile models one measurement lane of this repository
 * that is not a way to compute the indexer (the index mask, the index-cache
 * stages). It plans when named and predicts its lane's receipts; commands
 * that compare every profile when none is named leave it out. */
bool cw_profile_is_lane_step (const CwProfile *profile);

/* A training step: the profile declares backward phases ('backward'
 * directive) after its forward phases. Buffers live in both the last forward
 * phase and the first backward phase are what the forward saves for the
 * backward (cw_plan_get_buffer_is_saved). */
bool cw_profile_is_training (const CwProfile *profile);
/* Phases of the forward: all of them when the profile is not a training step. */
unsigned cw_profile_get_n_forward_phases (const CwProfile *profile);

/* Tunable params (e.g. vLLM's max_logits_mb). */
unsigned cw_profile_get_n_params (const CwProfile *profile);
const char *cw_profile_get_param_name (const CwProfile *profile, unsigned i);
uint64_t cw_profile_get_param_value (const CwProfile *profile, unsigned i);
/* Overrides a param's value for later plans; unknown name: CW_ERROR_NOT_FOUND. */
bool cw_profile_set_param (CwProfile *profile, const char *name, uint64_t value, CwError *error);

#ifdef __cplusplus
}
#endif
