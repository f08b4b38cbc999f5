/* test-gui-plan-training.c: the Plan page's "Training Step" switch under
 * Xvfb (issue 18: forward and backward side by side for the selected
 * paths), driven as a person does.
 *
 * At the page's defaults (DeepSeek-V4-Flash, sq 65,536, an H200; the
 * reference, materialize, fused and streaming paths checked) the switch
 * plans each path's training profile: streaming-train peaks at
 * 4,072,402,964 B in its backward (forward 1,900,019,712 B, the streaming
 * forward's own peak; 268,435,456 B saved: idx and the scores, which only
 * the loss reads) and fits up
 * to sq = 2,764,390; the fused step's cliff stays at the forward's 376,627.
 * The breakdown shows each pass's peak, the saved buffers and the phases
 * grouped by pass; an engine without a training profile (vLLM) says so;
 * switching back restores the forward plan exactly. The numbers are
 * cliffwatch-cli plan --training's (tests/cli/test-cli-training.py).
 * A screenshot goes to OUTDIR (argv[1]). */
#include "cw-build-config.h"

#include <adwaita.h>
#include <locale.h>
#include <string.h>

#include "cw-plan-page.h"
#include "cw-screenshot.h"

#include "../cw-test.h"

static int settle_count;

static gboolean
settled (gpointer data)
{
  (void) data;
  return ++settle_count > 40;
}

static void
settle (void)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  settle_count = 0;
  while (!settled (NULL) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

/* Every label's and row title's text under `w`, one per line. */
static void
collect_text (GtkWidget *w, GString *out)
{
  if (GTK_IS_LABEL (w) && gtk_widget_get_visible (w))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (w)));
  if (ADW_IS_PREFERENCES_ROW (w))
    g_string_append_printf (out, "%s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)));
  if (ADW_IS_EXPANDER_ROW (w) && adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (w)) != NULL)
    g_string_append_printf (out, "%s\n", adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (w)));
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_text (c, out);
}

static char *
summary_line (const char *summary, const char *name)
{
  g_autofree char *prefix = g_strdup_printf ("%s ", name);

  for (const char *l = summary; l != NULL && *l != '\0';)
    {
      const char *nl = strchr (l, '\n');
      size_t n = nl ? (size_t) (nl - l) : strlen (l);

      if (strncmp (l, prefix, strlen (prefix)) == 0)
        return g_strndup (l, n);
      l = nl ? nl + 1 : NULL;
    }
  return g_strdup ("");
}

/* The value beside a breakdown row titled `title` (the first line after
 * the title's lines: the title is a row title and its label). */
static char *
value_of (const char *text, const char *title)
{
  g_autofree char *line = g_strdup_printf ("%s\n", title);
  const char *p = strstr (text, line), *nl;

  if (p == NULL)
    return g_strdup ("");
  while (g_str_has_prefix (p, line))
    p += strlen (line);
  nl = strchr (p, '\n');
  return g_strndup (p, nl ? (size_t) (nl - p) : strlen (p));
}

