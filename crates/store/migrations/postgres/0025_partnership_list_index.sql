-- The partnership list walks a tenant's partnerships newest first (ORDER BY id DESC LIMIT 50):
-- with (tenant_code, id) it reads the page's rows and stops, where (tenant_code, status, id)
-- made it read and sort every partnership of the tenant.
CREATE INDEX partnerships_tenant_id ON partnerships (tenant_code, id);
