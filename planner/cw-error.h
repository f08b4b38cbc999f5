/* cw-error.h: the one error type every Cliffwatch library reports through.
 *
 * Libraries never print; they fill a caller-owned CwError and return a
 * failure value. Front ends (cliffwatch-cli, the workbench) decide how to
 * show the message. The message is a single line, complete on its own. */
#pragma once

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CW_ERROR_NONE = 0,
  CW_ERROR_INVALID,      /* bad argument or input value */
  CW_ERROR_OVERFLOW,     /* a size does not fit in uint64 */
  CW_ERROR_NOT_FOUND,    /* unknown preset, GPU, profile, receipt */
  CW_ERROR_PARSE,        /* malformed file (message carries file:line) */
  CW_ERROR_IO,           /* open/read/write failed */
  CW_ERROR_CORRUPT,      /* file is damaged or not what it claims */
  CW_ERROR_VERSION,      /* written by a newer Cliffwatch */
  CW_ERROR_CUDA,
  CW_ERROR_CUPTI,
  CW_ERROR_SQLITE,
  CW_ERROR_OOM,          /* the device ran out of memory (a result, not a crash) */
  CW_ERROR_UNSUPPORTED,
} CwErrorCode;

typedef struct {
  CwErrorCode code;
  char message[512];
} CwError;

#define CW_ERROR_INIT { CW_ERROR_NONE, { 0 } }

#if defined(__GNUC__)
#define CW_PRINTF_FORMAT(f, a) __attribute__((format(printf, f, a)))
#else
#define CW_PRINTF_FORMAT(f, a)
#endif

/* Sets code and message; `error` may be NULL (the caller does not care). */
void cw_error_set (CwError *error, CwErrorCode code, const char *fmt, ...) CW_PRINTF_FORMAT (3, 4);
void cw_error_setv (CwError *error, CwErrorCode code, const char *fmt, va_list args);
/* Prefixes an existing message, e.g. with "profiles/vllm.profile:12: ". */
void cw_error_prefix (CwError *error, const char *fmt, ...) CW_PRINTF_FORMAT (2, 3);
void cw_error_clear (CwError *error);
const char *cw_error_code_name (CwErrorCode code);

#ifdef __cplusplus
}
#endif
