/* cw-chart-view.c: the chart widget.
 *
 * Draws through the same cairo renderer as the exports
 * (gtk_snapshot_append_cairo + cw_chart_render), so what is on screen is what
 * gets exported. The style is the "chart-style" property (the preference of
 * that name): "light", "dark" or "print", or "system", which follows
 * libadwaita's dark/light state at draw time. Hovering an item shows its tooltip; clicking or pressing Enter
 * on a hovered item emits ::item-activated, and so does stepping through the
 * points with the arrow keys. A view made x-zoomable (the memory timeline)
 * zooms and pans its x axis by scrolling, dragging and keys; the range lives
 * in the chart (cw_chart_set_axis_range), so exports show the zoomed range,
 * and hovering the plot reports the data under the pointer through the
 * position function. Owner: workbench. */
#include "cw-build-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cw-chart-view.h"
#include "cw-gerror.h"

#define HIT_RADIUS 10.0
/* One wheel notch or key press zooms by this much. */
#define ZOOM_STEP 1.25
/* The narrowest range, as a fraction of the whole. */
#define MIN_SPAN_FRACTION 1e-6

struct _CwChartView
{
  GtkWidget               parent_instance;
  CwChart                *chart;
  CwChartViewTooltipFunc  tooltip_func;
  gpointer                tooltip_data;
  GDestroyNotify          tooltip_destroy;
  gint64                  last_render_us;
  gboolean                have_hover;
  CwChartHit              hover;
  char                   *chart_style;   /* "system", or a CwChartStyleKind name */

  CwChartViewPositionFunc position_func;
  gpointer                position_data;
  GDestroyNotify          position_destroy;

  /* x zoom: the whole range is what the chart laid out before the first
   * zoom; the visible one is the chart's fixed x range while zoomed. */
  gboolean                x_zoomable;
  gboolean                scroll_zooms;
  gboolean                zoomed;
  gboolean                have_full_x;
  double                  full_x_min, full_x_max;
  double                  drag_x_min, drag_x_max;
  gboolean                have_pointer;
  double                  pointer_x, pointer_y;
};

enum {
  ITEM_ACTIVATED,
  N_SIGNALS
};

enum {
  PROP_0,
  PROP_CHART_STYLE,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CwChartView, cw_chart_view, GTK_TYPE_WIDGET)

GtkWidget *
cw_chart_view_new (void)
{
  return g_object_new (CW_TYPE_CHART_VIEW, NULL);
}

void
cw_chart_view_set_chart (CwChartView *self, CwChart *chart)
{
  g_return_if_fail (CW_IS_CHART_VIEW (self));

  if (self->chart == chart)
    return;
  g_clear_pointer (&self->chart, cw_chart_free);
  self->chart = chart;
  self->have_hover = FALSE;
  self->zoomed = FALSE;
  self->have_full_x = FALSE;
  /* Screen readers get the chart's title as the image's name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  chart != NULL && cw_chart_get_title (chart) != NULL ? cw_chart_get_title (chart) : "",
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

CwChart *
cw_chart_view_get_chart (CwChartView *self)
{
  g_return_val_if_fail (CW_IS_CHART_VIEW (self), NULL);
  return self->chart;
}

void
cw_chart_view_set_tooltip_func (CwChartView            *self,
                                CwChartViewTooltipFunc  func,
                                gpointer                user_data,
                                GDestroyNotify          destroy)
{
  g_return_if_fail (CW_IS_CHART_VIEW (self));

  if (self->tooltip_destroy != NULL)
    self->tooltip_destroy (self->tooltip_data);
  self->tooltip_func = func;
  self->tooltip_data = user_data;
  self->tooltip_destroy = destroy;
}

gint64
cw_chart_view_get_last_render_us (CwChartView *self)
{
  g_return_val_if_fail (CW_IS_CHART_VIEW (self), 0);
  return self->last_render_us;
}

CwChartStyleKind
cw_chart_view_get_style (CwChartView *self)
{
  CwChartStyleKind kind;

  g_return_val_if_fail (CW_IS_CHART_VIEW (self), CW_CHART_STYLE_LIGHT);

  if (self->chart_style != NULL && cw_chart_style_kind_from_string (self->chart_style, &kind))
    return kind;
  return adw_style_manager_get_dark (adw_style_manager_get_default ()) ? CW_CHART_STYLE_DARK
                                                                        : CW_CHART_STYLE_LIGHT;
}

const char *
cw_chart_view_get_chart_style (CwChartView *self)
{
  g_return_val_if_fail (CW_IS_CHART_VIEW (self), NULL);
  return self->chart_style != NULL ? self->chart_style : "system";
}

void
cw_chart_view_set_chart_style (CwChartView *self, const char *chart_style)
{
  CwChartStyleKind kind;

  g_return_if_fail (CW_IS_CHART_VIEW (self));

  /* Anything but a style's name follows the windows. */
  if (chart_style == NULL || !cw_chart_style_kind_from_string (chart_style, &kind))
    chart_style = "system";
  if (g_strcmp0 (self->chart_style, chart_style) == 0)
    return;
  g_free (self->chart_style);
  self->chart_style = g_strdup (chart_style);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHART_STYLE]);
}

