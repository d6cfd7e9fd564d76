//! The ACME server's state: nonces, accounts, orders, authorizations, challenges, per-number
//! counters and certificates. State changes that race (a challenge's "ready", an answer, a
//! finalize) are conditional updates, so concurrent requests — threads or gateway processes
//! — cannot both win.

use super::{Store, StoreError};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeAccount {
    pub id: String,
    pub jwk: String,
    pub thumbprint: String,
    pub status: String,
    pub contact: String,
    pub created_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeOrder {
    pub id: String,
    pub account_id: String,
    pub number: String,
    pub status: String,
    pub expires_ms: i64,
    pub authz_id: String,
    pub cert_id: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeAuthz {
    pub id: String,
    pub account_id: String,
    pub number: String,
    pub status: String,
    pub expires_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeChallenge {
    pub id: String,
    pub authz_id: String,
    pub token: String,
    pub status: String,
    pub code_hash: Option<String>,
    pub code_expires_ms: Option<i64>,
    pub wrong_answers: i64,
    pub validated_ms: Option<i64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeCertificate {
    pub id: String,
    pub account_id: String,
    pub order_id: String,
    pub number: String,
    pub serial: String,
    pub der_sha256: String,
    pub spki_der: String,
    pub pem_chain: String,
    pub not_after_ms: i64,
    pub revoked_ms: Option<i64>,
    pub revocation_reason: Option<i64>,
}

macro_rules! fetch_optional {
    ($store:expr, $sql:expr, $map:expr, $($bind:expr),*) => {{
        let row = on_pool!($store, |pool| {
            sqlx::query($sql)
                $(.bind($bind))*
                .fetch_optional(pool)
                .await?
                .map(|row| $map(&row))
        });
        Ok(row.transpose()?)
    }};
}

macro_rules! execute {
    ($store:expr, $sql:expr, $($bind:expr),*) => {{
        let affected = on_write!($store, |pool| {
            sqlx::query($sql)
                $(.bind($bind))*
                .execute(pool)
                .await?
                .rows_affected()
        });
        affected
    }};
}

fn account_from<R: Row>(row: &R) -> Result<AcmeAccount, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(AcmeAccount {
        id: row.try_get("id")?,
        jwk: row.try_get("jwk")?,
        thumbprint: row.try_get("thumbprint")?,
        status: row.try_get("status")?,
        contact: row.try_get("contact")?,
        created_ms: row.try_get("created_ms")?,
    })
}

fn order_from<R: Row>(row: &R) -> Result<AcmeOrder, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(AcmeOrder {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        number: row.try_get("number")?,
        status: row.try_get("status")?,
        expires_ms: row.try_get("expires_ms")?,
        authz_id: row.try_get("authz_id")?,
        cert_id: row.try_get("cert_id")?,
        error: row.try_get("error")?,
    })
}

fn authz_from<R: Row>(row: &R) -> Result<AcmeAuthz, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(AcmeAuthz {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        number: row.try_get("number")?,
        status: row.try_get("status")?,
        expires_ms: row.try_get("expires_ms")?,
    })
}

fn challenge_from<R: Row>(row: &R) -> Result<AcmeChallenge, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(AcmeChallenge {
        id: row.try_get("id")?,
        authz_id: row.try_get("authz_id")?,
        token: row.try_get("token")?,
        status: row.try_get("status")?,
        code_hash: row.try_get("code_hash")?,
        code_expires_ms: row.try_get("code_expires_ms")?,
        wrong_answers: row.try_get("wrong_answers")?,
        validated_ms: row.try_get("validated_ms")?,
        error: row.try_get("error")?,
    })
}

fn certificate_from<R: Row>(row: &R) -> Result<AcmeCertificate, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    Ok(AcmeCertificate {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        order_id: row.try_get("order_id")?,
        number: row.try_get("number")?,
        serial: row.try_get("serial")?,
        der_sha256: row.try_get("der_sha256")?,
        spki_der: row.try_get("spki_der")?,
        pem_chain: row.try_get("pem_chain")?,
        not_after_ms: row.try_get("not_after_ms")?,
        revoked_ms: row.try_get("revoked_ms")?,
        revocation_reason: row.try_get("revocation_reason")?,
    })
}

