/* cw-plan-page.c: the Plan page.
 *
 * Every input is a GSettings key, so the last session's inputs come back and
 * two windows agree. Any edit schedules one re-plan a moment later (typing
 * "65536" re-plans once, not five times); there is no Apply button. A
 * re-plan evaluates each compared profile at the inputs (breakdown, peak,
 * fits), solves its cliff in sq, sweeps its peak over sq for the chart and
 * overlays the receipts whose configuration matches. Invalid input marks the
 * field and says why in one line; the last good plan stays on screen to
 * compare with but dimmed and insensitive (no hover, no export), so nobody
 * reads it as the answer to what is typed, until the inputs are valid.
 * Owner: workbench. */
#include "cw-build-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cw-format.h"
#include "cw-parse.h"
#include "cw-engine.h"
#include "cw-gui-charts.h"
#include "cw-plan-page.h"
#include "cw-receipt-row.h"

#define REPLAN_DELAY_MS   60

typedef struct {
  const char *field;     /* cw_plan_page_set_field() name */
  const char *key;       /* GSettings key */
  gsize       offset;    /* of the AdwEntryRow pointer in CwPlanPage */
} EntryField;

typedef struct {
  const char *key;
  gsize       offset;    /* of the AdwComboRow pointer */
} ComboField;

struct _CwPlanPage
{
  GtkWidget      parent_instance;

  GSettings     *settings;
  GListModel    *receipts;
  char          *receipts_database;   /* the file `receipts` come from; may be NULL */
  guint          replan_id;
  gboolean       filling;
  char          *message_detail;  /* exact numbers behind the message, as its tooltip */
  GtkWidget     *chunk_budget_hint;  /* "512.00 MiB" beside the field; exact bytes as tooltip */
  GtkWidget     *granularity_hint;
  GtkWidget     *sq_hint;            /* "131,072" beside "128K"; the sk planned beside sk */
  GtkWidget     *prefix_hint;
  GtkWidget     *sk_hint;

  char         **preset_names;
  char         **engine_names;   /* [0] is "" (none); the combo shows "None" */
  CwProfile     *engine_profile; /* the selected engine's profile, its knobs applied; NULL: none */
  char         **gpu_names;
  char         **dtype_names;
  char         **causal_names;
  char         **profile_names;
  CwProfile    **profiles;
  CwProfile    **training;       /* per profile: its training step (NAME-train) or NULL */
  guint          n_profiles;
  gboolean       training_step;  /* plan each checked path's training step */
  GtkSwitch     *training_switch;
  GPtrArray     *profile_checks;

  gboolean       have_config;
  gboolean       results_current;  /* the results shown answer the inputs as typed */
  CwConfig       config;
  uint64_t       usable_bytes;
  char          *summary;
  GPtrArray     *breakdown_rows;
  GPtrArray     *compared;        /* CwProfile * of the last plan, borrowed */
  guint          chart_id;

  /* template children */
  AdwFlap             *flap;
  AdwComboRow         *preset_row;
  AdwComboRow         *engine_row;
  AdwComboRow         *gpu_row;
  AdwEntryRow         *reserve_row;
  AdwActionRow        *usable_row;
  AdwEntryRow         *batch_row;
  AdwEntryRow         *heads_row;
  AdwEntryRow         *head_dim_row;
  AdwEntryRow         *sq_row;
  AdwEntryRow         *prefix_row;
  AdwEntryRow         *ratio_row;
  AdwEntryRow         *sk_row;
  AdwEntryRow         *topk_row;
  AdwEntryRow         *chunk_budget_row;
  AdwEntryRow         *granularity_row;
  AdwComboRow         *q_dtype_row;
  AdwComboRow         *k_dtype_row;
  AdwComboRow         *score_dtype_row;
  AdwComboRow         *index_dtype_row;
  AdwComboRow         *causal_row;
  AdwPreferencesGroup *profiles_group;
  GtkRevealer         *message_revealer;
  GtkLabel            *message_label;
  GtkStack            *chart_stack;
  CwChartView         *chart_view;
  GtkWidget           *breakdown_window;
  GtkListBox          *breakdown_list;
};

enum {
  CONFIG_CHANGED,
  RECEIPT_ACTIVATED,
  N_SIGNALS
};

enum {
  PROP_0,
  PROP_RESULTS_CURRENT,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CwPlanPage, cw_plan_page, GTK_TYPE_WIDGET)

static const EntryField entry_fields[] = {
  { "reserve",  "reserve",  G_STRUCT_OFFSET (CwPlanPage, reserve_row) },
  { "batch",    "batch",    G_STRUCT_OFFSET (CwPlanPage, batch_row) },
  { "heads",    "heads",    G_STRUCT_OFFSET (CwPlanPage, heads_row) },
  { "head-dim", "head-dim", G_STRUCT_OFFSET (CwPlanPage, head_dim_row) },
  { "sq",       "sq",       G_STRUCT_OFFSET (CwPlanPage, sq_row) },
  { "prefix",   "prefix",   G_STRUCT_OFFSET (CwPlanPage, prefix_row) },
  { "ratio",    "ratio",    G_STRUCT_OFFSET (CwPlanPage, ratio_row) },
  { "sk",       "sk",       G_STRUCT_OFFSET (CwPlanPage, sk_row) },
  { "topk",     "topk",     G_STRUCT_OFFSET (CwPlanPage, topk_row) },
  { "chunk-budget", "chunk-budget", G_STRUCT_OFFSET (CwPlanPage, chunk_budget_row) },
  { "granularity", "granularity", G_STRUCT_OFFSET (CwPlanPage, granularity_row) },
};

#define ENTRY(self, f) (*(AdwEntryRow **) G_STRUCT_MEMBER_P ((self), (f)->offset))
#define COMBO(self, f) (*(AdwComboRow **) G_STRUCT_MEMBER_P ((self), (f)->offset))

