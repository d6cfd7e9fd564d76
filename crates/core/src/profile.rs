//! The profile folder: settings, the enrollment's progress, the certificate (public) and the
//! audit history cache. Secrets are in the OS keyring, never here.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The default profile folder: `$XDG_DATA_HOME/assent`, else `~/.local/share/assent`
/// (the platform's app data folder on other systems is the Tauri shell's to give).
pub fn default_dir() -> Option<PathBuf> {
    if let Some(data) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(data).join("assent"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".local/share/assent"))
}

/// Creates the folder (readable by its owner only on Unix).
pub fn ensure_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes a file so that a crash leaves either the old or the new content: a temporary file
/// in the same folder, synced, then renamed over the old one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    // The rename itself is durable once the folder is synced.
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Opens (creating it if missing) one of the profile's SQLite files the way every cache of
/// the profile is kept: WAL, `synchronous=FULL` (nothing acknowledged is lost in a power
/// cut), two connections.
pub async fn open_sqlite(path: &Path) -> Result<sqlx::SqlitePool, sqlx::Error> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
}
