//! # assent-audit
//!
//! The consent audit trail of GSMA IDY.03 MC_ATTR_31 (for operator and SP service teams) and
//! MC_ATTR_32 (viewable by the user), made tamper-evident: every entry carries the hash of the
//! previous entry of the whole trail, and the hash of the previous entry of the same user.
//!
//! - The operator verifies the **trail**: one chain, sequence numbers without gaps
//!   (`assent-gateway admin audit verify`).
//! - A user receives only their own entries and verifies **their chain** offline, without
//!   seeing anyone else's entries.
//!
//! Hashes are SHA-256 over a length-prefixed binary encoding of the fields (see
//! [`AuditEntry::compute_hash`]), not over JSON: no key order or number format to agree on.
//! This crate does no I/O; the gateway stores entries, the app caches them.
//!
//! ## Erasure and tamper evidence
//! An entry's detail may hold personal data (the prompt a user was shown, with their name in
//! it). A chain that hashed the detail itself could never forget it: blanking it would break
//! every hash from there on. So entries are **sealed**: the chain hashes a [`DetailSeal`],
//! SHA-256 of a random 16-byte salt and the detail, and the detail and salt are kept beside
//! the entry. Erasing a user's data ([`AuditEntry::erase_detail`]) deletes both; the seal
//! stays, the chain still verifies, and what was erased cannot be recovered from the seal
//! (the salt puts guessing out of reach: "given name = Marie" is otherwise easy to try).
//! Entries written before seals existed (format 1) hash their detail directly and verify as
//! they always did; their detail cannot be erased without breaking the chain.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// A SHA-256 digest, shown and serialized as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Digest32(pub [u8; 32]);

impl Digest32 {
    /// The link of the first entry of a chain.
    pub const GENESIS: Digest32 = Digest32([0; 32]);

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Result<Self, AuditError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes)
            .map_err(|_| AuditError::BadDigest(text.chars().take(80).collect()))?;
        Ok(Digest32(bytes))
    }
}

impl fmt::Debug for Digest32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_hex())
    }
}

impl fmt::Display for Digest32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Digest32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Digest32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Digest32::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// What happened (MC_ATTR_31: everything a dispute needs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    AuthorizationRequest,
    PromptSent,
    Answer,
    Consent,
    TokenIssued,
    Refusal,
    Revocation,
    ResourceAccess,
    Notification,
    SpFlagged,
    Admin,
    /// A resource server request refused (401, 403, unknown user…): the SP when known, the
    /// endpoint and the reason, never the token.
    ResourceRefused,
}

impl EntryKind {
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::AuthorizationRequest => "authorization_request",
            EntryKind::PromptSent => "prompt_sent",
            EntryKind::Answer => "answer",
            EntryKind::Consent => "consent",
            EntryKind::TokenIssued => "token_issued",
            EntryKind::Refusal => "refusal",
            EntryKind::Revocation => "revocation",
            EntryKind::ResourceAccess => "resource_access",
            EntryKind::Notification => "notification",
            EntryKind::SpFlagged => "sp_flagged",
            EntryKind::Admin => "admin",
            EntryKind::ResourceRefused => "resource_refused",
        }
    }
}

/// The content of an entry, before it is linked into the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewEntry {
    /// Milliseconds since the Unix epoch (UTC).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
    pub kind: EntryKind,
    /// The user's opaque id (never an MSISDN in clear), if the entry concerns a user.
    pub user: Option<String>,
    /// The SP's client_id, if any.
    pub sp: Option<String>,
    /// The authenticator used (`ussd`, `sms`, `app`, …), if any.
    pub authenticator: Option<String>,
    /// Details as compact JSON text, hashed exactly as stored (e.g. the prompt shown).
    pub detail: String,
}

/// Format 2's commitment to an entry's detail: what the chain hashes in its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DetailSeal {
    /// SHA-256 of: domain ‖ salt ‖ detail (hex).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub digest: Digest32,
    /// The 16 random bytes the digest was salted with (hex); `None` once the detail is
    /// erased.
    #[serde(default)]
    pub salt: Option<String>,
}

/// Domain separation of the detail's seal.
const SEAL_DOMAIN: &[u8] = b"assent-audit-detail-v1\0";

impl DetailSeal {
    /// Seals `detail` with `salt` (16 random bytes; a fresh one for every entry).
    pub fn new(detail: &str, salt: [u8; 16]) -> DetailSeal {
        DetailSeal {
            digest: Self::digest_of(detail, &salt),
            salt: Some(hex::encode(salt)),
        }
    }

