-- Notification of access for subscribers without the app (MC_ATTR_19): each subscriber's
-- policy — off, each (an SMS soon after an SP reads their data), daily (one SMS a day at
-- most, summing up) — set by the operator (admin users import/set `notify`).
ALTER TABLE users ADD COLUMN notify TEXT NOT NULL DEFAULT 'off';

-- What the access notices have told each subscriber, apart from `users` (whose every change
-- bumps the read epoch): the last resource-access entry told, when the last notice went,
-- and whether accesses wait to be told.
CREATE TABLE access_notices (
    user_id      TEXT PRIMARY KEY,
    notified_seq BIGINT NOT NULL DEFAULT 0,
    notified_ms  BIGINT,
    pending      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX access_notices_pending ON access_notices (pending, notified_ms);

-- How far the sweep has read the audit trail for resource accesses: one row. Starts at the
-- trail's head, so accesses before this migration are not told.
CREATE TABLE access_notice_cursor (
    one BIGINT PRIMARY KEY CHECK (one = 1),
    seq BIGINT NOT NULL
);
INSERT INTO access_notice_cursor (one, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM audit;
