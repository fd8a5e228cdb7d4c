-- Scheduled broadcasts (issue 12): a broadcast can wait in 'scheduled' until its scheduled_at (UTC
-- ISO text, the format data.store.utcnow() writes). Its outbox rows are written when it is
-- scheduled, as for any queued broadcast, so the engine must not load them before that time
-- (data/outbox.py, NEXT_CHATS and PENDING_IN_RANGE); at that time it becomes 'queued'.
--
-- audience and same_bulletins say who is added when it starts: subscribers who joined after it was
-- scheduled get it too. 'everyone': every active subscriber without a row in it; 'without': those
-- who also have no broadcast of any bulletin in same_bulletins (a JSON array of the bulletin ids
-- that are "the same bulletin", bot/services/publishing.py). NULL for broadcasts queued at once.
--
-- The status CHECK gains 'scheduled'. SQLite cannot ALTER a CHECK, and rebuilding broadcasts means
-- dropping a table that deliveries, broadcast_messages, drafts and watch_offers reference, which
-- with foreign_keys ON (and ON DELETE CASCADE) would delete the outbox. Loosening a CHECK changes
-- nothing on disk, so the table's definition is edited in place, the procedure SQLite documents
-- for removing CHECK constraints (https://sqlite.org/lang_altertable.html#otheralter). The ALTERs
-- come first: they bump the schema cookie, so every other connection reloads the schema; RESET
-- reloads it on this one (https://sqlite.org/pragma.html#pragma_writable_schema). Every row already
-- there satisfies the looser CHECK.

ALTER TABLE broadcasts ADD COLUMN scheduled_at TEXT;
ALTER TABLE broadcasts ADD COLUMN audience TEXT CHECK (audience IN ('everyone', 'without'));
ALTER TABLE broadcasts ADD COLUMN same_bulletins TEXT;
-- The scheduler's one question: when is the next one due?
CREATE INDEX broadcasts_scheduled ON broadcasts (scheduled_at) WHERE status = 'scheduled';

PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(
    sql,
    'CHECK (status IN (''queued'', ''running'', ''paused'', ''done'', ''cancelled'', ''aborted''))',
    'CHECK (status IN (''scheduled'', ''queued'', ''running'', ''paused'', ''done'', ''cancelled'', ''aborted''))'
)
WHERE type = 'table' AND name = 'broadcasts';
PRAGMA writable_schema = RESET;
