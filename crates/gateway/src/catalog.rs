//! The service catalog: which attributes each Mobile Connect service (scope) covers.
//! These are the demo defaults of the gateway issue; a catalog file comes later.

/// How a service uses its attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    /// Returns the user's values (share).
    Share,
    /// Compares values the SP submits (match): the prompt names the attributes only.
    Match,
    /// Account takeover protection for generic tokens: no consent, the user is notified.
    Atp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub scope: &'static str,
    pub kind: ServiceKind,
    /// (attribute, required)
    pub attributes: &'static [(&'static str, bool)],
}

const SERVICES: &[Service] = &[
    Service {
        scope: "mc_vm_share",
        kind: ServiceKind::Share,
        attributes: &[("device_msisdn", true)],
    },
    Service {
        scope: "mc_vm_match",
        kind: ServiceKind::Match,
        attributes: &[("device_msisdn", true)],
    },
    Service {
        scope: "mc_identity_signup",
        kind: ServiceKind::Share,
        attributes: &[
            ("given_name", true),
            ("family_name", true),
            ("email", false),
            ("birthdate", false),
            ("address", false),
        ],
    },
    Service {
        scope: "mc_kyc_match",
        kind: ServiceKind::Match,
        attributes: &[
            ("given_name", false),
            ("family_name", false),
            ("birthdate", false),
            ("email", false),
            ("postal_code", false),
        ],
    },
    Service {
        scope: "mc_atp",
        kind: ServiceKind::Atp,
        attributes: &[("sim_change", true)],
    },
];

pub fn service(scope: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.scope == scope)
}

/// The attribute group shown when the prompt falls back to groups (MC_ATTR_11).
pub fn group_of(attribute: &str) -> &'static str {
    match attribute {
        "given_name" | "family_name" | "name" | "middle_name" => "name",
        "email" => "contact",
        "birthdate" => "birthdate",
        "address" | "street_address" | "postal_code" | "locality" | "country" => "address",
        "device_msisdn" | "phone_number" => "phone",
        _ => "identity",
    }
}
