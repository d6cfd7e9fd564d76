//! Every row of IDY.03 Annex A and of seed 003 Annex A.2, and every share and match service
//! of the demo catalog with the demo users, each its own test against the real server over
//! TLS, on SQLite (`sqlite::…`) and PostgreSQL (`postgres::…`). The table is the list of
//! functions at the bottom; each function is one row.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Gateway, answer_latest, client, fresh_postgres, register, start};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const MARIE: &str = "447700900001";
const TOM: &str = "447700900002";
const ANA: &str = "447700900003";
const ALL_SERVICES: &str = "openid mc_vm_share mc_vm_match mc_identity_signup mc_kyc_match";
const FORM: &str = "application/x-www-form-urlencoded";

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// One gateway for one row.
struct Ctx {
    gateway: Gateway,
    http: reqwest::Client,
    database_url: Option<String>,
    premium: String,
    _dir: tempfile::TempDir,
}

impl Ctx {
    async fn new(backend: Backend) -> Ctx {
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_postgres().await),
        };
        let dir = tempfile::tempdir().unwrap();
        let gateway = start(&dir.path().join("gw"), database_url.as_deref());
        let http = client(&gateway, false);
        let premium = format!("{}/premiuminfo", gateway.url);
        Ctx {
            gateway,
            http,
            database_url,
            premium,
            _dir: dir,
        }
    }

    async fn post(&self, sp: &str, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        common::post_basic(&self.gateway, &self.http, sp, path, form).await
    }

    /// A user token by CIBA: asked, answered "1" on the handset, fetched at the first poll.
    async fn user_token(&self, sp: &str, msisdn: &str, scope: &str) -> String {
        let hint = format!("MSISDN:{msisdn}");
        let (status, grant) = self
            .post(
                sp,
                "/bc-authorize",
                &[("scope", scope), ("login_hint", &hint)],
            )
            .await;
        assert_eq!(status, 200, "{grant}");
        answer_latest(&self.gateway, &self.http, msisdn, "1").await;
        let id = grant["auth_req_id"].as_str().unwrap();
        let (status, tokens) = self
            .post(sp, "/token", &[("grant_type", CIBA), ("auth_req_id", id)])
            .await;
        assert_eq!(status, 200, "{tokens}");
        tokens["access_token"].as_str().unwrap().to_owned()
    }

    async fn generic_token(&self, sp: &str, scope: &str) -> String {
        let (status, body) = self
            .post(
                sp,
                "/token",
                &[("grant_type", "client_credentials"), ("scope", scope)],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    fn register(&self, registration: &Value) {
        register(&self.gateway, self.database_url.as_deref(), registration);
    }

    fn get(&self, token: &str) -> reqwest::RequestBuilder {
        self.http.get(&self.premium).bearer_auth(token)
    }

    fn match_claims(&self, token: &str, claims: Value) -> reqwest::RequestBuilder {
        self.http
            .post(&self.premium)
            .bearer_auth(token)
            .json(&json!({ "mc_claims": claims }))
    }

    fn with_user(&self, token: &str, id_type: &str, id: &str) -> reqwest::RequestBuilder {
        self.get(token)
            .header("User-ID-Type", id_type.to_owned())
            .header("User-ID", id.to_owned())
    }
}

/// What every response must carry (MC_ATTR_25), then the status, error and description.
async fn expect(
    request: reqwest::RequestBuilder,
    status: u16,
    error: Option<&str>,
    description: Option<&str>,
) -> Value {
    let response = request.send().await.unwrap();
    let headers = response.headers().clone();
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["pragma"], "no-cache");
    assert_eq!(body["error"].as_str(), error, "{body}");
    if let Some(description) = description {
        assert_eq!(
            body["error_description"].as_str(),
            Some(description),
            "{body}"
        );
    }
    // RFC 6750 §3: 401 and 403 carry a Bearer challenge naming the error (bare without one).
    let challenge = headers
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    match (status, error) {
        (401, None) => assert_eq!(challenge.as_deref(), Some("Bearer")),
        (401 | 403, Some(error)) => {
            let challenge = challenge.unwrap();
            assert!(
                challenge.starts_with(&format!("Bearer error=\"{error}\"")),
                "{challenge}"
            );
        }
        _ => assert_eq!(challenge, None),
    }
    body
}

