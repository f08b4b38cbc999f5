/* cw-kv-file.c: reader for the key/value data files (presets, GPUs). */
#include "cw-kv-file-private.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cw-bytes.h"
#include "cw-data.h"

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

bool
cw_kv_file_load (CwKvFile *kv, const char *path, CwError *error)
{
  FILE *f = cw_data_open_regular (path);
  char line[1024];
  unsigned lineno = 0, cap = 0;

  memset (kv, 0, sizeof *kv);
  snprintf (kv->file, sizeof kv->file, "%s", base_name (path));
  if (f == NULL)
    {
      cw_error_set (error, errno == ENOENT ? CW_ERROR_NOT_FOUND : CW_ERROR_IO,
                    "cannot open '%s': %s", path, errno == EINVAL ? "not a regular file" : strerror (errno));
      return false;
    }
  while (fgets (line, sizeof line, f) != NULL)
    {
      char *p = line, *k, *v;
      size_t n;

      lineno++;
      if (strchr (line, '\n') == NULL && !feof (f))
        {
          cw_error_set (error, CW_ERROR_PARSE, "%s:%u: line too long", kv->file, lineno);
          goto fail;
        }
      for (char *q = line; *q; q++)
        if (*q == '#' && (q == line || q[-1] == ' ' || q[-1] == '\t'))
          {
            *q = '\0';
            break;
          }
      for (n = strlen (line); n > 0 && isspace ((unsigned char) line[n - 1]); n--)
        line[n - 1] = '\0';
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        continue;
      k = p;
      while (*p && *p != ' ' && *p != '\t')
        p++;
      if (*p)
        *p++ = '\0';
      while (*p == ' ' || *p == '\t')
        p++;
      v = p;
      if (*v == '\0')
        {
          cw_error_set (error, CW_ERROR_PARSE, "%s:%u: '%s' needs a value", kv->file, lineno, k);
          goto fail;
        }
      if (strlen (k) >= sizeof kv->entries[0].key || strlen (v) >= sizeof kv->entries[0].value)
        {
          cw_error_set (error, CW_ERROR_PARSE, "%s:%u: key or value too long", kv->file, lineno);
          goto fail;
        }
      if (kv->n_entries == cap)
        {
          CwKvEntry *ne;
          cap = cap ? cap * 2 : 32;
          ne = realloc (kv->entries, cap * sizeof *ne);
          if (ne == NULL)
            {
              cw_error_set (error, CW_ERROR_OOM, "out of memory");
              goto fail;
            }
          kv->entries = ne;
        }
      snprintf (kv->entries[kv->n_entries].key, sizeof kv->entries[0].key, "%s", k);
      snprintf (kv->entries[kv->n_entries].value, sizeof kv->entries[0].value, "%s", v);
      kv->entries[kv->n_entries].line = lineno;
      kv->n_entries++;
    }
  fclose (f);
  return true;

fail:
  fclose (f);
  cw_kv_file_clear (kv);
  return false;
}

void
cw_kv_file_clear (CwKvFile *kv)
{
  free (kv->entries);
  kv->entries = NULL;
  kv->n_entries = 0;
}

const CwKvEntry *
cw_kv_file_get (const CwKvFile *kv, const char *key)
{
  for (unsigned i = 0; i < kv->n_entries; i++)
    if (strcmp (kv->entries[i].key, key) == 0)
      return &kv->entries[i];
  return NULL;
}

bool
cw_kv_entry_u64 (const CwKvFile *kv, const CwKvEntry *entry, uint64_t *out, CwError *error)
{
  uint64_t v = 0;
  const char *p = entry->value;

  if (!isdigit ((unsigned char) *p))
    goto bad;
  for (; *p; p++)
    {
      if (*p == '_')
        continue;   /* digit grouping, e.g. 85_520_809_984 */
      if (!isdigit ((unsigned char) *p) || !cw_mul_u64 (v, 10, &v) ||
          !cw_add_u64 (v, (uint64_t) (*p - '0'), &v))
        goto bad;
    }
  *out = v;
  return true;
bad:
  cw_error_set (error, CW_ERROR_PARSE, "%s:%u: '%s' must be a non-negative integer, got '%s'",
                kv->file, entry->line, entry->key, entry->value);
  return false;
}

bool
cw_kv_file_matches (const CwKvFile *kv, const char *name)
{
  for (unsigned i = 0; i < kv->n_entries; i++)
    {
      const CwKvEntry *e = &kv->entries[i];
      char buf[sizeof e->value];
      char *save = NULL;

      if (strcmp (e->key, "name") != 0 && strcmp (e->key, "alias") != 0)
        continue;
      snprintf (buf, sizeof buf, "%s", e->value);
      for (char *t = strtok_r (buf, ", \t", &save); t; t = strtok_r (NULL, ", \t", &save))
        if (strcasecmp (t, name) == 0)
          return true;
    }
  return false;
}

bool
cw_kv_file_find (CwKvFile *kv, const char *sub, const char *suffix, const char *what,
                 const char *name, CwError *error)
{
  char **names = cw_data_list_dir (sub, suffix, error);
  char known[320] = "";
  size_t len = 0;
  bool found = false;

  if (names == NULL)
    return false;
  for (char **q = names; *q; q++)
    {
      char path[4096];
      CwKvFile other = { 0 };
      CwKvFile *into = found ? &other : kv;

      snprintf (path, sizeof path, "%s/%s/%s%s", cw_data_dir (), sub, *q, suffix);
      if (!cw_kv_file_load (into, path, error))
        {
          if (found)
            cw_kv_file_clear (kv);
          cw_strv_free (names);
          return false;
        }
      if (name != NULL && cw_kv_file_matches (into, name))
        {
          if (found)
            {
              /* A file dropped into the data directory must not take over a
               * name silently, whichever sorts first. */
              cw_error_set (error, CW_ERROR_INVALID, "%s '%s' is declared by both %s and %s%s", what, name, kv->file,
                            *q, suffix);
              cw_kv_file_clear (&other);
              cw_kv_file_clear (kv);
              cw_strv_free (names);
              return false;
            }
          found = true;
          continue;
        }
      cw_kv_file_clear (into);
      if (!found && len < sizeof known - 70)
        len += (size_t) snprintf (known + len, sizeof known - len, "%s%s", len ? ", " : "", *q);
    }
  cw_strv_free (names);
  if (found)
    return true;
  cw_error_set (error, CW_ERROR_NOT_FOUND, "unknown %s '%s' (known: %s)", what, name ? name : "",
                len ? known : "none found");
  return false;
}
