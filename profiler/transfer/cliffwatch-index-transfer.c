/* cliffwatch-index-transfer: the index-transfer lane, one process per GPU.
 *
 * Launch it the way a cluster job is launched — torchrun, mpirun or srun set
 * the rank variables (cw-rank-env.h) — or let it start N local ranks itself
 * with --launch N (what `torchrun --nproc-per-node N` would do). Each rank
 * prints one JSON line per configuration to stdout and, with --db, writes one
 * receipt per configuration to its own database (PATH with %r replaced by the
 * rank), to be combined with `cliffwatch-cli receipts merge`. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cw-build-config.h"
#include "cw-index-transfer.h"
#include "cw-planner.h"
#include "cw-rank-env.h"
#include "cw-transfer-receipt.h"

#define PROG "cliffwatch-index-transfer"

static const char usage[] =
  "Usage: " PROG " [OPTION]...\n"
  "Ship a layer's top-k indices across a pipeline-stage boundary with NCCL, or\n"
  "recompute them on the consumer stage, and measure both. One process per GPU.\n"
  "\n"
  "  --preset NAME       model preset (default deepseek-v4-flash)\n"
  "  --sq N[,N...]       query lengths to run (default 32768)\n"
  "  --b N               batch (default: the preset's)\n"
  "  --budget BYTES      streaming workspace budget, e.g. 512M (default: the preset's)\n"
  "  --repeats N         timed repetitions per measurement, median reported (default 5)\n"
  "  --seed N            input seed, identical on every rank (default 1)\n"
  "  --rendezvous FILE   file on a filesystem all ranks see, for the NCCL id\n"
  "                      (required when launched externally with more than one rank)\n"
  "  --timeout SECONDS   how long ranks wait for the id (default 120)\n"
  "  --db PATH           write receipts; %r in PATH becomes the rank\n"
  "  --run-id UUID       links the ranks' receipts (--launch makes one)\n"
  "  --launch N          start N local ranks (RANK/WORLD_SIZE/LOCAL_RANK) and wait\n"
  "  -h, --help          this help\n"
  "\n"
  "Rank variables: RANK/WORLD_SIZE/LOCAL_RANK (torchrun), OMPI_COMM_WORLD_* (Open MPI),\n"
  "PMI_RANK/PMI_SIZE (MPICH), SLURM_PROCID/SLURM_NTASKS/SLURM_LOCALID (srun).\n"
  "NCCL_NVLS_ENABLE=0 is always forced: NVLink multicast stays off.\n";

typedef struct {
  const char *preset;
  uint64_t   *sq;
  uint64_t    n_sq;
  uint64_t    b, budget, repeats, seed, launch;
  double      timeout_s;
  const char *rendezvous;
  const char *db;
  const char *run_id;
} Options;

static int
fail (const char *fmt, const char *arg)
{
  fprintf (stderr, PROG ": ");
  fprintf (stderr, fmt, arg);
  fputc ('\n', stderr);
  return 2;
}

static int
parse_options (int argc, char **argv, Options *o)
{
  CwError error = CW_ERROR_INIT;

  for (int i = 1; i < argc; i++)
    {
      const char *v = NULL;
      if (cw_parse_is_help (argv[i]))
        {
          fputs (usage, stdout);
          return -1;
        }
#define OPT(name) (cw_parse_match_option (argc, argv, &i, name, &v, &error))
      if (OPT ("--preset"))
        o->preset = v;
      else if (OPT ("--sq"))
        {
          free (o->sq);
          o->sq = NULL;
          if (v && cw_parse_u64_list ("--sq", v, &o->sq, &o->n_sq, &error))
            for (uint64_t j = 0; j < o->n_sq; j++)
              if (o->sq[j] == 0)
                cw_error_set (&error, CW_ERROR_INVALID, "--sq: 0 is not a query length");
        }
      else if (OPT ("--b"))
        { if (v) cw_parse_positive_u64 ("--b", v, false, &o->b, &error); }
      else if (OPT ("--budget"))
        { if (v) cw_parse_positive_u64 ("--budget", v, true, &o->budget, &error); }
      else if (OPT ("--repeats"))
        { if (v) cw_parse_positive_u64 ("--repeats", v, false, &o->repeats, &error); }
      else if (OPT ("--seed"))
        { if (v) cw_parse_u64 ("--seed", v, false, &o->seed, &error); }
      else if (OPT ("--launch"))
        { if (v) cw_parse_positive_u64 ("--launch", v, false, &o->launch, &error); }
      else if (OPT ("--timeout"))
        { if (v) cw_parse_double ("--timeout", v, true, &o->timeout_s, &error); }
      else if (OPT ("--rendezvous"))
        o->rendezvous = v;
      else if (OPT ("--db"))
        o->db = v;
      else if (OPT ("--run-id"))
        o->run_id = v;
      else if (error.code == CW_ERROR_NONE)
        return fail ("unknown option '%s' (see --help)", argv[i]);
#undef OPT
      if (error.code != CW_ERROR_NONE)
        return fail ("%s", error.message);
    }
  if (o->repeats > 1000)
    return fail ("--repeats: %s is more than 1000", "the value");
  if (o->launch > 64)
    return fail ("--launch: %s ranks is more than 64 on one node", "that many");
  return 0;
}

/* --launch N: be torchrun for one node. */
static int
launch_local (int argc, char **argv, const Options *o)
{
  char rendezvous[256], run_id[37], world[24], rank[24];
  pid_t *pids = calloc (o->launch, sizeof (pid_t));
  int status = 0;

  if (pids == NULL)
    return fail ("%s", "out of memory");
  snprintf (rendezvous, sizeof rendezvous, "%s/cliffwatch-nccl-%ld.id",
            getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp", (long) getpid ());
  unlink (rendezvous);
  cw_transfer_receipt_new_run_id (run_id);
  snprintf (world, sizeof world, "%" PRIu64, o->launch);
  for (uint64_t r = 0; r < o->launch; r++)
    {
      pid_t pid = fork ();
      if (pid < 0)
        {
          perror (PROG ": fork");
          for (uint64_t j = 0; j < r; j++)
            kill (pids[j], SIGTERM);
          free (pids);
          return 1;
        }
      if (pid == 0)
        {
          char **child = calloc ((size_t) argc + 6, sizeof (char *));
          int n = 0;
          snprintf (rank, sizeof rank, "%" PRIu64, r);
          setenv ("RANK", rank, 1);
          setenv ("LOCAL_RANK", rank, 1);
          setenv ("WORLD_SIZE", world, 1);
          if (child == NULL)
            _exit (1);
          child[n++] = argv[0];
          /* Everything but --launch N, plus the rendezvous and run id. */
          for (int i = 1; i < argc; i++)
            {
              if (strcmp (argv[i], "--launch") == 0) { i++; continue; }
              if (strncmp (argv[i], "--launch=", 9) == 0) continue;
              child[n++] = argv[i];
            }
          child[n++] = (char *) "--rendezvous";
          child[n++] = rendezvous;
          if (o->run_id == NULL)
            {
              child[n++] = (char *) "--run-id";
              child[n++] = run_id;
            }
          execv ("/proc/self/exe", child);
          perror (PROG ": exec");
          _exit (1);
        }
      pids[r] = pid;
    }
  for (uint64_t r = 0; r < o->launch; r++)
    {
      int st = 0;
      if (waitpid (pids[r], &st, 0) < 0 || !WIFEXITED (st) || WEXITSTATUS (st) != 0)
        {
          fprintf (stderr, PROG ": rank %" PRIu64 " failed (%s %d)\n", r,
                   WIFSIGNALED (st) ? "signal" : "exit", WIFSIGNALED (st) ? WTERMSIG (st) : WEXITSTATUS (st));
          status = 1;
        }
    }
  unlink (rendezvous);
  free (pids);
  return status;
}

static void
print_json (const CwTransferRequest *req, const CwTransferResult *r, const char *preset, const char *run_id)
{
  printf ("{\"run_id\":\"%s\",\"preset\":\"%s\",\"rank\":%d,\"world_size\":%d,\"gpu\":\"%s\",\"link\":\"%s\","
          "\"b\":%" PRIu64 ",\"sq\":%" PRIu64 ",\"top_k\":%" PRIu64 ",\"payload_bytes\":%" PRIu64 ","
          "\"full_layer_s\":%.6g,\"send_s\":%.6g,\"recv_s\":%.6g,\"recv_gbps\":%.6g,"
          "\"shared_s\":%.6g,\"recompute_s\":%.6g,\"recompute_tflops\":%.6g,"
          "\"promoted_shared\":%d,\"promoted_recompute\":%d,\"recompute_matches\":%s,"
          "\"peak_sender_bytes\":%" PRIu64 ",\"peak_shared_bytes\":%" PRIu64 ",\"peak_promoted_bytes\":%" PRIu64 ","
          "\"memgetinfo_delta_bytes\":%" PRId64 "}\n",
          run_id, preset, r->rank, r->world_size, r->gpu_name, r->link, req->config.b, req->config.sq,
          req->config.top_k, r->payload_bytes, r->full_layer_s, r->send_s, r->recv_s, r->recv_gbps,
          r->shared_s, r->recompute_s,
          r->recompute_s > 0 ? r->recompute_flops / r->recompute_s / 1e12 : 0.0,
          r->promoted_shared, r->promoted_recompute, r->rank > 0 ? (r->recompute_matches ? "true" : "false") : "null",
          r->peak_sender_bytes, r->peak_shared_bytes, r->peak_promoted_bytes, r->memgetinfo_delta_bytes);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  Options o = { .preset = "deepseek-v4-flash", .repeats = 5, .seed = 1, .timeout_s = 120.0 };
  CwError error = CW_ERROR_INIT;
  CwRankEnv env;
  CwConfig base;
  CwTransferSession *session = NULL;
  char db_path[4096] = "";
  char run_id[37] = "";
  int rc = parse_options (argc, argv, &o);

  if (rc != 0)
    return rc < 0 ? 0 : rc;
  if (o.sq == NULL)
    {
      o.sq = malloc (sizeof (uint64_t));
      if (o.sq == NULL)
        return 1;
      o.sq[0] = 32768;
      o.n_sq = 1;
    }
  if (!cw_preset_lookup (o.preset, &base, &error))
    return fail ("%s", error.message);
  if (o.b)
    base.b = o.b;
  if (o.budget)
    base.chunk_budget_bytes = o.budget;
  if (o.launch)
    {
      rc = launch_local (argc, argv, &o);
      free (o.sq);
      return rc;
    }

  if (!cw_rank_env_read (&env, NULL, NULL, &error))
    return fail ("%s", error.message);
  if (env.world_size < 2)
    return fail ("%s", "the index-transfer lane needs at least 2 ranks (use --launch 2, torchrun, mpirun or srun)");
  if (o.rendezvous == NULL)
    return fail ("%s", "--rendezvous FILE is required: a path on a filesystem every rank sees, fresh for this job");
  if (o.run_id != NULL)
    snprintf (run_id, sizeof run_id, "%s", o.run_id);
  if (o.db != NULL && !cw_transfer_receipt_expand_path (o.db, env.rank, db_path, sizeof db_path, &error))
    return fail ("%s", error.message);

  session = cw_transfer_session_new (&env, o.rendezvous, o.timeout_s, &error);
  if (session == NULL)
    return fail ("%s", error.message);

  rc = 0;
  for (uint64_t i = 0; i < o.n_sq; i++)
    {
      CwTransferRequest req = { .config = base, .repeats = (unsigned) o.repeats, .seed = o.seed };
      CwTransferResult res;
      req.config.sq = o.sq[i];
      if (req.config.ratio == 0)
        req.config.sk = o.sq[i];
      if (!cw_config_validate (&req.config, &error))
        {
          rc = fail ("%s", error.message);
          break;
        }
      fprintf (stderr, PROG ": rank %d/%d: point %" PRIu64 " of %" PRIu64 ", sq %" PRIu64 "\n", env.rank,
               env.world_size, i + 1, o.n_sq, o.sq[i]);
      if (!cw_transfer_session_run (session, &req, &res, &error))
        {
          rc = fail ("%s", error.message);
          break;
        }
      print_json (&req, &res, o.preset, run_id);
      if (res.rank > 0 && (!res.recompute_matches || res.promoted_shared != 0 || res.promoted_recompute != 1))
        {
          fprintf (stderr, PROG ": rank %d: the recompute does not reproduce the received indices "
                   "(match %d, promoted flags %d/%d)\n", res.rank, res.recompute_matches, res.promoted_shared,
                   res.promoted_recompute);
          rc = 1;
        }
      if (db_path[0] && !cw_transfer_receipt_write (db_path, o.preset, run_id, &req, &res, &error))
        {
          rc = fail ("%s", error.message);
          break;
        }
    }
  cw_transfer_session_free (session);
  free (o.sq);
  return rc;
}
