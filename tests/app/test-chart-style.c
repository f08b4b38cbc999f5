/* test-chart-style.c: one palette, one look per lane and profile (issue 16).
 *
 * - Every colour a text or line is drawn in has at least a 3:1 contrast
 *   (WCAG) against both backgrounds of its style.
 * - Every series slot keeps its hue across light, dark and print: in
 *   CIELAB's a*b* plane (hue and chroma; styles move lightness for
 *   contrast) a slot's nearest colour in any other style is the same slot,
 *   well ahead of the next; within a style no two slots look alike.
 * - Shipped lanes and profiles each have their own look, lanes look like
 *   the profile that models them, and every profile in data/profiles has
 *   one.
 * - A lane is drawn in the same colour on the cliff chart, the compare
 *   chart and the memory timeline, whatever else the chart holds and in
 *   whichever order. */
#include "test-chart-util.h"

#include "cw-chart-builder.h"
#include "cw-planner.h"
#if CW_TEST_HAVE_STORE
#include "cw-receipt.h"
#endif

static const CwChartStyleKind kinds[CW_CHART_N_STYLES] = { CW_CHART_STYLE_LIGHT, CW_CHART_STYLE_DARK,
                                                           CW_CHART_STYLE_PRINT };

typedef struct {
  double l, a, b;
} Lab;

static double
linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
lab_f (double t)
{
  return t > 216.0 / 24389.0 ? cbrt (t) : (24389.0 / 27.0 * t + 16.0) / 116.0;
}

/* sRGB to CIELAB, D65. */
static Lab
to_lab (CwChartColor c)
{
  double r = linear (c.red), g = linear (c.green), b = linear (c.blue);
  double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;

  return (Lab) { 116.0 * lab_f (y) - 16.0, 500.0 * (lab_f (x) - lab_f (y)), 200.0 * (lab_f (y) - lab_f (z)) };
}

static double
delta_e (CwChartColor p, CwChartColor q)
{
  Lab a = to_lab (p), b = to_lab (q);

  return sqrt ((a.l - b.l) * (a.l - b.l) + (a.a - b.a) * (a.a - b.a) + (a.b - b.b) * (a.b - b.b));
}

static double
hue_distance (CwChartColor p, CwChartColor q)
{
  Lab a = to_lab (p), b = to_lab (q);

  return hypot (a.a - b.a, a.b - b.b);
}

/* The slots a style draws lanes in, and the usable-HBM limit: the colours
 * that carry a meaning across styles. */
#define N_IDENTITY_COLORS (CW_CHART_N_SERIES_COLORS + 1)

static CwChartColor
identity_color (const CwChartStyle *style, unsigned i)
{
  return i < CW_CHART_N_SERIES_COLORS ? style->series[i] : style->limit;
}

static const char *
identity_color_name (unsigned i)
{
  static const char *names[N_IDENTITY_COLORS] = { "blue", "orange", "green", "purple", "vermilion", "olive",
                                                  "neutral", "limit" };
  return names[i];
}

