-- Open data: the licence a local government publishes its open data under (CSV, JSON, Atom).
-- `license_kind`: cc-by-4.0 (the default), cc0-1.0, gov-standard-2.0 or other, whose name is
-- `license_text` (one line, at most 200 characters; empty for the others).
-- Kept in step with the other backend's 0028_opendata_license.sql.
ALTER TABLE tenant_settings ADD COLUMN license_kind TEXT NOT NULL DEFAULT 'cc-by-4.0';
ALTER TABLE tenant_settings ADD COLUMN license_text TEXT NOT NULL DEFAULT '';
