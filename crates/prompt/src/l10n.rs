//! The prompt's words in every shipped locale, from Fluent resources embedded in the crate.
//!
//! Bidi isolation: Fluent wraps every placeable in FSI…PDI by default. Those marks are not in
//! any GSM 7-bit table and cost 3 UTF-8 bytes each, so a plain English prompt would lose
//! GSM-7 and 6 bytes a placeable for nothing. The catalog turns Fluent's marks off and
//! isolates a placeable itself only when it holds strong characters of the direction
//! opposite to the locale's (a Latin SP name in Arabic, an Arabic value in English): exactly
//! the case the marks exist for. Budgets are then computed on that final string.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::borrow::Cow;
use std::str::FromStr;
use unic_langid::LanguageIdentifier;
use unicode_bidi::{BidiClass, bidi_class};

/// Text direction of a locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    LeftToRight,
    RightToLeft,
}

impl Direction {
    /// As HTML's `dir` attribute writes it.
    pub fn name(self) -> &'static str {
        match self {
            Direction::LeftToRight => "ltr",
            Direction::RightToLeft => "rtl",
        }
    }
}

/// The locales shipped, with their resources and base direction.
const SHIPPED: [(&str, Direction, &str); 9] = [
    (
        "en",
        Direction::LeftToRight,
        include_str!("../locales/en.ftl"),
    ),
    (
        "de",
        Direction::LeftToRight,
        include_str!("../locales/de.ftl"),
    ),
    (
        "fr",
        Direction::LeftToRight,
        include_str!("../locales/fr.ftl"),
    ),
    (
        "es",
        Direction::LeftToRight,
        include_str!("../locales/es.ftl"),
    ),
    (
        "pt",
        Direction::LeftToRight,
        include_str!("../locales/pt.ftl"),
    ),
    (
        "tr",
        Direction::LeftToRight,
        include_str!("../locales/tr.ftl"),
    ),
    (
        "ar",
        Direction::RightToLeft,
        include_str!("../locales/ar.ftl"),
    ),
    (
        "ja",
        Direction::LeftToRight,
        include_str!("../locales/ja.ftl"),
    ),
    (
        "hi",
        Direction::LeftToRight,
        include_str!("../locales/hi.ftl"),
    ),
];

/// The locale used when the requested language is not shipped.
pub const FALLBACK_LOCALE: &str = "en";

/// An embedded resource failed to parse or format: a defect of this crate, caught by tests.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("locale {locale}: {detail}")]
    Resource {
        locale: &'static str,
        detail: String,
    },
}

/// One locale's messages.
pub struct Locale {
    tag: &'static str,
    direction: Direction,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Locale")
            .field("tag", &self.tag)
            .field("direction", &self.direction)
            .finish()
    }
}

/// Every shipped locale, parsed once.
#[derive(Debug)]
pub struct Catalog {
    locales: Vec<Locale>,
}

impl Catalog {
    pub fn new() -> Result<Self, CatalogError> {
        let mut locales = Vec::with_capacity(SHIPPED.len());
        for (tag, direction, source) in SHIPPED {
            let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| {
                CatalogError::Resource {
                    locale: tag,
                    detail: format!("{errors:?}"),
                }
            })?;
            let langid = LanguageIdentifier::from_str(tag).map_err(|e| CatalogError::Resource {
                locale: tag,
                detail: e.to_string(),
            })?;
            let mut bundle = FluentBundle::new_concurrent(vec![langid]);
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| CatalogError::Resource {
                    locale: tag,
                    detail: format!("{errors:?}"),
                })?;
            locales.push(Locale {
                tag,
                direction,
                bundle,
            });
        }
        Ok(Catalog { locales })
    }

    /// The shipped locale tags.
    pub fn tags(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.locales.iter().map(|l| l.tag)
    }

    /// The locale for a BCP 47 tag: same language if shipped (region and script ignored),
    /// else [`FALLBACK_LOCALE`]. `Err` when the tag is not well-formed.
    pub fn negotiate(&self, requested: &str) -> Result<&Locale, InvalidLocale> {
        let id = LanguageIdentifier::from_str(requested)
            .map_err(|_| InvalidLocale(requested.to_owned()))?;
        let language = id.language.as_str();
        self.locales
            .iter()
            .find(|l| l.tag == language)
            .or_else(|| self.locales.iter().find(|l| l.tag == FALLBACK_LOCALE))
            .ok_or(InvalidLocale(requested.to_owned()))
    }
}

/// A locale tag that is not a well-formed BCP 47 language tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a BCP 47 language tag")]
pub struct InvalidLocale(pub String);

