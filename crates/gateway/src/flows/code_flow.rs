//! Device-Initiated Mobile Connect: the OpenID Connect authorization code flow with PKCE
//! (RFC 7636, S256 only). The browser (Consumption Device) waits on a page while the user
//! authenticates on the Authentication Device, then is redirected back to the SP with a
//! single-use code. Consent (MC_ATTR_08) is captured where the operator's policy (the service
//! catalog) says: on the Authentication Device in the same interaction, or on the browser
//! page after the user authenticated on the handset.
//!
//! The flows say what the browser is shown next ([`AuthorizeOutcome`]) or why the request
//! stops ([`CodeFlowError`]); the HTTP layer renders pages and redirects.

use crate::base::ids::{new_token, token_hash};
use crate::flows::Gateway;
use crate::flows::consent::{self, Answered, ConsentTerms, Purpose};
use crate::flows::issue::{Issue, TokenResponse, issue_tokens};
pub use crate::rules::code_flow::{CodeFlowError, CodeFlowErrorKind};
use crate::rules::code_flow::{is_s256_challenge, redirect_location, verifier_matches};
use crate::rules::oauth::OAuthError;
use crate::store::{Client, CodeKey, CodeRequest, StoreError, Tx};
use std::collections::HashMap;

/// How long the browser may wait for the user (seconds).
const REQUEST_LIFETIME_S: i64 = 300;
/// How long a code lives (seconds): RFC 6749 §4.1.2 asks for a short lifetime (10 minutes
/// at most); the browser is redirected with it at once.
pub const CODE_LIFETIME_S: i64 = 60;

/// What the browser is shown next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// The user has not answered on the handset yet: the page the browser waits on, which
    /// reloads itself. `session` is the browser's 256-bit secret for this request.
    Waiting {
        session: String,
        client_name: String,
    },
    /// MC_ATTR_08 on the Consumption Device: the consent text (recorded when first shown)
    /// with Allow and Deny.
    Consent {
        session: String,
        client_name: String,
        text: String,
    },
    /// The browser's answer is recorded: on to the waiting page, which goes back to the SP.
    Answered { session: String },
    /// Back to the SP's verified redirect URI: `location` carries `code` or `error`, and
    /// `state` (RFC 6749 §4.1.2, §4.1.2.1).
    Redirect { location: String },
}

/// A store failure seen by the browser's pages: logged, and a page that says the gateway
/// could not complete the request (to be tried again when the database is out of reach).
impl From<StoreError> for CodeFlowError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "store error");
        let kind = if error.is_unreachable() {
            CodeFlowErrorKind::Unavailable
        } else {
            CodeFlowErrorKind::Failed
        };
        CodeFlowError {
            kind,
            ..CodeFlowError::failed()
        }
    }
}

/// Back to the SP with an error (the redirect URI and client are verified by then), naming
/// this gateway as `iss` (RFC 9207: against mix-up attacks).
fn redirect_error(
    gateway: &Gateway,
    redirect_uri: &str,
    code: &str,
    state: &str,
) -> AuthorizeOutcome {
    AuthorizeOutcome::Redirect {
        location: redirect_location(
            redirect_uri,
            &[("error", code), ("state", state), ("iss", &gateway.issuer)],
        ),
    }
}

/// A per-key request budget the caller keeps (the HTTP edge's rate limits): `Err(seconds)`
/// when `key` is over it.
pub trait TargetBudget: Sync {
    fn spend(&self, key: &str) -> Result<(), u64>;
}

impl<F: Fn(&str) -> Result<(), u64> + Sync> TargetBudget for F {
    fn spend(&self, key: &str) -> Result<(), u64> {
        self(key)
    }
}

/// No budget (tests, and a caller without rate limits).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unlimited;

impl TargetBudget for Unlimited {
    fn spend(&self, _: &str) -> Result<(), u64> {
        Ok(())
    }
}

