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
-- spend's own guard) and a consent's reminder stamp. Statement-level triggers: one bump
-- per statement however many rows it changed.
CREATE TABLE read_epoch (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    n   BIGINT NOT NULL
);
INSERT INTO read_epoch (id, n) VALUES (1, 0);

CREATE FUNCTION read_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE read_epoch SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER read_epoch_token_changed AFTER UPDATE OF token_hash, kind, client_id, user_id,
    scope, policy, issued_ms, expires_ms, revoked, consent_id, family OR DELETE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION read_epoch_bump();
CREATE TRIGGER read_epoch_consent_changed AFTER INSERT OR UPDATE OF id, user_id, client_id,
    scope, kind, revoked_ms, expires_ms, ended_ms, withdrawn OR DELETE ON consents
    FOR EACH STATEMENT EXECUTE FUNCTION read_epoch_bump();
CREATE TRIGGER read_epoch_user_changed AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION read_epoch_bump();
CREATE TRIGGER read_epoch_client_changed AFTER INSERT OR UPDATE OR DELETE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION read_epoch_bump();
