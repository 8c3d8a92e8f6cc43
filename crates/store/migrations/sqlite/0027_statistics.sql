-- Statistics (/stats, /t/{code}/stats). A tenant's activities per fiscal year are counted from
-- this index alone (a range of days per tenant), never by reading the activities themselves.
-- The nationwide figures are computed at most once per freshness period and kept in
-- `stats_cache` (one row per scope, the figures as JSON), shared by every app server.
CREATE INDEX activities_tenant_day ON activities (tenant_code, done_on);
CREATE TABLE stats_cache (
    scope       TEXT PRIMARY KEY,
    computed_at TEXT NOT NULL,
    body        TEXT NOT NULL
);
