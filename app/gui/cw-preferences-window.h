/* cw-preferences-window.h: Preferences (Ctrl+,): light or dark windows, the
 * charts' style, the receipts database a new window opens, and the preset,
 * GPU and reserve the Plan page starts from. Owner: workbench. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CW_TYPE_PREFERENCES_WINDOW (cw_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (CwPreferencesWindow, cw_preferences_window, CW, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Modal over `parent`; every row bound to its key in `settings`. */
CwPreferencesWindow *cw_preferences_window_new    (GtkWindow           *parent,
                                                   GSettings           *settings);
/* The row bound to a key ("color-scheme", "chart-style", "startup-database",
 * "default-preset", "default-gpu", "default-reserve"), or NULL. */
GtkWidget           *cw_preferences_window_get_row (CwPreferencesWindow *self,
                                                   const char          *key);
/* Chooses `value` of a choice key in its row, as a user would; FALSE when
 * the key has no choice row or the row does not offer the value. */
gboolean             cw_preferences_window_select  (CwPreferencesWindow *self,
                                                   const char          *key,
                                                   const char          *value);

G_END_DECLS
