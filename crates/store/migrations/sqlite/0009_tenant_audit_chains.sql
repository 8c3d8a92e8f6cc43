-- One hash chain per local government instead of one for the whole installation, so that a
-- read in one desk never waits for a read in another (issue: measured at national scale).
-- `chain` is the entry's tenant code, or '' for entries that belong to no local government
-- (operator actions, failed sign-ins of unknown accounts). Each chain numbers its entries from
-- 1 in `seq` and links them by hash exactly as before; `audit_heads` keeps each chain's last
-- number and hash. Entries written before this migration stay as they were, as chain '' (they
-- were one chain), so they still verify. `id` orders entries across chains.
-- Kept in step with ../postgres/0009_tenant_audit_chains.sql (a test compares the schemas).
CREATE TABLE audit_log_chained (
    id            INTEGER PRIMARY KEY,
    chain         TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    at            TEXT NOT NULL,
    tenant_code   TEXT,
    actor_user_id INTEGER,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    origin        TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    UNIQUE (chain, seq)
);
INSERT INTO audit_log_chained
    (id, chain, seq, at, tenant_code, actor_user_id, actor, action, target, detail, origin, prev_hash, hash)
SELECT seq, '', seq, at, tenant_code, actor_user_id, actor, action, target, detail, origin, prev_hash, hash
FROM audit_log ORDER BY seq;
DROP TABLE audit_log;
ALTER TABLE audit_log_chained RENAME TO audit_log;
CREATE INDEX audit_log_tenant ON audit_log (tenant_code, id);

CREATE TABLE audit_heads (
    chain TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_heads (chain, seq, hash) SELECT '', seq, hash FROM audit_head WHERE seq > 0;
DROP TABLE audit_head;
