/* cw-chart-i18n.h: marking user-visible strings in the GLib-free chart library.
 *
 * The chart library must build with nothing but cairo, so it cannot call
 * gettext itself. Its few built-in strings (axis titles and legend labels the
 * builders choose, "No data") are wrapped in CW_N_() so xgettext can extract
 * them (po/POTFILES lists the builder sources; xgettext is run with
 * --keyword=CW_N_). CW_N_() expands to the string unchanged: callers that
 * translate (the GTK workbench) pass translated titles in through the
 * builders' `title` fields, or look the English msgid up with gettext() before
 * handing it to the chart. cliffwatch-cli output is untranslated English. */
#pragma once

#define CW_N_(s) (s)
