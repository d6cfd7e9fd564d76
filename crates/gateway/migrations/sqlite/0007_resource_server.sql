-- The Resource Server: consent look-ups, one-time token spending, notifications to users.

-- Resource servers running as their own process validate tokens at /introspect; such a
-- client may introspect any access token (an SP only its own).
ALTER TABLE clients ADD COLUMN resource_server BIGINT NOT NULL DEFAULT 0;

CREATE INDEX tokens_by_consent ON tokens (consent_id);
CREATE INDEX consents_by_client ON consents (user_id, client_id, revoked_ms);

-- MC_ATTR_19: what the user's devices will be told (an SP read their data, ...); the app
-- collects them through the self-care device API.
CREATE TABLE user_notifications (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    delivered_ms BIGINT
);
CREATE INDEX user_notifications_by_user ON user_notifications (user_id, created_ms);
