#!/usr/bin/env bash
# One device call for the profiler: build, the profiler GPU test, the receipt
# sweeps of every lane past its cliff, and the overhead measurement.
# Usage (device run, kind nvidia-h200, carry [".debs"]):
#   bash bench/cw-profiler-device-run.sh [STEPS]     STEPS: build,test,sweep,overhead (default all)
# Receipts: $OUT/h200-v4flash.db (sweeps) and $OUT/h200-overhead.db; logs in $OUT/*.txt.
set -o pipefail
steps=${1:-build,test,sweep,overhead}
OUT=${OUT:-/tmp/cwout}
mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH
export BUILD=${BUILD:-/tmp/cwbuild}
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
if [[ $steps == *build* ]]; then
  t0=$(date +%s)
  if ! bash tools/device-build.sh > "$OUT/build.txt" 2>&1; then
    echo "device-build.sh failed (tail below); building the profiler's targets only"
    tail -15 "$OUT/build.txt"
    ninja -C "$BUILD" app/cli/cliffwatch-cli tests/gpu/test-profiler-lanes >> "$OUT/build.txt" 2>&1 \
      || { tail -40 "$OUT/build.txt"; exit 1; }
  fi
  echo "build: $(( $(date +%s) - t0 )) s"
fi
libdir=$(dirname "$(ldconfig -p | awk '/libsqlite3.so.0 /{print $NF; exit}')")
export LD_LIBRARY_PATH="$libdir:/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CW_DATA_DIR=$PWD/data
CLI="$BUILD/app/cli/cliffwatch-cli"
if [[ $steps == *test* ]]; then
  t0=$(date +%s)
  "$BUILD/tests/gpu/test-profiler-lanes" > "$OUT/test.txt" 2>&1
  echo "test-profiler-lanes rc=$?" | tee -a "$OUT/test.txt"
  cat "$OUT/test.txt" | cut -c1-400
  echo "test: $(( $(date +%s) - t0 )) s"
fi
if [[ $steps == *sweep* ]]; then
  t0=$(date +%s)
  DB="$OUT/h200-v4flash.db"
  run () { echo "\$ cliffwatch-cli $*" >> "$OUT/sweep.txt"; "$CLI" "$@" >> "$OUT/sweep.txt" 2>&1; echo "rc=$?" >> "$OUT/sweep.txt"; }
  P="--db $DB --preset v4-flash"
  run profile $P --lane materialize --sweep-sq 4096:32768:x2
  run profile $P --lane materialize --sweep-sq 36864:53248:+4096
  run profile $P --lane fused --sweep-sq 4096:262144:x2
  run profile $P --lane fused --sweep-sq 327680:458752:+65536
  run profile $P --lane streaming --sweep-sq 4096:1048576:x4
  run profile $P --lane streaming --sq 8388608
  run profile $P --lane index-mask,index-mask-host-checked --sq 4096
  run profile $P --lane materialize,fused,streaming --sq 512 --k 64 --recall
  run receipts compare "$DB"
  run receipts list "$DB"
  grep -v "^profile: point" "$OUT/sweep.txt" | cut -c1-200
  echo "sweep: $(( $(date +%s) - t0 )) s"
fi
if [[ $steps == *overhead* ]]; then
  t0=$(date +%s)
  "$CLI" profile --db "$OUT/h200-overhead.db" --preset v4-flash --lane fused,streaming --sq 65536 \
    --overhead 20 --no-capture > "$OUT/overhead.txt" 2>&1
  echo "overhead rc=$?" >> "$OUT/overhead.txt"
  cat "$OUT/overhead.txt"
  echo "overhead: $(( $(date +%s) - t0 )) s"
fi
