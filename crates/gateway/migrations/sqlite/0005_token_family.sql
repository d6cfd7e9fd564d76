-- Tokens issued from one grant share a family: a replayed refresh token revokes the family.
ALTER TABLE tokens ADD COLUMN family TEXT;
CREATE INDEX tokens_by_family ON tokens (family);
