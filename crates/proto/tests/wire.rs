//! The contract is today's JSON: each body, exactly as the gateway (or the core) writes it
//! now — built here with the same `json!` literals as in `crates/gateway/src/device.rs`,
//! `acme/objects.rs`, `server.rs` and `crates/core` —, parses into its type and serializes
//! back to the same JSON: the same members, `null` where it was `null`, absent where it was
//! absent, the same numbers. Where the gateway writes the body with `json!` alone, the bytes
//! are the same too (members in lexicographic order, as `serde_json`'s map writes them).

// A failure in a test helper is the test's failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assent_audit::{AuditEntry, Digest32, EntryKind, Head, NewEntry};
use assent_proto::OAuthError;
use assent_proto::acme::{
    Account, AccountUpdate, Authorization, Challenge, ChallengeAnswer, ChallengeReady, Directory,
    Finalize, Identifier, NewAccount, NewOrder, Order, OrdersList, ProblemDocument, Progress,
    RevokeCert, Status,
};
use assent_proto::audit::UserExport;
use assent_proto::device::{
    AuditPage, DecisionAnswer, DecisionRequest, Empty, FlagRequest, Flagged, Grants, Inbox,
    Notifications, Receipts, Registered, Registration, Revoked, TokenRequest, TokenResponse,
    WithdrawRequest, Withdrawn,
};
use assent_proto::jwt::{
    Answer, DecisionClaims, DpopProof, HeadStatement, ReceiptClaims, RegistrationAssertion, Shown,
    TokenAssertion,
};
use assent_proto::prompt::{PromptContent, WireDevice};
use assent_proto::sim::{SimMessage, SimMessageKind, SimReply, SimReplyAnswer};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const GW: &str = "https://127.0.0.1:8443";

/// Parses `wire` (as sent: its text) into `T` and checks that `T` writes the same JSON.
fn same<T: Serialize + DeserializeOwned>(wire: &Value) -> T {
    let typed: T = serde_json::from_str(&wire.to_string())
        .unwrap_or_else(|e| panic!("{wire} does not parse: {e}"));
    assert_eq!(&serde_json::to_value(&typed).unwrap(), wire, "round trip");
    typed
}

/// [`same`], and the bytes are the same too.
fn same_bytes<T: Serialize + DeserializeOwned>(wire: &Value) -> T {
    let typed = same::<T>(wire);
    assert_eq!(serde_json::to_string(&typed).unwrap(), wire.to_string());
    typed
}

// ---- the device API (crates/gateway/src/device.rs) ----

