/* cw-help-window.c: the Help window.
 *
 * The text lives in cw-help-window.ui, translated like every other string;
 * the code only switches topics and opens the shortcuts window of the
 * window Help was opened from (GtkApplicationWindow owns that one).
 * Owner: workbench. */
#include "cw-build-config.h"

#include "cw-help-window.h"

struct _CwHelpWindow
{
  AdwWindow     parent_instance;

  AdwViewStack *stack;
};

G_DEFINE_FINAL_TYPE (CwHelpWindow, cw_help_window, ADW_TYPE_WINDOW)

CwHelpWindow *
cw_help_window_new (GtkWindow *parent)
{
  return g_object_new (CW_TYPE_HELP_WINDOW, "transient-for", parent, NULL);
}

gboolean
cw_help_window_set_topic (CwHelpWindow *self, const char *topic)
{
  g_return_val_if_fail (CW_IS_HELP_WINDOW (self), FALSE);

  if (topic == NULL || adw_view_stack_get_child_by_name (self->stack, topic) == NULL)
    return FALSE;
  adw_view_stack_set_visible_child_name (self->stack, topic);
  return TRUE;
}

const char *
cw_help_window_get_topic (CwHelpWindow *self)
{
  g_return_val_if_fail (CW_IS_HELP_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

static void
append_labels (GtkWidget *widget, GString *text)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    append_labels (child, text);
}

char *
cw_help_window_dup_text (CwHelpWindow *self, const char *topic)
{
  GtkWidget *page;
  GString *text;

  g_return_val_if_fail (CW_IS_HELP_WINDOW (self), NULL);

  page = topic != NULL ? adw_view_stack_get_child_by_name (self->stack, topic) : NULL;
  if (page == NULL)
    return NULL;
  text = g_string_new (NULL);
  append_labels (page, text);
  return g_string_free (text, FALSE);
}

/* The shortcuts window belongs to the main window (GtkApplication loads
 * gtk/help-overlay.ui for each), so the button asks the window Help came
 * from to show it. */
static void
show_shortcuts_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (widget));

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.show-help-overlay", NULL);
}

static void
cw_help_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CW_TYPE_HELP_WINDOW);

  G_OBJECT_CLASS (cw_help_window_parent_class)->dispose (object);
}

static void
cw_help_window_class_init (CwHelpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_help_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cliffwatch/Cliffwatch/cw-help-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CwHelpWindow, stack);
  gtk_widget_class_install_action (widget_class, "help.show-shortcuts", NULL, show_shortcuts_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cw_help_window_init (CwHelpWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
