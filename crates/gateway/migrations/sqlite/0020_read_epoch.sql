-- The read epoch (issue 18, docs/performance.md "The hot path"): the gateway keeps the rows a
-- resource request or a token request reads (a token with its consent, SP and user; an SP;
-- a user by number; a user's live consents to an SP) in memory, tagged with this counter as
-- read in the same statement. Every change that could make such a copy wrong bumps it,
-- whoever makes the change: this process, another gateway on the same database, or
-- `assent-gateway admin` (triggers, so no writer can forget). A request's writes carry the
-- epoch its reads were made at, and the writer compares it with this row in the
-- transaction that would write them: a different epoch writes nothing and the request is
-- served again from fresh reads. So a revocation, a blacklisting or a user import takes
-- effect on the very next request, as if nothing were cached.
--
-- What does not bump it: issuing tokens and appending audit, notifications or receipts
-- (new rows nobody has cached), spending a one-time token (its conditional UPDATE is the
-- spend's own guard) and a consent's reminder stamp.
CREATE TABLE read_epoch (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    n   BIGINT NOT NULL
);
INSERT INTO read_epoch (id, n) VALUES (1, 0);

CREATE TRIGGER read_epoch_token_changed AFTER UPDATE OF token_hash, kind, client_id, user_id,
    scope, policy, issued_ms, expires_ms, revoked, consent_id, family ON tokens
BEGIN UPDATE read_epoch SET n = n + 1; END;
CREATE TRIGGER read_epoch_token_deleted AFTER DELETE ON tokens
BEGIN UPDATE read_epoch SET n = n + 1; END;

CREATE TRIGGER read_epoch_consent_added AFTER INSERT ON consents
BEGIN UPDATE read_epoch SET n = n + 1; END;
CREATE TRIGGER read_epoch_consent_changed AFTER UPDATE OF id, user_id, client_id, scope, kind,
    revoked_ms, expires_ms, ended_ms, withdrawn ON consents
BEGIN UPDATE read_epoch SET n = n + 1; END;
CREATE TRIGGER read_epoch_consent_deleted AFTER DELETE ON consents
BEGIN UPDATE read_epoch SET n = n + 1; END;

CREATE TRIGGER read_epoch_user_added AFTER INSERT ON users
BEGIN UPDATE read_epoch SET n = n + 1; END;
CREATE TRIGGER read_epoch_user_changed AFTER UPDATE ON users
BEGIN UPDATE read_epoch SET n = n + 1; END;
CREATE TRIGGER read_epoch_user_deleted AFTER DELETE ON users
BEGIN UPDATE read_epoch SET n = n + 1; END;

CREATE TRIGGER read_epoch_client_added AFTER INSERT ON clients
BEGIN UPDATE read_epoch SET n = n + 1; END;
CREATE TRIGGER read_epoch_client_changed AFTER UPDATE ON clients
BEGIN UPDATE read_epoch SET n = n + 1; END;
CREATE TRIGGER read_epoch_client_deleted AFTER DELETE ON clients
BEGIN UPDATE read_epoch SET n = n + 1; END;
