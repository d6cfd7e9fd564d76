//! The JSON contract of `assent prompt render` (and of the app's preview command).
//! QA scripts outside the repository rely on these exact shapes.

use crate::device::{DeviceKind, DeviceProfile};
use crate::encoding::Encoding;
use crate::render::{
    Attribute, ConsentRequest, Presentation, PresentationChoice, RenderError, Renderer,
};
use serde::{Deserialize, Serialize};

/// `{"client_name": …, "locale": …, "attributes": […], "device": {…}, "ask_assurance": …,
/// "presentation": "auto"}`. Unknown fields are refused so that a typo is not silently ignored.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RenderRequest {
    pub client_name: String,
    pub locale: String,
    pub attributes: Vec<WireAttribute>,
    pub device: WireDevice,
    #[serde(default)]
    pub ask_assurance: bool,
    #[serde(default)]
    pub presentation: WirePresentation,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct WireAttribute {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct WireDevice {
    pub kind: DeviceKind,
    #[serde(default)]
    pub columns: Option<usize>,
    #[serde(default)]
    pub rows: Option<usize>,
    #[serde(default)]
    pub max_bytes: Option<usize>,
    /// Omitted: every encoding.
    #[serde(default)]
    pub encodings: Option<Vec<Encoding>>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WirePresentation {
    #[default]
    Auto,
    NamesValues,
    Names,
    Groups,
}

/// The result (exit 0).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RenderResponse {
    pub text: String,
    pub flat: String,
    pub lines: Vec<String>,
    pub presentation: Presentation,
    pub assurance: bool,
    pub encoding: Encoding,
    pub bytes: usize,
    pub packed_bytes: usize,
    pub units: usize,
    pub segments: usize,
    pub client_name_truncated: bool,
}

/// The error (exit 2).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RenderFailure {
    pub error: FailureKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    DoesNotFit,
    InvalidRequest,
    /// A defect of this crate (its embedded resources); never expected.
    InternalError,
}

impl RenderFailure {
    /// For input that is not even a well-formed request.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        RenderFailure {
            error: FailureKind::InvalidRequest,
            message: message.into(),
        }
    }
}

impl From<RenderRequest> for ConsentRequest {
    fn from(r: RenderRequest) -> Self {
        ConsentRequest {
            client_name: r.client_name,
            locale: r.locale,
            attributes: r
                .attributes
                .into_iter()
                .map(|a| Attribute {
                    name: a.name,
                    value: a.value,
                    group: a.group,
                })
                .collect(),
            device: DeviceProfile {
                kind: r.device.kind,
                columns: r.device.columns,
                rows: r.device.rows,
                max_bytes: r.device.max_bytes,
                encodings: r.device.encodings.unwrap_or_else(|| Encoding::ALL.to_vec()),
            },
            ask_assurance: r.ask_assurance,
            presentation: match r.presentation {
                WirePresentation::Auto => PresentationChoice::Auto,
                WirePresentation::NamesValues => {
                    PresentationChoice::Forced(Presentation::NamesValues)
                }
                WirePresentation::Names => PresentationChoice::Forced(Presentation::Names),
                WirePresentation::Groups => PresentationChoice::Forced(Presentation::Groups),
            },
        }
    }
}

impl From<&DeviceProfile> for WireDevice {
    fn from(d: &DeviceProfile) -> Self {
        WireDevice {
            kind: d.kind,
            columns: d.columns,
            rows: d.rows,
            max_bytes: d.max_bytes,
            encodings: Some(d.encodings.clone()),
        }
    }
}

impl From<&WireDevice> for DeviceProfile {
    fn from(d: &WireDevice) -> Self {
        DeviceProfile {
            kind: d.kind,
            columns: d.columns,
            rows: d.rows,
            max_bytes: d.max_bytes,
            encodings: d
                .encodings
                .clone()
                .unwrap_or_else(|| Encoding::ALL.to_vec()),
        }
    }
}

/// How long what the user allows lasts (MC_ATTR_18: the SP's token policy).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireLifetime {
    /// One access, then the token is spent.
    OneTime,
    /// A transactional token: about this many seconds.
    Transaction { seconds: u32 },
    /// Until the user revokes it, or `until` (`YYYY-MM-DD`), whichever comes first.
    LongLived {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<String>,
    },
}

