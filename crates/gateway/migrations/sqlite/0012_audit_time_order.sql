-- A `since`/`until` page (GET /device/audit?since=…) as a `seq` range instead of a walk of the
-- user's history (a heavy user's "last 7 days" walked ~98 000 entries: p99 2.7 s at 10 million
-- entries, docs/performance.md). From now on `append_audit` stamps each entry no earlier
-- than the one before it (clamped before the entry is hashed), so along `seq` the trail's
-- `at_ms` never decreases from its last non-decreasing run on. Entries are hashed and cannot
-- be restamped, so what was written before may be out of order: `before_max_ms` is the
-- latest stamp before that run (NULL when the whole trail is in order). A bound `s` above it
-- can only match entries of the ordered run, where `at_ms >= s` is exactly
-- `seq >= (the first entry of audit_by_time at or after s)`; `Store::user_audit` falls back
-- to the walk for bounds at or below it. One row, written once, never updated.
CREATE TABLE audit_time_order (
    one           BIGINT PRIMARY KEY CHECK (one = 1),
    before_max_ms BIGINT
);
INSERT INTO audit_time_order (one, before_max_ms)
SELECT 1, (
    SELECT MAX(at_ms) FROM audit WHERE seq <= (
        -- The last entry stamped later than the entry after it.
        SELECT MAX(seq) FROM (
            SELECT seq, at_ms, LEAD(at_ms) OVER (ORDER BY seq) AS next_ms FROM audit
        ) AS pairs
        WHERE at_ms > next_ms
    )
);
-- The first entry at or after a time (ties in `seq` order).
CREATE INDEX audit_by_time ON audit (at_ms, seq);
