-- Password reset by a mailed single-use link (「パスワードをお忘れの方」).
-- Kept in step with ../postgres/0017_password_resets.sql (a test compares the schemas).

-- One row per link mailed: only the SHA-256 of the token is kept. A link works once
-- (`used_at`), until `expires_at` (1 hour), and only while it is the account's newest one
-- (a newer request, or a reset, ends the older ones by moving their `expires_at` to then).
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    ip         TEXT NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);

-- Every request let through the throttle, for a known address or not (so both cost the same
-- and the limits hold for both): the SHA-256 of the normalised address, never the address.
CREATE TABLE password_reset_requests (
    id         INTEGER PRIMARY KEY,
    email_hash TEXT NOT NULL,
    ip         TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX password_reset_requests_email ON password_reset_requests (email_hash, at);
CREATE INDEX password_reset_requests_ip ON password_reset_requests (ip, at);
