-- A new block's postings wait in one row here, appended, until a merge moves them into
-- event_postings in key order (postings.go): written a block at a time, the rows of a block
-- whose records name many users scattered over event_postings' pages.
CREATE TABLE event_block_postings (
    first_seq INTEGER PRIMARY KEY, -- the block
    entries   INTEGER NOT NULL,    -- its postings
    postings  BLOB NOT NULL        -- per posting: account, attr, value and positions, in key order
);
