-- Shadow mode: the knowledge base the embedded engine retrieves from, the drafts, the agents'
-- decisions on them, and the outbox that carries approved text back to the customer.

CREATE TABLE kb_articles (
    id      TEXT PRIMARY KEY,          -- front-matter id, or the path without .md
    path    TEXT NOT NULL,
    title   TEXT NOT NULL,
    intent  TEXT,
    body    TEXT NOT NULL,
    sha256  TEXT NOT NULL
);
CREATE TABLE kb_passages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT    NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    heading    TEXT    NOT NULL,
    text       TEXT    NOT NULL
);
CREATE VIRTUAL TABLE kb_fts USING fts5(title, heading, text, tokenize = 'porter unicode61 remove_diacritics 2');

CREATE TABLE drafts (
    id             TEXT    PRIMARY KEY,     -- "dr_…"
    handoff_seq    INTEGER NOT NULL REFERENCES handoffs (seq),
    turn_index     INTEGER NOT NULL,        -- the customer turn it answers
    engine         TEXT    NOT NULL,        -- embedded | llm
    model          TEXT,
    text           TEXT    NOT NULL,        -- PII-masked
    kind           TEXT    NOT NULL CHECK (kind IN ('reply', 'note')),  -- note: refusal topic or abstention
    sources        TEXT    NOT NULL DEFAULT '[]',  -- JSON [{article_id, title, heading, text}]
    confidence     REAL    NOT NULL,
    flags          TEXT    NOT NULL DEFAULT '[]',
    state          TEXT    NOT NULL CHECK (state IN ('ready', 'stale', 'approved', 'edited', 'rejected')),
    latency_ms     INTEGER NOT NULL,
    engine_error   TEXT,                    -- why the LLM engine failed, when the embedded one answered instead
    created_at_ms  INTEGER NOT NULL,
    decided_by     INTEGER REFERENCES users (id),
    decided_at_ms  INTEGER,
    reject_reason  TEXT,
    sent_text      TEXT,
    edit_distance  INTEGER
);
CREATE INDEX drafts_by_handoff ON drafts (handoff_seq, turn_index);

CREATE TABLE outbox (
    id            TEXT    PRIMARY KEY,      -- "ob_…": the dedup id the channel sees
    handoff_seq   INTEGER NOT NULL REFERENCES handoffs (seq),
    draft_id      TEXT    REFERENCES drafts (id),
    author        INTEGER NOT NULL REFERENCES users (id),
    text          TEXT    NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'sent')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL,
    sent_at_ms    INTEGER
);
CREATE INDEX outbox_pending ON outbox (state, created_at_ms);

-- What the demo bot's channel received, by outbox id: a second delivery of the same id is a no-op.
CREATE TABLE demo_channel_received (
    outbox_id   TEXT PRIMARY KEY,
    received_at_ms INTEGER NOT NULL,
    deliveries  INTEGER NOT NULL DEFAULT 1
);
