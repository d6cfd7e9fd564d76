//! Access notices by SMS (MC_ATTR_19): where the sweep has read the trail to, and what each
//! subscriber has been told.

use super::{Store, StoreError, Tx};
use sqlx::Row;

/// A subscriber with accesses waiting to be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDue {
    pub user_id: String,
    pub msisdn: String,
    /// `off`, `each` or `daily` (now: the operator may have changed it since).
    pub notify: String,
    /// The last resource-access entry told.
    pub notified_seq: i64,
    pub notified_ms: Option<i64>,
}

impl Store {
    /// The cursor, and the subscribers of the resource accesses audited after it, up to
    /// `limit` accesses, with where the cursor goes once they are marked: past the last
    /// access read, or to the trail's head read first when fewer came.
    pub async fn new_accesses(&self, limit: i64) -> Result<(i64, i64, Vec<String>), StoreError> {
        const CURSOR: &str = "SELECT seq FROM access_notice_cursor WHERE one = 1";
        const HEAD: &str = "SELECT COALESCE(MAX(seq), 0) FROM audit";
        const ACCESSES: &str = "SELECT seq, user_id FROM audit WHERE seq > $1 AND seq <= $2 \
            AND kind = 'resource_access' AND user_id IS NOT NULL ORDER BY seq LIMIT $3";
        let found = on_pool!(self, |pool| {
            let cursor: i64 = sqlx::query_scalar(CURSOR).fetch_one(pool).await?;
            let head: i64 = sqlx::query_scalar(HEAD).fetch_one(pool).await?;
            let rows = sqlx::query(ACCESSES)
                .bind(cursor)
                .bind(head)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            let mut users = Vec::new();
            let mut last = cursor;
            for row in &rows {
                last = row.try_get::<i64, _>("seq")?;
                users.push(row.try_get::<String, _>("user_id")?);
            }
            let to = if i64::try_from(rows.len()).unwrap_or(i64::MAX) < limit {
                head
            } else {
                last
            };
            (cursor, to, users)
        });
        Ok(found)
    }

    /// Subscribers with accesses waiting whose notice is due at `now_ms`: `each` now,
    /// `daily` when the last went a day before `day_before_ms` or never; and those whose
    /// policy became `off` (to be cleared).
    pub async fn notices_due(
        &self,
        day_before_ms: i64,
        limit: i64,
    ) -> Result<Vec<NoticeDue>, StoreError> {
        const SQL: &str = "SELECT n.user_id, u.msisdn, u.notify, n.notified_seq, n.notified_ms \
            FROM access_notices n JOIN users u ON u.id = n.user_id WHERE n.pending = 1 \
            AND (u.notify <> 'daily' OR n.notified_ms IS NULL OR n.notified_ms <= $1) \
            ORDER BY n.notified_ms LIMIT $2";
        let due = on_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(day_before_ms)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>(NoticeDue {
                        user_id: row.try_get("user_id")?,
                        msisdn: row.try_get("msisdn")?,
                        notify: row.try_get("notify")?,
                        notified_seq: row.try_get("notified_seq")?,
                        notified_ms: row.try_get("notified_ms")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(due)
    }
}

impl Tx {
    /// Moves the cursor from `from` to `to` and marks the subscribers of `users` whose
    /// policy is not `off` as having accesses waiting (a subscriber new to this table starts
    /// after `from`: nothing from before is told). `false`, and nothing done, when another
    /// sweep moved the cursor first.
    pub async fn mark_notices(
        &mut self,
        from: i64,
        to: i64,
        users: &[String],
    ) -> Result<bool, StoreError> {
        const MOVE: &str = "UPDATE access_notice_cursor SET seq = $1 WHERE one = 1 AND seq = $2";
        const MARK: &str = "INSERT INTO access_notices (user_id, notified_seq, pending) \
            SELECT id, $2, 1 FROM users WHERE id = $1 AND notify <> 'off' \
            ON CONFLICT (user_id) DO UPDATE SET pending = 1";
        let moved = on_tx!(self, |conn| {
            let moved = sqlx::query(MOVE)
                .bind(to)
                .bind(from)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                == 1;
            if moved {
                let mut seen = std::collections::HashSet::new();
                for user in users.iter().filter(|u| seen.insert(u.as_str())) {
                    sqlx::query(MARK)
                        .bind(user)
                        .bind(from)
                        .execute(&mut *conn)
                        .await?;
                }
            }
            moved
        });
        Ok(moved)
    }

    /// Records that the subscriber was told up to `to_seq` at `now_ms` (or, with `sent`
    /// false, that nothing is to be told up to there); `false` when another sweep did first.
    pub async fn claim_notice(
        &mut self,
        due: &NoticeDue,
        to_seq: i64,
        now_ms: i64,
        sent: bool,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE access_notices SET pending = 0, notified_seq = $1, \
            notified_ms = CASE WHEN $2 = 1 THEN $3 ELSE notified_ms END \
            WHERE user_id = $4 AND notified_seq = $5 AND pending = 1";
        let claimed = on_tx!(self, |conn| {
            sqlx::query(SQL)
                .bind(to_seq)
                .bind(i64::from(sent))
                .bind(now_ms)
                .bind(&due.user_id)
                .bind(due.notified_seq)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                == 1
        });
        Ok(claimed)
    }
}

/// A text waiting in the SMS outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedSms {
    pub id: String,
    pub user_id: String,
    pub msisdn: String,
    pub text: String,
    pub created_ms: i64,
}

impl Store {
    /// Queues a text for the serving gateway to send.
    pub async fn queue_sms(&self, sms: &QueuedSms) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO sms_outbox (id, user_id, msisdn, text, created_ms) \
            VALUES ($1, $2, $3, $4, $5)";
        on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(&sms.id)
                .bind(&sms.user_id)
                .bind(&sms.msisdn)
                .bind(&sms.text)
                .bind(sms.created_ms)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// Takes up to `limit` texts from the outbox, oldest first: each is deleted as it is
    /// taken, so two gateways never send the same one.
    pub async fn take_queued_sms(&self, limit: i64) -> Result<Vec<QueuedSms>, StoreError> {
        const SQL: &str = "DELETE FROM sms_outbox WHERE id IN (SELECT id FROM sms_outbox \
            ORDER BY created_ms, id LIMIT $1) \
            RETURNING id, user_id, msisdn, text, created_ms";
        let mut taken = on_write!(self, |conn| {
            sqlx::query(SQL)
                .bind(limit)
                .fetch_all(conn)
                .await?
                .iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>(QueuedSms {
                        id: row.try_get("id")?,
                        user_id: row.try_get("user_id")?,
                        msisdn: row.try_get("msisdn")?,
                        text: row.try_get("text")?,
                        created_ms: row.try_get("created_ms")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        taken.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        Ok(taken)
    }
}