fn jwk() -> Value {
    json!({"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
           "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})
}

#[test]
fn register_request_and_answer() {
    // As the core sends it (device_client.rs).
    let request = json!({"certificate": "MIIB…", "jwk": jwk(), "assertion": "eyJ.a.b",
                         "name": "Marie's phone"});
    let typed: Registration = same_bytes(&request);
    assert_eq!(typed.name.as_deref(), Some("Marie's phone"));
    // The gateway takes a registration without a name (the device is called "device").
    let unnamed = json!({"certificate": "MIIB…", "jwk": jwk(), "assertion": "eyJ.a.b"});
    assert_eq!(same_bytes::<Registration>(&unnamed).name, None);
    // Nor does a name that is not text make the registration unreadable: it is no name.
    let odd = json!({"certificate": "MIIB…", "jwk": jwk(), "assertion": "eyJ.a.b", "name": 7});
    let read: Registration = serde_json::from_value(odd).unwrap();
    assert_eq!(read.name, None);
    // 201.
    let number = "447700900001";
    let answer = json!({"device_id": "d-x1y2", "number": format!("+{number}"),
                        "name": "Marie's phone", "renewed": false, "pending_approval": false});
    let registered: Registered = same_bytes(&answer);
    assert_eq!(registered.number, "+447700900001");
    // A renewal: the same device, on its new certificate; a gateway from before renewal
    // sends no `renewed`, which reads as a new registration.
    let renewal = json!({"device_id": "d-x1y2", "number": format!("+{number}"),
                         "name": "Marie's phone", "renewed": true, "pending_approval": false});
    assert!(same_bytes::<Registered>(&renewal).renewed);
    // A second device of the number's, waiting for approval on the first.
    let second = json!({"device_id": "d-x1y3", "number": format!("+{number}"),
                        "name": "Marie's laptop", "renewed": false, "pending_approval": true});
    assert!(same_bytes::<Registered>(&second).pending_approval);
    let older = json!({"device_id": "d-x1y2", "number": format!("+{number}"), "name": "x"});
    let read: Registered = serde_json::from_value(older).unwrap();
    assert!(!read.renewed && !read.pending_approval);
}

#[test]
fn token_form_and_answer() {
    // The form, as the core sends it (reqwest's `.form(&[(grant_type, …), (assertion, …)])`).
    let form = serde_urlencoded::to_string(TokenRequest::jwt_bearer("eyJ.a.b".into())).unwrap();
    assert_eq!(
        form,
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ.a.b"
    );
    let read: TokenRequest = serde_urlencoded::from_str(&form).unwrap();
    assert_eq!(read.grant_type, TokenRequest::JWT_BEARER);
    const TOKEN_TTL_MS: i64 = 5 * 60_000;
    let answer = json!({"access_token": "tok", "token_type": "DPoP",
                        "expires_in": TOKEN_TTL_MS / 1000});
    assert_eq!(same_bytes::<TokenResponse>(&answer).expires_in, 300);
}

#[test]
fn errors() {
    let body = json!({"error": "invalid_token", "error_description": "the device token expired"});
    let typed: OAuthError = same_bytes(&body);
    assert_eq!(typed.error, "invalid_token");
    // The simulator's and OAuth's errors may come without a description.
    same_bytes::<OAuthError>(&json!({"error": "not_found"}));
}

/// The content as the gateway stores it (`serde_json::to_string(&PromptContent)` in
/// consent.rs) and sends it back (parsed into a `Value`).
fn consent_content() -> Value {
    json!({"kind": "consent", "client_name": "Demo Shop", "locale": "en",
           "attributes": [{"name": "given_name", "value": "Marie", "group": "name"},
                          {"name": "email", "value": null, "group": null}],
           "ask_assurance": true, "presentation": "auto"})
}

#[test]
fn inbox() {
    let prompt = "Demo Shop asks for: given name = Marie, email. Allow?";
    let item = |content: Value| {
        json!({"id": "m-1", "prompt": prompt,
               "prompt_sha256": "8c2f1b7a0e3d4c5b6a79880f1e2d3c4b5a69788796a5b4c3d2e1f00112233445",
               "content": content, "created_ms": 1_764_000_000_123_i64})
    };
    let body = json!({"requests": [
        item(consent_content()),
        item(json!({"kind": "sign_in", "client_name": "Demo Shop", "locale": "en"})),
        item(Value::Null),
    ]});
    let inbox: Inbox = same(&body);
    assert!(matches!(
        inbox.requests[0].content,
        Some(PromptContent::Consent { .. })
    ));
    assert!(matches!(
        inbox.requests[1].content,
        Some(PromptContent::SignIn { .. })
    ));
    assert_eq!(inbox.requests[2].content, None);
    assert_eq!(inbox.requests[0].created_ms, 1_764_000_000_123);
    // Without content the bytes are the same too.
    same_bytes::<Inbox>(&json!({"requests": [item(Value::Null)]}));
    same_bytes::<Inbox>(&json!({"requests": []}));
    // A content this version cannot read: the request is still listed, without content.
    let future = json!({"requests": [item(json!({"kind": "payment", "amount": "12.00"}))]});
    let read: Inbox = serde_json::from_value(future).unwrap();
    assert_eq!(read.requests[0].content, None);
    assert_eq!(read.requests[0].prompt, prompt);
}

#[test]
fn decisions() {
    let id = "m-1";
    same_bytes::<DecisionRequest>(&json!({ "decision": "eyJ.a.b" }));
    let answer: DecisionAnswer = same_bytes(&json!({"id": id, "accepted": true}));
    assert!(answer.accepted);
    same_bytes::<DecisionAnswer>(&json!({"id": id, "accepted": false}));
}

#[test]
fn grants() {
    let body = json!({"grants": [
        {"id": "g-1", "client_id": "demo-sp", "client_name": "Demo Shop",
         "services": ["mc_identity_signup"], "attributes": ["given_name", "family_name"],
         "granted_at": "2026-11-27T10:00:00Z", "last_used": "2026-11-27T10:05:00Z",
         "prompt": "Demo Shop asks for: given name = Marie. Allow?",
         "expires_at": "2027-05-26T10:00:00Z", "withdrawn": ["email"]},
        {"id": "g-2", "client_id": "atp-sp", "client_name": "ATP", "services": [],
         "attributes": [], "granted_at": "2026-11-27T10:00:00Z", "last_used": null,
         "prompt": "", "expires_at": null, "withdrawn": []},
    ]});
    let grants: Grants = same_bytes(&body);
    assert_eq!(grants.grants[1].last_used, None);
    assert_eq!(grants.grants[0].withdrawn, ["email"]);
    // A gateway from before expiry and withdrawal still reads.
    let older: Grants = serde_json::from_value(json!({"grants": [
        {"id": "g-3", "client_id": "demo-sp", "client_name": "Demo Shop", "services": [],
         "attributes": [], "granted_at": "2026-11-27T10:00:00Z", "last_used": null,
         "prompt": ""}]}))
    .unwrap();
    assert_eq!(older.grants[0].expires_at, None);
    assert!(older.grants[0].withdrawn.is_empty());
}

#[test]
fn withdrawals_and_receipts() {
    same_bytes::<WithdrawRequest>(&json!({"attributes": ["email", "birthdate"]}));
    let withdrawn: Withdrawn = same_bytes(&json!({"id": "c-1", "attributes": ["given_name"],
        "withdrawn": ["email"], "receipt": "rc-1"}));
    assert_eq!(withdrawn.receipt, "rc-1");
    let receipts: Receipts = same_bytes(&json!({"receipts": [
        {"id": "rc-1", "consent_id": "c-1", "client_id": "demo-sp", "client_name": "Demo Shop",
         "kind": "consent", "at": "2026-11-27T10:00:00Z", "jws": "eyJ.a.b",
         "prompt": "Demo Shop asks for: phone number = +447700900001. Allow?"},
        {"id": "rc-2", "consent_id": "c-1", "client_id": "demo-sp", "client_name": "Demo Shop",
         "kind": "withdrawal", "at": "2026-11-27T11:00:00Z", "jws": "eyJ.c.d", "prompt": null},
    ]}));
    assert_eq!(receipts.receipts[1].prompt, None);
    let given: ReceiptClaims = same_bytes(&json!({
        "iss": "https://127.0.0.1:8443", "jti": "rc-1", "iat": 1_764_237_600,
        "schema": "ISO/IEC TS 27560:2023", "record_id": "c-1", "event": "given",
        "pii_principal": "u-1", "at": "2026-11-27T10:00:00Z",
        "controller": {"id": "demo-sp", "name": "Demo Shop"},
        "purposes": [{"service": "mc_vm_share", "purpose": "dpv:IdentityVerification",
                      "legal_basis": "dpv:Consent", "data_categories": ["pd:TelephoneNumber"],
                      "attributes": ["device_msisdn"]}],
        "method": {"authenticator": "app", "prompt_sha256": "ab12"},
        "duration": {"kind": "long_lived", "expires_at": "2027-05-26T10:00:00Z"},
        "withdrawal": "In the Assent app: Access, Demo Shop, Revoke."}));
    assert_eq!(
        given.method.map(|m| m.authenticator).as_deref(),
        Some("app")
    );
    let withdrawn: ReceiptClaims = same_bytes(&json!({
        "iss": "https://127.0.0.1:8443", "jti": "rc-2", "iat": 1_764_241_200,
        "schema": "ISO/IEC TS 27560:2023", "record_id": "c-1", "event": "withdrawn",
        "pii_principal": "u-1", "at": "2026-11-27T11:00:00Z",
        "controller": {"id": "demo-sp", "name": "Demo Shop"},
        "purposes": [{"service": "mc_identity_signup", "purpose": "dpv:IdentityVerification",
                      "legal_basis": "dpv:Consent", "data_categories": ["pd:EmailAddress"],
                      "attributes": ["email"]}],
        "remaining": ["given_name", "family_name"],
        "duration": {"kind": "long_lived"},
        "withdrawal": "In the Assent app: Access, Demo Shop, Revoke."}));
    assert_eq!(withdrawn.remaining, ["given_name", "family_name"]);
}

#[test]
fn revoke_and_flag() {
    assert_eq!(serde_json::to_string(&Empty {}).unwrap(), "{}");
    same_bytes::<Empty>(&json!({}));
    let revoked: Revoked = same_bytes(&json!({"id": "g-1", "revoked": true}));
    assert!(revoked.revoked);
    let flag = json!({"client_id": "demo-sp", "reason": "kept reading after I said no"});
    same_bytes::<FlagRequest>(&flag);
    same_bytes::<Flagged>(&json!({"id": "fl-abc"}));
}

#[test]
fn notifications() {
    let scope = ["mc_identity_signup"];
    let attributes = ["given_name"];
    let detail = json!({"services": scope, "attributes": attributes}).to_string();
    let body = json!({"notifications": [
        {"id": "n-1", "client_id": "demo-sp", "kind": "resource_access",
         "detail": serde_json::from_str::<Value>(&detail).unwrap_or(Value::Null),
         "at": "2026-11-27T10:05:00Z"},
        {"id": "n-2", "client_id": "atp-sp", "kind": "atp_check",
         "detail": serde_json::from_str::<Value>("not json").unwrap_or(Value::Null),
         "at": "2026-11-27T10:06:00Z"},
    ]});
    let typed: Notifications = same_bytes(&body);
    assert_eq!(typed.notifications[1].detail, Value::Null);
    assert_eq!(
        typed.notifications[0].detail["services"][0],
        "mc_identity_signup"
    );
}

/// A user's chain of `n` entries, as the gateway stores them.
fn entries(n: u64) -> Vec<AuditEntry> {
    let mut head = Head::GENESIS;
    let mut mine = None;
    (0..n)
        .map(|i| {
            let entry = AuditEntry::link(
                NewEntry {
                    at_ms: 1_764_000_000_000 + i64::try_from(i).unwrap(),
                    kind: if i % 2 == 0 {
                        EntryKind::Consent
                    } else {
                        EntryKind::ResourceAccess
                    },
                    user: Some("u-marie".into()),
                    sp: (i > 0).then(|| "demo-sp".into()),
                    authenticator: None,
                    detail: r#"{"prompt":"Demo Shop asks for: given name = Marie."}"#.into(),
                },
                [u8::try_from(i % 256).unwrap(); 16],
                head,
                Some(mine.unwrap_or(Digest32::GENESIS)),
            );
            head = Head {
                seq: entry.seq,
                hash: entry.hash,
            };
            mine = Some(entry.hash);
            entry
        })
        .collect()
}

#[test]
fn audit_page() {
    let entries = entries(3);
    let next = Some(entries[2].seq);
    let page: AuditPage = same(&json!({"entries": entries, "next": next}));
    assert_eq!(page.next, Some(3));
    assert_eq!(page.entries, entries);
    let last: AuditPage = same(&json!({"entries": entries, "next": None::<u64>}));
    assert_eq!(last.next, None);
    same_bytes::<AuditPage>(&json!({"entries": [], "next": null}));
    // The SPs' names, for display (members in lexicographic order, as the gateway writes).
    let named: AuditPage = same_bytes(&json!({"entries": [], "next": null,
                                               "sp_names": {"demo-sp": "Demo Shop"}}));
    assert_eq!(named.sp_names["demo-sp"], "Demo Shop");
    // A page from a gateway that sends no names reads as naming none.
    assert!(last.sp_names.is_empty());
}

#[test]
fn audit_export_from_the_gateway_and_from_the_device() {
    let entries = entries(4);
    let head = entries[3].hash.to_hex();
    let gateway = json!({"user": "u-marie", "entries": entries, "head": head,
                         "signed_head": "eyJ.a.b",
                         "verify": "assent-audit: each hash is SHA-256 over …"});
    let export: UserExport = same(&gateway);
    assert_eq!(export.verify().unwrap().to_hex(), head);
    assert!(
        export.sp_names.is_empty(),
        "an export from before the names"
    );
    // With the SPs' names: display only, outside the chain (the export still verifies).
    let mut named = gateway.clone();
    named["sp_names"] = json!({"demo-sp": "Demo Shop", "other-sp": "مصرف الأمل"});
    let export: UserExport = same(&named);
    assert_eq!(export.sp_names["other-sp"], "مصرف الأمل");
    assert_eq!(export.verify().unwrap().to_hex(), head);
    let mut renamed = export.clone();
    renamed
        .sp_names
        .insert("demo-sp".into(), "Someone Else".into());
    assert_eq!(
        renamed.verify().unwrap().to_hex(),
        head,
        "names are not hashed"
    );
    // The device's file (`assent audit export`): no `verify`, `signed_head` may be null.
    let file = json!({"user": "u-marie", "head": head, "signed_head": null, "entries": entries});
    let copy: UserExport = same(&file);
    assert_eq!(copy.verify, None);
    let mut wrong = copy.clone();
    wrong.head = Digest32::GENESIS.to_hex();
    assert_eq!(
        wrong.verify().unwrap_err().to_string(),
        "the head is not the chain's last hash"
    );
}

// ---- JWT claims (crates/core/src/device_client.rs, crates/gateway/tests/device.rs) ----

#[test]
fn assertions_and_proofs() {
    let url = format!("{GW}/device/register");
    same_bytes::<RegistrationAssertion>(&json!({"aud": url, "exp": 1_764_000_060, "jti": "j1"}));
    let id = "d-x1y2";
    let url = format!("{GW}/device/token");
    let typed: TokenAssertion =
        same_bytes(&json!({"iss": id, "sub": id, "aud": url, "exp": 1_764_000_060, "jti": "j2"}));
    assert_eq!(typed.iss, typed.sub);
    // A proof without a token (at /device/token), and with one.
    let mut claims = json!({"jti": "j3", "htm": "POST", "htu": url, "iat": 1_764_000_000});
    assert_eq!(same_bytes::<DpopProof>(&claims).ath, None);
    claims["ath"] = json!("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    assert!(same_bytes::<DpopProof>(&claims).ath.is_some());
    // An `ath` that is not text names no token; the proof still reads.
    claims["ath"] = json!(42);
    let read: DpopProof = serde_json::from_value(claims).unwrap();
    assert_eq!(read.ath, None);
}

#[test]
fn decision_claims() {
    let claims = json!({"aud": GW, "request": "m-1", "answer": "approve",
                        "prompt_sha256": "ab".repeat(32), "exp": 1_764_000_060, "jti": "j4"});
    let typed: DecisionClaims = same_bytes(&claims);
    assert_eq!((typed.answer, typed.shown), (Answer::Approve, None));
    // Rendered on the device: how, in `shown` (device members in WireDevice's order).
    let phone = assent_prompt::DeviceProfile::phone();
    let mut shown = claims.clone();
    shown["answer"] = json!("deny");
    shown["shown"] = json!({"device": WireDevice::from(&phone), "locale": "fr"});
    let typed: DecisionClaims = same(&shown);
    assert_eq!(
        typed.shown,
        Some(Shown {
            device: WireDevice::from(&phone),
            locale: "fr".into()
        })
    );
    // `"shown": null` (the gateway's tests send it) reads as absent, as the gateway reads it.
    let mut null = claims.clone();
    null["shown"] = Value::Null;
    let typed: DecisionClaims = serde_json::from_value(null).unwrap();
    assert_eq!(typed.shown, None);
    assert_eq!(serde_json::to_value(&typed).unwrap(), claims);
}

#[test]
fn signed_head_statement() {
    let statement = json!({"iss": GW, "sub": "u-marie", "head": "ab".repeat(32),
                           "count": 4_usize, "iat": 1_764_000_000_i64});
    assert_eq!(same_bytes::<HeadStatement>(&statement).count, 4);
}

// ---- the handset simulator (crates/gateway/src/server.rs) ----

#[test]
fn simulator() {
    // The store's `SimMessage` serialized as a struct: its members in its own order.
    let text = r#"[{"id":"m-1","kind":"ussd","text":"Demo Shop asks for: given name = Marie.\n1 Yes\n2 No","encoding":"gsm7","units":52,"sent_at":"2026-11-27T10:00:00Z","open":true},{"id":"m-2","kind":"sms","text":"Your code: 482913\n\n@127.0.0.1 #482913","encoding":"gsm7","units":36,"sent_at":"2026-11-27T10:01:00Z","open":false}]"#;
    let messages: Vec<SimMessage> = serde_json::from_str(text).unwrap();
    assert_eq!(serde_json::to_string(&messages).unwrap(), text);
    assert_eq!(messages[1].kind, SimMessageKind::Sms);
    same_bytes::<SimReply>(&json!({"message_id": "m-1", "text": "1"}));
    assert!(
        serde_json::from_value::<SimReply>(json!({"message_id": "m-1", "text": "1", "x": 1}))
            .is_err(),
        "unknown members are refused"
    );
    same_bytes::<SimReplyAnswer>(&json!({"message_id": "m-1", "accepted": true}));
}

// ---- ACME (crates/gateway/src/acme/mod.rs and objects.rs) ----

fn url(path: &str) -> String {
    format!("{GW}/acme{path}")
}

fn identifier() -> Value {
    let value = assent_acme::tnauthlist::identifier_value("447700900001").unwrap();
    json!({"type": assent_acme::tnauthlist::IDENTIFIER_TYPE, "value": value})
}

#[test]
fn directory() {
    let body = json!({
        "newNonce": url("/new-nonce"),
        "newAccount": url("/new-account"),
        "newOrder": url("/new-order"),
        "revokeCert": url("/revoke-cert"),
        "keyChange": url("/key-change"),
        "meta": {
            "website": GW,
            "externalAccountRequired": false,
        },
    });
    let directory: Directory = same_bytes(&body);
    assert_eq!(directory.new_nonce, url("/new-nonce"));
}

#[test]
fn accounts() {
    let account = |contact: Value| json!({"status": "valid", "contact": contact, "orders": url("/account/a-1/orders")});
    same_bytes::<Account>(&account(json!([])));
    let typed: Account = same_bytes(&account(json!([
        "mailto:qa@example.org",
        "tel:+447700900001"
    ])));
    assert_eq!(typed.status, Status::Valid);
    let mut deactivated = account(json!([]));
    deactivated["status"] = json!("deactivated");
    same_bytes::<Account>(&deactivated);
    let orders = vec![url("/order/o-1")];
    same_bytes::<OrdersList>(&json!({ "orders": orders }));
    same_bytes::<OrdersList>(&json!({"orders": []}));
}

/// objects::order: `certificate` only once issued, `error` only when invalid.
#[test]
fn orders() {
    let mut body = json!({
        "status": "pending",
        "expires": "2026-11-27T11:00:00Z",
        "identifiers": [identifier()],
        "authorizations": [url("/authz/z-1")],
        "finalize": url("/order/o-1/finalize"),
    });
    let order: Order = same_bytes(&body);
    assert_eq!((order.certificate, order.error), (None, None));
    body["status"] = json!("valid");
    body["certificate"] = json!(url("/cert/t-1"));
    assert!(same_bytes::<Order>(&body).certificate.is_some());
    let mut invalid = body.clone();
    invalid.as_object_mut().unwrap().remove("certificate");
    invalid["status"] = json!("invalid");
    invalid["error"] = serde_json::from_str(
        &assent_acme::problem::AcmeProblem::new(
            assent_acme::problem::ProblemType::IncorrectResponse,
            "3 wrong answers: the challenge is invalid",
        )
        .to_json()
        .to_string(),
    )
    .unwrap();
    let order: Order = same_bytes(&invalid);
    assert_eq!(order.status(), Status::Invalid);
    assert_eq!(
        order
            .error()
            .and_then(ProblemDocument::problem)
            .unwrap()
            .kind,
        assent_acme::problem::ProblemType::IncorrectResponse
    );
}

/// objects::challenge: `validated` only when valid, `error` only when invalid.
fn challenge(status: &str) -> Value {
    json!({
        "type": assent_acme::sms_link::CHALLENGE_TYPE,
        "url": url("/chall/c-1"),
        "status": status,
        "token": "DGyRejmCefe7v4NfDGDKfA",
    })
}

#[test]
fn authorizations_and_challenges() {
    let authz = |challenges: Value| {
        json!({"status": "pending", "expires": "2026-11-27T11:00:00Z",
               "identifier": identifier(), "challenges": challenges})
    };
    let typed: Authorization = same_bytes(&authz(json!([challenge("pending")])));
    assert_eq!(typed.challenges[0].kind, "sms-link-00");
    same_bytes::<Authorization>(&authz(json!([])));
    same_bytes::<Challenge>(&challenge("processing"));
    let mut valid = challenge("valid");
    valid["validated"] = json!("2026-11-27T10:02:00Z");
    assert!(same_bytes::<Challenge>(&valid).validated.is_some());
    let mut invalid = challenge("invalid");
    invalid["error"] = assent_acme::problem::AcmeProblem::new(
        assent_acme::problem::ProblemType::IncorrectResponse,
        "the code expired",
    )
    .to_json();
    same_bytes::<Challenge>(&invalid);
}

#[test]
fn problem_documents() {
    use assent_acme::problem::{AcmeProblem, ProblemType};
    for problem in [
        AcmeProblem::new(ProblemType::BadNonce, "nonce was already used"),
        AcmeProblem::new(ProblemType::BadSignatureAlgorithm, "HS256 is not supported"),
        AcmeProblem::new(
            ProblemType::RateLimited,
            "at most 5 codes per number per hour",
        ),
    ] {
        let typed: ProblemDocument = same_bytes(&problem.to_json());
        assert_eq!(typed.problem(), Some(problem));
    }
}

/// The payloads the core's client and QA's scripts send (crates/core/src/acme_client.rs,
/// crates/gateway/tests/acme.rs).
#[test]
fn acme_request_payloads() {
    let contact: Vec<String> = vec![];
    let new_account: NewAccount =
        same_bytes(&json!({"termsOfServiceAgreed": true, "contact": contact}));
    assert_eq!(new_account.terms_of_service_agreed, Some(true));
    same_bytes::<NewAccount>(&json!({"onlyReturnExisting": true}));
    same_bytes::<NewAccount>(&json!({"termsOfServiceAgreed": true}));
    let identifiers = json!([identifier()]);
    let order: NewOrder = same_bytes(&json!({ "identifiers": identifiers }));
    assert_eq!(
        order.identifiers,
        vec![Identifier::tn_auth_list("+447700900001").unwrap()]
    );
    same_bytes::<NewOrder>(&json!({"identifiers": [{"type": "dns", "value": "example.org"}]}));
    same_bytes::<ChallengeReady>(&json!({}));
    same_bytes::<ChallengeAnswer>(&json!({ "keyAuthorization": "t.c" }));
    same_bytes::<Finalize>(&json!({ "csr": "MIIB" }));
    same_bytes::<RevokeCert>(&json!({"certificate": "MIIB", "reason": 4}));
    same_bytes::<RevokeCert>(&json!({"certificate": "MIIB"}));
    same_bytes::<AccountUpdate>(&json!({"status": "deactivated"}));
    same_bytes::<AccountUpdate>(&json!({"contact": ["mailto:qa@example.org"]}));
}