static void
test_contrast (void)
{
  for (int k = 0; k < CW_CHART_N_STYLES; k++)
    {
      const CwChartStyle *s = cw_chart_style_get (kinds[k]);
      const struct { const char *name; CwChartColor color; } inks[] = {
        { "text", s->text }, { "axis", s->axis }, { "muted", s->muted }, { "limit", s->limit },
        { "oom", s->oom }, { "tick", s->tick },
        { "series 0", s->series[0] }, { "series 1", s->series[1] }, { "series 2", s->series[2] },
        { "series 3", s->series[3] }, { "series 4", s->series[4] }, { "series 5", s->series[5] },
        { "series 6", s->series[6] },
      };

      CHECK (CW_CHART_N_SERIES_COLORS == 7, "the test lists 7 series colours");
      for (size_t i = 0; i < sizeof inks / sizeof inks[0]; i++)
        {
          double on_bg = cw_chart_color_contrast (inks[i].color, s->background);
          double on_plot = cw_chart_color_contrast (inks[i].color, s->plot_background);

          CHECK (on_bg >= 3.0 && on_plot >= 3.0, "%s style: %s has contrast %.2f on the background and %.2f on the "
                 "plot (want 3:1)", s->name, inks[i].name, on_bg, on_plot);
        }
      /* Names inside NVTX bands: text over a 45 % tint of each hue. */
      for (unsigned h = 0; h < CW_CHART_N_HUES; h++)
        {
          CwChartColor tint = {
            s->series[h].red * 0.45 + s->plot_background.red * 0.55,
            s->series[h].green * 0.45 + s->plot_background.green * 0.55,
            s->series[h].blue * 0.45 + s->plot_background.blue * 0.55, 1.0,
          };
          CHECK (cw_chart_color_contrast (s->text, tint) >= 3.0, "%s style: text on a %s band has contrast %.2f",
                 s->name, identity_color_name (h), cw_chart_color_contrast (s->text, tint));
        }
    }
  /* The formula itself: black on white is 21:1, a colour on itself 1:1. */
  CHECK (fabs (cw_chart_color_contrast ((CwChartColor) { 0, 0, 0, 1 }, (CwChartColor) { 1, 1, 1, 1 }) - 21.0) < 1e-9,
         "black on white");
  CHECK (fabs (cw_chart_color_contrast ((CwChartColor) { 0.5, 0.2, 0.1, 1 }, (CwChartColor) { 0.5, 0.2, 0.1, 1 }) - 1.0)
         < 1e-9, "a colour on itself");
}

static void
test_hues_keep_their_meaning (void)
{
  for (int k = 0; k < CW_CHART_N_STYLES; k++)
    {
      const CwChartStyle *s = cw_chart_style_get (kinds[k]);

      /* Within a style: no two alike. */
      for (unsigned i = 0; i < N_IDENTITY_COLORS; i++)
        for (unsigned j = i + 1; j < N_IDENTITY_COLORS; j++)
          CHECK (delta_e (identity_color (s, i), identity_color (s, j)) >= 20.0, "%s style: %s and %s alike "
                 "(dE %.1f)", s->name, identity_color_name (i), identity_color_name (j),
                 delta_e (identity_color (s, i), identity_color (s, j)));

      /* Across styles: each slot's nearest hue elsewhere is itself. */
      for (int m = 0; m < CW_CHART_N_STYLES; m++)
        {
          const CwChartStyle *t = cw_chart_style_get (kinds[m]);

          for (unsigned i = 0; i < N_IDENTITY_COLORS; i++)
            {
              double own = hue_distance (identity_color (s, i), identity_color (t, i)), other = INFINITY;
              unsigned nearest = i;

              for (unsigned j = 0; j < N_IDENTITY_COLORS; j++)
                if (j != i && hue_distance (identity_color (s, i), identity_color (t, j)) < other)
                  {
                    other = hue_distance (identity_color (s, i), identity_color (t, j));
                    nearest = j;
                  }
              CHECK (own < 0.75 * other, "%s %s reads as %s in the %s style (hue distance %.1f to its own, %.1f to "
                     "%s)", s->name, identity_color_name (i), identity_color_name (own < other ? i : nearest), t->name,
                     own, other, identity_color_name (nearest));
            }
        }
    }
}

static bool
same_identity (CwChartIdentity a, CwChartIdentity b)
{
  return a.series == b.series && a.dash == b.dash && a.marker == b.marker;
}

