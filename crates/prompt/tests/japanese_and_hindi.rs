//! Japanese and Hindi end to end: the words, the lines (CJK ideographs and kana are two
//! columns wide and a line may end between any two of them, UAX #14, but never inside a
//! name or a pair that fits; Devanagari breaks only at spaces, so no grapheme cluster or
//! conjunct is cut), and the encodings (neither fits GSM 7-bit: UCS-2 on USSD and SMS, the
//! phone's 220 bytes in whichever of UCS-2 and UTF-8 is cheaper).

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_prompt::check::{name_is_whole, prompt_is_sound};
use assent_prompt::encoding::{self, EncodingMisfit};
use assent_prompt::width::display_width;
use assent_prompt::wrap::is_cjk;
use assent_prompt::{
    Attribute, ConsentRequest, DeviceKind, DeviceProfile, Encoding, Misfit, Presentation,
    PresentationChoice, Prompt, RenderError, Renderer,
};
use unicode_segmentation::UnicodeSegmentation;

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

fn hanako() -> Vec<Attribute> {
    vec![
        attr("family_name", "山田", "name"),
        attr("given_name", "花子", "name"),
        attr("email", "hanako@example.jp", "contact"),
    ]
}

fn kshitij() -> Vec<Attribute> {
    vec![
        attr("given_name", "क्षितिज", "name"),
        attr("family_name", "श्रीवास्तव", "name"),
        attr("email", "kshitij@example.in", "contact"),
    ]
}

fn request(locale: &str, attributes: Vec<Attribute>, device: DeviceProfile) -> ConsentRequest {
    ConsentRequest {
        client_name: "Demo Shop".into(),
        locale: locale.into(),
        attributes,
        device,
        ask_assurance: true,
        presentation: PresentationChoice::Auto,
    }
}

/// The gateway's USSD handset: 30 × 8, GSM 7-bit or UCS-2.
fn ussd() -> DeviceProfile {
    DeviceProfile {
        kind: DeviceKind::Ussd,
        columns: Some(30),
        rows: Some(8),
        max_bytes: None,
        encodings: vec![Encoding::Gsm7, Encoding::Ucs2],
    }
}

fn sms() -> DeviceProfile {
    DeviceProfile {
        kind: DeviceKind::Sms,
        columns: None,
        rows: None,
        max_bytes: None,
        encodings: Encoding::ALL.to_vec(),
    }
}

/// A screen with no byte budget: only the columns limit the prompt.
fn screen(columns: usize) -> DeviceProfile {
    DeviceProfile {
        kind: DeviceKind::Screen,
        columns: Some(columns),
        rows: None,
        max_bytes: None,
        encodings: Encoding::ALL.to_vec(),
    }
}

fn render(request: &ConsentRequest) -> Result<Prompt, RenderError> {
    let prompt = renderer().render(request)?;
    if let Err(violation) = prompt_is_sound(request, &prompt) {
        panic!("{violation}: {:?}", prompt.lines);
    }
    Ok(prompt)
}

/// Every attempt failed, and each failure.
fn misfits(request: &ConsentRequest) -> Vec<Misfit> {
    match renderer().render(request) {
        Err(RenderError::DoesNotFit(d)) => d.attempts.into_iter().map(|a| a.misfit).collect(),
        other => panic!("expected does_not_fit, got {other:?}"),
    }
}

/// GSM 7-bit has no kana, ideograph or Devanagari letter: it is never chosen, and a device
/// that allows nothing else cannot show the prompt (the first character it lacks is named).
#[test]
fn neither_japanese_nor_hindi_fits_gsm7() {
    for (locale, attributes) in [("ja", hanako()), ("hi", kshitij())] {
        let mut r = request(locale, attributes, ussd());
        r.device.encodings = vec![Encoding::Gsm7];
        for misfit in misfits(&r) {
            let Misfit::Encoding(encodings) = misfit else {
                panic!("{locale}: {misfit:?}");
            };
            assert!(
                matches!(
                    encodings.as_slice(),
                    [EncodingMisfit::NotRepresentable {
                        encoding: Encoding::Gsm7,
                        character,
                    }] if !character.is_ascii()
                ),
                "{locale}: {encodings:?}"
            );
        }
    }
}

