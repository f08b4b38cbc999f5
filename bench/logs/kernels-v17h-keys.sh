#!/usr/bin/env bash
# kernels v17h on the device, one call (carry [".debs"]): does the key
# split still want balanced_keys with the overlapped consumer? Split score
# at S=65,536, 262,144 and 1M with CW_WS_KEYS=4096 / 8192 / 16384 against
# the per-launch balanced split (the default). Measurement only.
#   bash bench/logs/kernels-v17h-keys.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for rep in 1 2; do
  for v in "CW_WS_KEYS=balanced" "CW_WS_KEYS=4096" "CW_WS_KEYS=8192" "CW_WS_KEYS=16384"; do
    for S in 65536 262144; do
      env $v timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes $S --no-oom --no-ceiling --split $S 2>&1 \
        | grep -E "^split" | sed "s/^/$v rep=$rep: /"
    done
  done
done | tee "$OUT/bench-keys.txt"
for v in "CW_WS_KEYS=balanced" "CW_WS_KEYS=8192" "CW_WS_KEYS=16384"; do
  env $v timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 1048576 --no-oom --no-ceiling --split 1048576 2>&1 \
    | grep -E "^split" | sed "s/^/$v: /"
done | tee "$OUT/bench-keys-1m.txt"
rm -f "$OUT/build.txt"
