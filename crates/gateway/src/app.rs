//! Wiring: reads the data directory, builds the domain handle and the HTTP state, and
//! serves them (`serve`, `serve_resource`). The top layer: it may use every layer below.

use crate::base::clock::{Clock, SystemClock};
use crate::base::{keys, tls};
use crate::flows::Gateway;
use crate::flows::{acme, authenticator, handset, notify, resource};
use crate::http::{self as server, limits};
use crate::rules::{catalog, encr_msisdn, idtoken};
use crate::{flows::demo, store};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub mod connections;
pub mod metrics;

use connections::ConnectionLimits;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Keys(#[from] keys::KeyError),
    #[error(transparent)]
    IdToken(#[from] idtoken::IdTokenError),
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error("encryption key: {0}")]
    EncryptionKey(#[from] encr_msisdn::JweError),
    #[error(transparent)]
    Notify(#[from] notify::NotifyError),
    #[error(transparent)]
    AcmeCa(#[from] acme::ca::AcmeCaError),
    #[error(transparent)]
    Metrics(#[from] metrics::MetricsError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Server(std::io::Error),
    #[error("issuer {issuer:?} is not usable: {reason}")]
    Issuer { issuer: String, reason: String },
    #[error(
        "the handset simulator (--demo, --simulator) listens on loopback only, not on {address}: \
         it shows every code and prompt to whoever asks"
    )]
    NotLoopback { address: SocketAddr },
}

/// `assent-gateway serve` options.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub database_url: Option<String>,
    pub demo: bool,
    /// The handset simulator as the USSD and SMS network (`--demo` implies it).
    pub simulator: bool,
    /// The operator's SMSC as the USSD and SMS network, over SMPP; it replaces the simulator
    /// that `--demo` implies.
    pub sms_transport: Option<assent_smpp::Endpoint>,
    /// The service catalog file; the shipped defaults without one.
    pub catalog: Option<PathBuf>,
    /// Rate limits of the token, CIBA and ACME endpoints (per process).
    pub rate_limits: limits::RateLimitConfig,
    /// The issuer identifier clients use (`https://HOST[:PORT][/PATH]`), when it is not this
    /// process's own address: several instances behind one address must name the same
    /// issuer, or an ID token, a client assertion or a DPoP proof made for one is refused by
    /// the others (MC_RES_07).
    pub issuer: Option<String>,
    /// How long certificates (and so devices) and ACME orders live.
    pub lifetimes: crate::flows::Lifetimes,
    /// ACME codes may go to numbers that are no subscriber's.
    pub sms_to_any_number: bool,
    /// The USSD service code subscribers dial for the self-care menu.
    pub ussd_self_care_code: String,
    /// The longest a resource server request may take.
    pub resource_deadline: std::time::Duration,
    /// Timeouts and the cap of the connections it serves.
    pub connections: ConnectionLimits,
    /// How often a signed checkpoint of the audit trail's head is written (when it moved).
    pub audit_checkpoint_interval: std::time::Duration,
    /// How often consents' reminders and ends are swept (`flows::expiry`).
    pub consent_sweep_interval: std::time::Duration,
    /// Where Prometheus scrapes `/metrics` (plain HTTP); none without it.
    pub metrics_listen: Option<SocketAddr>,
}

/// Checks an issuer identifier (OpenID Connect Discovery 1.0 §3: https, no query, no
/// fragment) and takes it without a trailing slash, since endpoint URLs are appended to it.
pub fn check_issuer(issuer: &str) -> Result<String, GatewayError> {
    let bad = |reason: &str| GatewayError::Issuer {
        issuer: issuer.to_owned(),
        reason: reason.to_owned(),
    };
    let url = reqwest::Url::parse(issuer).map_err(|e| bad(&e.to_string()))?;
    if url.scheme() != "https" {
        return Err(bad("it must be an https URL"));
    }
    if url.host_str().is_none() {
        return Err(bad("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad(
            "it may not carry a query, a fragment or user information",
        ));
    }
    Ok(issuer.trim_end_matches('/').to_owned())
}

/// Creates the data directory (owner only) if needed.
pub fn prepare_data_dir(dir: &Path) -> Result<(), GatewayError> {
    let err = |source| GatewayError::DataDir {
        path: dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(err)?;
    }
    Ok(())
}

/// Opens the store of a data directory (and seeds the demo data when asked).
pub async fn open_store(
    data_dir: &Path,
    database_url: Option<&str>,
    demo: bool,
) -> Result<store::Store, GatewayError> {
    prepare_data_dir(data_dir)?;
    let store = store::Store::open(database_url, data_dir).await?;
    if demo {
        demo::seed(&store).await?;
    }
    Ok(store)
}

/// Runs the gateway until SIGINT or SIGTERM. Prints one line
/// `assent-gateway listening on https://HOST:PORT` on stdout when ready.
pub async fn serve(options: ServeOptions) -> Result<(), GatewayError> {
    // Several crates link rustls crypto back ends; say which one this process uses.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let simulator = (options.simulator || options.demo) && options.sms_transport.is_none();
    // The simulator shows every code and prompt to whoever asks, and the demo SPs' secrets
    // are public: neither may be reachable from another machine.
    if (options.simulator || options.demo) && !options.listen.ip().is_loopback() {
        return Err(GatewayError::NotLoopback {
            address: options.listen,
        });
    }
    let issuer = options.issuer.as_deref().map(check_issuer).transpose()?;
    prepare_data_dir(&options.data_dir)?;
    let identity = tls::load_or_create(&options.data_dir)?;
    let catalog = match &options.catalog {
        Some(path) => catalog::Catalog::load(path)?,
        None => catalog::Catalog::default_demo()?,
    };
    // Notifications reach SPs with public certificates, and QA's local SPs with
    // certificates of this gateway's CA.
    let own_ca = reqwest::Certificate::from_pem(identity.ca_pem.as_bytes())
        .map_err(notify::NotifyError::Client)?;
    let store = open_store(
        &options.data_dir,
        options.database_url.as_deref(),
        options.demo,
    )
    .await?;
    if !options.demo {
        // Data a demo run left: its SPs' secrets are public, so they go.
        let removed = demo::remove_clients(&store).await?;
        if removed > 0 {
            tracing::warn!(
                removed,
                "the demo SPs were removed (this start is not --demo)"
            );
        }
    }
    tracing::info!(
        backend = store.backend(),
        demo = options.demo,
        simulator,
        "store ready"
    );
    if let Some(address) = options.metrics_listen {
        metrics::serve(address, store.clone()).await?;
    }

    let (listener, address) = bind(options.listen)?;
    let smsc = options
        .sms_transport
        .clone()
        .map(assent_smpp::Client::start);
    let network = match &smsc {
        Some((client, _)) => Network::Smsc(client.clone()),
        None if simulator => Network::Simulator,
        None => Network::None,
    };
    let mut gateway = gateway(
        &options.data_dir,
        store,
        issuer.unwrap_or_else(|| format!("https://{address}")),
        catalog,
        std::sync::Arc::new(SystemClock),
        vec![own_ca],
        network,
    )?;
    gateway.lifetimes = options.lifetimes;
    gateway.sms_to_any_number = options.sms_to_any_number;
    gateway.ussd_self_care_code = options.ussd_self_care_code;
    let state = server::AppState {
        gateway,
        simulator,
        limits: std::sync::Arc::new(limits::RateLimits::new(options.rate_limits)),
        resource_deadline: options.resource_deadline,
    };
    if let Some((client, inbound)) = smsc {
        metrics::watch_smsc(client.clone());
        tokio::spawn(crate::flows::smsc::serve_inbound(
            state.gateway.clone(),
            client,
            inbound,
        ));
    }
    notify::spawn(state.gateway.clone());
    crate::flows::ssf::spawn(state.gateway.clone());
    spawn_refusal_summaries(state.gateway.resource_server());
    spawn_consent_sweeps(state.gateway.clone(), options.consent_sweep_interval);
    limits::spawn_cleanup(state.limits.clone());
    spawn_audit_checkpoints(
        state.gateway.clone(),
        crate::base::checkpoints::CheckpointFile::in_dir(&options.data_dir),
        options.audit_checkpoint_interval,
    );
    let app = server::router(state);
    run_https(
        listener,
        &identity,
        app,
        &options.connections,
        &format!("assent-gateway listening on https://{address}"),
    )
    .await
}

/// The domain handle an operator command works through when it acts as the gateway would
/// (customer care ending a consent: receipts signed, SPs told): the data directory's keys,
/// the store, the catalog `serve` uses, the system clock, and no USSD or SMS network (what
/// the serving gateway sends, it sends). `issuer` must be `serve`'s: receipts name it.
pub async fn operator_gateway(
    data_dir: &Path,
    database_url: Option<&str>,
    issuer: String,
    catalog: Option<&Path>,
) -> Result<Gateway, GatewayError> {
    let store = crate::open_store(data_dir, database_url, false).await?;
    let catalog = match catalog {
        Some(path) => catalog::Catalog::load(path)?,
        None => catalog::Catalog::default_demo()?,
    };
    gateway(
        data_dir,
        store,
        issuer,
        catalog,
        std::sync::Arc::new(crate::base::clock::SystemClock),
        Vec::new(),
        Network::None,
    )
}

/// How the gateway reaches handsets by USSD and SMS.
#[derive(Debug, Clone)]
pub enum Network {
    /// The handset simulator (QA): messages land in the database for QA to read. Chosen
    /// explicitly (`--simulator`, implied by `--demo`), loopback only.
    Simulator,
    /// The operator's SMSC over SMPP (`--sms-transport`).
    Smsc(assent_smpp::Client),
    /// None: the app is the only authenticator, and no ACME code can be sent. Nothing stores
    /// a code or a prompt in clear for a simulated handset.
    None,
}

/// The domain handle over a data directory's keys (made on first use) and an open store:
/// the app, and with a USSD and SMS `network` USSD and SMS, as authenticators; the ACME CA;
/// ping/push delivery trusting `notify_roots` besides the platform's roots. `serve` builds
/// one with the system clock; tests build one with a fixed clock.
pub fn gateway(
    data_dir: &Path,
    store: store::Store,
    issuer: String,
    catalog: catalog::Catalog,
    clock: std::sync::Arc<dyn Clock>,
    notify_roots: Vec<reqwest::Certificate>,
    network: Network,
) -> Result<Gateway, GatewayError> {
    let keys = keys::SigningKeys::load_or_create(data_dir)?;
    let encryption = encr_msisdn::EncryptionKey::load_or_create(
        &data_dir.join("keys").join("encryption-p256.pem"),
    )?;
    let pcr = idtoken::PcrSecret::load_or_create(data_dir)?;
    let app: std::sync::Arc<dyn authenticator::Authenticator> =
        std::sync::Arc::new(authenticator::App {
            store: store.clone(),
            clock: clock.clone(),
        });
    // The app first, then USSD, then SMS (a user's own order picks among them).
    fn chain<N: handset::Network + 'static>(
        app: std::sync::Arc<dyn authenticator::Authenticator>,
        network: N,
    ) -> (
        authenticator::Chain,
        Option<std::sync::Arc<dyn handset::SmsSender>>,
    ) {
        let handsets = std::sync::Arc::new(handset::Metered(network));
        let sms: std::sync::Arc<dyn handset::SmsSender> = handsets.clone();
        let chain = authenticator::Chain::new(vec![
            app,
            std::sync::Arc::new(authenticator::Ussd(handsets.clone())),
            std::sync::Arc::new(authenticator::Sms(handsets)),
        ]);
        (chain, Some(sms))
    }
    let (authenticators, sms) = match network {
        Network::Simulator => chain(
            app,
            handset::Simulator {
                store: store.clone(),
                clock: clock.clone(),
            },
        ),
        Network::Smsc(client) => chain(
            app,
            crate::flows::smsc::Smsc {
                store: store.clone(),
                clock: clock.clone(),
                client,
            },
        ),
        Network::None => (authenticator::Chain::new(vec![app]), None),
    };
    let acme_ca = acme::AcmeCa::load_or_create(data_dir)?;
    let deliveries = notify::Deliveries::new(notify_roots)?;
    Ok(Gateway {
        store,
        clock,
        keys,
        encryption: std::sync::Arc::new(encryption),
        dpop_nonces: crate::rules::dpop::NonceKey::new(pcr.derive("dpop-nonce")),
        pcr,
        issuer,
        catalog: std::sync::Arc::new(catalog),
        authenticators,
        sms,
        acme_ca: std::sync::Arc::new(acme_ca),
        signals: crate::flows::ssf::Signals::new(deliveries.http()),
        deliveries,
        lifetimes: crate::flows::Lifetimes::default(),
        sms_to_any_number: false,
        ussd_self_care_code: crate::flows::self_care::DEFAULT_CODE.to_owned(),
        refusals: std::sync::Arc::default(),
        reads: std::sync::Arc::default(),
    })
}

