-- Users are looked up by number only (seed 001: unique look-up, no direct add by clients).
CREATE TABLE users (
    id             TEXT PRIMARY KEY,          -- opaque, never shown to SPs (they get a PCR)
    msisdn         TEXT NOT NULL UNIQUE,      -- E.164 digits without '+'
    given_name     TEXT,
    family_name    TEXT,
    birthdate      TEXT,                      -- YYYY-MM-DD
    email          TEXT,
    street_address TEXT,
    postal_code    TEXT,
    locality       TEXT,
    country        TEXT,
    sim_change     TEXT                       -- RFC 3339
);

CREATE TABLE clients (
    client_id          TEXT PRIMARY KEY,
    secret_hash        TEXT NOT NULL,         -- sha256$<salt hex>$<digest hex>
    client_name        TEXT NOT NULL,         -- the SP short name shown in prompts (≤ 16 bytes)
    grant_types        TEXT NOT NULL,         -- space-separated
    scopes             TEXT NOT NULL,         -- space-separated
    redirect_uris      TEXT NOT NULL,         -- space-separated, matched exactly
    delivery_modes     TEXT NOT NULL,         -- CIBA: poll ping push
    token_policy       TEXT NOT NULL,         -- long_lived | one_time | transactional | generic
    token_ttl_seconds  BIGINT NOT NULL,
    blacklisted        BIGINT NOT NULL DEFAULT 0
);

-- The audit trail (assent-audit): one hash chain, plus one chain per user.
CREATE TABLE audit (
    seq            BIGINT PRIMARY KEY,
    at_ms          BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    user_id        TEXT,
    sp             TEXT,
    authenticator  TEXT,
    detail         TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    user_prev_hash TEXT,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_by_user ON audit (user_id, seq);

CREATE TABLE audit_user_heads (
    user_id TEXT PRIMARY KEY,
    hash    TEXT NOT NULL
);

-- What the handset simulator has received (QA), oldest first.
CREATE TABLE sim_messages (
    id        TEXT PRIMARY KEY,
    msisdn    TEXT NOT NULL,
    kind      TEXT NOT NULL,                  -- sms | ussd
    text      TEXT NOT NULL,
    encoding  TEXT NOT NULL,
    units     BIGINT NOT NULL,
    sent_at   TEXT NOT NULL,
    sent_ms   BIGINT NOT NULL,
    open      BIGINT NOT NULL,
    reply     TEXT
);
CREATE INDEX sim_messages_by_msisdn ON sim_messages (msisdn, sent_ms);
