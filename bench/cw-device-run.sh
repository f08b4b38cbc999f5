#!/usr/bin/env bash
# cw-device-run.sh: the one runner for the lent GPU machine (the device tool's `run`, which
# starts it in the repository root of a copy of the working tree). It builds, tests and
# measures in one call, step after step in the order given, writes every command and its
# output to $OUT/log.txt, appends the benchmarks' records to $OUT/bench/records/*.jsonl, and
# prints a short table of the steps last.
#
# Usage: bash bench/cw-device-run.sh [--dry-run] STEP [ARGS...] [STEP [ARGS...]]...
#   A word naming a step starts that step; the words after it, up to the next word naming a
#   step, are its arguments. --dry-run prints the commands each step would run and runs nothing.
#
# Steps (each keeps what one of the five earlier device scripts did, see bench/records/README.md):
#   build                 tools/device-build.sh (release, -Dcuda=enabled, SQLite headers from the
#                         carried .debs/); if that fails, the kernels' targets alone in a build
#                         without the optional layers, so the kernel steps still run
#   suite [ARGS]          meson test --num-processes 1 ARGS; default --suite gpu --suite kernels-cpu
#                         --suite profiler-cpu; test names work too (suite kernels-gpu profiler-lanes)
#   memcheck [kernels-gpu|kernels-backward-gpu|profiler-lanes]
#                         compute-sanitizer --tool memcheck over the test's binary, test-kernels-gpu
#                         (default), test-kernels-backward-gpu or test-profiler-lanes; prints the
#                         ERROR SUMMARY line
#   sass                  counts of HGMMA (wgmma bf16), QGMMA (wgmma fp8), HMMA (mma.sync) in the
#                         kernels' machine code
#   kernels [ARGS]        cw-bench-kernels ARGS (--sizes, --lanes, --fp8, --score-kernel,
#                         --keys-per-block, --topk-depth, --no-ceiling, --no-oom, --split,
#                         --budget-mib; --backward: the sparse backward next to the forward)
#                         -> records kernels.jsonl
#   planner [POINTS]      cw-bench-sweep -> records planner.jsonl
#   exec-engines          every engine shape under `profile --exec` with its profile's prediction
#                         -> $OUT/h200-engines.db, `receipts compare` over it
#   exec-overhead [N]     the injection's overhead, N runs plain and N injected per engine
#                         (default 5) -> records exec-overhead.jsonl
#   profiler [PARTS]      receipt sweeps of every lane past its cliff and the profiler's overhead;
#                         PARTS: sweep (= v4-flash v3.2), v4-flash, v3.2, fp8, overhead, train
#                         (training lanes and the gradcheck lanes at V4-Flash dims; not in the
#                         default) (default: sweep overhead) -> $OUT/h200-deepseek-*.db,
#                         h200-overhead.db, h200-deepseek-v4-flash-train.db
#   transfer [smoke]      the index-transfer lane on two GPUs (kind nvidia-h200-x2), V4-Flash and
#                         V3.2 at sq 32K, 128K, 512K (smoke: sq 4096 only)
#                         -> $OUT/h200x2-index-transfer.db, $OUT/transfer.jsonl
#   engines [PARTS]       the engines' own residency cross-check with PyTorch (no build needed);
#                         PARTS: dump, trace, uncached, topk, extra, allun (default: dump trace
#                         uncached) -> $OUT/engines-*.jsonl, engines-*.tgz
#
# Device call (kind nvidia-h200; nvidia-h200-x2 for transfer), carry [".debs"]:
#   CW_SOURCE_REVISION=<git rev-parse --short=12 HEAD, +"-dirty" if the tree is> \
#     bash bench/cw-device-run.sh build suite memcheck kernels --sizes 65536,262144,1048576 --no-oom
# Then, here: cp <files_at>/bench/records/*.jsonl bench/records/ && python3 bench/cw-results.py
# (each records file under $OUT is the tree's copy plus this run's lines).
#
# Limits of the device tool (its README): one command 10 minutes, at most 8 files back from
# $OUT, 16 MiB each, two folders deep. The runner stops starting commands when less than a
# margin of CW_RUN_DEADLINE_S (default 570 s) is left, kills a command at that deadline, and
# warns when $OUT holds what would not come back.
# Environment: OUT (default /tmp/cwout), BUILD (default /tmp/cwbuild), CW_SOURCE_REVISION,
# CW_RUN_DEADLINE_S.
# shellcheck disable=SC2317 # the steps are called by name, as step_$name
set -uo pipefail

