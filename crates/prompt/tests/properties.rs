//! Property tests over generated consent requests in many scripts:
//! - budgets are never exceeded, lines never wider than the screen nor more than its rows;
//! - no word is ever broken (lines are the prompt cut only at white space or CJK seams);
//! - `auto` never picks a poorer presentation when a richer one fits;
//! - the text round-trips through the chosen encoding, whose counts are exact;
//! - the same for the sign-in prompt.
//!
//! The checks live in `assent_prompt::check` and do not reuse the wrapper's break logic.

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_prompt::check::{prompt_is_sound, sign_in_prompt_is_sound};
use assent_prompt::render::InvalidRequest;
use assent_prompt::{
    Attribute, ConsentRequest, DeviceKind, DeviceProfile, Encoding, Presentation,
    PresentationChoice, RenderError, Renderer, SignInRequest,
};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use std::sync::OnceLock;

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new().unwrap())
}

/// Words per script, realistic for names, addresses and e-mail addresses.
const SCRIPTS: &[&[&str]] = &[
    &[
        "Marie", "Curie", "Demo", "Shop", "Rue", "Pierre", "75005", "Paris", "Bank", "Co.",
    ],
    &[
        "Crème", "Brûlée", "Zoë", "Ærø", "Façade", "Müller", "Straße", "João", "Ação", "Señor",
    ],
    &[
        "Şişli",
        "İzmir",
        "Ağaoğlu",
        "Işık",
        "Gül",
        "Çağrı",
        "Öztürk",
    ],
    &["Мария", "Кюри", "улица", "Москва", "Ёжик"],
    &["Μαρία", "Κιουρί", "οδός", "Αθήνα"],
    &["مريم", "كوري", "شارع", "القاهرة", "١٢٣"],
    &["מרי", "קירי", "רחוב", "ירושלים"],
    &[
        "玛丽",
        "居里",
        "北京市",
        "マリー・キュリー",
        "東京都",
        "さん",
        "。",
        "、",
    ],
    &["마리", "퀴리", "서울특별시", "강남구"],
    &["มารี", "กูรี", "กรุงเทพมหานคร", "ถนน"],
    &["मैरी", "क्यूरी", "नई", "दिल्ली", "क्षत्रिय"],
    &["😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "☺\u{FE0F}", "1\u{FE0F}\u{20E3}"],
    &[
        "E-Mail-Adresse",
        "marie.curie@example.org",
        "(home)",
        "[x]",
        "€5",
        "a/b",
        "?",
        "!",
        "~^",
    ],
    &["e\u{301}", "n\u{303}o", "a\u{00A0}b", "x\u{3000}y"],
];

const ATTRIBUTE_NAMES: &[&str] = &[
    "given_name",
    "family_name",
    "name",
    "email",
    "phone_number",
    "birthdate",
    "address",
    "street_address",
    "postal_code",
    "locality",
    "country",
    "national_identifier",
    "loyalty_id",
    "x",
];

const GROUPS: &[&str] = &[
    "name",
    "address",
    "contact",
    "birthdate",
    "identity",
    "phone",
    "misc",
];

fn phrase(max_words: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(select(SCRIPTS).prop_flat_map(select), 1..=max_words)
        .prop_map(|words| words.join(" "))
}

fn attribute() -> impl Strategy<Value = Attribute> {
    (
        select(ATTRIBUTE_NAMES),
        prop::option::weighted(0.9, phrase(4)),
        prop::option::weighted(0.8, select(GROUPS)),
    )
        .prop_map(|(name, value, group)| Attribute {
            name: name.to_owned(),
            value,
            group: group.map(str::to_owned),
        })
}

fn device() -> impl Strategy<Value = DeviceProfile> {
    (
        select(vec![
            DeviceKind::Screen,
            DeviceKind::Phone,
            DeviceKind::Ussd,
            DeviceKind::Sms,
        ]),
        prop::option::weighted(0.9, 6usize..80),
        prop::option::weighted(0.8, 1usize..14),
        prop::option::weighted(0.5, 20usize..400),
        subsequence(Encoding::ALL.to_vec(), 1..=3),
    )
        .prop_map(
            |(kind, columns, rows, max_bytes, encodings)| DeviceProfile {
                kind,
                columns,
                rows,
                max_bytes,
                encodings,
            },
        )
}

fn presentation() -> impl Strategy<Value = PresentationChoice> {
    prop_oneof![
        3 => Just(PresentationChoice::Auto),
        1 => select(Presentation::PREFERENCE.to_vec()).prop_map(PresentationChoice::Forced),
    ]
}

fn locale() -> impl Strategy<Value = &'static str> {
    select(vec![
        "en", "de", "fr", "es", "pt-BR", "tr", "ar", "ja", "hi-IN", "ko",
    ])
}

