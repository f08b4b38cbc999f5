# Only the bounded bookkeeping of a streaming path: the fixed-size top-k
# outputs [b, sq, k] (index + value), nothing that grows as sq*sk. MegaCpp's
# single-head illustration: K = 1024 kept, int32 index + 2-byte value = 6 B
# per entry -> 384 MiB at L = 65,536 and 768 MiB at L = 131,072 (domain.md §2;
# presets megacpp-bounded-65k / -131k).
name bounded-outputs
description Bounded top-k outputs only: index [b,sq,k] (index dtype) + value [b,sq,k] (score dtype)
source MegaCpp bounded-output note, as quoted in docs/domain.md §2

phase outputs

buffer topk_index = nbytes(b * sq * k, bits_index) live all
buffer topk_value = nbytes(b * sq * k, bits_score) live all
