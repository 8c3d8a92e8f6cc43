-- The national case search counts its facets in one pass over the matching `public_cases`
-- rows (crates/store/src/cases/mod.rs): each row already carries its prefecture, local
-- government, fields, form and year; this gives it its parties' types too (codes sorted,
-- joined with commas), filled from the facet rows for the cases already indexed.
-- Kept in step with ../sqlite/0031_case_partner_types.sql.
ALTER TABLE public_cases ADD COLUMN partner_types TEXT NOT NULL DEFAULT '';
UPDATE public_cases c SET partner_types = COALESCE((
    SELECT string_agg(f.value, ',' ORDER BY f.value) FROM public_case_facets f
    WHERE f.partnership_id = c.partnership_id AND f.facet = 'partner_type'
), '');
