//! Each audit entry of the user's history as a sentence: which message of
//! `crates/core/locales/*.ftl` says what happened, with its arguments, and the technical
//! facts to show behind it. Without I/O: an entry and what this device knows (the SPs' names,
//! its own device id) in, a [`Description`] out.
//!
//! The description is formatted in the user's language by [`crate::words`] (the `assent`
//! command) and by the app's UI (`ui/src/words.ts`) from the same Fluent files, so a sentence
//! reads the same in both. Every shape of detail the gateway writes has its own sentence
//! (`grep -rn append_audit crates/gateway/src` lists them); a shape this version does not
//! know gets the kind's general sentence ([`Description::specific`] is then `false`), never
//! the raw JSON.

use assent_audit::{EntryKind, NewEntry};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// An entry in words: a message of the Fluent files, its arguments, and facts for the
/// details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Description {
    /// The message id in `crates/core/locales/*.ftl`.
    pub message: String,
    /// The message's arguments by name.
    pub args: BTreeMap<String, Arg>,
    /// What the entry recorded, for the details behind the sentence: a label (a `fact-*`
    /// message) and the value as recorded.
    pub facts: Vec<Fact>,
    /// `false` when the entry's detail has a shape this version does not know, and the
    /// sentence is only the kind's general one.
    pub specific: bool,
}

/// One argument of a message, typed so that the command and the app format it alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Arg {
    /// Words from outside the Fluent files (an SP's name), shown as they are and isolated
    /// where directions can mix.
    Text { value: String },
    /// A variant key the message selects on (`yes`, `this`…); never shown itself, so never
    /// isolated (isolation marks would make it match no variant).
    Choice { value: String },
    /// Attribute names, shown with the consent prompt's labels (`attr-*` of
    /// `crates/prompt/locales`) joined with `list-comma` and `list-and`.
    Attributes { names: Vec<String> },
    /// A day, shown as `date-day-month` in the local time zone.
    Date {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        ms: i64,
    },
    /// A count (plural variants select on it).
    Number {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        value: i64,
    },
    /// Another message of the same file, formatted first (`via-app`, `reason-…`, `kind-…`).
    Message { id: String },
}

/// A fact behind the sentence: its label (a `fact-*` message) and the value as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// What this device knows that the entries do not say.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// client_id → client_name, as the gateway sent them with the history.
    pub sp_names: &'a BTreeMap<String, String>,
    /// This device's id at the gateway, to say "this device" rather than "a device".
    pub this_device: Option<&'a str>,
}

/// The label message of a kind of entry (`kind-…`), as the History filter shows it.
pub fn kind_label(kind: EntryKind) -> String {
    format!("kind-{}", kind.name())
}

/// Describes one entry.
pub fn describe(entry: &NewEntry, context: &Context<'_>) -> Description {
    let detail = serde_json::from_str::<Value>(&entry.detail).ok();
    let said = detail
        .as_ref()
        .and_then(Value::as_object)
        .and_then(|detail| Said::new(entry, detail, context).specific());
    said.unwrap_or_else(|| general(entry, context))
}

/// The kind's general sentence, for a detail of a shape this version does not know.
fn general(entry: &NewEntry, context: &Context<'_>) -> Description {
    let mut d = Words::new("event-other", entry, context);
    d.arg(
        "kind",
        Arg::Message {
            id: kind_label(entry.kind),
        },
    );
    let mut d = d.done();
    d.specific = false;
    d
}

/// An entry being read: its detail as an object, and the words being put together.
struct Said<'a> {
    entry: &'a NewEntry,
    detail: &'a Map<String, Value>,
    context: &'a Context<'a>,
}

impl<'a> Said<'a> {
    fn new(entry: &'a NewEntry, detail: &'a Map<String, Value>, context: &'a Context<'a>) -> Self {
        Said {
            entry,
            detail,
            context,
        }
    }

