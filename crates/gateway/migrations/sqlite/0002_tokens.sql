-- Access and refresh tokens, stored as SHA-256 of the token (never the token itself).
CREATE TABLE tokens (
    token_hash   TEXT PRIMARY KEY,            -- hex SHA-256 of the bearer token
    kind         TEXT NOT NULL,               -- access | refresh
    client_id    TEXT NOT NULL,
    user_id      TEXT,                        -- NULL for generic (client credentials) tokens
    scope        TEXT NOT NULL,               -- space-separated
    policy       TEXT NOT NULL,               -- long_lived | one_time | transactional | generic
    issued_ms    BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL,
    spent        BIGINT NOT NULL DEFAULT 0,   -- one-time tokens, once used
    revoked      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tokens_by_client ON tokens (client_id);
