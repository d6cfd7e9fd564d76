//! Server-Initiated Mobile Connect = OpenID CIBA Core 1.0, poll mode: the SP asks at the
//! backchannel authentication endpoint (§7), the gateway reaches the user's Authentication
//! Device (MC_ATTR_09) with a consent prompt (MC_ATTR_10..17), the user answers, the SP polls
//! the token endpoint (§10.1).

use crate::catalog::{self, ServiceKind};
use crate::handset::OutgoingPrompt;
use crate::oauth::{OAuthError, audit_refusal, authenticate_client, form, no_store_headers};
use crate::server::AppState;
use crate::store::{CibaRequest, Client, Consent, TokenRecord, User};
use crate::tokens::{new_token, now_ms, token_hash};
use assent_audit::{EntryKind, NewEntry};
use assent_prompt::{
    Attribute, ConsentRequest, DeviceKind, DeviceProfile, Encoding, PresentationChoice,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;

pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";
/// Default and maximum lifetime of a request (seconds): a person has to pick up the phone.
const DEFAULT_EXPIRY_S: i64 = 300;
const MAX_EXPIRY_S: i64 = 600;
/// Poll interval (seconds) we ask of SPs (CIBA §7.3; 5 if absent — we allow 2).
const POLL_INTERVAL_S: i64 = 2;
/// Lifetime of a refresh token (seconds); each use replaces it.
const REFRESH_TTL_S: i64 = 30 * 24 * 3600;
/// Age of majority for MC_ATTR_21 (the demo market's rule).
const AGE_OF_MAJORITY: u8 = 18;
/// CIBA §7.1: the binding message should be short, plain text; it must fit on the handset.
const BINDING_MESSAGE_MAX_CHARS: usize = 32;

/// `POST /bc-authorize` (CIBA §7.1).
pub async fn bc_authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let mut params = form(&headers, &body)?;
    let client = authenticate_client(&state.store, &headers, &mut params).await?;
    if client.blacklisted {
        audit_refusal(&state.store, &client, None, "bc-authorize", "blacklisted").await?;
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP may not use the gateway",
        ));
    }
    if !client.grant_types.iter().any(|g| g == CIBA_GRANT) {
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP is not registered for CIBA",
        ));
    }
    let scope = requested_scope(&client, &params)?;
    let user = hinted_user(&state, &params).await?;
    let expiry_s = requested_expiry(&params)?;
    let binding_message = binding_message(&params)?;

    // MC_ATTR_21: minors are refused; the SP learns only access_denied.
    if is_minor(&user, time::OffsetDateTime::now_utc().date()) {
        audit_refusal(
            &state.store,
            &client,
            Some(&user.id),
            "bc-authorize",
            "user_not_allowed",
        )
        .await?;
        return Err(OAuthError {
            status: StatusCode::FORBIDDEN,
            code: "access_denied",
            description: "the request was denied".into(),
            www_authenticate: None,
        });
    }

    // MC_ATTR_04: the authenticator follows the gateway's policy, never the SP's acr_values.
    // The demo users have no app registered, so USSD carries authentication and consent.
    let prompt = render_prompt(&client, &user, &scope)?;
    let auth_req_id = new_token();
    let created_ms = now_ms();
    let message_id = state.ussd.send_ussd(&user.msisdn, &prompt).await?;
    let request = CibaRequest {
        auth_req_hash: token_hash(&auth_req_id),
        client_id: client.client_id.clone(),
        user_id: user.id.clone(),
        scope: scope.clone(),
        binding_message: binding_message.clone(),
        delivery_mode: "poll".into(),
        status: "pending".into(),
        authenticator: "ussd".into(),
        message_id: Some(message_id),
        prompt: prompt.text.clone(),
        created_ms,
        expires_ms: created_ms + expiry_s * 1000,
        interval_s: POLL_INTERVAL_S,
        last_poll_ms: 0,
    };
    state.store.insert_ciba(&request).await?;
    let audit = |kind, authenticator: Option<&str>, detail: serde_json::Value| NewEntry {
        at_ms: created_ms,
        kind,
        user: Some(user.id.clone()),
        sp: Some(client.client_id.clone()),
        authenticator: authenticator.map(str::to_owned),
        detail: detail.to_string(),
    };
    state
        .store
        .append_audit(audit(
            EntryKind::AuthorizationRequest,
            None,
            json!({"flow": "ciba", "scope": scope.join(" "), "binding_message": binding_message}),
        ))
        .await?;
    state
        .store
        .append_audit(audit(
            EntryKind::PromptSent,
            Some("ussd"),
            json!({"prompt": prompt.text, "encoding": prompt.encoding, "units": prompt.units}),
        ))
        .await?;

    let body =
        json!({"auth_req_id": auth_req_id, "expires_in": expiry_s, "interval": POLL_INTERVAL_S});
    Ok((no_store_headers(), Json(body)).into_response())
}

