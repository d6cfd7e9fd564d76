//! `assent-gateway`: the identity gateway QA runs locally, and its operator commands.

use assent_gateway::app::connections::{self, ConnectionLimits};
use assent_gateway::flows::{admin, care, subscribers};
use assent_gateway::{GatewayError, ServeOptions};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "assent-gateway",
    version,
    about = "Mobile Connect identity gateway (QA build)"
)]
#[command(args_override_self = true)]
struct Cli {
    /// How log lines are written to standard error: text, or json (one object per line).
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
struct Storage {
    /// Data directory: SQLite database, keys, TLS material (created on first run).
    #[arg(long)]
    data_dir: PathBuf,
    /// postgres://… to use PostgreSQL instead of the SQLite database in the data directory.
    #[arg(long)]
    database_url: Option<String>,
}

/// How long a connection may be slow or idle, and how many are served at once
/// (docs/gateway.md, "Connections"). Defaults: `ConnectionLimits::default()`, which a test
/// checks against these.
#[derive(Debug, Args)]
struct Connections {
    /// Close a connection whose TLS handshake, or whose request headers, are not all in
    /// this long after it opened (or, on HTTP/1.1, after its previous response): e.g. 500ms,
    /// 5s; at most 10s.
    #[arg(long, default_value = "10s", value_parser = connections::parse_header_read_timeout)]
    header_read_timeout: Duration,
    /// Close a connection this long after its last response when no request is in flight.
    #[arg(long, default_value = "60s", value_parser = connections::parse_duration)]
    idle_timeout: Duration,
    /// Connections served at once; beyond them, new ones wait in the listen backlog.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
}

impl Connections {
    fn limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: self.header_read_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections as usize,
        }
    }
}

