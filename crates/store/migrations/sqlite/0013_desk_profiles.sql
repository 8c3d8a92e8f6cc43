-- The desk's profile for its public page, written by the local government's administrator
-- (see renkei_domain::desk): its own name, what it does, takes and does not take, how a
-- proposal proceeds, contact and hours. Empty text: the platform's standard wording.
CREATE TABLE desk_profiles (
    tenant_code TEXT PRIMARY KEY REFERENCES tenants (code),
    desk_name   TEXT NOT NULL,
    description TEXT NOT NULL,
    scope       TEXT NOT NULL,
    not_taken   TEXT NOT NULL,
    process     TEXT NOT NULL,
    contact     TEXT NOT NULL,
    hours       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
