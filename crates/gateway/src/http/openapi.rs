//! The OpenAPI 3.1 description of the gateway's HTTP API, generated from the code.
//!
//! Every route is registered through `utoipa_axum::routes!` from its handler's
//! `#[utoipa::path]` annotation (method, path, parameters, bodies, responses), so a route
//! cannot be served without being described, nor described without being served. The
//! document is served at `GET /openapi.json`, printed by `assent-gateway openapi`, and kept in
//! `docs/openapi.json` (a test fails when that copy is stale).
//!
//! The handlers read their bodies as bytes and parse them themselves, because the specs
//! dictate exact errors for malformed input (RFC 6749 §5.2, IDY.03 Annex A, RFC 8555 §6.7)
//! that a typed extractor's rejection would not give. The request types below therefore only
//! describe the wire; they are never constructed. The device API's and ACME's bodies are the
//! contract's own types (`assent_proto`), which the handlers do read and write.

use crate::http::AppState;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

/// Where the document is served.
pub const PATH: &str = "/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Assent gateway",
        description = "A GSMA Mobile Connect identity gateway: OpenID Connect authorization \
            code flow with PKCE, CIBA (poll, ping, push), token introspection and revocation, \
            the Mobile Connect resource server (PremiumInfo, UserInfo), an ACME server for \
            telephone-number certificates (TNAuthList, sms-link-00), the Assent app's device \
            API (DPoP), and, with `--demo`, a handset simulator. Served over TLS 1.3 only.",
        license(name = "see the repository"),
    ),
    modifiers(&SecuritySchemes),
    components(schemas(
        wire::OAuthError,
        crate::http::resource::schema::AnnexAError,
        crate::http::acme::wire::AcmeProblem,
        // The claims of the JWTs a device signs (inside the device API's bodies and
        // headers) and of the gateway's signed audit head: no operation names them as a
        // body, so they are listed here.
        assent_proto::jwt::RegistrationAssertion,
        assent_proto::jwt::TokenAssertion,
        assent_proto::jwt::DpopProof,
        assent_proto::jwt::DecisionClaims,
        assent_proto::jwt::HeadStatement,
    )),
    tags(
        (name = "discovery", description = "OpenID Connect Discovery and keys"),
        (name = "oauth", description = "Authorization server: code flow, CIBA, tokens (RFC 6749, OpenID CIBA, RFC 7662, RFC 7009)"),
        (name = "resource", description = "Resource server: PremiumInfo and UserInfo (IDY.03, errors per Annex A)"),
        (name = "acme", description = "ACME server (RFC 8555) for TNAuthList certificates; errors are application/problem+json"),
        (name = "device", description = "The Assent app's device API: DPoP-bound tokens (RFC 9449)"),
        (name = "simulator", description = "The handset simulator, mounted only with --demo"),
    )
)]
struct ApiDoc;

/// The security schemes operations refer to by name.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "client_secret_basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "RFC 6749 §2.3.1: the SP's client_id and secret. client_secret_post \
                         and private_key_jwt (RFC 7523) go in the form instead; exactly one \
                         method per request.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "RFC 6750: an access token from /token (or access_token in a form body)",
                    ))
                    .build(),
            ),
        );
        // OpenAPI has no DPoP scheme: the proof travels in its own header, and the token as
        // `Authorization: DPoP <token>` (RFC 9449 §7.1).
        components.add_security_scheme(
            "dpop",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "DPoP",
                "RFC 9449: a proof JWT signed by the device key (htm, htu, iat, jti, and ath \
                 with a token); the device access token goes in `Authorization: DPoP <token>`",
            ))),
        );
    }
}

/// Every route of the gateway with its description. The simulator's routes are described
/// always (the document does not depend on how the gateway was started) but served only
/// when `simulator` is set.
pub fn split(simulator: bool) -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::http::routes())
        .merge(crate::http::resource::routes())
        .merge(crate::http::acme::routes())
        .merge(crate::http::device::routes())
        .split_for_parts();
    let (simulator_router, simulator_document) = crate::http::simulator_routes().split_for_parts();
    document.merge(simulator_document);
    let router = if simulator {
        router.merge(simulator_router)
    } else {
        router
    };
    (router, document)
}

/// The document alone.
pub fn document() -> utoipa::openapi::OpenApi {
    split(false).1
}

/// The document as served, built once.
pub fn served_json() -> &'static str {
    static JSON: std::sync::LazyLock<String> = std::sync::LazyLock::new(json);
    &JSON
}

/// The document as pretty JSON, as served and committed.
pub fn json() -> String {
    // Serializing a document of plain maps and strings cannot fail; an empty object would
    // make the staleness test and any client fail loudly rather than mislead.
    document()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
}

/// The shapes on the wire. Handlers parse bytes themselves (see the module comment), so
/// these types are only read by the document generator.
#[allow(dead_code)]
pub mod wire {
    use utoipa::{IntoParams, ToSchema};

