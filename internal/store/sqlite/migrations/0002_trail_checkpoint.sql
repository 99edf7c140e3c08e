-- The checkpoint a pruned audit trail resumes from (store.Checkpoint): one row, written by
-- Prune in the transaction that deletes the events before it.
CREATE TABLE trail_checkpoint (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB NOT NULL
);
