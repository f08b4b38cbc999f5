/* test-engines.c: engine configurations (data/engines) and one engine step
 * (CwConfig.prefix): loading, errors with FILE:LINE, precedence of the
 * engine's params and dtypes, and exact bytes of chunked-prefill steps.
 * CW_DATA_DIR = the tree's data/. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw-planner.h"

#include "../cw-test.h"

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
param_of (const CwProfile *p, const char *name)
{
  for (unsigned i = 0; i < cw_profile_get_n_params (p); i++)
    if (strcmp (cw_profile_get_param_name (p, i), name) == 0)
      return cw_profile_get_param_value (p, i);
  return UINT64_MAX;
}

static uint64_t
peak (const CwProfile *p, const CwConfig *c)
{
  CwError e = CW_ERROR_INIT;
  uint64_t v = 0;

  CHECK (cw_plan_eval_peak (p, c, &v, &e), "%s", e.message);
  return v;
}

static void
test_shipped (void)
{
  static const struct {
    const char *name, *alias, *profile, *preset;
    CwDtype q, k;
  } want[] = {
    { "vllm-v4-flash", "VLLM-V4FLASH", "vllm", "deepseek-v4-flash", CW_DTYPE_FP8_E4M3, CW_DTYPE_FP8_E4M3 },
    { "vllm-v3.2", "vllm-v32", "vllm", "deepseek-v3.2", CW_DTYPE_FP8_E4M3, CW_DTYPE_FP8_E4M3 },
    { "sglang-v3.2", "sglang-v32", "sglang", "deepseek-v3.2", CW_DTYPE_FP8_E4M3, CW_DTYPE_FP8_E4M3 },
    { "transformers", "hf-transformers", "transformers", "deepseek-v3.2", CW_DTYPE_BF16, CW_DTYPE_BF16 },
  };
  CwError e = CW_ERROR_INIT;
  char **names = cw_engine_list_names (&e);

  CHECK (names != NULL && cw_strv_length (names) >= 4, "%s", e.message);
  for (char **q = names; q && *q; q++)
    {
      CwEngine *en = cw_engine_load (*q, &e);

      CHECK (en != NULL, "%s: %s", *q, e.message);
      if (en == NULL)
        continue;
      CHECK (strcmp (cw_engine_get_name (en), *q) == 0, "%s: file name = engine name", *q);
      CHECK (cw_engine_get_source (en)[0] != '\0' && cw_engine_get_description (en)[0] != '\0',
             "%s: every shipped engine cites a source", *q);
      cw_engine_free (en);
    }
  cw_strv_free (names);

  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    {
      CwEngine *en = cw_engine_load (want[i].alias, &e);
      CwConfig c;

      CHECK (en != NULL, "%s: %s", want[i].alias, e.message);
      if (en == NULL)
        continue;
      CHECK (strcmp (cw_engine_get_name (en), want[i].name) == 0, "%s", want[i].name);
      CHECK (strcmp (cw_engine_get_profile (en), want[i].profile) == 0, "%s profile", want[i].name);
      CHECK (cw_engine_get_preset (en) && strcmp (cw_engine_get_preset (en), want[i].preset) == 0, "%s preset",
             want[i].name);
      cw_config_init_default (&c);
      c.w_dtype = CW_DTYPE_BF16;
      cw_engine_apply_dtypes (en, &c);
      CHECK (c.q_dtype == want[i].q && c.k_dtype == want[i].k && c.w_dtype == CW_DTYPE_FP32 &&
             c.score_dtype == CW_DTYPE_FP32 && c.index_dtype == CW_DTYPE_INT32, "%s dtypes", want[i].name);
      cw_engine_free (en);
    }

  /* The engine's params reach its profile; the profile's other params keep their defaults. */
  {
    CwEngine *en = cw_engine_load ("vllm-v4-flash", &e);
    CwProfile *p = en ? cw_engine_load_profile (en, &e) : NULL;

    CHECK (p != NULL, "%s", e.message);
    if (p != NULL)
      {
        CHECK (param_of (p, "block_size") == 256, "V4 pages of 256 tokens");
        CHECK (param_of (p, "max_model_len") == 163840 && param_of (p, "max_logits_mb") == 512 &&
               param_of (p, "max_num_batched_tokens") == 8192, "vLLM defaults");
        CHECK (param_of (p, "prefill_buffer_factor") == 40, "untouched param");
        /* An explicit param set later wins (what --param does after the engine). */
        CHECK (cw_profile_set_param (p, "max_logits_mb", 256, NULL) && param_of (p, "max_logits_mb") == 256, "");
      }
    CHECK (cw_engine_get_n_params (en) == 4 && strcmp (cw_engine_get_param_name (en, 3), "block_size") == 0 &&
           cw_engine_get_param_value (en, 3) == 256, "params in file order");
    cw_profile_free (p);
    cw_engine_free (en);
  }
  {
    CwEngine *en = cw_engine_load ("sglang-v3.2", &e);
    CwProfile *p = en ? cw_engine_load_profile (en, &e) : NULL;

    CHECK (p != NULL && param_of (p, "mem_fraction_static_permille") == 900 &&
           param_of (p, "gpu_total_bytes") == 85520809984ull, "sglang engine params");
    cw_profile_free (p);
    cw_engine_free (en);
  }
  e.code = CW_ERROR_NONE;
  CHECK (cw_engine_load ("nope", &e) == NULL && e.code == CW_ERROR_NOT_FOUND &&
         strstr (e.message, "unknown engine 'nope' (known: ") != NULL, "%s", e.message);
}

