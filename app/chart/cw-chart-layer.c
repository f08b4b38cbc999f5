/* cw-chart-layer.c: what every layer kind shares — allocation, label,
 * colour, and the data-to-device mapping layers draw with. */
#include "cw-chart-layer-private.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

char *
cw_chart_strdup (const char *s)
{
  size_t len;
  char *copy;

  if (s == NULL)
    return NULL;
  len = strlen (s);
  copy = malloc (len + 1);
  if (copy != NULL)
    memcpy (copy, s, len + 1);
  return copy;
}

double *
cw_chart_dup_doubles (const double *src, size_t n)
{
  double *copy;

  if (n > SIZE_MAX / sizeof (double))
    return NULL;
  copy = malloc (n == 0 ? sizeof (double) : n * sizeof (double));
  if (copy != NULL && n > 0)
    memcpy (copy, src, n * sizeof (double));
  return copy;
}

bool
cw_chart_grow (void **items, size_t *capacity, size_t need, size_t elem)
{
  size_t cap = *capacity;
  void *grown;

  if (need <= cap)
    return true;
  if (cap == 0)
    cap = 16;
  while (cap < need)
    {
      if (cap > SIZE_MAX / 2)
        return false;
      cap *= 2;
    }
  if (cap > SIZE_MAX / elem)
    return false;
  grown = realloc (*items, cap * elem);
  if (grown == NULL)
    return false;
  *items = grown;
  *capacity = cap;
  return true;
}

CwChartLayer *
cw_chart_layer_alloc (const CwChartLayerClass *klass, size_t size, const char *label)
{
  CwChartLayer *layer = calloc (1, size);

  if (layer == NULL)
    return NULL;
  layer->klass = klass;
  layer->role = CW_CHART_ROLE_SERIES;
  layer->in_legend = true;
  if (label != NULL && (layer->label = cw_chart_strdup (label)) == NULL)
    {
      free (layer);
      return NULL;
    }
  return layer;
}

bool
cw_chart_layer_is (const CwChartLayer *layer, const CwChartLayerClass *klass)
{
  return layer != NULL && layer->klass == klass;
}

void
cw_chart_layer_free (CwChartLayer *layer)
{
  if (layer == NULL)
    return;
  if (layer->klass->finalize != NULL)
    layer->klass->finalize (layer);
  free (layer->label);
  free (layer);
}

const char *
cw_chart_layer_get_kind (const CwChartLayer *layer)
{
  return layer != NULL ? layer->klass->kind : NULL;
}

const char *
cw_chart_layer_get_label (const CwChartLayer *layer)
{
  return layer != NULL ? layer->label : NULL;
}

bool
cw_chart_layer_set_label (CwChartLayer *layer, const char *label)
{
  char *copy = NULL;

  if (layer == NULL)
    return false;
  if (label != NULL && (copy = cw_chart_strdup (label)) == NULL)
    return false;
  free (layer->label);
  layer->label = copy;
  return true;
}

void
cw_chart_layer_set_in_legend (CwChartLayer *layer, bool in_legend)
{
  if (layer != NULL)
    layer->in_legend = in_legend;
}

void
cw_chart_layer_set_series (CwChartLayer *layer, unsigned series_index)
{
  if (layer == NULL)
    return;
  layer->role = CW_CHART_ROLE_SERIES;
  layer->series_index = series_index;
}

void
cw_chart_layer_set_role (CwChartLayer *layer, CwChartColorRole role)
{
  if (layer != NULL)
    layer->role = role;
}

void
cw_chart_layer_set_identity (CwChartLayer *layer, CwChartIdentity identity)
{
  cw_chart_layer_set_series (layer, identity.series);
  cw_chart_line_layer_set_dash (layer, identity.dash);
}

CwChartColor
cw_chart_layer_get_color (const CwChartLayer *layer, const CwChartStyle *style)
{
  return cw_chart_style_color (style, layer->role, layer->series_index);
}

size_t
cw_chart_layer_get_n_items (const CwChartLayer *layer)
{
  if (layer == NULL || layer->klass->n_items == NULL)
    return 0;
  return layer->klass->n_items (layer);
}

bool
cw_chart_value_drawable (CwChartScale scale, double v)
{
  if (!isfinite (v))
    return false;
  return scale != CW_CHART_SCALE_LOG10 || v > 0.0;
}

bool
cw_chart_axis_map (const CwChartAxisMap *map, double v, double *p)
{
  double t;

  if (!cw_chart_value_drawable (map->scale, v))
    return false;
  t = map->scale == CW_CHART_SCALE_LOG10 ? log10 (v) : v;
  *p = map->p0 + (t - map->t_min) / (map->t_max - map->t_min) * (map->p1 - map->p0);
  return isfinite (*p);
}

