-- Grant Management for OAuth 2.0 §4.1: an authorization request (CIBA, the code flow, PAR)
-- that asks to merge into or replace an existing grant. Kept beside the request, by its
-- hash, from the request until its tokens: the user's yes updates that grant (the consent)
-- in place, and the tokens rest on it, so the SP keeps one grant_id.
CREATE TABLE grant_updates (
    request_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    action TEXT NOT NULL
);
