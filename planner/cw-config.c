/* cw-config.c: defaults, validation and derived values of CwConfig. */
#include "cw-config.h"

#include <stdio.h>

#include <strings.h>

#include "cw-bytes.h"

void
cw_config_init_default (CwConfig *config)
{
  *config = (CwConfig) {
    .b = 1, .h = 64, .d = 128, .sq = 4096, .sk = 4096, .ratio = 0, .top_k = 2048,
    .causal = CW_CAUSAL_CAUSAL,
    .q_dtype = CW_DTYPE_BF16, .k_dtype = CW_DTYPE_BF16, .w_dtype = CW_DTYPE_FP32,
    .score_dtype = CW_DTYPE_FP32, .index_dtype = CW_DTYPE_INT32,
    .chunk_budget_bytes = 512ull << 20,
    .granularity = 1,
    .prefix = 0,
  };
}

static uint64_t
positions (const CwConfig *config)
{
  uint64_t n;

  return cw_add_u64 (config->prefix, config->sq, &n) ? n : UINT64_MAX;
}

uint64_t
cw_config_get_sk (const CwConfig *config)
{
  if (config->ratio != 0)
    return positions (config) / config->ratio;
  return config->prefix != 0 ? positions (config) : config->sk;
}

bool
cw_config_is_on_sweep (const CwConfig *sweep, const CwConfig *point)
{
  if (point->b != sweep->b || point->h != sweep->h || point->d != sweep->d || point->top_k != sweep->top_k
      || point->causal != sweep->causal || point->q_dtype != sweep->q_dtype || point->k_dtype != sweep->k_dtype
      || point->w_dtype != sweep->w_dtype || point->score_dtype != sweep->score_dtype
      || point->index_dtype != sweep->index_dtype || point->chunk_budget_bytes != sweep->chunk_budget_bytes
      || point->granularity != sweep->granularity || point->prefix != sweep->prefix)
    return false;
  if (sweep->ratio == 0)
    return point->ratio == 0 && (sweep->prefix != 0 || point->sk == sweep->sk);
  return point->ratio == sweep->ratio || (point->ratio == 0 && point->sk == positions (point) / sweep->ratio);
}

static bool
check_dtype (CwDtype dtype, const char *role, CwError *error)
{
  if ((unsigned) dtype >= CW_DTYPE_N_DTYPES)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s dtype is not a known dtype", role);
      return false;
    }
  return true;
}

