/* cw-profile.c: loading and compiling profile files (format: data/profiles/README.md). */
#include "cw-profile-private.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cw-bytes.h"
#include "cw-data.h"

#define MAX_FILE_BYTES (1u << 20)
#define MAX_LINE 4096

static const struct {
  const char *name;
  int slot;
} builtin_names[] = {
  { "b", CW_SLOT_B }, { "h", CW_SLOT_H }, { "d", CW_SLOT_D }, { "sq", CW_SLOT_SQ },
  { "sk", CW_SLOT_SK }, { "m", CW_SLOT_M }, { "ratio", CW_SLOT_M }, { "k", CW_SLOT_K },
  { "top_k", CW_SLOT_K }, { "causal", CW_SLOT_CAUSAL }, { "budget", CW_SLOT_BUDGET },
  { "granularity", CW_SLOT_GRANULARITY }, { "prefix", CW_SLOT_PREFIX },
  { "bits_q", CW_SLOT_BITS_Q }, { "bits_k", CW_SLOT_BITS_K }, { "bits_w", CW_SLOT_BITS_W },
  { "bits_score", CW_SLOT_BITS_SCORE }, { "bits_index", CW_SLOT_BITS_INDEX },
  { "KiB", CW_SLOT_KIB }, { "MiB", CW_SLOT_MIB }, { "GiB", CW_SLOT_GIB },
};

static const char *const bytes_names[] = { "bytes_q", "bytes_k", "bytes_w", "bytes_score", "bytes_index" };

static char *
dup_str (const char *s)
{
  size_t n = strlen (s) + 1;
  char *r = malloc (n);

  if (r != NULL)
    memcpy (r, s, n);
  return r;
}

static bool
is_builtin_name (const char *name)
{
  for (size_t i = 0; i < sizeof builtin_names / sizeof builtin_names[0]; i++)
    if (strcmp (builtin_names[i].name, name) == 0)
      return true;
  for (size_t i = 0; i < 5; i++)
    if (strcmp (bytes_names[i], name) == 0)
      return true;
  return strcmp (name, "min") == 0 || strcmp (name, "max") == 0 || strcmp (name, "ceil_div") == 0 ||
         strcmp (name, "align_up") == 0 || strcmp (name, "clamp") == 0 || strcmp (name, "nbytes") == 0 ||
         strcmp (name, "isqrt") == 0 || strcmp (name, "select") == 0 || strcmp (name, "lt") == 0 ||
         strcmp (name, "le") == 0;
}

static int
resolve_name (const char *name, int *bytes_role, void *user_data)
{
  const CwProfile *p = user_data;

  for (size_t i = 0; i < sizeof builtin_names / sizeof builtin_names[0]; i++)
    if (strcmp (builtin_names[i].name, name) == 0)
      return builtin_names[i].slot;
  for (int i = 0; i < 5; i++)
    if (strcmp (bytes_names[i], name) == 0)
      {
        *bytes_role = i;
        return 0;
      }
  for (unsigned i = 0; i < p->n_params; i++)
    if (strcmp (p->param_names[i], name) == 0)
      return CW_N_BUILTIN_SLOTS + (int) i;
  for (unsigned i = 0; i < p->n_lets; i++)
    if (strcmp (p->lets[i].name, name) == 0)
      return CW_N_BUILTIN_SLOTS + CW_PROFILE_MAX_PARAMS + (int) i;
  return -1;
}

void
cw_profile_free (CwProfile *profile)
{
  if (profile == NULL)
    return;
  free (profile->name);
  free (profile->description);
  free (profile->source);
  free (profile->path);
  free (profile->file_label);
  for (unsigned i = 0; i < profile->n_params; i++)
    free (profile->param_names[i]);
  for (unsigned i = 0; i < profile->n_lets; i++)
    {
      free (profile->lets[i].name);
      cw_formula_clear (&profile->lets[i].formula);
    }
  for (unsigned i = 0; i < profile->n_phases; i++)
    free (profile->phase_names[i]);
  for (unsigned i = 0; i < profile->n_buffers; i++)
    {
      free (profile->buffers[i].name);
      cw_formula_clear (&profile->buffers[i].formula);
    }
  free (profile);
}

