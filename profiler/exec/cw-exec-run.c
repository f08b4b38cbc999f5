/* cw-exec-run.c: child process launch, signal forwarding, timeout. */
#include "cw-exec-run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_group;
static volatile sig_atomic_t last_forwarded;

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define N_FORWARDED (sizeof forwarded_signals / sizeof forwarded_signals[0])

static void
forward_signal (int sig)
{
  int saved = errno;

  if (child_group > 0)
    kill (-(pid_t) child_group, sig);
  last_forwarded = sig;
  errno = saved;
}

static bool
is_executable_file (const char *path, int *why)
{
  struct stat st;

  if (stat (path, &st) != 0)
    {
      *why = errno;
      return false;
    }
  if (S_ISDIR (st.st_mode))
    {
      *why = EISDIR;
      return false;
    }
  if (access (path, X_OK) != 0)
    {
      *why = errno;
      return false;
    }
  return true;
}

bool
cw_exec_resolve_program (const char *program, char *path, size_t size, CwError *error)
{
  const char *env_path;
  int why = ENOENT;

  if (program == NULL || program[0] == '\0')
    {
      cw_error_set (error, CW_ERROR_INVALID, "no program given");
      return false;
    }
  if (strchr (program, '/') != NULL)
    {
      if (!is_executable_file (program, &why))
        {
          cw_error_set (error, why == ENOENT ? CW_ERROR_NOT_FOUND : CW_ERROR_INVALID, "%s: %s", program,
                        why == EISDIR ? "is a directory" : why == EACCES ? "is not executable" : strerror (why));
          return false;
        }
      snprintf (path, size, "%s", program);
      return true;
    }
  env_path = getenv ("PATH");
  if (env_path == NULL || env_path[0] == '\0')
    env_path = "/usr/local/bin:/usr/bin:/bin";
  while (*env_path)
    {
      const char *end = strchr (env_path, ':');
      size_t len = end ? (size_t) (end - env_path) : strlen (env_path);
      char candidate[4096];
      int w;

      if (len == 0)
        snprintf (candidate, sizeof candidate, "./%s", program);
      else
        snprintf (candidate, sizeof candidate, "%.*s/%s", (int) len, env_path, program);
      if (is_executable_file (candidate, &w))
        {
          snprintf (path, size, "%s", candidate);
          return true;
        }
      if (w != ENOENT && w != ENOTDIR)
        why = w;
      env_path += len;
      if (*env_path == ':')
        env_path++;
    }
  cw_error_set (error, why == ENOENT ? CW_ERROR_NOT_FOUND : CW_ERROR_INVALID, "%s: %s", program,
                why == ENOENT ? "command not found in PATH" : why == EACCES ? "is not executable" : strerror (why));
  return false;
}

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