int
main (int argc, char **argv)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL, *back = NULL, *shot = NULL;
  GtkWidget *win;
  CwPlanPage *page;

  setlocale (LC_ALL, "");
  if (argc != 2)
    {
      g_printerr ("usage: test-gui-plan-training OUTDIR\n");
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("SKIP: no display\n");
      return 77;
    }
  adw_init ();
  g_mkdir_with_parents (argv[1], 0755);
  settings = g_settings_new ("org.cliffwatch.Cliffwatch");
  page = g_object_new (CW_TYPE_PLAN_PAGE, NULL);
  win = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 900);
  gtk_window_set_child (GTK_WINDOW (win), GTK_WIDGET (page));
  cw_plan_page_bind_settings (page, settings);
  gtk_window_present (GTK_WINDOW (win));
  settle ();

  before = cw_plan_page_dup_summary (page);
  CHECK (!cw_plan_page_get_training (page), "the switch starts off");
  {
    g_autofree char *s = summary_line (before, "streaming");
    CHECK (g_str_has_prefix (s, "streaming peak=1900019712 fits=yes max_sq=7170694") && strstr (s, "forward=") == NULL,
           "forward plan: '%s'\n%s", s, before);
  }
  CHECK (strstr (before, "-train") == NULL, "no training profile listed or planned without the switch:\n%s", before);

  cw_plan_page_set_training (page, TRUE);
  settle ();
  after = cw_plan_page_dup_summary (page);
  CHECK (cw_plan_page_get_training (page), "the switch is on");
  {
    g_autofree char *s = summary_line (after, "streaming-train");
    g_autofree char *f = summary_line (after, "fused-train");
    g_autofree char *r = summary_line (after, "reference-train");
    g_autofree char *m = summary_line (after, "materialize-train");

    CHECK (strcmp (s, "streaming-train peak=4072402964 fits=yes max_sq=2764390 forward=1900019712 backward=4072402964 "
                      "saved=268435456") == 0, "streaming-train: '%s'", s);
    CHECK (strcmp (f, "fused-train peak=20984234004 fits=yes max_sq=376627 forward=5658116096 backward=20984234004 "
                      "saved=268435456") == 0, "fused-train: '%s'", f);
    CHECK (g_str_has_prefix (m, "materialize-train peak=280536023040 fits=no max_sq=47827 forward=280536023040 "),
           "materialize-train: '%s'", m);
    CHECK (g_str_has_prefix (r, "reference-train peak=") && strstr (r, " saved=") != NULL, "reference-train: '%s'", r);
    CHECK (summary_line (after, "streaming")[0] == '\0', "the forward streaming is not planned beside its step");
  }
  {
    g_autoptr(GString) text = g_string_new (NULL);

    collect_text (GTK_WIDGET (page), text);
    CHECK (strstr (text->str, "Training Step") != NULL, "the switch's row is shown");
    CHECK (strstr (text->str, "streaming-train\n") != NULL, "a breakdown row for streaming-train");
    CHECK (strstr (text->str, "(forward 1.77 GiB, backward 3.79 GiB)") != NULL, "both passes' peaks in the subtitle");
    CHECK (strstr (text->str, "Saved for the backward: idx, scores") != NULL, "the saved buffers");
    CHECK (strstr (text->str, "Forward peak, phase “stream”") != NULL && strstr (text->str, "Backward peak, phase “backward”") != NULL,
           "each pass's peak");
    CHECK (strstr (text->str, "Forward, phase “stream”, live") != NULL && strstr (text->str, "Backward, phase “loss”, live") != NULL,
           "phases grouped by pass");
    CHECK (strstr (text->str, "Buffer idx (saved for the backward; live in stream, loss, backward)") != NULL,
           "a saved buffer is marked");
    /* As plan --training says: scores cross into the loss only, idx on into the backward. */
    {
      g_autofree char *only = value_of (text->str, "Into “loss” only (freed after it): scores");
      g_autofree char *on = value_of (text->str, "Into “loss” and on into “backward”: idx");

      /* 4 * b * sq * k bytes each (fp32 scores, int32 idx; k = 512). */
      CHECK (g_str_has_suffix (only, " B (128.00 MiB, 134.22 MB)"), "scores into the loss only: '%s'\n%s", only, text->str);
      CHECK (g_str_has_suffix (on, " B (128.00 MiB, 134.22 MB)"), "idx on into the backward: '%s'", on);
    }
    CHECK (strstr (text->str, "Buffer scores (saved; into “loss” only; live in stream, loss)") != NULL,
           "scores' buffer line");
  }
  shot = g_build_filename (argv[1], "plan-training.png", NULL);
  CHECK (cw_screenshot_save_png (GTK_WIDGET (page), shot, &error), "%s", error != NULL ? error->message : "");

  /* An engine whose profile has no training step says so. */
  CHECK (cw_plan_page_set_engine (page, "vllm-v3.2"), "engine vllm-v3.2");
  settle ();
  {
    g_autofree char *s = cw_plan_page_dup_summary (page);
    g_autoptr(GString) text = g_string_new (NULL);

    collect_text (GTK_WIDGET (page), text);
    CHECK (strstr (s, "vllm training=none\n") != NULL, "vllm has no training step:\n%s", s);
    CHECK (strstr (text->str, "vllm: no training step (no vllm-train profile)") != NULL, "said in the breakdown");
  }
  /* The engine brought its model (V3.2): back to the defaults, switch off. */
  cw_plan_page_reset_inputs (page);
  cw_plan_page_set_training (page, FALSE);
  settle ();
  back = cw_plan_page_dup_summary (page);
  CHECK (strcmp (back, before) == 0, "switching back restores the forward plan:\n%s\nwas\n%s", back, before);

  gtk_window_destroy (GTK_WINDOW (win));
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
