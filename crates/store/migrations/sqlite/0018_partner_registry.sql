-- The desk's partner registry: a reading (フリガナ, katakana, empty when not known), where the
-- partner sorts (五十音順 without legal-form words: renkei_domain::partner::sort_key, computed
-- by the application; the migrator fills it for the partners already there right after this
-- file, in the same transaction: crates/store/src/proposals/partners.rs, SORT_KEY_MIGRATION),
-- what the desk records by hand (address, website, phone, note) and the partners' contacts
-- (担当者), which follow a partner merged into another.
-- Kept in step with ../postgres/0018_partner_registry.sql.
ALTER TABLE partners ADD COLUMN name_kana TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX partners_sorted ON partners (tenant_code, sort_key, name);

CREATE TABLE partner_contacts (
    id          INTEGER PRIMARY KEY,
    tenant_code TEXT NOT NULL REFERENCES tenants (code),
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    name        TEXT NOT NULL,
    department  TEXT NOT NULL,
    title       TEXT NOT NULL,
    email       TEXT NOT NULL,
    phone       TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX partner_contacts_partner ON partner_contacts (partner_id);
