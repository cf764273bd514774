-- Handoff Desk on PostgreSQL: the areas behind desk-core's storage traits so far (escalations,
-- claims, people, tool calls, the audit log). The same facts as migrations/sqlite, in
-- PostgreSQL's types: BIGINT for every integer the core reads as i64, TEXT for canonical JSON
-- (hashed byte for byte, so never jsonb), a tsvector column with a GIN index for search, and
-- COLLATE "C" on the text sort keys so that both stores order them alike (byte order).

CREATE TABLE app_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,           -- argon2id PHC string; never the password
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at_ms BIGINT  NOT NULL,
    updated_at_ms BIGINT  NOT NULL
);
CREATE UNIQUE INDEX users_by_username ON users (lower(username));

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT   NOT NULL CHECK (role IN ('agent', 'supervisor', 'team_lead', 'admin')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sign_in_attempts (
    id        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username  TEXT    NOT NULL,
    at_ms     BIGINT  NOT NULL,
    succeeded BOOLEAN NOT NULL,
    kind      TEXT    NOT NULL DEFAULT 'sign_in'
);
CREATE INDEX sign_in_attempts_by_user ON sign_in_attempts (lower(username), at_ms);

CREATE TABLE handoffs (
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- arrival order; tie-breaker of every sort
    handoff_id          TEXT   NOT NULL UNIQUE,
    conversation_id     TEXT   NOT NULL,
    escalated_at        TEXT   NOT NULL,
    escalated_ms        BIGINT NOT NULL,
    channel             TEXT   COLLATE "C" NOT NULL,
    customer_id         TEXT   NOT NULL,
    customer_name       TEXT,
    customer_sort       TEXT   COLLATE "C" NOT NULL,
    intent              TEXT   COLLATE "C" NOT NULL,
    confidence          DOUBLE PRECISION NOT NULL,
    sentiment           TEXT   NOT NULL,
    sentiment_score     DOUBLE PRECISION NOT NULL,
    reason              TEXT   COLLATE "C" NOT NULL,
    priority            TEXT   NOT NULL,
    priority_rank       BIGINT NOT NULL,
    triage_key          BIGINT NOT NULL,
    summary             TEXT   NOT NULL,
    action_count        BIGINT NOT NULL,
    failed_action_count BIGINT NOT NULL,
    turn_count          BIGINT NOT NULL,
    bot_name            TEXT   NOT NULL,
    bot_version         TEXT   NOT NULL,
    status              TEXT   NOT NULL DEFAULT 'open',
    doc                 TEXT   NOT NULL,
    doc_sha256          TEXT   NOT NULL,
    revision            BIGINT NOT NULL DEFAULT 1,
    source              TEXT   NOT NULL,
    received_at         TEXT   NOT NULL,
    updated_at          TEXT   NOT NULL,
    claimed_by          BIGINT REFERENCES users (id),
    claimed_at_ms       BIGINT,
    -- Full-text search over summary, transcript and customer (the SQLite store's FTS5 table),
    -- indexed as desk-core's search words ('simple': no stemming, no stop words).
    search              TSVECTOR NOT NULL
);
CREATE INDEX handoffs_by_triage     ON handoffs (triage_key, seq);
CREATE INDEX handoffs_by_age        ON handoffs (escalated_ms, seq);
CREATE INDEX handoffs_by_confidence ON handoffs (confidence, seq);
CREATE INDEX handoffs_by_intent     ON handoffs (intent, seq);
CREATE INDEX handoffs_by_channel    ON handoffs (channel, seq);
CREATE INDEX handoffs_by_customer   ON handoffs (customer_sort, seq);
CREATE INDEX handoffs_by_reason     ON handoffs (reason, seq);
CREATE INDEX handoffs_by_sentiment  ON handoffs (sentiment_score, seq);
CREATE INDEX handoffs_by_priority   ON handoffs (priority_rank, seq);
CREATE INDEX handoffs_by_conversation ON handoffs (conversation_id);
CREATE INDEX handoffs_by_claim      ON handoffs (claimed_by);
CREATE INDEX handoffs_search        ON handoffs USING GIN (search);

CREATE TABLE quarantine (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at TEXT   NOT NULL,
    source      TEXT   NOT NULL,
    line_no     BIGINT,
    handoff_id  TEXT,
    raw         BYTEA  NOT NULL,
    errors      TEXT   NOT NULL
);

CREATE TABLE tool_calls (
    id                TEXT    PRIMARY KEY,
    handoff_seq       BIGINT  NOT NULL REFERENCES handoffs (seq),
    tool              TEXT    NOT NULL,
    params            TEXT    NOT NULL,
    params_sha256     TEXT    NOT NULL,
    requested_by      BIGINT  NOT NULL REFERENCES users (id),
    origin            TEXT    NOT NULL,
    flags             TEXT    NOT NULL DEFAULT '[]',
    decision          TEXT    NOT NULL CHECK (decision IN ('allow', 'confirm', 'approve', 'deny')),
    rule_id           TEXT    NOT NULL,
    rule_reason       TEXT    NOT NULL,
    rule_matched      TEXT    NOT NULL DEFAULT '[]',
    policy_version    TEXT    NOT NULL,
    policy_sha256     TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('proposed', 'pending', 'approved', 'denied', 'expired', 'executing', 'succeeded', 'failed')),
    approved_by       BIGINT  REFERENCES users (id),
    approved_sha256   TEXT,
    approved_at_ms    BIGINT,
    expires_at_ms     BIGINT,
    decided_by        BIGINT  REFERENCES users (id),
    decision_reason   TEXT,
    attempts          BIGINT  NOT NULL DEFAULT 0,
    executed_at_ms    BIGINT,
    http_status       BIGINT,
    outcome           TEXT,
    retryable         BOOLEAN NOT NULL DEFAULT FALSE,
    escalated_at_ms   BIGINT,
    created_at_ms     BIGINT  NOT NULL,
    updated_at_ms     BIGINT  NOT NULL
);
CREATE INDEX tool_calls_by_state ON tool_calls (state, created_at_ms);
CREATE INDEX tool_calls_by_handoff ON tool_calls (handoff_seq);

CREATE VIEW tool_call_rows AS
SELECT c.id, h.handoff_id, c.tool, c.params, c.params_sha256, c.requested_by,
       ru.display_name AS requested_by_name, ru.username AS requested_by_username, c.origin, c.flags,
       c.decision, c.rule_id, c.rule_reason, c.rule_matched, c.policy_version, c.policy_sha256, c.state,
       c.approved_by, au.display_name AS approved_by_name, c.approved_sha256, c.approved_at_ms,
       c.expires_at_ms, du.display_name AS decided_by_name, c.decision_reason, c.attempts, c.http_status,
       c.outcome, c.retryable, c.escalated_at_ms, c.created_at_ms, c.updated_at_ms,
       h.escalated_ms AS handoff_escalated_ms
FROM tool_calls c
JOIN handoffs h ON h.seq = c.handoff_seq
JOIN users ru ON ru.id = c.requested_by
LEFT JOIN users au ON au.id = c.approved_by
LEFT JOIN users du ON du.id = c.decided_by;

-- The tamper-evident audit log. Ids are assigned by the appender (head + 1), never by a
-- sequence, so a rolled-back append leaves no gap.
CREATE TABLE audit_events (
    id         BIGINT PRIMARY KEY,
    at_ms      BIGINT NOT NULL,
    actor      TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    payload    TEXT   NOT NULL,
    prev_hash  TEXT   NOT NULL,
    hash       TEXT   NOT NULL
);
CREATE INDEX audit_by_subject ON audit_events (subject);

-- The chain head: one row, locked (SELECT … FOR UPDATE) by every append, so appends from any
-- number of connections and servers serialise and the chain never forks.
CREATE TABLE audit_head (
    one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    last_id BIGINT  NOT NULL,
    hash    TEXT    NOT NULL
);
INSERT INTO audit_head (one, last_id, hash) VALUES (TRUE, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
