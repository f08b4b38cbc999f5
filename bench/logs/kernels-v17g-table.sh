#!/usr/bin/env bash
# kernels v17g on the device, one call (carry [".debs"]): the rest of the
# results table on the session's last kernels (v17f's tree): the fp8 bench
# (S=65,536 .. 1,048,576, split at 262,144), S=4,194,304 once, and the bf16
# table once more (ceiling, S=65,536 .. 1,048,576).
#   bash bench/logs/kernels-v17g-table.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 60 "$BUILD/bench/cw-bench-kernels" --fp8 --sizes 65536,262144,1048576 --no-oom --no-ceiling --split 262144 2>&1 \
  | tee "$OUT/bench-fp8.txt"
timeout 200 "$BUILD/bench/cw-bench-kernels" --sizes 4194304 --no-oom --no-ceiling --split 1 2>&1 | tee "$OUT/bench-4m.txt"
timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
rm -f "$OUT/build.txt"