    fn digest_of(detail: &str, salt: &[u8]) -> Digest32 {
        let mut h = Sha256::new();
        h.update(SEAL_DOMAIN);
        put_bytes(&mut h, salt);
        put_bytes(&mut h, detail.as_bytes());
        Digest32(h.finalize().into())
    }

    /// Whether `detail` is what was sealed: with the salt kept, the digest must match; once
    /// erased, the detail must be empty (nothing else can stand in for what was erased).
    pub fn holds(&self, detail: &str) -> bool {
        match &self.salt {
            Some(salt) => {
                hex::decode(salt).is_ok_and(|salt| Self::digest_of(detail, &salt) == self.digest)
            }
            None => detail.is_empty(),
        }
    }
}

/// An entry of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    /// Position in the whole trail, from 1, without gaps.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub content: NewEntry,
    /// Hash of entry `seq - 1` (genesis: zeros).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub prev_hash: Digest32,
    /// Hash of the previous entry of the same user (genesis: zeros); `None` without a user.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub user_prev_hash: Option<Digest32>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub hash: Digest32,
    /// Format 2: the seal the hash covers instead of the detail. Absent on entries written
    /// before seals existed (format 1), whose hash covers the detail itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub seal: Option<DetailSeal>,
}

/// Where a chain stands: the last entry's sequence number and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: Digest32,
}

impl Head {
    pub const GENESIS: Head = Head {
        seq: 0,
        hash: Digest32::GENESIS,
    };
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("entry {seq}: its hash does not match its content (altered)")]
    HashMismatch { seq: u64 },
    #[error(
        "entry {seq}: it does not link to the entry before it (removed, inserted or reordered)"
    )]
    BrokenLink { seq: u64 },
    #[error("entry {seq}: expected sequence number {expected} (gap or duplicate)")]
    SequenceGap { seq: u64, expected: u64 },
    #[error("entry {seq}: its detail is not the one its seal was made of (altered)")]
    DetailMismatch { seq: u64 },
    #[error("entry {seq}: belongs to another user")]
    ForeignEntry { seq: u64 },
    #[error("\"{0}\" is not a SHA-256 digest in hex")]
    BadDigest(String),
    #[error("the head is not the chain's last hash")]
    HeadMismatch,
}

/// Domain separation: a hash of this trail can never be a hash of something else. Format 2
/// (sealed details) has its own, so no entry of one format can pass for one of the other.
const DOMAIN: &[u8] = b"assent-audit-v1\0";
const SEALED_DOMAIN: &[u8] = b"assent-audit-v2\0";

