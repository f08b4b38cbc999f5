/* cw-preset.h: named model configurations from data/presets/NAME.preset.
 *
 * DeepSeek-V3.2, V4-Flash, V4-Pro (domain.md §1) and the worked examples of the
 * seed notes. Names are case-insensitive; each file may declare aliases
 * (e.g. "v4-flash" for "deepseek-v4-flash"). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-config.h"
#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills *out (starting from cw_config_init_default) from the preset. */
bool cw_preset_lookup (const char *name, CwConfig *out, CwError *error);

/* Layer metadata for the index-cache planner: total layers and which carry an
 * indexer (0-based, ascending; *indexer_layers malloc'd, caller frees). A preset
 * with no layer data gives n_layers 0. */
bool cw_preset_get_layers (const char *name, uint64_t *n_layers,
                           uint64_t **indexer_layers, uint64_t *n_indexer_layers,
                           CwError *error);

/* Top-k sets per token the preset's index cache holds (key index_heads);
 * 1 when the preset does not say (one set shared by all heads). */
bool cw_preset_get_index_heads (const char *name, uint64_t *index_heads, CwError *error);

/* Canonical names, sorted; NULL-terminated, free with cw_strv_free. */
char **cw_preset_list (CwError *error);
/* Malloc'd one-line description, or NULL with error. */
char *cw_preset_dup_description (const char *name, CwError *error);

#ifdef __cplusplus
}
#endif
