#!/usr/bin/env bash
# kernels v13c on the device, one call (carry [".debs"]): the final check of
# this round at the committed tree. Full build (tools/device-build.sh), the
# GPU suite with the CPU kernel/profiler suites, then the bf16 bench
# (S=65,536 .. 1,048,576, split at 262,144), the fp8 bench, S=4,194,304 once.
#   bash bench/logs/kernels-v13c-final.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
meson test -C "$BUILD" --suite gpu --suite kernels-cpu --suite profiler-cpu --print-errorlogs 2>&1 | tee "$OUT/gpu-suite.txt" | tail -12
cp "$BUILD/meson-logs/testlog.txt" "$OUT/gpu-suite-testlog.txt"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
timeout 60 "$BUILD/bench/cw-bench-kernels" --fp8 --sizes 65536,262144,1048576 --no-oom --no-ceiling --split 262144 2>&1 \
  | tee "$OUT/bench-fp8.txt"
timeout 200 "$BUILD/bench/cw-bench-kernels" --sizes 4194304 --no-oom --no-ceiling --split 1 2>&1 | tee "$OUT/bench-4m.txt"
rm -f "$OUT/build.txt"
