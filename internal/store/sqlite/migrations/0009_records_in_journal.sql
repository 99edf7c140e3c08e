-- Records indexed from the record journal stay in its files (records.go): such an event's
-- record column is empty and these name the file's generation, the record's byte offset in
-- it and its length. record_file 0: the record is in the row.
ALTER TABLE events ADD COLUMN record_file INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN record_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN record_len INTEGER NOT NULL DEFAULT 0;
