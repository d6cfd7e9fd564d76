-- The SPs' names as the gateway sent them with the history (client_id → client_name), so
-- that the history reads "Demo Shop" offline too. Display only: like the export's
-- `sp_names`, they are outside the hash chain and nothing vouches for them.
CREATE TABLE sp_names (
    client_id TEXT PRIMARY KEY,
    name      TEXT NOT NULL
);
