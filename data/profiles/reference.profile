# The PyTorch-eager reference path, as the public V3.2 / V4 reference code
# writes it: one einsum builds the full [b, sq, h, sk] logits slab, relu and
# the per-head weights are applied, the head axis is summed, then torch.topk.
name reference
description PyTorch-eager reference: fp32 slab [b,sq,h,sk], relu/weight temporaries, head-sum [b,sq,sk], torch.topk values + int64 indices
source DeepSeek-V3.2-Exp inference/model.py (Indexer.forward: einsum "bshd,btd->bsht", relu, * weights, sum over h, topk)
source DeepSeek-V4 reference (same shape; applies relu_ in place)
source Megatron-Core reference _compute_index_scores (slab shaped [sq, b, h, sk], out-of-place relu)
source StreamIndex arXiv 2605.02568 table: 129 GB at V4-Flash S=32768 = einsum 64 GiB + weighted product 64 GiB + head-sum 1 GiB
#
# Each temporary is modelled as a named tensor held until the head sum
# returns, which is what the measured StreamIndex peak shows (slab and weighted
# product coexist). relu_inplace = 1 is V4's relu_; set 0 for references that
# call an out-of-place relu, which costs one more slab.
param relu_inplace = 1
# torch.topk always returns int64 indices, whatever the configured index dtype.
param topk_index_bits = 64

let slab = nbytes(b * sq * h * sk, bits_score)

phase einsum relu weight headsum topk

buffer q = nbytes(b * sq * h * d, bits_q) live all input
buffer k = nbytes(b * sk * d, bits_k) live all input
buffer w = nbytes(b * sq * h, bits_w) live all input
buffer logits_slab = slab live einsum..headsum
buffer relu_out = slab * (1 - min(relu_inplace, 1)) live relu..headsum
buffer weighted = slab live weight..headsum
buffer head_sum = nbytes(b * sq * sk, bits_score) live headsum..topk
buffer topk_values = nbytes(b * sq * k, bits_score) live topk
buffer topk_indices = nbytes(b * sq * k, topk_index_bits) live topk
