/* cw-cli-config.c: shared option parsing for plan, cliff, sweep and indexcache. */
#include "cw-cli-config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
cw_cli_setup_print_help (FILE *out)
{
  fputs ("Configuration (a preset first, then an engine's dtypes, then each option):\n"
         "  --preset NAME         model preset (see `cliffwatch-cli plan --list`)\n"
         "  --engine NAME         engine configuration (data/engines): its profile, its\n"
         "                        params and dtypes, and its preset when --preset is not\n"
         "                        given; --param and the dtype options still win\n"
         "  --b N --h N --d N     batch, indexer heads, head dim\n"
         "  --sq N                query tokens (one engine step: the chunk, or next_n)\n"
         "  --sk N | --ratio M    key positions, or compression ratio (sk = sq / M)\n"
         "  --prefix N            tokens already in the cache before these sq (a chunked-\n"
         "                        prefill chunk, or a decode step: --sq NEXT_N --prefix\n"
         "                        CONTEXT): sk = (N + sq) / M with a ratio, else N + sq;\n"
         "                        query s sits at position N + s (default 0)\n"
         "  --k N                 top-k kept per query (also --top-k)\n"
         "  --causal RULE         none | causal | causal-compressed\n"
         "  --q-dtype T --k-dtype T --w-dtype T --score-dtype T --index-dtype T\n"
         "                        fp32 bf16 fp16 fp8-e4m3 fp4 int32 int64\n"
         "  --budget BYTES        streaming chunk budget (suffix K/M/G/T allowed)\n"
         "  --granularity BYTES   every allocation rounds up to this (e.g. 2M)\n"
         "GPU:\n"
         "  --gpu NAME            GPU preset (default h100-80gb)\n"
         "  --reserve BYTES       bytes kept back from the total (default: the GPU's)\n"
         "Profiles:\n"
         "  --profile NAME[,NAME] profile(s) to plan (repeatable; default: all, or the\n"
         "                        engine's; with --engine only that profile)\n"
         "  --profile-file PATH   a profile file outside the data directory\n"
         "  --param NAME=VALUE    override a profile param (e.g. max_logits_mb=256)\n"
         "  --training            a training step: each named profile's forward and\n"
         "                        backward (its NAME-train profile; default: every\n"
         "                        training profile); without it, training profiles\n"
         "                        plan only when named\n"
         "Output:\n"
         "  --format FMT          table (default), json or csv\n", out);
}

static bool
add_profile (CwCliSetup *s, CwProfile *p, CwError *error)
{
  if (p == NULL)
    return false;
  for (unsigned i = 0; i < s->n_profiles; i++)
    if (strcmp (cw_profile_get_name (s->profiles[i]), cw_profile_get_name (p)) == 0)
      {
        cw_error_set (error, CW_ERROR_INVALID, "profile '%s' given twice", cw_profile_get_name (p));
        cw_profile_free (p);
        return false;
      }
  if (s->n_profiles == CW_CLI_MAX_PROFILES)
    {
      cw_error_set (error, CW_ERROR_INVALID, "more than %d profiles", CW_CLI_MAX_PROFILES);
      cw_profile_free (p);
      return false;
    }
  s->profiles[s->n_profiles++] = p;
  return true;
}

void
cw_cli_setup_clear (CwCliSetup *s)
{
  for (unsigned i = 0; i < s->n_profiles; i++)
    cw_profile_free (s->profiles[i]);
  s->n_profiles = 0;
  cw_gpu_free (s->gpu);
  s->gpu = NULL;
}

static bool
set_dtype (const char *option, const char *value, CwDtype *field, CwError *error)
{
  CwError e = CW_ERROR_INIT;

  if (!cw_dtype_from_name (value, field, &e))
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s: %s", option, e.message);
      return false;
    }
  return true;
}