/// `assent-gateway resource-server` options: the resource server in its own process, on
/// the gateway's database, validating tokens at the gateway's introspection endpoint.
#[derive(Debug, Clone)]
pub struct ResourceServerOptions {
    /// The gateway's data directory (its keys; its database unless `database_url`).
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub database_url: Option<String>,
    pub catalog: Option<PathBuf>,
    /// The gateway's introspection endpoint.
    pub introspection_url: String,
    /// The CA that signs the gateway's certificate (default `DATA_DIR/ca.pem`).
    pub gateway_ca: Option<PathBuf>,
    pub client_id: String,
    pub client_secret: String,
    /// Refused requests per SP and per peer address.
    pub refused_limit: Option<limits::Rate>,
    /// The longest a request may take.
    pub deadline: std::time::Duration,
    /// Timeouts and the cap of the connections it serves (the gateway's protections).
    pub connections: ConnectionLimits,
}

/// Runs a stand-alone resource server until SIGINT or SIGTERM. Prints one line
/// `assent-gateway resource server listening on https://HOST:PORT` when ready.
///
/// It builds only what it serves: the TLS identity, the key ENCR_MSISDN `User-ID`s are
/// decrypted with, the PCR secret, the catalog, the store and the introspection client. No
/// authenticators, no handset simulator, no ACME CA, no ID token signing keys.
pub async fn serve_resource(options: ResourceServerOptions) -> Result<(), GatewayError> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let identity = tls::load_or_create(&options.data_dir)?;
    let encryption = encr_msisdn::EncryptionKey::load_or_create(
        &options.data_dir.join("keys").join("encryption-p256.pem"),
    )?;
    let pcr = idtoken::PcrSecret::load_or_create(&options.data_dir)?;
    let catalog = match &options.catalog {
        Some(path) => catalog::Catalog::load(path)?,
        None => catalog::Catalog::default_demo()?,
    };
    let store = open_store(&options.data_dir, options.database_url.as_deref(), false).await?;
    let ca_pem = match &options.gateway_ca {
        Some(path) => std::fs::read(path).map_err(|source| GatewayError::DataDir {
            path: path.display().to_string(),
            source,
        })?,
        None => identity.ca_pem.clone().into_bytes(),
    };
    let ca = reqwest::Certificate::from_pem(&ca_pem).map_err(notify::NotifyError::Client)?;
    let http = reqwest::Client::builder()
        .tls_certs_merge([ca])
        .tls_version_min(reqwest::tls::Version::TLS_1_3)
        .tcp_nodelay(true)
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .map_err(notify::NotifyError::Client)?;
    let introspector = resource::Introspector {
        http,
        url: options.introspection_url.clone(),
        client_id: options.client_id.clone(),
        client_secret: options.client_secret.clone(),
    };
    let (listener, address) = bind(options.listen)?;
    let state = resource::ResourceServer {
        store,
        catalog: std::sync::Arc::new(catalog),
        encryption: std::sync::Arc::new(encryption),
        pcr,
        tokens: resource::TokenValidation::Introspection(std::sync::Arc::new(introspector)),
        clock: std::sync::Arc::new(SystemClock),
        refusals: std::sync::Arc::default(),
        reads: std::sync::Arc::default(),
    };
    spawn_refusal_summaries(state.clone());
    let limits = std::sync::Arc::new(limits::RateLimits::new(limits::RateLimitConfig {
        resource_refused: options.refused_limit,
        ..limits::RateLimitConfig::default()
    }));
    limits::spawn_cleanup(limits.clone());
    let state = server::resource::ResourceState {
        server: state,
        edge: server::resource::ResourceEdge {
            limits,
            deadline: options.deadline,
        },
    };
    let app = server::with_fallbacks(server::resource::routes().into()).with_state(state);
    run_https(
        listener,
        &identity,
        app,
        &options.connections,
        &format!("assent-gateway resource server listening on https://{address}"),
    )
    .await
}

