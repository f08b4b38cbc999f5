/* test-planner.c: exact byte figures, cliff boundaries, overflow and parser
 * errors, all through the shipped data files (CW_DATA_DIR = the tree's data/). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cw-planner.h"

#include "../cw-test.h"

static CwProfile *
load (const char *name)
{
  CwError e = CW_ERROR_INIT;
  CwProfile *p = cw_profile_load (name, &e);

  if (p == NULL)
    {
      fprintf (stderr, "cannot load profile %s: %s\n", name, e.message);
      exit (1);
    }
  return p;
}

static CwConfig
preset (const char *name)
{
  CwError e = CW_ERROR_INIT;
  CwConfig c;

  if (!cw_preset_lookup (name, &c, &e))
    {
      fprintf (stderr, "cannot load preset %s: %s\n", name, e.message);
      exit (1);
    }
  return c;
}

static uint64_t
buffer_bytes (const CwPlan *plan, const char *name)
{
  for (unsigned i = 0; i < cw_plan_get_n_buffers (plan); i++)
    if (strcmp (cw_plan_get_buffer_name (plan, i), name) == 0)
      return cw_plan_get_buffer_bytes (plan, i);
  fprintf (stderr, "no buffer %s\n", name);
  exit (1);
}

static CwPlan *
plan_of (const CwProfile *p, const CwConfig *c)
{
  CwError e = CW_ERROR_INIT;
  CwPlan *plan = cw_plan_new (p, c, &e);

  if (plan == NULL)
    {
      fprintf (stderr, "plan failed: %s\n", e.message);
      exit (1);
    }
  return plan;
}

static void
test_worked_examples (void)
{
  CwProfile *ref = load ("reference"), *mat = load ("materialize"), *bounded = load ("bounded-outputs");
  CwConfig c = preset ("megacpp-slab-example");
  CwPlan *plan;
  char buf[CW_BYTES_FORMAT_SIZE];

  /* Score paths are compared by default; the lanes' own profiles are not. */
  CHECK (!cw_profile_is_lane_step (ref) && !cw_profile_is_lane_step (mat), "score paths marked as lane steps");
  {
    CwProfile *mask = load ("index-mask");
    CwConfig m = preset ("deepseek-v3.2");

    CHECK (cw_profile_is_lane_step (mask), "index-mask is not a lane step");
    /* idx 4*sq*k + mask sq*(sk+1) + 8 at sq = sk = 4096, k = 2048: what the
     * profiler's mask lane allocated on the H200 (h200-deepseek-v3.2.db). */
    m.sq = 4096;
    plan = plan_of (mask, &m);
    CHECK (cw_plan_get_peak_bytes (plan) == 50335752ull, "index-mask %" PRIu64, cw_plan_get_peak_bytes (plan));
    cw_plan_free (plan);
    cw_profile_free (mask);
  }

  /* b=8, sq=sk=4096, h=32, fp32: 17,179,869,184 B. */
  plan = plan_of (ref, &c);
  CHECK (buffer_bytes (plan, "logits_slab") == 17179869184ull, "%" PRIu64, buffer_bytes (plan, "logits_slab"));
  cw_plan_free (plan);
  plan = plan_of (mat, &c);
  CHECK (buffer_bytes (plan, "slab") == 17179869184ull, "%" PRIu64, buffer_bytes (plan, "slab"));
  cw_plan_free (plan);
  CHECK (strcmp (cw_bytes_format (17179869184ull, buf, sizeof buf), "17179869184 B (16.00 GiB, 17.18 GB)") == 0, "%s", buf);

  /* V4-Flash at S = 65,536: slab 274,877,906,944 B. */
  c = preset ("v4-flash");
  CHECK (c.sq == 65536 && cw_config_get_sk (&c) == 16384, "sq %" PRIu64, c.sq);
  plan = plan_of (mat, &c);
  CHECK (buffer_bytes (plan, "slab") == 274877906944ull, "%" PRIu64, buffer_bytes (plan, "slab"));
  cw_plan_free (plan);
  plan = plan_of (ref, &c);
  CHECK (buffer_bytes (plan, "logits_slab") == 274877906944ull, "%" PRIu64, buffer_bytes (plan, "logits_slab"));
  cw_plan_free (plan);

  /* StreamIndex at V4-Flash S = 32,768: einsum 64 GiB + weighted 64 GiB +
   * head-sum 1 GiB = 129 GiB above the inputs (relu in place). */
  c.sq = 32768;
  c.sk = 0;
  plan = plan_of (ref, &c);
  CHECK (cw_plan_get_peak_bytes (plan) - cw_plan_get_input_bytes (plan) == 129ull << 30, "%" PRIu64,
         cw_plan_get_peak_bytes (plan) - cw_plan_get_input_bytes (plan));
  CHECK (strcmp (cw_plan_get_phase_name (plan, cw_plan_get_peak_phase (plan)), "headsum") == 0, "peak phase");
  cw_plan_free (plan);
  {
    /* An out-of-place relu costs one more slab. */
    CwError e = CW_ERROR_INIT;
    CHECK (cw_profile_set_param (ref, "relu_inplace", 0, &e), "%s", e.message);
    plan = plan_of (ref, &c);
    CHECK (cw_plan_get_peak_bytes (plan) - cw_plan_get_input_bytes (plan) == 193ull << 30, "%" PRIu64,
           cw_plan_get_peak_bytes (plan) - cw_plan_get_input_bytes (plan));
    cw_plan_free (plan);
    CHECK (!cw_profile_set_param (ref, "no_such_param", 0, &e) && e.code == CW_ERROR_NOT_FOUND, "param");
  }

  /* MegaCpp bounded outputs: 384 MiB at L = 65,536 and 768 MiB at 131,072. */
  c = preset ("megacpp-bounded-65k");
  plan = plan_of (bounded, &c);
  CHECK (cw_plan_get_peak_bytes (plan) == 384ull << 20, "%" PRIu64, cw_plan_get_peak_bytes (plan));
  cw_plan_free (plan);
  c = preset ("megacpp-bounded-131k");
  plan = plan_of (bounded, &c);
  CHECK (cw_plan_get_peak_bytes (plan) == 768ull << 20, "%" PRIu64, cw_plan_get_peak_bytes (plan));
  cw_plan_free (plan);

  /* Granularity: every buffer rounds up on its own. */
  c = preset ("megacpp-bounded-65k");
  c.granularity = 2ull << 20;
  c.sq = 1;
  c.sk = 1024;
  plan = plan_of (bounded, &c);
  CHECK (cw_plan_get_peak_bytes (plan) == 4ull << 20, "%" PRIu64, cw_plan_get_peak_bytes (plan));
  cw_plan_free (plan);

  /* fp4 tensors cost ceil(n / 2) bytes. */
  {
    CwProfile *str = load ("streaming");
    c = preset ("megacpp-slab-example");
    c.b = 1; c.sq = 3; c.h = 1; c.d = 1; c.q_dtype = CW_DTYPE_FP4;
    plan = plan_of (str, &c);
    CHECK (buffer_bytes (plan, "q") == 2, "%" PRIu64, buffer_bytes (plan, "q"));
    cw_plan_free (plan);
    cw_profile_free (str);
  }
  cw_profile_free (ref);
  cw_profile_free (mat);
  cw_profile_free (bounded);
}