static void
test_identities (void)
{
  CwError error = CW_ERROR_INIT;
  char **profiles;
  unsigned n = 0;

  /* No two shipped names alike. */
  for (const char *a; (a = cw_chart_identity_get_known_name (n)) != NULL; n++)
    {
      CwChartIdentity ia = cw_chart_identity_for_name (a);

      CHECK (ia.series < CW_CHART_N_SERIES_COLORS && ia.dash != CW_CHART_DASH_DASH_DOT, "%s: slot %u, dash %d", a,
             ia.series, ia.dash);
      for (unsigned j = 0; j < n; j++)
        CHECK (!same_identity (ia, cw_chart_identity_for_name (cw_chart_identity_get_known_name (j))),
               "%s and %s look alike", a, cw_chart_identity_get_known_name (j));
    }
  CHECK (n >= 19, "%u known names", n);
  /* The three paths and the reference: four plain hues. */
  {
    const char *plain[] = { "fused", "materialize", "streaming", "reference" };
    for (unsigned i = 0; i < 4; i++)
      {
        CwChartIdentity id = cw_chart_identity_for_name (plain[i]);
        CHECK (id.dash == CW_CHART_DASH_SOLID && id.marker == CW_CHART_MARKER_CIRCLE, "%s not plain", plain[i]);
        for (unsigned j = 0; j < i; j++)
          CHECK (id.series != cw_chart_identity_for_name (plain[j]).series, "%s and %s share a hue", plain[i],
                 plain[j]);
      }
  }
  /* Every shipped profile has its own look. */
  profiles = cw_profile_list_names (&error);
  CHECK (profiles != NULL, "%s", error.message);
  for (size_t i = 0; profiles != NULL && profiles[i] != NULL; i++)
    {
      bool known = false;
      CwProfile *prof = cw_profile_load (profiles[i], NULL);

      if (prof != NULL && cw_profile_is_training (prof))
        {
          /* A training step looks like the path it trains (its name less
           * "-train", or megatron for autograd through Megatron's code). */
          char stem[64];
          size_t len = strlen (profiles[i]);

          snprintf (stem, sizeof stem, "%s", profiles[i]);
          if (len > 6 && strcmp (profiles[i] + len - 6, "-train") == 0)
            stem[len - 6] = '\0';
          else
            snprintf (stem, sizeof stem, "megatron");
          CHECK (same_identity (cw_chart_identity_for_name (profiles[i]), cw_chart_identity_for_name (stem)),
                 "training profile %s does not look like %s", profiles[i], stem);
          for (unsigned j = 0; j < n; j++)
            known |= strcmp (stem, cw_chart_identity_get_known_name (j)) == 0;
        }
      else
        for (unsigned j = 0; j < n; j++)
          known |= strcmp (profiles[i], cw_chart_identity_get_known_name (j)) == 0;
      cw_profile_free (prof);
      CHECK (known, "profile %s has no identity in cw-chart-style.c", profiles[i]);
    }
  cw_strv_free (profiles);
  /* Any other name: stable, and never a shipped one's look. */
  CHECK (same_identity (cw_chart_identity_for_name ("my-engine"), cw_chart_identity_for_name ("my-engine"))
         && cw_chart_identity_for_name ("my-engine").dash == CW_CHART_DASH_DASH_DOT, "an unknown name");
#if CW_TEST_HAVE_STORE
  /* Lanes look like the profile that models them (the store's table). */
  {
    const char *lanes[] = { "materialize", "fused", "streaming", "index-mask", "index-mask-host-checked",
                            "index-full-layer", "index-transfer-send", "index-transfer-recv", "index-shared",
                            "index-recompute" };
    for (size_t i = 0; i < sizeof lanes / sizeof lanes[0]; i++)
      {
        const char *profile = cw_receipt_lane_get_profile (lanes[i]);
        CHECK (profile != NULL && same_identity (cw_chart_identity_for_name (lanes[i]),
                                                 cw_chart_identity_for_name (profile)),
               "lane %s does not look like its profile %s", lanes[i], profile != NULL ? profile : "(none)");
      }
  }
#endif
}

/* The colour of the first layer whose label is `label`. */
static bool
layer_color (CwChart *chart, const char *label, const CwChartStyle *style, CwChartColor *color)
{
  for (size_t i = 0; i < cw_chart_get_n_layers (chart); i++)
    {
      CwChartLayer *layer = cw_chart_get_layer (chart, i);
      const char *l = cw_chart_layer_get_label (layer);

      if (l != NULL && strcmp (l, label) == 0)
        {
          *color = cw_chart_layer_get_color (layer, style);
          return true;
        }
    }
  return false;
}

