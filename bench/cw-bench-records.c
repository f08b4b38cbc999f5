/* cw-bench-records.c: JSON-lines records of benchmark runs (see the header
 * and bench/records/README.md). */
#include "cw-bench-records.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cw-git-revision.h"

struct CwBenchRecords {
  FILE *file;
  char *command;
  char  date[32];
};

/* ---- CwJson ------------------------------------------------------------- */

void
cw_json_init (CwJson *json)
{
  memset (json, 0, sizeof *json);
}

void
cw_json_clear (CwJson *json)
{
  free (json->data);
  cw_json_init (json);
}

static void
put (CwJson *json, const char *s, size_t n)
{
  if (json->failed)
    return;
  if (json->len + n + 1 > json->cap)
    {
      size_t cap = json->cap ? json->cap : 1024;
      char *data;

      while (cap < json->len + n + 1)
        cap *= 2;
      data = realloc (json->data, cap);
      if (data == NULL)
        {
          json->failed = true;
          return;
        }
      json->data = data;
      json->cap = cap;
    }
  memcpy (json->data + json->len, s, n);
  json->len += n;
  json->data[json->len] = '\0';
}

static void
puts_ (CwJson *json, const char *s)
{
  put (json, s, strlen (s));
}

static void
put_escaped (CwJson *json, const char *s)
{
  puts_ (json, "\"");
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      char buf[8];

      if (*p == '"' || *p == '\\')
        {
          buf[0] = '\\';
          buf[1] = (char) *p;
          put (json, buf, 2);
        }
      else if (*p < 0x20)
        {
          snprintf (buf, sizeof buf, "\\u%04x", *p);
          puts_ (json, buf);
        }
      else
        put (json, (const char *) p, 1);
    }
  puts_ (json, "\"");
}

/* The separator and, inside an object, the key of the next member. */
static void
member (CwJson *json, const char *key)
{
  if (json->need_comma)
    puts_ (json, ", ");
  if (key != NULL)
    {
      put_escaped (json, key);
      puts_ (json, ": ");
    }
  json->need_comma = true;
}

void
cw_json_object_begin (CwJson *json, const char *key)
{
  member (json, key);
  puts_ (json, "{");
  json->need_comma = false;
}

void
cw_json_object_end (CwJson *json)
{
  puts_ (json, "}");
  json->need_comma = true;
}

void
cw_json_array_begin (CwJson *json, const char *key)
{
  member (json, key);
  puts_ (json, "[");
  json->need_comma = false;
}

void
cw_json_array_end (CwJson *json)
{
  puts_ (json, "]");
  json->need_comma = true;
}

void
cw_json_string (CwJson *json, const char *key, const char *value)
{
  member (json, key);
  if (value == NULL)
    puts_ (json, "null");
  else
    put_escaped (json, value);
}

void
cw_json_bool (CwJson *json, const char *key, bool value)
{
  member (json, key);
  puts_ (json, value ? "true" : "false");
}

void
cw_json_int (CwJson *json, const char *key, int64_t value)
{
  char buf[32];

  member (json, key);
  snprintf (buf, sizeof buf, "%lld", (long long) value);
  puts_ (json, buf);
}

void
cw_json_uint (CwJson *json, const char *key, uint64_t value)
{
  char buf[32];

  member (json, key);
  snprintf (buf, sizeof buf, "%llu", (unsigned long long) value);
  puts_ (json, buf);
}

/* The shortest %.*g text that reads back as value. */
static void
put_number (CwJson *json, double value)
{
  char buf[40];

  if (!isfinite (value))
    {
      puts_ (json, "null");
      return;
    }
  for (int precision = 1; precision <= 17; precision++)
    {
      snprintf (buf, sizeof buf, "%.*g", precision, value);
      if (strtod (buf, NULL) == value)
        break;
    }
  /* JSON has no "inf"/"nan" (excluded above); %g never writes a bare "." */
  puts_ (json, buf);
}

