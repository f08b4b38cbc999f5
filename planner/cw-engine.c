/* cw-engine.c: engine configurations from data/engines/NAME.engine (key value lines). */
#include "cw-engine.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-data.h"
#include "cw-kv-file-private.h"
#include "cw-preset.h"

#define MAX_PARAMS 32
#define N_ROLES 5

static const char *const dtype_keys[N_ROLES] = { "q_dtype", "k_dtype", "w_dtype", "score_dtype", "index_dtype" };

struct _CwEngine {
  char name[128];
  char description[480];
  char source[2048];
  char profile[128];
  char preset[128];          /* "" when none */
  unsigned n_params;
  char param_names[MAX_PARAMS][64];
  uint64_t param_values[MAX_PARAMS];
  bool dtype_set[N_ROLES];
  CwDtype dtypes[N_ROLES];
};

static bool
valid_word (const char *s, size_t max)
{
  size_t n = strlen (s);

  if (n == 0 || n >= max)
    return false;
  for (; *s; s++)
    if (!isalnum ((unsigned char) *s) && *s != '_' && *s != '-' && *s != '.')
      return false;
  return true;
}

/* "NAME = VALUE" (spaces around '=' optional). */
static bool
parse_param (const CwKvFile *kv, const CwKvEntry *e, CwEngine *eng, CwError *error)
{
  const char *eq = strchr (e->value, '=');
  CwKvEntry num;
  char name[64];
  size_t n;
  const char *v;

  if (eq == NULL)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: param must be 'NAME = VALUE', got '%s'", kv->file, e->line, e->value);
      return false;
    }
  n = (size_t) (eq - e->value);
  while (n > 0 && (e->value[n - 1] == ' ' || e->value[n - 1] == '\t'))
    n--;
  if (n == 0 || n >= sizeof name)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: param must be 'NAME = VALUE', got '%s'", kv->file, e->line, e->value);
      return false;
    }
  memcpy (name, e->value, n);
  name[n] = '\0';
  for (const char *p = name; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_')
      {
        cw_error_set (error, CW_ERROR_PARSE, "%s:%u: '%s' is not a param name", kv->file, e->line, name);
        return false;
      }
  for (unsigned i = 0; i < eng->n_params; i++)
    if (strcmp (eng->param_names[i], name) == 0)
      {
        cw_error_set (error, CW_ERROR_PARSE, "%s:%u: param '%s' set twice", kv->file, e->line, name);
        return false;
      }
  if (eng->n_params == MAX_PARAMS)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: more than %d params", kv->file, e->line, MAX_PARAMS);
      return false;
    }
  for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
    ;
  memset (&num, 0, sizeof num);
  snprintf (num.key, sizeof num.key, "%.*s", (int) (sizeof num.key - 1), name);
  snprintf (num.value, sizeof num.value, "%s", v);
  num.line = e->line;
  if (!cw_kv_entry_u64 (kv, &num, &eng->param_values[eng->n_params], error))
    return false;
  snprintf (eng->param_names[eng->n_params], sizeof eng->param_names[0], "%s", name);
  eng->n_params++;
  return true;
}

static bool
set_once (const CwKvFile *kv, const CwKvEntry *e, char *field, size_t size, bool word, CwError *error)
{
  if (field[0] != '\0')
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: '%s' given twice", kv->file, e->line, e->key);
      return false;
    }
  if (word ? !valid_word (e->value, size) : strlen (e->value) >= size)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: '%s' is not a valid %s", kv->file, e->line, e->value, e->key);
      return false;
    }
  snprintf (field, size, "%s", e->value);
  return true;
}

