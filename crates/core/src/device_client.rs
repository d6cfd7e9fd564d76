//! The gateway's self-care device API, as the app uses it: register the device with the key
//! of its number's certificate, get DPoP-bound tokens with signed assertions (RFC 7523,
//! RFC 9449), read the consent inbox, answer with a decision signed over the exact prompt
//! shown, manage grants, report SPs, read and verify the audit history.

use assent_acme::jws::{SigningKey, sign_compact};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
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

/// A consent request waiting in the app.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingRequest {
    pub id: String,
    /// The gateway's rendering for an app screen.
    pub prompt: String,
    /// What the prompt says, for this device to render on its own screen and language.
    pub content: Option<assent_prompt::wire::PromptContent>,
    pub created_ms: i64,
}

/// The text a decision is signed over, and how it was rendered when it is not the
/// gateway's own text (`{"device": WireDevice, "locale": …}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown<'a> {
    pub text: &'a str,
    pub rendered_as: Option<Value>,
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

    async fn read(response: reqwest::Response) -> Result<Value, DeviceError> {
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status >= 400 {
            return Err(DeviceError::Refused {
                status,
                code: body["error"].as_str().unwrap_or("error").to_owned(),
                description: body["error_description"]
                    .as_str()
                    .unwrap_or("no reason given")
                    .to_owned(),
            });
        }
        Ok(body)
    }

    /// Registers this device with its certificate (DER); returns the registered number.
    pub async fn register(
        &mut self,
        certificate_der: &[u8],
        name: &str,
    ) -> Result<String, DeviceError> {
        let url = self.url("/device/register");
        let assertion = sign_compact(
            &self.key,
            None,
            false,
            &json!({"aud": url, "exp": now_s() + 60, "jti": jti()}),
        );
        let body = json!({"certificate": URL_SAFE_NO_PAD.encode(certificate_der),
                          "jwk": self.key.public().to_jwk(), "assertion": assertion, "name": name});
        let response = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(transport)?;
        let answer = Self::read(response).await?;
        let id = answer["device_id"]
            .as_str()
            .ok_or_else(|| DeviceError::Unexpected("no device id".into()))?;
        self.device_id = Some(id.to_owned());
        Ok(answer["number"].as_str().unwrap_or_default().to_owned())
    }

    fn current_token(&self) -> Option<String> {
        self.token.lock().map(|t| t.clone()).unwrap_or(None)
    }

    fn set_token(&self, token: Option<String>) {
        if let Ok(mut slot) = self.token.lock() {
            *slot = token;
        }
    }

    fn proof(&self, method: &str, url: &str, token: Option<&str>) -> String {
        let mut claims = json!({"jti": jti(), "htm": method, "htu": url, "iat": now_s()});
        if let Some(token) = token {
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())));
        }
        sign_compact(&self.key, Some("dpop+jwt"), true, &claims)
    }

    /// Gets a fresh DPoP-bound access token.
    pub async fn login(&self) -> Result<String, DeviceError> {
        let id = self.device_id.clone().ok_or(DeviceError::NotRegistered)?;
        let url = self.url("/device/token");
        let assertion = sign_compact(
            &self.key,
            None,
            false,
            &json!({"iss": id, "sub": id, "aud": url, "exp": now_s() + 60, "jti": jti()}),
        );
        let response = self
            .http
            .post(&url)
            .header("DPoP", self.proof("POST", &url, None))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(transport)?;
        let answer = Self::read(response).await?;
        let token = answer["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| DeviceError::Unexpected("no access token".into()))?;
        self.set_token(Some(token.clone()));
        Ok(token)
    }

    /// A device API call; logs in (again) when there is no token or it was refused.
    async fn call(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<Value, DeviceError> {
        for attempt in 0..2 {
            let token = match self.current_token() {
                Some(token) => token,
                None => self.login().await?,
            };
            let path = path_and_query.split('?').next().unwrap_or(path_and_query);
            let proof = self.proof(method, &self.url(path), Some(&token));
            let url = self.url(path_and_query);
            let request = match method {
                "POST" => self.http.post(&url).json(body.unwrap_or(&json!({}))),
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

    /// The pending consent requests; waits up to `wait` for one to arrive.
    pub async fn inbox(&self, wait: Duration) -> Result<Vec<PendingRequest>, DeviceError> {
        let answer = self
            .call(
                "GET",
                &format!("/device/inbox?wait={}", wait.as_secs()),
                None,
            )
            .await?;
        let requests = answer["requests"]
            .as_array()
            .ok_or_else(|| DeviceError::Unexpected("no requests list".into()))?;
        Ok(requests
            .iter()
            .filter_map(|r| {
                Some(PendingRequest {
                    id: r["id"].as_str()?.to_owned(),
                    prompt: r["prompt"].as_str()?.to_owned(),
                    // A content this version cannot read is shown as the gateway rendered it.
                    content: serde_json::from_value(r["content"].clone()).ok(),
                    created_ms: r["created_ms"].as_i64().unwrap_or_default(),
                })
            })
            .collect())
    }

    /// Answers a request; the decision is signed over the SHA-256 of the text the user saw
    /// (and says how it was rendered), so a request altered on the way is refused.
    pub async fn decide(
        &self,
        request_id: &str,
        shown: &Shown<'_>,
        approve: bool,
    ) -> Result<bool, DeviceError> {
        let mut claims = json!({"aud": self.gateway, "request": request_id,
                    "answer": if approve { "approve" } else { "deny" },
                    "prompt_sha256": hex::encode(Sha256::digest(shown.text.as_bytes())),
                    "exp": now_s() + 60, "jti": jti()});
        if let Some(how) = &shown.rendered_as {
            claims["shown"] = how.clone();
        }
        let decision = sign_compact(&self.key, None, false, &claims);
        let answer = self
            .call(
                "POST",
                &format!("/device/inbox/{request_id}/decision"),
                Some(&json!({ "decision": decision })),
            )
            .await?;
        Ok(answer["accepted"] == true)
    }

    /// What the gateway told the user (an SP used a long-lived consent, a revocation, …).
    pub async fn notifications(&self) -> Result<Vec<Value>, DeviceError> {
        let answer = self.call("GET", "/device/notifications", None).await?;
        Ok(answer["notifications"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// The user's long-lived consents per SP.
    pub async fn grants(&self) -> Result<Vec<Value>, DeviceError> {
        let answer = self.call("GET", "/device/grants", None).await?;
        Ok(answer["grants"].as_array().cloned().unwrap_or_default())
    }

    /// Revokes a grant: the SP's tokens die at once.
    pub async fn revoke(&self, grant_id: &str) -> Result<(), DeviceError> {
        self.call("POST", &format!("/device/grants/{grant_id}/revoke"), None)
            .await?;
        Ok(())
    }

    /// Reports an SP to the operator.
    pub async fn flag(&self, client_id: &str, reason: &str) -> Result<(), DeviceError> {
        self.call(
            "POST",
            "/device/flags",
            Some(&json!({"client_id": client_id, "reason": reason})),
        )
        .await?;
        Ok(())
    }

    /// The whole audit history with its chain proof, verified here before it is returned.
    pub async fn audit_export(&self) -> Result<crate::history::Export, DeviceError> {
        let answer = self.call("GET", "/device/audit/export", None).await?;
        let export: crate::history::Export = serde_json::from_value(answer)
            .map_err(|e| DeviceError::Unexpected(format!("the history export: {e}")))?;
        export
            .verify()
            .map_err(|e| DeviceError::AuditBroken(e.to_string()))?;
        Ok(export)
    }
}
