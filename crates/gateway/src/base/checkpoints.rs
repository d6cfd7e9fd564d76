//! The file of the audit trail's signed checkpoints, `audit-checkpoints.jws` in the data
//! directory: one compact JWS per line, only ever appended to (`rules::checkpoint` says what
//! a line states). It lives beside the signing key rather than in the database, so that
//! whoever can write the database (its administrator, an injected statement, a restored
//! backup) cannot shorten the trail unseen.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The checkpoint file of one data directory.
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    path: PathBuf,
}

impl CheckpointFile {
    pub fn in_dir(data_dir: &Path) -> Self {
        CheckpointFile {
            path: data_dir.join("audit-checkpoints.jws"),
        }
    }

    /// Checkpoints kept elsewhere, in the same format.
    pub fn at(path: &Path) -> Self {
        CheckpointFile {
            path: path.to_owned(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one checkpoint and waits until it is on disk. One `write` of one line in
    /// append mode: instances sharing the directory never interleave within a line.
    pub fn append(&self, jws: &str) -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(format!("{jws}\n").as_bytes())?;
        file.sync_all()
    }

    /// Every checkpoint, oldest first; none when the file does not exist yet.
    pub fn read(&self) -> std::io::Result<Vec<String>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}
