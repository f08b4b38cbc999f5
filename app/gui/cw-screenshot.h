/* cw-screenshot.h: a widget as it is on screen, saved as PNG. Owner: workbench. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Renders widget through its native's GskRenderer (widget -> paintable ->
 * render node -> texture) and writes a PNG. The widget must be mapped. */
gboolean cw_screenshot_save_png (GtkWidget   *widget,
                                 const char  *path,
                                 GError     **error);

G_END_DECLS
