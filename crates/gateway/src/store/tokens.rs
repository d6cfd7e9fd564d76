//! Tokens (stored by their SHA-256, never the bearer value): issuing, looking up, the
//! resource server's view of one, and revocation of a token or of its whole family.

use super::registry::{
    CLIENT_COLUMNS, USER_COLUMNS, client_from_prefixed_row, user_from_prefixed_row,
};
use super::{Client, Store, StoreError, User, words};
use sqlx::Row;

/// A stored token (the bearer value itself is never stored: `token_hash` is its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub token_hash: String,
    pub kind: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub scope: Vec<String>,
    pub policy: String,
    pub issued_ms: i64,
    pub expires_ms: i64,
    pub spent: bool,
    pub revoked: bool,
    pub consent_id: Option<String>,
    /// Tokens from one grant (an access token, its refresh tokens and their successors).
    pub family: Option<String>,
    /// RFC 9449 §6.1: the JWK SHA-256 thumbprint of the key a DPoP-bound access token is
    /// bound to; `None` for a bearer token.
    pub jkt: Option<String>,
}

const TOKEN_COLUMNS: &str = "token_hash, kind, client_id, user_id, scope, policy, issued_ms, \
    expires_ms, spent, revoked, consent_id, family, jkt";

fn token_from_row<R: Row>(row: &R) -> Result<TokenRecord, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(TokenRecord {
        token_hash: row.try_get("token_hash")?,
        kind: row.try_get("kind")?,
        client_id: row.try_get("client_id")?,
        user_id: row.try_get("user_id")?,
        scope: words(&row.try_get::<String, _>("scope")?),
        policy: row.try_get("policy")?,
        issued_ms: row.try_get("issued_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        spent: row.try_get::<i64, _>("spent")? != 0,
        revoked: row.try_get::<i64, _>("revoked")? != 0,
        consent_id: row.try_get("consent_id")?,
        family: row.try_get("family")?,
        jkt: row.try_get("jkt")?,
    })
}

/// A token as the resource server decides on it ([`Store::token_view`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenView {
    pub token: TokenRecord,
    /// For a token bought with a consent: whether that consent exists and is not revoked.
    pub consent_live: Option<bool>,
    /// That consent's end, if it has one.
    pub consent_expires_ms: Option<i64>,
    /// The attributes the user withdrew from that consent.
    pub consent_withdrawn: Vec<String>,
    /// The token's SP, if it is (still) registered.
    pub client: Option<Client>,
    /// The token's user, for a token tied to one that still exists.
    pub user: Option<User>,
    /// The read epoch this view was read at (migration 0020, [`super::cache`]).
    pub read_at: super::cache::Epoch,
}

/// [`Store::token_view`]'s statement, built once from the column lists.
static TOKEN_VIEW_SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Every live token of a family (a grant's access and refresh tokens and their successors).
pub(super) const REVOKE_FAMILY: &str =
    "UPDATE tokens SET revoked = 1 WHERE family = $1 AND revoked = 0";

pub(super) const REVOKE_TOKEN: &str =
    "UPDATE tokens SET revoked = 1 WHERE token_hash = $1 AND client_id = $2 AND revoked = 0";

/// Also run inside a [`super::Tx`] (a client-credentials token commits with its audit entry).
pub(super) const INSERT_TOKEN: &str = "INSERT INTO tokens (token_hash, kind, client_id, \
    user_id, scope, policy, issued_ms, expires_ms, spent, revoked, consent_id, family, jkt) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// Binds a token's columns to [`INSERT_TOKEN`], for either backend.
pub(super) fn bind_token<'q, DB: sqlx::Database>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    token: &'q TokenRecord,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(&token.token_hash)
        .bind(&token.kind)
        .bind(&token.client_id)
        .bind(&token.user_id)
        .bind(token.scope.join(" "))
        .bind(&token.policy)
        .bind(token.issued_ms)
        .bind(token.expires_ms)
        .bind(i64::from(token.spent))
        .bind(i64::from(token.revoked))
        .bind(&token.consent_id)
        .bind(&token.family)
        .bind(&token.jkt)
}