static void
test_index_cache (void)
{
  CwConfig c = preset ("index-cache-example");
  CwIndexCacheConfig ic;
  CwIndexCachePlan *p;
  CwError e = CW_ERROR_INIT;

  cw_index_cache_config_init (&ic);
  ic.n_layers = 8;
  ic.every_n = 3;
  ic.n_stages = 2;
  ic.link_bytes_per_s = 50000000000ull;
  ic.flops_per_s = 100000000000000ull;
  CHECK (cw_preset_get_index_heads ("index-cache-example", &ic.index_heads, &e) && ic.index_heads == 32, "%s", e.message);
  p = cw_index_cache_plan_new (&c, &ic, &e);
  CHECK (p != NULL, "%s", e.message);
  if (p == NULL)
    return;
  /* L = 200,000, H = 32, top_k = 2048, int32: 52,428,800,000 B. */
  CHECK (cw_index_cache_plan_get_payload_bytes (p) == 52428800000ull, "%" PRIu64,
         cw_index_cache_plan_get_payload_bytes (p));
  /* every 3 over 8 layers: full 0, 3, 6; stages [0..3], [4..7]. Layer 4 is
   * shared by schedule but its stage has no cache: recompute costs
   * 2*200000^2*32*128/2 = 1.6384e14 FLOP = 1.6384 s at 100 TFLOP/s, the
   * transfer 52.4288e9 / 50e9 = 1.048576 s, so it is transferred. */
  CHECK (cw_index_cache_plan_get_layer_role (p, 0) == CW_LAYER_FULL, "0");
  CHECK (cw_index_cache_plan_get_layer_role (p, 1) == CW_LAYER_SHARED, "1");
  CHECK (cw_index_cache_plan_get_layer_role (p, 3) == CW_LAYER_FULL, "3");
  CHECK (cw_index_cache_plan_get_layer_stage (p, 4) == 1, "stage");
  CHECK (cw_index_cache_plan_get_boundary_consumer (p, 0) == 4, "consumer");
  CHECK (cw_index_cache_plan_get_boundary_decision (p, 0) == CW_BOUNDARY_TRANSFER, "decision %d",
         (int) cw_index_cache_plan_get_boundary_decision (p, 0));
  CHECK (cw_index_cache_plan_get_layer_role (p, 4) == CW_LAYER_SHARED, "4");
  CHECK (cw_index_cache_plan_get_boundary_recompute_s (p, 0) > 1.6383 &&
         cw_index_cache_plan_get_boundary_recompute_s (p, 0) < 1.6385, "%g",
         cw_index_cache_plan_get_boundary_recompute_s (p, 0));
  cw_index_cache_plan_free (p);

  /* A slower link: fail closed, layer 4 promoted and recomputes. */
  ic.link_bytes_per_s = 25000000000ull;
  p = cw_index_cache_plan_new (&c, &ic, &e);
  CHECK (p != NULL && cw_index_cache_plan_get_layer_role (p, 4) == CW_LAYER_PROMOTED, "promoted");
  CHECK (p != NULL && cw_index_cache_plan_get_boundary_decision (p, 0) == CW_BOUNDARY_RECOMPUTE, "recompute");
  CHECK (p != NULL && cw_index_cache_plan_get_n_promoted (p) == 1 && cw_index_cache_plan_get_n_full (p) == 4, "counts");
  CHECK (p != NULL && cw_index_cache_plan_get_layer_resident_bytes (p, 5) == 52428800000ull, "resident");
  cw_index_cache_plan_free (p);

  /* Without H the cache holds one set per token: 1/32 of the payload. */
  {
    CwIndexCacheConfig one = ic;
    one.index_heads = 0;
    p = cw_index_cache_plan_new (&c, &one, &e);
    CHECK (p != NULL && cw_index_cache_plan_get_payload_bytes (p) == 52428800000ull / 32, "H = 1");
    cw_index_cache_plan_free (p);
  }

  /* V4-Pro layers from the preset: 30 indexer layers of 61. */
  {
    uint64_t n_layers, *idx, n_idx;
    CHECK (cw_preset_get_layers ("v4-pro", &n_layers, &idx, &n_idx, &e), "%s", e.message);
    CHECK (n_layers == 61 && n_idx == 30 && idx[0] == 2 && idx[29] == 60, "%" PRIu64 " %" PRIu64, n_layers, n_idx);
    free (idx);
  }

  /* Bad inputs. */
  ic.n_stages = 9;
  CHECK (cw_index_cache_plan_new (&c, &ic, &e) == NULL && e.code == CW_ERROR_INVALID, "stages > layers");
  ic.n_stages = 2;
  ic.every_n = 0;
  CHECK (cw_index_cache_plan_new (&c, &ic, &e) == NULL && e.code == CW_ERROR_INVALID, "every 0");
  ic.every_n = 1;
  c.sq = UINT64_MAX / 2;
  c.sk = 0;
  CHECK (cw_index_cache_plan_new (&c, &ic, &e) == NULL && e.code == CW_ERROR_OVERFLOW, "overflow: %s", e.message);
}

