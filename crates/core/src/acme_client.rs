//! An ACME client (RFC 8555) for proving control of the user's number: `TNAuthList`
//! identifiers and the `sms-link-00` challenge, whose completion carries the code from the
//! SMS (docs/acme-sms-link.md).
//!
//! Why our own client: no published Rust ACME client can express this identifier and this
//! challenge — instant-acme's identifier enum is closed and it can only POST `{}` to a
//! challenge. This one is small because the wire rules are `assent-acme`'s (JWS signing,
//! problems, TNAuthList, CSRs); this module is only the conversation: nonces (with the
//! `badNonce` retry of §6.5), POST-as-GET, `Location` and `Retry-After`, polling that waits
//! for a person. It also runs the standard flow against Pebble (a test), which proves its
//! RFC 8555 layer against the reference server.

use assent_acme::jws::{self, SignAs, SigningKey};
use assent_acme::problem::AcmeProblem;
use assent_proto::acme::{
    ChallengeAnswer, ChallengeReady, Directory, Finalize, Identifier, NewAccount, NewOrder, Order,
    ProblemDocument, Progress, Status,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How often a `badNonce` is retried with the fresh nonce the server sent (§6.5).
const BAD_NONCE_RETRIES: usize = 3;
/// The longest wait between polls, whatever `Retry-After` says.
const MAX_POLL_WAIT: Duration = Duration::from_secs(10);
/// The first wait between polls when the server gives no `Retry-After`; it doubles up to
/// [`DEFAULT_POLL_WAIT`]. A server that validates asynchronously (pebble, Let's Encrypt)
/// usually finishes within a few hundred ms, and a first wait of a whole second was most of
/// an enrollment's time against one.
const FIRST_POLL_WAIT: Duration = Duration::from_millis(100);
/// The longest wait between polls when the server gives none.
const DEFAULT_POLL_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum AcmeClientError {
    /// The server refused, with an RFC 8555 problem document.
    #[error("the number verification service refused: {}", .0.detail)]
    Problem(AcmeProblem),
    #[error("cannot reach the number verification service: {0}")]
    Transport(String),
    #[error("the number verification service answered something unexpected: {0}")]
    Unexpected(String),
    #[error("gave up waiting: {0}")]
    Timeout(String),
    /// Too many codes asked for this number: the server says when to try again.
    #[error(
        "the number verification service refused: {detail}; try again in {} minute(s)",
        .retry_after.as_secs().div_ceil(60).max(1)
    )]
    RateLimited {
        detail: String,
        retry_after: Duration,
    },
}

impl AcmeClientError {
    /// The problem type's URN, when the server sent a problem.
    pub fn problem_type(&self) -> Option<&'static str> {
        match self {
            AcmeClientError::Problem(p) => Some(p.kind.urn()),
            AcmeClientError::RateLimited { .. } => {
                Some(assent_acme::problem::ProblemType::RateLimited.urn())
            }
            _ => None,
        }
    }
}

fn transport(error: reqwest::Error) -> AcmeClientError {
    // Without the URL: it may name the user's number.
    AcmeClientError::Transport(if error.is_timeout() {
        "the request timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "the connection failed".into()
    })
}

/// An HTTPS client for ACME and the gateway: TLS 1.3 only, `TCP_NODELAY` (without it every
/// request to a local server loses ~40 ms to Nagle and delayed ACKs), trusting `ca_pem` only
/// when given (the gateway's own CA), else the platform's roots.
pub fn http_client(ca_pem: Option<&[u8]>) -> Result<reqwest::Client, AcmeClientError> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .tls_version_min(reqwest::tls::Version::TLS_1_3)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30));
    if let Some(pem) = ca_pem {
        let certificates = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| AcmeClientError::Unexpected(format!("the CA file: {e}")))?;
        builder = builder.tls_certs_only(certificates);
    }
    builder
        .build()
        .map_err(|e| AcmeClientError::Unexpected(format!("TLS set-up: {e}")))
}

/// A server answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub retry_after: Option<Duration>,
    /// The body as sent (JSON for ACME objects, PEM for a certificate chain).
    pub text: String,
}

impl Answer {
    /// The body as an ACME object (`assent_proto::acme`).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, AcmeClientError> {
        serde_json::from_str(&self.text)
            .map_err(|e| AcmeClientError::Unexpected(format!("the server's answer: {e}")))
    }
}

/// One account's conversation with one ACME server.
#[derive(Debug)]
pub struct AcmeClient {
    http: reqwest::Client,
    directory: Directory,
    key: SigningKey,
    kid: Option<String>,
    nonce: Option<String>,
}

