#!/usr/bin/env bash
# One device call for the profiler: build, the profiler GPU test, the receipt
# sweeps of every lane past its cliff (V4-Flash and V3.2 presets), and the
# profiler-overhead measurement.
# Usage (device run, kind nvidia-h200, carry [".debs"]):
#   bash bench/cw-profiler-device-run.sh [STEPS]
#   STEPS: build,test,sweep,overhead (default), plus fp8 (V4-Flash with fp8-e4m3 q/k),
#   sanitize (compute-sanitizer memcheck on the profiler GPU test), flash (the V4-Flash
#   sweep alone: "sweep" runs V4-Flash and V3.2) and kerneltest (test-kernels-gpu first)
# Results in $OUT: h200-deepseek-v4-flash.db, h200-deepseek-v3.2.db, h200-overhead.db
# (fresh single-file copies made by `receipts merge`), run.txt, sweep.txt, overhead.txt.
set -o pipefail
steps=${1:-build,test,sweep,overhead}
OUT=${OUT:-/tmp/cwout}
mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH
export BUILD=${BUILD:-/tmp/cwbuild}
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
echo "== source revision: ${CW_SOURCE_REVISION:-unknown (set CW_SOURCE_REVISION when running from a git archive)}"
if [[ $steps == *build* ]]; then
  t0=$(date +%s)
  if ! bash tools/device-build.sh > /tmp/cw-profiler-build.txt 2>&1; then
    echo "device-build.sh failed (tail below); building the profiler's targets only"
    tail -15 /tmp/cw-profiler-build.txt
    ninja -C "$BUILD" app/cli/cliffwatch-cli tests/gpu/test-profiler-lanes >> /tmp/cw-profiler-build.txt 2>&1 \
      || { tail -40 /tmp/cw-profiler-build.txt; exit 1; }
  fi
  echo "build: $(( $(date +%s) - t0 )) s"
fi
libdir=$(dirname "$(ldconfig -p | awk '/libsqlite3.so.0 /{print $NF; exit}')")
export LD_LIBRARY_PATH="$libdir:/usr/local/cuda/lib64:/usr/local/cuda/extras/CUPTI/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CW_DATA_DIR=$PWD/data
CLI="$BUILD/app/cli/cliffwatch-cli"
W=/tmp/cw-receipts
mkdir -p $W
if [[ $steps == *kerneltest* ]]; then
  t0=$(date +%s)
  timeout 180 "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/kernels-test.txt" 2>&1
  echo "test-kernels-gpu rc=$?  ($(( $(date +%s) - t0 )) s)"
  tail -3 "$OUT/kernels-test.txt"
fi
if [[ $steps == *test* ]]; then
  t0=$(date +%s)
  "$BUILD/tests/gpu/test-profiler-lanes" 2>&1 | cut -c1-400
  echo "test-profiler-lanes rc=$?  ($(( $(date +%s) - t0 )) s)"
fi
run () { echo "\$ cliffwatch-cli $*" >> "$OUT/sweep.txt"; "$CLI" "$@" >> "$OUT/sweep.txt" 2>&1; echo "rc=$?" >> "$OUT/sweep.txt"; }
if [[ $steps == *sweep* || $steps == *flash* ]]; then
  t0=$(date +%s)
  P="--db $W/v4.db --preset v4-flash"
  run profile $P --lane materialize --sweep-sq 4096:32768:x2
  run profile $P --lane materialize --sweep-sq 36864:53248:+4096
  run profile $P --lane materialize --sweep-sq 46080:48128:+1024
  run profile $P --lane fused --sweep-sq 4096:262144:x2
  run profile $P --lane fused --sweep-sq 327680:458752:+65536
  run profile $P --lane fused --sweep-sq 360448:376832:+16384
  run profile $P --lane streaming --sweep-sq 4096:1048576:x4
  run profile $P --lane streaming --sq 8388608
  run profile $P --lane index-mask,index-mask-host-checked --sq 4096
  run profile $P --lane materialize,fused,streaming --sq 512 --k 64 --recall
  run receipts compare $W/v4.db
  run receipts list $W/v4.db
  run receipts merge --into "$OUT/h200-deepseek-v4-flash.db" $W/v4.db
fi
if [[ $steps == *sweep* ]]; then
  P="--db $W/v32.db --preset v3.2"
  run profile $P --lane materialize --sweep-sq 4096:16384:x2
  run profile $P --lane materialize --sweep-sq 20480:28672:+4096
  run profile $P --lane fused --sweep-sq 4096:131072:x2
  run profile $P --lane fused --sweep-sq 163840:196608:+16384
  run profile $P --lane streaming --sweep-sq 4096:262144:x4
  run profile $P --lane streaming --sq 8388608
  run profile $P --lane index-mask,index-mask-host-checked --sq 4096
  run receipts compare $W/v32.db
  run receipts list $W/v32.db
  # Fresh single-file copies (the writer closes last, so no -wal/-shm beside them).
  run receipts merge --into "$OUT/h200-deepseek-v3.2.db" $W/v32.db
fi
if [[ $steps == *sweep* || $steps == *flash* ]]; then
  grep -v "^profile: point" "$OUT/sweep.txt" | cut -c1-200 | tail -120
  echo "sweep: $(( $(date +%s) - t0 )) s"
fi
if [[ $steps == *fp8* ]]; then
  t0=$(date +%s)
  P="--db $W/fp8.db --preset v4-flash --q-dtype fp8-e4m3 --k-dtype fp8-e4m3"
  run profile $P --lane materialize --sweep-sq 4096:32768:x2
  run profile $P --lane materialize --sweep-sq 46080:49152:+1024
  run profile $P --lane fused --sweep-sq 4096:262144:x2
  run profile $P --lane fused --sweep-sq 360448:393216:+16384
  run profile $P --lane streaming --sweep-sq 4096:262144:x4
  run profile $P --lane streaming --sq 16777216
  run receipts compare $W/fp8.db
  run receipts list $W/fp8.db
  run receipts merge --into "$OUT/h200-deepseek-v4-flash-fp8.db" $W/fp8.db
  grep -v "^profile: point" "$OUT/sweep.txt" | cut -c1-200 | tail -60
  echo "fp8: $(( $(date +%s) - t0 )) s"
fi
if [[ $steps == *sanitize* ]]; then
  t0=$(date +%s)
  timeout 240 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no \
    "$BUILD/tests/gpu/test-profiler-lanes" > "$OUT/sanitizer.txt" 2>&1
  echo "sanitizer rc=$?" | tee -a "$OUT/sanitizer.txt"
  grep -E "ERROR SUMMARY|FAIL |cw_profiler_new|status=|rc=" "$OUT/sanitizer.txt" | cut -c1-200 | head -30
  echo "sanitize: $(( $(date +%s) - t0 )) s"
fi
if [[ $steps == *overhead* ]]; then
  t0=$(date +%s)
  for lane in "materialize --sq 32768" "fused --sq 65536" "streaming --sq 65536" "streaming --sq 262144"; do
    "$CLI" profile --db $W/overhead.db --preset v4-flash --lane $lane --overhead 20 --no-capture >> "$OUT/overhead.txt" 2>&1
    echo "rc=$?" >> "$OUT/overhead.txt"
  done
  "$CLI" receipts merge --into "$OUT/h200-overhead.db" $W/overhead.db >> "$OUT/overhead.txt" 2>&1
  grep -E "overhead|^(materialize|fused|streaming) |rc=" "$OUT/overhead.txt"
  echo "overhead: $(( $(date +%s) - t0 )) s"
fi
