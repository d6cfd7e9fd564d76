//! Helpers for the workspace end-to-end tests: finding the built binaries, running
//! tauri-driver, saving artifacts.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A binary of the workspace's debug build; fails with what to run when it is missing.
pub fn workspace_binary(name: &str) -> Result<PathBuf, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let path = target.join("debug").join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: build it first (cargo build -p {name})",
            path.display()
        ))
    }
}

/// Where tests leave screenshots and logs for people to look at (`artifacts/` at the root).
pub fn artifacts_dir(suite: &str) -> Result<PathBuf, std::io::Error> {
    let dir = workspace_root().join("artifacts").join(suite);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn free_port() -> Result<u16, std::io::Error> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "nothing listens on 127.0.0.1:{port} after {timeout:?}"
    ))
}

/// A running `tauri-driver` (which drives WebKitWebDriver); killed on drop.
#[derive(Debug)]
pub struct TauriDriver {
    child: Child,
    pub port: u16,
}

impl TauriDriver {
    pub fn start() -> Result<Self, String> {
        Self::start_with_env(&[])
    }

    /// Starts tauri-driver with extra environment, which the app it launches inherits
    /// (the Secret Service's bus, the gateway to use, the profile folder).
    pub fn start_with_env(env: &[(String, String)]) -> Result<Self, String> {
        let port = free_port().map_err(|e| e.to_string())?;
        let native_port = free_port().map_err(|e| e.to_string())?;
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver ({e}): cargo install tauri-driver"))?;
        let driver = TauriDriver { child, port };
        wait_for_port(port, Duration::from_secs(20))?;
        Ok(driver)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private Secret Service for one test: its own D-Bus session bus and its own
/// gnome-keyring, unlocked, with the keyring file in a temporary home. The programs under
/// test get [`SecretService::env`] and use the real keyring protocol, without touching the
/// keyring of whoever runs the tests. Both daemons are killed on drop.
#[derive(Debug)]
pub struct SecretService {
    bus: Child,
    keyring: Child,
    address: String,
    home: tempfile::TempDir,
}

impl SecretService {
    pub fn start() -> Result<Self, String> {
        use std::io::{BufRead, BufReader, Write};
        let home = tempfile::tempdir().map_err(|e| e.to_string())?;
        let runtime = home.path().join("run");
        std::fs::create_dir_all(&runtime).map_err(|e| e.to_string())?;
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start dbus-daemon ({e}): apt-get install dbus"))?;
        let mut address = String::new();
        let stdout = bus.stdout.take().ok_or("dbus-daemon without stdout")?;
        BufReader::new(stdout)
            .read_line(&mut address)
            .map_err(|e| e.to_string())?;
        let address = address.trim().to_owned();
        if address.is_empty() {
            let _ = bus.kill();
            return Err("dbus-daemon printed no address".into());
        }
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets", "--foreground"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_DATA_HOME", home.path().join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start gnome-keyring-daemon ({e}): apt-get install gnome-keyring")
            })?;
        // The login keyring's password (an empty one leaves it unusable).
        if let Some(mut stdin) = keyring.stdin.take() {
            stdin.write_all(b"assent-test").map_err(|e| e.to_string())?;
        }
        let service = SecretService {
            bus,
            keyring,
            address,
            home,
        };
        service.wait_until_served(Duration::from_secs(10))?;
        Ok(service)
    }

    fn wait_until_served(&self, timeout: Duration) -> Result<(), String> {
        wait_for_bus_name(&self.address, "org.freedesktop.secrets", timeout)
            .map_err(|e| format!("gnome-keyring: {e}"))
    }

    /// The address of this test's private D-Bus session bus.
    pub fn bus_address(&self) -> &str {
        &self.address
    }

    /// The environment a program needs to use this Secret Service.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.address.clone()),
            ("HOME".into(), self.home.path().display().to_string()),
            (
                "XDG_RUNTIME_DIR".into(),
                self.home.path().join("run").display().to_string(),
            ),
        ]
    }

    /// The keyring's file on disk (encrypted by gnome-keyring), for tests that check that
    /// no secret is in the clear anywhere else.
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// Waits until `name` has an owner on the bus at `address`.
fn wait_for_bus_name(address: &str, name: &str, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let answer = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.DBus",
                "--print-reply",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", address)
            .output()
            .map_err(|e| e.to_string())?;
        if String::from_utf8_lossy(&answer.stdout).contains("boolean true") {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("nobody took {name} on the bus within {timeout:?}"))
}

/// A real notification server (dunst, on the X display of the test) on a private session
/// bus, and a `dbus-monitor` recording every `Notify` call sent to it: what a program under
/// test shows as a desktop notification, as the desktop received it. Killed on drop.
#[derive(Debug)]
pub struct NotificationServer {
    daemon: Child,
    monitor: Child,
    calls: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _config: tempfile::TempDir,
}

