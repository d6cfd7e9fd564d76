//! Who is who: users and SPs (clients) with their columns and row mappers (the token view
//! joins them too), users' authenticators, pairwise subject look-up, client assertion replay
//! protection, and users' reports of SPs (flags).

use super::{Client, Store, StoreError, User, words};
use sqlx::Row;

pub(super) const CLIENT_COLUMNS: &str = "client_id, secret_hash, client_name, grant_types, scopes, \
    redirect_uris, delivery_modes, token_policy, token_ttl_seconds, blacklisted, \
    notification_endpoint, jwks, resource_server, grant_management, require_par, \
    ssf, ssf_push_endpoints, dpop_bound";

fn client_from_row<R: Row>(row: &R) -> Result<Client, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    client_from_prefixed_row(row, "")
}

/// [`client_from_row`] for columns named `{prefix}{column}` (a row that joins other tables).
pub(super) fn client_from_prefixed_row<R: Row>(row: &R, prefix: &str) -> Result<Client, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    let col = |name: &str| format!("{prefix}{name}");
    Ok(Client {
        client_id: row.try_get(&*col("client_id"))?,
        secret_hash: row.try_get(&*col("secret_hash"))?,
        client_name: row.try_get(&*col("client_name"))?,
        grant_types: words(&row.try_get::<String, _>(&*col("grant_types"))?),
        scopes: words(&row.try_get::<String, _>(&*col("scopes"))?),
        redirect_uris: words(&row.try_get::<String, _>(&*col("redirect_uris"))?),
        delivery_modes: words(&row.try_get::<String, _>(&*col("delivery_modes"))?),
        token_policy: row.try_get(&*col("token_policy"))?,
        token_ttl_seconds: row.try_get(&*col("token_ttl_seconds"))?,
        blacklisted: row.try_get::<i64, _>(&*col("blacklisted"))? != 0,
        notification_endpoint: row.try_get(&*col("notification_endpoint"))?,
        jwks: row.try_get(&*col("jwks"))?,
        resource_server: row.try_get::<i64, _>(&*col("resource_server"))? != 0,
        grant_management: row.try_get::<i64, _>(&*col("grant_management"))? != 0,
        require_par: row.try_get::<i64, _>(&*col("require_par"))? != 0,
        ssf: row.try_get::<i64, _>(&*col("ssf"))? != 0,
        ssf_push_endpoints: words(&row.try_get::<String, _>(&*col("ssf_push_endpoints"))?),
        dpop_bound: row.try_get::<i64, _>(&*col("dpop_bound"))? != 0,
    })
}

pub(super) const USER_COLUMNS: &str = "id, msisdn, given_name, family_name, birthdate, email, \
    street_address, postal_code, locality, country, sim_change, authenticators, notify";

fn user_from_row<R: Row>(row: &R) -> Result<User, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    user_from_prefixed_row(row, "")
}

/// [`user_from_row`] for columns named `{prefix}{column}`.
pub(super) fn user_from_prefixed_row<R: Row>(row: &R, prefix: &str) -> Result<User, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    let col = |name: &str| format!("{prefix}{name}");
    Ok(User {
        id: row.try_get(&*col("id"))?,
        msisdn: row.try_get(&*col("msisdn"))?,
        given_name: row.try_get(&*col("given_name"))?,
        family_name: row.try_get(&*col("family_name"))?,
        birthdate: row.try_get(&*col("birthdate"))?,
        email: row.try_get(&*col("email"))?,
        street_address: row.try_get(&*col("street_address"))?,
        postal_code: row.try_get(&*col("postal_code"))?,
        locality: row.try_get(&*col("locality"))?,
        country: row.try_get(&*col("country"))?,
        sim_change: row.try_get(&*col("sim_change"))?,
        authenticators: words(&row.try_get::<String, _>(&*col("authenticators"))?),
        notify: row.try_get(&*col("notify"))?,
    })
}

/// A user registered without authenticators has USSD, which every handset has.
fn authenticators_or_default(list: &[String]) -> String {
    if list.is_empty() {
        "ussd".to_owned()
    } else {
        list.join(" ")
    }
}

/// A user's report of an SP (the app's "Report this SP").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Flag {
    pub id: String,
    pub client_id: String,
    /// The reporting user's opaque id (never a number).
    pub user_id: Option<String>,
    pub reason: String,
    pub at_ms: i64,
}

