/* cw-chart-private.h: chart internals shared with the exporter. */
#pragma once

#include "cw-chart.h"

/* Appends a plain-text description of the laid-out chart — title, axis
 * titles and tick labels, legend entries and rule labels, one per line — to
 * a malloc'd NUL-terminated string. SVG exports carry it as <desc> (cairo
 * draws text as glyph outlines, so without it the labels are invisible to
 * screen readers and search). NULL on OOM. */
char *cw_chart_dup_description (const CwChart *chart);
