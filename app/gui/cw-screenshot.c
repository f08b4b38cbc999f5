/* cw-screenshot.c: GTK's own pixels, no X server grab.
 *
 * Going through the widget paintable and the window's renderer gives the
 * exact pixels GTK drew, under Xvfb or Wayland alike, without ImageMagick or
 * a root-window capture. Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>

#include "cw-screenshot.h"

gboolean
cw_screenshot_save_png (GtkWidget *widget, const char *path, GError **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GskRenderer *renderer;
  GtkNative *native;
  int width, height;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  native = gtk_widget_get_native (widget);
  if (!gtk_widget_get_mapped (widget) || width <= 0 || height <= 0 || native == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the widget is not on screen");
      return FALSE;
    }

  renderer = gtk_native_get_renderer (native);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  /* A widget paintable is empty until the widget has been drawn once after
   * the paintable was created; then ask the widget to draw itself. */
  if (node == NULL)
    {
      snapshot = gtk_snapshot_new ();
      GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  /* A window's content has no background of its own (the window draws it),
   * and libadwaita's rows and cards are translucent over it: lay the
   * window's background colour under the content, or a dark window comes
   * out as white text on a transparent page. */
  if (node != NULL)
    {
      GdkRGBA background;

      if (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "window_bg_color", &background))
        {
          GskRenderNode *nodes[2];

          nodes[0] = gsk_color_node_new (&background, &GRAPHENE_RECT_INIT (0, 0, width, height));
          nodes[1] = node;
          node = gsk_container_node_new (nodes, 2);
          gsk_render_node_unref (nodes[0]);
          gsk_render_node_unref (nodes[1]);
        }
    }
  if (node == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the widget drew nothing");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_render_node_unref (node);

  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not write %s", path);
      return FALSE;
    }
  return TRUE;
}
