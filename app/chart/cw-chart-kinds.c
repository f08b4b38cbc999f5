/* cw-chart-kinds.c: the plan's charts as both front ends show them (see
 * cw-chart-kinds.h). */
#include "cw-chart-kinds.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-build-config.h"
#include "cw-chart-i18n.h"
#include "cw-git-revision.h"

#define SQ_FLOOR   1024u
#define SQ_DEFAULT (1024u * 1024u)
#define SQ_CEILING (16u * 1024u * 1024u)

void
cw_chart_version_text (char *buf, size_t size)
{
  if (strcmp (CW_GIT_REVISION, "unknown") == 0)
    snprintf (buf, size, "Cliffwatch %s", CW_VERSION);
  else
    snprintf (buf, size, "Cliffwatch %s (%.12s)", CW_VERSION, CW_GIT_REVISION);
}

/* The fields that decide a chart, shorter than cw_config_describe so the
 * line fits under a chart of ordinary width. */
void
cw_chart_config_caption (const CwConfig *c, char *buf, size_t size)
{
  char extra[96] = "", count[CW_CHART_COUNT_MAX];

  if (c->prefix != 0)
    {
      cw_chart_format_count (c->prefix, count, sizeof count);
      snprintf (extra, sizeof extra, " prefix=%s", count);
    }
  if (c->ratio > 1)
    snprintf (extra + strlen (extra), sizeof extra - strlen (extra), " ratio=%llu", (unsigned long long) c->ratio);
  snprintf (buf, size, "b=%llu h=%llu d=%llu k=%llu%s %s, q/k %s/%s, scores %s, index %s",
            (unsigned long long) c->b, (unsigned long long) c->h, (unsigned long long) c->d,
            (unsigned long long) c->top_k, extra, cw_causal_get_name (c->causal), cw_dtype_get_name (c->q_dtype),
            cw_dtype_get_name (c->k_dtype), cw_dtype_get_name (c->score_dtype), cw_dtype_get_name (c->index_dtype));
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL ? slash + 1 : path;
}

void
cw_chart_receipts_text (const char *db, size_t n, int64_t first_id, int64_t last_id, char *buf, size_t size)
{
  char ids[160] = "", database[320] = "", a[32], b[32], count[CW_CHART_COUNT_MAX];

  if (db != NULL)
    /* Translators: the database file a chart's receipts come from, first in its provenance line */
    snprintf (database, sizeof database, cw_chart_translate (CW_N_ ("database %s")), base_name (db));
  snprintf (a, sizeof a, "%" PRId64, first_id);
  snprintf (b, sizeof b, "%" PRId64, last_id);
  if (n == 1)
    /* Translators: the one receipt a chart shows: its id */
    snprintf (ids, sizeof ids, cw_chart_translate (CW_N_ ("receipt %s")), a);
  else if (n > 1)
    {
      cw_chart_format_count (n, count, sizeof count);
      /* Translators: how many receipts a chart shows, then the lowest and highest id */
      snprintf (ids, sizeof ids, cw_chart_translate (CW_N_ ("%s receipts, ids %s-%s")), count, a, b);
    }
  snprintf (buf, size, "%s%s%s", database, database[0] && ids[0] ? ", " : "", ids);
}

/* The plan's caption with `what` (the receipts drawn, or the calibration)
 * before the version; `what` may be empty. */
static void
plan_caption_with (const CwChartPlanSource *src, const char *what, char *buf, size_t size)
{
  char cfg[320], version[96], engine[128] = "", gpu[128] = "";

  cw_chart_config_caption (src->config, cfg, sizeof cfg);
  cw_chart_version_text (version, sizeof version);
  if (src->engine != NULL && src->engine[0] != '\0')
    /* Translators: follows the preset in a chart's provenance line */
    snprintf (engine, sizeof engine, cw_chart_translate (CW_N_ (", engine %s")), src->engine);
  if (src->gpu_name != NULL && src->gpu_name[0] != '\0')
    /* Translators: follows the preset (and engine) in a chart's provenance line */
    snprintf (gpu, sizeof gpu, cw_chart_translate (CW_N_ (", GPU %s")), src->gpu_name);
  snprintf (buf, size, "%s%s%s: %s%s%s \xc2\xb7 %s",
            src->preset != NULL && src->preset[0] != '\0' ? src->preset
            : cw_chart_translate (CW_N_ ("custom configuration")),
            engine, gpu, cfg, what[0] != '\0' ? "; " : "", what, version);
}

void
cw_chart_plan_caption (const CwChartPlanSource *src, char *buf, size_t size)
{
  char what[384] = "";

  if (src->calibrated && src->database != NULL)
    /* Translators: the end of an index-cache chart's provenance line: the link and indexer rates
     * were fitted from the index-transfer receipts of this database file */
    snprintf (what, sizeof what, cw_chart_translate (CW_N_ ("rates calibrated from database %s")),
              base_name (src->database));
  plan_caption_with (src, what, buf, size);
}

