-- Overdue reminders: when the last one went out, so each overdue item is reminded at most once
-- a day even with several app servers. Kept in step with ../postgres/0003_reminders.sql.
ALTER TABLE proposals ADD COLUMN reminded_at TEXT;
ALTER TABLE routings ADD COLUMN reminded_at TEXT;
