//! Menus on one USSD screen (MC_ATTR_17's single interaction; the self-care menu of
//! MC_ATTR_19, 20 and 32 for users without the app): a title, numbered choices and fixed
//! lines ("0 Back"), laid out so that the screen fits its bearer — 182 GSM 7-bit septets or
//! 80 UCS-2 units on USSD — with as many of the choices as fit and a "more" line when some
//! are left for the next screen. Lines are never broken: a choice that does not fit goes
//! whole to the next screen.

use crate::device::DeviceKind;
use crate::encoding::{Encoding, Measure, choose};

/// A screen laid out: its text, how it is encoded, and how many of the choices it shows
/// (the first `shown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub text: String,
    pub measure: Measure,
    pub shown: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MenuError {
    #[error("the title and the fixed lines alone do not fit one {0} screen")]
    DoesNotFit(&'static str),
}

/// The encodings a menu may use on `kind`: GSM 7-bit, else UCS-2 (both carried by USSD
/// and SMS).
const MENU_ENCODINGS: &[Encoding] = &[Encoding::Gsm7, Encoding::Ucs2];

/// Lays out `title`, then the first choices of `choices` (each a whole line, numbered by the
/// caller), then `more` when some choices are left out (or `more_follow`: the caller has
/// more than it passed), then the `fixed` lines. Shows as many choices as fit; at least the
/// title and the fixed lines must.
pub fn fit(
    title: &str,
    choices: &[String],
    more: &str,
    more_follow: bool,
    fixed: &[&str],
    kind: DeviceKind,
) -> Result<Screen, MenuError> {
    for shown in (0..=choices.len()).rev() {
        let mut lines: Vec<&str> = vec![title];
        lines.extend(choices[..shown].iter().map(String::as_str));
        if (shown < choices.len() || more_follow) && !more.is_empty() {
            lines.push(more);
        }
        lines.extend(fixed);
        let text = lines.join("\n");
        if let Ok(measure) = choose(&text, kind, None, MENU_ENCODINGS) {
            return Ok(Screen {
                text,
                measure,
                shown,
            });
        }
    }
    Err(MenuError::DoesNotFit(kind.name()))
}

/// One screen of text and fixed lines, no choices (a question, a last screen).
pub fn fit_text(text: &str, fixed: &[&str], kind: DeviceKind) -> Result<Screen, MenuError> {
    fit(text, &[], "", false, fixed, kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::USSD_MAX_SEPTETS;

    fn choices(n: usize, name: &str) -> Vec<String> {
        (1..=n).map(|i| format!("{i} {name} {i}")).collect()
    }

    #[test]
    fn every_choice_that_fits_is_shown_and_the_rest_wait_for_more() {
        let few = fit(
            "My consents",
            &choices(3, "Demo Shop"),
            "9 More",
            false,
            &["0 Back"],
            DeviceKind::Ussd,
        )
        .unwrap();
        assert_eq!(few.shown, 3);
        assert_eq!(
            few.text,
            "My consents\n1 Demo Shop 1\n2 Demo Shop 2\n3 Demo Shop 3\n0 Back"
        );
        assert_eq!(few.measure.encoding, Encoding::Gsm7);

        let many = fit(
            "My consents",
            &choices(20, "Sixteen Bytes SP"),
            "9 More",
            false,
            &["0 Back"],
            DeviceKind::Ussd,
        )
        .unwrap();
        assert!(many.shown > 0 && many.shown < 20, "{}", many.shown);
        assert!(many.measure.units <= USSD_MAX_SEPTETS);
        assert!(many.text.ends_with("\n9 More\n0 Back"));
        // One more choice would not have fitted.
        let one_more = format!(
            "My consents\n{}\n9 More\n0 Back",
            choices(20, "Sixteen Bytes SP")[..=many.shown].join("\n")
        );
        assert!(choose(&one_more, DeviceKind::Ussd, None, MENU_ENCODINGS).is_err());
        // Lines are whole: every shown line is one of the choices.
        for line in many.text.lines().skip(1).take(many.shown) {
            assert!(line.starts_with(char::is_numeric) && line.contains("Sixteen Bytes SP"));
        }
    }

    #[test]
    fn a_name_outside_gsm7_makes_the_screen_ucs2_with_its_smaller_budget() {
        let names = choices(12, "Ελληνικό");
        let screen = fit(
            "My consents",
            &names,
            "9 More",
            false,
            &["0 Back"],
            DeviceKind::Ussd,
        )
        .unwrap();
        // More to come: the line is there even when every choice passed fits.
        let first = fit(
            "My consents",
            &names[..1],
            "9 More",
            true,
            &["0 Back"],
            DeviceKind::Ussd,
        )
        .unwrap();
        assert_eq!(first.shown, 1);
        assert!(first.text.ends_with("\n9 More\n0 Back"));
        assert_eq!(screen.measure.encoding, Encoding::Ucs2);
        assert!(screen.measure.units <= 80, "{}", screen.measure.units);
        assert!(screen.shown >= 1 && screen.shown < 12);
    }

    #[test]
    fn fixed_lines_that_cannot_fit_are_an_error() {
        let long = "x".repeat(200);
        assert_eq!(
            fit_text(&long, &["0 Back"], DeviceKind::Ussd),
            Err(MenuError::DoesNotFit("ussd"))
        );
    }
}
