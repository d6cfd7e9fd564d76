//! The sign-in prompt of a Device-Initiated sign-in whose consent was captured on the browser
//! page (MC_ATTR_08): the handset only asks whether it is the user, under the same fitting
//! rules as the consent prompt (MC_ATTR_11, 13, 15, 16, 17).

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_prompt::check::{no_word_is_broken, sign_in_prompt_is_sound};
use assent_prompt::gsm7::{Language, Tables};
use assent_prompt::wrap::is_cjk;
use assent_prompt::{
    Attribute, ConsentRequest, DeviceKind, DeviceProfile, Encoding, InvalidRequest, Misfit,
    Presentation, PresentationChoice, Prompt, RenderError, Renderer, SignInRequest,
};

const LOCALES: [&str; 9] = ["en", "de", "fr", "es", "pt", "tr", "ar", "ja", "hi"];

/// The keypad answers of each locale, as the consent prompt shows them.
fn answers(locale: &str) -> (&'static str, &'static str) {
    match locale {
        "en" => ("1 Yes", "2 No"),
        "de" => ("1 Ja", "2 Nein"),
        "fr" => ("1 Oui", "2 Non"),
        "es" => ("1 Sí", "2 No"),
        "pt" => ("1 Sim", "2 Não"),
        "tr" => ("1 Evet", "2 Hayır"),
        "ar" => ("1 نعم", "2 لا"),
        "ja" => ("1 はい", "2 いいえ"),
        "hi" => ("1 हाँ", "2 नहीं"),
        other => panic!("no answers for {other}"),
    }
}

fn request(locale: &str, device: DeviceProfile) -> SignInRequest {
    SignInRequest {
        client_name: "Demo Shop".into(),
        locale: locale.into(),
        device,
    }
}

fn device(kind: DeviceKind, columns: usize, rows: usize) -> DeviceProfile {
    DeviceProfile {
        kind,
        columns: Some(columns),
        rows: Some(rows),
        max_bytes: None,
        encodings: Encoding::ALL.to_vec(),
    }
}

/// The gateway's USSD handset: 30 × 8, GSM 7-bit or UCS-2.
fn ussd() -> DeviceProfile {
    DeviceProfile {
        encodings: vec![Encoding::Gsm7, Encoding::Ucs2],
        ..device(DeviceKind::Ussd, 30, 8)
    }
}

fn render(r: &SignInRequest) -> Result<Prompt, RenderError> {
    let prompt = Renderer::new().unwrap().render_sign_in(r)?;
    sign_in_prompt_is_sound(r, &prompt).unwrap();
    Ok(prompt)
}

fn does_not_fit(r: &SignInRequest) -> Misfit {
    match render(r) {
        Err(RenderError::DoesNotFit(d)) => {
            assert_eq!(d.attempts.len(), 1, "{d}");
            assert_eq!(d.attempts[0].presentation, Presentation::SignIn);
            assert!(!d.attempts[0].assurance);
            d.attempts[0].misfit.clone()
        }
        other => panic!("expected does_not_fit, got {other:?}"),
    }
}

#[test]
fn english_sign_in_prompt_on_ussd_and_phone() {
    let p = render(&request("en", ussd())).unwrap();
    assert_eq!(
        p.lines,
        [
            "Demo Shop asks to sign you in.",
            "Is this you? 1 Yes / 2 No"
        ]
    );
    assert_eq!(p.text, p.lines.join("\n"));
    assert_eq!(
        (
            p.presentation,
            p.assurance,
            p.client_name_truncated,
            p.locale
        ),
        (Presentation::SignIn, false, false, "en")
    );
    assert_eq!(
        (p.measure.encoding, p.measure.gsm7_tables),
        (Encoding::Gsm7, Some(Tables::DEFAULT))
    );
    // Answered on the screen, not the keypad: no digits.
    let p = render(&request("en", DeviceProfile::phone())).unwrap();
    assert_eq!(
        p.flat,
        "Demo Shop asks to sign you in. Is this you? Yes / No"
    );
}

#[test]
fn mc_attr_17_sign_in_fits_one_ussd_interaction_in_every_locale() {
    for locale in LOCALES {
        let p = render(&request(locale, ussd())).unwrap();
        let (yes, no) = answers(locale);
        assert!(
            p.flat.ends_with(&format!("{yes} / {no}")),
            "{locale}: {}",
            p.flat
        );
        // Each answer whole on one line (the digit never ends a line alone).
        assert!(p.lines.iter().any(|l| l.contains(yes)), "{locale}: {p:?}");
        assert!(p.lines.iter().any(|l| l.contains(no)), "{locale}: {p:?}");
        assert!(p.lines.len() <= 8);
        match p.measure.encoding {
            Encoding::Gsm7 => assert!(p.measure.units <= 182, "{locale}: {p:?}"),
            Encoding::Ucs2 => assert!(p.measure.units <= 80, "{locale}: {p:?}"),
            Encoding::Utf8 => panic!("{locale}: USSD never carries UTF-8"),
        }
    }
}

