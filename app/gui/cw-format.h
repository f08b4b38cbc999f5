/* cw-format.h: numbers as people read them in the workbench.
 *
 * Counts (context lengths, token counts) are grouped in threes with the
 * locale's thousands separator ("36,543,232" in English, "36.543.232" in
 * German); a locale without one (C, POSIX) gets a narrow no-break space,
 * which no language reads as a decimal point ("36 543 232"). Sizes read in
 * binary units ("512.00 MiB") with the exact bytes, grouped, on demand
 * (a tooltip or an expanded row). Machine-readable text (the self-test's
 * summaries, GSettings) keeps plain integers. Owner: workbench. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* value's decimal digits, grouped in threes with separator ("" = none). */
char       *cw_format_group_digits          (guint64     value,
                                             const char *separator);
/* The separator cw_format_count() uses: the locale's, or U+202F. */
const char *cw_format_get_thousands_separator (void);
/* "36,543,232" (locale-dependent, see above). */
char       *cw_format_count                 (guint64     value);
/* "512.00 MiB": binary units, two decimals (the planner's cw_bytes_format_gib). */
char       *cw_format_size                  (guint64     bytes);
/* "536,870,912 B (512.00 MiB, 536.87 MB)": exact bytes grouped, then the
 * binary and decimal readings, as DESIGN.md asks of printed sizes. */
char       *cw_format_size_exact            (guint64     bytes);
/* The same into a caller's buffer of at least CW_FORMAT_SIZE_EXACT_MAX
 * bytes (20 digits, 6 separators of up to 3 bytes, the readings); returns buf. */
#define CW_FORMAT_SIZE_EXACT_MAX 128
char       *cw_format_size_exact_to_buffer  (guint64     bytes,
                                             char       *buf,
                                             gsize       size);
/* A library's one-line message (the planner's and the store's are English
 * and print plain integers) with every free-standing number of five or more
 * digits grouped as cw_format_count() does: "sq 36543232 is" -> "sq
 * 36,543,232 is". A number is free-standing after the start, a space, '(',
 * '[' or '=', and before the end, a space, ')', ']', ',', ';', or a full
 * stop that ends the sentence; digits in names, paths, file:line
 * positions, fractions and hexadecimal are left as they are. */
char       *cw_format_group_numbers_in_text (const char *text);
/* The binary suffix form the Plan page's fields accept, when exact:
 * 536870912 -> "512M", 65536 -> "64K", 1000 -> "1000". */
char       *cw_format_size_entry            (guint64     bytes);

G_END_DECLS
