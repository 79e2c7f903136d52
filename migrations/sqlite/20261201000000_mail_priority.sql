-- Mail priority: account-security mails (setup, password reset, lock and sign-in changes)
-- go before bulk ones (an import's invitations), so a reset asked for during a 100,000-
-- employee import does not wait behind it. 0 = urgent, 1 = normal. Kept in step with the
-- other database's migration (schema parity test).
ALTER TABLE mail_outbox ADD COLUMN priority BIGINT NOT NULL DEFAULT 1 CHECK (priority IN (0, 1));
CREATE INDEX mail_outbox_queue ON mail_outbox (tenant_id, sent_at, priority, created_at);
