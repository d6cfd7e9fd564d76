//! Issue 17: a `name = value` pair that fits in the line width is never split, so no line
//! starts or ends with `=` unless the pair is longer than a line; a person's name is never
//! split, in any script.
//!
//! Whatever UAX #14 binds to a pair (the comma or full stop after it) stays on its line, so a
//! pair that fits a line only without its punctuation makes names + values misfit rather
//! than be cut (docs/prompt-fitting.md).

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_prompt::check::{name_is_whole, pair_is_whole, prompt_is_sound};
use assent_prompt::width::display_width;
use assent_prompt::{
    Attribute, ConsentRequest, DeviceKind, DeviceProfile, Encoding, Misfit, Presentation,
    PresentationChoice, Prompt, RenderError, Renderer,
};

fn renderer() -> &'static Renderer {
    Renderer::shared().unwrap()
}

fn attr(name: &str, value: &str, group: &str) -> Attribute {
    Attribute {
        name: name.into(),
        value: Some(value.into()),
        group: Some(group.into()),
    }
}

fn request(locale: &str, attributes: Vec<Attribute>, device: DeviceProfile) -> ConsentRequest {
    ConsentRequest {
        client_name: "Demo Shop".into(),
        locale: locale.into(),
        attributes,
        device,
        ask_assurance: false,
        presentation: PresentationChoice::Auto,
    }
}

fn ussd(columns: usize) -> DeviceProfile {
    DeviceProfile {
        kind: DeviceKind::Ussd,
        columns: Some(columns),
        rows: None,
        max_bytes: None,
        encodings: Encoding::ALL.to_vec(),
    }
}

fn screen(columns: usize) -> DeviceProfile {
    DeviceProfile {
        kind: DeviceKind::Screen,
        columns: Some(columns),
        rows: None,
        max_bytes: None,
        encodings: Encoding::ALL.to_vec(),
    }
}

fn forced(mut request: ConsentRequest) -> ConsentRequest {
    request.presentation = PresentationChoice::Forced(Presentation::NamesValues);
    request
}

/// Renders and runs every independent check (`assent_prompt::check`) on the result.
fn render(request: &ConsentRequest) -> Result<Prompt, RenderError> {
    let prompt = renderer().render(request)?;
    if let Err(violation) = prompt_is_sound(request, &prompt) {
        panic!("{violation}: {:?}", prompt.lines);
    }
    Ok(prompt)
}

fn misfits(request: &ConsentRequest) -> Vec<Misfit> {
    match renderer().render(request) {
        Err(RenderError::DoesNotFit(d)) => d.attempts.into_iter().map(|a| a.misfit).collect(),
        other => panic!("expected does_not_fit, got {other:?}"),
    }
}

/// The case of the issue: on the phone (32 columns) `phone number` ended the first line and
/// `= +447700900001.` began the second. The pair (29 columns) fits in a line, so it moves to
/// the next line whole.
#[test]
fn a_pair_that_fits_moves_whole_to_the_next_line() {
    let r = request(
        "en",
        vec![attr("phone_number", "+447700900001", "phone")],
        DeviceProfile::phone(),
    );
    let p = render(&r).unwrap();
    assert_eq!(p.presentation, Presentation::NamesValues);
    assert_eq!(
        p.lines,
        [
            "Demo Shop asks for:",
            "phone number = +447700900001.",
            "Share? Yes / No"
        ]
    );
}