/// `GET /authorize` (OIDC Core §3.1.2.1, RFC 7636 §4.3): the client and redirect URI are
/// verified first (errors stop on a page); then every error goes back to the SP; a good
/// request reaches the user and the browser waits.
///
/// Anyone can call it (a client id is public), so it answers alike for every number: a
/// subscriber, a minor, an unknown number, a user no authenticator reaches and a number over
/// its prompt budget all get the same waiting page, and the refused ones end as a request
/// nobody answered ends, `access_denied` at the request's expiry. Only what the SP sent
/// (client, redirect URI, scope, PKCE, nonce, hint syntax) is answered at once. `per_target`
/// bounds the prompts one person receives (keyed by the user, or by the hint for a number
/// that is nobody's, so that both spend alike).
pub async fn authorize(
    gateway: &Gateway,
    params: &HashMap<String, String>,
    per_target: &dyn TargetBudget,
) -> Result<AuthorizeOutcome, CodeFlowError> {
    let bad = |message| CodeFlowError::new(CodeFlowErrorKind::BadRequest, message);
    let client_id = params
        .get("client_id")
        .ok_or_else(|| bad("client_id is missing."))?;
    let client = gateway
        .store
        .client(client_id)
        .await?
        .ok_or_else(|| bad("Unknown client."))?;
    // RFC 9126 §4: a pushed request, named by its request_uri, is the whole request; taken
    // once, and only by the client that pushed it. Any other request_uri (a request object
    // by reference, OIDC Core §6.2) is refused as unsupported below.
    let pushed_params: HashMap<String, String>;
    let pushed_uri = params
        .get("request_uri")
        .filter(|uri| uri.starts_with(REQUEST_URI_PREFIX));
    let pushed = pushed_uri.is_some();
    let params = match pushed_uri {
        Some(uri) => {
            let taken = gateway
                .store
                .take_pushed_request(&token_hash(uri), &client.client_id, gateway.now_ms())
                .await?
                .ok_or_else(|| bad("The request_uri is unknown, expired or already used."))?;
            pushed_params = serde_json::from_str(&taken).map_err(|_| CodeFlowError::failed())?;
            &pushed_params
        }
        None => params,
    };
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| bad("redirect_uri is missing."))?;
    // Exact match with a registered URI (OIDC Core §3.1.2.1).
    if !client.redirect_uris.iter().any(|r| r == redirect_uri) {
        return Err(bad("The redirect URI is not registered for this client."));
    }
    // From here errors go back to the SP. MC requires state (and nonce) for CSRF/replay.
    let Some(state) = params.get("state").filter(|s| !s.is_empty()) else {
        return Ok(redirect_error(gateway, redirect_uri, "invalid_request", ""));
    };
    Ok(
        match start(
            gateway,
            &client,
            redirect_uri,
            state,
            params,
            per_target,
            pushed,
        )
        .await
        {
            Ok(outcome) => outcome,
            Err(code) => redirect_error(gateway, redirect_uri, code, state),
        },
    )
}

/// What an authorization request asks for, once its parameters are checked.
struct Checked {
    scope: Vec<String>,
    challenge: String,
    nonce: Option<String>,
}

/// The checks of an authorization request's own parameters, shared by `/authorize` and
/// `/par` (RFC 9126 §2.1: a pushed request is checked as the same request sent to
/// `/authorize` would be): the error code when one fails.
fn checked(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<Checked, &'static str> {
    if !client.grant_types.iter().any(|g| g == "authorization_code") {
        return Err("unauthorized_client");
    }
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err("unsupported_response_type");
    }
    // Request objects are not supported (discovery says so): refused rather than ignored,
    // since the SP meant what they say (OIDC Core §6, §3.1.2.6).
    if params.contains_key("request") {
        return Err("request_not_supported");
    }
    if params.contains_key("request_uri") {
        return Err("request_uri_not_supported");
    }
    crate::rules::grant_management::check_request(
        params.get("grant_management_action").map(String::as_str),
        params.get("grant_id").map(String::as_str),
    )
    .map_err(|_| "invalid_request")?;
    let scope = crate::flows::ciba::requested_scope(gateway, client, params).map_err(|e| e.code)?;
    // PKCE is mandatory, and only S256 (RFC 7636 §4.2: "plain" only for constrained clients).
    let challenge = params
        .get("code_challenge")
        .filter(|c| is_s256_challenge(c))
        .ok_or("invalid_request")?
        .clone();
    if params.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return Err("invalid_request");
    }
    // Mobile Connect requires a nonce with openid (replay protection of the ID token).
    let nonce = params.get("nonce").filter(|n| !n.is_empty()).cloned();
    if nonce.is_none() && scope.iter().any(|s| s == "openid") {
        return Err("invalid_request");
    }
    Ok(Checked {
        scope,
        challenge,
        nonce,
    })
}

