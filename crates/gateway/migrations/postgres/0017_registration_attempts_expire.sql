-- Refused device registration attempts (anyone can make one) are purged after the
-- retention (90 days by default).
CREATE INDEX registration_attempts_by_outcome_time ON device_registration_attempts (outcome, at_ms);
