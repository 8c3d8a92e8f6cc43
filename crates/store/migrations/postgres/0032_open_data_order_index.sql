-- The open-data files walk the published partnerships in (local government, id) order, 500 at
-- a time after a cursor (crates/store/src/opendata.rs). With only (published, id) and
-- (tenant_code, id) to choose from, SQLite took the first for `published = 1` and sorted every
-- published partnership after the cursor for each chunk of the national file (60,000 rows
-- sorted 121 times: 65 s for the file with 8 downloads at once). With this index the chunk
-- is read in order and the scan stops after 500 rows.
CREATE INDEX partnerships_published_tenant ON partnerships (published, tenant_code, id);
