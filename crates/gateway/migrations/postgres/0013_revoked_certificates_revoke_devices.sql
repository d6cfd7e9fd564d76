-- A device is revoked with the certificate it was registered with (store::Tx::revoke_certificate).
-- Certificates revoked before that rule leave their devices live: revoke them now, at the
-- certificate's own revocation time.
UPDATE devices
SET revoked_ms = (SELECT c.revoked_ms FROM acme_certificates c WHERE c.id = devices.cert_id)
WHERE revoked_ms IS NULL
  AND cert_id IN (SELECT id FROM acme_certificates WHERE revoked_ms IS NOT NULL);