/// What a prompt says, without the device that shows it. The gateway sends it to the app
/// beside its own rendering, so that the app renders it for its own screen and language;
/// and the gateway, told which device and language the app used, renders it again to check
/// that the text the user's decision is signed over says what the request asked.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PromptContent {
    /// A consent prompt: who asks for what.
    Consent {
        client_name: String,
        locale: String,
        attributes: Vec<WireAttribute>,
        #[serde(default)]
        ask_assurance: bool,
        #[serde(default)]
        presentation: WirePresentation,
        /// How long what the user allows lasts: shown on a large screen's card.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lifetime: Option<WireLifetime>,
        /// The CIBA `binding_message` the SP shows on its own screen (CIBA Core §7.1): shown
        /// on a large screen's card, so the user can tell the two screens belong together.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        binding_message: Option<String>,
    },
    /// A sign-in prompt: consent was given elsewhere (MC_ATTR_08).
    SignIn { client_name: String, locale: String },
}

impl PromptContent {
    /// Renders the content for `device`, in `locale` when given (else the content's own).
    pub fn render(
        &self,
        renderer: &Renderer,
        device: &DeviceProfile,
        locale: Option<&str>,
    ) -> Result<crate::render::Prompt, RenderError> {
        match self {
            PromptContent::Consent {
                client_name,
                locale: own,
                attributes,
                ask_assurance,
                presentation,
                ..
            } => {
                let request = RenderRequest {
                    client_name: client_name.clone(),
                    locale: locale.unwrap_or(own).to_owned(),
                    attributes: attributes.clone(),
                    device: WireDevice::from(device),
                    ask_assurance: *ask_assurance,
                    presentation: *presentation,
                };
                renderer.render(&request.into())
            }
            PromptContent::SignIn {
                client_name,
                locale: own,
            } => renderer.render_sign_in(&crate::render::SignInRequest {
                client_name: client_name.clone(),
                locale: locale.unwrap_or(own).to_owned(),
                device: device.clone(),
            }),
        }
    }

    /// The SP's name as the request gives it.
    pub fn client_name(&self) -> &str {
        match self {
            PromptContent::Consent { client_name, .. }
            | PromptContent::SignIn { client_name, .. } => client_name,
        }
    }

    /// The language the sender rendered its own text in.
    pub fn locale(&self) -> &str {
        match self {
            PromptContent::Consent { locale, .. } | PromptContent::SignIn { locale, .. } => locale,
        }
    }
}

/// Renders one request with the shared renderer.
pub fn render(request: RenderRequest) -> Result<RenderResponse, RenderFailure> {
    let renderer = Renderer::shared().map_err(|e| RenderFailure {
        error: FailureKind::InternalError,
        message: e.to_string(),
    })?;
    match renderer.render(&request.into()) {
        Ok(p) => Ok(RenderResponse {
            text: p.text,
            flat: p.flat,
            lines: p.lines,
            presentation: p.presentation,
            assurance: p.assurance,
            encoding: p.measure.encoding,
            bytes: p.measure.bytes,
            packed_bytes: p.measure.packed_bytes,
            units: p.measure.units,
            segments: p.measure.segments,
            client_name_truncated: p.client_name_truncated,
        }),
        Err(e) => Err(RenderFailure {
            error: match e {
                RenderError::InvalidRequest(_) => FailureKind::InvalidRequest,
                RenderError::DoesNotFit(_) => FailureKind::DoesNotFit,
                RenderError::Catalog(_) => FailureKind::InternalError,
            },
            message: match e {
                RenderError::InvalidRequest(inner) => inner.to_string(),
                other => other.to_string(),
            },
        }),
    }
}

/// Parses a JSON request and renders it; a malformed request is an `invalid_request`.
pub fn render_json(input: &str) -> Result<RenderResponse, RenderFailure> {
    let request: RenderRequest = serde_json::from_str(input)
        .map_err(|e| RenderFailure::invalid_request(format!("malformed request: {e}")))?;
    render(request)
}
