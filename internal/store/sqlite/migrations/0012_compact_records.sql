-- Records of reads, denials and failed calls may now be kept in audit's compact binary form
-- (audit.AppendCompact) in the record journal and in events.record, and read back as JSON.
-- No table changes: the version is here so that an older iamd, which would hand those bytes
-- out as records, refuses to open the database (refuseNewer).
SELECT 1;
