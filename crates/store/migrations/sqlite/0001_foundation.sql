-- Foundation: tenants, accounts, departments, sessions, API tokens, login throttling, audit.
-- Kept in step with ../postgres/0001_foundation.sql (a test compares the two schemas).
-- Timestamps are ISO 8601 UTC text with milliseconds (sortable as text on both databases).

CREATE TABLE tenants (
    code            TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('prefecture', 'municipality')),
    prefecture_code TEXT NOT NULL REFERENCES tenants (code),
    prefecture_name TEXT NOT NULL,
    name            TEXT NOT NULL,
    prefecture_kana TEXT NOT NULL,
    name_kana       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX tenants_prefecture ON tenants (prefecture_code);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    tenant_code   TEXT REFERENCES tenants (code),
    role          TEXT NOT NULL CHECK (role IN ('operator', 'admin', 'desk', 'department', 'proponent')),
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    disabled_at   TEXT,
    CHECK ((role = 'operator') = (tenant_code IS NULL))
);
CREATE INDEX users_tenant ON users (tenant_code, role);

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    tenant_code TEXT NOT NULL REFERENCES tenants (code),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (tenant_code, name)
);

CREATE TABLE department_members (
    department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (department_id, user_id)
);
CREATE INDEX department_members_user ON department_members (user_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    ip    TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Append-only. Never updated or deleted by the application; see renkei audit verify.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    tenant_code   TEXT,
    actor_user_id INTEGER,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    origin        TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_code, seq);

-- The chain's head: the last sequence number and hash, updated in the same transaction as
-- each append. Its row lock serialises appends on PostgreSQL.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
