-- Reminder and escalation mails of a period (PRODUCT §4): one row per recipient and
-- occasion. occasion: domain::evaluation::reminders::Occasion::key for a scheduled one
-- (`before:evaluation_1:2026-10-31`), `manual:<batch id>` for one sent by hand. The unique
-- key is what makes a scheduled mail go out once: a restart, or a second server process
-- on the same database, finds the row taken and queues nothing. kind: ReminderKind;
-- sent_by: the admin who sent it by hand (NULL: the schedule). Kept in step with the other
-- database's file (schema parity test).
CREATE TABLE evaluation_reminders (
    tenant_id       TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    period_id       TEXT    NOT NULL,
    sheet_id        TEXT    NOT NULL,
    occasion        TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    recipient_id    TEXT    NOT NULL,
    sent_at         BIGINT  NOT NULL,
    sent_by         TEXT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, sheet_id, occasion, recipient_id),
    FOREIGN KEY (tenant_id, sheet_id) REFERENCES evaluation_sheets (tenant_id, id)
        ON DELETE CASCADE
);

-- What a period sent, newest first; what a person received.
CREATE INDEX evaluation_reminders_by_period
    ON evaluation_reminders (tenant_id, period_id, sent_at);
CREATE INDEX evaluation_reminders_by_recipient
    ON evaluation_reminders (tenant_id, recipient_id, sent_at);

ALTER TABLE evaluation_reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE evaluation_reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON evaluation_reminders
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