/* ---- line parsing ------------------------------------------------------ */

typedef struct {
  CwProfile *p;
  const char *file;
  unsigned line;
  CwError *error;
} Parser;

static bool
perr (Parser *ps, const char *fmt, ...) CW_PRINTF_FORMAT (2, 3);

static bool
perr (Parser *ps, const char *fmt, ...)
{
  char reason[400];
  va_list args;

  va_start (args, fmt);
  vsnprintf (reason, sizeof reason, fmt, args);
  va_end (args);
  cw_error_set (ps->error, CW_ERROR_PARSE, "%s:%u: %s", ps->file, ps->line, reason);
  return false;
}

/* Reads an identifier [A-Za-z_][A-Za-z0-9_-]* at *s into buf. */
static bool
take_ident (const char **s, char *buf, size_t size)
{
  size_t n = 0;
  const char *p = *s;

  while (*p == ' ' || *p == '\t')
    p++;
  if (!(isalpha ((unsigned char) *p) || *p == '_'))
    return false;
  while (isalnum ((unsigned char) *p) || *p == '_' || *p == '-')
    {
      if (n + 1 >= size)
        return false;
      buf[n++] = *p++;
    }
  buf[n] = '\0';
  *s = p;
  return true;
}

static const char *
skip_ws (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

static bool
is_formula_ident (const char *name)
{
  for (const char *q = name; *q; q++)
    if (*q == '-')
      return false;
  return true;
}

static bool
check_new_name (Parser *ps, const char *what, const char *name)
{
  CwProfile *p = ps->p;

  if (!is_formula_ident (name))
    return perr (ps, "%s name '%s' may not contain '-' (it is used in formulas)", what, name);
  if (is_builtin_name (name))
    return perr (ps, "%s name '%s' is a built-in name", what, name);
  for (unsigned i = 0; i < p->n_params; i++)
    if (strcmp (p->param_names[i], name) == 0)
      return perr (ps, "'%s' is already defined (param)", name);
  for (unsigned i = 0; i < p->n_lets; i++)
    if (strcmp (p->lets[i].name, name) == 0)
      return perr (ps, "'%s' is already defined (let)", name);
  return true;
}

static bool
compile_at (Parser *ps, CwFormula *f, const char *text, const char *what)
{
  CwError e = CW_ERROR_INIT;

  if (!cw_formula_compile (f, text, resolve_name, ps->p, &e))
    return perr (ps, "%s: %s", what, e.message);
  return true;
}

static int
phase_index (const CwProfile *p, const char *name)
{
  for (unsigned i = 0; i < p->n_phases; i++)
    if (strcmp (p->phase_names[i], name) == 0)
      return (int) i;
  return -1;
}

static bool
parse_live (Parser *ps, const char *spec, uint64_t *mask)
{
  CwProfile *p = ps->p;
  char buf[MAX_LINE];
  char *save = NULL;

  *mask = 0;
  if (strcmp (spec, "all") == 0)
    {
      *mask = p->n_phases == 64 ? UINT64_MAX : ((1ull << p->n_phases) - 1);
      return true;
    }
  if (spec[0] == ',' || spec[strlen (spec) - 1] == ',' || strstr (spec, ",,") != NULL)
    return perr (ps, "empty phase name in 'live %s'", spec);
  snprintf (buf, sizeof buf, "%s", spec);
  for (char *item = strtok_r (buf, ",", &save); item != NULL; item = strtok_r (NULL, ",", &save))
    {
      char *dots = strstr (item, "..");
      int a, b;

      if (dots != NULL)
        {
          *dots = '\0';
          a = phase_index (p, item);
          b = phase_index (p, dots + 2);
          if (a < 0)
            return perr (ps, "unknown phase '%s' (declare phases before buffers)", item);
          if (b < 0)
            return perr (ps, "unknown phase '%s' (declare phases before buffers)", dots + 2);
          if (a > b)
            return perr (ps, "phase range '%s..%s' runs backwards", item, dots + 2);
        }
      else
        {
          a = b = phase_index (p, item);
          if (a < 0)
            return perr (ps, "unknown phase '%s' (declare phases before buffers)", item);
        }
      for (int i = a; i <= b; i++)
        *mask |= 1ull << i;
    }
  if (*mask == 0)
    return perr (ps, "%s", "'live' needs at least one phase");
  return true;
}

static bool
parse_uint (const char *s, uint64_t *out)
{
  uint64_t v = 0;

  if (!isdigit ((unsigned char) *s))
    return false;
  for (; isdigit ((unsigned char) *s); s++)
    if (!cw_mul_u64 (v, 10, &v) || !cw_add_u64 (v, (uint64_t) (*s - '0'), &v))
      return false;
  s = skip_ws (s);
  if (*s != '\0')
    return false;
  *out = v;
  return true;
}

/* "NAME = REST" after the keyword; fills name and points *rest after '='. */
static bool
take_binding (Parser *ps, const char *kw, const char *s, char *name, size_t size, const char **rest)
{
  if (!take_ident (&s, name, size))
    return perr (ps, "'%s' needs a name", kw);
  s = skip_ws (s);
  if (*s != '=')
    return perr (ps, "'%s %s' needs '= ...'", kw, name);
  *rest = s + 1;
  return true;
}

static void
strip_comment (char *line)
{
  for (char *q = line; *q; q++)
    if (*q == '#' && (q == line || q[-1] == ' ' || q[-1] == '\t'))
      {
        *q = '\0';
        break;
      }
  for (size_t n = strlen (line); n > 0 && isspace ((unsigned char) line[n - 1]); n--)
    line[n - 1] = '\0';
}

static bool
set_text (Parser *ps, char **field, const char *kw, const char *value)
{
  value = skip_ws (value);
  if (*value == '\0')
    return perr (ps, "'%s' needs a value", kw);
  if (*field != NULL && strcmp (kw, "source") == 0)
    {
      size_t n = strlen (*field) + strlen (value) + 3;
      char *joined = malloc (n);

      if (joined == NULL)
        return perr (ps, "%s", "out of memory");
      snprintf (joined, n, "%s; %s", *field, value);
      free (*field);
      *field = joined;
      return true;
    }
  if (*field != NULL)
    return perr (ps, "'%s' given twice", kw);
  *field = dup_str (value);
  return *field != NULL || perr (ps, "%s", "out of memory");
}

static bool
parse_line (Parser *ps, char *line)
{
  CwProfile *p = ps->p;
  char kw[32];
  char name[64];
  const char *s = line;
  const char *rest = NULL;   /* set by take_binding; initialised for -O3's -Wmaybe-uninitialized */

  if (!take_ident (&s, kw, sizeof kw))
    return perr (ps, "%s", "expected a directive (name, description, source, scope, param, let, phase, backward, buffer)");
  if (*s != '\0' && *s != ' ' && *s != '\t')
    return perr (ps, "%s", "expected a directive (name, description, source, scope, param, let, phase, backward, buffer)");

  if (strcmp (kw, "name") == 0)
    {
      const char *v = skip_ws (s);

      if (!take_ident (&v, name, sizeof name) || *skip_ws (v) != '\0')
        return perr (ps, "%s", "'name' needs one word of letters, digits, '-' or '_'");
      return set_text (ps, &p->name, "name", name);
    }
  if (strcmp (kw, "description") == 0)
    return set_text (ps, &p->description, "description", s);
  if (strcmp (kw, "source") == 0)
    return set_text (ps, &p->source, "source", s);
  if (strcmp (kw, "scope") == 0)
    {
      const char *v = skip_ws (s);
      char word[16];

      if (p->scope_set)
        return perr (ps, "%s", "'scope' given twice");
      if (!take_ident (&v, word, sizeof word) || *skip_ws (v) != '\0'
          || (strcmp (word, "path") != 0 && strcmp (word, "lane") != 0))
        return perr (ps, "%s", "'scope' is 'path' (a way to compute the indexer, the default) or 'lane'");
      p->scope_set = true;
      p->lane_step = strcmp (word, "lane") == 0;
      return true;
    }
  if (strcmp (kw, "param") == 0)
    {
      uint64_t v;

      if (!take_binding (ps, "param", s, name, sizeof name, &rest) || !check_new_name (ps, "param", name))
        return false;
      if (p->n_lets > 0)
        return perr (ps, "%s", "params must come before any 'let'");
      if (p->n_params == CW_PROFILE_MAX_PARAMS)
        return perr (ps, "more than %d params", CW_PROFILE_MAX_PARAMS);
      if (!parse_uint (skip_ws (rest), &v))
        return perr (ps, "param '%s' needs a non-negative integer default that fits in 64 bits", name);
      p->param_names[p->n_params] = dup_str (name);
      p->param_values[p->n_params++] = v;
      return true;
    }
  if (strcmp (kw, "let") == 0)
    {
      CwProfileLet *l;
      char what[96];

      if (!take_binding (ps, "let", s, name, sizeof name, &rest) || !check_new_name (ps, "let", name))
        return false;
      if (p->n_lets == CW_PROFILE_MAX_LETS)
        return perr (ps, "more than %d lets", CW_PROFILE_MAX_LETS);
      l = &p->lets[p->n_lets];
      snprintf (what, sizeof what, "let '%s'", name);
      /* Compile before registering the name, so a let cannot refer to itself. */
      if (!compile_at (ps, &l->formula, rest, what))
        return false;
      l->name = dup_str (name);
      l->line = ps->line;
      p->n_lets++;
      return true;
    }
  if (strcmp (kw, "phase") == 0 || strcmp (kw, "backward") == 0)
    {
      const char *v = s;
      int n = 0;
      bool backward = strcmp (kw, "backward") == 0;

      if (p->n_buffers > 0)
        return perr (ps, "%s", "phases must be declared before buffers");
      if (backward && p->n_phases == 0)
        return perr (ps, "%s", "'backward' phases follow the forward's: declare 'phase' first");
      if (!backward && p->n_forward_phases != 0)
        return perr (ps, "%s", "forward phases come before 'backward': move this 'phase' line up");
      if (backward && p->n_forward_phases == 0)
        p->n_forward_phases = p->n_phases;
      while (*(v = skip_ws (v)) != '\0')
        {
          if (!take_ident (&v, name, sizeof name) || (*v != '\0' && *v != ' ' && *v != '\t'))
            return perr (ps, "%s", "bad phase name (letters, digits, '-' or '_')");
          if (strcmp (name, "all") == 0)
            return perr (ps, "%s", "'all' is reserved and cannot be a phase name");
          if (phase_index (p, name) >= 0)
            return perr (ps, "phase '%s' declared twice", name);
          if (p->n_phases == CW_PROFILE_MAX_PHASES)
            return perr (ps, "more than %d phases", CW_PROFILE_MAX_PHASES);
          p->phase_names[p->n_phases++] = dup_str (name);
          n++;
        }
      if (n == 0)
        return perr (ps, "'%s' needs at least one name", kw);
      return true;
    }
  if (strcmp (kw, "buffer") == 0)
    {
      CwProfileBuffer *bf;
      char formula[MAX_LINE];
      char spec[MAX_LINE];
      char flag[32];
      char what[96];
      const char *live = NULL;
      int n;

      if (!take_binding (ps, "buffer", s, name, sizeof name, &rest))
        return false;
      for (unsigned i = 0; i < p->n_buffers; i++)
        if (strcmp (p->buffers[i].name, name) == 0)
          return perr (ps, "buffer '%s' declared twice", name);
      if (p->n_phases == 0)
        return perr (ps, "%s", "declare phases before buffers");
      if (p->n_buffers == CW_PROFILE_MAX_BUFFERS)
        return perr (ps, "more than %d buffers", CW_PROFILE_MAX_BUFFERS);
      /* The formula ends at the last whitespace-delimited "live". */
      for (const char *q = rest; (q = strstr (q, "live")) != NULL; q++)
        if (q > rest && (q[-1] == ' ' || q[-1] == '\t') && (q[4] == ' ' || q[4] == '\t' || q[4] == '\0'))
          live = q;
      if (live == NULL)
        return perr (ps, "buffer '%s' needs 'live PHASE[,PHASE...]'", name);
      snprintf (formula, sizeof formula, "%.*s", (int) (live - rest), rest);
      flag[0] = '\0';
      spec[0] = '\0';
      n = sscanf (live + 4, " %4095s %31s", spec, flag);
      if (n < 1)
        return perr (ps, "buffer '%s' needs 'live PHASE[,PHASE...]'", name);
      {
        /* Anything after the flag is an error. */
        const char *t = strstr (live + 4, spec) + strlen (spec);
        t = skip_ws (t);
        if (n == 2)
          t = skip_ws (strstr (t, flag) + strlen (flag));
        if (*t != '\0')
          return perr (ps, "unexpected text '%s' after the buffer's flags", t);
      }
      if (n == 2 && strcmp (flag, "input") != 0)
        return perr (ps, "unknown buffer flag '%s' (known: input)", flag);
      bf = &p->buffers[p->n_buffers];
      if (!parse_live (ps, spec, &bf->live_mask))
        return false;
      snprintf (what, sizeof what, "buffer '%s'", name);
      if (!compile_at (ps, &bf->formula, formula, what))
        return false;
      bf->name = dup_str (name);
      bf->input = n == 2;
      bf->line = ps->line;
      p->n_buffers++;
      return true;
    }
  return perr (ps, "unknown directive '%s' (known: name, description, source, scope, param, let, phase, backward, buffer)", kw);
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

CwProfile *
cw_profile_load_data (const char *filename, const char *text, CwError *error)
{
  Parser ps = { .file = base_name (filename), .error = error };
  CwProfile *p = calloc (1, sizeof *p);
  const char *cur = text;

  if (p == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return NULL;
    }
  ps.p = p;
  p->path = dup_str (filename);
  p->file_label = dup_str (ps.file);
  while (*cur != '\0')
    {
      const char *nl = strchr (cur, '\n');
      size_t len = nl ? (size_t) (nl - cur) : strlen (cur);
      char line[MAX_LINE];

      ps.line++;
      if (len >= sizeof line)
        {
          perr (&ps, "line longer than %d bytes", MAX_LINE - 1);
          goto fail;
        }
      memcpy (line, cur, len);
      line[len] = '\0';
      if (memchr (line, '\0', len) != NULL || strlen (line) != len)
        {
          perr (&ps, "%s", "NUL byte in profile");
          goto fail;
        }
      strip_comment (line);
      if (*skip_ws (line) != '\0' && !parse_line (&ps, line))
        goto fail;
      cur += len + (nl ? 1 : 0);
    }
  ps.line++;
  if (p->name == NULL)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: profile has no 'name'", ps.file, ps.line);
      goto fail;
    }
  if (p->n_buffers == 0)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s:%u: profile '%s' has no buffers", ps.file, ps.line, p->name);
      goto fail;
    }
  if (p->n_forward_phases == 0)
    p->n_forward_phases = p->n_phases;
  if (p->description == NULL)
    p->description = dup_str ("");
  if (p->source == NULL)
    p->source = dup_str ("");
  return p;

fail:
  cw_profile_free (p);
  return NULL;
}

