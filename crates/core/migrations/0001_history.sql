-- The user's audit history as the gateway exported it (assent_audit::AuditEntry), kept on
-- the device so that it reads offline and so that a later export that rewrites or drops an
-- entry this device has already seen is caught.
CREATE TABLE entries (
    seq            INTEGER PRIMARY KEY,
    at_ms          INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    user           TEXT,
    sp             TEXT,
    authenticator  TEXT,
    detail         TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    user_prev_hash TEXT,
    hash           TEXT NOT NULL
);
CREATE INDEX entries_sp_time ON entries (sp, at_ms);
CREATE INDEX entries_time ON entries (at_ms);

-- user: the user's opaque id; head: the chain's last hash; signed_head: the gateway's
-- signed statement of it; synced_ms: when the copy was last brought up to date.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
