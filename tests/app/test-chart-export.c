/* test-chart-export.c: PNG, SVG and PDF files from cw_chart_export(), and
 * the refusals (bad extension, bad size, unwritable path). */
#include "test-chart-util.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/cw-chart-export-XXXXXX";

static char *
read_file (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  char *data;
  long n;

  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  n = ftell (f);
  fseek (f, 0, SEEK_SET);
  data = malloc ((size_t) n + 1);
  if (data != NULL && fread (data, 1, (size_t) n, f) != (size_t) n)
    {
      free (data);
      data = NULL;
    }
  if (data != NULL)
    data[n] = '\0';
  fclose (f);
  *len = (size_t) n;
  return data;
}

static char *
path_in_tmp (const char *name)
{
  static char buf[4][512];
  static int slot;

  slot = (slot + 1) % 4;
  snprintf (buf[slot], sizeof buf[slot], "%s/%s", tmpdir, name);
  return buf[slot];
}

static CwChart *
sample_chart (void)
{
  CwChart *chart = cw_chart_new ();
  double xs[] = { 4096, 16384, 65536 }, ys[] = { 1e9, 1.6e10, 2.6e11 };

  cw_chart_set_title (chart, "Peak <vs> sq & more");
  cw_chart_set_axis (chart, CW_CHART_AXIS_X, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_TOKENS, "sq");
  cw_chart_set_axis (chart, CW_CHART_AXIS_Y, CW_CHART_SCALE_LOG10, CW_CHART_UNIT_BYTES, "peak");
  cw_chart_add_layer (chart, cw_chart_line_layer_new ("materialize", xs, ys, 3));
  cw_chart_add_layer (chart, cw_chart_vline_layer_new ("materialize cliff: sq 20000", 20000));
  return chart;
}

static void
test_png (void)
{
  CwChart *chart = sample_chart ();
  const char *path = path_in_tmp ("chart.png");
  static const unsigned char magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  CwError error = CW_ERROR_INIT;
  cairo_surface_t *back;
  size_t len = 0;
  char *data;

  cw_chart_set_style (chart, CW_CHART_STYLE_DARK);
  CHECK (cw_chart_export (chart, path, 640, 400, CW_CHART_STYLE_LIGHT, &error), "%s", error.message);
  CHECK (cw_chart_get_style (chart) == CW_CHART_STYLE_DARK, "export changed the chart's style");
  data = read_file (path, &len);
  CHECK (data != NULL && len > 8 && memcmp (data, magic, 8) == 0, "PNG magic");
  free (data);
  back = cairo_image_surface_create_from_png (path);
  CHECK (cairo_surface_status (back) == CAIRO_STATUS_SUCCESS, "cairo reads it back");
  CHECK (cairo_image_surface_get_width (back) == 640 && cairo_image_surface_get_height (back) == 400,
         "size %dx%d", cairo_image_surface_get_width (back), cairo_image_surface_get_height (back));
  CHECK (rgb_is (pixel_at (back, 2, 2), cw_chart_style_get (CW_CHART_STYLE_LIGHT)->background, 0.01),
         "exported in the light style");
  cairo_surface_destroy (back);

  /* Case-insensitive extension, print style. */
  path = path_in_tmp ("CHART.PNG");
  CHECK (cw_chart_export (chart, path, 100, 80, CW_CHART_STYLE_PRINT, &error), "%s", error.message);
  back = cairo_image_surface_create_from_png (path);
  CHECK (cairo_image_surface_get_width (back) == 100, "upper-case PNG");
  CHECK (rgb_is (pixel_at (back, 2, 2), cw_chart_style_get (CW_CHART_STYLE_PRINT)->background, 0.01), "print bg");
  cairo_surface_destroy (back);
  cw_chart_free (chart);
}

static void
test_svg (void)
{
  CwChart *chart = sample_chart ();
  const char *path = path_in_tmp ("chart.svg");
  CwError error = CW_ERROR_INIT;
  const CwChartTick *ticks;
  size_t len = 0, n;
  char *data;

  CHECK (cw_chart_export (chart, path, 720, 450, CW_CHART_STYLE_LIGHT, &error), "%s", error.message);
  data = read_file (path, &len);
  CHECK (data != NULL, "read svg");
  if (data == NULL)
    return;
  CHECK (strncmp (data, "<?xml", 5) == 0, "XML declaration");
  CHECK (strstr (data, "<svg") != NULL && strstr (data, "width=\"720pt\"") != NULL
         && strstr (data, "height=\"450pt\"") != NULL, "svg element with the asked size");
  CHECK (len > 7 && strstr (data + len - 8, "</svg>") != NULL, "ends with </svg>");
  /* XML-ish: every '<' has its '>' (no stray brackets from our text). */
  {
    long depth = 0;
    for (size_t i = 0; i < len; i++)
      {
        depth += data[i] == '<';
        depth -= data[i] == '>';
        CHECK (depth == 0 || depth == 1, "unbalanced brackets at %zu", i);
        if (depth != 0 && depth != 1)
          break;
      }
  }
  /* The text, escaped, in <title>/<desc>: title, axis titles, legend, the
   * cliff label, and every tick label of the layout that was exported. */
  CHECK (strstr (data, "<title>Peak &lt;vs&gt; sq &amp; more</title>") != NULL, "escaped title");
  CHECK (strstr (data, "materialize cliff: sq 20000") != NULL, "cliff label");
  CHECK (strstr (data, "legend: materialize") != NULL, "legend entry");
  CHECK (strstr (data, "x axis (sq)") != NULL && strstr (data, "y axis (peak)") != NULL, "axis titles");
  n = cw_chart_get_ticks (chart, CW_CHART_AXIS_X, &ticks);
  CHECK (n >= 2, "x ticks");
  for (size_t i = 0; i < n; i++)
    CHECK (strstr (data, ticks[i].label) != NULL, "x tick %s missing", ticks[i].label);
  n = cw_chart_get_ticks (chart, CW_CHART_AXIS_Y, &ticks);
  for (size_t i = 0; i < n; i++)
    CHECK (strstr (data, ticks[i].label) != NULL, "y tick %s missing", ticks[i].label);
  free (data);
  cw_chart_free (chart);
}

