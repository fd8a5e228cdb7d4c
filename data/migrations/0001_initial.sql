-- Subscribers, the bulletin archive, broadcasts and their outbox.
-- Timestamps are ISO-8601 UTC text ("2021-10-15T07:53:00Z").

CREATE TABLE subscribers (
    chat_id            INTEGER PRIMARY KEY,
    user_id            INTEGER,
    chat_type          TEXT    NOT NULL DEFAULT 'private',
    display_name       TEXT,
    role               TEXT,
    unit               TEXT,
    language           TEXT    NOT NULL DEFAULT 'vi',
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    subscribed_at      TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    left_at            TEXT,
    left_reason        TEXT
);
CREATE INDEX subscribers_active ON subscribers (chat_id) WHERE active = 1;

CREATE TABLE bulletins (
    id                 INTEGER PRIMARY KEY,
    title              TEXT    NOT NULL,
    month              TEXT    NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    published          TEXT,
    organizer          TEXT    NOT NULL DEFAULT '',
    intro              TEXT    NOT NULL DEFAULT '',
    source_sha256      TEXT    NOT NULL UNIQUE,
    created_at         TEXT    NOT NULL
);
CREATE INDEX bulletins_month ON bulletins (month, id);

CREATE TABLE tasks (
    id                 INTEGER PRIMARY KEY,
    bulletin_id        INTEGER NOT NULL REFERENCES bulletins (id) ON DELETE CASCADE,
    number             INTEGER NOT NULL CHECK (number >= 1),
    enumerator         TEXT    NOT NULL DEFAULT '',
    text               TEXT    NOT NULL,
    UNIQUE (bulletin_id, number)
);

-- One broadcast = one bulletin sent to the subscribers active when it was queued.
CREATE TABLE broadcasts (
    id                 INTEGER PRIMARY KEY,
    bulletin_id        INTEGER NOT NULL REFERENCES bulletins (id),
    status             TEXT    NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'running', 'paused', 'done', 'cancelled', 'aborted')),
    requested_by       INTEGER,
    admin_chat_id      INTEGER,
    progress_message_id INTEGER,
    recipients         INTEGER NOT NULL DEFAULT 0,
    message_count      INTEGER NOT NULL DEFAULT 0,
    abort_reason       TEXT,
    created_at         TEXT    NOT NULL,
    started_at         TEXT,
    finished_at        TEXT
);

-- Exactly what goes out: the rendered HTML of each message, in order.
-- A task over Telegram's 4096-character limit becomes several consecutive messages.
CREATE TABLE broadcast_messages (
    broadcast_id       INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    seq                INTEGER NOT NULL CHECK (seq >= 1),
    task_number        INTEGER NOT NULL,
    html               TEXT    NOT NULL,
    PRIMARY KEY (broadcast_id, seq)
) WITHOUT ROWID;

-- The outbox: the truth about delivery. One row per (broadcast, message, chat).
-- A row becomes 'sent' only after Telegram answered with a message id.
CREATE TABLE deliveries (
    id                 INTEGER PRIMARY KEY,
    broadcast_id       INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    chat_id            INTEGER NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    message_id         INTEGER,
    attempts           INTEGER NOT NULL DEFAULT 0,
    error              TEXT,
    updated_at         TEXT,
    UNIQUE (broadcast_id, chat_id, seq)
);
-- The engine walks pending work chat by chat, each chat's rows in (broadcast, seq) order.
CREATE INDEX deliveries_pending ON deliveries (chat_id, broadcast_id, seq) WHERE status = 'pending';
CREATE INDEX deliveries_by_broadcast ON deliveries (broadcast_id, status);

-- A bulletin an admin has uploaded and is previewing; it becomes a broadcast on "Send".
CREATE TABLE drafts (
    id                 INTEGER PRIMARY KEY,
    admin_user_id      INTEGER NOT NULL,
    chat_id            INTEGER NOT NULL,
    source_text        TEXT    NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'cancelled')),
    broadcast_id       INTEGER REFERENCES broadcasts (id),
    created_at         TEXT    NOT NULL
);
