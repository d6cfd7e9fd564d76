//! Operator commands and configuration: SP registration, users' flags, the service catalog
//! file, and discovery of what the gateway implements.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{BIN, admin, client, start};
use serde_json::{Value, json};

#[tokio::test]
async fn registration_is_checked_and_flags_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let data_dir = &gateway.data_dir;

    let (ok, out) = admin(data_dir, None, &["clients", "list"]);
    assert!(ok, "{out}");
    for id in ["demo-sp", "once-sp", "atp-sp", "blocked-sp"] {
        assert!(out.contains(id), "{out}");
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("blocked-sp") && l.ends_with("blacklisted"))
    );

    // Bad registrations are refused with the reason, and change nothing.
    let base = json!({
        "client_id": "new-sp", "client_secret": "new-sp-secret-0123456789abcdefghij", "client_name": "New",
        "grant_types": ["urn:openid:params:grant-type:ciba"], "scope": "openid mc_vm_share",
        "token_policy": "long_lived", "token_ttl_seconds": 60,
    });
    let with = |patch: Value| {
        let mut r = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                r.as_object_mut().unwrap().remove(k);
            } else {
                r[k] = v.clone();
            }
        }
        r
    };
    let cases = [
        (
            with(json!({"backchannel_token_delivery_mode": "ping"})),
            "https",
        ),
        (
            with(json!({"backchannel_token_delivery_mode": "push",
                        "backchannel_client_notification_endpoint": "http://127.0.0.1:9/cb"})),
            "https",
        ),
        (with(json!({"grant_types": ["implicit"]})), "not supported"),
        (with(json!({"client_secret": null})), "client_secret, jwks"),
        (with(json!({"token_policy": "forever"})), "token_policy"),
        (with(json!({"jwks": {"keys": "nope"}})), "jwks"),
        (with(json!({"surprise": 1})), "unknown field"),
        // MC_ATTR_11: 17 bytes of name.
        (
            with(json!({"client_name": "Seventeen bytes!!"})),
            "MC_ATTR_11",
        ),
        (
            with(json!({"client_name": "Zwölf Brötchen!"})),
            "MC_ATTR_11",
        ),
        (with(json!({"client_secret": "eight-ch"})), "at least 32"),
        (
            with(json!({"redirect_uris": ["http://127.0.0.1:80@evil.example/cb"]})),
            "user information",
        ),
        (
            with(json!({"redirect_uris": ["http://sp.example/cb"]})),
            "loopback",
        ),
        (
            with(json!({"redirect_uris": ["https://sp.example/cb#frag"]})),
            "fragment",
        ),
        (with(json!({"redirect_uris": ["/cb"]})), "absolute"),
        // Kept space-separated: one URI with a space would register two.
        (
            with(json!({"redirect_uris": ["https://sp.example/cb https://evil.example/cb"]})),
            "white space",
        ),
        (
            with(
                json!({"ssf": true, "ssf_push_endpoints": ["https://sp.example/a https://evil.example/b"]}),
            ),
            "white space",
        ),
        (
            with(json!({"ssf_push_endpoints": ["https://sp.example/ssf"]})),
            "registered with",
        ),
        (
            with(json!({"ssf": true, "ssf_push_endpoints": ["http://sp.example/ssf"]})),
            "https",
        ),
        (
            with(
                json!({"dpop_bound_access_tokens": true, "grant_types": ["urn:openid:params:grant-type:ciba"],
                        "backchannel_token_delivery_mode": "push",
                        "backchannel_client_notification_endpoint": "https://sp.example/cb"}),
            ),
            "push mode",
        ),
    ];
    for (registration, reason) in cases {
        let file = dir.path().join("bad.json");
        std::fs::write(&file, registration.to_string()).unwrap();
        let (ok, out) = admin(data_dir, None, &["clients", "add", file.to_str().unwrap()]);
        assert!(!ok && out.contains(reason), "{registration}: {out}");
    }
    let (_, out) = admin(data_dir, None, &["clients", "list"]);
    assert!(!out.contains("new-sp"), "{out}");
    // The same registration with a query of its own and a loopback IPv6 URI is fine.
    let good =
        with(json!({"redirect_uris": ["https://sp.example/cb?tenant=1", "http://[::1]:9/cb"]}));
    let file = dir.path().join("good.json");
    std::fs::write(&file, good.to_string()).unwrap();
    let (ok, out) = admin(data_dir, None, &["clients", "add", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    let (_, out) = admin(data_dir, None, &["clients", "list"]);
    assert!(out.contains("new-sp"), "{out}");

    // Flags (the app's "Report this SP") are listed for the operator, oldest first.
    let (ok, out) = admin(data_dir, None, &["flags"]);
    assert_eq!((ok, out.trim()), (true, "no flags"));
    let store = assent_gateway::store::Store::open(None, data_dir)
        .await
        .unwrap();
    for (id, at_ms) in [("fl-2", 2_000), ("fl-1", 1_000)] {
        store
            .insert_flag(&assent_gateway::store::Flag {
                id: id.into(),
                client_id: "demo-sp".into(),
                user_id: Some("u-demo-marie".into()),
                reason: "asked twice for my email".into(),
                at_ms,
            })
            .await
            .unwrap();
    }
    let (ok, out) = admin(data_dir, None, &["flags"]);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].contains("fl-1") && lines[1].contains("fl-2"),
        "{out}"
    );
    assert!(lines[0].contains("demo-sp") && lines[0].contains("asked twice"));
    assert!(
        !out.contains("u-demo-marie"),
        "the operator list names no user"
    );
    let (_, out) = admin(data_dir, None, &["flags", "--client-id", "once-sp"]);
    assert_eq!(out.trim(), "no flags");
}

