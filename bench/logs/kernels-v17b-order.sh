#!/usr/bin/env bash
# kernels v17b on the device, one call (carry [".debs"]): the overlapped
# split-N consumer (v17a) with and without the consumers' turn order
# (CW_WS_ORDER=0 / 1), at S=65,536, 262,144 and 1,048,576, against the
# default consumer in the same call.
#   bash bench/logs/kernels-v17b-order.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for rep in 1 2 3; do
  for v in "CW_WS_SPLIT_N=1 CW_WS_ORDER=0" "CW_WS_SPLIT_N=1 CW_WS_ORDER=1"; do
    env $v timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling --split 65536 2>&1 \
      | grep -E "^streaming S=|^split" | sed "s/^/$v rep=$rep: /"
  done
done | tee "$OUT/bench-65536.txt"
for v in "CW_WS_SPLIT_N=1 CW_WS_ORDER=0" "CW_WS_SPLIT_N=1 CW_WS_ORDER=1" "CW_WS_SPLIT_N=1 CW_WS_ORDER=0" "CW_WS_SPLIT_N=1 CW_WS_ORDER=1"; do
  env $v timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 262144 --no-oom --no-ceiling --split 262144 2>&1 \
    | grep -E "^streaming S=|^split" | sed "s/^/$v: /"
done | tee "$OUT/bench-262144.txt"
for v in "CW_WS_SPLIT_N=1 CW_WS_ORDER=0" "CW_WS_SPLIT_N=1 CW_WS_ORDER=1" "CW_WS_SPLIT_N=0"; do
  env $v timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 1048576 --no-oom --no-ceiling 2>&1 \
    | grep -E "^streaming S=" | sed "s/^/$v: /"
done | tee "$OUT/bench-1m.txt"
rm -f "$OUT/build.txt"
