/* cw-export-dialog.c: choosing how to export a chart.
 *
 * The dialog only collects choices; the file is written by the window's
 * visible CwChartView through cw_chart_export(), the renderer the CLI uses
 * too. The result (or the reason it failed) comes back as a toast on the
 * main window. Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>

#include "cw-export-dialog.h"
#include "cw-window.h"

struct _CwExportDialog
{
  AdwWindow      parent_instance;
  CwWindow      *window;      /* weak */
  GSettings     *settings;

  AdwComboRow   *format_row;
  AdwComboRow   *style_row;
  GtkSpinButton *width_spin;
  GtkSpinButton *height_spin;
};

G_DEFINE_FINAL_TYPE (CwExportDialog, cw_export_dialog, ADW_TYPE_WINDOW)

static const char *extensions[] = { "png", "svg", "pdf" };
static const char *styles[] = { "light", "dark", "print" };

static void
save_response_cb (GtkNativeDialog *native, int response, gpointer user_data)
{
  CwExportDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->window != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;
      g_autofree char *message = NULL;
      guint style = adw_combo_row_get_selected (self->style_row);
      CwChartView *view = cw_window_get_visible_chart_view (self->window);

      if (path == NULL)
        message = g_strdup (_("Export failed: only local files are supported"));
      else if (!cw_chart_view_export_with_style (view, path,
                                                 gtk_spin_button_get_value_as_int (self->width_spin),
                                                 gtk_spin_button_get_value_as_int (self->height_spin),
                                                 styles[MIN (style, G_N_ELEMENTS (styles) - 1)], &error))
        message = g_strdup_printf (_("Export failed: %s"), error->message);
      else
        {
          g_autofree char *base = g_path_get_basename (path);
          message = g_strdup_printf (_("Chart exported to “%s”"), base);
        }

      cw_window_show_toast (self->window, message);
      gtk_window_destroy (GTK_WINDOW (self));
    }

  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
choose_file_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CwExportDialog *self = CW_EXPORT_DIALOG (widget);
  guint format = MIN (adw_combo_row_get_selected (self->format_row), G_N_ELEMENTS (extensions) - 1);
  g_autofree char *name = NULL;
  GtkFileChooserNative *native;

  if (self->window == NULL)
    return;

  name = g_strdup_printf ("cliffwatch-%s.%s", cw_window_get_page (self->window), extensions[format]);
  native = gtk_file_chooser_native_new (_("Export Chart"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
format_changed_cb (CwExportDialog *self)
{
  gboolean pdf = adw_combo_row_get_selected (self->format_row) == 2;

  gtk_widget_set_sensitive (GTK_WIDGET (self->style_row), !pdf);
}

void
cw_export_dialog_present (CwWindow *window, GSettings *settings)
{
  CwExportDialog *self;

  g_return_if_fail (CW_IS_WINDOW (window));

  self = g_object_new (CW_TYPE_EXPORT_DIALOG, "transient-for", window, NULL);
  self->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->window);
  self->settings = g_object_ref (settings);
  g_settings_bind (settings, "export-width", gtk_spin_button_get_adjustment (self->width_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "export-height", gtk_spin_button_get_adjustment (self->height_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  /* Default the style to what is on screen (the chart style preference). */
  {
    const CwChartStyle *style = cw_chart_style_get (cw_chart_view_get_style (cw_window_get_visible_chart_view (window)));

    for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
      if (g_strcmp0 (styles[i], style->name) == 0)
        adw_combo_row_set_selected (self->style_row, i);
  }
  gtk_window_present (GTK_WINDOW (self));
}

static void
cw_export_dialog_dispose (GObject *object)
{
  CwExportDialog *self = CW_EXPORT_DIALOG (object);

  if (self->window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
  self->window = NULL;
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (cw_export_dialog_parent_class)->dispose (object);
}

static void
cw_export_dialog_class_init (CwExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_export_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cliffwatch/Cliffwatch/cw-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CwExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, CwExportDialog, style_row);
  gtk_widget_class_bind_template_child (widget_class, CwExportDialog, width_spin);
  gtk_widget_class_bind_template_child (widget_class, CwExportDialog, height_spin);
  gtk_widget_class_install_action (widget_class, "export.choose-file", NULL, choose_file_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cw_export_dialog_init (CwExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->format_row, "notify::selected", G_CALLBACK (format_changed_cb),
                           self, G_CONNECT_SWAPPED);
}
