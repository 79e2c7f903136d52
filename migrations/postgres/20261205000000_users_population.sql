-- A period's population preview and launch read every person of a tenant in employee-code
-- order with what the population rule asks of them: from this index alone, in its order
-- (SQLite: 0.15 s for 100,000 people instead of 0.2 to 0.5 s through the table, as the
-- planner happened to choose).
CREATE INDEX users_population ON users (tenant_id, employee_code, id, status, grade, employment_type, hire_date);
