//! Issuing tokens once a user consented (MC_ATTR_18): the access token by the SP's policy,
//! a refresh token with long-lived consent, and an ES256 ID token whose `sub` is the
//! pairwise PCR. Shared by every user grant: CIBA (poll, ping, push), authorization code and
//! refresh.

use crate::base::ids::{new_token, token_hash};
use crate::flows::Gateway;
use crate::rules::oauth::OAuthError;
use crate::store::{Client, TokenRecord, Tx};
use assent_audit::{EntryKind, NewEntry};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Lifetime of a refresh token (seconds); each use replaces it.
pub const REFRESH_TTL_S: i64 = 30 * 24 * 3600;
use crate::rules::consent::TRANSACTIONAL_MAX_TTL_S;
/// Lifetime of an ID token (seconds): it is read once, at sign-in.
const ID_TOKEN_TTL_S: i64 = 600;

/// What a grant issues tokens for.
#[derive(Debug)]
pub struct Issue<'a> {
    pub user_id: &'a str,
    pub scope: &'a [String],
    pub authenticator: &'a str,
    /// The nonce of the authorization request (Device-Initiated), echoed in the ID token.
    pub nonce: Option<&'a str>,
    pub grant: &'a str,
    pub request_hash: &'a str,
    /// The token family to extend (a refresh), or `None` for a new grant.
    pub family: Option<&'a str>,
    /// CIBA push (§10.3.1): the auth_req_id, bound into the ID token.
    pub auth_req_id: Option<&'a str>,
    /// The consent the tokens rest on: revoking it revokes them.
    pub consent_id: Option<&'a str>,
    /// When the user authenticated: the moment they answered the prompt (ms). The ID
    /// token's `auth_time` (OIDC Core §2) — a refresh keeps the original one.
    pub auth_time_ms: i64,
    /// RFC 9449 §6.1: the thumbprint of the DPoP key the access token is bound to (the
    /// refresh token of a confidential SP is bound to its credentials, not to a key: §5).
    pub jkt: Option<&'a str>,
}

/// A successful token response (RFC 6749 §5.1; OIDC Core §3.1.3.3 adds `id_token`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Grant Management for OAuth 2.0 §4: the grant (the user's consent) the tokens rest
    /// on, by the id the user's app shows and revokes it by; none for client credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
}

/// Tokens just issued.
#[derive(Debug)]
pub struct Issued {
    /// The token response (the bearer values exist only here).
    pub body: TokenResponse,
    pub access_hash: String,
    pub family: String,
}

/// OIDC Core §3.3.2.11 (`at_hash`), CIBA §10.3.1 (`rt_hash`): the left half of the SHA-256
/// of the token, base64url.
fn half_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The `token_type` of an access token: `DPoP` when it is bound to a key (RFC 9449 §5),
/// else `Bearer`.
pub fn token_type(jkt: Option<&str>) -> &'static str {
    if jkt.is_some() {
        crate::rules::dpop::TOKEN_TYPE
    } else {
        "Bearer"
    }
}

/// Issues tokens for `client` by its policy and records them, with their audit entry, in one
/// transaction; the bearer values exist only in the returned body.
pub async fn issue_tokens(
    gateway: &Gateway,
    client: &Client,
    issue: &Issue<'_>,
    now: i64,
) -> Result<Issued, OAuthError> {
    let mut tx = gateway.store.begin().await?;
    let issued = issue_tokens_in(&mut tx, gateway, client, issue, now).await?;
    tx.commit().await?;
    Ok(issued)
}

