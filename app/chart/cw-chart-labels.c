/* cw-chart-labels.c: the label set, its placement pass, and the text
 * shortening (ellipsis, word wrap) labels need to fit their bounds. */
#include "cw-chart-labels-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xe2\x80\xa6"

/* Boxes that only touch do not overlap; this much slack absorbs rounding
 * in positions computed two ways (an anchor plus an extent). */
#define EPSILON 1e-6

/* The margin of the backdrop drawn under a label inside the plot. */
#define BACKDROP_X 2.0
#define BACKDROP_Y 1.0

bool
cw_chart_box_inside (CwChartBox inner, CwChartBox outer)
{
  return inner.x >= outer.x - EPSILON && inner.y >= outer.y - EPSILON
         && inner.x + inner.width <= outer.x + outer.width + EPSILON
         && inner.y + inner.height <= outer.y + outer.height + EPSILON;
}

bool
cw_chart_boxes_overlap (CwChartBox a, CwChartBox b)
{
  return a.x < b.x + b.width - EPSILON && b.x < a.x + a.width - EPSILON
         && a.y < b.y + b.height - EPSILON && b.y < a.y + a.height - EPSILON;
}

void
cw_chart_labels_clear (CwChartLabels *labels)
{
  for (size_t i = 0; i < labels->n; i++)
    {
      free (labels->items[i].text);
      free (labels->items[i].anchors);
    }
  labels->n = 0;
  labels->failed = false;
}

void
cw_chart_labels_free (CwChartLabels *labels)
{
  if (labels == NULL)
    return;
  cw_chart_labels_clear (labels);
  free (labels->items);
  labels->items = NULL;
  labels->capacity = 0;
}

static CwChartLabel *
labels_append (CwChartLabels *labels, int priority, CwChartBox bounds)
{
  CwChartLabel *label;

  if (!cw_chart_grow ((void **) &labels->items, &labels->capacity, labels->n + 1, sizeof *labels->items))
    {
      labels->failed = true;
      return NULL;
    }
  label = &labels->items[labels->n];
  memset (label, 0, sizeof *label);
  label->layer = (size_t) -1;
  label->priority = priority;
  label->order = labels->n;
  label->bounds = bounds;
  labels->n++;
  return label;
}

/* Byte offsets where UTF-8 characters start, plus the end. */
static size_t
char_starts (const char *text, size_t *starts, size_t max)
{
  size_t n = 0, len = strlen (text);

  for (size_t i = 0; i < len && n < max; i++)
    if (((unsigned char) text[i] & 0xc0) != 0x80)
      starts[n++] = i;
  if (n < max)
    starts[n++] = len;
  return n;
}

char *
cw_chart_text_ellipsize (cairo_t *cr, const char *text, double max_width)
{
  size_t len = strlen (text), n, lo, hi, *starts;
  char *out;

  if (cw_chart_text_width (cr, text) <= max_width)
    return cw_chart_strdup (text);
  starts = malloc ((len + 1) * sizeof *starts);
  out = malloc (len + sizeof ELLIPSIS);
  if (starts == NULL || out == NULL)
    {
      free (starts);
      free (out);
      return NULL;
    }
  n = char_starts (text, starts, len + 1);
  /* The longest prefix of whole characters (index into starts) that fits
   * with the ellipsis; 0 characters (a lone "…") at worst. Trailing spaces
   * before the ellipsis are dropped. */
  lo = 0;
  hi = n - 1;
  while (lo < hi)
    {
      size_t mid = (lo + hi + 1) / 2;

      memcpy (out, text, starts[mid]);
      strcpy (out + starts[mid], ELLIPSIS);
      if (cw_chart_text_width (cr, out) <= max_width)
        lo = mid;
      else
        hi = mid - 1;
    }
  {
    size_t cut = starts[lo];

    while (cut > 0 && text[cut - 1] == ' ')
      cut--;
    memcpy (out, text, cut);
    strcpy (out + cut, ELLIPSIS);
  }
  free (starts);
  return out;
}

size_t
cw_chart_text_wrap (cairo_t *cr, const char *text, double max_width, char **lines, size_t max_lines)
{
  size_t n = 0, len;
  const char *p = text;
  char *buf;

  if (text == NULL || max_lines == 0)
    return 0;
  while (*p == ' ')
    p++;
  if (*p == '\0')
    return 0;
  len = strlen (p);
  buf = malloc (len + 1);
  if (buf == NULL)
    return 0;
  while (*p != '\0' && n < max_lines)
    {
      size_t take = 0;

      if (n + 1 == max_lines)
        take = strlen (p);
      else
        {
          /* The most words that fit; at least one. */
          const char *q = p;
          while (*q != '\0')
            {
              const char *end = strchr (q, ' ');
              size_t upto = end != NULL ? (size_t) (end - p) : strlen (p);

              memcpy (buf, p, upto);
              buf[upto] = '\0';
              if (take > 0 && cw_chart_text_width (cr, buf) > max_width)
                break;
              take = upto;
              if (end == NULL)
                break;
              q = end + 1;
            }
        }
      memcpy (buf, p, take);
      buf[take] = '\0';
      lines[n] = cw_chart_text_ellipsize (cr, buf, max_width);
      if (lines[n] == NULL)
        {
          for (size_t i = 0; i < n; i++)
            free (lines[i]);
          free (buf);
          return 0;
        }
      n++;
      p += take;
      while (*p == ' ')
        p++;
    }
  free (buf);
  return n;
}

