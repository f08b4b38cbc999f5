/* cw-chart-builder-indexcache.c: the index-cache chart — one bar per model
 * layer (resident index bytes on its stage, coloured by pipeline stage,
 * filled by role), a strip of role cells above them, each stage boundary's
 * payload as a bar and its transfer-vs-recompute decision as a rule with a
 * note beside it.
 *
 * The strip has no byte scale: the y axis carries ticks only up to the
 * tallest bar. Legend swatches are what the bars are: the roles in stage
 * 0's hue (solid, light, hatched), each stage in its hue; stages cycle the
 * six hues, never the neutral. */
#include "cw-chart-builder.h"
#include "cw-chart-i18n.h"
#include "cw-chart-labels-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static CwChartFill
fill_for_role (CwLayerRole role)
{
  switch (role)
    {
    case CW_LAYER_SHARED:
      return CW_CHART_FILL_LIGHT;
    case CW_LAYER_PROMOTED:
      return CW_CHART_FILL_HATCHED;
    case CW_LAYER_FULL:
    case CW_LAYER_NO_INDEXER:
    default:
      return CW_CHART_FILL_SOLID;
    }
}

static bool
add (CwChart *chart, CwChartLayer *layer, CwError *error)
{
  if (cw_chart_add_layer (chart, layer) == (size_t) -1)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
      return false;
    }
  return true;
}

#define MAX_STAGE_LEGEND 8

/* ---- the note beside a boundary ------------------------------------------ */

/* A boundary note sits beside its rule and between its neighbours: in the
 * first text row under the role strip (the top of the payload bars), right
 * of the rule, else left of it, then the rows below; never across its own
 * rule or a neighbouring one (the layout pass keeps it off every other
 * text). Where the wider side has no room for the whole note, it gives way
 * to the shortest form that fits there: the decision with its cost
 * ("transfer 1 GiB: 21 ms"), then the decision alone; a note whose
 * decision alone does not fit is left out (the page lists every boundary
 * in full). Draws nothing itself: the rule is a vline layer. */
typedef struct {
  CwChartLayer parent;
  double x;             /* the boundary, in layers */
  double prev_x, next_x;/* the neighbouring boundaries (or the axis ends) */
  double y_top;         /* the bottom of the role strip, in bytes */
  char *forms[2];       /* the decision with its cost, the decision alone (either NULL);
                         * the layer's label is the whole note */
} NoteLayer;

/* Between a note's box and its own rule, and a neighbouring rule's centre. */
#define NOTE_GAP 4.0
#define NOTE_NEIGHBOUR_GAP 2.0

static void
note_draw (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr)
{
  (void) layer;
  (void) ctx;
  (void) cr;
}

/* Replaces the label's text with `text` (measured with `cr`), laid along
 * the rule (reading bottom to top) when `vertical`; the backdrop's margins
 * `mx`, `my` stay around it. False on OOM. */
static bool
note_set_form (CwChartLabel *label, cairo_t *cr, const cairo_font_extents_t *fe, const char *text, bool vertical,
               double mx, double my)
{
  char *copy = cw_chart_strdup (text);
  double tw = cw_chart_text_width (cr, text);

  if (copy == NULL)
    return false;
  free (label->text);
  label->text = copy;
  label->rotated = vertical;
  if (vertical)
    label->extent = (CwChartBox) { -fe->ascent - mx, -tw - my, fe->ascent + fe->descent + 2 * mx, tw + 2 * my };
  else
    label->extent = (CwChartBox) { -mx, -fe->ascent - my, tw + 2 * mx, fe->ascent + fe->descent + 2 * my };
  return true;
}

