-- Token sessions (the team server's, and any client of the core that hands out tokens): the
-- token itself is never stored, only its SHA-256. A session ends when it expires or is revoked.
CREATE TABLE sessions (
    token_sha256  TEXT    PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    stepped_up_ms INTEGER,
    revoked_at_ms INTEGER
);
CREATE INDEX sessions_by_user ON sessions (user_id);
