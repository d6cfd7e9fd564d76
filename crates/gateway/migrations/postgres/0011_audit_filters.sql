-- The user's history filtered by SP or by kind (GET /device/audit?sp=…, ?kind=…): with only
-- (user_id, seq), a page of a rare SP or kind walked the user's whole history, one table
-- look-up per entry (50 ms for a user with 100 000 entries; scripts/bench-audit-page).
-- With these the page starts at the first match and stops after `limit` of them.
CREATE INDEX audit_by_user_sp ON audit (user_id, sp, seq);
CREATE INDEX audit_by_user_kind ON audit (user_id, kind, seq);
