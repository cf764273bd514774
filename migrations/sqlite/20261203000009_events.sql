-- What changed, as on the team server's database (migrations/postgres, events): one event per
-- changed row, written by triggers in the same transaction as the change. SQLite has one writer
-- at a time, so ids are already in commit order (txid stays 0).
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    txid       INTEGER NOT NULL DEFAULT 0,
    at_ms      INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
    kind       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    handoff_id TEXT
);

CREATE TRIGGER handoffs_arrived AFTER INSERT ON handoffs BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('handoff.arrived', NEW.handoff_id, NEW.handoff_id);
END;
CREATE TRIGGER handoffs_changed AFTER UPDATE ON handoffs BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('handoff.changed', NEW.handoff_id, NEW.handoff_id);
END;
CREATE TRIGGER tool_calls_inserted AFTER INSERT ON tool_calls BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('tool_call.changed', NEW.id, (SELECT handoff_id FROM handoffs WHERE seq = NEW.handoff_seq));
END;
CREATE TRIGGER tool_calls_updated AFTER UPDATE ON tool_calls BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('tool_call.changed', NEW.id, (SELECT handoff_id FROM handoffs WHERE seq = NEW.handoff_seq));
END;
CREATE TRIGGER drafts_inserted AFTER INSERT ON drafts BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('draft.changed', NEW.id, (SELECT handoff_id FROM handoffs WHERE seq = NEW.handoff_seq));
END;
CREATE TRIGGER drafts_updated AFTER UPDATE ON drafts BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('draft.changed', NEW.id, (SELECT handoff_id FROM handoffs WHERE seq = NEW.handoff_seq));
END;
CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('reply.changed', NEW.id, (SELECT handoff_id FROM handoffs WHERE seq = NEW.handoff_seq));
END;
CREATE TRIGGER outbox_updated AFTER UPDATE ON outbox BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('reply.changed', NEW.id, (SELECT handoff_id FROM handoffs WHERE seq = NEW.handoff_seq));
END;
CREATE TRIGGER quarantine_added AFTER INSERT ON quarantine BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('quarantine.added', CAST(NEW.id AS TEXT), NULL);
END;