static const struct {
  const char *text;
  const char *message;     /* NULL: loads */
} bad_engines[] = {
  { "name t\nprofile vllm\nparam max_model_len = 1_000_000\nk_dtype fp8\n", NULL },
  { "name t\nprofile vllm\nfoo 1\n", "bad.engine:3: unknown engine key 'foo'" },
  { "name t\nname u\nprofile vllm\n", "bad.engine:2: 'name' given twice" },
  { "name t\nprofile vllm\nprofile sglang\n", "bad.engine:3: 'profile' given twice" },
  { "name t\nprofile vllm\nparam block_size = 64\nparam block_size = 256\n", "bad.engine:4: param 'block_size' set twice" },
  { "name t\nprofile vllm\nq_dtype bf16\nq_dtype fp8\n", "bad.engine:4: 'q_dtype' given twice" },
  { "name t\nprofile vllm\nparam mem_fraction_static_permille = 900\n",
    "bad.engine:3: profile 'vllm' has no param 'mem_fraction_static_permille'" },
  { "name t\nprofile nope\n", "bad.engine:2: unknown profile 'nope'" },
  { "name t\nprofile vllm\npreset nope\n", "bad.engine:3: unknown preset 'nope'" },
  { "name t\nprofile vllm\nk_dtype fp7\n", "bad.engine:3: unknown dtype 'fp7'" },
  { "name t\nprofile vllm\nparam max_model_len 5\n", "bad.engine:3: param must be 'NAME = VALUE'" },
  { "name t\nprofile vllm\nparam = 5\n", "bad.engine:3: param must be 'NAME = VALUE'" },
  { "name t\nprofile vllm\nparam max_model_len = lots\n", "bad.engine:3: 'max_model_len' must be a non-negative integer, got 'lots'" },
  { "name t\nprofile vllm\nparam max-model = 5\n", "bad.engine:3: 'max-model' is not a param name" },
  { "name t\ndescription d\n", "bad.engine:3: engine has no 'profile'" },
  { "profile vllm\n", "bad.engine:2: engine has no 'name'" },
  { "name a/b\nprofile vllm\n", "bad.engine:1: 'a/b' is not a valid name" },
};

static void
write_file (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");

  CHECK (f != NULL, "%s", path);
  if (f == NULL)
    return;
  fputs (text, f);
  fclose (f);
}