void
cw_json_double (CwJson *json, const char *key, double value)
{
  member (json, key);
  put_number (json, value);
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

double
cw_bench_median (const double *samples, size_t n)
{
  double *sorted, m;

  if (n == 0)
    return 0;
  sorted = malloc (n * sizeof *sorted);
  if (sorted == NULL)
    return NAN;
  memcpy (sorted, samples, n * sizeof *sorted);
  qsort (sorted, n, sizeof *sorted, compare_double);
  m = sorted[n / 2];
  free (sorted);
  return m;
}

double
cw_bench_float_value (float v)
{
  char buf[40];

  if (!isfinite (v))
    return v;
  for (int precision = 1; precision <= 9; precision++)
    {
      snprintf (buf, sizeof buf, "%.*g", precision, (double) v);
      if ((float) strtod (buf, NULL) == v)
        return strtod (buf, NULL);
    }
  return v;
}

void
cw_json_samples (CwJson *json, const char *prefix, const char *unit, const double *samples, size_t n)
{
  char key[64];
  double lo = n ? samples[0] : 0, hi = lo;

#define KEY(name) (prefix ? (snprintf (key, sizeof key, "%s_%s", prefix, name), key) : name)
  if (prefix == NULL)
    cw_json_string (json, "unit", unit);
  cw_json_array_begin (json, KEY ("samples"));
  for (size_t i = 0; i < n; i++)
    {
      cw_json_double (json, NULL, samples[i]);
      lo = samples[i] < lo ? samples[i] : lo;
      hi = samples[i] > hi ? samples[i] : hi;
    }
  cw_json_array_end (json);
  if (prefix == NULL)
    cw_json_uint (json, "n", n);
  if (n > 0)
    {
      cw_json_double (json, KEY ("median"), cw_bench_median (samples, n));
      cw_json_double (json, KEY ("min"), lo);
      cw_json_double (json, KEY ("max"), hi);
    }
#undef KEY
}

/* ---- the file ----------------------------------------------------------- */

/* argv joined by spaces; words with characters a shell would read are
 * single-quoted, so the line can be pasted back. */
static char *
command_line (int argc, char **argv)
{
  CwJson buf;

  cw_json_init (&buf);
  puts_ (&buf, "");
  for (int i = 0; i < argc; i++)
    {
      const char *a = argv[i];
      bool plain = *a != '\0' && strspn (a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789_./:,=+-@%") == strlen (a);
      if (i > 0)
        puts_ (&buf, " ");
      if (plain)
        puts_ (&buf, a);
      else
        {
          puts_ (&buf, "'");
          for (const char *p = a; *p; p++)
            if (*p == '\'')
              puts_ (&buf, "'\\''");
            else
              put (&buf, p, 1);
          puts_ (&buf, "'");
        }
    }
  if (buf.failed)
    {
      cw_json_clear (&buf);
      return NULL;
    }
  return buf.data;
}

CwBenchRecords *
cw_bench_records_open (const char *path, int argc, char **argv)
{
  CwBenchRecords *r = calloc (1, sizeof *r);
  time_t now = time (NULL);
  struct tm tm;

  if (r == NULL)
    return NULL;
  r->command = command_line (argc, argv);
  if (r->command == NULL || gmtime_r (&now, &tm) == NULL
      || strftime (r->date, sizeof r->date, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    {
      free (r->command);
      free (r);
      errno = ENOMEM;
      return NULL;
    }
  r->file = fopen (path, "a");
  if (r->file == NULL)
    {
      int saved = errno;
      free (r->command);
      free (r);
      errno = saved;
      return NULL;
    }
  return r;
}

const char *
cw_bench_source_revision (const char **from)
{
  const char *env = getenv ("CW_SOURCE_REVISION");

  /* The runner states what it exported: a tree copied to the GPU machine
   * may carry a .git of another commit, or none, so the build's own
   * revision is only the fallback there. */
  if (env != NULL && env[0] != '\0')
    {
      if (from)
        *from = "env";
      return env;
    }
  if (CW_GIT_REVISION[0] != '\0' && strcmp (CW_GIT_REVISION, "unknown") != 0)
    {
      if (from)
        *from = "build";
      return CW_GIT_REVISION;
    }
  if (from)
    *from = "none";
  return "unknown";
}

void
cw_bench_records_begin (CwBenchRecords *records, CwJson *json, const char *benchmark)
{
  const char *from;
  const char *rev = cw_bench_source_revision (&from);

  cw_json_clear (json);
  cw_json_object_begin (json, NULL);
  cw_json_int (json, "schema", CW_BENCH_RECORDS_SCHEMA);
  cw_json_string (json, "benchmark", benchmark);
  cw_json_string (json, "command", records->command);
  cw_json_string (json, "date", records->date);
  cw_json_string (json, "source_revision", rev);
  cw_json_string (json, "source_revision_from", from);
  if (getenv ("CW_RUN_COMMAND") != NULL)
    cw_json_string (json, "run_command", getenv ("CW_RUN_COMMAND"));
}

bool
cw_bench_records_write (CwBenchRecords *records, CwJson *json)
{
  cw_json_object_end (json);
  puts_ (json, "\n");
  if (json->failed)
    {
      errno = ENOMEM;
      return false;
    }
  if (fwrite (json->data, 1, json->len, records->file) != json->len || fflush (records->file) != 0)
    return false;
  return true;
}

bool
cw_bench_records_close (CwBenchRecords *records)
{
  bool ok = true;

  if (records == NULL)
    return true;
  if (fclose (records->file) != 0)
    ok = false;
  free (records->command);
  free (records);
  return ok;
}

/* The value of the first "model name" line of /proc/cpuinfo, or NULL. */
static char *
cpu_model (void)
{
  FILE *f = fopen ("/proc/cpuinfo", "r");
  char line[512];
  char *model = NULL;

  if (f == NULL)
    return NULL;
  while (model == NULL && fgets (line, sizeof line, f) != NULL)
    if (strncmp (line, "model name", 10) == 0)
      {
        char *v = strchr (line, ':');
        if (v != NULL)
          {
            v += 1 + strspn (v + 1, " \t");
            v[strcspn (v, "\n")] = '\0';
            model = strdup (v);
          }
      }
  fclose (f);
  return model;
}

void
cw_bench_records_cpu_device (CwJson *json)
{
  char *model = cpu_model ();
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  struct utsname u;

  cw_json_object_begin (json, "device");
  cw_json_string (json, "kind", "cpu");
  cw_json_string (json, "name", model);
  if (cpus > 0)
    cw_json_int (json, "cpus", cpus);
  else
    cw_json_string (json, "cpus", NULL);
  if (uname (&u) == 0)
    {
      char os[2 * sizeof u.release + 2];
      snprintf (os, sizeof os, "%s %s", u.sysname, u.release);
      cw_json_string (json, "os", os);
    }
  cw_json_object_end (json);
  free (model);
}
