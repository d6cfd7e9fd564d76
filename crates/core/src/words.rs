//! The sentences of `crates/core/locales/*.ftl` in the user's language, formatted with the
//! `fluent` crate: what [`crate::describe`] says of an entry, as the `assent` command prints
//! it. The app's UI formats the same descriptions from the same files with the same rules
//! (`ui/src/words.ts`): arguments resolved alike, English where a language lacks a message,
//! attribute labels from the consent prompt's files, SP names isolated where directions can
//! mix. Without I/O: the files are embedded, the time zone is given.

use crate::describe::{Arg, Description};
use fluent::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use std::str::FromStr;
use unic_langid::LanguageIdentifier;

/// The languages of the history's sentences, with their files.
pub const SHIPPED: [(&str, &str); 9] = [
    ("en", include_str!("../locales/en.ftl")),
    ("de", include_str!("../locales/de.ftl")),
    ("fr", include_str!("../locales/fr.ftl")),
    ("es", include_str!("../locales/es.ftl")),
    ("pt", include_str!("../locales/pt.ftl")),
    ("tr", include_str!("../locales/tr.ftl")),
    ("ar", include_str!("../locales/ar.ftl")),
    ("ja", include_str!("../locales/ja.ftl")),
    ("hi", include_str!("../locales/hi.ftl")),
];

/// Languages written right to left.
const RIGHT_TO_LEFT: [&str; 1] = ["ar"];

/// An embedded file does not parse: a defect of this crate, caught by its tests.
#[derive(Debug, thiserror::Error)]
#[error("the history's sentences in {locale} cannot be read: {detail}")]
pub struct WordsError {
    locale: &'static str,
    detail: String,
}

/// The sentences in one language, with English for what it lacks.
pub struct Phrasebook {
    tag: &'static str,
    bundle: FluentBundle<FluentResource>,
    english: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Phrasebook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phrasebook")
            .field("tag", &self.tag)
            .finish_non_exhaustive()
    }
}

fn bundle(
    tag: &'static str,
    source: &'static str,
) -> Result<FluentBundle<FluentResource>, WordsError> {
    let failed = |detail: String| WordsError {
        locale: tag,
        detail,
    };
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| failed(format!("{errors:?}")))?;
    let langid = LanguageIdentifier::from_str(tag).map_err(|e| failed(e.to_string()))?;
    let mut bundle = FluentBundle::new(vec![langid]);
    // Isolation is decided per argument below, as the app does.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| failed(format!("{errors:?}")))?;
    Ok(bundle)
}

/// The shipped language for a BCP 47 tag: its language subtag if shipped, else English.
pub fn negotiate(requested: &str) -> &'static str {
    let language = requested
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    SHIPPED
        .iter()
        .map(|(tag, _)| *tag)
        .find(|tag| *tag == language)
        .unwrap_or("en")
}

impl Phrasebook {
    pub fn new(locale: &str) -> Result<Self, WordsError> {
        let tag = negotiate(locale);
        let source = |wanted: &str| {
            SHIPPED
                .iter()
                .find(|(t, _)| *t == wanted)
                .map_or(SHIPPED[0].1, |(_, s)| *s)
        };
        Ok(Phrasebook {
            tag,
            bundle: bundle(tag, source(tag))?,
            english: bundle("en", source("en"))?,
        })
    }

