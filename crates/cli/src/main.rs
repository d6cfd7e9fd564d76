//! `assent`: Assent's core, headless. QA and support drive it from scripts; every command
//! speaks JSON where a machine reads it.

use clap::{Parser, Subcommand};
use std::io::{Read, Write};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "assent",
    version,
    about = "Assent: consent, number verification and audit, headless"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Consent prompts.
    #[command(subcommand)]
    Prompt(PromptCommand),
}

#[derive(Debug, Subcommand)]
enum PromptCommand {
    /// Reads one JSON request on stdin, writes the fitted prompt as JSON on stdout.
    /// Exit 0 with the prompt; exit 2 with {"error": "does_not_fit"|"invalid_request", ...}.
    Render,
}

/// Exit status for a request the command refuses (bad input, or nothing fits).
const EXIT_REFUSED: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Prompt(PromptCommand::Render) => prompt_render(),
    }
}

fn prompt_render() -> ExitCode {
    let mut input = String::new();
    if let Err(error) = std::io::stdin().read_to_string(&mut input) {
        // Not valid UTF-8, or stdin unreadable: still a refused request, said in JSON.
        let failure = assent_prompt::wire::RenderFailure::invalid_request(format!(
            "cannot read the request from stdin: {error}"
        ));
        return emit(&failure, EXIT_REFUSED);
    }
    match assent_prompt::wire::render_json(&input) {
        Ok(response) => emit(&response, 0),
        Err(failure) => {
            let code = match failure.error {
                assent_prompt::wire::FailureKind::InternalError => 1,
                _ => EXIT_REFUSED,
            };
            emit(&failure, code)
        }
    }
}

fn emit(value: &impl serde::Serialize, code: u8) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut stdout, value)
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(stdout));
    match written {
        Ok(()) => ExitCode::from(code),
        Err(error) => {
            eprintln!("assent: cannot write the result: {error}");
            ExitCode::FAILURE
        }
    }
}