/* The default sq range, widened to every receipt: powers of two on the
 * ratio's grid below the smallest sq and above the largest. */
static void
cliff_range (const CwChartCliffPlan *p, uint64_t *sq_min, uint64_t *sq_max)
{
  uint64_t step = p->source.config->ratio != 0 ? p->source.config->ratio : 1;
  uint64_t sq = p->source.config->sq;

  *sq_min = p->sq_min != 0 ? p->sq_min : (SQ_FLOOR < step ? step : SQ_FLOOR);
  if (p->sq_max != 0)
    *sq_max = p->sq_max;
  else
    {
      *sq_max = sq > SQ_CEILING / 4 ? SQ_CEILING : (4 * sq > SQ_DEFAULT ? 4 * sq : SQ_DEFAULT);
      if (*sq_max < *sq_min)
        *sq_max = *sq_min;
    }
  for (size_t i = 0; i < p->n_receipts; i++)
    {
      uint64_t at = (uint64_t) p->receipts[i].sq;

      while (p->sq_min == 0 && *sq_min > step && *sq_min > at)
        *sq_min = *sq_min / 2 < step ? step : *sq_min / 2 / step * step;
      while (p->sq_max == 0 && *sq_max < at && *sq_max <= UINT64_MAX / 2)
        *sq_max *= 2;
    }
}

CwChart *
cw_chart_kind_cliff (const CwChartCliffPlan *p, CwError *error)
{
  CwChartCliffSamples *samples = NULL;
  CwChartCliffCurve *curves = NULL;
  CwChart *chart = NULL;
  uint64_t sq_min, sq_max;
  unsigned per_octave;

  if (p == NULL || p->source.config == NULL || (p->n_profiles > 0 && p->profiles == NULL)
      || (p->n_receipts > 0 && p->receipts == NULL))
    {
      cw_error_set (error, CW_ERROR_INVALID, "cliff chart: missing input");
      return NULL;
    }
  per_octave = p->per_octave != 0 ? p->per_octave : CW_CHART_CLIFF_PER_OCTAVE;
  cliff_range (p, &sq_min, &sq_max);
  samples = calloc (p->n_profiles > 0 ? p->n_profiles : 1, sizeof *samples);
  curves = calloc (p->n_profiles > 0 ? p->n_profiles : 1, sizeof *curves);
  if (samples == NULL || curves == NULL)
    {
      cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
      goto out;
    }
  for (size_t i = 0; i < p->n_profiles; i++)
    {
      if (!cw_chart_cliff_samples_compute (&samples[i], p->profiles[i], p->source.config, p->usable_bytes, sq_min,
                                           sq_max, per_octave, error))
        {
          cw_error_prefix (error, "%s: ", cw_profile_get_name (p->profiles[i]));
          goto out;
        }
      curves[i] = samples[i].curve;
    }
  {
    CwChartCliffInput in = { 0 };

    in.usable_bytes = (double) p->usable_bytes;
    in.gpu_name = p->source.gpu_name;
    in.curves = curves;
    in.n_curves = p->n_profiles;
    in.receipts = p->receipts;
    in.n_receipts = p->n_receipts;
    in.current_sq = (double) p->source.config->sq;
    chart = cw_chart_builder_cliff (&in, error);
  }
  if (chart != NULL)
    {
      char caption[1024], what[512] = "";

      /* The receipts drawn: their database and ids. */
      if (p->source.database != NULL)
        {
          int64_t lo = INT64_MAX, hi = INT64_MIN;

          for (size_t i = 0; p->receipt_ids != NULL && i < p->n_receipts; i++)
            {
              int64_t id = p->receipt_ids[p->receipts[i].tag];

              lo = id < lo ? id : lo;
              hi = id > hi ? id : hi;
            }
          cw_chart_receipts_text (p->source.database, p->receipt_ids != NULL ? p->n_receipts : 0, lo, hi, what,
                                  sizeof what);
        }
      plan_caption_with (&p->source, what, caption, sizeof caption);
      if (!cw_chart_set_caption (chart, caption))
        {
          cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
          cw_chart_free (chart);
          chart = NULL;
        }
    }

out:
  for (size_t i = 0; samples != NULL && i < p->n_profiles; i++)
    cw_chart_cliff_samples_clear (&samples[i]);
  free (samples);
  free (curves);
  return chart;
}

CwChart *
cw_chart_kind_indexcache (const CwIndexCachePlan *plan, const CwChartPlanSource *source, CwError *error)
{
  CwChart *chart;

  chart = cw_chart_builder_indexcache (plan,
                                       cw_chart_translate (CW_N_ ("Index cache across layers and pipeline stages")),
                                       error);
  if (chart != NULL && source != NULL && source->config != NULL)
    {
      char caption[1024];

      cw_chart_plan_caption (source, caption, sizeof caption);
      if (!cw_chart_set_caption (chart, caption))
        {
          cw_error_set (error, CW_ERROR_OOM, "out of memory while building the chart");
          cw_chart_free (chart);
          return NULL;
        }
    }
  return chart;
}
