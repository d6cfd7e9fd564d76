//! The gateway's self-care device API, as the app uses it: register the device with the key
//! of its number's certificate, get DPoP-bound tokens with signed assertions (RFC 7523,
//! RFC 9449), read the consent inbox, answer with a decision signed over the exact prompt
//! shown, manage grants, report SPs, read and verify the audit history.

use assent_acme::jws::{SigningKey, sign_compact};
use assent_proto::OAuthError;
use assent_proto::device::{
    DecisionAnswer, DecisionRequest, Empty, FlagRequest, Flagged, Grant, Grants, Inbox, InboxItem,
    Notification, Notifications, ReceiptItem, Receipts, Registered, Registration, Revoked,
    TokenRequest, TokenResponse, WithdrawRequest, Withdrawn,
};
use assent_proto::jwt::{Answer, DecisionClaims, DpopProof, RegistrationAssertion, TokenAssertion};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The gateway refused, with its reason.
    #[error("the gateway refused: {description} ({code})")]
    Refused {
        status: u16,
        code: String,
        description: String,
    },
    #[error("cannot reach the gateway: {0}")]
    Transport(String),
    #[error("the gateway answered something unexpected: {0}")]
    Unexpected(String),
    #[error("this device is not registered yet")]
    NotRegistered,
    #[error("the audit history does not verify: {0}")]
    AuditBroken(String),
}

fn transport(error: reqwest::Error) -> DeviceError {
    DeviceError::Transport(if error.is_timeout() {
        "the request timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "the connection failed".into()
    })
}

