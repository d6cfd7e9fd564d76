//! Consent receipts on the device (ISO/IEC TS 27560): the gateway signs one for every
//! consent given and every withdrawal (`GET /device/receipts`); the device keeps each as
//! received, with the text the consent was given to, in its own SQLite file, and verifies
//! them offline against the gateway's published keys (kept beside them): the signature, and
//! that the SHA-256 the receipt carries is the text's.

use crate::checkpoint::GatewayKey;
use assent_proto::device::ReceiptItem;
use assent_proto::jwt::{RECEIPT_TYP, ReceiptClaims};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::sqlite::SqlitePool;
use std::path::Path;

/// The receipts' file in the profile folder.
const FILE: &str = "receipts.sqlite";

#[derive(Debug, thiserror::Error)]
pub enum ReceiptsError {
    #[error("the receipts on this device cannot be read: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the receipts on this device cannot be read: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the receipts cannot be written to {path}: {reason}")]
    Export { path: String, reason: String },
}

/// Why a receipt does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptFault {
    #[error("it is not a signed receipt: {0}")]
    Malformed(String),
    #[error("it is not a consent receipt (typ {0:?})")]
    NotAReceipt(Option<String>),
    #[error("it names a key the gateway does not publish ({0:?})")]
    UnknownKey(Option<String>),
    #[error("its signature is not the gateway's: {0}")]
    Signature(String),
    #[error("it says it is receipt {claimed}, listed as {listed}")]
    NotThisOne { claimed: String, listed: String },
    #[error("the text kept with it is not the text it names (SHA-256 {expected})")]
    OtherText { expected: String },
}

/// Checks `jws` against the gateway's published keys and returns its claims.
pub fn verify(jws: &str, keys: &[GatewayKey]) -> Result<ReceiptClaims, ReceiptFault> {
    crate::checkpoint::verify_signed(jws, RECEIPT_TYP, keys).map_err(|fault| match fault {
        crate::checkpoint::SignedFault::Malformed(e) => ReceiptFault::Malformed(e),
        crate::checkpoint::SignedFault::OtherType(typ) => ReceiptFault::NotAReceipt(typ),
        crate::checkpoint::SignedFault::UnknownKey(kid) => ReceiptFault::UnknownKey(kid),
        crate::checkpoint::SignedFault::Signature(e) => ReceiptFault::Signature(e),
    })
}

/// A receipt as the app and the command show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Receipt {
    /// `rc-…`.
    pub id: String,
    /// The SP's name.
    pub sp: String,
    pub client_id: String,
    pub consent_id: String,
    /// `consent` or `withdrawal`.
    pub kind: String,
    /// RFC 3339.
    pub at: String,
    /// The compact JWS, as the gateway signed it.
    pub jws: String,
    /// For a consent: the exact text it was given to.
    pub prompt: Option<String>,
    /// Whether it verified here: the gateway's signature, and the text's hash.
    pub verified: bool,
    /// Why not, in words, when it did not.
    pub problem: Option<String>,
    /// What it says, when its signature verified.
    pub claims: Option<ReceiptClaims>,
}

/// Verifies a kept receipt: its signature, that it is the receipt listed, and for a
/// consent that the text kept with it is the one whose hash it carries.
pub fn check(item: &ReceiptItem, keys: &[GatewayKey]) -> Result<ReceiptClaims, ReceiptFault> {
    let claims = verify(&item.jws, keys)?;
    if claims.jti != item.id {
        return Err(ReceiptFault::NotThisOne {
            claimed: claims.jti,
            listed: item.id.clone(),
        });
    }
    if let (Some(method), Some(prompt)) = (&claims.method, &item.prompt) {
        let hash = hex::encode(Sha256::digest(prompt.as_bytes()));
        if hash != method.prompt_sha256 {
            return Err(ReceiptFault::OtherText {
                expected: method.prompt_sha256.clone(),
            });
        }
    }
    Ok(claims)
}