/// Writes, once a minute, the summaries of refused resource requests that were counted
/// but not listed one by one.
/// Writes a signed checkpoint of the audit trail's head at start and then every `every`,
/// whenever the head moved (`flows::admin::write_checkpoint`). A trail that no longer reaches
/// its latest checkpoint is reported at every turn and gets no new one.
fn spawn_audit_checkpoints(
    gateway: crate::flows::Gateway,
    file: crate::base::checkpoints::CheckpointFile,
    every: std::time::Duration,
) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let written = crate::flows::admin::write_checkpoint(
                &gateway.store,
                &gateway.keys,
                &gateway.issuer,
                &file,
                gateway.now_ms(),
            )
            .await;
            match written {
                Ok(Some(head)) => tracing::debug!(seq = head.seq, "audit checkpoint written"),
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "audit checkpoint"),
            }
        }
    });
}

/// Every `every` (a minute by default): reminders a week before a consent ends, and the
/// record of its end (`flows::expiry`).
fn spawn_consent_sweeps(gateway: crate::flows::Gateway, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match crate::flows::expiry::sweep(&gateway).await {
                Ok(swept) if swept != crate::flows::expiry::Swept::default() => {
                    tracing::info!(?swept, "consent lifetimes swept");
                }
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "consent lifetimes could not be swept"),
            }
            if let Err(error) = gateway.store.purge_ussd_sessions(gateway.now_ms()).await {
                tracing::error!(%error, "ended USSD sessions could not be purged");
            }
            match crate::flows::notices::sweep(&gateway).await {
                Ok(told) if told != crate::flows::notices::Told::default() => {
                    tracing::info!(?told, "access notices swept");
                }
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "access notices could not be swept"),
            }
        }
    });
}