    /// The language the sentences are in.
    pub fn tag(&self) -> &'static str {
        self.tag
    }

    fn right_to_left(&self) -> bool {
        RIGHT_TO_LEFT.contains(&self.tag)
    }

    /// Message `id` with `args`, from this language or else English; `None` when neither
    /// has it. Formatting errors (a missing variable) are the files' defects, which the
    /// tests catch; what can be formatted still is.
    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        [&self.bundle, &self.english]
            .into_iter()
            .find_map(|bundle| {
                let pattern = bundle.get_message(id)?.value()?;
                let mut errors = Vec::new();
                Some(
                    bundle
                        .format_pattern(pattern, args, &mut errors)
                        .into_owned(),
                )
            })
    }

    /// A message without arguments (kind and fact labels); its id when no file has it.
    pub fn message(&self, id: &str) -> String {
        self.format(id, None).unwrap_or_else(|| id.to_owned())
    }

    /// The sentence of a description, dates in `zone`.
    pub fn sentence(&self, description: &Description, zone: &jiff::tz::TimeZone) -> String {
        let mut args = FluentArgs::new();
        for (name, arg) in &description.args {
            let value = match arg {
                Arg::Text { value } => FluentValue::from(self.isolate(value)),
                Arg::Choice { value } => FluentValue::from(value.clone()),
                Arg::Number { value } => FluentValue::from(*value),
                Arg::Message { id } => FluentValue::from(self.message(id)),
                Arg::Attributes { names } => FluentValue::from(self.list(names)),
                Arg::Date { ms } => FluentValue::from(self.day_and_month(*ms, zone)),
            };
            args.set(name.clone(), value);
        }
        self.format(&description.message, Some(&args))
            .unwrap_or_else(|| description.message.clone())
    }

    /// Words from outside (an SP's name) in FSI…PDI where directions can mix: always in a
    /// right-to-left language, and in the others when they hold right-to-left letters; text
    /// without letters (digits, a number) left to right (LRI…PDI). The app's rule.
    fn isolate(&self, text: &str) -> String {
        if !(self.right_to_left() || text.chars().any(is_right_to_left_letter)) {
            text.to_owned()
        } else if text
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || "+().,:/-".contains(c))
        {
            format!("\u{2066}{text}\u{2069}")
        } else {
            format!("\u{2068}{text}\u{2069}")
        }
    }

    /// The consent prompt's label of an attribute (or group), in this language or English;
    /// a name no file knows, with spaces for underscores.
    pub fn attribute(&self, name: &str) -> String {
        let catalog = match assent_prompt::Renderer::shared() {
            Ok(renderer) => renderer.catalog(),
            Err(_) => return name.replace('_', " "),
        };
        let label = |prefix: &str| {
            [self.tag, "en"].into_iter().find_map(|tag| {
                let locale = catalog.negotiate(tag).ok()?;
                // A language the prompts do not ship yet negotiates to English: same words.
                (locale.tag() == tag)
                    .then(|| locale.format(&format!("{prefix}-{name}"), None).ok())
                    .flatten()
            })
        };
        label("attr")
            .or_else(|| label("group"))
            .unwrap_or_else(|| name.replace('_', " "))
    }

    /// "phone number, email and address".
    fn list(&self, names: &[String]) -> String {
        let labels: Vec<String> = names.iter().map(|n| self.attribute(n)).collect();
        match labels.split_last() {
            None => String::new(),
            Some((last, [])) => last.clone(),
            Some((last, head)) => {
                let head = head.join(&self.message("list-comma"));
                let mut args = FluentArgs::new();
                args.set("head", head);
                args.set("last", last.clone());
                self.format("list-and", Some(&args)).unwrap_or_default()
            }
        }
    }

    /// "12 June": the day of `ms` in `zone`.
    fn day_and_month(&self, ms: i64, zone: &jiff::tz::TimeZone) -> String {
        let Ok(at) = jiff::Timestamp::from_millisecond(ms) else {
            return String::new();
        };
        let date = at.to_zoned(zone.clone()).date();
        let mut args = FluentArgs::new();
        args.set("day", date.day().to_string());
        args.set("month", self.message(&format!("month-{}", date.month())));
        self.format("date-day-month", Some(&args))
            .unwrap_or_default()
    }
}

