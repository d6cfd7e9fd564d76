//! Where a prompt's lines may end, on requests found to go wrong (MC_ATTR_15): the lines are
//! the flat prompt cut at white space, which the cut consumes whole, or between two CJK
//! characters, never inside a word or a value that fits on a line.
//!
//! These requests asked for `ja` when Japanese was not shipped and fell back to English; they
//! now ask for `en`, which keeps the prompts they were written on. Japanese prompts have
//! their own tests (`japanese_and_hindi.rs`).

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_prompt::check::prompt_is_sound;
use assent_prompt::width::display_width;
use assent_prompt::{
    Attribute, ConsentRequest, DeviceKind, DeviceProfile, Encoding, Misfit, Presentation,
    PresentationChoice, Prompt, RenderError, Renderer,
};

fn ussd(columns: usize, encodings: &[Encoding]) -> DeviceProfile {
    DeviceProfile {
        kind: DeviceKind::Ussd,
        columns: Some(columns),
        rows: None,
        max_bytes: None,
        encodings: encodings.to_vec(),
    }
}

fn render(request: &ConsentRequest) -> Prompt {
    let prompt = Renderer::new().unwrap().render(request).unwrap();
    if let Err(violation) = prompt_is_sound(request, &prompt) {
        panic!("{violation}: {:?}", prompt.lines);
    }
    prompt
}

/// Renders `request`, whose one value shows as `pair`; or, at a width where the pair fits a
/// line but not with the punctuation bound to it (its full stop), checks that names + values
/// does not fit for that reason alone and gives `None`: a pair that fits a line is never cut
/// at its `=` (issue 17), and this one cannot be put whole on any line.
fn render_unless_only_the_pair_fits(request: &ConsentRequest, pair: &str) -> Option<Prompt> {
    let columns = request.device.columns.unwrap();
    match Renderer::new().unwrap().render(request) {
        Ok(prompt) => {
            if let Err(violation) = prompt_is_sound(request, &prompt) {
                panic!("{violation}: {:?}", prompt.lines);
            }
            Some(prompt)
        }
        Err(RenderError::DoesNotFit(d)) => {
            assert!(display_width(pair) <= columns, "{columns} columns: {d}");
            for attempt in &d.attempts {
                assert!(
                    matches!(&attempt.misfit, Misfit::WordTooWide(w)
                        if w.word.starts_with(pair) && w.width > columns),
                    "{columns} columns: {d}"
                );
            }
            None
        }
        Err(other) => panic!("{columns} columns: {other}"),
    }
}

/// Found by the `render` fuzz target: a value starting with U+3000 IDEOGRAPHIC SPACE right
/// where the line ends. UAX #14 allows a break between U+0020 and U+3000 (LB18: SP ÷, and
/// U+3000 is BA), so the wrapper ended the line between the two spaces and the next line
/// began with the ideographic space: its lines no longer re-joined to the flat prompt.
#[test]
fn a_line_never_ends_inside_a_run_of_white_space() {
    let request = ConsentRequest {
        client_name: "Q\u{3CBE}\"=".into(),
        locale: "en".into(),
        attributes: vec![Attribute {
            name: "\u{313E}~,az\u{FE02}".into(),
            value: Some("\u{3000}\u{313E}~ai\u{FE0F}aaa".into()),
            group: None,
        }],
        device: DeviceProfile {
            rows: Some(91),
            ..ussd(13, &[Encoding::Ucs2])
        },
        ask_assurance: false,
        presentation: PresentationChoice::Forced(Presentation::NamesValues),
    };
    let prompt = render(&request);
    assert!(
        prompt
            .lines
            .iter()
            .all(|line| !line.starts_with('\u{3000}')),
        "{:?}",
        prompt.lines
    );

    // The same with a plain name, and with the other spaces that UAX #14 lets a line
    // break before after U+0020 (class BA: en quad … hair space, medium mathematical space,
    // Ogham space mark), at every width.
    for space in ['\u{3000}', '\u{2002}', '\u{2009}', '\u{205F}', '\u{1680}'] {
        for columns in 8..40 {
            let request = ConsentRequest {
                client_name: "Demo Shop".into(),
                locale: "en".into(),
                attributes: vec![Attribute {
                    name: "given_name".into(),
                    value: Some(format!("{space}Marie")),
                    group: None,
                }],
                device: ussd(columns, &Encoding::ALL),
                ask_assurance: false,
                presentation: PresentationChoice::Forced(Presentation::NamesValues),
            };
            let pair = format!("given name = {space}Marie");
            let Some(prompt) = render_unless_only_the_pair_fits(&request, &pair) else {
                assert_eq!(columns, display_width(&pair), "U+{:04X}", u32::from(space));
                continue;
            };
            assert!(
                prompt.lines.iter().all(|line| !line.starts_with(space)),
                "U+{:04X} in {columns} columns: {:?}",
                u32::from(space),
                prompt.lines
            );
        }
    }
}

fn names_values(value: &str, columns: usize) -> ConsentRequest {
    ConsentRequest {
        client_name: "Demo Shop".into(),
        locale: "en".into(),
        attributes: vec![Attribute {
            name: "name".into(),
            value: Some(value.into()),
            group: Some("name".into()),
        }],
        device: ussd(columns, &Encoding::ALL),
        ask_assurance: false,
        presentation: PresentationChoice::Forced(Presentation::NamesValues),
    }
}