// ---- IDY.03 Annex A ----

async fn annex_a_no_access_token(b: Backend) {
    let ctx = Ctx::new(b).await;
    let body = expect(ctx.http.get(&ctx.premium), 401, None, None).await;
    assert_eq!(body, json!({}), "no error code or description");
}

async fn annex_a_post_form_without_access_token(b: Backend) {
    let ctx = Ctx::new(b).await;
    let claims = json!({"device_msisdn": "+447700900001"}).to_string();
    let request = ctx.http.post(&ctx.premium).form(&[("mc_claims", claims)]);
    assert_eq!(expect(request, 401, None, None).await, json!({}));
}

async fn annex_a_unknown_access_token(b: Backend) {
    let ctx = Ctx::new(b).await;
    expect(ctx.get("no-such-token"), 401, Some("invalid_token"), None).await;
}

async fn annex_a_expired_access_token(b: Backend) {
    let ctx = Ctx::new(b).await;
    // A transactional SP whose tokens live one second (MC_ATTR_18: at most 10).
    ctx.register(&json!({
        "client_id": "brief-sp", "client_secret": common::sp_secret("brief-sp"), "client_name": "Brief",
        "grant_types": [CIBA], "scope": "openid mc_vm_share",
        "token_policy": "transactional", "token_ttl_seconds": 1,
    }));
    let token = ctx
        .user_token("brief-sp", MARIE, "openid mc_vm_share")
        .await;
    expect(ctx.get(&token), 200, None, None).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    expect(
        ctx.get(&token),
        401,
        Some("invalid_token"),
        Some("expired access token"),
    )
    .await;
}

async fn annex_a_revoked_access_token(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", MARIE, "openid mc_vm_share").await;
    let (status, _) = ctx.post("demo-sp", "/revoke", &[("token", &token)]).await;
    assert_eq!(status, 200);
    expect(
        ctx.get(&token),
        401,
        Some("invalid_token"),
        Some("revoked access token"),
    )
    .await;
}

async fn annex_a_spent_one_time_access_token(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("once-sp", MARIE, "openid mc_vm_share").await;
    expect(ctx.get(&token), 200, None, None).await;
    expect(
        ctx.get(&token),
        401,
        Some("invalid_token"),
        Some("the one-time access token was already used"),
    )
    .await;
}

async fn annex_a_consent_revoked_by_the_user(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", MARIE, "openid mc_vm_share").await;
    let store =
        assent_gateway::store::Store::open(ctx.database_url.as_deref(), &ctx.gateway.data_dir)
            .await
            .unwrap();
    for consent in store
        .live_consents("u-demo-marie", "demo-sp", 0)
        .await
        .unwrap()
    {
        assert!(store.revoke_consent(&consent.id, 1).await.unwrap());
    }
    expect(ctx.get(&token), 401, Some("invalid_token"), None).await;
}

async fn annex_a_wrong_content_type(b: Backend) {
    let ctx = Ctx::new(b).await;
    let request = ctx
        .http
        .post(&ctx.premium)
        .header("content-type", "text/plain")
        .body("access_token=x");
    expect(
        request,
        400,
        Some("invalid_request"),
        Some("Content type is wrong."),
    )
    .await;
}

async fn annex_a_invalid_url_encoding(b: Backend) {
    let ctx = Ctx::new(b).await;
    let request = ctx
        .http
        .post(&ctx.premium)
        .header("content-type", FORM)
        .body("access_token=%zz");
    expect(
        request,
        400,
        Some("invalid_request"),
        Some("Malformed request, invalid url encoding"),
    )
    .await;
}

async fn annex_a_non_ascii_body(b: Backend) {
    let ctx = Ctx::new(b).await;
    let request = ctx
        .http
        .post(&ctx.premium)
        .header("content-type", FORM)
        .body("access_token=café");
    expect(
        request,
        400,
        Some("invalid_request"),
        Some("Malformed request, invalid non-ascii characters"),
    )
    .await;
}

