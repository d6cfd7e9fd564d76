//! Attempt and SMS budgets under real concurrency, against the real binary on SQLite and
//! PostgreSQL: every budget is reserved in the statement that checks it, so requests sent
//! at once cannot all pass a read of the count. Ten wrong answers at once spend the
//! challenge's three attempts and no more; "ready" on eight challenges of one number at
//! once sends that number's five codes an hour and no more; one account cannot make the
//! gateway send more than ten codes an hour; codes go only to numbers the gateway serves.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::acme_client::{Acme, code_on_handset};
use common::{Gateway, client, fresh_postgres, handset, start, start_with};
use serde_json::{Value, json};

const MARIE: &str = "447700900001";

fn sms_count(messages: &[Value]) -> usize {
    messages.iter().filter(|m| m["kind"] == "sms").count()
}

/// Sends `payload` to `url` `n` times at once (each with its own nonce); the statuses and
/// bodies, in no particular order.
async fn at_once(acme: &Acme, url: &str, payloads: Vec<Value>) -> Vec<(u16, Value)> {
    let mut bodies = Vec::new();
    for payload in &payloads {
        let nonce = acme.fresh_nonce().await;
        bodies.push(acme.body(&nonce, url, Some(payload)));
    }
    let sends: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let request = acme
                .http
                .post(url)
                .header("content-type", "application/jose+json")
                .body(body.to_string());
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            })
        })
        .collect();
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.unwrap());
    }
    answers
}

async fn ten_wrong_answers_at_once_spend_three_attempts(
    gateway: &Gateway,
    database_url: Option<&str>,
) {
    let http = client(gateway, false);
    let mut acme = Acme::new(gateway).await;
    acme.register().await;
    let order = acme.order(MARIE).await;
    let (challenge_url, token) = acme.challenge_of(&order).await;
    acme.post(&challenge_url, Some(&json!({}))).await;
    let code = code_on_handset(gateway, &http, MARIE).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let answers = at_once(
        &acme,
        &challenge_url,
        vec![acme.key_authorization(&token, wrong); 10],
    )
    .await;
    let counted = answers
        .iter()
        .filter(|(_, body)| {
            body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("wrong code"))
        })
        .count();
    assert_eq!(counted, 3, "three attempts were compared: {answers:?}");
    // The others were refused without being compared: no attempts left, or (arriving after
    // the third made it invalid) the challenge is closed.
    for (status, body) in &answers {
        let closed = *status == 400
            && body["type"] == "urn:ietf:params:acme:error:malformed"
            && body["detail"]
                .as_str()
                .is_some_and(|d| d.ends_with("is invalid") || d.contains("is invalid:"));
        let refused =
            *status == 403 && body["type"] == "urn:ietf:params:acme:error:incorrectResponse";
        assert!(closed || refused, "{status} {body}");
    }
    // The number was charged three failures, not ten.
    let failures: i64 = match database_url {
        Some(url) => {
            use sqlx::Connection;
            let mut db = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar("SELECT failures FROM acme_numbers WHERE number = $1")
                .bind(MARIE)
                .fetch_one(&mut db)
                .await
                .unwrap()
        }
        None => {
            use sqlx::Connection;
            let url = format!("sqlite:{}", gateway.data_dir.join("gateway.db").display());
            let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query_scalar("SELECT failures FROM acme_numbers WHERE number = $1")
                .bind(MARIE)
                .fetch_one(&mut db)
                .await
                .unwrap()
        }
    };
    assert_eq!(failures, 3);
    let order_now = acme.post(order.location.as_deref().unwrap(), None).await;
    assert_eq!(order_now.body["status"], "invalid");
}

async fn ready_on_eight_challenges_at_once_sends_five_codes(gateway: &Gateway) {
    let http = client(gateway, false);
    let before = sms_count(&handset(gateway, &http, MARIE).await);
    let mut acme = Acme::new(gateway).await;
    acme.register().await;
    let mut challenges = Vec::new();
    for _ in 0..8 {
        let order = acme.order(MARIE).await;
        challenges.push(acme.challenge_of(&order).await.0);
    }
    let mut bodies = Vec::new();
    for url in &challenges {
        let nonce = acme.fresh_nonce().await;
        bodies.push((url.clone(), acme.body(&nonce, url, Some(&json!({})))));
    }
    let sends: Vec<_> = bodies
        .into_iter()
        .map(|(url, body)| {
            let request = acme
                .http
                .post(url)
                .header("content-type", "application/jose+json")
                .body(body.to_string());
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for send in sends {
        statuses.push(send.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert_eq!(
        sms_count(&handset(gateway, &http, MARIE).await),
        before + 5,
        "five codes an hour for one number"
    );
}

async fn budgets(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), database_url);
    ten_wrong_answers_at_once_spend_three_attempts(&gateway, database_url).await;
    // One code was sent above; the number's hour has four left, and eight readies race.
    let dir2 = tempfile::tempdir().unwrap();
    let database2 = match database_url {
        Some(_) => Some(fresh_postgres().await),
        None => None,
    };
    let fresh = start(&dir2.path().join("gw"), database2.as_deref());
    ready_on_eight_challenges_at_once_sends_five_codes(&fresh).await;
}

#[tokio::test]
async fn sqlite_budgets_hold_under_concurrency() {
    budgets(None).await;
}

#[tokio::test]
async fn postgres_budgets_hold_under_concurrency() {
    let url = fresh_postgres().await;
    budgets(Some(&url)).await;
}

/// Numbers that are nobody's here: their challenges look the same, but no code leaves
/// unless the gateway is told to text any number; and either way one account's codes stop
/// at ten an hour.
#[tokio::test]
async fn codes_go_only_to_served_numbers_and_an_account_sends_ten_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(&dir.path().join("gw"), None);
    let mut acme = Acme::new(&gateway).await;
    acme.register().await;
    let mut statuses = Vec::new();
    for n in 0..11 {
        let number = format!("4477009001{:02}", 50 + n);
        let order = acme.order(&number).await;
        let (challenge_url, _) = acme.challenge_of(&order).await;
        let ready = acme.post(&challenge_url, Some(&json!({}))).await;
        if ready.status == 200 {
            assert_eq!(ready.body["status"], "processing", "the same as for anyone");
        }
        statuses.push(ready.status);
        assert_eq!(texts_to(&gateway, &number).await, 0, "{number}");
    }
    assert_eq!(statuses, [[200; 10].as_slice(), &[429]].concat());

    let dir = tempfile::tempdir().unwrap();
    let anyone = start_with(&dir.path().join("gw"), None, None, &["--sms-to-any-number"]);
    let mut acme = Acme::new(&anyone).await;
    acme.register().await;
    let number = "447700900150";
    let order = acme.order(number).await;
    let (challenge_url, _) = acme.challenge_of(&order).await;
    assert_eq!(
        acme.post(&challenge_url, Some(&json!({}))).await.status,
        200
    );
    assert_eq!(texts_to(&anyone, number).await, 1);
}

/// Messages the gateway sent to `number` (the simulator shows no handset for a number that
/// is nobody's, so its database is read).
async fn texts_to(gateway: &Gateway, number: &str) -> i64 {
    use sqlx::Connection;
    let url = format!("sqlite:{}", gateway.data_dir.join("gateway.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM sim_messages WHERE msisdn = $1")
        .bind(number)
        .fetch_one(&mut db)
        .await
        .unwrap()
}
