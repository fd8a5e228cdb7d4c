-- Drafts an admin can fix before sending, that survive a restart.
--
-- A draft is now either being collected (a bulletin pasted over several messages, parts in
-- draft_parts until the admin presses "Xong · Done") or previewed. What is previewed is stored with
-- the draft as JSON, edits included (bulletin_json), and Send renders from it, not from the source:
-- what is sent is exactly what was last shown. preview_json says which messages in the chat show
-- it, so a button or a reply after a restart still finds its task. version counts the edits; the
-- Send button carries it, so a Send pressed on an older view is refused.
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt
-- (https://sqlite.org/lang_altertable.html#otheralter); nothing references drafts.

CREATE TABLE drafts_v4 (
    id                 INTEGER PRIMARY KEY,
    admin_user_id      INTEGER NOT NULL,
    chat_id            INTEGER NOT NULL,
    -- The source as plain text: the pasted text, or what a file or page was read as.
    source_text        TEXT    NOT NULL DEFAULT '',
    status             TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('collecting', 'pending', 'sent', 'cancelled', 'replaced', 'expired')),
    broadcast_id       INTEGER REFERENCES broadcasts (id),
    created_at         TEXT    NOT NULL,
    origin             TEXT    NOT NULL DEFAULT 'text' CHECK (origin IN ('text', 'file', 'url')),
    source_name        TEXT,   -- the file name or the URL
    document_json      TEXT,   -- the loaded document (blocks), for "re-parse from scratch"
    bulletin_json      TEXT,   -- the bulletin as last shown, the admin's edits included
    preview_json       TEXT,   -- the chat messages that show it, in order
    version            INTEGER NOT NULL DEFAULT 0,
    updated_at         TEXT    NOT NULL
);

INSERT INTO drafts_v4 (id, admin_user_id, chat_id, source_text, status, broadcast_id, created_at, updated_at)
SELECT id, admin_user_id, chat_id, source_text, status, broadcast_id, created_at, created_at FROM drafts;

-- One open draft per admin and chat: a new one replaces the previous (the bot says so). Older
-- databases allowed several previews at once; all but the newest are marked replaced.
UPDATE drafts_v4 SET status = 'replaced'
WHERE status = 'pending'
  AND id NOT IN (SELECT max(id) FROM drafts_v4 WHERE status = 'pending' GROUP BY chat_id, admin_user_id);

DROP TABLE drafts;
ALTER TABLE drafts_v4 RENAME TO drafts;

CREATE UNIQUE INDEX drafts_one_pending ON drafts (chat_id, admin_user_id) WHERE status = 'pending';
CREATE UNIQUE INDEX drafts_one_collecting ON drafts (chat_id, admin_user_id) WHERE status = 'collecting';

-- The messages of a bulletin pasted in several parts, joined in message order on "Done".
CREATE TABLE draft_parts (
    draft_id           INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    message_id         INTEGER NOT NULL,
    text               TEXT    NOT NULL,
    PRIMARY KEY (draft_id, message_id)
) WITHOUT ROWID;
