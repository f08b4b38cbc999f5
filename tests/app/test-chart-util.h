/* test-chart-util.h: helpers shared by the chart tests — CHECK (from
 * cw-test.h), pixel reads from image surfaces, and colour comparisons
 * against the chart style (never hard-coded RGB). */
#pragma once

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-chart.h"

#include "../cw-test.h"

typedef struct {
  double r, g, b;
} Rgb;

/* Un-premultiplied colour of one pixel of an ARGB32 surface, 0..1. */
static inline Rgb
pixel_at (cairo_surface_t *surface, int x, int y)
{
  Rgb out = { -1, -1, -1 };
  unsigned char *data;
  int stride, w, h;
  uint32_t p;
  double a;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  w = cairo_image_surface_get_width (surface);
  h = cairo_image_surface_get_height (surface);
  if (x < 0 || y < 0 || x >= w || y >= h)
    return out;
  memcpy (&p, data + (size_t) y * stride + (size_t) x * 4, 4);
  a = ((p >> 24) & 0xff) / 255.0;
  if (a == 0.0)
    return (Rgb) { 0, 0, 0 };
  out.r = ((p >> 16) & 0xff) / 255.0 / a;
  out.g = ((p >> 8) & 0xff) / 255.0 / a;
  out.b = (p & 0xff) / 255.0 / a;
  return out;
}

static inline double
rgb_distance (Rgb a, CwChartColor c)
{
  return sqrt ((a.r - c.red) * (a.r - c.red) + (a.g - c.green) * (a.g - c.green) + (a.b - c.blue) * (a.b - c.blue));
}

/* Within `tol` (0..sqrt 3) of the colour: 0.02 is "the same 8-bit colour". */
static inline int
rgb_is (Rgb a, CwChartColor c, double tol)
{
  return rgb_distance (a, c) <= tol;
}

static inline cairo_surface_t *
render_to_image (CwChart *chart, int width, int height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);

  cw_chart_render (chart, cr, width, height);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* Drops cairo's and fontconfig's caches so LeakSanitizer sees only real leaks. */
static inline int
test_finish (const char *name)
{
  cairo_debug_reset_static_data ();
  FcFini ();
  if (failures > 0)
    {
      fprintf (stderr, "%s: %d of %d check(s) failed\n", name, failures, checks);
      return 1;
    }
  printf ("%s: all checks passed\n", name);
  return 0;
}
