#!/usr/bin/env bash
# kernels v13k on the device (carry [".debs"]): the setmaxnreg guard (the ws
# kernel declines, and the v9 kernel runs, if it was launched with fewer
# registers than its consumers take). Full build, GPU suite (serial),
# memcheck, and the split at S=65,536 and S=262,144 once (the ws kernel must
# still be the one that runs: same times as v13j).
#   bash bench/logs/kernels-v13k-check.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
meson test -C "$BUILD" --suite gpu --suite kernels-cpu --suite profiler-cpu 2>&1 | tail -9 | tee "$OUT/gpu-suite.txt"
cp "$BUILD/meson-logs/testlog.txt" "$OUT/gpu-suite-testlog.txt"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 200 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" \
  > "$OUT/sanitizer.txt" 2>&1
echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY" "$OUT/sanitizer.txt"
for split in 65536 262144; do
  timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes $split --no-oom --no-ceiling --split $split 2>&1 | grep -E "^streaming|^split"
done 2>&1 | tee "$OUT/ab.txt"
rm -f "$OUT/build.txt"
