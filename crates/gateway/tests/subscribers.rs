//! The operator's subscribers against the real binary, on SQLite and PostgreSQL:
//! `admin users import` of 10,000 subscribers (timed, printed), again (idempotent), a file
//! with one bad row (refused with its line and reason, nothing imported), CSV; `show`,
//! `set`; and `delete`: the person erased from every column of every table while
//! `admin audit verify` still passes, their SP's token refused.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{admin, client, fresh_postgres, start};
use serde_json::Value;
use std::path::Path;

const SUBSCRIBERS: usize = 10_000;

/// The 10,000-row file: every tenth row with names, an e-mail, a birthdate and an address,
/// every hundredth naming SMS as its only authenticator and notices at each access.
fn big_file(path: &Path) {
    let mut text = String::new();
    for i in 0..SUBSCRIBERS {
        let msisdn = format!("+4477010{i:05}");
        let mut row = serde_json::json!({ "msisdn": msisdn });
        if i % 10 == 0 {
            row["given_name"] = format!("Given{i}").into();
            row["family_name"] = format!("Family{i}").into();
            row["email"] = format!("user{i}@example.org").into();
            row["birthdate"] = "1985-06-15".into();
            row["address"] = serde_json::json!({"street_address": format!("{i} Long Road"),
                "postal_code": "AB1 2CD", "locality": "Leeds", "country": "GB"});
        }
        if i % 100 == 1 {
            row["authenticators"] = "sms".into();
            row["notify"] = "each".into();
        }
        text.push_str(&row.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn show(data_dir: &Path, db: Option<&str>, msisdn: &str) -> Option<Value> {
    let (ok, out) = admin(data_dir, db, &["users", "show", msisdn, "--json"]);
    ok.then(|| serde_json::from_str(&out).unwrap())
}

/// Every (table, column) of the database whose text holds `value`.
async fn traces(data_dir: &Path, db: Option<&str>, value: &str) -> Vec<(String, String)> {
    use sqlx::{Connection, Row};
    let mut found = Vec::new();
    match db {
        Some(url) => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            let columns = sqlx::query(
                "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
                 WHERE table_schema = 'public'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for row in columns {
                let (table, column): (String, String) = (row.get("t"), row.get("c"));
                let sql = format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%' || $1 || '%'"
                );
                let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(value)
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                if n > 0 {
                    found.push((table, column));
                }
            }
        }
        None => {
            let url = format!("sqlite://{}?mode=ro", data_dir.join("gateway.db").display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for table in tables {
                let columns: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
                        .bind(&table)
                        .fetch_all(&mut conn)
                        .await
                        .unwrap();
                for column in columns {
                    let sql = format!(
                        "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%' || ? || '%'"
                    );
                    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                        .bind(value)
                        .fetch_one(&mut conn)
                        .await
                        .unwrap();
                    if n > 0 {
                        found.push((table.clone(), column));
                    }
                }
            }
        }
    }
    found
}

async fn subscribers(db: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    let gateway = start(&data_dir, db);
    let http = client(&gateway, false);

    // 10,000 subscribers, timed.
    let file = dir.path().join("subscribers.jsonl");
    big_file(&file);
    let started = std::time::Instant::now();
    let (ok, out) = admin(&data_dir, db, &["users", "import", file.to_str().unwrap()]);
    let took = started.elapsed();
    assert!(ok, "{out}");
    assert_eq!(
        out.trim(),
        "10000 rows accepted, 0 refused: 10000 new subscribers, 0 updated"
    );
    println!(
        "import of {SUBSCRIBERS} subscribers ({}): {:.2} s",
        if db.is_some() { "PostgreSQL" } else { "SQLite" },
        took.as_secs_f64()
    );
    let user = show(&data_dir, db, "447701000010").unwrap();
    assert_eq!(user["msisdn"], "447701000010");
    assert_eq!(user["given_name"], "Given10");
    assert_eq!(user["street_address"], "10 Long Road");
    assert_eq!(user["country"], "GB");
    assert_eq!(user["authenticators"], serde_json::json!(["ussd", "sms"]));
    assert_eq!(user["notify"], "daily");
    assert!(user["id"].as_str().unwrap().starts_with("u-"));
    let sms_only = show(&data_dir, db, "+447701000101").unwrap();
    assert_eq!(sms_only["authenticators"], serde_json::json!(["sms"]));
    assert_eq!(sms_only["notify"], "each");
    assert_eq!(sms_only["given_name"], Value::Null);

    // Again: an upsert by number, nobody new, nobody's id changed.
    let (ok, out) = admin(&data_dir, db, &["users", "import", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert_eq!(
        out.trim(),
        "10000 rows accepted, 0 refused: 0 new subscribers, 10000 updated"
    );
    assert_eq!(
        show(&data_dir, db, "447701000010").unwrap()["id"],
        user["id"]
    );

    // A file with one bad row changes nothing: not its good rows, not an update.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"msisdn\":\"447701099001\",\"given_name\":\"New\"}\n\
         {\"msisdn\":\"447701000010\",\"given_name\":\"Changed\"}\n\
         {\"msisdn\":\"447701099003\",\"email\":\"not an address\"}\n",
    )
    .unwrap();
    let output = std::process::Command::new(common::BIN)
        .args(["admin", "users", "import", bad.to_str().unwrap()])
        .args(common::storage_args(&data_dir, db))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        report.contains("line 3: refused: email \"not an address\": not an e-mail address"),
        "{report}"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("2 rows accepted, 1 refused: nothing imported")
    );
    assert!(show(&data_dir, db, "447701099001").is_none());
    assert_eq!(
        show(&data_dir, db, "447701000010").unwrap()["given_name"],
        "Given10"
    );

    // CSV with a header row; set and clear. No access notices for Zyxwe: a notice the
    // serving gateway's sweep claimed just before the deletion would still be sent just
    // after it (docs/operations.md), and land on the simulator's handset.
    let csv = dir.path().join("more.csv");
    std::fs::write(
        &csv,
        "msisdn,given_name,family_name,email,birthdate,street_address,postal_code,locality,notify\n\
         447701099100,Zyxwe,Quorvat,zyxwe.quorvat@example.org,1979-03-04,7 Yqmbrt Lane,ZQ9 9QZ,Xlotburg,off\n",
    )
    .unwrap();
    let (ok, out) = admin(&data_dir, db, &["users", "import", csv.to_str().unwrap()]);
    assert!(ok, "{out}");
    let (ok, out) = admin(
        &data_dir,
        db,
        &["users", "set", "447701099100", "locality=", "country=GB"],
    );
    assert!(ok, "{out}");
    let zyxwe = show(&data_dir, db, "447701099100").unwrap();
    assert_eq!(zyxwe["locality"], Value::Null);
    assert_eq!(zyxwe["country"], "GB");
    let (ok, out) = admin(
        &data_dir,
        db,
        &["users", "set", "447701099100", "birthdate=soon"],
    );
    assert!(!ok && out.contains("YYYY-MM-DD"), "{out}");

    // Zyxwe consents to Demo Shop sharing their identity; their data flows through prompts,
    // the simulator, consents, receipts, tokens and the audit trail.
    let tokens = common::ciba_tokens(
        &gateway,
        &http,
        "demo-sp",
        "447701099100",
        "openid mc_identity_signup",
        &[],
    )
    .await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let premium = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(premium.status(), 200);
    let claims: Value = premium.json().await.unwrap();
    assert_eq!(claims["given_name"], "Zyxwe", "{claims}");
    let personal = [
        "447701099100",
        "Zyxwe",
        "Quorvat",
        "zyxwe.quorvat@example.org",
        "1979-03-04",
        "Yqmbrt",
        "ZQ9 9QZ",
    ];
    // An open screen of the self-care menu holds the number too.
    let dialled = http
        .post(format!("{}/sim/handsets/447701099100/dial", gateway.url))
        .json(&serde_json::json!({"code": "*123#"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dialled.status(), 200);
    let before = traces(&data_dir, db, "447701099100").await;
    for table in ["sim_messages", "ussd_sessions", "users"] {
        assert!(
            before.iter().any(|(t, _)| t == table),
            "the number is in {table}: {before:?}"
        );
    }

    // Deleted: erased from every column, the trail still verifies, the token is dead.
    let (ok, out) = admin(&data_dir, db, &["users", "delete", "+447701099100"]);
    assert!(ok, "{out}");
    assert!(out.contains("1 grants ended"), "{out}");
    for value in personal {
        let left = traces(&data_dir, db, value).await;
        assert!(left.is_empty(), "{value} is still in {left:?}");
    }
    let (ok, out) = admin(&data_dir, db, &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.starts_with("audit trail verified"), "{out}");
    assert!(show(&data_dir, db, "447701099100").is_none());
    let premium = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(premium.status(), 401);
    // The trail keeps the user's entries, details erased, and says what happened.
    let (ok, out) = admin(
        &data_dir,
        db,
        &["audit", "list", "--json", "--limit", "10000"],
    );
    assert!(ok, "{out}");
    let entries: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let erased_user = entries
        .iter()
        .find(|e| e["detail"]["action"] == "user_erased")
        .unwrap()["user"]
        .clone();
    let theirs: Vec<&Value> = entries
        .iter()
        .filter(|e| e["user"] == erased_user)
        .collect();
    assert!(theirs.len() > 3, "{theirs:?}");
    assert!(
        theirs
            .iter()
            .filter(|e| e["detail"]["action"] != "user_erased")
            .all(|e| e["erased"] == true && e["detail"].is_null()),
        "{theirs:?}"
    );
    // Deleting again: no such user, nothing written.
    let (ok, out) = admin(&data_dir, db, &["users", "delete", "447701099100"]);
    assert!(!ok && out.contains("no user with this number"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_subscribers_are_imported_changed_and_erased() {
    subscribers(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_subscribers_are_imported_changed_and_erased() {
    let url = fresh_postgres().await;
    subscribers(Some(&url)).await;
}

/// Customer care: Marie's consents in force listed (text and JSON), then revoked on her
/// behalf: Demo Shop's token refused, the revocation audited as the operator's, nothing left
/// to list, a second revocation refused.
async fn customer_care(db: Option<&str>) {
    const MARIE: &str = "447700900001";
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("gw");
    // The sweep that sends queued texts runs every second.
    let gateway = common::start_with(&data_dir, db, None, &["--consent-sweep-interval", "1s"]);
    let http = client(&gateway, false);
    let (ok, out) = admin(&data_dir, db, &["consents", "list", MARIE, "--json"]);
    assert!(ok, "{out}");
    assert_eq!(out.trim(), "[]");

    let tokens = common::ciba_tokens(
        &gateway,
        &http,
        "demo-sp",
        MARIE,
        "openid mc_identity_signup",
        &[],
    )
    .await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let (ok, out) = admin(&data_dir, db, &["consents", "list", MARIE, "--json"]);
    assert!(ok, "{out}");
    let grants: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(grants.as_array().unwrap().len(), 1, "{grants}");
    let grant = &grants[0];
    assert_eq!(grant["sp"], "demo-sp");
    assert_eq!(grant["sp_name"], "Demo Shop");
    assert!(
        grant["scope"]
            .as_str()
            .unwrap()
            .contains("mc_identity_signup")
    );
    assert!(
        grant["attributes"]
            .as_array()
            .unwrap()
            .contains(&"given_name".into()),
        "{grant}"
    );
    assert!(grant["granted_at"].as_str().unwrap().ends_with('Z'));
    let (ok, text) = admin(&data_dir, db, &["consents", "list", "+447700900001"]);
    assert!(ok, "{text}");
    assert!(
        text.starts_with(&format!(
            "{}\tdemo-sp\tDemo Shop\t",
            grant["grant_id"].as_str().unwrap()
        )),
        "{text}"
    );

    let (ok, out) = admin(&data_dir, db, &["consents", "revoke", MARIE, "no-such-sp"]);
    assert!(
        !ok && out.contains("no SP with client_id no-such-sp"),
        "{out}"
    );
    let (ok, out) = admin(&data_dir, db, &["consents", "revoke", MARIE, "demo-sp"]);
    assert!(ok, "{out}");
    assert_eq!(
        out.trim(),
        "1 consents to demo-sp revoked on the user's behalf"
    );
    let premium = http
        .get(format!("{}/premiuminfo", gateway.url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(premium.status(), 401);
    let (ok, out) = admin(&data_dir, db, &["consents", "list", MARIE, "--json"]);
    assert!(ok && out.trim() == "[]", "{out}");
    // Marie has no app: she is told by SMS, which the serving gateway sends.
    let told = "Assent: at your request, customer care ended Demo Shop's access to your data.";
    let mut texts = Vec::new();
    for _ in 0..100 {
        texts = common::handset(&gateway, &http, MARIE)
            .await
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>();
        if texts.iter().any(|t| t == told) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(texts.iter().filter(|t| *t == told).count(), 1, "{texts:?}");
    let (ok, out) = admin(
        &data_dir,
        db,
        &["audit", "list", "--kind", "revocation", "--json"],
    );
    assert!(ok, "{out}");
    let last: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["detail"]["by"], "operator", "{last}");
    assert_eq!(last["detail"]["consent"], grant["grant_id"], "{last}");
    assert_eq!(last["sp"], "demo-sp");
    let (ok, out) = admin(&data_dir, db, &["consents", "revoke", MARIE, "demo-sp"]);
    assert!(
        !ok && out.contains("no consent in force to demo-sp"),
        "{out}"
    );
    let (ok, out) = admin(&data_dir, db, &["audit", "verify"]);
    assert!(ok, "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_customer_care_lists_and_revokes_a_users_consents() {
    customer_care(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_customer_care_lists_and_revokes_a_users_consents() {
    let url = fresh_postgres().await;
    customer_care(Some(&url)).await;
}
