-- Search that respects diacritics, and bulletins found by organizer or title.
--
-- 1. tasks.exact holds each word's exact key (bot.domain.textnorm.word_key: lower case, quality
--    marks kept, tone placement normalised, so "Tỉnh ủy" and "Tỉnh uỷ" agree). The task index
--    becomes two columns, folded and exact, so one MATCH can ask for "tham nhũng" as typed
--    (exact : "tham nhũng") or folded (folded : "tham nhung"), with FTS5 phrases, counts and
--    ORDER BY rowid DESC ... LIMIT as before. The exact column must keep its marks, so the
--    tokenizer no longer removes diacritics; the folded column has none left to remove.
--    An FTS5 table cannot gain a column (https://sqlite.org/fts5.html#external_content_tables):
--    it is dropped, created again and rebuilt from the tasks table.
-- 2. bulletins.organizer_folded and title_folded, indexed by bulletins_fts, so an organizer
--    phrase ("tinh uy ha giang") is found among tens of thousands of bulletins by the index.
--
-- exact_text() and fold() are the application's own functions, registered on the migrating
-- connection (data/store.py).

DROP TRIGGER tasks_fts_insert;
DROP TRIGGER tasks_fts_delete;
DROP TRIGGER tasks_fts_update;
DROP TABLE tasks_fts;

ALTER TABLE tasks ADD COLUMN exact TEXT NOT NULL DEFAULT '';
UPDATE tasks SET exact = exact_text(text);

CREATE VIRTUAL TABLE tasks_fts USING fts5 (
    folded,
    exact,
    content = 'tasks',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, folded, exact) VALUES (new.id, new.folded, new.exact);
END;

CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, folded, exact) VALUES ('delete', old.id, old.folded, old.exact);
END;

CREATE TRIGGER tasks_fts_update AFTER UPDATE OF folded, exact ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, folded, exact) VALUES ('delete', old.id, old.folded, old.exact);
    INSERT INTO tasks_fts (rowid, folded, exact) VALUES (new.id, new.folded, new.exact);
END;

INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild');

-- The index's words and how many tasks hold each, per column: the vocabulary spelling corrections
-- are chosen from (https://sqlite.org/fts5.html#the_fts5vocab_virtual_table_module).
CREATE VIRTUAL TABLE tasks_vocab USING fts5vocab (tasks_fts, 'col');

ALTER TABLE bulletins ADD COLUMN organizer_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE bulletins ADD COLUMN title_folded TEXT NOT NULL DEFAULT '';
UPDATE bulletins SET organizer_folded = fold(organizer), title_folded = fold(title);

CREATE VIRTUAL TABLE bulletins_fts USING fts5 (
    organizer_folded,
    title_folded,
    content = 'bulletins',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER bulletins_fts_insert AFTER INSERT ON bulletins BEGIN
    INSERT INTO bulletins_fts (rowid, organizer_folded, title_folded)
    VALUES (new.id, new.organizer_folded, new.title_folded);
END;

CREATE TRIGGER bulletins_fts_delete AFTER DELETE ON bulletins BEGIN
    INSERT INTO bulletins_fts (bulletins_fts, rowid, organizer_folded, title_folded)
    VALUES ('delete', old.id, old.organizer_folded, old.title_folded);
END;

CREATE TRIGGER bulletins_fts_update AFTER UPDATE OF organizer_folded, title_folded ON bulletins BEGIN
    INSERT INTO bulletins_fts (bulletins_fts, rowid, organizer_folded, title_folded)
    VALUES ('delete', old.id, old.organizer_folded, old.title_folded);
    INSERT INTO bulletins_fts (rowid, organizer_folded, title_folded)
    VALUES (new.id, new.organizer_folded, new.title_folded);
END;

INSERT INTO bulletins_fts (bulletins_fts) VALUES ('rebuild');

-- The organizers the archive holds, counted (data.bulletins.organizers) without sorting the table.
CREATE INDEX bulletins_organizer ON bulletins (organizer_folded, organizer);
