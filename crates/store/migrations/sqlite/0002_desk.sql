-- The desk at work: proposals, their timeline, messages, attachments, hearings, routings,
-- partners, tenant settings, the mail outbox and the intake rate limit.
-- Kept in step with ../postgres/0002_desk.sql (a test compares the two schemas).

CREATE TABLE tenant_settings (
    tenant_code          TEXT PRIMARY KEY REFERENCES tenants (code),
    first_response_days  INTEGER NOT NULL,
    routing_days         INTEGER NOT NULL,
    updated_at           TEXT NOT NULL
);

-- The partner registry of one local government: organisations de-duplicated by 法人番号,
-- else by normalised name.
CREATE TABLE partners (
    id               INTEGER PRIMARY KEY,
    tenant_code      TEXT NOT NULL REFERENCES tenants (code),
    name             TEXT NOT NULL,
    name_norm        TEXT NOT NULL,
    partner_type     TEXT NOT NULL,
    corporate_number TEXT,
    strengths        TEXT NOT NULL,
    constraints      TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (tenant_code, name_norm)
);
CREATE UNIQUE INDEX partners_corporate_number ON partners (tenant_code, corporate_number);

-- Receipt numbers: one counter per local government and year.
CREATE TABLE receipt_counters (
    tenant_code TEXT NOT NULL REFERENCES tenants (code),
    year        INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    PRIMARY KEY (tenant_code, year)
);

CREATE TABLE proposals (
    id                   INTEGER PRIMARY KEY,
    tenant_code          TEXT NOT NULL REFERENCES tenants (code),
    receipt_number       TEXT NOT NULL UNIQUE,
    kind                 TEXT NOT NULL,
    route                TEXT NOT NULL,
    status               TEXT NOT NULL,
    partner_id           INTEGER NOT NULL REFERENCES partners (id),
    org_name             TEXT NOT NULL,
    partner_type         TEXT NOT NULL,
    corporate_number     TEXT,
    contact_name         TEXT NOT NULL,
    email                TEXT NOT NULL,
    phone                TEXT NOT NULL,
    title                TEXT NOT NULL,
    summary              TEXT NOT NULL,
    details              TEXT NOT NULL,
    fields               TEXT NOT NULL,
    offers               TEXT NOT NULL,
    expected_effects     TEXT NOT NULL,
    fiscal_burden        TEXT NOT NULL,
    fiscal_explanation   TEXT NOT NULL,
    publication_consent  INTEGER NOT NULL,
    referral_consent     INTEGER NOT NULL,
    tracking_hash        TEXT NOT NULL UNIQUE,
    proponent_user_id    INTEGER REFERENCES users (id),
    assignee_user_id     INTEGER REFERENCES users (id),
    first_response_due   TEXT NOT NULL,
    first_responded_at   TEXT,
    decline_reason       TEXT,
    decline_explanation  TEXT,
    referred_to          TEXT REFERENCES tenants (code),
    referred_from_id     INTEGER REFERENCES proposals (id),
    search_text          TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    closed_at            TEXT
);
CREATE INDEX proposals_inbox ON proposals (tenant_code, status, created_at);
CREATE INDEX proposals_partner ON proposals (partner_id);
CREATE INDEX proposals_email ON proposals (tenant_code, email);

-- The timeline: every status change, message, hearing, routing, answer and assignment.
CREATE TABLE proposal_events (
    id               INTEGER PRIMARY KEY,
    proposal_id      INTEGER NOT NULL REFERENCES proposals (id),
    tenant_code      TEXT NOT NULL,
    at               TEXT NOT NULL,
    actor_user_id    INTEGER,
    actor            TEXT NOT NULL,
    kind             TEXT NOT NULL,
    from_status      TEXT,
    to_status        TEXT,
    note             TEXT NOT NULL,
    for_proponent    INTEGER NOT NULL
);
CREATE INDEX proposal_events_proposal ON proposal_events (proposal_id, id);

CREATE TABLE proposal_messages (
    id             INTEGER PRIMARY KEY,
    proposal_id    INTEGER NOT NULL REFERENCES proposals (id),
    tenant_code    TEXT NOT NULL,
    at             TEXT NOT NULL,
    from_desk      INTEGER NOT NULL,
    author_user_id INTEGER REFERENCES users (id),
    author         TEXT NOT NULL,
    body           TEXT NOT NULL
);
CREATE INDEX proposal_messages_proposal ON proposal_messages (proposal_id, id);

-- Attachments live in the database so every app server of a deployment can read them.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    proposal_id  INTEGER NOT NULL REFERENCES proposals (id),
    tenant_code  TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX attachments_proposal ON attachments (proposal_id);

CREATE TABLE hearings (
    id           INTEGER PRIMARY KEY,
    proposal_id  INTEGER NOT NULL REFERENCES proposals (id),
    tenant_code  TEXT NOT NULL,
    held_on      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    participants TEXT NOT NULL,
    notes        TEXT NOT NULL,
    next_steps   TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES users (id),
    created_at   TEXT NOT NULL
);
CREATE INDEX hearings_proposal ON hearings (proposal_id);

-- 庁内照会: a question to one department, with a deadline and its answer.
CREATE TABLE routings (
    id             INTEGER PRIMARY KEY,
    proposal_id    INTEGER NOT NULL REFERENCES proposals (id),
    tenant_code    TEXT NOT NULL,
    department_id  INTEGER NOT NULL REFERENCES departments (id),
    question       TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    requested_by   INTEGER REFERENCES users (id),
    requested_at   TEXT NOT NULL,
    answer         TEXT,
    answer_comment TEXT,
    answered_by    INTEGER REFERENCES users (id),
    answered_at    TEXT,
    UNIQUE (proposal_id, department_id)
);
CREATE INDEX routings_department ON routings (department_id, answered_at);

-- Mail goes out through here: written in the same transaction as the change it reports,
-- sent by a worker, retried with back-off until the mail server takes it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    tenant_code     TEXT,
    proposal_id     INTEGER,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

-- Public submissions per client address, for the intake rate limit.
CREATE TABLE intake_log (
    id INTEGER PRIMARY KEY,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX intake_log_ip ON intake_log (ip, at);
