-- Corrections (issue 12, point 4): after a broadcast went out, an admin edits a task's text for
-- every recipient, retracts it, or sends a short notice that replies to it.
--
-- A correction is a broadcast of its own (correction_of = the original, correction_kind says
-- which), so it goes through the same durable outbox, pacer and reports as any send.
-- broadcast_messages.action says what each of its rows does in a chat: send a new message, edit
-- or delete the message the original sent for task target_seq, or reply to it.
-- deliveries.target_message_id is that message in that chat, copied from the original's sent row
-- when the correction is fanned out; deliveries.outcome records what was done when it differed
-- from the plan (a retract that could only edit, an edit Telegram called "not modified").

ALTER TABLE broadcasts ADD COLUMN correction_of INTEGER REFERENCES broadcasts (id);
ALTER TABLE broadcasts ADD COLUMN correction_kind TEXT CHECK (correction_kind IN ('edit', 'retract', 'notice'));
CREATE INDEX broadcasts_corrections ON broadcasts (correction_of) WHERE correction_of IS NOT NULL;

ALTER TABLE broadcast_messages ADD COLUMN action TEXT NOT NULL DEFAULT 'send'
    CHECK (action IN ('send', 'edit', 'delete', 'reply'));
ALTER TABLE broadcast_messages ADD COLUMN target_seq INTEGER;

ALTER TABLE deliveries ADD COLUMN target_message_id INTEGER;
ALTER TABLE deliveries ADD COLUMN outcome TEXT;

-- When the original's message reached that chat (its sent row's updated_at), copied with
-- target_message_id: a retract deletes only within Telegram's 48 hours
-- (https://core.telegram.org/bots/api#deletemessage) and otherwise edits into a withdrawn notice.
ALTER TABLE deliveries ADD COLUMN target_sent_at TEXT;

-- The archive follows corrections: an edit rewrites tasks.text (and its search columns, as
-- data/bulletins.py writes them); a retract sets withdrawn_at and replaces the text by a withdrawn
-- notice, so archive answers show the task as withdrawn and search no longer finds its words.
-- original_text keeps the text as it was first archived, so nothing stored is lost.
ALTER TABLE tasks ADD COLUMN withdrawn_at TEXT;
ALTER TABLE tasks ADD COLUMN original_text TEXT;
