#!/usr/bin/env bash
# kernels v16d on the device, one call (carry [".debs"]): the top-k with 128
# threads per row (10 rows per SM, 2048-entry cand) and a sampled threshold
# aimed at ~2k instead of ~3k keys (CW_TOPK_THREADS=128, CW_TOPK_AIM=2),
# against the default (256 threads, aim 3). GPU tests under each knob first.
#   bash bench/logs/kernels-v16d-topk128.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu   # device-build.sh sets -eu; the steps below report their own failures
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for cfg in "256 3" "128 3" "128 2" "256 2"; do
  set -- $cfg
  CW_TOPK_THREADS=$1 CW_TOPK_AIM=$2 timeout 240 "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/test-$1-$2.txt" 2>&1
  echo "test-kernels-gpu threads=$1 aim=$2 rc=$? $(grep -c exact "$OUT/test-$1-$2.txt") exact, $(grep -c FAIL "$OUT/test-$1-$2.txt") FAIL"
done
for rep in 1 2; do
  for cfg in "256 3" "128 3" "128 2" "256 2"; do
    set -- $cfg
    CW_TOPK_THREADS=$1 CW_TOPK_AIM=$2 timeout 60 "$BUILD/bench/cw-bench-kernels" --sizes 65536 --no-oom --no-ceiling \
      --split 65536 2>&1 | grep -E "^streaming S=|^split" | sed "s/^/threads=$1 aim=$2 rep=$rep: /"
  done
done | tee "$OUT/bench-65536.txt"
for cfg in "256 3" "128 3" "128 2"; do
  set -- $cfg
  CW_TOPK_THREADS=$1 CW_TOPK_AIM=$2 timeout 100 "$BUILD/bench/cw-bench-kernels" --sizes 262144,1048576 --no-oom \
    --no-ceiling --split 262144 2>&1 | grep -E "^streaming S=|^split" | sed "s/^/threads=$1 aim=$2: /"
done | tee "$OUT/bench-large.txt"
rm -f "$OUT/build.txt"
