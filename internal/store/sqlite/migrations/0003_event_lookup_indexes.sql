-- LookupEvents by Username and AccessKeyId read the newest matches from an index instead of
-- scanning the trail (issue 7: p99 < 100 ms over 10^6 records).
CREATE INDEX events_username ON events (account, username, seq);
CREATE INDEX events_access_key ON events (account, access_key, seq);

-- LookupEvents by ResourceName: one row per (event, resource name), kept by triggers from
-- events.resources ("\n"-framed "type\x00name" lines) so that the append path is unchanged.
-- The lines are split with json_each over a JSON array built from json_quote, which escapes
-- every control character (newline as \n, NUL as \u0000): with every escaped backslash parked
-- on char(1), those two escapes become string separators, so the array is valid JSON for any
-- resource name. It holds type, name, type, name, ...
CREATE TABLE event_resources (
    account TEXT NOT NULL,
    name    TEXT NOT NULL,
    type    TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (account, name, seq, type)
) WITHOUT ROWID;

CREATE TRIGGER events_resources_insert AFTER INSERT ON events WHEN NEW.resources <> '' BEGIN
    INSERT OR IGNORE INTO event_resources (account, name, type, seq)
    SELECT NEW.account, n.value, t.value, NEW.seq
    FROM json_each('[' || replace(replace(replace(replace(json_quote(trim(NEW.resources, char(10))), '\\', char(1)), '\n', '","'), '\u0000', '","'), char(1), '\\') || ']') AS t
    JOIN json_each('[' || replace(replace(replace(replace(json_quote(trim(NEW.resources, char(10))), '\\', char(1)), '\n', '","'), '\u0000', '","'), char(1), '\\') || ']') AS n
        ON n.key = t.key + 1
    WHERE t.key % 2 = 0;
END;

CREATE TRIGGER events_resources_delete AFTER DELETE ON events WHEN OLD.resources <> '' BEGIN
    DELETE FROM event_resources WHERE account = OLD.account AND seq = OLD.seq AND name IN (
        SELECT n.value
        FROM json_each('[' || replace(replace(replace(replace(json_quote(trim(OLD.resources, char(10))), '\\', char(1)), '\n', '","'), '\u0000', '","'), char(1), '\\') || ']') AS n
        WHERE n.key % 2 = 1);
END;

-- Trails recorded before this migration.
INSERT OR IGNORE INTO event_resources (account, name, type, seq)
SELECT e.account, n.value, t.value, e.seq
FROM events AS e,
    json_each('[' || replace(replace(replace(replace(json_quote(trim(e.resources, char(10))), '\\', char(1)), '\n', '","'), '\u0000', '","'), char(1), '\\') || ']') AS t,
    json_each('[' || replace(replace(replace(replace(json_quote(trim(e.resources, char(10))), '\\', char(1)), '\n', '","'), '\u0000', '","'), char(1), '\\') || ']') AS n
WHERE e.resources <> '' AND n.key = t.key + 1 AND t.key % 2 = 0;