#[test]
fn mc_attr_10_keypad_answers_stay_glued_at_every_width() {
    for locale in LOCALES {
        let (yes, no) = answers(locale);
        let mut r = request(locale, device(DeviceKind::Sms, 10, 1));
        r.device.rows = None;
        for columns in 12..40 {
            r.device.columns = Some(columns);
            let p = render(&r).unwrap();
            for line in &p.lines {
                assert!(
                    !line.ends_with(" 1") && !line.ends_with(" 2") && line != "1" && line != "2",
                    "{locale} {columns}: {:?}",
                    p.lines
                );
            }
            assert!(p.lines.iter().any(|l| l.contains(yes)), "{:?}", p.lines);
            assert!(p.lines.iter().any(|l| l.contains(no)), "{:?}", p.lines);
        }
    }
}

#[test]
fn mc_attr_13_sign_in_fits_the_phone_within_220_bytes() {
    for locale in LOCALES {
        // The longest name there is (16 bytes) and a profile that would allow more.
        let mut r = request(locale, DeviceProfile::phone());
        r.client_name = "Crème Brûlée Café Company".into();
        r.device.max_bytes = Some(1000);
        let p = render(&r).unwrap();
        assert!(p.measure.bytes <= 220, "{locale}: {}", p.measure.bytes);
        assert!(!p.flat.contains('1'), "{locale}: {}", p.flat);
        // A budget too small for it is a misfit, never a cut prompt.
        r.device.max_bytes = Some(20);
        assert!(matches!(does_not_fit(&r), Misfit::Encoding(_)), "{locale}");
    }
}

#[test]
fn mc_attr_11_a_long_client_name_is_cut_to_16_bytes() {
    let mut r = request("en", device(DeviceKind::Screen, 80, 10));
    r.client_name = "Crème Brûlée Café Company".into(); // 28 bytes
    let p = render(&r).unwrap();
    assert!(p.client_name_truncated);
    assert_eq!(
        p.flat,
        "Crème Brûlée asks to sign you in. Is this you? Yes / No"
    );
    // Never inside a grapheme: "e" + combining acute spans bytes 14..17.
    r.client_name = "abcdefghijklmne\u{301}xyz".into();
    assert!(render(&r).unwrap().flat.starts_with("abcdefghijklmn asks"));
    r.client_name = "  Demo Shop  ".into();
    let p = render(&r).unwrap();
    assert!(!p.client_name_truncated);
    assert!(p.flat.starts_with("Demo Shop asks"), "{}", p.flat);
}

#[test]
fn mc_attr_15_no_word_is_ever_broken() {
    for locale in LOCALES {
        let mut r = request(locale, device(DeviceKind::Ussd, 200, 1));
        r.client_name = "Crème Brûlée Café Company".into();
        let flat = render(&r).unwrap().flat;
        r.device.rows = None;
        for columns in 1..40 {
            r.device.columns = Some(columns);
            match render(&r) {
                // `render` checked the lines with `sign_in_prompt_is_sound`; once more here,
                // for what this test is about.
                Ok(p) => no_word_is_broken(&p.flat, &p.lines).unwrap(),
                Err(RenderError::DoesNotFit(d)) => {
                    let Misfit::WordTooWide(w) = &d.attempts[0].misfit else {
                        panic!("{locale} {columns}: {d}");
                    };
                    // What is refused is whole: white space (or an end) on both sides of it, or
                    // a seam between two CJK characters (Japanese has no spaces).
                    let whole = flat.match_indices(w.word.as_str()).any(|(at, word)| {
                        let before = flat[..at].chars().next_back();
                        let after = flat[at + word.len()..].chars().next();
                        let (first, last) = (word.chars().next(), word.chars().next_back());
                        let seam = |a: Option<char>, b: Option<char>| {
                            a.is_some_and(is_cjk) && b.is_some_and(is_cjk)
                        };
                        (before.is_none_or(char::is_whitespace) || seam(before, first))
                            && (after.is_none_or(char::is_whitespace) || seam(last, after))
                    });
                    assert!(whole, "{locale} {columns}: {:?} in {flat:?}", w.word);
                    assert!(w.width > columns);
                }
                Err(other) => panic!("{locale} {columns}: {other}"),
            }
        }
    }
}

#[test]
fn an_over_narrow_device_does_not_fit_rather_than_break_a_word() {
    // "anmelden." is 9 columns: 8 cannot hold it.
    let r = request("de", device(DeviceKind::Ussd, 8, 20));
    let Misfit::WordTooWide(w) = does_not_fit(&r) else {
        panic!("expected a word too wide");
    };
    assert_eq!((w.word.as_str(), w.width, w.columns), ("anmelden.", 9, 8));
    // English words are short: what 4 columns cannot hold is the glued "1 Yes", with the
    // "/" that UAX #14 never puts at the start of a line; the digit is not left alone.
    let r = request("en", device(DeviceKind::Ussd, 4, 20));
    let Misfit::WordTooWide(w) = does_not_fit(&r) else {
        panic!("expected a word too wide");
    };
    assert_eq!(w.word, "1 Yes /");
    let message = Renderer::new()
        .unwrap()
        .render_sign_in(&r)
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "the sign-in prompt does not fit the device: \"1 Yes /\" is 7 columns wide, the screen has 4"
    );
}

