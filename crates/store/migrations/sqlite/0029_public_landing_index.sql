-- The landing page's latest cases and the national count of published cases walk the
-- published partnerships newest first (WHERE published = 1 ORDER BY id DESC LIMIT 6): with
-- (published, id) they read those rows and stop instead of reading every partnership.
CREATE INDEX partnerships_published_id ON partnerships (published, id);
