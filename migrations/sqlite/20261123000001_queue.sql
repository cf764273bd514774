-- The escalation queue: one row per handoff_id (the bot's id for one escalation).
-- `doc` holds the validated handoff/v1 document as canonical JSON; the columns beside it are
-- the fields the queue filters and sorts on, denormalised so that each is an index seek.
CREATE TABLE handoffs (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT, -- arrival order; tie-breaker of every sort
    handoff_id          TEXT    NOT NULL UNIQUE,
    conversation_id     TEXT    NOT NULL,
    escalated_at        TEXT    NOT NULL,                  -- RFC 3339 as sent by the bot
    escalated_ms        INTEGER NOT NULL,                  -- the same instant, ms since the epoch (UTC)
    channel             TEXT    NOT NULL,
    customer_id         TEXT    NOT NULL,
    customer_name       TEXT,
    customer_sort       TEXT    NOT NULL,                  -- lower(name or id), for sorting by customer
    intent              TEXT    NOT NULL,
    confidence          REAL    NOT NULL,
    sentiment           TEXT    NOT NULL,
    sentiment_score     REAL    NOT NULL,
    reason              TEXT    NOT NULL,
    priority            TEXT    NOT NULL,
    priority_rank       INTEGER NOT NULL,                  -- urgent 3, high 2, normal 1, low 0
    triage_key          INTEGER NOT NULL,                  -- most urgent first, then longest waiting
    summary             TEXT    NOT NULL,
    action_count        INTEGER NOT NULL,
    failed_action_count INTEGER NOT NULL,
    turn_count          INTEGER NOT NULL,
    bot_name            TEXT    NOT NULL,
    bot_version         TEXT    NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'open',
    doc                 TEXT    NOT NULL,
    doc_sha256          TEXT    NOT NULL,
    revision            INTEGER NOT NULL DEFAULT 1,        -- bumped when the same handoff_id brings a changed document
    source              TEXT    NOT NULL,
    received_at         TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

-- One index per sort key, each ending in seq, so keyset pagination is a seek: WHERE (key, seq) > (?, ?).
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

-- Full-text search over summary, transcript and customer; rowid = handoffs.seq.
CREATE VIRTUAL TABLE handoff_fts USING fts5(summary, transcript, customer, tokenize = 'unicode61 remove_diacritics 2');

-- Documents that failed validation: the raw bytes exactly as received, and every reason.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT    NOT NULL,
    source      TEXT    NOT NULL,   -- e.g. "import:/path/file.jsonl", "demo", "http"
    line_no     INTEGER,            -- 1-based line in a JSON Lines file, when there is one
    handoff_id  TEXT,               -- when the document got far enough to name one
    raw         BLOB    NOT NULL,
    errors      TEXT    NOT NULL    -- JSON array of {path, message}
);
CREATE INDEX quarantine_by_time ON quarantine (id DESC);

-- Small key/value settings the app keeps about itself (e.g. the demo source's position).
CREATE TABLE app_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