CwProfile *
cw_profile_load_file (const char *path, CwError *error)
{
  FILE *f = cw_data_open_regular (path);
  char *text;
  size_t n;
  CwProfile *p;

  if (f == NULL)
    {
      cw_error_set (error, errno == ENOENT ? CW_ERROR_NOT_FOUND : CW_ERROR_IO,
                    "cannot open profile '%s': %s", path, errno == EINVAL ? "not a regular file" : strerror (errno));
      return NULL;
    }
  text = malloc (MAX_FILE_BYTES + 1);
  if (text == NULL)
    {
      fclose (f);
      cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return NULL;
    }
  n = fread (text, 1, MAX_FILE_BYTES + 1, f);
  if (ferror (f))
    {
      cw_error_set (error, CW_ERROR_IO, "cannot read profile '%s'", path);
      fclose (f);
      free (text);
      return NULL;
    }
  fclose (f);
  if (n > MAX_FILE_BYTES)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s: larger than %u bytes", base_name (path), MAX_FILE_BYTES);
      free (text);
      return NULL;
    }
  text[n] = '\0';
  if (strlen (text) != n)
    {
      cw_error_set (error, CW_ERROR_PARSE, "%s: contains a NUL byte (not a text file)", base_name (path));
      free (text);
      return NULL;
    }
  p = cw_profile_load_data (path, text, error);
  free (text);
  return p;
}