async fn annex_a_unsupported_parameter(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", MARIE, "openid mc_vm_share").await;
    let request = ctx
        .http
        .post(&ctx.premium)
        .form(&[("access_token", token.as_str()), ("colour", "blue")]);
    expect(
        request,
        400,
        Some("invalid_request"),
        Some("Malformed request, invalid parameters"),
    )
    .await;
}

async fn annex_a_several_problems(b: Backend) {
    let ctx = Ctx::new(b).await;
    let request = ctx
        .http
        .post(format!("{}?x=1", ctx.premium))
        .header("authorization", "Basic eDp5")
        .header("content-type", "text/plain")
        .body("x");
    expect(
        request,
        400,
        Some("invalid_request"),
        Some("Malformed request, invalid parameters."),
    )
    .await;
}

async fn annex_a_token_in_header_and_body(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", MARIE, "openid mc_vm_share").await;
    let request = ctx
        .get(&token)
        .header("content-type", FORM)
        .body(format!("access_token={token}"));
    // A GET ignores a body; as a POST it is two tokens.
    let request = request.build().unwrap();
    let mut post = request.try_clone().unwrap();
    *post.method_mut() = reqwest::Method::POST;
    let response = ctx.http.execute(post).await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}

async fn annex_a_insufficient_scope(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", MARIE, "openid mc_vm_share").await;
    let request = ctx.match_claims(&token, json!({"device_msisdn": "+447700900001"}));
    expect(
        request,
        403,
        Some("insufficient_scope"),
        Some("Insufficient scope."),
    )
    .await;
}

async fn annex_a_blacklisted_sp(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", MARIE, "openid mc_vm_share").await;
    expect(ctx.get(&token), 200, None, None).await;
    let (ok, out) = common::admin(
        &ctx.gateway.data_dir,
        ctx.database_url.as_deref(),
        &["blacklist", "add", "demo-sp"],
    );
    assert!(ok, "{out}");
    expect(ctx.get(&token), 403, Some("access_denied"), None).await;
}

/// The gateway serves repeated requests from copies of what it read (`store::cache`); a
/// change made by another process (here `assent-gateway admin`) still takes effect on the
/// very next request, in both directions: a copy never serves what was taken away, and
/// never refuses what was given back.
async fn another_process_changes_take_effect_on_the_very_next_request(b: Backend) {
    let ctx = Ctx::new(b).await;
    let admin = |args: &[&str]| {
        let (ok, out) = common::admin(&ctx.gateway.data_dir, ctx.database_url.as_deref(), args);
        assert!(ok, "{out}");
    };
    let token = ctx.user_token("demo-sp", MARIE, "openid mc_vm_share").await;
    let generic = ctx.generic_token("atp-sp", "mc_atp").await;
    for _ in 0..3 {
        expect(ctx.get(&token), 200, None, None).await;
        expect(ctx.with_user(&generic, "MSISDN", MARIE), 200, None, None).await;
        ctx.generic_token("atp-sp", "mc_atp").await;
    }

    admin(&["blacklist", "add", "demo-sp"]);
    expect(ctx.get(&token), 403, Some("access_denied"), None).await;
    admin(&["blacklist", "remove", "demo-sp"]);
    expect(ctx.get(&token), 200, None, None).await;

    admin(&["blacklist", "add", "atp-sp"]);
    expect(
        ctx.with_user(&generic, "MSISDN", MARIE),
        403,
        Some("access_denied"),
        None,
    )
    .await;
    let (status, body) = ctx
        .post(
            "atp-sp",
            "/token",
            &[("grant_type", "client_credentials"), ("scope", "mc_atp")],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client")),
        "{body}"
    );
    admin(&["blacklist", "remove", "atp-sp"]);
    ctx.generic_token("atp-sp", "mc_atp").await;

    // A user's record changed by the operator: the next answer says so.
    let before = expect(ctx.with_user(&generic, "MSISDN", MARIE), 200, None, None).await;
    assert_eq!(before, json!({"sim_change": "2026-01-30T18:39:50Z"}));
    admin(&["users", "sim-change", MARIE, "--at", "2026-11-30T08:00:00Z"]);
    let after = expect(ctx.with_user(&generic, "MSISDN", MARIE), 200, None, None).await;
    assert_eq!(after, json!({"sim_change": "2026-11-30T08:00:00Z"}));
}

