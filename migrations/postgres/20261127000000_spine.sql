-- The spine of the schema: tenants, users, departments, audit_log.
-- Kept in step with ../sqlite/ (same tables, columns and types): the schema parity test
-- compares the two. See there for the conventions.
--
-- Row-level security: every tenant table has it enabled AND forced (so it binds the table
-- owner, which is the role the app connects as), with one policy that admits only rows of
-- the tenant in `app.tenant_id`, set per transaction by the app. Unset, the setting reads
-- as NULL or '' and no row matches: a query that forgets its tenant sees nothing.
-- The app must connect as a role that is neither superuser nor BYPASSRLS.

CREATE TABLE tenants (
    id              TEXT    NOT NULL PRIMARY KEY,
    code            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    time_zone       TEXT    NOT NULL DEFAULT 'Asia/Tokyo',
    contact_email   TEXT,
    seat_limit      BIGINT  NOT NULL CHECK (seat_limit >= 0),
    contract_start  TEXT    NOT NULL,
    contract_end    TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE users (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    display_name    TEXT    NOT NULL,
    language        TEXT    NOT NULL DEFAULT 'ja' CHECK (language IN ('ja', 'en')),
    status          TEXT    NOT NULL DEFAULT 'invited'
                            CHECK (status IN ('invited', 'active', 'deactivated')),
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);

CREATE TABLE departments (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT    NOT NULL,
    code            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    parent_id       TEXT,
    sort_order      BIGINT  NOT NULL DEFAULT 0,
    version         BIGINT  NOT NULL DEFAULT 1,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES departments (tenant_id, id)
);
CREATE INDEX departments_parent ON departments (tenant_id, parent_id, sort_order);

CREATE TABLE audit_log (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT    NOT NULL,
    occurred_at     BIGINT  NOT NULL,
    actor_kind      TEXT    NOT NULL CHECK (actor_kind IN ('user', 'operator', 'system', 'anonymous')),
    actor_user_id   TEXT,
    action          TEXT    NOT NULL,
    target_type     TEXT,
    target_id       TEXT,
    before_json     TEXT,
    after_json      TEXT,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    ip              TEXT,
    user_agent      TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_time ON audit_log (tenant_id, occurred_at);

-- One policy per tenant table. A later migration that adds a tenant table adds its three
-- statements too; the RLS test fails for any table with a tenant_id column that lacks them.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE departments ENABLE ROW LEVEL SECURITY;
ALTER TABLE departments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON departments
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
