-- Routing's first fact: whether an agent is available for escalations or away. No row: away.
CREATE TABLE availability (
    user_id    BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    available  BOOLEAN NOT NULL,
    changed_ms BIGINT  NOT NULL
);
