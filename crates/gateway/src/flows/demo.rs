//! `--demo`: the exact demo data of the gateway issue, seeded idempotently at every start.

pub use crate::base::demo::users;
use crate::base::secrets::hash_secret;
use crate::store::{Client, Store, StoreError};
use time::OffsetDateTime;

/// The redirect URI registered for demo-sp's authorization code flow (port 9: discard).
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// Demo Shop's Shared Signals push endpoint (RFC 8935): where its stream may push, for a
/// receiver QA runs on loopback with a certificate of the gateway's CA.
pub const DEMO_SSF_PUSH_ENDPOINT: &str = "https://127.0.0.1:9447/ssf/events";

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
        grant_management: false,
        require_par: false,
        ssf: false,
        ssf_push_endpoints: Vec::new(),
        dpop_bound: false,
    }
}

pub fn clients() -> Vec<Client> {
    const CIBA: &str = "urn:openid:params:grant-type:ciba";
    let demo_scopes = "openid mc_vm_share mc_vm_match mc_identity_signup mc_kyc_match";
    let demo = Client {
        redirect_uris: vec![DEMO_REDIRECT_URI.into()],
        // Queries and revokes its users' grants (Grant Management for OAuth 2.0), and is told
        // when they end (Shared Signals: by poll, or by push to its loopback endpoint).
        grant_management: true,
        ssf: true,
        ssf_push_endpoints: vec![DEMO_SSF_PUSH_ENDPOINT.into()],
        ..client(
            "demo-sp",
            "Demo Shop",
            &format!("{CIBA} authorization_code refresh_token"),
            demo_scopes,
            "long_lived",
            3600,
        )
    };
    // Starts its authorization requests through /par only (RFC 9126 §6).
    let pushing = Client {
        client_id: "par-sp".into(),
        secret_hash: hash_secret("par-sp-secret"),
        client_name: "PAR Shop".into(),
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        grant_management: false,
        require_par: true,
        // Its access tokens are bound to the key of its DPoP proofs (RFC 9449 §5.2).
        dpop_bound: true,
        ssf: false,
        ssf_push_endpoints: Vec::new(),
        ..demo.clone()
    };
    let blocked = Client {
        client_id: "blocked-sp".into(),
        secret_hash: hash_secret("blocked-sp-secret"),
        client_name: "Shady Ads".into(),
        blacklisted: true,
        ssf: false,
        ssf_push_endpoints: Vec::new(),
        ..demo.clone()
    };
    vec![
        demo,
        pushing,
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

/// Removes the demo SPs from data a `--demo` run left, those whose secret is still the
/// public demo secret (an SP an operator registered again under the same id with a secret
/// of its own stays); how many were removed.
pub async fn remove_clients(store: &Store) -> Result<u64, StoreError> {
    let mut removed = 0;
    for demo in clients() {
        let public_secret = format!("{}-secret", demo.client_id);
        let still_demo = store
            .client(&demo.client_id)
            .await?
            .is_some_and(|c| crate::base::secrets::verify_secret(&c.secret_hash, &public_secret));
        if still_demo {
            removed += u64::from(store.delete_client(&demo.client_id).await?);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

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
