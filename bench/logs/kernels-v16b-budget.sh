#!/usr/bin/env bash
# kernels v16b on the device, one call (carry [".debs"]): does a tile that
# fits in L2 (50 MiB on the H200) pay once the chunks are linked? bf16
# streaming at S=65,536 and 262,144 over budgets, linked vs CW_STREAM_LINK=0,
# with the split (score / top-k alone) at each budget for S=65,536.
#   bash bench/logs/kernels-v16b-budget.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for rep in 1 2; do
  for mib in 16 32 64 128 480; do
    for link in 1 0; do
      extra=""; [ $rep = 1 ] && [ $link = 1 ] && extra="--split 65536"
      CW_STREAM_LINK=$link timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling \
        --budget-mib $mib $extra 2>&1 | grep -E "^streaming S=|^split" | sed "s/^/mib=$mib link=$link rep=$rep: /"
    done
  done
done | tee "$OUT/bench-65536.txt"
for mib in 32 64 128 480; do
  for link in 1 0; do
    CW_STREAM_LINK=$link timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 262144 --no-oom --no-ceiling \
      --budget-mib $mib 2>&1 | grep -E "^streaming S=" | sed "s/^/mib=$mib link=$link: /"
  done
done | tee "$OUT/bench-262144.txt"
rm -f "$OUT/build.txt"
