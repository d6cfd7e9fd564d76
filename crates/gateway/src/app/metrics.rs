//! Prometheus metrics on a listener of their own (`serve --metrics-listen ADDR`), apart from
//! the public HTTPS port so that they are reachable only where the operator binds them.
//!
//! What happens is recorded where it happens, through the `metrics` facade (requests by the
//! router's layer, messages by [`crate::flows::handset`]'s metered senders, audit appends by
//! the store); queue depths are read when Prometheus scrapes. Nothing is recorded until the
//! recorder is installed, so a gateway without `--metrics-listen` pays nothing.
//!
//! Names (docs/operations.md, "Metrics"): `assent_http_requests_total{route, method,
//! status}`, `assent_http_request_duration_seconds{route}`, `assent_messages_total{channel,
//! outcome}`, `assent_audit_appends_total`, `assent_outbox_depth{outbox}`,
//! `assent_writer_queue_depth`. No label carries a number, a user or a token: routes are the
//! router's templates (`/sim/handsets/{msisdn}`), never the path requested.

use crate::store::Store;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;

/// The latency buckets, in seconds: from a cached PremiumInfo (~1 ms) to the resource
/// deadline (10 s).
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot install the metrics recorder: {0}")]
    Install(String),
    #[error("cannot listen for metrics on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// The SMSC link as metrics, updated as it changes: `assent_smsc_bound` (1 while bound),
/// `assent_smsc_binds_total` (more than one: it reconnected) and
/// `assent_messages_total{channel="smsc", outcome="throttled"}` (submits the SMSC throttled,
/// resubmitted after a pause).
pub fn watch_smsc(client: assent_smpp::Client) {
    let mut link = client.link_changes();
    tokio::spawn(async move {
        let mut seen = assent_smpp::Link::default();
        loop {
            let now = *link.borrow_and_update();
            ::metrics::gauge!("assent_smsc_bound").set(if now.bound { 1.0 } else { 0.0 });
            ::metrics::counter!("assent_smsc_binds_total")
                .increment(now.binds.saturating_sub(seen.binds));
            ::metrics::counter!("assent_messages_total", "channel" => "smsc", "outcome" => "throttled")
                .increment(now.throttled.saturating_sub(seen.throttled));
            seen = now;
            if link.changed().await.is_err() {
                break;
            }
        }
    });
}

/// Installs the recorder and serves `GET /metrics` on `address` (plain HTTP: bind it to
/// loopback or the operator's management network). Returns the address bound.
pub async fn serve(address: SocketAddr, store: Store) -> Result<SocketAddr, MetricsError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("assent_http_request_duration_seconds".into()),
            BUCKETS,
        )
        .map_err(|e| MetricsError::Install(e.to_string()))?
        .install_recorder()
        .map_err(|e| MetricsError::Install(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| MetricsError::Bind { address, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| MetricsError::Bind { address, source })?;
    // The exporter keeps histograms in buckets that must be drained now and then.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || scrape(handle.clone(), store.clone())),
    );
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
    tracing::info!(%bound, "metrics served on http://{bound}/metrics");
    Ok(bound)
}

/// The text exposition format, with the queue depths read now.
async fn scrape(
    handle: PrometheusHandle,
    store: Store,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    let now = crate::base::clock::now_ms();
    match store.outbox_depths(now).await {
        Ok((ciba, ssf)) => {
            metrics::gauge!("assent_outbox_depth", "outbox" => "ciba_notifications")
                .set(ciba as f64);
            metrics::gauge!("assent_outbox_depth", "outbox" => "shared_signals").set(ssf as f64);
        }
        Err(error) => tracing::warn!(%error, "the outbox depths could not be read"),
    }
    if let Store::Sqlite(sqlite) = &store {
        metrics::gauge!("assent_writer_queue_depth").set(sqlite.writer.waiting() as f64);
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
}