/* "a, b, c": the training profiles in the data directory, for messages. */
static void
list_training_profiles (char *out, size_t size)
{
  char **names = cw_profile_list_names (NULL);
  size_t len = 0;

  out[0] = '\0';
  for (char **q = names; q && *q && len + 70 < size; q++)
    {
      CwProfile *p = cw_profile_load (*q, NULL);

      if (p != NULL && cw_profile_is_training (p))
        len += (size_t) snprintf (out + len, size - len, "%s%s", len ? ", " : "", *q);
      cw_profile_free (p);
    }
  cw_strv_free (names);
  if (len == 0)
    snprintf (out, size, "none found");
}

/* --training: each selected profile that is not a training step becomes its
 * NAME-train profile; one the data directory lacks is an error. */
static bool
resolve_training (CwCliSetup *s, CwError *error)
{
  for (unsigned i = 0; i < s->n_profiles; i++)
    {
      char name[160];
      CwError e = CW_ERROR_INIT;
      CwProfile *t;

      if (cw_profile_is_training (s->profiles[i]))
        continue;
      snprintf (name, sizeof name, "%s-train", cw_profile_get_name (s->profiles[i]));
      if ((t = cw_profile_load (name, &e)) == NULL || !cw_profile_is_training (t))
        {
          char known[400];

          cw_profile_free (t);
          if (e.code != CW_ERROR_NONE && e.code != CW_ERROR_NOT_FOUND)
            {
              *error = e;
              return false;
            }
          list_training_profiles (known, sizeof known);
          cw_error_set (error, CW_ERROR_NOT_FOUND,
                        "--training: profile '%s' has no training step (no '%s' profile; training profiles: %s)",
                        cw_profile_get_name (s->profiles[i]), name, known);
          return false;
        }
      for (unsigned j = 0; j < s->n_profiles; j++)
        if (j != i && strcmp (cw_profile_get_name (s->profiles[j]), cw_profile_get_name (t)) == 0)
          {
            cw_error_set (error, CW_ERROR_INVALID, "profile '%s' given twice (--training plans '%s' for '%s')",
                          cw_profile_get_name (t), cw_profile_get_name (t), cw_profile_get_name (s->profiles[i]));
            cw_profile_free (t);
            return false;
          }
      cw_profile_free (s->profiles[i]);
      s->profiles[i] = t;
    }
  return true;
}