const ACCOUNT: &str = "SELECT id, jwk, thumbprint, status, contact, created_ms FROM acme_accounts";
const ORDER: &str =
    "SELECT id, account_id, number, status, expires_ms, authz_id, cert_id, error FROM acme_orders";
const AUTHZ: &str = "SELECT id, account_id, number, status, expires_ms FROM acme_authzs";
const CHALLENGE: &str = "SELECT id, authz_id, token, status, code_hash, code_expires_ms, \
    wrong_answers, validated_ms, error FROM acme_challenges";
const CERTIFICATE: &str = "SELECT id, account_id, order_id, number, serial, der_sha256, spki_der, \
    pem_chain, not_after_ms, revoked_ms, revocation_reason FROM acme_certificates";

impl Store {
    // ---- nonces (§7.2) ----

    /// Spends a nonce whose MAC and expiry were checked (`assent_acme::nonce`): records it
    /// until `expires_ms`, so that it is never accepted twice (§6.5), by any process on this
    /// database; `false` if it was spent already. One commit: the purge of expired nonces
    /// rides along. (The table held every nonce handed out before nonces carried their own
    /// MAC; such rows never match a nonce that passes the MAC and they age out.)
    pub async fn acme_spend_nonce(
        &self,
        nonce: &str,
        expires_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        // Through the writer on SQLite (one lease, so one commit of a batch); the purge and
        // the insert need not be atomic together.
        let spent = on_write!(self, |conn| {
            sqlx::query("DELETE FROM acme_nonces WHERE expires_ms <= $1")
                .bind(now_ms)
                .execute(&mut *conn)
                .await?;
            let inserted = sqlx::query(
                "INSERT INTO acme_nonces (nonce, expires_ms) VALUES ($1, $2) \
                 ON CONFLICT (nonce) DO NOTHING",
            )
            .bind(nonce)
            .bind(expires_ms)
            .execute(conn)
            .await?
            .rows_affected();
            inserted == 1
        });
        Ok(spent)
    }

    // ---- accounts ----

    /// Inserts an account; `false` if another account has this key (RFC 8555 §7.3: the
    /// existing one is returned).
    pub async fn acme_insert_account(&self, a: &AcmeAccount) -> Result<bool, StoreError> {
        let inserted = execute!(
            self,
            "INSERT INTO acme_accounts (id, jwk, thumbprint, status, contact, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (thumbprint) DO NOTHING",
            &a.id,
            &a.jwk,
            &a.thumbprint,
            &a.status,
            &a.contact,
            a.created_ms
        );
        Ok(inserted == 1)
    }

    pub async fn acme_account(&self, id: &str) -> Result<Option<AcmeAccount>, StoreError> {
        let sql = format!("{ACCOUNT} WHERE id = $1");
        fetch_optional!(self, sqlx::AssertSqlSafe(sql.clone()), account_from, id)
    }

    pub async fn acme_account_by_thumbprint(
        &self,
        thumbprint: &str,
    ) -> Result<Option<AcmeAccount>, StoreError> {
        let sql = format!("{ACCOUNT} WHERE thumbprint = $1");
        fetch_optional!(
            self,
            sqlx::AssertSqlSafe(sql.clone()),
            account_from,
            thumbprint
        )
    }

    pub async fn acme_update_account(
        &self,
        id: &str,
        status: &str,
        contact: &str,
    ) -> Result<(), StoreError> {
        execute!(
            self,
            "UPDATE acme_accounts SET status = $1, contact = $2 WHERE id = $3",
            status,
            contact,
            id
        );
        Ok(())
    }