    fn text(&self, key: &str) -> Option<&'a str> {
        self.detail.get(key).and_then(Value::as_str)
    }

    fn words(&self, message: &str) -> Words {
        let mut words = Words::new(message, self.entry, self.context);
        // The facts every shape may carry, as recorded.
        for (key, label) in [
            ("consent", "fact-consent"),
            ("scope", "fact-scope"),
            ("flow", "fact-flow"),
            ("endpoint", "fact-endpoint"),
            ("reason", "fact-reason"),
            ("device", "fact-device"),
            ("certificate", "fact-certificate"),
            ("serial", "fact-certificate"),
            ("token", "fact-token"),
            ("channel", "fact-channel"),
            ("expires_at", "fact-expires"),
            ("prompt", "fact-prompt"),
        ] {
            if let Some(value) = self.text(key) {
                words.fact(label, value);
            }
        }
        if let Some(attributes) = self.attributes() {
            words.fact("fact-attributes", &attributes.join(", "));
        }
        words
    }

    /// `attributes`, when it is a list of names.
    fn attributes(&self) -> Option<Vec<String>> {
        self.detail.get("attributes")?.as_array().map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
    }

    /// How the user was reached or answered, from the entry's authenticator.
    fn via(&self) -> Arg {
        let id = match self.entry.authenticator.as_deref() {
            Some("app") => "via-app",
            Some("ussd") => "via-ussd",
            Some("sms") => "via-sms",
            Some("browser") => "via-browser",
            _ => "via-other",
        };
        Arg::Message { id: id.into() }
    }

    /// `this` when `id` is this device, else `other`.
    fn which_device(&self, id: Option<&str>) -> Arg {
        let this = id.is_some() && id == self.context.this_device;
        choice(if this { "this" } else { "other" })
    }

    /// The entry's own sentence, or `None` when its detail has a shape not known here.
    fn specific(&self) -> Option<Description> {
        match self.entry.kind {
            EntryKind::AuthorizationRequest => {
                self.text("flow")?;
                Some(self.words("event-authorization-request").done())
            }
            EntryKind::PromptSent => {
                self.text("prompt")?;
                let message = match self.text("purpose") {
                    Some("sign_in") => "event-prompt-sent-sign-in",
                    None | Some("consent") => "event-prompt-sent",
                    Some(_) => return None,
                };
                let mut words = self.words(message);
                words.arg("via", self.via());
                Some(words.done())
            }
            EntryKind::Answer => self.answer(),
            EntryKind::Consent => {
                self.text("consent")?;
                // A long-lived consent under a catalog lifetime ends by itself (the gateway
                // writes when); one without ends only when withdrawn.
                let ends = self.text("expires_at").and_then(parse_rfc3339_ms);
                let message = match (self.text("kind"), ends) {
                    (Some("long_lived"), Some(_)) => "event-consent-until",
                    (Some("long_lived"), None) => "event-consent-long-lived",
                    (Some("transaction"), _) => "event-consent-once",
                    _ => return None,
                };
                let mut words = self.words(message);
                if let Some(ends) = ends {
                    words.arg("date", Arg::Date { ms: ends });
                }
                Some(words.done())
            }
            EntryKind::TokenIssued => {
                let message = match self.text("grant")? {
                    "refresh_token" => "event-token-renewed",
                    _ => "event-token-issued",
                };
                Some(self.words(message).done())
            }
            EntryKind::Refusal => {
                self.text("endpoint")?;
                Some(self.words("event-refusal").done())
            }
            EntryKind::Revocation => self.revocation(),
            EntryKind::ResourceAccess => self.resource_access(),
            EntryKind::Notification => self.notification(),
            EntryKind::SpFlagged => {
                self.text("flag")?;
                Some(self.words("event-reported").done())
            }
            EntryKind::Admin => self.admin(),
            EntryKind::ResourceRefused => {
                if self.detail.get("summary").and_then(Value::as_bool) == Some(true) {
                    let count = self.detail.get("refusals_not_listed")?.as_i64()?;
                    let mut words = self.words("event-refusals-summary");
                    words.arg("count", Arg::Number { value: count });
                    return Some(words.done());
                }
                self.text("endpoint")?;
                Some(self.words("event-resource-refused").done())
            }
        }
    }

    fn answer(&self) -> Option<Description> {
        if self.text("purpose") == Some("signed_decision") {
            let mut words = self.words("event-answer-signed");
            words.arg("device", self.which_device(self.text("device")));
            return Some(words.done());
        }
        let yes = match self.text("answer")? {
            "yes" => true,
            "no" => false,
            _ => return None,
        };
        let message = match (self.text("purpose"), yes) {
            (Some("consent"), true) => "event-answer-yes",
            (Some("consent"), false) => "event-answer-no",
            (Some("sign_in"), true) => "event-sign-in-yes",
            (Some("sign_in"), false) => "event-sign-in-no",
            _ => return None,
        };
        let mut words = self.words(message);
        words.arg("via", self.via());
        Some(words.done())
    }

    fn revocation(&self) -> Option<Description> {
        // A device revoked (by its user or the operator) is a revocation too.
        if self.text("action") == Some("device_revoked") {
            let message = match self.detail.get("by")? {
                Value::String(by) if by == "operator" => "event-device-revoked-by-operator",
                Value::Object(by) if by.contains_key("user") => "event-device-revoked-by-you",
                _ => return None,
            };
            let mut words = self.words(message);
            words.arg("device", self.which_device(self.text("device")));
            return Some(words.done());
        }
        let words = match self.text("by")? {
            "user" => match (self.attributes(), self.text("device")) {
                // Only some attributes of a consent withdrawn.
                (Some(attributes), _) if !attributes.is_empty() => {
                    let mut words = self.words("event-stopped-sharing");
                    words.arg("attributes", Arg::Attributes { names: attributes });
                    words
                }
                (_, Some(device)) if Some(device) == self.context.this_device => {
                    self.words("event-revoked-here")
                }
                (_, Some(_)) => self.words("event-revoked-elsewhere"),
                (_, None) => self.words("event-revoked-by-you"),
            },
            "expiry" => self.words("event-consent-expired"),
            "sp" => self.words("event-sp-gave-up"),
            "operator" => self.words("event-revoked-by-operator"),
            "gateway" => {
                let reason = match self.text("reason")? {
                    "code_reused" => "reason-code-reused",
                    "refresh_token_reused" => "reason-refresh-reused",
                    "push_not_acknowledged" => "reason-push-unconfirmed",
                    _ => return None,
                };
                let mut words = self.words("event-cut-off");
                words.arg(
                    "reason",
                    Arg::Message {
                        id: reason.to_owned(),
                    },
                );
                words
            }
            _ => return None,
        };
        Some(words.done())
    }

    fn resource_access(&self) -> Option<Description> {
        let attributes = self.attributes()?;
        if attributes.is_empty() {
            return Some(self.words("event-resource-none").done());
        }
        // Match services (`mc_…_match`) compare the values the SP sent: nothing is read.
        let services: Vec<&str> = self
            .detail
            .get("services")
            .and_then(Value::as_array)
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let matched = !services.is_empty() && services.iter().all(|s| s.ends_with("_match"));
        let mut words = self.words(if matched {
            "event-resource-matched"
        } else {
            "event-resource-read"
        });
        words.arg("attributes", Arg::Attributes { names: attributes });
        Some(words.done())
    }

    fn notification(&self) -> Option<Description> {
        if self.text("reminder") == Some("consent_expiry") {
            let ends = self.text("expires_at").and_then(parse_rfc3339_ms)?;
            let mut words = self.words("event-expiry-reminder");
            words.arg("date", Arg::Date { ms: ends });
            return Some(words.done());
        }
        // Shared Signals: what the SP was told about the user (issue 19).
        if let Some(signal) = self.text("signal") {
            let message = match (signal, self.text("outcome")?) {
                (_, "retrying") => "event-sp-signal-waiting",
                (_, "refused") => "event-sp-signal-refused",
                ("session-revoked", "delivered") => "event-sp-told-signed-out",
                ("tokens-revoked", "delivered") => "event-sp-told-access-ended",
                ("credential-change", "delivered") => "event-sp-told-new-device",
                _ => return None,
            };
            return Some(self.words(message).done());
        }
        let message = match (self.text("to")?, self.text("outcome"), self.text("kind")) {
            ("sp", Some("delivered"), _) => "event-sp-told",
            ("sp", Some("retrying"), _) => "event-sp-not-told-yet",
            ("sp", Some("abandoned"), _) => "event-sp-never-told",
            ("user", _, Some("resource_access")) => "event-you-were-told",
            ("user", _, Some("atp_check")) => "event-you-were-told-check",
            ("user", _, Some("access_notice")) => "event-told-by-sms",
            ("user", _, Some("care_notice")) => "event-care-told-by-sms",
            _ => return None,
        };
        Some(self.words(message).done())
    }

    fn admin(&self) -> Option<Description> {
        let device = self.which_device(self.text("device"));
        let (message, device) = match self.text("action")? {
            "device_registered" => match self.text("approval") {
                Some("pending") => ("event-device-waiting", Some(device)),
                _ => ("event-device-added", Some(device)),
            },
            "device_renewed" => ("event-device-renewed", Some(device)),
            "device_binding_approved" => ("event-device-approved", None),
            "device_binding_refused" => ("event-device-refused", None),
            "certificate_issued" => ("event-certificate-issued", None),
            "certificate_revoked" => ("event-certificate-revoked", None),
            "sim_change" => {
                let at = self.text("at").and_then(parse_rfc3339_ms)?;
                let mut words = self.words("event-sim-changed");
                words.arg("date", Arg::Date { ms: at });
                return Some(words.done());
            }
            "authenticators_set" => ("event-authenticators-changed", None),
            "acme_number_unlocked" => ("event-number-unlocked", None),
            "client_registered" => ("event-sp-registered", None),
            "blacklist_add" => ("event-sp-blocked", None),
            "blacklist_remove" => ("event-sp-unblocked", None),
            _ => return None,
        };
        let mut words = self.words(message);
        if let Some(device) = device {
            words.arg("device", device);
        }
        Some(words.done())
    }
}