/// At every width, in every locale: a line ends with `=` or starts with `=` only when that
/// `=`'s pair is wider than the line. Neither labels nor values here hold a `=`, so the
/// k-th `=` of the prompt is the k-th pair's.
#[test]
fn no_line_starts_or_ends_with_equals_unless_the_pair_is_longer_than_a_line() {
    let attributes = vec![
        attr("given_name", "Marie", "name"),
        attr("family_name", "Curie", "name"),
        attr("phone_number", "+447700900001", "phone"),
        attr("email", "marie@example.org", "contact"),
    ];
    let mut rendered = 0;
    let mut split_wide_pairs = 0;
    for locale in ["en", "de", "fr", "es", "pt", "tr", "ar"] {
        let catalog = renderer().catalog().negotiate(locale).unwrap();
        let pair_widths: Vec<usize> = attributes
            .iter()
            .map(|a| {
                let label = catalog.label("attr", &a.name).unwrap();
                display_width(&format!("{label} = {}", a.value.as_deref().unwrap()))
            })
            .collect();
        for columns in 1..=64 {
            let r = forced(request(locale, attributes.clone(), ussd(columns)));
            let Ok(p) = render(&r) else { continue };
            rendered += 1;
            let mut equals_before = 0;
            for (i, line) in p.lines.iter().enumerate() {
                if line.starts_with('=') {
                    let pair = equals_before;
                    assert!(
                        pair_widths[pair] > columns,
                        "{locale} {columns}: line {i} starts with the = of pair {pair}: {:?}",
                        p.lines
                    );
                    split_wide_pairs += 1;
                }
                equals_before += line.matches('=').count();
                if line.ends_with('=') {
                    let pair = equals_before - 1;
                    assert!(
                        pair_widths[pair] > columns,
                        "{locale} {columns}: line {i} ends with the = of pair {pair}: {:?}",
                        p.lines
                    );
                    split_wide_pairs += 1;
                }
            }
        }
    }
    // Not vacuous: most widths render, and pairs wider than the line are still cut.
    assert!(rendered > 7 * 16, "{rendered}");
    assert!(split_wide_pairs > 0);
}

/// A pair wider than the line may still be cut at its own spaces (its value stays whole
/// when it fits): `email =` ends a line and the address begins the next.
#[test]
fn a_pair_longer_than_a_line_may_break_at_its_spaces() {
    let r = forced(request(
        "en",
        vec![attr("email", "marie.curie@example.org", "contact")],
        ussd(24),
    ));
    let p = render(&r).unwrap();
    assert_eq!(
        p.lines,
        [
            "Demo Shop asks for:",
            "email =",
            "marie.curie@example.org.",
            "Share? 1 Yes / 2 No"
        ]
    );
}

/// `given name = Marie` is 18 columns; with its full stop, which UAX #14 never lets start a
/// line, 19. In 18 columns the pair fits a line but cannot be put whole on one: it is not
/// cut at its `=` for want of a column (a value is not either): names + values does not fit
/// and `auto` shows the label. In 19 the pair is on a line of its own.
#[test]
fn a_pair_that_fits_only_without_its_punctuation_does_not_fit() {
    let marie = || vec![attr("given_name", "Marie", "name")];
    let r = forced(request("en", marie(), ussd(18)));
    for misfit in misfits(&r) {
        let Misfit::WordTooWide(w) = misfit else {
            panic!("expected a word too wide, got {misfit:?}");
        };
        assert_eq!((w.word.as_str(), w.width), ("given name = Marie.", 19));
    }
    let mut auto = r.clone();
    auto.presentation = PresentationChoice::Auto;
    assert_eq!(render(&auto).unwrap().presentation, Presentation::Names);
    let p = render(&forced(request("en", marie(), ussd(19)))).unwrap();
    assert_eq!(
        p.lines,
        [
            "Demo Shop asks for:",
            "given name = Marie.",
            "Share? 1 Yes / 2 No"
        ]
    );
}

/// A given name of 20 columns on a 16-column screen: it used to be cut at its spaces
/// (`María de los` / `Ángeles.`). A name is never split: names + values does not fit, each
/// attempt says why, and `auto` falls back to the names.
#[test]
fn a_name_wider_than_a_line_does_not_fit_rather_than_split() {
    let r = forced(request(
        "es",
        vec![attr("given_name", "María de los Ángeles", "name")],
        ussd(16),
    ));
    let all = misfits(&r);
    assert!(!all.is_empty());
    for misfit in &all {
        assert_eq!(
            misfit,
            &Misfit::NameTooWide {
                name: "María de los Ángeles".into(),
                width: 20,
                columns: 16,
            }
        );
    }
    let message = renderer().render(&r).unwrap_err().to_string();
    assert!(
        message.contains(
            "\"María de los Ángeles\" is 20 columns wide, the screen has 16; a name is never split"
        ),
        "{message}"
    );
    let mut auto = r.clone();
    auto.presentation = PresentationChoice::Auto;
    assert_eq!(render(&auto).unwrap().presentation, Presentation::Names);
}