#[test]
fn mc_attr_16_sign_in_fits_one_screen() {
    let r = request("en", device(DeviceKind::Ussd, 30, 1));
    assert_eq!(does_not_fit(&r), Misfit::TooManyLines { lines: 2, rows: 1 });
}

#[test]
fn arabic_is_right_to_left_and_isolates_only_where_directions_mix() {
    let p = render(&request("ar", ussd())).unwrap();
    assert!(
        p.flat.starts_with("يطلب \u{2068}Demo Shop\u{2069} "),
        "{}",
        p.flat
    );
    assert_eq!(p.measure.encoding, Encoding::Ucs2);
    let mut r = request("ar", ussd());
    r.client_name = "متجر".into();
    let p = render(&r).unwrap();
    assert!(!p.flat.contains('\u{2068}'), "{}", p.flat);
    // An Arabic name in an English prompt is isolated; a Latin one is not.
    r.locale = "en".into();
    let p = render(&r).unwrap();
    assert!(
        p.flat.starts_with("\u{2068}متجر\u{2069} asks"),
        "{}",
        p.flat
    );
    let p = render(&request("en", ussd())).unwrap();
    assert!(!p.flat.contains('\u{2068}'));
}

#[test]
fn mc_attr_14_turkish_stays_gsm7_with_the_consent_prompts_tables() {
    // The table pair the Turkish consent prompt is sent in.
    let consent = ConsentRequest {
        client_name: "Demo Shop".into(),
        locale: "tr".into(),
        attributes: vec![Attribute {
            name: "given_name".into(),
            value: Some("Ayşe".into()),
            group: Some("name".into()),
        }],
        device: DeviceProfile::phone(),
        ask_assurance: true,
        presentation: PresentationChoice::Auto,
    };
    let consent_prompt = Renderer::new().unwrap().render(&consent).unwrap();
    assert_eq!(consent_prompt.measure.encoding, Encoding::Gsm7);
    let consent_tables = consent_prompt.measure.gsm7_tables.unwrap();
    assert_eq!(consent_tables.locking, Language::Turkish);

    let mut r = request("tr", device(DeviceKind::Sms, 30, 8));
    let p = render(&r).unwrap();
    assert_eq!(p.measure.encoding, Encoding::Gsm7, "{p:?}");
    assert_eq!(p.measure.gsm7_tables.unwrap().locking, Language::Turkish);
    assert!(consent_tables.encode(&p.text).is_some(), "{}", p.text);
    // On the phone UTF-8 may be cheaper (a national table's signalling costs 3 octets), but
    // GSM 7-bit carries it when it is the only choice; USSD has no national tables: UCS-2.
    r.device = DeviceProfile {
        encodings: vec![Encoding::Gsm7],
        ..DeviceProfile::phone()
    };
    let p = render(&r).unwrap();
    assert_eq!(p.measure.gsm7_tables.unwrap().locking, Language::Turkish);
    let p = render(&request("tr", ussd())).unwrap();
    assert_eq!(p.measure.encoding, Encoding::Ucs2);
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let base = request("en", ussd());
    type Mutation = Box<dyn Fn(&mut SignInRequest)>;
    let cases: Vec<(Mutation, &str)> = vec![
        (
            Box::new(|r| r.client_name = "  ".into()),
            "client_name is empty",
        ),
        (
            Box::new(|r| r.client_name = "Shop\nevil".into()),
            "control character U+000A",
        ),
        (
            Box::new(|r| r.client_name = "Shop\u{202E}evil".into()),
            "bidi formatting",
        ),
        (Box::new(|r| r.device.columns = Some(0)), "columns"),
        (Box::new(|r| r.device.rows = Some(0)), "rows"),
        (Box::new(|r| r.device.encodings.clear()), "no encoding"),
        (Box::new(|r| r.locale = "!!".into()), "BCP 47"),
    ];
    for (mutate, expected) in cases {
        let mut r = base.clone();
        mutate(&mut r);
        match render(&r) {
            Err(RenderError::InvalidRequest(e)) => {
                assert!(e.to_string().contains(expected), "{e} lacks {expected}");
            }
            other => panic!("{expected}: expected invalid request, got {other:?}"),
        }
    }
}

#[test]
fn a_consent_request_cannot_be_forced_into_a_sign_in_prompt() {
    // A consent prompt that lists nothing would capture consent for nothing shown.
    let r = ConsentRequest {
        client_name: "Demo Shop".into(),
        locale: "en".into(),
        attributes: vec![Attribute {
            name: "email".into(),
            value: None,
            group: None,
        }],
        device: ussd(),
        ask_assurance: false,
        presentation: PresentationChoice::Forced(Presentation::SignIn),
    };
    assert!(matches!(
        Renderer::new().unwrap().render(&r),
        Err(RenderError::InvalidRequest(
            InvalidRequest::SignInIsNotConsent
        ))
    ));
}
