//! A container's health, in `RUNROOT/containers/CTR/healthcheck.log` (where Podman keeps its
//! `healthcheck.log`): Podman's `HealthCheckResults` plus the startup check's progress.
//!
//! A file in the run directory rather than the container's state row: a check every few
//! seconds would otherwise be a database transaction (with its fsyncs) each time, and health
//! describes this boot only, as the run root does. No file means the container has not been
//! checked since it started (`starting`), so a start writes nothing: it only removes the
//! previous run's file. Written whole and renamed over (no fsync: volatile), under the
//! container's lock.

use crate::error::{CoreError, Result};
use crate::record::HealthCheckResults;
use crate::runtime::Runtime;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The file's name in the container's run directory.
const FILE_NAME: &str = "healthcheck.log";

/// What the file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct HealthFile {
    #[serde(flatten)]
    pub results: HealthCheckResults,
    /// The startup check passed (the regular one runs now).
    #[serde(rename = "StartupPassed")]
    pub startup_passed: bool,
    /// The startup check's successes in a row.
    #[serde(rename = "StartupSuccesses")]
    pub startup_successes: u32,
    /// The startup check's failures in a row.
    #[serde(rename = "StartupFailures")]
    pub startup_failures: u32,
}

fn path(rt: &Runtime, id: &str) -> PathBuf {
    rt.container_run_dir(id).join(FILE_NAME)
}

/// The container's health file, or a fresh `starting` one when there is none.
pub(crate) fn read(rt: &Runtime, id: &str) -> Result<HealthFile> {
    let path = path(rt, id);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| CoreError::Corrupt {
            what: "healthcheck log",
            id: id.to_string(),
            source,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HealthFile {
            results: HealthCheckResults::starting(),
            ..HealthFile::default()
        }),
        Err(e) => Err(CoreError::io("read", path, e)),
    }
}

/// Replaces the container's health file (its lock held by the caller).
pub(crate) fn write(rt: &Runtime, id: &str, file: &HealthFile) -> Result<()> {
    let bytes = serde_json::to_vec(file).expect("health records serialize");
    let path = path(rt, id);
    libpod_fs::replace(
        &path,
        &bytes,
        libpod_fs::PRIVATE_FILE_MODE,
        libpod_fs::Durability::Volatile,
    )?;
    Ok(())
}

/// Forgets the previous run's health (at start).
pub(crate) fn reset(rt: &Runtime, id: &str) -> Result<()> {
    let path = path(rt, id);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(CoreError::io("remove", path, e)),
        _ => Ok(()),
    }
}
