#!/usr/bin/env bash
# kernels v17i on the device, one call (carry [".debs"]): the session's last
# tree (host-side helpers since v17f/g; device code byte-identical). GPU suite
# + memcheck, the S=1M split once more (is the deep top-k still chosen?), and
# clocks/power/throttle reasons (nvidia-smi every 100 ms) during the S=1M
# split and during the cuBLAS ceiling run: does the new score kernel use its
# clock as well as cuBLAS does, and what clock does it get?
#   bash bench/logs/kernels-v17i-final.sh
set -o pipefail
OUT=${OUT:-/tmp/cwout}; mkdir -p "$OUT"
echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total,power.limit,clocks.max.sm --format=csv,noheader)"
source tools/device-build.sh > "$OUT/build.txt" 2>&1 || { tail -40 "$OUT/build.txt"; exit 1; }
set +eu
meson test -C "$BUILD" --suite gpu --suite kernels-cpu --suite profiler-cpu --print-errorlogs 2>&1 | tee "$OUT/gpu-suite.txt" | tail -12
cp "$BUILD/meson-logs/testlog.txt" "$OUT/gpu-suite-testlog.txt"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
timeout 300 compute-sanitizer --tool memcheck --leak-check no --report-api-errors no "$BUILD/tests/gpu/test-kernels-gpu" > "$OUT/sanitizer.txt" 2>&1
echo "sanitizer rc=$? $(grep -E 'ERROR SUMMARY|passed' "$OUT/sanitizer.txt" | tr '\n' ' ')" | tee "$OUT/sanitizer-summary.txt"
rm -f "$OUT/sanitizer.txt"
q=timestamp,clocks.sm,power.draw,clocks_event_reasons.sw_power_cap,clocks_event_reasons.hw_slowdown,clocks_event_reasons.sw_thermal_slowdown
run () {
  local name=$1; shift
  nvidia-smi --query-gpu=$q --format=csv,noheader -lms 100 > "$OUT/smi-$name.txt" &
  local pid=$!
  "$@" 2>&1 | grep -E "^split|^ceiling|^streaming" | sed "s/^/$name: /"
  kill $pid; wait $pid 2>/dev/null
  # fields: time, MHz, W, sw_power_cap, hw_slowdown, sw_thermal ("Active" / "Not Active")
  awk -F', ' -v n=$name '$3+0 > 300 {k++; c+=$2; p+=$3; if ($4 == "Active") pc++; if ($5 == "Active") hs++; if ($6 == "Active") st++}
    END {if (k) printf "%s: %d samples > 300 W, mean clock %.0f MHz, mean power %.0f W, sw_power_cap active in %d, hw_slowdown %d, sw_thermal %d\n", n, k, c/k, p/k, pc, hs, st}' "$OUT/smi-$name.txt"
}
run split-1m "$BUILD/bench/cw-bench-kernels" --sizes 1048576 --no-oom --no-ceiling --split 1048576
run cublas "$BUILD/bench/cw-bench-kernels" --sizes 32768 --no-oom --split 1
rm -f "$OUT/build.txt"
