#!/usr/bin/env bash
# One device call for `profile --exec`: build, the GPU suite (which includes exec-gpu: the
# known-allocation program byte for byte and a PyTorch program), every engine shape measured under
# the injection with its profile's prediction, and the injection's overhead.
# Usage (device run, kind nvidia-h200, carry [".debs"]):
#   bash bench/cw-exec-device-run.sh [STEPS]      STEPS: build,suite,engines,overhead (default: all)
# Results in $OUT: gpu-suite.txt, engines.txt (one line per shape + the overhead table),
# engines-log.txt (every command and its output), h200-engines.db (a fresh single-file copy made by
# `receipts merge`), compare.txt (`receipts compare` over it).
set -o pipefail
steps=${1:-build,suite,engines,overhead}
OUT=${OUT:-/tmp/cwout}
mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
echo "== source revision: ${CW_SOURCE_REVISION:-unknown}"
if [[ $steps == *build* ]]; then
  t0=$(date +%s)
  source tools/device-build.sh || { echo "build failed"; exit 1; }
  echo "build: $(( $(date +%s) - t0 )) s"
fi
export BUILD=${BUILD:-/tmp/cwbuild}
libdir=$(dirname "$(ldconfig -p | awk '/libsqlite3.so.0 /{print $NF; exit}')")
export LD_LIBRARY_PATH="$libdir:/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CW_DATA_DIR=$PWD/data
CLI="$BUILD/app/cli/cliffwatch-cli"
if [[ $steps == *suite* ]]; then
  t0=$(date +%s)
  meson test -C "$BUILD" --suite gpu --print-errorlogs --num-processes 1 > "$OUT/gpu-suite.txt" 2>&1
  echo "gpu suite rc=$? ($(( $(date +%s) - t0 )) s)"
  grep -E "^ *[0-9]+/[0-9]+ |^(Ok|Fail|Skipped):" "$OUT/gpu-suite.txt"
fi
W=/tmp/cw-exec
mkdir -p $W
if [[ $steps == *engines* ]]; then
  t0=$(date +%s)
  rm -f $W/engines.db*
  python3 bench/engines/cw_engines_profile.py --cli "$CLI" --db $W/engines.db --log "$OUT/engines-log.txt" \
    | tee "$OUT/engines.txt"
  echo "engines: $(( $(date +%s) - t0 )) s"
  rm -f "$OUT/h200-engines.db"
  "$CLI" receipts merge --into "$OUT/h200-engines.db" $W/engines.db > /dev/null && \
    sqlite3 "$OUT/h200-engines.db" "PRAGMA journal_mode=DELETE;" > /dev/null 2>&1
  "$CLI" receipts compare "$OUT/h200-engines.db" > "$OUT/compare.txt" 2>&1
  echo "compare rc=$?"; tail -1 "$OUT/compare.txt"
fi
if [[ $steps == *overhead* ]]; then
  python3 bench/engines/cw_engines_profile.py --cli "$CLI" --db $W/overhead.db --engine none --overhead 5 --records "$OUT/exec-overhead.jsonl" \
    --log "$OUT/engines-log.txt" 2>&1 | tee -a "$OUT/engines.txt" | tail -6
fi
