/* cw-chart-style.c: the three built-in palettes. */
#include "cw-chart-style.h"

#include <string.h>

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex) & 0xff) / 255.0, 1.0 }

/* Light follows libadwaita's light window background (#fafafa) so an
 * exported PNG matches the workbench; print is pure white so PDFs do not
 * carry a grey tint onto paper. */
static const CwChartStyle light_style = {
  .kind = CW_CHART_STYLE_LIGHT,
  .name = "light",
  .background = RGB (0xfafafa),
  .plot_background = RGB (0xffffff),
  .text = RGB (0x1e1e1e),
  .axis = RGB (0x5e5c64),
  .grid = RGB (0xdeddda),
  .muted = RGB (0x77767b),
  .limit = RGB (0xa51d2d),
  .oom = RGB (0xd55e00),
  .tick = RGB (0x3d3846),
  .series = {
    RGB (0x0072b2), RGB (0xe69f00), RGB (0x009e73), RGB (0xcc79a7),
    RGB (0x56b4e9), RGB (0xd55e00), RGB (0xf0e442), RGB (0x000000),
  },
  .font_family = "Sans",
  .font_size = 12.0,
  .title_font_size = 15.0,
  .line_width = 2.0,
  .marker_radius = 3.5,
};

/* Dark: libadwaita's dark window background (#242424); the darkest
 * Okabe-Ito colours are swapped for lighter ones so every series keeps
 * contrast against the background. */
static const CwChartStyle dark_style = {
  .kind = CW_CHART_STYLE_DARK,
  .name = "dark",
  .background = RGB (0x242424),
  .plot_background = RGB (0x1e1e1e),
  .text = RGB (0xf6f5f4),
  .axis = RGB (0xc0bfbc),
  .grid = RGB (0x3d3846),
  .muted = RGB (0x9a9996),
  .limit = RGB (0xff7b63),
  .oom = RGB (0xff9f4a),
  .tick = RGB (0xdeddda),
  .series = {
    RGB (0x56b4e9), RGB (0xe69f00), RGB (0x2ec27e), RGB (0xdc8add),
    RGB (0x99c1f1), RGB (0xf66151), RGB (0xf0e442), RGB (0xdeddda),
  },
  .font_family = "Sans",
  .font_size = 12.0,
  .title_font_size = 15.0,
  .line_width = 2.0,
  .marker_radius = 3.5,
};

static const CwChartStyle print_style = {
  .kind = CW_CHART_STYLE_PRINT,
  .name = "print",
  .background = RGB (0xffffff),
  .plot_background = RGB (0xffffff),
  .text = RGB (0x000000),
  .axis = RGB (0x000000),
  .grid = RGB (0xc0bfbc),
  .muted = RGB (0x5e5c64),
  .limit = RGB (0x000000),
  .oom = RGB (0xd55e00),
  .tick = RGB (0x000000),
  .series = {
    RGB (0x0072b2), RGB (0xe69f00), RGB (0x009e73), RGB (0xcc79a7),
    RGB (0x56b4e9), RGB (0xd55e00), RGB (0x000000), RGB (0xf0e442),
  },
  .font_family = "Sans",
  .font_size = 11.0,
  .title_font_size = 14.0,
  .line_width = 2.5,
  .marker_radius = 4.0,
};

const CwChartStyle *
cw_chart_style_get (CwChartStyleKind kind)
{
  switch (kind)
    {
    case CW_CHART_STYLE_DARK:
      return &dark_style;
    case CW_CHART_STYLE_PRINT:
      return &print_style;
    case CW_CHART_STYLE_LIGHT:
    default:
      return &light_style;
    }
}

bool
cw_chart_style_kind_from_string (const char *text, CwChartStyleKind *kind)
{
  if (text == NULL || kind == NULL)
    return false;
  if (strcmp (text, "light") == 0)
    *kind = CW_CHART_STYLE_LIGHT;
  else if (strcmp (text, "dark") == 0)
    *kind = CW_CHART_STYLE_DARK;
  else if (strcmp (text, "print") == 0)
    *kind = CW_CHART_STYLE_PRINT;
  else
    return false;
  return true;
}

CwChartColor
cw_chart_style_color (const CwChartStyle *style, CwChartColorRole role, unsigned series_index)
{
  switch (role)
    {
    case CW_CHART_ROLE_TEXT:
      return style->text;
    case CW_CHART_ROLE_MUTED:
      return style->muted;
    case CW_CHART_ROLE_LIMIT:
      return style->limit;
    case CW_CHART_ROLE_OOM:
      return style->oom;
    case CW_CHART_ROLE_TICK:
      return style->tick;
    case CW_CHART_ROLE_SERIES:
    default:
      return style->series[series_index % CW_CHART_N_SERIES_COLORS];
    }
}
