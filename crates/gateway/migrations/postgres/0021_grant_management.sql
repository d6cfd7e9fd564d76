-- Grant Management for OAuth 2.0: an SP registered for it may query and revoke its users'
-- grants at /grants/{grant_id}, with client-credentials tokens of scope
-- grant_management_query / grant_management_revoke (even when not registered for the
-- client-credentials grant otherwise).
ALTER TABLE clients ADD COLUMN grant_management BIGINT NOT NULL DEFAULT 0;