/* n fits, n + 1 does not (or overflows). */
static bool
fits (const CwProfile *p, CwConfig c, int axis, uint64_t v, uint64_t usable)
{
  uint64_t peak;
  CwError e = CW_ERROR_INIT;

  if (axis == 0) { c.sq = v; if (c.ratio) c.sk = 0; }
  else if (axis == 1) c.b = v;
  else c.h = v;
  if (!cw_plan_eval_peak (p, &c, &peak, &e))
    return false;
  return peak <= usable;
}

static void
test_cliffs (void)
{
  const char *profiles[] = { "reference", "materialize", "fused", "streaming", "vllm", "sglang", "deepgemm", "streamindex" };
  const char *presets[] = { "v4-flash", "v3.2", "megacpp-slab-example" };
  const char *gpus[] = { "h100-80gb", "h200" };
  const uint64_t reserves[] = { 0, 1ull << 30, 10000000007ull };
  const uint64_t grans[] = { 1, 2ull << 20 };
  CwError e = CW_ERROR_INIT;
  int n = 0;

  for (size_t pi = 0; pi < sizeof profiles / sizeof *profiles; pi++)
    {
      CwProfile *p = load (profiles[pi]);

      for (size_t si = 0; si < sizeof presets / sizeof *presets; si++)
        for (size_t gi = 0; gi < 2; gi++)
          for (size_t ri = 0; ri < 3; ri++)
            for (size_t ki = 0; ki < 2; ki++)
              {
                CwConfig c = preset (presets[si]);
                CwGpu *g = cw_gpu_lookup (gpus[gi], &e);
                uint64_t usable, m[3];

                c.granularity = grans[ki];
                CHECK (g != NULL && cw_gpu_usable_bytes (g->total_bytes, reserves[ri], &usable, &e), "%s", e.message);
                CHECK (cw_cliff_max_sq (p, &c, usable, &m[0], &e), "%s", e.message);
                CHECK (cw_cliff_max_b (p, &c, usable, &m[1], &e), "%s", e.message);
                CHECK (cw_cliff_max_h (p, &c, usable, &m[2], &e), "%s", e.message);
                for (int axis = 0; axis < 3; axis++)
                  {
                    uint64_t lo = axis == 0 && c.ratio ? c.ratio : 1;
                    if (m[axis] == 0)
                      CHECK (!fits (p, c, axis, lo, usable), "%s %s axis %d: 0 but smallest fits", profiles[pi], presets[si], axis);
                    else
                      {
                        CHECK (fits (p, c, axis, m[axis], usable), "%s %s axis %d: %" PRIu64 " does not fit",
                               profiles[pi], presets[si], axis, m[axis]);
                        CHECK (!fits (p, c, axis, m[axis] + 1, usable), "%s %s axis %d: %" PRIu64 " + 1 fits",
                               profiles[pi], presets[si], axis, m[axis]);
                      }
                    n++;
                  }
                cw_gpu_free (g);
              }
      cw_profile_free (p);
    }
  CHECK (n == 8 * 3 * 2 * 3 * 2 * 3, "%d", n);

  /* A known answer: the fused profile's dense scores at V4-Flash on an H200. */
  {
    CwProfile *p = load ("materialize");
    CwConfig c = preset ("v4-flash");
    uint64_t m;
    /* Nothing of the materialize path fits in 1 byte. */
    CHECK (cw_cliff_max_sq (p, &c, 1, &m, &e) && m == 0, "%" PRIu64, m);
    cw_profile_free (p);
  }

  /* The limit reason: bounded outputs do not grow with h, so max_h is where
   * the configuration's element count overflows, not a memory cliff. */
  {
    CwProfile *bo = load ("bounded-outputs"), *mat = load ("materialize");
    CwConfig c = preset ("v4-flash");
    CwCliffResult r;
    uint64_t m;

    CHECK (cw_cliff_solve (bo, &c, CW_CLIFF_AXIS_H, 84447068160ull, &r, &e) && r.limited_by_overflow && r.max > 1000000,
           "%" PRIu64, r.max);
    CHECK (cw_cliff_solve (bo, &c, CW_CLIFF_AXIS_SQ, 84447068160ull, &r, &e) && !r.limited_by_overflow &&
           r.max == 20616960 && r.peak_at_max == 84447068160ull, "%" PRIu64 " %" PRIu64, r.max, r.peak_at_max);
    CHECK (cw_cliff_solve (mat, &c, CW_CLIFF_AXIS_SQ, 84447068160ull, &r, &e) && !r.limited_by_overflow &&
           cw_cliff_max_sq (mat, &c, 84447068160ull, &m, &e) && m == r.max, "%" PRIu64, r.max);
    cw_profile_free (bo);
    cw_profile_free (mat);
  }

  /* Peaks are nondecreasing in sq for our own paths and the published ones
   * (the cliff's assumption). vllm and sglang chunk logits rows to a budget,
   * so their peak can dip where chunking starts (rows are sized from the
   * unpadded sk, the allocation is padded): checked with 1% slack. */
  for (size_t pi = 0; pi < sizeof profiles / sizeof *profiles; pi++)
    {
      bool chunked = strcmp (profiles[pi], "vllm") == 0 || strcmp (profiles[pi], "sglang") == 0;
      CwProfile *p = load (profiles[pi]);
      CwConfig c = preset ("v4-flash");
      uint64_t prev = 0, peak;
      bool mono = true;

      for (uint64_t sq = 4; sq < 300000; sq += 997)
        {
          c.sq = sq;
          c.sk = 0;
          if (cw_plan_eval_peak (p, &c, &peak, &e))
            {
              uint64_t slack = chunked ? prev / 100 : 0;
              if (peak + slack < prev)
                mono = false;
              prev = peak;
            }
        }
      CHECK (mono, "%s not monotone in sq", profiles[pi]);
      cw_profile_free (p);
    }
}

