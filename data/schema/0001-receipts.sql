-- Cliffwatch receipt store, schema version 1.
-- Applied by cw_receipt_store_open() inside one transaction; the store then
-- sets PRAGMA user_version = 1 and PRAGMA application_id = 0x43575253 ('CWRS').
-- Sizes are bytes (INTEGER, < 2^63); times are nanoseconds.

CREATE TABLE receipts (
  id                      INTEGER PRIMARY KEY,
  uuid                    TEXT    NOT NULL UNIQUE,
  sweep_id                TEXT    NOT NULL DEFAULT '',
  lane                    TEXT    NOT NULL,
  profile                 TEXT    NOT NULL DEFAULT '',

  -- configuration: every planner input
  b                       INTEGER NOT NULL,
  h                       INTEGER NOT NULL,
  d                       INTEGER NOT NULL,
  sq                      INTEGER NOT NULL,
  sk                      INTEGER NOT NULL,
  ratio                   INTEGER NOT NULL,
  top_k                   INTEGER NOT NULL,
  causal                  TEXT    NOT NULL,
  q_dtype                 TEXT    NOT NULL,
  k_dtype                 TEXT    NOT NULL,
  w_dtype                 TEXT    NOT NULL,
  score_dtype             TEXT    NOT NULL,
  index_dtype             TEXT    NOT NULL,
  chunk_budget_bytes      INTEGER NOT NULL,
  granularity             INTEGER NOT NULL,

  -- how it ended
  status                  TEXT    NOT NULL CHECK (status IN ('ok', 'oom', 'capture-failed', 'error')),
  error_message           TEXT    NOT NULL DEFAULT '',
  oom_request_bytes       INTEGER NOT NULL DEFAULT 0,
  oom_live_bytes          INTEGER NOT NULL DEFAULT 0,

  -- provenance
  gpu_name                TEXT    NOT NULL DEFAULT '',
  gpu_uuid                TEXT    NOT NULL DEFAULT '',
  hbm_total_bytes         INTEGER NOT NULL DEFAULT 0,
  driver_version          TEXT    NOT NULL DEFAULT '',
  cuda_driver_version     INTEGER NOT NULL DEFAULT 0,
  cuda_runtime_version    INTEGER NOT NULL DEFAULT 0,
  cupti_version           INTEGER NOT NULL DEFAULT 0,
  host                    TEXT    NOT NULL DEFAULT '',
  cliffwatch_version      TEXT    NOT NULL DEFAULT '',
  git_revision            TEXT    NOT NULL DEFAULT '',
  time_unix_ns            INTEGER NOT NULL DEFAULT 0,

  -- predicted, stored at run time
  predicted_peak_bytes    INTEGER NOT NULL DEFAULT 0,
  predicted_input_bytes   INTEGER NOT NULL DEFAULT 0,

  -- measured
  measured_peak_bytes     INTEGER NOT NULL DEFAULT 0,
  memgetinfo_delta_bytes  INTEGER NOT NULL DEFAULT 0,
  lane_ns                 INTEGER NOT NULL DEFAULT 0,
  kernel_ns               INTEGER NOT NULL DEFAULT 0,
  unprofiled_lane_ns      INTEGER NOT NULL DEFAULT 0,
  flops                   REAL    NOT NULL DEFAULT 0,
  tflops                  REAL    NOT NULL DEFAULT 0,
  has_recall              INTEGER NOT NULL DEFAULT 0,
  recall                  REAL    NOT NULL DEFAULT 0,
  dropped_records         INTEGER NOT NULL DEFAULT 0,

  -- graph-capture legality
  capture_attempted       INTEGER NOT NULL DEFAULT 0,
  captured                INTEGER NOT NULL DEFAULT 0,
  instantiated            INTEGER NOT NULL DEFAULT 0,
  replayed                INTEGER NOT NULL DEFAULT 0,
  matched                 INTEGER NOT NULL DEFAULT 0,
  capture_error           TEXT    NOT NULL DEFAULT '',

  note                    TEXT    NOT NULL DEFAULT '',

  -- how many child rows the receipt owns: a consistency check for readers
  n_buffers               INTEGER NOT NULL DEFAULT 0,
  n_phases                INTEGER NOT NULL DEFAULT 0,
  n_events                INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX receipts_lane_sq ON receipts (lane, sq);
CREATE INDEX receipts_sweep ON receipts (sweep_id);

CREATE TABLE receipt_buffers (
  receipt_id  INTEGER NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  bytes       INTEGER NOT NULL,
  is_input    INTEGER NOT NULL,
  PRIMARY KEY (receipt_id, idx)
) WITHOUT ROWID;

CREATE TABLE receipt_phases (
  receipt_id  INTEGER NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  live_bytes  INTEGER NOT NULL,
  PRIMARY KEY (receipt_id, idx)
) WITHOUT ROWID;

CREATE TABLE trace_events (
  receipt_id      INTEGER NOT NULL REFERENCES receipts (id) ON DELETE CASCADE,
  idx             INTEGER NOT NULL,
  kind            TEXT    NOT NULL CHECK (kind IN ('kernel', 'memcpy', 'memset', 'alloc', 'free', 'range')),
  name            TEXT    NOT NULL,
  start_ns        INTEGER NOT NULL,
  end_ns          INTEGER NOT NULL,
  bytes           INTEGER NOT NULL DEFAULT 0,
  address         INTEGER NOT NULL DEFAULT 0,
  stream_id       INTEGER NOT NULL DEFAULT 0,
  correlation_id  INTEGER NOT NULL DEFAULT 0,
  depth           INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (receipt_id, idx)
) WITHOUT ROWID;
