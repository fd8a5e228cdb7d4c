-- Full-text search over tasks, on Vietnamese text folded to plain lower-case ASCII letters
-- (diacritics removed, đ/Đ/Ð → d) by the application, so "tham nhung" finds "tham nhũng".
-- External-content FTS5 table kept in sync by triggers: https://sqlite.org/fts5.html#external_content_tables

ALTER TABLE tasks ADD COLUMN folded TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE tasks_fts USING fts5 (
    folded,
    content = 'tasks',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, folded) VALUES (new.id, new.folded);
END;

CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, folded) VALUES ('delete', old.id, old.folded);
END;

CREATE TRIGGER tasks_fts_update AFTER UPDATE OF folded ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, folded) VALUES ('delete', old.id, old.folded);
    INSERT INTO tasks_fts (rowid, folded) VALUES (new.id, new.folded);
END;