fn put_bytes(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

fn put_option(h: &mut Sha256, value: Option<&[u8]>) {
    match value {
        None => h.update([0u8]),
        Some(bytes) => {
            h.update([1u8]);
            put_bytes(h, bytes);
        }
    }
}

impl AuditEntry {
    /// Links `content` after `trail` (the whole trail's head) and `user_head` (the head of
    /// the same user's chain; ignored for entries without a user), its detail sealed with
    /// `salt` (16 random bytes, fresh for every entry) so that it can be erased later.
    pub fn link(
        content: NewEntry,
        salt: [u8; 16],
        trail: Head,
        user_head: Option<Digest32>,
    ) -> AuditEntry {
        let seal = DetailSeal::new(&content.detail, salt);
        Self::link_with(content, Some(seal), trail, user_head)
    }

    /// Links `content` in format 1, its detail hashed as it is (what the trail held before
    /// seals existed; kept for reading old trails and testing them).
    pub fn link_unsealed(content: NewEntry, trail: Head, user_head: Option<Digest32>) -> Self {
        Self::link_with(content, None, trail, user_head)
    }

    fn link_with(
        content: NewEntry,
        seal: Option<DetailSeal>,
        trail: Head,
        user_head: Option<Digest32>,
    ) -> AuditEntry {
        let user_prev_hash = content
            .user
            .as_ref()
            .map(|_| user_head.unwrap_or(Digest32::GENESIS));
        let mut entry = AuditEntry {
            seq: trail.seq + 1,
            content,
            prev_hash: trail.hash,
            user_prev_hash,
            hash: Digest32::GENESIS,
            seal,
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// SHA-256 of: domain ‖ seq (u64 BE) ‖ at_ms (i64 BE) ‖ kind ‖ user? ‖ sp? ‖
    /// authenticator? ‖ detail ‖ prev_hash ‖ user_prev_hash?, where strings are
    /// length-prefixed (u64 BE) and options carry a 0/1 tag. A sealed entry (format 2) has
    /// its own domain and the seal's 32-byte digest in the detail's place.
    pub fn compute_hash(&self) -> Digest32 {
        let c = &self.content;
        let mut h = Sha256::new();
        h.update(match self.seal {
            Some(_) => SEALED_DOMAIN,
            None => DOMAIN,
        });
        h.update(self.seq.to_be_bytes());
        h.update(c.at_ms.to_be_bytes());
        put_bytes(&mut h, c.kind.name().as_bytes());
        put_option(&mut h, c.user.as_deref().map(str::as_bytes));
        put_option(&mut h, c.sp.as_deref().map(str::as_bytes));
        put_option(&mut h, c.authenticator.as_deref().map(str::as_bytes));
        match &self.seal {
            Some(seal) => h.update(seal.digest.0),
            None => put_bytes(&mut h, c.detail.as_bytes()),
        }
        h.update(self.prev_hash.0);
        put_option(&mut h, self.user_prev_hash.as_ref().map(|d| d.0.as_slice()));
        Digest32(h.finalize().into())
    }

    /// The entry is intact: its hash is its content's, and a sealed detail is the one sealed
    /// (or was erased).
    pub fn check(&self) -> Result<(), AuditError> {
        if self.compute_hash() != self.hash {
            return Err(AuditError::HashMismatch { seq: self.seq });
        }
        match &self.seal {
            Some(seal) if !seal.holds(&self.content.detail) => {
                Err(AuditError::DetailMismatch { seq: self.seq })
            }
            _ => Ok(()),
        }
    }

    /// Forgets the detail and its salt (a user's data erased); the seal stays, so the entry
    /// and the chain through it still verify. `false` for a format 1 entry, whose detail is
    /// part of its hash and cannot be erased without breaking the chain.
    pub fn erase_detail(&mut self) -> bool {
        match &mut self.seal {
            Some(seal) => {
                seal.salt = None;
                self.content.detail.clear();
                true
            }
            None => false,
        }
    }

    /// Whether the detail was erased.
    pub fn is_erased(&self) -> bool {
        self.seal.as_ref().is_some_and(|seal| seal.salt.is_none())
    }
}

/// Verifies consecutive entries of the whole trail, starting after `from` (use
/// [`Head::GENESIS`] for the whole trail). Returns the new head.
pub fn verify_trail<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    from: Head,
) -> Result<Head, AuditError> {
    let mut head = from;
    for entry in entries {
        let expected = head.seq + 1;
        if entry.seq != expected {
            return Err(AuditError::SequenceGap {
                seq: entry.seq,
                expected,
            });
        }
        entry.check()?;
        if entry.prev_hash != head.hash {
            return Err(AuditError::BrokenLink { seq: entry.seq });
        }
        head = Head {
            seq: entry.seq,
            hash: entry.hash,
        };
    }
    Ok(head)
}

/// Verifies one user's entries, oldest first, from their first entry: each is intact and
/// links to the one before it. Returns the hash of the last entry.
pub fn verify_user_chain<'a>(
    user: &str,
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<Digest32, AuditError> {
    let mut head = Digest32::GENESIS;
    for entry in entries {
        if entry.content.user.as_deref() != Some(user) {
            return Err(AuditError::ForeignEntry { seq: entry.seq });
        }
        entry.check()?;
        if entry.user_prev_hash != Some(head) {
            return Err(AuditError::BrokenLink { seq: entry.seq });
        }
        head = entry.hash;
    }
    Ok(head)
}

/// Why a trail does not reach a checkpoint: a signed statement that the trail once ended at
/// `seq` with `hash` (a [`Head`]). The chain alone cannot show that entries were removed from
/// its end, since what is left still links; a checkpoint kept outside the database can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error(
        "a checkpoint vouches for entry {checkpoint_seq}, but the trail ends at entry \
         {trail_seq} (truncated)"
    )]
    Truncated { checkpoint_seq: u64, trail_seq: u64 },
    #[error("entry {seq} is not the one its checkpoint vouches for (rewritten)")]
    Diverged { seq: u64 },
}

