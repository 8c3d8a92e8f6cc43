-- The desk's own work on a proposal, kept from the proponent.
--
-- Internal memos (内部メモ): short notes of the desk's staff, never shown to the proponent
-- or to departments, never in mail. Corrections (訂正) change proposals' columns in place and
-- leave their old and new values in the timeline and the audit trail, so they need no table.
-- Files the desk attaches are rows of `attachments` with uploaded_by = 'desk'; the account
-- that attached one is kept here (NULL: the proponent's files, or a command without one).
-- Kept in step with ../postgres/0019_desk_memos_and_corrections.sql.
CREATE TABLE proposal_memos (
    id             INTEGER PRIMARY KEY,
    proposal_id    INTEGER NOT NULL REFERENCES proposals (id),
    tenant_code    TEXT NOT NULL,
    author_user_id INTEGER REFERENCES users (id),
    author         TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX proposal_memos_proposal ON proposal_memos (proposal_id, id);

ALTER TABLE attachments ADD COLUMN uploaded_by_user_id INTEGER REFERENCES users (id);
