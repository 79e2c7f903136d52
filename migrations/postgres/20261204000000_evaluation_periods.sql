-- Evaluation periods and their sheets (PRODUCT §4). A period's plan (term, template,
-- stages, population rule, deadlines, calibration and disclosure) is one JSON document of
-- domain::evaluation::period::PeriodPlan, checked before every write. At launch the period
-- copies its template into template_snapshot, and every sheet reads that copy: editing or
-- deleting the template later changes no sheet. Kept in step with ../sqlite/ (schema
-- parity test).
CREATE TABLE evaluation_periods (
    tenant_id           TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                  TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    state               TEXT    NOT NULL,
    definition          TEXT    NOT NULL,
    template_snapshot   TEXT,
    closed_phases       TEXT    NOT NULL DEFAULT '[]',
    version             BIGINT  NOT NULL DEFAULT 1,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    launched_at         BIGINT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- Evaluators chosen by hand (on the page or by CSV) before launch, replacing what the org
-- chart proposes for that person; an empty stage is one the admin has not chosen.
CREATE TABLE evaluation_chain_choices (
    tenant_id       TEXT    NOT NULL,
    period_id       TEXT    NOT NULL,
    employee_id     TEXT    NOT NULL,
    evaluator_1     TEXT,
    evaluator_2     TEXT,
    evaluator_3     TEXT,
    PRIMARY KEY (tenant_id, period_id, employee_id),
    FOREIGN KEY (tenant_id, period_id) REFERENCES evaluation_periods (tenant_id, id)
        ON DELETE CASCADE
);

-- One sheet per person per period. The person and the evaluators are user ids without a
-- foreign key: a sheet outlives its people (a deleted user's sheet is kept, excluded).
-- content: domain::evaluation::sheet::SheetContent as JSON; extended_deadlines: the
-- [phase, date] pairs an admin extended for this sheet alone.
CREATE TABLE evaluation_sheets (
    tenant_id           TEXT    NOT NULL,
    id                  TEXT    NOT NULL,
    period_id           TEXT    NOT NULL,
    employee_id         TEXT    NOT NULL,
    state               TEXT    NOT NULL,
    evaluator_1         TEXT,
    evaluator_2         TEXT,
    evaluator_3         TEXT,
    content             TEXT    NOT NULL DEFAULT '{}',
    extended_deadlines  TEXT    NOT NULL DEFAULT '[]',
    excluded_reason     TEXT,
    version             BIGINT  NOT NULL DEFAULT 1,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, period_id, employee_id),
    FOREIGN KEY (tenant_id, period_id) REFERENCES evaluation_periods (tenant_id, id)
        ON DELETE CASCADE
);

-- A hand-over and a person's own sheets look sheets up by evaluator and by person.
CREATE INDEX evaluation_sheets_by_employee ON evaluation_sheets (tenant_id, employee_id);
CREATE INDEX evaluation_sheets_by_evaluator_1 ON evaluation_sheets (tenant_id, evaluator_1);
CREATE INDEX evaluation_sheets_by_evaluator_2 ON evaluation_sheets (tenant_id, evaluator_2);
CREATE INDEX evaluation_sheets_by_evaluator_3 ON evaluation_sheets (tenant_id, evaluator_3);

ALTER TABLE evaluation_periods ENABLE ROW LEVEL SECURITY;
ALTER TABLE evaluation_periods FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON evaluation_periods
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE evaluation_chain_choices ENABLE ROW LEVEL SECURITY;
ALTER TABLE evaluation_chain_choices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON evaluation_chain_choices
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE evaluation_sheets ENABLE ROW LEVEL SECURITY;
ALTER TABLE evaluation_sheets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON evaluation_sheets
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