/// CJK text may break between any two ideographs (UAX #14 ID ÷ ID), but a value is one
/// thing to read: a Japanese name that fits on a line is never split across two, wherever
/// the line would otherwise end (`full name = 山田太` / `郎.` in 20 columns, before).
#[test]
fn a_value_that_fits_on_a_line_stays_on_one_line() {
    let name = "山田太郎";
    // "山田太郎." is 9 columns wide: no line may end before the full stop (UAX #14 LB13).
    // "full name = 山田太郎" is 20 columns, 21 with it: in 20 the pair fits a line but
    // cannot be whole on one, and is not cut at its `=` either (issue 17).
    for columns in 9..48 {
        let request = names_values(name, columns);
        let Some(prompt) = render_unless_only_the_pair_fits(&request, "full name = 山田太郎")
        else {
            assert_eq!(columns, 20);
            continue;
        };
        assert!(
            prompt.lines.iter().any(|line| line.contains(name)),
            "{columns} columns: {:?}",
            prompt.lines
        );
    }
    // With no room for "山田太郎." names + values does not fit, and auto shows the name's
    // label instead of cutting the name.
    let mut request = names_values(name, 8);
    assert!(Renderer::new().unwrap().render(&request).is_err());
    request.presentation = PresentationChoice::Auto;
    assert_eq!(render(&request).presentation, Presentation::Names);
}

/// A value wider than a line may break, but only at its own white space, never between two
/// of its ideographs.
#[test]
fn a_value_longer_than_a_line_breaks_only_at_its_own_spaces() {
    let address = "東京都千代田区 千代田1-1";
    // 24 columns wide; its first part is 14, its second (with the full stop) 10.
    for columns in 14..24 {
        let prompt = render(&names_values(address, columns));
        for part in ["東京都千代田区", "千代田1-1."] {
            assert!(
                prompt.lines.iter().any(|line| line.contains(part)),
                "{part} in {columns} columns: {:?}",
                prompt.lines
            );
        }
    }
    let request = names_values(address, 13);
    assert!(Renderer::new().unwrap().render(&request).is_err());
}

/// Found by the `render` fuzz target: a value with white space before it and a
/// right-to-left letter in it (so it is isolated). The isolation marks took the white space
/// in, and the value was measured with it: one column too wide for its line, it was cut at
/// its own space although it fits on a line without the white space around it. The white
/// space around a value now stays outside its isolation marks and its glue.
#[test]
fn the_white_space_around_a_value_is_not_part_of_it() {
    let request = ConsentRequest {
        client_name: "\u{3FB2}Qz\"=".into(),
        locale: "en".into(),
        attributes: vec![Attribute {
            name: "\u{312E}~,az\u{FE02}".into(),
            value: Some("\u{3000} \u{312E}~,az\u{FE82} \u{313E}~".into()),
            group: None,
        }],
        device: DeviceProfile {
            kind: DeviceKind::Screen,
            columns: Some(13),
            rows: Some(255),
            max_bytes: Some(53475),
            encodings: vec![Encoding::Ucs2],
        },
        ask_assurance: false,
        presentation: PresentationChoice::Forced(Presentation::NamesValues),
    };
    let prompt = render(&request);
    let value = "\u{2068}\u{312E}~,az\u{FE82} \u{313E}~\u{2069}";
    assert!(
        prompt.flat.contains(&format!("= \u{3000} {value}.")),
        "{:?}",
        prompt.flat
    );
    assert!(
        prompt.lines.iter().any(|line| line.contains(value)),
        "{:?}",
        prompt.lines
    );

    // The same with a Latin value in Arabic, white space on both sides, at every width
    // from that of "Marie Curie \u{3000}." on (no line ends before a full stop). The pair is
    // 29 columns and 33 with the white space and full stop that UAX #14 binds to it (LB13):
    // from 29 to 32 columns it fits a line but cannot be whole on one, and is not cut at its
    // `=` either (issue 17).
    let pair = "الاسم الكامل = \u{3000} \u{2068}Marie Curie\u{2069}";
    for columns in 15..40 {
        let request = ConsentRequest {
            client_name: "Demo Shop".into(),
            locale: "ar".into(),
            attributes: vec![Attribute {
                name: "name".into(),
                value: Some("\u{3000} Marie Curie \u{3000}".into()),
                group: None,
            }],
            device: ussd(columns, &Encoding::ALL),
            ask_assurance: false,
            presentation: PresentationChoice::Forced(Presentation::NamesValues),
        };
        let Some(prompt) = render_unless_only_the_pair_fits(&request, pair) else {
            assert!((29..33).contains(&columns), "{columns}");
            continue;
        };
        assert!(
            prompt
                .flat
                .contains("\u{3000} \u{2068}Marie Curie\u{2069} \u{3000}"),
            "{:?}",
            prompt.flat
        );
        assert!(
            prompt
                .lines
                .iter()
                .any(|line| line.contains("\u{2068}Marie Curie\u{2069}")),
            "{columns} columns: {:?}",
            prompt.lines
        );
    }
}
