-- Audience (issue 12, point 1): a subscriber's role and unit as something a broadcast can target.
--
-- units: the list the admins maintain (/units). A subscriber may also type a unit that is not in
-- the list; it is added inactive (not offered as a button) so targeting still finds it by id.
-- subscribers.role and .unit stay the free text shown in greetings and reports; role_kind and
-- unit_id are what targeting uses. asked_unit_at: the bot asked this chat to type its unit and
-- waits for the answer (kept here, not in memory, so the question survives a restart).
-- Targets are JSON lists (NULL = everyone): drafts carry the admin's choice while the preview is
-- open, broadcasts the choice they were sent with. late_joiners: a subscriber who joins while the
-- broadcast still runs gets it too. Drafts default to yes (what an admin expects of "everyone");
-- broadcasts made before this migration, reminders and corrections default to no.

CREATE TABLE units (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL,
    folded             TEXT    NOT NULL UNIQUE,
    listed             INTEGER NOT NULL DEFAULT 1 CHECK (listed IN (0, 1)),
    created_at         TEXT    NOT NULL
);

ALTER TABLE subscribers ADD COLUMN role_kind TEXT CHECK (role_kind IN ('bcv', 'ttv', 'other'));
ALTER TABLE subscribers ADD COLUMN unit_id INTEGER REFERENCES units (id);
ALTER TABLE subscribers ADD COLUMN asked_unit_at TEXT;
CREATE INDEX subscribers_audience ON subscribers (role_kind, unit_id) WHERE active = 1;

ALTER TABLE drafts ADD COLUMN target_roles TEXT;
ALTER TABLE drafts ADD COLUMN target_units TEXT;
ALTER TABLE drafts ADD COLUMN late_joiners INTEGER NOT NULL DEFAULT 1 CHECK (late_joiners IN (0, 1));

ALTER TABLE broadcasts ADD COLUMN target_roles TEXT;
ALTER TABLE broadcasts ADD COLUMN target_units TEXT;
ALTER TABLE broadcasts ADD COLUMN late_joiners INTEGER NOT NULL DEFAULT 0 CHECK (late_joiners IN (0, 1));

-- Free-text roles typed in /profile before this migration, read the way people write them.
UPDATE subscribers SET role_kind = CASE
    WHEN ' ' || fold(role) || ' ' LIKE '% bcv %' OR fold(role) LIKE '%bao cao vien%' THEN 'bcv'
    WHEN ' ' || fold(role) || ' ' LIKE '% ttv %' OR fold(role) LIKE '%tuyen truyen vien%' THEN 'ttv'
    ELSE 'other'
END
WHERE role IS NOT NULL AND trim(role) <> '';

-- Units typed before this migration become unlisted units, so they can be targeted at once.
INSERT OR IGNORE INTO units (name, folded, listed, created_at)
SELECT trim(unit), fold(trim(unit)), 0, min(updated_at)
FROM subscribers
WHERE unit IS NOT NULL AND trim(unit) <> ''
GROUP BY fold(trim(unit));

UPDATE subscribers SET unit_id = (SELECT u.id FROM units AS u WHERE u.folded = fold(trim(subscribers.unit)))
WHERE unit IS NOT NULL AND trim(unit) <> '';
