-- Event IDs are found by their time (blocks.go): the blocks holding a time begin at most
-- maxBlockSpan before it, read from this index instead of every block.
CREATE INDEX event_blocks_time ON event_blocks (t_min);