/// Holds a verified stretch of the trail to checkpoints: every checkpoint whose `seq` is an
/// entry of `entries` must carry that entry's hash. Checkpoints outside the stretch are left
/// to the stretches that hold them, and to [`reaches_checkpoints`] at the end.
pub fn agrees_with_checkpoints<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    checkpoints: &[Head],
) -> Result<(), CheckpointError> {
    for entry in entries {
        for checkpoint in checkpoints.iter().filter(|c| c.seq == entry.seq) {
            if checkpoint.hash != entry.hash {
                return Err(CheckpointError::Diverged { seq: entry.seq });
            }
        }
    }
    Ok(())
}

/// The whole trail, ending at `head`, reaches every checkpoint: none vouches for an entry
/// past its end.
pub fn reaches_checkpoints(head: Head, checkpoints: &[Head]) -> Result<(), CheckpointError> {
    match checkpoints.iter().map(|c| c.seq).max() {
        Some(latest) if latest > head.seq => Err(CheckpointError::Truncated {
            checkpoint_seq: latest,
            trail_seq: head.seq,
        }),
        _ => Ok(()),
    }
}

/// One user's whole history with its proof: the body of the gateway's
/// `GET /device/audit/export` (MC_ATTR_32: the user's own entries, verifiable offline), and
/// the file `assent audit export` writes from the device's copy.
///
/// `entries` are the user's entries oldest first, each with its hashes; `head` is the hash of
/// the last one (hex). The gateway also sends `signed_head`, its ES256 statement of the head
/// (a compact JWS: `{"iss", "sub", "head", "count", "iat"}`), and `verify`, a sentence saying
/// how to check the chain; the device's file has `signed_head` (`null` when the copy has
/// none) and no `verify`. `checkpoint`, when present, is the gateway's signed checkpoint of
/// its whole trail at the time of the export (a compact JWS of `typ`
/// `assent-checkpoint+jwt`: `{"iss", "seq", "head", "iat"}`): the device keeps the latest
/// and refuses a trail that went back behind it. `sp_names` names the SPs of the entries
/// (client_id → client_name) so that the history can say "Demo Shop" rather than an id: it
/// is for display only, outside the hash chain, the signed head and the checkpoint, so
/// nothing about it is vouched for (an SP may also have been renamed since). Members are
/// declared in the order the gateway writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserExport {
    /// The gateway's signed checkpoint of its whole trail (compact JWS), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub checkpoint: Option<String>,
    pub entries: Vec<AuditEntry>,
    /// The hash of the user's last entry (hex; zeros without entries).
    pub head: String,
    /// The gateway's signed statement of the head (compact JWS), if any.
    #[serde(default)]
    pub signed_head: Option<String>,
    /// The name of each SP the entries name (client_id → client_name), for display only:
    /// not covered by the chain, the signed head or the checkpoint. Absent from older
    /// exports, and when no entry names an SP the gateway knows.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sp_names: BTreeMap<String, String>,
    /// The user's opaque id.
    pub user: String,
    /// How to verify the chain, in words (the gateway's export only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub verify: Option<String>,
}

impl UserExport {
    /// Checks the chain from the user's first entry ([`verify_user_chain`]) and that `head`
    /// is its last hash; returns that hash.
    pub fn verify(&self) -> Result<Digest32, AuditError> {
        let head = verify_user_chain(&self.user, &self.entries)?;
        if head.to_hex() != self.head {
            return Err(AuditError::HeadMismatch);
        }
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(i: i64, user: Option<&str>) -> NewEntry {
        NewEntry {
            at_ms: 1_700_000_000_000 + i,
            kind: EntryKind::Consent,
            user: user.map(str::to_owned),
            sp: Some("demo-sp".into()),
            authenticator: Some("ussd".into()),
            detail: format!(r#"{{"prompt":"Demo Shop asks for: given name = Marie. #{i}"}}"#),
        }
    }

    fn salt(i: i64) -> [u8; 16] {
        let mut salt = [7u8; 16];
        salt[..8].copy_from_slice(&i.to_be_bytes());
        salt
    }

    /// A trail of `n` entries alternating between two users and system entries.
    fn trail(n: i64) -> Vec<AuditEntry> {
        let mut entries: Vec<AuditEntry> = Vec::new();
        let mut head = Head::GENESIS;
        let mut user_heads = std::collections::HashMap::new();
        for i in 0..n {
            let user = match i % 3 {
                0 => Some("u-marie"),
                1 => Some("u-ana"),
                _ => None,
            };
            let user_head = user.and_then(|u| user_heads.get(u).copied());
            let entry = AuditEntry::link(content(i, user), salt(i), head, user_head);
            if let Some(u) = user {
                user_heads.insert(u, entry.hash);
            }
            head = Head {
                seq: entry.seq,
                hash: entry.hash,
            };
            entries.push(entry);
        }
        entries
    }

    fn of_user<'a>(entries: &'a [AuditEntry], user: &str) -> Vec<&'a AuditEntry> {
        entries
            .iter()
            .filter(|e| e.content.user.as_deref() == Some(user))
            .collect()
    }

