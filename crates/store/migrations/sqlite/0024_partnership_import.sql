-- Partnership lists imported from a spreadsheet: each partnership keeps the ID its row had in
-- the city's own list (`source_id`, unique per tenant, so the same file is not imported
-- twice), and an uploaded file waits here between its preview and the 「取り込む」 that
-- confirms it (`sheet_uploads`, keyed by a random token, for the one user who uploaded it,
-- for an hour). Kept in step with ../postgres/0024_partnership_import.sql.
ALTER TABLE partnerships ADD COLUMN source_id TEXT;
CREATE UNIQUE INDEX partnerships_source ON partnerships (tenant_code, source_id);

CREATE TABLE sheet_uploads (
    token       TEXT PRIMARY KEY,
    tenant_code TEXT NOT NULL REFERENCES tenants (code),
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    filename    TEXT NOT NULL,
    data        BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX sheet_uploads_created ON sheet_uploads (created_at);