/// [`issue_tokens`] inside the caller's transaction: a refresh claims the presented token
/// and issues its successor in one, so a concurrent reuse that revokes the family finds the
/// successor there (see `flows::refresh`).
pub async fn issue_tokens_in(
    tx: &mut Tx,
    gateway: &Gateway,
    client: &Client,
    issue: &Issue<'_>,
    now: i64,
) -> Result<Issued, OAuthError> {
    let (policy, ttl_s) = match client.token_policy.as_str() {
        "transactional" => (
            "transactional",
            client.token_ttl_seconds.min(TRANSACTIONAL_MAX_TTL_S),
        ),
        other => (other, client.token_ttl_seconds),
    };
    let family = issue
        .family
        .map_or_else(|| format!("f-{}", &new_token()[..22]), str::to_owned);
    let record = |kind: &str, hash: &str, ttl_s: i64| TokenRecord {
        token_hash: hash.to_owned(),
        kind: kind.into(),
        client_id: client.client_id.clone(),
        user_id: Some(issue.user_id.to_owned()),
        scope: issue.scope.to_vec(),
        policy: policy.into(),
        issued_ms: now,
        expires_ms: now + ttl_s * 1000,
        spent: false,
        revoked: false,
        consent_id: issue.consent_id.map(str::to_owned),
        family: Some(family.clone()),
        jkt: None,
    };
    let access_token = new_token();
    let access_hash = token_hash(&access_token);
    // Long-lived consent (MC_ATTR_18) comes with a refresh token, rotated at every use.
    let refresh_token = (policy == "long_lived").then(new_token);
    // The PCR is remembered so that the SP may name the user by it later (PCR login hint,
    // id_token_hint) through a unique look-up.
    let sector = &client.client_id;
    let sub = gateway.pcr.pcr(sector, issue.user_id);
    let mut claims = json!({
        "iss": gateway.issuer,
        "sub": sub,
        "aud": client.client_id,
        "iat": now / 1000,
        "exp": now / 1000 + ID_TOKEN_TTL_S,
        "auth_time": issue.auth_time_ms / 1000,
        // The level of assurance the authenticator reached (MC_ATTR_04: the app is 3).
        "acr": gateway.authenticators.loa_of(issue.authenticator).unwrap_or(2).to_string(),
        "amr": [issue.authenticator],
        "at_hash": half_hash(&access_token),
    });
    if let Some(nonce) = issue.nonce {
        claims["nonce"] = json!(nonce);
    }
    if let Some(auth_req_id) = issue.auth_req_id {
        claims["urn:openid:params:jwt:claim:auth_req_id"] = json!(auth_req_id);
        if let Some(refresh) = &refresh_token {
            claims["urn:openid:params:jwt:claim:rt_hash"] = json!(half_hash(refresh));
        }
    }
    // Signed before anything is written: the transaction holds the writer meanwhile.
    let id_token = crate::rules::idtoken::sign(&gateway.keys, &claims).map_err(|e| {
        tracing::error!(error = %e, "id token signing");
        OAuthError::server_error()
    })?;
    tx.insert_token(&TokenRecord {
        jkt: issue.jkt.map(str::to_owned),
        ..record("access", &access_hash, ttl_s)
    })
    .await?;
    if let Some(refresh) = &refresh_token {
        tx.insert_token(&record("refresh", &token_hash(refresh), REFRESH_TTL_S))
            .await?;
    }
    tx.remember_pcr(sector, &sub, issue.user_id).await?;
    tx.append_audit(NewEntry {
        at_ms: now,
        kind: EntryKind::TokenIssued,
        user: Some(issue.user_id.to_owned()),
        sp: Some(client.client_id.clone()),
        authenticator: Some(issue.authenticator.to_owned()),
        detail: json!({"grant": issue.grant, "scope": issue.scope.join(" "), "policy": policy,
                       "expires_in": ttl_s, "request": issue.request_hash.get(..16),
                       "family": family})
        .to_string(),
    })
    .await?;
    let body = TokenResponse {
        access_token,
        token_type: token_type(issue.jkt).into(),
        expires_in: ttl_s,
        scope: issue.scope.join(" "),
        id_token: Some(id_token),
        refresh_token,
        grant_id: issue.consent_id.map(str::to_owned),
    };
    Ok(Issued {
        body,
        access_hash,
        family,
    })
}

#[cfg(test)]
mod tests {
    use super::half_hash;

    #[test]
    fn oidc_core_3_3_2_11_at_hash_is_the_left_half_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223…; its left half in base64url.
        assert_eq!(half_hash("abc"), "ungWv48Bz-pBQUDeXa4iIw");
    }
}
