/* cw-bench-records.h: the benchmarks' machine-readable records
 * (bench/records/README.md has the schema).
 *
 * A benchmark given `--records FILE` appends one JSON object per line per
 * measured configuration: what ran (benchmark, command line), when (UTC) and
 * from which source (the revision compiled in, else CW_SOURCE_REVISION), on
 * which device, with what configuration, and every sample it took with their
 * median, minimum and maximum. A record is composed in memory (CwJson) and
 * written with one fwrite, then flushed, so a run that is killed later keeps
 * every record it finished. Every write is checked: a failure is reported to
 * the caller, which exits non-zero.
 *
 * Plain C17 so the CPU benches and the CUDA bench share it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The record format's version, written as "schema" in every record. */
#define CW_BENCH_RECORDS_SCHEMA 1

/* ---- one JSON object, built in memory ----------------------------------- */

/* A growable buffer holding one JSON value under construction. Members
 * written into an object take a key; values inside an array take NULL. An
 * allocation failure sets `failed`, which cw_bench_records_write reports. */
typedef struct {
  char  *data;
  size_t len, cap;
  bool   failed;
  bool   need_comma;
} CwJson;

void cw_json_init (CwJson *json);
void cw_json_clear (CwJson *json);
void cw_json_object_begin (CwJson *json, const char *key);
void cw_json_object_end (CwJson *json);
void cw_json_array_begin (CwJson *json, const char *key);
void cw_json_array_end (CwJson *json);
/* value NULL writes null. */
void cw_json_string (CwJson *json, const char *key, const char *value);
void cw_json_bool (CwJson *json, const char *key, bool value);
void cw_json_int (CwJson *json, const char *key, int64_t value);
void cw_json_uint (CwJson *json, const char *key, uint64_t value);
/* The shortest text that reads back as the same double; null when not
 * finite. */
void cw_json_double (CwJson *json, const char *key, double value);

/* "unit", "samples" (every sample, in the order taken), "n", and "median",
 * "min", "max" of them. The median is the sample at index n / 2 of the sorted
 * samples (the middle one for odd n, the upper middle for even n), the rule
 * every bench here prints with; bench/cw-results.py checks it. With a
 * non-NULL prefix the keys are PREFIX_samples, PREFIX_median, ... and no
 * unit is written (a second series in the same unit, e.g. CPU time). */
void cw_json_samples (CwJson *json, const char *prefix, const char *unit, const double *samples, size_t n);

/* The median as above (the sample at n / 2 once sorted); 0 for n = 0. */
double cw_bench_median (const double *samples, size_t n);

/* The double nearest the shortest decimal that reads back as the float v:
 * a CUDA event time of 9.818f becomes 9.818 rather than 9.81799983978271,
 * so a record shows what the timer gave, not float-to-double noise. */
double cw_bench_float_value (float v);

/* ---- the records file ----------------------------------------------------- */

typedef struct CwBenchRecords CwBenchRecords;

/* Opens PATH for appending and notes the command line and the run's date
 * (one date for every record of this run). NULL with errno set on failure. */
CwBenchRecords *cw_bench_records_open (const char *path, int argc, char **argv);

/* Starts a record in json (cleared first): schema, benchmark, command, date,
 * source_revision, source_revision_from ("build", "env" or "none") and, when
 * $CW_RUN_COMMAND is set (bench/cw-device-run.sh sets it), run_command: the
 * runner's command line. The caller adds its device, config and samples,
 * then writes. */
void cw_bench_records_begin (CwBenchRecords *records, CwJson *json, const char *benchmark);

/* Closes the record's object and appends it as one line, flushed. false
 * (errno set) when the record could not be built or written. */
bool cw_bench_records_write (CwBenchRecords *records, CwJson *json);

/* Closes the file; false (errno set) when the close failed, e.g. a delayed
 * write error. records may be NULL (true). */
bool cw_bench_records_close (CwBenchRecords *records);

/* A "device" object for a CPU benchmark: kind "cpu", the CPU model name
 * (/proc/cpuinfo, else null), online CPUs, and the kernel (uname). */
void cw_bench_records_cpu_device (CwJson *json);

/* The revision of the source: the git revision compiled in when the build
 * had one, else $CW_SOURCE_REVISION, else "unknown"; *from (optional) says
 * which: "build", "env" or "none". */
const char *cw_bench_source_revision (const char **from);

#ifdef __cplusplus
}
#endif
