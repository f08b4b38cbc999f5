#!/usr/bin/env bash
# kernels v16f on the device, one call (carry [".debs"]): the final check of
# this round at the committed tree. Full build (tools/device-build.sh), the
# GPU suite with the CPU kernel/profiler suites, compute-sanitizer memcheck
# on the kernel tests, then the bf16 bench (ceiling, S=65,536 .. 1,048,576,
# split at 262,144), the fp8 bench, S=4,194,304 once, and three more
# alternating pairs at S=65,536 (TMA producer vs CW_WS_TMA=0).
#   bash bench/logs/kernels-v16f-final.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader) rev $(git rev-parse --short=12 HEAD 2>/dev/null)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
meson test -C "$BUILD" --suite gpu --suite kernels-cpu --suite profiler-cpu --print-errorlogs 2>&1 | tee "$OUT/gpu-suite.txt" | tail -12
cp "$BUILD/meson-logs/testlog.txt" "$OUT/gpu-suite-testlog.txt"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 300 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/sanitizer.txt" 2>&1
echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY|passed" "$OUT/sanitizer.txt" | head -3
timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
timeout 60 "$BUILD/bench/cw-bench-kernels" --fp8 --sizes 65536,262144,1048576 --no-oom --no-ceiling --split 262144 2>&1 \
  | tee "$OUT/bench-fp8.txt"
timeout 200 "$BUILD/bench/cw-bench-kernels" --sizes 4194304 --no-oom --no-ceiling --split 1 2>&1 | tee "$OUT/bench-4m.txt"
# S=65,536 again, TMA producer (default) and cp.async producer alternating
for rep in 1 2 3; do
  for tma in 1 0; do
    CW_WS_TMA=$tma timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling 2>&1 \
      | grep -E "^streaming S=" | sed "s/^/tma=$tma rep=$rep: /"
  done
done | tee "$OUT/bench-65536-ab.txt"
rm -f "$OUT/build.txt"