static void
test_pdf (void)
{
  CwChart *chart = sample_chart ();
  const char *path = path_in_tmp ("chart.pdf");
  CwError error = CW_ERROR_INIT;
  size_t len = 0;
  char *data;

  CHECK (cw_chart_export (chart, path, 600, 400, CW_CHART_STYLE_PRINT, &error), "%s", error.message);
  data = read_file (path, &len);
  CHECK (data != NULL && len > 100 && strncmp (data, "%PDF-", 5) == 0, "PDF header");
  CHECK (data != NULL && len > 100 && memmem (data + len - 32, 32, "%%EOF", 5) != NULL, "PDF trailer");
  CHECK (data != NULL && memmem (data, len, "/MediaBox [ 0 0 600 400 ]", 25) != NULL, "page size");
  free (data);
  cw_chart_free (chart);
}

static void
test_refusals (void)
{
  CwChart *chart = sample_chart ();
  CwError error = CW_ERROR_INIT;
  CwChartFormat format;
  struct stat st;

  CHECK (!cw_chart_export (chart, path_in_tmp ("chart.jpg"), 100, 100, CW_CHART_STYLE_LIGHT, &error), "jpg accepted");
  CHECK (error.code == CW_ERROR_INVALID && strstr (error.message, "'.jpg'") != NULL, "message: %s", error.message);
  CHECK (stat (path_in_tmp ("chart.jpg"), &st) != 0, "a .jpg file was written");
  cw_error_clear (&error);
  CHECK (!cw_chart_export (chart, path_in_tmp ("chart"), 100, 100, CW_CHART_STYLE_LIGHT, &error), "no ext accepted");
  CHECK (error.code == CW_ERROR_INVALID && strstr (error.message, "no extension") != NULL, "message: %s", error.message);
  CHECK (!cw_chart_export (chart, path_in_tmp ("dir.png/chart"), 100, 100, CW_CHART_STYLE_LIGHT, &error),
         "extension in a directory name accepted");
  CHECK (!cw_chart_format_from_path ("a.svgz", &format), "svgz");
  CHECK (cw_chart_format_from_path ("a.b.Svg", &format) && format == CW_CHART_FORMAT_SVG, "a.b.Svg");

  cw_error_clear (&error);
  CHECK (!cw_chart_export (chart, path_in_tmp ("big.png"), 100000, 100, CW_CHART_STYLE_LIGHT, &error), "huge");
  CHECK (error.code == CW_ERROR_INVALID && strstr (error.message, "out of range") != NULL, "message: %s", error.message);
  CHECK (!cw_chart_export (chart, path_in_tmp ("zero.svg"), 0, 100, CW_CHART_STYLE_LIGHT, &error), "zero width");
  CHECK (!cw_chart_export (chart, path_in_tmp ("nan.pdf"), 100, NAN, CW_CHART_STYLE_LIGHT, &error), "NaN height");

  /* Unwritable destinations are I/O errors naming the path, for all three. */
  {
    const char *bad[] = { "/nonexistent-cw-dir/c.png", "/nonexistent-cw-dir/c.svg", "/nonexistent-cw-dir/c.pdf" };
    for (int i = 0; i < 3; i++)
      {
        cw_error_clear (&error);
        CHECK (!cw_chart_export (chart, bad[i], 100, 100, CW_CHART_STYLE_LIGHT, &error), "%s accepted", bad[i]);
        CHECK (error.code == CW_ERROR_IO && strstr (error.message, bad[i]) != NULL, "message: %s", error.message);
      }
  }
  CHECK (!cw_chart_export (NULL, path_in_tmp ("x.png"), 100, 100, CW_CHART_STYLE_LIGHT, &error), "NULL chart");
  cw_chart_free (chart);
}

int
main (void)
{
  const char *names[] = { "chart.png", "CHART.PNG", "chart.svg", "chart.pdf" };

  if (mkdtemp (tmpdir) == NULL)
    {
      fprintf (stderr, "mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  test_png ();
  test_svg ();
  test_pdf ();
  test_refusals ();
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    unlink (path_in_tmp (names[i]));
  rmdir (tmpdir);
  return test_finish ("test-chart-export");
}