static const char *
entry_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
set_entry_text (AdwEntryRow *row, const char *text)
{
  if (g_strcmp0 (entry_text (row), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static guint
strv_index (char **names, const char *name)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (g_ascii_strcasecmp (names[i], name) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static const char *
combo_name (AdwComboRow *row, char **names)
{
  guint i = adw_combo_row_get_selected (row);

  if (names == NULL || i == GTK_INVALID_LIST_POSITION || i >= g_strv_length (names))
    return NULL;
  return names[i];
}

static void
combo_select (AdwComboRow *row, char **names, const char *name)
{
  guint i = strv_index (names, name);

  if (i != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (row, i);
}

static void
combo_set_names (AdwComboRow *row, char **names)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new ((const char * const *) names);

  adw_combo_row_set_model (row, G_LIST_MODEL (model));
}

/* Library string vectors are malloc'd (cw_strv_free); keep GLib copies. */
static char **
take_cw_strv (char **strv)
{
  char **copy;

  if (strv == NULL)
    return g_new0 (char *, 1);
  copy = g_strdupv (strv);
  cw_strv_free (strv);
  return copy;
}

static void
show_message (CwPlanPage *self, const char *message)
{
  /* The planner's messages print plain integers; people read them here. */
  g_autofree char *readable = cw_format_group_numbers_in_text (message);

  gtk_label_set_text (self->message_label, readable != NULL ? readable : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->message_label), message != NULL ? self->message_detail : NULL);
  g_clear_pointer (&self->message_detail, g_free);
  gtk_revealer_set_reveal_child (self->message_revealer, message != NULL);
}

/* ---- parsing the inputs -------------------------------------------------- */

static gboolean
parse_field (CwPlanPage *self, AdwEntryRow *row, const char *label, gboolean positive,
             uint64_t *out, GString *errors)
{
  CwError error = { 0 };
  const char *text = entry_text (row);
  gboolean ok;

  ok = positive ? cw_parse_positive_u64 (label, text, true, out, &error)
                : cw_parse_u64 (label, text, true, out, &error);

  if (ok)
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      if (errors->len == 0)
        g_string_append (errors, error.message);
    }

  return ok;
}

static gboolean
parse_dtype (AdwComboRow *row, char **names, CwDtype *out, GString *errors)
{
  CwError error = { 0 };
  const char *name = combo_name (row, names);

  if (name != NULL && cw_dtype_from_name (name, out, &error))
    return TRUE;

  if (errors->len == 0)
    g_string_append_printf (errors, _("%s: no dtype selected"), adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  return FALSE;
}

/* Reads every input into *config; fills *usable. The first problem goes to
 * errors as one line. */
static gboolean
read_inputs (CwPlanPage *self, CwConfig *config, uint64_t *usable, uint64_t *total, GString *errors)
{
  g_autoptr(GString) ignored = g_string_new (NULL);
  CwError error = { 0 };
  const char *preset = combo_name (self->preset_row, self->preset_names);
  const char *gpu_name = combo_name (self->gpu_row, self->gpu_names);
  const char *causal = combo_name (self->causal_row, self->causal_names);
  gboolean ok = TRUE;
  uint64_t reserve = 0;
  CwGpu *gpu;

  cw_config_init_default (config);
  /* Start from the preset so the inputs this page does not show (the
   * weights dtype) keep the preset's values. */
  if (preset != NULL)
    cw_preset_lookup (preset, config, NULL);

  ok &= parse_field (self, self->batch_row, "b", TRUE, &config->b, errors);
  ok &= parse_field (self, self->heads_row, "h", TRUE, &config->h, errors);
  ok &= parse_field (self, self->head_dim_row, "d", TRUE, &config->d, errors);
  ok &= parse_field (self, self->sq_row, "sq", TRUE, &config->sq, errors);
  /* An empty prefix is a whole prompt; with one, sk follows prefix + sq
   * (the CLI's --prefix), so the sk field is not read. */
  config->prefix = 0;
  if (entry_text (self->prefix_row)[0] == '\0')
    gtk_widget_remove_css_class (GTK_WIDGET (self->prefix_row), "error");
  else
    ok &= parse_field (self, self->prefix_row, _("prefix"), FALSE, &config->prefix, errors);
  ok &= parse_field (self, self->ratio_row, "m", FALSE, &config->ratio, errors);
  if (config->prefix != 0)
    {
      config->sk = 0;
      gtk_widget_remove_css_class (GTK_WIDGET (self->sk_row), "error");
    }
  else if (config->ratio != 0 && entry_text (self->sk_row)[0] == '\0')
    {
      config->sk = 0;
      gtk_widget_remove_css_class (GTK_WIDGET (self->sk_row), "error");
    }
  else
    ok &= parse_field (self, self->sk_row, "sk", config->ratio == 0, &config->sk, errors);
  ok &= parse_field (self, self->topk_row, "k", TRUE, &config->top_k, errors);
  ok &= parse_field (self, self->chunk_budget_row, _("chunk budget"), TRUE, &config->chunk_budget_bytes, errors);
  ok &= parse_field (self, self->granularity_row, _("granularity"), TRUE, &config->granularity, errors);

  ok &= parse_dtype (self->q_dtype_row, self->dtype_names, &config->q_dtype, errors);
  ok &= parse_dtype (self->k_dtype_row, self->dtype_names, &config->k_dtype, errors);
  ok &= parse_dtype (self->score_dtype_row, self->dtype_names, &config->score_dtype, errors);
  ok &= parse_dtype (self->index_dtype_row, self->dtype_names, &config->index_dtype, errors);

  if (causal == NULL || !cw_causal_from_name (causal, &config->causal, &error))
    {
      if (errors->len == 0)
        g_string_append (errors, causal == NULL ? _("No causal rule selected") : error.message);
      ok = FALSE;
    }

  if (!ok)
    return FALSE;

  if (!cw_config_validate (config, &error))
    {
      g_string_append (errors, error.message);
      return FALSE;
    }

  if (gpu_name == NULL)
    {
      g_string_append (errors, _("No GPU selected"));
      return FALSE;
    }

  gpu = cw_gpu_lookup (gpu_name, &error);
  if (gpu == NULL)
    {
      g_string_append (errors, error.message);
      return FALSE;
    }

  *total = gpu->total_bytes;
  reserve = gpu->reserve_bytes;
  if (entry_text (self->reserve_row)[0] != '\0' &&
      !parse_field (self, self->reserve_row, _("reserve"), FALSE, &reserve, errors))
    {
      cw_gpu_free (gpu);
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->reserve_row), "error");
  cw_gpu_free (gpu);

  if (reserve > *total)
    {
      g_autofree char *reserve_text = cw_format_size (reserve);
      g_autofree char *total_text = cw_format_size (*total);
      g_autofree char *reserve_exact = cw_format_size_exact (reserve);
      g_autofree char *total_exact = cw_format_size_exact (*total);

      gtk_widget_add_css_class (GTK_WIDGET (self->reserve_row), "error");
      /* Translators: two sizes, e.g. "Reserve 200.00 GiB is larger than the GPU’s 140.40 GiB" */
      g_string_append_printf (errors, _("Reserve %s is larger than the GPU’s %s"), reserve_text, total_text);
      g_free (self->message_detail);
      /* Translators: exact reserve and GPU memory, e.g. "214,748,364,800 B (200.00 GiB, 214.75 GB)" */
      self->message_detail = g_strdup_printf (_("Reserve: %s\nGPU: %s"), reserve_exact, total_exact);
      return FALSE;
    }

  if (!cw_gpu_usable_bytes (*total, reserve, usable, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->reserve_row), "error");
      g_string_append (errors, error.message);
      return FALSE;
    }

  return TRUE;
}

/* ---- the breakdown ------------------------------------------------------- */

static gboolean
profile_is_compared (CwPlanPage *self, guint i)
{
  return gtk_check_button_get_active (g_ptr_array_index (self->profile_checks, i));
}

static GtkWidget *
new_breakdown_line (const char *title, const char *value, gboolean bold)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "cw-mono");
  if (bold)
    gtk_widget_add_css_class (label, "cw-breakdown-peak");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

static void
clear_breakdown (CwPlanPage *self)
{
  for (guint i = 0; i < self->breakdown_rows->len; i++)
    gtk_list_box_remove (self->breakdown_list, g_ptr_array_index (self->breakdown_rows, i));
  g_ptr_array_set_size (self->breakdown_rows, 0);
}

/* A training step's breakdown: each pass's peak, what crosses the boundary,
 * then the phases grouped by pass. */
static void
add_training_lines (AdwExpanderRow *expander, const CwPlan *plan)
{
  char bytes[CW_FORMAT_SIZE_EXACT_MAX];
  g_autoptr(GString) saved = g_string_new (NULL);
  g_autofree char *saved_title = NULL;
  unsigned nf = cw_plan_get_n_forward_phases (plan);

  for (int g = 0; g < 2; g++)
    {
      unsigned ph = g ? cw_plan_get_backward_peak_phase (plan) : cw_plan_get_forward_peak_phase (plan);
      /* Translators: the forward's (backward's) largest live bytes and the phase it is reached in */
      g_autofree char *title = g_strdup_printf (g ? _("Backward peak, phase “%s”") : _("Forward peak, phase “%s”"),
                                                cw_plan_get_phase_name (plan, ph));

      cw_format_size_exact_to_buffer (g ? cw_plan_get_backward_peak_bytes (plan) : cw_plan_get_forward_peak_bytes (plan),
                                      bytes, sizeof bytes);
      adw_expander_row_add_row (expander, new_breakdown_line (title, bytes, ph == cw_plan_get_peak_phase (plan)));
    }
  for (unsigned b = 0; b < cw_plan_get_n_buffers (plan); b++)
    if (cw_plan_get_buffer_is_saved (plan, b))
      g_string_append_printf (saved, "%s%s", saved->len ? ", " : "", cw_plan_get_buffer_name (plan, b));
  /* Translators: the buffers the forward keeps for the backward, listed by name ("nothing" when none) */
  saved_title = g_strdup_printf (_("Saved for the backward: %s"), saved->len ? saved->str : _("nothing"));
  cw_format_size_exact_to_buffer (cw_plan_get_saved_bytes (plan), bytes, sizeof bytes);
  adw_expander_row_add_row (expander, new_breakdown_line (saved_title, bytes, FALSE));
  /* Where the backward begins with the loss, what crosses into the loss
   * only is not what the backward proper reads: say which is which. */
  if (cw_plan_get_saved_first_backward_phase_only_bytes (plan) > 0)
    for (int only = 1; only >= 0; only--)
      {
        g_autoptr(GString) names = g_string_new (NULL);
        g_autofree char *title = NULL;
        uint64_t sum = 0;

        for (unsigned b = 0; b < cw_plan_get_n_buffers (plan); b++)
          if (cw_plan_get_buffer_is_saved (plan, b) &&
              cw_plan_get_buffer_is_saved_first_backward_phase_only (plan, b) == (gboolean) only)
            {
              g_string_append_printf (names, "%s%s", names->len ? ", " : "", cw_plan_get_buffer_name (plan, b));
              sum += cw_plan_get_buffer_bytes (plan, b);
            }
        title = only
                /* Translators: saved buffers only the backward's first phase (the loss) reads, which frees
                 * them; %1$s is that phase's name, %2$s the buffers ("nothing" when none) */
                ? g_strdup_printf (_("Into “%1$s” only (freed after it): %2$s"), cw_plan_get_phase_name (plan, nf),
                                   names->len ? names->str : _("nothing"))
                /* Translators: saved buffers that reach the backward's later phases; %1$s and %2$s are the
                 * backward's first two phases, %3$s the buffers ("nothing" when none) */
                : g_strdup_printf (_("Into “%1$s” and on into “%2$s”: %3$s"), cw_plan_get_phase_name (plan, nf),
                                   cw_plan_get_phase_name (plan, nf + 1), names->len ? names->str : _("nothing"));
        cw_format_size_exact_to_buffer (sum, bytes, sizeof bytes);
        adw_expander_row_add_row (expander, new_breakdown_line (title, bytes, FALSE));
      }
  for (unsigned p = 0; p < cw_plan_get_n_phases (plan); p++)
    {
      /* Translators: a phase of a training step's forward (backward) pass and its live bytes */
      g_autofree char *title = g_strdup_printf (p < nf ? _("Forward, phase “%s”, live") : _("Backward, phase “%s”, live"),
                                                cw_plan_get_phase_name (plan, p));

      cw_format_size_exact_to_buffer (cw_plan_get_phase_live_bytes (plan, p), bytes, sizeof bytes);
      adw_expander_row_add_row (expander, new_breakdown_line (title, bytes, p == cw_plan_get_peak_phase (plan)));
    }
}