static void
test_overflow_and_validation (void)
{
  CwProfile *ref = load ("reference");
  CwConfig c = preset ("v4-flash");
  CwError e = CW_ERROR_INIT;
  uint64_t peak, u;

  c.sq = 1ull << 40;
  c.sk = 0;
  CHECK (!cw_plan_eval_peak (ref, &c, &peak, &e) && e.code == CW_ERROR_OVERFLOW, "%s", e.message);
  c = preset ("v4-flash");
  c.granularity = UINT64_MAX;   /* every buffer rounds up to 2^64 - 1: the sum overflows */
  CHECK (!cw_plan_eval_peak (ref, &c, &peak, &e) && e.code == CW_ERROR_OVERFLOW, "%s", e.message);
  c = preset ("v4-flash");
  c.b = 0;
  CHECK (!cw_plan_eval_peak (ref, &c, &peak, &e) && e.code == CW_ERROR_INVALID && strstr (e.message, "b must"), "%s", e.message);
  c = preset ("v4-flash");
  c.sk = 7;
  CHECK (!cw_config_validate (&c, &e) && strstr (e.message, "conflicts with ratio"), "%s", e.message);
  c = preset ("megacpp-slab-example");
  c.causal = CW_CAUSAL_COMPRESSED;
  CHECK (!cw_config_validate (&c, &e) && strstr (e.message, "needs a compression ratio"), "%s", e.message);
  c = preset ("v4-flash");
  c.sq = 3;
  c.sk = 0;
  CHECK (!cw_config_validate (&c, &e) && strstr (e.message, "smaller than ratio"), "%s", e.message);
  CHECK (!cw_gpu_usable_bytes (10, 11, &u, &e) && e.code == CW_ERROR_INVALID, "%s", e.message);
  CHECK (cw_gpu_usable_bytes (10, 10, &u, &e) && u == 0, "usable");
  {
    CwGpu *g = cw_gpu_lookup ("H100", &e);
    CHECK (g != NULL && g->total_bytes == 85520809984ull, "h100");
    cw_gpu_free (g);
    g = cw_gpu_lookup ("h200", &e);
    CHECK (g != NULL && g->total_bytes == 150754820096ull, "h200");
    cw_gpu_free (g);
    CHECK (cw_gpu_lookup ("a100", &e) == NULL && e.code == CW_ERROR_NOT_FOUND && strstr (e.message, "unknown GPU 'a100'"),
           "%s", e.message);
  }
  {
    CwConfig x;
    CHECK (cw_preset_lookup ("DeepSeek-V4-Flash", &x, &e) && x.top_k == 512 && x.ratio == 4, "case-insensitive");
    CHECK (!cw_preset_lookup ("v5", &x, &e) && e.code == CW_ERROR_NOT_FOUND, "%s", e.message);
  }
  {
    uint64_t r;
    CHECK (!cw_mul_u64 (1ull << 32, 1ull << 32, &r), "mul");
    CHECK (!cw_add_u64 (UINT64_MAX, 1, &r), "add");
    CHECK (!cw_sub_u64 (1, 2, &r), "sub");
    CHECK (cw_ceil_div_u64 (UINT64_MAX, 2, &r) && r == (UINT64_MAX / 2) + 1, "ceil_div");
    CHECK (cw_align_up_u64 (5, 4, &r) && r == 8, "align");
    CHECK (!cw_align_up_u64 (UINT64_MAX, 2, &r), "align overflow");
    CHECK (cw_dtype_tensor_bytes (CW_DTYPE_FP4, 5, &r) && r == 3, "fp4");
  }
  cw_profile_free (ref);
}

