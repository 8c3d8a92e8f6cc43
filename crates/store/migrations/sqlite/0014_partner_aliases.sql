-- Names under which a partner is also known, left by merging two partners (two faculties of
-- one university, a company under an old name): intake that finds no partner by 法人番号 or
-- by the normalised name looks here, so the next proposal under the merged name joins the
-- partner it was merged into.
CREATE TABLE partner_aliases (
    tenant_code TEXT NOT NULL REFERENCES tenants (code),
    name_norm   TEXT NOT NULL,
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_code, name_norm)
);
CREATE INDEX partner_aliases_partner ON partner_aliases (partner_id);
