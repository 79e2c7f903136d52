-- The spine of the schema: tenants, users, departments, audit_log.
-- Kept in step with ../postgres/ (same tables, columns and types): the schema parity test
-- compares the two. Instants are BIGINT microseconds since the epoch, UTC; ids are TEXT
-- UUIDv7. Every tenant table has tenant_id first in its primary key, and references to
-- other tenant rows carry the tenant_id too, so a row can never point into another tenant.

CREATE TABLE tenants (
    id              TEXT    NOT NULL PRIMARY KEY,
    code            TEXT    NOT NULL UNIQUE,   -- 企業コード, typed at login
    name            TEXT    NOT NULL,
    time_zone       TEXT    NOT NULL DEFAULT 'Asia/Tokyo',
    contact_email   TEXT,                      -- 組織管理者メールアドレス (incident notices)
    seat_limit      BIGINT  NOT NULL CHECK (seat_limit >= 0),
    contract_start  TEXT    NOT NULL,          -- calendar date, YYYY-MM-DD
    contract_end    TEXT,                      -- calendar date, YYYY-MM-DD
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE users (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT    NOT NULL,
    email           TEXT    NOT NULL,          -- stored lower-cased
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
    version         BIGINT  NOT NULL DEFAULT 1,  -- optimistic concurrency for live editing
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES departments (tenant_id, id)
);
CREATE INDEX departments_parent ON departments (tenant_id, parent_id, sort_order);

-- actor_user_id is deliberately not a foreign key: a deleted user's audit rows stay,
-- pointing at an id that no longer names anyone.
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
