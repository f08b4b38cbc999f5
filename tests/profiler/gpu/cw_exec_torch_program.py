"""A PyTorch program with known allocations inside NVTX ranges, for the GPU
test of `cliffwatch-cli profile --exec --allocator tensor` (where every
tensor is one cudaMalloc of its own size). Sizes are multiples of 512 B so
no rounding is in question. Exits 77 when torch or a GPU is missing.

  warm-up: one matmul (cuBLAS allocates its workspace and keeps it)
  push "torch:setup"   x = 96 MiB (kept)
  push "torch:step"    y = 256 MiB, z = 48 MiB; del y; w = 16 MiB; del z, w
  Expected: setup opens at W (the workspace and warm-up leftovers) and peaks
  at W + 96 MiB; step opens at W + 96 MiB and peaks at W + 96 + 256 + 48 MiB.
Prints one JSON line with torch's own numbers for the cross-check."""
import json
import sys

try:
    import torch
except ImportError:
    sys.exit(77)
if not torch.cuda.is_available():
    sys.exit(77)

MIB = 1 << 20
dev = torch.device("cuda")
a = torch.ones(64, 64, device=dev)
(a @ a).sum().item()
del a
torch.cuda.synchronize()
base = torch.cuda.memory_allocated()
torch.cuda.nvtx.range_push("torch:setup")
x = torch.empty(96 * MIB, dtype=torch.uint8, device=dev)
torch.cuda.synchronize()
torch.cuda.nvtx.range_pop()
torch.cuda.nvtx.range_push("torch:step")
y = torch.empty(256 * MIB, dtype=torch.uint8, device=dev)
z = torch.empty(48 * MIB // 4, dtype=torch.float32, device=dev)
del y
w = torch.zeros(16 * MIB // 2, dtype=torch.bfloat16, device=dev)
del z, w
torch.cuda.synchronize()
torch.cuda.nvtx.range_pop()
print(json.dumps({"base": base, "after": torch.cuda.memory_allocated()}))
