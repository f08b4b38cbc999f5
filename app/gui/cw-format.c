/* cw-format.c: numbers as people read them (see cw-format.h). */
#include "cw-format.h"

#include <locale.h>
#include <string.h>

#include "cw-bytes.h"

#define NARROW_NO_BREAK_SPACE "\u202f"

char *
cw_format_group_digits (guint64 value, const char *separator)
{
  char digits[32];
  GString *out;
  gsize n;

  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, value);
  n = strlen (digits);
  out = g_string_sized_new (n * 4);
  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0 && separator != NULL)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

const char *
cw_format_get_thousands_separator (void)
{
  const struct lconv *lc = localeconv ();

  /* Every locale glibc ships groups in threes where it groups at all
   * (grouping "\3\3"); Indian lakh grouping would be the exception. */
  if (lc != NULL && lc->thousands_sep != NULL && lc->thousands_sep[0] != '\0')
    return lc->thousands_sep;
  return NARROW_NO_BREAK_SPACE;
}

char *
cw_format_count (guint64 value)
{
  return cw_format_group_digits (value, cw_format_get_thousands_separator ());
}

char *
cw_format_size (guint64 bytes)
{
  char buf[CW_BYTES_FORMAT_SIZE];

  return g_strdup (cw_bytes_format_gib (bytes, buf, sizeof buf));
}

char *
cw_format_size_exact (guint64 bytes)
{
  char buf[CW_BYTES_FORMAT_SIZE];
  g_autofree char *grouped = cw_format_count (bytes);
  const char *rest;

  /* cw_bytes_format: "536870912 B (512.00 MiB, 536.87 MB)". */
  cw_bytes_format (bytes, buf, sizeof buf);
  rest = strchr (buf, ' ');
  return g_strconcat (grouped, rest != NULL ? rest : " B", NULL);
}

char *
cw_format_size_exact_to_buffer (guint64 bytes, char *buf, gsize size)
{
  g_autofree char *exact = cw_format_size_exact (bytes);

  g_strlcpy (buf, exact, size);
  return buf;
}

char *
cw_format_size_entry (guint64 bytes)
{
  static const char suffixes[] = "KMGT";
  int k = -1;

  while (k < 3 && bytes != 0 && bytes % 1024 == 0)
    {
      bytes /= 1024;
      k++;
    }
  if (k < 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "%c", bytes, suffixes[k]);
}

static gboolean
opens_number (const char *text, const char *p)
{
  return p == text || p[-1] == ' ' || p[-1] == '(' || p[-1] == '[' || p[-1] == '=';
}

static gboolean
closes_number (const char *p)
{
  if (*p == '.')
    return p[1] == '\0' || p[1] == ' ';
  return *p == '\0' || *p == ' ' || *p == ')' || *p == ']' || *p == ',' || *p == ';';
}

char *
cw_format_group_numbers_in_text (const char *text)
{
  GString *out;
  const char *p = text;

  if (text == NULL)
    return NULL;
  out = g_string_sized_new (strlen (text) + 16);
  while (*p != '\0')
    {
      const char *end = p;
      guint64 value = 0;

      if (!g_ascii_isdigit (*p))
        {
          g_string_append_c (out, *p++);
          continue;
        }
      while (g_ascii_isdigit (*end))
        end++;
      if (end - p >= 5 && opens_number (text, p) && closes_number (end))
        {
          g_autofree char *digits = g_strndup (p, end - p);

          if (g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT64, &value, NULL))
            {
              g_autofree char *grouped = cw_format_count (value);

              g_string_append (out, grouped);
              p = end;
              continue;
            }
        }
      g_string_append_len (out, p, end - p);
      p = end;
    }
  return g_string_free (out, FALSE);
}