static void
note_labels (CwChartLayer *layer, const CwChartDrawContext *ctx, cairo_t *cr, CwChartLabels *labels, size_t index)
{
  NoteLayer *self = (NoteLayer *) layer;
  cairo_font_extents_t fe;
  CwChartLabel *label;
  double px, prev, next, top, bottom, right, left, room, mx, my, w, first;
  /* The forms, best first: across, whole then the decision with its cost;
   * along the rule, the same; across, the decision alone. */
  const struct { const char *text; bool vertical; } forms[] = {
    { layer->label, false }, { self->forms[0], false }, { layer->label, true }, { self->forms[0], true },
    { self->forms[1], false }, { self->forms[1], true },
  };
  size_t f;

  if (!cw_chart_axis_map (&ctx->x, self->x, &px) || !cw_chart_axis_map (&ctx->y, self->y_top, &top)
      || !cw_chart_axis_map (&ctx->x, self->prev_x, &prev) || !cw_chart_axis_map (&ctx->x, self->next_x, &next))
    return;
  px = round (px);
  prev = fmax (round (prev), ctx->plot.x);
  next = fmin (round (next), ctx->plot.x + ctx->plot.width);
  cairo_font_extents (cr, &fe);
  top = fmax (top, ctx->plot.y) + 2;
  bottom = ctx->plot.y + ctx->plot.height;
  /* The box's room on each side (the backdrop's margins are in the box). */
  right = next - NOTE_NEIGHBOUR_GAP - (px + NOTE_GAP);
  left = px - NOTE_GAP - (prev + NOTE_NEIGHBOUR_GAP);
  room = fmax (right, left);
  label = cw_chart_labels_add_text (labels, cr, CW_CHART_TEXT_RULE_LABEL, layer->label, index, CW_CHART_PRIORITY_RULE,
                                    ctx->plot, 0);
  if (label == NULL)
    return;
  label->color = ctx->style->text;
  {
    CwChartBox bare = label->extent;

    cw_chart_label_set_backdrop (label);
    mx = (label->extent.width - bare.width) / 2;
    my = (label->extent.height - bare.height) / 2;
  }
  for (f = 0; f < sizeof forms / sizeof forms[0]; f++)
    {
      double tw;

      if (forms[f].text == NULL)
        continue;
      tw = cw_chart_text_width (cr, forms[f].text);
      if (forms[f].vertical ? fe.ascent + fe.descent + 2 * mx <= room && tw + 2 * my <= bottom - top
                            : tw + 2 * mx <= room)
        break;
    }
  if (f == sizeof forms / sizeof forms[0]
      || !note_set_form (label, cr, &fe, forms[f].text, forms[f].vertical, mx, my))
    return;   /* no anchors: left out */
  w = label->extent.width;
  /* Anchors are the text's origin; the box starts extent.x, extent.y from it.
   * Rows go down from the strip: text rows across, a few steps along. */
  first = top - label->extent.y;
  for (double y = first; y + label->extent.y + label->extent.height <= bottom;
       y += forms[f].vertical ? 4 * (fe.height + 2) : fe.height + 2)
    {
      if (w <= right)
        cw_chart_label_add_anchor (labels, label, px + NOTE_GAP - label->extent.x, y);
      if (w <= left)
        cw_chart_label_add_anchor (labels, label, px - NOTE_GAP - w - label->extent.x, y);
    }
}

static void
note_finalize (CwChartLayer *layer)
{
  NoteLayer *self = (NoteLayer *) layer;

  free (self->forms[0]);
  free (self->forms[1]);
}

static const CwChartLayerClass note_class = {
  .kind = "note",
  .draw = note_draw,
  .labels = note_labels,
  .finalize = note_finalize,
};

/* `text` is the whole note, `shorter` and `shortest` its shorter forms
 * (either may be NULL). */
