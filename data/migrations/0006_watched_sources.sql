-- Portals the bot watches for new bulletins (WATCH_SOURCES, /sources add), what it has seen on them,
-- and the bulletins it offered to the admins.
--
-- watch_sources: one row per feed or listing page, with what a polite poller keeps between polls
--   (the validators for a conditional GET, the last outcome, the failures that set its back-off,
--   when it is due). first_ok_at stays NULL until the first successful poll, whose items are the
--   backfill: recorded as seen, bulletins among them archived, nothing offered. A removed source
--   is kept inactive, so its items stay seen if it is added again.
-- watch_items: every item a source listed, once (source, normalised link). 'new' until its page was
--   read; the verdict after that. An item seen while the bot was down is simply not there yet, so
--   it is new at the next poll; an item being read when the bot stopped is still 'new' and is
--   read again.
-- watch_offers: a bulletin found on a portal and offered to the admins, once per content
--   (content_hash: the conference month, the organizer and the task texts; bot/watch/watcher.py),
--   whichever source or sources list it. 'new' until every admin's
--   preview is out, then 'offered', then 'sent' or 'skipped' by the admin who decided; 'auto_sent'
--   for a source set to send without asking.
-- drafts gain offer_id: each admin gets the preview of an offer as a draft of their own (origin
--   'url', the article's link; fixable like an upload), which does not replace, and is not
--   replaced by, the draft they are working on: the one-pending-draft rule leaves offers out.

CREATE TABLE watch_sources (
    id                 INTEGER PRIMARY KEY,
    url                TEXT    NOT NULL UNIQUE,
    from_settings      INTEGER NOT NULL DEFAULT 0,
    added_by           INTEGER,
    added_at           TEXT    NOT NULL,
    active             INTEGER NOT NULL DEFAULT 1,
    auto_send          INTEGER NOT NULL DEFAULT 0,
    kind               TEXT,
    etag               TEXT,
    last_modified      TEXT,
    first_ok_at        TEXT,
    last_check_at      TEXT,
    last_ok_at         TEXT,
    last_status        TEXT,
    last_error         TEXT,
    failures           INTEGER NOT NULL DEFAULT 0,
    next_check_at      TEXT
);

CREATE TABLE watch_items (
    id                 INTEGER PRIMARY KEY,
    source_id          INTEGER NOT NULL REFERENCES watch_sources (id),
    item_key           TEXT    NOT NULL,
    link               TEXT    NOT NULL,
    title              TEXT    NOT NULL DEFAULT '',
    summary            TEXT    NOT NULL DEFAULT '',
    seen_at            TEXT    NOT NULL,
    backfill           INTEGER NOT NULL DEFAULT 0,
    state              TEXT    NOT NULL DEFAULT 'new'
                       CHECK (state IN ('new', 'bulletin', 'uncertain', 'duplicate', 'not_bulletin', 'failed')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    detail             TEXT,
    bulletin_id        INTEGER REFERENCES bulletins (id),
    checked_at         TEXT,
    UNIQUE (source_id, item_key)
);
CREATE INDEX watch_items_new ON watch_items (source_id, id) WHERE state = 'new';

CREATE TABLE watch_offers (
    id                 INTEGER PRIMARY KEY,
    content_hash       TEXT    NOT NULL UNIQUE,
    bulletin_id        INTEGER REFERENCES bulletins (id),
    item_id            INTEGER NOT NULL REFERENCES watch_items (id),
    uncertain          INTEGER NOT NULL DEFAULT 0,
    reasons            TEXT    NOT NULL DEFAULT '',
    bulletin_json      TEXT    NOT NULL,
    document_json      TEXT,
    status             TEXT    NOT NULL DEFAULT 'new'
                       CHECK (status IN ('new', 'offered', 'sent', 'skipped', 'auto_sent')),
    created_at         TEXT    NOT NULL,
    decided_by         INTEGER,
    decided_at         TEXT,
    broadcast_id       INTEGER REFERENCES broadcasts (id)
);
CREATE INDEX watch_offers_open ON watch_offers (status) WHERE status = 'new';

ALTER TABLE drafts ADD COLUMN offer_id INTEGER REFERENCES watch_offers (id);
DROP INDEX drafts_one_pending;
CREATE UNIQUE INDEX drafts_one_pending ON drafts (chat_id, admin_user_id) WHERE status = 'pending' AND offer_id IS NULL;
CREATE UNIQUE INDEX drafts_one_per_offer ON drafts (offer_id, chat_id) WHERE offer_id IS NOT NULL;