/// How long a pushed request waits for its `/authorize` (RFC 9126 §2.2: short, the SP
/// redirects the browser at once).
pub const PUSHED_REQUEST_LIFETIME_S: i64 = 60;

/// The prefix of every `request_uri` `/par` gives (RFC 9126 §2.2).
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// What `/par` answers (RFC 9126 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub request_uri: String,
    pub expires_in: i64,
}

/// `POST /par` (RFC 9126) for the authenticated `client`: the request is checked as
/// `/authorize` would check it, errors answered here as JSON (§2.3), and kept for
/// [`PUSHED_REQUEST_LIFETIME_S`] under a new `request_uri`. Nothing is looked up about the
/// user yet (the hint is checked when the browser brings the request_uri), so this answers
/// alike for every number.
pub async fn push(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<Pushed, OAuthError> {
    // §2.1: the request is the authenticated client's own.
    if params
        .get("client_id")
        .is_some_and(|id| *id != client.client_id)
    {
        return Err(OAuthError::invalid_request(
            "client_id is not the authenticated client",
        ));
    }
    if params.contains_key("request_uri") {
        return Err(OAuthError::invalid_request(
            "request_uri cannot be pushed (RFC 9126 §2.1)",
        ));
    }
    if client.blacklisted {
        crate::flows::client_auth::audit_refusal(gateway, client, None, "par", "blacklisted")
            .await?;
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP may not start requests",
        ));
    }
    match params.get("redirect_uri") {
        Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => {}
        Some(_) => {
            return Err(OAuthError::invalid_request(
                "redirect_uri is not registered for this client",
            ));
        }
        None => return Err(OAuthError::invalid_request("redirect_uri is missing")),
    }
    if params.get("state").is_none_or(|s| s.is_empty()) {
        return Err(OAuthError::invalid_request("state is missing"));
    }
    checked(gateway, client, params)
        .map_err(|code| OAuthError::bad_request(code, "the authorization request is not valid"))?;
    let request_uri = format!("{REQUEST_URI_PREFIX}{}", new_token());
    let mut kept = params.clone();
    kept.insert("client_id".into(), client.client_id.clone());
    let now = gateway.now_ms();
    let json = serde_json::to_string(&kept).map_err(|_| OAuthError::server_error())?;
    gateway
        .store
        .push_request(
            &token_hash(&request_uri),
            &client.client_id,
            &json,
            now,
            now + PUSHED_REQUEST_LIFETIME_S * 1000,
        )
        .await?;
    Ok(Pushed {
        request_uri,
        expires_in: PUSHED_REQUEST_LIFETIME_S,
    })
}

/// The key of a request's target for the prompt budget, before anyone is looked up: the
/// hint as the SP sent it.
fn hint_key(params: &HashMap<String, String>) -> String {
    ["login_hint", "login_hint_token", "id_token_hint"]
        .iter()
        .find_map(|name| params.get(*name).map(|v| format!("hint:{}", token_hash(v))))
        .unwrap_or_default()
}

