#!/usr/bin/env bash
# kernels v16h on the device, one call (carry [".debs"]): one warp per
# top-k row for rows of at most 16,384 keys and k <= 512 (default) against
# the block kernel (CW_TOPK_WARP=0). GPU tests under both, memcheck of the
# tests, then bf16 S=65,536 in three alternating pairs with the split,
# S=262,144 and 1M once each way.
#   bash bench/logs/kernels-v16h-topk-warp.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
grep -iE "warning|spill" "$OUT/build.txt" | grep -v " 0 bytes spill" | head -5
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for wk in 1 0; do
  CW_TOPK_WARP=$wk timeout 240 "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/test-warp$wk.txt" 2>&1
  echo "test-kernels-gpu warp=$wk rc=$? $(grep -c 'exact' "$OUT/test-warp$wk.txt") exact, $(grep -c FAIL "$OUT/test-warp$wk.txt") FAIL"
done
grep -E "FAIL|crafted" "$OUT/test-warp1.txt" | head -12
timeout 300 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/sanitizer.txt" 2>&1
echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY|passed" "$OUT/sanitizer.txt" | head -3
for rep in 1 2 3; do
  for wk in 1 0; do
    CW_TOPK_WARP=$wk timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling --split 65536 2>&1 \
      | grep -E "^streaming S=|^split" | sed "s/^/warp=$wk rep=$rep: /"
  done
done | tee "$OUT/bench-65536.txt"
for wk in 1 0; do
  CW_TOPK_WARP=$wk timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 262144,1048576 --no-oom --no-ceiling \
    --split 262144 2>&1 | grep -E "^streaming S=|^split" | sed "s/^/warp=$wk: /"
done | tee "$OUT/bench-large.txt"
rm -f "$OUT/build.txt"
