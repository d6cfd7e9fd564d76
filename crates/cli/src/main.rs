//! `assent`: Assent's core, headless. QA and support drive it from scripts; every command
//! speaks JSON with `--json` and plain sentences without.
//!
//! Exit codes: 0 success, 1 failure, 2 usage error (bad flags, or input refused before
//! anything was done).

mod commands;
mod output;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "assent",
    version,
    about = "Assent: consent, number verification and audit, headless"
)]
pub struct Cli {
    /// The gateway's base URL (https://…); remembered in the profile.
    #[arg(long, global = true, env = "ASSENT_GATEWAY")]
    pub gateway: Option<String>,
    /// A PEM file of the CA to trust for the gateway (its ca.pem); remembered in the profile.
    #[arg(long, global = true, env = "ASSENT_CA")]
    pub ca: Option<PathBuf>,
    /// The profile folder (settings, enrollment, history cache; keys are in the OS keyring).
    #[arg(long, global = true, env = "ASSENT_PROFILE")]
    pub profile: Option<PathBuf>,
    /// Machine-readable output (one JSON document on stdout).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Proves this device holds NUMBER (ACME sms-link-00) and registers it with the gateway;
    /// with --renew, proves the enrolled number again and renews this device's certificate
    /// (same device, same history).
    Enroll {
        /// The number in international form, e.g. +447700900001 (not with --renew).
        #[arg(required_unless_present = "renew", conflicts_with = "renew")]
        number: Option<String>,
        /// Renew this device ahead of its certificate's expiry (due from `renew_from`).
        #[arg(long)]
        renew: bool,
        /// Where the SMS code comes from: the gateway's handset simulator (QA), or typed or
        /// pasted on stdin.
        #[arg(long, value_enum, default_value = "stdin")]
        sms_from: SmsSource,
    },
    /// Pending consent requests, rendered for this device.
    Inbox {
        /// Wait up to this many seconds for a request to arrive.
        #[arg(long, default_value_t = 0)]
        wait: u64,
    },
    /// Approves a pending consent request.
    Approve { id: String },
    /// Denies a pending consent request.
    Deny { id: String },
    /// Your long-lived consents, per SP.
    Grants,
    /// Revokes a grant: the SP's tokens stop working at once. With --attribute, stops
    /// sharing only those attributes and keeps the rest of the grant.
    Revoke {
        grant_id: String,
        /// An attribute to stop sharing (repeat for several), e.g. --attribute email.
        #[arg(long = "attribute", value_name = "NAME")]
        attributes: Vec<String>,
    },
    /// Your consent receipts, signed by the gateway and verified here; `receipts show ID`
    /// shows one whole.
    Receipts {
        #[command(subcommand)]
        action: Option<ReceiptsAction>,
    },
    /// Your devices (this one marked); `devices revoke ID` revokes one.
    Devices {
        #[command(subcommand)]
        action: Option<DevicesAction>,
    },
    /// What the gateway told you: an SP used a long-lived consent, a revocation, …
    Notifications,
    /// Reports an SP to the operator.
    Flag {
        client_id: String,
        #[arg(long)]
        reason: String,
    },
    /// Your audit history (brought up to date first when the gateway answers).
    #[command(args_conflicts_with_subcommands = true)]
    Audit {
        #[command(subcommand)]
        action: Option<AuditAction>,
        /// Only this SP's entries.
        #[arg(long)]
        sp: Option<String>,
        /// Only entries at or after this instant (RFC 3339).
        #[arg(long, value_parser = parse_rfc3339)]
        since: Option<i64>,
        /// At most this many entries, newest first.
        #[arg(long)]
        limit: Option<u32>,
        /// Only entries of this kind (e.g. consent, resource_access, revocation).
        #[arg(long, value_parser = parse_kind)]
        kind: Option<assent_audit::EntryKind>,
    },
    /// Shows or changes the language and display profile.
    Settings {
        /// One of en, de, fr, es, pt, tr, ar.
        #[arg(long)]
        locale: Option<String>,
        #[arg(long, value_enum)]
        display: Option<DisplayChoice>,
    },
    /// Consent prompts.
    #[command(subcommand)]
    Prompt(PromptCommand),
}

#[derive(Debug, Subcommand)]
pub enum DevicesAction {
    /// Revokes a device (a lost phone, an old laptop, or this one): it gets no token any more.
    Revoke { device_id: String },
}

#[derive(Debug, Subcommand)]
pub enum ReceiptsAction {
    /// One receipt: what was consented to or withdrawn, when, how, and whether it verifies.
    Show { id: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Verifies the hash chain of the history on this device.
    Verify,
    /// Writes the history with its chain to FILE (JSON), verifiable anywhere.
    Export { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum PromptCommand {
    /// Reads one JSON request on stdin, writes the fitted prompt as JSON on stdout.
    /// Exit 0 with the prompt; exit 2 with {"error": "does_not_fit"|"invalid_request", ...}.
    Render,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SmsSource {
    Simulator,
    Stdin,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DisplayChoice {
    Phone,
    Desktop,
}

fn parse_rfc3339(text: &str) -> Result<i64, String> {
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("not an RFC 3339 instant (e.g. 2026-11-27T09:00:00Z): {e}"))?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).map_err(|_| "out of range".to_owned())
}

fn parse_kind(text: &str) -> Result<assent_audit::EntryKind, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("not an entry kind: {text}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Prompt(PromptCommand::Render) = cli.command {
        return commands::prompt_render();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("assent: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    let json = cli.json;
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => output::failure(json, &failure),
    }
}
