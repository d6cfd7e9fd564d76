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
        let port = free_port().map_err(|e| e.to_string())?;
        let native_port = free_port().map_err(|e| e.to_string())?;
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
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
