//! Device-Initiated (authorization code) requests: created, looked up by session, message or
//! code, moved from status to status, and the consent text a browser page showed.

use super::{Store, StoreError, words};
use sqlx::Row;

/// A Device-Initiated (authorization code) request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRequest {
    pub session_hash: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: Vec<String>,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub status: String,
    pub authenticator: String,
    pub message_id: Option<String>,
    pub prompt: String,
    pub code_hash: Option<String>,
    pub access_hash: Option<String>,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub code_expires_ms: Option<i64>,
    /// Where consent is captured (MC_ATTR_08): `authenticator` or `browser`.
    pub consent_on: String,
    /// With `browser`: the consent text the page showed, recorded with the answer.
    pub consent_text: Option<String>,
}

/// Also run inside a [`super::Tx`] (an answer commits with its consent and audit entries).
pub(super) const TRANSITION_CODE_REQUEST: &str = "UPDATE code_requests SET status = $1, \
    code_hash = COALESCE($2, code_hash), code_expires_ms = COALESCE($3, code_expires_ms), \
    access_hash = COALESCE($4, access_hash) \
    WHERE session_hash = $5 AND status = $6";

const CODE_COLUMNS: &str = "session_hash, client_id, user_id, scope, redirect_uri, state, nonce, \
    code_challenge, status, authenticator, message_id, prompt, code_hash, access_hash, created_ms, \
    expires_ms, code_expires_ms, consent_on, consent_text";

fn code_from_row<R: Row>(row: &R) -> Result<CodeRequest, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(CodeRequest {
        session_hash: row.try_get("session_hash")?,
        client_id: row.try_get("client_id")?,
        user_id: row.try_get("user_id")?,
        scope: words(&row.try_get::<String, _>("scope")?),
        redirect_uri: row.try_get("redirect_uri")?,
        state: row.try_get("state")?,
        nonce: row.try_get("nonce")?,
        code_challenge: row.try_get("code_challenge")?,
        status: row.try_get("status")?,
        authenticator: row.try_get("authenticator")?,
        message_id: row.try_get("message_id")?,
        prompt: row.try_get("prompt")?,
        code_hash: row.try_get("code_hash")?,
        access_hash: row.try_get("access_hash")?,
        created_ms: row.try_get("created_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        code_expires_ms: row.try_get("code_expires_ms")?,
        consent_on: row.try_get("consent_on")?,
        consent_text: row.try_get("consent_text")?,
    })
}

impl Store {
    /// Deletes refused requests (nobody was reached) past their expiry: nothing refers to
    /// them, and anyone can make them.
    pub async fn purge_refused_code_requests(&self, now_ms: i64) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM code_requests WHERE status = 'refused' AND expires_ms < $1";
        let purged = on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(now_ms)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(purged)
    }

    pub async fn insert_code_request(&self, r: &CodeRequest) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO code_requests ({CODE_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        );
        on_write!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&r.session_hash)
                .bind(&r.client_id)
                .bind(&r.user_id)
                .bind(r.scope.join(" "))
                .bind(&r.redirect_uri)
                .bind(&r.state)
                .bind(&r.nonce)
                .bind(&r.code_challenge)
                .bind(&r.status)
                .bind(&r.authenticator)
                .bind(&r.message_id)
                .bind(&r.prompt)
                .bind(&r.code_hash)
                .bind(&r.access_hash)
                .bind(r.created_ms)
                .bind(r.expires_ms)
                .bind(r.code_expires_ms)
                .bind(&r.consent_on)
                .bind(&r.consent_text)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The code request whose `column` (session_hash, message_id or code_hash) is `value`.
    pub async fn code_request_by(
        &self,
        column: CodeKey,
        value: &str,
    ) -> Result<Option<CodeRequest>, StoreError> {
        let column = match column {
            CodeKey::Session => "session_hash",
            CodeKey::Message => "message_id",
            CodeKey::Code => "code_hash",
        };
        let sql = format!("SELECT {CODE_COLUMNS} FROM code_requests WHERE {column} = $1");
        let row = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(value)
                .fetch_optional(pool)
                .await?
                .map(|row| code_from_row(&row))
        });
        Ok(row.transpose()?)
    }

    /// Moves a code request from `from` to `to`, setting the code or the access token hash
    /// when given; `false` if it was not in `from`.
    pub async fn transition_code_request(
        &self,
        session_hash: &str,
        from: &str,
        to: &str,
        code: Option<(&str, i64)>,
        access_hash: Option<&str>,
    ) -> Result<bool, StoreError> {
        let affected = on_pool!(self, |pool| {
            sqlx::query(TRANSITION_CODE_REQUEST)
                .bind(to)
                .bind(code.map(|(hash, _)| hash))
                .bind(code.map(|(_, expires)| expires))
                .bind(access_hash)
                .bind(session_hash)
                .bind(from)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(affected == 1)
    }
}

impl Store {
    /// Records the consent text the browser page shows (MC_ATTR_08), once: the first page
    /// shown is the one the answer refers to.
    pub async fn set_consent_text(&self, session_hash: &str, text: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE code_requests SET consent_text = $1 \
            WHERE session_hash = $2 AND consent_text IS NULL";
        on_write!(self, |pool| {
            sqlx::query(SQL)
                .bind(text)
                .bind(session_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

/// Which column finds a code request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKey {
    Session,
    Message,
    Code,
}

/// Pushed authorization requests (RFC 9126): kept by the SHA-256 of their `request_uri`
/// until `/authorize` takes one, once, or it expires.
impl Store {
    /// Keeps the pushed request `uri_hash` of `client_id` (its parameters as JSON) until
    /// `expires_ms`. Expired requests of every client are deleted first, in the same
    /// transaction, so the table holds live requests only (at most what the per-client rate
    /// limit of `/par` lets in over one lifetime).
    pub async fn push_request(
        &self,
        uri_hash: &str,
        client_id: &str,
        params: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        on_write!(self, |conn| {
            sqlx::query("DELETE FROM pushed_requests WHERE expires_ms <= $1")
                .bind(now_ms)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO pushed_requests (uri_hash, client_id, params, expires_ms) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(uri_hash)
            .bind(client_id)
            .bind(params)
            .bind(expires_ms)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Takes the live pushed request `uri_hash` of `client_id`: its parameters, and it is
    /// gone (one statement reads and deletes, so two browsers cannot both start it). `None`
    /// for an unknown, used or expired one, or another client's (which stays).
    pub async fn take_pushed_request(
        &self,
        uri_hash: &str,
        client_id: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let params = on_write!(self, |conn| {
            sqlx::query(
                "DELETE FROM pushed_requests \
                 WHERE uri_hash = $1 AND client_id = $2 AND expires_ms > $3 RETURNING params",
            )
            .bind(uri_hash)
            .bind(client_id)
            .bind(now_ms)
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.try_get::<String, _>("params"))
            .transpose()?
        });
        Ok(params)
    }
}