bool
cw_cli_setup_parse (CwCliSetup *s, int argc, char **argv, CwCliExtraOption extra, void *user_data,
                    CwError *error)
{
  const char *gpu_name = "h100-80gb";
  const char *value;
  bool reserve_given = false, sk_given = false, ratio_given = false, prefix_given = false;
  CwEngine *engine = NULL;
  char *params[64];
  unsigned n_params = 0;

  memset (s, 0, sizeof *s);
  cw_config_init_default (&s->config);

  /* Pass 1: the preset, so that later options override it wherever they are. */
  for (int i = 1; i < argc; i++)
    {
      CwError e = CW_ERROR_INIT;

      if (cw_cli_match_option (argc, argv, &i, "--preset", &value, &e))
        {
          if (value == NULL)
            {
              *error = e;
              goto fail;
            }
          if (s->preset[0] != '\0')
            {
              cw_error_set (error, CW_ERROR_INVALID, "--preset given twice");
              goto fail;
            }
          if (!cw_preset_lookup (value, &s->config, error))
            goto fail;
          snprintf (s->preset, sizeof s->preset, "%s", value);
        }
      else if (cw_cli_match_option (argc, argv, &i, "--engine", &value, &e))
        {
          if (value == NULL)
            {
              *error = e;
              goto fail;
            }
          if (engine != NULL)
            {
              cw_error_set (error, CW_ERROR_INVALID, "--engine given twice");
              goto fail;
            }
          if ((engine = cw_engine_load (value, error)) == NULL)
            goto fail;
          snprintf (s->engine, sizeof s->engine, "%s", cw_engine_get_name (engine));
        }
      else if (e.code != CW_ERROR_NONE)
        {
          *error = e;
          goto fail;
        }
    }
  /* The engine's model when none is given, then the engine's dtypes; the
   * options below override both. */
  if (engine != NULL)
    {
      if (s->preset[0] == '\0' && cw_engine_get_preset (engine) != NULL)
        {
          if (!cw_preset_lookup (cw_engine_get_preset (engine), &s->config, error))
            goto fail;
          snprintf (s->preset, sizeof s->preset, "%s", cw_engine_get_preset (engine));
        }
      cw_engine_apply_dtypes (engine, &s->config);
    }

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const struct { const char *name; uint64_t *field; bool positive; bool suffix; } nums[] = {
        { "--b", &s->config.b, true, false }, { "--h", &s->config.h, true, false },
        { "--d", &s->config.d, true, false }, { "--sq", &s->config.sq, true, false },
        { "--sk", &s->config.sk, true, false }, { "--ratio", &s->config.ratio, true, false },
        { "--k", &s->config.top_k, true, false }, { "--top-k", &s->config.top_k, true, false },
        { "--budget", &s->config.chunk_budget_bytes, true, true },
        { "--granularity", &s->config.granularity, true, true },
        { "--prefix", &s->config.prefix, false, false },
      };
      const struct { const char *name; CwDtype *field; } dts[] = {
        { "--q-dtype", &s->config.q_dtype }, { "--k-dtype", &s->config.k_dtype },
        { "--w-dtype", &s->config.w_dtype }, { "--score-dtype", &s->config.score_dtype },
        { "--index-dtype", &s->config.index_dtype },
      };
      bool done = false;
      int r;

      error->code = CW_ERROR_NONE;
      if (cw_cli_match_option (argc, argv, &i, "--preset", &value, error) ||
          cw_cli_match_option (argc, argv, &i, "--engine", &value, error))
        continue;   /* handled in pass 1 */
      for (size_t j = 0; j < sizeof nums / sizeof nums[0] && !done; j++)
        if (cw_cli_match_option (argc, argv, &i, nums[j].name, &value, error))
          {
            if (value == NULL)
              goto fail;
            if (nums[j].positive ? !cw_cli_parse_positive_u64 (nums[j].name, value, nums[j].suffix, nums[j].field, error)
                                 : !cw_cli_parse_u64 (nums[j].name, value, nums[j].suffix, nums[j].field, error))
              goto fail;
            if (nums[j].field == &s->config.sk)
              sk_given = true;
            if (nums[j].field == &s->config.ratio)
              ratio_given = true;
            if (nums[j].field == &s->config.prefix)
              prefix_given = true;
            done = true;
          }
      for (size_t j = 0; j < sizeof dts / sizeof dts[0] && !done; j++)
        if (cw_cli_match_option (argc, argv, &i, dts[j].name, &value, error))
          {
            if (value == NULL || !set_dtype (dts[j].name, value, dts[j].field, error))
              goto fail;
            done = true;
          }
      if (done)
        continue;
      if (cw_cli_match_option (argc, argv, &i, "--causal", &value, error))
        {
          CwError e = CW_ERROR_INIT;
          if (value == NULL)
            goto fail;
          if (!cw_causal_from_name (value, &s->config.causal, &e))
            {
              cw_error_set (error, CW_ERROR_INVALID, "--causal: %s", e.message);
              goto fail;
            }
          continue;
        }
      if (cw_cli_match_option (argc, argv, &i, "--gpu", &value, error))
        {
          if (value == NULL)
            goto fail;
          gpu_name = value;
          continue;
        }
      if (cw_cli_match_option (argc, argv, &i, "--reserve", &value, error))
        {
          if (value == NULL || !cw_cli_parse_u64 ("--reserve", value, true, &s->reserve_bytes, error))
            goto fail;
          reserve_given = true;
          continue;
        }
      if (cw_cli_match_option (argc, argv, &i, "--format", &value, error))
        {
          if (value == NULL || !cw_cli_parse_format (value, &s->format, error))
            goto fail;
          continue;
        }
      if (cw_cli_match_option (argc, argv, &i, "--profile", &value, error))
        {
          char buf[1024];
          char *save = NULL;

          if (value == NULL)
            goto fail;
          if (*value == '\0' || strlen (value) >= sizeof buf || value[0] == ',' ||
              value[strlen (value) - 1] == ',' || strstr (value, ",,"))
            {
              cw_error_set (error, CW_ERROR_INVALID, "--profile: '%s' is not a profile name list", value);
              goto fail;
            }
          snprintf (buf, sizeof buf, "%s", value);
          for (char *t = strtok_r (buf, ",", &save); t; t = strtok_r (NULL, ",", &save))
            if (!add_profile (s, cw_profile_load (t, error), error))
              goto fail;
          continue;
        }
      if (cw_cli_match_option (argc, argv, &i, "--profile-file", &value, error))
        {
          if (value == NULL || !add_profile (s, cw_profile_load_file (value, error), error))
            goto fail;
          continue;
        }
      if (strcmp (arg, "--training") == 0)
        {
          s->training = true;
          continue;
        }
      if (cw_cli_match_option (argc, argv, &i, "--param", &value, error))
        {
          if (value == NULL)
            goto fail;
          if (strchr (value, '=') == NULL || value[0] == '=')
            {
              cw_error_set (error, CW_ERROR_INVALID, "--param: '%s' is not NAME=VALUE", value);
              goto fail;
            }
          if (n_params == 64)
            {
              cw_error_set (error, CW_ERROR_INVALID, "--param: more than 64 given");
              goto fail;
            }
          params[n_params++] = (char *) value;
          continue;
        }
      if (error->code != CW_ERROR_NONE)
        goto fail;
      if (extra != NULL)
        {
          r = extra (argc, argv, &i, user_data, error);
          if (r < 0)
            goto fail;
          if (r > 0)
            continue;
        }
      if (arg[0] == '-')
        cw_error_set (error, CW_ERROR_INVALID, "%s: unknown option '%s' (see `cliffwatch-cli %s --help`)",
                      argv[0], arg, argv[0]);
      else
        cw_error_set (error, CW_ERROR_INVALID, "%s: unexpected argument '%s'", argv[0], arg);
      goto fail;
    }

  /* sk and ratio: the one given last on the command line is not the rule;
   * giving both is a conflict unless they agree (cw_config_validate checks). */
  if (prefix_given && sk_given)
    {
      cw_error_set (error, CW_ERROR_INVALID,
                    "give --prefix or --sk, not both (with --prefix, sk = prefix + sq, divided by the ratio if any)");
      goto fail;
    }
  if (sk_given && !ratio_given)
    s->config.ratio = 0;
  else if (ratio_given && !sk_given)
    s->config.sk = 0;
  if (s->config.prefix != 0)
    s->config.sk = 0;   /* derived from prefix + sq */
  if (!cw_config_validate (&s->config, error))
    goto fail;

  s->gpu = cw_gpu_lookup (gpu_name, error);
  if (s->gpu == NULL)
    goto fail;
  if (!reserve_given)
    s->reserve_bytes = s->gpu->reserve_bytes;
  if (!cw_gpu_usable_bytes (s->gpu->total_bytes, s->reserve_bytes, &s->usable_bytes, error))
    {
      cw_error_prefix (error, "--reserve: ");
      goto fail;
    }

  if (engine != NULL)
    {
      /* The engine plans its own profile: --profile may only repeat it. */
      for (unsigned p = 0; p < s->n_profiles; p++)
        if (strcasecmp (cw_profile_get_name (s->profiles[p]), cw_engine_get_profile (engine)) != 0)
          {
            cw_error_set (error, CW_ERROR_INVALID, "--engine %s plans profile '%s'; --profile '%s' is another one",
                          cw_engine_get_name (engine), cw_engine_get_profile (engine),
                          cw_profile_get_name (s->profiles[p]));
            goto fail;
          }
      if (s->n_profiles == 0 && !add_profile (s, cw_profile_load (cw_engine_get_profile (engine), error), error))
        goto fail;
      if (s->training && !resolve_training (s, error))
        goto fail;
      if (!cw_engine_apply_params (engine, s->profiles[0], error))
        goto fail;
    }
  else if (s->training && !resolve_training (s, error))
    goto fail;
  if (s->n_profiles == 0)
    {
      char **names = cw_profile_list_names (error);

      if (names == NULL)
        goto fail;
      /* Every way to compute the indexer; lane-step profiles (the index mask,
       * the index-cache stages) plan only when named. With --training every
       * training step, without it none (they plan when named). */
      for (char **q = names; *q; q++)
        {
          CwProfile *prof = cw_profile_load (*q, error);

          if (prof != NULL && (cw_profile_is_lane_step (prof) || cw_profile_is_training (prof) != s->training))
            {
              cw_profile_free (prof);
              continue;
            }
          if (!add_profile (s, prof, error))
            {
              cw_strv_free (names);
              goto fail;
            }
        }
      cw_strv_free (names);
      if (s->n_profiles == 0)
        {
          cw_error_set (error, CW_ERROR_NOT_FOUND, "no %sprofiles found in %s/profiles", s->training ? "training " : "",
                        cw_data_dir ());
          goto fail;
        }
    }
  for (unsigned j = 0; j < n_params; j++)
    {
      char name[128];
      const char *eq = strchr (params[j], '=');
      uint64_t v;
      unsigned applied = 0;

      snprintf (name, sizeof name, "%.*s", (int) (eq - params[j]), params[j]);
      if (!cw_cli_parse_u64 ("--param", eq + 1, true, &v, error))
        goto fail;
      for (unsigned p = 0; p < s->n_profiles; p++)
        if (cw_profile_set_param (s->profiles[p], name, v, NULL))
          applied++;
      if (applied == 0)
        {
          cw_error_set (error, CW_ERROR_NOT_FOUND, "--param: no selected profile has a param '%s'", name);
          goto fail;
        }
    }
  cw_engine_free (engine);
  return true;

