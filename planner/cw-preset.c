/* cw-preset.c: model presets from data/presets/NAME.preset (key value lines). */
#include "cw-preset.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-data.h"
#include "cw-kv-file-private.h"

static bool
parse_layer_list (const CwKvFile *kv, const CwKvEntry *e, uint64_t **out, uint64_t *n_out, CwError *error);

static bool
apply_entry (const CwKvFile *kv, const CwKvEntry *e, CwConfig *c, CwError *error)
{
  static const char *const text_keys[] = { "name", "alias", "description", "source", "layers", "indexer_layers",
                                           "index_heads" };
  const struct { const char *key; uint64_t *field; } nums[] = {
    { "b", &c->b }, { "h", &c->h }, { "d", &c->d }, { "sq", &c->sq }, { "sk", &c->sk },
    { "ratio", &c->ratio }, { "top_k", &c->top_k }, { "budget", &c->chunk_budget_bytes },
    { "granularity", &c->granularity },
  };
  const struct { const char *key; CwDtype *field; } dts[] = {
    { "q_dtype", &c->q_dtype }, { "k_dtype", &c->k_dtype }, { "w_dtype", &c->w_dtype },
    { "score_dtype", &c->score_dtype }, { "index_dtype", &c->index_dtype },
  };
  CwError e2 = CW_ERROR_INIT;

  for (size_t i = 0; i < sizeof text_keys / sizeof text_keys[0]; i++)
    if (strcmp (e->key, text_keys[i]) == 0)
      return true;
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
    if (strcmp (e->key, nums[i].key) == 0)
      return cw_kv_entry_u64 (kv, e, nums[i].field, error);
  for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++)
    if (strcmp (e->key, dts[i].key) == 0)
      {
        if (!cw_dtype_from_name (e->value, dts[i].field, &e2))
          {
            cw_error_set (error, CW_ERROR_PARSE, "%s:%u: %s", kv->file, e->line, e2.message);
            return false;
          }
        return true;
      }
  if (strcmp (e->key, "causal") == 0)
    {
      if (!cw_causal_from_name (e->value, &c->causal, &e2))
        {
          cw_error_set (error, CW_ERROR_PARSE, "%s:%u: %s", kv->file, e->line, e2.message);
          return false;
        }
      return true;
    }
  cw_error_set (error, CW_ERROR_PARSE, "%s:%u: unknown preset key '%s'", kv->file, e->line, e->key);
  return false;
}

bool
cw_preset_lookup (const char *name, CwConfig *out, CwError *error)
{
  CwKvFile kv;
  CwConfig c;
  CwError e = CW_ERROR_INIT;

  if (!cw_kv_file_find (&kv, "presets", ".preset", "preset", name, error))
    return false;
  cw_config_init_default (&c);
  for (unsigned i = 0; i < kv.n_entries; i++)
    if (!apply_entry (&kv, &kv.entries[i], &c, error))
      {
        cw_kv_file_clear (&kv);
        return false;
      }
  /* A ratio without an explicit sk means sk follows sq. */
  if (c.ratio != 0 && cw_kv_file_get (&kv, "sk") == NULL)
    c.sk = 0;
  if (!cw_config_validate (&c, &e))
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s: preset is not a valid configuration: %s", kv.file, e.message);
      cw_kv_file_clear (&kv);
      return false;
    }
  cw_kv_file_clear (&kv);
  *out = c;
  return true;
}

