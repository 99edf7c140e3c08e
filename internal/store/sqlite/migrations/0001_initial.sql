CREATE TABLE entities (
    account    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name_key   TEXT NOT NULL, -- lower-case name: the uniqueness and sort key
    name       TEXT NOT NULL,
    id         TEXT NOT NULL,
    path       TEXT NOT NULL,
    created    TEXT NOT NULL,
    data       BLOB NOT NULL,
    PRIMARY KEY (account, kind, name_key)
) WITHOUT ROWID;
CREATE INDEX entities_id ON entities (account, kind, id) WHERE id <> '';

CREATE TABLE links (
    account  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    from_key TEXT NOT NULL,
    to_key   TEXT NOT NULL,
    from_name TEXT NOT NULL,
    to_name  TEXT NOT NULL,
    PRIMARY KEY (account, kind, from_key, to_key)
) WITHOUT ROWID;
CREATE INDEX links_to ON links (account, kind, to_key, from_key);

CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    time       INTEGER NOT NULL, -- Unix nanoseconds, UTC
    account    TEXT NOT NULL,
    source     TEXT NOT NULL,
    name       TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    username   TEXT NOT NULL,
    access_key TEXT NOT NULL,
    read_only  INTEGER NOT NULL,
    resources  TEXT NOT NULL, -- "\n"-joined "type\x00name" pairs, each line also "\n"-framed
    record     BLOB NOT NULL,
    hash       BLOB NOT NULL
);
CREATE INDEX events_time ON events (account, time);
CREATE INDEX events_name ON events (account, name, seq);
CREATE INDEX events_id ON events (event_id);
