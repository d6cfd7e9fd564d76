-- Server-Initiated (OpenID CIBA) requests. The auth_req_id is stored as its SHA-256.
CREATE TABLE ciba_requests (
    auth_req_hash       TEXT PRIMARY KEY,
    client_id           TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    scope               TEXT NOT NULL,
    binding_message     TEXT,
    delivery_mode       TEXT NOT NULL,        -- poll | ping | push
    status              TEXT NOT NULL,        -- pending | approved | denied | issued
    authenticator       TEXT NOT NULL,        -- ussd | sms | app
    message_id          TEXT,                 -- the prompt sent to the handset
    prompt              TEXT NOT NULL,        -- exactly what the user was shown
    created_ms          BIGINT NOT NULL,
    expires_ms          BIGINT NOT NULL,
    interval_s          BIGINT NOT NULL,
    last_poll_ms        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX ciba_by_message ON ciba_requests (message_id);

-- Consents the user gave (per transaction, or long-lived until revoked).
CREATE TABLE consents (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    scope       TEXT NOT NULL,
    kind        TEXT NOT NULL,                -- transaction | long_lived
    prompt      TEXT NOT NULL,
    granted_ms  BIGINT NOT NULL,
    revoked_ms  BIGINT
);
CREATE INDEX consents_by_user ON consents (user_id, client_id);

ALTER TABLE tokens ADD COLUMN consent_id TEXT;
