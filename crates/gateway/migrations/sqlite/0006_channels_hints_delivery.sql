-- The rest of the authorization server: CIBA ping and push, private_key_jwt, the
-- authenticator chain, PCR look-up, consent on the browser page, flags.

-- CIBA ping/push: where the SP wants to be told (https only, CIBA §4).
ALTER TABLE clients ADD COLUMN notification_endpoint TEXT;
-- The SP's public keys (JWK Set JSON): private_key_jwt (RFC 7523) and login_hint_token.
ALTER TABLE clients ADD COLUMN jwks TEXT;

-- The user's registered authenticators, most preferred first (MC_ATTR_04): ussd, sms.
-- The app arrives with device registration (ACME issue) and is found by its devices.
ALTER TABLE users ADD COLUMN authenticators TEXT NOT NULL DEFAULT 'ussd';

-- Ping and push need the auth_req_id and the SP's client_notification_token in clear to
-- deliver; both are kept only until the delivery succeeds or the request expires, then
-- wiped (set to NULL). Poll-mode requests never hold them.
ALTER TABLE ciba_requests ADD COLUMN auth_req_id TEXT;
ALTER TABLE ciba_requests ADD COLUMN notification_token TEXT;
ALTER TABLE ciba_requests ADD COLUMN notified_ms BIGINT;
ALTER TABLE ciba_requests ADD COLUMN notify_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ciba_requests ADD COLUMN next_attempt_ms BIGINT NOT NULL DEFAULT 0;
-- Push: the token family issued for delivery (revoked if the delivery fails).
ALTER TABLE ciba_requests ADD COLUMN token_family TEXT;
CREATE INDEX ciba_undelivered ON ciba_requests (notified_ms, next_attempt_ms);

-- Device-Initiated: where consent is captured (MC_ATTR_08) and what the browser showed.
ALTER TABLE code_requests ADD COLUMN consent_on TEXT NOT NULL DEFAULT 'authenticator';
ALTER TABLE code_requests ADD COLUMN consent_text TEXT;

-- Pairwise subject identifiers handed out, for PCR login hints and id_token_hint: a user is
-- found by a unique look-up of (sector, pcr), never by enumeration.
CREATE TABLE pcrs (
    sector  TEXT NOT NULL,
    pcr     TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (sector, pcr)
);

-- private_key_jwt assertions seen, so that a jti is used once (RFC 7523 §3, item 7).
CREATE TABLE client_assertions (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_ms BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);

-- SPs reported by users (the app's "Report this SP"); operators read them with
-- `assent-gateway admin flags`.
CREATE TABLE flags (
    id        TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id   TEXT,
    reason    TEXT NOT NULL,
    at_ms     BIGINT NOT NULL
);
CREATE INDEX flags_by_client ON flags (client_id, at_ms);
