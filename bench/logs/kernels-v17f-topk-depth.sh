#!/usr/bin/env bash
# kernels v17f on the device, one call (carry [".debs"]): the top-k with 8
# loads in flight per thread for launches of few long rows (S=1M), and its
# sample loads batched. GPU suite (kernels-gpu-alt forces CW_TOPK_DEPTH=8),
# memcheck under the default and under CW_TOPK_DEPTH=8, then A/B at S=1M
# (split: score + top-k) with the automatic depth (8 there) and forced 4,
# and the full bench table.
#   bash bench/logs/kernels-v17f-topk-depth.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
meson test -C "$BUILD" --suite gpu --suite kernels-cpu --suite profiler-cpu --print-errorlogs 2>&1 | tee "$OUT/gpu-suite.txt" | tail -12
cp "$BUILD/meson-logs/testlog.txt" "$OUT/gpu-suite-testlog.txt"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for v in "CW_TOPK_DEPTH=auto" "CW_TOPK_DEPTH=8"; do
  env $v timeout 300 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/sanitizer.txt" 2>&1
  echo "sanitizer $v rc=$? $(grep -E 'ERROR SUMMARY|passed' "$OUT/sanitizer.txt" | tr '\n' ' ')" | tee -a "$OUT/sanitizer-summary.txt"
done
rm -f "$OUT/sanitizer.txt"
for v in "CW_TOPK_DEPTH=auto" "CW_TOPK_DEPTH=4" "CW_TOPK_DEPTH=auto" "CW_TOPK_DEPTH=4"; do
  env $v timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 1048576 --no-oom --no-ceiling --split 1048576 2>&1 \
    | grep -E "^streaming S=|^split" | sed "s/^/$v: /"
done | tee "$OUT/bench-1m-ab.txt"
timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
rm -f "$OUT/build.txt"
