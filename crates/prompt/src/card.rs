//! The consent card of a large screen. MC_ATTR_13 limits a prompt to 220 bytes on the phone
//! only; a laptop's window has room for all of it: the SP, each attribute with its value,
//! how long the permission lasts, the CIBA binding message and the assurance. The app lays
//! the card out as a form, and signs its **canonical text**: one line per item, in a fixed
//! order, in the card's language — which the gateway builds again from the request's content
//! to check that the decision was signed over what the request asked (MC_ATTR_06..11).
//!
//! The canonical text is not a layout: it has no width, so nothing in it is wrapped; a line
//! is never broken inside a value. Control characters in values (a line break in an address
//! field, say) are written as spaces, so that one item stays one line.

use crate::l10n::Locale;
use crate::render::{InvalidRequest, RenderError, Renderer};
use crate::wire::{PromptContent, WireLifetime};
use fluent_bundle::FluentArgs;
use serde::{Deserialize, Serialize};

/// One attribute of the card: its label in the card's language and, for attributes whose
/// value is shared, the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CardAttribute {
    pub name: String,
    pub label: String,
    /// `None` for an attribute that is compared, not shared (a match service).
    pub value: Option<String>,
}

/// A consent request as a large screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Card {
    /// The language it is in.
    pub locale: String,
    /// `rtl` or `ltr`.
    pub direction: String,
    pub client_name: String,
    /// "Demo Shop asks for:" in the card's language.
    pub request: String,
    pub attributes: Vec<CardAttribute>,
    /// How long the permission lasts, in words; `None` when the request does not say.
    pub lifetime: Option<String>,
    /// The CIBA binding message, with its label, as the SP's screen shows it.
    pub binding_message: Option<String>,
    /// The question of age and ownership (MC_ATTR_21), when the request asks it.
    pub assurance: Option<String>,
    /// The question the buttons answer.
    pub ask: String,
}

/// A value on one line: control characters (line breaks, tabs) become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn lifetime_text(locale: &Locale, lifetime: &WireLifetime) -> Result<String, RenderError> {
    Ok(match lifetime {
        WireLifetime::OneTime => locale.format("card-lifetime-one-time", None)?,
        WireLifetime::Transaction { seconds } => {
            let mut args = FluentArgs::new();
            args.set("seconds", *seconds);
            locale.format("card-lifetime-transaction", Some(&args))?
        }
        WireLifetime::LongLived { until: None } => {
            locale.format("card-lifetime-until-revoked", None)?
        }
        WireLifetime::LongLived { until: Some(date) } => {
            let mut args = FluentArgs::new();
            args.set("date", one_line(date));
            locale.format("card-lifetime-until", Some(&args))?
        }
    })
}

impl Card {
    /// The card of a consent request's `content`, in `locale` when given (else the
    /// content's own). A sign-in request has no card: it asks nothing to share.
    pub fn of(
        renderer: &Renderer,
        content: &PromptContent,
        locale: Option<&str>,
    ) -> Result<Card, RenderError> {
        let PromptContent::Consent {
            client_name,
            locale: own,
            attributes,
            ask_assurance,
            lifetime,
            binding_message,
            ..
        } = content
        else {
            return Err(InvalidRequest::NoCard.into());
        };
        let locale = renderer
            .catalog()
            .negotiate(locale.unwrap_or(own))
            .map_err(InvalidRequest::from)?;
        let client = one_line(client_name);
        if client.is_empty() {
            return Err(InvalidRequest::EmptyClientName.into());
        }
        // Runs of the other direction are isolated, as in every prompt (a Latin SP name in
        // an Arabic sentence keeps its own order).
        let isolated_client = locale.isolate(&client).into_owned();
        let mut request_args = FluentArgs::new();
        request_args.set("client", isolated_client.clone());
        let card_attributes = attributes
            .iter()
            .map(|a| {
                Ok(CardAttribute {
                    name: a.name.clone(),
                    label: locale.label("attr", &a.name)?.into_owned(),
                    value: a
                        .value
                        .as_deref()
                        .map(|v| locale.isolate(&one_line(v)).into_owned()),
                })
            })
            .collect::<Result<Vec<_>, RenderError>>()?;
        let binding_message = match binding_message.as_deref().map(one_line) {
            Some(message) if !message.is_empty() => {
                let mut args = FluentArgs::new();
                args.set("client", isolated_client.clone());
                args.set("message", locale.isolate(&message).into_owned());
                Some(locale.format("card-binding", Some(&args))?)
            }
            _ => None,
        };
        Ok(Card {
            locale: locale.tag().to_owned(),
            direction: locale.direction().name().to_owned(),
            request: locale.format("card-request", Some(&request_args))?,
            client_name: client,
            attributes: card_attributes,
            lifetime: lifetime
                .as_ref()
                .map(|l| lifetime_text(locale, l))
                .transpose()?,
            binding_message,
            assurance: ask_assurance
                .then(|| locale.format("prompt-assurance", None))
                .transpose()?,
            ask: locale.format("prompt-ask", None)?,
        })
    }

