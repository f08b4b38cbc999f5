/* test-gui-self-test-main.c: the Xvfb self-test's executable. It runs the
 * workbench application (app/gui's library, as `cliffwatch` does) and, when
 * its window appears, hands it to cw-self-test.c, which walks every page and
 * writes its report and files into OUTDIR.
 *
 *   test-gui-self-test OUTDIR [DATABASE]
 *
 * Exits 1 when any check failed, 2 on bad usage. Owner: workbench. */
#include "cw-build-config.h"

#include <stdio.h>
#include <string.h>

#include "cw-application.h"
#include "cw-self-test.h"
#include "cw-window.h"

static void
window_added_cb (GtkApplication *app, GtkWindow *window, const char *dir)
{
  static gboolean started;

  if (!started && CW_IS_WINDOW (window))
    {
      started = TRUE;
      cw_self_test_start (CW_WINDOW (window), dir);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(CwApplication) app = NULL;
  char *run_argv[3];
  int run_argc = 0, status;

  if (argc < 2 || argc > 3 || argv[1][0] == '\0' || argv[1][0] == '-')
    {
      fprintf (stderr, "usage: test-gui-self-test OUTDIR [DATABASE]\n");
      return 2;
    }
  cw_application_init_i18n ();
  app = cw_application_new ();
  /* The test must not find (or become) a running primary instance, nor
   * need a session bus. */
  g_application_set_flags (G_APPLICATION (app), g_application_get_flags (G_APPLICATION (app))
                                                | G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), argv[1]);
  run_argv[run_argc++] = argv[0];
  if (argc == 3)
    run_argv[run_argc++] = argv[2];
  run_argv[run_argc] = NULL;
  status = g_application_run (G_APPLICATION (app), run_argc, run_argv);
  return status == 0 && cw_self_test_failed () ? 1 : status;
}
