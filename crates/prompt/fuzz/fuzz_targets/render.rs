//! Structured requests: every prompt the renderer returns must keep its promises
//! (assent_prompt::check), and refusals must be the legitimate kinds.
#![no_main]

use arbitrary::Arbitrary;
use assent_prompt::check::prompt_is_sound;
use assent_prompt::{
    Attribute, ConsentRequest, DeviceKind, DeviceProfile, Encoding, Presentation,
    PresentationChoice, RenderError, Renderer,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    client_name: String,
    locale: u8,
    attributes: Vec<(String, Option<String>, Option<String>)>,
    kind: u8,
    columns: Option<u8>,
    rows: Option<u8>,
    max_bytes: Option<u16>,
    encodings: u8,
    ask_assurance: bool,
    presentation: u8,
}

// Every shipped locale, and one that falls back to English.
const LOCALES: [&str; 10] = ["en", "de", "fr", "es", "pt", "tr", "ar", "ja", "hi", "ko"];

fuzz_target!(|input: Input| {
    let Ok(renderer) = Renderer::shared() else { panic!("embedded resources are broken") };
    let encodings: Vec<Encoding> = Encoding::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| input.encodings & (1 << i) != 0)
        .map(|(_, e)| e)
        .collect();
    let request = ConsentRequest {
        client_name: input.client_name,
        locale: LOCALES[usize::from(input.locale) % LOCALES.len()].to_owned(),
        attributes: input
            .attributes
            .into_iter()
            .take(12)
            .map(|(name, value, group)| Attribute { name, value, group })
            .collect(),
        device: DeviceProfile {
            kind: [DeviceKind::Screen, DeviceKind::Phone, DeviceKind::Ussd, DeviceKind::Sms]
                [usize::from(input.kind) % 4],
            columns: input.columns.map(usize::from),
            rows: input.rows.map(usize::from),
            max_bytes: input.max_bytes.map(usize::from),
            encodings,
        },
        ask_assurance: input.ask_assurance,
        presentation: match input.presentation % 4 {
            0 => PresentationChoice::Auto,
            n => PresentationChoice::Forced(Presentation::PREFERENCE[usize::from(n) - 1]),
        },
    };
    match renderer.render(&request) {
        Ok(prompt) => {
            if let Err(violation) = prompt_is_sound(&request, &prompt) {
                panic!("{violation}: {request:?} -> {prompt:?}");
            }
        }
        Err(RenderError::Catalog(e)) => panic!("catalog error: {e}"),
        Err(RenderError::InvalidRequest(_) | RenderError::DoesNotFit(_)) => {}
    }
});
