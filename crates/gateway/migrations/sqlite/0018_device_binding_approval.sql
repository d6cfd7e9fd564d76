-- Binding an additional device (NIST SP 800-63B §6.1.2.1): a device registered while the
-- user already has a live one waits for approval on it ('pending', until
-- approval_expires_ms, through the app prompt approval_message); 'approved' or 'refused'
-- then. Devices bound before this are approved.
ALTER TABLE devices ADD COLUMN approval TEXT NOT NULL DEFAULT 'approved';
ALTER TABLE devices ADD COLUMN approval_message TEXT;
ALTER TABLE devices ADD COLUMN approval_expires_ms BIGINT;
CREATE INDEX devices_by_approval_message ON devices (approval_message);
