//! Enrollment: number → ACME order → "ready" (the SMS is sent) → code → valid → CSR →
//! certificate → device registration.
//!
//! Every step is saved in `enrollment.json` (nothing secret: URLs and the step) before the
//! next begins, and every key is in the keyring before it is used; so after a crash or a
//! restart, [`Assent::enroll`] picks up where it stopped. The one step that cannot be
//! repeated is the registration (each certificate registers once, REG-3): if it was made
//! but its answer lost, the enrollment starts a new order, which costs the user one more
//! SMS code, and says so.

use crate::acme_client::{AcmeClient, NumberOrder};
use crate::app::{Assent, CoreError, now_ms};
use crate::device_client::{DeviceClient, DeviceError};
use crate::secrets::Secret;
use assent_proto::acme::{Order, Status};
use assent_proto::sim::{SimMessage, SimMessageKind};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const FILE: &str = "enrollment.json";
pub const CERTIFICATE_FILE: &str = "certificate.pem";

/// How long the certificate may take once finalized.
const CERTIFICATE_PATIENCE: Duration = Duration::from_secs(60);

/// Where an enrollment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Step {
    /// The ACME account exists.
    Account,
    /// The order for the number exists.
    Ordered,
    /// "Ready" was said: the SMS with the code is on its way.
    CodeSent,
    /// The code was accepted: the number is proven.
    Validated,
    /// The certificate was issued.
    Certified,
    /// The device is registered: enrollment done.
    Registered,
}

impl Step {
    /// For progress displays.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Account => "account ready",
            Step::Ordered => "number ordered",
            Step::CodeSent => "code sent by SMS",
            Step::Validated => "number verified",
            Step::Certified => "certificate issued",
            Step::Registered => "device registered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrollmentState {
    /// The number in international form with `+`.
    pub number: String,
    pub step: Step,
    pub account_url: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub order: Option<NumberOrder>,
    /// When the code was asked for (ms since the epoch).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub code_sent_ms: Option<i64>,
    pub device_id: Option<String>,
    /// The certificate's notAfter (RFC 3339).
    pub certificate_expires: Option<String>,
    /// When renewal is due: a third of the certificate's lifetime before its notAfter
    /// (RFC 3339).
    #[serde(default)]
    pub renew_from: Option<String>,
    /// A renewal is under way: the registered device proves its number again and moves
    /// onto a new certificate for its own key, keeping its id and its history.
    #[serde(default)]
    pub renewing: bool,
    /// The user already had a live device: this one is bound once approved there (the
    /// gateway asks it, for 10 minutes).
    #[serde(default)]
    pub pending_approval: bool,
}

/// What [`Assent::enroll`] reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Enrollment {
    /// The SMS is on its way: give its text to [`Assent::submit_code`].
    AwaitingCode {
        number: String,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        sent_ms: i64,
    },
    Enrolled {
        number: String,
        device_id: String,
        certificate_expires: String,
        /// When renewal is due (RFC 3339): `assent enroll --renew`, or the app's button.
        renew_from: String,
        /// The device waits for approval on the user's other device.
        pending_approval: bool,
    },
}

/// `+44 7700 900001`, `447700900001` → `+447700900001`.
pub fn normalize_number(input: &str) -> Result<String, CoreError> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    if !(8..=15).contains(&digits.len())
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || digits.starts_with('0')
    {
        return Err(CoreError::BadNumber(input.to_owned()));
    }
    Ok(format!("+{digits}"))
}

