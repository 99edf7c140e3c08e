-- Indexes a bulk load (trail import into an empty trail) dropped to build them once at the end
-- instead of inserting into them record by record; see DB.DeferEventIndexes. A row left here
-- means a load was interrupted: RestoreEventIndexes recreates the index.
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    sql  TEXT NOT NULL
);
