/* test-chart-labels.c: the label layout pass (issue 16). Every chart kind —
 * cliff, compare, timeline, index cache — is built from the bundled data
 * the way the front ends build it (presets, GPU and profile files, the
 * sample receipt databases, through the one receipt adapter) and drawn at
 * 640x400, 1280x800 and 1920x1080, and at 420x320 (the chart pane of an
 * 800x600 window), in each style. For each:
 *
 * - no two text boxes intersect and every box lies inside the surface;
 * - the frame's texts are there (title, axis titles, ticks, caption), and
 *   from 1280x800 up every label of a rule inside the plot is kept and
 *   every legend entry shown;
 * - small windows (issue 16 item 5): the title is whole (wrapped, never
 *   cut), the caption too from 640 wide, and the legend never covers the
 *   plot: inside it only while it takes at most half its width and height;
 * - a recording surface (the workbench's GTK node) lays out the same boxes
 *   as an image surface, and an SVG export (the CLI and Ctrl+E) too: every
 *   glyph the SVG draws has its origin inside a reported box and every box
 *   holds its text's glyphs, so the boxes are what is drawn, on screen and
 *   in exports alike.
 *
 * Then crowds built to collide: forty cliffs at one sq (the placed ones
 * are the first added, the rest dropped), a legend taller than its plot
 * ("(N more)"), and a title and caption longer than the surface is wide. */
#include "test-chart-util.h"

#include <errno.h>
#include <unistd.h>

#include "cw-chart-builder.h"
#include "cw-index-cache-setup.h"
#include "cw-planner.h"
#include "cw-receipt-charts.h"
#include "cw-receipt-store.h"

/* The three sizes of the issue, and the chart pane of an 800x600 window. */
static const struct {
  double width, height;
} sizes[] = { { 640, 400 }, { 1280, 800 }, { 1920, 1080 }, { 420, 320 } };

static const CwChartStyleKind styles[] = { CW_CHART_STYLE_LIGHT, CW_CHART_STYLE_DARK, CW_CHART_STYLE_PRINT };

static char svg_path[64];

/* ---- the texts of one layout ------------------------------------------------ */

typedef struct {
  size_t n;
  CwChartText *items;
  char **strings;       /* copies: the chart's strings live until its next layout */
} Texts;

static Texts
texts_get (CwChart *chart)
{
  Texts t = { cw_chart_get_n_texts (chart), NULL, NULL };

  t.items = calloc (t.n + 1, sizeof *t.items);
  t.strings = calloc (t.n + 1, sizeof *t.strings);
  for (size_t i = 0; i < t.n && t.items != NULL && t.strings != NULL; i++)
    {
      CHECK (cw_chart_get_text (chart, i, &t.items[i]), "text %zu of %zu", i, t.n);
      t.strings[i] = strdup (t.items[i].text != NULL ? t.items[i].text : "");
      t.items[i].text = t.strings[i];
    }
  CHECK (!cw_chart_get_text (chart, t.n, &(CwChartText) { 0 }), "a text past the end");
  return t;
}

static void
texts_clear (Texts *t)
{
  for (size_t i = 0; i < t->n && t->strings != NULL; i++)
    free (t->strings[i]);
  free (t->strings);
  free (t->items);
  t->n = 0;
}

static bool
rects_overlap (CwChartRect a, CwChartRect b)
{
  return a.x < b.x + b.width - 1e-6 && b.x < a.x + a.width - 1e-6 && a.y < b.y + b.height - 1e-6
         && b.y < a.y + a.height - 1e-6;
}

static size_t
count_kind (const Texts *t, CwChartTextKind kind)
{
  size_t n = 0;

  for (size_t i = 0; i < t->n; i++)
    n += t->items[i].kind == kind;
  return n;
}

static const char *kind_names[] = { "title", "caption", "axis title", "tick", "legend", "rule label", "name",
                                    "message" };

/* The layout pass's promise, and that it did not keep it by dropping
 * what a reader needs. */
