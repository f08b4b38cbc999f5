/* cw-chart-export.c: writing a chart to PNG, SVG or PDF, picked by the
 * file name's extension. The same cw_chart_render() draws all three.
 *
 * SVG is produced in memory and gets a <title> and <desc> (the chart's text
 * as words: cairo writes glyphs as outlines); PDF gets a document title. */
#include "cw-chart-private.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

bool
cw_chart_format_from_path (const char *path, CwChartFormat *format)
{
  const char *dot;

  if (path == NULL)
    return false;
  dot = strrchr (path, '.');
  if (dot == NULL || strchr (dot, '/') != NULL)
    return false;
  if (strcasecmp (dot, ".png") == 0)
    *format = CW_CHART_FORMAT_PNG;
  else if (strcasecmp (dot, ".svg") == 0)
    *format = CW_CHART_FORMAT_SVG;
  else if (strcasecmp (dot, ".pdf") == 0)
    *format = CW_CHART_FORMAT_PDF;
  else
    return false;
  return true;
}

static bool
check_status (cairo_status_t status, const char *path, CwError *error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return true;
  if (status == CAIRO_STATUS_NO_MEMORY)
    cw_error_set (error, CW_ERROR_OOM, "%s: out of memory while drawing the chart", path);
  else
    cw_error_set (error, CW_ERROR_IO, "%s: cannot write chart: %s", path, cairo_status_to_string (status));
  return false;
}

/* ---- SVG in memory -------------------------------------------------------- */

typedef struct {
  char *data;
  size_t len, cap;
  bool failed;
} MemoryStream;

static cairo_status_t
memory_write (void *closure, const unsigned char *data, unsigned int length)
{
  MemoryStream *stream = closure;
  size_t need;
  char *grown;

  if (stream->failed)
    return CAIRO_STATUS_WRITE_ERROR;
  if (length > SIZE_MAX - stream->len - 1)
    goto fail;
  need = stream->len + length + 1;
  if (need > stream->cap)
    {
      size_t cap = stream->cap ? stream->cap : 65536;
      while (cap < need)
        {
          if (cap > SIZE_MAX / 2)
            goto fail;
          cap *= 2;
        }
      grown = realloc (stream->data, cap);
      if (grown == NULL)
        goto fail;
      stream->data = grown;
      stream->cap = cap;
    }
  memcpy (stream->data + stream->len, data, length);
  stream->len += length;
  stream->data[stream->len] = '\0';
  return CAIRO_STATUS_SUCCESS;

fail:
  stream->failed = true;
  return CAIRO_STATUS_NO_MEMORY;
}

static void
write_xml_escaped (FILE *out, const char *s)
{
  for (; *s != '\0'; s++)
    switch (*s)
      {
      case '<': fputs ("&lt;", out); break;
      case '>': fputs ("&gt;", out); break;
      case '&': fputs ("&amp;", out); break;
      case '"': fputs ("&quot;", out); break;
      default:
        /* XML 1.0 has no way to write other control characters: a title
         * typed with one must still give a well-formed file. */
        if ((unsigned char) *s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
          fputc ('?', out);
        else
          fputc (*s, out);
        break;
      }
}

/* Writes the SVG with <title> and <desc> right after the opening <svg>. */
static bool
write_svg_file (const char *path, const MemoryStream *svg, const CwChart *chart, CwError *error)
{
  const char *open_tag, *tag_end;
  char *description;
  FILE *out;
  bool ok;

  open_tag = svg->data != NULL ? strstr (svg->data, "<svg") : NULL;
  tag_end = open_tag != NULL ? strchr (open_tag, '>') : NULL;
  if (tag_end == NULL)
    {
      cw_error_set (error, CW_ERROR_IO, "%s: cairo produced no <svg> element", path);
      return false;
    }
  description = cw_chart_dup_description (chart);
  if (description == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "%s: out of memory while describing the chart", path);
      return false;
    }
  out = fopen (path, "wb");
  if (out == NULL)
    {
      cw_error_set (error, CW_ERROR_IO, "%s: cannot write chart: %s", path, strerror (errno));
      free (description);
      return false;
    }
  fwrite (svg->data, 1, (size_t) (tag_end + 1 - svg->data), out);
  fputs ("\n<title>", out);
  write_xml_escaped (out, cw_chart_get_title (chart) != NULL ? cw_chart_get_title (chart) : "Chart");
  fputs ("</title>\n<desc>", out);
  write_xml_escaped (out, description);
  fputs ("</desc>", out);
  fwrite (tag_end + 1, 1, svg->len - (size_t) (tag_end + 1 - svg->data), out);
  ok = !ferror (out);
  if (fclose (out) != 0)
    ok = false;
  if (!ok)
    cw_error_set (error, CW_ERROR_IO, "%s: cannot write chart: %s", path, strerror (errno));
  free (description);
  return ok;
}

/* ---- export --------------------------------------------------------------- */

