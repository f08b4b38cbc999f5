/* cw-application.h: the Cliffwatch workbench application (app-wide actions,
 * accelerators, settings, about dialog, command line). Owner: workbench. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CW_APP_ID "org.cliffwatch.Cliffwatch"
#define CW_TYPE_APPLICATION (cw_application_get_type ())

G_DECLARE_FINAL_TYPE (CwApplication, cw_application, CW, APPLICATION, AdwApplication)

/* Locale, the gettext domain and the chart library's translation hook:
 * what every executable showing the workbench calls first. */
void           cw_application_init_i18n    (void);
CwApplication *cw_application_new          (void);
GSettings     *cw_application_get_settings (CwApplication *self);

G_END_DECLS