/// The app's test for right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko… and
/// their presentation forms).
fn is_right_to_left_letter(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// Each message's id and the variables it uses, read from the file's text.
    fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut current = None;
        for line in source.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if !line.starts_with(' ')
                && let Some((id, _)) = line.split_once(" = ")
            {
                current = Some(id.trim().to_owned());
                out.entry(id.trim().to_owned()).or_default();
            }
            let Some(id) = &current else { continue };
            let vars = out.entry(id.clone()).or_default();
            for piece in line.split('$').skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                vars.insert(name);
            }
        }
        out
    }

    #[test]
    fn every_language_has_every_message_of_english_with_the_same_variables() {
        let english = messages(SHIPPED[0].1);
        assert!(english.len() > 80, "{}", english.len());
        for (tag, source) in SHIPPED {
            assert_eq!(messages(source), english, "{tag}");
        }
    }

    /// Every message of every language formats without a Fluent error, in every variant.
    #[test]
    fn every_message_formats_in_every_variant() {
        for (tag, source) in SHIPPED {
            let bundle = bundle(tag, source).unwrap();
            for id in messages(source).keys() {
                let pattern = bundle.get_message(id).unwrap().value().unwrap();
                for (known, device, count) in [
                    ("yes", "this", 1),
                    ("no", "other", 0),
                    ("yes", "other", 2),
                    ("no", "this", 5),
                    ("yes", "this", 11),
                    ("no", "other", 100),
                ] {
                    let mut args = FluentArgs::new();
                    for text in [
                        "sp",
                        "via",
                        "reason",
                        "attributes",
                        "date",
                        "kind",
                        "head",
                        "last",
                        "day",
                        "month",
                    ] {
                        args.set(text, "x");
                    }
                    args.set("sp_known", known);
                    args.set("device", device);
                    args.set("count", count);
                    let mut errors = Vec::new();
                    let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                    assert!(errors.is_empty(), "{tag} {id}: {errors:?}");
                    assert!(!text.trim().is_empty(), "{tag} {id}");
                }
            }
        }
    }

    #[test]
    fn a_language_is_negotiated_from_its_tag() {
        assert_eq!(negotiate("de-AT"), "de");
        assert_eq!(negotiate("JA"), "ja");
        assert_eq!(negotiate("pt_BR"), "pt");
        assert_eq!(negotiate("xx"), "en");
        assert_eq!(Phrasebook::new("hi-IN").unwrap().tag(), "hi");
    }

    /// "12 June" in the local time zone: the same instant is another day east of it.
    #[test]
    fn dates_are_days_of_the_given_time_zone() {
        let words = Phrasebook::new("de").unwrap();
        let late = 1_812_754_800_000; // 2027-06-11T23:00:00Z
        assert_eq!(
            words.day_and_month(late, &jiff::tz::TimeZone::UTC),
            "11. Juni"
        );
        let tokyo = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
        assert_eq!(words.day_and_month(late, &tokyo), "12. Juni");
        assert_eq!(
            Phrasebook::new("ja").unwrap().day_and_month(late, &tokyo),
            "6月12日"
        );
    }

    #[test]
    fn lists_and_labels_follow_the_prompts_words() {
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let english = Phrasebook::new("en").unwrap();
        assert_eq!(english.list(&names(&["email"])), "email");
        assert_eq!(
            english.list(&names(&["given_name", "email", "phone_number"])),
            "given name, email and phone number"
        );
        // A name the prompts do not know: words, not an identifier.
        assert_eq!(english.list(&names(&["sim_change"])), "sim change");
        let german = Phrasebook::new("de").unwrap();
        assert_eq!(
            german.list(&names(&["email", "phone_number"])),
            format!(
                "{} und {}",
                german.attribute("email"),
                german.attribute("phone_number")
            )
        );
        assert_ne!(german.attribute("email"), "email");
    }

    /// SP names are isolated as the app isolates them: in Arabic always, elsewhere only
    /// when they hold right-to-left letters; digits left to right.
    #[test]
    fn names_are_isolated_where_directions_can_mix() {
        let english = Phrasebook::new("en").unwrap();
        assert_eq!(english.isolate("Demo Shop"), "Demo Shop");
        assert_eq!(english.isolate("مصرف الأمل"), "\u{2068}مصرف الأمل\u{2069}");
        let arabic = Phrasebook::new("ar").unwrap();
        assert_eq!(arabic.isolate("Demo Shop"), "\u{2068}Demo Shop\u{2069}");
        assert_eq!(arabic.isolate("+44 7700"), "\u{2066}+44 7700\u{2069}");
    }
}
