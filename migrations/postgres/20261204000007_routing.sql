-- Routing: what each agent takes (skills), and the offers the server makes. An escalation has
-- at most one open offer and an agent at most one, whichever server made it (partial unique
-- indexes: a second server planning at the same moment inserts nothing). Offers are never
-- deleted: a declined or expired offer is why that escalation is not offered to that agent again.

-- Skills: one row per skill. An agent without a row of a kind takes every value of that kind.
CREATE TABLE skills (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT   NOT NULL CHECK (kind IN ('intent', 'channel', 'language')),
    value   TEXT   COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, kind, value)
);

CREATE TABLE offers (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handoff_seq BIGINT NOT NULL REFERENCES handoffs (seq),
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    offered_ms  BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    state       TEXT   NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
    closed_ms   BIGINT
);
CREATE UNIQUE INDEX offers_one_open_per_handoff ON offers (handoff_seq) WHERE state = 'open';
CREATE UNIQUE INDEX offers_one_open_per_agent ON offers (user_id) WHERE state = 'open';
CREATE INDEX offers_by_handoff ON offers (handoff_seq, user_id);

-- Events: offers (for the agent offered, and the team board) and availability or skills
-- changes (the team board), beside the escalation events of 20261203000005_events.
CREATE OR REPLACE FUNCTION desk_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    h TEXT;
    subj TEXT;
    k TEXT;
BEGIN
    IF TG_TABLE_NAME = 'handoffs' THEN
        h := NEW.handoff_id;
        subj := NEW.handoff_id;
        k := CASE WHEN TG_OP = 'INSERT' THEN 'handoff.arrived' ELSE 'handoff.changed' END;
    ELSIF TG_TABLE_NAME = 'quarantine' THEN
        subj := NEW.id::text;
        k := 'quarantine.added';
    ELSIF TG_TABLE_NAME IN ('availability', 'skills') THEN
        subj := (CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END)::text;
        k := 'team.changed';
        INSERT INTO events (kind, subject, handoff_id) VALUES (k, subj, NULL);
        PERFORM pg_notify('desk_events', '');
        RETURN NULL;
    ELSE
        SELECT handoff_id INTO h FROM handoffs WHERE seq = NEW.handoff_seq;
        subj := NEW.id::text;
        k := CASE TG_TABLE_NAME WHEN 'tool_calls' THEN 'tool_call.changed' WHEN 'drafts' THEN 'draft.changed' WHEN 'offers' THEN 'offer.changed' ELSE 'reply.changed' END;
    END IF;
    INSERT INTO events (kind, subject, handoff_id) VALUES (k, subj, h);
    PERFORM pg_notify('desk_events', '');
    RETURN NULL;
END $$;

CREATE TRIGGER offers_events       AFTER INSERT OR UPDATE ON offers                 FOR EACH ROW EXECUTE FUNCTION desk_event();
CREATE TRIGGER availability_events AFTER INSERT OR UPDATE ON availability           FOR EACH ROW EXECUTE FUNCTION desk_event();
CREATE TRIGGER skills_events       AFTER INSERT OR DELETE ON skills                 FOR EACH ROW EXECUTE FUNCTION desk_event();