typedef struct {
  const char *text;
  const char *message;   /* substring of the error, including "FILE:LINE" */
} BadProfile;

static const BadProfile bad_profiles[] = {
  { "phase a\nbuffer x = 1 live a\n", "bad.profile:3: profile has no 'name'" },
  { "name t\nphase a\n", "bad.profile:3: profile 't' has no buffers" },
  { "name t\nfrobnicate 3\n", "bad.profile:2: unknown directive 'frobnicate'" },
  { "name t\nphase a\nbuffer x = b * live a\n", "bad.profile:3: buffer 'x': formula ends where a value was expected" },
  { "name t\nphase a\nbuffer x = b * zz live a\n", "bad.profile:3: buffer 'x': unknown name 'zz'" },
  { "name t\nphase a\nbuffer x = (b + 1 live a\n", "bad.profile:3: buffer 'x': missing ')'" },
  { "name t\nphase a\nbuffer x = b + 1) live a\n", "bad.profile:3: buffer 'x': unexpected ')' after the formula" },
  { "name t\nphase a\nbuffer x = b\n", "bad.profile:3: buffer 'x' needs 'live PHASE" },
  { "name t\nphase a\nbuffer x = b live q\n", "bad.profile:3: unknown phase 'q'" },
  { "name t\nbuffer x = b live a\n", "bad.profile:2: declare phases before buffers" },
  { "name t\nphase a\nbuffer x = b live a input extra\n", "bad.profile:3: unexpected text 'extra'" },
  { "name t\nphase a\nbuffer x = b live a output\n", "bad.profile:3: unknown buffer flag 'output'" },
  { "name t\nphase a\nbuffer x = b live a\nbuffer x = b live a\n", "bad.profile:4: buffer 'x' declared twice" },
  { "name t\nphase a a\n", "bad.profile:2: phase 'a' declared twice" },
  { "name t\nphase a b\nbuffer x = b live b..a\n", "bad.profile:3: phase range 'b..a' runs backwards" },
  { "name t\nparam p = -1\n", "bad.profile:2: param 'p' needs a non-negative integer" },
  { "name t\nparam p = 99999999999999999999\n", "bad.profile:2: param 'p' needs a non-negative integer" },
  { "name t\nparam b = 1\n", "bad.profile:2: param name 'b' is a built-in name" },
  { "name t\nlet x = 1\nlet x = 2\n", "bad.profile:3: 'x' is already defined (let)" },
  { "name t\nlet x = x + 1\n", "bad.profile:2: let 'x': unknown name 'x'" },
  { "name t\nlet x = 1\nparam p = 1\n", "bad.profile:3: params must come before any 'let'" },
  { "name t\nphase a\nbuffer x = foo(b) live a\n", "bad.profile:3: buffer 'x': unknown function 'foo'" },
  { "name t\nphase a\nbuffer x = min(b) live a\n", "bad.profile:3: buffer 'x': wrong number of arguments to 'min'" },
  { "name t\nphase a\nbuffer x = clamp(b, 1) live a\n", "bad.profile:3: buffer 'x': wrong number of arguments to 'clamp'" },
  { "name t\nphase a\nbuffer x = 512MiB live a\n", "bad.profile:3: buffer 'x': unexpected 'M' after a number" },
  { "name t\nphase a\nbuffer x = 0 - b live a\n", NULL },   /* parses; fails at evaluation (below zero) */
  { "name t\nphase a\nbuffer x = -b live a\n", "bad.profile:3: buffer 'x': negative values are not allowed" },
  { "name t\nphase a\nbuffer x = 99999999999999999999 live a\n", "bad.profile:3: buffer 'x': number does not fit in 64 bits" },
  { "name t\nname u\n", "bad.profile:2: 'name' given twice" },
  { "name\n", "bad.profile:1: 'name' needs one word" },
  { "name t\nphase all\n", "bad.profile:2: 'all' is reserved" },
  { "name t\nphase a\nbuffer x = b live a,\n", "bad.profile:3: empty phase name in 'live a,'" },
  { "name t\n= 3\n", "bad.profile:2: expected a directive" },
  { "name t\nscope both\n", "bad.profile:2: 'scope' is 'path'" },
  { "name t\nscope\n", "bad.profile:2: 'scope' is 'path'" },
  { "name t\nscope lane\nscope path\n", "bad.profile:3: 'scope' given twice" },
  { "name t\nphase a\nbuffer x = b,c live a\n", "bad.profile:3: buffer 'x': unexpected ','" },
  { "name t\nphase a\nbuffer x = isqrt(b, 2) live a\n", "bad.profile:3: buffer 'x': wrong number of arguments to 'isqrt'" },
  { "name t\nphase a\nbuffer x = select(b, 1) live a\n", "bad.profile:3: buffer 'x': wrong number of arguments to 'select'" },
  { "name t\nphase a\nbuffer x = lt(b) live a\n", "bad.profile:3: buffer 'x': wrong number of arguments to 'lt'" },
  { "name t\nphase a\nbuffer x = le(b, 1, 2) live a\n", "bad.profile:3: buffer 'x': wrong number of arguments to 'le'" },
  { "name t\nphase a\nbuffer x = select(b < 2, 1, 2) live a\n", "bad.profile:3: buffer 'x': missing ')' or ','" },
  { "name t\nphase a\nbuffer x = if(b, 1, 2) live a\n", "bad.profile:3: buffer 'x': unknown function 'if'" },
  { "name t\nparam select = 1\n", "bad.profile:2: param name 'select' is a built-in name" },
  { "name t\nlet isqrt = 1\n", "bad.profile:2: let name 'isqrt' is a built-in name" },
};

