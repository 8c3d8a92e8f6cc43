-- The language mail is written in: an account's choice (`?lang=` while signed in) and the
-- language a proposal was sent in (the intake page's, or the API's Accept-Language), for the
-- mails to its proponent. Japanese unless chosen; the store reads anything else as corrupt.
-- Kept in step with ../postgres/0008_languages.sql (a test compares the schemas).
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'ja';
ALTER TABLE proposals ADD COLUMN lang TEXT NOT NULL DEFAULT 'ja';
