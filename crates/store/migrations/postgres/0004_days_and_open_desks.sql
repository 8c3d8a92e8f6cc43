-- Dates as a Japanese office means them, and desks that are open or closed.
-- Kept in step with ../sqlite/0004_days_and_open_desks.sql (a test compares the schemas).

-- The JST day of receipt and its fiscal year (年度, April to March), which statistics group by.
ALTER TABLE proposals ADD COLUMN received_on TEXT NOT NULL DEFAULT '';
ALTER TABLE proposals ADD COLUMN fiscal_year BIGINT NOT NULL DEFAULT 0;
UPDATE proposals SET
    received_on = to_char(CAST(created_at AS timestamptz) AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'),
    fiscal_year = CAST(EXTRACT(YEAR FROM (CAST(created_at AS timestamptz) AT TIME ZONE 'Asia/Tokyo') - INTERVAL '3 months') AS BIGINT);
CREATE INDEX proposals_fiscal_year ON proposals (tenant_code, fiscal_year, status);

-- 市の財政負担を伴わない: a proposal that would cost the city is decided (実施決定) only with
-- the desk's recorded justification.
ALTER TABLE proposals ADD COLUMN fiscal_justification TEXT;

-- A desk takes proposals only while it is open (opened by its admin or the operator) and has
-- at least one active desk account.
ALTER TABLE tenant_settings ADD COLUMN desk_opened_at TEXT;
-- The department the desk itself belongs to (not a target of 庁内照会).
ALTER TABLE tenant_settings ADD COLUMN desk_department_id BIGINT REFERENCES departments (id) ON DELETE SET NULL;