    /// Key rollover (§7.3.5): `false` if the new key belongs to another account already.
    pub async fn acme_change_key(
        &self,
        id: &str,
        old_thumbprint: &str,
        jwk: &str,
        thumbprint: &str,
    ) -> Result<bool, StoreError> {
        if self.acme_account_by_thumbprint(thumbprint).await?.is_some() {
            return Ok(false);
        }
        let changed = execute!(
            self,
            "UPDATE acme_accounts SET jwk = $1, thumbprint = $2 WHERE id = $3 AND thumbprint = $4",
            jwk,
            thumbprint,
            id,
            old_thumbprint
        );
        Ok(changed == 1)
    }

    // ---- orders, authorizations, challenges ----

    /// Creates an order with its one authorization and its one challenge, atomically.
    pub async fn acme_insert_order(
        &self,
        order: &AcmeOrder,
        authz: &AcmeAuthz,
        challenge: &AcmeChallenge,
    ) -> Result<(), StoreError> {
        macro_rules! insert_all {
            ($tx:ident) => {{
                sqlx::query(
                    "INSERT INTO acme_authzs (id, account_id, number, status, expires_ms) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&authz.id)
                .bind(&authz.account_id)
                .bind(&authz.number)
                .bind(&authz.status)
                .bind(authz.expires_ms)
                .execute(&mut *$tx)
                .await?;
                sqlx::query(
                    "INSERT INTO acme_challenges (id, authz_id, token, status) VALUES ($1, $2, $3, $4)",
                )
                .bind(&challenge.id)
                .bind(&challenge.authz_id)
                .bind(&challenge.token)
                .bind(&challenge.status)
                .execute(&mut *$tx)
                .await?;
                sqlx::query(
                    "INSERT INTO acme_orders (id, account_id, number, status, expires_ms, authz_id) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&order.id)
                .bind(&order.account_id)
                .bind(&order.number)
                .bind(&order.status)
                .bind(order.expires_ms)
                .bind(&order.authz_id)
                .execute(&mut *$tx)
                .await?;
            }};
        }
        match self {
            Store::Sqlite(sqlite) => {
                let mut lease = sqlite.writer.lease().await?;
                {
                    let tx = lease.conn()?;
                    insert_all!(tx);
                }
                lease.commit().await?;
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                insert_all!(tx);
                tx.commit().await?;
            }
        }
        Ok(())
    }

    pub async fn acme_order(&self, id: &str) -> Result<Option<AcmeOrder>, StoreError> {
        let sql = format!("{ORDER} WHERE id = $1");
        fetch_optional!(self, sqlx::AssertSqlSafe(sql.clone()), order_from, id)
    }

    pub async fn acme_orders_of(&self, account_id: &str) -> Result<Vec<AcmeOrder>, StoreError> {
        let sql = format!("{ORDER} WHERE account_id = $1 ORDER BY id");
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(account_id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(order_from)
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }

    /// Moves an order from `from` to `to` (and records its error); `false` if it was not in
    /// `from`.
    pub async fn acme_order_status(
        &self,
        id: &str,
        from: &str,
        to: &str,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let moved = execute!(
            self,
            "UPDATE acme_orders SET status = $1, error = COALESCE($2, error) \
             WHERE id = $3 AND status = $4",
            to,
            error,
            id,
            from
        );
        Ok(moved == 1)
    }

    pub async fn acme_order_certificate(&self, id: &str, cert_id: &str) -> Result<(), StoreError> {
        execute!(
            self,
            "UPDATE acme_orders SET status = 'valid', cert_id = $1 WHERE id = $2 AND status = 'processing'",
            cert_id,
            id
        );
        Ok(())
    }

    pub async fn acme_authz(&self, id: &str) -> Result<Option<AcmeAuthz>, StoreError> {
        let sql = format!("{AUTHZ} WHERE id = $1");
        fetch_optional!(self, sqlx::AssertSqlSafe(sql.clone()), authz_from, id)
    }

    pub async fn acme_authz_status(
        &self,
        id: &str,
        from: &str,
        to: &str,
    ) -> Result<bool, StoreError> {
        let moved = execute!(
            self,
            "UPDATE acme_authzs SET status = $1 WHERE id = $2 AND status = $3",
            to,
            id,
            from
        );
        Ok(moved == 1)
    }

    pub async fn acme_challenge(&self, id: &str) -> Result<Option<AcmeChallenge>, StoreError> {
        let sql = format!("{CHALLENGE} WHERE id = $1");
        fetch_optional!(self, sqlx::AssertSqlSafe(sql.clone()), challenge_from, id)
    }

    pub async fn acme_challenge_of(
        &self,
        authz_id: &str,
    ) -> Result<Option<AcmeChallenge>, StoreError> {
        let sql = format!("{CHALLENGE} WHERE authz_id = $1");
        fetch_optional!(
            self,
            sqlx::AssertSqlSafe(sql.clone()),
            challenge_from,
            authz_id
        )
    }

    /// The client said "ready": pending → processing with the code's keyed hash. Only one of
    /// any number of concurrent callers gets `true`, and only that one sends the SMS.
    pub async fn acme_challenge_processing(
        &self,
        id: &str,
        code_hash: &str,
        code_expires_ms: i64,
    ) -> Result<bool, StoreError> {
        let moved = execute!(
            self,
            "UPDATE acme_challenges SET status = 'processing', code_hash = $1, code_expires_ms = $2 \
             WHERE id = $3 AND status = 'pending'",
            code_hash,
            code_expires_ms,
            id
        );
        Ok(moved == 1)
    }

    /// Undoes "processing" when the SMS could not be sent (so the client can try again).
    pub async fn acme_challenge_back_to_pending(&self, id: &str) -> Result<(), StoreError> {
        execute!(
            self,
            "UPDATE acme_challenges SET status = 'pending', code_hash = NULL, code_expires_ms = NULL \
             WHERE id = $1 AND status = 'processing'",
            id
        );
        Ok(())
    }

    /// Reserves an answer attempt on a `processing` challenge before the answer is compared,
    /// in the statement that checks the count: `Some(attempts so far)`, or `None` when the
    /// challenge is no longer open or has had its `max` attempts (so concurrent answers
    /// cannot all pass a read of the count).
    pub async fn acme_reserve_attempt(
        &self,
        id: &str,
        max: i64,
    ) -> Result<Option<i64>, StoreError> {
        const SQL: &str = "UPDATE acme_challenges SET wrong_answers = wrong_answers + 1 \
            WHERE id = $1 AND status = 'processing' AND wrong_answers < $2 RETURNING wrong_answers";
        let attempts = on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(id)
                .bind(max)
                .fetch_optional(conn)
                .await?
                .map(|row| row.try_get::<i64, _>("wrong_answers"))
                .transpose()?
        });
        Ok(attempts)
    }

    /// Closes a processing challenge as valid or invalid; `false` if someone else closed it.
    pub async fn acme_challenge_close(
        &self,
        id: &str,
        to: &str,
        now_ms: i64,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let moved = execute!(
            self,
            "UPDATE acme_challenges SET status = $1, validated_ms = $2, error = $3, code_hash = NULL \
             WHERE id = $4 AND status = 'processing'",
            to,
            now_ms,
            error,
            id
        );
        Ok(moved == 1)
    }

    // ---- per-number bounds ----

    /// (failed answers so far, locked since) for a number.
    pub async fn acme_number(&self, number: &str) -> Result<(i64, Option<i64>), StoreError> {
        let row = on_pool!(self, |pool| {
            match sqlx::query("SELECT failures, locked_ms FROM acme_numbers WHERE number = $1")
                .bind(number)
                .fetch_optional(pool)
                .await?
            {
                Some(row) => Some((
                    row.try_get::<i64, _>("failures")?,
                    row.try_get::<Option<i64>, _>("locked_ms")?,
                )),
                None => None,
            }
        });
        Ok(row.unwrap_or((0, None)))
    }

    /// Reserves one of a number's `lock_at` failure slots before an answer is compared (in
    /// the statement that checks the count): `Some(failures so far, this one included)`, or
    /// `None` while the number is locked (locked since after `lock_expired_before`) or its
    /// slots are all taken. A lock older than that is over: the count starts again.
    pub async fn acme_reserve_number_attempt(
        &self,
        number: &str,
        lock_at: i64,
        lock_expired_before: i64,
    ) -> Result<Option<i64>, StoreError> {
        const SQL: &str = "INSERT INTO acme_numbers (number, failures) VALUES ($1, 1) \
            ON CONFLICT (number) DO UPDATE SET \
              failures = CASE WHEN acme_numbers.locked_ms IS NULL \
                THEN acme_numbers.failures + 1 ELSE 1 END, \
              locked_ms = NULL \
            WHERE (acme_numbers.locked_ms IS NULL AND acme_numbers.failures < $2) \
               OR acme_numbers.locked_ms <= $3 \
            RETURNING failures";
        let failures = on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(number)
                .bind(lock_at)
                .bind(lock_expired_before)
                .fetch_optional(conn)
                .await?
                .map(|row| row.try_get::<i64, _>("failures"))
                .transpose()?
        });
        Ok(failures)
    }

    /// Gives back a failure slot reserved for an answer that was right.
    pub async fn acme_release_number_attempt(&self, number: &str) -> Result<(), StoreError> {
        execute!(
            self,
            "UPDATE acme_numbers SET failures = failures - 1 \
             WHERE number = $1 AND failures > 0 AND locked_ms IS NULL",
            number
        );
        Ok(())
    }

    /// Locks a number whose failures reached `lock_at` (a wrong answer took the last slot).
    pub async fn acme_lock_number(
        &self,
        number: &str,
        lock_at: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let locked = execute!(
            self,
            "UPDATE acme_numbers SET locked_ms = $1 WHERE number = $2 AND failures >= $3 \
             AND locked_ms IS NULL",
            now_ms,
            number,
            lock_at
        );
        Ok(locked == 1)
    }

    /// `assent-gateway admin acme unlock`: clears the lock and the count; `false` if the
    /// number was not locked.
    pub async fn acme_unlock(&self, number: &str) -> Result<bool, StoreError> {
        let unlocked = execute!(
            self,
            "UPDATE acme_numbers SET locked_ms = NULL, failures = 0 WHERE number = $1 \
             AND locked_ms IS NOT NULL",
            number
        );
        Ok(unlocked == 1)
    }

    // ---- certificates ----

    pub async fn acme_insert_certificate(&self, c: &AcmeCertificate) -> Result<(), StoreError> {
        execute!(
            self,
            "INSERT INTO acme_certificates (id, account_id, order_id, number, serial, der_sha256, \
             spki_der, pem_chain, not_after_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &c.id,
            &c.account_id,
            &c.order_id,
            &c.number,
            &c.serial,
            &c.der_sha256,
            &c.spki_der,
            &c.pem_chain,
            c.not_after_ms
        );
        Ok(())
    }

    pub async fn acme_certificate(&self, id: &str) -> Result<Option<AcmeCertificate>, StoreError> {
        let sql = format!("{CERTIFICATE} WHERE id = $1");
        fetch_optional!(self, sqlx::AssertSqlSafe(sql.clone()), certificate_from, id)
    }

    /// The certificate whose DER has this SHA-256 (hex).
    pub async fn acme_certificate_by_der(
        &self,
        der_sha256: &str,
    ) -> Result<Option<AcmeCertificate>, StoreError> {
        let sql = format!("{CERTIFICATE} WHERE der_sha256 = $1");
        fetch_optional!(
            self,
            sqlx::AssertSqlSafe(sql.clone()),
            certificate_from,
            der_sha256
        )
    }

    /// Revokes a certificate (and the devices registered with its key), queueing `sets`
    /// (what SPs are told of it) with it; `false` if it was already revoked
    /// (→ alreadyRevoked), and then nothing is queued.
    pub async fn acme_revoke_certificate(
        &self,
        id: &str,
        reason: i64,
        now_ms: i64,
        sets: &[super::NewSsfEvent],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let revoked = tx.revoke_certificate(id, reason, now_ms).await?;
        if !revoked {
            return Ok(false);
        }
        for set in sets {
            tx.insert_ssf_event(set).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }
}
