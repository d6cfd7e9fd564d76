//! What the command prints: one JSON document on stdout with `--json`, sentences otherwise;
//! failures as `{"error": code, "message": …}` (JSON) or `assent: message` on stderr.

use assent_core::CoreError;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Exit status of a usage error: the request was refused before anything was done.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug)]
pub struct Failure {
    pub usage: bool,
    pub code: &'static str,
    pub message: String,
    /// The technical cause, after a message that explains a failure the user can act on
    /// (a keyring missing or locked, the gateway out of reach, the certificate expired).
    pub cause: Option<String>,
}

impl From<CoreError> for Failure {
    fn from(error: CoreError) -> Self {
        Failure {
            usage: error.is_usage(),
            code: error.code(),
            message: error.explanation(),
            cause: error.trouble().map(|_| error.to_string()),
        }
    }
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            usage: true,
            code: "usage",
            message: message.into(),
            cause: None,
        }
    }

    pub fn failed(code: &'static str, message: impl Into<String>) -> Self {
        Failure {
            usage: false,
            code,
            message: message.into(),
            cause: None,
        }
    }
}

pub fn failure(json: bool, failure: &Failure) -> ExitCode {
    if json {
        // The same two members as ever; the cause, when there is one, ends the message.
        let message = match &failure.cause {
            Some(cause) => format!("{} (The cause: {cause}.)", failure.message),
            None => failure.message.clone(),
        };
        let _ = print_json(&serde_json::json!({"error": failure.code, "message": message}));
    } else {
        eprintln!("assent: {}", failure.message);
        if let Some(cause) = &failure.cause {
            eprintln!("        The cause: {cause}.");
        }
    }
    ExitCode::from(if failure.usage { EXIT_USAGE } else { 1 })
}

pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, value)
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(stdout))
        .map_err(|e| Failure::failed("output", format!("cannot write the result: {e}")))
}

/// Progress for people: on stderr, only when it is a terminal.
#[derive(Debug)]
pub struct Progress {
    on: bool,
}

impl Progress {
    pub fn new(json: bool) -> Self {
        Progress {
            on: !json && std::io::stderr().is_terminal(),
        }
    }

    pub fn say(&self, text: &str) {
        if self.on {
            eprintln!("{text}");
        }
    }

    /// Rewrites the current line (a waiting counter).
    pub fn tick(&self, text: &str) {
        if self.on {
            eprint!("\r\x1b[2K{text}");
            let _ = std::io::stderr().flush();
        }
    }

    pub fn clear(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}