static void
add_profile_breakdown (CwPlanPage *self, const CwProfile *profile, const CwPlan *plan,
                       gboolean have_cliff, uint64_t max_sq, GString *summary)
{
  char bytes[CW_FORMAT_SIZE_EXACT_MAX], gib[CW_BYTES_FORMAT_SIZE];
  uint64_t peak = cw_plan_get_peak_bytes (plan);
  gboolean fits = peak <= self->usable_bytes;
  g_autofree char *subtitle = NULL;
  g_autofree char *cliff = NULL;
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *verdict;

  cw_bytes_format_gib (peak, gib, sizeof gib);
  if (!have_cliff)
    cliff = g_strdup (_("cliff unknown"));
  else if (max_sq == 0)
    cliff = g_strdup (_("does not fit at any sq"));
  else
    {
      g_autofree char *number = cw_format_count (max_sq);

      /* Translators: %s is the largest context length that still fits, digits grouped ("36,543,232"). */
      cliff = g_strdup_printf (_("fits up to sq = %s"), number);
    }

  if (cw_profile_is_training (profile))
    {
      char fw[CW_BYTES_FORMAT_SIZE], bw[CW_BYTES_FORMAT_SIZE];

      cw_bytes_format_gib (cw_plan_get_forward_peak_bytes (plan), fw, sizeof fw);
      cw_bytes_format_gib (cw_plan_get_backward_peak_bytes (plan), bw, sizeof bw);
      /* Translators: a training step: the step's peak, its phase, the forward's and the backward's
       * peaks (sizes like "16.00 GiB"), then the cliff sentence. */
      subtitle = g_strdup_printf (_("peak %s in phase “%s” (forward %s, backward %s); %s"), gib,
                                  cw_plan_get_phase_name (plan, cw_plan_get_peak_phase (plan)), fw, bw, cliff);
    }
  else
    /* Translators: first %s is a size ("16.00 GiB"), second a phase name, third the cliff sentence. */
    subtitle = g_strdup_printf (_("peak %s in phase “%s”; %s"), gib,
                                cw_plan_get_phase_name (plan, cw_plan_get_peak_phase (plan)), cliff);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), cw_profile_get_name (profile));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
  gtk_widget_set_tooltip_text (expander, cw_profile_get_description (profile));

  verdict = gtk_label_new (fits ? _("fits") : _("does not fit"));
  gtk_widget_add_css_class (verdict, fits ? "cw-fits" : "cw-does-not-fit");
  gtk_widget_add_css_class (verdict, "heading");
  adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), verdict);

  cw_format_size_exact_to_buffer (peak, bytes, sizeof bytes);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), new_breakdown_line (_("Peak"), bytes, TRUE));

  if (cw_profile_is_training (profile))
    add_training_lines (ADW_EXPANDER_ROW (expander), plan);
  else
    for (unsigned p = 0; p < cw_plan_get_n_phases (plan); p++)
      {
        g_autofree char *title = g_strdup_printf (_("Phase “%s”, live"), cw_plan_get_phase_name (plan, p));

        cw_format_size_exact_to_buffer (cw_plan_get_phase_live_bytes (plan, p), bytes, sizeof bytes);
        adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), new_breakdown_line (title, bytes, p == cw_plan_get_peak_phase (plan)));
      }

  for (unsigned b = 0; b < cw_plan_get_n_buffers (plan); b++)
    {
      g_autoptr(GString) phases = g_string_new (NULL);
      g_autofree char *title = NULL;

      for (unsigned p = 0; p < cw_plan_get_n_phases (plan); p++)
        if (cw_plan_get_buffer_live_in (plan, b, p))
          g_string_append_printf (phases, "%s%s", phases->len ? ", " : "", cw_plan_get_phase_name (plan, p));

      if (cw_plan_get_buffer_is_saved_first_backward_phase_only (plan, b))
        /* Translators: a saved buffer only the backward's first phase reads: buffer name, that
         * phase's name, then the phases the buffer is live in */
        title = g_strdup_printf (_("Buffer %1$s (saved; into “%2$s” only; live in %3$s)"), cw_plan_get_buffer_name (plan, b),
                                 cw_plan_get_phase_name (plan, cw_plan_get_n_forward_phases (plan)), phases->str);
      else
        /* Translators: buffer name, then the phases it is live in. */
        title = g_strdup_printf (cw_plan_get_buffer_is_input (plan, b) ? _("Buffer %s (input; live in %s)")
                                 /* Translators: a buffer the forward keeps for the backward */
                                 : cw_plan_get_buffer_is_saved (plan, b) ? _("Buffer %s (saved for the backward; live in %s)")
                                                                         : _("Buffer %s (live in %s)"),
                                 cw_plan_get_buffer_name (plan, b), phases->str);
      cw_format_size_exact_to_buffer (cw_plan_get_buffer_bytes (plan, b), bytes, sizeof bytes);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), new_breakdown_line (title, bytes, FALSE));
    }

  gtk_list_box_append (self->breakdown_list, expander);
  g_ptr_array_add (self->breakdown_rows, expander);

  g_string_append_printf (summary, "%s peak=%" G_GUINT64_FORMAT " fits=%s max_sq=%" G_GUINT64_FORMAT,
                          cw_profile_get_name (profile), peak, fits ? "yes" : "no",
                          have_cliff ? max_sq : 0);
  if (cw_profile_is_training (profile))
    g_string_append_printf (summary, " forward=%" G_GUINT64_FORMAT " backward=%" G_GUINT64_FORMAT
                            " saved=%" G_GUINT64_FORMAT, cw_plan_get_forward_peak_bytes (plan),
                            cw_plan_get_backward_peak_bytes (plan), cw_plan_get_saved_bytes (plan));
  g_string_append_c (summary, '\n');
}

/* ---- re-planning ---------------------------------------------------------- */

/* A size field's value as people read it, beside the field. */
static GtkWidget *
new_size_hint (AdwEntryRow *row)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "numeric");
  adw_entry_row_add_suffix (row, label);
  return label;
}

/* A count beside its field, grouped, where the field is hard to read: five
 * digits or more, or a suffix ("128K" is 131,072). */
