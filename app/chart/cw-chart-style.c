/* cw-chart-style.c: the three styles and the identity of every shipped lane
 * and profile — the one place chart colours are chosen. Every colour a
 * text or line is drawn in has at least a 3:1 contrast against both
 * backgrounds of its style, and slot i is the same hue in each style;
 * tests/app/test-chart-style.c checks both. */
#include "cw-chart-style.h"

#include <math.h>
#include <string.h>

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex) & 0xff) / 255.0, 1.0 }

/* Light and print on white: Okabe-Ito blue, green and vermilion (a shade
 * redder, to stand apart from orange); orange, purple and yellow darkened
 * to 3:1 (yellow becomes olive). Light follows libadwaita's light window
 * background (#fafafa) so an exported PNG matches the workbench; print is
 * pure white so PDFs do not carry a grey tint onto paper. */
#define LIGHT_SERIES \
  { RGB (0x0072b2), RGB (0xc17700), RGB (0x009e73), RGB (0xb9649a), RGB (0xe04e12), RGB (0x8a7f00), RGB (0x000000) }
#define LIGHT_LIMIT RGB (0xa51d2d)

static const CwChartStyle light_style = {
  .kind = CW_CHART_STYLE_LIGHT,
  .name = "light",
  .background = RGB (0xfafafa),
  .plot_background = RGB (0xffffff),
  .text = RGB (0x1e1e1e),
  .axis = RGB (0x5e5c64),
  .grid = RGB (0xdeddda),
  .muted = RGB (0x77767b),
  .limit = LIGHT_LIMIT,
  .oom = LIGHT_LIMIT,
  .tick = RGB (0x3d3846),
  .series = LIGHT_SERIES,
  .font_family = "Sans",
  .font_size = 12.0,
  .title_font_size = 15.0,
  .line_width = 2.0,
  .marker_radius = 3.5,
};

/* Dark: libadwaita's dark window background (#242424); every hue lighter,
 * the neutral light grey, the limit a rose red apart from vermilion. */
#define DARK_LIMIT RGB (0xff5f7e)

static const CwChartStyle dark_style = {
  .kind = CW_CHART_STYLE_DARK,
  .name = "dark",
  .background = RGB (0x242424),
  .plot_background = RGB (0x1e1e1e),
  .text = RGB (0xf6f5f4),
  .axis = RGB (0xc0bfbc),
  .grid = RGB (0x3d3846),
  .muted = RGB (0x9a9996),
  .limit = DARK_LIMIT,
  .oom = DARK_LIMIT,
  .tick = RGB (0xdeddda),
  .series = {
    RGB (0x56b4e9), RGB (0xe69f00), RGB (0x2ec27e), RGB (0xdc8add), RGB (0xff6e40), RGB (0xf0e442), RGB (0xdeddda),
  },
  .font_family = "Sans",
  .font_size = 12.0,
  .title_font_size = 15.0,
  .line_width = 2.0,
  .marker_radius = 3.5,
};

