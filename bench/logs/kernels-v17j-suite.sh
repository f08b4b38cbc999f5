#!/usr/bin/env bash
# kernels v17j on the device — NOT RUN (no device was lent at the end of the
# session of 2026-11-23; run it first next time). One call (carry [".debs"]): the GPU suite and
# memcheck on the session's final tree (after the last mends of the
# change: shared turn-order and reduce-scatter helpers; cubin .text
# byte-identical to v17i's, compared with nvcc 13.0 before the call), and
# bf16 S=65,536 three times.
#   bash bench/logs/kernels-v17j-suite.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu
meson test -C "$BUILD" --suite gpu --suite kernels-cpu --suite profiler-cpu --print-errorlogs 2>&1 | tee "$OUT/gpu-suite.txt" | tail -12
cp "$BUILD/meson-logs/testlog.txt" "$OUT/gpu-suite-testlog.txt"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 300 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/sanitizer.txt" 2>&1
echo "sanitizer rc=$? $(grep -E 'ERROR SUMMARY|passed' "$OUT/sanitizer.txt" | tr '\n' ' ')" | tee "$OUT/sanitizer-summary.txt"
rm -f "$OUT/sanitizer.txt"
for rep in 1 2 3; do
  timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling 2>&1 | grep -E "^streaming S=" | sed "s/^/rep=$rep: /"
done | tee "$OUT/bench-65536.txt"
rm -f "$OUT/build.txt"
