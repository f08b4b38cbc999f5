#!/usr/bin/env bash
# kernels v14b on the device (carry [".debs"]): is the score kernel power
# bound? nvidia-smi samples SM clock and board power every 100 ms while the
# split bench runs at S=262,144 with the default kernel, the three-consumer
# variant (CW_WS_CONSUMERS=3) and the epilogue-free probe (-DCW_WS_PROBE=1,
# wrong scores, timing only), and while cuBLAS runs (the ceiling).
#   bash bench/logs/kernels-v14b-power.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build > /dev/null 2>&1 || { echo build failed; exit 1; }
B=/tmp/cwbuild; [ -x $B/bench/cw-bench-kernels ] || B=/tmp/cwbuild-k
P=/tmp/cwprobe
meson setup $P -Dcuda=enabled -Dgui=disabled -Dcairo=disabled -Dsqlite=disabled --buildtype=release \
  -Dcuda_args=-DCW_WS_PROBE=1 > /dev/null 2>&1; ninja -C $P bench/cw-bench-kernels > /dev/null 2>&1 || echo "probe build failed"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
nvidia-smi --query-gpu=power.limit,clocks.max.sm --format=csv
run () {  # name, command...
  local name=$1; shift
  nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu --format=csv,noheader -lms 100 > /tmp/smi-$name.txt &
  local pid=$!
  "$@" 2>&1 | grep -E "^split|^ceiling"
  kill $pid; wait $pid 2>/dev/null
  awk -F', ' -v n=$name '{c=$2+0; p=$3+0; if (p > 300) {sc+=c; sp+=p; k++}} END {printf "%-10s samples>300W %d  mean SM clock %.0f MHz  mean power %.0f W\n", n, k, sc/k, sp/k}' /tmp/smi-$name.txt
  cp /tmp/smi-$name.txt "$OUT/smi-$name.txt"
}
run default $B/bench/cw-bench-kernels --sizes 262144 --no-oom --no-ceiling --split 262144
run ws3 env CW_WS_CONSUMERS=3 $B/bench/cw-bench-kernels --sizes 262144 --no-oom --no-ceiling --split 262144
run probe $P/bench/cw-bench-kernels --sizes 262144 --no-oom --no-ceiling --split 262144
run cublas $B/bench/cw-bench-kernels --sizes 32768 --no-oom --split 1