/// A description being put together: every message names the SP (`$sp`, `$sp_known`).
struct Words {
    description: Description,
}

impl Words {
    fn new(message: &str, entry: &NewEntry, context: &Context<'_>) -> Self {
        let name = entry
            .sp
            .as_deref()
            .and_then(|id| context.sp_names.get(id))
            .filter(|name| !name.trim().is_empty());
        let mut args = BTreeMap::new();
        args.insert(
            "sp".to_owned(),
            Arg::Text {
                value: name.cloned().unwrap_or_default(),
            },
        );
        args.insert(
            "sp_known".to_owned(),
            choice(if name.is_some() { "yes" } else { "no" }),
        );
        let mut facts = Vec::new();
        if let Some(id) = &entry.sp {
            facts.push(Fact {
                label: "fact-service".into(),
                value: id.clone(),
            });
        }
        Words {
            description: Description {
                message: message.to_owned(),
                args,
                facts,
                specific: true,
            },
        }
    }

    fn arg(&mut self, name: &str, value: Arg) {
        self.description.args.insert(name.to_owned(), value);
    }

    fn fact(&mut self, label: &str, value: &str) {
        self.description.facts.push(Fact {
            label: label.to_owned(),
            value: value.to_owned(),
        });
    }

    fn done(self) -> Description {
        self.description
    }
}

fn choice(value: &str) -> Arg {
    Arg::Choice {
        value: value.to_owned(),
    }
}

fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::words::Phrasebook;

    const THIS: &str = "d-this";

    struct Case {
        kind: EntryKind,
        sp: Option<&'static str>,
        authenticator: Option<&'static str>,
        detail: &'static str,
        message: &'static str,
        english: &'static str,
        /// `[S]` stands for "Demo Shop" isolated (FSI…PDI), as in every Arabic sentence.
        arabic: &'static str,
    }

    fn case(
        kind: EntryKind,
        sp: Option<&'static str>,
        authenticator: Option<&'static str>,
        detail: &'static str,
        message: &'static str,
        english: &'static str,
        arabic: &'static str,
    ) -> Case {
        Case {
            kind,
            sp,
            authenticator,
            detail,
            message,
            english,
            arabic,
        }
    }

    /// Every shape of detail the gateway writes (flows/*.rs), and those being added (a
    /// withdrawal of some attributes, an expired consent, an expiry reminder).
    fn cases() -> Vec<Case> {
        use EntryKind as K;
        let demo = Some("demo-sp");
        vec![
            case(
                K::AuthorizationRequest,
                demo,
                Some("ussd"),
                r#"{"flow":"code","scope":"openid mc_vm_share","consent_on":"browser"}"#,
                "event-authorization-request",
                "Demo Shop asked to use your data.",
                "طلب [S] استخدام بياناتك.",
            ),
            case(
                K::AuthorizationRequest,
                demo,
                None,
                r#"{"flow":"ciba","mode":"poll","scope":"openid","binding_message":null}"#,
                "event-authorization-request",
                "Demo Shop asked to use your data.",
                "طلب [S] استخدام بياناتك.",
            ),
            case(
                K::PromptSent,
                demo,
                Some("ussd"),
                r#"{"prompt":"Demo Shop asks for: email. 1 Yes / 2 No","encoding":"gsm7","units":40}"#,
                "event-prompt-sent",
                "You were asked by USSD whether to share your data with Demo Shop.",
                "سُئلتَ عبر USSD إن كنت تريد مشاركة بياناتك مع [S].",
            ),
            case(
                K::PromptSent,
                demo,
                Some("app"),
                r#"{"prompt":"Demo Shop asks for: email.","encoding":"utf8","purpose":"consent"}"#,
                "event-prompt-sent",
                "You were asked in the app whether to share your data with Demo Shop.",
                "سُئلتَ في التطبيق إن كنت تريد مشاركة بياناتك مع [S].",
            ),
            case(
                K::PromptSent,
                demo,
                Some("sms"),
                r#"{"prompt":"Demo Shop asks to sign you in.","encoding":"gsm7","purpose":"sign_in"}"#,
                "event-prompt-sent-sign-in",
                "You were asked by SMS to confirm signing in to Demo Shop.",
                "طُلب منك عبر رسالة SMS تأكيد تسجيل دخولك إلى [S].",
            ),
            case(
                K::Answer,
                demo,
                Some("app"),
                r#"{"answer":"yes","purpose":"consent"}"#,
                "event-answer-yes",
                "You approved Demo Shop's request in the app.",
                "وافقتَ على طلب [S] في التطبيق.",
            ),
            case(
                K::Answer,
                demo,
                Some("ussd"),
                r#"{"answer":"no","purpose":"consent"}"#,
                "event-answer-no",
                "You denied Demo Shop's request by USSD.",
                "رفضتَ طلب [S] عبر USSD.",
            ),
            case(
                K::Answer,
                demo,
                Some("sms"),
                r#"{"answer":"yes","purpose":"sign_in"}"#,
                "event-sign-in-yes",
                "You confirmed signing in to Demo Shop by SMS.",
                "أكّدتَ تسجيل دخولك إلى [S] عبر رسالة SMS.",
            ),
            case(
                K::Answer,
                demo,
                Some("browser"),
                r#"{"answer":"no","purpose":"sign_in"}"#,
                "event-sign-in-no",
                "You refused to sign in to Demo Shop in your browser.",
                "رفضتَ تسجيل الدخول إلى [S] في متصفحك.",
            ),
            case(
                K::Answer,
                None,
                Some("app"),
                r#"{"purpose":"signed_decision","device":"d-this","prompt_sha256":"ab","shown":null,"decision_sha256":"cd"}"#,
                "event-answer-signed",
                "This device signed your answer over the exact text you saw.",
                "وقّع هذا الجهاز إجابتك على النص نفسه الذي رأيته.",
            ),
            case(
                K::Answer,
                None,
                Some("app"),
                r#"{"purpose":"signed_decision","device":"d-laptop","prompt_sha256":"ab","shown":{"device":{},"locale":"fr"},"decision_sha256":"cd"}"#,
                "event-answer-signed",
                "One of your devices signed your answer over the exact text you saw.",
                "وقّع أحد أجهزتك إجابتك على النص نفسه الذي رأيته.",
            ),
            case(
                K::Consent,
                demo,
                Some("app"),
                r#"{"consent":"c-1","kind":"long_lived","scope":"openid mc_vm_share","prompt":"Demo Shop asks for: email."}"#,
                "event-consent-long-lived",
                "You allowed Demo Shop to use your data until you withdraw it.",
                "سمحتَ لـ [S] باستخدام بياناتك إلى أن تسحب موافقتك.",
            ),
            case(
                K::Consent,
                demo,
                Some("app"),
                r#"{"consent":"c-3","kind":"long_lived","scope":"openid mc_vm_share","prompt":"Demo Shop asks for: email.","receipt":"rc-1","expires_at":"2027-06-04T10:00:00Z"}"#,
                "event-consent-until",
                "You allowed Demo Shop to use your data until 4 June, or until you withdraw it.",
                "سمحتَ لـ [S] باستخدام بياناتك حتى 4 يونيو، أو إلى أن تسحب موافقتك.",
            ),
            case(
                K::Consent,
                demo,
                Some("ussd"),
                r#"{"consent":"c-2","kind":"transaction","scope":"openid","prompt":"…"}"#,
                "event-consent-once",
                "You allowed Demo Shop to use your data once.",
                "سمحتَ لـ [S] باستخدام بياناتك مرة واحدة.",
            ),
            case(
                K::TokenIssued,
                demo,
                Some("app"),
                r#"{"grant":"ciba","scope":"openid","policy":"long_lived","expires_in":3600,"request":"abc","family":"f-1"}"#,
                "event-token-issued",
                "Demo Shop was given access to your data.",
                "حصل [S] على إذن بالوصول إلى بياناتك.",
            ),
            case(
                K::TokenIssued,
                demo,
                Some("app"),
                r#"{"grant":"refresh_token","scope":"openid","policy":"long_lived","expires_in":3600,"request":null,"family":"f-1"}"#,
                "event-token-renewed",
                "Demo Shop renewed its access to your data.",
                "جدّد [S] وصوله إلى بياناتك.",
            ),
            case(
                K::Refusal,
                demo,
                None,
                r#"{"endpoint":"/bc-authorize","reason":"blacklisted"}"#,
                "event-refusal",
                "A request from Demo Shop was refused.",
                "رُفض طلبٌ من [S].",
            ),
            case(
                K::Revocation,
                demo,
                Some("ussd"),
                r#"{"by":"gateway","reason":"code_reused","revoked":2}"#,
                "event-cut-off",
                "The gateway cut off Demo Shop's access to protect you: a sign-in code was used twice.",
                "قطعت البوابة وصول [S] لحمايتك: استُخدم رمز تسجيل دخول مرتين.",
            ),
            case(
                K::Revocation,
                demo,
                None,
                r#"{"by":"gateway","reason":"refresh_token_reused","revoked":3}"#,
                "event-cut-off",
                "The gateway cut off Demo Shop's access to protect you: an old access key was used again.",
                "قطعت البوابة وصول [S] لحمايتك: أُعيد استخدام مفتاح وصول قديم.",
            ),
            case(
                K::Revocation,
                demo,
                None,
                r#"{"by":"gateway","reason":"push_not_acknowledged","revoked":1}"#,
                "event-cut-off",
                "The gateway cut off Demo Shop's access to protect you: it did not confirm receiving your data.",
                "قطعت البوابة وصول [S] لحمايتك: لم يُؤكَّد استلام بياناتك.",
            ),
            case(
                K::Revocation,
                demo,
                None,
                r#"{"by":"sp","token":"0123456789abcdef"}"#,
                "event-sp-gave-up",
                "Demo Shop gave up its access to your data.",
                "تخلّى [S] عن وصوله إلى بياناتك.",
            ),
            case(
                K::Revocation,
                demo,
                Some("app"),
                r#"{"by":"user","consent":"c-1","device":"d-this"}"#,
                "event-revoked-here",
                "You revoked Demo Shop's access on this device.",
                "ألغيتَ وصول [S] من هذا الجهاز.",
            ),
            case(
                K::Revocation,
                demo,
                Some("app"),
                r#"{"by":"user","consent":"c-1","device":"d-laptop"}"#,
                "event-revoked-elsewhere",
                "You revoked Demo Shop's access on another of your devices.",
                "ألغيتَ وصول [S] من جهاز آخر من أجهزتك.",
            ),
            case(
                K::Revocation,
                demo,
                Some("app"),
                r#"{"by":"user","consent":"c-1","attributes":["email","phone_number"]}"#,
                "event-stopped-sharing",
                "You stopped sharing your email and phone number with Demo Shop.",
                "أوقفتَ مشاركة بياناتك هذه مع [S]: البريد الإلكتروني ورقم الهاتف.",
            ),
            case(
                K::Revocation,
                demo,
                None,
                r#"{"by":"expiry","consent":"c-1"}"#,
                "event-consent-expired",
                "Demo Shop's access ended: the consent expired.",
                "انتهى وصول [S]: انتهت صلاحية الموافقة.",
            ),
            case(
                K::Revocation,
                demo,
                None,
                r#"{"by":"operator","consent":"c-1","receipt":"r-1"}"#,
                "event-revoked-by-operator",
                "Customer care revoked Demo Shop's access to your data, on your behalf.",
                "ألغت خدمة العملاء نيابةً عنك وصول [S] إلى بياناتك.",
            ),
            case(
                K::Notification,
                None,
                Some("sms"),
                r#"{"to":"user","kind":"access_notice","channel":"sms","policy":"daily","accesses":3,"sps":["demo-sp"]}"#,
                "event-told-by-sms",
                "You were told by SMS which services used your data.",
                "أُبلغتَ برسالة نصية بالخدمات التي استخدمت بياناتك.",
            ),
            case(
                K::Notification,
                None,
                Some("sms"),
                r#"{"to":"user","kind":"care_notice","channel":"sms","queued":"q-1"}"#,
                "event-care-told-by-sms",
                "You were told by SMS of what customer care did for you.",
                "أُبلغتَ برسالة نصية بما قامت به خدمة العملاء من أجلك.",
            ),
            case(
                K::Revocation,
                None,
                Some("app"),
                r#"{"action":"device_revoked","device":"d-this","by":{"user":{"device":"d-this"}}}"#,
                "event-device-revoked-by-you",
                "You revoked this device.",
                "ألغيتَ هذا الجهاز.",
            ),
            case(
                K::Revocation,
                None,
                Some("app"),
                r#"{"action":"device_revoked","device":"d-old","by":"operator"}"#,
                "event-device-revoked-by-operator",
                "The operator revoked one of your devices.",
                "ألغى المشغّل أحد أجهزتك.",
            ),
            case(
                K::ResourceAccess,
                demo,
                None,
                r#"{"endpoint":"premiuminfo","services":["mc_vm_share"],"attributes":["given_name","email"],"response_sha256":"ab","token":"cd","generic_token":false}"#,
                "event-resource-read",
                "Demo Shop read your given name and email.",
                "قرأ [S] بياناتك هذه: الاسم الأول والبريد الإلكتروني.",
            ),
            case(
                K::ResourceAccess,
                demo,
                None,
                r#"{"endpoint":"premiuminfo","services":["mc_vm_match"],"attributes":["family_name"],"response_sha256":"ab","token":"cd","generic_token":false}"#,
                "event-resource-matched",
                "Demo Shop checked your family name against what it holds.",
                "قارن [S] بياناتك هذه بما لديه: اسم العائلة.",
            ),
            case(
                K::ResourceAccess,
                demo,
                None,
                r#"{"endpoint":"premiuminfo","services":["mc_atp"],"attributes":[],"response_sha256":"ab","token":"cd","generic_token":true}"#,
                "event-resource-none",
                "Demo Shop checked your account; no data was shared.",
                "تحقّق [S] من حسابك، ولم تُشارَك أي بيانات.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"sp","mode":"ping","outcome":"delivered","request":"ab","attempt":1}"#,
                "event-sp-told",
                "Demo Shop was told of your answer.",
                "أُبلغ [S] بإجابتك.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"sp","mode":"push","outcome":"retrying","request":"ab","attempt":2}"#,
                "event-sp-not-told-yet",
                "Demo Shop could not be told of your answer yet; the gateway will try again.",
                "تعذّر إبلاغ [S] بإجابتك حتى الآن؛ ستحاول البوابة مجددًا.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"sp","mode":"ping","outcome":"abandoned","request":"ab","attempt":7}"#,
                "event-sp-never-told",
                "Demo Shop could not be told of your answer; the gateway gave up.",
                "تعذّر إبلاغ [S] بإجابتك؛ توقفت البوابة عن المحاولة.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"sp","signal":"session-revoked","stream":"ss-1","jti":"set-1","delivery":"push","attempt":1,"outcome":"delivered"}"#,
                "event-sp-told-signed-out",
                "Demo Shop was told to sign you out.",
                "طُلب من [S] إنهاء جلستك.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"sp","signal":"tokens-revoked","stream":"ss-1","jti":"set-2","delivery":"poll","outcome":"delivered"}"#,
                "event-sp-told-access-ended",
                "Demo Shop was told that its access to your data ended.",
                "أُبلغ [S] بانتهاء وصوله إلى بياناتك.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"sp","signal":"credential-change","stream":"ss-1","jti":"set-3","delivery":"push","attempt":1,"outcome":"delivered"}"#,
                "event-sp-told-new-device",
                "Demo Shop was told that you added a new device.",
                "أُبلغ [S] بأنك أضفت جهازًا جديدًا.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"sp","signal":"session-revoked","stream":"ss-1","jti":"set-1","delivery":"push","attempt":2,"outcome":"retrying"}"#,
                "event-sp-signal-waiting",
                "Demo Shop could not be told yet; the gateway will try again.",
                "تعذّر إبلاغ [S] حتى الآن؛ ستحاول البوابة مجددًا.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"sp","signal":"tokens-revoked","stream":"ss-1","jti":"set-2","delivery":"push","attempt":1,"outcome":"refused","err":"invalid_audience"}"#,
                "event-sp-signal-refused",
                "Demo Shop did not accept the gateway's notice.",
                "لم يقبل [S] إشعار البوابة.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"user","kind":"resource_access"}"#,
                "event-you-were-told",
                "You were notified that Demo Shop used your data.",
                "أُبلغتَ بأن [S] استخدم بياناتك.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"to":"user","kind":"atp_check"}"#,
                "event-you-were-told-check",
                "You were notified that Demo Shop checked your account.",
                "أُبلغتَ بأن [S] تحقّق من حسابك.",
            ),
            case(
                K::Notification,
                demo,
                None,
                r#"{"reminder":"consent_expiry","consent":"c-1","expires_at":"2027-06-12T10:00:00Z","channel":"sms"}"#,
                "event-expiry-reminder",
                "Reminder: Demo Shop's access ends on 12 June.",
                "تذكير: ينتهي وصول [S] في 12 يونيو.",
            ),
            case(
                K::SpFlagged,
                demo,
                Some("app"),
                r#"{"flag":"fl-1","reason":"asked twice a day"}"#,
                "event-reported",
                "You reported Demo Shop to the operator.",
                "أبلغتَ المشغّل عن [S].",
            ),
            case(
                K::Admin,
                None,
                Some("app"),
                r#"{"action":"device_registered","device":"d-this","certificate":"01ab","approval":"approved"}"#,
                "event-device-added",
                "This device was added to your account.",
                "أُضيف هذا الجهاز إلى حسابك.",
            ),
            case(
                K::Admin,
                None,
                Some("app"),
                r#"{"action":"device_registered","device":"d-new","certificate":"01ab","approval":"pending"}"#,
                "event-device-waiting",
                "A new device asked to join your account and waits for your approval.",
                "طلب جهاز جديد الانضمام إلى حسابك، وينتظر موافقتك.",
            ),
            case(
                K::Admin,
                None,
                Some("app"),
                r#"{"action":"device_renewed","device":"d-this","certificate":"02cd"}"#,
                "event-device-renewed",
                "This device's certificate was renewed.",
                "جُدّدت شهادة هذا الجهاز.",
            ),
            case(
                K::Admin,
                None,
                Some("app"),
                r#"{"action":"device_binding_approved","device":"d-new"}"#,
                "event-device-approved",
                "You approved adding a new device to your account.",
                "وافقتَ على إضافة جهاز جديد إلى حسابك.",
            ),
            case(
                K::Admin,
                None,
                Some("app"),
                r#"{"action":"device_binding_refused","device":"d-new"}"#,
                "event-device-refused",
                "You refused to add a new device to your account.",
                "رفضتَ إضافة جهاز جديد إلى حسابك.",
            ),
            case(
                K::Admin,
                None,
                Some("acme"),
                r#"{"action":"certificate_issued","serial":"01ab"}"#,
                "event-certificate-issued",
                "A certificate for your number was issued after you proved it by SMS.",
                "صدرت شهادة لرقمك بعد أن أثبتَّه عبر رسالة SMS.",
            ),
            case(
                K::Admin,
                None,
                Some("acme"),
                r#"{"action":"certificate_revoked","serial":"01ab"}"#,
                "event-certificate-revoked",
                "A certificate for your number was revoked.",
                "أُلغيت شهادة لرقمك.",
            ),
            case(
                K::Admin,
                None,
                None,
                r#"{"action":"sim_change","at":"2027-03-01T08:00:00Z"}"#,
                "event-sim-changed",
                "Your SIM card changed on 1 March; proofs of your number are held for a while.",
                "تغيّرت شريحة SIM الخاصة بك في 1 مارس؛ تُعلَّق إثباتات رقمك لبعض الوقت.",
            ),
            case(
                K::Admin,
                None,
                None,
                r#"{"action":"authenticators_set"}"#,
                "event-authenticators-changed",
                "The operator changed how you are asked for consent.",
                "غيّر المشغّل طريقة طلب موافقتك.",
            ),
            case(
                K::Admin,
                None,
                None,
                r#"{"action":"acme_number_unlocked"}"#,
                "event-number-unlocked",
                "The operator unlocked the verification of your number.",
                "رفع المشغّل القفل عن التحقق من رقمك.",
            ),
            case(
                K::Admin,
                demo,
                None,
                r#"{"action":"client_registered"}"#,
                "event-sp-registered",
                "The operator registered Demo Shop.",
                "سجّل المشغّل [S].",
            ),
            case(
                K::Admin,
                demo,
                None,
                r#"{"action":"blacklist_add"}"#,
                "event-sp-blocked",
                "The operator blocked Demo Shop.",
                "حظر المشغّل [S].",
            ),
            case(
                K::Admin,
                demo,
                None,
                r#"{"action":"blacklist_remove"}"#,
                "event-sp-unblocked",
                "The operator unblocked Demo Shop.",
                "رفع المشغّل الحظر عن [S].",
            ),
            case(
                K::ResourceRefused,
                demo,
                None,
                r#"{"endpoint":"/premiuminfo","error":"invalid_token","reason":"the token expired"}"#,
                "event-resource-refused",
                "Demo Shop asked for your data and was refused.",
                "طلب [S] بياناتك فرُفض طلبه.",
            ),
            case(
                K::ResourceRefused,
                None,
                None,
                r#"{"endpoint":"/userinfo","error":"no_token","reason":"no token"}"#,
                "event-resource-refused",
                "A request for your data was refused.",
                "رُفض طلبٌ للحصول على بياناتك.",
            ),
            case(
                K::ResourceRefused,
                demo,
                None,
                r#"{"summary":true,"per":"sp","minute":"2027-01-01T10:00:00Z","refusals_not_listed":3}"#,
                "event-refusals-summary",
                "3 more refused requests from Demo Shop were counted without being listed.",
                "حُسبت 3 طلبات مرفوضة إضافية من [S] دون أن تُدرَج.",
            ),
            case(
                K::ResourceRefused,
                None,
                None,
                r#"{"summary":true,"per":"address","address":"127.0.0.1","minute":"2027-01-01T10:00:00Z","refusals_not_listed":1}"#,
                "event-refusals-summary",
                "One more refused request was counted without being listed.",
                "حُسب طلبٌ مرفوض إضافي دون أن يُدرَج.",
            ),
        ]
    }

    fn entry(case: &Case) -> NewEntry {
        NewEntry {
            at_ms: 1_800_000_000_000,
            kind: case.kind,
            user: Some("u-marie".into()),
            sp: case.sp.map(str::to_owned),
            authenticator: case.authenticator.map(str::to_owned),
            detail: case.detail.into(),
        }
    }

    fn names() -> BTreeMap<String, String> {
        BTreeMap::from([("demo-sp".to_owned(), "Demo Shop".to_owned())])
    }

    #[test]
    fn every_shape_has_its_own_sentence_in_english_and_arabic() {
        let names = names();
        let context = Context {
            sp_names: &names,
            this_device: Some(THIS),
        };
        let english = Phrasebook::new("en").unwrap();
        let arabic = Phrasebook::new("ar").unwrap();
        let utc = jiff::tz::TimeZone::UTC;
        for case in cases() {
            let described = describe(&entry(&case), &context);
            assert_eq!(
                (described.message.as_str(), described.specific),
                (case.message, true),
                "{}",
                case.detail
            );
            assert_eq!(english.sentence(&described, &utc), case.english);
            let isolated = case.arabic.replace("[S]", "\u{2068}Demo Shop\u{2069}");
            assert_eq!(
                arabic.sentence(&described, &utc),
                isolated,
                "{}",
                case.detail
            );
        }
    }

    /// The app formats descriptions with the same files (ui/src/words.ts): this file holds
    /// every case's description and its sentence as the command says it, in three
    /// languages, and the UI's tests check that the app says the same
    /// (`UPDATE_SENTENCES=1 cargo test -p assent-core sentences` writes it).
    #[test]
    fn the_sentences_the_app_must_say_are_current() {
        let names = names();
        let context = Context {
            sp_names: &names,
            this_device: Some(THIS),
        };
        let mut examples = Vec::new();
        for tag in ["en", "ar", "de"] {
            let words = Phrasebook::new(tag).unwrap();
            for case in cases() {
                let description = describe(&entry(&case), &context);
                let sentence = words.sentence(&description, &jiff::tz::TimeZone::UTC);
                examples.push(serde_json::json!({
                    "locale": tag, "description": description, "sentence": sentence,
                }));
            }
        }
        let fresh = serde_json::to_string_pretty(&examples).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sentences.json");
        if std::env::var_os("UPDATE_SENTENCES").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run UPDATE_SENTENCES=1 cargo test -p assent-core sentences",
            path.display()
        );
    }

    #[test]
    fn no_sentence_shows_json_an_identifier_or_a_placeholder() {
        let names = names();
        let context = Context {
            sp_names: &names,
            this_device: Some(THIS),
        };
        for tag in ["en", "de", "fr", "es", "pt", "tr", "ar", "ja", "hi"] {
            let words = Phrasebook::new(tag).unwrap();
            for case in cases() {
                let sentence =
                    words.sentence(&describe(&entry(&case), &context), &jiff::tz::TimeZone::UTC);
                for bad in [
                    "{", "}", "$", "_", " - ", "demo-sp", "d-this", "c-1", "event-", "via-",
                ] {
                    assert!(!sentence.contains(bad), "{tag}: {sentence:?} has {bad:?}");
                }
            }
        }
    }

    /// The facts behind a sentence are the entry's own values.
    #[test]
    fn the_facts_are_what_the_entry_recorded() {
        let names = names();
        let context = Context {
            sp_names: &names,
            this_device: None,
        };
        let consent = entry(
            cases()
                .iter()
                .find(|c| c.message == "event-consent-long-lived")
                .unwrap(),
        );
        let facts = describe(&consent, &context).facts;
        let fact = |label: &str| {
            facts
                .iter()
                .find(|f| f.label == label)
                .map(|f| f.value.as_str())
        };
        assert_eq!(fact("fact-service"), Some("demo-sp"));
        assert_eq!(fact("fact-consent"), Some("c-1"));
        assert_eq!(fact("fact-scope"), Some("openid mc_vm_share"));
        assert_eq!(fact("fact-prompt"), Some("Demo Shop asks for: email."));
    }

    /// Without the SP's name the sentence says "a service", never an id or a dash; an
    /// unknown shape gets the kind's general sentence, never the JSON.
    #[test]
    fn an_unnamed_sp_and_an_unknown_shape_are_still_said_in_words() {
        let nobody = BTreeMap::new();
        let context = Context {
            sp_names: &nobody,
            this_device: None,
        };
        let english = Phrasebook::new("en").unwrap();
        let arabic = Phrasebook::new("ar").unwrap();
        let utc = jiff::tz::TimeZone::UTC;
        let read = entry(
            cases()
                .iter()
                .find(|c| c.message == "event-resource-read")
                .unwrap(),
        );
        let said = describe(&read, &context);
        assert!(said.specific);
        assert_eq!(
            english.sentence(&said, &utc),
            "A service read your given name and email."
        );
        assert_eq!(
            arabic.sentence(&said, &utc),
            "قرأت خدمةٌ بياناتك هذه: الاسم الأول والبريد الإلكتروني."
        );
        for (kind, detail, english_sentence) in [
            (
                EntryKind::Consent,
                r#"{"something":"new"}"#,
                "An event of the kind “Consents you gave” was recorded for Demo Shop.",
            ),
            (
                EntryKind::Revocation,
                r#"{"by":"court_order"}"#,
                "An event of the kind “Access withdrawn” was recorded for Demo Shop.",
            ),
            (
                EntryKind::Admin,
                "not json at all",
                "An event of the kind “Your account and devices” was recorded for Demo Shop.",
            ),
            (
                EntryKind::Answer,
                r#"["a","list"]"#,
                "An event of the kind “Your answers” was recorded for Demo Shop.",
            ),
        ] {
            let names = names();
            let context = Context {
                sp_names: &names,
                this_device: None,
            };
            let odd = NewEntry {
                kind,
                detail: detail.into(),
                ..read.clone()
            };
            let said = describe(&odd, &context);
            assert_eq!(
                (said.message.as_str(), said.specific),
                ("event-other", false)
            );
            assert_eq!(english.sentence(&said, &utc), english_sentence);
        }
        let unnamed = NewEntry {
            sp: None,
            kind: EntryKind::Consent,
            detail: "{}".into(),
            ..read
        };
        assert_eq!(
            english.sentence(&describe(&unnamed, &context), &utc),
            "An event of the kind “Consents you gave” was recorded."
        );
    }
}