gboolean
cw_chart_view_export_with_style (CwChartView  *self,
                                 const char   *path,
                                 int           width,
                                 int           height,
                                 const char   *style,
                                 GError      **error)
{
  CwError cw_error = { 0 };
  CwChartFormat format;
  CwChartStyleKind kind = cw_chart_view_get_style (self);

  g_return_val_if_fail (CW_IS_CHART_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->chart == NULL)
    {
      g_set_error_literal (error, CW_GERROR, CW_ERROR_INVALID, _("This page has no chart to export yet"));
      return FALSE;
    }

  if (!cw_chart_format_from_path (path, &format))
    {
      g_set_error (error, CW_GERROR, CW_ERROR_INVALID,
                   _("“%s”: unknown format; use a .png, .svg or .pdf file name"), path);
      return FALSE;
    }

  if (style != NULL && !cw_chart_style_kind_from_string (style, &kind))
    {
      g_set_error (error, CW_GERROR, CW_ERROR_INVALID, _("Unknown chart style “%s”"), style);
      return FALSE;
    }
  /* Paper is white: a PDF is always drawn for print. */
  if (format == CW_CHART_FORMAT_PDF)
    kind = CW_CHART_STYLE_PRINT;

  if (!cw_chart_export (self->chart, path, width, height, kind, &cw_error))
    {
      cw_gerror_set_from_cw (error, &cw_error);
      return FALSE;
    }

  /* cw_chart_export lays the chart out at the export size: lay it out for
   * the screen again so hit testing keeps matching what is shown. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

gboolean
cw_chart_view_export (CwChartView  *self,
                      const char   *path,
                      int           width,
                      int           height,
                      GError      **error)
{
  return cw_chart_view_export_with_style (self, path, width, height, NULL, error);
}

static void
cw_chart_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CwChartView *self = CW_CHART_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;
  gint64 start;

  if (self->chart == NULL || width <= 0 || height <= 0)
    return;

  cw_chart_set_style (self->chart, cw_chart_view_get_style (self));
  /* Markers are stamped from a raster mask: draw it at device pixels so
   * they stay crisp on HiDPI screens. */
  cw_chart_set_raster_scale (self->chart, gtk_widget_get_scale_factor (widget));
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  start = g_get_monotonic_time ();
  cw_chart_render (self->chart, cr, width, height);
  self->last_render_us = g_get_monotonic_time () - start;

  if (self->have_hover)
    {
      double px, py;

      if (cw_chart_data_to_device (self->chart, self->hover.x, self->hover.y, &px, &py))
        {
          GdkRGBA accent;

          gtk_style_context_get_color (gtk_widget_get_style_context (widget), &accent);
          cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 0.8);
          cairo_set_line_width (cr, 2.0);
          cairo_arc (cr, px, py, HIT_RADIUS * 0.8, 0, 2 * G_PI);
          cairo_stroke (cr);
        }
    }

  /* The pointer's time, as a hairline across the plot. */
  if (self->x_zoomable && self->have_pointer && !self->have_hover && self->position_func != NULL)
    {
      CwChartRect plot;

      if (cw_chart_get_plot_area (self->chart, &plot) && self->pointer_x >= plot.x
          && self->pointer_x <= plot.x + plot.width && self->pointer_y >= plot.y
          && self->pointer_y <= plot.y + plot.height)
        {
          GdkRGBA fg;

          gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
          cairo_set_line_width (cr, 1.0);
          cairo_move_to (cr, floor (self->pointer_x) + 0.5, plot.y);
          cairo_line_to (cr, floor (self->pointer_x) + 0.5, plot.y + plot.height);
          cairo_stroke (cr);
        }
    }

  cairo_destroy (cr);
}

