-- Pushed authorization requests (RFC 9126). An SP registered with
-- require_pushed_authorization_requests may start the authorization code flow only with a
-- request_uri from /par (§6), so that nothing of the request, the MSISDN login hint above
-- all, travels in the browser's URL.
ALTER TABLE clients ADD COLUMN require_par BIGINT NOT NULL DEFAULT 0;

-- A pushed request until /authorize takes it (once) or it expires. The request_uri is kept
-- as its SHA-256 only: whoever reads this table cannot start the flows.
CREATE TABLE pushed_requests (
    uri_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    params TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX pushed_requests_by_expiry ON pushed_requests (expires_ms);
