/* cw-bench-sweep.c: planner speed. Evaluates 1,000,000 configurations per
 * profile through cw_plan_eval_peak (the sweep path: validation, every let and
 * buffer formula, phase sums; no allocation) and times exact cliff solves.
 * Prints numbers; asserts nothing. Needs CW_DATA_DIR or an installed data dir. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

int
main (int argc, char **argv)
{
  const char *profiles[] = { "reference", "materialize", "fused", "streaming", "vllm", "sglang", "deepgemm", "streamindex" };
  const uint64_t n_points = argc > 1 ? strtoull (argv[1], NULL, 10) : 1000000;
  const unsigned n_cliffs = 1000;
  CwError e = CW_ERROR_INIT;
  CwConfig base;
  CwGpu *gpu;
  double total_sweep = 0, total_cpu = 0;
  uint64_t total_points = 0;

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
      total_sweep += t1 - t0;
      total_cpu += c1 - c0;
      total_points += n_points;
      cw_profile_free (p);
    }
  printf ("all profiles: %" PRIu64 " configurations in %.3f s wall, %.3f s cpu (%.1f ns each, wall)\n", total_points,
          total_sweep, total_cpu, total_sweep * 1e9 / (double) total_points);
  cw_gpu_free (gpu);
  return 0;
}
