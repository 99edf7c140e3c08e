-- Record journal frames may now be in format 2 (journal_codec.go): a compact record without
-- its lookup columns, which are derived from it when read. No table changes: the version is
-- here so that an older iamd, which would take such frames for damage and lose their
-- records, refuses to open the database (refuseNewer).
SELECT 1;
