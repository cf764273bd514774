-- Why an outbox entry has not been delivered yet (the channel refused it or could not be
-- reached); cleared when it is sent. The entry stays pending and is tried again.
ALTER TABLE outbox ADD COLUMN last_error TEXT;
