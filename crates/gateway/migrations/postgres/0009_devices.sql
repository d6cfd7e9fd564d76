-- Devices (seed 001): a device registers with the key of its ACME certificate; a number may
-- have several devices, each registration unique (REG-3); every attempt is recorded (SEC-1).

CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    cert_id       TEXT NOT NULL UNIQUE,       -- one registration per certificate (REG-3)
    jwk           TEXT NOT NULL,              -- the certified public key
    thumbprint    TEXT NOT NULL,              -- RFC 7638, what device tokens are bound to
    name          TEXT NOT NULL,
    registered_ms BIGINT NOT NULL,
    revoked_ms    BIGINT
);
CREATE INDEX devices_by_user ON devices (user_id);

-- SEC-1: every registration attempt, success or failure (never the number in clear).
CREATE TABLE device_registration_attempts (
    id       TEXT PRIMARY KEY,
    at_ms    BIGINT NOT NULL,
    cert_id  TEXT,
    user_id  TEXT,
    outcome  TEXT NOT NULL,                   -- registered | refused
    reason   TEXT NOT NULL
);

-- Short-lived device access tokens, bound to the device key (DPoP, RFC 9449).
CREATE TABLE device_tokens (
    token_hash TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    jkt        TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);

-- JWT ids seen (device assertions, DPoP proofs, decisions): each is used once.
CREATE TABLE device_jtis (
    jti        TEXT PRIMARY KEY,
    expires_ms BIGINT NOT NULL
);

-- Consent prompts for the app authenticator, waiting in the user's devices' inbox.
CREATE TABLE app_prompts (
    message_id  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    answered_ms BIGINT,
    device_id   TEXT
);
CREATE INDEX app_prompts_open ON app_prompts (user_id, answered_ms);