static CwChartLayer *
note_layer_new (const char *text, const char *shorter, const char *shortest, double x, double prev_x, double next_x,
                double y_top)
{
  NoteLayer *self = (NoteLayer *) cw_chart_layer_alloc (&note_class, sizeof *self, text);

  if (self == NULL)
    return NULL;
  self->x = x;
  self->prev_x = prev_x;
  self->next_x = next_x;
  self->y_top = y_top;
  self->parent.in_legend = false;
  if ((shorter != NULL && (self->forms[0] = cw_chart_strdup (shorter)) == NULL)
      || (shortest != NULL && (self->forms[1] = cw_chart_strdup (shortest)) == NULL))
    {
      cw_chart_layer_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}

/* Stages cycle through the hues; the neutral is the legend's "full". */
static unsigned
stage_hue (uint64_t stage)
{
  return (unsigned) (stage % CW_CHART_N_HUES);
}

CwChart *
cw_chart_builder_indexcache (const CwIndexCachePlan *plan, const char *title, CwError *error)
{
  CwChart *chart;
  CwChartLayer *bars, *strip, *payload;
  uint64_t n_layers, n_boundaries, n_stages = 0;
  double top = 0.0, strip_lo, strip_hi;
  char text[256], a[64], b[64], c[64];

  if (plan == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "index-cache chart: no plan");
      return NULL;
    }
  n_layers = cw_index_cache_plan_get_n_layers (plan);
  n_boundaries = cw_index_cache_plan_get_n_boundaries (plan);
  if (n_layers == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "index-cache chart: the plan has no layers");
      return NULL;
    }
  for (uint64_t l = 0; l < n_layers; l++)
    {
      top = fmax (top, (double) cw_index_cache_plan_get_layer_resident_bytes (plan, l));
      if (cw_index_cache_plan_get_layer_stage (plan, l) + 1 > n_stages)
        n_stages = cw_index_cache_plan_get_layer_stage (plan, l) + 1;
    }
  for (uint64_t i = 0; i < n_boundaries; i++)
    top = fmax (top, (double) cw_index_cache_plan_get_boundary_payload_bytes (plan, i));
  if (!(top > 0.0))
    top = fmax (1.0, (double) cw_index_cache_plan_get_payload_bytes (plan));
  /* The role strip sits above the tallest bar, in data space. */
  strip_lo = top * 1.06;
  strip_hi = top * 1.20;

  chart = cw_chart_new ();
  if (chart == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
      return NULL;
    }
  cw_chart_set_title (chart, title != NULL ? title : cw_chart_translate (CW_N_ ("Index cache across layers and stages")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_COUNT, cw_chart_translate (CW_N_ ("layer")));
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LINEAR, CW_CHART_UNIT_BYTES,
                     cw_chart_translate (CW_N_ ("resident index bytes")));
  cw_chart_set_axis_range (chart, CW_CHART_AXIS_X, -0.5, (double) n_layers - 0.5);
  cw_chart_set_axis_range (chart, CW_CHART_AXIS_Y, 0.0, top * 1.22);
  /* The strip above the bars is not on the byte scale. */
  cw_chart_set_axis_tick_limit (chart, CW_CHART_AXIS_Y, 0.0, top);
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_OUTSIDE_RIGHT);

  /* Legend-only entries for the roles, drawn as stage 0's bars are. */
  {
    static const struct { const char *label; CwChartFill fill; } roles[] = {
      { CW_N_("full: computes top-k"), CW_CHART_FILL_SOLID },
      { CW_N_("shared: reuses the cache"), CW_CHART_FILL_LIGHT },
      { CW_N_("promoted: recomputes"), CW_CHART_FILL_HATCHED },
    };
    for (size_t i = 0; i < 3; i++)
      {
        CwChartLayer *legend = cw_chart_bar_layer_new (cw_chart_translate (roles[i].label), roles[i].fill);
        if (legend != NULL)
          cw_chart_layer_set_series (legend, stage_hue (0));
        if (!add (chart, legend, error))
          goto fail;
      }
  }
  for (uint64_t s = 0; s < n_stages && s < MAX_STAGE_LEGEND; s++)
    {
      CwChartLayer *legend;

      snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("stage %llu")), (unsigned long long) s);
      legend = cw_chart_bar_layer_new (text, CW_CHART_FILL_SOLID);
      if (legend != NULL)
        cw_chart_layer_set_series (legend, stage_hue (s));
      if (!add (chart, legend, error))
        goto fail;
    }

  bars = cw_chart_bar_layer_new (NULL, CW_CHART_FILL_SOLID);
  strip = cw_chart_bar_layer_new (NULL, CW_CHART_FILL_SOLID);
  if (!add (chart, bars, error) || !add (chart, strip, error))
    goto fail;
  for (uint64_t l = 0; l < n_layers; l++)
    {
      CwLayerRole role = cw_index_cache_plan_get_layer_role (plan, l);
      unsigned stage = stage_hue (cw_index_cache_plan_get_layer_stage (plan, l));
      double resident = (double) cw_index_cache_plan_get_layer_resident_bytes (plan, l);
      double x = (double) l;

      if (role == CW_LAYER_NO_INDEXER)
        continue;
      if (!cw_chart_bar_layer_add (strip, x - 0.45, x + 0.45, strip_lo, strip_hi, stage, fill_for_role (role),
                                   role == CW_LAYER_FULL ? "F" : role == CW_LAYER_SHARED ? "S" : "P")
          || (resident > 0.0
              && !cw_chart_bar_layer_add (bars, x - 0.35, x + 0.35, 0.0, resident, stage, fill_for_role (role),
                                          NULL)))
        {
          cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
          goto fail;
        }
    }

  payload = cw_chart_bar_layer_new (cw_chart_translate (CW_N_ ("payload at a stage boundary")), CW_CHART_FILL_LIGHT);
  if (payload != NULL)
    cw_chart_layer_set_role (payload, CW_CHART_ROLE_MUTED);
  if (!add (chart, payload, error))
    goto fail;
  {
    double *xs = calloc (n_boundaries + 2, sizeof *xs);   /* [0] and [n + 1]: the axis ends */

    if (xs == NULL)
      {
        cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
        goto fail;
      }
    xs[0] = -0.5;
    xs[n_boundaries + 1] = (double) n_layers - 0.5;
    /* Boundary i sits just before the first layer of stage i + 1 (-1: none). */
    for (uint64_t i = 0; i < n_boundaries; i++)
      {
        xs[i + 1] = -1.0;
        for (uint64_t l = 1; l < n_layers; l++)
          if (cw_index_cache_plan_get_layer_stage (plan, l) == i + 1
              && cw_index_cache_plan_get_layer_stage (plan, l - 1) == i)
            {
              xs[i + 1] = (double) l - 0.5;
              break;
            }
      }
    for (uint64_t i = 0; i < n_boundaries; i++)
      {
        CwBoundaryDecision decision = cw_index_cache_plan_get_boundary_decision (plan, i);
        uint64_t consumer = cw_index_cache_plan_get_boundary_consumer (plan, i);
        double bytes = (double) cw_index_cache_plan_get_boundary_payload_bytes (plan, i);
        double x = xs[i + 1], prev = -0.5, next = (double) n_layers - 0.5;
        CwChartLayer *rule, *note;
        const char *shortest;
        char shorter[192];

        if (x < 0.0)
          continue;
        for (uint64_t j = i; j > 0; j--)
          if (xs[j] >= 0.0)
            {
              prev = xs[j];
              break;
            }
        for (uint64_t j = i + 2; j <= n_boundaries; j++)
          if (xs[j] >= 0.0)
            {
              next = xs[j];
              break;
            }
        shortest = NULL;
        shorter[0] = '\0';
        if (decision == CW_BOUNDARY_NOTHING || consumer == UINT64_MAX)
          /* Translators: an index-cache boundary note: the next stage starts with its own full layer */
          {
            snprintf (text, sizeof text, "%s", cw_chart_translate (CW_N_ ("nothing to carry")));
            /* Translators: "nothing to carry" where boundaries crowd */
            shortest = cw_chart_translate (CW_N_ ("nothing"));
          }
        else
          {
            cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, bytes, 2, a, sizeof a);
            cw_chart_format_value_precise (CW_CHART_UNIT_SECONDS,
                                           cw_index_cache_plan_get_boundary_transfer_s (plan, i), 2, b, sizeof b);
            cw_chart_format_value_precise (CW_CHART_UNIT_SECONDS,
                                           cw_index_cache_plan_get_boundary_recompute_s (plan, i), 2, c, sizeof c);
            /* Each note in three lengths, the decision first in each: where
             * boundaries crowd, the note takes the longest that fits. */
            if (decision == CW_BOUNDARY_TRANSFER)
              {
                /* Translators: an index-cache boundary note: payload, its transfer time, the recompute time */
                snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("transfer %s: %s (recompute %s)")), a, b, c);
                /* Translators: a boundary note where boundaries crowd: payload, its transfer time */
                snprintf (shorter, sizeof shorter, cw_chart_translate (CW_N_ ("transfer %s: %s")), a, b);
                /* Translators: a boundary note where there is room for the decision only */
                shortest = cw_chart_translate (CW_N_ ("transfer"));
              }
            else
              {
                /* Translators: an index-cache boundary note: recompute time, payload, its transfer time */
                snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("recompute: %s (transfer %s: %s)")), c, a, b);
                /* Translators: a boundary note where boundaries crowd: the recompute time */
                snprintf (shorter, sizeof shorter, cw_chart_translate (CW_N_ ("recompute: %s")), c);
                /* Translators: a boundary note where there is room for the decision only */
                shortest = cw_chart_translate (CW_N_ ("recompute"));
              }
            if (bytes > 0.0 && !cw_chart_bar_layer_add (payload, x - 0.12, x + 0.12, 0.0, bytes, 0,
                                                        CW_CHART_FILL_LIGHT, NULL))
              {
                free (xs);
                cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
                goto fail;
              }
          }
        rule = cw_chart_vline_layer_new (NULL, x);
        if (rule != NULL)
          cw_chart_layer_set_role (rule, CW_CHART_ROLE_TEXT);
        if (!add (chart, rule, error)
            || !add (chart, (note = note_layer_new (text, shorter[0] != '\0' ? shorter : NULL, shortest, x, prev, next,
                                                    strip_lo)), error))
          {
            free (xs);
            goto fail;
          }
      }
    free (xs);
  }
  return chart;

fail:
  cw_chart_free (chart);
  return NULL;
}
