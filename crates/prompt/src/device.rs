//! What the device that shows the prompt can display and carry.

use crate::encoding::Encoding;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the consent prompt is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    /// A consumption device's screen (laptop, browser): no byte limit of its own.
    Screen,
    /// The authentication device's authenticator app: at most 220 bytes (MC_ATTR_13).
    Phone,
    /// A USSD session: one interaction of 182 septets or 80 UCS-2 units (MC_ATTR_17).
    Ussd,
    /// An SMS: 160/153 septets or 70/67 UCS-2 units per segment.
    Sms,
}

impl DeviceKind {
    /// USSD and SMS are answered on the keypad: `1 Yes / 2 No`.
    pub fn answers_by_keypad(self) -> bool {
        matches!(self, DeviceKind::Ussd | DeviceKind::Sms)
    }

    pub fn name(self) -> &'static str {
        match self {
            DeviceKind::Screen => "screen",
            DeviceKind::Phone => "phone",
            DeviceKind::Ussd => "ussd",
            DeviceKind::Sms => "sms",
        }
    }
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A device profile: the display grid, the byte budget and the encodings it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceProfile {
    pub kind: DeviceKind,
    /// Display width in columns (terminal cells); `None` = no wrapping.
    pub columns: Option<usize>,
    /// Lines on one screen (MC_ATTR_16); `None` = unlimited.
    pub rows: Option<usize>,
    /// The profile's own byte budget; the bearer's budget applies as well (the smaller wins).
    pub max_bytes: Option<usize>,
    /// Accepted encodings; order does not matter (the cheapest wins).
    pub encodings: Vec<Encoding>,
}

impl DeviceProfile {
    /// A phone authenticator showing 32 × 8 cells, every encoding.
    pub fn phone() -> Self {
        DeviceProfile {
            kind: DeviceKind::Phone,
            columns: Some(32),
            rows: Some(8),
            max_bytes: Some(crate::encoding::PHONE_MAX_BYTES),
            encodings: Encoding::ALL.to_vec(),
        }
    }
}
