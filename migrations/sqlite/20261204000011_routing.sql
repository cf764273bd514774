-- Routing: what each agent takes (skills), and the offers made (migrations/postgres, routing,
-- says why each rule is there).
CREATE TABLE skills (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT    NOT NULL CHECK (kind IN ('intent', 'channel', 'language')),
    value   TEXT    NOT NULL,
    PRIMARY KEY (user_id, kind, value)
);

CREATE TABLE offers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    handoff_seq INTEGER NOT NULL REFERENCES handoffs (seq),
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    offered_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
    closed_ms   INTEGER
);
CREATE UNIQUE INDEX offers_one_open_per_handoff ON offers (handoff_seq) WHERE state = 'open';
CREATE UNIQUE INDEX offers_one_open_per_agent ON offers (user_id) WHERE state = 'open';
CREATE INDEX offers_by_handoff ON offers (handoff_seq, user_id);

CREATE TRIGGER offers_inserted AFTER INSERT ON offers BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('offer.changed', CAST(NEW.id AS TEXT), (SELECT handoff_id FROM handoffs WHERE seq = NEW.handoff_seq));
END;
CREATE TRIGGER offers_updated AFTER UPDATE ON offers BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('offer.changed', CAST(NEW.id AS TEXT), (SELECT handoff_id FROM handoffs WHERE seq = NEW.handoff_seq));
END;
CREATE TRIGGER availability_inserted AFTER INSERT ON availability BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('team.changed', CAST(NEW.user_id AS TEXT), NULL);
END;
CREATE TRIGGER availability_updated AFTER UPDATE ON availability BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('team.changed', CAST(NEW.user_id AS TEXT), NULL);
END;
CREATE TRIGGER skills_inserted AFTER INSERT ON skills BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('team.changed', CAST(NEW.user_id AS TEXT), NULL);
END;
CREATE TRIGGER skills_deleted AFTER DELETE ON skills BEGIN
    INSERT INTO events (kind, subject, handoff_id) VALUES ('team.changed', CAST(OLD.user_id AS TEXT), NULL);
END;
