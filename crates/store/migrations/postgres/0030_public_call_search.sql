-- The national search over published open calls (公募; see crates/store/src/open_calls/search.rs).
-- One `public_calls` row per call anyone may read (published, closed or decided), written in
-- the call's own write transaction on every change and absent for drafts and calls awaiting
-- the desk; existing calls are indexed by the migrator right after this file. `search_text`
-- holds only what the public call page shows (title, background, problem, constraints,
-- offers, outcomes, eligibility), folded as the case search folds (NFKC, lower case,
-- katakana, 株式会社 for (株)/㈱): never an answer, a score or the selection.
-- Kept in step with ../sqlite/0030_public_call_search.sql.
CREATE TABLE public_calls (
    call_id         BIGINT PRIMARY KEY REFERENCES open_calls (id) ON DELETE CASCADE,
    tenant_code     TEXT NOT NULL REFERENCES tenants (code),
    search_text     TEXT NOT NULL,
    indexed_at      TEXT NOT NULL
);
CREATE INDEX public_calls_tenant ON public_calls (tenant_code, call_id);

-- Bigram tokens without a tenant prefix, spelled in ASCII as in public_case_search, as a
-- position-less tsvector with a GIN index. SQLite keeps the same tokens in FTS5; the schema
-- comparison leaves this table out.
CREATE TABLE public_call_search (
    call_id BIGINT PRIMARY KEY REFERENCES open_calls (id) ON DELETE CASCADE,
    grams   TSVECTOR NOT NULL
);
CREATE INDEX public_call_search_grams ON public_call_search USING GIN (grams);
