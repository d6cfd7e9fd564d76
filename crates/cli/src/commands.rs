//! One function per command: parse nothing (clap did), call the core, print.

use crate::output::{Failure, Progress, print_json};
use crate::{AuditAction, Cli, Command, DevicesAction, DisplayChoice, ReceiptsAction, SmsSource};
use assent_core::history::Filter;
use assent_core::words::Phrasebook;
use assent_core::{Assent, Enrollment, Overrides};
use serde_json::json;
use std::io::{BufRead, Read};
use std::time::{Duration, Instant};

/// The longest one inbox call waits (the gateway's own limit is 25 s).
const INBOX_CALL_MAX: Duration = Duration::from_secs(20);
/// How long the handset simulator may take to show the SMS.
const SIMULATOR_PATIENCE: Duration = Duration::from_secs(30);

pub async fn run(cli: Cli) -> Result<(), Failure> {
    let profile = cli
        .profile
        .clone()
        .or_else(assent_core::profile::default_dir)
        .ok_or_else(|| Failure::usage("no profile folder: give one with --profile DIR"))?;
    let overrides = Overrides {
        gateway_url: cli.gateway.clone(),
        ca_file: cli.ca.clone(),
        ..Default::default()
    };
    let mut app = Assent::open(&profile, overrides).await?;
    let json = cli.json;
    let progress = Progress::new(json);
    match cli.command {
        Command::Enroll {
            number,
            renew,
            sms_from,
        } => {
            enroll(
                &mut app,
                number.as_deref(),
                renew,
                sms_from,
                json,
                &progress,
            )
            .await
        }
        Command::Inbox { wait } => {
            inbox(&mut app, Duration::from_secs(wait), json, &progress).await
        }
        Command::Approve { id } => decide(&mut app, &id, true, json).await,
        Command::Deny { id } => decide(&mut app, &id, false, json).await,
        Command::Grants => grants(&app, json).await,
        Command::Revoke {
            grant_id,
            attributes,
        } if attributes.is_empty() => {
            app.revoke(&grant_id).await?;
            say(json, &json!({"revoked": grant_id}), || {
                format!("Revoked {grant_id}: the SP's tokens no longer work.")
            })
        }
        Command::Revoke {
            grant_id,
            attributes,
        } => {
            let withdrawn = app.withdraw(&grant_id, &attributes).await?;
            say(json, &withdrawn, || {
                format!(
                    "{grant_id} no longer shares: {}. It still shares: {}. Receipt {}.",
                    withdrawn.withdrawn.join(", "),
                    withdrawn.attributes.join(", "),
                    withdrawn.receipt
                )
            })
        }
        Command::Receipts { action: None } => {
            let receipts = app.receipts().await?;
            say(json, &receipts, || {
                if receipts.is_empty() {
                    return "No receipts yet: one comes with every consent you give or withdraw."
                        .into();
                }
                receipts
                    .iter()
                    .map(receipt_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Receipts {
            action: Some(ReceiptsAction::Show { id }),
        } => {
            let receipt = app.receipt(&id).await?;
            say(json, &receipt, || receipt_text(&receipt))
        }
        Command::Devices { action: None } => {
            let devices = app.devices().await?;
            say(json, &json!({ "devices": devices }), || {
                devices
                    .iter()
                    .map(|d| {
                        let this = if d.this_device { "  (this device)" } else { "" };
                        format!(
                            "{}  {}  {}{this}\n    registered {}, expires {}",
                            d.id, d.name, d.status, d.registered_at, d.expires_at
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Devices {
            action: Some(DevicesAction::Revoke { device_id }),
        } => {
            app.revoke_device(&device_id).await?;
            say(json, &json!({ "revoked": device_id }), || {
                format!("Revoked {device_id}: it can no longer approve anything.")
            })
        }
        Command::Notifications => {
            let notifications = app.notifications().await?;
            say(json, &json!({ "notifications": notifications }), || {
                if notifications.is_empty() {
                    return "No notifications.".into();
                }
                notifications
                    .iter()
                    .map(|n| format!("{}  {}  {}", n.at, n.client_id, n.kind))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Flag { client_id, reason } => {
            app.flag(&client_id, &reason).await?;
            say(json, &json!({"flagged": client_id}), || {
                format!("Reported {client_id} to the operator.")
            })
        }
        Command::Audit {
            action,
            sp,
            since,
            limit,
            kind,
        } => match action {
            None => {
                let filter = Filter {
                    sp,
                    kind,
                    since_ms: since,
                    limit,
                };
                audit_list(&app, &filter, json).await
            }
            Some(AuditAction::Verify) => {
                sync(&app).await?;
                audit_verify(&app, json).await
            }
            Some(AuditAction::Export { file }) => {
                sync(&app).await?;
                let count = app.export_history(&file).await?;
                say(
                    json,
                    &json!({"exported": file.display().to_string(), "entries": count}),
                    || {
                        format!(
                            "Wrote {count} entries with their chain to {}.",
                            file.display()
                        )
                    },
                )
            }
        },
        Command::Settings { locale, display } => {
            let mut settings = app.settings().clone();
            if locale.is_some() || display.is_some() {
                if let Some(locale) = locale {
                    settings.locale = Some(locale);
                }
                if let Some(display) = display {
                    settings.display = match display {
                        DisplayChoice::Phone => assent_core::settings::Display::Phone,
                        DisplayChoice::Desktop => assent_core::settings::Display::Desktop,
                    };
                }
                app.update_settings(settings.clone())?;
            }
            say(json, &settings, || {
                format!(
                    "gateway: {}\nCA: {}\nlanguage: {}\ndisplay: {:?}",
                    settings.gateway_url.as_deref().unwrap_or("(none)"),
                    settings
                        .ca_file
                        .as_ref()
                        .map_or("(the platform's)".into(), |p| p.display().to_string()),
                    settings.locale(),
                    settings.display
                )
            })
        }
        Command::Prompt(_) => Err(Failure::usage("prompt render takes no profile")),
    }
}

/// Prints `value` as JSON, or `text()` for people.
fn say(
    json: bool,
    value: &impl serde::Serialize,
    text: impl FnOnce() -> String,
) -> Result<(), Failure> {
    if json {
        print_json(value)
    } else {
        println!("{}", text());
        Ok(())
    }
}

async fn enroll(
    app: &mut Assent,
    number: Option<&str>,
    renew: bool,
    source: SmsSource,
    json: bool,
    progress: &Progress,
) -> Result<(), Failure> {
    let mut report = |step: assent_core::Step| progress.say(&format!("… {}", step.describe()));
    let mut reached = match number {
        Some(number) if !renew => app.enroll(number, &mut report).await?,
        _ => app.renew(&mut report).await?,
    };
    if let Enrollment::AwaitingCode { number, .. } = &reached {
        let text = match source {
            SmsSource::Simulator => {
                progress.say(&format!(
                    "… reading the SMS on the simulated handset {number}"
                ));
                app.simulator_sms(SIMULATOR_PATIENCE).await?
            }
            SmsSource::Stdin => {
                progress.say(&format!(
                    "Enter the code from the SMS sent to {number} (or paste the whole message):"
                ));
                read_code_text()?
            }
        };
        reached = app.submit_code(&text, &mut report).await?;
    }
    match reached {
        Enrollment::Enrolled {
            number,
            device_id,
            certificate_expires,
            renew_from,
            pending_approval,
        } => say(
            json,
            &json!({"number": number, "device_id": device_id,
                    "certificate_expires": certificate_expires, "renew_from": renew_from,
                    "pending_approval": pending_approval}),
            || {
                let approve = if pending_approval {
                    " Approve this device on your other device within 10 minutes: until then \
                     it cannot act for you."
                } else {
                    ""
                };
                format!(
                    "Verified {number}. The certificate expires {certificate_expires}; renew it \
                     from {renew_from} (assent enroll --renew).{approve}"
                )
            },
        ),
        Enrollment::AwaitingCode { .. } => Err(Failure::failed(
            "no_code",
            "the enrollment still waits for the SMS code",
        )),
    }
}

/// The SMS text from stdin: a typed line at a terminal, everything piped otherwise.
fn read_code_text() -> Result<String, Failure> {
    let stdin = std::io::stdin();
    let mut text = String::new();
    let read = if std::io::IsTerminal::is_terminal(&stdin) {
        stdin.lock().read_line(&mut text)
    } else {
        stdin.lock().read_to_string(&mut text)
    };
    read.map_err(|e| Failure::failed("stdin", format!("cannot read the code: {e}")))?;
    if text.trim().is_empty() {
        return Err(Failure::usage("no code was given on stdin"));
    }
    Ok(text)
}

async fn inbox(
    app: &mut Assent,
    wait: Duration,
    json: bool,
    progress: &Progress,
) -> Result<(), Failure> {
    let started = Instant::now();
    let cards = loop {
        let left = wait.saturating_sub(started.elapsed());
        let call = app.inbox(left.min(INBOX_CALL_MAX));
        let cards = if left.is_zero() {
            call.await?
        } else {
            ticking(call, progress, started, wait).await?
        };
        if !cards.is_empty() || started.elapsed() >= wait {
            break cards;
        }
    };
    progress.clear();
    say(json, &json!({ "requests": cards }), || {
        if cards.is_empty() {
            return "No pending consent requests.".into();
        }
        cards
            .iter()
            .map(|c| {
                format!(
                    "{}  {}\n{}\n",
                    c.id,
                    c.client_name.as_deref().unwrap_or(""),
                    c.lines
                        .iter()
                        .map(|l| format!("    {l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Awaits `call` while a counter shows on a terminal how long it has waited.
async fn ticking<T>(
    call: impl std::future::Future<Output = T>,
    progress: &Progress,
    started: Instant,
    total: Duration,
) -> T {
    tokio::pin!(call);
    let mut every = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            result = &mut call => return result,
            _ = every.tick() => progress.tick(&format!(
                "waiting for a consent request… {} s of {} s",
                started.elapsed().as_secs(), total.as_secs())),
        }
    }
}

async fn decide(app: &mut Assent, id: &str, approve: bool, json: bool) -> Result<(), Failure> {
    let accepted = app.decide(id, approve).await?;
    let decision = if approve { "approve" } else { "deny" };
    say(
        json,
        &json!({"id": id, "decision": decision, "accepted": accepted}),
        || match (approve, accepted) {
            (true, true) => format!("Approved {id}."),
            (false, true) => format!("Denied {id}."),
            (_, false) => format!("{id} was recorded, but the request had already ended."),
        },
    )
}

/// One receipt on one line: id, when, what, and whether it verifies.
fn receipt_line(r: &assent_core::receipts::Receipt) -> String {
    let what = match r.kind.as_str() {
        "consent" => format!("Consent given to {}", r.sp),
        _ => format!("Consent withdrawn from {}", r.sp),
    };
    let check = if r.verified {
        "verified".to_owned()
    } else {
        format!(
            "DOES NOT VERIFY: {}",
            r.problem.as_deref().unwrap_or("unknown")
        )
    };
    format!("{}  {}  {what}  ({check})", r.id, r.at)
}

/// A receipt whole, in words.
fn receipt_text(r: &assent_core::receipts::Receipt) -> String {
    let mut lines = vec![receipt_line(r)];
    if let Some(claims) = &r.claims {
        for purpose in &claims.purposes {
            lines.push(format!(
                "  {} for {} ({}, on the basis of {}): {}",
                purpose.service,
                purpose.purpose,
                purpose.data_categories.join(", "),
                purpose.legal_basis,
                purpose.attributes.join(", ")
            ));
        }
        if !claims.remaining.is_empty() {
            lines.push(format!("  still shared: {}", claims.remaining.join(", ")));
        }
        if let Some(method) = &claims.method {
            lines.push(format!(
                "  given on: {}; the text shown has SHA-256 {}",
                method.authenticator, method.prompt_sha256
            ));
        }
        lines.push(format!(
            "  lasts: {}",
            match &claims.duration.expires_at {
                Some(end) => format!("until {end}"),
                None if claims.duration.kind == "transaction" => "one transaction".to_owned(),
                None => "until you withdraw it".to_owned(),
            }
        ));
        lines.push(format!("  to withdraw: {}", claims.withdrawal));
        lines.push(format!("  standard: {}", claims.schema));
    }
    if let Some(prompt) = &r.prompt {
        lines.push(format!("  the text shown: {prompt}"));
    }
    lines.push(format!("  signed receipt (JWS): {}", r.jws));
    lines.join("\n")
}

async fn grants(app: &Assent, json: bool) -> Result<(), Failure> {
    let grants = app.grants().await?;
    say(json, &json!({ "grants": grants }), || {
        if grants.is_empty() {
            return "No SP holds a long-lived consent.".into();
        }
        grants
            .iter()
            .map(|g| {
                let withdrawn = if g.withdrawn.is_empty() {
                    String::new()
                } else {
                    format!("\n    no longer shared: {}", g.withdrawn.join(", "))
                };
                format!(
                    "{}  {} ({})\n    services: {}\n    attributes: {}{withdrawn}\n    since {}, \
                     last used {}, {}",
                    g.id,
                    g.client_name,
                    g.client_id,
                    g.services.join(", "),
                    g.attributes.join(", "),
                    g.granted_at,
                    g.last_used.as_deref().unwrap_or("never"),
                    match &g.expires_at {
                        Some(end) => format!("ends {end}"),
                        None => "until you revoke it".to_owned(),
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

async fn audit_list(app: &Assent, filter: &Filter, json: bool) -> Result<(), Failure> {
    let page = app.history_page(filter).await?;
    if !page.synced {
        eprintln!("assent: the gateway cannot be reached: showing the copy on this device");
    }
    if json {
        // The contract of `assent audit --json`: the entries as recorded, and `synced`.
        #[derive(serde::Serialize)]
        struct Listed<'a> {
            entries: &'a [assent_audit::AuditEntry],
            synced: bool,
        }
        return print_json(&Listed {
            entries: &page.entries,
            synced: page.synced,
        });
    }
    if page.entries.is_empty() {
        println!("No entries.");
        return Ok(());
    }
    let words = Phrasebook::new(app.settings().locale())
        .map_err(|e| Failure::failed("history", e.to_string()))?;
    // The local time zone, daylight saving included (UTC where none can be found).
    let zone = jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC);
    for (entry, description) in page.entries.iter().zip(&page.descriptions) {
        println!(
            "{}  {}",
            local_time(entry.content.at_ms, &zone),
            words.sentence(description, &zone)
        );
    }
    Ok(())
}

/// `2027-06-12 14:03` in `zone`.
fn local_time(ms: i64, zone: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|at| {
            at.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| ms.to_string())
}

/// Brings the history up to date before verifying or exporting it; offline, the copy on
/// this device is used (and said so).
async fn sync(app: &Assent) -> Result<(), Failure> {
    if !app.sync_history_if_online().await? {
        eprintln!("assent: the gateway cannot be reached: using the copy on this device");
    }
    Ok(())
}

async fn audit_verify(app: &Assent, json: bool) -> Result<(), Failure> {
    match app.verify_history().await {
        Ok(Some(verified)) => say(
            json,
            &json!({"verified": true, "entries": verified.entries, "head": verified.head,
                    "synced_ms": verified.synced_ms, "checkpoint_seq": verified.checkpoint_seq}),
            || {
                let vouched = match verified.checkpoint_seq {
                    Some(seq) => format!(
                        " The gateway's signed checkpoint vouches for its whole trail up to \
                         entry {seq}."
                    ),
                    None => String::new(),
                };
                format!(
                    "The history verifies: {} entries, each linked to the one before; head {}.{vouched}",
                    verified.entries, verified.head
                )
            },
        ),
        Ok(None) => Err(Failure::failed(
            "no_history",
            "there is no history on this device yet",
        )),
        Err(error) => Err(Failure::failed("verification_failed", error.to_string())),
    }
}

pub fn prompt_render() -> std::process::ExitCode {
    let mut input = String::new();
    if let Err(error) = std::io::stdin().read_to_string(&mut input) {
        // Not valid UTF-8, or stdin unreadable: still a refused request, said in JSON.
        let failure = assent_prompt::wire::RenderFailure::invalid_request(format!(
            "cannot read the request from stdin: {error}"
        ));
        return emit(&failure, crate::output::EXIT_USAGE);
    }
    match assent_prompt::wire::render_json(&input) {
        Ok(response) => emit(&response, 0),
        Err(failure) => {
            let code = match failure.error {
                assent_prompt::wire::FailureKind::InternalError => 1,
                _ => crate::output::EXIT_USAGE,
            };
            emit(&failure, code)
        }
    }
}

/// `prompt render`'s contract: compact JSON on one line.
fn emit(value: &impl serde::Serialize, code: u8) -> std::process::ExitCode {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut stdout, value)
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(stdout));
    match written {
        Ok(()) => std::process::ExitCode::from(code),
        Err(error) => {
            eprintln!("assent: cannot write the result: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