/// Names with spaces in several scripts, given and family names, at every width on a keypad
/// and on a screen: either the name is whole on one line, or names + values does not fit
/// (and then a name wider than the line is the reason given).
#[test]
fn a_person_name_is_never_split_in_any_script() {
    let names = [
        ("en", "given_name", "Mary Ann Louise"),
        ("es", "family_name", "García de la Torre"),
        ("pt", "family_name", "dos Santos Silva"),
        ("tr", "given_name", "Ayşe Gül"),
        ("de", "family_name", "von Müller-Lüdenscheidt"),
        ("ar", "given_name", "عبد الرحمن"),
        ("ar", "family_name", "بن عبد الله"),
        ("en", "family_name", "בן דוד"),
        ("en", "given_name", "Анна Мария"),
        ("en", "family_name", "Παπαδοπούλου Νικολάου"),
        ("en", "given_name", "메리 앤"),
        ("en", "family_name", "欧阳 娜娜"),
        ("en", "given_name", "メアリー アン"),
        ("en", "family_name", "山田\u{3000}花子"),
        ("en", "given_name", "สมชาย ใจดี"),
        ("en", "given_name", "राम प्रसाद"),
        ("en", "family_name", "श्रीवास्तव क्षत्रिय"),
    ];
    let mut whole = 0;
    let mut refused = 0;
    for (locale, attribute, name) in names {
        let width = display_width(name);
        for columns in 1..=48 {
            for device in [ussd(columns), screen(columns)] {
                let attributes = vec![
                    attr(attribute, name, "name"),
                    attr("email", "a@example.org", "contact"),
                ];
                for r in [
                    request(locale, attributes.clone(), device.clone()),
                    forced(request(locale, attributes, device)),
                ] {
                    match render(&r) {
                        Ok(p) => {
                            if p.presentation == Presentation::NamesValues {
                                name_is_whole(name, &p.lines).unwrap();
                                whole += 1;
                            }
                        }
                        Err(RenderError::DoesNotFit(d)) => {
                            refused += 1;
                            if width > columns {
                                assert!(
                                    d.attempts.iter().any(|a| a.presentation
                                        != Presentation::NamesValues
                                        || matches!(
                                            &a.misfit,
                                            Misfit::NameTooWide { name: n, .. } if n == name
                                        )),
                                    "{locale} {name} {columns}: {d}"
                                );
                            }
                        }
                        Err(other) => panic!("{locale} {name} {columns}: {other}"),
                    }
                }
            }
        }
    }
    assert!(whole > 500 && refused > 100, "{whole} {refused}");
}

/// The checks the property tests and the fuzz target rely on catch a split pair and a split
/// name (a check that cannot fail would prove nothing).
#[test]
fn the_checks_catch_a_split_pair_and_a_split_name() {
    let lines: Vec<String> = ["Demo Shop asks for: phone number", "= +447700900001."]
        .map(String::from)
        .to_vec();
    let pair = "phone number = +447700900001";
    assert!(pair_is_whole(pair, &lines, 32).is_err());
    assert!(pair_is_whole(pair, &lines, 28).is_err());
    // A pair wider than the line may be cut.
    assert!(pair_is_whole(pair, &lines, 27).is_ok());
    let lines: Vec<String> = ["given name = Mary", "Ann."].map(String::from).to_vec();
    assert!(name_is_whole("Mary Ann", &lines).is_err());
    assert!(name_is_whole("Mary", &lines).is_ok());
    // Whatever the width: a name is never cut, even when it is wider than a line.
    let lines: Vec<String> = ["山田", "花子"].map(String::from).to_vec();
    assert!(name_is_whole("山田花子", &lines).is_err());
}
