-- Issue 12, point 6: several admins see the same broadcasts and controls, so what each of them did
-- is recorded with who did it, and shown in the broadcast's report.
--
-- One row per action: who (Telegram user id and the name they had then; NULL for the CLI or the
-- bot itself), what (a short code, data/admin_actions.py lists them), on which broadcast (NULL for
-- an action on no broadcast, e.g. a unit added), a detail for people ("task 3", "07:30"), when.

CREATE TABLE admin_actions (
    id                 INTEGER PRIMARY KEY,
    at                 TEXT    NOT NULL,
    admin_user_id      INTEGER,
    admin_name         TEXT,
    action             TEXT    NOT NULL,
    broadcast_id       INTEGER REFERENCES broadcasts (id) ON DELETE CASCADE,
    detail             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX admin_actions_by_broadcast ON admin_actions (broadcast_id, id) WHERE broadcast_id IS NOT NULL;