    #[test]
    fn an_intact_trail_and_each_user_chain_verify() {
        let entries = trail(30);
        let head = verify_trail(&entries, Head::GENESIS).unwrap();
        assert_eq!(head.seq, 30);
        assert!(verify_user_chain("u-marie", of_user(&entries, "u-marie")).is_ok());
        assert!(verify_user_chain("u-ana", of_user(&entries, "u-ana")).is_ok());
        // Verifying can resume from a known head.
        let mid = Head {
            seq: 10,
            hash: entries[9].hash,
        };
        assert_eq!(verify_trail(&entries[10..], mid).unwrap(), head);
    }

    #[test]
    fn erasing_a_users_details_keeps_the_trail_and_their_chain_verifying() {
        let mut entries = trail(30);
        let mut erased = 0;
        for entry in entries.iter_mut() {
            if entry.content.user.as_deref() == Some("u-marie") {
                assert!(entry.erase_detail());
                erased += 1;
            }
        }
        assert_eq!(erased, 10);
        assert!(entries.iter().filter(|e| e.is_erased()).all(|e| {
            e.content.detail.is_empty() && e.seal.as_ref().is_some_and(|s| s.salt.is_none())
        }));
        assert!(
            !entries.iter().any(|e| e.content.detail.contains("Marie")
                && e.content.user.as_deref() == Some("u-marie"))
        );
        assert_eq!(verify_trail(&entries, Head::GENESIS).unwrap().seq, 30);
        assert!(verify_user_chain("u-marie", of_user(&entries, "u-marie")).is_ok());
        // An erased entry given a detail again does not verify: nothing stands in for what
        // was erased.
        entries[0].content.detail = "{\"prompt\":\"something else\"}".into();
        assert_eq!(
            verify_trail(&entries, Head::GENESIS),
            Err(AuditError::DetailMismatch { seq: 1 })
        );
    }

    #[test]
    fn a_sealed_detail_cannot_be_altered_nor_its_seal_dropped() {
        let mut entries = trail(6);
        entries[2].content.detail = entries[2].content.detail.replace("Marie", "Mario");
        assert_eq!(
            verify_trail(&entries, Head::GENESIS),
            Err(AuditError::DetailMismatch { seq: 3 })
        );
        // A new seal for the altered detail changes what the hash covers.
        let altered = entries[2].content.detail.clone();
        entries[2].seal = Some(DetailSeal::new(&altered, salt(99)));
        assert_eq!(
            verify_trail(&entries, Head::GENESIS),
            Err(AuditError::HashMismatch { seq: 3 })
        );
        // Nor can a sealed entry pass for a format 1 entry.
        let mut entries = trail(6);
        entries[4].seal = None;
        assert_eq!(
            verify_trail(&entries, Head::GENESIS),
            Err(AuditError::HashMismatch { seq: 5 })
        );
    }

    #[test]
    fn format_1_entries_verify_as_before_and_sealed_ones_follow_them() {
        let mut entries = Vec::new();
        let mut head = Head::GENESIS;
        for i in 0..6 {
            let entry = if i < 3 {
                AuditEntry::link_unsealed(content(i, Some("u1")), head, None)
            } else {
                AuditEntry::link(content(i, Some("u1")), salt(i), head, None)
            };
            head = Head {
                seq: entry.seq,
                hash: entry.hash,
            };
            entries.push(entry);
        }
        assert_eq!(verify_trail(&entries, Head::GENESIS).unwrap(), head);
        // A format 1 entry cannot be erased (its hash covers the detail).
        assert!(!entries[0].erase_detail());
        assert!(!entries[0].content.detail.is_empty());
        assert!(entries[4].erase_detail());
        assert_eq!(verify_trail(&entries, Head::GENESIS).unwrap(), head);
        // The same detail sealed twice gives different seals: one cannot be matched
        // against a guess without its salt.
        let a = DetailSeal::new("{}", salt(1));
        let b = DetailSeal::new("{}", salt(2));
        assert_ne!(a.digest, b.digest);
    }

