/* test-gui-format.c: the workbench's number formatting (app/gui/cw-format.c).
 *
 * Issue 16: people read "fits up to sq = 36543232", a chunk budget of
 * 536870912 and "reserve 214748364800 B is larger…". Counts are grouped per
 * locale (a narrow no-break space where the locale has no separator), sizes
 * read in binary units with the exact bytes grouped, the Plan page's size
 * fields are filled in the suffix form they accept, and the numbers in a
 * library's message are grouped where they stand alone. */
#include <locale.h>
#include <string.h>

#include "cw-format.h"
#include "cw-parse.h"

#include "../cw-test.h"

#define NNBSP "\u202f"

static void
check_str (char *got, const char *want, const char *what)
{
  CHECK (g_strcmp0 (got, want) == 0, "%s: got '%s', want '%s'", what, got, want);
  g_free (got);
}

static void
test_group_digits (void)
{
  check_str (cw_format_group_digits (0, ","), "0", "0");
  check_str (cw_format_group_digits (999, ","), "999", "999");
  check_str (cw_format_group_digits (1000, ","), "1,000", "1000");
  check_str (cw_format_group_digits (65536, ","), "65,536", "65536");
  check_str (cw_format_group_digits (36543232, ","), "36,543,232", "sq");
  check_str (cw_format_group_digits (36543232, "."), "36.543.232", "sq, German");
  check_str (cw_format_group_digits (G_MAXUINT64, ","), "18,446,744,073,709,551,615", "max");
  check_str (cw_format_group_digits (123456, ""), "123456", "no separator");
}

static void
test_c_locale (void)
{
  /* The C locale has no thousands separator: a narrow no-break space, never
   * nothing (and never ',' or '.', which some language reads as a decimal). */
  setlocale (LC_NUMERIC, "C");
  CHECK (strcmp (cw_format_get_thousands_separator (), NNBSP) == 0, "C separator '%s'",
         cw_format_get_thousands_separator ());
  check_str (cw_format_count (36543232), "36" NNBSP "543" NNBSP "232", "count, C");
  check_str (cw_format_size (536870912), "512.00 MiB", "size");
  check_str (cw_format_size (214748364800ull), "200.00 GiB", "reserve");
  check_str (cw_format_size_exact (536870912), "536" NNBSP "870" NNBSP "912 B (512.00 MiB, 536.87 MB)", "exact");
  /* The longest exact size fits the buffer form the pages use, uncut. */
  {
    char buf[CW_FORMAT_SIZE_EXACT_MAX];
    char *whole = cw_format_size_exact (G_MAXUINT64);

    cw_format_size_exact_to_buffer (G_MAXUINT64, buf, sizeof buf);
    CHECK (strcmp (buf, whole) == 0 && g_str_has_prefix (buf, "18" NNBSP "446"), "max: '%s'", buf);
    g_free (whole);
  }
}

static void
test_german_locale (void)
{
  static const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "de_DE" };
  const char *set = NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (names) && set == NULL; i++)
    set = setlocale (LC_NUMERIC, names[i]);
  if (set == NULL)
    {
      printf ("# no German LC_NUMERIC: locale checks skipped\n");
      return;
    }
  check_str (cw_format_count (36543232), "36.543.232", "count, de");
  check_str (cw_format_size (536870912), "512,00 MiB", "size, de");
  check_str (cw_format_size_exact (214748364800ull), "214.748.364.800 B (200,00 GiB, 214,75 GB)", "exact, de");
  /* Entry text stays parseable whatever the locale. */
  check_str (cw_format_size_entry (536870912), "512M", "entry, de");
  setlocale (LC_NUMERIC, "C");
}

/* Library messages reach people through the Plan page and the Index cache
 * page: their plain numbers are grouped, names and positions are not. */
static void
test_numbers_in_text (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "sq 36543232 is smaller than ratio 4", "sq 36,543,232 is smaller than ratio 4" },
    { "reserve 214748364800 B is larger than the GPU's 150754820096 B",
      "reserve 214,748,364,800 B is larger than the GPU's 150,754,820,096 B" },
    { "b*sq*h*sk*d overflows 64 bits (b=1 sq=1099511627776 h=64 sk=274877906944 d=128)",
      "b*sq*h*sk*d overflows 64 bits (b=1 sq=1,099,511,627,776 h=64 sk=274,877,906,944 d=128)" },
    { "12345", "12,345" },
    { "ends at 65536.", "ends at 65,536." },
    { "list [131072, 262144; 1024]", "list [131,072, 262,144; 1024]" },
    { "4096 stays", "4096 stays" },
    /* names, paths, positions, fractions, hex, version-like and glued text */
    { "h200x2-index-transfer.db", "h200x2-index-transfer.db" },
    { "/tmp/run-20261203/x.db", "/tmp/run-20261203/x.db" },
    { "presets/v4.preset:123456: bad key", "presets/v4.preset:123456: bad key" },
    { "ratio 0.123456 and 0x123456", "ratio 0.123456 and 0x123456" },
    { "65536.5 and 65536K and 123456789012345678901234", "65536.5 and 65536K and 123456789012345678901234" },
    { "", "" },
  };

  setlocale (LC_NUMERIC, "C");
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *got = cw_format_group_numbers_in_text (cases[i].in);
      char *want = g_strdup (cases[i].out);

      /* The C locale groups with U+202F; the cases are written with ','. */
      {
        GString *w = g_string_new (NULL);

        for (const char *p = cases[i].out; *p != '\0'; p++)
          if (*p == ',' && p > cases[i].out && g_ascii_isdigit (p[-1]) && g_ascii_isdigit (p[1])
              && g_ascii_isdigit (p[2]) && g_ascii_isdigit (p[3]) && !g_ascii_isdigit (p[4]))
            g_string_append (w, NNBSP);
          else
            g_string_append_c (w, *p);
        g_free (want);
        want = g_string_free (w, FALSE);
      }
      CHECK (g_strcmp0 (got, want) == 0, "'%s': got '%s', want '%s'", cases[i].in, got, want);
      g_free (got);
      g_free (want);
    }
  CHECK (cw_format_group_numbers_in_text (NULL) == NULL, "NULL text");
}

static void
test_size_entry (void)
{
  static const struct { guint64 bytes; const char *text; } cases[] = {
    { 0, "0" }, { 1, "1" }, { 1000, "1000" }, { 1536, "1536" }, { 2048, "2K" }, { 65536, "64K" },
    { 2097152, "2M" }, { 536870912, "512M" }, { 214748364800ull, "200G" },
    { 3ull << 40, "3T" }, { 1ull << 50, "1024T" }, { (1ull << 30) + 1024, "1048577K" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *text = cw_format_size_entry (cases[i].bytes);
      CwError error = { 0 };
      uint64_t back = 0;

      CHECK (g_strcmp0 (text, cases[i].text) == 0, "entry %" G_GUINT64_FORMAT ": '%s', want '%s'",
             cases[i].bytes, text, cases[i].text);
      /* What the field shows must parse back to the same bytes. */
      CHECK (cw_parse_u64 ("x", text, true, &back, &error) && back == cases[i].bytes,
             "'%s' parses to %" G_GUINT64_FORMAT " (%s)", text, back, error.message);
      g_free (text);
    }
}

int
main (void)
{
  test_group_digits ();
  test_c_locale ();
  test_german_locale ();
  test_size_entry ();
  test_numbers_in_text ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
