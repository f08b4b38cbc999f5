#!/usr/bin/env python3
"""List the device allocations torch.topk makes on this GPU and torch build (one JSON line per case).

The engine profiles model torch.topk's internal workspace (the multi-block radix select of
aten/src/ATen/native/cuda/TensorTopK.cu); this probe shows what the installed build actually asks
for, from PyTorch's memory history (requested sizes, caching allocator on):

    python3 bench/engines/cw_topk_probe.py > topk.jsonl
"""
import itertools
import json
import sys

import torch


def probe(rows, cols, k, dtype):
    dev = torch.device("cuda", torch.cuda.current_device())
    x = torch.randn(rows, cols, device=dev, dtype=dtype)
    torch.cuda.synchronize()
    torch.cuda.memory._record_memory_history(enabled="all", context=None, stacks="python", max_entries=100000)
    v, i = torch.topk(x, k, dim=-1)
    torch.cuda.synchronize()
    snap = torch.cuda.memory._snapshot()
    torch.cuda.memory._record_memory_history(enabled=None)
    live = peak = 0
    sizes, allocs = {}, []
    for ev in snap["device_traces"][dev.index]:
        if ev["action"] == "alloc":
            sizes[ev["addr"]] = ev["size"]
            live += ev["size"]
            allocs.append(ev["size"])
        elif ev["action"] == "free_requested" and ev["addr"] in sizes:
            live -= sizes.pop(ev["addr"])
        peak = max(peak, live)
    out_bytes = v.numel() * v.element_size() + i.numel() * i.element_size()
    del x, v, i
    return {"rows": rows, "cols": cols, "k": k, "dtype": str(dtype).replace("torch.", ""),
            "allocs": allocs, "peak": peak, "outputs": out_bytes, "workspace_peak": peak - out_bytes}


def main():
    x = torch.randn(64, 64, device="cuda")
    (x @ x).sum().item()
    torch.randn(5000, 1000, device="cuda").topk(10)           # first use of every path
    torch.randn(100, 100, device="cuda").topk(10)
    rows = (100, 800, 4001, 16384, 30000, 65536)
    cols = (399, 400, 1000, 4096, 8192, 32768)
    for dtype, r, c in itertools.product((torch.float32, torch.bfloat16), rows, cols):
        if r * c > (1 << 31):
            continue
        for k in sorted({min(512, c)}):
            print(json.dumps(probe(r, c, k, dtype)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
