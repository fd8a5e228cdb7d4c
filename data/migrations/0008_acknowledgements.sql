-- "Đã nhận" acknowledgements (issue 12, point 3). A subscriber presses "✅ Đã nhận · Received" under
-- the last part of a bulletin: (broadcast, chat, at) is recorded once.
--
-- Whether a part carries that button is a fact of the outbox, not of the code that happens to send
-- it, so a resend after a restart carries it too: broadcast_messages.ack_for names the broadcast the
-- button acknowledges (the broadcast itself for a bulletin's last part, the original broadcast for a
-- reminder's message), NULL for no button. broadcasts.reminder_of marks a reminder and names the
-- broadcast it reminds of.
--
-- Broadcasts already in the outbox get the button on their last part, so their pending rows (and
-- the ones already sent) can be acknowledged like new ones.

CREATE TABLE acknowledgements (
    broadcast_id       INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id            INTEGER NOT NULL,
    at                 TEXT    NOT NULL,
    PRIMARY KEY (broadcast_id, chat_id)
) WITHOUT ROWID;

ALTER TABLE broadcast_messages ADD COLUMN ack_for INTEGER REFERENCES broadcasts (id);
ALTER TABLE broadcasts ADD COLUMN reminder_of INTEGER REFERENCES broadcasts (id);

UPDATE broadcast_messages
SET ack_for = broadcast_id
WHERE seq = (SELECT max(m.seq) FROM broadcast_messages AS m WHERE m.broadcast_id = broadcast_messages.broadcast_id);
