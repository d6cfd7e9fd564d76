-- Device-Initiated requests (authorization code with PKCE): the browser waits on
-- /authorize/wait?session=… while the user answers on the Authentication Device.
CREATE TABLE code_requests (
    session_hash    TEXT PRIMARY KEY,         -- SHA-256 of the session id in the waiting page's URL
    client_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    scope           TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    state           TEXT NOT NULL,
    nonce           TEXT,
    code_challenge  TEXT NOT NULL,            -- PKCE S256
    status          TEXT NOT NULL,            -- pending | approved | denied | code_issued | redeemed | reused
    authenticator   TEXT NOT NULL,
    message_id      TEXT,
    prompt          TEXT NOT NULL,
    code_hash       TEXT,                     -- SHA-256 of the authorization code
    access_hash     TEXT,                     -- the token the code bought (revoked if the code is replayed)
    created_ms      BIGINT NOT NULL,
    expires_ms      BIGINT NOT NULL,
    code_expires_ms BIGINT
);
CREATE INDEX code_by_message ON code_requests (message_id);
CREATE INDEX code_by_code ON code_requests (code_hash);
