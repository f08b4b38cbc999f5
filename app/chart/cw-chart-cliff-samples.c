/* cw-chart-cliff-samples.c: turning a planner profile into a cliff curve.
 *
 * The curve is only a drawing aid; the cliff itself comes from
 * cw_cliff_max_sq (exact integers), and both the last fitting size and the
 * first failing one are sampled so the drawn line crosses the usable-HBM
 * line exactly at the marked cliff. */
#include "cw-chart-builder.h"
#include "cw-cliff.h"
#include "cw-plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
cw_chart_cliff_samples_clear (CwChartCliffSamples *samples)
{
  if (samples == NULL)
    return;
  free (samples->sq);
  free (samples->peak_bytes);
  memset (samples, 0, sizeof *samples);
}

static int
compare_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

  return x < y ? -1 : x > y;
}

bool
cw_chart_cliff_samples_compute (CwChartCliffSamples *samples, const CwProfile *profile,
                                const CwConfig *base, uint64_t usable_bytes,
                                uint64_t sq_min, uint64_t sq_max, unsigned per_octave,
                                CwError *error)
{
  uint64_t step, cliff = 0, *sizes = NULL;
  size_t n_sizes = 0, cap;
  CwConfig config;
  bool ok = false;

  memset (samples, 0, sizeof *samples);
  if (profile == NULL || base == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cliff curve: no profile or configuration");
      return false;
    }
  if (sq_min == 0 || sq_max < sq_min || per_octave == 0 || per_octave > 64)
    {
      cw_error_set (error, CW_ERROR_INVALID,
                    "cliff curve: need 0 < sq-min <= sq-max and 1..64 samples per octave (got %llu..%llu, %u)",
                    (unsigned long long) sq_min, (unsigned long long) sq_max, per_octave);
      return false;
    }
  if (!cw_config_validate (base, error))
    return false;
  strncpy (samples->name, cw_profile_get_name (profile), sizeof samples->name - 1);

  if (!cw_cliff_max_sq (profile, base, usable_bytes, &cliff, error))
    return false;

  /* Candidate sizes: geometric from sq_min, the ends, the cliff and the
   * first size past it; rounded to the ratio's grid. */
  step = base->ratio != 0 ? base->ratio : 1;
  {
    double octaves = log2 ((double) sq_max / (double) sq_min);
    size_t n_geo = (size_t) ceil (octaves * per_octave) + 1;

    cap = n_geo + 4;
    sizes = malloc (cap * sizeof *sizes);
    if (sizes == NULL)
      goto oom;
    for (size_t i = 0; i < n_geo; i++)
      {
        double v = (double) sq_min * exp2 ((double) i / per_octave);
        uint64_t s = v >= (double) sq_max ? sq_max : (uint64_t) llround (v);
        sizes[n_sizes++] = s;
      }
    sizes[n_sizes++] = sq_min;
    sizes[n_sizes++] = sq_max;
    if (cliff >= sq_min && cliff < sq_max)
      {
        sizes[n_sizes++] = cliff;
        if (cliff <= UINT64_MAX - step)
          sizes[n_sizes++] = cliff + step;
      }
  }
  for (size_t i = 0; i < n_sizes; i++)
    {
      uint64_t s = sizes[i] / step * step;
      sizes[i] = s < step ? step : s;
    }
  qsort (sizes, n_sizes, sizeof *sizes, compare_u64);

  samples->sq = malloc (n_sizes * sizeof (double));
  samples->peak_bytes = malloc (n_sizes * sizeof (double));
  if (samples->sq == NULL || samples->peak_bytes == NULL)
    goto oom;

  config = *base;
  for (size_t i = 0; i < n_sizes; i++)
    {
      uint64_t peak = 0;
      CwError local = CW_ERROR_INIT;

      if (i > 0 && sizes[i] == sizes[i - 1])
        continue;
      config.sq = sizes[i];
      if (config.ratio != 0 || config.prefix != 0)
        config.sk = 0;   /* sk follows (prefix + sq) / m */
      if (!cw_plan_eval_peak (profile, &config, &peak, &local))
        {
          if (local.code == CW_ERROR_OVERFLOW)
            break;               /* every larger size overflows too */
          if (local.code == CW_ERROR_INVALID)
            continue;            /* this size alone is not a legal configuration */
          cw_error_set (error, local.code, "%s", local.message);
          goto out;
        }
      samples->sq[samples->curve.n] = (double) sizes[i];
      samples->peak_bytes[samples->curve.n] = (double) peak;
      samples->curve.n++;
    }

  samples->curve.name = samples->name;
  samples->curve.sq = samples->sq;
  samples->curve.peak_bytes = samples->peak_bytes;
  samples->curve.fits_at_all = cliff > 0;
  samples->curve.cliff_in_range = cliff > 0 && cliff < sq_max;
  samples->curve.cliff_sq = cliff;
  ok = true;
  goto out;

oom:
  cw_error_set (error, CW_ERROR_OOM, "out of memory while sampling the cliff curve");
out:
  free (sizes);
  if (!ok)
    cw_chart_cliff_samples_clear (samples);
  return ok;
}
