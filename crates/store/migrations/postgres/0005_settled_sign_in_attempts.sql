-- A sign-in attempt is recorded before its password is checked (so that parallel attempts
-- cannot all pass the throttle's count): a row without settled_at is an attempt still being
-- checked; it counts like a failure. A failed attempt sets settled_at; a successful one deletes
-- its row and the failures that were already settled when it began (never those of attempts
-- running at the same time).
-- The same on SQLite and PostgreSQL.
ALTER TABLE login_failures ADD COLUMN settled_at TEXT;
UPDATE login_failures SET settled_at = at;
