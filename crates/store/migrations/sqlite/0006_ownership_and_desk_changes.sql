-- Who owns a proposal, and who joined the desk.
-- Kept in step with ../postgres/0006_ownership_and_desk_changes.sql (a test compares the schemas).

-- A proponent account gets the proposals sent from its e-mail address only after proving that
-- it receives mail there: a one-time token (only its SHA-256 is kept) is mailed to the address;
-- following it while signed in as that account links them. Expiring, single use.
CREATE TABLE proposal_link_tokens (
    id          INTEGER PRIMARY KEY,
    tenant_code TEXT NOT NULL REFERENCES tenants (code),
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX proposal_link_tokens_user ON proposal_link_tokens (user_id, created_at);

-- A proponent account's proposals are found by the account, never by e-mail.
CREATE INDEX proposals_proponent ON proposals (tenant_code, proponent_user_id);

-- Desk accounts added (or given the desk role): announced to the desk staff by mail and
-- listed on the desk's home page, so that no one joins the desk quietly.
CREATE TABLE desk_staff_changes (
    id            INTEGER PRIMARY KEY,
    tenant_code   TEXT NOT NULL REFERENCES tenants (code),
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    previous_role TEXT,
    by_user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    by_label      TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX desk_staff_changes_tenant ON desk_staff_changes (tenant_code, at);
