-- Team leads' ratings of handoff quality, with every earlier version (as migrations/sqlite's
-- people migration keeps them).

CREATE TABLE ratings (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handoff_seq      BIGINT  NOT NULL REFERENCES handoffs (seq) ON DELETE CASCADE,
    rater_id         BIGINT  NOT NULL REFERENCES users (id),
    -- What was rated, frozen at rating time (the handoff may be replaced later).
    handoff_revision BIGINT  NOT NULL,
    bot_name         TEXT    NOT NULL,
    bot_version      TEXT    NOT NULL,
    intent           TEXT    COLLATE "C" NOT NULL,
    confidence       DOUBLE PRECISION NOT NULL,
    escalated_ms     BIGINT  NOT NULL,
    -- The rubric.
    summary_accurate TEXT    NOT NULL CHECK (summary_accurate IN ('yes', 'partly', 'no')),
    intent_correct   BOOLEAN NOT NULL,
    correct_intent   TEXT,
    context_complete BOOLEAN NOT NULL,
    missing_fields   TEXT    NOT NULL DEFAULT '[]',
    actions_reported BOOLEAN NOT NULL,
    timing           TEXT    NOT NULL CHECK (timing IN ('too_early', 'right', 'too_late')),
    overall          BIGINT  NOT NULL CHECK (overall BETWEEN 1 AND 5),
    comment          TEXT    NOT NULL DEFAULT '',
    revision         BIGINT  NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (handoff_seq, rater_id)
);
CREATE INDEX ratings_by_intent ON ratings (intent);

CREATE TABLE rating_history (
    rating_id   BIGINT NOT NULL REFERENCES ratings (id) ON DELETE CASCADE,
    revision    BIGINT NOT NULL,
    snapshot    TEXT   NOT NULL,
    replaced_at TEXT   NOT NULL,
    PRIMARY KEY (rating_id, revision)
);