bool
cw_exec_run (const CwExecRunOptions *o, CwExecRunResult *result, CwError *error)
{
  char path[4096];
  int pipefd[2];
  pid_t pid;
  struct sigaction old[N_FORWARDED], sa;
  sigset_t block, saved_mask;
  int status = 0, child_errno = 0;
  double start, term_at = 0;
  bool term_sent = false, kill_sent = false;
  ssize_t got;

  if (o == NULL || o->argv == NULL || result == NULL)
    {
      cw_error_set (error, CW_ERROR_INVALID, "cw_exec_run: NULL argument");
      return false;
    }
  memset (result, 0, sizeof *result);
  if (!cw_exec_resolve_program (o->argv[0], path, sizeof path, error))
    return false;
  if (pipe2 (pipefd, O_CLOEXEC) != 0)
    {
      cw_error_set (error, CW_ERROR_IO, "pipe: %s", strerror (errno));
      return false;
    }

  /* Handlers go in before the fork, so a signal in between is forwarded too;
   * they act only once child_group is set. */
  child_group = 0;
  last_forwarded = 0;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = forward_signal;
  sigemptyset (&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (size_t i = 0; i < N_FORWARDED; i++)
    sigaction (forwarded_signals[i], &sa, &old[i]);
  sigemptyset (&block);
  sigaddset (&block, SIGCHLD);
  sigprocmask (SIG_BLOCK, &block, &saved_mask);

  start = now_s ();
  pid = fork ();
  if (pid < 0)
    {
      int e = errno;

      sigprocmask (SIG_SETMASK, &saved_mask, NULL);
      for (size_t i = 0; i < N_FORWARDED; i++)
        sigaction (forwarded_signals[i], &old[i], NULL);
      close (pipefd[0]);
      close (pipefd[1]);
      cw_error_set (error, CW_ERROR_IO, "fork: %s", strerror (e));
      return false;
    }
  if (pid == 0)
    {
      /* Child: own group, default signal dispositions, the environment, exec. */
      setpgid (0, 0);
      for (size_t i = 0; i < N_FORWARDED; i++)
        signal (forwarded_signals[i], SIG_DFL);
      sigprocmask (SIG_SETMASK, &saved_mask, NULL);
      close (pipefd[0]);
      if (o->env_unset)
        for (char *const *u = o->env_unset; *u; u++)
          unsetenv (*u);
      if (o->env_set)
        for (char *const *e = o->env_set; *e; e++)
          putenv (*e);
      execv (path, o->argv);
      child_errno = errno;
      if (write (pipefd[1], &child_errno, sizeof child_errno) < 0)
        _exit (127);
      _exit (127);
    }
  /* Parent: set the group from this side too (no race with the first kill). */
  setpgid (pid, pid);
  child_group = pid;
  result->pid = pid;
  close (pipefd[1]);
  do
    got = read (pipefd[0], &child_errno, sizeof child_errno);
  while (got < 0 && errno == EINTR);
  close (pipefd[0]);
  if (got == (ssize_t) sizeof child_errno)
    {
      waitpid (pid, &status, 0);
      child_group = 0;
      sigprocmask (SIG_SETMASK, &saved_mask, NULL);
      for (size_t i = 0; i < N_FORWARDED; i++)
        sigaction (forwarded_signals[i], &old[i], NULL);
      cw_error_set (error, CW_ERROR_INVALID, "%s: cannot execute: %s", o->argv[0], strerror (child_errno));
      return false;
    }

  for (;;)
    {
      pid_t w = waitpid (pid, &status, WNOHANG);
      double t = now_s ();
      struct timespec nap = { 0, 20 * 1000 * 1000 };

      if (w == pid)
        break;
      if (w < 0 && errno != EINTR)
        {
          int e = errno;

          child_group = 0;
          sigprocmask (SIG_SETMASK, &saved_mask, NULL);
          for (size_t i = 0; i < N_FORWARDED; i++)
            sigaction (forwarded_signals[i], &old[i], NULL);
          cw_error_set (error, CW_ERROR_IO, "waitpid: %s", strerror (e));
          return false;
        }
      if (o->timeout_s > 0 && !term_sent && t - start >= (double) o->timeout_s)
        {
          kill (-pid, SIGTERM);
          term_sent = true;
          term_at = t;
          result->timed_out = true;
        }
      if (term_sent && !kill_sent && t - term_at >= (double) o->kill_grace_s)
        {
          kill (-pid, SIGKILL);
          kill_sent = true;
        }
      nanosleep (&nap, NULL);
    }
  result->wall_s = now_s () - start;
  /* What the program started and left behind goes with it. */
  kill (-pid, SIGKILL);
  child_group = 0;
  sigprocmask (SIG_SETMASK, &saved_mask, NULL);
  for (size_t i = 0; i < N_FORWARDED; i++)
    sigaction (forwarded_signals[i], &old[i], NULL);
  result->forwarded_signal = last_forwarded;
  if (WIFEXITED (status))
    {
      result->exit_code = WEXITSTATUS (status);
      result->exit_signal = 0;
    }
  else if (WIFSIGNALED (status))
    {
      result->exit_code = -1;
      result->exit_signal = WTERMSIG (status);
    }
  return true;
}
