#!/usr/bin/env bash
# kernels v16i on the device, one call (carry [".debs"]): the GPU suite and
# memcheck on the session's last tree (host-only kernel change and two more
# crafted top-k shapes since v16f), then bf16 S=65,536 three times.
#   bash bench/logs/kernels-v16i-suite.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
grep -iE "warning|spill" "$OUT/build.txt" | grep -v " 0 bytes spill" | head -5
meson test -C "$BUILD" --suite gpu --suite kernels-cpu --suite profiler-cpu --print-errorlogs 2>&1 | tee "$OUT/gpu-suite.txt" | tail -12
cp "$BUILD/meson-logs/testlog.txt" "$OUT/gpu-suite-testlog.txt"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 300 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/sanitizer.txt" 2>&1
echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY|passed" "$OUT/sanitizer.txt" | head -3
for rep in 1 2 3; do
  timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling 2>&1 | grep -E "^streaming S=" | sed "s/^/rep=$rep: /"
done | tee "$OUT/bench-65536.txt"
rm -f "$OUT/build.txt"
