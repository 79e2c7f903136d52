-- Evaluation sheet templates (PRODUCT §4). A template (its sections, rating scale,
-- final-score rule and grades) is one JSON document of domain::evaluation::template::
-- Template, checked by Template::check before every write. A period copies the document
-- when it is launched, so a template can change freely afterwards without changing a
-- sheet. Kept in step with ../sqlite/ (schema parity test).
CREATE TABLE evaluation_templates (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    definition      TEXT    NOT NULL,
    version         BIGINT  NOT NULL DEFAULT 1,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

ALTER TABLE evaluation_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE evaluation_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON evaluation_templates
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