/// The request once its client and redirect URI are trusted: the error code sent back to
/// the SP when it fails.
async fn start(
    gateway: &Gateway,
    client: &Client,
    redirect_uri: &str,
    state: &str,
    params: &HashMap<String, String>,
    per_target: &dyn TargetBudget,
    pushed: bool,
) -> Result<AuthorizeOutcome, &'static str> {
    let server_error = |_| "server_error";
    if client.blacklisted {
        crate::flows::client_auth::audit_refusal(gateway, client, None, "authorize", "blacklisted")
            .await
            .map_err(server_error)?;
        return Err("unauthorized_client");
    }
    // RFC 9126 §6: this SP's requests come through /par only.
    if client.require_par && !pushed {
        return Err("invalid_request");
    }
    let Checked {
        scope,
        challenge,
        nonce,
    } = checked(gateway, client, params)?;
    let challenge = challenge.as_str();
    let request = Pending {
        client,
        redirect_uri,
        state,
        nonce: nonce.clone(),
        challenge,
        scope: &scope,
    };
    let user = match crate::flows::hints::hinted_user(gateway, client, params).await {
        Ok(user) => user,
        // Nobody's number: it is not told (see `authorize`).
        Err(e) if e.code == "unknown_user_id" => {
            per_target.spend(&hint_key(params)).ok();
            return refused(gateway, &request, "").await.map_err(server_error);
        }
        Err(e) if e.code == "server_error" => return Err("server_error"),
        Err(_) => return Err("invalid_request"),
    };
    // Grant Management §4.1: a grant this request may change is this SP's, of this user, in
    // force (checked once the user is known; the form was checked by `checked`).
    let grant_change = crate::rules::grant_management::check_request(
        params.get("grant_management_action").map(String::as_str),
        params.get("grant_id").map(String::as_str),
    )
    .map_err(|_| "invalid_request")?;
    if let Some((_, grant_id)) = grant_change
        && !crate::flows::grants::changeable(gateway, &client.client_id, &user.id, grant_id)
            .await
            .map_err(server_error)?
    {
        return Err("invalid_grant_id");
    }
    if per_target.spend(&format!("user:{}", user.id)).is_err() {
        crate::flows::client_auth::audit_refusal(
            gateway,
            client,
            Some(&user.id),
            "authorize",
            "prompt_limit",
        )
        .await
        .map_err(server_error)?;
        return refused(gateway, &request, &user.id)
            .await
            .map_err(server_error);
    }
    // Refused (audited with the reason) or sent; a refusal is not told either.
    let reached = match consent::refuse_minor(gateway, client, &user, "authorize").await {
        Ok(()) => {
            // MC_ATTR_08: the catalog decides where consent is captured.
            let on_browser = gateway.catalog.consent_on_consumption_device(&scope);
            let purpose = if on_browser {
                Purpose::SignIn
            } else {
                Purpose::Consent
            };
            consent::reach_user(gateway, client, &user, &scope, purpose, None, "authorize")
                .await
                .map(|sent| (sent, on_browser))
        }
        Err(e) => Err(e),
    };
    let (sent, on_browser) = match reached {
        Ok(reached) => reached,
        Err(e) if e.code == "access_denied" => {
            return refused(gateway, &request, &user.id)
                .await
                .map_err(server_error);
        }
        Err(_) => return Err("server_error"),
    };
    let session = new_token();
    let created_ms = gateway.now_ms();
    let request = CodeRequest {
        session_hash: token_hash(&session),
        client_id: client.client_id.clone(),
        user_id: user.id.clone(),
        scope: scope.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: state.to_owned(),
        nonce,
        code_challenge: challenge.to_owned(),
        status: "pending".into(),
        authenticator: sent.authenticator.into(),
        message_id: Some(sent.message_id),
        prompt: sent.prompt.text.clone(),
        code_hash: None,
        access_hash: None,
        created_ms,
        expires_ms: created_ms + REQUEST_LIFETIME_S * 1000,
        code_expires_ms: None,
        consent_on: if on_browser {
            "browser"
        } else {
            "authenticator"
        }
        .into(),
        consent_text: None,
    };
    // Before the request, so that no request that changes a grant exists without it.
    if let Some((update, grant_id)) = grant_change {
        gateway
            .store
            .insert_grant_update(&request.session_hash, grant_id, update.name())
            .await
            .map_err(server_error)?;
    }
    gateway
        .store
        .insert_code_request(&request)
        .await
        .map_err(server_error)?;
    audit(
        gateway,
        &request,
        assent_audit::EntryKind::AuthorizationRequest,
        serde_json::json!({"flow": "code", "scope": scope.join(" "),
                           "consent_on": request.consent_on}),
    )
    .await
    .map_err(server_error)?;
    audit(
        gateway,
        &request,
        assent_audit::EntryKind::PromptSent,
        serde_json::json!({"prompt": sent.prompt.text, "encoding": sent.prompt.encoding,
                           "purpose": if on_browser { "sign_in" } else { "consent" }}),
    )
    .await
    .map_err(server_error)?;
    Ok(AuthorizeOutcome::Waiting {
        session,
        client_name: client.client_name.clone(),
    })
}

/// What a trusted request asks, before anyone is reached.
struct Pending<'a> {
    client: &'a Client,
    redirect_uri: &'a str,
    state: &'a str,
    nonce: Option<String>,
    challenge: &'a str,
    scope: &'a [String],
}

