-- Partnerships (連携事業) and what keeps them alive: parties, fields, the signed documents,
-- a timeline, activities (取組実績) with photos, outcome indicators with a target and an
-- actual per fiscal year, the annual review (年次評価), beneficiaries' voice (受益者の声,
-- held for moderation), and each tenant's dormancy period. `last_activity_on` is the latest
-- activity's day (or the day an imported list gave): the dashboard, the list and the dormancy
-- sweep read it without touching activities; `renewal_from` (six months before `ends_on`) is
-- the first day on which an annual review counts as the renewal decision. Flags are 0/1 integers; days are `YYYY-MM-DD`.
-- Kept in step with ../postgres/0022_partnerships.sql.
CREATE TABLE partnerships (
    id                   INTEGER PRIMARY KEY,
    tenant_code          TEXT NOT NULL REFERENCES tenants (code),
    form                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    title                TEXT NOT NULL,
    purpose              TEXT NOT NULL,
    summary              TEXT NOT NULL,
    city_role            TEXT NOT NULL,
    department_id        INTEGER REFERENCES departments (id),
    proposal_id          INTEGER REFERENCES proposals (id),
    route                TEXT NOT NULL,
    signed_on            TEXT,
    starts_on            TEXT,
    ends_on              TEXT,
    renewal_from         TEXT,
    auto_renew           INTEGER NOT NULL,
    fiscal_amount        INTEGER,
    fiscal_justification TEXT NOT NULL,
    published            INTEGER NOT NULL,
    commercial_note      TEXT,
    last_activity_on     TEXT,
    last_review_on       TEXT,
    dormancy_notified_on TEXT,
    created_by           TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX partnerships_tenant ON partnerships (tenant_code, status, id);
CREATE INDEX partnerships_department ON partnerships (department_id, status);
CREATE INDEX partnerships_proposal ON partnerships (proposal_id);
CREATE INDEX partnerships_alive ON partnerships (status, last_activity_on);

CREATE TABLE partnership_parties (
    partnership_id   INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    partner_id       INTEGER REFERENCES partners (id),
    name             TEXT NOT NULL,
    party_type       TEXT NOT NULL,
    corporate_number TEXT,
    role             TEXT NOT NULL,
    PRIMARY KEY (partnership_id, position)
);
CREATE INDEX partnership_parties_partner ON partnership_parties (partner_id);

CREATE TABLE partnership_fields (
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    field          TEXT NOT NULL,
    PRIMARY KEY (partnership_id, position)
);
CREATE INDEX partnership_fields_field ON partnership_fields (field, partnership_id);

CREATE TABLE partnership_events (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    note           TEXT NOT NULL
);
CREATE INDEX partnership_events_partnership ON partnership_events (partnership_id, id);

CREATE TABLE partnership_documents (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    tenant_code    TEXT NOT NULL,
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    data           BLOB NOT NULL,
    uploaded_by    TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX partnership_documents_partnership ON partnership_documents (partnership_id);

CREATE TABLE activities (
    id             INTEGER PRIMARY KEY,
    tenant_code    TEXT NOT NULL REFERENCES tenants (code),
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    done_on        TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    people         INTEGER,
    outputs        TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX activities_partnership ON activities (partnership_id, done_on, id);

CREATE TABLE activity_photos (
    id           INTEGER PRIMARY KEY,
    activity_id  INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    tenant_code  TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX activity_photos_activity ON activity_photos (activity_id);

CREATE TABLE partnership_indicators (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    unit           TEXT NOT NULL,
    UNIQUE (partnership_id, name)
);

CREATE TABLE indicator_values (
    indicator_id INTEGER NOT NULL REFERENCES partnership_indicators (id) ON DELETE CASCADE,
    fiscal_year  INTEGER NOT NULL,
    target       INTEGER,
    actual       INTEGER,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (indicator_id, fiscal_year)
);

CREATE TABLE partnership_reviews (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    fiscal_year    INTEGER NOT NULL,
    decision       TEXT NOT NULL,
    assessment     TEXT NOT NULL,
    partner_view   TEXT NOT NULL,
    reviewed_on    TEXT NOT NULL,
    reviewed_by    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (partnership_id, fiscal_year)
);

CREATE TABLE partnership_feedback (
    id             INTEGER PRIMARY KEY,
    tenant_code    TEXT NOT NULL REFERENCES tenants (code),
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    rating         INTEGER NOT NULL,
    comment        TEXT NOT NULL,
    attribute      TEXT,
    status         TEXT NOT NULL,
    client_key     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    moderated_by   TEXT,
    moderated_at   TEXT
);
CREATE INDEX partnership_feedback_partnership ON partnership_feedback (partnership_id, status, id);
CREATE INDEX partnership_feedback_pending ON partnership_feedback (tenant_code, status, id);
CREATE INDEX partnership_feedback_client ON partnership_feedback (client_key, created_at);

ALTER TABLE tenant_settings ADD COLUMN dormancy_months INTEGER NOT NULL DEFAULT 12;
