//! Client authentication at the token, CIBA, introspection and revocation endpoints (RFC
//! 6749 §2.3): `client_secret_basic`, `client_secret_post` or `private_key_jwt` (RFC 7523),
//! and the audit of a refused request.

use crate::base::secrets::verify_secret;
use crate::flows::Gateway;
use crate::rules::oauth::{JWT_BEARER_ASSERTION, OAuthError, decode_basic};
use crate::store::{Client, Epoch, Reads};
use std::collections::HashMap;

/// A client assertion may live at most this long (seconds), which bounds the `jti`s kept.
const ASSERTION_MAX_LIFETIME_S: i64 = 600;

/// Authenticates the client by `client_secret_basic` (`basic`: the credentials of an
/// `Authorization: Basic` header), `client_secret_post` or `private_key_jwt` — exactly one
/// of them (RFC 6749 §2.3). Removes the credentials from `params`.
pub async fn authenticate_client(
    gateway: &Gateway,
    basic: Option<&str>,
    params: &mut HashMap<String, String>,
) -> Result<Client, OAuthError> {
    Ok(
        authenticate_client_reading(gateway, basic, params, Reads::Fresh)
            .await?
            .client,
    )
}

/// An authenticated client and how it was read.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub client: Client,
    /// The read epoch of the client's row, for a client read by its client_id (`None` for
    /// `private_key_jwt`, whose assertion is spent when it is checked: a grant after it is
    /// never attempted twice).
    pub read_at: Option<Epoch>,
    /// Whether the row came from a copy.
    pub copied: bool,
}

/// [`authenticate_client`], reading a secret-authenticated client as `reads` says (see
/// [`crate::store::cache`]): a secret that does not verify against a copy is checked again
/// against the database before the client is refused. A `private_key_jwt` client is always
/// read fresh (its assertion's `jti` is spent in the database anyway).
pub async fn authenticate_client_reading(
    gateway: &Gateway,
    basic: Option<&str>,
    params: &mut HashMap<String, String>,
    reads: Reads,
) -> Result<Authenticated, OAuthError> {
    let store = &gateway.store;
    let posted_secret = params.remove("client_secret");
    let assertion = params.remove("client_assertion");
    let assertion_type = params.remove("client_assertion_type");
    let methods = usize::from(basic.is_some())
        + usize::from(posted_secret.is_some())
        + usize::from(assertion.is_some() || assertion_type.is_some());
    if methods > 1 {
        return Err(OAuthError::invalid_request(
            "use one client authentication method",
        ));
    }
    if let Some(assertion) = assertion {
        if assertion_type.as_deref() != Some(JWT_BEARER_ASSERTION) {
            return Err(OAuthError::invalid_request(format!(
                "client_assertion_type must be {JWT_BEARER_ASSERTION}"
            )));
        }
        return Ok(Authenticated {
            client: private_key_jwt(gateway, params, &assertion).await?,
            read_at: None,
            copied: false,
        });
    }
    if assertion_type.is_some() {
        return Err(OAuthError::invalid_request("client_assertion is missing"));
    }
    let (client_id, secret, used_basic) = match (basic, posted_secret) {
        (Some(encoded), _) => {
            let (id, secret) =
                decode_basic(encoded).ok_or_else(|| OAuthError::invalid_client(true))?;
            if params.get("client_id").is_some_and(|posted| *posted != id) {
                return Err(OAuthError::invalid_request(
                    "client_id differs from the credentials",
                ));
            }
            (id, secret, true)
        }
        (None, Some(secret)) => {
            let id = params
                .get("client_id")
                .cloned()
                .ok_or_else(|| OAuthError::invalid_client(false))?;
            (id, secret, false)
        }
        (None, None) => return Err(OAuthError::invalid_client(false)),
    };
    params.remove("client_id");
    let mut reads = reads;
    loop {
        let read = gateway.reads.client(store, &client_id, reads).await?;
        match &read.value {
            // A client registered without a secret (private_key_jwt only) has an empty hash,
            // which no secret verifies.
            Some(client) if verify_secret(&client.secret_hash, &secret) => {
                return Ok(Authenticated {
                    client: client.clone(),
                    read_at: Some(read.epoch),
                    copied: read.copied,
                });
            }
            _ if read.copied => reads = Reads::Fresh,
            // Unknown client and wrong secret look the same to the caller.
            _ => return Err(OAuthError::invalid_client(used_basic)),
        }
    }
}