static void
check_texts (CwChart *chart, const Texts *t, const char *what, double width, double height)
{
  for (size_t i = 0; i < t->n; i++)
    {
      CwChartRect b = t->items[i].box;

      CHECK (b.width > 0 && b.height > 0, "%s: empty box for '%s'", what, t->items[i].text);
      CHECK (b.x >= -1e-6 && b.y >= -1e-6 && b.x + b.width <= width + 1e-6 && b.y + b.height <= height + 1e-6,
             "%s: %s '%s' at %.1f,%.1f %.1fx%.1f leaves the %gx%g surface", what, kind_names[t->items[i].kind],
             t->items[i].text, b.x, b.y, b.width, b.height, width, height);
      for (size_t j = i + 1; j < t->n; j++)
        CHECK (!rects_overlap (b, t->items[j].box), "%s: %s '%s' (%.1f,%.1f %.1fx%.1f) overlaps %s '%s' "
               "(%.1f,%.1f %.1fx%.1f)", what, kind_names[t->items[i].kind], t->items[i].text, b.x, b.y, b.width,
               b.height, kind_names[t->items[j].kind], t->items[j].text, t->items[j].box.x, t->items[j].box.y,
               t->items[j].box.width, t->items[j].box.height);
    }
  CHECK (count_kind (t, CW_CHART_TEXT_TITLE) >= 1, "%s: no title", what);
  CHECK (count_kind (t, CW_CHART_TEXT_AXIS_TITLE) == 2, "%s: %zu axis titles", what,
         count_kind (t, CW_CHART_TEXT_AXIS_TITLE));
  CHECK (count_kind (t, CW_CHART_TEXT_TICK_LABEL) >= (width >= 640 ? 4u : 2u), "%s: %zu tick labels", what,
         count_kind (t, CW_CHART_TEXT_TICK_LABEL));
  CHECK (cw_chart_get_caption (chart) == NULL || count_kind (t, CW_CHART_TEXT_CAPTION) >= 1, "%s: no caption", what);

  /* Small windows (issue 16 item 5): the title is never cut, the caption
   * not from 640 wide up, and the legend does not cover the plot — inside
   * it only while it takes at most half its width and half its height. */
  {
    char joined[2][2048] = { "", "" };
    const CwChartTextKind kinds[2] = { CW_CHART_TEXT_TITLE, CW_CHART_TEXT_CAPTION };
    const char *whole[2] = { cw_chart_get_title (chart), cw_chart_get_caption (chart) };
    CwChartRect plot, legend = { 0, 0, 0, 0 };
    bool any_legend = false, inside = false;

    for (int k = 0; k < 2; k++)
      for (size_t i = 0; i < t->n; i++)
        if (t->items[i].kind == kinds[k])
          {
            if (joined[k][0] != '\0')
              strncat (joined[k], " ", sizeof joined[k] - strlen (joined[k]) - 1);
            strncat (joined[k], t->items[i].text, sizeof joined[k] - strlen (joined[k]) - 1);
          }
    CHECK (strcmp (joined[0], whole[0]) == 0, "%s: the title reads '%s'", what, joined[0]);
    if (whole[1] != NULL && width >= 640)
      CHECK (strcmp (joined[1], whole[1]) == 0, "%s: the caption reads '%s'", what, joined[1]);

    cw_chart_get_plot_area (chart, &plot);
    for (size_t i = 0; i < t->n; i++)
      if (t->items[i].kind == CW_CHART_TEXT_LEGEND)
        {
          CwChartRect b = t->items[i].box;

          if (!any_legend)
            legend = b;
          else
            {
              double x1 = fmax (legend.x + legend.width, b.x + b.width), y1 = fmax (legend.y + legend.height,
                                                                                    b.y + b.height);
              legend.x = fmin (legend.x, b.x);
              legend.y = fmin (legend.y, b.y);
              legend.width = x1 - legend.x;
              legend.height = y1 - legend.y;
            }
          any_legend = true;
          inside |= rects_overlap (b, plot);
          if (width >= 1280)
            CHECK (strstr (t->items[i].text, " more)") == NULL, "%s: legend entries left out ('%s')", what,
                   t->items[i].text);
        }
    CHECK (!inside || (legend.width <= 0.5 * plot.width && legend.height <= 0.5 * plot.height),
           "%s: a %.0fx%.0f legend covers the %.0fx%.0f plot", what, legend.width, legend.height, plot.width,
           plot.height);
    CHECK (!any_legend || (inside == (cw_chart_get_legend_placement (chart) <= CW_CHART_LEGEND_BOTTOM_RIGHT)),
           "%s: legend placement %d, inside the plot: %d", what, cw_chart_get_legend_placement (chart), inside);
  }

  /* From 1280x800 up every rule whose value is on the plot keeps its label. */
  if (width >= 1280)
    for (size_t l = 0; l < cw_chart_get_n_layers (chart); l++)
      {
        CwChartLayer *layer = cw_chart_get_layer (chart, l);
        const char *kind = cw_chart_layer_get_kind (layer);
        const char *label = cw_chart_layer_get_label (layer);
        double v = cw_chart_rule_layer_get_value (layer), lo, hi;
        bool kept = false;

        if (label == NULL || (strcmp (kind, "vline") != 0 && strcmp (kind, "hline") != 0))
          continue;
        cw_chart_get_axis_range (chart, strcmp (kind, "vline") == 0 ? CW_CHART_AXIS_X : CW_CHART_AXIS_Y, &lo, &hi);
        if (!(v >= lo && v <= hi))
          continue;
        for (size_t i = 0; i < t->n; i++)
          kept |= t->items[i].layer == l && t->items[i].kind == CW_CHART_TEXT_RULE_LABEL;
        CHECK (kept, "%s: the label of rule '%s' was dropped", what, label);
      }
}

static bool
texts_equal (const Texts *a, const Texts *b)
{
  if (a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++)
    if (a->items[i].kind != b->items[i].kind || strcmp (a->items[i].text, b->items[i].text) != 0
        || fabs (a->items[i].box.x - b->items[i].box.x) > 1e-9 || fabs (a->items[i].box.y - b->items[i].box.y) > 1e-9
        || fabs (a->items[i].box.width - b->items[i].box.width) > 1e-9
        || fabs (a->items[i].box.height - b->items[i].box.height) > 1e-9)
      return false;
  return true;
}