/// On the phone (32 × 8, 220 bytes) Japanese names + values fits without the assurance:
/// 165 bytes of UTF-8 (cheaper than UCS-2 here, thanks to the ASCII address). With the
/// assurance the same prompt is over 220 bytes in both encodings, so it is left out
/// (MC_ATTR_12: "if the display space permits").
#[test]
fn japanese_on_the_phone_keeps_within_220_bytes() {
    let p = render(&request("ja", hanako(), DeviceProfile::phone())).unwrap();
    assert_eq!(
        p.lines,
        [
            "Demo Shopが次の情報を求めていま",
            "す：姓 = 山田、名 = 花子、メール",
            "アドレス = hanako@example.jp。",
            "共有しますか？ はい / いいえ"
        ]
    );
    assert_eq!(
        (p.presentation, p.assurance, p.locale),
        (Presentation::NamesValues, false, "ja")
    );
    assert_eq!(
        (p.measure.encoding, p.measure.bytes),
        (Encoding::Utf8, p.text.len())
    );
    assert_eq!(p.measure.bytes, 165);
    let ucs2 = encoding::measure(&p.text, DeviceKind::Phone, Encoding::Ucs2).unwrap();
    assert!(ucs2.bytes > p.measure.bytes, "{ucs2:?}");
    // Ideographs and kana are two columns: the first line is 31 columns, and the next
    // character (す) would make it 33.
    assert_eq!(display_width(&p.lines[0]), 31);
    assert_eq!(display_width("山田花子"), 8);

    // With the assurance (on a screen, which has no byte budget) it is over 220 bytes in
    // UTF-8 and in UCS-2.
    let mut roomy = request("ja", hanako(), DeviceProfile::phone());
    roomy.device.kind = DeviceKind::Screen;
    roomy.device.rows = None;
    roomy.device.max_bytes = None;
    let with_assurance = render(&roomy).unwrap();
    assert!(with_assurance.assurance);
    for encoding in [Encoding::Utf8, Encoding::Ucs2] {
        let m = encoding::measure(&with_assurance.text, DeviceKind::Phone, encoding).unwrap();
        assert!(m.bytes > 220, "{encoding}: {m:?}");
    }

    // A phone that takes only UTF-8 is held to the 220 bytes counted in UTF-8 octets.
    let mut r = request("ja", hanako(), DeviceProfile::phone());
    r.device.encodings = vec![Encoding::Utf8];
    let p = render(&r).unwrap();
    assert_eq!(p.measure.encoding, Encoding::Utf8);
    assert!(p.text.len() <= 220, "{}", p.text.len());
}

/// USSD carries UCS-2 (80 units, MC_ATTR_17) and SMS UCS-2 segments of 67 units.
#[test]
fn japanese_on_ussd_and_sms_is_ucs2() {
    let p = render(&request("ja", hanako(), ussd())).unwrap();
    // Names + values would be 85 units: the names fit.
    assert_eq!(
        p.lines,
        [
            "Demo Shopが次の情報を求めてい",
            "ます：姓、名、メールアドレス。",
            "共有しますか？ 1 はい /",
            "2 いいえ"
        ]
    );
    assert_eq!(p.presentation, Presentation::Names);
    assert_eq!((p.measure.encoding, p.measure.units), (Encoding::Ucs2, 56));

    let p = render(&request("ja", hanako(), sms())).unwrap();
    assert_eq!(
        p.flat,
        "Demo Shopが次の情報を求めています：姓 = 山田、名 = 花子、メールアドレス = \
         hanako@example.jp。 この情報がご本人のもので、未成年ではないことを確認してください。 \
         共有しますか？ 1 はい / 2 いいえ"
    );
    assert_eq!(p.measure.encoding, Encoding::Ucs2);
    assert_eq!(p.measure.units, p.text.encode_utf16().count());
    assert_eq!(p.measure.segments, p.measure.units.div_ceil(67));
    assert_eq!(p.measure.segments, 2);
}

