-- What the SMSC took of each message sent over SMPP (`serve --sms-transport smpp://…`): one
-- row per submitted part with the id the SMSC gave it, and the delivery receipt's state once
-- it comes (SMPP 3.4 Appendix B). The message itself is the `sim_messages` row it belongs to
-- (the record of every message to a handset, whatever carried it); these rows go with it.
CREATE TABLE smsc_submissions (
    smsc_id      TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL,
    part         INTEGER NOT NULL,
    submitted_ms BIGINT NOT NULL,
    state        TEXT,
    state_ms     BIGINT
);
CREATE INDEX smsc_submissions_by_message ON smsc_submissions (message_id);
CREATE INDEX smsc_submissions_by_time ON smsc_submissions (submitted_ms);
