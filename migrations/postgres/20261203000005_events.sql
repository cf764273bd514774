-- What changed, for the live streams desktops hold on the team server (GET /v1/events). Triggers
-- write one event per changed row in the same transaction as the change, so no code path can
-- forget one and none outlives a rolled-back change; pg_notify wakes the listeners at commit.
--
-- Order without a lock: each event records its transaction id. A reader takes only events of
-- transactions older than the oldest one still running (pg_snapshot_xmin), in (txid, id) order,
-- so an event committed later can never sort before one already delivered.
CREATE TABLE events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid       BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    at_ms      BIGINT NOT NULL DEFAULT (floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint,
    kind       TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    handoff_id TEXT
);
CREATE INDEX events_in_order ON events (txid, id);

CREATE FUNCTION desk_event() RETURNS trigger LANGUAGE plpgsql AS $$
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
    ELSE
        SELECT handoff_id INTO h FROM handoffs WHERE seq = NEW.handoff_seq;
        subj := NEW.id::text;
        k := CASE TG_TABLE_NAME WHEN 'tool_calls' THEN 'tool_call.changed' WHEN 'drafts' THEN 'draft.changed' ELSE 'reply.changed' END;
    END IF;
    INSERT INTO events (kind, subject, handoff_id) VALUES (k, subj, h);
    PERFORM pg_notify('desk_events', '');
    RETURN NULL;
END $$;

CREATE TRIGGER handoffs_events   AFTER INSERT OR UPDATE ON handoffs   FOR EACH ROW EXECUTE FUNCTION desk_event();
CREATE TRIGGER tool_calls_events AFTER INSERT OR UPDATE ON tool_calls FOR EACH ROW EXECUTE FUNCTION desk_event();
CREATE TRIGGER drafts_events     AFTER INSERT OR UPDATE ON drafts     FOR EACH ROW EXECUTE FUNCTION desk_event();
CREATE TRIGGER outbox_events     AFTER INSERT OR UPDATE ON outbox     FOR EACH ROW EXECUTE FUNCTION desk_event();
CREATE TRIGGER quarantine_events AFTER INSERT ON quarantine           FOR EACH ROW EXECUTE FUNCTION desk_event();
