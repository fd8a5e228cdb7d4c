-- Per-term document counts of the task index, read by data/search.py to leave out of the "any word"
-- tier the words that occur in almost every task ("tuyên truyền"), which would otherwise make that
-- tier rank most of the archive. An fts5vocab table stores nothing: it reads tasks_fts's own index.
-- https://sqlite.org/fts5.html#the_fts5vocab_virtual_table_module

CREATE VIRTUAL TABLE tasks_fts_vocab USING fts5vocab (tasks_fts, row);
