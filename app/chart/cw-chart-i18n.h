/* cw-chart-i18n.h: translating the chart library's strings without GLib.
 *
 * The library must build with nothing but cairo, so it cannot link gettext
 * itself. Its user-visible strings (axis titles, legend labels, annotation
 * formats such as "usable HBM %s") are marked with CW_N_() so xgettext
 * extracts them (po/meson.build passes --keyword=CW_N_; po/POTFILES lists the
 * builder sources), and looked up at run time through
 * cw_chart_translate (CW_N_ ("...")). The lookup calls the function the
 * application installed with cw_chart_set_translate_func() — the workbench
 * installs a gettext() wrapper at startup — and returns the English msgid
 * when none is installed (cliffwatch-cli, tests). Format strings are
 * translated before formatting, so "%s receipts" is localised too;
 * msgfmt --check-format guards their conversion specifiers. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/* Marks a string for extraction; expands to the string unchanged. */
#define CW_N_(s) (s)

/* Returns the translation of msgid, or msgid itself. Never NULL for a
 * non-NULL msgid; the result must stay valid for the process's lifetime
 * (gettext's do). */
typedef const char *(*CwChartTranslateFunc) (const char *msgid);

/* Process-wide; call once at startup, before charts are built (it is not
 * synchronised with builders running in other threads). NULL restores
 * English. */
void        cw_chart_set_translate_func (CwChartTranslateFunc func);
const char *cw_chart_translate (const char *msgid);

#ifdef __cplusplus
}
#endif