static bool
apply_entry (const CwKvFile *kv, const CwKvEntry *e, CwEngine *eng, CwError *error)
{
  CwError e2 = CW_ERROR_INIT;

  if (strcmp (e->key, "name") == 0)
    return set_once (kv, e, eng->name, sizeof eng->name, true, error);
  if (strcmp (e->key, "alias") == 0)
    return true;
  if (strcmp (e->key, "description") == 0)
    return set_once (kv, e, eng->description, sizeof eng->description, false, error);
  if (strcmp (e->key, "profile") == 0)
    return set_once (kv, e, eng->profile, sizeof eng->profile, true, error);
  if (strcmp (e->key, "preset") == 0)
    return set_once (kv, e, eng->preset, sizeof eng->preset, true, error);
  if (strcmp (e->key, "source") == 0)
    {
      size_t len = strlen (eng->source);

      if (len + strlen (e->value) + 3 > sizeof eng->source)
        {
          cw_error_set (error, CW_ERROR_PARSE, "%s:%u: sources too long", kv->file, e->line);
          return false;
        }
      snprintf (eng->source + len, sizeof eng->source - len, "%s%s", len ? "; " : "", e->value);
      return true;
    }
  if (strcmp (e->key, "param") == 0)
    return parse_param (kv, e, eng, error);
  for (unsigned i = 0; i < N_ROLES; i++)
    if (strcmp (e->key, dtype_keys[i]) == 0)
      {
        if (eng->dtype_set[i])
          {
            cw_error_set (error, CW_ERROR_PARSE, "%s:%u: '%s' given twice", kv->file, e->line, e->key);
            return false;
          }
        if (!cw_dtype_from_name (e->value, &eng->dtypes[i], &e2))
          {
            cw_error_set (error, CW_ERROR_PARSE, "%s:%u: %s", kv->file, e->line, e2.message);
            return false;
          }
        eng->dtype_set[i] = true;
        return true;
      }
  cw_error_set (error, CW_ERROR_PARSE, "%s:%u: unknown engine key '%s'", kv->file, e->line, e->key);
  return false;
}

static unsigned
line_of (const CwKvFile *kv, const char *key, const char *value_prefix)
{
  for (unsigned i = 0; i < kv->n_entries; i++)
    if (strcmp (kv->entries[i].key, key) == 0 &&
        (value_prefix == NULL || strncmp (kv->entries[i].value, value_prefix, strlen (value_prefix)) == 0))
      return kv->entries[i].line;
  return kv->n_entries ? kv->entries[kv->n_entries - 1].line + 1 : 1;
}

/* Checks the engine against the data directory: its profile, its params, its preset. */
static bool
check_references (const CwKvFile *kv, const CwEngine *eng, CwError *error)
{
  CwError e2 = CW_ERROR_INIT;
  CwProfile *profile = cw_profile_load (eng->profile, &e2);
  CwConfig c;

  if (profile == NULL)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: %s", kv->file, line_of (kv, "profile", NULL), e2.message);
      return false;
    }
  for (unsigned i = 0; i < eng->n_params; i++)
    if (!cw_profile_set_param (profile, eng->param_names[i], eng->param_values[i], NULL))
      {
        cw_error_set (error, CW_ERROR_PARSE, "%s:%u: profile '%s' has no param '%s'", kv->file,
                      line_of (kv, "param", eng->param_names[i]), eng->profile, eng->param_names[i]);
        cw_profile_free (profile);
        return false;
      }
  cw_profile_free (profile);
  if (eng->preset[0] != '\0' && !cw_preset_lookup (eng->preset, &c, &e2))
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: %s", kv->file, line_of (kv, "preset", NULL), e2.message);
      return false;
    }
  return true;
}

static CwEngine *
engine_from_kv (const CwKvFile *kv, CwError *error)
{
  CwEngine *eng = calloc (1, sizeof *eng);

  if (eng == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return NULL;
    }
  for (unsigned i = 0; i < kv->n_entries; i++)
    if (!apply_entry (kv, &kv->entries[i], eng, error))
      goto fail;
  if (eng->name[0] == '\0' || eng->profile[0] == '\0')
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: engine has no '%s'", kv->file, line_of (kv, "", NULL),
                    eng->name[0] == '\0' ? "name" : "profile");
      goto fail;
    }
  if (!check_references (kv, eng, error))
    goto fail;
  return eng;
fail:
  free (eng);
  return NULL;
}