/// A request that reaches nobody (nobody's number, a minor, no authenticator, over the
/// prompt budget): the browser waits on the same page as for anyone, and the request ends
/// at its expiry with `access_denied`, as one nobody answered. Kept only until then
/// (refused requests past their expiry are purged here), so that requests nobody is
/// identified by cannot fill the database.
async fn refused(
    gateway: &Gateway,
    request: &Pending<'_>,
    user_id: &str,
) -> Result<AuthorizeOutcome, StoreError> {
    let session = new_token();
    let created_ms = gateway.now_ms();
    gateway
        .store
        .insert_code_request(&CodeRequest {
            session_hash: token_hash(&session),
            client_id: request.client.client_id.clone(),
            user_id: user_id.to_owned(),
            scope: request.scope.to_vec(),
            redirect_uri: request.redirect_uri.to_owned(),
            state: request.state.to_owned(),
            nonce: request.nonce.clone(),
            code_challenge: request.challenge.to_owned(),
            status: "refused".into(),
            authenticator: String::new(),
            message_id: None,
            prompt: String::new(),
            code_hash: None,
            access_hash: None,
            created_ms,
            expires_ms: created_ms + REQUEST_LIFETIME_S * 1000,
            code_expires_ms: None,
            consent_on: "authenticator".into(),
            consent_text: None,
        })
        .await?;
    gateway
        .store
        .purge_refused_code_requests(created_ms)
        .await?;
    Ok(AuthorizeOutcome::Waiting {
        session,
        client_name: request.client.client_name.clone(),
    })
}

async fn audit(
    gateway: &Gateway,
    r: &CodeRequest,
    kind: assent_audit::EntryKind,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    gateway
        .store
        .append_audit(assent_audit::NewEntry {
            at_ms: gateway.now_ms(),
            kind,
            user: Some(r.user_id.clone()),
            sp: Some(r.client_id.clone()),
            authenticator: Some(r.authenticator.clone()),
            detail: detail.to_string(),
        })
        .await?;
    Ok(())
}

/// `GET /authorize/wait?session=…`: still waiting (the page again), the consent page, or
/// back to the SP with a code (approved) or `access_denied` (denied, or expired).
pub async fn wait(gateway: &Gateway, session: &str) -> Result<AuthorizeOutcome, CodeFlowError> {
    let request = gateway
        .store
        .code_request_by(CodeKey::Session, &token_hash(session))
        .await?
        .ok_or_else(CodeFlowError::unknown)?;
    let client = gateway
        .store
        .client(&request.client_id)
        .await?
        .ok_or_else(CodeFlowError::failed)?;
    let now = gateway.now_ms();
    let denied = || {
        redirect_error(
            gateway,
            &request.redirect_uri,
            "access_denied",
            &request.state,
        )
    };
    match request.status.as_str() {
        "pending" | "authenticated" | "refused" if now > request.expires_ms => Ok(denied()),
        // A refused request waits like one nobody has answered yet (see `authorize`).
        "pending" | "refused" => Ok(AuthorizeOutcome::Waiting {
            session: session.to_owned(),
            client_name: client.client_name,
        }),
        "authenticated" => Ok(AuthorizeOutcome::Consent {
            session: session.to_owned(),
            text: consent_text(gateway, &request, &client).await?,
            client_name: client.client_name,
        }),
        "denied" => Ok(denied()),
        "approved" => {
            // RFC 6749 §4.1.2: a short-lived code, bound to the request (single use).
            let code = new_token();
            let expires = now + CODE_LIFETIME_S * 1000;
            if !gateway
                .store
                .transition_code_request(
                    &request.session_hash,
                    "approved",
                    "code_issued",
                    Some((&token_hash(&code), expires)),
                    None,
                )
                .await?
            {
                return Err(CodeFlowError::new(
                    CodeFlowErrorKind::Conflict,
                    "This sign-in request already continued in another window.",
                ));
            }
            Ok(AuthorizeOutcome::Redirect {
                location: redirect_location(
                    &request.redirect_uri,
                    &[
                        ("code", &code),
                        ("state", &request.state),
                        ("iss", &gateway.issuer),
                    ],
                ),
            })
        }
        _ => Err(CodeFlowError::unknown()),
    }
}