bool
cw_config_validate (const CwConfig *config, CwError *error)
{
  uint64_t sk, n;
  const struct { const char *name; uint64_t v; } nonzero[] = {
    { "b", config->b }, { "h", config->h }, { "d", config->d }, { "sq", config->sq },
    { "top_k", config->top_k }, { "granularity", config->granularity },
  };

  for (size_t i = 0; i < sizeof nonzero / sizeof nonzero[0]; i++)
    if (nonzero[i].v == 0)
      {
        cw_error_set (error, CW_ERROR_INVALID, "%s must be at least 1", nonzero[i].name);
        return false;
      }
  if (config->prefix != 0 && !cw_add_u64 (config->prefix, config->sq, &n))
    {
      cw_error_set (error, CW_ERROR_OVERFLOW, "prefix %llu + sq %llu overflows 64 bits",
                    (unsigned long long) config->prefix, (unsigned long long) config->sq);
      return false;
    }
  if (config->prefix != 0 && config->sk != 0 && config->sk != cw_config_get_sk (config))
    {
      cw_error_set (error, CW_ERROR_INVALID,
                    "sk %llu conflicts with prefix %llu (prefix + sq%s gives sk %llu); give one of them",
                    (unsigned long long) config->sk, (unsigned long long) config->prefix,
                    config->ratio != 0 ? ", divided by the ratio," : "",
                    (unsigned long long) cw_config_get_sk (config));
      return false;
    }
  if (config->ratio != 0 && config->prefix != 0)
    {
      if (config->prefix + config->sq < config->ratio)
        {
          cw_error_set (error, CW_ERROR_INVALID,
                        "prefix %llu + sq %llu is smaller than ratio %llu: no compressed key exists",
                        (unsigned long long) config->prefix, (unsigned long long) config->sq,
                        (unsigned long long) config->ratio);
          return false;
        }
    }
  else if (config->ratio != 0)
    {
      if (config->sk != 0 && config->sk != config->sq / config->ratio)
        {
          cw_error_set (error, CW_ERROR_INVALID,
                        "sk %llu conflicts with ratio %llu (sq %llu / ratio gives sk %llu); give one of them",
                        (unsigned long long) config->sk, (unsigned long long) config->ratio,
                        (unsigned long long) config->sq,
                        (unsigned long long) (config->sq / config->ratio));
          return false;
        }
      if (config->sq < config->ratio)
        {
          cw_error_set (error, CW_ERROR_INVALID,
                        "sq %llu is smaller than ratio %llu: no compressed key exists",
                        (unsigned long long) config->sq, (unsigned long long) config->ratio);
          return false;
        }
    }
  else if (config->causal == CW_CAUSAL_COMPRESSED)
    {
      cw_error_set (error, CW_ERROR_INVALID, "causal-compressed needs a compression ratio");
      return false;
    }
  sk = cw_config_get_sk (config);
  if (sk == 0)
    {
      cw_error_set (error, CW_ERROR_INVALID, "sk must be at least 1");
      return false;
    }
  /* top_k > sk is legal: short rows keep every key and pad the rest (as the
   * engines and our kernels do); the outputs stay [b, sq, top_k]. */
  if ((unsigned) config->causal > CW_CAUSAL_COMPRESSED)
    {
      cw_error_set (error, CW_ERROR_INVALID, "causal rule is not a known rule");
      return false;
    }
  if (!check_dtype (config->q_dtype, "q", error) || !check_dtype (config->k_dtype, "k", error) ||
      !check_dtype (config->w_dtype, "w", error) || !check_dtype (config->score_dtype, "score", error) ||
      !check_dtype (config->index_dtype, "index", error))
    return false;
  /* The dense [b, sq, h, sk] element count is the largest product every
   * profile may form; refuse configurations where even that wraps. */
  if (!cw_mul_u64 (config->b, config->sq, &n) || !cw_mul_u64 (n, config->h, &n) ||
      !cw_mul_u64 (n, sk, &n) || !cw_mul_u64 (n, config->d, &n))
    {
      cw_error_set (error, CW_ERROR_OVERFLOW,
                    "b*sq*h*sk*d overflows 64 bits (b=%llu sq=%llu h=%llu sk=%llu d=%llu)",
                    (unsigned long long) config->b, (unsigned long long) config->sq,
                    (unsigned long long) config->h, (unsigned long long) sk,
                    (unsigned long long) config->d);
      return false;
    }
  return true;
}

static const char *const causal_names[] = { "none", "causal", "causal-compressed" };

bool
cw_causal_from_name (const char *name, CwCausal *out, CwError *error)
{
  for (unsigned i = 0; i < 3; i++)
    if (name != NULL && strcasecmp (name, causal_names[i]) == 0)
      {
        *out = (CwCausal) i;
        return true;
      }
  cw_error_set (error, CW_ERROR_NOT_FOUND,
                "unknown causal rule '%s' (known: none, causal, causal-compressed)", name ? name : "");
  return false;
}

const char *
cw_causal_get_name (CwCausal causal)
{
  if ((unsigned) causal > CW_CAUSAL_COMPRESSED)
    return "invalid";
  return causal_names[causal];
}

void
cw_config_describe (const CwConfig *c, char *buf, size_t size)
{
  char ratio[96] = "";

  if (c->ratio != 0 && c->prefix != 0)
    snprintf (ratio, sizeof ratio, " (prefix %llu, ratio %llu)", (unsigned long long) c->prefix,
              (unsigned long long) c->ratio);
  else if (c->ratio != 0)
    snprintf (ratio, sizeof ratio, " (ratio %llu)", (unsigned long long) c->ratio);
  else if (c->prefix != 0)
    snprintf (ratio, sizeof ratio, " (prefix %llu)", (unsigned long long) c->prefix);
  snprintf (buf, size,
            "b=%llu h=%llu d=%llu sq=%llu sk=%llu%s top_k=%llu %s q=%s k=%s w=%s score=%s index=%s budget=%llu granularity=%llu",
            (unsigned long long) c->b, (unsigned long long) c->h, (unsigned long long) c->d,
            (unsigned long long) c->sq, (unsigned long long) cw_config_get_sk (c), ratio,
            (unsigned long long) c->top_k, cw_causal_get_name (c->causal), cw_dtype_get_name (c->q_dtype),
            cw_dtype_get_name (c->k_dtype), cw_dtype_get_name (c->w_dtype), cw_dtype_get_name (c->score_dtype),
            cw_dtype_get_name (c->index_dtype), (unsigned long long) c->chunk_budget_bytes,
            (unsigned long long) c->granularity);
}
