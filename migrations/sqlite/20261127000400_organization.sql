-- Organization (PRODUCT §3): employees are users with HR fields; posts place them in
-- departments (one primary, any number of concurrent posts, 兼務), and a post may make its
-- holder that department's manager. Kept in step with ../postgres/ (schema parity test).

ALTER TABLE users ADD COLUMN kana TEXT;               -- フリガナ, NFKC (full-width katakana)
ALTER TABLE users ADD COLUMN job_title TEXT;          -- 役職
ALTER TABLE users ADD COLUMN grade TEXT;              -- 等級
ALTER TABLE users ADD COLUMN employment_type TEXT;    -- 雇用区分
ALTER TABLE users ADD COLUMN hire_date TEXT;          -- 入社日, YYYY-MM-DD

-- Counts every committed change of the tenant's org chart. Writers bump it first, which
-- also serializes them per tenant (a row lock on PostgreSQL, the write lock on SQLite), so
-- two concurrent moves can never combine into a cycle; live clients use it to notice gaps.
ALTER TABLE tenants ADD COLUMN org_revision BIGINT NOT NULL DEFAULT 0;

CREATE TABLE posts (
    tenant_id       TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    department_id   TEXT    NOT NULL,
    is_primary      BIGINT  NOT NULL CHECK (is_primary IN (0, 1)),
    is_manager      BIGINT  NOT NULL DEFAULT 0 CHECK (is_manager IN (0, 1)),
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, user_id, department_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    -- No cascade: only an empty department can be deleted.
    FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)
);
-- One primary department per employee, one manager per department.
CREATE UNIQUE INDEX posts_one_primary ON posts (tenant_id, user_id) WHERE is_primary = 1;
CREATE UNIQUE INDEX posts_one_manager ON posts (tenant_id, department_id) WHERE is_manager = 1;
CREATE INDEX posts_by_department ON posts (tenant_id, department_id);
-- The directory lists people in kana order (五十音順), by name where kana is missing.
CREATE INDEX users_by_kana ON users (tenant_id, COALESCE(kana, display_name), id);
