/* cw-help-window.h: the Help window (F1): the pages, the charts, the terms
 * and the keyboard, explained in the workbench itself (no help viewer or
 * Mallard pages need to be installed). Owner: workbench. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CW_TYPE_HELP_WINDOW (cw_help_window_get_type ())

G_DECLARE_FINAL_TYPE (CwHelpWindow, cw_help_window, CW, HELP_WINDOW, AdwWindow)

/* Transient for `parent`, whose win.show-help-overlay the Keyboard topic's
 * button opens; closes with it. */
CwHelpWindow *cw_help_window_new        (GtkWindow    *parent);
/* Topics: "pages", "charts", "terms", "keys". FALSE for an unknown one. */
gboolean      cw_help_window_set_topic  (CwHelpWindow *self,
                                         const char   *topic);
const char   *cw_help_window_get_topic  (CwHelpWindow *self);
/* The topic's text as shown (translated), paragraphs joined by newlines;
 * NULL for an unknown topic. */
char         *cw_help_window_dup_text   (CwHelpWindow *self,
                                         const char   *topic);

G_END_DECLS
