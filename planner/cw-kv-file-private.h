/* cw-kv-file-private.h: the "key value" line files of data/presets and data/gpus.
 *
 * One entry per line: a key, whitespace, the rest of the line as the value.
 * '#' at line start or after whitespace starts a comment. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cw-error.h"

typedef struct {
  char key[32];
  char value[480];
  unsigned line;
} CwKvEntry;

typedef struct {
  char file[256];       /* basename, for messages */
  unsigned n_entries;
  CwKvEntry *entries;
} CwKvFile;

bool cw_kv_file_load (CwKvFile *kv, const char *path, CwError *error);
void cw_kv_file_clear (CwKvFile *kv);
/* First entry with `key`, or NULL. */
const CwKvEntry *cw_kv_file_get (const CwKvFile *kv, const char *key);
/* Strict decimal uint64 value of entry; error "FILE:LINE: ..." on failure. */
bool cw_kv_entry_u64 (const CwKvFile *kv, const CwKvEntry *entry, uint64_t *out, CwError *error);
/* True when `name` equals the file's `name` or one of its `alias` entries
 * (comma/space separated), case-insensitively. */
bool cw_kv_file_matches (const CwKvFile *kv, const char *name);

/* Lists basenames (without `suffix`) in <data>/<sub>, sorted (cw-profile.c). */
char **cw_data_list_dir (const char *sub, const char *suffix, CwError *error);
/* Finds the file in <data>/<sub>/NAME<suffix> whose name or alias matches; loads it. */
bool cw_kv_file_find (CwKvFile *kv, const char *sub, const char *suffix, const char *what,
                      const char *name, CwError *error);