static void
set_count_hint (GtkWidget *label, AdwEntryRow *row, guint64 value)
{
  const char *text = entry_text (row);
  gboolean plain = TRUE;
  g_autofree char *count = NULL;

  for (const char *p = text; *p != '\0'; p++)
    plain &= g_ascii_isdigit (*p);
  if (text[0] != '\0' && (value >= 10000 || !plain))
    count = cw_format_count (value);
  gtk_label_set_text (GTK_LABEL (label), count != NULL ? count : "");
}

static void
set_size_hint (GtkWidget *label, guint64 bytes)
{
  g_autofree char *size = cw_format_size (bytes);
  g_autofree char *exact = cw_format_size_exact (bytes);

  gtk_label_set_text (GTK_LABEL (label), size);
  gtk_widget_set_tooltip_text (label, exact);
}

/* Dims the results (chart, usable memory, breakdown) while the inputs are
 * wrong, and makes them insensitive so no stale tooltip or click answers. */
static void
set_results_current (CwPlanPage *self, gboolean current)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->chart_stack), current);
  gtk_widget_set_sensitive (self->breakdown_window, current);
  gtk_widget_set_sensitive (GTK_WIDGET (self->usable_row), current);
  if (self->results_current == current)
    return;
  self->results_current = current;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULTS_CURRENT]);
}

/* The training step of a compared profile: the list's NAME-train, also for
 * the engine's profile (its knobs are not carried over: no training profile
 * of an engine has them). NULL when there is none. */
static CwProfile *
training_of (CwPlanPage *self, const CwProfile *profile)
{
  for (guint i = 0; i < self->n_profiles; i++)
    if (g_strcmp0 (cw_profile_get_name (self->profiles[i]), cw_profile_get_name (profile)) == 0)
      return self->training[i];
  return NULL;
}

static void
replan (CwPlanPage *self)
{
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autoptr(GPtrArray) chart_series = g_ptr_array_new ();
  CwConfig config;
  uint64_t usable = 0, total = 0;
  char total_text[CW_BYTES_FORMAT_SIZE], usable_text[CW_BYTES_FORMAT_SIZE];
  g_autofree char *usable_subtitle = NULL;
  CwPlanChartInput chart_input = { 0 };

  if (self->profiles == NULL)
    return;

  if (!read_inputs (self, &config, &usable, &total, errors))
    {
      show_message (self, errors->str);
      g_free (self->summary);
      self->summary = g_strdup_printf ("error: %s\n", gtk_label_get_text (self->message_label));
      /* A size read back beside a field that no longer holds it would lie. */
      if (gtk_widget_has_css_class (GTK_WIDGET (self->chunk_budget_row), "error"))
        gtk_label_set_text (GTK_LABEL (self->chunk_budget_hint), "");
      if (gtk_widget_has_css_class (GTK_WIDGET (self->granularity_row), "error"))
        gtk_label_set_text (GTK_LABEL (self->granularity_hint), "");
      gtk_label_set_text (GTK_LABEL (self->sq_hint), "");
      gtk_label_set_text (GTK_LABEL (self->prefix_hint), "");
      gtk_label_set_text (GTK_LABEL (self->sk_hint), "");
      set_results_current (self, FALSE);
      return;
    }

  show_message (self, NULL);
  set_results_current (self, TRUE);
  set_size_hint (self->chunk_budget_hint, config.chunk_budget_bytes);
  set_size_hint (self->granularity_hint, config.granularity);
  set_count_hint (self->sq_hint, self->sq_row, config.sq);
  set_count_hint (self->prefix_hint, self->prefix_row, config.prefix);
  /* sk follows sq (and the prefix) when there is a ratio or a prefix: say
   * what it comes to, as the field itself is not read then. */
  if (config.sk == 0)
    {
      g_autofree char *sk = cw_format_count (cw_config_get_sk (&config));
      /* Translators: %s is the number of key positions the plan uses, e.g. "= 32,768" */
      g_autofree char *text = g_strdup_printf (_("= %s"), sk);

      gtk_label_set_text (GTK_LABEL (self->sk_hint), text);
      gtk_widget_set_tooltip_text (self->sk_hint, _("The key positions planned: (cached prefix + sq) / ratio"));
    }
  else
    {
      set_count_hint (self->sk_hint, self->sk_row, config.sk);
      gtk_widget_set_tooltip_text (self->sk_hint, NULL);
    }
  self->config = config;
  self->usable_bytes = usable;
  self->have_config = TRUE;

  cw_bytes_format_gib (usable, usable_text, sizeof usable_text);
  cw_bytes_format_gib (total, total_text, sizeof total_text);
  /* Translators: usable of total memory, e.g. "131.00 GiB of 139.80 GiB". */
  usable_subtitle = g_strdup_printf (_("%s of %s"), usable_text, total_text);
  adw_action_row_set_subtitle (self->usable_row, usable_subtitle);
  {
    g_autofree char *usable_exact = cw_format_size_exact (usable);
    g_autofree char *total_exact = cw_format_size_exact (total);
    /* Translators: exact usable and total memory, one per line */
    g_autofree char *tooltip = g_strdup_printf (_("Usable: %s\nTotal: %s"), usable_exact, total_exact);

    gtk_widget_set_tooltip_text (GTK_WIDGET (self->usable_row), tooltip);
  }

  clear_breakdown (self);

  chart_input.config = &config;
  chart_input.usable_bytes = usable;
  chart_input.receipts = self->receipts;
  chart_input.database = self->receipts_database;
  chart_input.gpu_name = combo_name (self->gpu_row, self->gpu_names);
  chart_input.preset = combo_name (self->preset_row, self->preset_names);
  chart_input.engine = combo_name (self->engine_row, self->engine_names);

  /* The engine's profile (its knobs applied) first; the list's copy of the
   * same profile, at the profile's own defaults, is then left out. */
  {
    g_autoptr(GPtrArray) planned = g_ptr_array_new ();

    if (self->engine_profile != NULL)
      g_ptr_array_add (planned, self->engine_profile);
    for (guint i = 0; i < self->n_profiles; i++)
      if (profile_is_compared (self, i)
          && (self->engine_profile == NULL
              || g_strcmp0 (cw_profile_get_name (self->profiles[i]), cw_profile_get_name (self->engine_profile)) != 0))
        g_ptr_array_add (planned, self->profiles[i]);

    for (guint i = 0; i < planned->len; i++)
      {
        CwProfile *profile = g_ptr_array_index (planned, i);
        CwError error = { 0 };
        CwPlan *plan;
        uint64_t max_sq = 0;
        gboolean have_cliff;

        if (self->training_step && (profile = training_of (self, profile)) == NULL)
          {
            const char *name = cw_profile_get_name (g_ptr_array_index (planned, i));
            /* Translators: a checked path with no training profile (NAME-train) while "Training step" is on */
            g_autofree char *line = g_strdup_printf (_("%s: no training step (no %s-train profile)"), name, name);
            GtkWidget *row = new_breakdown_line (line, "", FALSE);

            gtk_list_box_append (self->breakdown_list, row);
            g_ptr_array_add (self->breakdown_rows, row);
            g_string_append_printf (summary, "%s training=none\n", name);
            continue;
          }

        plan = cw_plan_new (profile, &config, &error);
        if (plan == NULL)
          {
            g_autofree char *line = g_strdup_printf ("%s: %s", cw_profile_get_name (profile), error.message);
            GtkWidget *row = new_breakdown_line (line, "", FALSE);

            gtk_list_box_append (self->breakdown_list, row);
            g_ptr_array_add (self->breakdown_rows, row);
            g_string_append_printf (summary, "%s error=%s\n", cw_profile_get_name (profile), error.message);
            continue;
          }

        have_cliff = cw_cliff_max_sq (profile, &config, usable, &max_sq, &error);
        add_profile_breakdown (self, profile, plan, have_cliff, max_sq, summary);
        g_ptr_array_add (chart_series, profile);
        cw_plan_free (plan);
      }
  }

  g_free (self->summary);
  self->summary = g_string_free (g_steal_pointer (&summary), FALSE);

  chart_input.profiles = (const CwProfile **) chart_series->pdata;
  chart_input.n_profiles = chart_series->len;
  cw_chart_view_set_chart (self->chart_view, cw_gui_chart_cliff (&chart_input));
  /* No curve to draw: say how to get one rather than show empty axes. */
  gtk_stack_set_visible_child_name (self->chart_stack, chart_series->len > 0 ? "chart" : "no-profile");
  g_ptr_array_set_size (self->compared, 0);
  g_ptr_array_extend (self->compared, chart_series, NULL, NULL);

  g_signal_emit (self, signals[CONFIG_CHANGED], 0);
}

