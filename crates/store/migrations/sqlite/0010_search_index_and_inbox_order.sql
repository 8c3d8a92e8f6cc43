-- The proposals' search index (see crates/store/src/search.rs): one row per proposal, its
-- tenant-prefixed bigram tokens. SQLite keeps it in FTS5: contentless (the text is in
-- proposals.search_text), no positions or sizes (only "which proposals hold this token").
-- The rowid is the proposal's id. Existing proposals are indexed by the migrator right after
-- this file, in the same transaction. PostgreSQL keeps the same tokens in a tsvector with a
-- GIN index (../postgres/0010_search_index_and_inbox_order.sql); the schema comparison leaves
-- this table out, being the one table whose form differs by design.
CREATE VIRTUAL TABLE proposal_search USING fts5(
    grams, content = '', columnsize = 0, detail = none, tokenize = 'ascii'
);

-- The inbox's sorts over all of a tenant's proposals, without sorting them every time. Each
-- also carries the columns the common filters test (status, the first-response deadline), so
-- that reaching page 50 of a filtered list reads index entries, not proposals (a proposal row
-- with its text is large: scanning 10,000 of them for one page took 40 ms of CPU).
CREATE INDEX proposals_tenant_created
    ON proposals (tenant_code, created_at, id, status, first_responded_at, first_response_due);
CREATE INDEX proposals_tenant_updated ON proposals (tenant_code, updated_at, id, status);
CREATE INDEX proposals_tenant_due
    ON proposals (tenant_code, first_response_due, id, status, first_responded_at);
CREATE INDEX proposals_tenant_assignee ON proposals (tenant_code, assignee_user_id, created_at);
-- A department's list: its routings, newest first.
CREATE INDEX routings_department_requested ON routings (department_id, requested_at);