/// Japanese at every width from 6 to 48 columns: lines may end between two kana or
/// ideographs (no space is needed), never before 。、：？ or the prolonged sound mark ー
/// (UAX #14 CL, NS, EX), never inside a name, nor inside a pair that fits.
#[test]
fn japanese_wraps_between_ideographs_but_never_inside_a_name_or_a_pair() {
    let attributes = vec![
        attr("family_name", "長谷川", "name"),
        attr("given_name", "美穂子", "name"),
        attr("address", "東京都千代田区千代田1-1", "address"),
        attr("nickname", "ミホ", "name"),
    ];
    let mut cjk_seams = 0;
    let mut rendered = 0;
    for columns in 6..=48 {
        for presentation in [
            PresentationChoice::Auto,
            PresentationChoice::Forced(Presentation::NamesValues),
        ] {
            let mut r = request("ja", attributes.clone(), screen(columns));
            r.presentation = presentation;
            let p = match render(&r) {
                Ok(p) => p,
                Err(RenderError::DoesNotFit(_)) => continue,
                Err(other) => panic!("{columns}: {other}"),
            };
            rendered += 1;
            for line in &p.lines {
                assert!(display_width(line) <= columns, "{columns}: {:?}", p.lines);
                assert!(
                    !line.starts_with(['。', '、', '：', '？', 'ー']),
                    "{columns}: {:?}",
                    p.lines
                );
            }
            for pair in p.lines.windows(2) {
                let (end, start) = (pair[0].chars().next_back(), pair[1].chars().next());
                if end.is_some_and(is_cjk) && start.is_some_and(is_cjk) {
                    cjk_seams += 1;
                }
            }
            if p.presentation == Presentation::NamesValues {
                for name in ["長谷川", "美穂子"] {
                    name_is_whole(name, &p.lines).unwrap();
                }
                for pair in ["姓 = 長谷川", "名 = 美穂子", "ニックネーム = ミホ"] {
                    if display_width(pair) <= columns {
                        assert!(
                            p.lines.iter().any(|l| l.contains(pair)),
                            "{pair} in {columns}: {:?}",
                            p.lines
                        );
                    }
                }
            }
        }
    }
    assert!(rendered > 60, "{rendered}");
    assert!(cjk_seams > 100, "{cjk_seams}");
}

/// A Japanese name too wide for the line is never cut, between its kana or at its space:
/// names + values does not fit, and `auto` shows the labels.
#[test]
fn a_japanese_name_wider_than_the_line_does_not_fit() {
    for (name, width) in [("メアリー アン", 13), ("アレクサンドラ", 14)] {
        let mut r = request("ja", vec![attr("given_name", name, "name")], screen(12));
        r.presentation = PresentationChoice::Forced(Presentation::NamesValues);
        for misfit in misfits(&r) {
            assert_eq!(
                misfit,
                Misfit::NameTooWide {
                    name: name.into(),
                    width,
                    columns: 12
                }
            );
        }
        r.presentation = PresentationChoice::Auto;
        let p = render(&r).unwrap();
        assert_eq!(p.presentation, Presentation::Names);
        assert!(p.flat.contains("：名。"), "{}", p.flat);
    }
}

/// Hindi is UCS-2 on USSD, SMS and the phone (cheaper than three UTF-8 octets a letter); on
/// USSD and the phone only the names fit the budget.
#[test]
fn hindi_on_ussd_sms_and_the_phone() {
    let p = render(&request("hi", kshitij(), ussd())).unwrap();
    assert_eq!(
        p.lines,
        [
            "Demo Shop को यह जानकारी चाहिए:",
            "पहला नाम, कुलनाम, ईमेल। साझा करें?",
            "1 हाँ / 2 नहीं"
        ]
    );
    assert_eq!(p.presentation, Presentation::Names);
    assert_eq!((p.measure.encoding, p.measure.units), (Encoding::Ucs2, 80));

    let p = render(&request("hi", kshitij(), sms())).unwrap();
    assert_eq!(
        p.flat,
        "Demo Shop को यह जानकारी चाहिए: पहला नाम = क्षितिज, कुलनाम = श्रीवास्तव, ईमेल = \
         kshitij@example.in। पुष्टि करें कि यह जानकारी आपकी है और आप नाबालिग नहीं हैं। \
         साझा करें? 1 हाँ / 2 नहीं"
    );
    assert_eq!(
        (p.presentation, p.assurance, p.measure.encoding),
        (Presentation::NamesValues, true, Encoding::Ucs2)
    );
    assert_eq!(p.measure.segments, p.measure.units.div_ceil(67));

    let p = render(&request("hi", kshitij(), DeviceProfile::phone())).unwrap();
    assert_eq!(
        (p.presentation, p.measure.encoding),
        (Presentation::Names, Encoding::Ucs2)
    );
    assert!(p.measure.bytes <= 220);
    // Names + values would be over the 220 bytes in both encodings.
    let mut r = request("hi", kshitij(), DeviceProfile::phone());
    r.presentation = PresentationChoice::Forced(Presentation::NamesValues);
    r.ask_assurance = false;
    for misfit in misfits(&r) {
        let Misfit::Encoding(encodings) = misfit else {
            panic!("{misfit:?}");
        };
        for e in encodings {
            assert!(
                matches!(
                    &e,
                    EncodingMisfit::NotRepresentable { .. }
                        | EncodingMisfit::OverBudget {
                            budget_bytes: 220,
                            ..
                        }
                ),
                "{e:?}"
            );
        }
    }
}

