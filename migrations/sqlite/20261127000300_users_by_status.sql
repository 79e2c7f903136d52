-- Seats in use are counted by status on every user-list page.
CREATE INDEX users_by_status ON users (tenant_id, status);
