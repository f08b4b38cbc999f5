#!/usr/bin/env bash
# kernels v14c on the device (carry [".debs"]): why the indexer kernels run
# at ~1.78-1.81 GHz where cuBLAS got 1.96 GHz (v14b). nvidia-smi every 100 ms
# with the clock-event reasons during the split bench at S=262,144 (score +
# top-k) and during the cuBLAS ceiling run.
#   bash bench/logs/kernels-v14c-throttle.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
bash bench/cw-kernels-device-run.sh build > /dev/null 2>&1 || { echo build failed; exit 1; }
B=/tmp/cwbuild; [ -x $B/bench/cw-bench-kernels ] || B=/tmp/cwbuild-k
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
q=timestamp,clocks.sm,power.draw,temperature.gpu,clocks_event_reasons.sw_power_cap,clocks_event_reasons.hw_slowdown,clocks_event_reasons.hw_power_brake_slowdown,clocks_event_reasons.sw_thermal_slowdown,clocks_event_reasons.hw_thermal_slowdown
run () {
  local name=$1; shift
  nvidia-smi --query-gpu=$q --format=csv,noheader -lms 100 > /tmp/smi-$name.txt &
  local pid=$!
  "$@" 2>&1 | grep -E "^split|^ceiling|^streaming"
  kill $pid; wait $pid 2>/dev/null
  cp /tmp/smi-$name.txt "$OUT/smi-$name.txt"
  awk -F', ' -v n=$name '$3+0 > 300 {k++; c+=$2; p+=$3; if ($5 ~ /Active/) pc++; if ($6 ~ /Active/) hs++; if ($7 ~ /Active/) pb++; if ($8 ~ /Active/) st++; if ($9 ~ /Active/) ht++}
    END {printf "%-8s samples>300W %d  clock %.0f MHz  power %.0f W  sw_power_cap %d  hw_slowdown %d  hw_power_brake %d  sw_thermal %d  hw_thermal %d\n", n, k, c/k, p/k, pc, hs, pb, st, ht}' /tmp/smi-$name.txt
}
run score $B/bench/cw-bench-kernels --sizes 262144 --no-oom --no-ceiling --split 262144
run longer $B/bench/cw-bench-kernels --sizes 1048576 --no-oom --no-ceiling --split 1
run cublas $B/bench/cw-bench-kernels --sizes 32768 --no-oom --split 1