/* Glyph origins of an SVG written by cairo: <use xlink:href="#glyphN-M" x="" y=""/>. */
static size_t
svg_glyphs (const char *svg, double **xy)
{
  size_t n = 0, cap = 256;
  const char *p = svg;

  *xy = malloc (cap * 2 * sizeof **xy);
  while ((p = strstr (p, "<use xlink:href=\"#glyph")) != NULL)
    {
      const char *x = strstr (p, " x=\""), *y = strstr (p, " y=\""), *end = strchr (p, '>');

      if (x == NULL || y == NULL || end == NULL || x > end || y > end)
        break;
      if (n == cap)
        {
          cap *= 2;
          *xy = realloc (*xy, cap * 2 * sizeof **xy);
        }
      (*xy)[2 * n] = strtod (x + 4, NULL);
      (*xy)[2 * n + 1] = strtod (y + 4, NULL);
      n++;
      p = end;
    }
  return n;
}

static char *
slurp (const char *path)
{
  FILE *f = fopen (path, "rb");
  char *data;
  long n;

  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  n = ftell (f);
  fseek (f, 0, SEEK_SET);
  data = calloc (1, (size_t) n + 1);
  if (data != NULL && fread (data, 1, (size_t) n, f) != (size_t) n)
    {
      free (data);
      data = NULL;
    }
  fclose (f);
  return data;
}

/* Every glyph of the export in a reported box; every box with ink in it. */
static void
check_svg (const Texts *t, const char *what)
{
  char *svg = slurp (svg_path);
  double *xy = NULL;
  size_t n, *per_box;

  CHECK (svg != NULL, "%s: no SVG", what);
  if (svg == NULL)
    return;
  n = svg_glyphs (svg, &xy);
  per_box = calloc (t->n + 1, sizeof *per_box);
  CHECK (n > 0, "%s: no glyphs in the SVG", what);
  for (size_t g = 0; g < n; g++)
    {
      bool inside = false;

      for (size_t i = 0; i < t->n && !inside; i++)
        {
          CwChartRect b = t->items[i].box;
          if (xy[2 * g] >= b.x - 0.01 && xy[2 * g] <= b.x + b.width + 0.01 && xy[2 * g + 1] >= b.y - 0.01
              && xy[2 * g + 1] <= b.y + b.height + 0.01)
            {
              inside = true;
              per_box[i]++;
            }
        }
      CHECK (inside, "%s: a glyph at %.2f,%.2f is in no text box", what, xy[2 * g], xy[2 * g + 1]);
    }
  for (size_t i = 0; i < t->n; i++)
    CHECK (per_box[i] > 0, "%s: no glyph of '%s' in its box", what, t->items[i].text);
  free (per_box);
  free (xy);
  free (svg);
}

/* The chart at every size in every style: image, recording surface, SVG. */
static void
check_chart (CwChart *chart, const char *name)
{
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    for (size_t k = 0; k < sizeof styles / sizeof styles[0]; k++)
      {
        double w = sizes[s].width, h = sizes[s].height;
        char what[160];
        Texts image, recording, svg;
        CwError error = CW_ERROR_INIT;
        cairo_surface_t *surface;
        cairo_t *cr;

        snprintf (what, sizeof what, "%s at %gx%g (%s)", name, w, h, cw_chart_style_get (styles[k])->name);
        cw_chart_set_style (chart, styles[k]);
        surface = render_to_image (chart, (int) w, (int) h);
        cairo_surface_destroy (surface);
        image = texts_get (chart);
        check_texts (chart, &image, what, w, h);

        /* The workbench draws into GTK's recording surface. */
        surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
        cr = cairo_create (surface);
        cw_chart_render (chart, cr, w, h);
        cairo_destroy (cr);
        cairo_surface_destroy (surface);
        recording = texts_get (chart);
        CHECK (texts_equal (&image, &recording), "%s: a recording surface lays the texts out differently", what);

        CHECK (cw_chart_export (chart, svg_path, w, h, styles[k], &error), "%s: export: %s", what, error.message);
        svg = texts_get (chart);
        CHECK (texts_equal (&image, &svg), "%s: the SVG export lays the texts out differently", what);
        check_svg (&svg, what);

        texts_clear (&image);
        texts_clear (&recording);
        texts_clear (&svg);
      }
  cw_chart_set_style (chart, CW_CHART_STYLE_LIGHT);
}

/* ---- the charts, from the bundled data -------------------------------------- */

static char *
db_path (const char *name)
{
  static char buf[4][1024];
  static int slot;

  slot = (slot + 1) % 4;
  snprintf (buf[slot], sizeof buf[slot], "%s/receipts/%s", cw_data_dir (), name);
  return buf[slot];
}

static CwReceiptList *
all_receipts (const char *db, CwReceiptStore **store_out)
{
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store = cw_receipt_store_open (db, CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING,
                                                 &error);
  CwReceiptQuery query;
  CwReceiptList *list;

  CHECK (store != NULL, "open %s: %s", db, error.message);
  if (store == NULL)
    return NULL;
  cw_receipt_query_init (&query);
  list = cw_receipt_store_query (store, &query, &error);
  CHECK (list != NULL, "query %s: %s", db, error.message);
  if (store_out != NULL)
    *store_out = store;
  else
    cw_receipt_store_close (store);
  return list;
}