static bool
export_to (CwChart *chart, const char *path, CwChartFormat format, double width, double height,
           CwChartStyleKind style, CwError *error)
{
  MemoryStream svg = { NULL, 0, 0, false };
  CwChartStyleKind saved;
  cairo_surface_t *surface;
  cairo_t *cr;
  bool ok;

  switch (format)
    {
    case CW_CHART_FORMAT_SVG:
      surface = cairo_svg_surface_create_for_stream (memory_write, &svg, width, height);
      break;
    case CW_CHART_FORMAT_PDF:
      surface = cairo_pdf_surface_create (path, width, height);
      if (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
        {
          cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                          cw_chart_get_title (chart) != NULL ? cw_chart_get_title (chart) : "Chart");
          cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Cliffwatch");
        }
      break;
    case CW_CHART_FORMAT_PNG:
    default:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width), (int) ceil (height));
      break;
    }
  if (!check_status (cairo_surface_status (surface), path, error))
    {
      cairo_surface_destroy (surface);
      free (svg.data);
      return false;
    }

  saved = cw_chart_get_style (chart);
  cw_chart_set_style (chart, style);
  cr = cairo_create (surface);
  cw_chart_render (chart, cr, width, height);
  ok = check_status (cairo_status (cr), path, error);
  cairo_destroy (cr);

  if (ok && format == CW_CHART_FORMAT_PNG)
    ok = check_status (cairo_surface_write_to_png (surface, path), path, error);
  if (ok)
    {
      /* SVG and PDF are written as they are finished; errors show here. */
      cairo_surface_finish (surface);
      ok = check_status (cairo_surface_status (surface), path, error);
    }
  cairo_surface_destroy (surface);
  if (ok && format == CW_CHART_FORMAT_SVG)
    ok = write_svg_file (path, &svg, chart, error);
  cw_chart_set_style (chart, saved);
  free (svg.data);
  return ok;
}

/* Renders into a temporary file beside `path` and renames it into place only
 * when everything was written: a failed export (a full disk, a cairo error)
 * leaves no broken file and never clobbers an existing one. */
bool
cw_chart_export (CwChart *chart, const char *path, double width, double height,
                 CwChartStyleKind style, CwError *error)
{
  CwChartFormat format;
  char *tmp;
  size_t len;
  int fd;
  bool ok;

  if (chart == NULL || path == NULL || *path == '\0')
    {
      cw_error_set (error, CW_ERROR_INVALID, "no output file given for the chart");
      return false;
    }
  if (!cw_chart_format_from_path (path, &format))
    {
      const char *dot = strrchr (path, '.');
      cw_error_set (error, CW_ERROR_INVALID, "%s: unknown chart format '%s' (use .png, .svg or .pdf)", path,
                    dot != NULL && strchr (dot, '/') == NULL ? dot : "no extension");
      return false;
    }
  if (!(width >= 1.0 && width <= CW_CHART_EXPORT_MAX_SIZE) || !(height >= 1.0 && height <= CW_CHART_EXPORT_MAX_SIZE))
    {
      cw_error_set (error, CW_ERROR_INVALID, "chart size %gx%g is out of range (1..%g)", width, height,
                    CW_CHART_EXPORT_MAX_SIZE);
      return false;
    }
  if (format == CW_CHART_FORMAT_PNG && width * height > CW_CHART_EXPORT_MAX_PNG_PIXELS)
    {
      cw_error_set (error, CW_ERROR_INVALID,
                    "a %gx%g PNG is %.0f pixels, more than %.0f (8192x8192); use SVG or PDF for a larger chart",
                    width, height, width * height, CW_CHART_EXPORT_MAX_PNG_PIXELS);
      return false;
    }
  len = strlen (path);
  tmp = malloc (len + 16);
  if (tmp == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "%s: out of memory", path);
      return false;
    }
  snprintf (tmp, len + 16, "%s.tmp-XXXXXX", path);
  fd = mkstemp (tmp);
  if (fd < 0)
    {
      cw_error_set (error, CW_ERROR_IO, "%s: cannot write chart: %s", path, strerror (errno));
      free (tmp);
      return false;
    }
  close (fd);
  ok = export_to (chart, tmp, format, width, height, style, error);
  if (ok)
    {
      mode_t mask = umask (0);

      umask (mask);
      /* mkstemp made it 0600; a chart is as readable as any new file. */
      chmod (tmp, 0666 & ~mask);
      if (rename (tmp, path) != 0)
        {
          cw_error_set (error, CW_ERROR_IO, "%s: cannot write chart: %s", path, strerror (errno));
          ok = false;
        }
    }
  if (!ok)
    {
      unlink (tmp);
      /* Messages name the file the user asked for, not the temporary. */
      if (error != NULL && strncmp (error->message, tmp, strlen (tmp)) == 0)
        {
          char rest[sizeof error->message];

          snprintf (rest, sizeof rest, "%s", error->message + strlen (tmp));
          snprintf (error->message, sizeof error->message, "%s%s", path, rest);
        }
    }
  free (tmp);
  return ok;
}
