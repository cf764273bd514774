-- Shadow mode on PostgreSQL (as migrations/sqlite's drafts migrations): the knowledge base's
-- articles and passages with a weighted tsvector for retrieval, the drafts with the agents'
-- decisions, and the outbox that carries approved text back to the customer.

CREATE TABLE kb_articles (
    id      TEXT PRIMARY KEY,                 -- front-matter id, or the path without .md
    path    TEXT NOT NULL,
    title   TEXT NOT NULL,
    intent  TEXT,
    body    TEXT NOT NULL,
    sha256  TEXT NOT NULL
);
CREATE TABLE kb_passages (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id    TEXT   NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    ord           BIGINT NOT NULL,
    indexed_title TEXT   NOT NULL,            -- the title with the article's keywords
    heading       TEXT   NOT NULL,
    text          TEXT   NOT NULL,
    -- Title and keywords weigh most (A), then the heading (B), then the text (C); English
    -- stemming, as the SQLite store's porter tokenizer.
    search        TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', indexed_title), 'A') ||
        setweight(to_tsvector('english', heading), 'B') ||
        setweight(to_tsvector('english', text), 'C')
    ) STORED
);
CREATE INDEX kb_passages_search ON kb_passages USING GIN (search);

CREATE TABLE drafts (
    id             TEXT    PRIMARY KEY,        -- "dr_…"
    handoff_seq    BIGINT  NOT NULL REFERENCES handoffs (seq),
    turn_index     BIGINT  NOT NULL,           -- the customer turn it answers
    engine         TEXT    NOT NULL,           -- embedded | llm
    model          TEXT,
    text           TEXT    NOT NULL,           -- PII-masked
    kind           TEXT    NOT NULL CHECK (kind IN ('reply', 'note')),
    sources        TEXT    NOT NULL DEFAULT '[]',
    confidence     DOUBLE PRECISION NOT NULL,
    flags          TEXT    NOT NULL DEFAULT '[]',
    state          TEXT    NOT NULL CHECK (state IN ('ready', 'stale', 'approved', 'edited', 'rejected')),
    latency_ms     BIGINT  NOT NULL,
    engine_error   TEXT,
    created_at_ms  BIGINT  NOT NULL,
    decided_by     BIGINT  REFERENCES users (id),
    decided_at_ms  BIGINT,
    reject_reason  TEXT,
    reject_note    TEXT,
    sent_text      TEXT,
    edit_distance  BIGINT
);
CREATE INDEX drafts_by_handoff ON drafts (handoff_seq, turn_index);

CREATE TABLE outbox (
    id            TEXT   PRIMARY KEY,          -- "ob_…": the dedup id the channel sees
    handoff_seq   BIGINT NOT NULL REFERENCES handoffs (seq),
    draft_id      TEXT   REFERENCES drafts (id),
    author        BIGINT NOT NULL REFERENCES users (id),
    text          TEXT   NOT NULL,
    state         TEXT   NOT NULL CHECK (state IN ('pending', 'sent')),
    attempts      BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL,
    sent_at_ms    BIGINT,
    last_error    TEXT
);
CREATE INDEX outbox_pending ON outbox (state, created_at_ms);
