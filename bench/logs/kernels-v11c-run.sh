#!/usr/bin/env bash
# kernels v11c on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v11c-run.sh
# Build + GPU tests at the default (v11c: warp-aggregated radix histograms in
# the top-k's k-th select), the GPU tests again with the v10 per-value adds
# (CW_TOPK_HIST=plain), compute-sanitizer (default), the shared atomics in
# the top-k's machine code, A/B of the two with the score/top-k split at
# S=65,536 and S=262,144, then the full bench and S=4,194,304 once, with
# v11c if it won the S=262,144 top-k A/B, else with CW_TOPK_HIST=plain
# (= the v10c kernels). Files in $OUT (at most 8 come back).
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,sass,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
grep -q "test-kernels-gpu rc=0" "$OUT/test.txt"; rc=$?
echo "shared atomics in topk_kernel:"
cuobjdump --dump-sass -fun '_Z11topk_kernel10TopkParams' $B/kernels/libcwkernels.a 2>/dev/null \
  | grep -oE "(ATOMS|MATCH|VOTE|REDUX)[.A-Z0-9]*" | sort | uniq -c
CW_TOPK_HIST=plain timeout 60 $B/tests/gpu/test-kernels-gpu > "$OUT/test-plain-hist.txt" 2>&1
echo "test CW_TOPK_HIST=plain rc=$? $(tail -1 "$OUT/test-plain-hist.txt")"
timeout 120 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no $B/tests/gpu/test-kernels-gpu \
  > "$OUT/sanitizer.txt" 2>&1; echo "sanitizer rc=$?"; grep -E "ERROR SUMMARY|passed" "$OUT/sanitizer.txt"
for split in 65536 262144; do
  for env in "CW_TOPK_HIST=plain" "CW_TOPK_HIST=aggregate"; do
    echo "== $env --split $split"
    env $env timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 \
      | grep -E "^streaming|^split"
  done
done 2>&1 | tee "$OUT/ab.txt"
plain=$(grep -A2 "plain --split 262144" "$OUT/ab.txt" | sed -n 's/.*top-k \([0-9.]*\) ms/\1/p')
agg=$(grep -A2 "aggregate --split 262144" "$OUT/ab.txt" | sed -n 's/.*top-k \([0-9.]*\) ms/\1/p')
final="CW_TOPK_HIST=aggregate"
awk -v a="$agg" -v p="$plain" 'BEGIN { exit !(a != "" && p != "" && a + 0 < p + 0) }' || final="CW_TOPK_HIST=plain"
echo "top-k at S=262,144: plain $plain ms, aggregate $agg ms -> final benches with $final"
if [ $rc = 0 ]; then
  echo "== full bench ($final)"
  env $final timeout 80 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 \
    | tee "$OUT/bench.txt"
  echo "== S=4194304 once ($final)"
  env $final timeout 240 $B/bench/cw-bench-kernels --sizes 4194304 --no-oom --no-ceiling --split 1 2>&1 \
    | tee "$OUT/bench-4m.txt"
  echo "rc=$?"
fi
rm -f "$OUT/build.txt"
