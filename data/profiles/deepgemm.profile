# DeepGEMM fp8_mqa_logits (one call, no chunking): the logits output is
# allocated padded. From csrc/apis/attention.hpp, fp8_fp4_mqa_logits, at
# commit 0274ad7b911b99b4eb6f8d796403811cf1e18f3d (read 2026-11-23):
#   block_kv = 256 on SM90/SM100 (128 on SM120)
#   block_q = 128 / num_heads; aligned_seq_len = align(seq_len, block_q)
#   stride_logits = align(seq_len_kv + block_kv, 1024 / sizeof(logits_dtype))
#   logits = empty({aligned_seq_len, stride_logits}, logits_dtype)
# (the max_seqlen_k == 0 path). With fp32 logits the columns are
# align_up(sk + 256, 256): "columns aligned to 256 after +256".
# Ragged batches are packed: seq_len = b*sq query tokens, seq_len_kv = b*sk.
# DeepGEMM only produces logits; top-k is the caller's (see vllm / sglang).
name deepgemm
description DeepGEMM fp8_mqa_logits: padded fp32 logits [align(b*sq, 128/h), align(b*sk + 256, 256)] in one call
source https://github.com/deepseek-ai/DeepGEMM/blob/0274ad7b911b99b4eb6f8d796403811cf1e18f3d/csrc/apis/attention.hpp (fp8_fp4_mqa_logits)

param block_kv = 256

let rows = align_up(b * sq, 128 / h)
let cols = align_up(b * sk + block_kv, 1024 * 8 / bits_score)

phase logits

buffer q_fp8 = nbytes(b * sq * h * d, bits_q) live all input
buffer kv_fp8 = nbytes(b * sk * d, bits_k) live all input
buffer kv_scales = 4 * b * sk live all input
buffer weights = nbytes(b * sq * h, bits_w) live all input
buffer cu_seq_len_k = 2 * 4 * b * sq live all input
buffer logits = nbytes(rows * cols, bits_score) live all
