-- Self-care (issue 17).
-- A long-lived consent ends at expires_ms (the catalog's max_lifetime_days of its
-- services; NULL: until revoked); reminded_ms is when the user was reminded a week before
-- (claimed by one conditional UPDATE, so one reminder goes out however many sweepers run);
-- ended_ms is when its end at expiry was recorded. withdrawn lists, space-separated, the
-- attributes the user withdrew from it while keeping the rest (MC_ATTR_29: answered empty).
ALTER TABLE consents ADD COLUMN expires_ms BIGINT;
ALTER TABLE consents ADD COLUMN reminded_ms BIGINT;
ALTER TABLE consents ADD COLUMN ended_ms BIGINT;
ALTER TABLE consents ADD COLUMN withdrawn TEXT NOT NULL DEFAULT '';
CREATE INDEX consents_by_expiry ON consents (expires_ms);

-- Consent receipts (ISO/IEC TS 27560): one per consent given and per withdrawal, signed by
-- the gateway (a compact JWS, kept byte for byte as issued).
CREATE TABLE receipts (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    consent_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,                -- consent | withdrawal
    at_ms       BIGINT NOT NULL,
    jws         TEXT NOT NULL
);
CREATE INDEX receipts_by_user ON receipts (user_id, at_ms);
