/* cw-application.c: app-wide state and actions.
 *
 * Owns the GSettings object every window reads its inputs from, the app
 * actions (quit, preferences, help, about, new-window) and the accelerator
 * table. F1 is Help, as the GNOME HIG has it; About is in the primary menu
 * only. The colour-scheme preference is applied here, for every window. Files given
 * on the command line (or by the desktop's "Open With") are receipt
 * databases. The Xvfb self-test (tests/app/cw-self-test.c) drives a window
 * of this application from its own executable. Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cw-application.h"
#include "cw-chart-i18n.h"
#include "cw-help-window.h"
#include "cw-paths.h"
#include "cw-preferences-window.h"
#include "cw-receipt-diff-window.h"
#include "cw-receipts-page.h"
#include "cw-window.h"

struct _CwApplication
{
  AdwApplication  parent_instance;
  GSettings      *settings;
  CwHelpWindow   *help_window;   /* weak: one for the application, raised again on F1 */
  CwPreferencesWindow *preferences_window;   /* weak, likewise */
};

G_DEFINE_FINAL_TYPE (CwApplication, cw_application, ADW_TYPE_APPLICATION)

CwApplication *
cw_application_new (void)
{
  return g_object_new (CW_TYPE_APPLICATION,
                       "application-id", CW_APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/cliffwatch/Cliffwatch",
                       NULL);
}

/* The chart library is GLib-free and marks its strings with CW_N_; the
 * workbench hands it gettext so chart titles, legends and axis labels follow
 * the UI language (their msgids are in po/ under the same domain). */
static const char *
chart_gettext (const char *msgid)
{
  return gettext (msgid);
}

void
cw_application_init_i18n (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, cw_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  cw_chart_set_translate_func (chart_gettext);
}

GSettings *
cw_application_get_settings (CwApplication *self)
{
  g_return_val_if_fail (CW_IS_APPLICATION (self), NULL);
  return self->settings;
}

static CwWindow *
cw_application_new_window (CwApplication *self)
{
  return cw_window_new (self);
}

static void
cw_application_activate (GApplication *app)
{
  CwApplication *self = CW_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      CwWindow *cw_window = cw_application_new_window (self);
      cw_window_open_initial_database (cw_window);
      window = GTK_WINDOW (cw_window);
    }

  gtk_window_present (window);
}

static void
cw_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  CwApplication *self = CW_APPLICATION (app);

  /* One window per database: comparing two stores side by side is the point
   * of opening more than one. */
  for (int i = 0; i < n_files; i++)
    {
      CwWindow *window = cw_application_new_window (self);
      cw_window_open_database (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
new_window_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  CwWindow *window = cw_application_new_window (CW_APPLICATION (user_data));

  cw_window_open_initial_database (window);
  gtk_window_present (GTK_WINDOW (window));
}

/* The workbench window last focused: Help and Preferences belong to it,
 * even when one of them is the active window. */
static GtkWindow *
dup_main_window (CwApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CW_IS_WINDOW (l->data))
      return g_object_ref (l->data);
  return NULL;
}

static void
help_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  CwApplication *self = CW_APPLICATION (user_data);
  g_autoptr(GtkWindow) parent = dup_main_window (self);

  /* F1 in the Help window itself raises it, not a second one over it. */
  if (self->help_window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->help_window));
      return;
    }
  self->help_window = cw_help_window_new (parent);
  g_object_add_weak_pointer (G_OBJECT (self->help_window), (gpointer *) &self->help_window);
  gtk_application_add_window (GTK_APPLICATION (self), GTK_WINDOW (self->help_window));
  gtk_window_present (GTK_WINDOW (self->help_window));
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  CwApplication *self = CW_APPLICATION (user_data);
  g_autoptr(GtkWindow) parent = dup_main_window (self);

  if (self->preferences_window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->preferences_window));
      return;
    }
  self->preferences_window = cw_preferences_window_new (parent, self->settings);
  g_object_add_weak_pointer (G_OBJECT (self->preferences_window), (gpointer *) &self->preferences_window);
  gtk_application_add_window (GTK_APPLICATION (self), GTK_WINDOW (self->preferences_window));
  gtk_window_present (GTK_WINDOW (self->preferences_window));
}

