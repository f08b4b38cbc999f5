/* cw-rank-env.c: rank, world size and local rank from the launcher's environment. */
#include "cw-rank-env.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *launcher;
  const char *rank;
  const char *size;
  const char *local;
} Scheme;

static const Scheme schemes[] = {
  { "torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK" },
  { "openmpi", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK" },
  { "pmi", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID" },
  { "slurm", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID" },
};

static const char *
default_getenv (const char *name, void *user_data)
{
  (void) user_data;
  return getenv (name);
}

/* Strict non-negative int: digits only, no sign, no overflow. */
static bool
parse_int (const char *name, const char *text, int *out, CwError *error)
{
  char *end = NULL;
  long value;

  if (text[0] < '0' || text[0] > '9')
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s='%s' is not a non-negative integer", name, text);
      return false;
    }
  errno = 0;
  value = strtol (text, &end, 10);
  if (errno != 0 || *end != '\0' || value > INT_MAX)
    {
      cw_error_set (error, CW_ERROR_INVALID, "%s='%s' is not a non-negative integer that fits an int", name, text);
      return false;
    }
  *out = (int) value;
  return true;
}

bool
cw_rank_env_read (CwRankEnv *out, CwGetenvFunc getenv_fn, void *user_data, CwError *error)
{
  if (getenv_fn == NULL)
    getenv_fn = default_getenv;

  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
    {
      const Scheme *s = &schemes[i];
      const char *rank = getenv_fn (s->rank, user_data);
      const char *size = getenv_fn (s->size, user_data);
      const char *local = getenv_fn (s->local, user_data);

      if (rank == NULL && size == NULL)
        continue;
      if (rank == NULL || size == NULL)
        {
          cw_error_set (error, CW_ERROR_INVALID, "%s is set but %s is not: incomplete %s launch environment",
                        rank ? s->rank : s->size, rank ? s->size : s->rank, s->launcher);
          return false;
        }
      if (!parse_int (s->rank, rank, &out->rank, error) || !parse_int (s->size, size, &out->world_size, error))
        return false;
      if (local != NULL)
        {
          if (!parse_int (s->local, local, &out->local_rank, error))
            return false;
        }
      else
        out->local_rank = out->rank;
      if (out->world_size < 1 || out->rank >= out->world_size)
        {
          cw_error_set (error, CW_ERROR_INVALID, "%s=%d is outside %s=%d", s->rank, out->rank, s->size,
                        out->world_size);
          return false;
        }
      strncpy (out->launcher, s->launcher, sizeof out->launcher - 1);
      out->launcher[sizeof out->launcher - 1] = '\0';
      return true;
    }

  out->rank = 0;
  out->world_size = 1;
  out->local_rank = 0;
  strcpy (out->launcher, "single");
  return true;
}