fail:
  cw_engine_free (engine);
  cw_cli_setup_clear (s);
  return false;
}

int
cw_cli_setup_name_width (const CwCliSetup *s)
{
  size_t w = 16;

  for (unsigned i = 0; i < s->n_profiles; i++)
    if (strlen (cw_profile_get_name (s->profiles[i])) > w)
      w = strlen (cw_profile_get_name (s->profiles[i]));
  return (int) (w < 64 ? w : 64);
}

void
cw_cli_config_json (FILE *out, const CwConfig *c)
{
  fprintf (out,
           "{\"b\":%llu,\"h\":%llu,\"d\":%llu,\"sq\":%llu,\"sk\":%llu,\"ratio\":%llu,\"top_k\":%llu,\"causal\":\"%s\","
           "\"q_dtype\":\"%s\",\"k_dtype\":\"%s\",\"w_dtype\":\"%s\",\"score_dtype\":\"%s\",\"index_dtype\":\"%s\","
           "\"chunk_budget_bytes\":%llu,\"granularity\":%llu,\"prefix\":%llu}",
           (unsigned long long) c->b, (unsigned long long) c->h, (unsigned long long) c->d,
           (unsigned long long) c->sq, (unsigned long long) cw_config_get_sk (c), (unsigned long long) c->ratio,
           (unsigned long long) c->top_k, cw_causal_get_name (c->causal), cw_dtype_get_name (c->q_dtype),
           cw_dtype_get_name (c->k_dtype), cw_dtype_get_name (c->w_dtype), cw_dtype_get_name (c->score_dtype),
           cw_dtype_get_name (c->index_dtype), (unsigned long long) c->chunk_budget_bytes,
           (unsigned long long) c->granularity, (unsigned long long) c->prefix);
}