CwChartLabel *
cw_chart_labels_add_text (CwChartLabels *labels, cairo_t *cr, CwChartTextKind kind, const char *text, size_t layer,
                          int priority, CwChartBox bounds, double max_width)
{
  cairo_font_extents_t fe;
  CwChartLabel *label;
  char *copy;

  if (text == NULL || *text == '\0')
    return NULL;
  copy = max_width > 0 ? cw_chart_text_ellipsize (cr, text, max_width) : cw_chart_strdup (text);
  if (copy == NULL || (label = labels_append (labels, priority, bounds)) == NULL)
    {
      labels->failed = true;
      free (copy);
      return NULL;
    }
  cairo_font_extents (cr, &fe);
  label->kind = kind;
  label->text = copy;
  label->layer = layer;
  label->extent.x = 0;
  label->extent.y = -fe.ascent;
  label->extent.width = cw_chart_text_width (cr, copy);
  label->extent.height = fe.ascent + fe.descent;
  return label;
}

CwChartLabel *
cw_chart_labels_add_block (CwChartLabels *labels, double width, double height, int priority, CwChartBox bounds)
{
  CwChartLabel *label = labels_append (labels, priority, bounds);

  if (label == NULL)
    return NULL;
  label->extent.width = width;
  label->extent.height = height;
  return label;
}

bool
cw_chart_label_add_anchor (CwChartLabels *labels, CwChartLabel *label, double x, double y)
{
  if (label == NULL)
    return false;
  if (!isfinite (x) || !isfinite (y))
    return true;
  if (!cw_chart_grow ((void **) &label->anchors, &label->anchor_capacity, 2 * (label->n_anchors + 1),
                      sizeof *label->anchors))
    {
      labels->failed = true;
      return false;
    }
  label->anchors[2 * label->n_anchors] = x;
  label->anchors[2 * label->n_anchors + 1] = y;
  label->n_anchors++;
  return true;
}

void
cw_chart_label_set_backdrop (CwChartLabel *label)
{
  if (label == NULL || label->backdrop)
    return;
  label->backdrop = true;
  label->extent.x -= BACKDROP_X;
  label->extent.y -= BACKDROP_Y;
  label->extent.width += 2 * BACKDROP_X;
  label->extent.height += 2 * BACKDROP_Y;
}

static CwChartBox
box_at (const CwChartLabel *label, double x, double y)
{
  CwChartBox box = { x + label->extent.x, y + label->extent.y, label->extent.width, label->extent.height };

  return box;
}

bool
cw_chart_labels_box_free (const CwChartLabels *labels, CwChartBox box, CwChartBox bounds)
{
  if (!cw_chart_box_inside (box, bounds))
    return false;
  for (size_t i = 0; i < labels->n; i++)
    if (labels->items[i].placed && cw_chart_boxes_overlap (box, labels->items[i].box))
      return false;
  return true;
}

void
cw_chart_label_place_at (CwChartLabel *label, double x, double y)
{
  label->decided = true;
  label->placed = true;
  label->x = x;
  label->y = y;
  label->box = box_at (label, x, y);
}

static int
compare_priority (const void *a, const void *b)
{
  const CwChartLabel *x = *(const CwChartLabel *const *) a, *y = *(const CwChartLabel *const *) b;

  if (x->priority != y->priority)
    return x->priority > y->priority ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

void
cw_chart_labels_place (CwChartLabels *labels)
{
  CwChartLabel **queue;
  size_t n = 0;

  queue = malloc ((labels->n > 0 ? labels->n : 1) * sizeof *queue);
  if (queue == NULL)
    {
      /* Nothing new is drawn rather than something overlapping. */
      for (size_t i = 0; i < labels->n; i++)
        labels->items[i].decided = true;
      labels->failed = true;
      return;
    }
  for (size_t i = 0; i < labels->n; i++)
    if (!labels->items[i].decided)
      queue[n++] = &labels->items[i];
  qsort (queue, n, sizeof *queue, compare_priority);
  for (size_t i = 0; i < n; i++)
    {
      CwChartLabel *label = queue[i];

      label->decided = true;
      for (size_t a = 0; a < label->n_anchors; a++)
        {
          double x = label->anchors[2 * a], y = label->anchors[2 * a + 1];
          CwChartBox box = box_at (label, x, y);

          if (cw_chart_labels_box_free (labels, box, label->bounds))
            {
              label->placed = true;
              label->x = x;
              label->y = y;
              label->box = box;
              break;
            }
        }
    }
  free (queue);
}