/* The Plan page's chart (and `chart cliff`): a preset on a GPU with these
 * profiles, a database's receipts on top, the planned sq marked. */
static void
test_cliff (const char *preset, const char *gpu_name, const char *const *names, size_t n_names, const char *db,
            uint64_t sq)
{
  CwError error = CW_ERROR_INIT;
  CwConfig config;
  CwGpu *gpu = cw_gpu_lookup (gpu_name, &error);
  CwProfile *profiles[16] = { 0 };
  CwChartCliffSamples samples[16];
  CwChartCliffCurve curves[16];
  CwChartCliffReceipt *points = NULL;
  CwReceiptList *list = NULL;
  size_t n_points = 0;
  uint64_t usable = 0, sq_min, sq_max = 1048576;
  char caption[1024], name[128];
  CwChart *chart;

  memset (samples, 0, sizeof samples);
  CHECK (gpu != NULL && cw_preset_lookup (preset, &config, &error)
         && cw_gpu_usable_bytes (gpu->total_bytes, gpu->reserve_bytes, &usable, &error), "%s", error.message);
  if (gpu == NULL)
    return;
  config.sq = sq;
  sq_min = config.ratio > 1024 ? config.ratio : 1024;
  for (size_t p = 0; p < n_names; p++)
    {
      profiles[p] = cw_profile_load (names[p], &error);
      CHECK (profiles[p] != NULL, "profile %s: %s", names[p], error.message);
    }
  if (db != NULL && (list = all_receipts (db, NULL)) != NULL)
    {
      size_t n = cw_receipt_list_get_n_items (list);

      points = calloc (n + 1, sizeof *points);
      for (size_t i = 0; i < n; i++)
        if (cw_receipt_chart_cliff_point (cw_receipt_list_get (list, i), &config,
                                          (const CwProfile *const *) profiles, n_names, &points[n_points])
            == CW_RECEIPT_CHART_DRAWN)
          {
            points[n_points].tag = i;
            while (points[n_points].sq > (double) sq_max)
              sq_max *= 2;
            n_points++;
          }
    }
  for (size_t p = 0; p < n_names; p++)
    {
      CHECK (profiles[p] != NULL
             && cw_chart_cliff_samples_compute (&samples[p], profiles[p], &config, usable, sq_min, sq_max, 8, &error),
             "samples %s: %s", names[p], error.message);
      curves[p] = samples[p].curve;
    }
  {
    CwChartCliffInput in = { NULL, (double) usable, gpu->name, curves, n_names, points, n_points, (double) sq };
    chart = cw_chart_builder_cliff (&in, &error);
  }
  CHECK (chart != NULL, "cliff chart: %s", error.message);
  if (chart != NULL)
    {
      cw_receipt_chart_plan_caption (&config, preset, NULL, gpu->name, caption, sizeof caption);
      cw_chart_set_caption (chart, caption);
      snprintf (name, sizeof name, "cliff %s, %zu profiles, %zu receipts", preset, n_names, n_points);
      check_chart (chart, name);
      cw_chart_free (chart);
    }
  for (size_t p = 0; p < n_names; p++)
    {
      cw_chart_cliff_samples_clear (&samples[p]);
      cw_profile_free (profiles[p]);
    }
  free (points);
  cw_receipt_list_free (list);
  cw_gpu_free (gpu);
}

/* The Compare page's chart (and `chart compare`) over one database. */
static void
test_compare (const char *db_name)
{
  CwReceiptList *list = all_receipts (db_path (db_name), NULL);
  CwError error = CW_ERROR_INIT;
  CwChartComparePoint *points;
  const char **groups;
  size_t n, n_points = 0, n_groups = 0;
  int64_t lo = INT64_MAX, hi = 0;
  char caption[512], name[128];
  CwChart *chart;

  if (list == NULL)
    return;
  n = cw_receipt_list_get_n_items (list);
  points = calloc (n + 1, sizeof *points);
  groups = calloc (n + 1, sizeof *groups);
  for (size_t i = 0; i < n; i++)
    {
      const CwReceipt *r = cw_receipt_list_get (list, i);
      const char *key;
      size_t g;

      if (cw_receipt_chart_compare_point (r, &points[n_points], &key) != CW_RECEIPT_CHART_DRAWN)
        continue;
      for (g = 0; g < n_groups && strcmp (groups[g], key) != 0; g++)
        ;
      if (g == n_groups)
        groups[n_groups++] = key;
      points[n_points].group = (unsigned) g;
      points[n_points].tag = (size_t) r->id;
      lo = r->id < lo ? r->id : lo;
      hi = r->id > hi ? r->id : hi;
      n_points++;
    }
  {
    CwChartCompareInput in = { NULL, groups, n_groups, points, n_points, cw_receipt_chart_tolerance,
                               "agreement: |measured - predicted| <= max(1 %, 8 MiB)" };
    chart = cw_chart_builder_compare (&in, &error);
  }
  CHECK (chart != NULL, "compare %s: %s", db_name, error.message);
  if (chart != NULL)
    {
      cw_receipt_chart_receipts_caption (db_name, n_points, lo, hi, caption, sizeof caption);
      cw_chart_set_caption (chart, caption);
      snprintf (name, sizeof name, "compare %s (%zu points)", db_name, n_points);
      check_chart (chart, name);
      cw_chart_free (chart);
    }
  free (points);
  free (groups);
  cw_receipt_list_free (list);
}

