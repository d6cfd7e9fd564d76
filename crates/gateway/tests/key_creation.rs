//! Two instances started at once on a new data directory make their keys once: the one that
//! loses the race reads the winner's (docs/gateway.md, "Scale-out and crash safety"). Each
//! instance has its own database here, so that only the key files are shared.

// Test helpers may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use serde_json::Value;

/// Rounds of the race: each starts two processes at once on a fresh directory.
const ROUNDS: usize = 6;

#[tokio::test]
async fn two_instances_starting_at_once_share_one_set_of_keys() {
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("gw");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let starts: Vec<_> = (0..2)
            .map(|i| {
                let (data_dir, barrier) = (data_dir.clone(), barrier.clone());
                let db = format!(
                    "sqlite:{}",
                    dir.path().join(format!("db-{i}.sqlite")).display()
                );
                std::thread::spawn(move || {
                    barrier.wait();
                    common::start(&data_dir, Some(&db))
                })
            })
            .collect();
        let gateways: Vec<common::Gateway> =
            starts.into_iter().map(|s| s.join().unwrap()).collect();
        // The client trusts only the CA on disk: each instance's server certificate must
        // chain to it, so each holds that CA's key.
        let http = common::client(&gateways[0], false);
        let mut sets = Vec::new();
        for gateway in &gateways {
            let jwks: Value = http
                .get(format!("{}/jwks", gateway.url))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(
                jwks["keys"].as_array().is_some_and(|k| !k.is_empty()),
                "{jwks}"
            );
            sets.push(jwks);
        }
        assert_eq!(sets[0], sets[1], "round {round}: two key sets");
        // No temporary file is left behind.
        for folder in [data_dir.clone(), data_dir.join("keys")] {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let name = entry.unwrap().file_name();
                assert!(!name.to_string_lossy().ends_with(".tmp"), "{name:?} left");
            }
        }
    }
}