CwEngine *
cw_engine_load_file (const char *path, CwError *error)
{
  CwKvFile kv;
  CwEngine *eng;

  if (!cw_kv_file_load (&kv, path, error))
    return NULL;
  eng = engine_from_kv (&kv, error);
  cw_kv_file_clear (&kv);
  return eng;
}

CwEngine *
cw_engine_load (const char *name, CwError *error)
{
  char **names = cw_engine_list_names (error);
  char known[320] = "", found_file[256] = "";
  size_t len = 0;
  CwKvFile kv, found = { 0 };
  bool have = false;
  CwEngine *eng;

  if (names == NULL)
    return NULL;
  for (char **q = names; *q; q++)
    {
      char path[4096];

      snprintf (path, sizeof path, "%s/engines/%s.engine", cw_data_dir (), *q);
      if (!cw_kv_file_load (&kv, path, error))
        goto fail;
      if (name != NULL && cw_kv_file_matches (&kv, name))
        {
          if (have)
            {
              cw_error_set (error, CW_ERROR_PARSE, "engine '%s' is declared by both %s and %s", name, found_file,
                            kv.file);
              cw_kv_file_clear (&kv);
              goto fail;
            }
          have = true;
          found = kv;
          snprintf (found_file, sizeof found_file, "%s", kv.file);
          continue;
        }
      cw_kv_file_clear (&kv);
      if (len < sizeof known - 70)
        len += (size_t) snprintf (known + len, sizeof known - len, "%s%s", len ? ", " : "", *q);
    }
  cw_strv_free (names);
  if (!have)
    {
      cw_error_set (error, CW_ERROR_NOT_FOUND, "unknown engine '%s' (known: %s)", name ? name : "",
                    len ? known : "none found");
      return NULL;
    }
  eng = engine_from_kv (&found, error);
  cw_kv_file_clear (&found);
  return eng;
fail:
  if (have)
    cw_kv_file_clear (&found);
  cw_strv_free (names);
  return NULL;
}

void
cw_engine_free (CwEngine *engine)
{
  free (engine);
}

char **
cw_engine_list_names (CwError *error)
{
  return cw_data_list_dir ("engines", ".engine", error);
}

const char *cw_engine_get_name (const CwEngine *e) { return e->name; }
const char *cw_engine_get_description (const CwEngine *e) { return e->description; }
const char *cw_engine_get_source (const CwEngine *e) { return e->source; }
const char *cw_engine_get_profile (const CwEngine *e) { return e->profile; }
const char *cw_engine_get_preset (const CwEngine *e) { return e->preset[0] ? e->preset : NULL; }
unsigned cw_engine_get_n_params (const CwEngine *e) { return e->n_params; }

const char *
cw_engine_get_param_name (const CwEngine *e, unsigned i)
{
  return i < e->n_params ? e->param_names[i] : NULL;
}

uint64_t
cw_engine_get_param_value (const CwEngine *e, unsigned i)
{
  return i < e->n_params ? e->param_values[i] : 0;
}

void
cw_engine_apply_dtypes (const CwEngine *e, CwConfig *c)
{
  CwDtype *fields[N_ROLES] = { &c->q_dtype, &c->k_dtype, &c->w_dtype, &c->score_dtype, &c->index_dtype };

  for (unsigned i = 0; i < N_ROLES; i++)
    if (e->dtype_set[i])
      *fields[i] = e->dtypes[i];
}

bool
cw_engine_apply_params (const CwEngine *e, CwProfile *profile, CwError *error)
{
  for (unsigned i = 0; i < e->n_params; i++)
    if (!cw_profile_set_param (profile, e->param_names[i], e->param_values[i], error))
      {
        cw_error_prefix (error, "engine '%s': ", e->name);
        return false;
      }
  return true;
}

CwProfile *
cw_engine_load_profile (const CwEngine *e, CwError *error)
{
  CwProfile *p = cw_profile_load (e->profile, error);

  if (p != NULL && !cw_engine_apply_params (e, p, error))
    {
      cw_profile_free (p);
      return NULL;
    }
  return p;
}