/// MC_ATTR_08, consent on the Consumption Device: the text the page shows (the same renderer
/// as the handset's prompts, for a screen). It is recorded when first shown, and the answer
/// is recorded with exactly that text. The page's form carries the session id, a 256-bit
/// secret only this browser holds, which is what makes a forged cross-site answer
/// impossible.
async fn consent_text(
    gateway: &Gateway,
    request: &CodeRequest,
    client: &Client,
) -> Result<String, CodeFlowError> {
    if let Some(text) = &request.consent_text {
        return Ok(text.clone());
    }
    let user = gateway
        .store
        .user_by_id(&request.user_id)
        .await?
        .ok_or_else(CodeFlowError::failed)?;
    let prompt = consent::render_for_browser(&gateway.catalog, client, &user, &request.scope)
        .map_err(|_| CodeFlowError::failed())?;
    gateway
        .store
        .set_consent_text(&request.session_hash, &prompt.text)
        .await?;
    // Another window may have recorded its text first: show what is stored.
    match gateway
        .store
        .code_request_by(CodeKey::Session, &request.session_hash)
        .await?
    {
        Some(CodeRequest {
            consent_text: Some(text),
            ..
        }) => Ok(text),
        _ => Err(CodeFlowError::failed()),
    }
}

/// `POST /authorize/consent`: the answer given on the browser page (`approve` for Allow),
/// recorded with the text the page showed; then on to the waiting page.
pub async fn decide(
    gateway: &Gateway,
    session: &str,
    approve: bool,
) -> Result<AuthorizeOutcome, CodeFlowError> {
    let conflict = |message| CodeFlowError::new(CodeFlowErrorKind::Conflict, message);
    let session_hash = token_hash(session);
    let request = match gateway
        .store
        .code_request_by(CodeKey::Session, &session_hash)
        .await?
    {
        Some(r) if r.status == "authenticated" && gateway.now_ms() <= r.expires_ms => r,
        _ => {
            return Err(conflict(
                "This sign-in request is not waiting for an answer.",
            ));
        }
    };
    let Some(text) = request.consent_text.as_deref() else {
        // The page was never shown: nothing was consented to.
        return Err(conflict("Reload the page to see the request."));
    };
    let terms = consent::terms(
        gateway,
        &request.client_id,
        &request.scope,
        &request.session_hash,
    )
    .await?;
    let answered = Answered {
        request_hash: &request.session_hash,
        user_id: &request.user_id,
        client_id: &request.client_id,
        scope: &request.scope,
        prompt: text,
        authenticator: "browser",
        terms: &terms,
    };
    if !record_browser_answer(gateway, &session_hash, &answered, approve).await? {
        return Err(conflict("This sign-in request was already answered."));
    }
    Ok(AuthorizeOutcome::Answered {
        session: session.to_owned(),
    })
}