// `Serve` carries every flag of the server; there is one `Command` per process.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the gateway over HTTPS (TLS 1.3).
    Serve {
        /// A TOML file with any of these flags as keys (`listen = "0.0.0.0:8443"`,
        /// `demo = true`); a flag given on the command line wins (docs/operations.md).
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(flatten)]
        storage: Storage,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// Seed the demo users and SPs and use the handset simulator (loopback only).
        #[arg(long)]
        demo: bool,
        /// Use the handset simulator as the USSD and SMS network (loopback only; implied by
        /// --demo). Without it the app is the only authenticator.
        #[arg(long)]
        simulator: bool,
        /// The operator's SMSC as the USSD and SMS network, over SMPP 3.4:
        /// smpp://SYSTEM_ID:PASSWORD@HOST:PORT[?source=SENDER&window=N&enquire_link=SECONDS].
        /// It replaces the simulator that --demo implies.
        #[arg(long, value_name = "URL", conflicts_with = "simulator")]
        sms_transport: Option<assent_smpp::Endpoint>,
        /// The service catalog (JSON); the shipped defaults without one.
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// The issuer URL clients use, when several instances serve behind one address
        /// (default: https://<listen address>).
        #[arg(long)]
        issuer: Option<String>,
        /// POST /token per client: N/s, N/min or N/h (a burst of N), or off.
        // `::std::option::Option`: clap would otherwise make the flag optional instead of
        // taking `off` as no limit.
        #[arg(long, default_value = "600/min", value_parser = assent_gateway::http::limits::parse_limit)]
        rate_limit_token: ::std::option::Option<assent_gateway::http::limits::Rate>,
        /// POST /bc-authorize per client: N/s, N/min or N/h, or off.
        #[arg(long, default_value = "120/min", value_parser = assent_gateway::http::limits::parse_limit)]
        rate_limit_ciba: ::std::option::Option<assent_gateway::http::limits::Rate>,
        /// ACME new-account per IP, new-order and challenge POSTs per account (each its own
        /// bucket): N/s, N/min or N/h, or off.
        #[arg(long, default_value = "60/min", value_parser = assent_gateway::http::limits::parse_limit)]
        rate_limit_acme: ::std::option::Option<assent_gateway::http::limits::Rate>,
        /// GET /authorize prompts per target person (against prompt bombing): N/s, N/min or
        /// N/h, or off. Over it the request reaches nobody and ends as one nobody answered.
        #[arg(long, default_value = "10/h", value_parser = assent_gateway::http::limits::parse_limit)]
        rate_limit_authorize: ::std::option::Option<assent_gateway::http::limits::Rate>,
        /// GET /authorize per peer address: N/s, N/min or N/h, or off.
        #[arg(long, default_value = "120/min", value_parser = assent_gateway::http::limits::parse_limit)]
        rate_limit_authorize_address: ::std::option::Option<assent_gateway::http::limits::Rate>,
        /// How long an ACME certificate lives, and with it the app on the device holding its
        /// key (then the number is proven again): e.g. 90s, 15m, 30d; at most 30d.
        #[arg(long, default_value = "30d", value_parser = certificate_lifetime)]
        certificate_lifetime: i64,
        /// How long an ACME order lives: the time to finish the SMS proof (e.g. 6s, 1h).
        #[arg(long, default_value = "1h", value_parser = order_lifetime)]
        order_lifetime: i64,
        /// The USSD service code subscribers dial for the self-care menu (their consents,
        /// the latest accesses to their data, reporting an SP).
        #[arg(long, default_value = "*123#")]
        ussd_self_care_code: String,
        /// Send ACME codes to any number, not only to this gateway's subscribers (by default
        /// a code for anyone else's number is never sent: no SMS pumping, no texting
        /// strangers).
        #[arg(long)]
        sms_to_any_number: bool,
        /// After a SIM change recorded for a number (admin users sim-change), no proof of the
        /// number completes for this long: e.g. 24h, 3s; at most 30d.
        #[arg(long, default_value = "24h", value_parser = sim_swap_hold)]
        sim_swap_hold: i64,
        /// How long refused device registration attempts are kept (then purged): e.g. 90d.
        #[arg(long, default_value = "90d", value_parser = retention)]
        registration_attempts_retention: i64,
        /// POST /device/register per peer address: N/s, N/min or N/h, or off.
        #[arg(long, default_value = "30/min", value_parser = assent_gateway::http::limits::parse_limit)]
        rate_limit_device_register: ::std::option::Option<assent_gateway::http::limits::Rate>,
        /// Refused resource requests per SP and per peer address (then 429): N/s, N/min or
        /// N/h, or off.
        #[arg(long, default_value = "60/min", value_parser = assent_gateway::http::limits::parse_limit)]
        rate_limit_resource_refused: ::std::option::Option<assent_gateway::http::limits::Rate>,
        /// Failed client authentications (token, CIBA, introspection, revocation) per peer
        /// address; over it, that address is refused until the window closes: N/s, N/min or
        /// N/h, or off.
        #[arg(long, default_value = "60/min", value_parser = assent_gateway::http::limits::parse_limit)]
        rate_limit_client_auth_failures: ::std::option::Option<assent_gateway::http::limits::Rate>,
        /// How often a signed checkpoint of the audit trail's head is appended to
        /// DATA_DIR/audit-checkpoints.jws (when the head moved; also at start): e.g. 10m.
        #[arg(long, default_value = "10m", value_parser = checkpoint_interval)]
        audit_checkpoint_interval: std::time::Duration,
        /// How often consents are swept: a reminder a week before one ends (in the app, or by
        /// SMS), and its end recorded (tokens stop at the end whatever this says): e.g. 1m.
        #[arg(long, default_value = "1m", value_parser = checkpoint_interval)]
        consent_sweep_interval: std::time::Duration,
        /// The longest a resource request may take (then Annex A's timeout row, 500).
        #[arg(long, default_value = "10s", value_parser = deadline)]
        resource_deadline: std::time::Duration,
        /// Serve Prometheus metrics at http://ADDR/metrics (plain HTTP: bind it to loopback
        /// or a management network), e.g. 127.0.0.1:9464.
        #[arg(long)]
        metrics_listen: Option<SocketAddr>,
        #[command(flatten)]
        connections: Connections,
    },
    /// Runs the resource server alone (premiuminfo, userinfo), on the gateway's database and
    /// keys, validating tokens at the gateway's introspection endpoint (MC_RES_05).
    ResourceServer {
        #[command(flatten)]
        storage: Storage,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8444")]
        listen: SocketAddr,
        /// The service catalog (JSON); the shipped defaults without one.
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// The gateway's introspection endpoint, e.g. https://127.0.0.1:8443/introspect.
        #[arg(long)]
        introspection_url: String,
        /// The CA of the gateway's certificate (default: DATA_DIR/ca.pem).
        #[arg(long)]
        gateway_ca: Option<PathBuf>,
        /// This resource server's client_id (registered with "resource_server": true).
        #[arg(long)]
        client_id: String,
        /// Its secret; read from ASSENT_RS_CLIENT_SECRET so it stays out of process lists.
        #[arg(long, env = "ASSENT_RS_CLIENT_SECRET", hide_env_values = true)]
        client_secret: String,
        /// Refused requests per SP and per peer address (then 429): N/s, N/min or N/h, or off.
        #[arg(long, default_value = "60/min", value_parser = assent_gateway::http::limits::parse_limit)]
        rate_limit_refused: ::std::option::Option<assent_gateway::http::limits::Rate>,
        /// The longest a request may take (then Annex A's timeout row, 500).
        #[arg(long, default_value = "10s", value_parser = deadline)]
        deadline: std::time::Duration,
        #[command(flatten)]
        connections: Connections,
    },
    /// Operator commands.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Prints the OpenAPI 3.1 description of the HTTP API (what GET /openapi.json serves).
    Openapi,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Blacklisted SPs.
    #[command(subcommand)]
    Blacklist(BlacklistCommand),
    /// Registered SPs.
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Subscribers: import, show, set, delete (erasure), authenticators, SIM changes.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Users' devices (the app on a phone or laptop, bound by its number's certificate).
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// The ACME server's number locks.
    #[command(subcommand)]
    Acme(AcmeCommand),
    /// Device registration attempts (SEC-1).
    #[command(subcommand)]
    Registrations(RegistrationsCommand),
    /// Users' consents in force, and customer care revoking one on a user's behalf.
    #[command(subcommand)]
    Consents(ConsentsCommand),
    /// SPs reported by users, oldest first.
    Flags {
        /// Only the reports of this SP.
        #[arg(long)]
        client_id: Option<String>,
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Debug, Subcommand)]
enum ClientsCommand {
    /// Registers or updates an SP from a JSON file (RFC 7591 metadata names; see docs/gateway.md).
    Add {
        file: PathBuf,
        #[command(flatten)]
        storage: Storage,
    },
    List(Storage),
}