static gboolean
hit_at (CwChartView *self, double x, double y, CwChartHit *hit)
{
  return self->chart != NULL && cw_chart_hit_test (self->chart, x, y, HIT_RADIUS, hit);
}

static void
motion_cb (GtkEventControllerMotion *motion, double x, double y, CwChartView *self)
{
  CwChartHit hit;
  gboolean have = hit_at (self, x, y, &hit);

  self->have_pointer = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  if (self->x_zoomable && self->position_func != NULL)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  if (have != self->have_hover ||
      (have && (hit.layer != self->hover.layer || hit.index != self->hover.index)))
    {
      self->have_hover = have;
      if (have)
        self->hover = hit;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
leave_cb (GtkEventControllerMotion *motion, CwChartView *self)
{
  self->have_pointer = FALSE;
  if (self->x_zoomable)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  if (self->have_hover)
    {
      self->have_hover = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
pressed_cb (GtkGestureClick *click, int n_press, double x, double y, CwChartView *self)
{
  CwChartHit hit;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (hit_at (self, x, y, &hit))
    g_signal_emit (self, signals[ITEM_ACTIVATED], 0, (guint) hit.layer, (guint) hit.tag);
}

/* Keyboard users step through the chart's points (receipts) in layer and
 * point order with the arrow keys; the item under the "cursor" is drawn
 * ringed and activated, as a click would. */
static gboolean
step_point (CwChartView *self, int direction)
{
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (CwChartHit));
  guint current = 0;
  gboolean found_current = FALSE;

  if (self->chart == NULL)
    return FALSE;
  /* Positions must be the ones on screen, whatever was laid out last (an
   * export lays the chart out at its own size). */
  if (!cw_chart_layout (self->chart, gtk_widget_get_width (GTK_WIDGET (self)),
                        gtk_widget_get_height (GTK_WIDGET (self))))
    return FALSE;

  for (size_t l = 0; l < cw_chart_get_n_layers (self->chart); l++)
    {
      CwChartLayer *layer = cw_chart_get_layer (self->chart, l);

      if (g_strcmp0 (cw_chart_layer_get_kind (layer), "point") != 0)
        continue;
      for (size_t i = 0; i < cw_chart_layer_get_n_items (layer); i++)
        {
          double x, y, px, py;
          CwChartHit hit;

          if (!cw_chart_point_layer_get_point (layer, i, &x, &y) ||
              !cw_chart_data_to_device (self->chart, x, y, &px, &py) ||
              !cw_chart_hit_test (self->chart, px, py, 0.5, &hit))
            continue;
          if (self->have_hover && hit.layer == self->hover.layer && hit.index == self->hover.index)
            {
              current = items->len;
              found_current = TRUE;
            }
          g_array_append_val (items, hit);
        }
    }

  if (items->len == 0)
    return FALSE;

  if (!found_current)
    current = direction > 0 ? 0 : items->len - 1;
  else
    current = (current + items->len + (guint) direction) % items->len;

  self->hover = g_array_index (items, CwChartHit, current);
  self->have_hover = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[ITEM_ACTIVATED], 0, (guint) self->hover.layer, (guint) self->hover.tag);
  return TRUE;
}

gboolean
cw_chart_view_step_point (CwChartView *self, int direction)
{
  g_return_val_if_fail (CW_IS_CHART_VIEW (self), FALSE);
  return step_point (self, direction);
}

/* ---- x zoom and pan --------------------------------------------------------- */

/* Lays the chart out for the widget, as on screen (an export lays it out
 * at its own size). */
static gboolean
layout_for_screen (CwChartView *self)
{
  return self->chart != NULL
         && cw_chart_layout (self->chart, gtk_widget_get_width (GTK_WIDGET (self)),
                             gtk_widget_get_height (GTK_WIDGET (self)));
}

static gboolean
ensure_full_x (CwChartView *self)
{
  if (self->have_full_x)
    return TRUE;
  if (!layout_for_screen (self)
      || !cw_chart_get_axis_range (self->chart, CW_CHART_AXIS_X, &self->full_x_min, &self->full_x_max)
      || !(self->full_x_max > self->full_x_min))
    return FALSE;
  self->have_full_x = TRUE;
  return TRUE;
}

gboolean
cw_chart_view_get_visible_x_range (CwChartView *self, double *min, double *max)
{
  g_return_val_if_fail (CW_IS_CHART_VIEW (self), FALSE);
  return layout_for_screen (self) && cw_chart_get_axis_range (self->chart, CW_CHART_AXIS_X, min, max);
}

/* Shows [min, max], kept inside the whole range and no narrower than
 * MIN_SPAN_FRACTION of it; the whole range or more is no zoom at all. */
static gboolean
set_x_range (CwChartView *self, double min, double max)
{
  double full = self->full_x_max - self->full_x_min, span = max - min, old_min, old_max;

  if (!self->have_full_x || !isfinite (min) || !isfinite (max) || !(span > 0))
    return FALSE;
  if (span >= full * (1 - 1e-9))
    {
      if (!self->zoomed)
        return FALSE;
      cw_chart_set_axis_auto (self->chart, CW_CHART_AXIS_X);
      self->zoomed = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return TRUE;
    }
  if (span < full * MIN_SPAN_FRACTION)
    {
      double centre = min + span / 2;

      span = full * MIN_SPAN_FRACTION;
      min = centre - span / 2;
      max = centre + span / 2;
    }
  if (min < self->full_x_min)
    {
      max += self->full_x_min - min;
      min = self->full_x_min;
    }
  if (max > self->full_x_max)
    {
      min -= max - self->full_x_max;
      max = self->full_x_max;
    }
  if (cw_chart_view_get_visible_x_range (self, &old_min, &old_max) && old_min == min && old_max == max)
    return FALSE;
  if (!cw_chart_set_axis_range (self->chart, CW_CHART_AXIS_X, min, max))
    return FALSE;
  self->zoomed = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

gboolean
cw_chart_view_zoom_x (CwChartView *self, double factor, double anchor_px)
{
  double min, max, anchor, unused;
  CwChartRect plot;

  g_return_val_if_fail (CW_IS_CHART_VIEW (self), FALSE);

  if (!self->x_zoomable || !(factor > 0) || !isfinite (factor) || !ensure_full_x (self)
      || !cw_chart_view_get_visible_x_range (self, &min, &max) || !cw_chart_get_plot_area (self->chart, &plot))
    return FALSE;
  if (anchor_px < plot.x || anchor_px > plot.x + plot.width
      || !cw_chart_device_to_data (self->chart, anchor_px, plot.y, &anchor, &unused))
    anchor = (min + max) / 2;
  /* The data under the anchor stays under it. */
  return set_x_range (self, anchor - (anchor - min) / factor, anchor + (max - anchor) / factor);
}

gboolean
cw_chart_view_pan_x (CwChartView *self, double fraction)
{
  double min, max;

  g_return_val_if_fail (CW_IS_CHART_VIEW (self), FALSE);

  if (!self->x_zoomable || !self->zoomed || !ensure_full_x (self)
      || !cw_chart_view_get_visible_x_range (self, &min, &max))
    return FALSE;
  return set_x_range (self, min + fraction * (max - min), max + fraction * (max - min));
}

void
cw_chart_view_reset_zoom (CwChartView *self)
{
  g_return_if_fail (CW_IS_CHART_VIEW (self));

  if (!self->zoomed || self->chart == NULL)
    return;
  cw_chart_set_axis_auto (self->chart, CW_CHART_AXIS_X);
  self->zoomed = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
cw_chart_view_get_zoomed (CwChartView *self)
{
  g_return_val_if_fail (CW_IS_CHART_VIEW (self), FALSE);
  return self->zoomed;
}

void
cw_chart_view_set_x_zoomable (CwChartView *self, gboolean zoomable)
{
  g_return_if_fail (CW_IS_CHART_VIEW (self));

  self->x_zoomable = !!zoomable;
  if (!zoomable)
    cw_chart_view_reset_zoom (self);
}

gboolean
cw_chart_view_get_x_zoomable (CwChartView *self)
{
  g_return_val_if_fail (CW_IS_CHART_VIEW (self), FALSE);
  return self->x_zoomable;
}

void
cw_chart_view_set_scroll_zooms (CwChartView *self, gboolean scroll_zooms)
{
  g_return_if_fail (CW_IS_CHART_VIEW (self));
  self->scroll_zooms = !!scroll_zooms;
}

static gboolean
scroll_cb (GtkEventControllerScroll *scroll, double dx, double dy, CwChartView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  if (!self->x_zoomable || self->chart == NULL)
    return FALSE;
  /* Shift+wheel and sideways scrolling pan; Ctrl+wheel zooms at the
   * pointer, and so does the plain wheel where the view asks for it.
   * Otherwise the wheel scrolls the page around the chart. */
  if ((state & GDK_SHIFT_MASK) != 0 && dx == 0)
    {
      dx = dy;
      dy = 0;
    }
  if (dy != 0 && ((state & GDK_CONTROL_MASK) != 0 || self->scroll_zooms))
    {
      cw_chart_view_zoom_x (self, pow (ZOOM_STEP, -dy), self->have_pointer ? self->pointer_x : -1);
      return TRUE;
    }
  if (dx != 0 && self->zoomed)
    {
      cw_chart_view_pan_x (self, 0.1 * dx);
      return TRUE;
    }
  return FALSE;
}

static void
drag_begin_cb (GtkGestureDrag *drag, double x, double y, CwChartView *self)
{
  /* Dragging pans a zoomed range; otherwise the press is a click. */
  if (!self->x_zoomable || !self->zoomed
      || !cw_chart_view_get_visible_x_range (self, &self->drag_x_min, &self->drag_x_max))
    gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
}

static void
drag_update_cb (GtkGestureDrag *drag, double offset_x, double offset_y, CwChartView *self)
{
  CwChartRect plot;
  double per_px;

  if (!self->zoomed || !layout_for_screen (self) || !cw_chart_get_plot_area (self->chart, &plot)
      || !(plot.width > 0))
    return;
  per_px = (self->drag_x_max - self->drag_x_min) / plot.width;
  set_x_range (self, self->drag_x_min - offset_x * per_px, self->drag_x_max - offset_x * per_px);
}

/* ---- tooltips ---------------------------------------------------------------- */

void
cw_chart_view_set_position_func (CwChartView             *self,
                                 CwChartViewPositionFunc  func,
                                 gpointer                 user_data,
                                 GDestroyNotify           destroy)
{
  g_return_if_fail (CW_IS_CHART_VIEW (self));

  if (self->position_destroy != NULL)
    self->position_destroy (self->position_data);
  self->position_func = func;
  self->position_data = user_data;
  self->position_destroy = destroy;
}

char *
cw_chart_view_dup_tooltip_text_at (CwChartView *self, double px, double py)
{
  CwChartHit hit;
  CwChartRect plot;
  double x, y, x_lo, x_hi, unused;

  g_return_val_if_fail (CW_IS_CHART_VIEW (self), NULL);

  if (self->chart == NULL || !layout_for_screen (self))
    return NULL;
  /* An item without a tooltip of its own (a curve) says what the plot
   * says there, through the position function. */
  if (self->tooltip_func != NULL && hit_at (self, px, py, &hit))
    {
      char *text = self->tooltip_func (self, &hit, self->tooltip_data);

      if (text != NULL)
        return text;
    }
  if (self->position_func == NULL || !cw_chart_get_plot_area (self->chart, &plot)
      || px < plot.x || px > plot.x + plot.width || py < plot.y || py > plot.y + plot.height
      || !cw_chart_device_to_data (self->chart, px, py, &x, &y)
      || !cw_chart_device_to_data (self->chart, floor (px), py, &x_lo, &unused)
      || !cw_chart_device_to_data (self->chart, floor (px) + 1, py, &x_hi, &unused))
    return NULL;
  return self->position_func (self, x, y, fmin (x_lo, x_hi), fmax (x_lo, x_hi), self->position_data);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *key, guint keyval, guint keycode, GdkModifierType state,
                CwChartView *self)
{
  if (self->x_zoomable && (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0)
    switch (keyval)
      {
      case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add:
        cw_chart_view_zoom_x (self, ZOOM_STEP, -1);
        return TRUE;
      case GDK_KEY_minus: case GDK_KEY_underscore: case GDK_KEY_KP_Subtract:
        cw_chart_view_zoom_x (self, 1.0 / ZOOM_STEP, -1);
        return TRUE;
      case GDK_KEY_Left: case GDK_KEY_KP_Left:
        cw_chart_view_pan_x (self, -0.1);
        return TRUE;
      case GDK_KEY_Right: case GDK_KEY_KP_Right:
        cw_chart_view_pan_x (self, 0.1);
        return TRUE;
      case GDK_KEY_Home: case GDK_KEY_KP_Home: case GDK_KEY_0: case GDK_KEY_KP_0:
        cw_chart_view_reset_zoom (self);
        return TRUE;
      default:
        break;
      }

  if (keyval == GDK_KEY_Right || keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Right || keyval == GDK_KEY_KP_Down)
    return step_point (self, 1);
  if (keyval == GDK_KEY_Left || keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Left || keyval == GDK_KEY_KP_Up)
    return step_point (self, -1);

  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_space) && self->have_hover)
    {
      g_signal_emit (self, signals[ITEM_ACTIVATED], 0, (guint) self->hover.layer, (guint) self->hover.tag);
      return TRUE;
    }
  return FALSE;
}

static gboolean
cw_chart_view_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard_mode,
                             GtkTooltip *tooltip)
{
  CwChartView *self = CW_CHART_VIEW (widget);
  g_autofree char *text = cw_chart_view_dup_tooltip_text_at (self, x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
dark_changed_cb (CwChartView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cw_chart_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CwChartView *self = CW_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART_STYLE:
      g_value_set_string (value, cw_chart_view_get_chart_style (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_chart_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CwChartView *self = CW_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART_STYLE:
      cw_chart_view_set_chart_style (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_chart_view_dispose (GObject *object)
{
  CwChartView *self = CW_CHART_VIEW (object);

  cw_chart_view_set_tooltip_func (self, NULL, NULL, NULL);
  cw_chart_view_set_position_func (self, NULL, NULL, NULL);
  g_clear_pointer (&self->chart, cw_chart_free);

  G_OBJECT_CLASS (cw_chart_view_parent_class)->dispose (object);
}

static void
cw_chart_view_finalize (GObject *object)
{
  CwChartView *self = CW_CHART_VIEW (object);

  g_free (self->chart_style);

  G_OBJECT_CLASS (cw_chart_view_parent_class)->finalize (object);
}

static void
cw_chart_view_class_init (CwChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_chart_view_dispose;
  object_class->finalize = cw_chart_view_finalize;
  object_class->get_property = cw_chart_view_get_property;
  object_class->set_property = cw_chart_view_set_property;
  widget_class->snapshot = cw_chart_view_snapshot;

  /**
   * CwChartView:chart-style:
   *
   * "light", "dark", "print", or "system": light or dark as the windows are.
   */
  properties[PROP_CHART_STYLE] = g_param_spec_string ("chart-style", NULL, NULL, "system",
                                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                      | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  widget_class->query_tooltip = cw_chart_view_query_tooltip;

  /**
   * CwChartView::item-activated:
   * @layer: index of the layer in the chart
   * @tag: the item's tag (point layers) or index
   */
  signals[ITEM_ACTIVATED] = g_signal_new ("item-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "cw-chart-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cw_chart_view_init (CwChartView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkGesture *drag = gtk_gesture_drag_new ();

  gtk_widget_add_css_class (GTK_WIDGET (self), "cw-chart");
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 320, 240);

  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);

  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (dark_changed_cb), self, G_CONNECT_SWAPPED);
}