fn sign_in_request() -> impl Strategy<Value = SignInRequest> {
    (phrase(3), locale(), device()).prop_map(|(client_name, locale, device)| SignInRequest {
        client_name,
        locale: locale.to_owned(),
        device,
    })
}

fn request() -> impl Strategy<Value = ConsentRequest> {
    (
        phrase(3),
        locale(),
        prop::collection::vec(attribute(), 1..6).prop_map(|mut attributes| {
            // Each attribute once: a repeated name is refused (tested in rules.rs).
            let mut seen = std::collections::HashSet::new();
            attributes.retain(|a| seen.insert(a.name.clone()));
            attributes
        }),
        device(),
        any::<bool>(),
        presentation(),
    )
        .prop_map(
            |(client_name, locale, attributes, device, ask_assurance, presentation)| {
                ConsentRequest {
                    client_name,
                    locale: locale.to_owned(),
                    attributes,
                    device,
                    ask_assurance,
                    presentation,
                }
            },
        )
}

/// Only these refusals are legitimate for generated (well-formed) requests.
fn refusal_is_legitimate(error: &RenderError) -> bool {
    matches!(
        error,
        RenderError::DoesNotFit(_)
            | RenderError::InvalidRequest(InvalidRequest::MissingValue { .. })
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Budgets, columns, rows, unbroken words, exact encoding and counts.
    #[test]
    fn every_prompt_keeps_its_promises(request in request()) {
        match renderer().render(&request) {
            Ok(prompt) => {
                if let Err(violation) = prompt_is_sound(&request, &prompt) {
                    return Err(TestCaseError::fail(format!("{violation}\n{prompt:#?}")));
                }
                prop_assert!(prompt.flat.chars().all(|c| !c.is_control()));
            }
            Err(error) => prop_assert!(refusal_is_legitimate(&error), "{error}"),
        }
    }

    /// The sign-in prompt keeps the same promises, and fails only by not fitting.
    #[test]
    fn every_sign_in_prompt_keeps_its_promises(request in sign_in_request()) {
        match renderer().render_sign_in(&request) {
            Ok(prompt) => {
                if let Err(violation) = sign_in_prompt_is_sound(&request, &prompt) {
                    return Err(TestCaseError::fail(format!("{violation}\n{prompt:#?}")));
                }
            }
            Err(error) => prop_assert!(matches!(error, RenderError::DoesNotFit(_)), "{error}"),
        }
    }

    /// `auto` never picks a poorer presentation when a richer one fits, and fails only when
    /// every presentation fails.
    #[test]
    fn auto_picks_the_richest_presentation_that_fits(mut request in request()) {
        request.presentation = PresentationChoice::Auto;
        let auto = renderer().render(&request);
        let chosen = auto.as_ref().ok().map(|p| p.presentation);
        for richer in Presentation::PREFERENCE {
            if Some(richer) == chosen {
                break;
            }
            let mut forced = request.clone();
            forced.presentation = PresentationChoice::Forced(richer);
            match renderer().render(&forced) {
                Ok(p) => prop_assert!(false, "auto chose {chosen:?} but {richer} fits: {p:?}"),
                Err(e) => prop_assert!(refusal_is_legitimate(&e), "{e}"),
            }
        }
        if let Ok(prompt) = auto {
            // The assurance is left out only if it did not fit with this presentation.
            if request.ask_assurance && !prompt.assurance {
                let mut forced = request.clone();
                forced.presentation = PresentationChoice::Forced(prompt.presentation);
                let again = renderer().render(&forced).map(|p| p.assurance);
                prop_assert_eq!(again.ok(), Some(false));
            }
        }
    }

    /// A device with room for everything always gets names + values with the assurance.
    #[test]
    fn a_roomy_screen_gets_the_richest_prompt(mut request in request()) {
        request.device = DeviceProfile {
            kind: DeviceKind::Screen,
            columns: Some(400),
            rows: None,
            max_bytes: None,
            encodings: Encoding::ALL.to_vec(),
        };
        request.ask_assurance = true;
        request.presentation = PresentationChoice::Auto;
        let all_values = request.attributes.iter().all(|a| {
            a.value.as_deref().is_some_and(|v| !v.trim().is_empty())
        });
        let prompt = renderer().render(&request).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(prompt.assurance);
        let expected = if all_values { Presentation::NamesValues } else { Presentation::Names };
        prop_assert_eq!(prompt.presentation, expected);
    }
}