static void
test_bad_profiles (void)
{
  char dir[] = "/tmp/cw-test-planner-XXXXXX";
  char path[256];

  CHECK (mkdtemp (dir) != NULL, "mkdtemp");
  snprintf (path, sizeof path, "%s/bad.profile", dir);
  for (size_t i = 0; i < sizeof bad_profiles / sizeof *bad_profiles; i++)
    {
      FILE *f = fopen (path, "w");
      CwError e = CW_ERROR_INIT;
      CwProfile *p;

      fputs (bad_profiles[i].text, f);
      fclose (f);
      p = cw_profile_load_file (path, &e);
      if (bad_profiles[i].message == NULL)
        {
          CwConfig c = preset ("megacpp-slab-example");
          uint64_t peak;
          CHECK (p != NULL, "case %zu: %s", i, e.message);
          CHECK (p != NULL && !cw_plan_eval_peak (p, &c, &peak, &e) && e.code == CW_ERROR_INVALID &&
                 strstr (e.message, "bad.profile:3: buffer 'x' goes below zero"), "case %zu: %s", i, e.message);
        }
      else
        CHECK (p == NULL && e.code == CW_ERROR_PARSE && strstr (e.message, bad_profiles[i].message) != NULL,
               "case %zu: got '%s', want '%s'", i, e.message, bad_profiles[i].message);
      cw_profile_free (p);
    }
  /* Evaluation-time errors name the buffer and its line. */
  {
    FILE *f = fopen (path, "w");
    CwError e = CW_ERROR_INIT;
    CwProfile *p;
    CwConfig c = preset ("megacpp-slab-example");
    uint64_t peak;

    fputs ("name t\nphase a\nbuffer ok = 1 live a\nbuffer big = sq * sk * sq * sk * sq * h live a\n"
           "buffer div = b / (b - b) live a\n", f);
    fclose (f);
    p = cw_profile_load_file (path, &e);
    CHECK (p != NULL, "%s", e.message);
    CHECK (!cw_plan_eval_peak (p, &c, &peak, &e) && e.code == CW_ERROR_OVERFLOW &&
           strstr (e.message, "bad.profile:4: buffer 'big' overflows uint64 in '*'"), "%s", e.message);
    cw_profile_free (p);
    f = fopen (path, "w");
    fputs ("name t\nphase a\nbuffer div = b / (b - b) live a\nbuffer q = bytes_q live a\n", f);
    fclose (f);
    p = cw_profile_load_file (path, &e);
    CHECK (p != NULL && !cw_plan_eval_peak (p, &c, &peak, &e) && strstr (e.message, "bad.profile:3: buffer 'div' divides by zero"),
           "%s", e.message);
    cw_profile_free (p);
    /* bytes_* of fp4 is not a whole byte: refused, not rounded. */
    f = fopen (path, "w");
    fputs ("name t\nphase a\nbuffer q = b * bytes_q live a\n", f);
    fclose (f);
    p = cw_profile_load_file (path, &e);
    c.q_dtype = CW_DTYPE_FP4;
    CHECK (p != NULL && !cw_plan_eval_peak (p, &c, &peak, &e) && strstr (e.message, "sub-byte"), "%s", e.message);
    cw_profile_free (p);
    /* Phase sums overflow even when each buffer fits. */
    f = fopen (path, "w");
    fputs ("name t\nphase a\nbuffer x = 18446744073709551615 live a\nbuffer y = 1 live a\n", f);
    fclose (f);
    p = cw_profile_load_file (path, &e);
    CHECK (p != NULL && !cw_plan_eval_peak (p, &c, &peak, &e) && e.code == CW_ERROR_OVERFLOW &&
           strstr (e.message, "phase 'a' overflow"), "%s", e.message);
    cw_profile_free (p);
  }
  /* isqrt, select, lt, le: exact integer values. */
  {
    FILE *f = fopen (path, "w");
    CwError e = CW_ERROR_INIT;
    CwProfile *p;
    CwConfig c = preset ("megacpp-slab-example");   /* b = 8, sq = 4096 */
    CwPlan *plan;

    fputs ("name t\nphase a\n"
           "buffer r0 = isqrt(0) live a\nbuffer r1 = isqrt(sq * sq - 1) live a\n"
           "buffer r2 = isqrt(18446744073709551615) live a\nbuffer r3 = isqrt(51) live a\n"
           "buffer s1 = select(lt(b, 9), 10, 20) live a\nbuffer s2 = select(le(9, b), 10, 20) live a\n"
           "buffer s3 = le(b, 8) + lt(b, 8) + select(0, 5, 7) live a\n", f);
    fclose (f);
    p = cw_profile_load_file (path, &e);
    CHECK (p != NULL, "%s", e.message);
    if (p != NULL)
      {
        c.granularity = 1;
        plan = plan_of (p, &c);
        CHECK (buffer_bytes (plan, "r0") == 0 && buffer_bytes (plan, "r1") == 4095 &&
               buffer_bytes (plan, "r2") == 4294967295ull && buffer_bytes (plan, "r3") == 7, "isqrt %" PRIu64 " %" PRIu64,
               buffer_bytes (plan, "r1"), buffer_bytes (plan, "r2"));
        CHECK (buffer_bytes (plan, "s1") == 10 && buffer_bytes (plan, "s2") == 20 && buffer_bytes (plan, "s3") == 8,
               "select %" PRIu64 " %" PRIu64 " %" PRIu64, buffer_bytes (plan, "s1"), buffer_bytes (plan, "s2"),
               buffer_bytes (plan, "s3"));
        cw_plan_free (plan);
      }
    cw_profile_free (p);
    /* Both arms of select are evaluated: an error in the unpicked one still fails. */
    f = fopen (path, "w");
    fputs ("name t\nphase a\nbuffer x = select(1, b, b / (b - b)) live a\n", f);
    fclose (f);
    p = cw_profile_load_file (path, &e);
    {
      uint64_t peak;
      CHECK (p != NULL && !cw_plan_eval_peak (p, &c, &peak, &e) && strstr (e.message, "bad.profile:3: buffer 'x' divides by zero"),
             "%s", e.message);
    }
    cw_profile_free (p);
  }
  {
    CwError e = CW_ERROR_INIT;
    CHECK (cw_profile_load_file ("/nonexistent/x.profile", &e) == NULL && e.code == CW_ERROR_NOT_FOUND, "%s", e.message);
    CHECK (cw_profile_load ("../etc/passwd", &e) == NULL && e.code == CW_ERROR_NOT_FOUND, "%s", e.message);
    CHECK (cw_profile_load ("nope", &e) == NULL && strstr (e.message, "unknown profile 'nope' (known: "), "%s", e.message);
  }
  unlink (path);
  rmdir (dir);
}

static void
test_all_profiles_load (void)
{
  CwError e = CW_ERROR_INIT;
  char **names = cw_profile_list_names (&e);
  CwConfig c = preset ("v4-flash");
  size_t n = 0;

  CHECK (names != NULL, "%s", e.message);
  for (char **q = names; q && *q; q++, n++)
    {
      CwProfile *p = cw_profile_load (*q, &e);
      uint64_t peak;
      CHECK (p != NULL, "%s: %s", *q, e.message);
      CHECK (p != NULL && cw_profile_get_source (p)[0] != '\0', "%s has no source", *q);
      CHECK (p != NULL && cw_plan_eval_peak (p, &c, &peak, &e) && peak > 0, "%s: %s", *q, e.message);
      cw_profile_free (p);
    }
  CHECK (n >= 9, "%zu profiles", n);
  cw_strv_free (names);
}

int
main (void)
{
  test_worked_examples ();
  test_index_cache ();
  test_cliffs ();
  test_overflow_and_validation ();
  test_bad_profiles ();
  test_all_profiles_load ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
