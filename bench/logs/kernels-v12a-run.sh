#!/usr/bin/env bash
# kernels v12a on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v12a-run.sh
# Build + GPU tests at the default, the GPU tests again with the v12 start
# offsets (CW_WS_ORDER=4: consumer 1 starts after consumer 0's first tile
# completed; 5: after its first half), then the same-run A/B of the split
# score at S=65,536 and S=262,144 for orders 0, 4, 5 (twice each, interleaved),
# then the full bench with the winner. Files in $OUT (at most 8 come back).
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
grep -q "test-kernels-gpu rc=0" "$OUT/test.txt"; rc=$?
for o in 4 5; do
  CW_WS_ORDER=$o timeout 90 $B/tests/gpu/test-kernels-gpu > "$OUT/test-order$o.txt" 2>&1
  r=$?; echo "test CW_WS_ORDER=$o rc=$r $(tail -1 "$OUT/test-order$o.txt")"; [ $r = 0 ] || rc=1
done
for rep in 1 2; do
  for split in 65536 262144; do
    for o in 0 4 5; do
      echo "== rep $rep CW_WS_ORDER=$o --split $split"
      CW_WS_ORDER=$o timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 \
        | grep -E "^streaming|^split"
    done
  done
done 2>&1 | tee "$OUT/ab.txt"
best=0; bestms=
for o in 0 4 5; do
  ms=$(grep -A2 "rep 2 CW_WS_ORDER=$o --split 262144" "$OUT/ab.txt" | sed -n 's/.*score \([0-9.]*\) ms.*/\1/p' | head -1)
  echo "order $o: split score at 262,144 (rep 2) $ms ms"
  if [ -n "$ms" ] && { [ -z "$bestms" ] || awk -v a="$ms" -v b="$bestms" 'BEGIN{exit !(a+0<b+0)}'; }; then best=$o; bestms=$ms; fi
done
echo "final benches with CW_WS_ORDER=$best"
if [ $rc = 0 ]; then
  CW_WS_ORDER=$best timeout 120 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 \
    | tee "$OUT/bench.txt"
fi
rm -f "$OUT/build.txt"
