-- The public case library (連携事例) and its national search (see crates/store/src/cases/).
-- A case is a published (公開) partnership that is signed or ended (締結済・実施中, 終了): one
-- `public_cases` row each, written in the partnership's own transaction on every change and
-- deleted when it stops being public; existing partnerships are indexed by the migrator right
-- after this file. The row carries what a result list shows, so a search page reads no
-- partnership. `search_text` is folded (NFKC, lower case, katakana, 株式会社 for (株)/㈱).
-- Kept in step with ../sqlite/0026_public_cases.sql.
CREATE TABLE public_cases (
    partnership_id  BIGINT PRIMARY KEY REFERENCES partnerships (id) ON DELETE CASCADE,
    tenant_code     TEXT NOT NULL REFERENCES tenants (code),
    prefecture_code TEXT NOT NULL,
    form            TEXT NOT NULL,
    status          TEXT NOT NULL,
    title           TEXT NOT NULL,
    partners        TEXT NOT NULL,
    fields          TEXT NOT NULL,
    signed_on       TEXT,
    starts_on       TEXT,
    ends_on         TEXT,
    year            BIGINT NOT NULL,
    sort_on         TEXT NOT NULL,
    search_text     TEXT NOT NULL,
    indexed_at      TEXT NOT NULL
);
CREATE INDEX public_cases_newest ON public_cases (sort_on, partnership_id);
CREATE INDEX public_cases_tenant ON public_cases (tenant_code, sort_on, partnership_id);

-- Facet values of each case (prefecture, tenant, field, partner_type, form, year): filters
-- are indexed EXISTS tests, counts one GROUP BY.
CREATE TABLE public_case_facets (
    partnership_id BIGINT NOT NULL REFERENCES public_cases (partnership_id) ON DELETE CASCADE,
    facet          TEXT NOT NULL,
    value          TEXT NOT NULL,
    PRIMARY KEY (partnership_id, facet, value)
);
CREATE INDEX public_case_facets_value ON public_case_facets (facet, value, partnership_id);

-- Each party's key: `cn:` and its 法人番号 when known, else `nm:` and its name folded without
-- legal-form words ("the same partner in other local governments").
CREATE TABLE public_case_partners (
    partnership_id BIGINT NOT NULL REFERENCES public_cases (partnership_id) ON DELETE CASCADE,
    partner_key    TEXT NOT NULL,
    PRIMARY KEY (partnership_id, partner_key)
);
CREATE INDEX public_case_partners_key ON public_case_partners (partner_key, partnership_id);

-- The bigrams of each case's folded title ("similar cases elsewhere").
CREATE TABLE public_case_grams (
    partnership_id BIGINT NOT NULL REFERENCES public_cases (partnership_id) ON DELETE CASCADE,
    gram           TEXT NOT NULL,
    PRIMARY KEY (partnership_id, gram)
);
CREATE INDEX public_case_grams_gram ON public_case_grams (gram, partnership_id);

-- The national full-text index: bigram tokens without a tenant prefix, spelled in ASCII as
-- in proposal_search (crates/store/src/search.rs), as a position-less tsvector with a GIN
-- index. SQLite keeps the same tokens in FTS5; the schema comparison leaves this table out.
CREATE TABLE public_case_search (
    partnership_id BIGINT PRIMARY KEY REFERENCES partnerships (id) ON DELETE CASCADE,
    grams          TSVECTOR NOT NULL
);
CREATE INDEX public_case_search_grams ON public_case_search USING GIN (grams);
