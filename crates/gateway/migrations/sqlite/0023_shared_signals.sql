-- Shared Signals (OpenID SSF 1.0, CAEP 1.0, RFC 8935 push, RFC 8936 poll). An SP registered
-- for it manages one event stream with a client-credentials token of scope ssf; it may push
-- only to an https URL registered for it (ssf_push_endpoints, space-separated), so that a
-- stream cannot turn the gateway against an address the operator did not approve.
ALTER TABLE clients ADD COLUMN ssf BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN ssf_push_endpoints TEXT NOT NULL DEFAULT '';

-- One stream per SP (SSF 1.0 §8.1.1.1: a second create is 409).
CREATE TABLE ssf_streams (
    stream_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    delivery_method TEXT NOT NULL,
    endpoint_url TEXT,
    authorization_header TEXT,
    events_requested TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    last_verification_ms BIGINT NOT NULL DEFAULT 0
);

-- The outbox of security events (SETs, RFC 8417), one row per SET until the SP has it: a push
-- the SP acknowledged (RFC 8935 §2.2) or a poll acknowledgement (RFC 8936 §2.4). Written in
-- the transaction of what it tells (a revocation, an expiry), and delivered in seq order per
-- stream: seq is taken under the audit lock every write transaction holds, so it is also
-- the commit order. A row keeps what the SET tells (its `events` claim, the consent as
-- `txn`), not the signed SET: it is signed when it is sent, by the serving gateway's key and
-- issuer, so that an operator's command (revoking a device) can queue one too.
CREATE TABLE ssf_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT NOT NULL,
    jti TEXT NOT NULL UNIQUE,
    user_id TEXT,
    event_type TEXT NOT NULL,
    events TEXT NOT NULL,
    txn TEXT,
    created_ms BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX ssf_events_by_stream ON ssf_events (stream_id, seq);
