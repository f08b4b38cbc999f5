# StreamIndex (arXiv 2605.02568; Triton, one H200): streaming partition-merge.
# Outputs are int64 indices + fp32 scores per kept entry (12 B per entry).
# Its published peaks (max_memory_allocated minus inputs) at V4-Flash dims,
# k = 512: 0.40 / 0.59 / 1.71 / 6.21 GB at S = 32K / 64K / 256K / 1M. The
# outputs alone are 0.1875 / 0.375 / 1.5 / 6.0 GiB there, so the remainder,
# the chunk workspace, is about 0.21 GiB at every S. That constant is
# INFERRED from the paper's table (the GB figures read as GiB); we have not
# read it from StreamIndex's code. Set chunk_workspace_bytes if you know better.
name streamindex
description StreamIndex (arXiv 2605.02568): int64 + fp32 outputs (12 B/entry) + ~0.21 GiB chunk workspace (inferred)
source arXiv 2605.02568 (StreamIndex), results table; docs/domain.md §3

param chunk_workspace_bytes = 225485783   # 0.21 GiB = floor(0.21 * 2^30)

phase stream

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer workspace = chunk_workspace_bytes live all
buffer topk_indices = 8 * b * sq * k live all
buffer topk_scores = 4 * b * sq * k live all
