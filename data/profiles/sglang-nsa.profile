# SGLang NSA indexer, older rule, ragged prefill (Indexer._get_topk_ragged).
# Read from sgl-project/sglang at commit 005e8bf8abf447d93cd14427efbf0b10bf42a326,
# python/sglang/srt/layers/attention/nsa/nsa_indexer.py (Indexer._get_topk_ragged,
# Indexer._should_chunk_mqa_logits). The newer dsa/dsa_indexer.py budget rule
# is sglang.profile.
#  - topk_result = torch.full((tokens, index_topk), -1, int32), first.
#  - for every request: k_fp8, k_scale = get_index_k_scale_buffer(layer,
#    seq_len, block_tables[i]) (fp8 [seq_len, d] + 4-byte scale [seq_len]
#    gathered from the 64-token pages), appended to k_fp8_list / k_scale_list;
#    then k_fp8 = torch.cat(k_fp8_list), k_scale = torch.cat(k_scale_list).
#    The lists stay referenced to the return, so K is held twice: the
#    per-request copies and the concatenation, 2 * b*sk * (d + 4) B.
#  - _should_chunk_mqa_logits(q, k): q*k < 8,000,000 never chunks (the code's
#    comment: "8M elements ~ 32MB logits"); otherwise free, total =
#    torch.cuda.mem_get_info() at that call (live, not cached) and
#    need_chunk = 4*q*k * 2 > free or 4*q*k > 0.3 * total.
#  - no chunk: logits = deep_gemm.fp8_mqa_logits(q, (k_fp8, k_scale), ...,
#    clean_logits=False) (no max_seqlen_k: DeepGEMM's padded layout,
#    deepgemm.profile), then raw_topk_result = topk_transform(logits, ...),
#    int32 [q, index_topk], a second top-k buffer while topk_result lives;
#    copied into topk_result.
#  - chunk: max_rows = min(q, max(1, int(free * 0.5) // (k * 4))) rows per
#    chunk, all k columns. In the loop `logits_chunk = fp8_mqa_logits(...)` and
#    `raw_topk_chunk = topk_transform(...)` rebind their names only after the
#    new tensor exists, so from the second chunk on the previous chunk's
#    logits (and raw top-k) are alive while the next is allocated: the
#    logits2 phase holds two logits chunks (full + full from three chunks on,
#    full + the remainder with two).
# Here b requests of sq new tokens over sk keys each (ragged: q = b*sq,
# k = b*sk). gpu_free_bytes is what mem_get_info reports at the
# _should_chunk_mqa_logits call, i.e. after topk_result and both K copies
# exist; 0 means (1 - mem_fraction_static) * total. Fractions are integers
# (0.3 * total as 10 * logits > 3 * total).
# NOT verified: topk_transform's internal temporaries (the attention
# backend's; none counted), the ks/ke/seq_lens_expanded metadata sizes (small,
# counted as inputs), head padding for DeepGEMM; nothing here was run on a GPU.
name sglang-nsa
description SGLang NSA indexer prefill, older nsa_indexer.py rule: chunk when 2*logits > free or logits > 0.3*total (rows from free/2), K held twice (per-request list + cat), two int32 top-k buffers, two logits chunks alive at a rebinding
source https://github.com/sgl-project/sglang/blob/005e8bf8abf447d93cd14427efbf0b10bf42a326/python/sglang/srt/layers/attention/nsa/nsa_indexer.py (Indexer._get_topk_ragged, Indexer._should_chunk_mqa_logits)

param gpu_total_bytes = 85520809984      # torch total_memory; default: the h100-80gb preset
param gpu_free_bytes = 0                 # mem_get_info free at the call; 0: (1 - mem_fraction_static) * total
param mem_fraction_static_permille = 900 # only for the gpu_free_bytes = 0 default
param static_skip_elems = 8000000        # the code's 8_000_000
param block_kv = 256                     # DeepGEMM fp8_mqa_logits column padding

let q_rows = b * sq
let k_cols = b * sk
let elems = q_rows * k_cols
let logits_bytes = 4 * elems
let free_now = select(gpu_free_bytes, gpu_free_bytes, gpu_total_bytes / 1000 * (1000 - mem_fraction_static_permille))
let over = max(lt(free_now, 2 * logits_bytes), lt(3 * gpu_total_bytes, 10 * logits_bytes))
let need_chunk = select(lt(elems, static_skip_elems), 0, over)
let rows1 = select(need_chunk, min(q_rows, max(1, free_now / (8 * k_cols))), q_rows)
let n_chunks = ceil_div(q_rows, rows1)
let rows2 = select(lt(n_chunks, 2), 0, select(lt(n_chunks, 3), q_rows - rows1, rows1))
let block_q = 128 / h
let cols = align_up(k_cols + block_kv, 256)

phase gather cat logits topk logits2 topk2

buffer q_fp8 = b * sq * h * d live all input
buffer weights = 4 * b * sq * h live all input
buffer ks_ke = 2 * 4 * b * sq live all input
buffer topk_result = 4 * q_rows * k live all
buffer k_list = k_cols * (d + 4) live all
buffer k_cat = k_cols * (d + 4) live cat..topk2
buffer logits = 4 * align_up(rows1, block_q) * cols live logits..logits2
buffer raw_topk = 4 * rows1 * k live topk..topk2
buffer logits_next = select(rows2, 4 * align_up(rows2, block_q) * cols, 0) live logits2..topk2
buffer raw_topk_next = 4 * rows2 * k live topk2
