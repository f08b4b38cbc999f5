#!/usr/bin/env bash
# kernels v16g on the device, one call (carry [".debs"]): each consumer's q
# by TMA too (CW_WS_TMA=3) against key tiles only (=1, the default). GPU
# tests under both, then bf16 S=65,536 in four alternating pairs (with the
# split), S=262,144 and S=1M once each way.
#   bash bench/logs/kernels-v16g-tma-q.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for tma in 3 1; do
  CW_WS_TMA=$tma timeout 240 "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/test-tma$tma.txt" 2>&1
  echo "test-kernels-gpu tma=$tma rc=$? $(grep -c 'bit-identical' "$OUT/test-tma$tma.txt") bit-identical, $(grep -c FAIL "$OUT/test-tma$tma.txt") FAIL"
done
grep -m3 FAIL "$OUT/test-tma3.txt"
for rep in 1 2 3 4; do
  for tma in 3 1; do
    CW_WS_TMA=$tma timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling --split 65536 2>&1 \
      | grep -E "^streaming S=|^split" | sed "s/^/tma=$tma rep=$rep: /"
  done
done | tee "$OUT/bench-65536.txt"
for tma in 3 1; do
  CW_WS_TMA=$tma timeout 120 "$BUILD/bench/cw-bench-kernels" --sizes 262144,1048576 --no-oom --no-ceiling \
    --split 262144 2>&1 | grep -E "^streaming S=|^split" | sed "s/^/tma=$tma: /"
done | tee "$OUT/bench-large.txt"
rm -f "$OUT/build.txt"