/* "0..42", "2..60/2", "1,3,5", or a mix: "0,2..10/2". */
static bool
parse_layer_list (const CwKvFile *kv, const CwKvEntry *e, uint64_t **out, uint64_t *n_out, CwError *error)
{
  char buf[sizeof e->value];
  char *save = NULL;
  uint64_t *v = NULL;
  uint64_t n = 0, cap = 0;

  snprintf (buf, sizeof buf, "%s", e->value);
  for (char *t = strtok_r (buf, ", \t", &save); t; t = strtok_r (NULL, ", \t", &save))
    {
      unsigned long long a, b, step = 1;
      int used = 0;

      if (sscanf (t, "%llu..%llu/%llu%n", &a, &b, &step, &used) == 3 && t[used] == '\0')
        ;
      else if (sscanf (t, "%llu..%llu%n", &a, &b, &used) == 2 && t[used] == '\0')
        step = 1;
      else if (sscanf (t, "%llu%n", &a, &used) == 1 && t[used] == '\0' && isdigit ((unsigned char) t[0]))
        b = a;
      else
        goto bad;
      if (step == 0 || b < a || b - a > 1u << 20)
        goto bad;
      for (unsigned long long x = a; x <= b; x += step)
        {
          if (n == cap)
            {
              uint64_t *nv;
              cap = cap ? cap * 2 : 64;
              nv = realloc (v, cap * sizeof *v);
              if (nv == NULL)
                goto bad;
              v = nv;
            }
          if (n > 0 && x <= v[n - 1])
            goto bad;
          v[n++] = x;
        }
    }
  *out = v;
  *n_out = n;
  return true;
bad:
  free (v);
  cw_error_set (error, CW_ERROR_PARSE, "%s:%u: bad layer list '%s' (ascending A, A..B or A..B/STEP, comma separated)",
                kv->file, e->line, e->value);
  return false;
}

bool
cw_preset_get_layers (const char *name, uint64_t *n_layers, uint64_t **indexer_layers,
                      uint64_t *n_indexer_layers, CwError *error)
{
  CwKvFile kv;
  const CwKvEntry *e;

  *n_layers = 0;
  *indexer_layers = NULL;
  *n_indexer_layers = 0;
  if (!cw_kv_file_find (&kv, "presets", ".preset", "preset", name, error))
    return false;
  e = cw_kv_file_get (&kv, "layers");
  if (e != NULL && !cw_kv_entry_u64 (&kv, e, n_layers, error))
    goto fail;
  e = cw_kv_file_get (&kv, "indexer_layers");
  if (e != NULL)
    {
      if (!parse_layer_list (&kv, e, indexer_layers, n_indexer_layers, error))
        goto fail;
      if (*n_indexer_layers > 0 && (*indexer_layers)[*n_indexer_layers - 1] >= *n_layers)
        {
          cw_error_set (error, CW_ERROR_PARSE, "%s:%u: indexer layer beyond 'layers'", kv.file, e->line);
          free (*indexer_layers);
          *indexer_layers = NULL;
          *n_indexer_layers = 0;
          goto fail;
        }
    }
  cw_kv_file_clear (&kv);
  return true;
fail:
  cw_kv_file_clear (&kv);
  return false;
}

bool
cw_preset_get_index_heads (const char *name, uint64_t *index_heads, CwError *error)
{
  CwKvFile kv;
  const CwKvEntry *e;
  bool ok = true;

  *index_heads = 1;
  if (!cw_kv_file_find (&kv, "presets", ".preset", "preset", name, error))
    return false;
  e = cw_kv_file_get (&kv, "index_heads");
  if (e != NULL)
    ok = cw_kv_entry_u64 (&kv, e, index_heads, error);
  if (ok && *index_heads == 0)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: index_heads must be at least 1", kv.file, e->line);
      ok = false;
    }
  cw_kv_file_clear (&kv);
  return ok;
}

char **
cw_preset_list (CwError *error)
{
  return cw_data_list_dir ("presets", ".preset", error);
}

char *
cw_preset_dup_description (const char *name, CwError *error)
{
  CwKvFile kv;
  const CwKvEntry *e;
  char *r;

  if (!cw_kv_file_find (&kv, "presets", ".preset", "preset", name, error))
    return NULL;
  e = cw_kv_file_get (&kv, "description");
  r = strdup (e ? e->value : "");
  cw_kv_file_clear (&kv);
  return r;
}
