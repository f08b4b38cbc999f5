#!/usr/bin/env bash
# kernels v17c on the device, one call (carry [".debs"]): the check of the
# tree with the overlapped split-N consumer as the default (v17b). Full
# build, the GPU suite (now also kernels-gpu-m64n256: the same tests under
# CW_WS_SPLIT_N=0) with the CPU kernel/profiler suites, compute-sanitizer
# memcheck on the kernel tests, then the bf16 bench (ceiling, S=65,536 ..
# 1,048,576, split at 262,144 and at 1,048,576), the fp8 bench, S=4,194,304
# once, and three alternating pairs at S=65,536 (split-N vs m64n256).
#   bash bench/logs/kernels-v17c-final.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
meson test -C "$BUILD" --suite gpu --suite kernels-cpu --suite profiler-cpu --print-errorlogs 2>&1 | tee "$OUT/gpu-suite.txt" | tail -12
cp "$BUILD/meson-logs/testlog.txt" "$OUT/gpu-suite-testlog.txt"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 300 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/sanitizer.txt" 2>&1
echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY|passed" "$OUT/sanitizer.txt" | head -3
timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 1048576 --no-oom --no-ceiling --split 1048576 2>&1 \
  | grep -E "^split" | tee "$OUT/bench-split-1m.txt"
timeout 60 "$BUILD/bench/cw-bench-kernels" --fp8 --sizes 65536,262144,1048576 --no-oom --no-ceiling --split 262144 2>&1 \
  | tee "$OUT/bench-fp8.txt"
timeout 200 "$BUILD/bench/cw-bench-kernels" --sizes 4194304 --no-oom --no-ceiling --split 1 2>&1 | tee "$OUT/bench-4m.txt"
for rep in 1 2 3; do
  for sn in 1 0; do
    CW_WS_SPLIT_N=$sn timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling 2>&1 \
      | grep -E "^streaming S=" | sed "s/^/split_n=$sn rep=$rep: /"
  done
done | tee "$OUT/bench-65536-ab.txt"
rm -f "$OUT/build.txt"