/// The browser page's answer: the request's state, the consent and their audit entries in
/// one transaction; `false` when the request was answered already.
async fn record_browser_answer(
    gateway: &Gateway,
    session_hash: &str,
    answered: &Answered<'_>,
    approve: bool,
) -> Result<bool, StoreError> {
    let to = if approve { "approved" } else { "denied" };
    let mut tx = gateway.store.begin().await?;
    if !tx
        .transition_code_request(session_hash, "authenticated", to)
        .await?
    {
        return Ok(false);
    }
    consent::record_answer(&mut tx, answered, approve, gateway.now_ms()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Records the handset's answer to a Device-Initiated request inside `tx`, with what belongs
/// to it (the sign-in audit entry, or the consent and its audit entries); `false` when the
/// request was no longer pending. Everything is stamped `at_ms`, the gateway's time of the
/// answer.
pub async fn answer_in(
    tx: &mut Tx,
    request: &CodeRequest,
    terms: &ConsentTerms,
    shown: Option<&str>,
    approve: bool,
    at_ms: i64,
) -> Result<bool, StoreError> {
    if request.consent_on == "browser" {
        // The handset only authenticated; consent follows on the browser page.
        let to = if approve { "authenticated" } else { "denied" };
        if !tx
            .transition_code_request(&request.session_hash, "pending", to)
            .await?
        {
            return Ok(false);
        }
        consent::record_sign_in(
            tx,
            &request.user_id,
            &request.client_id,
            &request.authenticator,
            approve,
            at_ms,
        )
        .await?;
        return Ok(true);
    }
    let to = if approve { "approved" } else { "denied" };
    if !tx
        .transition_code_request(&request.session_hash, "pending", to)
        .await?
    {
        return Ok(false);
    }
    let answered = Answered {
        request_hash: &request.session_hash,
        user_id: &request.user_id,
        client_id: &request.client_id,
        scope: &request.scope,
        prompt: shown.unwrap_or(&request.prompt),
        authenticator: &request.authenticator,
        terms,
    };
    consent::record_answer(tx, &answered, approve, at_ms).await?;
    Ok(true)
}

/// `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5): the code is single-use;
/// a replayed code revokes the tokens it bought (RFC 6749 §4.1.2).
pub async fn grant(
    gateway: &Gateway,
    client: &Client,
    params: &HashMap<String, String>,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let invalid_grant = |why: &str| OAuthError::bad_request("invalid_grant", why.to_owned());
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
    let verifier = params
        .get("code_verifier")
        .ok_or_else(|| OAuthError::invalid_request("code_verifier is missing"))?;
    let request = match gateway
        .store
        .code_request_by(CodeKey::Code, &token_hash(code))
        .await?
    {
        Some(r) if r.client_id == client.client_id => r,
        _ => return Err(invalid_grant("unknown code")),
    };
    if request.status != "code_issued" {
        // Replay: "all tokens previously issued based on that authorization code" are
        // revoked (RFC 6749 §4.1.2): the access token and, with long-lived consent, its
        // refresh token and the tokens that followed, all of one family.
        if let Some(access_hash) = &request.access_hash
            && gateway
                .store
                .transition_code_request(&request.session_hash, "redeemed", "reused", None, None)
                .await?
        {
            let family = gateway
                .store
                .token(access_hash)
                .await?
                .and_then(|t| t.family);
            let revoked = match family {
                Some(family) => gateway.store.revoke_family(&family).await?,
                None => u64::from(
                    gateway
                        .store
                        .revoke_token(access_hash, &client.client_id)
                        .await?,
                ),
            };
            audit(
                gateway,
                &request,
                assent_audit::EntryKind::Revocation,
                serde_json::json!({"by": "gateway", "reason": "code_reused", "revoked": revoked}),
            )
            .await?;
        }
        return Err(invalid_grant("the code was already used"));
    }
    let now = gateway.now_ms();
    if request.code_expires_ms.is_none_or(|e| now > e) {
        return Err(invalid_grant("the code expired"));
    }
    if params.get("redirect_uri") != Some(&request.redirect_uri) {
        return Err(invalid_grant(
            "redirect_uri differs from the authorization request",
        ));
    }
    if !verifier_matches(verifier, &request.code_challenge) {
        return Err(invalid_grant(
            "code_verifier does not match the code_challenge",
        ));
    }
    let consent_id = consent::consent_of_request(gateway, &request.session_hash).await?;
    // The answer commits with its consent: one without is a request nobody approved.
    let Some(consent) = gateway.store.consent(&consent_id).await? else {
        return Err(invalid_grant("the authorization request was not approved"));
    };
    let issue = Issue {
        user_id: &request.user_id,
        // The grant's services: what was asked, or with a merge what the grant now gives.
        scope: &consent.scope,
        authenticator: &request.authenticator,
        nonce: request.nonce.as_deref(),
        grant: "authorization_code",
        request_hash: &request.session_hash,
        family: None,
        auth_req_id: None,
        consent_id: Some(&consent_id),
        auth_time_ms: consent.granted_ms,
        jkt,
    };
    // Claim the code first, so that two concurrent redemptions cannot both succeed.
    if !gateway
        .store
        .transition_code_request(&request.session_hash, "code_issued", "redeemed", None, None)
        .await?
    {
        return Err(invalid_grant("the code was already used"));
    }
    let issued = issue_tokens(gateway, client, &issue, now).await?;
    gateway
        .store
        .transition_code_request(
            &request.session_hash,
            "redeemed",
            "redeemed",
            None,
            Some(&issued.access_hash),
        )
        .await?;
    Ok(issued.body)
}
