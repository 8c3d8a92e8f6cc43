-- A department's question back to the desk on a routing it has not answered yet (照会), with
-- the desk's reply; and the desk's templates (定型文) for messages and decline explanations.
-- Kept in step with ../postgres/0020_questions_and_templates.sql (a test compares the schemas).

-- Internal to the city: never shown to the proponent. A question does not answer its routing
-- (the routing stays pending, its deadline unchanged); `replied_at` NULL: waiting for the desk.
CREATE TABLE routing_questions (
    id          INTEGER PRIMARY KEY,
    routing_id  INTEGER NOT NULL REFERENCES routings (id),
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    tenant_code TEXT NOT NULL,
    question    TEXT NOT NULL,
    asked_by    INTEGER REFERENCES users (id),
    asked_at    TEXT NOT NULL,
    reply       TEXT,
    replied_by  INTEGER REFERENCES users (id),
    replied_at  TEXT
);
CREATE INDEX routing_questions_routing ON routing_questions (routing_id, asked_at);
-- The inbox's 「照会あり」 counts the questions still waiting per proposal.
CREATE INDEX routing_questions_open ON routing_questions (proposal_id, replied_at);
CREATE INDEX routing_questions_tenant_open ON routing_questions (tenant_code, replied_at);

-- A tenant's named templates: `kind` is `message` (to the proponent) or `decline` (不採択の説明).
CREATE TABLE desk_templates (
    id          INTEGER PRIMARY KEY,
    tenant_code TEXT NOT NULL REFERENCES tenants (code),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX desk_templates_tenant ON desk_templates (tenant_code, kind, name);