// ---- seed 003 Annex A.2 ----

async fn seed_003_generic_token_without_user_headers(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.generic_token("atp-sp", "mc_atp").await;
    expect(
        ctx.get(&token),
        400,
        Some("invalid_request"),
        Some("User-ID / User-ID-Type header is not used and the Access Token is not tied to an End-User"),
    )
    .await;
}

async fn seed_003_user_token_with_user_headers(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", MARIE, "openid mc_vm_share").await;
    expect(
        ctx.with_user(&token, "MSISDN", MARIE),
        400,
        Some("invalid_request"),
        Some("User-ID / User-ID-Type header MUST NOT be used if the Access Token is tied to an End-User"),
    )
    .await;
}

async fn seed_003_invalid_user_id_or_type(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.generic_token("atp-sp", "mc_atp").await;
    for (id_type, id, reason) in [
        ("IMSI", "234150000000001", "unsupported type"),
        (
            "MSISDN",
            "+447700900001",
            "wrong format (no + in front of the number)",
        ),
        ("MSISDN", "44-7700", "wrong format"),
        (
            "ENCR_MSISDN",
            "garbage",
            "cannot be decrypted with the gateway's key",
        ),
    ] {
        let description = format!("Invalid User-ID / User-ID-Type value: {reason}");
        expect(
            ctx.with_user(&token, id_type, id),
            400,
            Some("invalid_request"),
            Some(&description),
        )
        .await;
    }
}

async fn seed_003_unknown_user(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.generic_token("atp-sp", "mc_atp").await;
    expect(
        ctx.with_user(&token, "MSISDN", "447700900099"),
        400,
        Some("invalid_request"),
        Some("Unknown user"),
    )
    .await;
}

// ---- the demo catalog's services with the demo users ----

async fn share_services_full_profile(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", MARIE, ALL_SERVICES).await;
    let body = expect(ctx.get(&token), 200, None, None).await;
    assert_eq!(body["device_msisdn"], "+447700900001");
    assert_eq!(body["given_name"], "Marie");
    assert_eq!(body["family_name"], "Curie");
    assert_eq!(body["email"], "marie.curie@example.org");
    assert_eq!(body["birthdate"], "1967-11-07");
    assert_eq!(
        body["address"],
        json!({"street_address": "1 Rue Pierre", "postal_code": "75005", "locality": "Paris", "country": "FR"})
    );
    assert!(body["sub"].as_str().unwrap().len() >= 43, "MC_ATTR_30");
}

async fn share_services_sparse_profile_gives_empty_values(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", ANA, ALL_SERVICES).await;
    let body = expect(ctx.get(&token), 200, None, None).await;
    let mut shared = body.as_object().unwrap().clone();
    assert!(shared.remove("sub").is_some());
    assert_eq!(
        Value::Object(shared),
        json!({"device_msisdn": "+447700900003", "given_name": "Ana", "family_name": "",
               "email": "", "birthdate": "", "address": ""})
    );
}

async fn services_for_a_minor(b: Backend) {
    let ctx = Ctx::new(b).await;
    // No consent can be asked of a minor (MC_ATTR_21)…
    let hint = format!("MSISDN:{TOM}");
    let (status, body) = ctx
        .post(
            "demo-sp",
            "/bc-authorize",
            &[("scope", ALL_SERVICES), ("login_hint", &hint)],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("access_denied"))
    );
    // …so a generic token reaches nothing that needs consent, and mc_atp (no consent) answers
    // with an empty value where nothing is known.
    ctx.register(&json!({
        "client_id": "gen-sp", "client_secret": common::sp_secret("gen-sp"), "client_name": "Gen",
        "grant_types": ["client_credentials"], "scope": "mc_identity_signup mc_atp",
        "token_policy": "generic", "token_ttl_seconds": 300,
    }));
    let signup = ctx.generic_token("gen-sp", "mc_identity_signup").await;
    expect(
        ctx.with_user(&signup, "MSISDN", TOM),
        403,
        Some("access_denied"),
        None,
    )
    .await;
    let atp = ctx.generic_token("gen-sp", "mc_atp").await;
    let body = expect(ctx.with_user(&atp, "MSISDN", TOM), 200, None, None).await;
    assert_eq!(body, json!({"sim_change": ""}));
}

