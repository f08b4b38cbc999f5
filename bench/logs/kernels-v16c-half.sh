#!/usr/bin/env bash
# kernels v16c on the device, one call (carry [".debs"]): linking only the
# score -> top-k boundary (CW_STREAM_LINK=2: the score of the next chunk
# waits for the whole top-k, so no score block ever waits for a tile row)
# against both boundaries (1) and none (0); bf16, budgets 128 and 480 MiB.
#   bash bench/logs/kernels-v16c-half.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
CW_STREAM_LINK=2 timeout 240 "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/test-link2.txt" 2>&1; echo "test-kernels-gpu (link 2) rc=$?"
for rep in 1 2; do
  for mib in 128 480; do
    for link in 2 1 0; do
      CW_STREAM_LINK=$link timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536,262144 --no-oom --no-ceiling \
        --budget-mib $mib 2>&1 | grep -E "^streaming S=" | sed "s/^/mib=$mib link=$link rep=$rep: /"
    done
  done
done | tee "$OUT/bench.txt"
for link in 2 0 1; do
  CW_STREAM_LINK=$link timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 1048576 --no-oom --no-ceiling 2>&1 \
    | grep -E "^streaming S=" | sed "s/^/mib=480 link=$link: /"
done | tee "$OUT/bench-1m.txt"
rm -f "$OUT/build.txt"