static void
test_bad_engines (void)
{
  char dir[] = "/tmp/cw-test-engines-XXXXXX";
  char path[8192], sub[1024], link[1024];
  const char *real = cw_data_dir ();
  char real_copy[4096];

  CHECK (mkdtemp (dir) != NULL, "mkdtemp");
  snprintf (path, sizeof path, "%s/bad.engine", dir);
  for (size_t i = 0; i < sizeof bad_engines / sizeof *bad_engines; i++)
    {
      CwError e = CW_ERROR_INIT;
      CwEngine *en;

      write_file (path, bad_engines[i].text);
      en = cw_engine_load_file (path, &e);
      if (bad_engines[i].message == NULL)
        {
          CwConfig c;

          CHECK (en != NULL, "case %zu: %s", i, e.message);
          if (en == NULL)
            continue;
          CHECK (cw_engine_get_preset (en) == NULL, "no preset");
          CHECK (cw_engine_get_param_value (en, 0) == 1000000, "digit grouping");
          cw_config_init_default (&c);
          cw_engine_apply_dtypes (en, &c);
          CHECK (c.q_dtype == CW_DTYPE_BF16 && c.k_dtype == CW_DTYPE_FP8_E4M3, "only the dtypes the file names");
          cw_engine_free (en);
          continue;
        }
      CHECK (en == NULL && e.code == CW_ERROR_PARSE && strstr (e.message, bad_engines[i].message) != NULL,
             "case %zu: got '%s', want '%s'", i, e.message, bad_engines[i].message);
      cw_engine_free (en);
    }
  unlink (path);

  /* Non-regular files are refused, never read (a FIFO would block). */
  {
    CwError e = CW_ERROR_INIT;

    snprintf (path, sizeof path, "%s/fifo.engine", dir);
    CHECK (mkfifo (path, 0600) == 0, "mkfifo");
    CHECK (cw_engine_load_file (path, &e) == NULL && strstr (e.message, "not a regular file") != NULL, "%s", e.message);
    e.code = CW_ERROR_NONE;
    CHECK (cw_engine_load_file (dir, &e) == NULL && strstr (e.message, "not a regular file") != NULL, "%s", e.message);
    unlink (path);
  }

  /* Two files answering to one name: refused, naming both. A data
   * directory of our own: engines/ here, the real profiles and presets. */
  snprintf (real_copy, sizeof real_copy, "%s", real);
  snprintf (sub, sizeof sub, "%s/engines", dir);
  CHECK (mkdir (sub, 0700) == 0, "mkdir");
  snprintf (link, sizeof link, "%s/profiles", dir);
  snprintf (path, sizeof path, "%s/profiles", real_copy);
  CHECK (symlink (path, link) == 0, "symlink profiles");
  snprintf (link, sizeof link, "%s/presets", dir);
  snprintf (path, sizeof path, "%s/presets", real_copy);
  CHECK (symlink (path, link) == 0, "symlink presets");
  snprintf (path, sizeof path, "%s/a.engine", sub);
  write_file (path, "name same\nprofile vllm\n");
  snprintf (path, sizeof path, "%s/b.engine", sub);
  write_file (path, "name other\nalias same\nprofile vllm\n");
  setenv ("CW_DATA_DIR", dir, 1);
  {
    CwError e = CW_ERROR_INIT;
    CwEngine *en;

    CHECK (cw_engine_load ("same", &e) == NULL && strstr (e.message, "engine 'same' is declared by both a.engine and b.engine"),
           "%s", e.message);
    en = cw_engine_load ("other", &e);
    CHECK (en != NULL && strcmp (cw_engine_get_name (en), "other") == 0, "%s", e.message);
    cw_engine_free (en);
  }
  setenv ("CW_DATA_DIR", real_copy, 1);
  unlink (path);
  snprintf (path, sizeof path, "%s/a.engine", sub);
  unlink (path);
  rmdir (sub);
  snprintf (link, sizeof link, "%s/profiles", dir);
  unlink (link);
  snprintf (link, sizeof link, "%s/presets", dir);
  unlink (link);
  rmdir (dir);
}