#[test]
fn a_bad_catalog_stops_the_gateway_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.json");
    std::fs::write(
        &catalog,
        r#"{"services": [{"scope": "mc_x", "kind": "share", "loa": 2, "consent": "authenticator",
            "attributes": [{"name": "shoe_size", "required": true}]}]}"#,
    )
    .unwrap();
    let output = std::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("gw"))
        .arg("--catalog")
        .arg(&catalog)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown attribute shoe_size"), "{stderr}");
    assert!(output.stdout.is_empty(), "never announced as listening");
}

#[tokio::test]
async fn discovery_announces_exactly_the_modes_methods_and_hints_implemented() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let get = |path: &str| {
        let request = http.get(format!("{}{path}", gateway.url));
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let discovery = get("/.well-known/openid-configuration").await;
    assert_eq!(
        discovery["backchannel_token_delivery_modes_supported"],
        json!(["poll", "ping", "push"])
    );
    assert_eq!(
        discovery["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt"
        ])
    );
    assert_eq!(
        discovery["login_hint_types_supported"],
        json!(["MSISDN", "ENCR_MSISDN", "PCR"])
    );
    assert_eq!(
        discovery["grant_types_supported"],
        json!([
            "authorization_code",
            "client_credentials",
            "refresh_token",
            "urn:openid:params:grant-type:ciba"
        ])
    );
    assert_eq!(discovery["mc_claims_parameter_supported"], true);
    // Every endpoint discovery names answers (none is a 404).
    for name in [
        "authorization_endpoint",
        "token_endpoint",
        "backchannel_authentication_endpoint",
        "jwks_uri",
        "introspection_endpoint",
        "revocation_endpoint",
        "userinfo_endpoint",
        "premiuminfo_endpoint",
    ] {
        let url = discovery[name]
            .as_str()
            .unwrap_or_else(|| panic!("{name} missing"));
        let status = http.get(url).send().await.unwrap().status().as_u16();
        assert_ne!(status, 404, "{name} {url}");
    }
    let jwks = get("/jwks").await;
    let uses: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["use"].as_str().unwrap())
        .collect();
    assert_eq!(uses, ["sig", "enc"]);
    assert_eq!(jwks["keys"][0]["alg"], "ES256");
    assert_eq!(jwks["keys"][1]["alg"], "ECDH-ES+A256KW");
}

