-- Cliffwatch receipt store, schema version 3: the gradient check of a training
-- lane (issue 18: lanes gradcheck, streaming-train, ...): dq, dw, dk from the GPU
-- against the float64 CPU reference, |gpu - ref| <= 3e-5 * sum|terms| + kink
-- allowance. gradcheck is '' when no check ran (every earlier receipt);
-- gradcheck_worst is the largest |gpu - ref| / allowed over the three outputs
-- (ok <=> at most 1), gradcheck_worst_at the output element it was, e.g. 'dk[517]'.
ALTER TABLE receipts ADD COLUMN gradcheck          TEXT    NOT NULL DEFAULT ''
  CHECK (gradcheck IN ('', 'ok', 'failed'));
ALTER TABLE receipts ADD COLUMN gradcheck_worst    REAL    NOT NULL DEFAULT 0;
ALTER TABLE receipts ADD COLUMN gradcheck_worst_at TEXT    NOT NULL DEFAULT '';
