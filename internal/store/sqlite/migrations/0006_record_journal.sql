-- The record journal's indexed position (internal/store/sqlite/journal.go): every record
-- journaled before byte_offset of file generation `generation`, and in every older file, is in
-- the events table. It changes in the transaction that indexes those records.
CREATE TABLE record_journal (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL,
    byte_offset INTEGER NOT NULL
);