/* The Receipts page's memory timeline (and `chart timeline`): every traced
 * receipt of one database, at most `max` of them. */
static void
test_timelines (const char *db_name, size_t max)
{
  CwReceiptStore *store = NULL;
  CwReceiptList *list = all_receipts (db_path (db_name), &store);
  size_t n, drawn = 0;

  if (list == NULL)
    return;
  n = cw_receipt_list_get_n_items (list);
  for (size_t i = 0; i < n && drawn < max; i++)
    {
      CwError error = CW_ERROR_INIT;
      CwReceipt *r = cw_receipt_store_load (store, cw_receipt_list_get (list, i)->id, &error);
      CwChart *chart = r != NULL ? cw_receipt_chart_timeline (r, &error) : NULL;
      char caption[1024], name[160];

      CHECK (r != NULL, "load: %s", error.message);
      if (chart != NULL)
        {
          cw_receipt_chart_receipt_caption (r, db_path (db_name), caption, sizeof caption);
          cw_chart_set_caption (chart, caption);
          snprintf (name, sizeof name, "timeline %s receipt %lld (%s)", db_name, (long long) r->id, r->lane);
          check_chart (chart, name);
          cw_chart_free (chart);
          drawn++;
        }
      else
        CHECK (r == NULL || error.code == CW_ERROR_NOT_FOUND, "timeline of %lld: %s", r != NULL ? (long long) r->id : 0ll,
               error.message);
      cw_receipt_free (r);
    }
  CHECK (drawn > 0, "no timeline drawn from %s", db_name);
  cw_receipt_list_free (list);
  cw_receipt_store_close (store);
}

/* Two receipts side by side (Compare Receipts, `chart timeline
 * --against`): pairs of one lane and of two, equal and far apart peaks,
 * and one across two databases (the longest caption). */
static void
test_timeline_pairs (void)
{
  static const struct { const char *db_a; int64_t a; const char *db_b; int64_t b; } pairs[] = {
    { "h200-deepseek-v4-flash.db", 17, "h200-deepseek-v4-flash.db", 27 },   /* fused, streaming, same sq */
    { "h200-deepseek-v4-flash.db", 1, "h200-deepseek-v4-flash.db", 2 },     /* one lane: two hues */
    { "h200-deepseek-v4-flash.db", 13, "h200-deepseek-v4-flash.db", 25 },   /* equal peaks */
    { "h200-deepseek-v4-flash.db", 17, "h200-engines.db", 1 },              /* two databases */
  };

  for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++)
    {
      CwError error = CW_ERROR_INIT;
      CwReceiptStore *sa = cw_receipt_store_open (db_path (pairs[p].db_a), CW_RECEIPT_STORE_READONLY, &error);
      CwReceiptStore *sb = cw_receipt_store_open (db_path (pairs[p].db_b), CW_RECEIPT_STORE_READONLY, &error);
      CwReceipt *a = sa != NULL ? cw_receipt_store_load (sa, pairs[p].a, &error) : NULL;
      CwReceipt *b = sb != NULL ? cw_receipt_store_load (sb, pairs[p].b, &error) : NULL;
      CwChart *chart = a != NULL && b != NULL
                       ? cw_receipt_chart_timeline_pair (a, db_path (pairs[p].db_a), b, db_path (pairs[p].db_b), &error)
                       : NULL;
      char name[200];

      CHECK (chart != NULL, "pair %zu: %s", p, error.message);
      if (chart != NULL)
        {
          snprintf (name, sizeof name, "timeline pair %s %lld / %s %lld", pairs[p].db_a, (long long) pairs[p].a,
                    pairs[p].db_b, (long long) pairs[p].b);
          check_chart (chart, name);
          cw_chart_free (chart);
        }
      cw_receipt_free (a);
      cw_receipt_free (b);
      cw_receipt_store_close (sa);
      cw_receipt_store_close (sb);
    }
}

/* Issue 16 item 3: NVTX ranges are named on the timeline, the short
 * sub-ranges once the view is zoomed onto them (the workbench zooms by
 * setting the x range). Receipt 3 of the V4-Flash sample: lane, capture
 * and free read at the full range; score, reduce and topk (13-30 us each,
 * one pixel wide there) once zoomed to 2.44-2.51 ms. Each name inside the
 * plot. */
