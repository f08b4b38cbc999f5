#!/usr/bin/env bash
# One device call for the kernels: build, GPU tests, compute-sanitizer, bench.
# Usage (device run, carry [".debs"]): bash bench/cw-kernels-device-run.sh [STEPS] [BENCH ARGS...]
#   STEPS: comma list of build,sass,test,sanitize,bench (default build,test,sanitize,bench)
# Logs go to $OUT (build.txt, test.txt, sanitizer.txt, bench.txt).
set -o pipefail
steps=${1:-build,test,sanitize,bench}
shift || true
OUT=${OUT:-/tmp/cwout}
mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH
export BUILD=${BUILD:-/tmp/cwbuild}
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
if [[ $steps == *build* ]]; then
  t0=$(date +%s)
  # The team's script first; if it (or another layer) fails here, build only
  # the kernels' targets in a configuration without the optional layers.
  if ! bash tools/device-build.sh > "$OUT/build.txt" 2>&1; then
    echo "device-build.sh failed (tail below); building kernel targets only"
    tail -15 "$OUT/build.txt"
    BUILD=/tmp/cwbuild-k
    [ -d $BUILD ] || meson setup $BUILD -Dcuda=enabled -Dgui=disabled -Dcairo=disabled -Dsqlite=disabled \
      --buildtype=release >> "$OUT/build.txt" 2>&1 || { tail -30 "$OUT/build.txt"; exit 1; }
    ninja -C $BUILD tests/gpu/test-kernels-gpu tests/gpu/test-kernels-reference bench/cw-bench-kernels \
      >> "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
  fi
  echo "build: $(( $(date +%s) - t0 )) s, BUILD=$BUILD"
fi
[ -x /tmp/cwbuild/tests/gpu/test-kernels-gpu ] || BUILD=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
if [[ $steps == *sass* ]]; then
  # which matrix instructions the kernels really use (HGMMA = wgmma bf16, QGMMA = fp8, HMMA = mma.sync)
  for ins in HGMMA QGMMA HMMA; do
    echo "$ins: $(cuobjdump --dump-sass "$BUILD/kernels/libcwkernels.a" 2>/dev/null | grep -c "$ins")"
  done
fi
if [[ $steps == *test* ]]; then
  t0=$(date +%s)
  "$BUILD/tests/gpu/test-kernels-reference" > "$OUT/test.txt" 2>&1
  timeout 180 "$BUILD/tests/gpu/test-kernels-gpu" >> "$OUT/test.txt" 2>&1; echo "test-kernels-gpu rc=$?" >> "$OUT/test.txt"
  grep -E "FAIL|FATAL|rc=|passed|seed" "$OUT/test.txt" | head -30
  echo "test: $(( $(date +%s) - t0 )) s"
fi
if [[ $steps == *sanitize* ]]; then
  t0=$(date +%s)
  timeout 300 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/sanitizer.txt" 2>&1
  # --report-api-errors no: the host-checked counter-example's capture
  # failures (900/901) are expected API errors, not memory errors.
  echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY|FAIL|passed" "$OUT/sanitizer.txt" | head -10
  echo "sanitize: $(( $(date +%s) - t0 )) s"
fi
if [[ $steps == *bench* ]]; then
  timeout 400 "$BUILD/bench/cw-bench-kernels" "$@" 2>&1 | tee "$OUT/bench.txt"
fi
