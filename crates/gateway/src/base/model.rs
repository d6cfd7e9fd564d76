//! The records every layer shares: a registered SP and a subscriber, as plain data. The
//! store reads and writes them; the rules read them; neither owns them.

/// A registered SP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub client_id: String,
    pub secret_hash: String,
    pub client_name: String,
    pub grant_types: Vec<String>,
    pub scopes: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub delivery_modes: Vec<String>,
    pub token_policy: String,
    pub token_ttl_seconds: i64,
    pub blacklisted: bool,
    /// CIBA ping/push: the SP's `backchannel_client_notification_endpoint` (https).
    pub notification_endpoint: Option<String>,
    /// The SP's public JWK Set (JSON), for `private_key_jwt` and signed `login_hint_token`s.
    pub jwks: Option<String>,
    /// A resource server of the operator's: may introspect any access token.
    pub resource_server: bool,
    /// Registered for Grant Management: may query and revoke its users' grants.
    pub grant_management: bool,
    /// RFC 9126 §6 `require_pushed_authorization_requests`: its authorization requests
    /// come through `/par` only.
    pub require_par: bool,
    /// Registered for Shared Signals: may manage an event stream and poll it with a
    /// client-credentials token of scope `ssf`.
    pub ssf: bool,
    /// The https URLs its stream may push events to (RFC 8935): nowhere else.
    pub ssf_push_endpoints: Vec<String>,
    /// RFC 9449 §5.2 `dpop_bound_access_tokens`: its access tokens are bound to the key of
    /// a DPoP proof, and its token requests without one are refused.
    pub dpop_bound: bool,
}

/// A subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    pub id: String,
    pub msisdn: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub birthdate: Option<String>,
    pub email: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub locality: Option<String>,
    pub country: Option<String>,
    pub sim_change: Option<String>,
    /// Registered authenticators, most preferred first (MC_ATTR_04): `ussd`, `sms`.
    pub authenticators: Vec<String>,
    /// Access notices by SMS when the user has no app (MC_ATTR_19): `off`, `each`, `daily`.
    pub notify: String,
}

/// A field of a subscriber the operator sets (`admin users import` and `set`), named as its
/// column in `users` (and in the import file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UserField {
    GivenName,
    FamilyName,
    Birthdate,
    Email,
    StreetAddress,
    PostalCode,
    Locality,
    Country,
    SimChange,
    Authenticators,
    Notify,
}

impl UserField {
    pub const ALL: [UserField; 11] = [
        UserField::GivenName,
        UserField::FamilyName,
        UserField::Birthdate,
        UserField::Email,
        UserField::StreetAddress,
        UserField::PostalCode,
        UserField::Locality,
        UserField::Country,
        UserField::SimChange,
        UserField::Authenticators,
        UserField::Notify,
    ];

    /// The column's name: in the `users` table, the import file and `admin users set`.
    pub fn name(self) -> &'static str {
        match self {
            UserField::GivenName => "given_name",
            UserField::FamilyName => "family_name",
            UserField::Birthdate => "birthdate",
            UserField::Email => "email",
            UserField::StreetAddress => "street_address",
            UserField::PostalCode => "postal_code",
            UserField::Locality => "locality",
            UserField::Country => "country",
            UserField::SimChange => "sim_change",
            UserField::Authenticators => "authenticators",
            UserField::Notify => "notify",
        }
    }

    pub fn from_name(name: &str) -> Option<UserField> {
        UserField::ALL.into_iter().find(|f| f.name() == name)
    }
}
