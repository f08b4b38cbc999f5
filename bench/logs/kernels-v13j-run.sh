#!/usr/bin/env bash
# kernels v13j on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v13j-run.sh
# v13j: the last read of the change: the score kernel without the v12a
# start-offset orders (measured null), the top-k's row traversal written
# once (scan_row_groups). Full build, the GPU suite (serial), the kernel
# tests forced to 512 threads too, memcheck, the split twice, the benches.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
meson test -C "$BUILD" --suite gpu --suite kernels-cpu --suite profiler-cpu 2>&1 | tail -9 | tee "$OUT/gpu-suite.txt"
cp "$BUILD/meson-logs/testlog.txt" "$OUT/gpu-suite-testlog.txt"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
CW_TOPK_THREADS=512 timeout 90 "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/test-512.txt" 2>&1
echo "test CW_TOPK_THREADS=512 rc=$? $(tail -1 "$OUT/test-512.txt")"
timeout 200 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" \
  > "$OUT/sanitizer.txt" 2>&1
echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY" "$OUT/sanitizer.txt"
for rep in 1 2; do
  for split in 65536 262144; do
    echo "== rep $rep --split $split"
    timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes $split --no-oom --no-ceiling --split $split 2>&1 | grep -E "^streaming|^split"
  done
done 2>&1 | tee "$OUT/ab.txt"
timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
timeout 60 "$BUILD/bench/cw-bench-kernels" --fp8 --sizes 65536,262144,1048576 --no-oom --no-ceiling --split 262144 2>&1 \
  | tee "$OUT/bench-fp8.txt"
rm -f "$OUT/build.txt"
