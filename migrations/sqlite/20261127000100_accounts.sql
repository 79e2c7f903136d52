-- Accounts and access: passwords, roles, sessions, one-time tokens, the mail outbox.
-- Kept in step with ../postgres/ (checked by the schema parity test).

ALTER TABLE users ADD COLUMN employee_code TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;          -- argon2id PHC string
ALTER TABLE users ADD COLUMN password_set_at BIGINT;      -- NULL: the user has not chosen one (WP 7)
ALTER TABLE users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until BIGINT;
ALTER TABLE users ADD COLUMN last_login_at BIGINT;
CREATE UNIQUE INDEX users_employee_code ON users (tenant_id, employee_code);

-- A user may hold several roles. organization/evaluation/audit_admin are the subsystem
-- admins; business_admin's scope is in business_admin_scopes.
CREATE TABLE user_roles (
    tenant_id       TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('system_admin', 'organization_admin',
                                'evaluation_admin', 'audit_admin', 'business_admin')),
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE business_admin_scopes (
    tenant_id       TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    department_id   TEXT    NOT NULL,   -- the scope is this department and its subtree
    PRIMARY KEY (tenant_id, user_id, department_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id) ON DELETE CASCADE
);

-- Server-side sessions. The cookie holds the tenant id and a random secret; only the
-- secret's SHA-256 is stored, so a copy of this table opens no session.
CREATE TABLE sessions (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash      TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    last_seen_at    BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,   -- the absolute limit
    ip              TEXT,
    user_agent      TEXT,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

-- Setup, invitation and reset links: single use, stored as SHA-256 only.
CREATE TABLE one_time_tokens (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash      TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    purpose         TEXT    NOT NULL CHECK (purpose IN ('setup', 'invitation', 'reset')),
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    used_at         BIGINT,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX one_time_tokens_user ON one_time_tokens (tenant_id, user_id, purpose);

-- Mails wait here until the worker has delivered them (SMTP or .eml file); a failure is
-- retried later, never lost. The body is blanked once sent: it may hold a one-time link.
CREATE TABLE mail_outbox (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT    NOT NULL,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    sent_at         BIGINT,
    last_error      TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX mail_outbox_due ON mail_outbox (tenant_id, sent_at, next_attempt_at);
