-- The case search's keys held in memory by each app server follow the case index exactly
-- (crates/store/src/cases/keys.rs): every transaction that changes a case's rows bumps the one
-- revision row, just before it commits (so such transactions commit in revision order), and
-- logs the case with its revision; a server whose keys are older reads the changes after its
-- revision, or everything when the log no longer reaches back that far.
-- Kept in step with ../postgres/0033_case_revisions.sql.
CREATE TABLE public_case_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO public_case_revision (id, revision) VALUES (1, 0);
CREATE TABLE public_case_changes (
    revision       INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL
);
