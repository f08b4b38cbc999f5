/* cw-engine.h: engine configurations a user picks, data/engines/NAME.engine.
 *
 * An engine file names one residency profile and the values the engine runs
 * it with: the profile's params (vLLM's max_model_len, SGLang's
 * mem_fraction_static...) and the dtypes of the tensors as the engine holds
 * them (fp8-e4m3 for vLLM's indexer cache). Optionally a model preset used
 * when the user gives none. Key/value lines (the presets' format):
 *
 *   name NAME               required, once ([A-Za-z0-9._-])
 *   alias NAME[, NAME]      other names it answers to
 *   description TEXT        once
 *   source TEXT             repeatable (joined with "; "); every shipped file cites one
 *   profile PROFILE         required, once: a profile in data/profiles
 *   preset PRESET           optional, once: the model when --preset is not given
 *   param NAME = VALUE      a param of that profile (each name once)
 *   q_dtype T ... index_dtype T   once each
 *
 * Loading checks everything against the data directory: the profile exists
 * and has every param, the preset exists. Errors are "FILE:LINE: reason".
 * Precedence in the front ends (app/cli/cw-cli-config.c): the preset (--preset,
 * else the engine's), then the engine's dtypes, then explicit options; the
 * profile's defaults, then the engine's params, then --param. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-error.h"
#include "cw-profile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _CwEngine CwEngine;

/* Finds the file in <data>/engines whose name or alias matches (case-
 * insensitively). Two files answering to the same name are an error. */
CwEngine *cw_engine_load (const char *name, CwError *error);
/* One file; non-regular files (FIFOs, directories) are refused. */
CwEngine *cw_engine_load_file (const char *path, CwError *error);
void cw_engine_free (CwEngine *engine);

/* Canonical file names, sorted; free with cw_strv_free. */
char **cw_engine_list_names (CwError *error);

const char *cw_engine_get_name (const CwEngine *engine);
const char *cw_engine_get_description (const CwEngine *engine);
const char *cw_engine_get_source (const CwEngine *engine);      /* "; " separated */
const char *cw_engine_get_profile (const CwEngine *engine);     /* the profile's name */
const char *cw_engine_get_preset (const CwEngine *engine);      /* NULL when none */

unsigned cw_engine_get_n_params (const CwEngine *engine);
const char *cw_engine_get_param_name (const CwEngine *engine, unsigned i);
uint64_t cw_engine_get_param_value (const CwEngine *engine, unsigned i);

/* Sets the dtypes the file names (and only those) in *config. */
void cw_engine_apply_dtypes (const CwEngine *engine, CwConfig *config);
/* Sets the file's params on `profile` (which must be the engine's profile). */
bool cw_engine_apply_params (const CwEngine *engine, CwProfile *profile, CwError *error);
/* Loads the engine's profile with the engine's params applied. */
CwProfile *cw_engine_load_profile (const CwEngine *engine, CwError *error);

#ifdef __cplusplus
}
#endif
