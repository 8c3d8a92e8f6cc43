-- A proposal's fields (分野) and offers are rows of their own, not comma-joined text: the
-- inbox filters by an indexed equality, and a value is checked by a foreign reader too.
-- Kept in step with ../postgres/0007_fields_and_offers.sql (a test compares the schemas).

CREATE TABLE proposal_fields (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    field       TEXT NOT NULL,
    PRIMARY KEY (proposal_id, field)
);
CREATE INDEX proposal_fields_field ON proposal_fields (field, proposal_id);

CREATE TABLE proposal_offers (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    offer       TEXT NOT NULL,
    PRIMARY KEY (proposal_id, offer)
);

-- The comma-joined lists, split in order.
WITH RECURSIVE split (proposal_id, position, rest, item) AS (
    SELECT id, -1, fields || ',', NULL FROM proposals
    UNION ALL
    SELECT proposal_id, position + 1, substr(rest, instr(rest, ',') + 1), substr(rest, 1, instr(rest, ',') - 1)
    FROM split WHERE rest <> ''
)
INSERT INTO proposal_fields (proposal_id, position, field)
SELECT proposal_id, position, item FROM split WHERE item IS NOT NULL AND item <> ''
ON CONFLICT DO NOTHING;

WITH RECURSIVE split (proposal_id, position, rest, item) AS (
    SELECT id, -1, offers || ',', NULL FROM proposals
    UNION ALL
    SELECT proposal_id, position + 1, substr(rest, instr(rest, ',') + 1), substr(rest, 1, instr(rest, ',') - 1)
    FROM split WHERE rest <> ''
)
INSERT INTO proposal_offers (proposal_id, position, offer)
SELECT proposal_id, position, item FROM split WHERE item IS NOT NULL AND item <> ''
ON CONFLICT DO NOTHING;

ALTER TABLE proposals DROP COLUMN fields;
ALTER TABLE proposals DROP COLUMN offers;
