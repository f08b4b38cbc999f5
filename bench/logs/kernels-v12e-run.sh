#!/usr/bin/env bash
# kernels v12e on the device, one call (carry [".debs"]):
#   bash bench/logs/kernels-v12e-run.sh
# v12e: relu by an add in the score epilogue (CW_WS_RELU=fadd,
# cw_relu_w_fma_halved), bit-identical by construction. Build, GPU tests at
# the default and with CW_WS_RELU=fadd, compute-sanitizer memcheck (default),
# A/B of the split score (max vs fadd, twice, interleaved) at S=65,536 and
# S=262,144, then the full bench with the winner. Files in $OUT.
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build,test,sanitize
B=/tmp/cwbuild; [ -x $B/tests/gpu/test-kernels-gpu ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
grep -q "test-kernels-gpu rc=0" "$OUT/test.txt"; rc=$?
CW_WS_RELU=fadd timeout 90 $B/tests/gpu/test-kernels-gpu > "$OUT/test-fadd.txt" 2>&1
r=$?; echo "test CW_WS_RELU=fadd rc=$r $(tail -1 "$OUT/test-fadd.txt")"; [ $r = 0 ] || rc=1
for split in 65536 262144; do
  for relu in max fadd max fadd; do
    echo "== CW_WS_RELU=$relu --split $split"
    CW_WS_RELU=$relu timeout 60 $B/bench/cw-bench-kernels --sizes $split --no-oom --no-ceiling --split $split 2>&1 \
      | grep -E "^streaming|^split"
  done
done 2>&1 | tee "$OUT/ab.txt"
best=$(awk '/^== CW_WS_RELU=/{r=$2} /^split S=262144/{for(i=1;i<=NF;i++) if($i=="score"){s[r]+=$(i+1); n[r]++}} END{m=s["CW_WS_RELU=max"]/n["CW_WS_RELU=max"]; f=s["CW_WS_RELU=fadd"]/n["CW_WS_RELU=fadd"]; print (f<m)?"fadd":"max"}' "$OUT/ab.txt")
echo "final benches with CW_WS_RELU=$best"
if [ $rc = 0 ]; then
  CW_WS_RELU=$best timeout 120 $B/bench/cw-bench-kernels --sizes 65536,262144,1048576 --no-oom --split 262144 2>&1 \
    | tee "$OUT/bench.txt"
fi
rm -f "$OUT/build.txt"
