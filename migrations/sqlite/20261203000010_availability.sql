-- Routing's first fact: whether an agent is available for escalations or away. No row: away.
CREATE TABLE availability (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    available  INTEGER NOT NULL,
    changed_ms INTEGER NOT NULL
);
