/* cw-preferences-window.c: the Preferences window.
 *
 * Each row is bound to its GSettings key with g_settings_bind(); a choice
 * row maps the key's string to a position in the row's list and back. The
 * window keeps no state of its own: the application applies the colour
 * scheme, the main windows bind their charts' style, open the start
 * database and hand the Plan page its defaults, all from the same keys.
 * Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>

#include "cw-format.h"
#include "cw-parse.h"
#include "cw-plan-page.h"
#include "cw-planner.h"
#include "cw-preferences-window.h"
#include "cw-receipt-database.h"

struct _CwPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *color_scheme_row;
  AdwComboRow          *chart_style_row;
  AdwComboRow          *startup_row;
  AdwActionRow         *startup_file_row;
  AdwComboRow          *preset_row;
  AdwComboRow          *gpu_row;
  AdwEntryRow          *reserve_row;
  GtkLabel             *reserve_hint;
};

G_DEFINE_FINAL_TYPE (CwPreferencesWindow, cw_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The values of a choice key in the order its row lists them; `fallback`
 * is the position a value outside the list (an empty "default" key) shows. */
typedef struct {
  char  **values;
  guint   fallback;
} Choices;

static const char *const color_scheme_values[] = { "follow", "light", "dark", NULL };
static const char *const chart_style_values[] = { "system", "light", "dark", "print", NULL };
static const char *const startup_values[] = { "last", "sample", "file", NULL };

static void
choices_free (gpointer data)
{
  Choices *choices = data;

  g_strfreev (choices->values);
  g_free (choices);
}

static gboolean
choice_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  Choices *choices = user_data;
  const char *text = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices->values[i] != NULL; i++)
    if (g_str_equal (choices->values[i], text))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, choices->fallback);
  return TRUE;
}

static GVariant *
choice_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  Choices *choices = user_data;
  guint i = g_value_get_uint (value);

  /* No selection (the list being replaced) writes nothing. */
  if (i >= g_strv_length (choices->values))
    return NULL;
  return g_variant_new_string (choices->values[i]);
}

static void
bind_choice (CwPreferencesWindow *self, AdwComboRow *row, const char *key, const char *const *values,
             const char *fallback)
{
  Choices *choices = g_new0 (Choices, 1);

  choices->values = g_strdupv ((char **) values);
  for (guint i = 0; fallback != NULL && values[i] != NULL; i++)
    if (g_str_equal (values[i], fallback))
      choices->fallback = i;
  g_object_set_data (G_OBJECT (row), "cw-key", (gpointer) key);
  g_object_set_data_full (G_OBJECT (row), "cw-values", g_strdupv ((char **) values), (GDestroyNotify) g_strfreev);
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, choices, choices_free);
}

/* Preset and GPU rows list the data directory's names. */
static char **
dup_names (char **(*list) (CwError *error))
{
  CwError error = { 0 };
  char **names = list (&error);
  char **copy = g_strdupv (names != NULL ? names : (char *[]) { NULL });

  if (names != NULL)
    cw_strv_free (names);
  return copy;
}

static void
set_row_names (AdwComboRow *row, char **names)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new ((const char * const *) names);

  adw_combo_row_set_model (row, G_LIST_MODEL (model));
}

/* ---- the start database ------------------------------------------------- */

static void
update_startup_file_row (CwPreferencesWindow *self)
{
  g_autofree char *mode = g_settings_get_string (self->settings, "startup-database");
  g_autofree char *path = g_settings_get_string (self->settings, "startup-database-path");
  g_autofree char *base = path[0] != '\0' ? g_path_get_basename (path) : NULL;

  adw_action_row_set_subtitle (self->startup_file_row, base != NULL ? base : _("None chosen yet"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->startup_file_row), path[0] != '\0' ? path : NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->startup_file_row), g_str_equal (mode, "file"));
}

static void
choose_database_response_cb (GtkNativeDialog *native, int response, gpointer user_data)
{
  CwPreferencesWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        {
          g_settings_set_string (self->settings, "startup-database-path", path);
          g_settings_set_string (self->settings, "startup-database", "file");
        }
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
  g_object_unref (self);
}

static void
choose_database_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CwPreferencesWindow *self = CW_PREFERENCES_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = cw_receipt_database_new_file_filter ();
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Receipts Database on Start"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (choose_database_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* ---- the default reserve ---------------------------------------------------- */

/* The field is stored as typed (the Plan page parses it the same way);
 * a value it would refuse is marked here already, and a good one read
 * back in binary units. */
