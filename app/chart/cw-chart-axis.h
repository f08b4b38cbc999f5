/* cw-chart-axis.h: axis scales, "nice" tick generation and tick labels.
 *
 * Pure functions with no cairo state, so tests can compute exactly which ticks
 * an axis will carry and where, from the same code the renderer uses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CW_CHART_SCALE_LINEAR,
  CW_CHART_SCALE_LOG10,      /* values <= 0 are not drawable on this scale */
} CwChartScale;

typedef enum {
  CW_CHART_UNIT_NUMBER,      /* plain decimal: "0.5", "20", "1e+09" */
  CW_CHART_UNIT_COUNT,       /* integers only (layer index, receipt count) */
  CW_CHART_UNIT_BYTES,       /* binary prefixes: "512 MiB", "16 GiB" */
  CW_CHART_UNIT_TOKENS,      /* binary K/M, as context lengths are quoted: "64K", "1M" */
  CW_CHART_UNIT_SECONDS,     /* "350 µs", "2.5 ms", "1.2 s" */
} CwChartUnit;

#define CW_CHART_MAX_TICKS 32
#define CW_CHART_TICK_LABEL_MAX 32

typedef struct {
  double value;                          /* data coordinate of the tick */
  char label[CW_CHART_TICK_LABEL_MAX];   /* formatted with the axis unit */
} CwChartTick;

/* Chooses ticks for the data range [*min, *max] and widens the range to
 * "nice" bounds (a tick multiple on linear axes, a power of 2 or 10 on log
 * axes). `target` is the wanted tick count (the renderer derives it from the
 * pixel length of the axis). Returns how many ticks were written to `ticks`
 * (at most `max_ticks`); 0 when the range is unusable (non-finite, or not
 * positive on a log scale). Degenerate ranges (min == max) are widened. */
size_t cw_chart_axis_nice_ticks (CwChartScale scale,
                                 CwChartUnit  unit,
                                 double      *min,
                                 double      *max,
                                 unsigned     target,
                                 CwChartTick *ticks,
                                 size_t       max_ticks);

/* Formats `value` as a tick label for `unit`, e.g. 17179869184 bytes ->
 * "16 GiB", 65536 tokens -> "64K", 0.0025 s -> "2.5 ms". Always
 * NUL-terminates `buf` (size >= 1). */
void cw_chart_format_value (CwChartUnit unit, double value, char *buf, size_t size);

/* Like cw_chart_format_value() but keeps up to `decimals` fractional digits,
 * for annotations that must be precise ("usable HBM 79.25 GiB"). */
void cw_chart_format_value_precise (CwChartUnit unit, double value, int decimals, char *buf, size_t size);

/* An exact count as people read it in a label ("sq 376,627"): digits
 * grouped in threes with LC_NUMERIC's thousands separator ("376.627" in
 * German), or where the locale has none (C, POSIX: the CLI) a narrow
 * no-break space, which no language reads as a decimal point ("376 627");
 * the workbench's cw_format_count() follows the same rule. Always
 * NUL-terminates `buf` (size >= 1). */
#define CW_CHART_COUNT_MAX 48
void cw_chart_format_count (unsigned long long value, char *buf, size_t size);

/* Parses "linear" / "log" (also "log10"). */
bool cw_chart_scale_from_string (const char *text, CwChartScale *scale);

#ifdef __cplusplus
}
#endif