/// The text a decision is signed over, and how it was rendered when it is not the
/// gateway's own text (the decision's `shown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown<'a> {
    pub text: &'a str,
    pub rendered_as: Option<assent_proto::jwt::Shown>,
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn jti() -> String {
    let mut bytes = [0u8; 16];
    rand_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn rand_bytes(out: &mut [u8]) {
    use rand::RngCore;
    rand::rngs::OsRng.fill_bytes(out);
}

/// A compact JWT over `claims`, signed by `key`.
fn sign<T: Serialize>(
    key: &SigningKey,
    typ: Option<&str>,
    with_jwk: bool,
    claims: &T,
) -> Result<String, DeviceError> {
    let claims = serde_json::to_value(claims)
        .map_err(|e| DeviceError::Unexpected(format!("the claims: {e}")))?;
    Ok(sign_compact(key, typ, with_jwk, &claims))
}

/// One device's session with the gateway.
#[derive(Debug)]
pub struct DeviceClient {
    http: reqwest::Client,
    gateway: String,
    key: SigningKey,
    device_id: Option<String>,
    /// The current access token; shared by concurrent calls (an inbox long poll and a
    /// decision at the same time).
    token: std::sync::Mutex<Option<String>>,
}

impl DeviceClient {
    /// `key` is the device key: the key of the number's ACME certificate.
    pub fn new(http: reqwest::Client, gateway_url: &str, key: SigningKey) -> Self {
        DeviceClient {
            http,
            gateway: gateway_url.trim_end_matches('/').to_owned(),
            key,
            device_id: None,
            token: std::sync::Mutex::new(None),
        }
    }

    /// A device registered before (after a restart).
    pub fn with_device_id(mut self, device_id: String) -> Self {
        self.device_id = Some(device_id);
        self
    }

    pub fn device_id(&self) -> Option<&str> {
        self.device_id.as_deref()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gateway)
    }

    /// The answer's body as `T`; a refusal as [`DeviceError::Refused`] with the gateway's
    /// reason ([`OAuthError`]) when it gave one.
    async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, DeviceError> {
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(transport)?;
        if status >= 400 {
            let error = serde_json::from_slice::<OAuthError>(&body).ok();
            return Err(DeviceError::Refused {
                status,
                code: error
                    .as_ref()
                    .map_or_else(|| "error".to_owned(), |e| e.error.clone()),
                description: error
                    .and_then(|e| e.error_description)
                    .unwrap_or_else(|| "no reason given".to_owned()),
            });
        }
        serde_json::from_slice(&body).map_err(|e| DeviceError::Unexpected(e.to_string()))
    }

    /// Registers this device with its certificate (DER); returns the registered number.
    pub async fn register(
        &mut self,
        certificate_der: &[u8],
        name: &str,
    ) -> Result<Registered, DeviceError> {
        let url = self.url("/device/register");
        let assertion = sign(
            &self.key,
            None,
            false,
            &RegistrationAssertion {
                aud: url.clone(),
                exp: now_s() + 60,
                jti: jti(),
            },
        )?;
        let body = Registration {
            assertion,
            certificate: URL_SAFE_NO_PAD.encode(certificate_der),
            jwk: self.key.public().to_jwk(),
            name: Some(name.to_owned()),
        };
        let response = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(transport)?;
        let registered: Registered = Self::read(response).await?;
        self.device_id = Some(registered.device_id.clone());
        Ok(registered)
    }

    fn current_token(&self) -> Option<String> {
        self.token.lock().map(|t| t.clone()).unwrap_or(None)
    }

    fn set_token(&self, token: Option<String>) {
        if let Ok(mut slot) = self.token.lock() {
            *slot = token;
        }
    }

    fn proof(&self, method: &str, url: &str, token: Option<&str>) -> Result<String, DeviceError> {
        let claims = DpopProof {
            ath: token.map(|t| URL_SAFE_NO_PAD.encode(Sha256::digest(t.as_bytes()))),
            htm: method.to_owned(),
            htu: url.to_owned(),
            iat: now_s(),
            jti: jti(),
            nonce: None,
        };
        sign(&self.key, Some("dpop+jwt"), true, &claims)
    }

    /// Gets a fresh DPoP-bound access token.
    pub async fn login(&self) -> Result<String, DeviceError> {
        let id = self.device_id.clone().ok_or(DeviceError::NotRegistered)?;
        let url = self.url("/device/token");
        let assertion = sign(
            &self.key,
            None,
            false,
            &TokenAssertion {
                aud: url.clone(),
                exp: now_s() + 60,
                iss: id.clone(),
                jti: jti(),
                sub: id,
            },
        )?;
        let response = self
            .http
            .post(&url)
            .header("DPoP", self.proof("POST", &url, None)?)
            .form(&TokenRequest::jwt_bearer(assertion))
            .send()
            .await
            .map_err(transport)?;
        let answer: TokenResponse = Self::read(response).await?;
        self.set_token(Some(answer.access_token.clone()));
        Ok(answer.access_token)
    }

    /// A device API call (a POST carries `body`); logs in (again) when there is no token or
    /// it was refused.
    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&B>,
    ) -> Result<T, DeviceError> {
        for attempt in 0..2 {
            let token = match self.current_token() {
                Some(token) => token,
                None => self.login().await?,
            };
            let path = path_and_query.split('?').next().unwrap_or(path_and_query);
            let proof = self.proof(method, &self.url(path), Some(&token))?;
            let url = self.url(path_and_query);
            let request = match (method, body) {
                ("POST", Some(body)) => self.http.post(&url).json(body),
                ("POST", None) => self.http.post(&url).json(&Empty {}),
                _ => self.http.get(&url),
            };
            let response = request
                .header("Authorization", format!("DPoP {token}"))
                .header("DPoP", proof)
                .send()
                .await
                .map_err(transport)?;
            if response.status() == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 {
                // Expired (or refused): the next attempt logs in again, unless a concurrent
                // call already did.
                if self.current_token().as_deref() == Some(token.as_str()) {
                    self.set_token(None);
                }
                continue;
            }
            return Self::read(response).await;
        }
        Err(DeviceError::Unexpected(
            "the gateway refused the device twice".into(),
        ))
    }

    /// The pending consent requests; waits up to `wait` for one to arrive. A content this
    /// version cannot read comes without content, to be shown as the gateway rendered it.
    pub async fn inbox(&self, wait: Duration) -> Result<Vec<InboxItem>, DeviceError> {
        let inbox: Inbox = self
            .call(
                "GET",
                &format!("/device/inbox?wait={}", wait.as_secs()),
                None::<&Empty>,
            )
            .await?;
        Ok(inbox.requests)
    }

    /// Answers a request; the decision is signed over the SHA-256 of the text the user saw
    /// (and says how it was rendered), so a request altered on the way is refused.
    pub async fn decide(
        &self,
        request_id: &str,
        shown: &Shown<'_>,
        approve: bool,
    ) -> Result<bool, DeviceError> {
        let claims = DecisionClaims {
            answer: if approve {
                Answer::Approve
            } else {
                Answer::Deny
            },
            aud: self.gateway.clone(),
            exp: now_s() + 60,
            jti: jti(),
            prompt_sha256: hex::encode(Sha256::digest(shown.text.as_bytes())),
            request: request_id.to_owned(),
            shown: shown.rendered_as.clone(),
        };
        let decision = sign(&self.key, None, false, &claims)?;
        let answer: DecisionAnswer = self
            .call(
                "POST",
                &format!("/device/inbox/{request_id}/decision"),
                Some(&DecisionRequest { decision }),
            )
            .await?;
        Ok(answer.accepted)
    }

    /// What the gateway told the user (an SP used a long-lived consent, …).
    pub async fn notifications(&self) -> Result<Vec<Notification>, DeviceError> {
        let answer: Notifications = self
            .call("GET", "/device/notifications", None::<&Empty>)
            .await?;
        Ok(answer.notifications)
    }

    /// The user's long-lived consents per SP.
    pub async fn grants(&self) -> Result<Vec<Grant>, DeviceError> {
        let answer: Grants = self.call("GET", "/device/grants", None::<&Empty>).await?;
        Ok(answer.grants)
    }

    /// Every device bound to the user's account, this one marked.
    pub async fn devices(&self) -> Result<Vec<assent_proto::device::DeviceInfo>, DeviceError> {
        let answer: assent_proto::device::Devices =
            self.call("GET", "/device/devices", None::<&Empty>).await?;
        Ok(answer.devices)
    }

    /// Revokes a device of the user's (this one included): it gets no token any more.
    pub async fn revoke_device(&self, device_id: &str) -> Result<(), DeviceError> {
        let _: assent_proto::device::DeviceRevoked = self
            .call(
                "POST",
                &format!("/device/devices/{device_id}/revoke"),
                Some(&Empty {}),
            )
            .await?;
        Ok(())
    }

    /// Revokes a grant: the SP's tokens die at once.
    pub async fn revoke(&self, grant_id: &str) -> Result<(), DeviceError> {
        let _: Revoked = self
            .call(
                "POST",
                &format!("/device/grants/{grant_id}/revoke"),
                Some(&Empty {}),
            )
            .await?;
        Ok(())
    }

    /// Withdraws some attributes of a grant, keeping the rest.
    pub async fn withdraw(
        &self,
        grant_id: &str,
        attributes: &[String],
    ) -> Result<Withdrawn, DeviceError> {
        self.call(
            "POST",
            &format!("/device/grants/{grant_id}/withdraw"),
            Some(&WithdrawRequest {
                attributes: attributes.to_vec(),
            }),
        )
        .await
    }

    /// The user's consent receipts, as the gateway signed them.
    pub async fn receipts(&self) -> Result<Vec<ReceiptItem>, DeviceError> {
        let receipts: Receipts = self.call("GET", "/device/receipts", None::<&Empty>).await?;
        Ok(receipts.receipts)
    }

    /// Reports an SP to the operator.
    pub async fn flag(&self, client_id: &str, reason: &str) -> Result<(), DeviceError> {
        let _: Flagged = self
            .call(
                "POST",
                "/device/flags",
                Some(&FlagRequest {
                    client_id: client_id.to_owned(),
                    reason: reason.to_owned(),
                }),
            )
            .await?;
        Ok(())
    }

    /// The gateway's published signing keys (`GET /jwks`, no authentication), over the same
    /// pinned TLS as every call: what its checkpoints are checked with.
    pub async fn gateway_keys(&self) -> Result<Vec<crate::checkpoint::GatewayKey>, DeviceError> {
        let response = self
            .http
            .get(self.url("/jwks"))
            .send()
            .await
            .map_err(transport)?;
        if !response.status().is_success() {
            return Err(DeviceError::Unexpected(format!(
                "the gateway's keys: {}",
                response.status()
            )));
        }
        let keys: crate::checkpoint::GatewayKeys = response
            .json()
            .await
            .map_err(|e| DeviceError::Unexpected(format!("the gateway's keys: {e}")))?;
        Ok(keys.keys)
    }

    /// The whole audit history with its chain proof, verified here before it is returned.
    pub async fn audit_export(&self) -> Result<crate::history::Export, DeviceError> {
        let export: crate::history::Export = self
            .call("GET", "/device/audit/export", None::<&Empty>)
            .await
            .map_err(|e| match e {
                DeviceError::Unexpected(e) => {
                    DeviceError::Unexpected(format!("the history export: {e}"))
                }
                other => other,
            })?;
        export
            .verify()
            .map_err(|e| DeviceError::AuditBroken(e.to_string()))?;
        Ok(export)
    }
}
