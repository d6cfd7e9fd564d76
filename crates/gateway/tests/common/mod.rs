//! Helpers shared by the gateway's integration tests: the real binary, its CA, PostgreSQL.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_assent-gateway");

/// A running gateway, killed on drop.
pub struct Gateway {
    child: Child,
    pub url: String,
    pub data_dir: PathBuf,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn storage_args(data_dir: &Path, database_url: Option<&str>) -> Vec<String> {
    let mut args = vec!["--data-dir".to_owned(), data_dir.display().to_string()];
    if let Some(url) = database_url {
        args.extend(["--database-url".to_owned(), url.to_owned()]);
    }
    args
}

pub fn start(data_dir: &Path, database_url: Option<&str>) -> Gateway {
    start_logging(data_dir, database_url, None)
}

/// Starts the gateway; with `log`, its stderr (the logs) goes to that file at `debug` level.
pub fn start_logging(data_dir: &Path, database_url: Option<&str>, log: Option<&Path>) -> Gateway {
    let mut command = Command::new(BIN);
    command
        .arg("serve")
        .args(storage_args(data_dir, database_url))
        .args(["--listen", "127.0.0.1:0", "--demo"])
        .stdout(Stdio::piped());
    match log {
        Some(path) => {
            command
                .env("RUST_LOG", "debug")
                .stderr(std::fs::File::create(path).unwrap());
        }
        None => {
            command.stderr(Stdio::inherit());
        }
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("assent-gateway listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    Gateway {
        child,
        url,
        data_dir: data_dir.to_owned(),
    }
}

/// Runs `assent-gateway admin …`: (success, stdout on success or stderr on failure).
pub fn admin(data_dir: &Path, database_url: Option<&str>, args: &[&str]) -> (bool, String) {
    let output = Command::new(BIN)
        .arg("admin")
        .args(args)
        .args(storage_args(data_dir, database_url))
        .output()
        .unwrap();
    let stream = if output.status.success() {
        &output.stdout
    } else {
        &output.stderr
    };
    (
        output.status.success(),
        String::from_utf8_lossy(stream).into_owned(),
    )
}

/// An HTTPS client that trusts the gateway's CA and nothing else.
pub fn client(gateway: &Gateway, max_tls12: bool) -> reqwest::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let ca = std::fs::read(gateway.data_dir.join("ca.pem")).unwrap();
    let mut builder =
        reqwest::Client::builder().tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()]);
    if max_tls12 {
        builder = builder.tls_version_max(reqwest::tls::Version::TLS_1_2);
    }
    builder.build().unwrap()
}

/// A fresh, empty PostgreSQL database for one test.
pub async fn fresh_postgres() -> String {
    use sqlx::Connection;
    let admin_url = std::env::var("ASSENT_TEST_POSTGRES_URL")
        .expect("ASSENT_TEST_POSTGRES_URL is not set: run scripts/test, which starts a PostgreSQL");
    let name = format!("assent_test_{}", rand_suffix());
    let mut conn = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    // The name is ours: letters, digits and underscores only.
    let create = sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"));
    sqlx::query(create).execute(&mut conn).await.unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

pub fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000)
}
