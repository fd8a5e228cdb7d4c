-- Subscriber history (issue 12, point 5): /stats shows joins, leaves and blocks over time.
--
-- subscribers keeps only the present (active, left_at); the history is written by triggers, so
-- every path that subscribes or unsubscribes (/start, /stop, the delivery engine dropping a chat
-- that blocked the bot, the CLI) records it without knowing about it. A chat dropped by the
-- engine has a left_reason starting with 'blocked'; any other leave is the subscriber's own.
-- Rows from before this migration get one 'join' at subscribed_at and, if inactive, one leave.

CREATE TABLE subscriber_events (
    id                 INTEGER PRIMARY KEY,
    chat_id            INTEGER NOT NULL,
    at                 TEXT    NOT NULL,
    kind               TEXT    NOT NULL CHECK (kind IN ('join', 'rejoin', 'leave', 'blocked'))
);
CREATE INDEX subscriber_events_at ON subscriber_events (at, kind);

INSERT INTO subscriber_events (chat_id, at, kind)
SELECT chat_id, subscribed_at, 'join' FROM subscribers;

INSERT INTO subscriber_events (chat_id, at, kind)
SELECT chat_id, coalesce(left_at, updated_at),
       CASE WHEN coalesce(left_reason, '') LIKE 'blocked%' THEN 'blocked' ELSE 'leave' END
FROM subscribers WHERE active = 0;

CREATE TRIGGER subscriber_events_insert AFTER INSERT ON subscribers
BEGIN
    INSERT INTO subscriber_events (chat_id, at, kind)
    VALUES (NEW.chat_id, NEW.subscribed_at, CASE WHEN NEW.active = 1 THEN 'join' ELSE 'leave' END);
END;

CREATE TRIGGER subscriber_events_leave AFTER UPDATE OF active ON subscribers
WHEN OLD.active = 1 AND NEW.active = 0
BEGIN
    INSERT INTO subscriber_events (chat_id, at, kind)
    VALUES (NEW.chat_id, coalesce(NEW.left_at, NEW.updated_at),
            CASE WHEN coalesce(NEW.left_reason, '') LIKE 'blocked%' THEN 'blocked' ELSE 'leave' END);
END;

CREATE TRIGGER subscriber_events_rejoin AFTER UPDATE OF active ON subscribers
WHEN OLD.active = 0 AND NEW.active = 1
BEGIN
    INSERT INTO subscriber_events (chat_id, at, kind) VALUES (NEW.chat_id, NEW.updated_at, 'rejoin');
END;
