/* cw-chart-builder-indexcache.c: the index-cache chart — one bar per model
 * layer (resident index bytes on its stage, coloured by pipeline stage,
 * filled by role), a strip of role cells above them, each stage boundary's
 * payload as a bar and its transfer-vs-recompute decision as a rule. */
#include "cw-chart-builder.h"
#include "cw-chart-i18n.h"

#include <math.h>
#include <stdio.h>

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

/* The decision that leads a boundary note ("transfer: 1.5 GiB payload, ..."),
 * translated: the planner's names are words of the CLI, not of the chart. */
static const char *
decision_label (CwBoundaryDecision decision)
{
  switch (decision)
    {
    case CW_BOUNDARY_TRANSFER:
      /* Translators: a boundary decision on the index-cache chart */
      return cw_chart_translate (CW_N_ ("transfer"));
    case CW_BOUNDARY_RECOMPUTE:
      /* Translators: a boundary decision on the index-cache chart */
      return cw_chart_translate (CW_N_ ("recompute"));
    case CW_BOUNDARY_NOTHING:
    default:
      return cw_boundary_decision_get_name (decision);
    }
}

#define MAX_STAGE_LEGEND 8

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
  cw_chart_set_legend_position (chart, CW_CHART_LEGEND_OUTSIDE_RIGHT);

  /* Legend-only entries for the roles (the bars carry per-stage colours). */
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
          cw_chart_layer_set_role (legend, CW_CHART_ROLE_TEXT);
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
  for (uint64_t i = 0; i < n_boundaries; i++)
    {
      CwBoundaryDecision decision = cw_index_cache_plan_get_boundary_decision (plan, i);
      uint64_t consumer = cw_index_cache_plan_get_boundary_consumer (plan, i);
      double bytes = (double) cw_index_cache_plan_get_boundary_payload_bytes (plan, i);
      double x = -1.0;
      CwChartLayer *rule;

      /* The boundary sits just before the first layer of stage i + 1. */
      for (uint64_t l = 1; l < n_layers; l++)
        if (cw_index_cache_plan_get_layer_stage (plan, l) == i + 1
            && cw_index_cache_plan_get_layer_stage (plan, l - 1) == i)
          {
            x = (double) l - 0.5;
            break;
          }
      if (x < 0.0)
        continue;
      if (decision == CW_BOUNDARY_NOTHING || consumer == UINT64_MAX)
        snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("boundary %llu: nothing to carry")), (unsigned long long) i);
      else
        {
          cw_chart_format_value_precise (CW_CHART_UNIT_BYTES, bytes, 2, a, sizeof a);
          cw_chart_format_value_precise (CW_CHART_UNIT_SECONDS, cw_index_cache_plan_get_boundary_transfer_s (plan, i),
                                         2, b, sizeof b);
          cw_chart_format_value_precise (CW_CHART_UNIT_SECONDS, cw_index_cache_plan_get_boundary_recompute_s (plan, i),
                                         2, c, sizeof c);
          snprintf (text, sizeof text, cw_chart_translate (CW_N_ ("%s: %s payload, transfer %s vs recompute %s")),
                    decision_label (decision), a, b, c);
          if (bytes > 0.0 && !cw_chart_bar_layer_add (payload, x - 0.12, x + 0.12, 0.0, bytes, 0,
                                                      CW_CHART_FILL_LIGHT, NULL))
            {
              cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
              goto fail;
            }
        }
      rule = cw_chart_vline_layer_new (text, x);
      if (rule != NULL)
        {
          cw_chart_layer_set_role (rule, CW_CHART_ROLE_TEXT);
          cw_chart_vline_layer_set_label_row (rule, 4 + (unsigned) (i % 3));
        }
      if (!add (chart, rule, error))
        goto fail;
    }
  return chart;

fail:
  cw_chart_free (chart);
  return NULL;
}