double
cw_chart_axis_map_clamped (const CwChartAxisMap *map, double v)
{
  double p, lo, hi;

  /* Not drawable: +inf is above the axis; NaN, -inf and <= 0 on a log
   * axis are below it. */
  if (!cw_chart_axis_map (map, v, &p))
    return v == INFINITY ? map->p1 : map->p0;
  /* Keep far-off values finite for cairo (it works in 24.8 fixed point). */
  lo = fmin (map->p0, map->p1) - 1e5;
  hi = fmax (map->p0, map->p1) + 1e5;
  return fmin (fmax (p, lo), hi);
}

bool
cw_chart_axis_unmap (const CwChartAxisMap *map, double p, double *v)
{
  double t;

  if (map->p1 == map->p0)
    return false;
  t = map->t_min + (p - map->p0) / (map->p1 - map->p0) * (map->t_max - map->t_min);
  *v = map->scale == CW_CHART_SCALE_LOG10 ? pow (10.0, t) : t;
  return isfinite (*v);
}

void
cw_chart_set_source_color (cairo_t *cr, CwChartColor color, double alpha_scale)
{
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * alpha_scale);
}

/* Adds a marker outline to the current path (no fill/stroke), so thousands
 * of markers become one path and one fill — the 10,000-receipt budget. */
void
cw_chart_draw_marker (cairo_t *cr, CwChartMarker marker, double x, double y, double r)
{
  switch (marker)
    {
    case CW_CHART_MARKER_CROSS:
      cairo_move_to (cr, x - r, y - r);
      cairo_line_to (cr, x + r, y + r);
      cairo_move_to (cr, x - r, y + r);
      cairo_line_to (cr, x + r, y - r);
      break;
    case CW_CHART_MARKER_SQUARE:
      cairo_rectangle (cr, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      break;
    case CW_CHART_MARKER_TRIANGLE:
      cairo_move_to (cr, x, y - r * 1.1);
      cairo_line_to (cr, x + r, y + r * 0.8);
      cairo_line_to (cr, x - r, y + r * 0.8);
      cairo_close_path (cr);
      break;
    case CW_CHART_MARKER_DIAMOND:
      cairo_move_to (cr, x, y - r * 1.2);
      cairo_line_to (cr, x + r * 1.2, y);
      cairo_line_to (cr, x, y + r * 1.2);
      cairo_line_to (cr, x - r * 1.2, y);
      cairo_close_path (cr);
      break;
    case CW_CHART_MARKER_CIRCLE:
    default:
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, r, 0, 2 * M_PI);
      cairo_close_path (cr);
      break;
    }
}

void
cw_chart_set_dash (cairo_t *cr, CwChartDash dash)
{
  static const double dashed[] = { 6.0, 4.0 }, dotted[] = { 1.5, 3.0 }, dash_dot[] = { 7.0, 3.0, 1.5, 3.0 };

  switch (dash)
    {
    case CW_CHART_DASH_DASHED:
      cairo_set_dash (cr, dashed, 2, 0.0);
      break;
    case CW_CHART_DASH_DOTTED:
      cairo_set_dash (cr, dotted, 2, 0.0);
      break;
    case CW_CHART_DASH_DASH_DOT:
      cairo_set_dash (cr, dash_dot, 4, 0.0);
      break;
    case CW_CHART_DASH_SOLID:
    default:
      cairo_set_dash (cr, NULL, 0, 0.0);
      break;
    }
}

void
cw_chart_hatch_box (cairo_t *cr, CwChartBox box, double spacing)
{
  cairo_save (cr);
  cairo_rectangle (cr, box.x, box.y, box.width, box.height);
  cairo_clip (cr);
  cairo_new_path (cr);
  for (double d = -box.height; d < box.width; d += spacing)
    {
      cairo_move_to (cr, box.x + d, box.y + box.height);
      cairo_line_to (cr, box.x + d + box.height, box.y);
    }
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  cairo_restore (cr);
}

double
cw_chart_text_width (cairo_t *cr, const char *text)
{
  cairo_text_extents_t ext;

  if (text == NULL || *text == '\0')
    return 0.0;
  cairo_text_extents (cr, text, &ext);
  return ext.x_advance;
}

bool
cw_chart_series_extent (const double *v, size_t n, CwChartScale scale, double *min, double *max)
{
  bool any = false;

  for (size_t i = 0; i < n; i++)
    {
      if (!cw_chart_value_drawable (scale, v[i]))
        continue;
      if (!any || v[i] < *min)
        *min = v[i];
      if (!any || v[i] > *max)
        *max = v[i];
      any = true;
    }
  return any;
}
