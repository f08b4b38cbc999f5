# DeepGEMM fp8_fp4_mqa_logits, the prefill (ragged) indexer logits, one call.
# Read from deepseek-ai/DeepGEMM csrc/apis/attention.hpp at commit
# 0274ad7b911b99b4eb6f8d796403811cf1e18f3d (the stored upstream version;
# fp8_fp4_mqa_logits and its legacy wrapper fp8_mqa_logits, which passes
# logits_dtype fp32):
#   q  fp8 e4m3 [seq_len, h, d], or packed fp4 [seq_len, h, d/2] with an int32
#      (UE8M0 x4) scale [seq_len, h]; never bf16
#   kv fp8 [seq_len_kv, d] + fp32 scale [seq_len_kv] (int32 with fp4 / MX scales)
#   weights [seq_len, h] fp32 (bf16/fp16 allowed on SM100 only)
#   cu_seq_len_k_start/end int32 [seq_len] each
#   block_kv = 256 on SM90/SM100 (128 on SM120); block_q = 128 / num_heads;
#   aligned_seq_len = align(seq_len, block_q) (align(seq_len, 2 * block_q) with
#   fp16 weights); the row stride is 1024-byte aligned: 256 fp32 elements
#   (512 for bf16 logits). Then
#     max_seqlen_k == 0 (the default; SGLang's nsa_indexer.py at 005e8bf8 and
#     the vLLM copies we read pass none):
#       logits = empty({aligned_seq_len, align(seq_len_kv + block_kv, 256)})
#     max_seqlen_k != 0:
#       logits = empty({aligned_seq_len, align(align(max_seqlen_k, block_kv), 256)})
#   i.e. this version aligns the columns to 256 fp32 elements (1 KiB) after
#   adding block_kv, or to block_kv then 256 when max_seqlen_k is given.
# Ragged batches are packed: seq_len = b*sq query tokens, seq_len_kv = b*sk.
# DeepGEMM only produces logits; top-k is the caller's (vllm, sglang,
# sglang-nsa). The paged/decode kernel is deepgemm-paged.profile.
# The q, kv and weights dtypes are fixed here (params), not taken from the
# --q-dtype/--k-dtype flags: this kernel takes no bf16 q or kv.
# NOT verified: the sm100 schedule_meta (get_mqa_logits_metadata, a few KiB
# when passed) and the kernels' internal workspaces (none allocated in the
# host code read); nothing here was run on a GPU.
name deepgemm
description DeepGEMM fp8_fp4_mqa_logits (prefill): fp8/fp4 q and kv, padded logits [align(b*sq, 128/h), align(b*sk + 256, 256)] fp32, or align(align(max_seqlen_k, 256), 256) columns when max_seqlen_k is passed
source https://github.com/deepseek-ai/DeepGEMM/blob/0274ad7b911b99b4eb6f8d796403811cf1e18f3d/csrc/apis/attention.hpp (fp8_fp4_mqa_logits, fp8_mqa_logits)

param fp4 = 0              # 1: packed fp4 q and kv (d/2 B per row) with int32 scales
param max_seqlen_k = 0     # 0 (the default): columns from seq_len_kv + block_kv; else from max_seqlen_k
param block_kv = 256       # 128 on SM120
param logits_bits = 32     # logits_dtype: 32 (fp32, the default) or 16 (bf16)
param weights_bytes = 4    # fp32; 2 for the SM100 bf16/fp16 weights kernels
param f16_weights = 0      # 1: the SM100 fp16-weights kernel pads rows to 2 * block_q

let block_q = 128 / h
let rows = align_up(b * sq, block_q * (1 + f16_weights))
let col_align = 1024 * 8 / logits_bits
let cols = select(max_seqlen_k, align_up(align_up(max_seqlen_k, block_kv), col_align), align_up(b * sk + block_kv, col_align))
let row_bytes = select(fp4, d / 2, d)

phase logits

buffer q = b * sq * h * row_bytes live all input
buffer q_scale = select(fp4, 4 * b * sq * h, 0) live all input
buffer kv = b * sk * row_bytes live all input
buffer kv_scale = 4 * b * sk live all input
buffer weights = weights_bytes * b * sq * h live all input
buffer cu_seq_len_k = 2 * 4 * b * sq live all input
buffer logits = nbytes(rows * cols, logits_bits) live all