impl Locale {
    pub fn tag(&self) -> &'static str {
        self.tag
    }

    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Formats message `id`. Any Fluent error (missing message or variable) is a defect of
    /// the embedded resources, reported rather than printed as `{$name}`.
    pub fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> Result<String, CatalogError> {
        let pattern = self
            .bundle
            .get_message(id)
            .and_then(|m| m.value())
            .ok_or_else(|| CatalogError::Resource {
                locale: self.tag,
                detail: format!("message {id} is missing"),
            })?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        if errors.is_empty() {
            Ok(text.into_owned())
        } else {
            Err(CatalogError::Resource {
                locale: self.tag,
                detail: format!("{id}: {errors:?}"),
            })
        }
    }

    /// The localized label of an attribute or group (`attr-…`/`group-…` messages); names
    /// the catalog does not know are shown as they are, isolated where directions mix.
    pub fn label<'a>(&self, prefix: &str, name: &'a str) -> Result<Cow<'a, str>, CatalogError> {
        let id = format!("{prefix}-{name}");
        if self.bundle.has_message(&id) {
            self.format(&id, None).map(Cow::Owned)
        } else {
            Ok(self.isolate(name))
        }
    }

    /// Wraps `text` in FSI…PDI when it holds strong characters against the locale's direction.
    pub fn isolate<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if needs_isolation(text, self.direction) {
            Cow::Owned(format!("\u{2068}{text}\u{2069}"))
        } else {
            Cow::Borrowed(text)
        }
    }
}

fn needs_isolation(text: &str, direction: Direction) -> bool {
    match direction {
        // ASCII has no right-to-left letters.
        Direction::LeftToRight if text.is_ascii() => false,
        Direction::LeftToRight => text
            .chars()
            .any(|c| matches!(bidi_class(c), BidiClass::R | BidiClass::AL)),
        Direction::RightToLeft => text.chars().any(|c| bidi_class(c) == BidiClass::L),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGES: [&str; 9] = [
        "prompt-request",
        "signin-request",
        "signin-ask",
        "prompt-assurance",
        "prompt-ask",
        "prompt-yes",
        "prompt-no",
        "prompt-name-value",
        "list-separator",
    ];

    #[test]
    fn every_locale_has_every_message_and_label_of_english() {
        let catalog = Catalog::new().unwrap();
        let english_ids: Vec<&str> = include_str!("../locales/en.ftl")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(" = ").map(|(id, _)| id.trim()))
            .collect();
        assert!(english_ids.len() > 20);
        for tag in catalog.tags() {
            let locale = catalog.negotiate(tag).unwrap();
            for id in &english_ids {
                assert!(locale.bundle.has_message(id), "{tag} lacks {id}");
            }
            let mut args = FluentArgs::new();
            args.set("client", "X");
            args.set("attributes", "Y");
            args.set("name", "N");
            args.set("value", "V");
            for id in MESSAGES {
                let text = locale.format(id, Some(&args)).unwrap();
                assert!(
                    !text.contains('{') && !text.is_empty(),
                    "{tag} {id}: {text}"
                );
            }
        }
    }

    #[test]
    fn negotiation_uses_the_language_and_falls_back_to_english() {
        let catalog = Catalog::new().unwrap();
        assert_eq!(catalog.negotiate("de-AT").unwrap().tag(), "de");
        assert_eq!(catalog.negotiate("pt_BR").unwrap().tag(), "pt");
        assert_eq!(catalog.negotiate("ja-JP").unwrap().tag(), "ja");
        assert_eq!(catalog.negotiate("hi-Deva-IN").unwrap().tag(), "hi");
        assert_eq!(
            catalog.tags().collect::<Vec<_>>(),
            ["en", "de", "fr", "es", "pt", "tr", "ar", "ja", "hi"]
        );
        // A language that is not shipped (Korean, Chinese) falls back to English.
        assert_eq!(catalog.negotiate("ko").unwrap().tag(), "en");
        assert_eq!(catalog.negotiate("zh-Hant-TW").unwrap().tag(), "en");
        assert!(catalog.negotiate("not a tag!").is_err());
    }

    #[test]
    fn isolation_only_where_directions_mix() {
        let catalog = Catalog::new().unwrap();
        let en = catalog.negotiate("en").unwrap();
        let ar = catalog.negotiate("ar").unwrap();
        assert_eq!(en.isolate("Demo Shop"), "Demo Shop");
        assert_eq!(en.isolate("Crème"), "Crème");
        assert_eq!(en.isolate("مرحبا"), "\u{2068}مرحبا\u{2069}");
        assert_eq!(ar.isolate("Demo Shop"), "\u{2068}Demo Shop\u{2069}");
        assert_eq!(ar.isolate("مرحبا"), "مرحبا");
        assert_eq!(ar.isolate("1967-11-07"), "1967-11-07");
    }
}
