-- The ACME server (RFC 8555) for TNAuthList identifiers with the sms-link-00 challenge.

-- Replay nonces (§7.2), shared by every gateway process on this database; single use.
CREATE TABLE acme_nonces (
    nonce      TEXT PRIMARY KEY,
    expires_ms BIGINT NOT NULL
);

CREATE TABLE acme_accounts (
    id          TEXT PRIMARY KEY,
    jwk         TEXT NOT NULL,                -- the public key, JSON
    thumbprint  TEXT NOT NULL UNIQUE,         -- RFC 7638: one account per key
    status      TEXT NOT NULL,                -- valid | deactivated | revoked
    contact     TEXT NOT NULL,                -- JSON array
    created_ms  BIGINT NOT NULL
);

CREATE TABLE acme_orders (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    number      TEXT NOT NULL,                -- E.164 digits
    status      TEXT NOT NULL,                -- pending | ready | processing | valid | invalid
    expires_ms  BIGINT NOT NULL,
    authz_id    TEXT NOT NULL,
    cert_id     TEXT,
    error       TEXT                          -- problem JSON when invalid
);
CREATE INDEX acme_orders_by_account ON acme_orders (account_id);

CREATE TABLE acme_authzs (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    number      TEXT NOT NULL,
    status      TEXT NOT NULL,                -- pending | valid | invalid | deactivated | expired
    expires_ms  BIGINT NOT NULL
);

CREATE TABLE acme_challenges (
    id            TEXT PRIMARY KEY,
    authz_id      TEXT NOT NULL,
    token         TEXT NOT NULL,
    status        TEXT NOT NULL,              -- pending | processing | valid | invalid
    code_hash     TEXT,                       -- keyed hash of the code; never the code
    code_expires_ms BIGINT,
    wrong_answers BIGINT NOT NULL DEFAULT 0,
    validated_ms  BIGINT,
    error         TEXT
);
CREATE INDEX acme_challenges_by_authz ON acme_challenges (authz_id);

-- Per number: failed answers across all accounts, and the lock (operator unlocks).
CREATE TABLE acme_numbers (
    number      TEXT PRIMARY KEY,
    failures    BIGINT NOT NULL DEFAULT 0,
    locked_ms   BIGINT
);

-- Codes sent, for the per-number SMS cap.
CREATE TABLE acme_sms_sent (
    number   TEXT NOT NULL,
    sent_ms  BIGINT NOT NULL
);
CREATE INDEX acme_sms_sent_by_number ON acme_sms_sent (number, sent_ms);

CREATE TABLE acme_certificates (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    number      TEXT NOT NULL,
    serial      TEXT NOT NULL UNIQUE,
    der_sha256  TEXT NOT NULL UNIQUE,         -- how revokeCert finds it
    spki_der    TEXT NOT NULL,                -- hex: the certified key (revocation by that key; devices)
    pem_chain   TEXT NOT NULL,
    not_after_ms BIGINT NOT NULL,
    revoked_ms  BIGINT,
    revocation_reason BIGINT
);
