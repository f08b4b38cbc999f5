#!/usr/bin/env bash
# kernels v13b on the device (carry [".debs"]): with the v12 consumers (a
# lone consumer now keeps the tensor cores fed), do the stricter turn orders
# pay? GPU tests under CW_WS_ORDER=2 and 3, then the split score at S=65,536
# and S=262,144 for orders 1 (default), 2, 3, 0, twice, interleaved.
#   bash bench/logs/kernels-v13b-order.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build > "$OUT/build.txt" 2>&1 || { tail -30 "$OUT/build.txt"; exit 1; }
B=/tmp/cwbuild; [ -x $B/bench/cw-bench-kernels ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for o in 2 3; do
  CW_WS_ORDER=$o timeout 90 $B/tests/gpu/test-kernels-gpu > "$OUT/test-order$o.txt" 2>&1
  echo "test CW_WS_ORDER=$o rc=$? $(tail -1 "$OUT/test-order$o.txt")"
done
for rep in 1 2; do
  for split in 65536 262144; do
    for o in 1 2 3 0; do
      echo "== rep $rep CW_WS_ORDER=$o --split $split"
      CW_WS_ORDER=$o timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 | grep -E "^split"
    done
  done
done 2>&1 | tee "$OUT/ab.txt"
rm -f "$OUT/build.txt"