static void
test_timeline_range_names (void)
{
  static const struct { double x0, x1; const char *names[3]; } views[] = {
    { NAN, NAN, { "lane", "capture", "free" } },
    { 0.00244, 0.00251, { "score", "reduce", "topk" } },
  };
  CwError error = CW_ERROR_INIT;
  CwReceiptStore *store = cw_receipt_store_open (db_path ("h200-deepseek-v4-flash.db"),
                                                 CW_RECEIPT_STORE_READONLY | CW_RECEIPT_STORE_PLAN_MISSING, &error);
  CwReceipt *r = store != NULL ? cw_receipt_store_load (store, 3, &error) : NULL;
  CwChart *chart = r != NULL ? cw_receipt_chart_timeline (r, &error) : NULL;

  CHECK (chart != NULL, "timeline of receipt 3: %s", error.message);
  for (size_t v = 0; chart != NULL && v < sizeof views / sizeof views[0]; v++)
    {
      CwChartRect plot;
      Texts t;

      if (!isnan (views[v].x0))
        cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, views[v].x0, views[v].x1);
      CHECK (cw_chart_layout (chart, 1280, 800) && cw_chart_get_plot_area (chart, &plot), "layout");
      t = texts_get (chart);
      check_texts (chart, &t, "timeline range names", 1280, 800);
      for (size_t k = 0; k < 3; k++)
        {
          bool named = false;

          for (size_t i = 0; i < t.n; i++)
            if (t.items[i].kind == CW_CHART_TEXT_ITEM_NAME && strcmp (t.items[i].text, views[v].names[k]) == 0)
              {
                CwChartRect b = t.items[i].box;

                named = true;
                CHECK (b.x >= plot.x && b.x + b.width <= plot.x + plot.width, "range name '%s' outside the plot",
                       t.items[i].text);
              }
          CHECK (named, "the NVTX range '%s' is not named on the timeline%s", views[v].names[k],
                 isnan (views[v].x0) ? "" : " zoomed onto it");
        }
      texts_clear (&t);
    }
  cw_chart_free (chart);
  cw_receipt_free (r);
  cw_receipt_store_close (store);
}

/* Issue 16 item 2: each boundary note sits at its boundary: beside its
 * rule (its near edge within 8 px of it, never across it) and clear of
 * every other boundary rule, at every size; and at the sizes where every
 * rule label is kept, in the rows just under the role strip, where the
 * payload bars end (its top within 80 px, five rows, of the strip's
 * bottom). A crowded schedule (many short stages) may shorten notes to
 * their decision and drop what has no room, but a note that is kept starts
 * with its decision, and at 1920x1080 at least `min_kept` of the notes are
 * kept. Returns nothing; the notes checked go to the counters. */
static void
check_boundary_notes (CwChart *chart, const char *name, size_t min_kept)
{
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    {
      double w = sizes[s].width, h = sizes[s].height, strip_y = NAN;
      bool all_kept = min_kept == 0 && w >= 1280;
      double *rules = calloc (cw_chart_get_n_layers (chart) + 1, sizeof *rules);
      size_t n_rules = 0, n_notes = 0, n_kept = 0;
      Texts t;

      CHECK (cw_chart_layout (chart, w, h), "%s: layout", name);
      t = texts_get (chart);
      for (size_t l = 0; l < cw_chart_get_n_layers (chart); l++)
        {
          CwChartLayer *layer = cw_chart_get_layer (chart, l);
          double x0, x1, y0, y1, px, py;

          if (strcmp (cw_chart_layer_get_kind (layer), "bar") == 0 && cw_chart_layer_get_label (layer) == NULL
              && cw_chart_bar_layer_get_bar (layer, 0, &x0, &x1, &y0, &y1) && y0 > 0
              && cw_chart_data_to_device (chart, x0, y0, &px, &py))
            strip_y = py;
          if (strcmp (cw_chart_layer_get_kind (layer), "vline") == 0
              && cw_chart_data_to_device (chart, cw_chart_rule_layer_get_value (layer), 0, &px, &py))
            rules[n_rules++] = round (px);
        }
      CHECK (!isnan (strip_y), "%s: no role strip", name);
      for (size_t l = 1; l < cw_chart_get_n_layers (chart); l++)
        {
          CwChartLayer *layer = cw_chart_get_layer (chart, l), *rule = cw_chart_get_layer (chart, l - 1);
          double px, py;
          bool kept = false;

          if (strcmp (cw_chart_layer_get_kind (layer), "note") != 0)
            continue;
          n_notes++;
          CHECK (strcmp (cw_chart_layer_get_kind (rule), "vline") == 0, "%s: a note without its rule", name);
          cw_chart_data_to_device (chart, cw_chart_rule_layer_get_value (rule), 0, &px, &py);
          px = round (px);
          for (size_t i = 0; i < t.n; i++)
            {
              CwChartRect b = t.items[i].box;
              const char *text = t.items[i].text;
              double gap;

              if (t.items[i].layer != l || t.items[i].kind != CW_CHART_TEXT_RULE_LABEL)
                continue;
              kept = true;
              gap = b.x >= px ? b.x - px : px - (b.x + b.width);
              CHECK ((b.x >= px || b.x + b.width <= px) && gap <= 8, "%s at %gx%g: note '%s' (%.0f..%.0f) is %.0f px "
                     "from its boundary at %.0f", name, w, h, text, b.x, b.x + b.width, gap, px);
              for (size_t r = 0; r < n_rules; r++)
                CHECK (!(b.x < rules[r] && rules[r] < b.x + b.width), "%s at %gx%g: note '%s' (%.0f..%.0f) runs "
                       "across the boundary rule at %.0f", name, w, h, text, b.x, b.x + b.width, rules[r]);
              CHECK (strncmp (text, "transfer", 8) == 0 || strncmp (text, "recompute", 9) == 0
                     || strncmp (text, "nothing", 7) == 0, "%s at %gx%g: note '%s' does not start with its decision",
                     name, w, h, text);
              if (all_kept)
                CHECK (b.y >= strip_y - 1 && b.y - strip_y <= 80, "%s at %gx%g: note '%s' top at %.0f, the strip "
                       "ends at %.0f", name, w, h, text, b.y, strip_y);
            }
          n_kept += kept;
          if (all_kept)
            CHECK (kept, "%s at %gx%g: the note '%s' was dropped", name, w, h, cw_chart_layer_get_label (layer));
        }
      if (min_kept > 0 && w >= 1920)
        CHECK (n_kept >= min_kept, "%s at %gx%g: %zu of %zu notes kept, want at least %zu", name, w, h, n_kept,
               n_notes, min_kept);
      texts_clear (&t);
      free (rules);
    }
}