impl Store {
    pub async fn insert_token(&self, token: &TokenRecord) -> Result<(), StoreError> {
        on_write!(self, |pool| {
            bind_token(sqlx::query(INSERT_TOKEN), token)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE token_hash = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
                .map(|row| token_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// A token with what deciding on it needs: whether its consent is live, its client and
    /// its user. One statement where four look-ups used to be: on SQLite each statement is
    /// a hand-off to the thread sqlx runs the connection on, and on PostgreSQL a round trip,
    /// and an access is read on every resource request.
    pub async fn token_view(&self, token_hash: &str) -> Result<Option<TokenView>, StoreError> {
        let sql = TOKEN_VIEW_SQL.get_or_init(|| {
            let prefixed = |table: &str, prefix: &str, columns: &str| {
                columns
                    .split(", ")
                    .map(|c| format!("{table}.{c} AS {prefix}{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!(
                "SELECT {}, c.id AS consent_id_found, c.revoked_ms AS consent_revoked_ms, \
                 c.expires_ms AS consent_expires_ms, c.withdrawn AS consent_withdrawn, {}, {}, \
                 (SELECT n FROM read_epoch WHERE id = 1) AS read_epoch \
                 FROM tokens t LEFT JOIN consents c ON c.id = t.consent_id \
                 LEFT JOIN clients cl ON cl.client_id = t.client_id \
                 LEFT JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
                prefixed("t", "", TOKEN_COLUMNS),
                prefixed("cl", "cl_", CLIENT_COLUMNS),
                prefixed("u", "u_", USER_COLUMNS),
            )
        });
        let view = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
                .map(|row| {
                    let token = token_from_row(&row)?;
                    let consent_live = match &token.consent_id {
                        None => None,
                        Some(_) => Some(
                            row.try_get::<Option<String>, _>("consent_id_found")?
                                .is_some()
                                && row
                                    .try_get::<Option<i64>, _>("consent_revoked_ms")?
                                    .is_none(),
                        ),
                    };
                    let client = match row.try_get::<Option<String>, _>("cl_client_id")? {
                        Some(_) => Some(client_from_prefixed_row(&row, "cl_")?),
                        None => None,
                    };
                    let user = match row.try_get::<Option<String>, _>("u_id")? {
                        Some(_) => Some(user_from_prefixed_row(&row, "u_")?),
                        None => None,
                    };
                    Ok::<_, sqlx::Error>(TokenView {
                        token,
                        consent_live,
                        consent_expires_ms: row.try_get("consent_expires_ms")?,
                        consent_withdrawn: super::words(
                            &row.try_get::<Option<String>, _>("consent_withdrawn")?
                                .unwrap_or_default(),
                        ),
                        client,
                        user,
                        read_at: super::cache::Epoch(row.try_get("read_epoch")?),
                    })
                })
        });
        Ok(view.transpose()?)
    }

    /// Revokes every token of a family; returns how many were still live.
    pub async fn revoke_family(&self, family: &str) -> Result<u64, StoreError> {
        let affected = on_write!(self, |pool| {
            sqlx::query(REVOKE_FAMILY)
                .bind(family)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected)
    }

    /// Revokes a token of `client_id`; `false` when it has no such token (or it was revoked).
    /// On PostgreSQL the row stays locked until the transaction that revoked it ends, so a
    /// concurrent revocation of the same token waits for it and then finds it revoked.
    pub async fn revoke_token(
        &self,
        token_hash: &str,
        client_id: &str,
    ) -> Result<bool, StoreError> {
        let affected = on_write!(self, |pool| {
            sqlx::query(REVOKE_TOKEN)
                .bind(token_hash)
                .bind(client_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }
}
