#!/usr/bin/env bash
# One device call for the index-transfer lane (issue 6), on nvidia-h200-x2:
# build, a smoke run, then V4-Flash and V3.2 at sq = 32K, 128K, 512K, one
# process per GPU through `cliffwatch-index-transfer --launch 2` (what
# torchrun --nproc-per-node 2 would do). Receipts per rank, merged into one
# database with `cliffwatch-cli receipts merge`.
# Usage (device run, kind nvidia-h200-x2, carry [".debs"]):
#   CW_SOURCE_REVISION=<git rev> bash bench/cw-transfer-device-run.sh
# Results in $OUT: h200x2-index-transfer.db, transfer-*.jsonl, run.txt, topo.txt
set -o pipefail
OUT=${OUT:-/tmp/cwout}
mkdir -p "$OUT"
# NVLink multicast stays off on shared hosts (the binary forces NCCL_NVLS_ENABLE=0 too).
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
echo "== $(date -u +%FT%TZ) source revision ${CW_SOURCE_REVISION:-unknown}"
nvidia-smi --query-gpu=index,name,uuid,driver_version,memory.total --format=csv,noheader
nvidia-smi topo -m > "$OUT/topo.txt" 2>&1; cat "$OUT/topo.txt"
if [ ! -f /usr/local/cuda/include/nccl.h ]; then
  h=$(find /usr/local /opt -name nccl.h -path '*include*' 2>/dev/null | head -1)
  [ -n "$h" ] && export NCCL_HOME=$(dirname "$(dirname "$h")")
fi
echo "NCCL: ${NCCL_HOME:-/usr/local/cuda}"
t0=$(date +%s)
source tools/device-build.sh || { echo "build failed"; exit 1; }
echo "build: $(( $(date +%s) - t0 )) s"
export LD_LIBRARY_PATH="${NCCL_HOME:+$NCCL_HOME/lib:}/usr/local/cuda/lib:$LD_LIBRARY_PATH"
export CW_DATA_DIR=$PWD/data
T=$BUILD/profiler/transfer/cliffwatch-index-transfer
CLI=$BUILD/app/cli/cliffwatch-cli
[ -x "$T" ] || { echo "cliffwatch-index-transfer was not built (NCCL not found?)"; grep -i nccl /tmp/cw-setup.log $BUILD/meson-logs/meson-log.txt | tail -5; exit 1; }
W=/tmp/cw-transfer; rm -rf $W; mkdir -p $W
rc=0
echo "== smoke: V4-Flash sq=4096"
timeout 120 "$T" --launch 2 --sq 4096 --repeats 2 | tee "$OUT/transfer-smoke.jsonl" || { echo "smoke failed"; exit 1; }
echo "== V4-Flash"
timeout 240 "$T" --launch 2 --preset deepseek-v4-flash --sq 32768,131072,524288 --repeats 5 \
  --db "$W/v4flash-rank%r.db" | tee "$OUT/transfer-v4flash.jsonl" || rc=1
echo "== V3.2"
timeout 300 "$T" --launch 2 --preset deepseek-v3.2 --sq 32768,131072,524288 --repeats 3 \
  --db "$W/v32-rank%r.db" | tee "$OUT/transfer-v32.jsonl" || rc=1
"$CLI" receipts merge --into "$OUT/h200x2-index-transfer.db" $W/*.db || rc=1
"$CLI" receipts list "$OUT/h200x2-index-transfer.db" --limit 40 | cut -c1-200
python3 - "$OUT"/transfer-v4flash.jsonl "$OUT"/transfer-v32.jsonl <<'PY'
import json, sys
print("%-18s %8s %5s %14s %10s %9s %12s %12s %6s" % ("preset", "sq", "rank", "payload B", "recv ms", "GB/s", "recompute ms", "full ms", "match"))
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        print("%-18s %8d %5d %14d %10.3f %9.2f %12.3f %12.3f %6s" % (r["preset"], r["sq"], r["rank"], r["payload_bytes"],
              r["recv_s"] * 1e3, r["recv_gbps"], r["recompute_s"] * 1e3, r["full_layer_s"] * 1e3, r["recompute_matches"]))
PY
exit $rc
