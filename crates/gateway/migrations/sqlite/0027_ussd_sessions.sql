-- The USSD self-care menu (MC_ATTR_19, 20, 32): a dialled service code opens a session of
-- screens; each screen is a message to the handset, and this row says where in the menu the
-- subscriber is while that screen waits for their choice. One row per open screen, deleted
-- when it is answered (the next screen gets its own) or erased with the subscriber.
CREATE TABLE ussd_sessions (
    message_id TEXT PRIMARY KEY,
    msisdn     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    state      TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX ussd_sessions_by_user ON ussd_sessions (user_id);
