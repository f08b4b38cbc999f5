/* cw-window.h: the workbench window: four pages over one receipts database.
 * Owner: workbench. */
#pragma once

#include <adwaita.h>

#include "cw-application.h"
#include "cw-chart-view.h"
#include "cw-receipt-database.h"

G_BEGIN_DECLS

#define CW_TYPE_WINDOW (cw_window_get_type ())

G_DECLARE_FINAL_TYPE (CwWindow, cw_window, CW, WINDOW, AdwApplicationWindow)

CwWindow          *cw_window_new                    (CwApplication *app);
/* The database the startup-database preference names: by default last
 * session's, or the bundled sample on first start. */
void               cw_window_open_initial_database  (CwWindow      *self);
/* Asynchronous; "database-loaded" is emitted with the outcome. A database
 * that fails to open leaves the current one in place and shows the reason. */
void               cw_window_open_database          (CwWindow      *self,
                                                     GFile         *file);
CwReceiptDatabase *cw_window_get_database           (CwWindow      *self);
gboolean           cw_window_is_loading             (CwWindow      *self);
void               cw_window_show_toast             (CwWindow      *self,
                                                     const char    *message);
void               cw_window_show_page              (CwWindow      *self,
                                                     const char    *name);
const char        *cw_window_get_page               (CwWindow      *self);
/* The chart of the visible page. */
CwChartView       *cw_window_get_visible_chart_view (CwWindow      *self);
/* Whether the header bar offers the Inputs button: the visible page keeps
 * its inputs in a side bar that the window's width has folded away. */
gboolean           cw_window_get_inputs_button_shown (CwWindow     *self);
/* Format from the extension (.png, .svg, .pdf). */
gboolean           cw_window_export_chart           (CwWindow      *self,
                                                     const char    *path,
                                                     int            width,
                                                     int            height,
                                                     GError       **error);
GtkWidget         *cw_window_get_page_widget        (CwWindow      *self,
                                                     const char    *name);

G_END_DECLS
