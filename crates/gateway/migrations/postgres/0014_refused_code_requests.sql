-- Refused authorization requests (nobody reached) are purged after their expiry.
CREATE INDEX code_by_status_expiry ON code_requests (status, expires_ms);
