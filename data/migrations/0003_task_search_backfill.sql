-- Carry the tasks of a version-1 database into search. 0002 added tasks.folded with a default of ''
-- and an empty FTS index, so tasks stored before it were never found. Fold them with the
-- application's own fold() (registered on the migrating connection, see data/store.py), then
-- rebuild the whole index from the tasks table: https://sqlite.org/fts5.html#the_rebuild_command
--
-- The update trigger is set aside meanwhile: it would tell the index to delete entries for rows it
-- never held, which FTS5 reports as a malformed database.

DROP TRIGGER tasks_fts_update;

UPDATE tasks SET folded = fold(text) WHERE folded IS NOT fold(text);

CREATE TRIGGER tasks_fts_update AFTER UPDATE OF folded ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, folded) VALUES ('delete', old.id, old.folded);
    INSERT INTO tasks_fts (rowid, folded) VALUES (new.id, new.folded);
END;

INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild');
