-- No query reads events_time: LookupEvents reads an attribute's index (or the table, newest
-- first) and checks the time range per row, and SeqAt walks the table from its oldest row.
-- Every recorded event paid for inserting into it.
DROP INDEX IF EXISTS events_time;
DELETE FROM deferred_indexes WHERE name = 'events_time';