/* One engine step: sq new tokens after `prefix` cached ones. */
static void
test_prefix (void)
{
  CwError e = CW_ERROR_INIT;
  CwConfig c = preset ("deepseek-v4-flash"), d;

  /* Everything is unchanged at prefix 0. */
  CHECK (c.prefix == 0 && cw_config_get_sk (&c) == 16384, "V4-Flash whole prompt: sk = 65536 / 4");
  cw_config_init_default (&d);
  CHECK (d.prefix == 0 && cw_config_get_sk (&d) == 4096, "default");

  /* A chunk of 8192 after 65,536 cached tokens, ratio 4: sk = (65536 + 8192) / 4. */
  c.sq = 8192;
  c.prefix = 65536;
  c.sk = 0;
  CHECK (cw_config_validate (&c, &e), "%s", e.message);
  CHECK (cw_config_get_sk (&c) == 18432, "sk %" PRIu64, cw_config_get_sk (&c));
  c.prefix = 65535;   /* floors: (65535 + 8192) / 4 = 18431.75 */
  CHECK (cw_config_get_sk (&c) == 18431, "floor");
  c.sk = 18431;       /* the derived value itself is accepted */
  CHECK (cw_config_validate (&c, &e), "%s", e.message);
  c.sk = 100;
  e.code = CW_ERROR_NONE;
  CHECK (!cw_config_validate (&c, &e) && strstr (e.message, "sk 100 conflicts with prefix 65535") != NULL, "%s", e.message);
  /* Fewer positions than the ratio: no compressed key. */
  c.sk = 0;
  c.prefix = 1;
  c.sq = 2;
  CHECK (!cw_config_validate (&c, &e) &&
         strcmp (e.message, "prefix 1 + sq 2 is smaller than ratio 4: no compressed key exists") == 0, "%s", e.message);
  c.prefix = 2;       /* prefix 2 + sq 2 = 4 positions: one key, though sq < ratio */
  CHECK (cw_config_validate (&c, &e) && cw_config_get_sk (&c) == 1, "%s", e.message);
  c.prefix = UINT64_MAX;
  c.sq = 1;
  CHECK (!cw_config_validate (&c, &e) && e.code == CW_ERROR_OVERFLOW, "%s", e.message);

  /* Without a ratio: sk = prefix + sq (a decode step of next_n = 2 over 100,000 keys). */
  cw_config_init_default (&d);
  d.sq = 2;
  d.prefix = 99998;
  d.sk = 0;
  CHECK (cw_config_validate (&d, &e) && cw_config_get_sk (&d) == 100000, "%s", e.message);

  /* The same step as sq against an explicit sk plans the same bytes where the
   * profile does not read the ratio or the causal rule: vLLM at V3.2 (ratio 1). */
  {
    CwEngine *en = cw_engine_load ("vllm-v3.2", &e);
    CwProfile *p = en ? cw_engine_load_profile (en, &e) : NULL;
    CwConfig a = preset ("deepseek-v3.2"), b;

    CHECK (p != NULL, "%s", e.message);
    if (p != NULL)
      {
        cw_engine_apply_dtypes (en, &a);
        a.sq = 4096;
        a.prefix = 61440;
        a.sk = 0;
        b = a;
        b.prefix = 0;
        b.ratio = 0;
        b.sk = 65536;
        CHECK (cw_config_get_sk (&a) == 65536, "");
        CHECK (peak (p, &a) == peak (p, &b) && peak (p, &a) != 0, "%" PRIu64 " vs %" PRIu64, peak (p, &a), peak (p, &b));
      }
    cw_profile_free (p);
    cw_engine_free (en);
  }

  /* vLLM serving V4-Flash, a chunk of 8192 after 65,536 tokens (sk 18,432):
   * elems = 512 MiB / 4 = 134,217,728; n_fit = 0, so one request cut into
   * sub-chunks of 134217728 // 18432 = 7281 rows (2 of them); logits
   * align(7281, 2) x align(18432 + 256, 256) = 7282 x 18688 fp32 =
   * 544,344,064 B; + q 67,108,864 + weights 2,097,152 + cache 18432 * 132 =
   * 2,433,024 + workspace 40 * 163840 * 132 = 865,075,200 + radix 1,048,576 +
   * top-k 4 * 8192 * 512 = 16,777,216 + token_to_seq 4 * 18432 * 2 = 147,456
   * + cu_seqlen 65,536 + cu_seq_lens 16 = 1,499,097,104 B. */
  {
    CwEngine *en = cw_engine_load ("vllm-v4-flash", &e);
    CwProfile *p = en ? cw_engine_load_profile (en, &e) : NULL;
    CwConfig a = preset ("deepseek-v4-flash");

    CHECK (p != NULL, "%s", e.message);
    if (p != NULL)
      {
        a.sq = 8192;
        a.prefix = 65536;
        a.sk = 0;
        CHECK (peak (p, &a) == 1499097104ull, "%" PRIu64, peak (p, &a));
        a.prefix = 0;   /* the whole-prompt plan of 8192 tokens is another figure */
        CHECK (peak (p, &a) != 1499097104ull, "");
      }
    cw_profile_free (p);
    cw_engine_free (en);
  }

  /* The formula name `prefix`. */
  {
    CwProfile *p = cw_profile_load_data ("prefix.profile",
                                         "name t\nphase a\nbuffer x = prefix * 1000 + sk * 10 + sq live a\n", &e);
    CwConfig a = preset ("deepseek-v4-flash");

    CHECK (p != NULL, "%s", e.message);
    if (p != NULL)
      {
        a.sq = 100;
        a.prefix = 300;
        a.sk = 0;
        CHECK (peak (p, &a) == 300 * 1000 + 100 * 10 + 100, "%" PRIu64, peak (p, &a));
        a.prefix = 0;
        CHECK (peak (p, &a) == 25 * 10 + 100, "%" PRIu64, peak (p, &a));
        /* The cliff in sq keeps the prefix: x = 300000 + (300 + sq) / 4 * 10 + sq. */
        a.prefix = 300;
        {
          uint64_t max_sq = 0, want = 0;

          /* The largest s with 300000 + (300 + s) / 4 * 10 + s <= 400000, by scan. */
          for (uint64_t s = 1; s < 100000; s++)
            if (300000 + (300 + s) / 4 * 10 + s <= 400000)
              want = s;
          CHECK (cw_cliff_max_sq (p, &a, 400000, &max_sq, &e) && max_sq == want && want > 0,
                 "max_sq %" PRIu64 " want %" PRIu64, max_sq, want);
          /* With prefix 2 < ratio 4 the search starts at sq = 2 (4 positions). */
          a.prefix = 2;
          CHECK (cw_cliff_max_sq (p, &a, 2000 + 10 + 2, &max_sq, &e) && max_sq == 2, "max_sq %" PRIu64, max_sq);
        }
        /* The prefix axis: the longest context at this chunk size. sq 100:
         * x = 1000 p + (p + 100) / 4 * 10 + 100 <= 1,000,000 at p = 997
         * (997000 + 274 * 10 + 100 = 999,840), not at 998 (1,000,850). */
        {
          CwCliffResult r;

          a.sq = 100;
          a.prefix = 0;
          CHECK (cw_cliff_solve (p, &a, CW_CLIFF_AXIS_PREFIX, 1000000, &r, &e) && r.max == 997 &&
                 r.peak_at_max == 999840 && !r.limited_by_overflow, "max_prefix %" PRIu64 " %s", r.max, e.message);
          /* sq 1 < ratio 4: the smallest prefix is 3 (one compressed key). */
          a.sq = 1;
          CHECK (cw_cliff_solve (p, &a, CW_CLIFF_AXIS_PREFIX, 3000 + 10 + 1, &r, &e) && r.max == 3, "%" PRIu64, r.max);
          CHECK (cw_cliff_solve (p, &a, CW_CLIFF_AXIS_PREFIX, 3000 + 10, &r, &e) && r.max == 0, "nothing fits");
        }
      }
    cw_profile_free (p);
  }

  /* The param axis: vLLM's largest max_num_batched_tokens for a full step of
   * that many tokens at a 131,072-token prefix on a 140 GiB budget, checked
   * at the boundary by planning both sides directly; the param is restored. */
  {
    CwError pe = CW_ERROR_INIT;
    CwProfile *v = cw_profile_load ("vllm", &pe);
    CwConfig vc = preset ("deepseek-v3.2");
    CwCliffResult r;
    uint64_t usable = 140ull << 30, peak_at = 0, peak_next = 0;

    if (v == NULL)
      {
        fprintf (stderr, "vllm: %s\n", pe.message);
        exit (1);
      }
    vc.prefix = 131072;
    vc.sk = 0;
    CHECK (cw_cliff_solve_param (v, &vc, "max_num_batched_tokens", true, usable, &r, &pe) && r.max > 8192,
           "step axis: %s", pe.message);
    CHECK (cw_profile_get_param_value (v, 1) == 8192, "param not restored");
    vc.sq = r.max;
    cw_profile_set_param (v, "max_num_batched_tokens", r.max, NULL);
    CHECK (cw_plan_eval_peak (v, &vc, &peak_at, &pe) && peak_at <= usable && peak_at == r.peak_at_max, "at max");
    vc.sq = r.max + 1;
    cw_profile_set_param (v, "max_num_batched_tokens", r.max + 1, NULL);
    CHECK (cw_plan_eval_peak (v, &vc, &peak_next, &pe) && peak_next > usable, "max + 1 fits");
    CHECK (!cw_cliff_solve_param (v, &vc, "nope", false, usable, &r, &pe) && strstr (pe.message, "no param 'nope'"),
           "%s", pe.message);
    vc.b = 2;
    CHECK (!cw_cliff_solve_param (v, &vc, "max_num_batched_tokens", true, usable, &r, &pe)
           && strstr (pe.message, "needs b = 1"), "%s", pe.message);
    cw_profile_free (v);
  }

  /* "Same configuration except sq" keeps the prefix: receipts (prefix 0) are
   * not points of an engine step's sweep. */
  {
    CwConfig s = preset ("deepseek-v4-flash"), pt;

    s.prefix = 4096;
    s.sk = 0;
    pt = s;
    pt.sq = 1024;
    CHECK (cw_config_is_on_sweep (&s, &pt), "same prefix");
    pt.prefix = 0;
    CHECK (!cw_config_is_on_sweep (&s, &pt), "another prefix");
  }
}

int
main (void)
{
  test_shipped ();
  test_bad_engines ();
  test_prefix ();
  printf ("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
