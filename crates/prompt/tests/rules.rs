//! The consent prompt rules of GSMA IDY.03, one test per requirement (MC_ATTR_10..17).

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_prompt::check::prompt_is_sound;
use assent_prompt::{
    Attribute, ConsentRequest, DeviceKind, DeviceProfile, Encoding, InvalidRequest, Misfit,
    Presentation, PresentationChoice, RenderError, Renderer,
};

fn attr(name: &str, value: &str, group: &str) -> Attribute {
    Attribute {
        name: name.into(),
        value: Some(value.into()),
        group: Some(group.into()),
    }
}

fn marie() -> Vec<Attribute> {
    vec![
        attr("given_name", "Marie", "name"),
        attr("family_name", "Curie", "name"),
        attr("email", "marie.curie@example.org", "contact"),
    ]
}

fn request(device: DeviceProfile) -> ConsentRequest {
    ConsentRequest {
        client_name: "Demo Shop".into(),
        locale: "en".into(),
        attributes: marie(),
        device,
        ask_assurance: true,
        presentation: PresentationChoice::Auto,
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

fn render(r: &ConsentRequest) -> Result<assent_prompt::Prompt, RenderError> {
    let prompt = Renderer::new().unwrap().render(r)?;
    prompt_is_sound(r, &prompt).unwrap();
    Ok(prompt)
}

#[test]
fn mc_attr_10_the_prompt_names_the_data_and_asks_yes_no() {
    let p = render(&request(DeviceProfile::phone())).unwrap();
    assert!(p.flat.contains("given name = Marie"), "{}", p.flat);
    assert!(p.flat.ends_with("Share? Yes / No"), "{}", p.flat);
    let mut r = request(device(DeviceKind::Ussd, 30, 8));
    r.ask_assurance = false;
    let p = render(&r).unwrap();
    assert!(p.flat.ends_with("Share? 1 Yes / 2 No"), "{}", p.flat);
    // A keypad answer never loses its digit at a line end ("Share? 1" / "Yes / 2 No").
    for columns in 10..40 {
        r.device.columns = Some(columns);
        r.device.rows = None;
        let p = render(&r).unwrap();
        let last_lines = p.lines[p.lines.len().saturating_sub(3)..].join("|");
        assert!(
            p.lines.iter().any(|l| l.contains("1 Yes")),
            "{columns}: {last_lines}"
        );
        assert!(
            p.lines.iter().any(|l| l.contains("2 No")),
            "{columns}: {last_lines}"
        );
    }
}

#[test]
fn mc_attr_11_client_name_is_cut_to_16_bytes_on_a_grapheme_boundary() {
    let mut r = request(device(DeviceKind::Screen, 80, 10));
    r.client_name = "Crème Brûlée Café Company".into(); // 28 bytes
    let p = render(&r).unwrap();
    assert!(p.client_name_truncated);
    // 16 bytes end after "Crème Brûlée " (accents are 2 bytes each); the space is trimmed.
    assert!(p.flat.starts_with("Crème Brûlée asks"), "{}", p.flat);
    // A cut never splits a grapheme: "e" + combining acute (3 bytes) at the boundary.
    r.client_name = "abcdefghijklmne\u{301}xyz".into(); // the cluster spans bytes 14..17
    let p = render(&r).unwrap();
    assert!(p.flat.starts_with("abcdefghijklmn asks"), "{}", p.flat);
    r.client_name = "Demo Shop".into();
    assert!(!render(&r).unwrap().client_name_truncated);
}

#[test]
fn mc_attr_11_auto_prefers_names_values_then_names_then_groups() {
    // Wide screen: everything fits.
    let p = render(&request(device(DeviceKind::Screen, 80, 10))).unwrap();
    assert_eq!(
        (p.presentation, p.assurance),
        (Presentation::NamesValues, true)
    );
    // The e-mail address (23 columns) cannot fit 20 columns: names only.
    let p = render(&request(device(DeviceKind::Screen, 20, 20))).unwrap();
    assert_eq!(p.presentation, Presentation::Names);
    assert!(
        p.flat.contains("given name, family name, email"),
        "{}",
        p.flat
    );
    // Two rows of 34: names need three lines, groups ("name, contact details") two.
    let p = render(&request(device(DeviceKind::Screen, 34, 2))).unwrap();
    assert_eq!(p.presentation, Presentation::Groups);
    assert!(p.flat.contains("name, contact details"), "{}", p.flat);
}

#[test]
fn mc_attr_11_a_richer_presentation_wins_over_the_assurance() {
    // 32×5 holds names + values without the assurance but not with it: "Demo Shop asks
    // for:", then each pair whole on its own line (issue 17: "given name =" no longer ends
    // the first line, so it takes five rows, not four), then "Share? Yes / No".
    let mut r = request(device(DeviceKind::Screen, 32, 5));
    let p = render(&r).unwrap();
    assert_eq!(
        p.lines,
        [
            "Demo Shop asks for:",
            "given name = Marie,",
            "family name = Curie,",
            "email = marie.curie@example.org.",
            "Share? Yes / No"
        ]
    );
    assert_eq!(
        (p.presentation, p.assurance),
        (Presentation::NamesValues, false)
    );
    // Forcing names shows the assurance is what made the difference.
    r.presentation = PresentationChoice::Forced(Presentation::Names);
    let p = render(&r).unwrap();
    assert_eq!((p.presentation, p.assurance), (Presentation::Names, true));
}

#[test]
fn mc_attr_11_names_values_needs_values() {
    let mut r = request(device(DeviceKind::Screen, 80, 10));
    r.attributes[0].value = None;
    let p = render(&r).unwrap();
    assert_eq!(p.presentation, Presentation::Names);
    r.presentation = PresentationChoice::Forced(Presentation::NamesValues);
    assert!(matches!(
        render(&r),
        Err(RenderError::InvalidRequest(
            InvalidRequest::MissingValue { .. }
        ))
    ));
}

#[test]
fn mc_attr_12_assurance_only_when_asked() {
    let mut r = request(device(DeviceKind::Screen, 80, 10));
    r.ask_assurance = false;
    let p = render(&r).unwrap();
    assert!(!p.assurance);
    assert!(!p.flat.contains("minor"));
}

#[test]
fn mc_attr_13_phone_prompts_stay_within_220_bytes() {
    let mut r = request(DeviceProfile {
        max_bytes: Some(1000),
        ..device(DeviceKind::Phone, 200, 1)
    });
    r.attributes = (0..30)
        .map(|i| attr(&format!("claim_{i}"), "value", "misc"))
        .collect();
    let p = render(&r).unwrap();
    assert!(p.measure.bytes <= 220, "{}", p.measure.bytes);
    assert_eq!(p.presentation, Presentation::Groups);
}

#[test]
fn mc_attr_14_gsm7_ucs2_and_utf8_are_all_supported() {
    let mut r = request(device(DeviceKind::Screen, 80, 10));
    assert_eq!(render(&r).unwrap().measure.encoding, Encoding::Gsm7);
    // Arabic with Latin placeables: UTF-8 is cheapest on a screen, UCS-2 when it is not allowed.
    r.locale = "ar".into();
    assert_eq!(render(&r).unwrap().measure.encoding, Encoding::Utf8);
    r.device.encodings = vec![Encoding::Gsm7, Encoding::Ucs2];
    assert_eq!(render(&r).unwrap().measure.encoding, Encoding::Ucs2);
    // Turkish needs a national shift table to stay in GSM 7-bit.
    r.locale = "tr".into();
    r.device.encodings = Encoding::ALL.to_vec();
    let p = render(&r).unwrap();
    assert_eq!(p.measure.encoding, Encoding::Gsm7);
    assert_ne!(
        p.measure.gsm7_tables,
        Some(assent_prompt::gsm7::Tables::DEFAULT)
    );
}

#[test]
fn mc_attr_15_no_word_is_ever_broken() {
    let mut r = request(device(DeviceKind::Screen, 22, 20));
    r.ask_assurance = false;
    r.presentation = PresentationChoice::Forced(Presentation::NamesValues);
    match render(&r) {
        Err(RenderError::DoesNotFit(d)) => {
            assert!(d.attempts.iter().all(|a| matches!(&a.misfit,
                Misfit::WordTooWide(w) if w.word == "marie.curie@example.org.")));
        }
        other => panic!("expected does_not_fit, got {other:?}"),
    }
    // German compound words stay whole.
    r.locale = "de".into();
    r.device.columns = Some(30);
    let p = render(&r).unwrap();
    assert!(
        p.lines.iter().any(|l| l.contains("E-Mail-Adresse")),
        "{:?}",
        p.lines
    );
}

#[test]
fn mc_attr_16_the_prompt_fits_one_screen() {
    let r = request(device(DeviceKind::Screen, 16, 2));
    match render(&r) {
        Err(RenderError::DoesNotFit(d)) => {
            assert_eq!(d.attempts.len(), 6); // 3 presentations × with/without assurance
            let message = RenderError::DoesNotFit(d).to_string();
            assert!(message.contains("lines, the screen has 2"), "{message}");
        }
        other => panic!("expected does_not_fit, got {other:?}"),
    }
}

#[test]
fn mc_attr_17_ussd_fits_one_interaction() {
    let mut r = request(device(DeviceKind::Ussd, 40, 20));
    r.attributes = (0..12)
        .map(|i| attr(&format!("claim_{i}"), "some value", "misc"))
        .collect();
    let p = render(&r).unwrap();
    assert!(p.measure.bytes <= 182);
    r.locale = "ar".into(); // UCS-2: 80 units
    let p = render(&r).unwrap();
    assert_eq!(p.measure.encoding, Encoding::Ucs2);
    assert!(p.measure.units <= 80, "{}", p.measure.units);
}

#[test]
fn sms_reports_segments() {
    let mut r = request(device(DeviceKind::Sms, 200, 50));
    r.attributes = (0..20)
        .map(|i| attr(&format!("claim_{i}"), "some value", "misc"))
        .collect();
    r.presentation = PresentationChoice::Forced(Presentation::NamesValues);
    let p = render(&r).unwrap();
    assert_eq!(p.measure.encoding, Encoding::Gsm7);
    assert_eq!(p.measure.segments, p.measure.units.div_ceil(153));
}

#[test]
fn arabic_isolates_latin_placeables_and_nothing_else() {
    let mut r = request(device(DeviceKind::Screen, 80, 10));
    r.locale = "ar".into();
    let p = render(&r).unwrap();
    assert!(p.flat.contains("\u{2068}Demo Shop\u{2069}"), "{}", p.flat);
    assert!(
        p.flat.contains("\u{2068}marie.curie@example.org\u{2069}"),
        "{}",
        p.flat
    );
    r.locale = "en".into();
    let p = render(&r).unwrap();
    assert!(!p.flat.contains('\u{2068}'));
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let base = request(device(DeviceKind::Screen, 80, 10));
    type Mutation = Box<dyn Fn(&mut ConsentRequest)>;
    let cases: Vec<(Mutation, &str)> = vec![
        (
            Box::new(|r| r.client_name = "  ".into()),
            "client_name is empty",
        ),
        (Box::new(|r| r.attributes.clear()), "no attributes"),
        (
            Box::new(|r| r.attributes[0].name = String::new()),
            "empty name",
        ),
        (
            Box::new(|r| r.attributes[1].name = "given_name".into()),
            "more than once",
        ),
        (
            Box::new(|r| r.attributes[0].value = Some("a\nb".into())),
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
