-- Accounts, their stable peer ids, and browser sessions.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    peer_id       TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL DEFAULT (unixepoch())
);

-- A session belongs to a user, or is a guest session with its own name and peer id.
-- Only the SHA-256 of the cookie token is stored, so a leaked database opens no session.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
    guest_name  TEXT,
    guest_peer  TEXT,
    created_at  INTEGER NOT NULL DEFAULT (unixepoch()),
    expires_at  INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (guest_name IS NULL))
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
