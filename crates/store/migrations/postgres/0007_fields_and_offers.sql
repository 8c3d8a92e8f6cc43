-- A proposal's fields (分野) and offers are rows of their own, not comma-joined text: the
-- inbox filters by an indexed equality, and a value is checked by a foreign reader too.
-- Kept in step with ../sqlite/0007_fields_and_offers.sql (a test compares the schemas).

CREATE TABLE proposal_fields (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    field       TEXT NOT NULL,
    PRIMARY KEY (proposal_id, field)
);
CREATE INDEX proposal_fields_field ON proposal_fields (field, proposal_id);

CREATE TABLE proposal_offers (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    offer       TEXT NOT NULL,
    PRIMARY KEY (proposal_id, offer)
);

-- The comma-joined lists, split in order.
INSERT INTO proposal_fields (proposal_id, position, field)
SELECT p.id, s.n - 1, s.item
FROM proposals p, unnest(string_to_array(p.fields, ',')) WITH ORDINALITY AS s (item, n)
WHERE s.item <> ''
ON CONFLICT DO NOTHING;

INSERT INTO proposal_offers (proposal_id, position, offer)
SELECT p.id, s.n - 1, s.item
FROM proposals p, unnest(string_to_array(p.offers, ',')) WITH ORDINALITY AS s (item, n)
WHERE s.item <> ''
ON CONFLICT DO NOTHING;

ALTER TABLE proposals DROP COLUMN fields;
ALTER TABLE proposals DROP COLUMN offers;