static gboolean
replan_timeout (gpointer user_data)
{
  CwPlanPage *self = user_data;

  self->replan_id = 0;
  replan (self);
  return G_SOURCE_REMOVE;
}

static void
queue_replan (CwPlanPage *self)
{
  if (self->filling)
    return;
  g_clear_handle_id (&self->replan_id, g_source_remove);
  self->replan_id = g_timeout_add (REPLAN_DELAY_MS, replan_timeout, self);
}

/* New receipts change only the overlay: redraw the chart from the last
 * plan, without rebuilding the breakdown. */
static gboolean
rebuild_chart (gpointer user_data)
{
  CwPlanPage *self = user_data;
  CwPlanChartInput chart_input = { 0 };

  self->chart_id = 0;
  if (!self->have_config)
    return G_SOURCE_REMOVE;

  chart_input.config = &self->config;
  chart_input.usable_bytes = self->usable_bytes;
  chart_input.receipts = self->receipts;
  chart_input.database = self->receipts_database;
  chart_input.gpu_name = combo_name (self->gpu_row, self->gpu_names);
  chart_input.preset = combo_name (self->preset_row, self->preset_names);
  chart_input.engine = combo_name (self->engine_row, self->engine_names);
  chart_input.profiles = (const CwProfile **) self->compared->pdata;
  chart_input.n_profiles = self->compared->len;
  cw_chart_view_set_chart (self->chart_view, cw_gui_chart_cliff (&chart_input));
  return G_SOURCE_REMOVE;
}

static void
queue_chart_rebuild (CwPlanPage *self)
{
  g_clear_handle_id (&self->chart_id, g_source_remove);
  self->chart_id = g_timeout_add (REPLAN_DELAY_MS, rebuild_chart, self);
}

/* ---- receipts on the chart ------------------------------------------------ */

static CwReceiptRow *
dup_receipt_row (CwPlanPage *self, guint position)
{
  if (self->receipts == NULL || position >= g_list_model_get_n_items (self->receipts))
    return NULL;
  return g_list_model_get_item (self->receipts, position);
}

static char *
receipt_tooltip (CwChartView *view, const CwChartHit *hit, gpointer user_data)
{
  CwPlanPage *self = user_data;
  g_autoptr(CwReceiptRow) row = NULL;
  const CwReceipt *r;
  char bytes[CW_FORMAT_SIZE_EXACT_MAX], id[32], sq[48];

  /* Only receipt points carry tags into the receipts list; curves have none. */
  if (g_strcmp0 (cw_chart_layer_get_kind (cw_chart_get_layer (cw_chart_view_get_chart (view), hit->layer)), "point") != 0)
    return NULL;
  row = dup_receipt_row (self, (guint) hit->tag);
  if (row == NULL)
    return NULL;
  r = cw_receipt_row_get_receipt (row);
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, r->id);
  {
    g_autofree char *grouped = cw_format_count (r->config.sq);

    g_strlcpy (sq, grouped, sizeof sq);
  }
  if (r->status == CW_RECEIPT_STATUS_OOM)
    {
      cw_format_size_exact_to_buffer (r->oom_request_bytes, bytes, sizeof bytes);
      /* Translators: receipt id, lane, sq, bytes of the request that failed */
      return g_strdup_printf (_("Receipt %s: %s at sq=%s ran out of memory asking for %s (Enter or click: details)"),
                              id, r->lane, sq, bytes);
    }
  cw_format_size_exact_to_buffer (r->measured_peak_bytes, bytes, sizeof bytes);
  /* Translators: receipt id, lane, sq, measured peak bytes */
  return g_strdup_printf (_("Receipt %s: %s at sq=%s measured %s (Enter or click: details)"), id, r->lane, sq, bytes);
}

static void
receipt_activated_cb (CwChartView *view, guint layer, guint tag, CwPlanPage *self)
{
  g_autoptr(CwReceiptRow) row = NULL;

  if (g_strcmp0 (cw_chart_layer_get_kind (cw_chart_get_layer (cw_chart_view_get_chart (view), layer)), "point") != 0)
    return;
  row = dup_receipt_row (self, tag);
  if (row != NULL)
    g_signal_emit (self, signals[RECEIPT_ACTIVATED], 0, (gint64) cw_receipt_row_get_receipt (row)->id);
}

/* ---- hovering the cliff chart ---------------------------------------------- */

/* The sq a pointer's pixel column stands for: the integer in x_lo..x_hi
 * divisible by the largest power of two, so the column holding 131,072
 * reads 131,072 (not 131,187), then x rounded when the column holds no
 * integer. */
static guint64
snap_sq (double x, double x_lo, double x_hi)
{
  guint64 lo, hi;

  if (!(x_hi >= 1.0) || !(x_lo < 1e18))
    return 0;
  /* A column whose edge is the sq itself, off by rounding, still holds it. */
  lo = (guint64) ceil (MAX (x_lo * (1.0 - 1e-9), 1.0));
  hi = (guint64) floor (MIN (x_hi * (1.0 + 1e-9), 1e18));
  if (hi < lo)
    return (guint64) MAX (llround (x), 1);
  for (int k = 62; k > 0; k--)
    {
      guint64 m = G_GUINT64_CONSTANT (1) << k;
      guint64 v = (lo + m - 1) / m * m;   /* lo <= 1e18 < 2^60: no overflow */

      if (v >= lo && v <= hi)
        return v;
    }
  return lo;
}

/* The tooltip over the plot: each drawn curve's exact peak at the pointer's
 * sq, planned there with the page's configuration (as the curve's own
 * samples are), not read off the pixels. */
