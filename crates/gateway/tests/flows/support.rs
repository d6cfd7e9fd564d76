//! The harness: a domain handle over a fresh SQLite store with the demo data, a fixed clock,
//! and the handset simulator as the USSD and SMS network.

#![allow(dead_code)]

use assent_gateway::base::clock::FixedClock;
use assent_gateway::flows::Gateway;
use assent_gateway::rules::catalog::Catalog;
use assent_gateway::store::Store;
use std::sync::Arc;

/// 2026-12-01T00:00:00Z: where every harness's clock starts.
pub const START_MS: i64 = 1_796_083_200_000;

/// Demo subscribers and SPs (`--demo`): Marie is an adult, Tom a minor.
pub const MARIE: &str = "447700900001";
pub const MARIE_ID: &str = "u-demo-marie";
pub const TOM: &str = "447700900002";

pub struct Harness {
    pub gateway: Gateway,
    pub clock: FixedClock,
    pub store: Store,
    /// Holds the data directory (keys, SQLite file) until the test ends.
    pub dir: tempfile::TempDir,
}

impl Harness {
    /// A gateway with the demo data on a new SQLite database.
    pub async fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = assent_gateway::open_store(dir.path(), None, true)
            .await
            .unwrap();
        let clock = FixedClock::at_ms(START_MS);
        let gateway = assent_gateway::app::gateway(
            dir.path(),
            store.clone(),
            "https://gateway.test".to_owned(),
            Catalog::default_demo().unwrap(),
            Arc::new(clock.clone()),
            Vec::new(),
            assent_gateway::app::Network::Simulator,
        )
        .unwrap();
        Harness {
            gateway,
            clock,
            store,
            dir,
        }
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance_s(&self, seconds: i64) {
        self.clock.advance_ms(seconds * 1000);
    }

    pub async fn client(&self, client_id: &str) -> assent_gateway::store::Client {
        self.store.client(client_id).await.unwrap().unwrap()
    }
}

/// Form parameters from pairs.
pub fn params(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn the_harness_builds_a_gateway_on_the_demo_data_at_a_fixed_time() {
    let h = Harness::new().await;
    assert_eq!(h.gateway.now_ms(), START_MS);
    h.advance_s(90);
    assert_eq!(h.gateway.now_ms(), START_MS + 90_000);
    assert_eq!(h.client("demo-sp").await.client_name, "Demo Shop");
    assert!(h.store.user_by_msisdn(MARIE).await.unwrap().is_some());
}

/// The user answers the last prompt their simulated handset received ("1" yes, "2" no),
/// through the simulator's reply flow; whether a waiting request took the answer.
pub async fn answer_last_prompt(h: &Harness, msisdn: &str, approve: bool) -> bool {
    let messages = h.store.sim_messages(msisdn).await.unwrap();
    let id = messages.last().expect("a prompt on the handset").id.clone();
    let reply = if approve { "1" } else { "2" };
    assent_gateway::flows::answers::answer_sim_reply(&h.gateway, msisdn, &id, reply, approve)
        .await
        .unwrap()
        .expect("an open message")
}

/// The audit entries of `kind` about `sp`, oldest first.
pub async fn audit_of(
    h: &Harness,
    kind: assent_audit::EntryKind,
    sp: &str,
) -> Vec<assent_audit::NewEntry> {
    h.store
        .audit_page(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.content)
        .filter(|e| e.kind == kind && e.sp.as_deref() == Some(sp))
        .collect()
}
