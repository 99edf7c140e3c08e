-- Records indexed from the record journal are kept a block to a row (blocks.go): a row per
-- record with its lookup indexes cost more than everything else a read does. A block is a
-- run of consecutive Seqs whose records are in one journal file; event_postings says, per
-- account and lookup attribute value, which records of a block have it.
CREATE TABLE event_blocks (
    first_seq INTEGER PRIMARY KEY, -- the Seq of its first record; the others follow
    n         INTEGER NOT NULL,    -- records
    file      INTEGER NOT NULL,    -- the journal file generation that holds their frames
    t_min     INTEGER NOT NULL,    -- the earliest and latest event time, Unix nanoseconds
    t_max     INTEGER NOT NULL,
    bytes     INTEGER NOT NULL,    -- the records' total length
    last_hash BLOB NOT NULL,       -- the chain hash of its last record
    meta      BLOB NOT NULL        -- per record: frame place and length, time, chain hash
);
CREATE TABLE event_postings (
    account   TEXT NOT NULL,
    attr      INTEGER NOT NULL,    -- which lookup attribute (blocks.go: post*)
    value     TEXT NOT NULL,
    first_seq INTEGER NOT NULL,    -- the block
    positions BLOB NOT NULL,       -- the records of the block with the value: uvarint deltas
    PRIMARY KEY (account, attr, value, first_seq)
) WITHOUT ROWID;
CREATE INDEX event_postings_block ON event_postings (first_seq);
