-- The user's consent receipts as this device received them (the JWS byte for byte, and the
-- text the consent was given to), kept even if the gateway later loses them; and the
-- gateway's signing keys last seen, to verify them offline.
CREATE TABLE receipts (
    id          TEXT PRIMARY KEY,
    consent_id  TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    client_name TEXT NOT NULL,
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL,
    jws         TEXT NOT NULL,
    prompt      TEXT
);
CREATE INDEX receipts_by_time ON receipts (at, id);
CREATE TABLE gateway_keys (
    kid         TEXT PRIMARY KEY,
    jwk         TEXT NOT NULL
);
