//! `--demo`: the exact demo data of the gateway issue, seeded idempotently at every start.

use crate::base::secrets::hash_secret;
use crate::store::{Client, Store, StoreError, User};
use time::{Date, OffsetDateTime};

/// The redirect URI registered for demo-sp's authorization code flow (port 9: discard).
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

fn user(id: &str, msisdn: &str) -> User {
    User {
        id: id.into(),
        msisdn: msisdn.into(),
        ..User::default()
    }
}

/// Today minus `years`, on the same month and day (28 Feb for 29 Feb in a common year).
fn years_before(today: Date, years: i32) -> Date {
    let year = today.year() - years;
    Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| Date::from_calendar_date(year, today.month(), 28))
        .unwrap_or(today)
}

pub fn users(today: Date) -> Vec<User> {
    vec![
        User {
            given_name: Some("Marie".into()),
            family_name: Some("Curie".into()),
            birthdate: Some("1967-11-07".into()),
            email: Some("marie.curie@example.org".into()),
            street_address: Some("1 Rue Pierre".into()),
            postal_code: Some("75005".into()),
            locality: Some("Paris".into()),
            country: Some("FR".into()),
            sim_change: Some("2026-01-30T18:39:50Z".into()),
            ..user("u-demo-marie", "447700900001")
        },
        User {
            given_name: Some("Tom".into()),
            family_name: Some("Young".into()),
            birthdate: Some(years_before(today, 15).to_string()),
            ..user("u-demo-tom", "447700900002")
        },
        User {
            given_name: Some("Ana".into()),
            ..user("u-demo-ana", "447700900003")
        },
    ]
}

fn client(id: &str, name: &str, grants: &str, scopes: &str, policy: &str, ttl: i64) -> Client {
    Client {
        client_id: id.into(),
        secret_hash: hash_secret(&format!("{id}-secret")),
        client_name: name.into(),
        grant_types: grants.split_whitespace().map(str::to_owned).collect(),
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        redirect_uris: Vec::new(),
        delivery_modes: vec!["poll".into()],
        token_policy: policy.into(),
        token_ttl_seconds: ttl,
        blacklisted: false,
        notification_endpoint: None,
        jwks: None,
        resource_server: false,
    }
}

pub fn clients() -> Vec<Client> {
    const CIBA: &str = "urn:openid:params:grant-type:ciba";
    let demo_scopes = "openid mc_vm_share mc_vm_match mc_identity_signup mc_kyc_match";
    let demo = Client {
        redirect_uris: vec![DEMO_REDIRECT_URI.into()],
        ..client(
            "demo-sp",
            "Demo Shop",
            &format!("{CIBA} authorization_code refresh_token"),
            demo_scopes,
            "long_lived",
            3600,
        )
    };
    let blocked = Client {
        client_id: "blocked-sp".into(),
        secret_hash: hash_secret("blocked-sp-secret"),
        client_name: "Shady Ads".into(),
        blacklisted: true,
        ..demo.clone()
    };
    vec![
        demo,
        client(
            "once-sp",
            "Once Bank",
            CIBA,
            "openid mc_vm_share mc_identity_signup",
            "one_time",
            3600,
        ),
        Client {
            delivery_modes: Vec::new(),
            ..client(
                "atp-sp",
                "ATP Guard",
                "client_credentials",
                "mc_atp",
                "generic",
                300,
            )
        },
        blocked,
    ]
}

/// Seeds (or re-seeds) the demo users and SPs.
pub async fn seed(store: &Store) -> Result<(), StoreError> {
    let today = OffsetDateTime::now_utc().date();
    for u in users(today) {
        store.upsert_user(&u).await?;
    }
    for c in clients() {
        store.upsert_client(&c).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn tom_is_fifteen_today_even_on_a_leap_day() {
        assert_eq!(
            years_before(date!(2026 - 11 - 21), 15),
            date!(2011 - 11 - 21)
        );
        assert_eq!(
            years_before(date!(2028 - 02 - 29), 15),
            date!(2013 - 02 - 28)
        );
    }

    #[test]
    fn demo_secrets_verify() {
        for c in clients() {
            assert!(crate::base::secrets::verify_secret(
                &c.secret_hash,
                &format!("{}-secret", c.client_id)
            ));
        }
    }
}
