//! `PromptContent`: the device-free content the gateway sends to the app renders exactly as
//! the same request rendered directly, for every device and in the language asked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_prompt::Renderer;
use assent_prompt::device::{DeviceKind, DeviceProfile};
use assent_prompt::wire::{
    PromptContent, RenderRequest, WireAttribute, WireDevice, WirePresentation,
};

fn content() -> PromptContent {
    PromptContent::Consent {
        client_name: "Demo Shop".into(),
        locale: "en".into(),
        attributes: vec![
            WireAttribute {
                name: "given_name".into(),
                value: Some("Marie".into()),
                group: Some("name".into()),
            },
            WireAttribute {
                name: "email".into(),
                value: Some("marie@example.org".into()),
                group: Some("contact".into()),
            },
        ],
        ask_assurance: true,
        presentation: WirePresentation::Auto,
        lifetime: None,
        binding_message: None,
    }
}

#[test]
fn the_wire_shape_is_tagged_by_kind() {
    let json = serde_json::to_value(content()).unwrap();
    assert_eq!(json["kind"], "consent");
    assert_eq!(json["client_name"], "Demo Shop");
    // Without a lifetime or a binding message the shape is what it always was.
    assert!(json.get("lifetime").is_none() && json.get("binding_message").is_none());
    let sign_in: PromptContent =
        serde_json::from_str(r#"{"kind":"sign_in","client_name":"Demo Shop","locale":"de"}"#)
            .unwrap();
    assert_eq!(sign_in.client_name(), "Demo Shop");
    assert!(
        serde_json::from_str::<PromptContent>(
            r#"{"kind":"other","client_name":"x","locale":"en"}"#
        )
        .is_err()
    );
}

#[test]
fn content_renders_as_the_same_request_rendered_directly() {
    let renderer = Renderer::shared().unwrap();
    for device in [
        DeviceProfile::phone(),
        DeviceProfile {
            kind: DeviceKind::Ussd,
            columns: None,
            rows: None,
            max_bytes: None,
            encodings: assent_prompt::encoding::Encoding::ALL.to_vec(),
        },
    ] {
        let direct: RenderRequest = RenderRequest {
            client_name: "Demo Shop".into(),
            locale: "fr".into(),
            attributes: match content() {
                PromptContent::Consent { attributes, .. } => attributes,
                PromptContent::SignIn { .. } => unreachable!(),
            },
            device: WireDevice::from(&device),
            ask_assurance: true,
            presentation: WirePresentation::Auto,
        };
        let expected = renderer.render(&direct.into()).unwrap();
        let from_content = content().render(renderer, &device, Some("fr")).unwrap();
        assert_eq!(from_content.text, expected.text);
        assert_eq!(from_content.locale, "fr");
        // Without a language of its own, the content's language is used.
        assert_eq!(
            content().render(renderer, &device, None).unwrap().locale,
            "en"
        );
    }
}

#[test]
fn a_device_profile_survives_the_wire() {
    let phone = DeviceProfile::phone();
    let wire = WireDevice::from(&phone);
    let json = serde_json::to_string(&wire).unwrap();
    let back: WireDevice = serde_json::from_str(&json).unwrap();
    assert_eq!(DeviceProfile::from(&back), phone);
}