/// What an operator command acting as the gateway needs to act as `serve` does.
#[derive(Debug, Args)]
struct AsServe {
    /// The issuer `serve` runs with (receipts name it).
    #[arg(long, default_value = "https://127.0.0.1:8443")]
    issuer: String,
    /// The service catalog `serve` runs with (the shipped defaults without one).
    #[arg(long)]
    catalog: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum ConsentsCommand {
    /// The user's long-lived consents in force, oldest first: grant id, SP, its name,
    /// scope, attributes, granted, expires — tab-separated.
    List {
        msisdn: String,
        /// A JSON array: grant_id, sp, sp_name, scope, attributes, withdrawn, granted_at,
        /// expires_at.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        storage: Storage,
        #[command(flatten)]
        as_serve: AsServe,
    },
    /// Customer care ends the user's consents to an SP, on the user's behalf: its tokens stop
    /// working, the SP is told (Shared Signals), the user sees it in the app and their history.
    Revoke {
        msisdn: String,
        /// The SP's client_id.
        sp: String,
        #[command(flatten)]
        storage: Storage,
        #[command(flatten)]
        as_serve: AsServe,
    },
}

#[derive(Debug, Subcommand)]
enum AcmeCommand {
    /// Unlocks a number locked after too many failed code answers.
    Unlock {
        msisdn: String,
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Debug, Subcommand)]
enum RegistrationsCommand {
    /// Every attempt, oldest first: time, outcome, reason, certificate. Refused attempts
    /// older than the retention are purged first, as the gateway does.
    List {
        /// Only the attempts for this number's account.
        msisdn: Option<String>,
        #[command(flatten)]
        storage: Storage,
        /// How long refused attempts are kept (as `serve --registration-attempts-retention`).
        #[arg(long, default_value = "90d", value_parser = retention)]
        retention: i64,
    },
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Imports subscribers from JSON Lines or CSV with a header row (FILE, or - for standard
    /// input): msisdn, and any of given_name, family_name, birthdate, email, street_address
    /// (or address), postal_code, locality, country, sim_change, authenticators. An upsert
    /// by number; new subscribers get USSD then SMS unless the row names authenticators. Any
    /// refused row means nothing is imported (exit 1).
    Import {
        file: PathBuf,
        #[command(flatten)]
        storage: Storage,
    },
    /// Shows a subscriber's stored fields.
    Show {
        msisdn: String,
        /// One JSON object: msisdn and every stored field.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        storage: Storage,
    },
    /// Sets fields of a subscriber: KEY=VALUE (an empty VALUE clears the field).
    Set {
        msisdn: String,
        #[arg(required = true, value_name = "KEY=VALUE")]
        assignments: Vec<String>,
        #[command(flatten)]
        storage: Storage,
    },
    /// Deletes a subscriber and erases their personal data; the audit trail keeps their
    /// entries, details erased, and still verifies.
    Delete {
        msisdn: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// Sets a user's authenticators, most preferred first (ussd, sms).
    Authenticators {
        msisdn: String,
        #[arg(required = true)]
        authenticators: Vec<String>,
        #[command(flatten)]
        storage: Storage,
    },
    /// Records that the number's SIM card changed (now, or --at): no proof of the number
    /// completes during the hold that follows (serve --sim-swap-hold).
    SimChange {
        msisdn: String,
        /// When it changed: RFC 3339, or a duration back from now such as 2h (default: now).
        #[arg(long, value_parser = since)]
        at: Option<i64>,
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Debug, Subcommand)]
enum DevicesCommand {
    /// Every device of the number's account, oldest first: id, name, status (active,
    /// expired, revoked), registered, expires — tab-separated.
    List {
        msisdn: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// Revokes a device: it can no longer get a token, and the tokens it holds stop working.
    Revoke {
        id: String,
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verifies the hash chain of the whole trail, and that it reaches every signed checkpoint
    /// of DATA_DIR/audit-checkpoints.jws (and of --checkpoints FILE: ones kept elsewhere).
    Verify {
        #[command(flatten)]
        storage: Storage,
        /// More checkpoints, one compact JWS per line (e.g. collected from users' exports).
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
    },
    /// Lists entries of the whole trail, oldest first: the last N, or the first N from
    /// --since.
    List {
        #[command(flatten)]
        storage: Storage,
        /// Only entries of this kind (e.g. resource_refused, refusal, consent).
        #[arg(long)]
        kind: Option<String>,
        /// Only entries about this SP (its client_id).
        #[arg(long)]
        sp: Option<String>,
        /// Only entries from this time on: RFC 3339 (2026-12-06T10:00:00Z) or a duration ago
        /// (15m, 2h, 7d).
        #[arg(long, value_parser = since)]
        since: Option<i64>,
        /// At most this many entries (1 to 10000).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
        /// One JSON object per line: seq, at, kind, sp, user, authenticator, detail (null
        /// once erased), erased.
        #[arg(long)]
        json: bool,
    },
}

/// `--since`: an RFC 3339 time, or a duration back from now; milliseconds since the epoch.
fn since(text: &str) -> Result<i64, String> {
    if let Ok(at) =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
            .map_err(|_| "the time is out of range".to_owned());
    }
    let ago = humantime::parse_duration(text.trim()).map_err(|_| {
        format!("{text:?}: write an RFC 3339 time or a duration such as 15m, 2h or 7d")
    })?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    i64::try_from(now - i128::try_from(ago.as_millis()).unwrap_or(i128::MAX))
        .map_err(|_| "the duration is too long".to_owned())
}

#[derive(Debug, Subcommand)]
enum BlacklistCommand {
    Add {
        client_id: String,
        #[command(flatten)]
        storage: Storage,
    },
    Remove {
        client_id: String,
        #[command(flatten)]
        storage: Storage,
    },
    List(Storage),
}

/// A positive duration such as `90s`, `15m`, `1h` or `30d`, in milliseconds, at most `max`.
fn duration_ms(text: &str, max: std::time::Duration) -> Result<i64, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|e| format!("{e} (write a duration such as 90s, 15m, 1h or 30d)"))?;
    if duration.is_zero() {
        return Err("the duration must be positive".into());
    }
    if duration > max {
        return Err(format!(
            "at most {} is allowed",
            humantime::format_duration(max)
        ));
    }
    i64::try_from(duration.as_millis()).map_err(|_| "the duration is too long".to_owned())
}

const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

fn certificate_lifetime(text: &str) -> Result<i64, String> {
    // assent_acme::cert::MAX_VALIDITY: numbers are reassigned, control is proven again.
    duration_ms(text, 30 * DAY)
}

fn order_lifetime(text: &str) -> Result<i64, String> {
    // A week: RFC 8555 leaves it to the server; an SMS proof takes minutes.
    duration_ms(text, 7 * DAY)
}

fn sim_swap_hold(text: &str) -> Result<i64, String> {
    duration_ms(text, 30 * DAY)
}

fn retention(text: &str) -> Result<i64, String> {
    duration_ms(text, 3650 * DAY)
}

fn deadline(text: &str) -> Result<std::time::Duration, String> {
    // A minute at most: a client waiting longer has given up.
    duration_ms(text, std::time::Duration::from_secs(60))
        .map(|ms| std::time::Duration::from_millis(ms.unsigned_abs()))
}

fn checkpoint_interval(text: &str) -> Result<std::time::Duration, String> {
    // A day at most: a checkpoint bounds what can be cut from the trail's end unseen.
    duration_ms(text, std::time::Duration::from_secs(24 * 3600))
        .map(|ms| std::time::Duration::from_millis(ms.unsigned_abs()))
}

/// `serve --config FILE`: the command line again, with the file's keys as flags placed
/// before the ones given, so that a flag given wins (`args_override_self`). Read before clap
/// parses: the file may give flags clap requires, such as `--data-dir`.
fn with_config(args: Vec<std::ffi::OsString>) -> Result<Vec<std::ffi::OsString>, String> {
    let Some(at) = args.iter().position(|a| a == "serve") else {
        return Ok(args);
    };
    let mut path = None;
    let mut rest = Vec::new();
    let mut iter = args[at + 1..].iter();
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy();
        if text == "--config" {
            path = Some(std::path::PathBuf::from(
                iter.next().ok_or("--config needs a file")?,
            ));
        } else if let Some(file) = text.strip_prefix("--config=") {
            path = Some(std::path::PathBuf::from(file));
        } else {
            rest.push(arg.clone());
        }
    }
    let Some(path) = path else {
        return Ok(args);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let command = <Cli as clap::CommandFactory>::command();
    let serve = command
        .find_subcommand("serve")
        .ok_or("the serve command is missing")?;
    let mut known: Vec<&clap::Arg> = serve.get_arguments().collect();
    known.extend(command.get_arguments());
    let flags = config::flags(&text, &known).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut expanded: Vec<std::ffi::OsString> = args[..=at].to_vec();
    expanded.extend(flags.into_iter().map(std::ffi::OsString::from));
    expanded.extend(rest);
    Ok(expanded)
}

mod config {
    /// The flags a configuration file's keys stand for: `key = value` is `--key=value`,
    /// `key = true` is `--key` for a flag that takes no value, `false` leaves it out. Keys
    /// are the flags' long names, with `-` or `_`.
    pub fn flags(text: &str, known: &[&clap::Arg]) -> Result<Vec<String>, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut flags = Vec::new();
        for (key, value) in table {
            let name = key.replace('_', "-");
            let arg = known
                .iter()
                .find(|a| a.get_long() == Some(name.as_str()))
                .filter(|_| name != "config")
                .ok_or_else(|| format!("unknown key {key:?} (keys are serve's flags)"))?;
            let takes_value = arg.get_action().takes_values();
            match value {
                toml::Value::Boolean(on) if !takes_value => {
                    if on {
                        flags.push(format!("--{name}"));
                    }
                }
                toml::Value::String(text) if takes_value => flags.push(format!("--{name}={text}")),
                toml::Value::Integer(n) if takes_value => flags.push(format!("--{name}={n}")),
                _ if takes_value => {
                    return Err(format!("{key}: write a string or a number"));
                }
                _ => return Err(format!("{key}: write true or false")),
            }
        }
        Ok(flags)
    }
}

fn main() -> ExitCode {
    let cli = match with_config(std::env::args_os().collect()) {
        Ok(args) => Cli::parse_from(args),
        Err(message) => {
            eprintln!("assent-gateway: {message}");
            return ExitCode::FAILURE;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // sqlx reports PostgreSQL notices ("relation already exists") at info.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        // One JSON object per line, for log shippers; the same events and fields (none holds
        // personal data: docs/operations.md, "Logs").
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("assent-gateway: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("assent-gateway: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn store(storage: &Storage) -> Result<assent_gateway::store::Store, GatewayError> {
    assent_gateway::open_store(&storage.data_dir, storage.database_url.as_deref(), false).await
}

async fn operator_gateway(
    storage: &Storage,
    as_serve: AsServe,
) -> Result<assent_gateway::flows::Gateway, String> {
    assent_gateway::app::operator_gateway(
        &storage.data_dir,
        storage.database_url.as_deref(),
        as_serve.issuer,
        as_serve.catalog.as_deref(),
    )
    .await
    .map_err(|e| e.to_string())
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve {
            config: _,
            storage,
            listen,
            demo,
            simulator,
            sms_transport,
            catalog,
            issuer,
            rate_limit_token,
            rate_limit_ciba,
            rate_limit_acme,
            rate_limit_authorize,
            rate_limit_authorize_address,
            certificate_lifetime,
            order_lifetime,
            sms_to_any_number,
            ussd_self_care_code,
            registration_attempts_retention,
            sim_swap_hold,
            rate_limit_device_register,
            rate_limit_resource_refused,
            rate_limit_client_auth_failures,
            resource_deadline,
            audit_checkpoint_interval,
            consent_sweep_interval,
            metrics_listen,
            connections,
        } => assent_gateway::serve(ServeOptions {
            data_dir: storage.data_dir,
            listen,
            database_url: storage.database_url,
            demo,
            simulator,
            sms_transport,
            catalog,
            issuer,
            rate_limits: assent_gateway::http::limits::RateLimitConfig {
                token: rate_limit_token,
                ciba: rate_limit_ciba,
                acme: rate_limit_acme,
                authorize_target: rate_limit_authorize,
                authorize_address: rate_limit_authorize_address,
                resource_refused: rate_limit_resource_refused,
                device_register: rate_limit_device_register,
                client_auth_failures: rate_limit_client_auth_failures,
            },
            lifetimes: assent_gateway::flows::Lifetimes {
                certificate_ms: certificate_lifetime,
                order_ms: order_lifetime,
                refused_registration_ms: registration_attempts_retention,
                sim_swap_hold_ms: sim_swap_hold,
            },
            sms_to_any_number,
            ussd_self_care_code,
            resource_deadline,
            connections: connections.limits(),
            audit_checkpoint_interval,
            consent_sweep_interval,
            metrics_listen,
        })
        .await
        .map_err(|e| e.to_string()),
        Command::ResourceServer {
            storage,
            listen,
            catalog,
            introspection_url,
            gateway_ca,
            client_id,
            client_secret,
            rate_limit_refused,
            deadline,
            connections,
        } => assent_gateway::serve_resource(assent_gateway::ResourceServerOptions {
            data_dir: storage.data_dir,
            listen,
            database_url: storage.database_url,
            catalog,
            introspection_url,
            gateway_ca,
            client_id,
            client_secret,
            refused_limit: rate_limit_refused,
            deadline,
            connections: connections.limits(),
        })
        .await
        .map_err(|e| e.to_string()),
        Command::Openapi => {
            println!("{}", assent_gateway::http::openapi::json());
            Ok(())
        }
        Command::Admin(AdminCommand::Registrations(RegistrationsCommand::List {
            msisdn,
            storage,
            retention,
        })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let now =
                i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
                    .unwrap_or(i64::MAX);
            let attempts = admin::registration_attempts(&store, msisdn.as_deref(), now, retention)
                .await
                .map_err(|e| e.to_string())?;
            if attempts.is_empty() {
                println!("no registration attempts");
            }
            for (at, outcome, reason, cert) in attempts {
                println!(
                    "{} {outcome} {reason} {}",
                    assent_gateway::base::clock::rfc3339(at),
                    cert.as_deref().unwrap_or("-")
                );
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Audit(AuditCommand::List {
            storage,
            kind,
            sp,
            since,
            limit,
            json,
        })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let filter = assent_gateway::store::AuditFilter {
                sp,
                kind,
                since_ms: since,
                until_ms: None,
            };
            let entries = admin::list_audit(&store, &filter, limit)
                .await
                .map_err(|e| e.to_string())?;
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for entry in entries {
                let at = assent_gateway::base::clock::rfc3339(entry.content.at_ms);
                let erased = entry.is_erased();
                let line = if json {
                    // The detail as the JSON it holds (it is stored as compact JSON text);
                    // null once erased.
                    let detail = if erased {
                        serde_json::Value::Null
                    } else {
                        serde_json::from_str::<serde_json::Value>(&entry.content.detail)
                            .unwrap_or_else(|_| {
                                serde_json::Value::String(entry.content.detail.clone())
                            })
                    };
                    serde_json::json!({
                        "seq": entry.seq,
                        "at": at,
                        "kind": entry.content.kind.name(),
                        "sp": entry.content.sp,
                        "user": entry.content.user,
                        "authenticator": entry.content.authenticator,
                        "detail": detail,
                        "erased": erased,
                    })
                    .to_string()
                } else {
                    format!(
                        "{} {} {} {} {}",
                        entry.seq,
                        at,
                        entry.content.kind.name(),
                        entry.content.sp.as_deref().unwrap_or("-"),
                        if erased {
                            "(erased)"
                        } else {
                            &entry.content.detail
                        }
                    )
                };
                writeln!(out, "{line}").map_err(|e| e.to_string())?;
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Audit(AuditCommand::Verify {
            storage,
            checkpoints,
        })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let keys = assent_gateway::base::keys::SigningKeys::load_or_create(&storage.data_dir)
                .map_err(|e| e.to_string())?;
            let own = assent_gateway::base::checkpoints::CheckpointFile::in_dir(&storage.data_dir);
            let mut lines = admin::read_checkpoints(&own).map_err(|e| e.to_string())?;
            if let Some(extra) = checkpoints {
                let extra = assent_gateway::base::checkpoints::CheckpointFile::at(&extra);
                lines.extend(admin::read_checkpoints(&extra).map_err(|e| e.to_string())?);
            }
            let verified = admin::verify_audit(&store, &keys.decoding, &lines)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "audit trail verified: {} entries, head {}",
                verified.head.seq, verified.head.hash
            );
            match verified.latest_checkpoint {
                Some((head, at_s)) => println!(
                    "reaches its {} signed checkpoints; the latest vouches for entry {} ({})",
                    verified.checkpoints,
                    head.seq,
                    assent_gateway::base::clock::rfc3339(at_s.saturating_mul(1000))
                ),
                None => println!("no signed checkpoint yet"),
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Blacklist(command)) => match command {
            BlacklistCommand::Add { client_id, storage } => {
                let store = store(&storage).await.map_err(|e| e.to_string())?;
                admin::set_blacklisted(&store, &client_id, true)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("{client_id} blacklisted");
                Ok(())
            }
            BlacklistCommand::Remove { client_id, storage } => {
                let store = store(&storage).await.map_err(|e| e.to_string())?;
                admin::set_blacklisted(&store, &client_id, false)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("{client_id} removed from the blacklist");
                Ok(())
            }
            BlacklistCommand::List(storage) => {
                let store = store(&storage).await.map_err(|e| e.to_string())?;
                for (id, name) in store
                    .blacklisted_clients()
                    .await
                    .map_err(|e| e.to_string())?
                {
                    println!("{id}\t{name}");
                }
                Ok(())
            }
        },
        Command::Admin(AdminCommand::Clients(command)) => match command {
            ClientsCommand::Add { file, storage } => {
                let json = std::fs::read_to_string(&file)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                let store = store(&storage).await.map_err(|e| e.to_string())?;
                let client = admin::register_client(&store, &json)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("{} registered", client.client_id);
                Ok(())
            }
            ClientsCommand::List(storage) => {
                let store = store(&storage).await.map_err(|e| e.to_string())?;
                for c in store.clients().await.map_err(|e| e.to_string())? {
                    let mode = c.delivery_modes.first().map_or("-", String::as_str);
                    let blacklisted = if c.blacklisted { "blacklisted" } else { "" };
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{blacklisted}",
                        c.client_id,
                        c.client_name,
                        c.scopes.join(" "),
                        c.token_policy,
                        mode
                    );
                }
                Ok(())
            }
        },
        Command::Admin(AdminCommand::Consents(ConsentsCommand::List {
            msisdn,
            json,
            storage,
            as_serve,
        })) => {
            let gateway = operator_gateway(&storage, as_serve).await?;
            let grants = care::consents_of(&gateway, &msisdn, gateway.now_ms())
                .await
                .map_err(|e| e.to_string())?;
            if json {
                let list: Vec<serde_json::Value> = grants.iter().map(care::grant_json).collect();
                println!("{}", serde_json::Value::Array(list));
                return Ok(());
            }
            if grants.is_empty() {
                println!("no consents in force");
            }
            for grant in &grants {
                let c = &grant.consent;
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    c.id,
                    c.client_id,
                    grant.client_name,
                    c.scope.join(" "),
                    grant.attributes.join(" "),
                    assent_gateway::base::clock::rfc3339(c.granted_ms),
                    c.expires_ms
                        .map_or_else(|| "-".to_owned(), assent_gateway::base::clock::rfc3339)
                );
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Consents(ConsentsCommand::Revoke {
            msisdn,
            sp,
            storage,
            as_serve,
        })) => {
            let gateway = operator_gateway(&storage, as_serve).await?;
            let ended = care::revoke(&gateway, &msisdn, &sp)
                .await
                .map_err(|e| e.to_string())?;
            println!("{ended} consents to {sp} revoked on the user's behalf");
            Ok(())
        }
        Command::Admin(AdminCommand::Users(UsersCommand::Import { file, storage })) => {
            let (name, text) = if file.as_os_str() == "-" {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                    .map_err(|e| format!("standard input: {e}"))?;
                ("-".to_owned(), text)
            } else {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                (file.display().to_string(), text)
            };
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let report =
                subscribers::import(&store, &name, &text, assent_gateway::base::clock::now_ms())
                    .await
                    .map_err(|e| e.to_string())?;
            for refusal in &report.refused {
                println!("line {}: refused: {}", refusal.line, refusal.reason);
            }
            if !report.imported() {
                return Err(format!(
                    "{} rows accepted, {} refused: nothing imported",
                    report.accepted,
                    report.refused.len()
                ));
            }
            println!(
                "{} rows accepted, 0 refused: {} new subscribers, {} updated",
                report.accepted, report.new, report.updated
            );
            Ok(())
        }
        Command::Admin(AdminCommand::Users(UsersCommand::Show {
            msisdn,
            json,
            storage,
        })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let user = subscribers::show(&store, &msisdn)
                .await
                .map_err(|e| e.to_string())?;
            let object = subscribers::user_json(&user);
            if json {
                println!("{object}");
            } else if let Some(fields) = object.as_object() {
                for (key, value) in fields {
                    let text = match value {
                        serde_json::Value::Null => "-".to_owned(),
                        serde_json::Value::String(text) => text.clone(),
                        serde_json::Value::Array(items) => items
                            .iter()
                            .filter_map(serde_json::Value::as_str)
                            .collect::<Vec<_>>()
                            .join(" "),
                        other => other.to_string(),
                    };
                    println!("{key}\t{text}");
                }
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Users(UsersCommand::Set {
            msisdn,
            assignments,
            storage,
        })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let fields = subscribers::set(
                &store,
                &msisdn,
                &assignments,
                assent_gateway::base::clock::now_ms(),
            )
            .await
            .map_err(|e| e.to_string())?;
            let names: Vec<&str> = fields.iter().map(|f| f.name()).collect();
            println!("set: {}", names.join(", "));
            Ok(())
        }
        Command::Admin(AdminCommand::Users(UsersCommand::Delete { msisdn, storage })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let deletion =
                subscribers::delete(&store, &msisdn, assent_gateway::base::clock::now_ms())
                    .await
                    .map_err(|e| e.to_string())?;
            let rows: Vec<String> = deletion
                .erased
                .rows
                .iter()
                .map(|(table, n)| format!("{table} {n}"))
                .collect();
            println!(
                "user erased (kept in the audit trail as {}): {} grants ended; rows deleted: \
                 {}; {} audit entries' details erased",
                deletion.user_id,
                deletion.grants_ended,
                rows.join(", "),
                deletion.erased.audit_details
            );
            if deletion.erased.audit_unsealed > 0 {
                println!(
                    "{} older audit entries (written before details were sealed) keep their \
                     detail: erasing it would break the trail (docs/operations.md)",
                    deletion.erased.audit_unsealed
                );
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Users(UsersCommand::Authenticators {
            msisdn,
            authenticators,
            storage,
        })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            admin::set_authenticators(&store, &msisdn, &authenticators)
                .await
                .map_err(|e| e.to_string())?;
            println!("authenticators set: {}", authenticators.join(" "));
            Ok(())
        }
        Command::Admin(AdminCommand::Devices(DevicesCommand::List { msisdn, storage })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let devices = admin::devices_of(&store, &msisdn)
                .await
                .map_err(|e| e.to_string())?;
            let now = assent_gateway::base::clock::now_ms();
            for d in &devices {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    d.id,
                    d.name,
                    assent_gateway::flows::device::device_status(d, now),
                    assent_gateway::base::clock::rfc3339(d.registered_ms),
                    assent_gateway::base::clock::rfc3339(d.cert_not_after_ms)
                );
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Devices(DevicesCommand::Revoke { id, storage })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            admin::revoke_device(&store, &id)
                .await
                .map_err(|e| e.to_string())?;
            println!("device revoked: {id}");
            Ok(())
        }
        Command::Admin(AdminCommand::Users(UsersCommand::SimChange {
            msisdn,
            at,
            storage,
        })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let at = at.unwrap_or_else(assent_gateway::base::clock::now_ms);
            admin::record_sim_change(&store, &msisdn, at)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "SIM change recorded at {}",
                assent_gateway::base::clock::rfc3339(at)
            );
            Ok(())
        }
        Command::Admin(AdminCommand::Acme(AcmeCommand::Unlock { msisdn, storage })) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            admin::acme_unlock(&store, &msisdn)
                .await
                .map_err(|e| e.to_string())?;
            println!("number unlocked");
            Ok(())
        }
        Command::Admin(AdminCommand::Flags { client_id, storage }) => {
            let store = store(&storage).await.map_err(|e| e.to_string())?;
            let flags = store
                .flags(client_id.as_deref())
                .await
                .map_err(|e| e.to_string())?;
            if flags.is_empty() {
                println!("no flags");
            }
            for flag in flags {
                let at = assent_gateway::base::clock::rfc3339(flag.at_ms);
                println!("{at}\t{}\t{}\t{}", flag.client_id, flag.id, flag.reason);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_defaults_are_the_connection_limits_defaults() {
        let cli = Cli::parse_from(["assent-gateway", "serve", "--data-dir", "/nowhere"]);
        let Command::Serve { connections, .. } = cli.command else {
            panic!("not serve");
        };
        assert_eq!(connections.limits(), ConnectionLimits::default());
    }
}