/// `admin audit list`: the operator's view of the whole trail, filtered by kind, SP and time,
/// one JSON object per line with `--json`.
#[tokio::test]
async fn sqlite_the_operator_lists_the_trail_by_kind_sp_and_time() {
    the_operator_lists_the_trail(None).await;
}

#[tokio::test]
async fn postgres_the_operator_lists_the_trail_by_kind_sp_and_time() {
    let url = common::fresh_postgres().await;
    the_operator_lists_the_trail(Some(&url)).await;
}

async fn the_operator_lists_the_trail(db: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), db);
    let data_dir = &gateway.data_dir;
    let http = client(&gateway, false);
    for _ in 0..3 {
        let refused = http
            .get(format!("{}/premiuminfo", gateway.url))
            .bearer_auth("probe-token")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);
    }
    let (ok, out) = admin(data_dir, db, &["blacklist", "add", "once-sp"]);
    assert!(ok, "{out}");

    let (ok, out) = admin(
        data_dir,
        db,
        &["audit", "list", "--kind", "resource_refused", "--json"],
    );
    assert!(ok, "{out}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    let mut last_seq = 0;
    for line in &lines {
        assert_eq!(line["kind"], "resource_refused");
        assert_eq!(line["sp"], Value::Null, "an unknown token names no SP");
        assert_eq!(line["detail"]["endpoint"], "/premiuminfo");
        assert!(line["at"].as_str().unwrap().ends_with('Z'));
        let seq = line["seq"].as_u64().unwrap();
        assert!(seq > last_seq, "oldest first");
        last_seq = seq;
    }
    // The last N; then the first N from a time.
    let (ok, out) = admin(data_dir, db, &["audit", "list", "--limit", "1", "--json"]);
    assert!(ok, "{out}");
    let newest: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(newest["kind"], "admin");
    assert_eq!(newest["sp"], "once-sp");
    let (ok, out) = admin(
        data_dir,
        db,
        &[
            "audit", "list", "--sp", "once-sp", "--since", "1h", "--json",
        ],
    );
    assert!(ok, "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    let (ok, out) = admin(
        data_dir,
        db,
        &["audit", "list", "--since", "2999-01-01T00:00:00Z"],
    );
    assert!(ok && out.trim().is_empty(), "{out}");
    let (ok, out) = admin(data_dir, db, &["audit", "list", "--since", "yesterday-ish"]);
    assert!(!ok && out.contains("RFC 3339"), "{out}");
}

/// `admin registrations list`: every device registration attempt with its outcome; refused
/// ones older than the retention are purged first, as the gateway does.
#[tokio::test]
async fn the_operator_lists_registration_attempts_with_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let http = client(&gateway, false);
    let refused = http
        .post(format!("{}/device/register", gateway.url))
        .header("content-type", "application/json")
        .body("{\"certificate\": \"AAAA\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let (ok, out) = admin(&gateway.data_dir, None, &["registrations", "list"]);
    assert!(ok, "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains(" refused invalid_request "), "{out}");
    let (ok, out) = admin(
        &gateway.data_dir,
        None,
        &["registrations", "list", "--retention", "1ms"],
    );
    assert!(ok, "{out}");
    assert_eq!(out.trim(), "no registration attempts");
}

/// `POST /device/register` is limited per address before any work: over the limit, 429 with
/// `Retry-After`, and nothing is recorded for the attempt.
#[tokio::test]
async fn device_registration_attempts_are_limited_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = common::start_with(
        &dir.path().join("gw"),
        None,
        None,
        &["--rate-limit-device-register", "2/min"],
    );
    let http = client(&gateway, false);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let answer = http
            .post(format!("{}/device/register", gateway.url))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        if answer.status() == 429 {
            assert!(answer.headers().contains_key("retry-after"));
        }
        statuses.push(answer.status().as_u16());
    }
    assert_eq!(statuses, [400, 400, 429]);
    let (ok, out) = admin(&gateway.data_dir, None, &["registrations", "list"]);
    assert!(ok, "{out}");
    assert_eq!(
        out.lines().count(),
        2,
        "the limited attempt wrote nothing: {out}"
    );
}
