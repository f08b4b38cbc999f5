/* main.c: the `cliffwatch` entry point.
 *
 * Sets up gettext, then decides between the workbench and the no-display
 * fallback: the README's run command must do something useful on a headless
 * box, so without a display it prints the default preset's plan through the
 * CLI library instead of failing. Owner: workbench. */
#include "cw-build-config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "cw-application.h"
#include "cw-chart-i18n.h"
#include "cw-cli-commands.h"
#include "cw-paths.h"
#include "cw-self-test.h"

/* The chart library is GLib-free and marks its strings with CW_N_; the
 * workbench hands it gettext so chart titles, legends and axis labels follow
 * the UI language (their msgids are in po/ under the same domain). */
static const char *
chart_gettext (const char *msgid)
{
  return gettext (msgid);
}

/* --help and --version need no display; everything else does. */
static gboolean
wants_display (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h") ||
        g_str_has_prefix (argv[i], "--help-") || g_str_equal (argv[i], "--version"))
      return FALSE;
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr(CwApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, cw_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  cw_chart_set_translate_func (chart_gettext);

  if (wants_display (argc, argv) && !gtk_init_check ())
    {
      /* stderr, so stdout carries only the plan itself. */
      fprintf (stderr, "%s\n", _("no display; printing the plan for the default preset"));
      return cw_cli_print_default_plan ();
    }

  app = cw_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  return status == 0 && cw_self_test_failed () ? 1 : status;
}