/* The Index cache page's chart (and `chart indexcache`). */
static void
test_indexcache (const char *preset, uint64_t every_n, uint64_t n_stages, size_t min_kept)
{
  CwError error = CW_ERROR_INIT;
  CwIndexCacheSetup *setup = cw_index_cache_setup_new ();
  CwIndexCacheConfig ic;
  CwIndexCachePlan *plan = NULL;
  CwConfig config;
  CwChart *chart = NULL;
  char name[128];

  cw_index_cache_setup_set_every_n (setup, every_n);
  cw_index_cache_setup_set_n_stages (setup, n_stages);
  CHECK (cw_preset_lookup (preset, &config, &error) && cw_index_cache_setup_resolve (setup, preset, &ic, &error)
         && (plan = cw_index_cache_plan_new (&config, &ic, &error)) != NULL
         && (chart = cw_chart_builder_indexcache (plan, NULL, &error)) != NULL, "index cache %s: %s", preset,
         error.message);
  if (chart != NULL)
    {
      snprintf (name, sizeof name, "index cache %s every %llu, %llu stages", preset, (unsigned long long) every_n,
                (unsigned long long) n_stages);
      check_chart (chart, name);
      check_boundary_notes (chart, name, min_kept);
    }
  cw_chart_free (chart);
  cw_index_cache_plan_free (plan);
  cw_index_cache_setup_free (setup);
}

/* ---- crowds built to collide ------------------------------------------------ */

/* Forty cliffs at one sq with labels of one width: each takes the first
 * free row, so the ones placed are the first added and the rest, the
 * lowest priority, are dropped. */
static void
test_crowded_rules (void)
{
  CwChart *chart = cw_chart_new ();
  double xs[] = { 1, 100 }, ys[] = { 1, 100 };
  size_t placed_upto = 0, n_rules = 40;
  bool prefix = true;
  Texts t;

  cw_chart_set_title (chart, "forty cliffs");
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, "x");
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, "y");
  cw_chart_add_layer (chart, cw_chart_line_layer_new ("curve", xs, ys, 2));
  for (size_t i = 0; i < n_rules; i++)
    {
      char label[64];

      snprintf (label, sizeof label, "cliff %02zu: sq 50", i);
      cw_chart_add_layer (chart, cw_chart_vline_layer_new (label, 50));
    }
  cairo_surface_destroy (render_to_image (chart, 640, 400));
  t = texts_get (chart);
  check_texts (chart, &t, "forty cliffs", 640, 400);
  for (size_t l = 1; l <= n_rules; l++)
    {
      bool kept = false;

      for (size_t i = 0; i < t.n; i++)
        kept |= t.items[i].layer == l && t.items[i].kind == CW_CHART_TEXT_RULE_LABEL;
      if (kept && !prefix)
        CHECK (false, "rule %zu kept after an earlier one was dropped", l - 1);
      if (kept)
        placed_upto = l;
      prefix &= kept;
    }
  CHECK (placed_upto >= 10 && placed_upto < n_rules, "%zu of %zu cliff labels kept", placed_upto, n_rules);
  CHECK (cw_chart_get_n_dropped_texts (chart) == n_rules - placed_upto, "%zu dropped, want %zu",
         cw_chart_get_n_dropped_texts (chart), n_rules - placed_upto);
  texts_clear (&t);
  cw_chart_free (chart);
}

