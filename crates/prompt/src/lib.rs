//! # assent-prompt
//!
//! A sans-I/O library that turns a Mobile Connect consent request into a prompt that fits a
//! device (GSMA IDY.03 MC_ATTR_10..17): the richest attribute presentation that fits, the
//! ownership / not-a-minor assurance when it still fits, never a word broken across lines,
//! within the bearer's budget (220 bytes on the phone, one USSD interaction, SMS segments),
//! in the cheapest of GSM 7-bit (with national shift tables), UCS-2 and UTF-8.
//!
//! ```
//! use assent_prompt::{Attribute, ConsentRequest, DeviceProfile, PresentationChoice, Renderer};
//!
//! let renderer = Renderer::new()?;
//! let prompt = renderer.render(&ConsentRequest {
//!     client_name: "Demo Shop".into(),
//!     locale: "en".into(),
//!     attributes: vec![Attribute {
//!         name: "given_name".into(),
//!         value: Some("Marie".into()),
//!         group: Some("name".into()),
//!     }],
//!     device: DeviceProfile::phone(),
//!     ask_assurance: true,
//!     presentation: PresentationChoice::Auto,
//! })?;
//! assert!(prompt.flat.starts_with("Demo Shop asks for: given name = Marie."));
//! assert!(prompt.lines.iter().all(|l| l.len() <= 32));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! When consent was captured on the consumption device (MC_ATTR_08), the handset only needs
//! to authenticate: [`Renderer::render_sign_in`] fits the short sign-in prompt the same way.
//!
//! ```
//! use assent_prompt::{DeviceProfile, Renderer, SignInRequest};
//!
//! let prompt = Renderer::new()?.render_sign_in(&SignInRequest {
//!     client_name: "Demo Shop".into(),
//!     locale: "en".into(),
//!     device: DeviceProfile::phone(),
//! })?;
//! assert_eq!(prompt.flat, "Demo Shop asks to sign you in. Is this you? Yes / No");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The fitting rules and the choices behind them: `docs/prompt-fitting.md`.

pub mod card;
pub mod check;
pub mod device;
pub mod encoding;
pub mod gsm7;
pub mod l10n;
pub mod menu;
pub mod render;
pub mod width;
pub mod wire;
pub mod wrap;

pub use device::{DeviceKind, DeviceProfile};
pub use encoding::{Encoding, Measure};
pub use render::{
    Attribute, ConsentRequest, DoesNotFit, InvalidRequest, Misfit, Presentation,
    PresentationChoice, Prompt, RenderError, Renderer, SignInRequest,
};