impl NotificationServer {
    /// Starts dunst on the bus at `bus_address` (it needs `DISPLAY`, e.g. under `xvfb-run`).
    pub fn start(bus_address: &str) -> Result<Self, String> {
        use std::io::{BufRead, BufReader};
        // An empty configuration: dunst's defaults, never the user's dunstrc.
        let config = tempfile::tempdir().map_err(|e| e.to_string())?;
        let dunstrc = config.path().join("dunstrc");
        std::fs::write(&dunstrc, "").map_err(|e| e.to_string())?;
        let mut daemon = Command::new("dunst")
            .arg("-config")
            .arg(&dunstrc)
            .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start dunst ({e}): apt-get install dunst"))?;
        if let Err(e) = wait_for_bus_name(
            bus_address,
            "org.freedesktop.Notifications",
            Duration::from_secs(10),
        ) {
            let _ = daemon.kill();
            return Err(format!("dunst (is DISPLAY set?): {e}"));
        }
        let mut monitor = Command::new("dbus-monitor")
            .args([
                "--address",
                bus_address,
                "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start dbus-monitor ({e}): apt-get install dbus"))?;
        let stdout = monitor.stdout.take().ok_or("dbus-monitor without stdout")?;
        let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sink = calls.clone();
        // dbus-monitor prints one block per message, each starting with its header line.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let Ok(mut calls) = sink.lock() else { return };
                if line.starts_with("method call") {
                    calls.push(String::new());
                } else if let Some(call) = calls.last_mut() {
                    call.push_str(line.trim());
                    call.push('\n');
                }
            }
        });
        // The monitor is attached once it has printed its own NameAcquired signal (filtered
        // out by the match rule); give it a moment rather than race the first notification.
        std::thread::sleep(Duration::from_millis(300));
        Ok(NotificationServer {
            daemon,
            monitor,
            calls,
            _config: config,
        })
    }

    /// Every `Notify` call seen so far: its arguments (application name, id, icon, summary,
    /// body, …) as dbus-monitor printed them, one per line.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Waits until a `Notify` call contains `needle`; returns that call.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(call) = self.calls().into_iter().find(|c| c.contains(needle)) {
                return Ok(call);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "no notification with {needle:?} within {timeout:?}; seen: {:?}",
                    self.calls()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for NotificationServer {
    fn drop(&mut self) {
        let _ = self.monitor.kill();
        let _ = self.monitor.wait();
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// Runs `xdotool` with `args` (the test's X display); its output.
pub fn xdotool(args: &[&str]) -> Result<String, String> {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run xdotool ({e}): apt-get install xdotool"))?;
    if !out.status.success() {
        return Err(format!(
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The bundled gateway with demo data on a loopback port; killed on drop.
#[derive(Debug)]
pub struct DemoGateway {
    child: Child,
    pub url: String,
    pub data_dir: PathBuf,
    _dir: tempfile::TempDir,
}

impl DemoGateway {
    pub fn start() -> Result<Self, String> {
        Self::start_with_args(&[])
    }

    /// [`DemoGateway::start`] with more `serve` options (`--catalog FILE`, …).
    pub fn start_with_args(args: &[&str]) -> Result<Self, String> {
        use std::io::{BufRead, BufReader};
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let data_dir = dir.path().join("gw");
        let mut child = Command::new(workspace_binary("assent-gateway")?)
            .args(["serve", "--listen", "127.0.0.1:0", "--demo", "--data-dir"])
            .arg(&data_dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("gateway without stdout")?;
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let url = line
            .trim()
            .strip_prefix("assent-gateway listening on ")
            .ok_or_else(|| format!("unexpected first line from the gateway: {line:?}"))?
            .to_owned();
        Ok(DemoGateway {
            child,
            url,
            data_dir,
            _dir: dir,
        })
    }

    /// The gateway's CA certificate (PEM file).
    pub fn ca_file(&self) -> PathBuf {
        self.data_dir.join("ca.pem")
    }

    /// An HTTPS client (TLS 1.3) that trusts this gateway's CA only.
    pub fn http(&self) -> Result<reqwest::Client, String> {
        let ca = std::fs::read(self.ca_file()).map_err(|e| e.to_string())?;
        assent_core::acme_client::http_client(Some(&ca)).map_err(|e| e.to_string())
    }

    /// An SP's CIBA request (poll mode) for `msisdn` (digits): the `auth_req_id`.
    pub async fn ciba_request(
        &self,
        http: &reqwest::Client,
        sp: (&str, &str),
        scope: &str,
        msisdn: &str,
    ) -> Result<String, String> {
        self.ciba_request_with(http, sp, scope, msisdn, &[]).await
    }

    /// [`DemoGateway::ciba_request`] with more parameters (`binding_message`, …).
    pub async fn ciba_request_with(
        &self,
        http: &reqwest::Client,
        (client_id, secret): (&str, &str),
        scope: &str,
        msisdn: &str,
        extra: &[(&str, &str)],
    ) -> Result<String, String> {
        let hint = format!("MSISDN:{msisdn}");
        let mut form = vec![("scope", scope), ("login_hint", hint.as_str())];
        form.extend_from_slice(extra);
        let response = http
            .post(format!("{}/bc-authorize", self.url))
            .basic_auth(client_id, Some(secret))
            .form(&form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
        body["auth_req_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("bc-authorize answered {status}: {body}"))
    }

    /// The SP's access token for an answered CIBA request (polled for up to 10 s).
    pub async fn ciba_token(
        &self,
        http: &reqwest::Client,
        (client_id, secret): (&str, &str),
        auth_req_id: &str,
    ) -> Result<String, String> {
        let mut last = serde_json::Value::Null;
        for _ in 0..50 {
            last = http
                .post(format!("{}/token", self.url))
                .basic_auth(client_id, Some(secret))
                .form(&[
                    ("grant_type", "urn:openid:params:grant-type:ciba"),
                    ("auth_req_id", auth_req_id),
                ])
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            if let Some(token) = last["access_token"].as_str() {
                return Ok(token.to_owned());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(format!("no token for the CIBA request: {last}"))
    }

    /// Runs `assent-gateway admin …` against this gateway's data.
    pub fn admin(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new(workspace_binary("assent-gateway")?)
            .arg("admin")
            .args(args)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

impl Drop for DemoGateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
