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

use crate::http::state::AppState;
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
        crate::http::wire::OAuthError,
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
        assent_proto::jwt::CheckpointClaims,
    )),
    tags(
        (name = "discovery", description = "OpenID Connect Discovery and keys"),
        (name = "oauth", description = "Authorization server: code flow, CIBA, tokens (RFC 6749, OpenID CIBA, RFC 7662, RFC 7009)"),
        (name = "ssf", description = "Shared Signals transmitter (OpenID SSF 1.0, CAEP 1.0): an SP's event stream, pushed (RFC 8935) or polled (RFC 8936)"),
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
    describe_body_limit(&mut document);
    let router = if simulator {
        router.merge(simulator_router)
    } else {
        router
    };
    (router, document)
}

/// Every operation that takes a body may answer 413: the limit is applied to every route
/// (`http::with_fallbacks`), before the handler that describes the other answers.
fn describe_body_limit(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, ObjectBuilder, ResponseBuilder, Type};
    let too_large = ResponseBuilder::new()
        .description(format!(
            "The body is larger than {} KiB (axum's rejection, as plain text).",
            crate::http::MAX_REQUEST_BODY / 1024
        ))
        .content(
            "text/plain; charset=utf-8",
            ContentBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build(),
        )
        .build();
    for item in document.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            if operation.request_body.is_some() {
                operation
                    .responses
                    .responses
                    .insert("413".to_owned(), too_large.clone().into());
            }
        }
    }
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
