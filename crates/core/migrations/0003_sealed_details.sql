-- Audit entries in format 2 carry a seal of their detail (assent-audit, "Erasure and tamper
-- evidence"): the hash covers the seal, which is kept here to verify the copy offline.
-- Entries of format 1 have neither.
ALTER TABLE entries ADD COLUMN detail_digest TEXT;
ALTER TABLE entries ADD COLUMN detail_salt TEXT;