/// Devanagari combining marks: the virama (which joins a conjunct: क्ष), the nukta, the
/// vowel signs and the signs above the line.
fn is_devanagari_mark(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' | '\u{0951}'..='\u{0957}'
        | '\u{0962}' | '\u{0963}')
}

/// Hindi at every width: lines end only at spaces, so every line starts on a grapheme
/// cluster boundary of the prompt (UAX #29), none with a vowel sign or a virama, and every
/// conjunct (consonant, virama, consonant) and every name stays on one line.
#[test]
fn devanagari_clusters_and_conjuncts_are_never_split() {
    let attributes = vec![
        attr("given_name", "क्षितिज", "name"),
        attr("family_name", "श्रीवास्तव", "name"),
        attr("address", "सत्यनारायण मार्ग, द्वारका", "address"),
    ];
    let conjuncts = ["क्ष", "श्र", "त्य", "द्व", "र्ग"];
    let mut rendered = 0;
    for columns in 4..=48 {
        for presentation in [
            PresentationChoice::Auto,
            PresentationChoice::Forced(Presentation::NamesValues),
        ] {
            let mut r = request("hi", attributes.clone(), screen(columns));
            r.presentation = presentation;
            let p = match render(&r) {
                Ok(p) => p,
                Err(RenderError::DoesNotFit(_)) => continue,
                Err(other) => panic!("{columns}: {other}"),
            };
            rendered += 1;
            let boundaries: Vec<usize> = p.flat.grapheme_indices(true).map(|(at, _)| at).collect();
            let mut at = 0;
            for line in &p.lines {
                at += p.flat[at..].find(line.as_str()).unwrap();
                assert!(boundaries.contains(&at), "{columns}: {:?}", p.lines);
                assert!(
                    !line.starts_with(is_devanagari_mark),
                    "{columns}: {:?}",
                    p.lines
                );
                at += line.len();
            }
            for conjunct in conjuncts {
                if p.flat.contains(conjunct) {
                    let whole: usize = p.lines.iter().map(|l| l.matches(conjunct).count()).sum();
                    assert_eq!(
                        whole,
                        p.flat.matches(conjunct).count(),
                        "{conjunct} in {columns}: {:?}",
                        p.lines
                    );
                }
            }
            if p.presentation == Presentation::NamesValues {
                name_is_whole("क्षितिज", &p.lines).unwrap();
                name_is_whole("श्रीवास्तव", &p.lines).unwrap();
            }
        }
    }
    assert!(rendered > 60, "{rendered}");
}

/// The consent card of a large screen in Japanese and Hindi: every line in the language,
/// each variable in place (the card's text is what the decision is signed over).
#[test]
fn the_large_screens_card_in_japanese_and_hindi() {
    use assent_prompt::card::Card;
    use assent_prompt::wire::{PromptContent, WireAttribute, WireLifetime, WirePresentation};
    let content = |attributes: &[(&str, &str)], lifetime| PromptContent::Consent {
        client_name: "Demo Shop".into(),
        locale: "en".into(),
        attributes: attributes
            .iter()
            .map(|(name, value)| WireAttribute {
                name: (*name).into(),
                value: Some((*value).into()),
                group: None,
            })
            .collect(),
        ask_assurance: true,
        presentation: WirePresentation::Auto,
        lifetime: Some(lifetime),
        binding_message: Some("4711".into()),
    };
    let ja = Card::of(
        renderer(),
        &content(
            &[("family_name", "山田"), ("given_name", "花子")],
            WireLifetime::Transaction { seconds: 600 },
        ),
        Some("ja"),
    )
    .unwrap();
    assert_eq!((ja.locale.as_str(), ja.direction.as_str()), ("ja", "ltr"));
    assert_eq!(
        ja.canonical_text(),
        "Demo Shopが次の情報を求めています：\n姓 = 山田\n名 = 花子\n約 600 秒間\n\
         Demo Shop の画面に表示されたコード：4711\n\
         この情報がご本人のもので、未成年ではないことを確認してください。\n共有しますか？"
    );
    let hi = Card::of(
        renderer(),
        &content(
            &[("given_name", "क्षितिज")],
            WireLifetime::LongLived {
                until: Some("2027-06-30".into()),
            },
        ),
        Some("hi-IN"),
    )
    .unwrap();
    assert_eq!(
        hi.canonical_text(),
        "Demo Shop को यह जानकारी चाहिए:\nपहला नाम = क्षितिज\n2027-06-30 तक, या जब तक आप इसे वापस न लें\n\
         Demo Shop की स्क्रीन पर कोड: 4711\n\
         पुष्टि करें कि यह जानकारी आपकी है और आप नाबालिग नहीं हैं।\nसाझा करें?"
    );
}