impl AcmeClient {
    /// Reads the directory (§7.1.1).
    pub async fn connect(
        http: reqwest::Client,
        directory_url: &str,
        key: SigningKey,
    ) -> Result<Self, AcmeClientError> {
        let response = http.get(directory_url).send().await.map_err(transport)?;
        if !response.status().is_success() {
            return Err(AcmeClientError::Unexpected(format!(
                "the directory answered HTTP {}",
                response.status()
            )));
        }
        let directory: Directory = response.json().await.map_err(|_| {
            AcmeClientError::Unexpected("the directory is not an ACME directory".into())
        })?;
        Ok(AcmeClient {
            http,
            directory,
            key,
            kid: None,
            nonce: None,
        })
    }

    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The account URL once the account exists.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Uses an account created earlier (after a restart).
    pub fn with_kid(mut self, kid: String) -> Self {
        self.kid = Some(kid);
        self
    }

    /// The server's directory (§7.1.1).
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    async fn fresh_nonce(&self) -> Result<String, AcmeClientError> {
        let response = self
            .http
            .head(&self.directory.new_nonce)
            .send()
            .await
            .map_err(transport)?;
        response
            .headers()
            .get("replay-nonce")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| AcmeClientError::Unexpected("no Replay-Nonce".into()))
    }

    /// POSTs a JWS (`payload` None: POST-as-GET), retrying `badNonce` with the fresh nonce
    /// the refusal carries (§6.5). A problem document becomes [`AcmeClientError::Problem`].
    pub async fn post<P: Serialize + ?Sized>(
        &mut self,
        url: &str,
        payload: Option<&P>,
    ) -> Result<Answer, AcmeClientError> {
        let payload = payload
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| AcmeClientError::Unexpected(format!("the payload: {e}")))?;
        let mut retries = 0;
        loop {
            let nonce = match self.nonce.take() {
                Some(nonce) => nonce,
                None => self.fresh_nonce().await?,
            };
            let sign_as = match &self.kid {
                Some(kid) => SignAs::Kid(kid),
                None => SignAs::Jwk,
            };
            let body = jws::sign(&self.key, sign_as, &nonce, url, payload.as_ref());
            let response = self
                .http
                .post(url)
                .header("content-type", "application/jose+json")
                .body(body.to_string())
                .send()
                .await
                .map_err(transport)?;
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            self.nonce = header("replay-nonce");
            let status = response.status().as_u16();
            let location = header("location");
            let retry_after = header("retry-after")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = response.text().await.map_err(transport)?;
            if status >= 400 {
                let problem = serde_json::from_str::<ProblemDocument>(&text)
                    .ok()
                    .and_then(|document| document.problem())
                    .unwrap_or_else(|| {
                        AcmeProblem::new(
                            assent_acme::problem::ProblemType::ServerInternal,
                            format!("HTTP {status}"),
                        )
                    });
                if problem.kind == assent_acme::problem::ProblemType::BadNonce
                    && retries < BAD_NONCE_RETRIES
                {
                    retries += 1;
                    continue;
                }
                if problem.kind == assent_acme::problem::ProblemType::RateLimited {
                    return Err(AcmeClientError::RateLimited {
                        detail: problem.detail,
                        retry_after: retry_after.unwrap_or(Duration::from_secs(3600)),
                    });
                }
                return Err(AcmeClientError::Problem(problem));
            }
            return Ok(Answer {
                status,
                location,
                retry_after,
                text,
            });
        }
    }

    /// Creates (or finds) the account of this key (§7.3); returns its URL.
    pub async fn account(&mut self, contact: &[String]) -> Result<String, AcmeClientError> {
        if let Some(kid) = &self.kid {
            return Ok(kid.clone());
        }
        let url = self.directory.new_account.clone();
        let payload = NewAccount {
            contact: Some(contact.to_vec()),
            only_return_existing: None,
            terms_of_service_agreed: Some(true),
        };
        let answer = self.post(&url, Some(&payload)).await?;
        let kid = answer
            .location
            .ok_or_else(|| AcmeClientError::Unexpected("no account URL".into()))?;
        self.kid = Some(kid.clone());
        Ok(kid)
    }

    /// A new order for these identifiers (§7.4); returns (order URL, order).
    pub async fn new_order(
        &mut self,
        identifiers: Vec<Identifier>,
    ) -> Result<(String, Order), AcmeClientError> {
        let url = self.directory.new_order.clone();
        let payload = NewOrder {
            identifiers,
            not_after: None,
            not_before: None,
        };
        let answer = self.post(&url, Some(&payload)).await?;
        let order = answer.json()?;
        let location = answer
            .location
            .ok_or_else(|| AcmeClientError::Unexpected("no order URL".into()))?;
        Ok((location, order))
    }

    /// POST-as-GET of any resource.
    pub async fn fetch(&mut self, url: &str) -> Result<Answer, AcmeClientError> {
        self.post::<()>(url, None).await
    }

    /// Polls the order, authorization or challenge at `url` until its status is one of
    /// `done` (or `invalid`, an error), honouring `Retry-After` (bounded), for at most
    /// `patience` — a person may be reading an SMS.
    pub async fn poll<T: DeserializeOwned + Progress>(
        &mut self,
        url: &str,
        done: &[Status],
        patience: Duration,
    ) -> Result<T, AcmeClientError> {
        let deadline = tokio::time::Instant::now() + patience;
        let mut backoff = FIRST_POLL_WAIT;
        loop {
            let answer = self.fetch(url).await?;
            let object: T = answer.json()?;
            let status = object.status();
            if done.contains(&status) {
                return Ok(object);
            }
            if status == Status::Invalid {
                let problem = object
                    .error()
                    .and_then(ProblemDocument::problem)
                    .unwrap_or_else(|| {
                        AcmeProblem::new(assent_acme::problem::ProblemType::Malformed, "invalid")
                    });
                return Err(AcmeClientError::Problem(problem));
            }
            let wait = answer.retry_after.unwrap_or(backoff).min(MAX_POLL_WAIT);
            backoff = (backoff * 2).min(DEFAULT_POLL_WAIT);
            if tokio::time::Instant::now() + wait > deadline {
                return Err(AcmeClientError::Timeout(format!(
                    "{url} stayed {}",
                    status.name()
                )));
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Finalizes with a CSR (§7.4) and waits for the certificate; returns its PEM chain.
    pub async fn finalize(
        &mut self,
        order_url: &str,
        finalize_url: &str,
        csr_der: &[u8],
        patience: Duration,
    ) -> Result<String, AcmeClientError> {
        use base64::Engine;
        let csr = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(csr_der);
        self.post(finalize_url, Some(&Finalize { csr })).await?;
        self.certificate(order_url, patience).await
    }

    /// Waits for a finalized order to be valid and downloads its certificate (PEM chain);
    /// also how an enrollment interrupted after finalizing picks up its certificate.
    pub async fn certificate(
        &mut self,
        order_url: &str,
        patience: Duration,
    ) -> Result<String, AcmeClientError> {
        let order: Order = self.poll(order_url, &[Status::Valid], patience).await?;
        let certificate = order.certificate.ok_or_else(|| {
            AcmeClientError::Unexpected("a valid order without certificate".into())
        })?;
        let chain = self.fetch(&certificate).await?;
        if !chain.text.contains("BEGIN CERTIFICATE") {
            return Err(AcmeClientError::Unexpected(
                "the certificate is not PEM".into(),
            ));
        }
        Ok(chain.text)
    }
}

/// The `sms-link-00` steps for one number: order, "ready", then (with the code) completion.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NumberOrder {
    pub number: String,
    pub order_url: String,
    pub finalize_url: String,
    pub challenge_url: String,
    pub token: String,
}

impl AcmeClient {
    /// Orders a certificate for `number` and finds its `sms-link-00` challenge.
    pub async fn order_number(&mut self, number: &str) -> Result<NumberOrder, AcmeClientError> {
        let identifier = Identifier::tn_auth_list(number)
            .map_err(|e| AcmeClientError::Unexpected(format!("not a phone number: {e}")))?;
        let (order_url, order) = self.new_order(vec![identifier]).await?;
        let authz_url =
            order.authorizations.into_iter().next().ok_or_else(|| {
                AcmeClientError::Unexpected("an order without authorization".into())
            })?;
        let authz: assent_proto::acme::Authorization = self.fetch(&authz_url).await?.json()?;
        let challenge = authz
            .challenges
            .into_iter()
            .find(|c| c.kind == assent_acme::sms_link::CHALLENGE_TYPE)
            .ok_or_else(|| AcmeClientError::Unexpected("no sms-link-00 challenge".into()))?;
        Ok(NumberOrder {
            number: number.to_owned(),
            order_url,
            finalize_url: order.finalize,
            challenge_url: challenge.url,
            token: challenge.token.unwrap_or_default(),
        })
    }

    /// Says "ready": the server sends the SMS with the code.
    pub async fn ready(&mut self, order: &NumberOrder) -> Result<(), AcmeClientError> {
        self.post(&order.challenge_url, Some(&ChallengeReady {}))
            .await?;
        Ok(())
    }

    /// Completes the challenge with the code from the SMS.
    pub async fn complete(
        &mut self,
        order: &NumberOrder,
        code: &str,
    ) -> Result<(), AcmeClientError> {
        let key_authorization = assent_acme::sms_link::key_authorization(
            &order.token,
            code,
            &self.key.public().thumbprint(),
        );
        let answer = self
            .post(
                &order.challenge_url,
                Some(&ChallengeAnswer { key_authorization }),
            )
            .await?;
        let challenge: assent_proto::acme::Challenge = answer.json()?;
        match challenge.status {
            Status::Valid => Ok(()),
            other => Err(AcmeClientError::Unexpected(format!(
                "the challenge is {}",
                other.name()
            ))),
        }
    }
}