static bool
color_equal (CwChartColor a, CwChartColor b)
{
  return a.red == b.red && a.green == b.green && a.blue == b.blue;
}

/* Issue 16: fused was green on the Plan page and orange on Compare. */
static void
test_same_colour_everywhere (void)
{
  static const char *const lanes[] = { "fused", "materialize", "streaming" };
  double sq[] = { 1024, 2048 }, peak[] = { 1e9, 2e9 };
  CwChartCliffCurve forward[3], backward[3];
  CwChartCliffReceipt receipts[] = { { 0, 1024, 1e9, false, 0 }, { 1, 1024, 1e9, false, 1 },
                                     { 2, 1024, 1e9, false, 2 } };
  const char *groups[] = { "index-mask", "streaming", "materialize", "fused" };
  CwChartComparePoint points[] = { { 1e9, 1e9, 0, 0 }, { 1e9, 1e9, 1, 1 }, { 1e9, 1e9, 2, 2 }, { 1e9, 1e9, 3, 3 } };
  CwError error = CW_ERROR_INIT;
  CwChart *cliff_a, *cliff_b, *compare;

  for (int i = 0; i < 3; i++)
    {
      forward[i] = (CwChartCliffCurve) { lanes[i], sq, peak, 2, true, false, 0 };
      backward[2 - i] = forward[i];
    }
  {
    CwChartCliffInput a = { NULL, 8e9, NULL, forward, 3, receipts, 3, 0 };
    CwChartCliffInput b = { NULL, 8e9, NULL, backward, 3, NULL, 0, 0 };
    CwChartCompareInput c = { NULL, groups, 4, points, 4, NULL, NULL };

    cliff_a = cw_chart_builder_cliff (&a, &error);
    cliff_b = cw_chart_builder_cliff (&b, &error);
    compare = cw_chart_builder_compare (&c, &error);
  }
  CHECK (cliff_a != NULL && cliff_b != NULL && compare != NULL, "%s", error.message);
  for (int k = 0; k < CW_CHART_N_STYLES && cliff_a != NULL && cliff_b != NULL && compare != NULL; k++)
    {
      const CwChartStyle *style = cw_chart_style_get (kinds[k]);

      for (int i = 0; i < 3; i++)
        {
          CwChartColor want = cw_chart_style_color (style, CW_CHART_ROLE_SERIES,
                                                    cw_chart_identity_for_name (lanes[i]).series);
          CwChartColor curve_a, curve_b, points_a, group;
          char label[128], receipts_label[128];
          CwChartTimelineInput tl = { NULL, 0, 0, NULL, 0, NULL, 0, NULL, 0, 0, 0, lanes[i] };
          CwChart *timeline = cw_chart_builder_timeline (&tl, &error);
          CwChartColor live = { -1, -1, -1, 1 };

          snprintf (label, sizeof label, "%s (fits across the range)", lanes[i]);
          snprintf (receipts_label, sizeof receipts_label, "%s receipts", lanes[i]);
          CHECK (layer_color (cliff_a, label, style, &curve_a) && layer_color (cliff_b, label, style, &curve_b)
                 && layer_color (cliff_a, receipts_label, style, &points_a)
                 && layer_color (compare, lanes[i], style, &group)
                 && timeline != NULL && layer_color (timeline, "live bytes", style, &live), "%s: layers", lanes[i]);
          CHECK (color_equal (curve_a, want) && color_equal (curve_b, want) && color_equal (points_a, want)
                 && color_equal (group, want) && color_equal (live, want),
                 "%s style: %s is not one colour on the cliff, compare and timeline charts", style->name, lanes[i]);
          cw_chart_free (timeline);
        }
    }
  cw_chart_free (cliff_a);
  cw_chart_free (cliff_b);
  cw_chart_free (compare);
}

int
main (void)
{
  test_contrast ();
  test_hues_keep_their_meaning ();
  test_identities ();
  test_same_colour_everywhere ();
  return test_finish ("test-chart-style");
}