/// What the command and the app show: the item, and how it verified.
pub fn shown(item: &ReceiptItem, keys: &[GatewayKey]) -> Receipt {
    let checked = check(item, keys);
    Receipt {
        id: item.id.clone(),
        sp: if item.client_name.is_empty() {
            item.client_id.clone()
        } else {
            item.client_name.clone()
        },
        client_id: item.client_id.clone(),
        consent_id: item.consent_id.clone(),
        kind: item.kind.clone(),
        at: item.at.clone(),
        jws: item.jws.clone(),
        prompt: item.prompt.clone(),
        verified: checked.is_ok(),
        problem: checked.as_ref().err().map(ToString::to_string),
        claims: checked.ok(),
    }
}

/// The receipts kept on this device.
#[derive(Debug, Clone)]
pub struct Receipts {
    pool: SqlitePool,
}

impl Receipts {
    pub async fn open(profile_dir: &Path) -> Result<Self, ReceiptsError> {
        let pool = crate::profile::open_sqlite(&profile_dir.join(FILE)).await?;
        sqlx::migrate!("./receipts_migrations").run(&pool).await?;
        Ok(Receipts { pool })
    }

    /// Keeps the receipts received and the gateway's keys; a receipt kept already stays as
    /// it was first received. Returns how many are new.
    pub async fn keep(
        &self,
        items: &[ReceiptItem],
        keys: &[GatewayKey],
    ) -> Result<usize, ReceiptsError> {
        let mut tx = self.pool.begin().await?;
        let mut new = 0;
        for item in items {
            new += sqlx::query(
                "INSERT OR IGNORE INTO receipts (id, consent_id, client_id, client_name, kind, \
                 at, jws, prompt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&item.id)
            .bind(&item.consent_id)
            .bind(&item.client_id)
            .bind(&item.client_name)
            .bind(&item.kind)
            .bind(&item.at)
            .bind(&item.jws)
            .bind(&item.prompt)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        for key in keys {
            let jwk = serde_json::to_string(key).unwrap_or_default();
            sqlx::query("INSERT OR REPLACE INTO gateway_keys (kid, jwk) VALUES (?, ?)")
                .bind(&key.kid)
                .bind(jwk)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(usize::try_from(new).unwrap_or(usize::MAX))
    }

    /// Every receipt kept, oldest first (a consent before a withdrawal of the same time).
    pub async fn list(&self) -> Result<Vec<ReceiptItem>, ReceiptsError> {
        let rows = sqlx::query(
            "SELECT id, consent_id, client_id, client_name, kind, at, jws, prompt FROM receipts \
             ORDER BY at, CASE kind WHEN 'consent' THEN 0 ELSE 1 END, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ReceiptItem {
                    id: row.try_get("id")?,
                    consent_id: row.try_get("consent_id")?,
                    client_id: row.try_get("client_id")?,
                    client_name: row.try_get("client_name")?,
                    kind: row.try_get("kind")?,
                    at: row.try_get("at")?,
                    jws: row.try_get("jws")?,
                    prompt: row.try_get("prompt")?,
                })
            })
            .collect()
    }

    /// Writes every receipt kept, with the keys that verify them, to `path` (atomically).
    pub async fn export_to(&self, path: &Path) -> Result<usize, ReceiptsError> {
        let receipts = self.list().await?;
        let failed = |reason: String| ReceiptsError::Export {
            path: path.display().to_string(),
            reason,
        };
        let text = serde_json::to_vec_pretty(&serde_json::json!({
            "receipts": receipts,
            "keys": self.keys().await?,
        }))
        .map_err(|e| failed(e.to_string()))?;
        crate::profile::write_atomically(path, &text).map_err(|e| failed(e.to_string()))?;
        Ok(receipts.len())
    }

