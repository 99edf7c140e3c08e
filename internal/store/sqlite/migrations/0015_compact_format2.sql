-- Compact records may now be in format 2 (package audit, compact_fields.go): AccessDenied
-- messages and request and event IDs coded. No table changes: the version is here so that an
-- older iamd, which would take such records for JSON and fail to read them, refuses to open
-- the database (refuseNewer).
SELECT 1;
