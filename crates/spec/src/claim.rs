//! Claims on runs: which process trains a run now, so that shards sharing an experiment
//! folder (on one machine, or on a cluster's shared file system) never train one run
//! twice at once.
//!
//! A claim is a file, `<experiment>/.claims/<run>.json`, holding its owner's host and
//! pid, and an exclusive lock on it (`flock`) that the owner holds while it trains. The
//! kernel drops the lock when the owner ends, however it ends (`kill -9` included), so a
//! claim is stale exactly when its file is not locked: the next process takes it over.
//! No clock, no timeout. On NFS, Linux turns `flock` into an NFS lock, which a server
//! releases when the client holding it stops renewing its lease (NFSv4: about 90 s), so
//! a dead node's claims free themselves too. The file is never removed (removing a
//! locked file would let a second process lock a new file of the same name); what it
//! says is only ever the last owner.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Who holds a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Host name.
    pub host: String,
    /// Process id on that host.
    pub pid: u32,
    /// When the claim was taken, seconds since 1970 (UTC).
    pub since: u64,
}

impl Owner {
    /// This process.
    pub fn me() -> Self {
        Self {
            host: host_name().to_string(),
            pid: std::process::id(),
            since: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "process {} on {}", self.pid, self.host)
    }
}

/// This machine's host name (`unknown-host` when the kernel does not say).
pub fn host_name() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .map(|h| h.trim().to_string())
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown-host".to_string())
    })
}

/// A claim this process holds; dropping it releases the run.
#[derive(Debug)]
pub struct Claim {
    path: PathBuf,
    // Held open for its lock.
    _file: File,
}

impl Claim {
    /// The claim's file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What trying to claim a run gave.
#[derive(Debug)]
pub enum Claimed {
    /// The run is this process's until the claim is dropped.
    Mine(Claim),
    /// Another process holds it (its owner, when its file could be read).
    Held(Option<Owner>),
}

/// Tries to claim the run whose claim file is `path` (creating its folder), without
/// waiting.
pub fn try_claim(path: &Path) -> std::io::Result<Claimed> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    match file.try_lock() {
        Ok(()) => {
            let owner = serde_json::to_vec(&Owner::me()).map_err(std::io::Error::other)?;
            file.set_len(0)?;
            file.rewind()?;
            file.write_all(&owner)?;
            file.sync_all()?;
            Ok(Claimed::Mine(Claim {
                path: path.to_path_buf(),
                _file: file,
            }))
        }
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let owner = file
                .read_to_string(&mut text)
                .ok()
                .and_then(|_| serde_json::from_str(&text).ok());
            Ok(Claimed::Held(owner))
        }
        Err(TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_claim_at_a_time_and_free_again_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".claims/ReLU-s1.json");
        let Claimed::Mine(first) = try_claim(&path).unwrap() else {
            panic!("a new claim is free");
        };
        // A second open file description of the same file: flock sees another owner.
        match try_claim(&path).unwrap() {
            Claimed::Held(Some(owner)) => assert_eq!(owner.pid, std::process::id()),
            other => panic!("the claim should be held: {other:?}"),
        }
        drop(first);
        assert!(matches!(try_claim(&path).unwrap(), Claimed::Mine(_)));
        assert!(
            path.is_file(),
            "the file stays; only the lock comes and goes"
        );
    }
}
