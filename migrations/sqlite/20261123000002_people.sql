-- People: users with one or more roles, sign-in attempts (for rate limiting and the record),
-- claims on escalations, and team leads' ratings of handoff quality with their history.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,           -- argon2id PHC string; never the password
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT    NOT NULL CHECK (role IN ('agent', 'supervisor', 'team_lead', 'admin')),
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

CREATE TABLE sign_in_attempts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    username  TEXT    NOT NULL COLLATE NOCASE,
    at_ms     INTEGER NOT NULL,
    succeeded INTEGER NOT NULL,
    kind      TEXT    NOT NULL DEFAULT 'sign_in'  -- sign_in | step_up
);
CREATE INDEX sign_in_attempts_by_user ON sign_in_attempts (username, at_ms);

ALTER TABLE handoffs ADD COLUMN claimed_by INTEGER REFERENCES users (id);
ALTER TABLE handoffs ADD COLUMN claimed_at_ms INTEGER;
CREATE INDEX handoffs_by_claim ON handoffs (claimed_by);

CREATE TABLE ratings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    handoff_seq      INTEGER NOT NULL REFERENCES handoffs (seq) ON DELETE CASCADE,
    rater_id         INTEGER NOT NULL REFERENCES users (id),
    -- What was rated, frozen at rating time (the handoff may be replaced later).
    handoff_revision INTEGER NOT NULL,
    bot_name         TEXT    NOT NULL,
    bot_version      TEXT    NOT NULL,
    intent           TEXT    NOT NULL,
    confidence       REAL    NOT NULL,
    escalated_ms     INTEGER NOT NULL,
    -- The rubric.
    summary_accurate TEXT    NOT NULL CHECK (summary_accurate IN ('yes', 'partly', 'no')),
    intent_correct   INTEGER NOT NULL CHECK (intent_correct IN (0, 1)),
    correct_intent   TEXT,                       -- when intent_correct = 0
    context_complete INTEGER NOT NULL CHECK (context_complete IN (0, 1)),
    missing_fields   TEXT    NOT NULL DEFAULT '[]', -- JSON array of field names
    actions_reported INTEGER NOT NULL CHECK (actions_reported IN (0, 1)),
    timing           TEXT    NOT NULL CHECK (timing IN ('too_early', 'right', 'too_late')),
    overall          INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    comment          TEXT    NOT NULL DEFAULT '',
    revision         INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (handoff_seq, rater_id)
);
CREATE INDEX ratings_by_intent ON ratings (intent);

-- Every earlier version of a rating, kept when its author edits it.
CREATE TABLE rating_history (
    rating_id  INTEGER NOT NULL REFERENCES ratings (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    snapshot   TEXT    NOT NULL,  -- the rubric as JSON
    replaced_at TEXT   NOT NULL,
    PRIMARY KEY (rating_id, revision)
) WITHOUT ROWID;