pub(crate) fn requested_scope(
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<Vec<String>, OAuthError> {
    let scope = crate::oauth::scope_param(params).unwrap_or_default();
    if !scope.iter().any(|s| s == "openid") {
        return Err(OAuthError::bad_request(
            "invalid_scope",
            "the openid scope is required",
        ));
    }
    crate::oauth::check_granted(client, &scope)?;
    Ok(scope)
}

/// Exactly one hint (CIBA §7.1); today `login_hint=MSISDN:<E.164 digits>`.
pub(crate) async fn hinted_user(
    state: &AppState,
    params: &HashMap<String, String>,
) -> Result<User, OAuthError> {
    let hints = ["login_hint", "login_hint_token", "id_token_hint"];
    let given: Vec<&str> = hints
        .into_iter()
        .filter(|h| params.contains_key(*h))
        .collect();
    if given.len() != 1 {
        return Err(OAuthError::invalid_request(
            "exactly one of login_hint, login_hint_token and id_token_hint is required",
        ));
    }
    let Some(hint) = params.get("login_hint") else {
        return Err(OAuthError::invalid_request(format!(
            "{} is not supported yet; use login_hint",
            given[0]
        )));
    };
    let unknown = || OAuthError::bad_request("unknown_user_id", "no user matches the hint");
    let Some((kind, value)) = hint.split_once(':') else {
        return Err(OAuthError::invalid_request(
            "login_hint must be MSISDN:<number>",
        ));
    };
    match kind {
        "MSISDN" => {
            let msisdn = crate::server::normalize_msisdn(value)
                .ok_or_else(|| OAuthError::invalid_request("the MSISDN is not an E.164 number"))?;
            state
                .store
                .user_by_msisdn(&msisdn)
                .await?
                .ok_or_else(unknown)
        }
        "ENCR_MSISDN" | "PCR" => Err(OAuthError::invalid_request(format!(
            "login_hint type {kind} is not supported yet"
        ))),
        _ => Err(OAuthError::invalid_request(format!(
            "unknown login_hint type {kind}"
        ))),
    }
}

fn requested_expiry(params: &HashMap<String, String>) -> Result<i64, OAuthError> {
    match params.get("requested_expiry") {
        None => Ok(DEFAULT_EXPIRY_S),
        Some(text) => match text.parse::<i64>() {
            Ok(s) if (1..=MAX_EXPIRY_S).contains(&s) => Ok(s),
            _ => Err(OAuthError::invalid_request(format!(
                "requested_expiry must be a number of seconds from 1 to {MAX_EXPIRY_S}"
            ))),
        },
    }
}

fn binding_message(params: &HashMap<String, String>) -> Result<Option<String>, OAuthError> {
    match params.get("binding_message") {
        None => Ok(None),
        Some(m)
            if m.chars().count() <= BINDING_MESSAGE_MAX_CHARS
                && !m.chars().any(char::is_control) =>
        {
            Ok(Some(m.clone()))
        }
        Some(_) => Err(OAuthError::bad_request(
            "invalid_binding_message",
            format!(
                "binding_message must be plain text of at most {BINDING_MESSAGE_MAX_CHARS} characters"
            ),
        )),
    }
}

/// MC_ATTR_21. A user without a known birthdate is not known to be a minor.
pub fn is_minor(user: &User, today: time::Date) -> bool {
    let Some(birthdate) = user.birthdate.as_deref() else {
        return false;
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(born) = time::Date::parse(birthdate, &format) else {
        return false;
    };
    let years = today.year() - born.year();
    let had_birthday = (today.month() as u8, today.day()) >= (born.month() as u8, born.day());
    let age = if had_birthday { years } else { years - 1 };
    age < i32::from(AGE_OF_MAJORITY)
}

/// The attributes a request would share, with the user's values (share services) or names
/// only (match services: the SP's claims come later).
fn prompt_attributes(user: &User, scope: &[String]) -> Vec<Attribute> {
    let mut attributes: Vec<Attribute> = Vec::new();
    for service in scope.iter().filter_map(|s| catalog::service(s)) {
        for &(name, _required) in service.attributes {
            if attributes.iter().any(|a| a.name == name) {
                continue;
            }
            let value = match service.kind {
                ServiceKind::Share | ServiceKind::Atp => user_value(user, name),
                ServiceKind::Match => None,
            };
            if service.kind == ServiceKind::Share && value.is_none() {
                continue; // nothing to share: do not ask for it
            }
            attributes.push(Attribute {
                name: name.to_owned(),
                value,
                group: Some(catalog::group_of(name).to_owned()),
            });
        }
    }
    attributes
}

pub fn user_value(user: &User, attribute: &str) -> Option<String> {
    match attribute {
        "given_name" => user.given_name.clone(),
        "family_name" => user.family_name.clone(),
        "email" => user.email.clone(),
        "birthdate" => user.birthdate.clone(),
        "postal_code" => user.postal_code.clone(),
        "device_msisdn" => Some(format!("+{}", user.msisdn)),
        "sim_change" => user.sim_change.clone(),
        "address" => {
            let parts: Vec<&str> = [
                &user.street_address,
                &user.postal_code,
                &user.locality,
                &user.country,
            ]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

/// The USSD prompt: one interaction (MC_ATTR_17), answered 1/2, from `assent-prompt`.
pub(crate) fn render_prompt(
    client: &Client,
    user: &User,
    scope: &[String],
) -> Result<OutgoingPrompt, OAuthError> {
    let mut attributes = prompt_attributes(user, scope);
    if attributes.is_empty() {
        // openid alone: the user still confirms who is asking.
        attributes.push(Attribute {
            name: "device_msisdn".into(),
            value: None,
            group: Some("phone".into()),
        });
    }
    let request = ConsentRequest {
        client_name: client.client_name.clone(),
        locale: "en".into(),
        attributes,
        device: DeviceProfile {
            kind: DeviceKind::Ussd,
            columns: Some(30),
            rows: Some(8),
            max_bytes: None,
            encodings: vec![Encoding::Gsm7, Encoding::Ucs2],
        },
        ask_assurance: true,
        presentation: PresentationChoice::Auto,
    };
    let renderer = assent_prompt::Renderer::shared().map_err(|e| {
        tracing::error!(error = %e, "prompt catalog");
        OAuthError::server_error()
    })?;
    let prompt = renderer.render(&request).map_err(|e| {
        tracing::error!(error = %e, "no prompt fits the USSD handset");
        OAuthError::server_error()
    })?;
    Ok(OutgoingPrompt {
        text: prompt.text,
        encoding: prompt.measure.encoding.name().into(),
        units: i64::try_from(prompt.measure.units).unwrap_or(i64::MAX),
    })
}

/// The user answered the prompt of `message_id` on the handset: "1" approves, "2" denies.
/// Returns `Ok(false)` when the message is not a pending CIBA prompt.
pub async fn answer(
    state: &AppState,
    message_id: &str,
    approve: bool,
) -> Result<bool, crate::store::StoreError> {
    let Some(request) = state.store.ciba_by_message(message_id).await? else {
        return Ok(false);
    };
    if now_ms() > request.expires_ms {
        return Ok(false);
    }
    let to = if approve { "approved" } else { "denied" };
    if !state
        .store
        .transition_ciba(&request.auth_req_hash, "pending", to)
        .await?
    {
        return Ok(false);
    }
    let answered = Answered {
        request_hash: &request.auth_req_hash,
        user_id: &request.user_id,
        client_id: &request.client_id,
        scope: &request.scope,
        prompt: &request.prompt,
        authenticator: &request.authenticator,
    };
    record_answer(state, &answered, approve).await?;
    Ok(true)
}

/// What any flow knows about a request the user just answered.
#[derive(Debug)]
pub struct Answered<'a> {
    pub request_hash: &'a str,
    pub user_id: &'a str,
    pub client_id: &'a str,
    pub scope: &'a [String],
    pub prompt: &'a str,
    pub authenticator: &'a str,
}

/// Audits the answer and, on yes, records the consent (MC_ATTR_06..11: with the exact prompt
/// shown): long-lived for SPs whose token policy is long-lived, else per transaction.
pub async fn record_answer(
    state: &AppState,
    a: &Answered<'_>,
    approve: bool,
) -> Result<(), crate::store::StoreError> {
    let now = now_ms();
    let entry = |kind, detail: serde_json::Value| NewEntry {
        at_ms: now,
        kind,
        user: Some(a.user_id.to_owned()),
        sp: Some(a.client_id.to_owned()),
        authenticator: Some(a.authenticator.to_owned()),
        detail: detail.to_string(),
    };
    state
        .store
        .append_audit(entry(
            EntryKind::Answer,
            json!({"answer": if approve { "yes" } else { "no" }}),
        ))
        .await?;
    if !approve {
        return Ok(());
    }
    let client = state.store.client(a.client_id).await?;
    let kind = match client.as_ref().map(|c| c.token_policy.as_str()) {
        Some("long_lived") => "long_lived",
        _ => "transaction",
    };
    let consent = Consent {
        id: format!("c-{}", token_hash(a.request_hash).get(..24).unwrap_or("0")),
        user_id: a.user_id.to_owned(),
        client_id: a.client_id.to_owned(),
        scope: a.scope.to_vec(),
        kind: kind.into(),
        prompt: a.prompt.to_owned(),
        granted_ms: now,
        revoked_ms: None,
    };
    state.store.insert_consent(&consent).await?;
    state
        .store
        .append_audit(entry(
            EntryKind::Consent,
            json!({"consent": consent.id, "kind": kind, "scope": a.scope.join(" "), "prompt": a.prompt}),
        ))
        .await?;
    Ok(())
}

/// The token endpoint for `grant_type=urn:openid:params:grant-type:ciba` (CIBA §10.1, §11).
pub async fn grant(
    state: &AppState,
    client: &Client,
    params: &HashMap<String, String>,
) -> Result<Response, OAuthError> {
    if !client.grant_types.iter().any(|g| g == CIBA_GRANT) {
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            "this SP is not registered for CIBA",
        ));
    }
    let auth_req_id = params
        .get("auth_req_id")
        .ok_or_else(|| OAuthError::invalid_request("auth_req_id is missing"))?;
    let invalid_grant =
        || OAuthError::bad_request("invalid_grant", "unknown or already used auth_req_id");
    let request = match state.store.ciba(&token_hash(auth_req_id)).await? {
        Some(r) if r.client_id == client.client_id => r,
        _ => return Err(invalid_grant()),
    };
    let now = now_ms();
    if request.status == "issued" {
        return Err(invalid_grant());
    }
    if now > request.expires_ms {
        return Err(OAuthError::bad_request(
            "expired_token",
            "the request expired before the user answered",
        ));
    }
    if !state.store.record_poll(&request, now).await? {
        return Err(OAuthError::bad_request(
            "slow_down",
            "poll less often: the interval grew by 5 seconds",
        ));
    }
    match request.status.as_str() {
        "pending" => Err(OAuthError::bad_request(
            "authorization_pending",
            "the user has not answered yet",
        )),
        "denied" => Err(OAuthError::bad_request("access_denied", "the user said no")),
        "approved" => {
            // Single use: only the poll that moves approved → issued gets the tokens.
            if !state
                .store
                .transition_ciba(&request.auth_req_hash, "approved", "issued")
                .await?
            {
                return Err(invalid_grant());
            }
            let issued = Issue {
                user_id: &request.user_id,
                scope: &request.scope,
                authenticator: &request.authenticator,
                nonce: None,
                grant: "ciba",
                request_hash: &request.auth_req_hash,
                family: None,
            };
            Ok(issue_tokens(state, client, &issued, now).await?.0)
        }
        _ => Err(invalid_grant()),
    }
}

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
}

/// Issues an access token by the SP's policy (MC_ATTR_18) and an ES256 ID token whose `sub`
/// is the pairwise PCR; returns the response and the access token's hash.
pub async fn issue_tokens(
    state: &AppState,
    client: &Client,
    issue: &Issue<'_>,
    now: i64,
) -> Result<(Response, String), OAuthError> {
    let (policy, ttl_s) = match client.token_policy.as_str() {
        // MC_ATTR_18: transactional tokens live at most 10 s.
        "transactional" => ("transactional", client.token_ttl_seconds.min(10)),
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
        consent_id: None,
        family: Some(family.clone()),
    };
    let access_token = new_token();
    let access_hash = token_hash(&access_token);
    state
        .store
        .insert_token(&record("access", &access_hash, ttl_s))
        .await?;
    // Long-lived consent (MC_ATTR_18) comes with a refresh token, rotated at every use.
    let refresh_token = if policy == "long_lived" {
        let token = new_token();
        state
            .store
            .insert_token(&record("refresh", &token_hash(&token), REFRESH_TTL_S))
            .await?;
        Some(token)
    } else {
        None
    };
    let mut claims = json!({
        "iss": state.issuer,
        "sub": state.pcr.pcr(&client.client_id, issue.user_id),
        "aud": client.client_id,
        "iat": now / 1000,
        "exp": now / 1000 + 600,
        "auth_time": now / 1000,
        "acr": "2",
        "amr": [issue.authenticator],
    });
    if let Some(nonce) = issue.nonce {
        claims["nonce"] = json!(nonce);
    }
    let id_token = crate::idtoken::sign(&state.keys, &claims).map_err(|e| {
        tracing::error!(error = %e, "id token signing");
        OAuthError::server_error()
    })?;
    state
        .store
        .append_audit(NewEntry {
            at_ms: now,
            kind: EntryKind::TokenIssued,
            user: Some(issue.user_id.to_owned()),
            sp: Some(client.client_id.clone()),
            authenticator: Some(issue.authenticator.to_owned()),
            detail: json!({"grant": issue.grant, "scope": issue.scope.join(" "), "policy": policy,
                           "expires_in": ttl_s, "request": issue.request_hash.get(..16)})
            .to_string(),
        })
        .await?;
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl_s,
        "scope": issue.scope.join(" "),
        "id_token": id_token,
    });
    if let Some(refresh_token) = refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    Ok((
        (no_store_headers(), Json(body)).into_response(),
        access_hash,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn mc_attr_21_age_is_counted_in_whole_years() {
        let user = |b: &str| User {
            birthdate: Some(b.into()),
            ..User::default()
        };
        let today = date!(2026 - 11 - 21);
        assert!(is_minor(&user("2011-11-21"), today)); // 15
        assert!(is_minor(&user("2008-11-22"), today)); // 17, 18 tomorrow
        assert!(!is_minor(&user("2008-11-21"), today)); // 18 today
        assert!(!is_minor(&user("1967-11-07"), today));
        assert!(!is_minor(&User::default(), today));
        assert!(!is_minor(&user("not a date"), today));
    }
}