    /// The text a decision on this card is signed over: the request line, one line per
    /// attribute (`label = value`, or the label alone for a compared attribute), then the
    /// lifetime, the binding message, the assurance and the question, each on its own line,
    /// in that order, joined by `\n`.
    pub fn canonical_text(&self) -> String {
        let mut lines = vec![self.request.clone()];
        for attribute in &self.attributes {
            lines.push(match &attribute.value {
                Some(value) => format!("{} = {value}", attribute.label),
                None => attribute.label.clone(),
            });
        }
        lines.extend(self.lifetime.iter().cloned());
        lines.extend(self.binding_message.iter().cloned());
        lines.extend(self.assurance.iter().cloned());
        lines.push(self.ask.clone());
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{WireAttribute, WirePresentation};

    fn content(lifetime: Option<WireLifetime>, binding: Option<&str>) -> PromptContent {
        PromptContent::Consent {
            client_name: "Demo Shop".into(),
            locale: "en".into(),
            attributes: vec![
                WireAttribute {
                    name: "given_name".into(),
                    value: Some("Marie".into()),
                    group: None,
                },
                WireAttribute {
                    name: "address".into(),
                    value: Some("1 Rue Pierre,\n75005 Paris".into()),
                    group: None,
                },
                WireAttribute {
                    name: "device_msisdn".into(),
                    value: None,
                    group: None,
                },
            ],
            ask_assurance: true,
            presentation: WirePresentation::Auto,
            lifetime,
            binding_message: binding.map(str::to_owned),
        }
    }

    #[test]
    fn the_canonical_text_has_every_item_on_its_own_line_in_a_fixed_order() {
        let renderer = Renderer::new().unwrap();
        let card = Card::of(
            &renderer,
            &content(
                Some(WireLifetime::LongLived {
                    until: Some("2027-05-30".into()),
                }),
                Some("4711"),
            ),
            None,
        )
        .unwrap();
        assert_eq!(
            card.canonical_text(),
            "Demo Shop asks for:\n\
             given name = Marie\n\
             address = 1 Rue Pierre, 75005 Paris\n\
             phone number\n\
             Until 2027-05-30, or until you revoke it\n\
             Code on Demo Shop's screen: 4711\n\
             Confirm this data is yours and you are not a minor.\n\
             Share?"
        );
        assert_eq!(card.direction, "ltr");
    }

    #[test]
    fn each_lifetime_reads_in_words_and_a_card_without_one_says_nothing_of_it() {
        let renderer = Renderer::new().unwrap();
        let text = |lifetime| {
            Card::of(&renderer, &content(lifetime, None), None)
                .unwrap()
                .lifetime
        };
        assert_eq!(
            text(Some(WireLifetime::OneTime)).as_deref(),
            Some("For one use only")
        );
        assert_eq!(
            text(Some(WireLifetime::Transaction { seconds: 10 })).as_deref(),
            Some("For about 10 seconds")
        );
        assert_eq!(
            text(Some(WireLifetime::LongLived { until: None })).as_deref(),
            Some("Until you revoke it")
        );
        assert_eq!(text(None), None);
    }

    #[test]
    fn a_card_in_arabic_is_right_to_left_with_every_label_translated() {
        let renderer = Renderer::new().unwrap();
        let card = Card::of(
            &renderer,
            &content(Some(WireLifetime::OneTime), Some("4711")),
            Some("ar"),
        )
        .unwrap();
        assert_eq!(
            (card.locale.as_str(), card.direction.as_str()),
            ("ar", "rtl")
        );
        let text = card.canonical_text();
        assert!(
            !text.contains("given name") && !text.contains("Share?"),
            "{text}"
        );
        assert!(text.contains("Marie") && text.contains("4711"), "{text}");
    }

    #[test]
    fn a_sign_in_request_has_no_card() {
        let renderer = Renderer::new().unwrap();
        let sign_in = PromptContent::SignIn {
            client_name: "Demo Shop".into(),
            locale: "en".into(),
        };
        assert!(matches!(
            Card::of(&renderer, &sign_in, None),
            Err(RenderError::InvalidRequest(InvalidRequest::NoCard))
        ));
    }
}
