-- A sheet's history (評価履歴, PRODUCT §4): every step taken on it — submitted, approved,
-- sent back, withdrawn, finalized, disclosed, acknowledged — with who, when and the
-- comment. Part of the customer's evaluation record, kept as long as the sheet (it goes
-- with the sheet); unlike the operation log it is never purged by age. actor_id has no
-- foreign key: the history outlives a deleted user. step: SheetStep::as_stored; states:
-- SheetState::as_stored. Kept in step with the other database's file (schema parity test).
CREATE TABLE evaluation_sheet_events (
    tenant_id       TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    sheet_id        TEXT    NOT NULL,
    occurred_at     BIGINT  NOT NULL,
    actor_id        TEXT,
    step            TEXT    NOT NULL,
    from_state      TEXT    NOT NULL,
    to_state        TEXT    NOT NULL,
    comment         TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, sheet_id) REFERENCES evaluation_sheets (tenant_id, id)
        ON DELETE CASCADE
);

CREATE INDEX evaluation_sheet_events_by_sheet
    ON evaluation_sheet_events (tenant_id, sheet_id, occurred_at);

ALTER TABLE evaluation_sheet_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE evaluation_sheet_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON evaluation_sheet_events
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