fn spawn_refusal_summaries(rs: resource::ResourceServer) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(error) = resource::flush_refusal_summaries(&rs).await {
                tracing::error!(%error, "refusal summaries could not be written");
            }
        }
    });
}

fn bind(address: SocketAddr) -> Result<(std::net::TcpListener, SocketAddr), GatewayError> {
    let listener = std::net::TcpListener::bind(address)
        .map_err(|source| GatewayError::Listen { address, source })?;
    listener
        .set_nonblocking(true)
        .map_err(GatewayError::Server)?;
    let bound = listener.local_addr().map_err(GatewayError::Server)?;
    Ok((listener, bound))
}

/// Serves `app` over TLS 1.3 on `listener` within `limits` (`connections.rs`), announcing
/// `ready` on stdout first.
async fn run_https(
    listener: std::net::TcpListener,
    identity: &tls::ServerIdentity,
    app: axum::Router,
    limits: &ConnectionLimits,
    ready: &str,
) -> Result<(), GatewayError> {
    let config = axum_server::tls_rustls::RustlsConfig::from_config(tls::server_config(identity)?);
    // The handshake has the header-read timeout too (axum-server's default of 10 s is not
    // the flag's value).
    let tls = axum_server::tls_rustls::RustlsAcceptor::new(config)
        .handshake_timeout(limits.header_read_timeout);
    let listener = connections::CappedListener::new(listener, limits.max_connections)
        .map_err(GatewayError::Server)?;
    let handle = axum_server::Handle::new();
    let mut server = axum_server::Server::from_listener(listener)
        .acceptor(connections::Watch::new(tls, limits))
        .handle(handle.clone());
    // hyper's HTTP/1.1 header-read timeout runs only with a timer. It starts when hyper
    // begins to read a request's head, and again as soon as a kept-alive connection goes
    // idle: so it also bounds the wait for the next request's headers (and with it how
    // long an idle HTTP/1.1 connection stays open).
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::spawn(shutdown_on_signal(handle));
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{ready}");
        let _ = stdout.flush();
    }
    server
        // The peer's address is what the per-IP ACME limit is keyed on.
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
        .map_err(GatewayError::Server)
}

async fn shutdown_on_signal(handle: axum_server::Handle<connections::Peer>) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
    handle.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
}

#[cfg(test)]
mod tests {
    use super::check_issuer;

    #[test]
    fn an_issuer_is_an_https_url_without_query_or_fragment() {
        assert_eq!(
            check_issuer("https://assent.example/").unwrap(),
            "https://assent.example"
        );
        assert_eq!(
            check_issuer("https://127.0.0.1:8443").unwrap(),
            "https://127.0.0.1:8443"
        );
        for bad in [
            "http://assent.example",
            "assent.example",
            "https://assent.example/?a=1",
            "https://assent.example/#f",
            "https://user@assent.example",
        ] {
            assert!(check_issuer(bad).is_err(), "{bad}");
        }
    }
}