static bool
valid_lookup_name (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return false;
  for (const char *q = name; *q; q++)
    if (!(isalnum ((unsigned char) *q) || *q == '-' || *q == '_'))
      return false;
  return true;
}

CwProfile *
cw_profile_load (const char *name, CwError *error)
{
  char path[4096];
  char lower[65];
  size_t i;

  if (!valid_lookup_name (name))
    {
      cw_error_set (error, CW_ERROR_NOT_FOUND, "unknown profile '%s'", name ? name : "");
      return NULL;
    }
  for (i = 0; name[i]; i++)
    lower[i] = (char) tolower ((unsigned char) name[i]);
  lower[i] = '\0';
  snprintf (path, sizeof path, "%s/profiles/%s.profile", cw_data_dir (), lower);
  {
    FILE *f = cw_data_open_regular (path);
    if (f == NULL)
      {
        char **names = cw_profile_list_names (NULL);
        char known[300] = "";
        size_t len = 0;

        for (char **q = names; q && *q && len < sizeof known - 70; q++)
          len += (size_t) snprintf (known + len, sizeof known - len, "%s%s", len ? ", " : "", *q);
        cw_strv_free (names);
        cw_error_set (error, CW_ERROR_NOT_FOUND, "unknown profile '%s' (known: %s)", name,
                      len ? known : "none found");
        return NULL;
      }
    fclose (f);
  }
  return cw_profile_load_file (path, error);
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Lists basenames (without `suffix`) of the files in <data>/<sub>. Shared with presets/GPUs. */
char **cw_data_list_dir (const char *sub, const char *suffix, CwError *error);

char **
cw_data_list_dir (const char *sub, const char *suffix, CwError *error)
{
  char path[4096];
  DIR *dir;
  struct dirent *de;
  char **v = NULL;
  size_t n = 0, cap = 0;
  size_t sl = strlen (suffix);

  snprintf (path, sizeof path, "%s/%s", cw_data_dir (), sub);
  dir = opendir (path);
  if (dir == NULL)
    {
      cw_error_set (error, CW_ERROR_IO, "cannot open data directory '%s': %s", path, strerror (errno));
      return NULL;
    }
  while ((de = readdir (dir)) != NULL)
    {
      size_t len = strlen (de->d_name);

      if (len <= sl || strcmp (de->d_name + len - sl, suffix) != 0 || de->d_name[0] == '.')
        continue;
      if (n + 2 > cap)
        {
          char **nv;
          cap = cap ? cap * 2 : 16;
          nv = realloc (v, cap * sizeof *v);
          if (nv == NULL)
            break;
          v = nv;
        }
      v[n] = malloc (len - sl + 1);
      if (v[n] == NULL)
        break;
      memcpy (v[n], de->d_name, len - sl);
      v[n][len - sl] = '\0';
      n++;
      v[n] = NULL;
    }
  closedir (dir);
  if (v == NULL)
    {
      v = calloc (1, sizeof *v);
      if (v == NULL)
        cw_error_set (error, CW_ERROR_OOM, "out of memory");
      return v;
    }
  qsort (v, n, sizeof *v, cmp_str);
  return v;
}

char **
cw_profile_list_names (CwError *error)
{
  return cw_data_list_dir ("profiles", ".profile", error);
}

const char *cw_profile_get_name (const CwProfile *profile) { return profile->name; }
const char *cw_profile_get_description (const CwProfile *profile) { return profile->description; }
const char *cw_profile_get_source (const CwProfile *profile) { return profile->source; }
const char *cw_profile_get_path (const CwProfile *profile) { return profile->path; }
bool cw_profile_is_lane_step (const CwProfile *profile) { return profile->lane_step; }
bool cw_profile_is_training (const CwProfile *profile) { return profile->n_forward_phases < profile->n_phases; }
unsigned cw_profile_get_n_forward_phases (const CwProfile *profile) { return profile->n_forward_phases; }
unsigned cw_profile_get_n_params (const CwProfile *profile) { return profile->n_params; }

const char *
cw_profile_get_param_name (const CwProfile *profile, unsigned i)
{
  return i < profile->n_params ? profile->param_names[i] : NULL;
}

uint64_t
cw_profile_get_param_value (const CwProfile *profile, unsigned i)
{
  return i < profile->n_params ? profile->param_values[i] : 0;
}

bool
cw_profile_set_param (CwProfile *profile, const char *name, uint64_t value, CwError *error)
{
  for (unsigned i = 0; i < profile->n_params; i++)
    if (strcmp (profile->param_names[i], name) == 0)
      {
        profile->param_values[i] = value;
        return true;
      }
  cw_error_set (error, CW_ERROR_NOT_FOUND, "profile '%s' has no param '%s'", profile->name, name);
  return false;
}

/* ---- evaluation --------------------------------------------------------- */

bool
cw_profile_eval_buffers (const CwProfile *profile, const CwConfig *config, uint64_t *out, CwError *error)
{
  uint64_t slots[CW_PROFILE_MAX_SLOTS];
  unsigned role_bits[5];
  const char *why;
  CwErrorCode code;

  slots[CW_SLOT_B] = config->b;
  slots[CW_SLOT_H] = config->h;
  slots[CW_SLOT_D] = config->d;
  slots[CW_SLOT_SQ] = config->sq;
  slots[CW_SLOT_SK] = cw_config_get_sk (config);
  slots[CW_SLOT_M] = config->ratio;
  slots[CW_SLOT_K] = config->top_k;
  slots[CW_SLOT_CAUSAL] = (uint64_t) config->causal;
  slots[CW_SLOT_BUDGET] = config->chunk_budget_bytes;
  slots[CW_SLOT_GRANULARITY] = config->granularity;
  role_bits[0] = cw_dtype_get_bits (config->q_dtype);
  role_bits[1] = cw_dtype_get_bits (config->k_dtype);
  role_bits[2] = cw_dtype_get_bits (config->w_dtype);
  role_bits[3] = cw_dtype_get_bits (config->score_dtype);
  role_bits[4] = cw_dtype_get_bits (config->index_dtype);
  for (int i = 0; i < 5; i++)
    slots[CW_SLOT_BITS_Q + i] = role_bits[i];
  slots[CW_SLOT_KIB] = 1ull << 10;
  slots[CW_SLOT_MIB] = 1ull << 20;
  slots[CW_SLOT_GIB] = 1ull << 30;
  slots[CW_SLOT_PREFIX] = config->prefix;
  for (unsigned i = 0; i < profile->n_params; i++)
    slots[CW_N_BUILTIN_SLOTS + i] = profile->param_values[i];
  for (unsigned i = 0; i < profile->n_lets; i++)
    {
      const CwProfileLet *l = &profile->lets[i];

      if (!cw_formula_eval (&l->formula, slots, role_bits,
                            &slots[CW_N_BUILTIN_SLOTS + CW_PROFILE_MAX_PARAMS + i], &why, &code))
        {
          cw_error_set (error, code, "%s:%u: let '%s' %s", profile->file_label, l->line, l->name, why);
          return false;
        }
    }
  for (unsigned i = 0; i < profile->n_buffers; i++)
    {
      const CwProfileBuffer *bf = &profile->buffers[i];
      uint64_t v;

      if (!cw_formula_eval (&bf->formula, slots, role_bits, &v, &why, &code))
        {
          cw_error_set (error, code, "%s:%u: buffer '%s' %s", profile->file_label, bf->line, bf->name, why);
          return false;
        }
      if (!cw_align_up_u64 (v, config->granularity, &out[i]))
        {
          cw_error_set (error, CW_ERROR_OVERFLOW, "%s:%u: buffer '%s' overflows uint64 when rounded up to granularity %llu",
                        profile->file_label, bf->line, bf->name, (unsigned long long) config->granularity);
          return false;
        }
    }
  return true;
}