    /// RFC 6749 §5.2 error (also the device API's and the simulator's errors).
    #[derive(Debug, ToSchema)]
    pub struct OAuthError {
        /// An RFC 6749 / CIBA / RFC 6750 error code, e.g. `invalid_request`.
        pub error: String,
        pub error_description: Option<String>,
    }

    /// The form of `POST /token`. Client authentication: HTTP Basic, or `client_id` with
    /// `client_secret` (client_secret_post), or `client_assertion` (private_key_jwt).
    #[derive(Debug, ToSchema, serde::Deserialize)]
    pub struct TokenRequest {
        /// `authorization_code`, `urn:openid:params:grant-type:ciba`, `refresh_token` or
        /// `client_credentials`.
        pub grant_type: String,
        /// authorization_code: the code from the redirect.
        pub code: Option<String>,
        /// authorization_code: as in the authorization request.
        pub redirect_uri: Option<String>,
        /// authorization_code: the PKCE verifier (RFC 7636).
        pub code_verifier: Option<String>,
        /// CIBA: the `auth_req_id` from /bc-authorize.
        pub auth_req_id: Option<String>,
        /// refresh_token: the refresh token (rotated at every use).
        pub refresh_token: Option<String>,
        /// client_credentials, refresh_token: space-separated scopes.
        pub scope: Option<String>,
        #[schema(inline)]
        #[serde(flatten)]
        pub client: ClientAuthentication,
    }

    /// Client authentication in the form body (when not HTTP Basic).
    #[derive(Debug, ToSchema, serde::Deserialize)]
    pub struct ClientAuthentication {
        pub client_id: Option<String>,
        /// client_secret_post.
        pub client_secret: Option<String>,
        /// private_key_jwt: `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
        pub client_assertion_type: Option<String>,
        /// private_key_jwt: a JWT signed with a key of the SP's registered JWK Set.
        pub client_assertion: Option<String>,
    }

    /// The form of `POST /introspect` (RFC 7662) and `POST /revoke` (RFC 7009).
    #[derive(Debug, ToSchema, serde::Deserialize)]
    pub struct TokenQuery {
        pub token: String,
        /// `access_token` or `refresh_token` (a hint only).
        pub token_type_hint: Option<String>,
        #[schema(inline)]
        #[serde(flatten)]
        pub client: ClientAuthentication,
    }

    /// The form of `POST /bc-authorize` (CIBA §7.1). Exactly one hint.
    #[derive(Debug, ToSchema, serde::Deserialize)]
    pub struct BackchannelAuthenticationRequest {
        /// Space-separated; Mobile Connect services from the catalog, `openid` for sign-in.
        pub scope: String,
        /// `MSISDN:<digits>`, `ENCR_MSISDN:<JWE>` or `PCR:<sub>`.
        pub login_hint: Option<String>,
        /// A JWT signed with a key of the SP's JWK Set naming the user (RFC 9493 `sub_id`).
        pub login_hint_token: Option<String>,
        /// An ID token this gateway issued to this SP.
        pub id_token_hint: Option<String>,
        /// At most 32 characters of plain text.
        pub binding_message: Option<String>,
        /// Ping and push modes: the bearer token the gateway sends back.
        pub client_notification_token: Option<String>,
        /// Seconds, up to 600.
        pub requested_expiry: Option<String>,
        #[schema(inline)]
        #[serde(flatten)]
        pub client: ClientAuthentication,
    }

    /// The query of `GET /authorize` (OIDC Core §3.1.2.1, RFC 7636).
    #[derive(Debug, IntoParams)]
    #[into_params(parameter_in = Query)]
    pub struct AuthorizationRequest {
        pub client_id: String,
        pub redirect_uri: String,
        /// `code`.
        pub response_type: String,
        pub scope: String,
        pub state: String,
        pub nonce: Option<String>,
        pub code_challenge: String,
        /// `S256`.
        pub code_challenge_method: String,
        /// `MSISDN:<digits>`, `ENCR_MSISDN:<JWE>` or `PCR:<sub>`.
        pub login_hint: Option<String>,
        pub login_hint_token: Option<String>,
        pub id_token_hint: Option<String>,
    }

    /// The query of `GET /authorize/wait`.
    #[derive(Debug, IntoParams)]
    #[into_params(parameter_in = Query)]
    pub struct WaitQuery {
        /// The waiting page's session id (a 256-bit secret only that browser holds).
        pub session: String,
    }

    /// The form of `POST /authorize/consent`.
    #[derive(Debug, ToSchema)]
    pub struct ConsentDecision {
        pub session: String,
        /// `allow` or `deny`.
        pub decision: String,
    }

    /// `POST /sim/handsets/{msisdn}/reply`.
    #[derive(Debug, ToSchema)]
    pub struct SimReply {
        pub message_id: String,
        /// `1` (yes) or `2` (no).
        pub text: String,
    }
}
