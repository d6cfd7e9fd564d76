-- DPoP for SPs' tokens (RFC 9449). An SP registered with dpop_bound_access_tokens (§5.2)
-- gets only access tokens bound to the key of its DPoP proof; any SP that sends a proof
-- gets one. A bound token keeps the JWK SHA-256 thumbprint of that key (jkt, §6.1): the
-- resource server and introspection read it, and a request with the token must carry a
-- proof by that key.
ALTER TABLE clients ADD COLUMN dpop_bound BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN jkt TEXT;
