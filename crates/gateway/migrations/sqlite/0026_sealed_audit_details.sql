-- Audit entries in format 2 (assent-audit, "Erasure and tamper evidence"): the chain hashes
-- `detail_digest`, a salted SHA-256 of the detail, and the detail and its salt are kept
-- beside it, so that erasing a user's data (admin users delete) empties `detail` and nulls
-- `detail_salt` and the trail still verifies. Entries written before have neither (format 1:
-- their hash covers the detail itself).
ALTER TABLE audit ADD COLUMN detail_digest TEXT;
ALTER TABLE audit ADD COLUMN detail_salt TEXT;