/// RFC 7523 §3 and OIDC Core §9: `iss` = `sub` = the client_id, `aud` the gateway (its
/// issuer or the URL of one of its endpoints), `exp` within ten minutes, a `jti` used once,
/// signed with a key of the client's registered JWK Set.
async fn private_key_jwt(
    gateway: &Gateway,
    params: &mut HashMap<String, String>,
    assertion: &str,
) -> Result<Client, OAuthError> {
    let refused = |why: &str| {
        tracing::debug!(why, "client assertion refused");
        OAuthError::invalid_client(false)
    };
    // The client is named by the assertion's own iss; the signature then proves it.
    let unverified: serde_json::Value = jsonwebtoken::dangerous::insecure_decode(assertion)
        .map(|data| data.claims)
        .map_err(|_| refused("not a JWT"))?;
    let client_id = unverified["iss"]
        .as_str()
        .ok_or_else(|| refused("no iss"))?
        .to_owned();
    if params
        .remove("client_id")
        .is_some_and(|posted| posted != client_id)
    {
        return Err(OAuthError::invalid_request(
            "client_id differs from the assertion's issuer",
        ));
    }
    let client = gateway
        .store
        .client(&client_id)
        .await?
        .ok_or_else(|| refused("unknown client"))?;
    let issuer = &gateway.issuer;
    let audiences: Vec<String> = std::iter::once(issuer.clone())
        .chain(
            ["/token", "/bc-authorize", "/introspect", "/revoke"]
                .iter()
                .map(|path| format!("{issuer}{path}")),
        )
        .collect();
    let expect = crate::rules::sp_jwt::Expect {
        issuer: &client_id,
        audiences: &audiences,
        subject: Some(&client_id),
    };
    let claims = crate::rules::sp_jwt::verify(client.jwks.as_deref(), assertion, &expect)
        .map_err(|e| refused(&e.to_string()))?;
    let jti = claims["jti"].as_str().ok_or_else(|| refused("no jti"))?;
    let exp = claims["exp"].as_i64().ok_or_else(|| refused("no exp"))?;
    let now = gateway.now_ms();
    if exp.saturating_mul(1000) > now + ASSERTION_MAX_LIFETIME_S * 1000 {
        return Err(refused("expires too late"));
    }
    // Remembered as long as the assertion is accepted: past `exp` by the leeway too, or a
    // replay within the leeway would find its jti forgotten (RFC 7523 §3 item 7).
    let accepted_until = exp
        .saturating_add(i64::try_from(crate::rules::sp_jwt::LEEWAY_S).unwrap_or(0))
        .saturating_mul(1000);
    if !gateway
        .store
        .use_assertion_jti(&client_id, jti, accepted_until, now)
        .await?
    {
        return Err(refused("jti replayed"));
    }
    Ok(client)
}

/// Records a refused request in the audit trail (MC_ATTR_31): which SP, which endpoint, why.
/// The reason is for the operator; the SP only ever sees the OAuth error.
pub async fn audit_refusal(
    gateway: &Gateway,
    client: &Client,
    user: Option<&str>,
    endpoint: &str,
    reason: &str,
) -> Result<(), crate::store::StoreError> {
    gateway
        .store
        .append_audit(assent_audit::NewEntry {
            at_ms: gateway.now_ms(),
            kind: assent_audit::EntryKind::Refusal,
            user: user.map(str::to_owned),
            sp: Some(client.client_id.clone()),
            authenticator: None,
            detail: serde_json::json!({"endpoint": endpoint, "reason": reason}).to_string(),
        })
        .await?;
    Ok(())
}

/// A store failure seen by an OAuth endpoint: logged (without secrets), and `server_error`
/// to the client — to be tried again later when the database is out of reach.
impl From<crate::store::StoreError> for OAuthError {
    fn from(error: crate::store::StoreError) -> Self {
        tracing::error!(%error, "store error");
        if error.is_unreachable() {
            OAuthError::unavailable()
        } else {
            OAuthError::server_error()
        }
    }
}

/// Why an SP's client-credentials bearer token is refused at an SP-facing management
/// endpoint (Grant Management, Shared Signals).
#[derive(Debug, thiserror::Error)]
pub enum BearerRefusal {
    /// None, unknown, expired, revoked, not a client-credentials token, or of an SP not
    /// registered for the endpoint or blacklisted (RFC 6750 §3.1 `invalid_token`).
    #[error("the access token is not valid here")]
    InvalidToken,
    /// A good token without the scope (RFC 6750 §3.1 `insufficient_scope`).
    #[error("the access token lacks scope {0}")]
    InsufficientScope(&'static str),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The SP behind `bearer`, when it may call an endpoint that needs `scope` now: a
/// client-credentials access token the resource server would serve (its one rule of a
/// token's life, [`crate::flows::resource::refusal_of`]), with `scope`, of an SP that is
/// `registered` for the endpoint and not blacklisted (MC_ATTR_31).
pub async fn client_credentials_bearer(
    gateway: &Gateway,
    bearer: &str,
    scope: &'static str,
    registered: fn(&Client) -> bool,
) -> Result<Client, BearerRefusal> {
    let now = gateway.now_ms();
    let token = gateway
        .store
        .token(&crate::base::ids::token_hash(bearer))
        .await?
        // A client-credentials token names no user and rests on no consent.
        .filter(|t| {
            t.user_id.is_none() && crate::flows::resource::refusal_of(t, None, now).is_none()
        })
        .ok_or(BearerRefusal::InvalidToken)?;
    let client = gateway
        .store
        .client(&token.client_id)
        .await?
        .filter(|c| registered(c) && !c.blacklisted)
        .ok_or(BearerRefusal::InvalidToken)?;
    if !token.scope.iter().any(|s| s == scope) {
        return Err(BearerRefusal::InsufficientScope(scope));
    }
    Ok(client)
}
