/* cw-exec-run.h: runs a measured program as a child and waits for it.
 *
 * The child gets its own process group, so a timeout or a forwarded signal
 * reaches every process it started (torchrun workers, shells); the parent
 * forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to that group while it waits,
 * and restores its own handlers afterwards. A program that cannot be started
 * (not found, not executable) is an error before anything runs; one that
 * starts and fails is a result (exit code or signal), not an error. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cw-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  char *const *argv;          /* argv[0] is looked up in PATH when it has no '/' */
  char *const *env_set;       /* NULL-terminated "NAME=VALUE" set in the child; may be NULL */
  char *const *env_unset;     /* NULL-terminated names removed in the child; may be NULL */
  unsigned     timeout_s;     /* 0: none */
  unsigned     kill_grace_s;  /* after SIGTERM on timeout, SIGKILL this much later */
} CwExecRunOptions;

typedef struct {
  int    pid;                 /* the child's process id */
  int    exit_code;           /* -1 when a signal ended it */
  int    exit_signal;         /* 0 when it exited */
  bool   timed_out;
  int    forwarded_signal;    /* last signal forwarded from the parent, 0 if none */
  double wall_s;
} CwExecRunResult;

/* Resolves argv[0] like execvp would; CW_ERROR_NOT_FOUND or CW_ERROR_INVALID
 * (not executable, a directory) with a one-line message. */
bool cw_exec_resolve_program (const char *program, char *path, size_t size, CwError *error);

bool cw_exec_run (const CwExecRunOptions *options, CwExecRunResult *result, CwError *error);

#ifdef __cplusplus
}
#endif