static char *
sq_hover_text (CwChartView *view, double x, double y, double x_lo, double x_hi, gpointer user_data)
{
  CwPlanPage *self = user_data;
  g_autoptr(GString) text = NULL;
  g_autofree char *sq_text = NULL;
  guint64 sq;

  if (!self->have_config || !self->results_current || self->compared->len == 0)
    return NULL;
  sq = snap_sq (x, x_lo, x_hi);
  if (sq == 0)
    return NULL;

  sq_text = cw_format_count (sq);
  text = g_string_new (NULL);
  /* Translators: %s is the context length under the pointer, grouped ("131,072") */
  g_string_append_printf (text, _("At sq = %s:"), sq_text);
  for (guint i = 0; i < self->compared->len; i++)
    {
      const CwProfile *profile = g_ptr_array_index (self->compared, i);
      CwConfig config = self->config;
      CwError error = { 0 };
      uint64_t peak = 0;

      config.sq = sq;
      if (config.ratio != 0 || config.prefix != 0)
        config.sk = 0;   /* sk follows (prefix + sq) / m, as on the curve */
      g_string_append_c (text, '\n');
      if (!cw_plan_eval_peak (profile, &config, &peak, &error))
        {
          g_autofree char *reason = cw_format_group_numbers_in_text (error.message);

          /* Translators: profile name, then the planner's reason */
          g_string_append_printf (text, _("%s: not planned (%s)"), cw_profile_get_name (profile), reason);
          continue;
        }
      {
        g_autofree char *size = cw_format_size (peak);
        g_autofree char *exact = cw_format_count (peak);

        if (peak <= self->usable_bytes)
          /* Translators: profile name, peak in binary units ("16.00 GiB"), exact bytes grouped */
          g_string_append_printf (text, _("%s: %s (%s B), fits"), cw_profile_get_name (profile), size, exact);
        else
          /* Translators: profile name, peak in binary units ("16.00 GiB"), exact bytes grouped */
          g_string_append_printf (text, _("%s: %s (%s B), does not fit"), cw_profile_get_name (profile), size, exact);
      }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- presets and settings ------------------------------------------------- */

static void
fill_from_preset (CwPlanPage *self, const char *preset)
{
  CwConfig config;
  CwError error = { 0 };
  char text[32];

  if (!cw_preset_lookup (preset, &config, &error))
    {
      show_message (self, error.message);
      return;
    }

  self->filling = TRUE;
#define SET_U64(row, v) G_STMT_START { g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, (guint64) (v)); set_entry_text ((row), text); } G_STMT_END
  SET_U64 (self->batch_row, config.b);
  SET_U64 (self->heads_row, config.h);
  SET_U64 (self->head_dim_row, config.d);
  /* Context lengths the way people say them ("128K"), when exact; the
   * hint beside the field gives the digits. */
  {
    g_autofree char *sq_text = cw_format_size_entry (config.sq);

    set_entry_text (self->sq_row, sq_text);
  }
  SET_U64 (self->ratio_row, config.ratio);
  if (config.ratio != 0)
    set_entry_text (self->sk_row, "");
  else
    {
      g_autofree char *sk_text = cw_format_size_entry (config.sk);

      set_entry_text (self->sk_row, sk_text);
    }
  SET_U64 (self->topk_row, config.top_k);
  /* Sizes in the binary-suffix form the fields accept ("512M", not 536870912). */
#define SET_SIZE(row, v) G_STMT_START { g_autofree char *size_text = cw_format_size_entry ((guint64) (v)); set_entry_text ((row), size_text); } G_STMT_END
  SET_SIZE (self->chunk_budget_row, config.chunk_budget_bytes);
  SET_SIZE (self->granularity_row, config.granularity);
#undef SET_SIZE
#undef SET_U64
  combo_select (self->q_dtype_row, self->dtype_names, cw_dtype_get_name (config.q_dtype));
  combo_select (self->k_dtype_row, self->dtype_names, cw_dtype_get_name (config.k_dtype));
  combo_select (self->score_dtype_row, self->dtype_names, cw_dtype_get_name (config.score_dtype));
  combo_select (self->index_dtype_row, self->dtype_names, cw_dtype_get_name (config.index_dtype));
  combo_select (self->causal_row, self->causal_names, cw_causal_get_name (config.causal));
  self->filling = FALSE;

  queue_replan (self);
}

static void
preset_selected_cb (CwPlanPage *self)
{
  const char *preset = combo_name (self->preset_row, self->preset_names);

  g_autofree char *current = NULL;

  if (preset == NULL || self->settings == NULL || self->filling)
    return;
  current = g_settings_get_string (self->settings, "preset");
  if (g_strcmp0 (current, preset) == 0)
    return;
  g_settings_set_string (self->settings, "preset", preset);
  fill_from_preset (self, preset);
}

/* Loads the selected engine's profile (its knobs applied); with
 * `apply_model`, also takes the engine's preset (every field) and its
 * dtypes, as choosing `--engine` does in the CLI. */
static void
load_engine (CwPlanPage *self, gboolean apply_model)
{
  const char *name = combo_name (self->engine_row, self->engine_names);
  CwError error = { 0 };
  CwEngine *engine;

  g_clear_pointer (&self->engine_profile, cw_profile_free);
  if (name == NULL || name[0] == '\0')
    return;
  engine = cw_engine_load (name, &error);
  if (engine != NULL)
    self->engine_profile = cw_engine_load_profile (engine, &error);
  if (engine == NULL || self->engine_profile == NULL)
    {
      show_message (self, error.message);
      cw_engine_free (engine);
      return;
    }
  if (apply_model)
    {
      const char *preset = cw_engine_get_preset (engine);
      CwConfig config;

      if (preset != NULL && strv_index (self->preset_names, preset) != GTK_INVALID_LIST_POSITION)
        {
          self->filling = TRUE;
          combo_select (self->preset_row, self->preset_names, preset);
          self->filling = FALSE;
          if (self->settings != NULL)
            g_settings_set_string (self->settings, "preset", preset);
          fill_from_preset (self, preset);
        }
      preset = combo_name (self->preset_row, self->preset_names);
      cw_config_init_default (&config);
      if (preset != NULL)
        cw_preset_lookup (preset, &config, NULL);
      cw_engine_apply_dtypes (engine, &config);
      combo_select (self->q_dtype_row, self->dtype_names, cw_dtype_get_name (config.q_dtype));
      combo_select (self->k_dtype_row, self->dtype_names, cw_dtype_get_name (config.k_dtype));
      combo_select (self->score_dtype_row, self->dtype_names, cw_dtype_get_name (config.score_dtype));
      combo_select (self->index_dtype_row, self->dtype_names, cw_dtype_get_name (config.index_dtype));
    }
  cw_engine_free (engine);
}

static void
engine_selected_cb (CwPlanPage *self)
{
  const char *name = combo_name (self->engine_row, self->engine_names);

  if (name == NULL || self->filling)
    return;
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "engine", name);
  load_engine (self, TRUE);
  queue_replan (self);
}

/* Combo <-> string key: the key holds the name, the row the index. */
static void
combo_selected_cb (AdwComboRow *row, GParamSpec *pspec, CwPlanPage *self)
{
  const char *key = g_object_get_data (G_OBJECT (row), "cw-key");
  char **names = g_object_get_data (G_OBJECT (row), "cw-names");
  const char *name = combo_name (row, names);

  if (self->settings != NULL && name != NULL)
    g_settings_set_string (self->settings, key, name);
  queue_replan (self);
}

static void
bind_combo (CwPlanPage *self, AdwComboRow *row, const char *key, char **names, const char *fallback)
{
  g_autofree char *value = g_settings_get_string (self->settings, key);

  g_object_set_data (G_OBJECT (row), "cw-key", (gpointer) key);
  g_object_set_data (G_OBJECT (row), "cw-names", names);
  if (value[0] != '\0' && strv_index (names, value) != GTK_INVALID_LIST_POSITION)
    combo_select (row, names, value);
  else if (fallback != NULL)
    combo_select (row, names, fallback);
  g_signal_connect (row, "notify::selected", G_CALLBACK (combo_selected_cb), self);
}

static void
profile_toggled_cb (CwPlanPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) selected = NULL;
  guint n_active = 0;

  for (guint i = 0; i < self->n_profiles; i++)
    if (profile_is_compared (self, i))
      {
        g_strv_builder_add (builder, cw_profile_get_name (self->profiles[i]));
        n_active++;
      }
  /* Empty means "all", so a new profile file shows up by default; none
   * checked is kept as [''], which names no profile. */
  if (n_active == 0)
    g_strv_builder_add (builder, "");
  selected = g_strv_builder_end (builder);
  if (self->settings != NULL)
    g_settings_set_strv (self->settings, "profiles",
                         n_active == self->n_profiles ? NULL : (const char * const *) selected);
  queue_replan (self);
}

static void
training_toggled_cb (CwPlanPage *self)
{
  self->training_step = gtk_switch_get_active (self->training_switch);
  queue_replan (self);
}

static void
load_profiles (CwPlanPage *self)
{
  CwError error = { 0 };
  g_autoptr(GString) failures = g_string_new (NULL);

  self->profile_names = take_cw_strv (cw_profile_list_names (&error));
  self->profiles = g_new0 (CwProfile *, g_strv_length (self->profile_names) + 1);
  self->training = g_new0 (CwProfile *, g_strv_length (self->profile_names) + 1);

  /* "Training step": each checked path planned as its training profile. */
  {
    GtkWidget *row = adw_action_row_new ();

    self->training_switch = GTK_SWITCH (gtk_switch_new ());
    gtk_widget_set_valign (GTK_WIDGET (self->training_switch), GTK_ALIGN_CENTER);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Training Step"));
    adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                 _("Forward and backward of each checked path: its training profile, "
                                   "each pass's peak and what the forward saves for the backward"));
    adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->training_switch));
    adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->training_switch));
    adw_preferences_group_add (self->profiles_group, row);
    g_signal_connect_object (self->training_switch, "notify::active", G_CALLBACK (training_toggled_cb), self,
                             G_CONNECT_SWAPPED);
  }

  for (guint i = 0; self->profile_names[i] != NULL; i++)
    {
      CwProfile *profile = cw_profile_load (self->profile_names[i], &error);
      GtkWidget *row, *check;

      if (profile == NULL)
        {
          g_string_append_printf (failures, "%s%s", failures->len ? "; " : "", error.message);
          continue;
        }
      /* Training steps are planned through the switch, not listed. */
      if (cw_profile_is_training (profile))
        {
          cw_profile_free (profile);
          continue;
        }
      {
        g_autofree char *train = g_strdup_printf ("%s-train", self->profile_names[i]);
        CwProfile *t = g_strv_contains ((const char *const *) self->profile_names, train)
                       ? cw_profile_load (train, NULL) : NULL;

        if (t != NULL && !cw_profile_is_training (t))
          g_clear_pointer (&t, cw_profile_free);
        self->training[self->n_profiles] = t;
      }

      self->profiles[self->n_profiles++] = profile;
      row = adw_action_row_new ();
      check = gtk_check_button_new ();
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cw_profile_get_name (profile));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), cw_profile_get_description (profile));
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (self->profiles_group, row);
      g_ptr_array_add (self->profile_checks, check);
      g_signal_connect_object (check, "toggled", G_CALLBACK (profile_toggled_cb), self, G_CONNECT_SWAPPED);
    }

  if (self->n_profiles == 0 && failures->len == 0)
    g_string_append_printf (failures, _("No profiles found in %s/profiles"), cw_data_dir ());
  if (failures->len > 0)
    show_message (self, failures->str);
}