static void
apply_color_scheme (CwApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme adw_scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (scheme, "light"))
    adw_scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (scheme, "dark"))
    adw_scheme = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), adw_scheme);
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Cliffwatch authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", "Cliffwatch",
                        "application-icon", CW_APP_ID,
                        "version", CW_VERSION,
                        "developer-name", _("The Cliffwatch authors"),
                        "developers", developers,
                        "comments", _("Will the sparse-attention indexer fit on this GPU at this context, "
                                      "on which code path, and do the measurements agree?"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: put your name here, one per line. */
                        "translator-credits", _("translator-credits"),
                        "copyright", "© 2026 The Cliffwatch authors",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* Two receipts side by side: the one the active window's Receipts page
 * shows as A, B picked in the Compare Receipts window. */
static void
compare_receipts_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  CwReceiptsPage *page;
  CwReceiptDatabase *database;
  gint64 id;

  if (!CW_IS_WINDOW (active))
    return;
  page = CW_RECEIPTS_PAGE (cw_window_get_page_widget (CW_WINDOW (active), "receipts"));
  database = cw_window_get_database (CW_WINDOW (active));
  id = page != NULL ? cw_receipts_page_get_detail_id (page) : 0;
  if (database == NULL || id <= 0)
    {
      cw_window_show_toast (CW_WINDOW (active), _("Select a receipt on the Receipts page to compare it with another"));
      return;
    }
  {
    CwReceiptDiffWindow *diff = cw_receipt_diff_window_new (active, database, id);

    /* Its chart follows the chart style the other pages draw in. */
    g_settings_bind (CW_APPLICATION (user_data)->settings, "chart-style",
                     cw_receipt_diff_window_get_chart_view (diff), "chart-style", G_SETTINGS_BIND_GET);
    gtk_window_present (GTK_WINDOW (diff));
  }
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "preferences", .activate = preferences_action },
  { .name = "help", .activate = help_action },
  { .name = "about", .activate = about_action },
  { .name = "new-window", .activate = new_window_action },
  { .name = "compare-receipts", .activate = compare_receipts_action },
};

static const struct {
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "app.help", { "F1", NULL } },
  { "app.new-window", { "<Control>n", NULL } },
  { "win.open", { "<Control>o", NULL } },
  { "win.reload", { "<Control>r", NULL } },
  { "win.export-chart", { "<Control>e", NULL } },
  { "app.compare-receipts", { "<Control>d", NULL } },
  { "win.focus-search", { "<Control>f", NULL } },
  { "win.toggle-inputs", { "F9", NULL } },
  { "win.show-page('plan')", { "<Alt>1", NULL } },
  { "win.show-page('receipts')", { "<Alt>2", NULL } },
  { "win.show-page('compare')", { "<Alt>3", NULL } },
  { "win.show-page('index-cache')", { "<Alt>4", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

static void
cw_application_startup (GApplication *app)
{
  CwApplication *self = CW_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (cw_application_parent_class)->startup (app);

  self->settings = cw_paths_new_settings (&error);
  if (self->settings == NULL)
    g_error ("%s", error->message);

  g_signal_connect_object (self->settings, "changed::color-scheme", G_CALLBACK (apply_color_scheme),
                           self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);

  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/org/cliffwatch/Cliffwatch/icons");
  gtk_window_set_default_icon_name (CW_APP_ID);

  gtk_css_provider_load_from_resource (css, "/org/cliffwatch/Cliffwatch/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static int
cw_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("cliffwatch %s\n", CW_VERSION);
      return 0;
    }

  return -1;
}

static void
cw_application_dispose (GObject *object)
{
  CwApplication *self = CW_APPLICATION (object);

  g_clear_object (&self->settings);
  if (self->help_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->help_window), (gpointer *) &self->help_window);
  self->help_window = NULL;
  if (self->preferences_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->preferences_window), (gpointer *) &self->preferences_window);
  self->preferences_window = NULL;

  G_OBJECT_CLASS (cw_application_parent_class)->dispose (object);
}

static void
cw_application_class_init (CwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cw_application_dispose;
  app_class->activate = cw_application_activate;
  app_class->open = cw_application_open;
  app_class->startup = cw_application_startup;
  app_class->handle_local_options = cw_application_handle_local_options;
}

static void
cw_application_init (CwApplication *self)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[DATABASE…]"));
}
