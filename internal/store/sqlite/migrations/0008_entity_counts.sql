-- Count reads one row instead of counting an account's entities of a kind: CreateUser and the
-- other entities-per-account quota checks called it on every create, which made seeding
-- 100,000 users quadratic. Triggers keep the counts with every insert and delete.
CREATE TABLE entity_counts (
    account TEXT NOT NULL,
    kind    TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (account, kind)
) WITHOUT ROWID;

INSERT INTO entity_counts (account, kind, n) SELECT account, kind, count(*) FROM entities GROUP BY account, kind;

CREATE TRIGGER entities_count_insert AFTER INSERT ON entities BEGIN
    INSERT INTO entity_counts (account, kind, n) VALUES (NEW.account, NEW.kind, 1)
        ON CONFLICT (account, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER entities_count_delete AFTER DELETE ON entities BEGIN
    UPDATE entity_counts SET n = n - 1 WHERE account = OLD.account AND kind = OLD.kind;
END;
