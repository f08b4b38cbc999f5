#!/usr/bin/env bash
# kernels v10/v11 A/B on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v10-ab.sh
# Builds and tests (default knobs) with bench/cw-kernels-device-run.sh, runs
# the GPU test binary once more under each non-default knob, benches every
# variant at S=65,536 and 262,144 (split), picks the one with the lowest
# split score time and runs the full bench (ceiling, S up to 1M, fp8) and
# compute-sanitizer with it. Knobs: CW_WS_ORDER, CW_WS_KEYS
# (kernels/cw-score-wgmma-ws.cu), CW_SCORE_KERNEL=v9 (cw-score-wgmma.cu).
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,sass,test
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
variants="1:8192 0:8192 2:8192 3:8192 3:4096 3:16384 2:16384 1:16384"
for v in $variants; do
  o=${v%:*}; k=${v#*:}
  [ "$v" = 1:8192 ] && continue
  CW_WS_ORDER=$o CW_WS_KEYS=$k timeout 60 $B/tests/gpu/test-kernels-gpu > "$OUT/test-knobs.txt" 2>&1
  echo "test order=$o keys=$k rc=$? $(tail -1 "$OUT/test-knobs.txt")"
done
for v in v9 $variants; do
  o=${v%:*}; k=${v#*:}
  if [ $v = v9 ]; then env="CW_SCORE_KERNEL=v9"; else env="CW_WS_ORDER=$o CW_WS_KEYS=$k"; fi
  echo "== $env"
  env $env timeout 60 $B/bench/cw-bench-kernels --sizes 65536,262144 --no-oom --no-ceiling --split 262144 \
    > "$OUT/ab-one.txt" 2>&1
  grep -E "^streaming|^split" "$OUT/ab-one.txt"
done 2>&1 | tee "$OUT/ab.txt"
best=$(awk '/^== CW_WS_ORDER/{v=$2" "$3} /^split/{for(i=1;i<=NF;i++) if($i=="score") ms=$(i+1); if(v!="" && (b=="" || ms<bm)){b=v; bm=ms}} END{print b}' "$OUT/ab.txt")
echo "best: $best"
export $best
timeout 120 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no $B/tests/gpu/test-kernels-gpu \
  > "$OUT/sanitizer.txt" 2>&1; echo "sanitizer rc=$? ($best)"; grep -E "ERROR SUMMARY|passed" "$OUT/sanitizer.txt"
echo "== full bench ($best)"
timeout 60 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 | tee "$OUT/bench.txt"
echo "== fp8 ($best)"
timeout 40 $B/bench/cw-bench-kernels --fp8 --sizes 65536,262144,1048576 --no-oom --no-ceiling --split 262144 2>&1 \
  | tee "$OUT/bench-fp8.txt"