pub(super) const REMEMBER_PCR: &str = "INSERT INTO pcrs (sector, pcr, user_id) VALUES ($1, $2, $3) \
    ON CONFLICT (sector, pcr) DO NOTHING";

impl Store {
    pub async fn upsert_user(&self, user: &User) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO users (id, msisdn, given_name, family_name, birthdate, \
            email, street_address, postal_code, locality, country, sim_change, authenticators) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
            ON CONFLICT (msisdn) DO UPDATE SET given_name = excluded.given_name, \
            family_name = excluded.family_name, birthdate = excluded.birthdate, \
            email = excluded.email, street_address = excluded.street_address, \
            postal_code = excluded.postal_code, locality = excluded.locality, \
            country = excluded.country, sim_change = excluded.sim_change";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(&user.id)
                .bind(&user.msisdn)
                .bind(&user.given_name)
                .bind(&user.family_name)
                .bind(&user.birthdate)
                .bind(&user.email)
                .bind(&user.street_address)
                .bind(&user.postal_code)
                .bind(&user.locality)
                .bind(&user.country)
                .bind(&user.sim_change)
                .bind(authenticators_or_default(&user.authenticators))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The user with this number (E.164 digits, no `+`).
    pub async fn user_by_msisdn(&self, msisdn: &str) -> Result<Option<User>, StoreError> {
        self.user_where("msisdn", msisdn).await
    }