/* A default from the preferences when the data directory has it, else the
 * built-in one, else the first name there is. */
static const char *
default_name (CwPlanPage *self, const char *key, char **names, const char *builtin)
{
  g_autofree char *chosen = self->settings != NULL ? g_settings_get_string (self->settings, key) : NULL;
  guint i;

  if (chosen != NULL && (i = strv_index (names, chosen)) != GTK_INVALID_LIST_POSITION)
    return names[i];
  if ((i = strv_index (names, builtin)) != GTK_INVALID_LIST_POSITION)
    return names[i];
  return names[0] != NULL ? names[0] : "";
}

void
cw_plan_page_reset_inputs (CwPlanPage *self)
{
  const char *preset, *gpu;
  g_autofree char *reserve = NULL;

  g_return_if_fail (CW_IS_PLAN_PAGE (self));

  if (self->settings == NULL)
    return;
  preset = default_name (self, "default-preset", self->preset_names, CW_PLAN_DEFAULT_PRESET);
  gpu = default_name (self, "default-gpu", self->gpu_names, CW_PLAN_DEFAULT_GPU);
  reserve = g_settings_get_string (self->settings, "default-reserve");

  self->filling = TRUE;
  combo_select (self->engine_row, self->engine_names, "");
  combo_select (self->preset_row, self->preset_names, preset);
  combo_select (self->gpu_row, self->gpu_names, gpu);
  set_entry_text (self->reserve_row, reserve);
  set_entry_text (self->prefix_row, "");
  self->filling = FALSE;

  g_settings_set_string (self->settings, "engine", "");
  load_engine (self, FALSE);
  g_settings_set_string (self->settings, "preset", preset);
  fill_from_preset (self, preset);
}

static void
reset_inputs_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cw_plan_page_reset_inputs (CW_PLAN_PAGE (widget));
}

void
cw_plan_page_bind_settings (CwPlanPage *self, GSettings *settings)
{
  g_autofree char *preset = NULL;
  g_autofree char *stored = NULL;
  g_auto(GStrv) compared = NULL;

  g_return_if_fail (CW_IS_PLAN_PAGE (self));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);
  self->filling = TRUE;

  preset = g_settings_get_string (settings, "preset");
  if (strv_index (self->preset_names, preset) == GTK_INVALID_LIST_POSITION)
    {
      g_free (preset);
      preset = g_strdup (default_name (self, "default-preset", self->preset_names, CW_PLAN_DEFAULT_PRESET));
    }
  combo_select (self->preset_row, self->preset_names, preset);

  bind_combo (self, self->gpu_row, "gpu", self->gpu_names,
              default_name (self, "default-gpu", self->gpu_names, CW_PLAN_DEFAULT_GPU));
  bind_combo (self, self->q_dtype_row, "q-dtype", self->dtype_names, NULL);
  bind_combo (self, self->k_dtype_row, "k-dtype", self->dtype_names, NULL);
  bind_combo (self, self->score_dtype_row, "score-dtype", self->dtype_names, NULL);
  bind_combo (self, self->index_dtype_row, "index-dtype", self->dtype_names, NULL);
  bind_combo (self, self->causal_row, "causal", self->causal_names, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (entry_fields); i++)
    {
      AdwEntryRow *row = ENTRY (self, &entry_fields[i]);

      g_settings_bind (settings, entry_fields[i].key, row, "text", G_SETTINGS_BIND_DEFAULT);
      g_signal_connect_object (row, "changed", G_CALLBACK (queue_replan), self, G_CONNECT_SWAPPED);
    }

  compared = g_settings_get_strv (settings, "profiles");
  if (compared[0] != NULL)
    for (guint i = 0; i < self->n_profiles; i++)
      gtk_check_button_set_active (g_ptr_array_index (self->profile_checks, i),
                                   g_strv_contains ((const char * const *) compared,
                                                    cw_profile_get_name (self->profiles[i])));

  g_signal_connect_object (self->preset_row, "notify::selected", G_CALLBACK (preset_selected_cb),
                           self, G_CONNECT_SWAPPED);
  {
    g_autofree char *engine = g_settings_get_string (settings, "engine");

    if (strv_index (self->engine_names, engine) != GTK_INVALID_LIST_POSITION)
      combo_select (self->engine_row, self->engine_names, engine);
    /* The fields were stored with the engine's model applied. */
    load_engine (self, FALSE);
  }
  g_signal_connect_object (self->engine_row, "notify::selected", G_CALLBACK (engine_selected_cb),
                           self, G_CONNECT_SWAPPED);
  self->filling = FALSE;

  /* First start (or a schema reset): take every field from the preset,
   * and the reserve from the preferences. */
  g_free (stored);
  stored = g_settings_get_string (settings, "preset");
  if (g_strcmp0 (stored, preset) != 0 || entry_text (self->sq_row)[0] == '\0' ||
      entry_text (self->chunk_budget_row)[0] == '\0' || entry_text (self->granularity_row)[0] == '\0')
    {
      if (stored[0] == '\0')
        {
          g_autofree char *reserve = g_settings_get_string (settings, "default-reserve");

          set_entry_text (self->reserve_row, reserve);
        }
      if (preset[0] != '\0')
        g_settings_set_string (settings, "preset", preset);
      fill_from_preset (self, preset);
    }

  replan (self);
}

/* ---- public API ------------------------------------------------------------ */

void
cw_plan_page_set_receipts (CwPlanPage *self, GListModel *receipts, const char *database)
{
  g_return_if_fail (CW_IS_PLAN_PAGE (self));

  g_free (self->receipts_database);
  self->receipts_database = g_strdup (database);
  if (self->receipts != NULL)
    g_signal_handlers_disconnect_by_func (self->receipts, queue_chart_rebuild, self);
  g_set_object (&self->receipts, receipts);
  if (receipts != NULL)
    g_signal_connect_object (receipts, "items-changed", G_CALLBACK (queue_chart_rebuild), self, G_CONNECT_SWAPPED);
  queue_chart_rebuild (self);
}

CwChartView *
cw_plan_page_get_chart_view (CwPlanPage *self)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), NULL);
  return self->chart_view;
}

AdwFlap *
cw_plan_page_get_flap (CwPlanPage *self)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), NULL);
  return self->flap;
}

gboolean
cw_plan_page_get_results_current (CwPlanPage *self)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), FALSE);

  /* A pending re-plan may change the answer: run it now. */
  if (self->replan_id != 0)
    {
      g_clear_handle_id (&self->replan_id, g_source_remove);
      replan (self);
    }
  /* What the widgets show, not only what the page believes. */
  return self->results_current && gtk_widget_get_sensitive (GTK_WIDGET (self->chart_stack))
         && gtk_widget_get_sensitive (self->breakdown_window);
}

guint64
cw_plan_page_get_usable_bytes (CwPlanPage *self)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), 0);
  return self->have_config ? self->usable_bytes : 0;
}

gboolean
cw_plan_page_get_config (CwPlanPage *self, CwConfig *config)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), FALSE);

  if (!self->have_config)
    return FALSE;
  *config = self->config;
  return TRUE;
}

const char *
cw_plan_page_get_preset (CwPlanPage *self)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), NULL);
  return combo_name (self->preset_row, self->preset_names);
}

const char *
cw_plan_page_get_gpu_name (CwPlanPage *self)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), NULL);
  return combo_name (self->gpu_row, self->gpu_names);
}