    /// The gateway's keys last seen.
    pub async fn keys(&self) -> Result<Vec<GatewayKey>, ReceiptsError> {
        let texts: Vec<String> = sqlx::query_scalar("SELECT jwk FROM gateway_keys ORDER BY kid")
            .fetch_all(&self.pool)
            .await?;
        // A key this version cannot read verifies nothing, and is left out.
        Ok(texts
            .iter()
            .filter_map(|t| serde_json::from_str(t).ok())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::tests::{sign as sign_es256, test_key as gateway_key};
    use serde_json::json;

    fn claims(id: &str, prompt_sha256: &str) -> serde_json::Value {
        json!({"iss": "https://gw", "jti": id, "iat": 0, "schema": "ISO/IEC TS 27560:2023",
               "record_id": "c-1", "event": "given", "pii_principal": "u-1",
               "at": "2026-12-01T00:00:00Z", "controller": {"id": "demo-sp", "name": "Demo Shop"},
               "purposes": [], "method": {"authenticator": "app", "prompt_sha256": prompt_sha256},
               "duration": {"kind": "long_lived"}, "withdrawal": "In the app"})
    }

    fn item(id: &str, jws: String, prompt: &str) -> ReceiptItem {
        ReceiptItem {
            id: id.into(),
            consent_id: "c-1".into(),
            client_id: "demo-sp".into(),
            client_name: "Demo Shop".into(),
            kind: "consent".into(),
            at: "2026-12-01T00:00:00Z".into(),
            jws,
            prompt: Some(prompt.into()),
        }
    }

    #[test]
    fn a_receipt_verifies_with_the_gateway_key_and_the_text_kept_beside_it() {
        let (signing, key) = gateway_key("k1");
        let text = "Demo Shop asks for: phone number = +447700900001. Allow?";
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        let jws = sign_es256(&signing, "k1", RECEIPT_TYP, &claims("rc-1", &hash));
        let good = item("rc-1", jws.clone(), text);
        assert_eq!(
            check(&good, std::slice::from_ref(&key)).unwrap().jti,
            "rc-1"
        );
        assert!(shown(&good, std::slice::from_ref(&key)).verified);
        // Another text, another id, another key, another type: each refused, named.
        let other_text = item("rc-1", jws.clone(), "Demo Shop asks for nothing. Allow?");
        assert!(matches!(
            check(&other_text, std::slice::from_ref(&key)),
            Err(ReceiptFault::OtherText { .. })
        ));
        assert!(matches!(
            check(&item("rc-2", jws.clone(), text), std::slice::from_ref(&key)),
            Err(ReceiptFault::NotThisOne { .. })
        ));
        let (_, stranger) = gateway_key("k1");
        let refused = shown(&good, &[stranger]);
        assert!(!refused.verified);
        assert!(refused.problem.unwrap().contains("signature"));
        let checkpoint = sign_es256(
            &signing,
            "k1",
            "assent-checkpoint+jwt",
            &claims("rc-1", &hash),
        );
        assert!(matches!(
            check(&item("rc-1", checkpoint, text), &[key]),
            Err(ReceiptFault::NotAReceipt(_))
        ));
    }

    #[tokio::test]
    async fn kept_receipts_stay_as_first_received_and_verify_offline() {
        let dir = tempfile::tempdir().unwrap();
        let (signing, key) = gateway_key("k1");
        let text = "Allow?";
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        let jws = sign_es256(&signing, "k1", RECEIPT_TYP, &claims("rc-1", &hash));
        let receipts = Receipts::open(dir.path()).await.unwrap();
        let first = item("rc-1", jws, text);
        assert_eq!(
            receipts
                .keep(std::slice::from_ref(&first), std::slice::from_ref(&key))
                .await
                .unwrap(),
            1
        );
        let mut changed = first.clone();
        changed.prompt = Some("another text".into());
        assert_eq!(receipts.keep(&[changed], &[]).await.unwrap(), 0);
        let reopened = Receipts::open(dir.path()).await.unwrap();
        assert_eq!(reopened.list().await.unwrap(), [first]);
        let keys = reopened.keys().await.unwrap();
        assert_eq!(keys, [key]);
        assert!(shown(&reopened.list().await.unwrap()[0], &keys).verified);
    }
}
