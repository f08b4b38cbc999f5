-- Cliffwatch receipt store, schema version 2: receipts of external programs
-- (`cliffwatch-cli profile --exec`, lane 'exec'). Lanes keep the defaults.
ALTER TABLE receipts ADD COLUMN exec_program      TEXT    NOT NULL DEFAULT '';
ALTER TABLE receipts ADD COLUMN exec_pid          INTEGER NOT NULL DEFAULT 0;
ALTER TABLE receipts ADD COLUMN exec_rank         INTEGER NOT NULL DEFAULT -1;
ALTER TABLE receipts ADD COLUMN exec_device       INTEGER NOT NULL DEFAULT -1;
ALTER TABLE receipts ADD COLUMN exec_allocator    TEXT    NOT NULL DEFAULT ''
  CHECK (exec_allocator IN ('', 'tensor', 'reserved'));
ALTER TABLE receipts ADD COLUMN range_name        TEXT    NOT NULL DEFAULT '';
ALTER TABLE receipts ADD COLUMN range_occurrence  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE receipts ADD COLUMN range_open_bytes  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE receipts ADD COLUMN exit_code         INTEGER NOT NULL DEFAULT 0;
ALTER TABLE receipts ADD COLUMN exit_signal       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE receipts ADD COLUMN n_kernels         INTEGER NOT NULL DEFAULT 0;