async fn atp_with_a_generic_token(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.generic_token("atp-sp", "mc_atp").await;
    let body = expect(ctx.with_user(&token, "msisdn", MARIE), 200, None, None).await;
    assert_eq!(
        body,
        json!({"sim_change": "2026-01-30T18:39:50Z"}),
        "no sub (seed 003 §2.4)"
    );
}

async fn vm_match_answers_verified(b: Backend) {
    let ctx = Ctx::new(b).await;
    let token = ctx.user_token("demo-sp", MARIE, ALL_SERVICES).await;
    for (number, verified) in [
        ("+447700900001", true),
        ("447700900001", true),
        ("+447700900002", false),
    ] {
        let body = expect(
            ctx.match_claims(&token, json!({"device_msisdn": number})),
            200,
            None,
            None,
        )
        .await;
        assert_eq!(body["device_msisdn_verified"], verified, "{number}");
    }
}

async fn kyc_match_plain_hashed_and_not_available(b: Backend) {
    let ctx = Ctx::new(b).await;
    let sha = |s: &str| hex::encode(Sha256::digest(s.as_bytes()));
    let marie = ctx.user_token("demo-sp", MARIE, ALL_SERVICES).await;
    let body = expect(
        ctx.match_claims(
            &marie,
            json!({"given_name": "marie", "family_name_hashed": sha("Curie"),
                   "birthdate": "1967-11-08", "email_hashed": sha("someone@else.org"),
                   "postal_code": "75005", "favourite_colour": "blue"}),
        ),
        200,
        None,
        None,
    )
    .await;
    assert_eq!(body["given_name_match"], "true");
    assert_eq!(body["family_name_hashed_match"], "true");
    assert_eq!(body["birthdate_match"], "false");
    assert_eq!(body["email_hashed_match"], "false");
    assert_eq!(body["postal_code_match"], "true");
    assert!(
        body.get("favourite_colour_match").is_none(),
        "ignored (MC_ATTR_22)"
    );
    let ana = ctx.user_token("demo-sp", ANA, ALL_SERVICES).await;
    let body = expect(
        ctx.match_claims(
            &ana,
            json!({"given_name": "Ana", "family_name": "Sparse", "email": "a@b.c"}),
        ),
        200,
        None,
        None,
    )
    .await;
    assert_eq!(body["given_name_match"], "true");
    assert_eq!(body["family_name_match"], "not_available");
    assert_eq!(body["email_match"], "not_available");
    // Only unsupported claims: rejected (MC_ATTR_22).
    expect(
        ctx.match_claims(&ana, json!({"favourite_colour": "blue"})),
        400,
        Some("invalid_request"),
        None,
    )
    .await;
}

/// One test per row and backend.
macro_rules! on_both_backends {
    ($($row:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $row() { super::$row(super::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $row() { super::$row(super::Backend::Postgres).await } )*
        }
    };
}

on_both_backends!(
    annex_a_no_access_token,
    annex_a_post_form_without_access_token,
    annex_a_unknown_access_token,
    annex_a_expired_access_token,
    annex_a_revoked_access_token,
    annex_a_spent_one_time_access_token,
    annex_a_consent_revoked_by_the_user,
    annex_a_wrong_content_type,
    annex_a_invalid_url_encoding,
    annex_a_non_ascii_body,
    annex_a_unsupported_parameter,
    annex_a_several_problems,
    annex_a_token_in_header_and_body,
    annex_a_insufficient_scope,
    annex_a_blacklisted_sp,
    another_process_changes_take_effect_on_the_very_next_request,
    seed_003_generic_token_without_user_headers,
    seed_003_user_token_with_user_headers,
    seed_003_invalid_user_id_or_type,
    seed_003_unknown_user,
    share_services_full_profile,
    share_services_sparse_profile_gives_empty_values,
    services_for_a_minor,
    atp_with_a_generic_token,
    vm_match_answers_verified,
    kyc_match_plain_hashed_and_not_available,
);
