/* cw-export-dialog.h: the Export Chart dialog (Ctrl+E). Owner: workbench. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _CwWindow CwWindow;

#define CW_TYPE_EXPORT_DIALOG (cw_export_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CwExportDialog, cw_export_dialog, CW, EXPORT_DIALOG, AdwWindow)

/* Asks for format, size and style, then a file name, and exports the chart of
 * the window's visible page. Size is remembered in settings. */
void cw_export_dialog_present (CwWindow  *window,
                               GSettings *settings);

G_END_DECLS
