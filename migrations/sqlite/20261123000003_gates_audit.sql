-- Approval gates: every tool call proposed on a conversation, its policy decision, its approval
-- (bound to the SHA-256 of the canonical parameters, expiring, four eyes) and its execution.
CREATE TABLE tool_calls (
    id                TEXT    PRIMARY KEY,              -- "tc_…"; also the Idempotency-Key sent to the backend
    handoff_seq       INTEGER NOT NULL REFERENCES handoffs (seq),
    tool              TEXT    NOT NULL,
    params            TEXT    NOT NULL,                 -- canonical JSON
    params_sha256     TEXT    NOT NULL,
    requested_by      INTEGER NOT NULL REFERENCES users (id),
    origin            TEXT    NOT NULL,                 -- 'agent' or 'bot' (a bot proposal forwarded by an agent)
    flags             TEXT    NOT NULL DEFAULT '[]',    -- JSON array: fraud_suspected, unverified_identity, params_from_customer_text
    decision          TEXT    NOT NULL CHECK (decision IN ('allow', 'confirm', 'approve', 'deny')),
    rule_id           TEXT    NOT NULL,
    rule_reason       TEXT    NOT NULL,
    rule_matched      TEXT    NOT NULL DEFAULT '[]',    -- JSON array: the matching rule's conditions, in words
    policy_version    TEXT    NOT NULL,
    policy_sha256     TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('proposed', 'pending', 'approved', 'denied', 'expired', 'executing', 'succeeded', 'failed')),
    approved_by       INTEGER REFERENCES users (id),
    approved_sha256   TEXT,                             -- the params hash the approval is bound to
    approved_at_ms    INTEGER,
    expires_at_ms     INTEGER,                          -- of the pending request, then of the approval
    decided_by        INTEGER REFERENCES users (id),
    decision_reason   TEXT,                             -- a denial's reason
    attempts          INTEGER NOT NULL DEFAULT 0,       -- executions started (same idempotency key each time)
    executed_at_ms    INTEGER,
    http_status       INTEGER,
    outcome           TEXT,                             -- response body or error, as shown to people
    retryable         INTEGER NOT NULL DEFAULT 0,
    escalated_at_ms   INTEGER,                          -- the requester escalated an overdue pending request
    created_at_ms     INTEGER NOT NULL,
    updated_at_ms     INTEGER NOT NULL
);
CREATE INDEX tool_calls_by_state ON tool_calls (state, created_at_ms);
CREATE INDEX tool_calls_by_handoff ON tool_calls (handoff_seq);

-- The tamper-evident audit log: append-only, each event chained to the one before by SHA-256.
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms      INTEGER NOT NULL,
    actor      TEXT    NOT NULL,   -- "user:<id>:<username>", "bot", "system"
    kind       TEXT    NOT NULL,   -- e.g. tool_call.proposed, tool_call.approved, tool_call.executed
    subject    TEXT    NOT NULL,   -- e.g. the tool call id or handoff id
    payload    TEXT    NOT NULL,   -- canonical JSON
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL
);
CREATE INDEX audit_by_subject ON audit_events (subject);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