impl Assent {
    /// The saved enrollment, if any.
    pub fn enrollment(&self) -> Option<EnrollmentState> {
        let text = std::fs::read_to_string(self.dir.join(FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn save_enrollment(&self, state: &EnrollmentState) -> Result<(), CoreError> {
        let text = serde_json::to_vec_pretty(state)
            .map_err(|e| CoreError::Invalid(format!("enrollment state: {e}")))?;
        crate::profile::write_atomically(&self.dir.join(FILE), &text).map_err(|e| {
            CoreError::Profile {
                path: self.dir.clone(),
                reason: e.to_string(),
            }
        })
    }

    async fn acme(&self, state: &EnrollmentState) -> Result<AcmeClient, CoreError> {
        let key = match self.secrets.key(Secret::AccountKey).await? {
            Some(key) => key,
            None => {
                let key = assent_acme::jws::SigningKey::generate_es256();
                self.secrets.set_key(Secret::AccountKey, &key).await?;
                key
            }
        };
        let directory = format!("{}/acme/directory", self.gateway()?);
        let client = AcmeClient::connect(self.http.clone(), &directory, key).await?;
        Ok(match &state.account_url {
            Some(kid) => client.with_kid(kid.clone()),
            None => client,
        })
    }

    /// Enrolls `number`, or resumes its enrollment: runs every step that needs no person
    /// and stops when the SMS code is needed. `progress` hears of each step reached.
    pub async fn enroll(
        &self,
        number: &str,
        progress: &mut (dyn FnMut(Step) + Send),
    ) -> Result<Enrollment, CoreError> {
        let number = normalize_number(number)?;
        let mut state = match self.enrollment() {
            Some(state) if state.number == number => state,
            Some(state) if state.step == Step::Registered || state.renewing => {
                return Err(CoreError::EnrolledElsewhere(state.number));
            }
            _ => EnrollmentState {
                number: number.clone(),
                step: Step::Account,
                account_url: None,
                order: None,
                code_sent_ms: None,
                device_id: None,
                certificate_expires: None,
                renew_from: None,
                renewing: false,
                pending_approval: false,
            },
        };
        if state.step == Step::Registered {
            return done(&state);
        }
        let mut acme = self.acme(&state).await?;
        if state.account_url.is_none() {
            state.account_url = Some(acme.account(&[]).await?);
            state.step = Step::Account;
            self.save_enrollment(&state)?;
            progress(Step::Account);
        }
        // An order that expired or failed while the app was away is replaced.
        if let Some(order) = &state.order
            && state.step < Step::Certified
        {
            let status = order_status(&mut acme, order).await?;
            match status {
                Status::Invalid => state.step = Step::Account,
                Status::Ready | Status::Processing | Status::Valid => {
                    state.step = state.step.max(Step::Validated)
                }
                _ => {}
            }
        }
        if state.step <= Step::Account {
            state.order = Some(acme.order_number(number.trim_start_matches('+')).await?);
            state.step = Step::Ordered;
            state.code_sent_ms = None;
            self.save_enrollment(&state)?;
            progress(Step::Ordered);
        }
        if state.step == Step::Ordered {
            let order = state.order.clone().ok_or(CoreError::NoCodeAwaited)?;
            let sent_ms = now_ms();
            acme.ready(&order).await?;
            state.step = Step::CodeSent;
            state.code_sent_ms = Some(sent_ms);
            self.save_enrollment(&state)?;
            progress(Step::CodeSent);
        }
        if state.step == Step::CodeSent {
            return Ok(Enrollment::AwaitingCode {
                number,
                sent_ms: state.code_sent_ms.unwrap_or_default(),
            });
        }
        self.finish(acme, state, progress).await
    }

    /// Renews the registered device ahead of its certificate's expiry: a fresh
    /// `sms-link-00` proof of the number, then a certificate for the device's own key, which
    /// the gateway takes as the same device (same id, grants and history). Stops when the
    /// SMS code is needed, like [`Assent::enroll`]; [`Assent::submit_code`] finishes it.
    pub async fn renew(
        &self,
        progress: &mut (dyn FnMut(Step) + Send),
    ) -> Result<Enrollment, CoreError> {
        let mut state = self.enrollment().ok_or(CoreError::NotEnrolled)?;
        if !state.renewing {
            if state.step != Step::Registered {
                return Err(CoreError::NotEnrolled);
            }
            state.renewing = true;
            state.step = Step::Account;
            state.order = None;
            state.code_sent_ms = None;
            self.save_enrollment(&state)?;
        }
        let number = state.number.clone();
        self.enroll(&number, progress).await
    }

    /// QA: the text of the SMS the gateway's handset simulator received for the number
    /// since the code was asked for; waits up to `patience` for it to arrive.
    pub async fn simulator_sms(&self, patience: Duration) -> Result<String, CoreError> {
        let state = self.enrollment().ok_or(CoreError::NoCodeAwaited)?;
        if state.step != Step::CodeSent {
            return Err(CoreError::NoCodeAwaited);
        }
        // Sent at or after the "ready", to the second (the simulator's clock is this one).
        let since_s = state.code_sent_ms.unwrap_or_default() / 1000 - 1;
        let url = format!(
            "{}/sim/handsets/{}/messages",
            self.gateway()?,
            state.number.trim_start_matches('+')
        );
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let response = self.http.get(&url).send().await.map_err(|_| {
                CoreError::Invalid("the handset simulator cannot be reached".into())
            })?;
            if !response.status().is_success() {
                return Err(CoreError::Invalid(format!(
                    "the handset simulator has no handset {} (is the gateway running with --demo?)",
                    state.number
                )));
            }
            let messages: Vec<SimMessage> = response.json().await.map_err(|_| {
                CoreError::Invalid("the handset simulator answered something unexpected".into())
            })?;
            let found = messages.into_iter().rev().find(|m| {
                m.kind == SimMessageKind::Sms
                    && time::OffsetDateTime::parse(
                        &m.sent_at,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .is_ok_and(|t| t.unix_timestamp() >= since_s)
            });
            if let Some(message) = found {
                return Ok(message.text);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(CoreError::Invalid(
                    "no SMS reached the simulated handset in time".into(),
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Completes the challenge with the code found in `sms_text` (the SMS as received, or
    /// what the user typed), then finishes the enrollment.
    pub async fn submit_code(
        &self,
        sms_text: &str,
        progress: &mut (dyn FnMut(Step) + Send),
    ) -> Result<Enrollment, CoreError> {
        let mut state = self.enrollment().ok_or(CoreError::NoCodeAwaited)?;
        if state.step != Step::CodeSent {
            return Err(CoreError::NoCodeAwaited);
        }
        let order = state.order.clone().ok_or(CoreError::NoCodeAwaited)?;
        let host = reqwest::Url::parse(self.gateway()?)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        let code = crate::sms_code::extract(sms_text, host.as_deref())?;
        let mut acme = self.acme(&state).await?;
        acme.complete(&order, &code.code).await?;
        state.step = Step::Validated;
        self.save_enrollment(&state)?;
        progress(Step::Validated);
        self.finish(acme, state, progress).await
    }

    /// Validated → certificate → registration.
    async fn finish(
        &self,
        mut acme: AcmeClient,
        mut state: EnrollmentState,
        progress: &mut (dyn FnMut(Step) + Send),
    ) -> Result<Enrollment, CoreError> {
        let order = state.order.clone().ok_or(CoreError::NoCodeAwaited)?;
        if state.step == Step::Validated {
            // The key is in the keyring before the CSR that certifies it leaves the device.
            // A renewal certifies the device's own key again.
            let existing = if state.renewing {
                self.secrets.key(Secret::DeviceKey).await?
            } else {
                None
            };
            let key = match existing {
                Some(key) => key,
                None => match self.secrets.key(Secret::PendingDeviceKey).await? {
                    Some(key) => key,
                    None => {
                        let key = assent_acme::jws::SigningKey::generate_es256();
                        self.secrets.set_key(Secret::PendingDeviceKey, &key).await?;
                        key
                    }
                },
            };
            let status = order_status(&mut acme, &order).await?;
            let chain = if status == Status::Ready {
                let pair = rcgen::KeyPair::from_pem(&key.to_pkcs8_pem())
                    .map_err(|e| CoreError::Invalid(format!("the device key: {e}")))?;
                let csr = assent_acme::csr::build_csr(order.number.trim_start_matches('+'), &pair)
                    .map_err(|e| CoreError::Invalid(format!("the certificate request: {e}")))?;
                acme.finalize(
                    &order.order_url,
                    &order.finalize_url,
                    &csr,
                    CERTIFICATE_PATIENCE,
                )
                .await?
            } else {
                acme.certificate(&order.order_url, CERTIFICATE_PATIENCE)
                    .await?
            };
            let der = leaf_certificate_der(&chain)?;
            state.certificate_expires = Some(not_after(&der)?);
            state.renew_from = Some(renew_from(&der)?);
            crate::profile::write_atomically(&self.dir.join(CERTIFICATE_FILE), chain.as_bytes())
                .map_err(|e| CoreError::Profile {
                    path: self.dir.clone(),
                    reason: e.to_string(),
                })?;
            self.secrets.set_key(Secret::DeviceKey, &key).await?;
            state.step = Step::Certified;
            self.save_enrollment(&state)?;
            self.secrets.delete(Secret::PendingDeviceKey).await?;
            progress(Step::Certified);
        }
        if state.step == Step::Certified {
            let chain = std::fs::read_to_string(self.dir.join(CERTIFICATE_FILE)).map_err(|e| {
                CoreError::Profile {
                    path: self.dir.join(CERTIFICATE_FILE),
                    reason: e.to_string(),
                }
            })?;
            let der = leaf_certificate_der(&chain)?;
            let key = self
                .secrets
                .key(Secret::DeviceKey)
                .await?
                .ok_or(CoreError::NotEnrolled)?;
            let mut device = DeviceClient::new(self.http.clone(), self.gateway()?, key);
            match device.register(&der, &device_name()).await {
                Ok(registered) => state.pending_approval = registered.pending_approval,
                Err(DeviceError::Refused { status: 409, .. }) => {
                    // Registered before the answer was lost: a new certificate, a new code.
                    state.step = Step::Account;
                    state.order = None;
                    self.save_enrollment(&state)?;
                    return Box::pin(self.enroll(&state.number, progress)).await;
                }
                Err(other) => return Err(other.into()),
            }
            state.device_id = device.device_id().map(str::to_owned);
            state.step = Step::Registered;
            state.renewing = false;
            self.save_enrollment(&state)?;
            progress(Step::Registered);
        }
        done(&state)
    }
}

/// The order's status as the server has it now (`pending`, `ready`, `valid`, …).
async fn order_status(acme: &mut AcmeClient, order: &NumberOrder) -> Result<Status, CoreError> {
    let order: Order = acme.fetch(&order.order_url).await?.json()?;
    Ok(order.status)
}

fn done(state: &EnrollmentState) -> Result<Enrollment, CoreError> {
    Ok(Enrollment::Enrolled {
        number: state.number.clone(),
        device_id: state.device_id.clone().ok_or(CoreError::NotEnrolled)?,
        certificate_expires: state.certificate_expires.clone().unwrap_or_default(),
        renew_from: state.renew_from.clone().unwrap_or_default(),
        pending_approval: state.pending_approval,
    })
}

fn device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "Assent device".into())
}

/// The first certificate of a PEM chain (the leaf, RFC 8555 §7.4.2), as DER.
pub fn leaf_certificate_der(chain: &str) -> Result<Vec<u8>, CoreError> {
    match x509_parser::pem::parse_x509_pem(chain.as_bytes()) {
        Ok((_, pem)) if pem.label == "CERTIFICATE" => Ok(pem.contents),
        _ => Err(CoreError::Invalid("the certificate is not PEM".into())),
    }
}

/// When renewal is due: a third of the certificate's lifetime before its notAfter, so that
/// a missed day or two still leaves time to prove the number again.
fn renew_from(der: &[u8]) -> Result<String, CoreError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|_| CoreError::Invalid("the certificate cannot be read".into()))?;
    let validity = cert.validity();
    let (from, to) = (
        validity.not_before.to_datetime(),
        validity.not_after.to_datetime(),
    );
    let lifetime: time::Duration = to - from;
    let due: time::OffsetDateTime = to - lifetime / 3;
    due.format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| CoreError::Invalid("the certificate's validity cannot be read".into()))
}

fn not_after(der: &[u8]) -> Result<String, CoreError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|_| CoreError::Invalid("the certificate cannot be read".into()))?;
    cert.validity()
        .not_after
        .to_datetime()
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| CoreError::Invalid("the certificate's expiry cannot be read".into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn numbers_are_normalized_or_refused() {
        for ok in [
            "+447700900001",
            "447700900001",
            "+44 7700 900001",
            "+44-7700-900001",
        ] {
            assert_eq!(normalize_number(ok).unwrap(), "+447700900001");
        }
        for bad in [
            "",
            "+44",
            "07700900001",
            "+44770090000a",
            "+4477009000011234567",
        ] {
            assert!(normalize_number(bad).is_err(), "{bad}");
        }
    }
}
