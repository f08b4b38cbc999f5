/* cw-rank-env.h: where this process sits in a multi-process launch.
 *
 * The index-transfer lane runs one process per GPU, launched the standard
 * way, so the same binary runs under torchrun, mpirun or srun. The launcher
 * says who we are through the environment; this module reads it. Plain C,
 * no CUDA, no NCCL: tested in CI.
 *
 * Recognised, first complete set wins:
 *   torchrun / generic  RANK, WORLD_SIZE, LOCAL_RANK
 *   Open MPI            OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_LOCAL_RANK
 *   MPICH / PMI         PMI_RANK, PMI_SIZE, MPI_LOCALRANKID
 *   Slurm               SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID
 * A missing local rank falls back to rank (single node). No variables at all
 * means a single process: rank 0 of 1. */
#pragma once

#include <stdbool.h>

#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int  rank;
  int  world_size;
  int  local_rank;
  char launcher[16];   /* "torchrun", "openmpi", "pmi", "slurm" or "single" */
} CwRankEnv;

/* getenv_fn lets tests supply their own environment; NULL means getenv. */
typedef const char *(*CwGetenvFunc) (const char *name, void *user_data);

bool cw_rank_env_read (CwRankEnv *out, CwGetenvFunc getenv_fn, void *user_data, CwError *error);

#ifdef __cplusplus
}
#endif
