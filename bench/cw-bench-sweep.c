/* cw-bench-sweep.c: planner speed. Evaluates 1,000,000 configurations per
 * profile through cw_plan_eval_peak (the sweep path: validation, every let and
 * buffer formula, phase sums; no allocation) and times exact cliff solves.
 * Prints numbers; asserts nothing; with --records FILE appends one JSON
 * record per profile and measurement (bench/records/README.md). Needs
 * CW_DATA_DIR or an installed data dir.
 *
 * Usage: cw-bench-sweep [POINTS] [--records FILE] */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cw-bench-records.h"
#include "cw-planner.h"

static double
clock_s (clockid_t id)
{
  struct timespec ts;

  clock_gettime (id, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/* Wall time is what a user waits; CPU time shows how much of it was ours on a
 * shared 2-core box where other builds compete. Both are printed. */
static double now_s (void) { return clock_s (CLOCK_MONOTONIC); }
static double cpu_s (void) { return clock_s (CLOCK_PROCESS_CPUTIME_ID); }

/* One record: the profile's configuration, one wall-time sample and, when
 * cpu is not NULL, one CPU-time sample. */
static bool
write_record (CwBenchRecords *records, const char *benchmark, const char *profile, const char *count_key,
              uint64_t count, const char *unit, double wall, const double *cpu, const char *result_key,
              uint64_t result)
{
  CwJson j;
  bool ok;

  cw_json_init (&j);
  cw_bench_records_begin (records, &j, benchmark);
  cw_bench_records_cpu_device (&j);
  cw_json_object_begin (&j, "config");
  cw_json_string (&j, "profile", profile);
  cw_json_string (&j, "preset", "deepseek-v4-flash");
  cw_json_string (&j, "gpu", "h100-80gb");
  cw_json_uint (&j, count_key, count);
  cw_json_object_end (&j);
  cw_json_samples (&j, NULL, unit, &wall, 1);
  if (cpu != NULL)
    cw_json_samples (&j, "cpu", unit, cpu, 1);
  cw_json_uint (&j, result_key, result);
  ok = cw_bench_records_write (records, &j);
  cw_json_clear (&j);
  return ok;
}

int
main (int argc, char **argv)
{
  const char *profiles[] = { "reference", "materialize", "fused", "streaming", "vllm", "sglang", "deepgemm", "streamindex" };
  uint64_t n_points = 1000000;
  const unsigned n_cliffs = 1000;
  const char *records_path = NULL;
  CwBenchRecords *records = NULL;
  CwError e = CW_ERROR_INIT;
  CwConfig base;
  CwGpu *gpu;
  double total_sweep = 0, total_cpu = 0;
  uint64_t total_points = 0;

  for (int i = 1; i < argc; i++)
    {
      char *end;

      if (strcmp (argv[i], "--records") == 0 && i + 1 < argc)
        records_path = argv[++i];
      else if (argv[i][0] != '-' && (errno = 0, n_points = strtoull (argv[i], &end, 10), errno == 0)
               && *end == '\0' && n_points > 0)
        ;
      else
        {
          fprintf (stderr, "usage: cw-bench-sweep [POINTS] [--records FILE]\n");
          return 2;
        }
    }
  if (records_path != NULL && (records = cw_bench_records_open (records_path, argc, argv)) == NULL)
    {
      fprintf (stderr, "cw-bench-sweep: cannot open %s: %s\n", records_path, strerror (errno));
      return 1;
    }
  if (!cw_preset_lookup ("deepseek-v4-flash", &base, &e) || (gpu = cw_gpu_lookup ("h100-80gb", &e)) == NULL)
    {
      fprintf (stderr, "cw-bench-sweep: %s\n", e.message);
      return 1;
    }
  printf ("cw-bench-sweep: %" PRIu64 " configurations per profile (V4-Flash, sq = 4..., b = 1..8), "
          "%u cliff solves per profile (H100 80 GB, default reserve)\n", n_points, n_cliffs);
  printf ("%-12s %10s %10s %10s %10s %14s %12s\n", "profile", "wall s", "cpu s", "ns/point", "fit", "cliff us/solve", "max_sq");
  for (size_t pi = 0; pi < sizeof profiles / sizeof *profiles; pi++)
    {
      CwProfile *p = cw_profile_load (profiles[pi], &e);
      uint64_t fit = 0, max_sq = 0, sink = 0;
      double t0, t1, t2, c0, c1;

      if (p == NULL)
        {
          fprintf (stderr, "cw-bench-sweep: %s\n", e.message);
          return 1;
        }
      t0 = now_s ();
      c0 = cpu_s ();
      for (uint64_t i = 0; i < n_points; i++)
        {
          CwConfig c = base;
          uint64_t peak;

          c.sq = 4 + (i >> 3) * 4;        /* sk = sq / 4 follows */
          c.sk = 0;
          c.b = 1 + (i & 7);
          if (cw_plan_eval_peak (p, &c, &peak, NULL))
            {
              fit += peak <= gpu->total_bytes - gpu->reserve_bytes;
              sink += peak;
            }
        }
      t1 = now_s ();
      c1 = cpu_s ();
      for (unsigned i = 0; i < n_cliffs; i++)
        {
          CwConfig c = base;
          c.b = 1 + (i & 3);
          if (!cw_cliff_max_sq (p, &c, gpu->total_bytes - gpu->reserve_bytes, &max_sq, &e))
            {
              fprintf (stderr, "cw-bench-sweep: %s\n", e.message);
              return 1;
            }
          sink += max_sq;
        }
      t2 = now_s ();
      {
        CwConfig c = base;
        cw_cliff_max_sq (p, &c, gpu->total_bytes - gpu->reserve_bytes, &max_sq, NULL);
      }
      printf ("%-12s %10.3f %10.3f %10.1f %10" PRIu64 " %14.2f %12" PRIu64 "%s\n", profiles[pi], t1 - t0, c1 - c0,
              (t1 - t0) * 1e9 / (double) n_points, fit, (t2 - t1) * 1e6 / n_cliffs, max_sq, sink == 42 ? " " : "");
      /* The sweep's sample is its wall (and CPU) time over n_points; the
       * cliff's, the mean time of one solve over n_cliffs, in microseconds. */
      if (records != NULL
          && (!write_record (records, "planner-sweep", profiles[pi], "points", n_points, "s", t1 - t0,
                             &(double) { c1 - c0 }, "fit", fit)
              || !write_record (records, "planner-cliff", profiles[pi], "solves", n_cliffs, "us",
                                (t2 - t1) * 1e6 / n_cliffs, NULL, "max_sq", max_sq)))
        {
          fprintf (stderr, "cw-bench-sweep: writing %s: %s\n", records_path, strerror (errno));
          return 1;
        }
      total_sweep += t1 - t0;
      total_cpu += c1 - c0;
      total_points += n_points;
      cw_profile_free (p);
    }
  printf ("all profiles: %" PRIu64 " configurations in %.3f s wall, %.3f s cpu (%.1f ns each, wall)\n", total_points,
          total_sweep, total_cpu, total_sweep * 1e9 / (double) total_points);
  cw_gpu_free (gpu);
  if (!cw_bench_records_close (records))
    {
      fprintf (stderr, "cw-bench-sweep: closing %s: %s\n", records_path, strerror (errno));
      return 1;
    }
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      fprintf (stderr, "cw-bench-sweep: writing the output failed\n");
      return 1;
    }
  return 0;
}