static void
reserve_changed_cb (CwPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->reserve_row));
  CwError error = { 0 };
  uint64_t bytes = 0;

  if (text[0] == '\0')
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->reserve_row), "error");
      gtk_label_set_text (self->reserve_hint, "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->reserve_row), NULL);
    }
  else if (cw_parse_u64 (_("reserve"), text, true, &bytes, &error))
    {
      g_autofree char *size = cw_format_size (bytes);
      g_autofree char *exact = cw_format_size_exact (bytes);

      gtk_widget_remove_css_class (GTK_WIDGET (self->reserve_row), "error");
      gtk_label_set_text (self->reserve_hint, size);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->reserve_row), exact);
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->reserve_row), "error");
      gtk_label_set_text (self->reserve_hint, "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->reserve_row), error.message);
    }
}

/* ---- public API ---------------------------------------------------------------- */

CwPreferencesWindow *
cw_preferences_window_new (GtkWindow *parent, GSettings *settings)
{
  CwPreferencesWindow *self;
  g_auto(GStrv) presets = dup_names (cw_preset_list);
  g_auto(GStrv) gpus = dup_names (cw_gpu_list);

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CW_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);

  set_row_names (self->preset_row, presets);
  set_row_names (self->gpu_row, gpus);

  bind_choice (self, self->color_scheme_row, "color-scheme", color_scheme_values, "follow");
  bind_choice (self, self->chart_style_row, "chart-style", chart_style_values, "system");
  bind_choice (self, self->startup_row, "startup-database", startup_values, "last");
  bind_choice (self, self->preset_row, "default-preset", (const char * const *) presets, CW_PLAN_DEFAULT_PRESET);
  bind_choice (self, self->gpu_row, "default-gpu", (const char * const *) gpus, CW_PLAN_DEFAULT_GPU);
  g_object_set_data (G_OBJECT (self->reserve_row), "cw-key", (gpointer) "default-reserve");
  g_settings_bind (settings, "default-reserve", self->reserve_row, "text", G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (settings, "changed::startup-database", G_CALLBACK (update_startup_file_row),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::startup-database-path", G_CALLBACK (update_startup_file_row),
                           self, G_CONNECT_SWAPPED);
  update_startup_file_row (self);
  g_signal_connect_object (self->reserve_row, "changed", G_CALLBACK (reserve_changed_cb), self, G_CONNECT_SWAPPED);
  reserve_changed_cb (self);

  return self;
}

GtkWidget *
cw_preferences_window_get_row (CwPreferencesWindow *self, const char *key)
{
  GtkWidget *rows[] = {
    GTK_WIDGET (self->color_scheme_row), GTK_WIDGET (self->chart_style_row), GTK_WIDGET (self->startup_row),
    GTK_WIDGET (self->preset_row), GTK_WIDGET (self->gpu_row), GTK_WIDGET (self->reserve_row),
  };

  g_return_val_if_fail (CW_IS_PREFERENCES_WINDOW (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (g_strcmp0 (g_object_get_data (G_OBJECT (rows[i]), "cw-key"), key) == 0)
      return rows[i];
  return NULL;
}

gboolean
cw_preferences_window_select (CwPreferencesWindow *self, const char *key, const char *value)
{
  GtkWidget *row = cw_preferences_window_get_row (self, key);
  char **values;

  g_return_val_if_fail (CW_IS_PREFERENCES_WINDOW (self), FALSE);

  if (row == NULL || !ADW_IS_COMBO_ROW (row))
    return FALSE;
  values = g_object_get_data (G_OBJECT (row), "cw-values");
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (g_strcmp0 (values[i], value) == 0)
      {
        adw_combo_row_set_selected (ADW_COMBO_ROW (row), i);
        return TRUE;
      }
  return FALSE;
}

/* ---- lifecycle ----------------------------------------------------------------- */

static void
cw_preferences_window_dispose (GObject *object)
{
  CwPreferencesWindow *self = CW_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cw_preferences_window_parent_class)->dispose (object);
}

static void
cw_preferences_window_class_init (CwPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cliffwatch/Cliffwatch/cw-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, chart_style_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, startup_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, startup_file_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, preset_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, gpu_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, reserve_row);
  gtk_widget_class_bind_template_child (widget_class, CwPreferencesWindow, reserve_hint);
  gtk_widget_class_install_action (widget_class, "prefs.choose-database", NULL, choose_database_action);
}

static void
cw_preferences_window_init (CwPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