all_steps=" build suite memcheck sass kernels planner exec-engines exec-overhead profiler transfer engines "

usage () { sed -n '2,/^# shellcheck/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

dry=0
names=()      # step names, in order
argv_=()      # their arguments, one string each, words separated by \x1f
for word in "$@"; do
  if [[ ${#names[@]} == 0 && $word == --dry-run ]]; then
    dry=1
  elif [[ ${#names[@]} == 0 && ( $word == -h || $word == --help ) ]]; then
    usage; exit 0
  elif [[ $all_steps == *" $word "* ]]; then
    names+=("$word"); argv_+=("")
  elif [[ ${#names[@]} == 0 ]]; then
    echo "cw-device-run.sh: '$word' is not a step (steps:$all_steps; --help)" >&2; exit 2
  else
    i=$(( ${#names[@]} - 1 ))
    argv_[i]+="${argv_[i]:+$'\x1f'}$word"
  fi
done
if [[ ${#names[@]} == 0 ]]; then
  echo "cw-device-run.sh: no step given (steps:$all_steps; --help)" >&2; exit 2
fi

OUT=${OUT:-/tmp/cwout}
export BUILD=${BUILD:-/tmp/cwbuild}
LOG=$OUT/log.txt
RUN_TMP=/tmp/cw-run
deadline_s=${CW_RUN_DEADLINE_S:-570}
start_s=$SECONDS
left () { echo $(( deadline_s - (SECONDS - start_s) )); }
export CW_RUN_COMMAND="bash bench/cw-device-run.sh $*"
export PYTHONUNBUFFERED=1
# NVLink multicast stays off on shared hosts (the device README; the transfer binary forces
# NCCL_NVLS_ENABLE=0 too).
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
export PATH=/usr/local/cuda/bin:$PATH
export CW_DATA_DIR=$PWD/data
libdir=$(dirname "$(ldconfig -p 2>/dev/null | awk '/libsqlite3.so.0 /{print $NF; exit}')")
[[ $libdir == . ]] && libdir=
export LD_LIBRARY_PATH="${libdir:+$libdir:}/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [[ " ${names[*]} " == *" transfer "* && ! -f /usr/local/cuda/include/nccl.h ]]; then
  # NCCL from elsewhere (e.g. the nvidia-nccl wheel of the PyTorch image); meson reads NCCL_HOME.
  h=$(find /usr/local /opt -name nccl.h -path '*include*' 2>/dev/null | head -1)
  if [[ -n $h ]]; then NCCL_HOME=$(dirname "$(dirname "$h")"); export NCCL_HOME; fi
  [[ -n ${NCCL_HOME:-} ]] && export LD_LIBRARY_PATH="$NCCL_HOME/lib:$LD_LIBRARY_PATH"
fi

# ---- helpers ----------------------------------------------------------------------------

say () { echo "$*"; (( dry )) || echo "$*" >> "$LOG"; }

# x CAP CMD...: runs CMD with its output appended to the log, killed after CAP seconds or at
# the deadline, whichever comes first; returns its status (124: killed at the limit).
x () { xo "$LOG" "$@"; }

# xo FILE CAP CMD...: the same with stdout appended to FILE (stderr to the log).
xo () {
  local file=$1 cap=$2 t rc
  shift 2
  if (( dry )); then
    printf '   '; printf ' %q' "$@"; [[ $file != "$LOG" ]] && printf ' >> %q' "$file"; printf '\n'
    return 0
  fi
  t=$(( $(left) - 10 ))
  (( cap < t )) && t=$cap
  if (( t < 5 )); then
    echo "not run (deadline):$(printf ' %q' "$@")" >> "$LOG"
    return 124
  fi
  # shellcheck disable=SC2094 # both append to the log
  { printf '$'; printf ' %q' "$@"; [[ $file != "$LOG" ]] && printf ' >> %q' "$file"; printf '   # limit %d s\n' "$t"; } >> "$LOG"
  timeout -k 10 "$t" "$@" >> "$file" 2>> "$LOG"
  rc=$?
  echo "rc=$rc" >> "$LOG"
  return "$rc"
}

# The log written since offset $step_at (this step's part).
step_log () { (( dry )) || tail -c +$(( step_at + 1 )) "$LOG"; }

# records_file NAME.jsonl: where this run appends that benchmark's records: under $OUT, started
# as a copy of the tree's file, so the copy that comes back replaces it.
records_file () {
  local f=$OUT/bench/records/$1
  if (( ! dry )) && [[ ! -f $f ]]; then
    mkdir -p "$OUT/bench/records"
    if [[ -f bench/records/$1 ]]; then cp "bench/records/$1" "$f"; else : > "$f"; fi
  fi
  echo "$f"
}

lines () { if [[ -f $1 ]]; then wc -l < "$1"; else echo 0; fi; }

# need FILE...: every file exists (built), else the summary says so.
need () {
  local f
  (( dry )) && return 0
  for f in "$@"; do
    if [[ ! -x $f ]]; then summary="not built: $f (run the build step first)"; return 1; fi
  done
}

# ---- steps: each sets $summary and returns its status --------------------------------------

step_build () {
  local rc
  [[ -d .debs ]] || say "   (no .debs/: call with carry [\".debs\"] for the SQLite headers)"
  x 540 bash tools/device-build.sh
  rc=$?
  if (( rc == 0 )); then summary="$BUILD"; return 0; fi
  say "   device-build.sh failed (rc=$rc; the log has its output); building the kernels' targets only"
  BUILD=/tmp/cwbuild-k
  if [[ ! -d $BUILD ]] || (( dry )); then
    x 300 meson setup "$BUILD" -Dcuda=enabled -Dgui=disabled -Dcairo=disabled -Dsqlite=disabled --buildtype=release
  fi
  x 480 ninja -C "$BUILD" tests/kernels/test-kernels-gpu tests/kernels/test-kernels-backward-gpu \
    tests/kernels/test-kernels-reference bench/cw-bench-kernels bench/cw-bench-sweep
  rc=$?
  summary="device-build.sh failed; kernels only in $BUILD (rc=$rc)"
  return 1
}

step_suite () {
  local rc
  (( $# )) || set -- --suite gpu --suite kernels-cpu --suite profiler-cpu
  [[ -f $BUILD/build.ninja ]] || (( dry )) || { summary="not built: $BUILD (run the build step first)"; return 1; }
  x 590 meson test -C "$BUILD" --print-errorlogs --num-processes 1 "$@"
  rc=$?
  (( dry )) && return 0
  step_log | grep -E "^ *[0-9]+/[0-9]+ " | sed 's/^/   /'
  # meson's counts: Ok, Fail, Skipped always; the others when not 0
  summary=$(step_log | grep -E "^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): " \
            | sed -E 's/^([A-Za-z ]+): +([0-9]+).*/\1 \2/' | grep -Ev '^(Expected Fail|Unexpected Pass|Timeout) 0$' \
            | paste -sd, - | sed 's/,/, /g')
  summary=${summary:-"no meson summary (rc=$rc)"}
  return "$rc"
}

step_memcheck () {
  local what=${1:-kernels-gpu} bin cap rc line
  case $what in
    kernels-gpu) bin=$BUILD/tests/kernels/test-kernels-gpu; cap=450 ;;
    kernels-backward-gpu) bin=$BUILD/tests/kernels/test-kernels-backward-gpu; cap=450 ;;
    profiler-lanes) bin=$BUILD/tests/profiler/gpu/test-profiler-lanes; cap=300 ;;
    *) summary="memcheck takes kernels-gpu, kernels-backward-gpu or profiler-lanes, not '$what'"; return 2 ;;
  esac
  need "$bin" || return 1
  # --report-api-errors no: the host-checked index-mask counter-example's capture failures are
  # expected API errors, not memory errors.
  x "$cap" compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$bin"
  rc=$?
  (( dry )) && return 0
  line=$(step_log | grep -E "ERROR SUMMARY" | tail -1)
  say "   ${line:-no ERROR SUMMARY line}"
  step_log | grep -E "all checks passed|FAIL" | head -5 | sed 's/^/   /'
  summary="${line:-no ERROR SUMMARY line} (rc=$rc)"
  [[ -n $line ]] || rc=1
  return "$rc"
}

step_sass () {
  local lib=$BUILD/kernels/libcwkernels.a ins counts=""
  [[ -f $lib ]] || (( dry )) || { summary="not built: $lib"; return 1; }
  mkdir -p "$RUN_TMP"
  (( dry )) || : > "$RUN_TMP/sass.txt"
  xo "$RUN_TMP/sass.txt" 120 cuobjdump --dump-sass "$lib" || { summary="cuobjdump failed"; return 1; }
  (( dry )) && return 0
  for ins in HGMMA QGMMA HMMA; do
    counts+="${counts:+, }$ins $(grep -c "$ins" "$RUN_TMP/sass.txt")"
  done
  say "   $counts"
  summary=$counts
}

step_kernels () {
  local bin=$BUILD/bench/cw-bench-kernels rec n0 rc
  need "$bin" || return 1
  rec=$(records_file kernels.jsonl)
  n0=$(lines "$rec")
  x 590 "$bin" "$@" --records "$rec"
  rc=$?
  (( dry )) && return 0
  # the bench's own table: what follows its last blank line
  step_log | grep -Ev '^(rc=|== |\$ )' | awk 'NF == 0 { buf = ""; next } { buf = buf "   " $0 "\n" } END { printf "%s", buf }'
  summary="$(( $(lines "$rec") - n0 )) records -> bench/records/kernels.jsonl (rc=$rc)"
  return "$rc"
}

step_planner () {
  local bin=$BUILD/bench/cw-bench-sweep rec n0 rc
  need "$bin" || return 1
  rec=$(records_file planner.jsonl)
  n0=$(lines "$rec")
  x 300 "$bin" "$@" --records "$rec"
  rc=$?
  (( dry )) && return 0
  step_log | grep -E "^all profiles" | sed 's/^/   /'
  summary="$(( $(lines "$rec") - n0 )) records -> bench/records/planner.jsonl (rc=$rc)"
  return "$rc"
}

CLI () { echo "$BUILD/app/cli/cliffwatch-cli"; }

# merge DB OUTFILE: a fresh single-file copy of a working database (the writer closes last, so
# no -wal/-shm beside it), in the rollback-journal mode the tree keeps.
merge () {
  (( dry )) || rm -f "$2"
  x 120 "$(CLI)" receipts merge --into "$2" "$1" || return 1
  # The GPU machine has python3 but no sqlite3 shell: without this the copy came back in WAL mode.
  x 30 python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=DELETE").fetchall()' "$2"
  return 0
}

step_exec-engines () {
  local W=/tmp/cw-exec rc
  need "$(CLI)" || return 1
  mkdir -p "$W" "$RUN_TMP"
  (( dry )) || rm -f "$W"/engines.db*
  x 590 python3 bench/engines/cw_engines_profile.py --cli "$(CLI)" --db "$W/engines.db" \
    --log "$RUN_TMP/engines-log.txt"
  rc=$?
  (( dry )) || { echo "== engines-log.txt (every profile --exec command and its output)"; cat "$RUN_TMP/engines-log.txt"; } >> "$LOG" 2>/dev/null
  merge "$W/engines.db" "$OUT/h200-engines.db" || rc=1
  x 120 "$(CLI)" receipts compare "$OUT/h200-engines.db" || rc=1
  (( dry )) && return 0
  summary="$(step_log | grep -E "checked" | tail -1) -> h200-engines.db (rc=$rc)"
  return "$rc"
}

step_exec-overhead () {
  local n=${1:-5} rec n0 rc
  need "$(CLI)" || return 1
  mkdir -p /tmp/cw-exec "$RUN_TMP"
  rec=$(records_file exec-overhead.jsonl)
  n0=$(lines "$rec")
  x 590 python3 bench/engines/cw_engines_profile.py --cli "$(CLI)" --db /tmp/cw-exec/overhead.db --engine none \
    --overhead "$n" --records "$rec" --log "$RUN_TMP/overhead-log.txt"
  rc=$?
  (( dry )) && return 0
  cat "$RUN_TMP/overhead-log.txt" >> "$LOG" 2>/dev/null
  step_log | grep -E "^(engine|transformers|megatron|v4-reference|v32-exp) " | sed 's/^/   /'
  summary="$(( $(lines "$rec") - n0 )) records -> bench/records/exec-overhead.jsonl (rc=$rc)"
  return "$rc"
}

# profile_set NAME DB: the receipt sweep of one preset (NAME: v4-flash, v3.2 or fp8).
profile_set () {
  local name=$1 db=$2 rc=0
  local P
  case $name in
    v4-flash)
      P=(--db "$db" --preset v4-flash)
      x 590 "$(CLI)" profile "${P[@]}" --lane materialize --sweep-sq 4096:32768:x2 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane materialize --sweep-sq 36864:53248:+4096 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane materialize --sweep-sq 46080:48128:+1024 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane fused --sweep-sq 4096:262144:x2 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane fused --sweep-sq 327680:458752:+65536 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane fused --sweep-sq 360448:376832:+16384 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane streaming --sweep-sq 4096:1048576:x4 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane streaming --sq 8388608 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane index-mask,index-mask-host-checked --sq 4096 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane materialize,fused,streaming --sq 512 --k 64 --recall || rc=1
      ;;
    v3.2)
      P=(--db "$db" --preset v3.2)
      x 590 "$(CLI)" profile "${P[@]}" --lane materialize --sweep-sq 4096:16384:x2 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane materialize --sweep-sq 20480:28672:+4096 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane fused --sweep-sq 4096:131072:x2 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane fused --sweep-sq 163840:196608:+16384 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane streaming --sweep-sq 4096:262144:x4 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane streaming --sq 8388608 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane index-mask,index-mask-host-checked --sq 4096 || rc=1
      ;;
    fp8)
      P=(--db "$db" --preset v4-flash --q-dtype fp8-e4m3 --k-dtype fp8-e4m3)
      x 590 "$(CLI)" profile "${P[@]}" --lane materialize --sweep-sq 4096:32768:x2 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane materialize --sweep-sq 46080:49152:+1024 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane fused --sweep-sq 4096:262144:x2 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane fused --sweep-sq 360448:393216:+16384 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane streaming --sweep-sq 4096:262144:x4 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane streaming --sq 16777216 || rc=1
      ;;
    train)
      # issue 18: the gradcheck lanes at small odd shapes (b > 1, compressed causal, top_k
      # above L(s)) and at V4-Flash dims; the training steps past their cliffs (the dense
      # warm-up backward computes every legal key: to 65,536 only).
      P=(--db "$db" --preset v4-flash)
      x 590 "$(CLI)" profile "${P[@]}" --lane gradcheck,gradcheck-dense --b 2 --h 16 --d 64 --sq 333 \
        --top-k 64 --budget 64K || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane gradcheck,gradcheck-dense --b 3 --h 16 --d 64 --sq 333 \
        --top-k 64 --budget 64K --q-dtype fp8-e4m3 --k-dtype fp8-e4m3 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane gradcheck,gradcheck-dense --b 2 --sq 512 --k 64 --budget 256K || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane streaming-train --sweep-sq 4096:1048576:x4 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane streaming-train-dense --sweep-sq 4096:65536:x4 || rc=1
      x 590 "$(CLI)" profile "${P[@]}" --lane fused-train --sweep-sq 4096:262144:x2 || rc=1
      ;;
  esac
  return "$rc"
}

step_profiler () {
  local W=/tmp/cw-receipts part name db out rc=0 compared=""
  local parts=("$@")
  (( ${#parts[@]} )) || parts=(sweep overhead)
  need "$(CLI)" || return 1
  mkdir -p "$W"
  for part in "${parts[@]}"; do
    case $part in
      sweep) set -- v4-flash v3.2 ;;
      v4-flash|v3.2|fp8|train) set -- "$part" ;;
      overhead) set -- ;;
      *) summary="profiler parts: sweep, v4-flash, v3.2, fp8, overhead, train; not '$part'"; return 2 ;;
    esac
    for name in "$@"; do
      db=$W/$name.db
      case $name in
        v4-flash) out=$OUT/h200-deepseek-v4-flash.db ;;
        v3.2) out=$OUT/h200-deepseek-v3.2.db ;;
        fp8) out=$OUT/h200-deepseek-v4-flash-fp8.db ;;
        train) out=$OUT/h200-deepseek-v4-flash-train.db ;;
      esac
      (( dry )) || rm -f "$db" "$db"-wal "$db"-shm
      profile_set "$name" "$db" || rc=1
      x 120 "$(CLI)" receipts compare "$db" || rc=1
      (( dry )) || compared+="${compared:+; }$name: $(step_log | grep -E "checked" | tail -1)"
      x 120 "$(CLI)" receipts list "$db" || rc=1
      merge "$db" "$out" || rc=1
    done
    if [[ $part == overhead ]]; then
      db=$W/overhead.db
      (( dry )) || rm -f "$db" "$db"-wal "$db"-shm
      for lane in "materialize --sq 32768" "fused --sq 65536" "streaming --sq 65536" "streaming --sq 262144"; do
        # shellcheck disable=SC2086 # the lane and its size are two words
        x 590 "$(CLI)" profile --db "$db" --preset v4-flash --lane $lane --overhead 20 --no-capture || rc=1
      done
      merge "$db" "$OUT/h200-overhead.db" || rc=1
      (( dry )) || step_log | grep -E "overhead" | grep -v '^\$' | cut -c1-160 | sed 's/^/   /'
    fi
  done
  (( dry )) && return 0
  [[ -n $compared ]] && say "   $compared"
  summary="${compared:-overhead} (rc=$rc)"
  return "$rc"
}

step_transfer () {
  local T=$BUILD/profiler/transfer/cliffwatch-index-transfer W=/tmp/cw-transfer rc=0 gpus
  if (( dry )); then gpus=2; else gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU'); fi
  if (( gpus < 2 )); then summary="needs 2 GPUs (kind nvidia-h200-x2), found $gpus"; return 1; fi
  need "$(CLI)" || return 1
  if [[ ! -x $T ]] && (( ! dry )); then
    summary="cliffwatch-index-transfer was not built (NCCL not found? NCCL_HOME=${NCCL_HOME:-unset})"
    return 1
  fi
  x 30 nvidia-smi topo -m
  (( dry )) || { rm -rf "$W"; mkdir -p "$W"; rm -f "$OUT/transfer.jsonl"; }
  xo "$OUT/transfer.jsonl" 120 "$T" --launch 2 --sq 4096 --repeats 2 || { summary="smoke run failed"; return 1; }
  if [[ ${1:-} != smoke ]]; then
    xo "$OUT/transfer.jsonl" 240 "$T" --launch 2 --preset deepseek-v4-flash --sq 32768,131072,524288 --repeats 5 \
      --db "$W/v4flash-rank%r.db" || rc=1
    xo "$OUT/transfer.jsonl" 300 "$T" --launch 2 --preset deepseek-v3.2 --sq 32768,131072,524288 --repeats 3 \
      --db "$W/v32-rank%r.db" || rc=1
    (( dry )) || rm -f "$OUT/h200x2-index-transfer.db"
    if (( dry )); then
      x 120 "$(CLI)" receipts merge --into "$OUT/h200x2-index-transfer.db" "$W/v4flash-rank0.db" "$W/..."
    else
      x 120 "$(CLI)" receipts merge --into "$OUT/h200x2-index-transfer.db" "$W"/*.db || rc=1
    fi
    x 60 "$(CLI)" receipts list "$OUT/h200x2-index-transfer.db" --limit 40
  fi
  (( dry )) && return 0
  python3 - "$OUT/transfer.jsonl" <<'PY'
import json, sys
print("   %-18s %8s %5s %14s %10s %9s %12s %12s %6s" % ("preset", "sq", "rank", "payload B", "recv ms", "GB/s",
                                                       "recompute ms", "full ms", "match"))
for line in open(sys.argv[1]):
    r = json.loads(line)
    print("   %-18s %8d %5d %14d %10.3f %9.2f %12.3f %12.3f %6s" % (r["preset"], r["sq"], r["rank"], r["payload_bytes"],
          r["recv_s"] * 1e3, r["recv_gbps"], r["recompute_s"] * 1e3, r["full_layer_s"] * 1e3, r["recompute_matches"]))
PY
  summary="$(lines "$OUT/transfer.jsonl") lines -> transfer.jsonl, h200x2-index-transfer.db (rc=$rc)"
  return "$rc"
}

step_engines () {
  local S=bench/engines/cw_engines.py T=/tmp/cwtraces parts=("$@") part L n e rc=0
  (( ${#parts[@]} )) || parts=(dump trace uncached)
  mkdir -p "$T" "$RUN_TMP"
  for part in "${parts[@]}"; do
    case $part in
      dump)
        # installed versions into the log; the installed DeepSeek-V3.2 modeling files -> a tgz
        x 120 python3 -c '
import os, shutil, torch, transformers
from transformers.models.deepseek_v32 import modeling_deepseek_v32 as M
print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name())
p = torch.cuda.get_device_properties(0)
print("sm", p.multi_processor_count, "regs/sm", p.regs_per_multiprocessor, "total", p.total_memory)
print("transformers", transformers.__version__, M.__file__)
os.makedirs("/tmp/cw-run/upstream", exist_ok=True)
d = os.path.dirname(M.__file__)
for f in ("modeling_deepseek_v32.py", "configuration_deepseek_v32.py"):
    if os.path.exists(os.path.join(d, f)):
        shutil.copy(os.path.join(d, f), "/tmp/cw-run/upstream")' || rc=1
        x 60 tar czf "$OUT/engines-upstream.tgz" -C "$RUN_TMP/upstream" . || rc=1
        ;;
      trace|extra)
        # every shape of the plan (extra: off-plan shapes for the profiles' other branches), caching
        # allocator on, --trace: exact tensor-level peaks from PyTorch's memory history
        local out=$OUT/engines-$part.jsonl
        (( dry )) || : > "$out"
        n=0
        if [[ $part == trace ]]; then
          mapfile -t plan < <(python3 "$S" --plan)
        else
          plan=("--engine transformers --b 2 --sq 2000 --h 16 --d 64 --top-k 512 --mask float"
                "--engine megatron --b 2 --sq 4096 --sk 64 --h 16 --d 128"
                "--engine v4-reference --b 1 --sq 1000 --h 64 --d 128 --top-k 512"
                "--engine v32-exp --b 2 --sq 2048 --h 32 --d 128 --top-k 512 --max-seq-len 4096")
          n=100
        fi
        (( dry )) || rm -f "$T"/t*.json
        for L in "${plan[@]}"; do
          n=$(( n + 1 ))
          # shellcheck disable=SC2086 # L is a line of arguments
          xo "$out" 300 python3 "$S" $L --trace "$T/t$n.json"
          e=$?
          (( e == 0 || e == 3 )) || rc=1      # 3: out of memory, expected past the cliff
        done
        x 120 tar czf "$OUT/engines-$part-traces.tgz" -C "$T" . || rc=1
        ;;
      uncached|allun)
        # PYTORCH_NO_CUDA_MEMORY_CACHING=1 (what the profiler measures): uncached = the first and
        # the last (OOM) shape of each engine with their JSON; allun = every shape, exit codes only
        local out=$OUT/engines-uncached.jsonl
        [[ $part == allun ]] && out=/dev/null
        [[ $part == uncached ]] && { (( dry )) || : > "$out"; }
        if [[ $part == uncached ]]; then
          plan=()
          for e in transformers megatron v4-reference v32-exp; do
            mapfile -t -O "${#plan[@]}" plan < <(python3 "$S" --plan --engine "$e" | sed -n '1p;$p')
          done
        else
          mapfile -t plan < <(python3 "$S" --plan)
        fi
        for L in "${plan[@]}"; do
          # shellcheck disable=SC2086
          xo "$out" 300 env PYTORCH_NO_CUDA_MEMORY_CACHING=1 python3 "$S" $L
          e=$?
          (( e == 0 || e == 3 )) || rc=1
          (( dry )) || say "   $part rc=$e  $L"
        done
        ;;
      train)
        # training steps (autograd through the megatron transcription, loss.backward()), caching
        # allocator on, --trace: each half's peak and the live bytes at the boundary; compare with
        # python3 bench/engines/cw_engines_predict.py --backward $OUT/engines-train.jsonl
        (( dry )) || : > "$OUT/engines-train.jsonl"
        (( dry )) || rm -f "$T"/b*.json
        mapfile -t plan < <(python3 "$S" --plan --backward)
        n=0
        for L in "${plan[@]}"; do
          n=$(( n + 1 ))
          # shellcheck disable=SC2086
          xo "$OUT/engines-train.jsonl" 300 python3 "$S" $L --trace "$T/b$n.json"
          e=$?
          (( e == 0 || e == 3 )) || rc=1
        done
        x 120 tar czf "$OUT/engines-train-traces.tgz" -C "$T" . || rc=1
        ;;
      topk)
        (( dry )) || : > "$OUT/engines-topk.jsonl"
        xo "$OUT/engines-topk.jsonl" 300 python3 bench/engines/cw_topk_probe.py || rc=1
        ;;
      *) summary="engines parts: dump, trace, uncached, topk, extra, allun, train; not '$part'"; return 2 ;;
    esac
  done
  (( dry )) && return 0
  step_log | grep -E "^rc=" | sort | uniq -c | sed 's/^/   /'
  summary="${parts[*]} -> \$OUT/engines-* (rc=$rc)"
  return "$rc"
}

# ---- run ----------------------------------------------------------------------------------

if (( ! dry )); then
  mkdir -p "$OUT" "$RUN_TMP"
  : >> "$LOG"
  say "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | paste -sd';' -)"
else
  echo "== dry run: the commands each step would run (OUT=$OUT, BUILD=$BUILD)"
fi
say "== source revision: ${CW_SOURCE_REVISION:-unknown (set CW_SOURCE_REVISION: the device has no .git)}"
say "== $CW_RUN_COMMAND   (deadline ${deadline_s} s)"

table=()
status=0
for i in "${!names[@]}"; do
  name=${names[i]}
  IFS=$'\x1f' read -r -a args <<< "${argv_[i]}"
  [[ -z ${argv_[i]} ]] && args=()
  summary=""
  (( dry )) && summary="(dry run)"
  step_at=0
  (( dry )) || step_at=$(stat -c %s "$LOG")
  t0=$SECONDS
  if (( ! dry && $(left) < 30 )); then
    rc=124; summary="not started: $(left) s left of ${deadline_s} s"
  else
    say "== step $name${args[*]:+ ${args[*]}}   ($(left) s left)"
    "step_$name" "${args[@]}"
    rc=$?
  fi
  (( rc == 0 )) || status=1
  table+=("$(printf '%-14s %4s %5s  %s' "$name" "$rc" "$(( SECONDS - t0 ))" "$summary")")
done

if (( ! dry )); then
  # a records file no step wrote to would only add an empty file to the tree
  [[ -d $OUT/bench/records ]] && find "$OUT/bench/records" -name '*.jsonl' -empty -delete
  # what the device tool brings back: 8 files, 16 MiB each, two folders deep
  nfiles=$(find "$OUT" -type f | wc -l)
  (( nfiles > 8 )) && say "!! $nfiles files under \$OUT: only 8 come back"
  find "$OUT" -type f -size +16M -printf '!! %p is over 16 MiB: it will not come back\n' | tee -a "$LOG"
  find "$OUT" -mindepth 4 -type f -printf '!! %p is too deep to come back\n' | tee -a "$LOG"
  say ""
  say "log: \$OUT/log.txt; records: $(cd "$OUT" 2>/dev/null && find bench -name '*.jsonl' 2>/dev/null | paste -sd' ' -)"
  say "then here: cp FILES_AT/bench/records/*.jsonl bench/records/ && python3 bench/cw-results.py"
fi
say ""
say "$(printf '%-14s %4s %5s  %s' step rc s result)"
for row in "${table[@]}"; do say "$row"; done
exit $status