/* Print: the light hues on white, black ink for text and axes. */
static const CwChartStyle print_style = {
  .kind = CW_CHART_STYLE_PRINT,
  .name = "print",
  .background = RGB (0xffffff),
  .plot_background = RGB (0xffffff),
  .text = RGB (0x000000),
  .axis = RGB (0x000000),
  .grid = RGB (0xc0bfbc),
  .muted = RGB (0x5e5c64),
  .limit = LIGHT_LIMIT,
  .oom = LIGHT_LIMIT,
  .tick = RGB (0x000000),
  .series = LIGHT_SERIES,
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

static double
relative_luminance (CwChartColor c)
{
  double v[3] = { c.red, c.green, c.blue };

  for (int i = 0; i < 3; i++)
    v[i] = v[i] <= 0.04045 ? v[i] / 12.92 : pow ((v[i] + 0.055) / 1.055, 2.4);
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}

double
cw_chart_color_contrast (CwChartColor a, CwChartColor b)
{
  double la = relative_luminance (a), lb = relative_luminance (b);

  return (fmax (la, lb) + 0.05) / (fmin (la, lb) + 0.05);
}

/* ---- identities ------------------------------------------------------------ */

/* Our three code paths and the reference get the plain hues; engines and
 * reference codes that compute the same way share a hue with another
 * pattern (streamindex streams like streaming, megatron materializes);
 * the index-cache stages are dotted. Lanes named differently from their
 * profile (cw_receipt_lane_get_profile) look like that profile. */
static const struct {
  const char *name;
  CwChartHue hue;
  CwChartDash dash;
} identities[] = {
  { "fused", CW_CHART_HUE_BLUE, CW_CHART_DASH_SOLID },
  { "materialize", CW_CHART_HUE_VERMILION, CW_CHART_DASH_SOLID },
  { "streaming", CW_CHART_HUE_GREEN, CW_CHART_DASH_SOLID },
  { "reference", CW_CHART_HUE_NEUTRAL, CW_CHART_DASH_SOLID },
  { "deepgemm", CW_CHART_HUE_ORANGE, CW_CHART_DASH_SOLID },
  { "vllm", CW_CHART_HUE_PURPLE, CW_CHART_DASH_SOLID },
  { "sglang", CW_CHART_HUE_OLIVE, CW_CHART_DASH_SOLID },
  { "v32-exp", CW_CHART_HUE_BLUE, CW_CHART_DASH_DASHED },
  { "megatron", CW_CHART_HUE_VERMILION, CW_CHART_DASH_DASHED },
  { "streamindex", CW_CHART_HUE_GREEN, CW_CHART_DASH_DASHED },
  { "transformers", CW_CHART_HUE_NEUTRAL, CW_CHART_DASH_DASHED },
  { "deepgemm-paged", CW_CHART_HUE_ORANGE, CW_CHART_DASH_DASHED },
  { "index-mask", CW_CHART_HUE_PURPLE, CW_CHART_DASH_DASHED },
  { "sglang-nsa", CW_CHART_HUE_OLIVE, CW_CHART_DASH_DASHED },
  { "index-shared", CW_CHART_HUE_BLUE, CW_CHART_DASH_DOTTED },
  { "index-full-layer", CW_CHART_HUE_GREEN, CW_CHART_DASH_DOTTED },
  { "v4-reference", CW_CHART_HUE_NEUTRAL, CW_CHART_DASH_DOTTED },
  { "index-recompute", CW_CHART_HUE_ORANGE, CW_CHART_DASH_DOTTED },
  { "bounded-outputs", CW_CHART_HUE_OLIVE, CW_CHART_DASH_DOTTED },
};

static const struct {
  const char *lane;
  const char *profile;
} lane_aliases[] = {
  { "index-mask-host-checked", "index-mask" },
  { "index-transfer-send", "index-full-layer" },
  { "index-transfer-recv", "index-shared" },
  /* Autograd through Megatron-Core's score function: a training step of it. */
  { "megatron-autograd", "megatron" },
};

/* A training step (NAME-train) looks like the path it trains: the two are
 * never drawn side by side (a plan is either a forward or a training step). */
static const char *
training_stem (const char *name, char *buf, size_t size)
{
  size_t n = strlen (name);

  if (n > 6 && n - 6 < size && strcmp (name + n - 6, "-train") == 0)
    {
      memcpy (buf, name, n - 6);
      buf[n - 6] = '\0';
      for (size_t i = 0; i < sizeof identities / sizeof identities[0]; i++)
        if (strcmp (buf, identities[i].name) == 0)
          return buf;
    }
  return name;
}

static CwChartMarker
marker_for_dash (CwChartDash dash)
{
  switch (dash)
    {
    case CW_CHART_DASH_DASHED:
      return CW_CHART_MARKER_DIAMOND;
    case CW_CHART_DASH_DOTTED:
      return CW_CHART_MARKER_TRIANGLE;
    case CW_CHART_DASH_DASH_DOT:
      return CW_CHART_MARKER_SQUARE;
    case CW_CHART_DASH_SOLID:
    default:
      return CW_CHART_MARKER_CIRCLE;
    }
}

static CwChartIdentity
identity (unsigned series, CwChartDash dash)
{
  CwChartIdentity id = { series, dash, marker_for_dash (dash) };

  return id;
}

CwChartIdentity
cw_chart_identity_for_name (const char *name)
{
  unsigned h = 5381;
  char stem[64];

  if (name == NULL)
    return identity (CW_CHART_HUE_BLUE, CW_CHART_DASH_SOLID);
  name = training_stem (name, stem, sizeof stem);
  for (size_t i = 0; i < sizeof lane_aliases / sizeof lane_aliases[0]; i++)
    if (strcmp (name, lane_aliases[i].lane) == 0)
      name = lane_aliases[i].profile;
  for (size_t i = 0; i < sizeof identities / sizeof identities[0]; i++)
    if (strcmp (name, identities[i].name) == 0)
      return identity (identities[i].hue, identities[i].dash);
  /* Same name, same hue, wherever it is drawn. */
  for (const char *c = name; *c != '\0'; c++)
    h = h * 33 + (unsigned char) *c;
  return identity (h % CW_CHART_N_SERIES_COLORS, CW_CHART_DASH_DASH_DOT);
}

const char *
cw_chart_identity_get_known_name (unsigned i)
{
  return i < sizeof identities / sizeof identities[0] ? identities[i].name : NULL;
}
