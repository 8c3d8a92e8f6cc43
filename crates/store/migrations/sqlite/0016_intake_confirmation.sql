-- The intake's 確認画面 and what a government form asks for besides.
--
-- A checked submission waits here, under a random token (only its SHA-256 is stored), until
-- the proponent confirms it on the confirmation page; confirming deletes the draft in the
-- proposal's own transaction, so a draft becomes at most one proposal. Drafts expire after
-- two hours and the reminder sweep deletes them.
CREATE TABLE intake_drafts (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    tenant_code TEXT NOT NULL REFERENCES tenants (code),
    input       TEXT NOT NULL,
    ip          TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX intake_drafts_ip ON intake_drafts (ip, created_at);
CREATE INDEX intake_drafts_expiry ON intake_drafts (expires_at);

CREATE TABLE intake_draft_files (
    draft_id     INTEGER NOT NULL REFERENCES intake_drafts (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (draft_id, position)
);

-- 所在地, the contact's 部署 and 役職, and when the proponent agreed to the handling of
-- personal information (個人情報の取扱い; NULL: entered by the desk, or received before).
ALTER TABLE proposals ADD COLUMN org_address TEXT NOT NULL DEFAULT '';
ALTER TABLE proposals ADD COLUMN contact_department TEXT NOT NULL DEFAULT '';
ALTER TABLE proposals ADD COLUMN contact_title TEXT NOT NULL DEFAULT '';
ALTER TABLE proposals ADD COLUMN privacy_consented_at TEXT;