gboolean
cw_plan_page_set_engine (CwPlanPage *self, const char *engine)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), FALSE);

  if (strv_index (self->engine_names, engine != NULL ? engine : "") == GTK_INVALID_LIST_POSITION)
    return FALSE;
  combo_select (self->engine_row, self->engine_names, engine != NULL ? engine : "");
  return TRUE;
}

gboolean
cw_plan_page_set_field (CwPlanPage *self, const char *field, const char *text)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (entry_fields); i++)
    if (g_str_equal (entry_fields[i].field, field))
      {
        AdwEntryRow *row = ENTRY (self, &entry_fields[i]);

        gtk_widget_grab_focus (GTK_WIDGET (row));
        gtk_editable_set_text (GTK_EDITABLE (row), text);
        return TRUE;
      }
  return FALSE;
}

gboolean
cw_plan_page_set_profile_compared (CwPlanPage *self, const char *name, gboolean compared)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < self->n_profiles; i++)
    if (g_strcmp0 (cw_profile_get_name (self->profiles[i]), name) == 0)
      {
        gtk_check_button_set_active (g_ptr_array_index (self->profile_checks, i), compared);
        return TRUE;
      }
  return FALSE;
}

void
cw_plan_page_set_training (CwPlanPage *self, gboolean training)
{
  g_return_if_fail (CW_IS_PLAN_PAGE (self));

  gtk_switch_set_active (self->training_switch, training);
}

gboolean
cw_plan_page_get_training (CwPlanPage *self)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), FALSE);
  return self->training_step;
}

char *
cw_plan_page_dup_summary (CwPlanPage *self)
{
  g_return_val_if_fail (CW_IS_PLAN_PAGE (self), NULL);

  /* A pending re-plan would make the summary stale: run it now. */
  if (self->replan_id != 0)
    {
      g_clear_handle_id (&self->replan_id, g_source_remove);
      replan (self);
    }
  return g_strdup (self->summary != NULL ? self->summary : "");
}

/* ---- lifecycle --------------------------------------------------------------- */

static void
cw_plan_page_dispose (GObject *object)
{
  CwPlanPage *self = CW_PLAN_PAGE (object);

  g_clear_handle_id (&self->replan_id, g_source_remove);
  g_clear_handle_id (&self->chart_id, g_source_remove);
  g_clear_object (&self->settings);
  if (self->receipts != NULL)
    g_signal_handlers_disconnect_by_func (self->receipts, queue_chart_rebuild, self);
  g_clear_object (&self->receipts);
  g_clear_pointer (&self->receipts_database, g_free);
  g_clear_pointer (&self->breakdown_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_PLAN_PAGE);

  G_OBJECT_CLASS (cw_plan_page_parent_class)->dispose (object);
}

static void
cw_plan_page_finalize (GObject *object)
{
  CwPlanPage *self = CW_PLAN_PAGE (object);

  for (guint i = 0; i < self->n_profiles; i++)
    {
      cw_profile_free (self->profiles[i]);
      cw_profile_free (self->training[i]);
    }
  g_free (self->profiles);
  g_free (self->training);
  g_clear_pointer (&self->profile_checks, g_ptr_array_unref);
  g_clear_pointer (&self->compared, g_ptr_array_unref);
  g_strfreev (self->preset_names);
  g_strfreev (self->engine_names);
  cw_profile_free (self->engine_profile);
  g_strfreev (self->gpu_names);
  g_strfreev (self->dtype_names);
  g_strfreev (self->causal_names);
  g_strfreev (self->profile_names);
  g_free (self->summary);
  g_free (self->message_detail);

  G_OBJECT_CLASS (cw_plan_page_parent_class)->finalize (object);
}

static void
cw_plan_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CwPlanPage *self = CW_PLAN_PAGE (object);

  switch (prop_id)
    {
    case PROP_RESULTS_CURRENT:
      g_value_set_boolean (value, self->results_current);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_plan_page_class_init (CwPlanPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_plan_page_dispose;
  object_class->finalize = cw_plan_page_finalize;
  object_class->get_property = cw_plan_page_get_property;

  /**
   * CwPlanPage:results-current:
   *
   * Whether the chart and breakdown answer the inputs as typed; FALSE
   * (and the results dimmed) while an input is wrong.
   */
  properties[PROP_RESULTS_CURRENT] = g_param_spec_boolean ("results-current", NULL, NULL, FALSE,
                                                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                           | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CwPlanPage::config-changed:
   *
   * Emitted after every successful re-plan.
   */
  signals[CONFIG_CHANGED] = g_signal_new ("config-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * CwPlanPage::receipt-activated:
   * @id: the receipt's id in the database
   *
   * A receipt point on the cliff chart was clicked or chosen with the keyboard.
   */
  signals[RECEIPT_ACTIVATED] = g_signal_new ("receipt-activated", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (CW_TYPE_CHART_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cliffwatch/Cliffwatch/cw-plan-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, flap);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, preset_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, engine_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, prefix_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, gpu_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, reserve_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, usable_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, batch_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, heads_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, head_dim_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, sq_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, ratio_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, sk_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, topk_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, chunk_budget_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, granularity_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, q_dtype_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, k_dtype_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, score_dtype_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, index_dtype_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, causal_row);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, profiles_group);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, message_revealer);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, chart_stack);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, chart_view);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, breakdown_window);
  gtk_widget_class_bind_template_child (widget_class, CwPlanPage, breakdown_list);
  gtk_widget_class_install_action (widget_class, "plan.reset-inputs", NULL, reset_inputs_action);
}

static void
cw_plan_page_init (CwPlanPage *self)
{
  CwError error = { 0 };
  g_autoptr(GStrvBuilder) dtypes = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) causals = g_strv_builder_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->breakdown_rows = g_ptr_array_new ();
  self->profile_checks = g_ptr_array_new ();
  self->compared = g_ptr_array_new ();

  for (int d = 0; d < CW_DTYPE_N_DTYPES; d++)
    g_strv_builder_add (dtypes, cw_dtype_get_name ((CwDtype) d));
  self->dtype_names = g_strv_builder_end (dtypes);
  for (int c = CW_CAUSAL_NONE; c <= CW_CAUSAL_COMPRESSED; c++)
    g_strv_builder_add (causals, cw_causal_get_name ((CwCausal) c));
  self->causal_names = g_strv_builder_end (causals);

  self->preset_names = take_cw_strv (cw_preset_list (&error));
  self->gpu_names = take_cw_strv (cw_gpu_list (&error));

  combo_set_names (self->preset_row, self->preset_names);
  {
    g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
    g_autoptr(GStrvBuilder) shown = g_strv_builder_new ();
    g_auto(GStrv) engines = take_cw_strv (cw_engine_list_names (&error));
    g_auto(GStrv) labels = NULL;

    g_strv_builder_add (names, "");
    /* Translators: no engine configuration chosen */
    g_strv_builder_add (shown, _("None"));
    g_strv_builder_addv (names, (const char **) engines);
    g_strv_builder_addv (shown, (const char **) engines);
    self->engine_names = g_strv_builder_end (names);
    labels = g_strv_builder_end (shown);
    combo_set_names (self->engine_row, labels);
  }
  combo_set_names (self->gpu_row, self->gpu_names);
  combo_set_names (self->q_dtype_row, self->dtype_names);
  combo_set_names (self->k_dtype_row, self->dtype_names);
  combo_set_names (self->score_dtype_row, self->dtype_names);
  combo_set_names (self->index_dtype_row, self->dtype_names);
  combo_set_names (self->causal_row, self->causal_names);

  self->chunk_budget_hint = new_size_hint (self->chunk_budget_row);
  self->granularity_hint = new_size_hint (self->granularity_row);
  self->sq_hint = new_size_hint (self->sq_row);
  self->prefix_hint = new_size_hint (self->prefix_row);
  self->sk_hint = new_size_hint (self->sk_row);

  load_profiles (self);

  cw_chart_view_set_tooltip_func (self->chart_view, receipt_tooltip, self, NULL);
  cw_chart_view_set_position_func (self->chart_view, sq_hover_text, self, NULL);
  g_signal_connect_object (self->chart_view, "item-activated", G_CALLBACK (receipt_activated_cb), self, 0);
}
