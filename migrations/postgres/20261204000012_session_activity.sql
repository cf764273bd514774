-- Sessions lock after a time without activity, and a "Switch user" session (someone signing in
-- on another person's desk) is short and ends after one decision.
ALTER TABLE sessions ADD COLUMN last_active_ms BIGINT;
UPDATE sessions SET last_active_ms = created_at_ms;
ALTER TABLE sessions ALTER COLUMN last_active_ms SET NOT NULL;
ALTER TABLE sessions ADD COLUMN switched BOOLEAN NOT NULL DEFAULT FALSE;
