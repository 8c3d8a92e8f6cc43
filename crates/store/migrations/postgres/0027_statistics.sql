-- Statistics (/stats, /t/{code}/stats). A tenant's activities per fiscal year are counted from
-- this index alone (a range of days per tenant), never by reading the activities themselves.
-- The nationwide figures are computed at most once per freshness period and kept in
-- `stats_cache` (one row per scope, the figures as JSON), shared by every app server.
CREATE INDEX activities_tenant_day ON activities (tenant_code, done_on);
-- The nationwide computation reads the last five fiscal years of every tenant: counted from
-- this index alone, and each year's rows found through it rather than by reading them all.
CREATE INDEX proposals_fiscal_year_national ON proposals (fiscal_year, kind, status, decline_reason);
CREATE TABLE stats_cache (
    scope       TEXT PRIMARY KEY,
    computed_at TEXT NOT NULL,
    body        TEXT NOT NULL
);
