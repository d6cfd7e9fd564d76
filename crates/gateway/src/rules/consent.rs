//! Consent rules without I/O (MC_ATTR_06..17, MC_ATTR_21): what a prompt shows and how it
//! is rendered for a device, who is a minor, the values an attribute takes, and the id of
//! the consent an answer records.

use crate::base::ids::token_hash;
use crate::base::model::{Client, User};
use crate::rules::catalog::{Catalog, ServiceKind};
use crate::rules::oauth::OAuthError;
use assent_prompt::wire::{PromptContent, WireAttribute, WireLifetime, WirePresentation};
use assent_prompt::{Attribute, DeviceKind, DeviceProfile, Encoding};

/// Age of majority for MC_ATTR_21 (the demo market's rule).
const AGE_OF_MAJORITY: u8 = 18;
/// The language of prompts sent by the gateway (the user's own choice arrives with the app).
const PROMPT_LOCALE: &str = "en";

/// A consent prompt as rendered for the handset.
#[derive(Debug, Clone)]
pub struct OutgoingPrompt {
    pub text: String,
    pub encoding: String,
    pub units: i64,
    /// What the prompt says without its device, for the app to render on its own screen
    /// (`None` for texts that are not prompts, such as an enrollment SMS).
    pub content: Option<assent_prompt::wire::PromptContent>,
}

impl OutgoingPrompt {
    /// A text that is no prompt (a notice, a code), labelled GSM 7-bit as the simulator
    /// shows it; its size in characters.
    pub fn plain(text: String) -> Self {
        OutgoingPrompt {
            units: i64::try_from(text.chars().count()).unwrap_or(i64::MAX),
            encoding: "gsm7".into(),
            text,
            content: None,
        }
    }
}

/// What the prompt on the Authentication Device asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Authentication and consent in one interaction (MC_ATTR_17).
    Consent,
    /// Authentication only: consent is captured on the browser page (MC_ATTR_08).
    SignIn,
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

/// Whether a consent is in force at `now_ms`: not revoked, and not past its end.
pub fn in_force(revoked_ms: Option<i64>, expires_ms: Option<i64>, now_ms: i64) -> bool {
    revoked_ms.is_none() && expires_ms.is_none_or(|end| now_ms < end)
}

/// The attributes a generic token's answer withholds from the user's consents in force to
/// the SP: those every one of them withdrew. A newer consent that gives an attribute again
/// gives it, whatever an older one withdrew.
pub fn withheld_by_all(withdrawn: &[&[String]]) -> Vec<String> {
    let Some((first, rest)) = withdrawn.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|name| rest.iter().all(|other| other.contains(name)))
        .cloned()
        .collect()
}

/// The user's value of an attribute the catalog may name.
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

/// The attributes a request would share, with the user's values (share services) or names
/// only (match services: the SP's claims are compared, not shown).
fn prompt_attributes(catalog: &Catalog, user: &User, scope: &[String]) -> Vec<Attribute> {
    let mut attributes: Vec<Attribute> = Vec::new();
    for service in scope.iter().filter_map(|s| catalog.service(s)) {
        for rule in &service.attributes {
            let name = rule.name.as_str();
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
                group: Some(crate::rules::catalog::group_of(name).to_owned()),
            });
        }
    }
    if attributes.is_empty() {
        // openid alone: the user still confirms who is asking and for which number.
        attributes.push(Attribute {
            name: "device_msisdn".into(),
            value: None,
            group: Some("phone".into()),
        });
    }
    attributes
}

fn render_error(error: impl std::fmt::Display) -> OAuthError {
    tracing::error!(error = %error, "no prompt fits the device");
    OAuthError::server_error()
}

/// MC_ATTR_18: transactional tokens live at most 10 s.
pub const TRANSACTIONAL_MAX_TTL_S: i64 = 10;

/// What a request says beyond who asks for what: how long the permission lasts and the
/// CIBA binding message (a large screen's card shows both).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestTerms {
    pub lifetime: Option<WireLifetime>,
    pub binding_message: Option<String>,
}

/// How long what `client` asks for lasts, by its token policy (MC_ATTR_18) and, for a
/// long-lived consent, the catalog's lifetime for `scope` from `now_ms`.
pub fn lifetime_of(
    catalog: &Catalog,
    client: &Client,
    scope: &[String],
    now_ms: i64,
) -> Option<WireLifetime> {
    match client.token_policy.as_str() {
        "one_time" => Some(WireLifetime::OneTime),
        "transactional" => Some(WireLifetime::Transaction {
            seconds: u32::try_from(client.token_ttl_seconds.clamp(1, TRANSACTIONAL_MAX_TTL_S))
                .unwrap_or(10),
        }),
        "long_lived" => Some(WireLifetime::LongLived {
            until: catalog.consent_lifetime_ms(scope).map(|lifetime| {
                crate::base::clock::rfc3339(now_ms + lifetime)
                    .get(..10)
                    .unwrap_or_default()
                    .to_owned()
            }),
        }),
        _ => None,
    }
}

/// The consent prompt for `device` (MC_ATTR_10..17), from `assent-prompt`.
pub fn render_consent(
    catalog: &Catalog,
    client: &Client,
    user: &User,
    scope: &[String],
    device: DeviceProfile,
    terms: &RequestTerms,
) -> Result<OutgoingPrompt, OAuthError> {
    let content = PromptContent::Consent {
        client_name: client.client_name.clone(),
        locale: PROMPT_LOCALE.into(),
        attributes: prompt_attributes(catalog, user, scope)
            .into_iter()
            .map(|a| WireAttribute {
                name: a.name,
                value: a.value,
                group: a.group,
            })
            .collect(),
        ask_assurance: true,
        presentation: WirePresentation::Auto,
        lifetime: terms.lifetime.clone(),
        binding_message: terms.binding_message.clone(),
    };
    outgoing(content, &device)
}

/// The consent text of the browser page (MC_ATTR_08: consent on the Consumption Device).
pub fn render_for_browser(
    catalog: &Catalog,
    client: &Client,
    user: &User,
    scope: &[String],
) -> Result<OutgoingPrompt, OAuthError> {
    let screen = DeviceProfile {
        kind: DeviceKind::Screen,
        columns: None,
        rows: None,
        max_bytes: None,
        encodings: vec![Encoding::Utf8],
    };
    render_consent(
        catalog,
        client,
        user,
        scope,
        screen,
        &RequestTerms::default(),
    )
}

pub fn render_sign_in(
    client: &Client,
    device: DeviceProfile,
) -> Result<OutgoingPrompt, OAuthError> {
    let content = PromptContent::SignIn {
        client_name: client.client_name.clone(),
        locale: PROMPT_LOCALE.into(),
    };
    outgoing(content, &device)
}

/// Renders `content` for `device` with `assent-prompt`; the content travels with the text
/// so that the app can render it for its own screen.
fn outgoing(content: PromptContent, device: &DeviceProfile) -> Result<OutgoingPrompt, OAuthError> {
    let renderer = assent_prompt::Renderer::shared().map_err(render_error)?;
    let prompt = content
        .render(renderer, device, None)
        .map_err(render_error)?;
    Ok(OutgoingPrompt {
        text: prompt.text,
        encoding: prompt.measure.encoding.name().into(),
        units: i64::try_from(prompt.measure.units).unwrap_or(i64::MAX),
        content: Some(content),
    })
}

/// The id of the consent a request's answer records, known to the grant that follows, so
/// that the tokens it issues name their consent (and die with it).
pub fn consent_id_for(request_hash: &str) -> String {
    format!("c-{}", token_hash(request_hash).get(..24).unwrap_or("0"))
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
