-- Texts to subscribers that a process without the SMS network decided on (customer care's
-- `admin consents revoke` tells the subscriber without the app by SMS): written with what
-- they tell, sent by the serving gateway's sweep, each taken once (deleted as it is sent).
CREATE TABLE sms_outbox (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    msisdn     TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX sms_outbox_by_time ON sms_outbox (created_ms);
CREATE INDEX sms_outbox_by_user ON sms_outbox (user_id);
