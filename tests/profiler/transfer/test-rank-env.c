/* test-rank-env.c: rank discovery from torchrun / Open MPI / PMI / Slurm
 * environments, and the refusals (incomplete sets, junk, rank >= size). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-rank-env.h"

typedef struct {
  const char *pairs[8];   /* NAME=VALUE, NULL-terminated */
} FakeEnv;

static const char *
fake_getenv (const char *name, void *user_data)
{
  const FakeEnv *env = user_data;
  size_t n = strlen (name);
  for (int i = 0; env->pairs[i]; i++)
    if (strncmp (env->pairs[i], name, n) == 0 && env->pairs[i][n] == '=')
      return env->pairs[i] + n + 1;
  return NULL;
}

static int failures;

static void
expect_ok (const char *what, FakeEnv env, int rank, int size, int local, const char *launcher)
{
  CwRankEnv out;
  CwError error = CW_ERROR_INIT;
  if (!cw_rank_env_read (&out, fake_getenv, &env, &error))
    {
      printf ("FAIL %s: unexpected error: %s\n", what, error.message);
      failures++;
      return;
    }
  if (out.rank != rank || out.world_size != size || out.local_rank != local || strcmp (out.launcher, launcher))
    {
      printf ("FAIL %s: got %d/%d local %d (%s), want %d/%d local %d (%s)\n", what, out.rank, out.world_size,
              out.local_rank, out.launcher, rank, size, local, launcher);
      failures++;
      return;
    }
  printf ("ok   %s\n", what);
}

static void
expect_error (const char *what, FakeEnv env, const char *substring)
{
  CwRankEnv out;
  CwError error = CW_ERROR_INIT;
  if (cw_rank_env_read (&out, fake_getenv, &env, &error))
    {
      printf ("FAIL %s: accepted (rank %d of %d)\n", what, out.rank, out.world_size);
      failures++;
      return;
    }
  if (error.code != CW_ERROR_INVALID || strstr (error.message, substring) == NULL)
    {
      printf ("FAIL %s: message '%s' lacks '%s'\n", what, error.message, substring);
      failures++;
      return;
    }
  printf ("ok   %s: %s\n", what, error.message);
}

int
main (void)
{
  expect_ok ("no launcher", (FakeEnv) { { NULL } }, 0, 1, 0, "single");
  expect_ok ("torchrun", (FakeEnv) { { "RANK=1", "WORLD_SIZE=2", "LOCAL_RANK=1", NULL } }, 1, 2, 1, "torchrun");
  expect_ok ("torchrun two nodes", (FakeEnv) { { "RANK=5", "WORLD_SIZE=8", "LOCAL_RANK=1", NULL } }, 5, 8, 1,
             "torchrun");
  expect_ok ("no local rank", (FakeEnv) { { "RANK=1", "WORLD_SIZE=2", NULL } }, 1, 2, 1, "torchrun");
  expect_ok ("open mpi", (FakeEnv) { { "OMPI_COMM_WORLD_RANK=3", "OMPI_COMM_WORLD_SIZE=4",
                                       "OMPI_COMM_WORLD_LOCAL_RANK=1", NULL } }, 3, 4, 1, "openmpi");
  expect_ok ("pmi", (FakeEnv) { { "PMI_RANK=0", "PMI_SIZE=2", "MPI_LOCALRANKID=0", NULL } }, 0, 2, 0, "pmi");
  expect_ok ("slurm", (FakeEnv) { { "SLURM_PROCID=1", "SLURM_NTASKS=2", "SLURM_LOCALID=1", NULL } }, 1, 2, 1,
             "slurm");
  expect_ok ("torchrun wins over slurm",
             (FakeEnv) { { "SLURM_PROCID=0", "SLURM_NTASKS=1", "RANK=1", "WORLD_SIZE=2", NULL } }, 1, 2, 1,
             "torchrun");

  expect_error ("rank without size", (FakeEnv) { { "RANK=0", NULL } }, "WORLD_SIZE is not");
  expect_error ("size without rank", (FakeEnv) { { "SLURM_NTASKS=2", NULL } }, "SLURM_PROCID is not");
  expect_error ("negative rank", (FakeEnv) { { "RANK=-1", "WORLD_SIZE=2", NULL } }, "not a non-negative integer");
  expect_error ("junk size", (FakeEnv) { { "RANK=0", "WORLD_SIZE=2x", NULL } }, "not a non-negative integer");
  expect_error ("empty rank", (FakeEnv) { { "RANK=", "WORLD_SIZE=2", NULL } }, "not a non-negative integer");
  expect_error ("overflowing rank", (FakeEnv) { { "RANK=99999999999999999999", "WORLD_SIZE=2", NULL } },
                "fits an int");
  expect_error ("rank == size", (FakeEnv) { { "RANK=2", "WORLD_SIZE=2", NULL } }, "outside WORLD_SIZE=2");
  expect_error ("size zero", (FakeEnv) { { "RANK=0", "WORLD_SIZE=0", NULL } }, "outside WORLD_SIZE=0");
  expect_error ("junk local", (FakeEnv) { { "RANK=0", "WORLD_SIZE=2", "LOCAL_RANK=a", NULL } },
                "LOCAL_RANK='a'");

  printf ("%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
