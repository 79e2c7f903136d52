-- User administration: the list is ordered by name and paged, and stays quick at 100,000
-- users per tenant.
CREATE INDEX users_by_name ON users (tenant_id, display_name, id);