    /// The user with this opaque id.
    pub async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        self.user_where("id", id).await
    }

    /// The user whose unique `column` (`id` or `msisdn`) is `value`.
    async fn user_where(&self, column: &str, value: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {column} = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(value)
                .fetch_optional(pool)
                .await?
                .map(|row| user_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// Registers or updates an SP; an existing SP keeps its blacklist flag unless `client`
    /// sets it.
    pub async fn upsert_client(&self, client: &Client) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO clients (client_id, secret_hash, client_name, grant_types, \
            scopes, redirect_uris, delivery_modes, token_policy, token_ttl_seconds, blacklisted, \
            notification_endpoint, jwks, resource_server, grant_management, require_par, ssf, \
            ssf_push_endpoints, dpop_bound) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
            $18) \
            ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, \
            client_name = excluded.client_name, grant_types = excluded.grant_types, \
            scopes = excluded.scopes, redirect_uris = excluded.redirect_uris, \
            delivery_modes = excluded.delivery_modes, token_policy = excluded.token_policy, \
            token_ttl_seconds = excluded.token_ttl_seconds, \
            notification_endpoint = excluded.notification_endpoint, jwks = excluded.jwks, \
            resource_server = excluded.resource_server, \
            grant_management = excluded.grant_management, require_par = excluded.require_par, \
            ssf = excluded.ssf, ssf_push_endpoints = excluded.ssf_push_endpoints, \
            dpop_bound = excluded.dpop_bound, \
            blacklisted = CASE WHEN excluded.blacklisted = 1 THEN 1 ELSE clients.blacklisted END";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(&client.client_id)
                .bind(&client.secret_hash)
                .bind(&client.client_name)
                .bind(client.grant_types.join(" "))
                .bind(client.scopes.join(" "))
                .bind(client.redirect_uris.join(" "))
                .bind(client.delivery_modes.join(" "))
                .bind(&client.token_policy)
                .bind(client.token_ttl_seconds)
                .bind(i64::from(client.blacklisted))
                .bind(&client.notification_endpoint)
                .bind(&client.jwks)
                .bind(i64::from(client.resource_server))
                .bind(i64::from(client.grant_management))
                .bind(i64::from(client.require_par))
                .bind(i64::from(client.ssf))
                .bind(client.ssf_push_endpoints.join(" "))
                .bind(i64::from(client.dpop_bound))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Deletes an SP; whether it was there.
    pub async fn delete_client(&self, client_id: &str) -> Result<bool, StoreError> {
        let deleted = on_write!(self, |conn| {
            sqlx::query("DELETE FROM clients WHERE client_id = $1")
                .bind(client_id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(deleted == 1)
    }

    pub async fn client(&self, client_id: &str) -> Result<Option<Client>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE client_id = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(client_id)
                .fetch_optional(pool)
                .await?
                .map(|row| client_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// Every registered SP, by client_id.
    pub async fn clients(&self) -> Result<Vec<Client>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients ORDER BY client_id");
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(pool)
                .await?
                .iter()
                .map(client_from_row)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Sets an SP's blacklist flag; `false` when there is no such SP.
    pub async fn set_blacklisted(&self, client_id: &str, on: bool) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE clients SET blacklisted = $1 WHERE client_id = $2";
        let affected = on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(i64::from(on))
                .bind(client_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    pub async fn blacklisted_clients(&self) -> Result<Vec<(String, String)>, StoreError> {
        const SQL: &str =
            "SELECT client_id, client_name FROM clients WHERE blacklisted = 1 ORDER BY client_id";
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| Ok::<_, sqlx::Error>((r.try_get("client_id")?, r.try_get("client_name")?)))
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Records the SIM change of the user with this number (RFC 3339); `false` if there is
    /// none.
    pub async fn set_sim_change(&self, msisdn: &str, at: &str) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE users SET sim_change = $1 WHERE msisdn = $2";
        let affected = on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(at)
                .bind(msisdn)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Replaces the authenticators of the user with this number; `false` if there is none.
    pub async fn set_authenticators(
        &self,
        msisdn: &str,
        authenticators: &[String],
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE users SET authenticators = $1 WHERE msisdn = $2";
        let affected = on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(authenticators_or_default(authenticators))
                .bind(msisdn)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    /// Remembers that `pcr` names `user_id` for SPs of `sector` (idempotent).
    pub async fn remember_pcr(
        &self,
        sector: &str,
        pcr: &str,
        user_id: &str,
    ) -> Result<(), StoreError> {
        on_write!(self, |pool| {
            sqlx::query(REMEMBER_PCR)
                .bind(sector)
                .bind(pcr)
                .bind(user_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The user a PCR names for SPs of `sector`: one unique look-up (seed 001, SEC-2).
    pub async fn user_by_pcr(&self, sector: &str, pcr: &str) -> Result<Option<User>, StoreError> {
        const SQL: &str = "SELECT user_id FROM pcrs WHERE sector = $1 AND pcr = $2";
        let user_id: Option<String> = on_pool!(self, |pool| {
            match sqlx::query(SQL)
                .bind(sector)
                .bind(pcr)
                .fetch_optional(pool)
                .await?
            {
                Some(row) => Some(row.try_get("user_id")?),
                None => None,
            }
        });
        match user_id {
            Some(id) => self.user_by_id(&id).await,
            None => Ok(None),
        }
    }

    /// Records the `jti` of a client assertion; `false` if it was seen before (a replay).
    /// Assertions past their expiry are forgotten first: they would be refused anyway.
    pub async fn use_assertion_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        const PURGE: &str = "DELETE FROM client_assertions WHERE expires_ms < $1";
        const SQL: &str = "INSERT INTO client_assertions (client_id, jti, expires_ms) \
            VALUES ($1, $2, $3) ON CONFLICT (client_id, jti) DO NOTHING";
        let affected = on_write!(self, |pool| {
            sqlx::query(PURGE).bind(now_ms).execute(&mut *pool).await?;
            sqlx::query(SQL)
                .bind(client_id)
                .bind(jti)
                .bind(expires_ms)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }

    pub async fn insert_flag(&self, flag: &Flag) -> Result<(), StoreError> {
        const SQL: &str =
            "INSERT INTO flags (id, client_id, user_id, reason, at_ms) VALUES ($1, $2, $3, $4, $5)";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(&flag.id)
                .bind(&flag.client_id)
                .bind(&flag.user_id)
                .bind(&flag.reason)
                .bind(flag.at_ms)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Flags, oldest first; only those of `client_id` when given.
    pub async fn flags(&self, client_id: Option<&str>) -> Result<Vec<Flag>, StoreError> {
        const SQL: &str = "SELECT id, client_id, user_id, reason, at_ms FROM flags \
            WHERE (CAST($1 AS TEXT) IS NULL OR client_id = $1) ORDER BY at_ms, id";
        let rows = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(client_id)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>(Flag {
                        id: row.try_get("id")?,
                        client_id: row.try_get("client_id")?,
                        user_id: row.try_get("user_id")?,
                        reason: row.try_get("reason")?,
                        at_ms: row.try_get("at_ms")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }
}