    #[test]
    fn an_altered_field_is_detected() {
        let mut entries = trail(10);
        entries[4].content.sp = Some("other-sp".into());
        assert_eq!(
            verify_trail(&entries, Head::GENESIS),
            Err(AuditError::HashMismatch { seq: 5 })
        );
        // Recomputing the altered entry's hash breaks the next link instead (a resealed
        // detail too: a_sealed_detail_cannot_be_altered_nor_its_seal_dropped).
        entries[4].hash = entries[4].compute_hash();
        assert_eq!(
            verify_trail(&entries, Head::GENESIS),
            Err(AuditError::BrokenLink { seq: 6 })
        );
    }

    #[test]
    fn a_removed_entry_is_detected_in_the_trail_and_the_user_chain() {
        let mut entries = trail(10);
        let removed = entries.remove(3); // u-marie's second entry
        assert_eq!(removed.content.user.as_deref(), Some("u-marie"));
        assert_eq!(
            verify_trail(&entries, Head::GENESIS),
            Err(AuditError::SequenceGap {
                seq: 5,
                expected: 4
            })
        );
        assert_eq!(
            verify_user_chain("u-marie", of_user(&entries, "u-marie")),
            Err(AuditError::BrokenLink { seq: 7 })
        );
    }

    #[test]
    fn another_users_entry_is_refused_in_a_user_chain() {
        let entries = trail(6);
        let mixed = vec![&entries[0], &entries[1]];
        assert_eq!(
            verify_user_chain("u-marie", mixed),
            Err(AuditError::ForeignEntry { seq: 2 })
        );
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        // "ab" + "c" and "a" + "bc" in adjacent fields must hash differently.
        let mut a = content(0, Some("ab"));
        a.sp = Some("c".into());
        let mut b = content(0, Some("a"));
        b.sp = Some("bc".into());
        let ea = AuditEntry::link(a, salt(0), Head::GENESIS, None);
        let eb = AuditEntry::link(b, salt(0), Head::GENESIS, None);
        assert_ne!(ea.hash, eb.hash);
    }

    #[test]
    fn entries_survive_json_with_hex_digests() {
        let entries = trail(3);
        let json = serde_json::to_string(&entries).unwrap();
        assert!(json.contains(&entries[0].hash.to_hex()));
        let back: Vec<AuditEntry> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, entries);
        assert!(serde_json::from_str::<Digest32>("\"zz\"").is_err());
    }

    #[test]
    fn checkpoints_catch_what_the_chain_alone_cannot_a_shortened_trail() {
        let mut head = Head::GENESIS;
        let mut entries = Vec::new();
        for i in 0..5 {
            let entry = AuditEntry::link(content(i, Some("u1")), salt(i), head, None);
            head = Head {
                seq: entry.seq,
                hash: entry.hash,
            };
            entries.push(entry);
        }
        let at = |seq: u64| Head {
            seq,
            hash: entries[usize::try_from(seq - 1).unwrap()].hash,
        };
        let checkpoints = [at(2), at(4)];
        assert_eq!(agrees_with_checkpoints(&entries, &checkpoints), Ok(()));
        assert_eq!(reaches_checkpoints(head, &checkpoints), Ok(()));
        // The first three entries still verify as a chain, but a checkpoint vouches for 4.
        let shortened = &entries[..3];
        let short_head = verify_trail(shortened, Head::GENESIS).unwrap();
        assert_eq!(
            reaches_checkpoints(short_head, &checkpoints),
            Err(CheckpointError::Truncated {
                checkpoint_seq: 4,
                trail_seq: 3
            })
        );
        // A trail rebuilt from entry 2 on verifies as a chain, but not against the checkpoint.
        let mut rebuilt = entries[..1].to_vec();
        let mut head = verify_trail(&rebuilt, Head::GENESIS).unwrap();
        for i in 10..14 {
            let entry = AuditEntry::link(content(i, Some("u1")), salt(i), head, None);
            head = Head {
                seq: entry.seq,
                hash: entry.hash,
            };
            rebuilt.push(entry);
        }
        assert!(verify_trail(&rebuilt, Head::GENESIS).is_ok());
        assert_eq!(
            agrees_with_checkpoints(&rebuilt, &checkpoints),
            Err(CheckpointError::Diverged { seq: 2 })
        );
    }
}