/* A legend of sixty entries in a small plot: what fits, then "(N more)". */
static void
test_legend_overflow (void)
{
  CwChart *chart = cw_chart_new ();
  double xs[] = { 1, 2 }, ys[] = { 1, 2 };
  size_t entries = 0, more = 0;
  Texts t;

  cw_chart_set_title (chart, "sixty series");
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, "x");
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, "y");
  for (int i = 0; i < 60; i++)
    {
      char label[32];
      snprintf (label, sizeof label, "series %d", i);
      cw_chart_add_layer (chart, cw_chart_line_layer_new (label, xs, ys, 2));
    }
  for (int position = CW_CHART_LEGEND_TOP_LEFT; position <= CW_CHART_LEGEND_OUTSIDE_RIGHT; position++)
    {
      cw_chart_set_legend_position (chart, (CwChartLegendPosition) position);
      cairo_surface_destroy (render_to_image (chart, 640, 400));
      t = texts_get (chart);
      check_texts (chart, &t, "sixty series", 640, 400);
      entries = more = 0;
      for (size_t i = 0; i < t.n; i++)
        if (t.items[i].kind == CW_CHART_TEXT_LEGEND)
          {
            if (strstr (t.items[i].text, "more)") != NULL)
              more++;
            else
              entries++;
          }
      CHECK (entries > 3 && entries < 60 && more == 1, "legend %d: %zu entries and %zu '(N more)'", position, entries,
             more);
      CHECK (cw_chart_get_n_dropped_texts (chart) == 60 - entries, "legend %d: %zu dropped", position,
             cw_chart_get_n_dropped_texts (chart));
      texts_clear (&t);
    }
  cw_chart_free (chart);
}

/* A title and a caption longer than the surface: wrapped, never cut. */
static void
test_long_frame_texts (void)
{
  CwChart *chart = cw_chart_new ();
  double xs[] = { 1, 2 }, ys[] = { 1, 2 };
  Texts t;

  cw_chart_set_title (chart, "Predicted peak memory against context length for every profile the plan compares");
  cw_chart_set_caption (chart, "deepseek-v4-flash, engine vllm-v3.2, GPU h200: b=1 h=64 d=128 k=512 ratio=4 "
                        "causal-compressed, q/k fp8-e4m3/fp8-e4m3, scores fp32, index int32, prefix 131072 "
                        "\xc2\xb7 Cliffwatch 0.1.0 (0123456789ab) and a tail long enough to need a fourth line "
                        "at this width, which is cut with an ellipsis rather than run off the surface");
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, "x");
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_NUMBER, "y");
  cw_chart_add_layer (chart, cw_chart_line_layer_new ("curve", xs, ys, 2));
  cairo_surface_destroy (render_to_image (chart, 400, 300));
  t = texts_get (chart);
  check_texts (chart, &t, "long title and caption", 400, 300);
  CHECK (count_kind (&t, CW_CHART_TEXT_TITLE) == 2, "%zu title lines", count_kind (&t, CW_CHART_TEXT_TITLE));
  CHECK (count_kind (&t, CW_CHART_TEXT_CAPTION) == 3, "%zu caption lines", count_kind (&t, CW_CHART_TEXT_CAPTION));
  {
    const CwChartText *last = NULL;

    for (size_t i = 0; i < t.n; i++)
      if (t.items[i].kind == CW_CHART_TEXT_CAPTION && (last == NULL || t.items[i].box.y > last->box.y))
        last = &t.items[i];
    CHECK (last != NULL && strstr (last->text, "\xe2\x80\xa6") != NULL, "the caption's last line '%s' has no ellipsis",
           last != NULL ? last->text : "");
  }
  texts_clear (&t);
  cw_chart_free (chart);
}

int
main (void)
{
  static const char *const paths[] = { "fused", "materialize", "reference", "streaming" };
  static const char *const many[] = { "reference", "materialize", "fused", "streaming", "deepgemm", "vllm",
                                      "sglang", "streamindex", "transformers" };
  int fd;

  snprintf (svg_path, sizeof svg_path, "/tmp/cw-chart-labels-XXXXXX");
  fd = mkstemp (svg_path);
  if (fd < 0)
    {
      fprintf (stderr, "mkstemp: %s\n", strerror (errno));
      return 1;
    }
  close (fd);
  /* mkstemp's name has no extension; the exporter picks SVG by it. */
  unlink (svg_path);
  strcat (svg_path, ".svg");

  test_cliff ("deepseek-v4-flash", "h200", paths, 4, db_path ("h200-deepseek-v4-flash.db"), 131072);
  test_cliff ("deepseek-v4-flash", "h200", many, 9, db_path ("h200-deepseek-v4-flash.db"), 65536);
  test_cliff ("deepseek-v3.2", "h200", many, 9, db_path ("h200-deepseek-v3.2.db"), 65536);
  test_compare ("h200-deepseek-v4-flash.db");
  test_compare ("h200-deepseek-v3.2.db");
  test_compare ("h200-engines.db");
  test_compare ("h200x2-index-transfer.db");
  test_timelines ("h200-deepseek-v4-flash.db", 8);
  test_timelines ("h200-engines.db", 4);
  test_timeline_range_names ();
  test_timeline_pairs ();
  test_indexcache ("deepseek-v3.2", 4, 4, 0);
  test_indexcache ("deepseek-v4-pro", 2, 8, 0);
  test_indexcache ("deepseek-v3.2", 8, 2, 0);
  /* Crowded: a boundary every 4 or 2 layers, notes far wider than that. */
  test_indexcache ("deepseek-v3.2", 4, 16, 15);
  test_indexcache ("deepseek-v4-pro", 2, 30, 20);
  test_crowded_rules ();
  test_legend_overflow ();
  test_long_frame_texts ();

  unlink (svg_path);
  return test_finish ("test-chart-labels");
}
