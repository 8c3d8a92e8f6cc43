-- Open calls (行政課題・テーマ型提案募集): a department's challenge, published by the desk,
-- answered by proposals (route `theme`, `proposals.call_id`), scored by assigned evaluators
-- and decided by the desk with its reason.
-- Kept in step with ../postgres/0021_open_calls.sql (a test compares the schemas).

-- `status`: draft, submitted, published, closed (closed early by the desk; a published call
-- past `closes_on` reads as closed), decided. Dates are JST days (ISO).
CREATE TABLE open_calls (
    id               INTEGER PRIMARY KEY,
    tenant_code      TEXT NOT NULL REFERENCES tenants (code),
    department_id    INTEGER NOT NULL REFERENCES departments (id),
    title            TEXT NOT NULL,
    background       TEXT NOT NULL,
    problem          TEXT NOT NULL,
    constraints_text TEXT NOT NULL,
    offers           TEXT NOT NULL,
    outcomes         TEXT NOT NULL,
    eligibility      TEXT NOT NULL,
    opens_on         TEXT NOT NULL,
    closes_on        TEXT NOT NULL,
    status           TEXT NOT NULL,
    return_comment   TEXT,
    selection_reason TEXT,
    created_by       INTEGER REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    submitted_at     TEXT,
    published_at     TEXT,
    closed_at        TEXT,
    decided_at       TEXT
);
CREATE INDEX open_calls_tenant ON open_calls (tenant_code, status, closes_on);
CREATE INDEX open_calls_department ON open_calls (department_id, status);

CREATE TABLE open_call_fields (
    call_id  INTEGER NOT NULL REFERENCES open_calls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    field    TEXT NOT NULL,
    PRIMARY KEY (call_id, field)
);

CREATE TABLE open_call_criteria (
    id       INTEGER PRIMARY KEY,
    call_id  INTEGER NOT NULL REFERENCES open_calls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    weight   INTEGER NOT NULL,
    UNIQUE (call_id, position)
);

CREATE TABLE open_call_evaluators (
    call_id     INTEGER NOT NULL REFERENCES open_calls (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (call_id, user_id)
);
CREATE INDEX open_call_evaluators_user ON open_call_evaluators (user_id, call_id);

CREATE TABLE open_call_scores (
    id           INTEGER PRIMARY KEY,
    call_id      INTEGER NOT NULL REFERENCES open_calls (id),
    proposal_id  INTEGER NOT NULL REFERENCES proposals (id),
    evaluator_id INTEGER NOT NULL REFERENCES users (id),
    criterion_id INTEGER NOT NULL REFERENCES open_call_criteria (id),
    score        INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment      TEXT NOT NULL,
    at           TEXT NOT NULL,
    UNIQUE (call_id, proposal_id, evaluator_id, criterion_id)
);

CREATE TABLE open_call_conflicts (
    id           INTEGER PRIMARY KEY,
    call_id      INTEGER NOT NULL REFERENCES open_calls (id),
    proposal_id  INTEGER NOT NULL REFERENCES proposals (id),
    evaluator_id INTEGER NOT NULL REFERENCES users (id),
    reason       TEXT NOT NULL,
    at           TEXT NOT NULL,
    UNIQUE (call_id, proposal_id, evaluator_id)
);

CREATE TABLE open_call_selections (
    call_id     INTEGER NOT NULL REFERENCES open_calls (id),
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (call_id, proposal_id)
);

ALTER TABLE proposals ADD COLUMN call_id INTEGER REFERENCES open_calls (id);
CREATE INDEX proposals_call ON proposals (call_id);
